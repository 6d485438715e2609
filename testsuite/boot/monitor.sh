#!/bin/bash
# The monitor's debugging commands against SeaBIOS with no disk (it waits
# forever for one), driven through -monitor stdio from a FIFO:
#   boot/monitor-stop      stop, then `info status` says paused
#   boot/monitor-regs      info registers: every register line is there
#   boot/monitor-reset     system_reset while paused: the VM stays paused,
#                          and info registers shows the reset state
#                          (EIP=0000fff0, CS =f000 ffff0000)
#   boot/monitor-xp        xp/4xb 0xffff0: SeaBIOS's reset vector starts
#                          with 0xea (a far jump)
#   boot/monitor-x         x/2i $pc: two instructions, the first the far jump
#   boot/monitor-cont      cont: info status says running, and stays so
#                          after an info registers taken while running
#   boot/monitor-quit      quit: exit status 0
# Environment: O, TRIVISOR, MONITOR_ACCEL (default interp).
# SPDX-License-Identifier: MIT

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${MONITOR_ACCEL:-interp}
TESTS=(stop regs reset xp x cont quit)

if ! [ -x "$TRIVISOR" ]; then
	for t in "${TESTS[@]}"; do
		echo "FAIL boot/monitor-$t [$ACCEL]: $TRIVISOR not built"
	done
	exit 0
fi
tmp=$(mktemp -d)
# shellcheck source=testsuite/screen/lib.bash
. testsuite/screen/lib.bash
trap 'mon_stop; rm -rf "$tmp"' EXIT

# cmd LINE: runs one monitor command; its output in $out ("" and 1 when the
# monitor did not answer)
cmd() {
	local before
	before=$(wc -c < "$tmp/mon.out")
	out=""
	mon "$@" || return 1
	out=$(tail -c +"$((before + 1))" "$tmp/mon.out")
}

result() {	# result NAME OK WHY
	if [ "$2" = 1 ]; then
		echo "PASS boot/monitor-$1 [$ACCEL]"
	else
		echo "FAIL boot/monitor-$1 [$ACCEL]: $3"
	fi
}

has_all() {	# has_all TEXT WORD...: every WORD is in TEXT
	local t=$1 w
	shift
	for w in "$@"; do
		grep -qF -- "$w" <<< "$t" || return 1
	done
}

mon_start timeout 120 "$TRIVISOR" -accel "$ACCEL" -display none -serial null -monitor stdio
sleep 1	# SeaBIOS runs on to its wait for a boot device

ok=0
cmd stop && cmd info status && grep -q 'VM status: paused' <<< "$out" && ok=1
result stop $ok "info status after stop said: $(tr '\n' ' ' <<< "$out")"

ok=0
if cmd info registers && has_all "$out" EAX= EBX= ECX= EDX= ESI= EDI= EBP= ESP= EIP= EFL= CPL= \
	'ES =' 'CS =' 'SS =' 'DS =' 'FS =' 'GS =' 'LDT=' 'TR =' GDT= IDT= CR0= CR2= CR3= CR4= \
	DR0= DR3= DR6= DR7= EFER=; then
	ok=1
fi
result regs $ok "$(head -c 400 <<< "$out" | tr '\n' ' ')"

ok=0
if cmd system_reset && cmd info status && grep -q 'VM status: paused' <<< "$out" &&
	cmd info registers && grep -q 'EIP=0000fff0' <<< "$out" &&
	grep -q '^CS =f000 ffff0000 0000ffff' <<< "$out" && grep -q 'EFL=00000002' <<< "$out"; then
	ok=1
fi
result reset $ok "after system_reset while paused: $(head -c 400 <<< "$out" | tr '\n' ' ')"

ok=0
cmd xp/4xb 0xffff0 && grep -q '^0*ffff0: 0xea 0x[0-9a-f][0-9a-f] 0x[0-9a-f][0-9a-f] 0x[0-9a-f][0-9a-f]$' <<< "$out" && ok=1
result xp $ok "xp/4xb 0xffff0 said: $(tr '\n' ' ' <<< "$out")"

ok=0
# at the reset vector (CS base ffff0000: linear fffffff0), 16-bit code: AT&T's ljmpw $0xf000:$0xe05b
# shellcheck disable=SC2016
if cmd x/2i '$pc' && [ "$(grep -c '^0x[0-9a-f]*:  ' <<< "$out")" = 2 ] &&
	grep -q '^0x0*fffffff0:  ea[0-9a-f]* *ljmp' <<< "$out"; then
	ok=1
fi
result x $ok "x/2i \$pc said: $(tr '\n' ' ' <<< "$out")"

ok=0
if cmd cont && cmd info status && grep -q 'VM status: running' <<< "$out"; then
	sleep 0.5
	# read while running: paused around the copy, running after
	if cmd info registers && grep -q 'EIP=' <<< "$out" && ! grep -q 'EIP=0000fff0' <<< "$out" &&
		cmd info status && grep -q 'VM status: running' <<< "$out"; then
		ok=1
	fi
fi
result cont $ok "$(tr '\n' ' ' <<< "$out" | head -c 400)"

printf 'quit\n' >&3
mon_wait_exit 20
if [ "$MON_RC" = 0 ]; then
	result quit 1
else
	result quit 0 "exit status '${MON_RC}' (empty: still running), want 0: $(head -c 300 "$tmp/emu.err" | tr '\n' ' ')"
fi
