#!/bin/bash
# The translator's threshold (-accel bt,hot=N): a block runs in the interpreter until it has run N times, then is translated; hot=0 translates at the first run.
# SPDX-License-Identifier: MIT
#
# On the nanobench guest (loops run thousands of times, set-up code once),
# from -d stats: with hot=0 nothing runs as "not yet hot" and every block
# is translated; the default (4) leaves the code run fewer times to the
# interpreter and translates fewer blocks; hot=255 fewer still. The guest
# must pass each way.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
GUEST=$O/guests3/nanobench.bin
if [ ! -x "$TRIVISOR" ] || [ ! -f "$GUEST" ]; then
	echo "FAIL bt-hot: $TRIVISOR or $GUEST not built"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bt-hot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

declare -A BLOCKS COLD
for accel in bt,hot=0 bt bt,hot=255; do
	timeout -k 5 120 "$TRIVISOR" -accel "$accel" -m 64 -kernel "$GUEST" -serial stdio -display none \
		-no-reboot -d stats -D "$tmp/stats" > "$tmp/out" 2>&1 < /dev/null
	rc=$?
	if [ "$rc" != 1 ] || ! grep -qF "nanobench ok" "$tmp/out"; then
		tail -n 20 "$tmp/out"
		echo "FAIL bt-hot [$accel]: exit status $rc (want 1) or no \"nanobench ok\""
		exit 0
	fi
	BLOCKS[$accel]=$(sed -n 's/.* bt: blocks \([0-9]*\) (.*/\1/p' "$tmp/stats")
	COLD[$accel]=$(sed -n 's/.*for code not yet hot \([0-9]*\)).*/\1/p' "$tmp/stats")
	if [ -z "${BLOCKS[$accel]}" ] || [ -z "${COLD[$accel]}" ]; then
		cat "$tmp/stats"
		echo "FAIL bt-hot [$accel]: no block counts in -d stats"
		exit 0
	fi
done
say="blocks ${BLOCKS[bt,hot=0]}/${BLOCKS[bt]}/${BLOCKS[bt,hot=255]}, interpreter runs of cold code ${COLD[bt,hot=0]}/${COLD[bt]}/${COLD[bt,hot=255]} (hot=0/default/255)"
if [ "${COLD[bt,hot=0]}" != 0 ]; then
	echo "FAIL bt-hot: hot=0 left code to the interpreter: $say"
elif [ "${COLD[bt]}" -eq 0 ] || [ "${BLOCKS[bt]}" -ge "${BLOCKS[bt,hot=0]}" ]; then
	echo "FAIL bt-hot: the default translated everything at once: $say"
elif [ "${COLD[bt,hot=255]}" -le "${COLD[bt]}" ] || [ "${BLOCKS[bt,hot=255]}" -ge "${BLOCKS[bt]}" ]; then
	echo "FAIL bt-hot: hot=255 translated as soon as the default: $say"
else
	echo "PASS bt-hot ($say)"
fi
exit 0
