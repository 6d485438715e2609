UNIT_TESTS += $(wildcard testsuite/unit/test_*.c)
-include testsuite/guests/guests.mk
