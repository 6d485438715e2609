#!/bin/bash
# Boot test: Debian's kernel from an isolinux CD (El Torito, ATAPI on the secondary IDE channel), i386 and amd64.
# SPDX-License-Identifier: MIT
#
# The CD is $CACHE/ARCH/cd.iso from testsuite/fetch-bootmedia: SeaBIOS
# boots isolinux.bin from it (no emulation), isolinux loads the kernel and
# the busybox initramfs of fetch-images over int 13h, and /init prints
# "TRIVISOR-BOOT-OK cpus=1" and reboots, which ends the emulator with
# -no-reboot. One PASS/FAIL/SKIP line per architecture and tier:
#   boot/cd-ARCH [TIER]    -cdrom cd.iso -boot d -m 512, exit status 0
#   boot/cd-amd64-smp2 [TIER]  the same with -smp 2, "cpus=2"
# SKIP where the package registry cannot be reached or the tier cannot run
# here. Runs against QEMU with --qemu (see testsuite/boot/lib/mediaboot.bash
# for that and the environment: O, TRIVISOR, MEDIA_TIERS, MEDIA_TIMEOUT).

cd "$(dirname "$0")/../.." || exit 1
ARCHES=(i386 amd64)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cdboot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/mediaboot.bash
. testsuite/boot/lib/mediaboot.bash
media_init "$@"

for arch in "${ARCHES[@]}"; do
	report() { local t; for t in "${TIERS[@]}"; do echo "$1 boot/cd-$arch [$t]: $2"; done; }
	if [ "$MEDIA_MODE" = trivisor ] && [ ! -x "$TRIVISOR" ]; then
		report FAIL "$TRIVISOR not built"
		continue
	fi
	fetch_media "$arch" report || continue
	for tier in "${TIERS[@]}"; do
		name="boot/cd-$arch [$tier]"
		why=$(tier_why "$tier" "$arch")
		if [ -n "$why" ]; then
			echo "SKIP $name: $why"
			continue
		fi
		t=$(timeout_for "$tier" 600)
		emu_cmd "$tier" "$arch" -m 512 -cdrom "$CDROM" -boot d
		media_run "$t" "TRIVISOR-BOOT-OK"
		media_verdict "$name" "$t" 0 "TRIVISOR-BOOT-OK cpus=1" \
			'ISOLINUX [0-9]' "no isolinux banner: the BIOS did not boot the CD"
		# two CPUs on amd64: SeaBIOS wakes and counts the AP first
		# (INIT/SIPI, a spin lock both sides take), then Linux does
		[ "$arch" = amd64 ] || continue
		emu_cmd "$tier" "$arch" -m 512 -smp 2 -cdrom "$CDROM" -boot d
		media_run "$t" "TRIVISOR-BOOT-OK"
		media_verdict "boot/cd-$arch-smp2 [$tier]" "$t" 0 "TRIVISOR-BOOT-OK cpus=2" \
			'ISOLINUX [0-9]' "no isolinux banner: the BIOS did not boot the CD"
	done
done
exit 0
