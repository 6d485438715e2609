# The gdbstub's test guests (testsuite/boot/gdb.sh), built with symbols into $(O)/gdb/.
# Included from testsuite/testsuite.mk.
#   gdbguest32.elf  multiboot C guest on testsuite/guests/lib, at -O0 so
#                   lines and variables are where the source says
#   gdbreal2long.rom  64 KiB -bios image; gdbreal2long.elf is the same
#                   code with its symbols, for gdb

GDB_GUEST_CFLAGS := $(filter-out -O2,$(GUEST_CFLAGS)) -O0
GDB_GUEST_FILES  := $(O)/gdb/gdbguest32.elf $(O)/gdb/gdbreal2long.elf $(O)/gdb/gdbreal2long.rom
CHECK_DEPS       += $(GDB_GUEST_FILES)

gdb-guests: $(GDB_GUEST_FILES)

$(O)/gdb/obj/gdbguest32.o: testsuite/gdb/gdbguest32.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GDB_GUEST_CFLAGS) -c -o $@ $<

$(O)/gdb/gdbguest32.elf: $(O)/gdb/obj/gdbguest32.o $(GUEST_LIB) testsuite/guests/lib/guest.ld
	ld $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB)

$(O)/gdb/obj/%.o: testsuite/gdb/%.asm
	@mkdir -p $(dir $@)
	nasm -f elf64 -g -F dwarf -MD $(@:.o=.d) -MP -o $@ $<

GDB_R2L_OBJS := $(O)/gdb/obj/gdbreal2long.o $(O)/gdb/obj/gdbreal2long16.o
$(O)/gdb/gdbreal2long.elf: $(GDB_R2L_OBJS) testsuite/gdb/gdbreal2long.ld
	ld -m elf_x86_64 -z noexecstack --no-warn-rwx-segments -T testsuite/gdb/gdbreal2long.ld -o $@ $(GDB_R2L_OBJS)

# the loadable sections only (no .bss, no debug info): LMAs f0000-fffff
$(O)/gdb/gdbreal2long.rom: $(O)/gdb/gdbreal2long.elf
	objcopy -O binary --gap-fill 0xff -j .reset16 -j .low -j .text32 -j .text64 -j .reset $< $@
	@test "$$(stat -c %s $@)" = 65536 || { echo "$@: not 64 KiB"; rm -f $@; exit 1; }

-include $(wildcard $(O)/gdb/obj/*.d)

.PHONY: gdb-guests
