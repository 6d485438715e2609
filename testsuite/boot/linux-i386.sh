#!/bin/bash
# Boot test: Debian's i386 (686) kernel and the busybox initramfs from fetch-images, on the interpreter.
# SPDX-License-Identifier: MIT
#
# Prints one PASS/FAIL/SKIP line. PASS when the initramfs /init prints
# "TRIVISOR-BOOT-OK cpus=1" and trivisor exits with status 0 (reboot -f with
# -no-reboot). SKIP when the interp tier is not built or the images cannot
# be fetched. Environment: O, TRIVISOR, BOOT_ACCEL (default interp),
# BOOT_TIMEOUT (seconds, default 600: an interpreter boots slowly).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${BOOT_ACCEL:-interp}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
NAME="boot/linux-i386 [$ACCEL]"

if [ ! -x "$TRIVISOR" ]; then
	echo "FAIL $NAME: $TRIVISOR not built"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-i386.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# is the tier there at all? A 64 KiB ROM whose reset vector writes 0 to
# port 0xf4 (mov al,0; out 0xf4,al; hlt) exits at once where it is.
{ head -c 65520 /dev/zero; printf '\xb0\x00\xe6\xf4\xf4'; head -c 11 /dev/zero; } > "$tmp/probe.rom"
timeout 60 "$TRIVISOR" -accel "$ACCEL" -bios "$tmp/probe.rom" -display none -no-reboot > "$tmp/probe" 2>&1 < /dev/null
if grep -q "not built yet" "$tmp/probe"; then
	echo "SKIP $NAME: tier $ACCEL not built yet"
	exit 0
fi

testsuite/fetch-images i386 > "$tmp/paths" 2> "$tmp/fetch.err"
rc=$?
if [ "$rc" -eq 2 ]; then
	echo "SKIP $NAME: $(tail -n1 "$tmp/fetch.err")"
	exit 0
elif [ "$rc" -ne 0 ]; then
	cat "$tmp/fetch.err"
	echo "FAIL $NAME: testsuite/fetch-images i386 failed (exit status $rc)"
	exit 0
fi
KERNEL=$(sed -n 1p "$tmp/paths")
INITRD=$(sed -n 2p "$tmp/paths")

# one CPU, then two: the MP table, the IOAPIC, INIT/SIPI and IPIs under a
# real SMP kernel
boot() {
	local n=$1 name=$NAME
	[ "$n" -gt 1 ] && name="boot/linux-i386-smp$n [$ACCEL]"
	local cmd=("$TRIVISOR" -accel "$ACCEL" -m 512 -smp "$n" -kernel "$KERNEL" -initrd "$INITRD"
		   -append "console=ttyS0 panic=-1 trivisor.test=1" -serial stdio -display none -no-reboot)
	local rc marker why
	{ timeout -k 5 "$BOOT_TIMEOUT" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	marker=$(tr -d '\r' < "$tmp/out" | grep -m1 -o 'TRIVISOR-BOOT-OK cpus=[0-9]*')
	if [ "$rc" -eq 0 ] && [ "$marker" = "TRIVISOR-BOOT-OK cpus=$n" ]; then
		echo "PASS $name"
		return
	fi
	case $rc in
	0) why="exit status 0 but ${marker:-no TRIVISOR-BOOT-OK marker} (want cpus=$n)" ;;
	124|137) why="timed out after $BOOT_TIMEOUT s${marker:+ (after printing $marker)}" ;;
	*) why="exit status $rc${marker:+ (after printing $marker)}, want 0" ;;
	esac
	echo "command: ${cmd[*]}"
	echo "last 80 lines of output:"
	tail -n 80 "$tmp/out"
	echo "FAIL $name: $why"
}
boot 1
boot 2
exit 0
