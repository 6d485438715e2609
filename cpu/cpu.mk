LIB_SRCS += $(wildcard cpu/*.c cpu/vmx/*.c cpu/svm/*.c)
