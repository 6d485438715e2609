#!/bin/bash
# The interpreter's traces: -d in_asm,exec with -dfilter, -d mmu, and a bad
# -dfilter refused.
# SPDX-License-Identifier: MIT
#
# dfilter-*: hello.elf (testsuite/guests/hello.asm) runs straight from its
# entry point to its first unconditional jmp: the conditional jump there is
# not taken under a multiboot loader and every call returns to the next
# instruction (the callees lie after the jmp). The expected trace is that
# stretch as objdump disassembles the guest's own ELF: each instruction's
# linear address and mnemonic, in order, once each. The trace under
# -dfilter, given each of QEMU's three range forms, must be exactly that:
# the exec lines' addresses, and the in_asm lines' addresses and capstone
# mnemonics (only the addresses when capstone is not installed). An
# unfiltered -d exec run must show instructions outside the range, so the
# filter is seen to remove something.
# mmu: paging.bin (testsuite/guests3) enables paging and takes page faults
# on purpose: -d mmu must print walk lines, faulting ones among them, and
# none for hello.elf, which never enables paging.
# dfilter-bad: each malformed -dfilter is one error line and exit status 1,
# with the guest not run.
# Environment: O, TRIVISOR.
O=${O:-build}
T=${TRIVISOR:-$O/trivisor}
G=$O/guests/hello.elf
P=$O/guests3/paging.bin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-trace.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS trace/$1"; }
fail() { echo "FAIL trace/$1: $2"; }
TESTS=(dfilter-dotdot dfilter-plus dfilter-minus dfilter-removes mmu mmu-nopaging dfilter-bad)

if ! [ -x "$T" ] || ! [ -f "$G" ]; then
	for n in "${TESTS[@]}"; do fail "$n" "$T or $G not built"; done
	exit 0
fi
if ! command -v objdump > /dev/null; then
	for n in "${TESTS[@]}"; do echo "SKIP trace/$n: no objdump (binutils)"; done
	exit 0
fi

# run_hello LOG FLAGS...: hello.elf on the interpreter, the trace in LOG;
# fails (with a reason on stdout) unless the guest ran to its pass exit
run_hello() {
	local log=$1 rc
	shift
	timeout 60 "$T" -accel interp -kernel "$G" -serial stdio -display none -no-reboot \
		"$@" -D "$log" > "$tmp/out" 2>&1 < /dev/null
	rc=$?
	if [ $rc -ne 1 ] || ! grep -q "hello from guest" "$tmp/out"; then
		echo "exit status $rc, want 1 with the greeting: $(head -c 300 "$tmp/out")"
		return 1
	fi
}

# the expectation, from the ELF: "address mnemonic" per instruction, from
# the entry point up to and including the first unconditional jmp
entry=$(objdump -f "$G" | sed -n 's/^start address 0x0*\([0-9a-f]*\)$/\1/p')
objdump -d -M intel "$G" |
	awk -F'\t' -v entry="$entry" '
		/^ *[0-9a-f]+:\t/ && NF >= 3 {
			a = $1; gsub(/[ :]/, "", a)
			split($3, w, " ")
			if (a == entry) on = 1
			if (!on) next
			print a, w[1]
			if (w[1] == "jmp") exit
		}' > "$tmp/expect"
last=$(tail -n 1 "$tmp/expect" | cut -d' ' -f1)
if [ -z "$entry" ] || [ "$(wc -l < "$tmp/expect")" -lt 5 ] || [ "$(tail -n 1 "$tmp/expect" | cut -d' ' -f2)" != jmp ]; then
	for n in "${TESTS[@]}"; do fail "$n" "no straight-line stretch from the entry point in objdump -d $G"; done
	exit 0
fi
size=$(printf '0x%x' $((0x$last - 0x$entry + 1)))
cut -d' ' -f1 "$tmp/expect" > "$tmp/expect.addr"

# exec lines: "exec CS:EIP [LINEAR]"; in_asm lines: "IN: CS:EIP [LINEAR]
# BYTES... OPNAME mnemonic operands": the linear address, leading zeros
# dropped, and capstone's mnemonic (the word after our upper-case op name)
exec_addrs() {
	sed -n 's/^exec [0-9a-f]*:[0-9a-f]* \[0*\([0-9a-f][0-9a-f]*\)\]$/\1/p' "$1"
}
in_asm_lines() {
	awk '$1 == "IN:" {
		a = $3; gsub(/[][]/, "", a); sub(/^0+/, "", a)
		for (k = 4; k <= NF && $k ~ /^[0-9a-f][0-9a-f]$/; k++) ;
		print a, (k + 1 <= NF ? $(k + 1) : "")
	}' "$1"
}

