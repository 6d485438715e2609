#!/bin/bash
# The benchmark: one kernel, initramfs and command line on every system this host offers, side by side.
# SPDX-License-Identifier: MIT
#
# Systems (each skipped with its reason where the host lacks it):
#   native            the host itself, for the in-guest programs
#   trivisor-interp   trivisor -accel interp (always)
#   trivisor-kvm      trivisor -accel kvm (where /dev/kvm has VMX/SVM beneath)
#   trivisor-bt       not built yet
#   qemu-x86_64-tcg   Debian's qemu-system-x86_64 -accel tcg (the reference
#                     the ratios are taken against: "QEMU's TCG")
#   qemu-x86_64-kvm   ... -accel kvm (VMX/SVM)
#   qemu-i386-tcg/kvm Debian's qemu-system-i386 (only BENCH_ARCH=i386: it
#                     cannot run the x86-64 kernel)
#   bochs             skipped: it needs a BIOS that boots a CD
# Workloads: boot (from outside: launch to the moment /init hands over to
# /test/run, where it prints TRIVISOR-BOOT-OK when there is nothing to run),
# and, timed inside the guest by its monotonic clock (testsuite/bench/
# workloads.sh, programs from testsuite/guestprog/bench*.c): cpu, x87 and
# sse (the floating-point kernel's two halves), md5sum and gzip (busybox, on tmpfs), fork (fork/exec),
# syscall, fault (page faults).
#
# Rounds alternate the systems (round 1 of every system, then round 2...),
# so a host that speeds up or slows down weighs on all alike. Prints a
# table (median, min and max of the rounds; the median's ratio to native
# and to QEMU's TCG, with the min-max range of the ratio) and writes
# table.txt, results.csv (with the version of everything measured) and
# rounds.csv to BENCH_OUT. Measures; asserts nothing about time.
#
# Environment:
#   O, TRIVISOR        the build (default build, $O/trivisor)
#   BENCH_SIZE         tiny|full (default full: a few seconds natively each)
#   BENCH_ROUNDS       rounds (default 3)
#   BENCH_ARCH         amd64|i386 (default amd64): the kernel and programs
#   BENCH_SYSTEMS      the systems to run (names above, space-separated;
#                      default all); "qemu-tcg" names the reference TCG
#   BENCH_OUT          output directory (default $O/bench)
#   BENCH_TIMEOUT      seconds per boot (default 3600)
# Exit status: 0 when every system that ran gave every workload a number
# and the same checksums as native (or, without native, as QEMU's TCG),
# 1 otherwise.

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
SIZE=${BENCH_SIZE:-full}
ROUNDS=${BENCH_ROUNDS:-3}
ARCH=${BENCH_ARCH:-amd64}
OUT=${BENCH_OUT:-$O/bench}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-3600}
HOSTCAPS=${HOSTCAPS:-$O/hostcaps/hostcaps}
WORKLOADS="boot cpu x87 sse md5sum gzip fork syscall fault"

die() { echo "bench: $*"; exit 1; }

# sizes: tiny is for make check (testsuite/boot/bench-tiny.sh), a few
# seconds of guest work under the interpreter; full is a few seconds of
# each workload natively on a current host (x87 less: the interpreter's
# x87 is exact, through MPFR, and slow)
case $SIZE in
tiny) CPU_N=2 X87_N=5 SSE_N=20 DATA_MIB=1 SYS_N=2000 FORK_N=10 FAULT_N=2 FAULT_MIB=8 ;;
full) CPU_N=200 X87_N=100 SSE_N=400 DATA_MIB=8 SYS_N=500000 FORK_N=500 FAULT_N=16 FAULT_MIB=64 ;;
*) die "BENCH_SIZE=$SIZE: tiny or full" ;;
esac
case $ROUNDS in ''|*[!0-9]*|0) die "BENCH_ROUNDS=$ROUNDS: a number of rounds, 1 or more" ;; esac
case $ARCH in
amd64) PROGDIR=$O/guestprog QEMU_TCG=qemu-x86_64-tcg ;;
i386) PROGDIR=$O/guestprog/i386 QEMU_TCG=qemu-i386-tcg ;;
*) die "BENCH_ARCH=$ARCH: amd64 or i386" ;;
esac
ALL_SYSTEMS="native trivisor-interp trivisor-kvm trivisor-bt qemu-x86_64-tcg qemu-x86_64-kvm qemu-i386-tcg qemu-i386-kvm bochs"
WANT=${BENCH_SYSTEMS:-$ALL_SYSTEMS}
WANT=" ${WANT//qemu-tcg/$QEMU_TCG} "
for s in $WANT; do
	case " $ALL_SYSTEMS " in *" $s "*) ;; *) die "BENCH_SYSTEMS: unknown system '$s' ($ALL_SYSTEMS)" ;; esac
