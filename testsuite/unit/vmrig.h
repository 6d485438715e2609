/* A minimal VM for unit tests that run guest code through a tier
 * in-process: RAM, the two buses, a LAPIC on a manual clock, one vCPU. */
#ifndef TESTSUITE_VMRIG_H
#define TESTSUITE_VMRIG_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "cpu/tier.h"
#include "cpu/vcpu.h"
#include "cpu/vm.h"
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/lapic.h"
#include "mmu/physmap.h"

struct rig {
	struct bus io, mmio;
	struct physmap pm;
	pthread_mutex_t lock;
	struct vclock clk;
	struct apic_bus ab;
	struct lapic *apic;
	struct vm vm;
	struct vcpu *v;
	const struct tier *t;
};

/* build the VM and attach tier t; false (after saying why) on failure */
static inline bool vmrig_up(struct rig *r, const struct tier *t, uint64_t ram_size)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	bus_init(&r->mmio, "mmio");
	pthread_mutex_init(&r->lock, NULL);
	clock_init(&r->clk, CLOCK_MANUAL);
	apic_bus_init(&r->ab, NULL);
	r->apic = lapic_new(&r->ab, &r->clk, 0);
	r->ab.ncpus = 1;
	if (physmap_init(&r->pm, ram_size, &r->mmio) < 0) {
		printf("  no guest RAM\n");
		return false;
	}
	r->t = t;
	r->vm = (struct vm){ .pm = &r->pm, .io = &r->io, .mmio = &r->mmio, .lock = &r->lock,
			     .ncpus = 1, .tier = t };
	if (t->vm_init(&r->vm) < 0 || vcpu_create(&r->vm, 0, r->apic, &r->v) < 0) {
		printf("  cannot set up the %s tier\n", t->name);
		return false;
	}
	r->vm.vcpu[0] = r->v;
	if (t->attach(r->v) < 0) {
		printf("  cannot attach a vCPU to the %s tier\n", t->name);
		return false;
	}
	/* the tier runs on this thread (kicks signal it) */
	r->v->thread = pthread_self();
	return true;
}

/* run the vCPU from rip on this thread until the tier returns, with the
 * state synced in and out: the exit reason, or -1 if sync_in failed */
static inline int vmrig_run_at(struct rig *r, uint64_t rip)
{
	r->v->s.rip = rip;
	r->v->s.run_state = CPU_RUNNING;
	if (r->t->sync_in(r->v) != 0)
		return -1;
	int e = r->t->run(r->v);
	r->t->sync_out(r->v);
	return e;
}

static inline void vmrig_down(struct rig *r)
{
	r->t->detach(r->v);
	r->t->vm_destroy(&r->vm);
	vcpu_destroy(r->v);
	lapic_free(r->apic);
	physmap_destroy(&r->pm);
	bus_destroy(&r->io);
	bus_destroy(&r->mmio);
	pthread_mutex_destroy(&r->lock);
}

#endif
