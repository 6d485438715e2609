#!/bin/bash
# Boot test: Debian's amd64 kernel on the VGA text screen and the PS/2
# keyboard, driven through the monitor as a person would.
# SPDX-License-Identifier: MIT
#
# The kernel is booted directly (-kernel, the VGA left in text mode 3 with
# the VGA BIOS's font) with console=tty0 last, so /dev/console, /init's
# marker and busybox's shell are on the screen and the keyboard; the serial
# port (a file) gets the kernel's messages too. -monitor stdio is fed from
# this script. Three results:
#   boot/screen-text [TIER]      screendumps (every 2 s) until the screen
#       shows /init's "TRIVISOR-BOOT-OK" and the shell's prompt; that PNG
#       must be 720x400, every 9x16 cell of it must be a glyph of the 8x16
#       font drawn in two colours (testsuite/screen/pngtext), the marker
#       must be a line of it, and every kernel message line on it ("[ t ]")
#       must be text the serial port got too
#   boot/screen-keyboard [TIER]  `dmesg -n 1`, then `echo key-ok-N >
#       /dev/ttyS0` typed with sendkey: the serial file gets the line
#       key-ok-N, and the screen shows the command line as typed
#   boot/screen-reboot [TIER]    `reboot -f` typed: trivisor (-no-reboot)
#       exits with status 0
# (The ACPI power-off of a directly booted kernel is testsuite/boot/poweroff.sh's.)
# Environment: O, TRIVISOR, SCREEN_ACCEL (default interp), SCREEN_TIMEOUT
# (seconds to the marker, default 180).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
PNGTEXT=$O/screen/pngtext
ACCEL=${SCREEN_ACCEL:-interp}
TIMEOUT=${SCREEN_TIMEOUT:-180}
MARKER="TRIVISOR-BOOT-OK cpus=1"
TESTS=(text keyboard reboot)

all() {
	local t
	for t in "${TESTS[@]}"; do
		echo "$1 boot/screen-$t [$ACCEL]: $2"
	done
}
# rest_from TEST VERDICT WHY: TEST and the ones after it, which cannot run
rest_from() {
	local t on=0
	for t in "${TESTS[@]}"; do
		[ "$t" = "$1" ] && on=1
		[ "$on" = 1 ] && echo "$2 boot/screen-$t [$ACCEL]: $3"
	done
}

for f in "$TRIVISOR" "$PNGTEXT"; do
	if [ ! -x "$f" ]; then
		all FAIL "$f not built"
		exit 0
	fi
done
if [ "$ACCEL" = kvm ]; then
	# shellcheck source=testsuite/hostcaps/lib.sh
	. testsuite/hostcaps/lib.sh
	why=$(host_lacks kvm)
	if [ -n "$why" ]; then
		all SKIP "$why"
		exit 0
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/screen.XXXXXX") || exit 1
# shellcheck source=testsuite/screen/lib.bash
. testsuite/screen/lib.bash
trap 'mon_stop; rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash
fetch_linux amd64 all || exit 0

# what went wrong, with the end of the serial port and of the screen
explain() {
	echo "command: ${cmd[*]}"
	echo "stderr:"
	tail -n 20 "$tmp/emu.err"
	echo "last 30 lines of the serial port:"
	tr -d '\r' < "$tmp/serial" 2> /dev/null | tail -n 30
	if [ -s "$tmp/screen.txt" ]; then
		echo "the screen as read back:"
		sed 's/^/  |/' "$tmp/screen.txt"
	fi
	[ -s "$tmp/pngtext.err" ] && head -n 20 "$tmp/pngtext.err"
}

# screen FILE: a screendump into FILE, its text in $tmp/screen.txt, the
# reader's status in TEXT_RC
screen() {
	mon_screendump "$1" || return 1
	"$PNGTEXT" -v "$1" > "$tmp/screen.txt" 2> "$tmp/pngtext.err"
	TEXT_RC=$?
	return 0
}

cmd=(timeout -k 5 $((TIMEOUT + 300)) "$TRIVISOR" -accel "$ACCEL" -m 512 -kernel "$KERNEL" -initrd "$INITRD"
     -append "console=ttyS0 console=tty0 panic=-1" -serial "file:$tmp/serial" -monitor stdio
     -display none -no-reboot)
t0=$(date +%s)
mon_start "${cmd[@]}" || { all FAIL "cannot make the monitor's FIFO"; exit 0; }

