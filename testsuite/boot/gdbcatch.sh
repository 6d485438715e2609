#!/bin/bash
# The debugger's catches, -no-shutdown, arch=i386, qqemu.sstep and bad -gdb
# arguments, driven by Debian's gdb in batch mode (as testsuite/boot/gdb.sh).
# SPDX-License-Identifier: MIT
#
# Sessions run as in gdb.sh: the emulator stopped (-S -gdb tcp::PORT
# -display none -serial file: -no-reboot) under timeout, `gdb -nx -batch -x
# CMDS` against it under timeout, gdb's output split by `echo @@ NAME`.
#   gdbcatch/vector       exceptions.elf: `monitor catch vector 6`, `monitor
#                         info catch` says "catching: vectors 6"; continue:
#                         the stub's console line "cpu0: vector 6 (#UD)",
#                         one SIGTRAP stop, x/i $pc is the ud2 whose address
#                         the guest later reports ("#UD ok: ... eip 0x...")
#   gdbcatch/vector-off   `monitor catch vector 6 off` (info catch: nothing),
#                         continue: the held #UD is delivered and the guest
#                         runs to "exceptions ok", gdb sees the connection
#                         close, exit status 1 (0 written to port 0xf4)
#   gdbcatch/io           hello.elf: `monitor catch io 0x3f8-0x3ff`: stops
#                         after `in (%dx),%al` from 0x3fd (puts polls the LSR
#                         first) with "cpu0: port 0x3fd accessed", then after
#                         `out %al,(%dx)` to 0x3f8 with "port 0x3f8 accessed"
#   gdbcatch/io-off       `monitor catch io off`: runs to "hello from guest",
#                         connection closed, exit status 1
#   gdbcatch/triple       reset.elf -append via=2 -no-shutdown -no-reboot,
#                         no gdb: stderr has "stopped: cpu0: triple fault"
#                         and the cs:rip (at the guest's int3), cr0, gdt lines
#                         after it, and 3 s on the process still runs; the
#                         script kills it
#   gdbcatch/triple-exit  the same without -no-shutdown: the reset ends the
#                         emulator (-no-reboot), status 0, no second boot
#   gdbcatch/triple-gdb   -no-shutdown with gdb: info catch says "triple
#                         fault"; continue stops (SIGTRAP) with "cpu0: triple
#                         fault" and pc at the int3; a further continue is the
#                         reset: -no-reboot ends the emulator with status 0
#   gdbcatch/arch-i386    -gdb tcp::PORT,arch=i386 with gdbguest32.elf on gdb's
#                         command line (gdb picks i386 from the ELF): show
#                         architecture says i386, break target_func stops with
#                         n=1, `p n` is 1 (32-bit DWARF register numbers map),
#                         info registers eip names target_func, rip is invalid
#   gdbcatch/sstep-query  pit_pic.elf: qqemu.sstepbits is
#                         "ENABLE=1,NOIRQ=2,NOTIMER=4", qqemu.sstep "0x1"
#   gdbcatch/sstep-irq    break at the `sti; hlt` of the while (ticks < 50)
#                         loop in guest_main (IF=1, PIT IRQ0 at 1 kHz): 200
#                         stepi never leave the loop (sti .. the branch back),
#                         so no step lands in the IRQ handler, while the
#                         handler does run (ticks goes up: each hlt step waits
#                         for an IRQ, which runs through to its iret). gdb
#                         adds ticks up and sets it back to 0 after each step,
#                         so the loop never ends.
#   gdbcatch/sstep-set    `maintenance packet Qqemu.sstep=0x7` is OK and
#                         qqemu.sstep then says 0x7: the form QEMU takes
#                         (it parses the value with strtoul base 16) and the
#                         one qqemu.sstep replies in
#   gdbcatch/sstep-noirq  Qqemu.sstep=7 (no 0x, so that this case does not
#                         depend on sstep-set), then 200 stepi in the same
#                         loop: all in the loop, and ticks stays 0 (no IRQ is
#                         taken during a step; a hlt step completes)
#   gdbcatch/bad-arch     -gdb tcp::1234,arch=sparc: one error line naming
#                         the argument, nothing on stdout, status 1
#   gdbcatch/bad-port     -gdb tcp::99999: the same, status non-zero
# Tier: interp only. The catches are common code (cpu/debug.h) but this
# script does not run them on kvm; gdb.sh covers the stub on kvm.
# A stub that never answers costs GDB_TIMEOUT per session, never a hang.
# Environment: O, TRIVISOR, GDB (default gdb), GDB_TIMEOUT (seconds per gdb
# session, default 60), GDB_KEEP (set: keep the last session's files).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
GDB=${GDB:-gdb}
GDB_TIMEOUT=${GDB_TIMEOUT:-60}
EXC=$O/guests/exceptions.elf
HELLO=$O/guests/hello.elf
RESET=$O/guests/reset.elf
PITPIC=$O/guests/pit_pic.elf
G32=$O/gdb/gdbguest32.elf
TIER=interp
CASES=(vector vector-off io io-off triple triple-exit triple-gdb arch-i386 sstep-query sstep-irq
	sstep-set sstep-noirq bad-arch bad-port)
