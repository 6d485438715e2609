# The host probe (testsuite/hostcaps): a program for the test scripts, the
# same code linked into the unit tests that ask it, and the 32-bit program
# it tries to run. Included from testsuite/testsuite.mk.
HOSTCAPS := $(O)/hostcaps/hostcaps
RUN32    := $(O)/hostcaps/run32
UNIT_SUPPORT += testsuite/hostcaps/hostcaps.c
CHECK_DEPS += $(HOSTCAPS) $(RUN32)

$(HOSTCAPS): testsuite/hostcaps/main.c testsuite/hostcaps/hostcaps.c testsuite/hostcaps/hostcaps.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ testsuite/hostcaps/main.c testsuite/hostcaps/hostcaps.c

$(RUN32): testsuite/hostcaps/run32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O1 -Wall -Wextra -o $@ $<

hostcaps: $(HOSTCAPS) $(RUN32)
unit: $(RUN32)
.PHONY: hostcaps
