#!/bin/bash
# Boot test: the in-tree floppy images (testsuite/floppy/floppy.asm) read and check every sector of themselves through the BIOS.
# SPDX-License-Identifier: MIT
#
# SeaBIOS boots the image from drive A: (the floppy controller, DMA
# channel 2, IRQ 6); its boot sector loads the checker with int 13h, which
# reads every track whole and then single sectors from the last to the
# first, compares each with the pattern the image was built with, prints
# "FLOPPY-OK N sectors (...)" on COM1 and writes 0 to isa-debug-exit:
# exit status 1. One PASS/FAIL/SKIP line per image and tier:
#   boot/floppy-1440k [TIER]  $(O)/guests/floppy.img        2880 sectors
#   boot/floppy-720k [TIER]   $(O)/guests/floppy-720k.img   1440 sectors
#   boot/floppy-2880k [TIER]  $(O)/guests/floppy-2880k.img  5760 sectors
# each run as -m 32 -fda IMG -boot a -device isa-debug-exit,iobase=0xf4,iosize=4.
# SKIP where the tier cannot run here. Runs against QEMU with --qemu (see
# testsuite/boot/lib/mediaboot.bash for that and the environment: O,
# TRIVISOR, MEDIA_TIERS, MEDIA_TIMEOUT). The images are built by
# `make floppy-images` (and `make check`).

cd "$(dirname "$0")/../.." || exit 1
# size | image | sectors
IMAGES=("1440k floppy.img 2880" "720k floppy-720k.img 1440" "2880k floppy-2880k.img 5760")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/floppyboot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/mediaboot.bash
. testsuite/boot/lib/mediaboot.bash
media_init "$@"

for entry in "${IMAGES[@]}"; do
	read -r size file nsect <<<"$entry"
	img=$O/guests/$file
	for tier in "${TIERS[@]}"; do
		name="boot/floppy-$size [$tier]"
		why=$(tier_why "$tier" i386)
		if [ -n "$why" ]; then
			echo "SKIP $name: $why"
			continue
		fi
		if [ "$MEDIA_MODE" = trivisor ] && [ ! -x "$TRIVISOR" ]; then
			echo "FAIL $name: $TRIVISOR not built"
			continue
		fi
		if [ ! -f "$img" ]; then
			echo "FAIL $name: $img not built (make floppy-images)"
			continue
		fi
		t=$(timeout_for "$tier" 180)
		emu_cmd "$tier" i386 -m 32 -fda "$img" -boot a -device isa-debug-exit,iobase=0xf4,iosize=4
		media_run "$t" "FLOPPY-"
		media_verdict "$name" "$t" 1 "FLOPPY-OK $nsect sectors" \
			'^floppy: payload running' "the boot sector did not load the checker"
	done
done
exit 0
