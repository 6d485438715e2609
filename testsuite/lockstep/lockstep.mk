# `make lockstep`: the first 20,000,000 instructions of the i386 boot, trivisor
# -accel interp against qemu-system-i386 -accel tcg (make check runs the first
# 1,000,000 through testsuite/boot/lockstep-i386.sh). Included from
# testsuite/testsuite.mk. About 3,000-4,000 instructions a second over
# QEMU's gdbstub: this one takes 1.5 to 2 hours on 2 cores.
LOCKSTEP_LONG ?= 20000000

lockstep: all
	@O=$(O) LOCKSTEP_MAX=$(LOCKSTEP_LONG) LOCKSTEP_TIMEOUT=$${LOCKSTEP_TIMEOUT:-14400} \
		testsuite/lockstep/lockstep.sh

.PHONY: lockstep
