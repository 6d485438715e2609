# The 32-bit helper of test_alu_host: runs the instructions 64-bit mode
# lacks (BCD adjusts, SALC) natively. Included from testsuite/testsuite.mk;
# built outside $(O)/unit so runtests does not run it as a test.
ALU_HOST32 := $(O)/alu-host/alu_host32

$(ALU_HOST32): testsuite/alu-host/alu_host32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O1 -Wall -Wextra -o $@ $<

unit: $(ALU_HOST32)
