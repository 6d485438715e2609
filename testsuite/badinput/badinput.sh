#!/bin/bash
# Bad-input test: every unusable command line or input file gets one clear stderr line and a non-zero exit.
# SPDX-License-Identifier: MIT
#
# A case passes when trivisor exits by itself within 20 s with a status in
# 1..127 (no signal), prints exactly one non-empty line on stderr (lines
# starting "trivisor: warning:" aside: a tier may warn about the host before
# the error), names the offending file in it where a file is involved, and
# has not run the guest.
#
# The cases run under a tier that can run hello.elf on this host, so the
# error seen is the one the case provokes. Where no tier can, a case whose
# error is just the "cannot run here" line of the probe is a SKIP: trivisor
# refused before it looked at the bad input.
# Environment: O, TRIVISOR.

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
TIMEOUT=20
KERNEL=$O/guests/hello.elf	# a good kernel, for cases where something else is wrong
GUEST_SAYS="hello from guest"

if [ ! -x "$TRIVISOR" ]; then
	echo "FAIL badinput: $TRIVISOR not built"
	exit 0
fi
if [ ! -f "$KERNEL" ]; then
	echo "FAIL badinput: $KERNEL not built (make guests)"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/badinput.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

seq 1 20000 > "$tmp/garbage-kernel.bin"	# text: no multiboot header, no bzImage signature
: > "$tmp/empty-disk.img"
head -c 1000 /dev/zero > "$tmp/truncated-disk.img"		# not whole 512-byte sectors
head -c 3000 /dev/zero > "$tmp/odd-cd.iso"			# not whole 2048-byte sectors
head -c 1000000 /dev/zero > "$tmp/odd-floppy.img"		# no floppy has this size
head -c 1474560 /dev/zero > "$tmp/unreadable-floppy.img"
chmod 000 "$tmp/unreadable-floppy.img"
head -c 1048576 /dev/zero > "$tmp/disk.img"
mkfifo "$tmp/fifo.img"		# opening it for reading would wait for a writer
: > "$tmp/empty-kernel.bin"
echo "an initrd" > "$tmp/unreadable-initrd.img"
chmod 000 "$tmp/unreadable-initrd.img"

errors_of() { grep '[^[:space:]]' "$1" | grep -v '^trivisor: warning:'; }

# The first tier that runs the good kernel here.
ACCEL=""
for a in auto interp bt kvm; do
	{ timeout -k 5 "$TIMEOUT" "$TRIVISOR" -accel "$a" -m 64 -serial stdio -display none -no-reboot \
		-kernel "$KERNEL" > "$tmp/probe.out" 2> "$tmp/probe.err" < /dev/null; rc=$?; } 2>/dev/null
	if [ "$rc" -eq 1 ] && grep -qF "$GUEST_SAYS" "$tmp/probe.out"; then
		ACCEL=$a
		break
	fi
	[ "$a" = auto ] && errors_of "$tmp/probe.err" > "$tmp/no-tier.err"
done
if [ -z "$ACCEL" ]; then
	echo "badinput: no tier runs $KERNEL here; cases refused for that reason alone are skipped"
	ACCEL=auto
else
	: > "$tmp/no-tier.err"
	echo "badinput: using -accel $ACCEL"
fi

BASE=(-m 64 -serial stdio -display none -no-reboot)

# expect_error NAME MENTION [PREFIX...] -- ARGS...: MENTION is a string the
# error line must contain ("" for none); PREFIX runs the command (e.g. in a
# private mount namespace).
expect_error() {
	local name="badinput/$1" mention=$2 prefix=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do prefix+=("$1"); shift; done
	shift
	local cmd=("$TRIVISOR" "$@")
	{ timeout -k 5 "$TIMEOUT" "${prefix[@]}" "${cmd[@]}" > "$tmp/out" 2> "$tmp/err" < /dev/null; rc=$?; } 2>/dev/null
	local lines why=""
	errors_of "$tmp/err" > "$tmp/err.lines"
	lines=$(grep -c . "$tmp/err.lines")
	if [ "$rc" -ne 0 ] && [ -s "$tmp/no-tier.err" ] && cmp -s "$tmp/err.lines" "$tmp/no-tier.err"; then
		echo "SKIP $name: no tier runs here and trivisor says so before reading the input ($(cat "$tmp/no-tier.err"))"
		return
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="hung: no exit within $TIMEOUT s"
	elif [ "$rc" -eq 0 ]; then
		why="exit status 0, want non-zero"
	elif [ "$rc" -ge 128 ]; then
		why="killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null)), want a clean error exit"
	elif grep -qF "$GUEST_SAYS" "$tmp/out"; then
		why="the guest ran (its output is on stdout); the input should have been refused"
	elif [ "$lines" -ne 1 ]; then
		why="stderr has $lines non-empty lines, want exactly one"
	elif [ -n "$mention" ] && ! grep -qF -- "$mention" "$tmp/err"; then
		why="the error line does not name $mention"
	fi
	if [ -z "$why" ]; then
		echo "PASS $name ($(cat "$tmp/err.lines"))"
		return
	fi
	echo "FAIL $name: $why"
	echo "  command: ${prefix[*]}${prefix[*]:+ }${cmd[*]}"
	echo "  exit status: $rc"
	echo "  stderr:"
	sed -n '1,40s/^/  | /p' "$tmp/err"
	echo "  stdout (first 20 lines):"
	sed -n '1,20s/^/  | /p' "$tmp/out"
}

