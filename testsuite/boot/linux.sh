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

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash
fetch_linux amd64 all || exit 0

for n in "${VARIANTS[@]}"; do
	boot_linux "$(name_of "$n")" "$n" "$BOOT_TIMEOUT" "$ACCEL" "$INITRD"
done
exit 0
