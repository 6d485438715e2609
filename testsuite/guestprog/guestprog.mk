# Programs that run inside Linux guests (testsuite/boot/linux-interp.sh):
# static x86-64 binaries whose output is compared with the same binary run
# natively on the host.

GUESTPROG := $(O)/guestprog/cpucheck
CHECK_DEPS += $(GUESTPROG)

$(O)/guestprog/cpucheck: testsuite/guestprog/cpucheck.c testsuite/guestprog/guestlib.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $< -lpthread -lm

# The benchmark's programs (testsuite/bench/bench.sh): static, built for
# x86-64 (the amd64 guest and this host) and for i686 with SSE2 (the i386
# guest, BENCH_ARCH=i386). make check builds the x86-64 ones, which
# testsuite/boot/bench-tiny.sh runs.
BENCHPROG_NAMES := benchcpu benchfp benchos
BENCHPROG := $(addprefix $(O)/guestprog/,$(BENCHPROG_NAMES))
BENCHPROG32 := $(addprefix $(O)/guestprog/i386/,$(BENCHPROG_NAMES))
CHECK_DEPS += $(BENCHPROG)

$(O)/guestprog/bench%: testsuite/guestprog/bench%.c testsuite/guestprog/guestlib.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $< -lm

$(O)/guestprog/i386/bench%: testsuite/guestprog/bench%.c testsuite/guestprog/guestlib.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -m32 -march=i686 -msse2 -mfpmath=sse -O2 -Wall -Wextra -static -o $@ $< -lm
