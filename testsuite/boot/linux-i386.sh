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

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash
report() { echo "$1 $NAME: $2"; }
fetch_linux i386 report || exit 0

# one CPU, then two: the MP table, the IOAPIC, INIT/SIPI and IPIs under a
# real SMP kernel
boot_linux "$NAME" 1 "$BOOT_TIMEOUT" "$ACCEL" "$INITRD"
boot_linux "boot/linux-i386-smp2 [$ACCEL]" 2 "$BOOT_TIMEOUT" "$ACCEL" "$INITRD"
exit 0