done

for f in "$TRIVISOR" "$PROGDIR/benchcpu" "$PROGDIR/benchfp" "$PROGDIR/benchos"; do
	[ -x "$f" ] || die "$f not built (make bench builds it)"
done
[ -x "$HOSTCAPS" ] || die "$HOSTCAPS not built (make bench builds it)"
mkdir -p "$OUT" || die "cannot create $OUT"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

testsuite/fetch-images "$ARCH" > "$tmp/paths" 2> "$tmp/fetch.err" || {
	cat "$tmp/fetch.err"
	die "no $ARCH images (testsuite/fetch-images $ARCH failed)"
}
KERNEL=$(sed -n 1p "$tmp/paths")
INITRD0=$(sed -n 2p "$tmp/paths")
STAMP=$(dirname "$KERNEL")/stamp
BUSYBOX=$(dirname "$KERNEL")/busybox
APPEND="console=ttyS0 panic=-1 trivisor.test=1"

# ---- the initrd: the cached one and a second archive with /test ----
mkdir -p "$tmp/extra/test"
cp "$PROGDIR/benchcpu" "$PROGDIR/benchfp" "$PROGDIR/benchos" testsuite/bench/workloads.sh "$tmp/extra/test/"
sizes="CPU_N=$CPU_N X87_N=$X87_N SSE_N=$SSE_N DATA_MIB=$DATA_MIB SYS_N=$SYS_N FORK_N=$FORK_N FAULT_N=$FAULT_N FAULT_MIB=$FAULT_MIB"
cat > "$tmp/extra/test/run" <<EOF
#!/bin/sh
# written by testsuite/bench/bench.sh
echo BENCH-READY
mount -t tmpfs -o size=256m tmpfs /tmp || echo "BENCH-FAIL tmpfs"
T=/test BB=/bin/busybox S=/tmp $sizes
. /test/workloads.sh
EOF
chmod 0755 "$tmp/extra/test/"*
(cd "$tmp/extra" && find test | cpio -o -H newc --quiet -R 0:0) | gzip -1n > "$tmp/extra.cpio.gz" ||
	die "cannot build the test archive (cpio)"
