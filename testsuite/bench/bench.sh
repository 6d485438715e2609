#!/bin/bash
# The benchmark: one kernel, initramfs and command line on every system this host offers, side by side.
# SPDX-License-Identifier: MIT
#
# Systems (each skipped with its reason where the host lacks it):
#   native            the host itself, for the in-guest programs
#   trivisor-interp   trivisor -accel interp (always)
#   trivisor-kvm      trivisor -accel kvm (where /dev/kvm has VMX/SVM beneath)
#   trivisor-bt       trivisor -accel bt (always)
#   qemu-x86_64-tcg   Debian's qemu-system-x86_64 -accel tcg (the reference
#                     the ratios are taken against: "QEMU's TCG")
#   qemu-x86_64-kvm   ... -accel kvm (VMX/SVM)
#   qemu-i386-tcg/kvm Debian's qemu-system-i386 (only BENCH_ARCH=i386: it
#                     cannot run the x86-64 kernel)
#   bochs             Debian's bochs (packages bochs, bochs-term, bochsbios,
#                     vgabios), the cdboot workload only: it has no -kernel
# Workloads: boot (from outside: launch to the moment /init hands over to
# /test/run, where it prints TRIVISOR-BOOT-OK when there is nothing to run),
# and, timed inside the guest by its monotonic clock (testsuite/bench/
# workloads.sh, programs from testsuite/guestprog/bench*.c): cpu, x87 and
# sse (the floating-point kernel's two halves), md5sum and gzip (busybox, on tmpfs), fork (fork/exec),
# syscall, fault (page faults); all these come from one run of the guest
# with -kernel/-initrd. And cdboot (from outside: launch to the
# "TRIVISOR-BOOT-OK" line on the serial console, booting the isolinux CD
# of testsuite/fetch-bootmedia through the BIOS: -cdrom cd.iso -boot d, a
# run of its own; the full size only, unless BENCH_WORKLOADS names it).
# Bochs boots the same cd.iso from a bochsrc written here: 512 MiB, the CD
# on ata1-master, COM1 into a file watched for the marker, no window
# (display_library: rfb with timeout=0: a VNC server on the first free port
# from 5900 that waits for no client; Debian's bochs has no nogui, and its
# term display ignores SIGTERM), clock: sync=none; BIOS per
# BENCH_BOCHS_BIOS. Debian's bochs is built with its debugger: it runs
# under -rc with "continue" then "quit" (with Bochs's BIOS the reset of
# reboot -f stops in the debugger, which quits; with SeaBIOS it boots
# again), and is stopped when it has not quit 10 s after the marker.
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
#   BENCH_WORKLOADS    the workloads (names above, space-separated; default
#                      all at the full size, all but cdboot at tiny)
#   BENCH_BOCHS_BIOS   seabios (default: Debian's SeaBIOS bios-256k.bin, the
#                      BIOS trivisor and QEMU boot with, and the VGA BIOS
#                      vgabios-isavga.bin) or bochs (Bochs's own
#                      BIOS-bochs-latest and /usr/share/vgabios/vgabios.bin)
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
BOCHS_BIOS=${BENCH_BOCHS_BIOS:-seabios}
# the workloads of the -kernel run, then those of a run of their own
KERNEL_WORKLOADS="boot cpu x87 sse md5sum gzip fork syscall fault"
ALL_WORKLOADS="$KERNEL_WORKLOADS cdboot"

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
# cdboot is not at the tiny size: it is a whole BIOS boot (about 20 s
# under the interpreter), too long for make check
if [ "$SIZE" = tiny ]; then WORKLOADS=${BENCH_WORKLOADS:-$KERNEL_WORKLOADS}; else WORKLOADS=${BENCH_WORKLOADS:-$ALL_WORKLOADS}; fi
read -r -a wl <<<"$WORKLOADS" && WORKLOADS="${wl[*]}"	# one blank between names
for w in $WORKLOADS; do
	case " $ALL_WORKLOADS " in *" $w "*) ;; *) die "BENCH_WORKLOADS: unknown workload '$w' ($ALL_WORKLOADS)" ;; esac
done
[ -n "$WORKLOADS" ] || die "BENCH_WORKLOADS: no workload"
case $BOCHS_BIOS in seabios|bochs) ;; *) die "BENCH_BOCHS_BIOS=$BOCHS_BIOS: seabios or bochs" ;; esac
wants() { case " $WORKLOADS " in *" $1 "*) return 0 ;; esac; return 1; }
# KERNEL_RUN: 1 when some workload of the -kernel run is asked for
KERNEL_RUN=0
for w in $KERNEL_WORKLOADS; do wants "$w" && KERNEL_RUN=1; done
# applies SYSTEM WORKLOAD: whether the system has the workload at all
applies() {
	case $1,$2 in
	native,boot|native,cdboot) return 1 ;;
	native,*) return 0 ;;
	bochs,cdboot) return 0 ;;
	bochs,*) return 1 ;;
	esac
	return 0
}
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

