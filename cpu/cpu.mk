LIB_SRCS += $(wildcard cpu/*.c cpu/interp/*.c cpu/vmx/*.c cpu/svm/*.c cpu/bt/*.c)
