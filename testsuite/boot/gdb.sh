#!/bin/bash
# The gdbstub (-S -gdb tcp::PORT), driven by Debian's gdb in batch mode.
# SPDX-License-Identifier: MIT
#
# Each session starts the emulator stopped (-S) with a guest of testsuite/gdb
# (make gdb-guests), runs `gdb -nx -batch -x CMDS` against it, and greps
# gdb's output (the command files mark their parts with `echo @@ NAME`)
# and the guest's COM1 (-serial file:). Both run under timeout; gdb's `kill`
# ends the emulator, and the script ends it if it outlives gdb.
#   gdb/break      gdbguest32.elf: break target_func, continue twice: two
#                  "Breakpoint 1, target_func" stops (the second one means
#                  the stub resumed over an inserted breakpoint), counter 1
#   gdb/regs       there: info registers has eip (rip), eax (rax), eflags,
#                  cs 0x8, ss 0x10, and the pc line names target_func
#   gdb/monitor    there: `monitor info registers` passes through, with
#                  EIP= (or RIP=) at the breakpoint and "CS =0008"
#   gdb/step       break step_demo: `next` reaches the step_helper(); line,
#                  `step` enters step_helper
#   gdb/stepi      there: stepi moves pc to the second address x/2i $pc listed
#   gdb/watch      break guest_main, then `watch watched`: a hardware
#                  watchpoint fires with "Old value = 17", "New value = 23130"
#   gdb/mem-read   break check_patch: x/4xw &counter shows 15 (0x0000000f)
#   gdb/mem-write  there: set var patch_me = 0x1234abcd reads back, and the
#                  guest then says "patched ok" on COM1
#   gdb/ctrlc      break spin, continue, then SIGINT to gdb during a
#                  foreground `continue`: the stop's pc is in spin
#   gdb/r2l-rm     gdbreal2long.elf (-bios ROM): break rm_entry: pc 0x1000
#                  (real mode at CS base 0: IP is the linear address), cs 0x0
#   gdb/r2l-pm     continue to pm_entry: pc at the symbol, cs 0x8
#   gdb/r2l-lm     continue to lm_entry: rip and rax are there, cs 0x18;
#                  at lm_loop, rax is the 64-bit 0x1122334455667788
#   gdb/r2l-watch  watch *(long *)&lm_counter: fires in lm_loop with old 0,
#                  new 1, then 1 to 2
#   gdb/r2l-exit   with it deleted the guest runs to its exit: COM1 says
#                  "gdbreal2long ok", gdb sees the end ("Remote connection
#                  closed" from QEMU, or a W packet's "exited ..."), and the
#                  emulator's status is 1 (0 written to port 0xf4)
# Tiers: interp always, kvm where testsuite/hostcaps/lib.sh says the host
# has it (else a SKIP line). A trivisor without the stub refuses -gdb: then
# every case FAILs at once with its message. A stub that never answers costs
# GDB_TIMEOUT per session (5 sessions per tier), never a hang.
#
# GDB_TARGET=qemu runs the same sessions on QEMU's TCG (the reference they
# were validated against): gdbguest32 on qemu-system-i386, gdbreal2long on
# qemu-system-x86_64, each with -device isa-debug-exit,iobase=0xf4,iosize=4.
# What QEMU (7.2, Debian's gdb 13) needed, and what a stub must match:
#  - Register layout: qemu-system-x86_64's stub sends the x86_64 target
#    description (rax..r15, rip, 64-bit wide) in every CPU mode, and
#    qemu-system-i386's the i386 one (eax.., eip). The description cannot
#    change during a session, so gdbreal2long needs the x86_64 one from the
#    reset vector on (gdb then shows rip/rax even in real mode and
#    disassembles 16/32-bit code as 64-bit: nothing here disassembles).
#  - gdb with a 32-bit ELF given on its command line picks i386 and then
#    rejects an x86_64 description ("Remote 'g' packet reply is too long");
#    `set architecture i386:x86-64` first would do, but 32-bit DWARF
#    register numbers then map to the wrong registers (function arguments
#    read wrong). So the gdbguest32 sessions connect first and load the
#    symbols after (symbol-file): gdb keeps whatever architecture the stub
#    described, and the checks accept eip/eax (i386) or rip/rax (x86_64)
#    according to gdb's `show architecture` — never a mix.
#  - Real mode: QEMU reports pc = EIP (IP), not CS.base + EIP, while its
#    breakpoints match linear addresses: `break *0xf0000` (F000:0000) stops
#    there, but gdb sees pc 0 and calls it a SIGTRAP. Hence gdbreal2long's
#    real-mode part runs from a copy at 0x1000 with CS=0, where both agree.
#  - Ctrl-C: in batch mode `continue &` then `interrupt` sends the stop but
#    gdb only handles the stop reply back in its event loop, which a command
#    file does not reach: the next command says "Selected thread is
#    running". A SIGINT to gdb during a foreground `continue` (from
#    `shell (sleep 2; kill -INT $PPID) &`) makes gdb send the same 0x03
#    byte and wait for the stop: "Program received signal SIGINT".
#  - gdb's `kill` makes QEMU exit ("Terminated via GDBstub"); a guest's write
#    to port 0xf4 ends the session with the connection closed.
#  - gdb retries the connection while the port is not yet listening (tcp
#    auto-retry); the script also waits for the listener (ss) and fails at
#    once when the emulator has exited before it.
# Environment: O, TRIVISOR, GDB_TARGET (trivisor or qemu), GDB (default gdb),
# QEMU, QEMU64, GDB_TIMEOUT (seconds per gdb session, default 60), GDB_KEEP
# (set: keep the last session's files, gdb's output among them).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
GDB_TARGET=${GDB_TARGET:-trivisor}
GDB=${GDB:-gdb}
QEMU=${QEMU:-qemu-system-i386}
QEMU64=${QEMU64:-qemu-system-x86_64}
GDB_TIMEOUT=${GDB_TIMEOUT:-60}
G32=$O/gdb/gdbguest32.elf
R2L_ELF=$O/gdb/gdbreal2long.elf
R2L_ROM=$O/gdb/gdbreal2long.rom
CASES=(break regs monitor step stepi watch mem-read mem-write ctrlc r2l-rm r2l-pm r2l-lm r2l-watch r2l-exit)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-gdb.XXXXXX") || exit 1
emu_pid=""
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
[ -n "$GDB_KEEP" ] && trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; echo "gdb.sh: the last session is in $tmp" >&2' EXIT
# shellcheck source=testsuite/boot/lib/gdbsession.bash
. testsuite/boot/lib/gdbsession.bash

