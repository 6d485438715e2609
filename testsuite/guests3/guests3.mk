# The system-architecture test guests of guests3 (issue 3): nasm flat images.
# Included from testsuite/testsuite.mk; testsuite/guests3/manifest says how
# each runs and on which tiers, testsuite/guests3/run.sh runs them.
#   *.rom  64 KiB -bios images started from the reset vector (lib16.inc)
#   *.bin  multiboot (a.out kludge) kernels loaded at 1 MiB (lib.inc; the
#          64-bit longmode and nanobench: lib64.inc)

GUESTS3_ROM   := realmode unreal realtolong
GUESTS3_BIN   := pmode gates paging v86 tasks exceptions longmode debugregs nanobench smc precise irq
GUESTS3_FILES := $(GUESTS3_ROM:%=$(O)/guests3/%.rom) $(GUESTS3_BIN:%=$(O)/guests3/%.bin)
CHECK_DEPS    += $(GUESTS3_FILES)

guests3: $(GUESTS3_FILES)

$(O)/guests3/%.rom: testsuite/guests3/%.asm testsuite/guests3/lib16.inc
	@mkdir -p $(dir $@)
	nasm -f bin -I testsuite/guests3/ -o $@ $<

$(O)/guests3/%.bin: testsuite/guests3/%.asm testsuite/guests3/lib.inc testsuite/guests3/lib64.inc
	@mkdir -p $(dir $@)
	nasm -f bin -I testsuite/guests3/ -o $@ $<

# every guest under QEMU's TCG, the reference they were validated against
check-guests3-qemu: $(GUESTS3_FILES)
	@O=$(O) testsuite/guests3/run.sh --qemu

.PHONY: guests3 check-guests3-qemu
