# The 32-bit helper of test_alu_bcd: runs the instructions 64-bit mode
# lacks (BCD adjusts, SALC) natively. Included from testsuite/testsuite.mk;
# built outside $(O)/unit so runtests does not run it as a test.
ALU_HOST32 := $(O)/alu-host/alu_host32

$(ALU_HOST32): testsuite/alu-host/alu_host32.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O1 -Wall -Wextra -o $@ $<

unit: $(ALU_HOST32)

# Record this host's CPU as the reference of its vendor: run on a real CPU
# (not an emulator), then commit the file it names.
alu32-reference: $(ALU_HOST32)
	@f=testsuite/alu-host/alu32-$$($(ALU_HOST32) --vendor).txt.gz && \
	$(ALU_HOST32) --reference | gzip -9n > $$f.tmp && mv $$f.tmp $$f && \
	echo "alu32-reference: wrote $$f ($$(wc -c < $$f) bytes)"

.PHONY: alu32-reference
