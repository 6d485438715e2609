#!/bin/bash
# The monitor's debugging commands against SeaBIOS with no disk (it waits
# forever for one), driven through -monitor stdio from a FIFO:
#   boot/monitor-stop      stop, then `info status` says paused
#   boot/monitor-regs      info registers: every register line is there
#   boot/monitor-tlb       info tlb and info mem: SeaBIOS runs in real or
#                          flat protected mode, "PG disabled"
#   boot/monitor-pic       info pic: the IMRs SeaBIOS leaves (b8, 8e) and
#                          the vector bases 08 and 70
#   boot/monitor-irq       info irq: 16 ISA line levels and the IOAPIC's 24
#                          redirection entries
#   boot/monitor-tiers     info tiers: cpu0 on the tier asked for, with a
#                          nonzero instruction count (interp)
#   boot/monitor-reset     system_reset while paused: the VM stays paused,
#                          and info registers shows the reset state
#                          (EIP=0000fff0, CS =f000 ffff0000)
#   boot/monitor-xp        xp/4xb 0xffff0: SeaBIOS's reset vector starts
#                          with 0xea (a far jump)
#   boot/monitor-x         x/2i $pc: two instructions, the first the far jump
#   boot/monitor-cont      cont: info status says running, and stays so
#                          after an info registers taken while running
#   boot/monitor-quit      quit: exit status 0
#   boot/monitor-tlb-paging  a guest with paging on: Debian's amd64 kernel
#                          (testsuite/fetch-images; SKIP where it cannot be
#                          had) a few seconds in, stopped: info tlb lists
#                          pages in QEMU's "VIRT: PHYS XGPDACTUW" form and
#                          info mem ranges ("START-END SIZE urw")
# Environment: O, TRIVISOR, MONITOR_ACCEL (default interp).
# SPDX-License-Identifier: MIT

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${MONITOR_ACCEL:-interp}
TESTS=(stop regs tlb pic irq tiers reset xp x cont quit)

if ! [ -x "$TRIVISOR" ]; then
	for t in "${TESTS[@]}"; do
		echo "FAIL boot/monitor-$t [$ACCEL]: $TRIVISOR not built"
	done
	echo "FAIL boot/monitor-tlb-paging [$ACCEL]: $TRIVISOR not built"
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
cmd info tlb && grep -q '^PG disabled$' <<< "$out" && ! grep -q '^[0-9a-f]*: ' <<< "$out" &&
	cmd info mem && grep -q '^PG disabled$' <<< "$out" && ok=1
result tlb $ok "info tlb/mem with SeaBIOS said: $(tr '\n' ' ' <<< "$out" | head -c 300)"

ok=0
cmd info pic && grep -q '^pic0: irr=[0-9a-f][0-9a-f] imr=b8 isr=[0-9a-f][0-9a-f] hprio=[0-7] irq_base=08 ' <<< "$out" &&
	grep -q '^pic1: irr=[0-9a-f][0-9a-f] imr=8e isr=[0-9a-f][0-9a-f] hprio=[0-7] irq_base=70 ' <<< "$out" && ok=1
result pic $ok "info pic said: $(tr '\n' ' ' <<< "$out")"

ok=0
if cmd info irq && [ "$(grep -c '^[ 1][0-9]: \(high\|low\)$' <<< "$out")" = 16 ] &&
	[ "$(grep -c '^  pin [0-9]' <<< "$out")" = 24 ] && grep -q '^ioapic0: id=' <<< "$out"; then
	ok=1
fi
result irq $ok "info irq said: $(tr '\n' ' ' <<< "$out" | head -c 400)"

ok=0
if cmd info tiers && grep -q "^cpu0: tier $ACCEL\$" <<< "$out" &&
	grep -q "^  cpu0 $ACCEL: runs [1-9][0-9]* insns [0-9]* exits io " <<< "$out"; then
	ok=1
	# the interpreter counts what it retires
	[ "$ACCEL" = interp ] && ! grep -q "^  cpu0 interp: runs [0-9]* insns [1-9]" <<< "$out" && ok=0
fi
result tiers $ok "info tiers said: $(tr '\n' ' ' <<< "$out" | head -c 400)"

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

# a guest with paging on: the kernel's decompressor and then the kernel map
# memory from their first milliseconds (no initrd: it ends in a panic that
# keeps paging on)
paging_report() { echo "$1 boot/monitor-tlb-paging [$ACCEL]${2:+: $2}"; }
mon_stop
# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash
if fetch_linux amd64 paging_report; then
	mon_start timeout 120 "$TRIVISOR" -accel "$ACCEL" -m 256 -kernel "$KERNEL" -append console=ttyS0 \
		-display none -serial null -monitor stdio
	sleep 3
	ok=0 why=""
	if ! cmd stop || ! cmd info registers; then
		why="the monitor did not answer: $(head -c 300 "$tmp/emu.err" | tr '\n' ' ')"
	elif ! grep -q '^CR0=8' <<< "$out"; then
		why="paging is not on: $(grep CR0= <<< "$out")"
	elif ! cmd info tlb || ! grep -Eq '^[0-9a-f]{16}: [0-9a-f]{16} [-X][-G][-P][-D][-A][-C][-T][-U][-W]$' <<< "$out"; then
		why="info tlb said: $(head -c 300 <<< "$out" | tr '\n' ' ')"
	elif ! cmd info mem || ! grep -Eq '^[0-9a-f]{16}-[0-9a-f]{16} [0-9a-f]{16} [-u]r[-w]$' <<< "$out"; then
		why="info mem said: $(head -c 300 <<< "$out" | tr '\n' ' ')"
	else
		ok=1
	fi
	if [ "$ok" = 1 ]; then
		paging_report PASS
	else
		paging_report FAIL "$why"
	fi
	printf 'quit\n' >&3
	mon_wait_exit 20
fi
