#!/bin/bash
# Boot test: Debian's amd64 kernel and the busybox initramfs from fetch-images, on 1 and 2 CPUs.
# SPDX-License-Identifier: MIT
#
# Prints one PASS/FAIL/SKIP line per variant. Environment: O, TRIVISOR,
# BOOT_ACCEL (default kvm; the hardware check below applies to kvm only),
# BOOT_TIMEOUT (seconds per boot).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${BOOT_ACCEL:-kvm}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
VARIANTS=(1 2)		# CPU counts

name_of() { [ "$1" = 1 ] && echo "boot/linux-amd64" || echo "boot/linux-amd64-smp$1"; }
all() { local n; for n in "${VARIANTS[@]}"; do echo "$1 $(name_of "$n"): $2"; done; }

# The kvm tier boots Linux only on a host whose /dev/kvm is backed by real
# VMX or SVM; kvm_pvm (a software hypervisor) cannot run a real-mode start.
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
why_not=""
[ "$ACCEL" = kvm ] && why_not=$(host_lacks kvm-hw)
if [ -n "$why_not" ]; then
	all SKIP "$why_not"
	exit 0
fi

if [ ! -x "$TRIVISOR" ]; then
	all FAIL "$TRIVISOR not built"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-linux.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

testsuite/fetch-images amd64 > "$tmp/paths" 2> "$tmp/fetch.err"
rc=$?
if [ "$rc" -eq 2 ]; then
	all SKIP "$(tail -n1 "$tmp/fetch.err")"
	exit 0
elif [ "$rc" -ne 0 ]; then
	cat "$tmp/fetch.err"
	all FAIL "testsuite/fetch-images failed (exit status $rc)"
	exit 0
fi
KERNEL=$(sed -n 1p "$tmp/paths")
INITRD=$(sed -n 2p "$tmp/paths")

for n in "${VARIANTS[@]}"; do
	name=$(name_of "$n")
	cmd=("$TRIVISOR" -accel "$ACCEL" -m 512 -smp "$n" -kernel "$KERNEL" -initrd "$INITRD"
	     -append "console=ttyS0 panic=-1 trivisor.test=1" -serial stdio -display none -no-reboot)
	{ timeout -k 5 "$BOOT_TIMEOUT" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	marker=$(tr -d '\r' < "$tmp/out" | grep -m1 -o 'TRIVISOR-BOOT-OK cpus=[0-9]*')
	if [ "$rc" -eq 0 ] && [ "$marker" = "TRIVISOR-BOOT-OK cpus=$n" ]; then
		echo "PASS $name"
		continue
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
done
exit 0
