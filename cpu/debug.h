/* The debugger's hold on the CPUs, common to every tier: the breakpoints
 * and watchpoints the GDB stub sets, the events a kernel developer asks to
 * stop on (an exception vector, a port, a triple fault), single-step, and
 * why a vCPU stopped. The guest's own DR0-DR7 are not here: they are
 * architectural state (cpu_state.dr) and the tiers honour both, the
 * debugger's first, without either disturbing the other.
 *
 * ui/ changes struct vm_debug and each vcpu_debug.step/hold only while no
 * vCPU thread runs (the VM is paused), then bumps gen; the tiers read them
 * without locks and rebuild what they derive when gen moves. A tier that
 * meets a stop condition fills vcpu_debug's stop fields and returns
 * TIER_EXIT_DEBUG; the vCPU loop then pauses the VM for the debugger. */
#ifndef CPU_DEBUG_H
#define CPU_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

/* GDB's Z packet types, used as is */
enum dbg_point_kind {
	DBG_BP_SW = 0,		/* software breakpoint: no guest memory is patched
				 * in the software tiers; KVM plants INT3 */
	DBG_BP_HW = 1,		/* hardware breakpoint */
	DBG_WATCH_WRITE = 2,
	DBG_WATCH_READ = 3,
	DBG_WATCH_ACCESS = 4,
};

#define DBG_MAX_POINTS 64

/* addresses are linear (what GDB calls virtual: paging applies, segment
 * bases already added); len is 1 for breakpoints, any size for watches */
struct dbg_point {
	uint8_t kind;		/* enum dbg_point_kind */
	uint64_t addr, len;
};

/* qqemu.sstep bits. ENABLE alone: a step runs one guest instruction, and
 * an interrupt taken before it runs to its handler's return first, as
 * with the TF flag on hardware. NOIRQ/NOTIMER: no interrupt is taken
 * during the step (both mean that here). */
enum { DBG_SSTEP_ENABLE = 1, DBG_SSTEP_NOIRQ = 2, DBG_SSTEP_NOTIMER = 4 };

struct vm_debug {
	int npoints;
	struct dbg_point p[DBG_MAX_POINTS];
	uint64_t catch_vectors[4];	/* bit n: stop before vector n is delivered */
	bool catch_io;			/* stop after an access to a port in [io_lo, io_hi] */
	uint16_t io_lo, io_hi;
	bool catch_triple;		/* a triple fault stops instead of resetting */
	unsigned sstep;			/* DBG_SSTEP_* */
	/* any point or catch above is set: the tiers' quick test */
	bool active;
	uint64_t gen;			/* bumped by ui/ after each change */
};

enum dbg_stop_why {
	DBG_STOP_NONE,
	DBG_STOP_STEP,		/* a single step completed */
	DBG_STOP_BREAK,		/* at a breakpoint: rip is at it, not yet run */
	DBG_STOP_WATCH,		/* after the instruction that touched addr */
	DBG_STOP_VECTOR,	/* before delivering vector; it stays pending in
				 * cpu_state.ev and is delivered on resume */
	DBG_STOP_IO,		/* after the IN/OUT (or string form) to port */
	DBG_STOP_TRIPLE,	/* a triple fault: the state is the one that faulted */
};

struct vcpu_debug {
	/* set by ui/ before resuming */
	bool step;		/* stop after one guest instruction */
	bool hold;		/* do not run until the VM stops again */
	/* filled by the tier with TIER_EXIT_DEBUG */
	enum dbg_stop_why why;
	uint8_t kind;		/* BREAK, WATCH: enum dbg_point_kind that matched */
	uint64_t addr;		/* BREAK: linear address; WATCH: the point's address */
	uint8_t vector;		/* VECTOR */
	bool has_error;
	uint32_t error;
	uint16_t port;		/* IO */
	/* the tier's bookkeeping for a step that runs an interrupt handler
	 * through (DBG_SSTEP_ENABLE alone): where the step resumes */
	bool step_through;
	uint16_t step_cs;
	uint64_t step_rip, step_rsp;
};

/* the point matching, for every tier: does [addr, addr+len) of an access
 * of kind acc (0 read, 1 write) hit a watchpoint? Returns its index or -1 */
static inline int dbg_watch_hit(const struct vm_debug *d, uint64_t addr, uint64_t len, int write)
{
	for (int k = 0; k < d->npoints; k++) {
		const struct dbg_point *p = &d->p[k];
		if (p->kind < DBG_WATCH_WRITE)
			continue;
		if (p->kind == DBG_WATCH_WRITE && !write)
			continue;
		if (p->kind == DBG_WATCH_READ && write)
			continue;
		if (addr < p->addr + p->len && p->addr < addr + len)
			return k;
	}
	return -1;
}

/* a breakpoint at linear address lin: its index, or -1 */
static inline int dbg_break_hit(const struct vm_debug *d, uint64_t lin)
{
	for (int k = 0; k < d->npoints; k++)
		if (d->p[k].kind <= DBG_BP_HW && d->p[k].addr == lin)
			return k;
	return -1;
}

/* a vector or a port is caught: what no hardware debug register holds */
static inline bool dbg_has_catches(const struct vm_debug *d)
{
	return d->catch_io || d->catch_vectors[0] || d->catch_vectors[1] || d->catch_vectors[2] ||
	       d->catch_vectors[3];
}

static inline bool dbg_catches_vector(const struct vm_debug *d, unsigned v)
{
	return (d->catch_vectors[(v >> 6) & 3] >> (v & 63)) & 1;
}

#endif
