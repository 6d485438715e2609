#!/bin/bash
# Boot test: VGA graphics modes set through the VGA BIOS, pixel for pixel.
# SPDX-License-Identifier: MIT
#
# SeaBIOS boots $(O)/guests/vgatest.img (testsuite/screen/vgatest.asm) from
# drive A:. It draws a known picture in mode 13h (256 colours, DAC set with
# int 10h AX=1012h), mode 12h (16 colours planar: write mode 2 for the top
# half, write mode 0 plane by plane for the bottom) and a VBE 640x480x32
# mode with its linear frame buffer, says "...-READY" on COM1 after each and
# waits for a key (int 16h). For each picture this script takes a
# screendump through the monitor, compares it pixel for pixel with what
# testsuite/screen/gfxcheck.py computes from the same formulas (640x400,
# 640x480, 640x480), then sends a key with sendkey. QEMU 7.2 shows the
# same three pictures, byte for byte in its PNG screendumps. Results:
#   boot/vga-mode13h [TIER]  boot/vga-mode12h [TIER]  boot/vga-vbe [TIER]
#   boot/vga-done [TIER]     the last key ends the guest: "VGATEST-DONE"
#                            and exit status 1 (isa-debug-exit, value 0)
# Environment: O, TRIVISOR, SCREEN_ACCEL (default interp), SCREEN_TIMEOUT
# (seconds for each step, default 120).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
IMG=$O/guests/vgatest.img
ACCEL=${SCREEN_ACCEL:-interp}
TIMEOUT=${SCREEN_TIMEOUT:-120}
# test | what the guest says when the picture is up | gfxcheck mode | key to go on
STEPS=("mode13h MODE13-READY mode13 spc" "mode12h MODE12-READY mode12 ret" "vbe VBE-READY vbe a")

all() {
	local s
	for s in "${STEPS[@]}"; do
		echo "$1 boot/vga-${s%% *} [$ACCEL]: $2"
	done
	echo "$1 boot/vga-done [$ACCEL]: $2"
}

if [ ! -x "$TRIVISOR" ]; then
	all FAIL "$TRIVISOR not built"
	exit 0
fi
if [ ! -f "$IMG" ]; then
	all FAIL "$IMG not built (make screen-tools)"
	exit 0
fi
if ! command -v python3 > /dev/null; then
	all SKIP "python3 is not installed"
	exit 0
fi
if [ "$ACCEL" = kvm ]; then
	# shellcheck source=testsuite/hostcaps/lib.sh
	. testsuite/hostcaps/lib.sh
	why=$(host_lacks kvm-hw)	# SeaBIOS starts in real mode
	if [ -n "$why" ]; then
		all SKIP "$why"
		exit 0
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/graphics.XXXXXX") || exit 1
# shellcheck source=testsuite/screen/lib.bash
. testsuite/screen/lib.bash
trap 'mon_stop; rm -rf "$tmp"' EXIT

# shellcheck disable=SC2054 # the commas are -device's
cmd=(timeout -k 5 $((TIMEOUT * 5)) "$TRIVISOR" -accel "$ACCEL" -m 32 -fda "$IMG" -boot a
     -device isa-debug-exit,iobase=0xf4,iosize=4 -serial "file:$tmp/serial" -monitor stdio
     -display none -no-reboot)
explain() {
	echo "command: ${cmd[*]}"
	echo "stderr:"
	tail -n 20 "$tmp/emu.err"
	echo "the serial port:"
	tr -d '\r' < "$tmp/serial" 2> /dev/null | tail -n 20
}

t0=$(date +%s)
mon_start "${cmd[@]}" || { all FAIL "cannot make the monitor's FIFO"; exit 0; }
failed=""
for s in "${STEPS[@]}"; do
	read -r name ready mode key <<<"$s"
	test="boot/vga-$name [$ACCEL]"
	if [ -n "$failed" ]; then
		echo "FAIL $test: $failed"
		continue
	fi
	why=""
	seen=0
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		grep -qa -- "$ready" "$tmp/serial" 2> /dev/null && { seen=1; break; }
		grep -qa VGATEST-BAD "$tmp/serial" 2> /dev/null && break
		kill -0 "$MON_PID" 2> /dev/null || break
		sleep 0.1
	done
	if [ "$seen" != 1 ]; then
		why="no \"$ready\" on COM1 within $TIMEOUT s$(grep -a -m1 -o 'VGATEST-BAD.*' "$tmp/serial" | tr -d '\r' | sed 's/^/: /')"
		kill -0 "$MON_PID" 2> /dev/null || why="trivisor exited before \"$ready\""
		failed="the guest did not get there"
	elif ! mon_screendump "$tmp/$name.png"; then
		why=$MON_WHY
		failed="no screendump"
	elif ! python3 testsuite/screen/gfxcheck.py "$mode" "$tmp/$name.png" > "$tmp/check.out" 2>&1; then
		why=$(tail -n 1 "$tmp/check.out")
	fi
	if [ -n "$why" ]; then
		explain
		echo "FAIL $test: $why"
	else
		echo "$test: $(cat "$tmp/check.out")"
		echo "PASS $test"
	fi
	if [ -z "$failed" ] && ! mon sendkey "$key"; then
		failed="the monitor did not answer sendkey"
	fi
done

test="boot/vga-done [$ACCEL]"
if [ -n "$failed" ]; then
	echo "FAIL $test: $failed"
	exit 0
fi
mon_wait_exit "$TIMEOUT"
if [ "$MON_RC" = 1 ] && grep -qa VGATEST-DONE "$tmp/serial"; then
	echo "PASS $test"
	echo "time: boot/vga [$ACCEL] $(($(date +%s) - t0)) s in all"
else
	explain
	echo "FAIL $test: ${MON_RC:+exit status $MON_RC}${MON_RC:-still running $TIMEOUT s after the last key}, want 1 after VGATEST-DONE"
fi
exit 0
