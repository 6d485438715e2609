# What the BIOS boot-media tests share (sourced by testsuite/boot/cdboot.sh,
# hdboot.sh and floppyboot.sh; not a test itself, so it does not end in .sh
# where runtests looks).
# SPDX-License-Identifier: MIT
#
# Each test boots a medium the way a user would (SeaBIOS, then the boot
# loader on the medium) on every tier asked for, and prints one
# PASS/FAIL/SKIP line per tier and medium. The emulator is trivisor unless
# told otherwise, so the same scripts run against QEMU as the reference:
#   --qemu (first argument) or MEDIA_EMU=qemu
#        qemu-system-i386 (i386 media) or qemu-system-x86_64 (amd64 media)
#        with -accel tcg; the tier is called "qemu-tcg"
#   MEDIA_EMU="CMD ARGS..."
#        that command line (split on blanks) for every medium, with the
#        test's own arguments after it; the tier is called $MEDIA_EMU_NAME
#        (default "custom")
# Environment: O, TRIVISOR, MEDIA_TIERS (trivisor's tiers, default
# "interp kvm"; kvm SKIPs on a host without hardware virtualisation),
# MEDIA_TIMEOUT (seconds per boot; the default depends on the tier),
# MEDIA_STALL (seconds without new output after which a boot counts as
# hung, default 180: a machine that does not come up costs minutes, not
# the whole timeout).
# After each boot a line "time: NAME S s to MARKER..." tells how long the
# guest took from the emulator's start to its marker (0.1 s resolution).
#
# The caller sets $tmp (scratch directory) and calls media_init "$@" first.

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash

O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}

# media_init ARGS: the emulator and the tiers, into MEDIA_MODE (trivisor,
# qemu or custom) and the array TIERS
media_init() {
	[ "${1:-}" = --qemu ] && MEDIA_EMU=qemu
	MEDIA_EMU=${MEDIA_EMU:-}
	case $MEDIA_EMU in
	"") MEDIA_MODE=trivisor; read -r -a TIERS <<<"${MEDIA_TIERS:-interp kvm}" ;;
	qemu) MEDIA_MODE=qemu; TIERS=(qemu-tcg) ;;
	*) MEDIA_MODE=custom; TIERS=("${MEDIA_EMU_NAME:-custom}") ;;
	esac
	if [ "$MEDIA_MODE" = trivisor ] && [[ " ${TIERS[*]} " = *" kvm "* ]]; then
		# shellcheck source=testsuite/hostcaps/lib.sh
		. testsuite/hostcaps/lib.sh
	fi
}

# tier_why TIER ARCH: empty when the tier can run here, else why not
tier_why() {
	case $MEDIA_MODE in
	trivisor)
		# SeaBIOS starts in real mode: KVM must have VMX or SVM beneath
		# it (kvm_pvm cannot run real mode)
		[ "$1" = kvm ] && host_lacks kvm-hw
		;;
	qemu)
		local q
		q=$(qemu_bin "$2")
		command -v "$q" > /dev/null || echo "$q not installed"
		;;
	esac
	return 0
}

qemu_bin() { [ "$1" = i386 ] && echo qemu-system-i386 || echo qemu-system-x86_64; }

# timeout_for TIER DEFAULT_SOFTWARE: seconds for one boot
timeout_for() {
	if [ -n "${MEDIA_TIMEOUT:-}" ]; then
		echo "$MEDIA_TIMEOUT"
	else
		case $1 in
		interp|bt) echo "$2" ;;
		*) echo 300 ;;
		esac
	fi
}

# emu_cmd TIER ARCH ARGS...: the command line into the array CMD
emu_cmd() {
	local tier=$1 arch=$2
	shift 2
	case $MEDIA_MODE in
	trivisor) CMD=("$TRIVISOR" -accel "$tier") ;;
	qemu) CMD=("$(qemu_bin "$arch")" -accel tcg) ;;
	custom) read -r -a CMD <<<"$MEDIA_EMU" ;;
	esac
	CMD+=("$@" -serial stdio -display none -no-reboot)
}

