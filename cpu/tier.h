/* The tier contract: how the vCPU loop drives an execution engine (the
 * interpreter, the translator, or the hardware tier through KVM).
 * A tier is a table of functions; all state it keeps per vCPU hangs off
 * vcpu->tier_priv[tier->id] (set by attach, cleared by detach), per VM off
 * vm->tier_vm[tier->id]. Several tiers may be attached to one vCPU at once;
 * vcpu->tier says which one runs it.
 *
 * run() executes guest code until one of enum tier_exit happens. While it
 * runs, the tier itself serves port and MMIO accesses (through the hw/ bus
 * and the vCPU's LAPIC, holding vm->lock for each), takes interrupts
 * (vcpu_irq_pending/vcpu_irq_ack) when the guest can, and injects NMIs
 * (vcpu_take_nmi). It returns promptly after tier->kick() from any thread.
 * Switching tier: old->sync_out, old->detach, new->attach, new->sync_in;
 * RAM and devices are shared, so nothing else moves. */
#ifndef CPU_TIER_H
#define CPU_TIER_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/state.h"

struct vcpu;
struct vm;

enum tier_id { TIER_INTERP, TIER_BT, TIER_KVM, TIER_COUNT };

enum tier_exit {
	TIER_EXIT_KICK,		/* kicked, or an event for the loop to look at */
	TIER_EXIT_HLT,		/* HLT retired; s.rflags IF and s.run_state valid */
	TIER_EXIT_SHUTDOWN,	/* triple fault: the board resets */
	TIER_EXIT_DEBUG,	/* breakpoint / single step for the debugger */
	TIER_EXIT_CANNOT_RUN,	/* this state is beyond the tier: the loop runs one
				 * instruction in policy_fallback()'s tier; the
				 * tier wrote why into vcpu->cannot_run_why */
	TIER_EXIT_ERROR,	/* the tier failed (message already printed) */
};

struct tier_probe {
	bool usable;		/* the tier can run here at all */
	bool slow;		/* usable, but warn: e.g. /dev/kvm without VMX/SVM */
	bool hw_backed;		/* KVM with real VMX or SVM beneath */
	bool vmx, svm, ept, npt, unrestricted;
	char desc[192];		/* one line: what was found (or why not usable) */
};

struct tier {
	const char *name;
	enum tier_id id;
	void (*probe)(struct tier_probe *p);
	int (*vm_init)(struct vm *vm);		/* once per VM, before attach */
	void (*vm_destroy)(struct vm *vm);
	int (*attach)(struct vcpu *v);
	void (*detach)(struct vcpu *v);
	int (*sync_in)(struct vcpu *v);		/* v->s -> tier */
	int (*sync_out)(struct vcpu *v);	/* tier -> v->s */
	enum tier_exit (*run)(struct vcpu *v);
	bool (*can_run)(const struct vm *vm, const struct cpu_state *s);
	void (*kick)(struct vcpu *v);		/* any thread; async-signal safe not needed */
	/* execute exactly one instruction (or deliver one pending event) and
	 * return; for lockstep and the debugger. NULL where the tier cannot */
	enum tier_exit (*step)(struct vcpu *v);
};

/* tiers linked into this binary; NULL where a tier is not built */
extern const struct tier *const tier_table[TIER_COUNT];
const struct tier *tier_by_name(const char *name);

#endif