# the tiers: QEMU's TCG, or trivisor's interp and (where the host has it) kvm
tiers=()
declare -A skip_why=()
if [ "$GDB_TARGET" = qemu ]; then
	tiers=(qemu-tcg)
	for q in "$QEMU" "$QEMU64"; do
		command -v "$q" > /dev/null || skip_why[qemu-tcg]="$q not installed"
	done
else
	tiers=(interp kvm)
	# shellcheck source=testsuite/hostcaps/lib.sh
	. testsuite/hostcaps/lib.sh
	skip_why[kvm]=$(host_lacks kvm)
fi

all_cases() {	# all_cases VERDICT TIER WHY: one line for every case
	local c
	for c in "${CASES[@]}"; do
		echo "$1 gdb/$c [$2]: $3"
	done
}

if ! command -v "$GDB" > /dev/null; then
	for t in "${tiers[@]}"; do all_cases SKIP "$t" "no $GDB installed"; done
	exit 0
fi
missing=""
for f in "$G32" "$R2L_ELF" "$R2L_ROM"; do
	[ -f "$f" ] || missing="$missing $f"
done
[ "$GDB_TARGET" != qemu ] && ! [ -x "$TRIVISOR" ] && missing="$missing $TRIVISOR"

# emu_cmd TIER GUEST PORT SERIAL: the emulator's command line in emu[]
emu_cmd() {
	local tier=$1 guest=$2 port=$3 serial=$4 load bin
	case $guest in
	g32) load=(-kernel "$G32"); bin=$QEMU ;;
	r2l) load=(-bios "$R2L_ROM"); bin=$QEMU64 ;;
	esac
	if [ "$tier" = qemu-tcg ]; then
		# shellcheck disable=SC2054 # the commas are the option's
		emu=("$bin" -accel tcg -m 64 "${load[@]}" -device isa-debug-exit,iobase=0xf4,iosize=4)
	else
		emu=("$TRIVISOR" -accel "$tier" -m 64 "${load[@]}")
	fi
	emu+=(-S -gdb "tcp::$port" -display none -serial "file:$serial" -no-reboot)
}

