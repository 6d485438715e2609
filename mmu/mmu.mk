LIB_SRCS += $(wildcard mmu/*.c)
