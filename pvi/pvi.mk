LIB_SRCS += $(wildcard pvi/*.c)
