#!/bin/bash
# The nanobenchmarks of Adams and Agesen (ASPLOS 2006): ns per privileged operation, on every system the host offers.
# SPDX-License-Identifier: MIT
#
# Runs the guest testsuite/guests3/nanobench.asm ($O/guests3/nanobench.bin,
# a multiboot kernel: -kernel) on each system, BENCH_ROUNDS alternating
# rounds, and prints a table: one row per operation (syscall, in, cr8wr,
# call/ret, pgfault, divzero, ptemod, cpuid), one column per system, the
# median over the rounds of the ns per operation the guest measured with
# RDTSC (calibrated against the PIT, the empty loop's cost taken off).
# Systems (each skipped with its reason where the host lacks it; the names
# are bench.sh's):
#   trivisor-interp   trivisor -accel interp (always)
#   trivisor-bt       trivisor -accel bt (where trivisor accepts it)
#   trivisor-kvm      trivisor -accel kvm (where /dev/kvm has VMX/SVM beneath)
#   qemu-x86_64-tcg   Debian's qemu-system-x86_64 -accel tcg
#   qemu-x86_64-kvm   ... -accel kvm -cpu host
# A benchmark, not a test: make bench runs it (make bench-nano alone), make
# check does not (it runs the guest once as the test guest3/nanobench).
# Measures; asserts nothing about time.
#
# Environment:
#   O, TRIVISOR        the build (default build, $O/trivisor)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_SYSTEMS      as bench.sh's: the systems above among them run
#                      ("qemu-tcg" names qemu-x86_64-tcg; bench.sh's others,
#                      such as native or bochs, are not systems here)
#   BENCH_OUT          output directory (default $O/bench): nano-table.txt,
#                      nano-rounds.csv, nano-SYSTEM.log (the last round's COM1)
#   NANO_TIMEOUT       seconds per run (default 300)
# Exit status: 0 when every system that ran passed the guest's checks and
# gave every operation a number in every round, 1 otherwise.

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=${BENCH_OUT:-$O/bench}
NANO_TIMEOUT=${NANO_TIMEOUT:-300}
HOSTCAPS=${HOSTCAPS:-$O/hostcaps/hostcaps}
GUEST=$O/guests3/nanobench.bin
OPS="syscall in cr8wr call/ret pgfault divzero ptemod cpuid"
NOPS=8
ALL_SYSTEMS="trivisor-interp trivisor-bt trivisor-kvm qemu-x86_64-tcg qemu-x86_64-kvm"
# bench.sh's systems that have no place here (ignored in BENCH_SYSTEMS)
OTHER_SYSTEMS="native qemu-i386-tcg qemu-i386-kvm bochs"

die() { echo "nano: $*"; exit 1; }

case $ROUNDS in ''|*[!0-9]*|0) die "BENCH_ROUNDS=$ROUNDS: a number of rounds, 1 or more" ;; esac
WANT=${BENCH_SYSTEMS:-$ALL_SYSTEMS}
WANT=" ${WANT//qemu-tcg/qemu-x86_64-tcg} "
for s in $WANT; do
	case " $ALL_SYSTEMS $OTHER_SYSTEMS " in *" $s "*) ;; *) die "BENCH_SYSTEMS: unknown system '$s' ($ALL_SYSTEMS)" ;; esac
