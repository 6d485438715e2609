/* The CPUID the guest sees: a table of (leaf, subleaf) -> EAX..EDX.
 * A tier fills it from what it can run (KVM: KVM_GET_SUPPORTED_CPUID), then
 * cpuid_filter() makes it per-vCPU (APIC IDs, topology) and clears what the
 * device models do not implement, so every tier shows the guest the same
 * machine. cpuid_lookup() answers the CPUID instruction from a table. */
#ifndef CPU_CPUID_H
#define CPU_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#define CPUID_MAX_ENTRIES 160

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

struct cpuid_entry {
	uint32_t leaf, subleaf;
	bool indexed;		/* the subleaf (ECX) selects among entries */
	uint32_t r[4];		/* enum cpuid_reg */
};

struct cpuid_table {
	int n;
	struct cpuid_entry e[CPUID_MAX_ENTRIES];
};

/* the entry for (leaf, subleaf) (subleaf ignored for unindexed leaves), or NULL */
struct cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf);
/* add or replace one entry; -1 when the table is full */
int cpuid_set(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, bool indexed,
	      uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx);
/* drop every subleaf of a leaf */
void cpuid_remove_leaf(struct cpuid_table *t, uint32_t leaf);

/* make the table that of vCPU `cpu` of `ncpus` (one thread per core, one
 * package) and clear the features no tier or model here provides */
void cpuid_filter(struct cpuid_table *t, int cpu, int ncpus);

/* what CPUID with EAX=leaf, ECX=subleaf returns, as the CPU vendor in leaf 0
 * does for leaves it lacks (Intel: the highest basic leaf; others: zeros).
 * true when the table had this exact leaf. */
bool cpuid_lookup(const struct cpuid_table *t, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