# the CD of cdboot (same kernel, initramfs and command line, isolinux)
CDROM=""
CD_WHY=""
CD_FAILED=0
if wants cdboot; then
	testsuite/fetch-bootmedia "$ARCH" > "$tmp/media" 2> "$tmp/media.err"
	rc=$?
	CDROM=$(sed -n 1p "$tmp/media")
	if [ "$rc" -ne 0 ] || [ ! -s "$CDROM" ]; then
		cat "$tmp/media.err"
		CD_WHY="no CD: testsuite/fetch-bootmedia $ARCH failed (exit status $rc): $(tail -n1 "$tmp/media.err")"
		[ "$rc" -eq 2 ] || CD_FAILED=1
		read -r -a wl <<<"$(echo " $WORKLOADS " | sed 's/ cdboot / /')" && WORKLOADS="${wl[*]}"
		[ -n "$WORKLOADS" ] || die "cdboot: $CD_WHY"
	fi
fi

# ---- the initrd: the cached one and a second archive with /test ----
mkdir -p "$tmp/extra/test"
cp "$PROGDIR/benchcpu" "$PROGDIR/benchfp" "$PROGDIR/benchos" testsuite/bench/workloads.sh "$tmp/extra/test/"
sizes="CPU_N=$CPU_N X87_N=$X87_N SSE_N=$SSE_N DATA_MIB=$DATA_MIB SYS_N=$SYS_N FORK_N=$FORK_N FAULT_N=$FAULT_N FAULT_MIB=$FAULT_MIB"
cat > "$tmp/extra/test/run" <<EOF
#!/bin/sh
# written by testsuite/bench/bench.sh
echo BENCH-READY
mount -t tmpfs -o size=256m tmpfs /tmp || echo "BENCH-FAIL tmpfs"
T=/test BB=/bin/busybox S=/tmp WL="$WORKLOADS" $sizes
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
declare -A CMD CDCMD SKIP VERSION CLOCKSOURCE
SYSTEMS=()
CD=(-m 512 -cdrom "$CDROM" -boot d -serial stdio -display none -no-reboot)
consider() {	# NAME WHY-NOT VERSION CMD...
	local name=$1 why=$2 ver=$3 w any=""
	shift 3
	case $WANT in *" $name "*) ;; *) return ;; esac
	for w in $WORKLOADS; do applies "$name" "$w" && any=1; done
	[ -z "$why" ] && [ -z "$any" ] && why="none of the workloads asked for ($WORKLOADS) is one it has"
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
# cdcmd NAME CMD...: the command line of its cdboot, if it runs
cdcmd() {
	local name=$1
	shift
	case " ${SYSTEMS[*]} " in *" $name "*) CDCMD[$name]="$(printf '%q ' "$@")" ;; esac
}
consider trivisor-interp "" "$TRIVISOR_VERSION" "$TRIVISOR" -accel interp -d stats -D @STATS@ "${GUEST[@]}"
cdcmd trivisor-interp "$TRIVISOR" -accel interp "${CD[@]}"
consider trivisor-kvm "$kvm_why" "$TRIVISOR_VERSION" "$TRIVISOR" -accel kvm -d stats -D @STATS@ "${GUEST[@]}"
cdcmd trivisor-kvm "$TRIVISOR" -accel kvm "${CD[@]}"
consider trivisor-bt "" "$TRIVISOR_VERSION" "$TRIVISOR" -accel bt -d stats -D @STATS@ "${GUEST[@]}"
cdcmd trivisor-bt "$TRIVISOR" -accel bt "${CD[@]}"
q64_why=$(why_not qemu64)
q32_why=$(why_not qemu)
consider qemu-x86_64-tcg "$q64_why" "$QEMU64_VERSION" qemu-system-x86_64 -accel tcg -cpu "$QEMU64_CPU" "${GUEST[@]}"
cdcmd qemu-x86_64-tcg qemu-system-x86_64 -accel tcg -cpu "$QEMU64_CPU" "${CD[@]}"
consider qemu-x86_64-kvm "${q64_why:-$kvm_why}" "$QEMU64_VERSION" qemu-system-x86_64 -accel kvm -cpu host "${GUEST[@]}"
cdcmd qemu-x86_64-kvm qemu-system-x86_64 -accel kvm -cpu host "${CD[@]}"
if [ "$ARCH" = amd64 ]; then
	q32_why=${q32_why:-"qemu-system-i386 cannot run the x86-64 kernel (BENCH_ARCH=i386 measures it)"}
