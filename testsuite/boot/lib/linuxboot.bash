# What the Linux boot tests share (sourced by testsuite/boot/linux*.sh; not
# a test itself, so it does not end in .sh where runtests looks).
# SPDX-License-Identifier: MIT
#
# Both functions use $tmp (the caller's scratch directory) and $TRIVISOR.

# fetch_paths SCRIPT ARCH REPORT: runs a fetch script (testsuite/fetch-images,
# testsuite/fetch-bootmedia), which prints the cached paths, into
# $tmp/paths. Where they cannot be had, calls REPORT with SKIP (exit
# status 2: the package registry cannot be reached) or FAIL and a reason,
# and returns 1.
fetch_paths() {
	local script=$1 arch=$2 report=$3 rc
	"$script" "$arch" > "$tmp/paths" 2> "$tmp/fetch.err"
	rc=$?
	if [ "$rc" -eq 2 ]; then
		"$report" SKIP "$(tail -n1 "$tmp/fetch.err")"
		return 1
	elif [ "$rc" -ne 0 ]; then
		cat "$tmp/fetch.err"
		"$report" FAIL "$script $arch failed (exit status $rc)"
		return 1
	fi
}

# fetch_linux ARCH REPORT: the cached kernel and initramfs of ARCH into
# KERNEL and INITRD (as fetch_paths says where they cannot be had).
fetch_linux() {
	fetch_paths testsuite/fetch-images "$1" "$2" || return 1
	KERNEL=$(sed -n 1p "$tmp/paths")
	INITRD=$(sed -n 2p "$tmp/paths")
}

# boot_linux NAME NCPUS TIMEOUT ACCEL INITRD: boots $KERNEL with INITRD on
# NCPUS CPUs until /init's `reboot -f`; PASS NAME when trivisor exits with
# status 0 after "TRIVISOR-BOOT-OK cpus=NCPUS", else FAIL NAME with why and
# the end of the console. The console, without carriage returns, is left in
# $tmp/out.txt.
boot_linux() {
	local name=$1 n=$2 timeout_s=$3 accel=$4 initrd=$5 rc marker why
	local cmd=("$TRIVISOR" -accel "$accel" -m 512 -smp "$n" -kernel "$KERNEL" -initrd "$initrd"
		   -append "console=ttyS0 panic=-1 trivisor.test=1" -serial stdio -display none -no-reboot)
	{ timeout -k 5 "$timeout_s" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	tr -d '\r' < "$tmp/out" > "$tmp/out.txt"
	marker=$(grep -m1 -o 'TRIVISOR-BOOT-OK cpus=[0-9]*' "$tmp/out.txt")
	if [ "$rc" -eq 0 ] && [ "$marker" = "TRIVISOR-BOOT-OK cpus=$n" ]; then
		echo "PASS $name"
		return 0
	fi
	case $rc in
	0) why="exit status 0 but ${marker:-no TRIVISOR-BOOT-OK marker} (want cpus=$n)" ;;
	124|137) why="timed out after $timeout_s s${marker:+ (after printing $marker)}" ;;
	*) why="exit status $rc${marker:+ (after printing $marker)}, want 0" ;;
	esac
	echo "command: ${cmd[*]}"
	echo "last 80 lines of output:"
	tail -n 80 "$tmp/out.txt"
	echo "FAIL $name: $why"
	return 1
}
