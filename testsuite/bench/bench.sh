#!/bin/bash
# Benchmark: boot Debian's i386 kernel to the /init marker under trivisor -accel interp and under QEMU's TCG.
# SPDX-License-Identifier: MIT
#
# Prints both wall times, their ratio, and trivisor's MIPS (from -d stats).
# Measures; asserts nothing about time. Exit status 1 only if a side did
# not reach the marker. Environment: O, TRIVISOR, QEMU, BENCH_ACCEL
# (default interp), BENCH_TIMEOUT (seconds per boot, default 1800).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
QEMU=${QEMU:-qemu-system-i386}
ACCEL=${BENCH_ACCEL:-interp}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
MARKER='TRIVISOR-BOOT-OK cpus=1'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

testsuite/fetch-images i386 > "$tmp/paths" 2> "$tmp/fetch.err" || {
	cat "$tmp/fetch.err"
	echo "bench: no i386 images (testsuite/fetch-images i386 failed)"
	exit 1
}
KERNEL=$(sed -n 1p "$tmp/paths")
INITRD=$(sed -n 2p "$tmp/paths")
GUEST=(-m 512 -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 panic=-1 trivisor.test=1"
       -serial stdio -display none -no-reboot)

now() { date +%s.%N; }

# boot NAME OUTFILE CMD...: sets secs, ok
boot() {
	local name=$1 out=$2 t0 rc
	shift 2
	t0=$(now)
	{ timeout -k 5 "$BENCH_TIMEOUT" "$@" > "$out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	secs=$(echo "$(now) - $t0" | bc)
	if [ "$rc" -eq 0 ] && tr -d '\r' < "$out" | grep -qF "$MARKER"; then
		ok=1
		printf '%-28s %8.2f s\n' "$name" "$secs"
	else
		ok=0
		printf '%-28s did not reach the marker (exit status %s after %.1f s); last lines:\n' \
			"$name" "$rc" "$secs"
		tail -n 5 "$out" | sed 's/^/    /'
	fi
}

status=0
echo "bench: Debian i386 $(sed -n 's/^kernel=//p' "$(dirname "$KERNEL")/stamp" 2>/dev/null) to \"$MARKER\""
boot "trivisor -accel $ACCEL" "$tmp/trivisor.out" "$TRIVISOR" -accel "$ACCEL" "${GUEST[@]}" -d stats
t_ours=$secs ok_ours=$ok
if command -v "$QEMU" > /dev/null; then
	boot "$QEMU -accel tcg" "$tmp/qemu.out" "$QEMU" -accel tcg -cpu qemu32,+nx "${GUEST[@]}"
	t_qemu=$secs ok_qemu=$ok
else
	echo "$QEMU -accel tcg: not installed"
	ok_qemu=0
fi
[ "$ok_ours" = 1 ] && [ "$ok_qemu" = 1 ] &&
	printf 'ratio trivisor/qemu-tcg:      %8.2f\n' "$(echo "$t_ours / $t_qemu" | bc -l)"
[ "$ok_ours" = 1 ] || status=1
[ "$ok_qemu" = 1 ] || status=1

# -d stats: "cpuN interp: I instructions in S s of run(): M MIPS"
insns=$(sed -n 's/.*interp: \([0-9]*\) instructions in .*/\1/p' "$tmp/trivisor.out" | awk '{s += $1} END {printf "%.0f", s}')
mips=$(sed -n 's/.* s of run(): \([0-9.]*\) MIPS.*/\1/p' "$tmp/trivisor.out" | head -n1)
if [ "$insns" -gt 0 ]; then
	printf 'trivisor instructions:        %d (%.1f MIPS in run(), %.1f MIPS over the wall time)\n' \
		"$insns" "${mips:-0}" "$(echo "$insns / $t_ours / 1000000" | bc -l)"
else
	echo "trivisor instructions:        (no -d stats line)"
fi
exit $status