fi
consider qemu-i386-tcg "$q32_why" "$QEMU32_VERSION" qemu-system-i386 -accel tcg -cpu "$QEMU32_CPU" "${GUEST[@]}"
cdcmd qemu-i386-tcg qemu-system-i386 -accel tcg -cpu "$QEMU32_CPU" "${CD[@]}"
consider qemu-i386-kvm "${q32_why:-$kvm_why}" "$QEMU32_VERSION" qemu-system-i386 -accel kvm -cpu host "${GUEST[@]}"
cdcmd qemu-i386-kvm qemu-system-i386 -accel kvm -cpu host "${CD[@]}"

# Bochs: the cdboot workload only, from a bochsrc of its own
if [ "$BOCHS_BIOS" = seabios ]; then
	BOCHS_ROM=/usr/share/seabios/bios-256k.bin BOCHS_VGAROM=/usr/share/seabios/vgabios-isavga.bin
else
	BOCHS_ROM=/usr/share/bochs/BIOS-bochs-latest BOCHS_VGAROM=/usr/share/vgabios/vgabios.bin
fi
bochs_why=""
if ! command -v bochs > /dev/null; then
	bochs_why="bochs is not installed (testsuite/install-deps as root: bochs bochs-term bochsbios vgabios)"
elif [ ! -f "$BOCHS_ROM" ] || [ ! -f "$BOCHS_VGAROM" ]; then
	bochs_why="no $BOCHS_ROM or $BOCHS_VGAROM (BENCH_BOCHS_BIOS=$BOCHS_BIOS)"
elif ! wants cdboot; then
	bochs_why=${CD_WHY:-"it runs only the cdboot workload, not asked for"}
fi
# the CPU: an x86-64 one Bochs models (Debian's bochs has x86-64 built in);
# the clock: sync=none, guest time advances with the instructions (ips),
# skipping idle time: as fast as Bochs goes. No display: rfb, which waits
# for no client (timeout=0); Debian's bochs has no nogui, and its term
# display ignores SIGTERM.
cat > "$tmp/bochsrc" <<EOF
# written by testsuite/bench/bench.sh
config_interface: textconfig
display_library: rfb, options="timeout=0"
megs: 512
cpu: model=corei7_sandy_bridge_2600k, count=1, ips=50000000
clock: sync=none, time0=local
romimage: file=$BOCHS_ROM
vgaromimage: file=$BOCHS_VGAROM
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=cdrom, path="$CDROM", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$tmp/bochs.com1
mouse: enabled=0
log: $tmp/bochs.log
panic: action=report
error: action=report
info: action=ignore
debug: action=ignore
EOF
printf 'continue\nquit\n' > "$tmp/bochs.rc"
BOCHS_VERSION=""
[ -z "$bochs_why" ] && BOCHS_VERSION="$(bochs --help 2>&1 | grep -m1 -o 'Bochs x86 Emulator [^ ]*') (Debian $(dpkg-query -W -f='${Version}' bochs 2>/dev/null)), BIOS $BOCHS_ROM"
consider bochs "$bochs_why" "$BOCHS_VERSION" bochs -q -f "$tmp/bochsrc" -rc "$tmp/bochs.rc"
case " ${SYSTEMS[*]} " in *" bochs "*) CDCMD[bochs]=${CMD[bochs]}; CMD[bochs]="" ;; esac

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
[ "$CD_FAILED" = 1 ] && status=1	# the CD could not be built (not: the registry cannot be reached)
fail() { echo "bench: $*"; status=1; }

# collect NAME ROUND FILE: the BENCH/BENCHSUM lines of FILE into the
# rounds; sets got to the number of workloads with a number
collect() {
	local name=$1 r=$2 f=$3 w ns sum
	got=0
	for w in $WORKLOADS; do
		case $w in boot|cdboot) continue ;; esac
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
		T=$(realpath "$PROGDIR") BB=$BUSYBOX S=$d WL=$WORKLOADS
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
		collect "$name" "$r" "$out"
		n=$got
		if wants boot; then
			echo "$r,$name,boot,$boot," >> "$tmp/rounds"
			n=$((n + 1))
		fi
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
	# -d stats: "cpu0 interp: I instructions in S s of run(): M MIPS" (or bt)
	if [ -f "$stats" ]; then
		sed -n 's/.*cpu0 \(interp\|bt\): \([0-9]*\) instructions in \([0-9.]*\) s of run(): \([0-9.]*\) MIPS.*/\2 \3 \4/p' \
			"$stats" | head -n1 | while read -r i s m; do echo "$r,$name,$i,$s,$m" >> "$tmp/mips"; done
	fi
	printf '  %-18s round %d: %d workloads (boot %s s, whole run %.1f s)\n' "$name" "$r" "$n" "${boot:-?}" \
		"$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {print b - a}')"
}

