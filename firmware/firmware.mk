LIB_SRCS += $(wildcard firmware/*.c)
