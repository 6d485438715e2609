UNIT_TESTS += $(wildcard testsuite/unit/test_*.c)
-include testsuite/guests/guests.mk
-include testsuite/hostcaps/hostcaps.mk
-include testsuite/alu-host/alu-host.mk
-include testsuite/guests3/guests3.mk
-include testsuite/decode-vs-capstone/dvc.mk
-include testsuite/lockstep/lockstep.mk
-include testsuite/bench/bench.mk
-include testsuite/guestprog/guestprog.mk