done
[ -x "$TRIVISOR" ] || die "$TRIVISOR not built (make bench builds it)"
[ -f "$GUEST" ] || die "$GUEST not built (make bench builds it)"
[ -x "$HOSTCAPS" ] || die "$HOSTCAPS not built (make bench builds it)"
mkdir -p "$OUT" || die "cannot create $OUT"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nano.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# ---- which systems run, and how ----
why_not() { "$HOSTCAPS" why "$@" 2>&1; }
QEMU64_CPU=qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16	# x86-64-v2, as bench.sh's
RUN=(-m 64 -kernel "$GUEST" -serial stdio -display none -no-reboot)
declare -A CMD SKIP VERSION
SYSTEMS=()
consider() {	# NAME WHY-NOT VERSION CMD...
	local name=$1 why=$2 ver=$3
	shift 3
	case $WANT in *" $name "*) ;; *) return ;; esac
	if [ -n "$why" ]; then
		SKIP[$name]=$why
		return
	fi
	SYSTEMS+=("$name")
	VERSION[$name]=$ver
	CMD[$name]="$(printf '%q ' "$@")"
}
TRIVISOR_VERSION="$("$TRIVISOR" --version 2>/dev/null | head -n1) ($TRIVISOR)"
QEMU64_VERSION=$(command -v qemu-system-x86_64 > /dev/null && qemu-system-x86_64 --version | head -n1)
kvm_why=$(why_not kvm-hw)
q64_why=$(why_not qemu64)
consider trivisor-interp "" "$TRIVISOR_VERSION" "$TRIVISOR" -accel interp "${RUN[@]}"
# bt: tried, as bench.sh does; a trivisor without it says "not built"
bt_why=""
case $WANT in *" trivisor-bt "*)
	bt_why=$(timeout -k 2 10 "$TRIVISOR" -accel bt -kernel "$GUEST" -display none -serial null -no-reboot 2>&1 < /dev/null | head -n1)
	case $bt_why in
	*"not built"*) bt_why="not built (${bt_why#trivisor: })" ;;
	*"-accel bt"*) bt_why="not accepted (${bt_why#trivisor: })" ;;
	*) bt_why="" ;;
	esac ;;
esac
consider trivisor-bt "$bt_why" "$TRIVISOR_VERSION" "$TRIVISOR" -accel bt "${RUN[@]}"
consider trivisor-kvm "$kvm_why" "$TRIVISOR_VERSION" "$TRIVISOR" -accel kvm "${RUN[@]}"
QEXIT=(-device "isa-debug-exit,iobase=0xf4,iosize=4")
consider qemu-x86_64-tcg "$q64_why" "$QEMU64_VERSION" qemu-system-x86_64 -accel tcg -cpu "$QEMU64_CPU" "${RUN[@]}" "${QEXIT[@]}"
consider qemu-x86_64-kvm "${q64_why:-$kvm_why}" "$QEMU64_VERSION" qemu-system-x86_64 -accel kvm -cpu host "${RUN[@]}" "${QEXIT[@]}"

HOST_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "nano: the nanobenchmarks ($GUEST), $ROUNDS round(s)"
echo "nano: host $HOST_CPU, $(nproc) CPUs, $(uname -sr)"
for s in $ALL_SYSTEMS; do
	[ -n "${SKIP[$s]}" ] && echo "nano: $s skipped: ${SKIP[$s]}"
done
if [ "${#SYSTEMS[@]}" -eq 0 ]; then
	echo "nano: no system to run (BENCH_SYSTEMS=${BENCH_SYSTEMS:-})"
	exit 0
fi
echo "nano: running ${SYSTEMS[*]}"

# ---- running ----
# the rounds: "round,system,op,ns,iterations" (op "empty": the bare loop,
# "tsc_mhz": the TSC's calibrated frequency)
: > "$tmp/rounds"
status=0
fail() { echo "nano: $*"; status=1; }

