/* The guest's CPUID table: per-vCPU topology, filtering to what is modelled, lookup. */
// SPDX-License-Identifier: MIT
#include "cpu/cpuid.h"

#include <string.h>

/* leaf 0 EBX of "GenuineIntel" */
#define CPUID_VENDOR_INTEL_EBX 0x756e6547u

/* KVM's paravirtual feature bits (leaf 0x40000001 EAX, Linux kvm_para.h) */
enum {
	KVM_PV_ASYNC_PF = 4,
	KVM_PV_EOI = 6,
	KVM_PV_UNHALT = 7,
	KVM_PV_ASYNC_PF_VMEXIT = 10,
	KVM_PV_SEND_IPI = 11,
	KVM_PV_SCHED_YIELD = 13,
	KVM_PV_ASYNC_PF_INT = 14,
	KVM_PV_MSI_EXT_DEST_ID = 15,
	KVM_PV_HC_MAP_GPA_RANGE = 16,
	KVM_PV_MIGRATION_CONTROL = 17,
};

/* a feature bit we hide from the guest, and why */
struct cpuid_mask {
	uint32_t leaf;
	enum cpuid_reg reg;
	uint32_t bits;
	const char *why;
};

#define BIT(n) (1u << (n))

static const struct cpuid_mask cpuid_masks[] = {
	{ 1, CPUID_ECX, BIT(3),
	  "MONITOR/MWAIT: no tier handles MWAIT exits, and the software tiers do not model it" },
	{ 1, CPUID_ECX, BIT(5),
	  "VMX: nested virtualization state (VMCS) has no place in cpu_state, so it could not move between tiers" },
	{ 1, CPUID_ECX, BIT(15),
	  "PDCM: no tier models the performance-capabilities MSR" },
	{ 1, CPUID_ECX, BIT(21),
	  "x2APIC: KVM emulates the x2APIC MSRs only with its in-kernel LAPIC; ours lives in userspace" },
	{ 1, CPUID_ECX, BIT(24),
	  "TSC-deadline: our LAPIC timer has one-shot and periodic modes only" },
	{ 0x80000001, CPUID_ECX, BIT(2),
	  "SVM: nested virtualization state (VMCB) could not move between tiers" },
	{ 0x80000001, CPUID_ECX, BIT(23),
	  "PerfCtrExtCore: counter overflow interrupts need KVM's in-kernel LAPIC" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_ASYNC_PF) | BIT(KVM_PV_ASYNC_PF_VMEXIT) | BIT(KVM_PV_ASYNC_PF_INT),
	  "async page faults are delivered through KVM's in-kernel LAPIC" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_EOI),
	  "PV EOI is an in-kernel LAPIC shortcut; our LAPIC would never see the EOI" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_UNHALT),
	  "PV unhalt kicks a halted vCPU through KVM's in-kernel LAPIC" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_SEND_IPI) | BIT(KVM_PV_SCHED_YIELD),
	  "the IPI and yield hypercalls find their target through KVM's in-kernel APIC map" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_MSI_EXT_DEST_ID),
	  "our IOAPIC and MSI routing take 8-bit destinations only" },
	{ 0x40000001, CPUID_EAX, BIT(KVM_PV_HC_MAP_GPA_RANGE) | BIT(KVM_PV_MIGRATION_CONTROL),
	  "these hypercalls exit to userspace, and nothing here serves them" },
};

/* leaves whose whole content goes, and why */
static const struct {
	uint32_t leaf;
	const char *why;
} cpuid_gone[] = {
	{ 5, "MONITOR/MWAIT parameters: MONITOR is hidden (see above)" },
	{ 0xa, "architectural PMU: overflow interrupts need KVM's in-kernel LAPIC, and no "
	       "other tier models the counters" },
	{ 0x80000022, "AMD PerfMonV2: as the PMU" },
};

struct cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf)
{
	for (int i = 0; i < t->n; i++) {
		struct cpuid_entry *e = &t->e[i];
		if (e->leaf == leaf && (!e->indexed || e->subleaf == subleaf))
			return e;
	}
	return NULL;
}

static const struct cpuid_entry *cpuid_find_const(const struct cpuid_table *t, uint32_t leaf,
						   uint32_t subleaf)
{
	return cpuid_find((struct cpuid_table *)t, leaf, subleaf);
}

int cpuid_set(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, bool indexed,
	      uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct cpuid_entry *e = NULL;
	for (int i = 0; i < t->n && !e; i++)
		if (t->e[i].leaf == leaf && (!indexed || t->e[i].subleaf == subleaf))
			e = &t->e[i];
	if (!e) {
		if (t->n >= CPUID_MAX_ENTRIES)
			return -1;
		e = &t->e[t->n++];
	}
	*e = (struct cpuid_entry){ leaf, indexed ? subleaf : 0, indexed, { eax, ebx, ecx, edx } };
	return 0;
}

void cpuid_remove_leaf(struct cpuid_table *t, uint32_t leaf)
{
	int j = 0;
	for (int i = 0; i < t->n; i++)
		if (t->e[i].leaf != leaf)
			t->e[j++] = t->e[i];
	t->n = j;
}

static uint32_t max_leaf(const struct cpuid_table *t, uint32_t base)
{
	const struct cpuid_entry *e = cpuid_find_const(t, base, 0);
	return e ? e->r[CPUID_EAX] : 0;
}

/* bits needed to number n things */
static unsigned id_bits(int n)
{
	unsigned b = 0;
	while ((1 << b) < n)
		b++;
	return b;
}

