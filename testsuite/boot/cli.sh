#!/bin/bash
# Command-line plumbing the guests see: -serial file:, -debugcon, and
# -chardev with -device isa-debugcon, each checked for what hello.elf wrote.
# SPDX-License-Identifier: MIT
O=${O:-build}
T=$O/trivisor
G=$O/guests/hello.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS cli/$1"; }
fail() { echo "FAIL cli/$1: $2"; }

if ! [ -x "$T" ] || ! [ -f "$G" ]; then
	echo "FAIL cli/setup: $T or $G not built"
	exit 0
fi
# the first tier that runs hello here: a tier the host lacks is not tried,
# and a run counts only if the guest's greeting came out, since a start-up
# error exits with status 1 too
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
accel=""
for a in kvm interp; do
	[ "$a" = kvm ] && [ -n "$(host_lacks kvm)" ] && continue
	timeout 60 "$T" -accel "$a" -kernel "$G" -serial stdio -display none -no-reboot \
		>"$tmp/probe" 2>&1 </dev/null
	if [ $? -eq 1 ] && grep -q "hello from guest" "$tmp/probe"; then
		accel=$a
		break
	fi
done
if [ -z "$accel" ]; then
	for n in serial-file debugcon chardev-debugcon stdout-quiet; do
		echo "FAIL cli/$n: no tier here runs the hello guest (the interpreter needs none of the host)"
	done
	exit 0
fi
echo "cli: using -accel $accel"

timeout 60 "$T" -accel "$accel" -kernel "$G" -serial "file:$tmp/com1" -display none -no-reboot \
	-debugcon "file:$tmp/e9" \
	-chardev "file,id=dbg,path=$tmp/402" -device isa-debugcon,iobase=0x402,chardev=dbg \
	>"$tmp/stdout" 2>"$tmp/stderr" </dev/null
rc=$?
if [ $rc -ne 1 ]; then
	fail run "exit status $rc, want 1: $(head -c 300 "$tmp/stderr")"
	exit 0
fi
grep -q "hello from guest" "$tmp/com1" 2>/dev/null && pass serial-file || fail serial-file "COM1 file lacks the greeting"
[ "$(cat "$tmp/e9" 2>/dev/null)" = "hello debugcon" ] && pass debugcon || fail debugcon "port 0xe9 file holds '$(head -c 80 "$tmp/e9" 2>/dev/null)'"
[ "$(cat "$tmp/402" 2>/dev/null)" = "hello debugcon" ] && pass chardev-debugcon || fail chardev-debugcon "port 0x402 file holds '$(head -c 80 "$tmp/402" 2>/dev/null)'"
if grep -q "hello" "$tmp/stdout"; then fail stdout-quiet "guest output leaked to stdout"; else pass stdout-quiet; fi