# run_bochs OUT: Bochs's cdboot, its COM1 file stamped into OUT; sets t0
# and rc. Stops Bochs if it has not quit 10 s after the marker (with
# SeaBIOS the reset does not reach the debugger: it would boot again).
run_bochs() {
	local out=$1 com=$tmp/bochs.com1 pid tpid i
	: > "$com"
	: > "$out"
	BOCHS_STOPPED=0
	t0=$EPOCHREALTIME
	# exec: $! is timeout's pid, which passes a kill on to Bochs
	eval "exec timeout -k 5 $BENCH_TIMEOUT ${CDCMD[bochs]}" > "$tmp/bochs.stdout" 2>&1 < /dev/null &
	pid=$!
	tail -F -s 0.1 -n +1 --pid="$pid" "$com" 2> /dev/null | stamp > "$out" &
	tpid=$!
	while kill -0 "$pid" 2> /dev/null; do
		if grep -q ' TRIVISOR-BOOT-OK' "$out"; then
			for i in $(seq 1 100); do
				kill -0 "$pid" 2> /dev/null || break
				sleep 0.1
			done
			if kill -0 "$pid" 2> /dev/null; then
				BOCHS_STOPPED=1
				kill "$pid" 2> /dev/null
			fi
			break
		fi
		sleep 0.2
	done
	wait "$pid"
	rc=$?
	wait "$tpid"
	[ "$BOCHS_STOPPED" = 1 ] && rc=0
	cp "$tmp/bochs.log" "$OUT/bochs.bochslog" 2> /dev/null
	cp "$tmp/bochs.stdout" "$OUT/bochs.stdout" 2> /dev/null
}

# run_cd NAME ROUND: the CD boot, launch to the marker on the console
run_cd() {
	local name=$1 r=$2 out=$tmp/$1.cd.out t0 rc at secs
	if [ "$name" = bochs ]; then
		run_bochs "$out"
	else
		t0=$EPOCHREALTIME
		eval "timeout -k 5 $BENCH_TIMEOUT ${CDCMD[$name]}" < /dev/null 2>&1 | stamp > "$out"
		rc=${PIPESTATUS[0]}
	fi
	cp "$out" "$OUT/$name.cdboot.log"
	at=$(grep -m1 '^[0-9.]* .*TRIVISOR-BOOT-OK' "$out" | cut -d' ' -f1)
	secs=""
	if [ -n "$at" ]; then
		secs=$(awk -v a="$t0" -v b="$at" 'BEGIN {printf "%.6f", b - a}')
		echo "$r,$name,cdboot,$secs," >> "$tmp/rounds"
	fi
	if ! grep -q ' TRIVISOR-BOOT-OK cpus=1$' "$out"; then
		fail "$name round $r: cdboot: no TRIVISOR-BOOT-OK marker (exit status $rc); last lines in $OUT/$name.cdboot.log:"
		tail -n 5 "$out" | cut -d' ' -f2- | sed 's/^/    /'
	elif [ "$rc" -ne 0 ]; then
		fail "$name round $r: cdboot: exit status $rc"
	fi
	printf '  %-18s round %d: cdboot %s s\n' "$name" "$r" "${secs:-?}"
}

for r in $(seq 1 "$ROUNDS"); do
	echo "bench: round $r of $ROUNDS"
	for s in "${SYSTEMS[@]}"; do
		if [ "$s" = native ]; then
			[ "$KERNEL_RUN" = 1 ] && run_native "$r"
		else
			[ "$KERNEL_RUN" = 1 ] && [ -n "${CMD[$s]}" ] && run_guest "$s" "$r"
			wants cdboot && [ -n "${CDCMD[$s]}" ] && run_cd "$s" "$r"
		fi
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
    -v na="$(for s in "${SYSTEMS[@]}"; do for w in $WORKLOADS; do applies "$s" "$w" || printf '%s:%s ' "$w" "$s"; done; done)" \
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
	nn = split(na, N, " ")
	for (i = 1; i <= nn; i++) notapp[N[i]] = 1
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
			if ((w ":" s) in notapp)
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
			if (!(k in cnt) && !((W[i] ":" S[j]) in notapp)) bad++
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
	wants boot && echo "boot: launch to /test/run (where /init prints TRIVISOR-BOOT-OK with nothing to run), from outside;"
	wants cdboot && echo "cdboot: launch to TRIVISOR-BOOT-OK on the serial console booting cd.iso (BIOS, isolinux, the same kernel), from outside;"
	[ -n "$CD_WHY" ] && echo "cdboot: not run: $CD_WHY"
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