# ---- the text screen ----
why="no screendump showed \"$MARKER\" and the shell's prompt within $TIMEOUT s"
ready=0
while [ $(($(date +%s) - t0)) -lt "$TIMEOUT" ]; do
	sleep 2
	if ! kill -0 "$MON_PID" 2> /dev/null; then
		why="trivisor exited early"
		break
	fi
	if ! screen "$tmp/screen.png"; then
		why=$MON_WHY
		break
	fi
	# the marker, and the shell's prompt on a line after it (a late kernel
	# message, such as "random: crng init done", may follow the prompt)
	if awk -v m="$MARKER" '$0 == m { seen = 1 } seen && /^\/ #/ { ok = 1 } END { exit !ok }' "$tmp/screen.txt"; then
		ready=1
		break
	fi
done
secs=$(($(date +%s) - t0))
if [ "$ready" != 1 ]; then
	explain
	rest_from text FAIL "$why"
	exit 0
fi
echo "time: boot/screen-text [$ACCEL] ${secs} s to the shell's prompt on the screen"
cat "$tmp/pngtext.err"
tr -d '\r' < "$tmp/serial" > "$tmp/serial.txt"
size=$(sed -n 's/^pngtext: \([0-9]*x[0-9]*\),.*/\1/p' "$tmp/pngtext.err")
# kernel message lines on the screen, each in the serial port's copy
nmsg=0
missing=""
while IFS= read -r line; do
	nmsg=$((nmsg + 1))
	grep -qF -- "$line" "$tmp/serial.txt" || { missing=$line; break; }
done < <(grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$tmp/screen.txt")
if [ "$size" != 720x400 ]; then
	why="the screendump is ${size:-of no size}, want 720x400 (80x25 cells of 9x16)"
elif [ "$TEXT_RC" != 0 ]; then
	why="$(grep -c 'matches no glyph' "$tmp/pngtext.err") cells match no glyph of the font"
elif [ -n "$missing" ]; then
	why="the screen's line \"$missing\" is not in the serial port's output"
elif [ "$nmsg" -lt 3 ]; then
	why="only $nmsg kernel message lines on the screen, want 3 or more"
else
	why=""
fi
if [ -n "$why" ]; then
	explain
	echo "FAIL boot/screen-text [$ACCEL]: $why"
else
	echo "PASS boot/screen-text [$ACCEL]"
fi

# ---- the keyboard ----
# first `dmesg -n 1`: no kernel message (random: crng init done...) may
# land in the middle of the command line checked on the screen
token="key-ok-$RANDOM$RANDOM"
typed="echo $token > /dev/ttyS0"
if ! mon_type "dmesg -n 1"; then
	explain
	rest_from keyboard FAIL "$MON_WHY"
	exit 0
fi
# the next prompt first: keys typed ahead would be echoed before it
prompt=0
for ((i = 0; i < 30; i++)); do
	sleep 1
	screen "$tmp/dmesg.png" || break
	awk '$0 == "/ # dmesg -n 1" { d = 1; next } d && $0 == "/ #" { ok = 1 } END { exit !ok }' "$tmp/screen.txt" &&
		{ prompt=1; break; }
done
if [ "$prompt" != 1 ]; then
	explain
	rest_from keyboard FAIL "no prompt after the typed \"dmesg -n 1\" within 30 s${MON_WHY:+ ($MON_WHY)}"
	exit 0
fi
if ! mon_type "$typed"; then
	explain
	rest_from keyboard FAIL "$MON_WHY"
	exit 0
fi
got=0
for ((i = 0; i < 600; i++)); do
	tr -d '\r' < "$tmp/serial" | grep -qx -- "$token" && { got=1; break; }
	kill -0 "$MON_PID" 2> /dev/null || break
	sleep 0.1
done
why=""
if [ "$got" != 1 ]; then
	why="the serial port did not get the line $token within 60 s"
elif ! screen "$tmp/typed.png"; then
	why=$MON_WHY
elif ! grep -qxF "/ # $typed" "$tmp/screen.txt"; then
	why="the screen does not show the command line \"/ # $typed\""
elif [ "$TEXT_RC" != 0 ]; then
	why="after typing, $(grep -c 'matches no glyph' "$tmp/pngtext.err") cells match no glyph"
fi
if [ -n "$why" ]; then
	explain
	rest_from keyboard FAIL "$why"
	exit 0
fi
echo "PASS boot/screen-keyboard [$ACCEL]"

# ---- reboot -f from the keyboard: -no-reboot makes it the end ----
if ! mon_type "reboot -f"; then
	explain
	echo "FAIL boot/screen-reboot [$ACCEL]: $MON_WHY"
	exit 0
fi
mon_wait_exit 60
if [ "$MON_RC" = 0 ]; then
	echo "PASS boot/screen-reboot [$ACCEL]"
	echo "time: boot/screen [$ACCEL] $(($(date +%s) - t0)) s in all"
else
	explain
	echo "FAIL boot/screen-reboot [$ACCEL]: ${MON_RC:+exit status $MON_RC, want 0}${MON_RC:-still running 60 s after reboot -f was typed}"
fi
exit 0
