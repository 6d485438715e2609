# Device fuzz harnesses: testsuite/fuzz/fuzz_*.c, each a libFuzzer target
# built with Debian's clang under ASan+UBSan against the device models
# (hw/, mmu/) compiled the same way. `make check` runs each briefly from a
# fixed seed (testsuite/fuzz/run.sh); `make fuzz FUZZ_TIME=S` runs each for
# S seconds and keeps what it finds.
FUZZ_CC    ?= clang
FUZZ_SRCS  := $(wildcard testsuite/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:testsuite/fuzz/%.c=$(O)/fuzz/%)
FUZZ_LIB   := $(filter hw/% mmu/%,$(LIB_SRCS))
FUZZ_OBJS  := $(FUZZ_LIB:%.c=$(O)/fuzz/obj/%.o)
FUZZ_FLAGS := -std=gnu11 -O1 -g -I. -D_GNU_SOURCE -MMD -MP -Wall -Wno-unused-function \
	      -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

$(O)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(O)/fuzz/libdevices.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(O)/fuzz/fuzz_%: testsuite/fuzz/fuzz_%.c testsuite/fuzz/fuzzrig.h $(O)/fuzz/libdevices.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(O)/fuzz/libdevices.a -lpthread -lrt

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@O=$(O) FUZZ_TIME=$(FUZZ_TIME) testsuite/fuzz/run.sh long

CHECK_DEPS += fuzz-build
.PHONY: fuzz fuzz-build
-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
