# `make lockstep`: the first 20,000,000 instructions of the i386 boot
# (trivisor -accel interp against qemu-system-i386 -accel tcg), then of the
# amd64 boot (against qemu-system-x86_64); `make lockstep-i386` and
# `make lockstep-amd64` run one of them. make check runs the first
# 1,000,000 of each through testsuite/boot/lockstep-i386.sh and
# lockstep-amd64.sh. Included from testsuite/testsuite.mk. Both run in
# batches (testsuite/lockstep/lockstep.sh); LOCKSTEP_BATCH=1 single-steps
# all the way, at 1,500-4,000 instructions a second over QEMU's gdbstub.
LOCKSTEP_LONG ?= 20000000
LOCKSTEP_RUN = O=$(O) LOCKSTEP_MAX=$(LOCKSTEP_LONG) \
	LOCKSTEP_TIMEOUT=$${LOCKSTEP_TIMEOUT:-14400} testsuite/lockstep/lockstep.sh

# one after the other: both would want the same gdbstub port
lockstep: all
	@LOCKSTEP_ARCH=i386 $(LOCKSTEP_RUN) && LOCKSTEP_ARCH=amd64 $(LOCKSTEP_RUN)

lockstep-i386: all
	@LOCKSTEP_ARCH=i386 $(LOCKSTEP_RUN)

lockstep-amd64: all
	@LOCKSTEP_ARCH=amd64 $(LOCKSTEP_RUN)

.PHONY: lockstep lockstep-i386 lockstep-amd64
