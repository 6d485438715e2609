# Programs that run inside Linux guests (testsuite/boot/linux-interp.sh):
# static x86-64 binaries whose output is compared with the same binary run
# natively on the host.

GUESTPROG := $(O)/guestprog/cpucheck
CHECK_DEPS += $(GUESTPROG)

$(O)/guestprog/cpucheck: testsuite/guestprog/cpucheck.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $< -lpthread -lm
