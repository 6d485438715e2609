#!/bin/bash
# Lockstep: the first N instructions of Debian's i386 or amd64 boot, trivisor -accel interp against QEMU's TCG over its gdbstub.
# SPDX-License-Identifier: MIT
#
# Both sides boot the same kernel, initramfs, command line and RAM size.
# QEMU starts stopped (-S) with its gdbstub on 127.0.0.1; trivisor
# (-lockstep-gdb) runs both to the kernel's 32-bit entry (0x100000: QEMU
# gets there through SeaBIOS and the real-mode setup code, trivisor boots
# it directly: an amd64 kernel at its 64-bit entry, so trivisor re-enters
# it at the 32-bit one, flat protected mode like the reference), copies
# the reference's registers, zero page, command line, initrd and firmware
# areas, then runs both in batches (below) or one instruction at a time,
# compares, and stops at the first register difference, printing both
# states. amd64 runs against qemu-system-x86_64, whose gdbstub sends the
# 64-bit register layout; the kernel is in long mode after about 12,500
# instructions, so nearly all of the run compares 64-bit code.
# Prints one PASS/FAIL/SKIP line. Environment: O, TRIVISOR, QEMU,
# LOCKSTEP_ARCH (i386 or amd64, default i386), LOCKSTEP_MAX (instructions,
# default 1000000), LOCKSTEP_BATCH (default 256; 1: single steps only),
# LOCKSTEP_TIMEOUT (seconds, default 1500).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ARCH=${LOCKSTEP_ARCH:-i386}
case $ARCH in
i386)
	QEMU=${QEMU:-qemu-system-i386}
	NEED=qemu
	# qemu32 plus NX: the P6-class CPU trivisor's i386 boot models
	CPU=qemu32,+nx ;;
amd64)
	QEMU=${QEMU:-qemu-system-x86_64}
	NEED=qemu64
	# Nehalem (family 6 model 0x1a, SSE4.2, POPCNT, CX16, LM, NX) as
	# trivisor's interpreter advertises it: without MCE/MCA, PSE-36,
	# x2APIC and the hypervisor bit, with 1 GiB pages and RDTSCP. CPUID
	# results are taken from the reference anyway; this keeps the
	# kernel's choices within what trivisor implements.
	CPU=Nehalem,-mce,-mca,-pse36,-x2apic,-hypervisor,+pdpe1gb,+rdtscp ;;
*)
	echo "FAIL lockstep: LOCKSTEP_ARCH=$ARCH: want i386 or amd64"
	exit 0 ;;
esac
MAX=${LOCKSTEP_MAX:-1000000}
LOCKSTEP_TIMEOUT=${LOCKSTEP_TIMEOUT:-1500}
NAME="lockstep/linux-$ARCH-$MAX [interp vs qemu-tcg]"
ENTRY=0x100000		# code32_start of a bzImage

if [ ! -x "$TRIVISOR" ]; then
	echo "FAIL $NAME: $TRIVISOR not built"
	exit 0
fi
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
why=$(host_lacks "$NEED")
if [ -n "$why" ]; then
	echo "SKIP $NAME: $why"
	exit 0
fi
if ! command -v "$QEMU" > /dev/null; then
	echo "SKIP $NAME: $QEMU not installed"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockstep.XXXXXX") || exit 1
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2> /dev/null && wait "$qpid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# the interp tier: a 64 KiB ROM whose reset vector exits through port 0xf4
{ head -c 65520 /dev/zero; printf '\xb0\x00\xe6\xf4\xf4'; head -c 11 /dev/zero; } > "$tmp/probe.rom"
timeout 60 "$TRIVISOR" -accel interp -bios "$tmp/probe.rom" -display none -no-reboot > "$tmp/probe" 2>&1 < /dev/null
if grep -q "not built yet" "$tmp/probe"; then
	echo "SKIP $NAME: tier interp not built yet"
	exit 0
fi

