#!/bin/bash
# Boot test: Debian's kernel from a GRUB hard disk (MBR, ext2, PIIX IDE primary master), i386 and amd64.
# SPDX-License-Identifier: MIT
#
# The disk is $CACHE/ARCH/hd.img from testsuite/fetch-bootmedia: SeaBIOS
# boots GRUB's boot.img from the MBR, which loads core.img from the sectors
# after it; GRUB reads grub.cfg from the ext2 partition, reads, writes
# (save_env, an int 13h write) and reads back its environment block, then
# loads the kernel and the busybox initramfs, whose /init prints
# "TRIVISOR-BOOT-OK cpus=1" and reboots, which ends the emulator with
# -no-reboot. The write must land in a temporary overlay, never in the
# cached image: its SHA-256 is checked after every boot, and GRUB must see
# the environment block empty before it writes. One PASS/FAIL/SKIP line
# per architecture and tier:
#   boot/hd-amd64 [TIER]  -drive file=hd.img,format=raw,if=ide,snapshot=on -boot c
#   boot/hd-i386 [TIER]   -hda hd.img -snapshot -boot c
# (the two ways of asking for an overlay, one per architecture), -m 512,
# exit status 0. SKIP where the package registry cannot be reached or the
# tier cannot run here. Runs against QEMU with --qemu (see
# testsuite/boot/lib/mediaboot.bash for that and the environment: O,
# TRIVISOR, MEDIA_TIERS, MEDIA_TIMEOUT).

cd "$(dirname "$0")/../.." || exit 1
ARCHES=(i386 amd64)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hdboot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/mediaboot.bash
. testsuite/boot/lib/mediaboot.bash
media_init "$@"

for arch in "${ARCHES[@]}"; do
	report() { local t; for t in "${TIERS[@]}"; do echo "$1 boot/hd-$arch [$t]: $2"; done; }
	if [ "$MEDIA_MODE" = trivisor ] && [ ! -x "$TRIVISOR" ]; then
		report FAIL "$TRIVISOR not built"
		continue
	fi
	fetch_media "$arch" report || continue
	case $arch in
	i386) disk=(-hda "$HDIMG" -snapshot) ;;
	*) disk=(-drive "file=$HDIMG,format=raw,if=ide,snapshot=on") ;;
	esac
	for tier in "${TIERS[@]}"; do
		name="boot/hd-$arch [$tier]"
		why=$(tier_why "$tier" "$arch")
		if [ -n "$why" ]; then
			echo "SKIP $name: $why"
			continue
		fi
		t=$(timeout_for "$tier" 600)
		before=$(sha256sum < "$HDIMG")
		emu_cmd "$tier" "$arch" -m 512 "${disk[@]}" -boot c
		media_run "$t" "TRIVISOR-BOOT-OK"
		if [ "$(sha256sum < "$HDIMG")" != "$before" ]; then
			echo "command: ${CMD[*]}"
			echo "FAIL $name: the boot changed the cached $HDIMG (the overlay did not take the writes; fetch-bootmedia rebuilds it next time)"
			continue
		fi
		media_verdict "$name" "$t" 0 "TRIVISOR-BOOT-OK cpus=1" \
			'GRUB-ENV before: trivisor_written=$' \
			"GRUB did not print its environment block empty: grub.cfg did not run, or the disk it read had been written" \
			'GRUB-ENV after: trivisor_written=yes' \
			"GRUB's save_env did not reach the disk (int 13h write) or load_env did not read it back"
	done
done
exit 0