run() {
	local name=$1 r=$2 out=$tmp/$1.out rc t0 n=0 op ns
	t0=$EPOCHREALTIME
	eval "timeout -k 5 $NANO_TIMEOUT ${CMD[$name]}" < /dev/null > "$out" 2>&1
	rc=$?
	tr -d '\r' < "$out" > "$OUT/nano-$name.log"
	# NANO <op> <ns> ns (N <iterations>)
	while read -r op ns it; do
		echo "$r,$name,$op,$ns,$it" >> "$tmp/rounds"
		n=$((n + 1))
	done < <(sed -n 's/^NANO \([a-z0-9/]*\) \(-\{0,1\}[0-9][0-9.]*\) ns (N \([0-9]*\)).*$/\1 \2 \3/p' "$OUT/nano-$name.log")
	sed -n 's/^NANO-EMPTY \([0-9][0-9.]*\) ns (N \([0-9]*\)).*$/\1 \2/p' "$OUT/nano-$name.log" | while read -r ns it; do
		echo "$r,$name,empty,$ns,$it" >> "$tmp/rounds"
	done
	sed -n 's/^NANO-TSC \([0-9]*\) kHz.*$/\1/p' "$OUT/nano-$name.log" | while read -r khz; do
		echo "$r,$name,tsc_mhz,$(awk -v k="$khz" 'BEGIN {printf "%.1f", k / 1000}'),"
	done >> "$tmp/rounds"
	if [ "$rc" -ne 1 ] || ! grep -q '^nanobench ok$' "$OUT/nano-$name.log"; then
		case $rc in
		124|137) fail "$name round $r: timed out after $NANO_TIMEOUT s" ;;
		*) fail "$name round $r: the guest failed (exit status $rc, want 1); in $OUT/nano-$name.log:" ;;
		esac
		grep -v '^NANO' "$OUT/nano-$name.log" | tail -n 8 | sed 's/^/    /'
	elif [ "$n" -ne "$NOPS" ]; then
		fail "$name round $r: $n numbers, want $NOPS"
	fi
	printf '  %-18s round %d: %d operations (%.1f s)\n' "$name" "$r" "$n" \
		"$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')"
}

for r in $(seq 1 "$ROUNDS"); do
	echo "nano: round $r of $ROUNDS"
	for s in "${SYSTEMS[@]}"; do
		run "$s" "$r"
	done
done

{
	echo "round,system,op,ns,iterations"
	cat "$tmp/rounds"
} > "$OUT/nano-rounds.csv"

# ---- the table: medians of the rounds ----
awk -F, -v ops="$OPS" -v systems="${SYSTEMS[*]}" '
function sort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
function median(a, n) { return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ k = $3 SUBSEP $2; v[k, ++cnt[k]] = $4 + 0 }
function row(label, op,    j, k, n, i, a) {
	printf "%-10s", label
	for (j = 1; j <= ns; j++) {
		k = op SUBSEP S[j]
		if (!(k in cnt)) { printf " %16s", "-"; continue }
		n = cnt[k]
		for (i = 1; i <= n; i++) a[i] = v[k, i]
		sort_n(a, n)
		printf " %16.1f", median(a, n)
	}
	printf "\n"
}
END {
	no = split(ops, O, " "); ns = split(systems, S, " ")
	printf "median ns per operation (the empty loop taken off)\n%-10s", "op"
	for (j = 1; j <= ns; j++) printf " %16s", S[j]
	printf "\n"
	for (i = 1; i <= no; i++) row(O[i], O[i])
	row("(empty)", "empty")
	row("(TSC MHz)", "tsc_mhz")
}' "$tmp/rounds" > "$tmp/table"

{
	echo "nanobench: $ROUNDS round(s) alternating; ns per operation measured in the guest by RDTSC (calibrated"
	echo "against PIT channel 2), the median of the rounds; (empty): one iteration of the bare loop, taken off the rest;"
	echo "pgfault includes the loop's unmapping of the page (a PTE write and INVLPG) before each fault"
	echo "host: $HOST_CPU, $(nproc) CPUs, $(uname -sr)"
	for s in "${SYSTEMS[@]}"; do printf '%-16s %s\n' "$s" "${VERSION[$s]}"; done
	for s in $ALL_SYSTEMS; do
		[ -n "${SKIP[$s]}" ] && printf '%-16s skipped: %s\n' "$s" "${SKIP[$s]}"
	done
	echo
	cat "$tmp/table"
} > "$OUT/nano-table.txt"
echo
cat "$OUT/nano-table.txt"
echo
echo "nano: wrote $OUT/nano-table.txt, $OUT/nano-rounds.csv (console logs: $OUT/nano-*.log)"
[ "$status" = 0 ] || echo "nano: some system failed the guest's checks or gave no number"
exit $status