testsuite/fetch-images "$ARCH" > "$tmp/paths" 2> "$tmp/fetch.err"
rc=$?
if [ "$rc" -eq 2 ]; then
	echo "SKIP $NAME: $(tail -n1 "$tmp/fetch.err")"
	exit 0
elif [ "$rc" -ne 0 ]; then
	cat "$tmp/fetch.err"
	echo "FAIL $NAME: testsuite/fetch-images $ARCH failed (exit status $rc)"
	exit 0
fi
KERNEL=$(sed -n 1p "$tmp/paths")
INITRD=$(sed -n 2p "$tmp/paths")
GUEST=(-m 512 -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 panic=-1 trivisor.test=1"
       -serial null -display none -no-reboot)

# One run: QEMU on a free port (try a few: a taken port makes it exit at
# once), trivisor against it; output in $tmp/out, exit status in rc.
run_once() {
	local try
	qpid=""
	for try in 1 2 3 4 5; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		"$QEMU" -accel tcg -cpu "$CPU" "${GUEST[@]}" -S -gdb "tcp:127.0.0.1:$port" \
			> "$tmp/qemu.out" 2>&1 < /dev/null &
		qpid=$!
		sleep 1
		kill -0 "$qpid" 2> /dev/null && break
		wait "$qpid" 2> /dev/null
		qpid=""
	done
	if [ -z "$qpid" ]; then
		cat "$tmp/qemu.out"
		echo "FAIL $NAME: $QEMU did not start its gdbstub"
		exit 0
	fi
	cmd=("$TRIVISOR" -accel interp "${GUEST[@]}" -lockstep-gdb "127.0.0.1:$port"
	     -lockstep-sync "$ENTRY" -lockstep-max "$MAX")
	{ timeout -k 5 "$LOCKSTEP_TIMEOUT" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	kill "$qpid" 2> /dev/null	# trivisor's 'k' has ended it, unless trivisor failed
	wait "$qpid" 2> /dev/null
	qpid=""
}

# Batches (ui/lockstep.c): trivisor runs ahead alone and QEMU follows to a
# breakpoint, a few round trips per batch instead of two per instruction.
# A batch that differs is run again single-stepped (the window the first
# run names) to find the instruction. LOCKSTEP_BATCH=1: single steps only.
export TRIVISOR_LOCKSTEP_BATCH=${LOCKSTEP_BATCH:-256}
unset TRIVISOR_LOCKSTEP_EXACT
start=$(date +%s)
run_once
window=$(grep -m1 -o 'TRIVISOR_LOCKSTEP_EXACT=[0-9]*:[0-9]*' "$tmp/out")
if [ -n "$window" ]; then
	echo "first run (batches):"
	grep "lockstep:" "$tmp/out" | tail -n 20
	echo "again, single-stepping instructions ${window#*=} (the batch that differed):"
	export "${window?}"
	run_once
fi
secs=$(( $(date +%s) - start ))
if [ "$rc" -eq 0 ] && grep -q "instructions matched" "$tmp/out"; then
	grep "lockstep:" "$tmp/out" | tail -n 1
	echo "PASS $NAME"
	exit 0
fi
echo "command: ${window:+$window }${cmd[*]}"
echo "reference: $QEMU -accel tcg -cpu $CPU ${GUEST[*]} -S -gdb tcp:127.0.0.1:$port"
tail -n 60 "$tmp/out"
case $rc in
124|137) why="timed out after $LOCKSTEP_TIMEOUT s" ;;
*) why="exit status $rc after $secs s" ;;
esac
if grep -q "lockstep: difference" "$tmp/out"; then
	why="$(grep -m1 -o 'difference after [0-9]* instructions' "$tmp/out")"
elif grep -q "lockstep: batch difference" "$tmp/out"; then
	why="$(grep -m1 -o 'batch difference after [0-9]* instructions' "$tmp/out")"
fi
echo "FAIL $NAME: $why"
exit 0
