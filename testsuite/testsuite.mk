UNIT_TESTS += $(wildcard testsuite/unit/test_*.c)
-include testsuite/guests/guests.mk
-include testsuite/hostcaps/hostcaps.mk
-include testsuite/alu-host/alu-host.mk
-include testsuite/guests3/guests3.mk
-include testsuite/decode-vs-capstone/dvc.mk
-include testsuite/lockstep/lockstep.mk
-include testsuite/bench/bench.mk
-include testsuite/guestprog/guestprog.mk
-include testsuite/floppy/floppy.mk
-include testsuite/fuzz/fuzz.mk
-include testsuite/screen/screen.mk
-include testsuite/gdb/gdb.mk

# the translator's emitter test disassembles with capstone when it is
# installed (private: not passed on to the library objects it depends on)
ifneq ($(wildcard /usr/include/capstone/capstone.h),)
$(O)/unit/test_bt_emit: private CFLAGS += -DBT_EMIT_CAPSTONE
$(O)/unit/test_bt_emit: private UNIT_LDLIBS += -lcapstone
endif
