# What the screen tests share (sourced by testsuite/boot/screen.sh and
# testsuite/boot/graphics.sh): an emulator driven through its monitor on
# stdin, the way a person at `-monitor stdio` would.
# SPDX-License-Identifier: MIT
#
# The caller sets $tmp (scratch directory); MON_PID, MON_WHY and MON_RC are
# for the caller to read.
# shellcheck disable=SC2034,SC2154

# mon_start CMD...: runs CMD in the background with its stdin from a FIFO
# that fd 3 holds open (so the monitor never sees end of file), its stdout
# (the monitor's output) in $tmp/mon.out and its stderr in $tmp/emu.err.
# Its pid in MON_PID.
mon_start() {
	rm -f "$tmp/mon.fifo"
	mkfifo "$tmp/mon.fifo" || return 1
	exec 3<>"$tmp/mon.fifo"
	: > "$tmp/mon.out"
	"$@" < "$tmp/mon.fifo" > "$tmp/mon.out" 2> "$tmp/emu.err" &
	MON_PID=$!
	MON_N=0
}

# mon_prompts: how many prompts the monitor has printed
mon_prompts() { grep -o '(trivisor) ' "$tmp/mon.out" | wc -l; }

# mon LINE: one command line to the monitor; waits (up to 30 s) for the
# prompt that follows it, so what the command did is done. Returns 1 if
# the emulator exited or no prompt came.
mon() {
	local i
	printf '%s\n' "$*" >&3
	MON_N=$((MON_N + 1))
	for ((i = 0; i < 300; i++)); do
		[ "$(mon_prompts)" -gt "$MON_N" ] && return 0
		kill -0 "$MON_PID" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# mon_screendump FILE: a screendump into FILE; 1 (and why in MON_WHY) if
# none came
mon_screendump() {
	rm -f "$1"
	if ! mon screendump "$1"; then
		MON_WHY="the monitor did not answer screendump"
		return 1
	fi
	if [ ! -s "$1" ]; then
		MON_WHY="screendump wrote no file: $(tail -n 2 "$tmp/mon.out" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# key_name CHAR: the sendkey name of a character on a US keyboard
key_name() {
	case $1 in
	[a-z0-9]) echo "$1" ;;
	[A-Z]) echo "shift-${1,,}" ;;
	' ') echo spc ;;
	-) echo minus ;;
	_) echo shift-minus ;;
	.) echo dot ;;
	'>') echo shift-dot ;;
	,) echo comma ;;
	/) echo slash ;;
	=) echo equal ;;
	*) return 1 ;;
	esac
}

# mon_type TEXT: types TEXT and Return through sendkey, a key every 50 ms
mon_type() {
	local s=$1 i k
	for ((i = 0; i < ${#s}; i++)); do
		k=$(key_name "${s:i:1}") || { MON_WHY="no key for '${s:i:1}'"; return 1; }
		mon sendkey "$k" || { MON_WHY="the monitor did not answer sendkey $k"; return 1; }
		sleep 0.05
	done
	mon sendkey ret || { MON_WHY="the monitor did not answer sendkey ret"; return 1; }
}

# mon_wait_exit SECONDS: waits for the emulator to exit; its status in
# MON_RC (empty if it was still running after SECONDS, and then it is
# stopped)
mon_wait_exit() {
	local i
	MON_RC=""
	for ((i = 0; i < $1 * 10; i++)); do
		if ! kill -0 "$MON_PID" 2> /dev/null; then
			wait "$MON_PID"
			MON_RC=$?
			return 0
		fi
		sleep 0.1
	done
	mon_stop
}

# mon_stop: ends the emulator if it still runs
mon_stop() {
	if [ -n "${MON_PID:-}" ] && kill -0 "$MON_PID" 2> /dev/null; then
		kill "$MON_PID" 2> /dev/null
		wait "$MON_PID" 2> /dev/null
	fi
	exec 3>&- 2> /dev/null
	MON_PID=""
}
