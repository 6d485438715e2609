# The floppy test images (testsuite/floppy/floppy.asm): a boot sector and a
# checker that read every sector of the disk through the BIOS (int 13h) and
# compare it with the pattern nasm wrote. Included from testsuite/testsuite.mk;
# testsuite/boot/floppyboot.sh boots them (-fda IMG -boot a).
#   floppy.img        1.44M: 80 cylinders, 2 heads, 18 sectors per track
#   floppy-720k.img   720K:  80 cylinders, 2 heads,  9 sectors per track
#   floppy-2880k.img  2.88M: 80 cylinders, 2 heads, 36 sectors per track

FLOPPY_IMGS := $(O)/guests/floppy.img $(O)/guests/floppy-720k.img $(O)/guests/floppy-2880k.img
CHECK_DEPS  += $(FLOPPY_IMGS)

floppy-images: $(FLOPPY_IMGS)

$(O)/guests/floppy.img: testsuite/floppy/floppy.asm testsuite/floppy/bootsector.inc testsuite/floppy/puthex.inc
	@mkdir -p $(dir $@)
	nasm -f bin -DCYLS=80 -DHEADS=2 -DSPT=18 -o $@ $<

$(O)/guests/floppy-720k.img: testsuite/floppy/floppy.asm testsuite/floppy/bootsector.inc testsuite/floppy/puthex.inc
	@mkdir -p $(dir $@)
	nasm -f bin -DCYLS=80 -DHEADS=2 -DSPT=9 -o $@ $<

$(O)/guests/floppy-2880k.img: testsuite/floppy/floppy.asm testsuite/floppy/bootsector.inc testsuite/floppy/puthex.inc
	@mkdir -p $(dir $@)
	nasm -f bin -DCYLS=80 -DHEADS=2 -DSPT=36 -o $@ $<

# the BIOS boot-media tests (floppy, CD, hard disk) under QEMU's TCG, the
# reference they were validated against
check-bootmedia-qemu: $(FLOPPY_IMGS)
	@O=$(O) testsuite/boot/floppyboot.sh --qemu
	@O=$(O) testsuite/boot/cdboot.sh --qemu
	@O=$(O) testsuite/boot/hdboot.sh --qemu

.PHONY: floppy-images check-bootmedia-qemu
