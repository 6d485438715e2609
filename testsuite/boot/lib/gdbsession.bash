# What the GDB tests share (sourced by testsuite/boot/gdb.sh and
# gdbcatch.sh; not a test itself, so it does not end in .sh where runtests
# looks): one emulator and one gdb session over a command file.
# SPDX-License-Identifier: MIT
#
# Uses the caller's $tmp (scratch directory), $GDB and $GDB_TIMEOUT; sets
# $emu_pid while the emulator runs (for the caller's EXIT trap).
# shellcheck disable=SC2154,SC2034 # $tmp is the caller's; what is set is for it

oneline() { tr '\n\t' '  ' | tr -s ' ' | head -c 400; }

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# gdb_session CMDFILE ELF EMULATOR...: the emulator's command line, with
# every @PORT@ in it replaced by a free port, runs in the background; once
# it listens, gdb runs over CMDFILE (@PORT@ replaced, ELF on its command
# line when not empty). gdb's output in $tmp/out and its status in
# $gdb_rc; the emulator's output in $tmp/emu.out and its status in $emu_rc
# (or "killed"). Returns 1 with $why set when gdb never got to talk to the
# emulator.
gdb_session() {
	local cmds=$1 elf=$2 port listening=0
	shift 2
	port=$(free_port)
	: > "$tmp/out"
	timeout -k 5 $((GDB_TIMEOUT + 10)) "${@//@PORT@/$port}" > "$tmp/emu.out" 2>&1 < /dev/null &
	emu_pid=$!
	# wait for the listener (up to 10 s), or for the emulator to give up
	for _ in $(seq 100); do
		if ! kill -0 "$emu_pid" 2>/dev/null; then
			wait "$emu_pid"
			why="the emulator exited (status $?) before gdb connected: $(head -c 300 "$tmp/emu.out" | oneline)"
			emu_pid=""
			return 1
		fi
		if ! command -v ss > /dev/null || ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
			listening=1
			break
		fi
		sleep 0.1
	done
	sed "s/@PORT@/$port/g" "$cmds" > "$tmp/cmds.gdb"
	# SHELL: the command files' `shell` lines are sh
	SHELL=/bin/sh timeout -k 5 "$GDB_TIMEOUT" "$GDB" -nx -batch -x "$tmp/cmds.gdb" ${elf:+"$elf"} \
		> "$tmp/out" 2>&1 < /dev/null
	gdb_rc=$?
	# the emulator: gdb's kill or the guest's exit ends it; else we do
	for _ in $(seq 50); do
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$emu_pid" 2>/dev/null; then
		kill "$emu_pid" 2>/dev/null
		wait "$emu_pid" 2>/dev/null
		emu_rc=killed
	else
		wait "$emu_pid" 2>/dev/null
		emu_rc=$?
	fi
	emu_pid=""
	if [ "$listening" = 0 ]; then
		why="the emulator never listened on port $port: $(head -c 300 "$tmp/emu.out" | oneline)"
		return 1
	fi
	if grep -q 'Connection refused\|Connection timed out\|Remote communication error\|Remote replied unexpectedly\|packet reply is too long' "$tmp/out" &&
		! grep -q '^@@ connected' "$tmp/out"; then
		why="gdb could not talk to the stub: $(grep -m1 'refused\|timed out\|communication\|unexpectedly\|too long' "$tmp/out")"
		return 1
	fi
	if [ "$gdb_rc" = 124 ] || [ "$gdb_rc" = 137 ]; then
		echo "  (gdb timed out after $GDB_TIMEOUT s; its output is cut there)" >> "$tmp/out"
	fi
	return 0
}

# part NAME: the lines gdb printed after `echo @@ NAME` up to the next @@
part() {
	awk -v want="@@ $1" '$0 == want { on = 1; next } /^@@ / { on = 0 } on' "$tmp/out"
}