/* leaf 0xB / 0x1F: SMT level (one thread per core), core level (ncpus),
 * then the invalid level that ends the list */
static void topology_leaf(struct cpuid_table *t, uint32_t leaf, int cpu, int ncpus)
{
	cpuid_remove_leaf(t, leaf);
	uint32_t id = (uint32_t)cpu;
	cpuid_set(t, leaf, 0, true, 0, 1, (1u << 8) | 0, id);
	cpuid_set(t, leaf, 1, true, id_bits(ncpus), (uint32_t)ncpus, (2u << 8) | 1, id);
	cpuid_set(t, leaf, 2, true, 0, 0, 2, id);
}

static void set_topology(struct cpuid_table *t, int cpu, int ncpus)
{
	struct cpuid_entry *e = cpuid_find(t, 1, 0);
	if (e) {
		/* EBX[31:24] initial APIC ID; [23:16] logical processors per
		 * package, valid only with HTT */
		e->r[CPUID_EBX] = (e->r[CPUID_EBX] & 0xffff) | ((uint32_t)cpu << 24);
		e->r[CPUID_EDX] &= ~BIT(28);
		if (ncpus > 1) {
			e->r[CPUID_EBX] |= (uint32_t)(ncpus & 0xff) << 16;
			e->r[CPUID_EDX] |= BIT(28);
		}
	}
	uint32_t maxb = max_leaf(t, 0);
	/* leaf 4: EAX[31:26] cores per package - 1, [25:14] threads sharing
	 * the cache - 1 (the L3 is shared by the package, the rest per core) */
	for (int i = 0; i < t->n; i++) {
		struct cpuid_entry *c = &t->e[i];
		if ((c->leaf != 4 && c->leaf != 0x8000001d) || !(c->r[CPUID_EAX] & 0x1f))
			continue;
		unsigned level = (c->r[CPUID_EAX] >> 5) & 7;
		uint32_t share = level >= 3 ? (uint32_t)ncpus - 1 : 0;
		c->r[CPUID_EAX] &= 0x3fff;
		c->r[CPUID_EAX] |= (share & 0xfff) << 14;
		if (c->leaf == 4)
			c->r[CPUID_EAX] |= ((uint32_t)(ncpus - 1) & 0x3f) << 26;
	}
	if (maxb >= 0xb)
		topology_leaf(t, 0xb, cpu, ncpus);
	if (maxb >= 0x1f)
		topology_leaf(t, 0x1f, cpu, ncpus);

	/* AMD: 0x80000008 ECX[7:0] cores - 1, [15:12] APIC ID bits for the core */
	e = cpuid_find(t, 0x80000008, 0);
	if (e)
		e->r[CPUID_ECX] = (e->r[CPUID_ECX] & ~0xf0ffu) | (id_bits(ncpus) << 12) |
				  (uint32_t)((ncpus - 1) & 0xff);
	/* AMD topology extension: extended APIC ID, core ID, one thread per
	 * core, node 0 of one */
	e = cpuid_find(t, 0x8000001e, 0);
	if (e) {
		e->r[CPUID_EAX] = (uint32_t)cpu;
		e->r[CPUID_EBX] = (uint32_t)cpu & 0xff;
		e->r[CPUID_ECX] = 0;
		e->r[CPUID_EDX] = 0;
	}
}

void cpuid_filter(struct cpuid_table *t, int cpu, int ncpus)
{
	if (ncpus < 1)
		ncpus = 1;
	for (size_t i = 0; i < sizeof(cpuid_gone) / sizeof(cpuid_gone[0]); i++) {
		if (cpuid_find(t, cpuid_gone[i].leaf, 0)) {
			cpuid_remove_leaf(t, cpuid_gone[i].leaf);
			cpuid_set(t, cpuid_gone[i].leaf, 0, false, 0, 0, 0, 0);
		}
	}
	for (size_t i = 0; i < sizeof(cpuid_masks) / sizeof(cpuid_masks[0]); i++) {
		const struct cpuid_mask *m = &cpuid_masks[i];
		for (int j = 0; j < t->n; j++)
			if (t->e[j].leaf == m->leaf)
				t->e[j].r[m->reg] &= ~m->bits;
	}
	set_topology(t, cpu, ncpus);
}

bool cpuid_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(uint32_t));
	const struct cpuid_entry *e = cpuid_find_const(t, leaf, subleaf);
	if (e) {
		memcpy(out, e->r, sizeof(e->r));
		return true;
	}
	/* a topology level past the last: ECX echoes the level number, EDX
	 * still holds the x2APIC ID */
	if (leaf == 0xb || leaf == 0x1f) {
		const struct cpuid_entry *l0 = cpuid_find_const(t, leaf, 0);
		if (l0) {
			out[CPUID_ECX] = subleaf & 0xff;
			out[CPUID_EDX] = l0->r[CPUID_EDX];
			return false;
		}
	}
	uint32_t base = leaf & 0xf0000000u;
	if (base == 0x40000000u)
		return false;
	bool beyond = leaf > max_leaf(t, base);
	const struct cpuid_entry *v = cpuid_find_const(t, 0, 0);
	if (beyond && v && v->r[CPUID_EBX] == CPUID_VENDOR_INTEL_EBX) {
		/* Intel answers out-of-range leaves with the highest basic leaf */
		const struct cpuid_entry *hi = cpuid_find_const(t, v->r[CPUID_EAX], subleaf);
		if (hi)
			memcpy(out, hi->r, sizeof(hi->r));
	}
	return false;
}
