# The decoder checked against capstone: an -O2 binary (no sanitizers: it runs
# 10 million sequences per mode) in build/unit/, so `make check` runs it.
# Without capstone's headers it builds as a stub that reports SKIP.
DVC_BIN  := $(O)/unit/decode_vs_capstone
DVC_SRCS := testsuite/decode-vs-capstone/dvc.c cpu/decode.c cpu/optable.c
ifneq ($(wildcard /usr/include/capstone/capstone.h),)
DVC_LIBS := -lcapstone
else
DVC_LIBS :=
DVC_DEFS := -DDVC_NO_CAPSTONE
endif

$(DVC_BIN): $(DVC_SRCS) cpu/decode.h cpu/optable.h cpu/ops.def cpu/state.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -I. -D_GNU_SOURCE $(DVC_DEFS) -o $@ $(DVC_SRCS) $(DVC_LIBS)

CHECK_DEPS += $(DVC_BIN)
unit: $(DVC_BIN)

# the long run: 100 million sequences per mode
decode-fuzz: $(DVC_BIN)
	$(DVC_BIN) -n 100000000

.PHONY: decode-fuzz