capstone=1
check_filtered() {
	local name=$1 spec=$2 log="$tmp/$1.log" why
	if ! why=$(run_hello "$log" -d in_asm,exec -dfilter "$spec"); then
		fail "$name" "$why"
		return
	fi
	exec_addrs "$log" > "$tmp/got.exec"
	in_asm_lines "$log" > "$tmp/got.in_asm"
	if grep -q "capstone not found" "$log"; then
		capstone=0
		cut -d' ' -f1 "$tmp/got.in_asm" > "$tmp/got.in_asm.addr"
		cp "$tmp/expect.addr" "$tmp/want.in_asm"
		mv "$tmp/got.in_asm.addr" "$tmp/got.in_asm"
	else
		cp "$tmp/expect" "$tmp/want.in_asm"
	fi
	if ! cmp -s "$tmp/got.exec" "$tmp/expect.addr"; then
		fail "$name" "-dfilter $spec: exec addresses differ from objdump's (want < > got): $(diff "$tmp/expect.addr" "$tmp/got.exec" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	elif ! cmp -s "$tmp/got.in_asm" "$tmp/want.in_asm"; then
		fail "$name" "-dfilter $spec: in_asm differs from objdump's (want < > got): $(diff "$tmp/want.in_asm" "$tmp/got.in_asm" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

check_filtered dfilter-dotdot "0x$entry..0x$last"
check_filtered dfilter-plus "0x$entry+$size"
check_filtered dfilter-minus "0x$last-$size"
[ $capstone = 1 ] || echo "trace: capstone not installed: in_asm compared by address only"

if why=$(run_hello "$tmp/all.log" -d exec); then
	outside=$(exec_addrs "$tmp/all.log" | grep -cvxFf "$tmp/expect.addr")
	if [ "$outside" -gt 0 ]; then
		pass dfilter-removes
	else
		fail dfilter-removes "without -dfilter no exec line lies outside 0x$entry..0x$last"
	fi
else
	fail dfilter-removes "$why"
fi

# a walk line: "trivisor: mmu: KIND PRIV lin 0xLIN -> 0xGPA SIZE FLAGS" or,
# when it faults, "... -> #PF err 0xERR"
walk_re='^trivisor: mmu: (read|write|fetch) (sup|user) lin 0x[0-9a-f]+ -> (0x[0-9a-f]+ (4K|2M|4M|1G)( W)?( U)?( D)?( G)?( NX)?|#PF err 0x[0-9a-f]+)$'
if ! [ -f "$P" ]; then
	fail mmu "$P not built (make guests3)"
else
	timeout 60 "$T" -accel interp -kernel "$P" -serial stdio -display none -no-reboot \
		-d mmu -D "$tmp/mmu.log" > "$tmp/out" 2>&1 < /dev/null
	rc=$?
	walks=$(grep -cE "$walk_re" "$tmp/mmu.log" 2>/dev/null)
	faults=$(grep -E "$walk_re" "$tmp/mmu.log" 2>/dev/null | grep -c "#PF")
	other=$(grep -c "mmu:" "$tmp/mmu.log" 2>/dev/null)
	if [ $rc -ne 1 ] || ! grep -q "paging ok" "$tmp/out"; then
		fail mmu "paging.bin: exit status $rc, want 1 with \"paging ok\": $(head -c 300 "$tmp/out")"
	elif [ "$walks" -lt 10 ] || [ "$faults" -lt 1 ]; then
		fail mmu "paging.bin: $walks walk lines ($faults faulting), want 10 or more with a fault"
	elif [ "$other" -ne "$walks" ]; then
		fail mmu "paging.bin: $((other - walks)) mmu lines not in the walk format: $(grep 'mmu:' "$tmp/mmu.log" | grep -vE "$walk_re" | head -n 1)"
	else
		pass mmu
	fi
fi
if why=$(run_hello "$tmp/mmu0.log" -d mmu); then
	if grep -q 'mmu:' "$tmp/mmu0.log"; then
		fail mmu-nopaging "walk lines without paging: $(grep -m1 'mmu:' "$tmp/mmu0.log")"
	else
		pass mmu-nopaging
	fi
else
	fail mmu-nopaging "$why"
fi

bad=""
for spec in "0x$entry" "0x$last..0x$entry" "0x$entry+0" "0x$entry-0" "0x$entry+size" \
	    "0x$entry.0x$last" "0x$entry..0x$last," ",0x$entry..0x$last" "-1..0x$last" \
	    "0xffffffffffffffff+2" "0x$entry-0x$last"; do
	timeout 20 "$T" -accel interp -dfilter "$spec" -kernel "$G" -serial stdio -display none \
		-no-reboot > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if [ $rc -ne 1 ] || [ -s "$tmp/out" ] || [ "$(wc -l < "$tmp/err")" -ne 1 ] ||
	   ! grep -q '^trivisor: -dfilter ' "$tmp/err"; then
		bad="$bad '$spec' (status $rc, stderr: $(head -c 120 "$tmp/err"), stdout: $(head -c 60 "$tmp/out"))"
	fi
done
if [ -z "$bad" ]; then
	pass dfilter-bad
else
	fail dfilter-bad "not refused with one error line:$bad"
fi
exit 0