expect_error kernel-garbage garbage-kernel.bin -- -accel "$ACCEL" "${BASE[@]}" -kernel "$tmp/garbage-kernel.bin"
expect_error kernel-empty empty-kernel.bin -- -accel "$ACCEL" "${BASE[@]}" -kernel "$tmp/empty-kernel.bin"
expect_error kernel-missing no-such-kernel.bin -- -accel "$ACCEL" "${BASE[@]}" -kernel "$tmp/no-such-kernel.bin"
expect_error initrd-missing no-such-initrd.img -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -initrd "$tmp/no-such-initrd.img"
if [ -r "$tmp/unreadable-initrd.img" ]; then
	echo "SKIP badinput/initrd-unreadable: running as $(id -un), who can read a file with mode 000"
else
	expect_error initrd-unreadable unreadable-initrd.img -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -initrd "$tmp/unreadable-initrd.img"
fi
expect_error bios-missing no-such-bios.bin -- -accel "$ACCEL" "${BASE[@]}" -bios "$tmp/no-such-bios.bin"
expect_error bios-with-kernel no-such-bios.bin -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -bios "$tmp/no-such-bios.bin"
expect_error disk-missing no-such-disk.img -- -accel "$ACCEL" "${BASE[@]}" -hda "$tmp/no-such-disk.img"
expect_error disk-empty empty-disk.img -- -accel "$ACCEL" "${BASE[@]}" -hda "$tmp/empty-disk.img"
expect_error disk-truncated truncated-disk.img -- -accel "$ACCEL" "${BASE[@]}" -drive file="$tmp/truncated-disk.img",format=raw,if=ide
expect_error disk-directory "$tmp" -- -accel "$ACCEL" "${BASE[@]}" -hdb "$tmp" -hda "$tmp/disk.img"
expect_error disk-slave-alone disk.img -- -accel "$ACCEL" "${BASE[@]}" -hdb "$tmp/disk.img"
expect_error disk-format-qcow2 qcow2 -- -accel "$ACCEL" "${BASE[@]}" -drive file="$tmp/disk.img",format=qcow2
expect_error cdrom-odd-size odd-cd.iso -- -accel "$ACCEL" "${BASE[@]}" -cdrom "$tmp/odd-cd.iso"
expect_error cdrom-empty empty-disk.img -- -accel "$ACCEL" "${BASE[@]}" -cdrom "$tmp/empty-disk.img"
expect_error floppy-odd-size odd-floppy.img -- -accel "$ACCEL" "${BASE[@]}" -fda "$tmp/odd-floppy.img"
if [ -r "$tmp/unreadable-floppy.img" ]; then
	echo "SKIP badinput/floppy-unreadable: running as $(id -un), who can read a file with mode 000"
else
	expect_error floppy-unreadable unreadable-floppy.img -- -accel "$ACCEL" "${BASE[@]}" -fda "$tmp/unreadable-floppy.img"
fi
expect_error cdrom-fifo fifo.img -- -accel "$ACCEL" "${BASE[@]}" -cdrom "$tmp/fifo.img"
expect_error kernel-fifo fifo.img -- -accel "$ACCEL" "${BASE[@]}" -kernel "$tmp/fifo.img"
expect_error drive-twice disk.img -- -accel "$ACCEL" "${BASE[@]}" -hdc "$tmp/disk.img" -cdrom "$tmp/disk.img"
expect_error boot-letter "" -- -accel "$ACCEL" "${BASE[@]}" -boot order=cx
expect_error vga-bogus bogus -- -accel "$ACCEL" "${BASE[@]}" -vga bogus -kernel "$KERNEL"
expect_error mem-huge "" -- -accel "$ACCEL" -m 100000000 -serial stdio -display none -no-reboot -kernel "$KERNEL"
expect_error mem-over-host "" -- -accel "$ACCEL" -m 900G -serial stdio -display none -no-reboot -kernel "$KERNEL"
expect_error initrd-directory "$tmp" -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -initrd "$tmp"
expect_error mem-zero "" -- -accel "$ACCEL" -m 0 -serial stdio -display none -no-reboot -kernel "$KERNEL"
expect_error mem-garbage "" -- -accel "$ACCEL" -m lots -serial stdio -display none -no-reboot -kernel "$KERNEL"
expect_error unknown-flag -frobnicate -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -frobnicate
expect_error smp-zero "" -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -smp 0
expect_error smp-huge "" -- -accel "$ACCEL" "${BASE[@]}" -kernel "$KERNEL" -smp 9999
expect_error accel-nonsense nonsense -- -accel nonsense "${BASE[@]}" -kernel "$KERNEL"
expect_error accel-hot-huge hot=256 -- -accel bt,hot=256 "${BASE[@]}" -kernel "$KERNEL"
expect_error accel-hot-garbage hot=lots -- -accel bt,hot=lots "${BASE[@]}" -kernel "$KERNEL"
expect_error serial-bogus bogus -- -accel "$ACCEL" -m 64 -serial bogus:x -display none -no-reboot -kernel "$KERNEL"

# No /dev/kvm: faked by a private mount namespace with an empty /dev, which
# needs root and unshare; the command's stdio is opened before it.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	expect_error kvm-missing /dev/kvm unshare -m --propagation private \
		sh -c 'mount -t tmpfs trivisor-test /dev && exec "$@"' sh \
		-- -accel kvm "${BASE[@]}" -kernel "$KERNEL"
else
	echo "SKIP badinput/kvm-missing: a missing /dev/kvm can be faked only as root with unshare"
fi
exit 0