# session TIER GUEST CMDFILE [ELF]: one emulator and one gdb run over
# CMDFILE (gdb_session); COM1 in $tmp/serial
session() {
	: > "$tmp/serial"
	emu_cmd "$1" "$2" @PORT@ "$tmp/serial"
	gdb_session "$3" "$4" "${emu[@]}"
}

result() {	# result CASE TIER OK WHY
	if [ "$3" = 1 ]; then
		echo "PASS gdb/$1 [$2]"
	else
		echo "FAIL gdb/$1 [$2]: $4"
	fi
}


# the pc register names gdb uses after connecting: sets pcreg, axreg from
# `show architecture` in the "arch" part (empty: gdb did not say)
regnames() {
	pcreg="" axreg=""
	case $(part arch) in
	*'"i386:x86-64"'*) pcreg=rip axreg=rax ;;
	*'"i386"'*|*'"i386:intel"'*) pcreg=eip axreg=eax ;;
	esac
}

# ---- the command files ----
# gdbguest32: connect first, then the symbols (see the top of this file)
CONNECT32='set tcp connect-timeout 20
target remote 127.0.0.1:@PORT@
echo @@ connected\n
echo @@ arch\n
show architecture
symbol-file '"$G32"'
'
cat > "$tmp/break.gdb" <<EOF
${CONNECT32}break target_func
echo @@ hit1\n
continue
echo @@ hit2\n
continue
print counter
echo @@ regs\n
info registers
echo @@ target_func\n
printf "%#x\n", target_func
echo @@ monitor\n
monitor info registers
echo @@ end\n
kill
EOF
cat > "$tmp/step.gdb" <<EOF
${CONNECT32}break step_demo
continue
echo @@ next\n
next
echo @@ step\n
step
echo @@ x2i\n
x/2i \$pc
stepi
echo @@ pc1\n
printf "%#x\n", \$pc
echo @@ end\n
kill
EOF
cat > "$tmp/watch.gdb" <<EOF
${CONNECT32}break guest_main
continue
delete
watch watched
echo @@ watch\n
continue
echo @@ end\n
kill
EOF
# shellcheck disable=SC2016 # $PPID is for the sh that gdb's `shell` runs
cat > "$tmp/mem.gdb" <<EOF
${CONNECT32}break check_patch
continue
echo @@ read\n
x/4xw &counter
echo @@ write\n
set var patch_me = 0x1234abcd
x/1xw &patch_me
delete
break spin
continue
delete
shell (sleep 2; kill -INT \$PPID) &
echo @@ ctrlc\n
continue
info symbol \$pc
echo @@ end\n
kill
EOF
cat > "$tmp/r2l.gdb" <<EOF
set tcp connect-timeout 20
target remote 127.0.0.1:@PORT@
echo @@ connected\n
break rm_entry
break pm_entry
break lm_entry
break lm_loop
continue
echo @@ rm\n
info registers
continue
echo @@ pm\n
info registers
continue
echo @@ lm\n
info registers
continue
echo @@ lm_loop\n
printf "rax=%#lx\n", \$rax
delete
watch *(long *)&lm_counter
echo @@ watch\n
continue
continue
delete
echo @@ exit\n
continue
echo @@ end\n
EOF

# hexaddr SYMBOL ELF: the symbol's address as 0x..., no leading zeros
hexaddr() {
	nm "$2" | awk -v s="$1" '$3 == s { sub(/^0+/, "", $1); print "0x" $1; exit }'
}

# reg NAME VALUE: does the "info registers" text on stdin have NAME = VALUE?
reg() {
	grep -Eq "^$1 +$2( |\$)"
}