INITRD=$tmp/initrd
cat "$INITRD0" "$tmp/extra.cpio.gz" > "$INITRD"
GUEST=(-m 512 -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" -serial stdio -display none -no-reboot)

# ---- which systems run, and how ----
why_not() { "$HOSTCAPS" why "$@" 2>&1; }
QEMU64_CPU=qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16	# x86-64-v2, as trivisor's CPUID
QEMU32_CPU=qemu32,+nx,+ssse3,+sse4.1,+sse4.2,+popcnt
declare -A CMD SKIP VERSION CLOCKSOURCE
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
TRIVISOR_VERSION="trivisor $(git describe --always --dirty 2>/dev/null || echo unknown)"
qver() { command -v "$1" > /dev/null && "$1" --version | head -n1; }
QEMU64_VERSION=$(qver qemu-system-x86_64)
QEMU32_VERSION=$(qver qemu-system-i386)
kvm_why=$(why_not kvm-hw)
native_why=""
[ "$ARCH" = i386 ] && native_why=$(why_not 32bit)
consider native "$native_why" "$(uname -sr)" native
consider trivisor-interp "" "$TRIVISOR_VERSION" "$TRIVISOR" -accel interp -d stats -D @STATS@ "${GUEST[@]}"
consider trivisor-kvm "$kvm_why" "$TRIVISOR_VERSION" "$TRIVISOR" -accel kvm -d stats -D @STATS@ "${GUEST[@]}"
bt_why=$(timeout -k 2 10 "$TRIVISOR" -accel bt -kernel "$KERNEL" -display none -serial null -no-reboot 2>&1 < /dev/null | head -n1)
case $bt_why in
*"not built"*) bt_why=${bt_why#trivisor: } ;;
*) bt_why="the bt tier is not in the benchmark yet (it said: ${bt_why:-nothing})" ;;
esac
consider trivisor-bt "$bt_why" "" none
q64_why=$(why_not qemu64)
q32_why=$(why_not qemu)
consider qemu-x86_64-tcg "$q64_why" "$QEMU64_VERSION" qemu-system-x86_64 -accel tcg -cpu "$QEMU64_CPU" "${GUEST[@]}"
consider qemu-x86_64-kvm "${q64_why:-$kvm_why}" "$QEMU64_VERSION" qemu-system-x86_64 -accel kvm -cpu host "${GUEST[@]}"
if [ "$ARCH" = amd64 ]; then
	q32_why=${q32_why:-"qemu-system-i386 cannot run the x86-64 kernel (BENCH_ARCH=i386 measures it)"}
fi
consider qemu-i386-tcg "$q32_why" "$QEMU32_VERSION" qemu-system-i386 -accel tcg -cpu "$QEMU32_CPU" "${GUEST[@]}"
consider qemu-i386-kvm "${q32_why:-$kvm_why}" "$QEMU32_VERSION" qemu-system-i386 -accel kvm -cpu host "${GUEST[@]}"
if command -v bochs > /dev/null; then
	bochs_why="bochs is installed, but it boots only through a BIOS from a disk or CD, and no BIOS that boots a CD with this kernel and initramfs is there yet"
else
	bochs_why="bochs is not installed, and could not run the workload anyway: it needs a BIOS that boots a CD, not there yet"
fi
consider bochs "$bochs_why" "" none

HOST_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
KERNEL_VERSION=$(sed -n 's/^kernel=//p' "$STAMP")
BUSYBOX_VERSION=$(sed -n 's/^busybox=//p' "$STAMP")
echo "bench: $ARCH, size $SIZE, $ROUNDS round(s); kernel $KERNEL_VERSION, $BUSYBOX_VERSION"
echo "bench: host $HOST_CPU, $(nproc) CPUs, $(uname -sr)"
echo "bench: command line \"$APPEND\", -m 512, 1 CPU"
for s in $ALL_SYSTEMS; do
	[ -n "${SKIP[$s]}" ] && echo "bench: $s skipped: ${SKIP[$s]}"
done
[ "${#SYSTEMS[@]}" -gt 0 ] || die "no system to run"
echo "bench: running ${SYSTEMS[*]}"

# ---- running ----
# stamp: each line of the console with the host's wall time before it
stamp() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s %s\n' "$EPOCHREALTIME" "${l%$'\r'}"
	done
}

# the rounds: "round,system,workload,seconds,checksum"
: > "$tmp/rounds"
: > "$tmp/mips"
status=0
fail() { echo "bench: $*"; status=1; }

# collect NAME ROUND FILE: the BENCH/BENCHSUM lines of FILE into the
# rounds; sets got to the number of workloads with a number
collect() {
	local name=$1 r=$2 f=$3 w ns sum
	got=0
	for w in $WORKLOADS; do
		[ "$w" = boot ] && continue
		ns=$(sed -n "s/^\(.* \)\{0,1\}BENCH $w \([0-9][0-9]*\)\$/\2/p" "$f" | tail -n1)
		sum=$(sed -n "s/^\(.* \)\{0,1\}BENCHSUM $w \([^ ]*\)\$/\2/p" "$f" | tail -n1)
		if [ -n "$ns" ]; then
			echo "$r,$name,$w,$(awk -v n="$ns" 'BEGIN {printf "%.6f", n / 1e9}'),$sum" >> "$tmp/rounds"
			got=$((got + 1))
		else
			fail "$name round $r: no number for $w$(grep -m1 -o "BENCH-FAIL $w.*" "$f" | sed 's/^BENCH-FAIL [^ ]*/:/')"
		fi
	done
}

