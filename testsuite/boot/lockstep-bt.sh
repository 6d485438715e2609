#!/bin/bash
# Lockstep in one process: the whole amd64 boot and the in-guest cpucheck program under the translator, and guests3's precise and smc guests, every block run again in the interpreter and compared (-accel bt,lockstep=0).
# SPDX-License-Identifier: MIT
#
# A difference stops the VM with exit status 3 and both states printed,
# which linux-interp.sh reports as a FAIL; the summary line says how many
# blocks were compared. Then the checker's own check: a translator told to
# get ADD wrong (lockstep-inject) must be caught on a small guest.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
BOOT_ACCEL=bt,lockstep=0 BOOT_CPUS=1 BOOT_EXPECT='bt lockstep: [0-9]+ blocks checked against the interpreter' \
	bash testsuite/boot/linux-interp.sh

# guests3's translator guests, every block compared too: the states at
# the block boundaries they make happen (precise.asm q: a block that
# leaves before an instruction reaching into a page the TLB dropped)
for g in precise smc; do
	name="lockstep/guest3-$g [bt,lockstep=0]"
	guest=$O/guests3/$g.bin
	if [ ! -x "$TRIVISOR" ] || [ ! -f "$guest" ]; then
		echo "FAIL $name: $TRIVISOR or $guest not built"
		continue
	fi
	out=$(timeout -k 5 60 "$TRIVISOR" -accel bt,lockstep=0 -m 64 -kernel "$guest" \
		-serial stdio -display none -no-reboot 2>&1 < /dev/null)
	rc=$?
	if [ "$rc" = 1 ] && grep -q "^$g ok" <<< "$out" &&
	   grep -q 'bt lockstep: [0-9]* blocks checked' <<< "$out" && ! grep -q FAILED <<< "$out"; then
		echo "PASS $name"
	else
		echo "$out" | tail -n 30
		echo "FAIL $name: exit status $rc, want 1 with \"$g ok\" and no lockstep difference"
	fi
done

name="lockstep/bt-catches-a-wrong-add"
guest=$O/guests3/longmode.bin
if [ ! -x "$TRIVISOR" ] || [ ! -f "$guest" ]; then
	echo "FAIL $name: $TRIVISOR or $guest not built"
	exit 0
fi
out=$(timeout -k 5 60 "$TRIVISOR" -accel bt,lockstep=0,lockstep-inject -m 64 -kernel "$guest" \
	-serial stdio -display none -no-reboot 2>&1 < /dev/null)
rc=$?
if [ "$rc" = 3 ] && grep -q 'differs from the interpreter' <<< "$out"; then
	echo "PASS $name"
else
	echo "$out" | tail -n 30
	echo "FAIL $name: exit status $rc, want 3 with the lockstep report"
fi
exit 0
