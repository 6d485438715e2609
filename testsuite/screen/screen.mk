# The screen tests' tools and guest (testsuite/boot/screen.sh and
# testsuite/boot/graphics.sh). Included from testsuite/testsuite.mk.
#   $(O)/screen/pngtext    reads the text back from a text-mode screendump,
#                          with the 8x16 font the emulator takes from the VGA
#                          BIOS (hw/vgafont.c, compiled in)
#   $(O)/guests/vgatest.img  a 1.44M floppy that draws known pictures in
#                          modes 13h, 12h and a VBE 640x480x32 mode through
#                          int 10h (testsuite/screen/vgatest.asm)

SCREEN_DEPS := $(O)/screen/pngtext $(O)/guests/vgatest.img
CHECK_DEPS  += $(SCREEN_DEPS)

screen-tools: $(SCREEN_DEPS)

$(O)/screen/pngtext: testsuite/screen/pngtext.c hw/vgafont.c hw/vgafont.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -I. $(PNG_CFLAGS) -o $@ testsuite/screen/pngtext.c hw/vgafont.c $(PNG_LIBS)

$(O)/guests/vgatest.img: testsuite/screen/vgatest.asm testsuite/floppy/bootsector.inc testsuite/floppy/puthex.inc
	@mkdir -p $(dir $@)
	nasm -f bin -o $@ $<

.PHONY: screen-tools
