#!/bin/bash
# Boot test: Debian's amd64 kernel under the interpreter, 1 and 2 CPUs, and
# an in-tree program (testsuite/guestprog/cpucheck.c) whose checksums must
# equal those of the same binary run natively on this host.
# SPDX-License-Identifier: MIT
#
# The initrd is the cached busybox initramfs from fetch-images with a
# second archive appended (the kernel unpacks both): /test/run and
# /test/cpucheck, which /init runs before printing its marker. Prints one
# PASS/FAIL/SKIP line per CPU count for the boot and one for the program.
# Environment: O, TRIVISOR, BOOT_ACCEL (default interp; any -accel
# argument), BOOT_CPUS (the CPU counts, default "1 2"), BOOT_EXPECT (an
# extended regex the output must match too), BOOT_TIMEOUT (seconds per
# boot, default 900).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${BOOT_ACCEL:-interp}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
CPUCHECK=$O/guestprog/cpucheck
read -r -a VARIANTS <<< "${BOOT_CPUS:-1 2}"

boot_name() { [ "$1" = 1 ] && echo "boot/linux-amd64 [$ACCEL]" || echo "boot/linux-amd64-smp$1 [$ACCEL]"; }
prog_name() { echo "boot/cpucheck-amd64-smp$1 [$ACCEL]"; }
all() {
	local n
	for n in "${VARIANTS[@]}"; do
		echo "$1 $(boot_name "$n"): $2"
		echo "$1 $(prog_name "$n"): $2"
	done
}

for f in "$TRIVISOR" "$CPUCHECK"; do
	if [ ! -x "$f" ]; then
		all FAIL "$f not built"
		exit 0
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-interp.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash
fetch_linux amd64 all || exit 0

# the reference: the same static binary on this host (x86-64-v2 at least,
# as every host this project runs on)
cpucheck_abs=$(realpath "$CPUCHECK")
if ! (cd "$tmp" && "$cpucheck_abs") > "$tmp/native" 2> "$tmp/native.err" ||
   ! grep -qx 'CPUCHECK done' "$tmp/native"; then
	cat "$tmp/native.err"
	all FAIL "$CPUCHECK does not run natively"
	exit 0
fi

mkdir -p "$tmp/extra/test"
cp "$CPUCHECK" "$tmp/extra/test/cpucheck"
printf '#!/bin/sh\n/test/cpucheck\n' > "$tmp/extra/test/run"
chmod 0755 "$tmp/extra/test/run" "$tmp/extra/test/cpucheck"
(cd "$tmp/extra" && find test | cpio -o -H newc --quiet -R 0:0) | gzip -1n > "$tmp/extra.cpio.gz" ||
	{ all FAIL "cannot build the test archive (cpio)"; exit 0; }
cat "$INITRD" "$tmp/extra.cpio.gz" > "$tmp/initrd"

for n in "${VARIANTS[@]}"; do
	name=$(boot_name "$n")
	pname=$(prog_name "$n")
	if boot_linux "$name" "$n" "$BOOT_TIMEOUT" "$ACCEL" "$tmp/initrd" &&
	   [ -n "$BOOT_EXPECT" ] && ! grep -qE "$BOOT_EXPECT" "$tmp/out.txt"; then
		echo "FAIL $name: the output lacks /$BOOT_EXPECT/"
	fi
	grep -o 'CPUCHECK .*' "$tmp/out.txt" > "$tmp/guest"
	if cmp -s "$tmp/native" "$tmp/guest"; then
		echo "PASS $pname"
	else
		echo "native vs guest:"
		diff "$tmp/native" "$tmp/guest" | sed 's/^/  /'
		echo "FAIL $pname: checksums differ from the native run"
	fi
done
exit 0
