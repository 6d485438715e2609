# The in-tree test guests (multiboot v1 kernels in $(O)/guests/) and `make run` images.
# Included from testsuite/testsuite.mk. Each guest reports on COM1 and exits
# through isa-debug-exit (port 0xf4); testsuite/guests/manifest says how to run it.

GUEST_CC      := gcc
GUEST_CFLAGS  := -m32 -march=i386 -std=gnu11 -O2 -g -Wall -Wextra \
                 -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector \
                 -fno-asynchronous-unwind-tables -fcf-protection=none \
                 -mno-sse -mno-mmx -mno-80387 --param=min-pagesize=0 -Itestsuite/guests/lib -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -z noexecstack --no-warn-rwx-segments \
                 -T testsuite/guests/lib/guest.ld

# C guests link the runtime in lib/; asm-only guests stand alone.
GUESTS_C   := pit_pic rtc serial exceptions smp reset console
GUESTS_ASM := hello
GUEST_LIB  := $(O)/guests/obj/lib/entry.o $(O)/guests/obj/lib/guest.o

GUEST_FILES := $(GUESTS_C:%=$(O)/guests/%.elf) $(GUESTS_ASM:%=$(O)/guests/%.elf) \
               $(O)/guests/hello_aout.bin
CHECK_DEPS  += $(GUEST_FILES)

guests: $(GUEST_FILES)

$(O)/guests/obj/%.o: testsuite/guests/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(O)/guests/obj/%.o: testsuite/guests/%.asm
	@mkdir -p $(dir $@)
	nasm -f elf32 -g -MD $(@:.o=.d) -MP -o $@ $<

$(GUESTS_C:%=$(O)/guests/%.elf): $(O)/guests/%.elf: $(O)/guests/obj/%.o $(GUEST_LIB) testsuite/guests/lib/guest.ld
	ld $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB)

$(GUESTS_ASM:%=$(O)/guests/%.elf): $(O)/guests/%.elf: $(O)/guests/obj/%.o testsuite/guests/lib/guest.ld
	ld $(GUEST_LDFLAGS) -o $@ $<

# The same hello as a flat image with the multiboot a.out kludge (flag bit 16).
$(O)/guests/hello_aout.bin: testsuite/guests/hello.asm
	@mkdir -p $(dir $@)
	nasm -f bin -DAOUT_KLUDGE -o $@ $<

-include $(wildcard $(O)/guests/obj/*.d $(O)/guests/obj/lib/*.d)

# `make run`: Debian's amd64 kernel and a busybox initramfs, fetched into a
# cache outside the clone by testsuite/fetch-images; -accel auto runs it in
# the hardware tier with VMX or SVM beneath /dev/kvm, else in the
# interpreter. RUN_ARCH=i386 boots the 686 kernel instead.
TRIVISOR_CACHE ?= $(HOME)/.cache/trivisor
RUN_ARCH ?= amd64
RUN_ARGS ?= -accel auto -nographic -m 512 \
            -kernel $(TRIVISOR_CACHE)/$(RUN_ARCH)/vmlinuz \
            -initrd $(TRIVISOR_CACHE)/$(RUN_ARCH)/initramfs.gz \
            -append "console=ttyS0"

guest-images:
	@TRIVISOR_CACHE=$(TRIVISOR_CACHE) testsuite/fetch-images $(RUN_ARCH) > /dev/null

.PHONY: guests guest-images
