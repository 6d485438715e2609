#!/bin/bash
# A few tests again as if the host were poorer: no /dev/kvm, only kvm_pvm, no 32-bit programs.
# SPDX-License-Identifier: MIT
#
# Each shape is made by a switch the host probe reads (testsuite/hostcaps:
# TRIVISOR_HOST_KVM=none|pvm, TRIVISOR_HOST_32BIT=no); trivisor's own KVM
# probe reads TRIVISOR_HOST_KVM too. A case passes when the tests it runs
# print no FAIL, and the ones that need what the shape takes away print
# SKIP naming the switch (or, where this host lacks that thing anyway,
# SKIP at all). One PASS/FAIL line per case. The whole suite runs in a
# shape with, e.g., `TRIVISOR_HOST_KVM=none make check`.
# Environment: O, TRIVISOR.

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
export O TRIVISOR
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
unset TRIVISOR_HOST_KVM TRIVISOR_HOST_32BIT TRIVISOR_HOST_QEMU

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shapes.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

switch_of() {
	case $1 in
	no-kvm) echo TRIVISOR_HOST_KVM=none ;;
	pvm) echo TRIVISOR_HOST_KVM=pvm ;;
	no-32bit) echo TRIVISOR_HOST_32BIT=no ;;
	esac
}

# case_run SHAPE NAME NEED NSKIP -- CMD...: run CMD in SHAPE. NEED (kvm,
# kvm-hw, 32bit) is what the tests that may skip need. Where this host has
# it, NSKIP is how many SKIP lines must name the shape's switch (0: no SKIP
# at all); where it lacks it anyway, at least NSKIP SKIP lines of any reason.
case_run() {
	local shape=$1 need=$3 nskip=$4 test="shape/$1/$2"
	shift 5
	local sw
	sw=$(switch_of "$shape")
	{ env "$sw" timeout -k 5 600 "$@" > "$tmp/out" 2>&1 < /dev/null; local rc=$?; } 2>/dev/null
	local fails passes skips named why=""
	fails=$(grep -c '^FAIL ' "$tmp/out")
	passes=$(grep -c '^PASS ' "$tmp/out")
	skips=$(grep -c '^SKIP ' "$tmp/out")
	named=$(grep '^SKIP ' "$tmp/out" | grep -cF "${sw}")
	# where this host lacks the thing already, the skips give its own reason
	local native
	native=$(host_lacks "$need")
	if [ "$fails" -gt 0 ]; then
		why="$fails FAIL lines"
	elif [ "$rc" -ge 124 ]; then
		why="exit status $rc (timed out or killed)"
	elif [ $((passes + skips)) -eq 0 ]; then
		why="no result lines"
	elif [ -n "$native" ]; then
		[ "$skips" -lt "$nskip" ] && why="$skips SKIP lines, want at least $nskip"
	elif [ "$nskip" -eq 0 ] && [ "$skips" -gt 0 ]; then
		why="$skips SKIP lines, want none"
	elif [ "$named" -lt "$nskip" ]; then
		why="$named SKIP lines name $sw, want at least $nskip"
	fi
	if [ -z "$why" ]; then
		echo "PASS $test ($passes passed, $skips skipped)"
	else
		echo "  command: $sw ${*}"
		sed 's/^/  | /' "$tmp/out" | tail -n 40
		echo "FAIL $test: $why"
	fi
}

# trivisor itself in SHAPE: -accel kvm refused naming the switch (no-kvm),
# -accel auto runs the guest in the translator, the faster software tier
# (no-kvm, pvm)
trivisor_case() {
	local shape=$1 sw test="shape/$1/trivisor-accel"
	sw=$(switch_of "$shape")
	local hello=(-m 64 -kernel "$O/guests/hello.elf" -serial stdio -display none -no-reboot)
	local why=""
	if [ "$shape" = no-kvm ]; then
		{ env "$sw" timeout -k 5 60 "$TRIVISOR" -accel kvm "${hello[@]}" > "$tmp/out" 2> "$tmp/err" < /dev/null; rc=$?; } 2>/dev/null
		if [ "$rc" -eq 0 ] || grep -q "hello from guest" "$tmp/out"; then
			why="-accel kvm ran the guest (status $rc)"
		elif ! grep -qF "$sw" "$tmp/err"; then
			why="-accel kvm's error does not name $sw: $(head -c 200 "$tmp/err")"
		fi
	fi
	if [ -z "$why" ]; then
		{ env "$sw" timeout -k 5 60 "$TRIVISOR" -accel auto -d stats "${hello[@]}" > "$tmp/out" 2> "$tmp/err" < /dev/null; rc=$?; } 2>/dev/null
		if [ "$rc" -ne 1 ] || ! grep -q "hello from guest" "$tmp/out"; then
			why="-accel auto: exit status $rc, want 1 with the greeting: $(head -c 200 "$tmp/err")"
		elif ! grep -q "cpu0 bt:" "$tmp/err"; then
			why="-accel auto did not run the translator: $(grep -m1 cpu0 "$tmp/err")"
		fi
	fi
	if [ -z "$why" ]; then
		echo "PASS $test"
	else
		echo "FAIL $test: $why"
	fi
}

if ! [ -x "$TRIVISOR" ] || ! [ -x "$O/unit/test_kvm" ] || ! [ -x "$O/unit/test_alu_bcd" ]; then
	echo "FAIL shapes/setup: $TRIVISOR or the unit tests not built"
	exit 0
fi

case_run no-kvm unit-kvm kvm 11 -- "$O/unit/test_kvm"
case_run no-kvm console kvm 2 -- bash testsuite/boot/console.sh
case_run no-kvm cli kvm 0 -- bash testsuite/boot/cli.sh
case_run no-kvm guests3-kvm kvm 1 -- bash testsuite/guests3/run.sh kvm
trivisor_case no-kvm

case_run pvm unit-kvm kvm 0 -- "$O/unit/test_kvm"
case_run pvm linux-amd64 kvm-hw 2 -- bash testsuite/boot/linux.sh
trivisor_case pvm

case_run no-32bit unit-alu-bcd 32bit 2 -- "$O/unit/test_alu_bcd"
exit 0
