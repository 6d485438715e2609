#!/bin/bash
# The terminal side of COM1: bytes typed reach the guest (through the UART's
# receive interrupt), and Ctrl-A X quits with status 0 as in QEMU.
# SPDX-License-Identifier: MIT
O=${O:-build}
T=$O/trivisor
G=$O/guests/console.elf
if ! [ -x "$T" ] || ! [ -f "$G" ]; then
	echo "FAIL console/setup: $T or $G not built"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
for accel in kvm interp; do
	why=""
	[ "$accel" = kvm ] && why=$(host_lacks kvm)
	if [ -n "$why" ]; then
		echo "SKIP console/input [$accel]: $why"
		echo "SKIP console/ctrl-a-x [$accel]: $why"
		continue
	fi
	# the input arrives after the guest is waiting, as typing would
	{ sleep 1; printf 'ping\r'; } | timeout 60 "$T" -accel "$accel" -kernel "$G" \
		-serial stdio -display none -no-reboot >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q pong "$tmp/out"; then
		echo "PASS console/input [$accel]"
	else
		echo "FAIL console/input [$accel]: exit status $rc, want 1 with \"pong\": $(tr '\n' ' ' < "$tmp/out" | head -c 300)"
	fi
	{ sleep 1; printf 'pi\001x'; } | timeout 60 "$T" -accel "$accel" -kernel "$G" \
		-serial stdio -display none -no-reboot >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q 'Ctrl-A X' "$tmp/out"; then
		echo "PASS console/ctrl-a-x [$accel]"
	else
		echo "FAIL console/ctrl-a-x [$accel]: exit status $rc, want 0: $(tr '\n' ' ' < "$tmp/out" | head -c 300)"
	fi
done