run_native() {
	local r=$1 d out=$tmp/native.out
	d=$(mktemp -d /dev/shm/bench.XXXXXX 2> /dev/null) || d=$(mktemp -d "$tmp/native.XXXXXX")
	(
		T=$(realpath "$PROGDIR") BB=$BUSYBOX S=$d
		eval "$sizes"
		. testsuite/bench/workloads.sh
	) > "$out" 2>&1
	rm -rf "$d"
	cp "$out" "$OUT/native.log"
	collect native "$r" "$out"
	printf '  %-18s round %d: %d workloads\n' native "$r" "$got"
}

run_guest() {
	local name=$1 r=$2 out=$tmp/$1.out stats=$tmp/$1.stats t0 rc ready boot n cmd
	cmd=${CMD[$name]//@STATS@/$stats}
	rm -f "$stats"
	t0=$EPOCHREALTIME
	eval "timeout -k 5 $BENCH_TIMEOUT $cmd" < /dev/null 2>&1 | stamp > "$out"
	rc=${PIPESTATUS[0]}
	cp "$out" "$OUT/$name.log"
	[ -f "$stats" ] && cp "$stats" "$OUT/$name.stats"
	# the guest's clock, which times the workloads (jiffies: 4 ms steps)
	CLOCKSOURCE[$name]=$(sed -n 's/.*clocksource: Switched to clocksource \([^ ]*\).*/\1/p' "$out" | tail -n1)
	ready=$(grep -m1 '^[0-9.]* BENCH-READY$' "$out" | cut -d' ' -f1)
	if [ -n "$ready" ]; then
		boot=$(awk -v a="$t0" -v b="$ready" 'BEGIN {printf "%.6f", b - a}')
		echo "$r,$name,boot,$boot," >> "$tmp/rounds"
		collect "$name" "$r" "$out"
		n=$((got + 1))
	else
		boot=""
		n=0
		fail "$name round $r: /test/run never started (exit status $rc); last lines in $OUT/$name.log:"
		tail -n 5 "$out" | cut -d' ' -f2- | sed 's/^/    /'
	fi
	if ! grep -q ' TRIVISOR-BOOT-OK cpus=1$' "$out"; then
		fail "$name round $r: no TRIVISOR-BOOT-OK marker (exit status $rc)"
	elif [ "$rc" -ne 0 ]; then
		fail "$name round $r: exit status $rc"
	fi
	# -d stats: "cpu0 interp: I instructions in S s of run(): M MIPS"
	if [ -f "$stats" ]; then
		sed -n 's/.*cpu0 interp: \([0-9]*\) instructions in \([0-9.]*\) s of run(): \([0-9.]*\) MIPS.*/\1 \2 \3/p' \
			"$stats" | head -n1 | while read -r i s m; do echo "$r,$name,$i,$s,$m" >> "$tmp/mips"; done
	fi
	printf '  %-18s round %d: %d workloads (boot %s s, whole run %.1f s)\n' "$name" "$r" "$n" "${boot:-?}" \
		"$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')"
}

for r in $(seq 1 "$ROUNDS"); do
	echo "bench: round $r of $ROUNDS"
	for s in "${SYSTEMS[@]}"; do
		if [ "$s" = native ]; then run_native "$r"; else run_guest "$s" "$r"; fi
	done
done

# ---- the table and the CSV ----
# the checksums are compared with native's, or without it with QEMU's TCG's
sumref=native
case " ${SYSTEMS[*]} " in *" native "*) ;; *) sumref=$QEMU_TCG ;; esac
{
	echo "round,system,workload,seconds,checksum"
	cat "$tmp/rounds"
} > "$OUT/rounds.csv"

