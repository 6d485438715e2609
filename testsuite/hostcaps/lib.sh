# Sourced by test scripts: what the host offers, from the one probe (testsuite/hostcaps).
# SPDX-License-Identifier: MIT
#
#   why=$(host_lacks kvm)    empty when the host has it, else the reason,
#                            for a SKIP line; needs: kvm kvm-hw 32bit qemu qemu64
# The probe honours TRIVISOR_HOST_KVM=none|pvm, TRIVISOR_HOST_32BIT=no and
# TRIVISOR_HOST_QEMU=no (see hostcaps.h). A script that sources this file
# before the probe is built prints a FAIL line and stops.
HOSTCAPS=${HOSTCAPS:-${O:-build}/hostcaps/hostcaps}
if [ ! -x "$HOSTCAPS" ]; then
	echo "FAIL ${0##*/}: $HOSTCAPS not built (make check builds it)"
	exit 0
fi
host_lacks() {
	local out
	out=$("$HOSTCAPS" why "$@" 2>&1) || out="the host probe failed: $out"
	[ -n "$out" ] && echo "$out"
	return 0
}
