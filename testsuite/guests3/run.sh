#!/bin/bash
# Run the guests3 test guests on trivisor's tiers, or under QEMU's TCG as the reference.
# SPDX-License-Identifier: MIT
#
# usage: testsuite/guests3/run.sh [TIER...]    tiers to run (default: interp bt kvm);
#                                              a guest runs on those of its
#                                              manifest tiers that are asked for
#        testsuite/guests3/run.sh --qemu       every guest under qemu-system-i386
#                                              -accel tcg (with "qemu-lax" on the
#                                              command line of the multiboot ones:
#                                              the few checks QEMU does not model
#                                              are skipped, and the guest says so)
# Prints one "PASS|FAIL|SKIP guest3/NAME [TIER]" line per run; exits 0.
# Environment: O, TRIVISOR, GUEST_TIMEOUT (seconds per guest, default 60).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-60}
MANIFEST=testsuite/guests3/manifest
QEMU=${QEMU:-qemu-system-i386}
QEMU64=${QEMU64:-qemu-system-x86_64}

qemu=0
tiers=()
for a in "$@"; do
	case $a in
	--qemu) qemu=1 ;;
	*) tiers+=("$a") ;;
	esac
done
[ "$qemu" = 1 ] && tiers=(qemu-tcg)
[ ${#tiers[@]} -eq 0 ] && tiers=(interp bt kvm)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guests3.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

# empty if the tier can be tried here, else why not (the host probe)
# shellcheck source=testsuite/hostcaps/lib.sh
. testsuite/hostcaps/lib.sh
tier_unusable() {
	case $1 in
	qemu-tcg)
		host_lacks qemu
		command -v "$QEMU" > /dev/null || echo "$QEMU not installed" ;;
	kvm)
		host_lacks kvm ;;
	esac
}

if [ ! -r "$MANIFEST" ]; then
	echo "FAIL guests3: cannot read $MANIFEST"
	exit 0
fi

for tier in "${tiers[@]}"; do
	why=$(tier_unusable "$tier")
	while IFS='|' read -r name guest flags want substr gtiers; do
		name=$(trim "$name")
		case $name in ''|'#'*) continue ;; esac
		guest=$(trim "$guest")
		flags=$(trim "$flags")
		want=$(trim "$want")
		substr=$(trim "$substr")
		test="guest3/$name [$tier]"
		if [ "$tier" != qemu-tcg ] && [[ " $gtiers " != *" $tier "* ]]; then
			continue
		fi
		if [ -n "$why" ]; then
			echo "SKIP $test: $why"
			continue
		fi
		file=$O/guests3/$guest
		if [ ! -f "$file" ]; then
			echo "FAIL $test: $file not built (make guests3)"
			continue
		fi
		case $guest in
		*.rom) load=(-bios "$file") ;;
		*) load=(-kernel "$file") ;;
		esac
		qbin=$QEMU
		cpu=qemu32,+nx
		case " $flags " in *" @x86_64 "*)
			qbin=$QEMU64
			cpu=qemu64,+pdpe1gb,+rdtscp
			flags=$(trim "${flags//@x86_64/}")
			;;
		esac
		if [ "$tier" = qemu-tcg ]; then
			[ "${load[0]}" = -kernel ] && load+=(-append qemu-lax)
			# qemu32 plus NX: the P6-class CPU with PAE and NX trivisor
			# models; qemu64 with what long mode adds to it
			cmd=("$qbin" -accel tcg -cpu "$cpu" -m 64 "${load[@]}"
			     -device isa-debug-exit,iobase=0xf4,iosize=4)
		else
			if [ ! -x "$TRIVISOR" ]; then
				echo "FAIL $test: $TRIVISOR not built"
				continue
			fi
			# bt translates each block at its first run here (hot=0):
			# most of a test guest's code runs once, which the
			# interpreter would otherwise do for it
			accel=$tier
			[ "$tier" = bt ] && accel=bt,hot=0
			cmd=("$TRIVISOR" -accel "$accel" -m 64 "${load[@]}")
		fi
		# shellcheck disable=SC2206 # flags split on blanks by design
		cmd+=(-serial stdio -display none -no-reboot $flags)
		{ timeout -k 5 "$GUEST_TIMEOUT" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
		if [ "$rc" = "$want" ] && grep -qF -- "$substr" "$tmp/out"; then
			echo "PASS $test"
			continue
		fi
		if [ "$tier" != qemu-tcg ] && grep -q "not built yet" "$tmp/out"; then
			echo "SKIP $test: tier $tier not built yet"
			continue
		fi
		echo "command: ${cmd[*]}"
		sed 's/^/  | /' "$tmp/out" | tail -n 40
		case $rc in
		124|137) echo "FAIL $test: timed out after $GUEST_TIMEOUT s" ;;
		"$want") echo "FAIL $test: output lacks \"$substr\"" ;;
		*) echo "FAIL $test: exit status $rc, want $want" ;;
		esac
	done < "$MANIFEST"
done
exit 0