# stats per (workload, system): rounds median min max checksum-vs-native
awk -F, -v workloads="$WORKLOADS" -v systems="${SYSTEMS[*]}" -v ref="$QEMU_TCG" \
    -v mipsfile="$tmp/mips" -v sumref="$sumref" -v csv="$OUT/results.csv" \
    -v arch="$ARCH" -v size="$SIZE" -v kernel="$KERNEL_VERSION" -v busybox="$BUSYBOX_VERSION" \
    -v hostcpu="$HOST_CPU" -v trivisor="$TRIVISOR_VERSION" -v versions="$(for s in "${SYSTEMS[@]}"; do printf '%s=%s\t' "$s" "${VERSION[$s]}"; done)" \
    -v clocks="$(for s in "${SYSTEMS[@]}"; do printf '%s=%s\t' "$s" "${CLOCKSOURCE[$s]}"; done)" '
function sort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
function median(a, n) { return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
function ratio(w, s, base,    m) {
	if (!((w, base) in med) || med[w, base] <= 0 || !((w, s) in med))
		return "-"
	if (cnt[w, s] == 1)
		return sprintf("%.2f", med[w, s] / med[w, base])
	return sprintf("%.2f (%.2f-%.2f)", med[w, s] / med[w, base], lo[w, s] / med[w, base], hi[w, s] / med[w, base])
}
function rawratio(w, s, base) {
	if (!((w, base) in med) || med[w, base] <= 0 || !((w, s) in med)) return ""
	return sprintf("%.4f", med[w, s] / med[w, base])
}
function fmt(v) { return v >= 100 ? sprintf("%.1f", v) : v >= 1 ? sprintf("%.3f", v) : sprintf("%.4f", v) }
FILENAME == mipsfile { mn[$2]++; mv[$2, mn[$2]] = $5; mi[$2] = $3; next }
{
	k = $3 SUBSEP $2
	v[k, ++cnt[k]] = $4 + 0
	if ($5 != "") { if (!(k in sum)) sum[k] = $5; else if (sum[k] != $5) sum[k] = "VARIES" }
}
END {
	nw = split(workloads, W, " "); ns = split(systems, S, " ")
	nv = split(versions, V, "\t")
	for (i = 1; i <= nv; i++) { p = index(V[i], "="); if (p) ver[substr(V[i], 1, p - 1)] = substr(V[i], p + 1) }
	nv = split(clocks, V, "\t")
	for (i = 1; i <= nv; i++) { p = index(V[i], "="); if (p) clk[substr(V[i], 1, p - 1)] = substr(V[i], p + 1) }
	for (k in cnt) {
		n = cnt[k]
		for (i = 1; i <= n; i++) a[i] = v[k, i]
		sort_n(a, n)
		med[k] = median(a, n); lo[k] = a[1]; hi[k] = a[n]
	}
	nm = 0
	for (s in mn) {
		nm++
		n = mn[s]
		for (i = 1; i <= n; i++) a[i] = mv[s, i]
		sort_n(a, n); mips[s] = median(a, n)
	}
	# the matrix of medians
	printf "\nmedian seconds (workload x system)\n%-8s", "workload"
	for (j = 1; j <= ns; j++) printf " %16s", S[j]
	printf "\n"
	for (i = 1; i <= nw; i++) {
		printf "%-8s", W[i]
		for (j = 1; j <= ns; j++) printf " %16s", ((W[i], S[j]) in med) ? fmt(med[W[i], S[j]]) : "-"
		printf "\n"
	}
	# the details
	printf "\n%-8s %-16s %6s %10s %10s %10s  %-20s %-20s %s\n", "workload", "system", "rounds", "median s",
		"min s", "max s", "x native", "x " ref, "checksum vs " sumref
	print "workload,system,rounds,median_s,min_s,max_s,x_native,x_qemu_tcg,checksum_vs_" sumref ",mips_median,instructions_last_round,system_version,guest_clocksource,arch,size,kernel,busybox,host_cpu,trivisor" > csv
	for (i = 1; i <= nw; i++)
		for (j = 1; j <= ns; j++) {
			w = W[i]; s = S[j]; k = w SUBSEP s
			if (w == "boot" && s == "native")
				continue
			if (!(k in cnt)) {
				printf "%-8s %-16s %6s %10s\n", w, s, 0, "no number"
				printf "%s,%s,0,,,,,,,,,%s,%s,%s,%s,%s,%s,%s,%s\n", w, s, q(ver[s]), clk[s], arch, size, q(kernel), q(busybox), q(hostcpu), q(trivisor) > csv
				continue
			}
			check = "-"
			if ((w, sumref) in sum && k in sum)
				check = (sum[k] == sum[w, sumref]) ? "same" : "DIFFERS"
			if (w == "syscall" || w == "fork") check = (k in sum) ? sum[k] : "-"
			else if (s == sumref) check = "(reference)"
			printf "%-8s %-16s %6d %10s %10s %10s  %-20s %-20s %s\n", w, s, cnt[k], fmt(med[k]), fmt(lo[k]), fmt(hi[k]),
				ratio(w, s, "native"), ratio(w, s, ref), check
			printf "%s,%s,%d,%.6f,%.6f,%.6f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", w, s, cnt[k], med[k], lo[k], hi[k],
				rawratio(w, s, "native"), rawratio(w, s, ref), check, (s in mips) ? mips[s] : "", (s in mi) ? mi[s] : "", q(ver[s]), clk[s], arch, size,
				q(kernel), q(busybox), q(hostcpu), q(trivisor) > csv
		}
	if (nm) {
		printf "\nMIPS of trivisor in its software tiers (-d stats: instructions per second in run(), over the whole boot and workloads; median of rounds)\n"
		for (s in mips) printf "  %-16s %8.1f MIPS  (%s instructions in the last round)\n", s, mips[s], mi[s]
		printf "  (QEMU does not count the instructions it runs)\n"
	}
	# every system that ran gave every workload a number, and native checksums match
	for (j = 1; j <= ns; j++)
		for (i = 1; i <= nw; i++) {
			k = W[i] SUBSEP S[j]
			if (!(k in cnt) && !(W[i] == "boot" && S[j] == "native")) bad++
			if (k in sum && (W[i], sumref) in sum && sum[k] != sum[W[i], sumref] && W[i] != "syscall" && W[i] != "fork") bad++
		}
	exit (bad > 0)
}' "$tmp/mips" "$tmp/rounds" > "$tmp/table" || status=1

{
	echo "bench: $ARCH, size $SIZE, $ROUNDS round(s) alternating; kernel $KERNEL_VERSION; $BUSYBOX_VERSION"
	echo "host: $HOST_CPU, $(nproc) CPUs, $(uname -sr)"
	for s in "${SYSTEMS[@]}"; do printf '%-16s %s\n' "$s" "${VERSION[$s]}"; done
	for s in $ALL_SYSTEMS; do
		[ -n "${SKIP[$s]}" ] && printf '%-16s skipped: %s\n' "$s" "${SKIP[$s]}"
	done
	echo "boot: launch to /test/run (where /init prints TRIVISOR-BOOT-OK with nothing to run), from outside;"
	echo "the rest timed inside the guest by CLOCK_MONOTONIC; ratios are of medians (range: min and max over that median)"
	for s in "${SYSTEMS[@]}"; do
		[ -n "${CLOCKSOURCE[$s]}" ] && printf 'guest clock on %s: %s%s\n' "$s" "${CLOCKSOURCE[$s]}" \
			"$(case ${CLOCKSOURCE[$s]} in *jiffies*) echo " (ticks of 4 ms: short workloads are coarse)" ;; esac)"
	done
	cat "$tmp/table"
} > "$OUT/table.txt"
echo
cat "$OUT/table.txt"
echo
echo "bench: wrote $OUT/table.txt, $OUT/results.csv, $OUT/rounds.csv (console logs: $OUT/*.log)"
[ "$status" = 0 ] || echo "bench: some system did not give every workload a number (or a checksum differs from $sumref's)"
exit $status
