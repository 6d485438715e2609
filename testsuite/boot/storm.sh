#!/bin/bash
# Switch storm: the interpreter and the translator hand each vCPU back and forth after a random number of instructions (-accel bt,storm=N), on the system guests and on the amd64 boot with its cpucheck program.
# SPDX-License-Identifier: MIT
#
# Every switch goes through the tier contract (sync_out, sync_in), so a
# state either tier forgets to carry shows up as a wrong result. The
# guests switch every ~300 instructions, the boot every ~50,000 (each
# switch into the translator starts it with an empty code cache).
# Environment: O, TRIVISOR, STORM_GUESTS (mean for the guests, default
# 300), STORM_BOOT (mean for the boot, default 50000).
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
MEAN=${STORM_GUESTS:-300}

# blanks off both ends (xargs would trip on the manifest comments' quotes)
trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# the guests3 manifest: name | file | flags | exit status | substring | tiers
while IFS='|' read -r name file flags want substr tiers; do
	name=$(trim "$name")
	case $name in ''|'#'*) continue ;; esac
	case " $(trim "$tiers") " in *" bt "*) ;; *) continue ;; esac
	file=$(trim "$file")
	want=$(trim "$want")
	substr=$(trim "$substr")
	test="storm/$name [interp<->bt every ~$MEAN]"
	f=$O/guests3/$file
	if [ ! -x "$TRIVISOR" ] || [ ! -f "$f" ]; then
		echo "FAIL $test: $TRIVISOR or $f not built"
		continue
	fi
	load=-kernel
	case $file in *.rom) load=-bios ;; esac
	# hot=0: the translator's turns translate from the first run, or
	# these short guests would spend them in its interpreter
	out=$(timeout -k 5 120 "$TRIVISOR" -accel "bt,storm=$MEAN,hot=0" -m 64 "$load" "$f" -serial stdio \
		-display none -no-reboot 2>&1 < /dev/null)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$substr" <<< "$out"; then
		echo "PASS $test"
	else
		echo "$out" | tail -n 20
		echo "FAIL $test: exit status $rc (want $want) or no \"$substr\""
	fi
done < testsuite/guests3/manifest

BOOT_ACCEL="bt,storm=${STORM_BOOT:-50000}" bash testsuite/boot/linux-interp.sh
exit 0
