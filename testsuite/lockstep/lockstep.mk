# `make lockstep`: the first 20,000,000 instructions of the i386 boot, trivisor
# -accel interp against qemu-system-i386 -accel tcg; `make lockstep-amd64`:
# the same for the amd64 boot against qemu-system-x86_64 (make check runs
# the first 1,000,000 of each through testsuite/boot/lockstep-i386.sh and
# lockstep-amd64.sh). Included from testsuite/testsuite.mk. Both run in
# batches (testsuite/lockstep/lockstep.sh); LOCKSTEP_BATCH=1 single-steps
# all the way, at 1,500-4,000 instructions a second over QEMU's gdbstub.
LOCKSTEP_LONG ?= 20000000

lockstep: all
	@O=$(O) LOCKSTEP_ARCH=i386 LOCKSTEP_MAX=$(LOCKSTEP_LONG) \
		LOCKSTEP_TIMEOUT=$${LOCKSTEP_TIMEOUT:-14400} testsuite/lockstep/lockstep.sh

lockstep-amd64: all
	@O=$(O) LOCKSTEP_ARCH=amd64 LOCKSTEP_MAX=$(LOCKSTEP_LONG) \
		LOCKSTEP_TIMEOUT=$${LOCKSTEP_TIMEOUT:-14400} testsuite/lockstep/lockstep.sh

.PHONY: lockstep lockstep-amd64
