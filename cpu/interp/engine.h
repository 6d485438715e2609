/* The interpreter's run loop as a service to another software tier: the
 * translator (cpu/bt/) is the interpreter's careful step plus a faster
 * fast path. Events, interrupts, faults and their delivery, the debugger,
 * tracing, turns between vCPUs and the instructions a block cannot hold
 * stay in one place, interp.c; a tier made this way supplies only what
 * runs between two careful steps.
 *
 * The contract of a fast path:
 * - run() executes plain instructions (struct dc_insn.plain) from c->s
 *   and returns FAST_BREAK before anything else: the careful step then
 *   runs the next instruction itself. It keeps c->s->rip and c->insns
 *   exact at return, and returns within EVENT_POLL_INSNS instructions or
 *   promptly after kick().
 * - A fault in it longjmps (cpu_fault) to the loop, which calls
 *   fault_fixup() to make c->s->rip and c->insns those of the faulting
 *   instruction before delivering the exception. engine_reexec() leaves
 *   the same way without an exception: the careful step then runs the
 *   instruction at c->s->rip.
 * - invalidate() is the code-page tracker's callback (a write of len
 *   bytes at gpa hit a page the fast path derived code from): it drops
 *   what derived from those bytes, and says whether it keeps code derived
 *   from the page's others; flush() drops everything derived from guest
 *   code or host pointers (tier entry, physmap change).
 * All calls come from the thread holding the vCPU's turn, except kick(). */
#ifndef CPU_INTERP_ENGINE_H
#define CPU_INTERP_ENGINE_H

#include <stdatomic.h>
#include "cpu/interp/icpu.h"
#include "cpu/tier.h"

/* how often the loops look at events, in instructions (a power of two) */
#define EVENT_POLL_INSNS 0x10000u

/* FAST_LEFT: engine_interp_page's code left its page */
enum fast_result { FAST_BREAK, FAST_HLT, FAST_LEFT };

struct tier_stats;

struct fast_path {
	/* per VM: cp is the VM's code-page tracker, shared by its vCPUs */
	void *(*vm_init)(struct vm *vm, struct codepages *cp);
	void (*vm_destroy)(void *vmstate);
	void *(*attach)(void *vmstate, struct icpu *c);	/* per vCPU, once */
	void (*free)(void *cpustate);
	enum fast_result (*run)(void *cpustate, struct icpu *c);
	void (*fault_fixup)(void *cpustate, struct icpu *c);
	bool (*invalidate)(void *vmstate, uint64_t gpa, uint64_t len);
	void (*flush)(void *cpustate);
	void (*kick)(void *cpustate);
	/* counters for info tiers and -d stats */
	void (*stats)(void *cpustate, struct tier_stats *st);
	void (*print_stats)(void *cpustate, int cpu);
};

/* the tier contract's functions for a software tier: the interpreter's
 * loop with fp as its fast path (NULL: the interpreter's own) */
int engine_vm_init(struct vm *vm, enum tier_id id, const struct fast_path *fp);
void engine_vm_destroy(struct vm *vm, enum tier_id id);
int engine_attach(struct vcpu *v, enum tier_id id);
void engine_detach(struct vcpu *v, enum tier_id id);
int engine_sync_in(struct vcpu *v, enum tier_id id);
int engine_sync_out(struct vcpu *v, enum tier_id id);
enum tier_exit engine_run(struct vcpu *v, enum tier_id id);
enum tier_exit engine_step(struct vcpu *v, enum tier_id id);
void engine_kick(struct vcpu *v, enum tier_id id);
/* the icpu of v in tier id (attached), for lockstep checks and tests */
struct icpu *engine_icpu(struct vcpu *v, enum tier_id id);

/* the interpreter's own fast loop, for code a fast path leaves to it */
enum fast_result engine_interp_fast(struct icpu *c);
/* the same for the code on rip's page only: FAST_LEFT, with rip on
 * another page, when it goes elsewhere */
enum fast_result engine_interp_page(struct icpu *c);
/* the same up to the first jump, branch taken, call or return too */
enum fast_result engine_interp_block(struct icpu *c);

/* one instruction at c->s->rip, nothing else: no event, no debug
 * check (the translator's lockstep check runs blocks again with it) */
void engine_exec_one(struct icpu *c);

/* one instruction that is not plain, as the interpreter's fast loop
 * runs one (it may fault): -1 to go on, or the fast_result to return
 * (the careful step must look: IF, TF, RF or a shadow changed, HLT, a
 * kick, the debug registers) */
int engine_exec_other(struct icpu *c);

/* leave the fast path so the careful step runs the instruction at
 * c->s->rip (fault_fixup has made rip and the count exact) */
_Noreturn void engine_reexec(struct icpu *c);

#endif
