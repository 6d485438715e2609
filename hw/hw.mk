LIB_SRCS += $(wildcard hw/*.c)
