APP_SRCS += $(wildcard ui/*.c)