GDB_CASES=(vector vector-off io io-off triple-gdb arch-i386 sstep-query sstep-irq sstep-set sstep-noirq)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-gdbcatch.XXXXXX") || exit 1
emu_pid=""
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
[ -n "$GDB_KEEP" ] && trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; echo "gdbcatch.sh: the last session is in $tmp" >&2' EXIT
# shellcheck source=testsuite/boot/lib/gdbsession.bash
. testsuite/boot/lib/gdbsession.bash

result() {	# result CASE OK WHY
	if [ "$2" = 1 ]; then
		echo "PASS gdbcatch/$1 [$TIER]"
	else
		echo "FAIL gdbcatch/$1 [$TIER]: $3"
	fi
}

# session CMDFILE GDB-ELF GDB-OPTS EMULATOR-ARGS...: one emulator
# (-gdb tcp::PORT$GDB-OPTS) and one gdb over CMDFILE (gdb_session), COM1
# in $tmp/serial
session() {
	local cmds=$1 elf=$2 opts=$3
	shift 3
	: > "$tmp/serial"
	gdb_session "$cmds" "$elf" "$TRIVISOR" -accel "$TIER" -m 64 "$@" \
		-S -gdb "tcp::@PORT@$opts" -display none -serial "file:$tmp/serial" -no-reboot
}

# insn_addr FUNC MNEMONIC ELF: the first MNEMONIC in FUNC, as 0x...
insn_addr() {
	objdump -d --no-show-raw-insn "$3" | awk -v f="<$1>:" -v m="$2" '
		$2 == f { on = 1; next }
		on && /^$/ { exit }
		on && $2 == m { a = $1; sub(/:$/, "", a); print "0x" a; exit }'
}

# sti_loop ELF: "LO HI", the `sti; hlt` loop in guest_main: from the sti
# to the conditional jump back to it
sti_loop() {
	objdump -d --no-show-raw-insn "$1" | awk '
		$2 == "<guest_main>:" { on = 1; next }
		on && /^$/ { exit }
		on {
			a = $1; sub(/:$/, "", a)
			if ($2 == "hlt" && pins == "sti" && sti == "") sti = pa
			if (sti != "" && $2 ~ /^j/ && $3 == sti) { print "0x" sti, "0x" a; exit }
			pa = a; pins = $2
		}'
}

# steps_in PART LO HI: "" when PART has 200 "pc 0x..." lines, all in
# [LO, HI]; else what was wrong
steps_in() {
	local n=0 bad="" pc
	while read -r pc; do
		n=$((n + 1))
		if [ $((pc)) -lt $(($2)) ] || [ $((pc)) -gt $(($3)) ]; then
			[ -z "$bad" ] && bad="step $n: pc $pc ($(part "$1" | grep -m1 -B2 "^pc $pc\$" | head -2 | oneline))"
		fi
	done < <(part "$1" | sed -n 's/^pc \(0x[0-9a-f]*\)$/\1/p')
	if [ "$n" != 200 ]; then
		echo "$n steps reported, want 200${bad:+; $bad}"
	elif [ -n "$bad" ]; then
		echo "left the loop $2-$3 at $bad"
	fi
}

