# `make bench`: the benchmark (testsuite/bench/bench.sh): Debian's amd64
# kernel and busybox initramfs, one command line, on every system the host
# offers (trivisor's tiers, QEMU's TCG and KVM, the host itself), the boot
# and eight in-guest workloads, BENCH_ROUNDS alternating rounds.
# BENCH_SIZE=tiny|full, BENCH_ARCH=amd64|i386, BENCH_SYSTEMS, BENCH_OUT.
# Included from testsuite/testsuite.mk. make check runs it once at the
# tiny size (testsuite/boot/bench-tiny.sh); it asserts nothing about time.
# (Written out: guestprog.mk, which builds the programs, is read after this.)
BENCH_DEPS := $(O)/hostcaps/hostcaps $(O)/hostcaps/run32 \
	$(O)/guestprog/benchcpu $(O)/guestprog/benchfp $(O)/guestprog/benchos
ifeq ($(BENCH_ARCH),i386)
BENCH_DEPS += $(O)/guestprog/i386/benchcpu $(O)/guestprog/i386/benchfp $(O)/guestprog/i386/benchos
endif

# Then the nanobenchmarks (testsuite/bench/nano.sh: the guest
# testsuite/guests3/nanobench.asm, ns per privileged operation on each
# system), also alone as `make bench-nano`; make check runs neither.
NANO_DEPS := $(O)/hostcaps/hostcaps $(O)/guests3/nanobench.bin

bench: all $(BENCH_DEPS) $(NANO_DEPS)
	@O=$(O) testsuite/bench/bench.sh; s=$$?; \
	O=$(O) testsuite/bench/nano.sh || s=1; exit $$s

bench-nano: all $(NANO_DEPS)
	@O=$(O) testsuite/bench/nano.sh

.PHONY: bench bench-nano
