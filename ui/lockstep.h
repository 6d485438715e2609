/* Lockstep against a reference emulator (QEMU) over the GDB remote
 * protocol: step the reference and our tier one instruction each, compare
 * the registers, stop at the first difference. */
#ifndef UI_LOCKSTEP_H
#define UI_LOCKSTEP_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

struct lockstep_config {
	const char *gdb;	/* "HOST:PORT" of the reference's gdbstub (127.0.0.1 only) */
	uint64_t max;		/* instructions to compare */
	bool sync;		/* run both to sync_eip first, then copy the reference */
	uint64_t sync_eip;	/* linear address where comparing starts */
};

/* Runs vCPU v (its tier must have step; the vCPU thread is not started)
 * against the reference. 0: `max` instructions matched; 1: a difference
 * (both states printed) or an error. */
int lockstep_run(struct vcpu *v, const struct lockstep_config *cfg);

#endif
