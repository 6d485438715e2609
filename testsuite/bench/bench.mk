# `make bench`: the i386 boot under -accel interp and under qemu-system-i386
# -accel tcg, timed side by side (testsuite/bench/bench.sh). Included from
# testsuite/testsuite.mk. Never part of make check: it measures, it does not test.
bench: all
	@O=$(O) testsuite/bench/bench.sh

.PHONY: bench