# ---- the command files ----
CONNECT='set tcp connect-timeout 20
target remote 127.0.0.1:@PORT@
echo @@ connected\n
'
cat > "$tmp/vector.gdb" <<EOF
${CONNECT}symbol-file $EXC
monitor catch vector 6
echo @@ info\n
monitor info catch
echo @@ stop\n
continue
echo @@ xi\n
x/i \$pc
echo @@ off\n
monitor catch vector 6 off
monitor info catch
echo @@ run\n
continue
echo @@ end\n
EOF
cat > "$tmp/io.gdb" <<EOF
${CONNECT}symbol-file $HELLO
monitor catch io 0x3f8-0x3ff
echo @@ info\n
monitor info catch
echo @@ stop1\n
continue
echo @@ prev1\n
x/i \$pc-1
printf "dx=%#x\n", \$rdx & 0xffff
echo @@ stop2\n
continue
echo @@ prev2\n
x/i \$pc-1
printf "dx=%#x\n", \$rdx & 0xffff
echo @@ off\n
monitor catch io off
monitor info catch
echo @@ run\n
continue
echo @@ end\n
EOF
cat > "$tmp/triple.gdb" <<EOF
${CONNECT}symbol-file $RESET
echo @@ info\n
monitor info catch
echo @@ stop\n
continue
echo @@ xi\n
x/i \$pc
echo @@ reset\n
continue
echo @@ end\n
EOF
cat > "$tmp/i386.gdb" <<EOF
${CONNECT}echo @@ arch\n
show architecture
break target_func
echo @@ hit\n
continue
echo @@ p\n
p n
echo @@ eip\n
info registers eip
echo @@ rip\n
info registers rip
echo @@ end\n
kill
EOF
# steps PART: 200 stepi, each "pc 0x...", ticks added to \$sum and zeroed
steps() {
	cat <<EOF
set \$i = 0
set \$sum = 0
echo @@ $1\n
while \$i < 200
  stepi
  printf "pc %#x\n", \$pc
  set \$sum = \$sum + ticks
  set var ticks = 0
  set \$i = \$i + 1
end
echo @@ $1-ticks\n
printf "ticks %u\n", \$sum
EOF
}
{
	echo "${CONNECT}symbol-file $PITPIC"
	cat <<'EOF'
echo @@ bits\n
maintenance packet qqemu.sstepbits
echo @@ sstep\n
maintenance packet qqemu.sstep
break *@STI@
echo @@ brk\n
continue
delete
printf "pc0 %#x\n", $pc
printf "ticks %u\n", ticks
EOF
	steps irq
	cat <<'EOF'
echo @@ set0x7\n
maintenance packet Qqemu.sstep=0x7
maintenance packet qqemu.sstep
echo @@ set7\n
maintenance packet Qqemu.sstep=7
maintenance packet qqemu.sstep
EOF
	steps noirq
	cat <<'EOF'
echo @@ end\n
kill
EOF
} > "$tmp/sstep.gdb"

# ---- the cases ----
run_vector() {
	local ok x a
	if ! session "$tmp/vector.gdb" "" "" -kernel "$EXC"; then
		result vector 0 "$why"; result vector-off 0 "$why"
		return
	fi
	ok=0
	x=$(part stop)
	a=$(tr -d '\r' < "$tmp/serial" | sed -n 's/^#UD ok: vector 6 eip \(0x[0-9a-f]*\)$/\1/p')
	if [ "$(part info)" != "catching: vectors 6" ]; then
		why="monitor info catch said: $(part info | oneline)"
	elif ! grep -qx 'cpu0: vector 6 (#UD)' <<< "$x" ||
		[ "$(grep -c '^Program received signal SIGTRAP' <<< "$x")" != 1 ]; then
		why="want 'cpu0: vector 6 (#UD)' and one SIGTRAP stop: $(oneline <<< "$x")"
	elif ! part xi | grep -Eq $'^=> 0x[0-9a-f]+( <[^>]*>)?:\tud2$'; then
		why="x/i \$pc is not a ud2: $(part xi | oneline)"
	elif [ -z "$a" ] || ! part xi | grep -q "^=> ${a}[ :]"; then
		why="pc is not the #UD the guest reports (COM1: '#UD ok: vector 6 eip ${a:-?}'): $(part xi | oneline)"
	else
		ok=1
	fi
	result vector $ok "$why"
	ok=0
	x=$(part run)
	if [ "$(part off)" != "catching: nothing" ]; then
		why="after catch vector 6 off, info catch said: $(part off | oneline)"
	elif ! grep -q '^exceptions ok' "$tmp/serial" || ! grep -q '^Remote connection closed' <<< "$x" ||
		[ "$emu_rc" != 1 ]; then
		why="want 'exceptions ok' on COM1, the connection closed and status 1; COM1: $(oneline < "$tmp/serial") / gdb: $(oneline <<< "$x") / status $emu_rc"
	else
		ok=1
	fi
	result vector-off $ok "$why"
}

