/* One virtual CPU: its architectural state, its LAPIC, the tier running it,
 * and the thread that loops tier->run(). The loop (vcpu.c) handles what is
 * common to every tier: HLT (sleep until an interrupt), INIT and SIPI,
 * stop requests, tier switches. */
#ifndef CPU_VCPU_H
#define CPU_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "cpu/debug.h"
#include "cpu/state.h"
#include "cpu/tier.h"
#include "cpu/vm.h"

struct lapic;

/* what each tier counts; `info tiers` and -d stats print it */
struct tier_stats {
	uint64_t runs;			/* calls to tier->run */
	uint64_t insns;			/* instructions retired, where known */
	uint64_t exits_io, exits_mmio, exits_hlt, exits_irq_window, exits_intr, exits_other;
	uint64_t irqs_injected, nmis_injected;
	uint64_t switches_in;		/* times the policy moved a vCPU into this tier */
	/* the translator's, for its whole VM: blocks translated, their code,
	 * whole-cache flushes, chains patched, blocks dropped by writes to
	 * their pages, host ns spent translating */
	uint64_t bt_blocks, bt_code_bytes, bt_flushes, bt_chains, bt_invalidated, bt_ns_translate;
};

enum vcpu_event_bits {
	VCPU_EV_NMI = 1u << 0,
	VCPU_EV_INIT = 1u << 1,
	VCPU_EV_SIPI = 1u << 2,
	VCPU_EV_SMI = 1u << 3,
};

struct vcpu {
	int index;
	struct vm *vm;
	struct cpu_state s;
	struct lapic *apic;
	const struct tier *tier;		/* the tier running this vCPU */
	void *tier_priv[TIER_COUNT];		/* each tier's per-vCPU state, while attached */
	char cannot_run_why[192];		/* set with TIER_EXIT_CANNOT_RUN */
	struct tier_stats stats[TIER_COUNT];
	struct vcpu_debug dbg;			/* a step asked, why it stopped (cpu/debug.h) */
	/* the switch storm (vm->tier_storm): its random state, and that a
	 * run() ended for a switch */
	uint64_t storm_rng;
	bool storm_due;

	pthread_t thread;
	pthread_mutex_t wait_lock;	/* protects sleeping; never held with vm->lock */
	pthread_cond_t wait_cond;
	_Atomic unsigned events;	/* enum vcpu_event_bits */
	_Atomic int sipi_vector;
	_Atomic int wake;		/* set by kicks, cleared by the sleeper */
	/* 0 only while the LAPIC has no interrupt to give: set when it
	 * kicks for one (vcpu_irq_kick), set to the answer by each
	 * vcpu_irq_pending; both under vm->lock. A translated STI reads it
	 * without the lock to know it may go on */
	_Atomic int irq_maybe;
};

/* from any thread: post NMI/INIT/SIPI/SMI, or just wake (ev = 0) */
void vcpu_post_event(struct vcpu *v, unsigned ev, uint8_t sipi_vector);
void vcpu_kick(struct vcpu *v);
/* the LAPIC's kick: an interrupt may be pending (vm->lock held) */
void vcpu_irq_kick(struct vcpu *v);

/* for tiers, with vm->lock NOT held (they take it):
 * the vector of a maskable interrupt the CPU would take now, or -1 */
int vcpu_irq_pending(struct vcpu *v);
/* INTA: the vector to deliver (call only after vcpu_irq_pending >= 0) */
int vcpu_irq_ack(struct vcpu *v);
/* consume a pending NMI: true if there was one */
bool vcpu_take_nmi(struct vcpu *v);
/* assert FERR# (vm->ferr); false when the VM has no FERR# wiring */
bool vcpu_ferr(struct vcpu *v);

/* port and MMIO accesses from a tier: take vm->lock, route the APIC page
 * and the buses; data is little-endian, size 1/2/4/8 */
void vcpu_pio(struct vcpu *v, uint16_t port, void *data, unsigned size, bool write);
void vcpu_mmio(struct vcpu *v, uint64_t gpa, void *data, unsigned size, bool write);
/* MSRs owned outside the tier (APIC base, x2APIC): 0 ok, -1 #GP */
int vcpu_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vcpu_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

int vcpu_create(struct vm *vm, int index, struct lapic *apic, struct vcpu **out);
void vcpu_destroy(struct vcpu *v);
/* starts the thread; the loop runs until vm->stop */
int vcpu_start(struct vcpu *v);
void vcpu_join(struct vcpu *v);

#endif