# fetch_media ARCH REPORT: the cached cd.iso and hd.img of ARCH into CDROM
# and HDIMG (testsuite/fetch-bootmedia; fetch_paths of linuxboot.bash says
# what happens where they cannot be had).
fetch_media() {
	fetch_paths testsuite/fetch-bootmedia "$1" "$2" || return 1
	CDROM=$(sed -n 1p "$tmp/paths")
	HDIMG=$(sed -n 2p "$tmp/paths")
}

# media_run TIMEOUT MARKER: runs CMD until it exits, TIMEOUT seconds pass
# or it prints nothing for MEDIA_STALL seconds; its output, without
# carriage returns, in $tmp/out.txt, its exit status in RUN_RC (124 on a
# timeout), RUN_STALLED 1 if it was stopped for printing nothing, the
# seconds from its start to the first output line holding MARKER in
# RUN_SECS (empty if never), MARKER in RUN_MARKER. MARKER is a plain
# string (no regular-expression characters).
media_run() {
	local timeout_s=$1 marker=$2 stall=${MEDIA_STALL:-180} pid t0 now seen="" size last=-1 since
	: > "$tmp/out"
	t0=$(date +%s%N)
	since=$t0
	RUN_STALLED=0
	timeout -k 5 "$timeout_s" "${CMD[@]}" > "$tmp/out" 2>&1 < /dev/null &
	pid=$!
	while kill -0 "$pid" 2> /dev/null; do
		now=$(date +%s%N)
		if [ -z "$seen" ] && grep -qaF -- "$marker" "$tmp/out"; then
			seen=$now
		fi
		size=$(stat -c %s "$tmp/out")
		if [ "$size" != "$last" ]; then
			last=$size
			since=$now
		elif [ $(( (now - since) / 1000000000 )) -ge "$stall" ]; then
			RUN_STALLED=1
			kill "$pid" 2> /dev/null	# timeout passes it on
		fi
		sleep 0.1
	done
	wait "$pid"
	RUN_RC=$?
	[ -z "$seen" ] && grep -qaF -- "$marker" "$tmp/out" && seen=$(date +%s%N)
	RUN_SECS=""
	RUN_MARKER=$marker
	[ -n "$seen" ] && RUN_SECS=$(awk -v a="$t0" -v b="$seen" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	tr -d '\r' < "$tmp/out" > "$tmp/out.txt"
}

# media_verdict NAME TIMEOUT WANT_RC MARKER [REGEX WHAT]...: after
# media_run, PASS NAME when the exit status is WANT_RC, MARKER was printed
# and each extended REGEX matches a line of the output; else FAIL NAME
# with the first thing missing (WHAT says it in words), the command and
# the end of the output. Returns 0 on PASS.
media_verdict() {
	local name=$1 timeout_s=$2 want=$3 marker=$4 why=""
	shift 4
	# the line holding the marker, from the marker on
	[ -n "$RUN_SECS" ] && echo "time: $name $RUN_SECS s to $(grep -m1 -ao -- "$RUN_MARKER.*" "$tmp/out.txt" | cut -c1-80)"
	if [ "$RUN_STALLED" = 1 ]; then
		why="no output for ${MEDIA_STALL:-180} s, stopped as hung"
	else
		case $RUN_RC in
		124|137) why="timed out after $timeout_s s" ;;
		"$want") ;;
		*) why="exit status $RUN_RC, want $want" ;;
		esac
	fi
	if [ -z "$why" ] && ! grep -qaF -- "$marker" "$tmp/out.txt"; then
		why="no \"$marker\" in the output"
	fi
	while [ -z "$why" ] && [ $# -ge 2 ]; do
		grep -qaE -- "$1" "$tmp/out.txt" || why=$2
		shift 2
	done
	if [ -z "$why" ]; then
		echo "PASS $name"
		return 0
	fi
	# what the guest got to, for the reason line
	local last
	last=$(grep -aoE 'TRIVISOR-BOOT-OK cpus=[0-9]+|FLOPPY-(OK|BAD)[^\r]*|Linux version [^ ]*|ISOLINUX [0-9.]+|GRUB-ENV after[^\r]*|Booting `[^'"'"']*' "$tmp/out.txt" | tail -n1)
	echo "command: ${CMD[*]}"
	echo "last 60 lines of output:"
	tail -n 60 "$tmp/out.txt" | cut -c1-300
	echo "FAIL $name: $why${last:+ (last milestone: $last)}"
	return 1
}