run_io() {
	local ok x
	if ! session "$tmp/io.gdb" "" "" -kernel "$HELLO"; then
		result io 0 "$why"; result io-off 0 "$why"
		return
	fi
	ok=0
	if [ "$(part info)" != "catching: ports 0x3f8-0x3ff" ]; then
		why="monitor info catch said: $(part info | oneline)"
	elif ! part stop1 | grep -qx 'cpu0: port 0x3fd accessed' ||
		! part stop1 | grep -q '^Program received signal SIGTRAP'; then
		why="first stop: want 'cpu0: port 0x3fd accessed' and SIGTRAP: $(part stop1 | oneline)"
	elif ! part prev1 | grep -Eq $':\tin +\\(%dx\\),%al$' || ! part prev1 | grep -qx 'dx=0x3fd'; then
		why="first stop: want an in (%dx),%al with dx 0x3fd just before pc: $(part prev1 | oneline)"
	elif ! part stop2 | grep -qx 'cpu0: port 0x3f8 accessed' ||
		! part stop2 | grep -q '^Program received signal SIGTRAP'; then
		why="second stop: want 'cpu0: port 0x3f8 accessed' and SIGTRAP: $(part stop2 | oneline)"
	elif ! part prev2 | grep -Eq $':\tout +%al,\\(%dx\\)$' || ! part prev2 | grep -qx 'dx=0x3f8'; then
		why="second stop: want an out %al,(%dx) with dx 0x3f8 just before pc: $(part prev2 | oneline)"
	else
		ok=1
	fi
	result io $ok "$why"
	ok=0
	x=$(part run)
	if [ "$(part off)" != "catching: nothing" ]; then
		why="after catch io off, info catch said: $(part off | oneline)"
	elif ! grep -q '^hello from guest' "$tmp/serial" || ! grep -q '^Remote connection closed' <<< "$x" ||
		[ "$emu_rc" != 1 ]; then
		why="want 'hello from guest' on COM1, the connection closed and status 1; COM1: $(oneline < "$tmp/serial") / gdb: $(oneline <<< "$x") / status $emu_rc"
	else
		ok=1
	fi
	result io-off $ok "$why"
}

run_triple() {
	local ok int3 pid alive rc err
	int3=$(insn_addr guest_main int3 "$RESET")
	# without gdb: -no-shutdown stops the VM and reports on stderr
	: > "$tmp/serial"
	timeout -k 5 30 "$TRIVISOR" -accel "$TIER" -m 64 -kernel "$RESET" -append via=2 -no-shutdown \
		-display none -serial "file:$tmp/serial" -no-reboot > "$tmp/emu.out" 2>&1 < /dev/null &
	pid=$!
	emu_pid=$pid
	for _ in $(seq 100); do
		grep -q 'stopped:' "$tmp/emu.out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 3
	alive=0
	kill -0 "$pid" 2>/dev/null && alive=1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	emu_pid=""
	err=$(sed 's/^[^:]*: //' "$tmp/emu.out")
	ok=0
	if ! grep -q '^stopped: cpu0: triple fault' <<< "$err"; then
		why="no 'stopped: cpu0: triple fault' on stderr: $(oneline <<< "$err")"
	elif ! grep -A3 '^stopped: cpu0: triple fault' <<< "$err" |
		grep -Eq "^  cs:rip 0008:0*${int3#0x} ss:rsp 0010:[0-9a-f]+ rflags [0-9a-f]+$"; then
		why="want '  cs:rip 0008:<the int3 at $int3> ...' after the stop line: $(oneline <<< "$err")"
	elif ! grep -A3 '^stopped: cpu0: triple fault' <<< "$err" | grep -q '^  cr0 [0-9a-f]* cr2 ' ||
		! grep -A3 '^stopped: cpu0: triple fault' <<< "$err" | grep -q '^  gdt [0-9a-f]*/[0-9a-f]* idt '; then
		why="want the cr0 and gdt lines after the stop line: $(oneline <<< "$err")"
	elif [ "$alive" != 1 ]; then
		why="the emulator was gone 3 s after the stop (status $rc): $(oneline <<< "$err")"
	elif ! grep -q '^first boot' "$tmp/serial" || grep -q 'second boot' "$tmp/serial"; then
		why="want 'first boot' and no second on COM1: $(oneline < "$tmp/serial")"
	else
		ok=1
	fi
	result triple $ok "$why"

	# without -no-shutdown: the triple fault resets, and -no-reboot ends it
	: > "$tmp/serial"
	timeout -k 5 30 "$TRIVISOR" -accel "$TIER" -m 64 -kernel "$RESET" -append via=2 \
		-display none -serial "file:$tmp/serial" -no-reboot > "$tmp/emu.out" 2>&1 < /dev/null
	rc=$?
	ok=0
	if [ "$rc" != 0 ] || grep -q 'second boot' "$tmp/serial" || grep -q 'stopped:' "$tmp/emu.out"; then
		why="want status 0, no 'stopped:' and no second boot; status $rc, stderr: $(oneline < "$tmp/emu.out") / COM1: $(oneline < "$tmp/serial")"
	else
		ok=1
	fi
	result triple-exit $ok "$why"
}

