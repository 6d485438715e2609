#!/bin/bash
# Boot test: the benchmark (testsuite/bench/bench.sh) once at its tiny size, so it cannot rot.
# SPDX-License-Identifier: MIT
#
# BENCH_SIZE=tiny BENCH_ROUNDS=1 on the host itself, trivisor -accel
# interp and, where the host probe finds qemu-system-x86_64, QEMU's TCG.
# PASS when every workload of every system gave a number (and the same
# checksums as the host), and the table and the CSV were written. Asserts
# nothing about time. One line for trivisor, one for QEMU (SKIP without it).
# Environment: O, TRIVISOR.

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
. testsuite/hostcaps/lib.sh

NAME="boot/bench-tiny [interp]"
QNAME="boot/bench-tiny [qemu-tcg]"
systems="native trivisor-interp"
qemu_why=$(host_lacks qemu64)
[ -z "$qemu_why" ] && systems="$systems qemu-tcg"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-tiny.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# the cached images, or SKIP when the package registry cannot be reached
testsuite/fetch-images amd64 > /dev/null 2> "$tmp/fetch.err"
rc=$?
if [ "$rc" -eq 2 ]; then
	echo "SKIP $NAME: $(tail -n1 "$tmp/fetch.err")"
	echo "SKIP $QNAME: $(tail -n1 "$tmp/fetch.err")"
	exit 0
fi

O=$O BENCH_SIZE=tiny BENCH_ROUNDS=1 BENCH_SYSTEMS="$systems" BENCH_OUT="$tmp/out" \
	bash testsuite/bench/bench.sh > "$tmp/log" 2>&1
rc=$?
cat "$tmp/log"

# check_system NAME SYSTEM: every workload has a number in results.csv
missing() {
	local sys=$1 w n
	for w in boot cpu x87 sse md5sum gzip fork syscall fault; do
		n=$(awk -F, -v w="$w" -v s="$sys" '$1 == w && $2 == s && $3 > 0 && $4 != "" {print "y"}' "$tmp/out/results.csv")
		[ "$n" = y ] || printf ' %s' "$w"
	done
}

verdict() {	# TESTNAME SYSTEM
	local m
	if [ ! -s "$tmp/out/table.txt" ] || [ ! -s "$tmp/out/results.csv" ]; then
		echo "FAIL $1: the benchmark wrote no table or no CSV (exit status $rc)"
		return
	fi
	m=$(missing "$2")
	if [ -n "$m" ]; then
		echo "FAIL $1: no number for$m"
	elif [ "$rc" -ne 0 ]; then
		echo "FAIL $1: bench.sh exit status $rc (a checksum differs from the host's, or a system failed)"
	else
		echo "PASS $1"
	fi
}

verdict "$NAME" trivisor-interp
if [ -n "$qemu_why" ]; then
	echo "SKIP $QNAME: $qemu_why"
else
	verdict "$QNAME" qemu-x86_64-tcg
fi
exit 0