run_tier() {
	local tier=$1 ok why x y a

	# break, regs, monitor
	if ! session "$tier" g32 "$tmp/break.gdb"; then
		for c in break regs monitor; do result $c "$tier" 0 "$why"; done
	else
		regnames
		ok=0
		if [ "$(part hit1 | grep -c '^Breakpoint 1, target_func')" = 1 ] &&
			[ "$(part hit2 | grep -c '^Breakpoint 1, target_func')" = 1 ] &&
			part hit2 | grep -q '^[$]1 = 1$'; then
			ok=1
		fi
		result break "$tier" $ok "want a stop at target_func on each continue and counter 1: $({ part hit1; part hit2; } | oneline)"
		ok=0
		x=$(part regs)
		a=$(part target_func | tr -d ' ')
		if [ -z "$pcreg" ]; then
			why="gdb's show architecture said: $(part arch | oneline)"
		elif ! grep -Eq "^$pcreg +0x[0-9a-f]+ +0x[0-9a-f]+ <target_func\+[0-9]+>" <<< "$x"; then
			why="no '$pcreg ... <target_func+N>' line (architecture $pcreg): $(oneline <<< "$x")"
		elif ! grep -Eq "^$axreg +0x[0-9a-f]+ " <<< "$x" || ! grep -Eq '^eflags +0x[0-9a-f]+ +\[' <<< "$x"; then
			why="no $axreg or eflags line: $(oneline <<< "$x")"
		elif ! reg cs 0x8 <<< "$x" || ! reg ss 0x10 <<< "$x" || ! reg ds 0x10 <<< "$x"; then
			why="want cs 0x8, ss and ds 0x10: $(grep -E '^(cs|ss|ds) ' <<< "$x" | oneline)"
		else
			ok=1
		fi
		result regs "$tier" $ok "$why"
		ok=0
		x=$(part monitor)
		# the breakpoint's address: target_func plus its prologue, as the pc line says
		y=$(part regs | sed -n "s/^$pcreg  *0x0*\([0-9a-f]*\) .*/\1/p")
		if [ -n "$y" ] && grep -Eq "^(EIP|RIP)=0*$y " <<< "$x" && grep -q '^CS =0008 ' <<< "$x"; then
			ok=1
		fi
		result monitor "$tier" $ok "want EIP= or RIP= $y and CS =0008 in: $(oneline <<< "$x")"
	fi

	# step, stepi
	if ! session "$tier" g32 "$tmp/step.gdb"; then
		for c in step stepi; do result $c "$tier" 0 "$why"; done
	else
		ok=0
		if part next | grep -Eq $'^[0-9]+\t\tstep_helper\\(\\);' &&
			part step | grep -q '^step_helper () at .*gdbguest32\.c:[0-9]*$'; then
			ok=1
		fi
		result step "$tier" $ok "want next to reach 'step_helper();' and step to enter step_helper: $({ part next; part step; } | oneline)"
		ok=0
		# x/2i: "=> 0xADDR <f+N>:\tinsn" then "   0xADDR <f+N>:\tinsn"
		x=$(part x2i | sed -n '2s/^ *\(0x[0-9a-f]*\) .*/\1/p')
		y=$(part pc1 | tr -d ' ')
		if [ -n "$x" ] && [ "$x" = "$y" ]; then
			ok=1
		fi
		result stepi "$tier" $ok "pc after stepi is '$y', want the next instruction '$x': $(part x2i | oneline)"
	fi

	# watch
	if ! session "$tier" g32 "$tmp/watch.gdb"; then
		result watch "$tier" 0 "$why"
	else
		ok=0
		x=$(part watch)
		if grep -q '^Hardware watchpoint [0-9]*: watched$' <<< "$x" && grep -q '^Old value = 17$' <<< "$x" &&
			grep -q '^New value = 23130$' <<< "$x"; then
			ok=1
		fi
		result watch "$tier" $ok "want a hardware watchpoint on watched, old 17, new 23130: $(oneline <<< "$x")"
	fi

	# mem-read, mem-write, ctrlc
	if ! session "$tier" g32 "$tmp/mem.gdb"; then
		for c in mem-read mem-write ctrlc; do result $c "$tier" 0 "$why"; done
	else
		ok=0
		x=$(part read)
		grep -Eq $'^0x[0-9a-f]+ <counter>:\t0x0000000f\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}$' <<< "$x" && ok=1
		result mem-read "$tier" $ok "want counter 0x0000000f and 3 more words: $(oneline <<< "$x")"
		ok=0
		x=$(part write)
		if grep -Eq $'^0x[0-9a-f]+ <patch_me>:\t0x1234abcd$' <<< "$x" && grep -q '^patched ok' "$tmp/serial"; then
			ok=1
		fi
		result mem-write "$tier" $ok "want patch_me 0x1234abcd read back and 'patched ok' on COM1: $(oneline <<< "$x") / COM1: $(oneline < "$tmp/serial")"
		ok=0
		x=$(part ctrlc)
		if grep -q '^Program received signal SIGINT' <<< "$x" && grep -q '^spin + [0-9]* in section \.text' <<< "$x"; then
			ok=1
		fi
		result ctrlc "$tier" $ok "want a SIGINT stop with pc in spin: $(oneline <<< "$x")"
	fi

	# the real-to-long ROM
	if ! session "$tier" r2l "$tmp/r2l.gdb" "$R2L_ELF"; then
		for c in r2l-rm r2l-pm r2l-lm r2l-watch r2l-exit; do result $c "$tier" 0 "$why"; done
	else
		local s pc cs
		for s in rm pm lm; do
			x=$(part $s)
			a=$(hexaddr ${s}_entry "$R2L_ELF")
			case $s in rm) cs=0x0 ;; pm) cs=0x8 ;; lm) cs=0x18 ;; esac
			ok=0
			if grep -q 'Architecture rejected target-supplied description' "$tmp/out"; then
				why="gdb rejected the stub's target description (this ROM's ELF is x86-64, so the stub must describe the x86_64 registers from reset on): $(grep -m1 'not compatible' "$tmp/out")"
			elif ! grep -q "^Breakpoint [0-9]*, .*${s}_entry" "$tmp/out"; then
				why="no stop at ${s}_entry: $(oneline < "$tmp/out")"
			elif ! pc=$(grep -E '^[er]ip ' <<< "$x") || ! grep -Eq "^[er]ip +$a " <<< "$x"; then
				why="want pc $a (${s}_entry): $pc"
			elif ! reg cs $cs <<< "$x"; then
				why="want cs $cs: $(grep '^cs ' <<< "$x")"
			elif [ $s = lm ] && ! { grep -Eq '^rip ' <<< "$x" && grep -Eq '^rax ' <<< "$x" && grep -Eq '^r15 ' <<< "$x"; }; then
				why="no rip, rax or r15 in long mode: $(oneline <<< "$x")"
			elif [ $s = lm ] && ! part lm_loop | grep -q '^rax=0x1122334455667788$'; then
				why="at lm_loop: $(part lm_loop | oneline), want rax=0x1122334455667788"
			else
				ok=1
			fi
			result r2l-$s "$tier" $ok "$why"
		done
		ok=0
		x=$(part watch)
		if [ "$(grep -c '^Hardware watchpoint [0-9]*: \*(long \*)&lm_counter$' <<< "$x")" -ge 2 ] &&
			grep -q '^Old value = 0$' <<< "$x" && grep -q '^New value = 1$' <<< "$x" &&
			grep -q '^Old value = 1$' <<< "$x" && grep -q '^New value = 2$' <<< "$x" &&
			grep -q '^lm_loop () at' <<< "$x"; then
			ok=1
		fi
		result r2l-watch "$tier" $ok "want lm_counter 0 to 1 and 1 to 2 in lm_loop: $(oneline <<< "$x")"
		ok=0
		x=$(part exit)
		if grep -q '^gdbreal2long ok' "$tmp/serial" && grep -q '^Remote connection closed\|exited normally\|exited with code' <<< "$x" &&
			[ "$emu_rc" = 1 ]; then
			ok=1
		fi
		result r2l-exit "$tier" $ok "want 'gdbreal2long ok' on COM1, gdb to see the end and exit status 1; COM1: $(oneline < "$tmp/serial") / gdb: $(oneline <<< "$x") / status $emu_rc"
	fi
}

for tier in "${tiers[@]}"; do
	if [ -n "${skip_why[$tier]}" ]; then
		all_cases SKIP "$tier" "${skip_why[$tier]}"
	elif [ -n "$missing" ]; then
		all_cases FAIL "$tier" "not built:$missing (make gdb-guests)"
	else
		run_tier "$tier"
	fi
done
exit 0