run_triple_gdb() {
	local ok=0 int3
	int3=$(insn_addr guest_main int3 "$RESET")
	if ! session "$tmp/triple.gdb" "" "" -kernel "$RESET" -append via=2 -no-shutdown; then
		result triple-gdb 0 "$why"
		return
	fi
	if [ "$(part info)" != "catching: triple fault" ]; then
		why="with -no-shutdown, monitor info catch said: $(part info | oneline)"
	elif ! part stop | grep -qx 'cpu0: triple fault' || ! part stop | grep -q '^Program received signal SIGTRAP'; then
		why="want 'cpu0: triple fault' and a SIGTRAP stop: $(part stop | oneline)"
	elif ! part xi | grep -Eq "^=> $int3( <[^>]*>)?:"$'\tint3$'; then
		why="want pc at the int3 $int3: $(part xi | oneline)"
	elif ! part reset | grep -q '^Remote connection closed' || [ "$emu_rc" != 0 ] ||
		grep -q 'second boot' "$tmp/serial"; then
		why="continue after the stop: want the reset to end the emulator (-no-reboot), status 0; gdb: $(part reset | oneline) / status $emu_rc / COM1: $(oneline < "$tmp/serial")"
	else
		ok=1
	fi
	result triple-gdb $ok "$why"
}

run_i386() {
	local ok
	if ! session "$tmp/i386.gdb" "$G32" ",arch=i386" -kernel "$G32"; then
		result arch-i386 0 "$why"
		return
	fi
	ok=0
	if ! part arch | grep -q '(currently "i386")'; then
		why="show architecture: $(part arch | oneline)"
	elif ! part hit | grep -q '^Breakpoint 1, target_func (n=1) at '; then
		why="want 'Breakpoint 1, target_func (n=1)': $(part hit | oneline)"
	elif [ "$(part p)" != "\$1 = 1" ]; then
		why="p n: $(part p | oneline)"
	elif ! part eip | grep -Eq '^eip +0x[0-9a-f]+ +0x[0-9a-f]+ <target_func\+[0-9]+>$'; then
		why="info registers eip: $(part eip | oneline)"
	elif ! part rip | grep -q "Invalid register .rip'"; then
		why="the i386 layout has no rip, but info registers rip said: $(part rip | oneline)"
	else
		ok=1
	fi
	result arch-i386 $ok "$why"
}

