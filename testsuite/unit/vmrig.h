/* A minimal VM for unit tests that run guest code through a tier
 * in-process: RAM, the two buses, a LAPIC on a manual clock, one vCPU.
 * Such tests run their cases once per software tier (the interpreter,
 * and the translator, which must give exactly its results):
 *
 *	VMRIG_FOR_EACH_SOFT_TIER {
 *		RUN_TIER(test_x);	// "PASS suite: test_x [interp]", then [bt]
 *	}
 *
 * with vmrig_up(&r, vmrig_tier, ...) in the cases. */
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
#include "testsuite/unit/check.h"

/* the software tiers every guest-code test runs under, in order */
static const char *const vmrig_soft_tiers[] = { "interp", "bt" };

/* the tier the cases run under now (VMRIG_FOR_EACH_SOFT_TIER sets it) */
static const struct tier *vmrig_tier;

/* select software tier i: false past the last one; a tier not linked
 * in is a FAIL line and skipped */
static inline bool vmrig_pick_tier_(unsigned *i)
{
	for (; *i < sizeof(vmrig_soft_tiers) / sizeof(vmrig_soft_tiers[0]); ++*i) {
		vmrig_tier = tier_by_name(vmrig_soft_tiers[*i]);
		if (vmrig_tier)
			return true;
		printf("FAIL %s: all [%s]: the tier is not linked in\n", check_suite_,
		       vmrig_soft_tiers[*i]);
		check_failed_tests_++;
	}
	vmrig_tier = NULL;
	return false;
}

/* run the statement that follows once per software tier, vmrig_tier
 * naming it */
#define VMRIG_FOR_EACH_SOFT_TIER \
	for (unsigned vmrig_i_ = 0; vmrig_pick_tier_(&vmrig_i_); vmrig_i_++)

/* a result line's test name with the tier that ran it: "name [bt]"
 * (a static buffer, good until the next call) */
static inline const char *vmrig_name(const char *name)
{
	static char buf[160];
	snprintf(buf, sizeof(buf), "%s [%s]", name, vmrig_tier ? vmrig_tier->name : "no tier");
	return buf;
}

/* RUN for a case that runs under vmrig_tier: the PASS/FAIL line names it */
#define RUN_TIER(fn) check_run(fn, vmrig_name(#fn))

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
