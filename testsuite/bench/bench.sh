#!/bin/bash
# Benchmark: boot Debian's i386 kernel to the /init marker under trivisor -accel interp and under QEMU's TCG.
# SPDX-License-Identifier: MIT
#
# Prints both wall times of each round, the best and median of each side
# with their ratios, and trivisor's MIPS (from -d stats).
# Measures; asserts nothing about time. Exit status 1 only if a side did
# not reach the marker. Environment: O, TRIVISOR, QEMU, BENCH_ACCEL
# (default interp), BENCH_TIMEOUT (seconds per boot, default 1800),
# BENCH_ROUNDS (default 3).

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
ROUNDS=${BENCH_ROUNDS:-3}
echo "bench: Debian i386 $(sed -n 's/^kernel=//p' "$(dirname "$KERNEL")/stamp" 2>/dev/null) to \"$MARKER\", $ROUNDS rounds"
have_qemu=1
command -v "$QEMU" > /dev/null || { echo "$QEMU -accel tcg: not installed"; have_qemu=0; status=1; }
# rounds alternate the two sides, so a machine that speeds up or slows
# down over the run (shared hosts do, by 10-15%) weighs on both alike
ours=() theirs=() insns=0 mips=""
for r in $(seq 1 "$ROUNDS"); do
	boot "trivisor -accel $ACCEL  #$r" "$tmp/trivisor.out" "$TRIVISOR" -accel "$ACCEL" "${GUEST[@]}" -d stats
	if [ "$ok" = 1 ]; then
		ours+=("$secs")
		# -d stats: "cpuN interp: I instructions in S s of run(): M MIPS"
		insns=$(sed -n 's/.*interp: \([0-9]*\) instructions in .*/\1/p' "$tmp/trivisor.out" |
			awk '{s += $1} END {printf "%.0f", s}')
		mips="$mips $(sed -n 's/.* s of run(): \([0-9.]*\) MIPS.*/\1/p' "$tmp/trivisor.out" | head -n1)"
	else
		status=1
	fi
	if [ "$have_qemu" = 1 ]; then
		boot "$QEMU -accel tcg  #$r" "$tmp/qemu.out" "$QEMU" -accel tcg -cpu qemu32,+nx "${GUEST[@]}"
		if [ "$ok" = 1 ]; then theirs+=("$secs"); else status=1; fi
	fi
done

best() { printf '%s\n' "$@" | sort -g | head -n1; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
if [ "${#ours[@]}" -gt 0 ] && [ "${#theirs[@]}" -gt 0 ]; then
	bo=$(best "${ours[@]}") bt=$(best "${theirs[@]}")
	mo=$(median "${ours[@]}") mt=$(median "${theirs[@]}")
	printf 'best    trivisor %8.2f s  qemu-tcg %8.2f s  ratio %6.2f\n' "$bo" "$bt" "$(echo "$bo / $bt" | bc -l)"
	printf 'median  trivisor %8.2f s  qemu-tcg %8.2f s  ratio %6.2f\n' "$mo" "$mt" "$(echo "$mo / $mt" | bc -l)"
fi
if [ "$insns" -gt 0 ] && [ "${#ours[@]}" -gt 0 ]; then
	printf 'trivisor instructions:        %d (last round); MIPS in run() by round:%s\n' "$insns" "$mips"
else
	echo "trivisor instructions:        (no -d stats line)"
fi
exit $status