run_sstep() {
	local ok lohi lo hi bad t
	lohi=$(sti_loop "$PITPIC")
	if [ -z "$lohi" ]; then
		for c in sstep-query sstep-irq sstep-set sstep-noirq; do
			result $c 0 "no sti; hlt loop found in guest_main of $PITPIC"
		done
		return
	fi
	read -r lo hi <<< "$lohi"
	sed -i "s/@STI@/$lo/" "$tmp/sstep.gdb"
	if ! session "$tmp/sstep.gdb" "" "" -kernel "$PITPIC"; then
		for c in sstep-query sstep-irq sstep-set sstep-noirq; do result $c 0 "$why"; done
		return
	fi
	ok=0
	if part bits | grep -qx 'received: "ENABLE=1,NOIRQ=2,NOTIMER=4"' && part sstep | grep -qx 'received: "0x1"'; then
		ok=1
	fi
	result sstep-query $ok "want ENABLE=1,NOIRQ=2,NOTIMER=4 and 0x1: $({ part bits; part sstep; } | oneline)"
	ok=0
	t=$(part irq-ticks | sed -n 's/^ticks \([0-9]*\)$/\1/p')
	if ! part brk | grep -q "^Breakpoint 1, " || ! part brk | grep -qx "pc0 $lo"; then
		why="no stop at the loop's sti $lo: $(part brk | oneline)"
	elif bad=$(steps_in irq "$lo" "$hi") && [ -n "$bad" ]; then
		why="$bad"
	elif [ -z "$t" ] || [ "$t" = 0 ]; then
		why="the IRQ0 handler never ran during the 200 steps (ticks ${t:-?}): hlt steps must wait for an IRQ"
	else
		ok=1
	fi
	result sstep-irq $ok "$why"
	ok=0
	if part set0x7 | grep -qx 'received: "OK"' && part set0x7 | grep -qx 'received: "0x7"'; then
		ok=1
	fi
	result sstep-set $ok "want OK, then 0x7: $(part set0x7 | oneline)"
	ok=0
	t=$(part noirq-ticks | sed -n 's/^ticks \([0-9]*\)$/\1/p')
	if ! part set7 | grep -qx 'received: "OK"' || ! part set7 | grep -qx 'received: "0x7"'; then
		why="Qqemu.sstep=7: want OK, then 0x7: $(part set7 | oneline)"
	elif bad=$(steps_in noirq "$lo" "$hi") && [ -n "$bad" ]; then
		why="$bad"
	elif [ "$t" != 0 ]; then
		why="IRQ0 was taken during masked steps (ticks ${t:-?}, want 0)"
	else
		ok=1
	fi
	result sstep-noirq $ok "$why"
}

# bad_arg CASE ARG WANT-STATUS: one line on stderr naming ARG, none on
# stdout, and the status (any non-zero for "nz"); -S so that an accepted
# argument shows as a timeout
bad_arg() {
	local rc ok=0
	timeout -k 5 10 "$TRIVISOR" -accel "$TIER" -m 64 -kernel "$HELLO" -S -gdb "$2" -display none \
		-serial "file:$tmp/serial" > "$tmp/bad.out" 2> "$tmp/bad.err" < /dev/null
	rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="-gdb $2 was accepted (the emulator waited for gdb)"
	elif [ "$3" = nz ] && [ "$rc" = 0 ] || [ "$3" != nz ] && [ "$rc" != "$3" ]; then
		why="status $rc, want $3: $(oneline < "$tmp/bad.err")"
	elif [ -s "$tmp/bad.out" ] || [ "$(wc -l < "$tmp/bad.err")" != 1 ] || ! grep -qF -- "$2" "$tmp/bad.err"; then
		why="want one error line naming '$2' and nothing on stdout; stderr: $(oneline < "$tmp/bad.err") / stdout: $(oneline < "$tmp/bad.out")"
	else
		ok=1
	fi
	result "$1" $ok "$why"
}

missing=""
for f in "$TRIVISOR" "$EXC" "$HELLO" "$RESET" "$PITPIC" "$G32"; do
	[ -e "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	for c in "${CASES[@]}"; do
		result "$c" 0 "not built:$missing (make, make guests gdb-guests)"
	done
	exit 0
fi
if ! command -v "$GDB" > /dev/null; then
	for c in "${GDB_CASES[@]}"; do
		echo "SKIP gdbcatch/$c [$TIER]: no $GDB installed"
	done
fi
bad_arg bad-arch tcp::1234,arch=sparc 1
bad_arg bad-port tcp::99999 nz
run_triple
if command -v "$GDB" > /dev/null; then
	run_vector
	run_io
	run_triple_gdb
	run_i386
	run_sstep
fi
exit 0
