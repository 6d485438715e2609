#!/bin/bash
# Runs the device fuzz harnesses ($O/fuzz/fuzz_*).
# SPDX-License-Identifier: MIT
#
#   run.sh         (what `make check` runs) each harness replays its kept
#                  inputs (testsuite/fuzz/corpus/NAME: seeds and every input
#                  that once crashed) and then fuzzes RUNS inputs from a
#                  fixed seed; PASS or FAIL per harness.
#   run.sh long    (`make fuzz`) each harness fuzzes for FUZZ_TIME seconds
#                  (default 600) from a corpus kept in the cache
#                  (~/.cache/trivisor/fuzz/NAME); a crashing input is left in
#                  testsuite/fuzz/corpus/NAME/ as crash-*, to be committed as
#                  a regression case once fixed.
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
DEFAULT_RUNS=${FUZZ_RUNS:-30000}
FUZZ_TIME=${FUZZ_TIME:-600}
CACHE=${TRIVISOR_CACHE:-$HOME/.cache/trivisor}/fuzz
mode=${1:-check}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

bins=("$O"/fuzz/fuzz_*)
if [ ! -x "${bins[0]}" ]; then
	if ! command -v clang > /dev/null; then
		echo "SKIP fuzz: clang is not installed (testsuite/install-deps installs it)"
	else
		echo "FAIL fuzz: no harnesses in $O/fuzz (make fuzz-build)"
	fi
	exit 0
fi

for bin in "${bins[@]}"; do
	[ -x "$bin" ] || continue
	case $bin in *.d) continue ;; esac
	name=$(basename "$bin")
	name=${name#fuzz_}
	kept=testsuite/fuzz/corpus/$name
	mkdir -p "$kept"
	if [ "$mode" = long ]; then
		mkdir -p "$CACHE/$name"
		echo "fuzz/$name: $FUZZ_TIME s"
		"$bin" -max_total_time="$FUZZ_TIME" -artifact_prefix="$kept/" -print_final_stats=1 \
			"$CACHE/$name" "$kept" 2>&1 | grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' 
		continue
	fi
	mkdir -p "$tmp/$name"
	out=$tmp/$name.out
	# a harness whose inputs are slow (a render each, a disk image each)
	# says how many make check can afford: "fuzz-runs: N" in its source
	RUNS=$DEFAULT_RUNS
	runs=$(sed -n 's/.*fuzz-runs: *\([0-9]*\).*/\1/p' "testsuite/fuzz/fuzz_$name.c" 2>/dev/null | head -n1)
	[ -n "${FUZZ_RUNS:-}" ] || [ -z "$runs" ] || RUNS=$runs
	"$bin" -seed=1 -runs="$RUNS" -artifact_prefix="$tmp/$name-" "$tmp/$name" "$kept" > "$out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		execs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$out" | tail -n1)
		echo "PASS fuzz/$name (${execs:-?} inputs, $(find "$kept" -type f | wc -l) kept)"
	else
		echo "FAIL fuzz/$name: exit status $rc; the input is kept in $tmp (lost at exit): see below"
		grep -E -A 30 '==[0-9]+==ERROR|runtime error' "$out" | head -n 60
		for a in "$tmp/$name"-*; do
			[ -f "$a" ] && echo "  crashing input (base64): $(base64 -w0 "$a" | head -c 2000)"
		done
	fi
done
exit 0
