/* The hit path of the interpreter's memory accesses, inline: an aligned
 * access through a plain data segment to a page the TLB maps straight to
 * host memory. It is a sufficient test, not the rule: whatever it does not
 * recognise goes to mem.c's out-of-line functions, which do every check
 * (limits, rights, expand-down, #AC, page crossing, MMIO, #PF) from scratch.
 * 64-bit code has its own test: no limits or rights, only the FS/GS
 * bases and the canonical form, which a TLB hit implies (the TLB holds
 * canonical pages only, tagged with all 64 bits). */
#ifndef CPU_INTERP_FASTMEM_H
#define CPU_INTERP_FASTMEM_H

#include <string.h>
#include "cpu/interp/icpu.h"

/* fixed-size loads and stores, so the compiler emits one move */
static inline uint64_t host_load(const void *h, unsigned size)
{
	switch (size) {
	case 1: return *(const uint8_t *)h;
	case 2: { uint16_t v; memcpy(&v, h, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, h, 4); return v; }
	default: { uint64_t v; memcpy(&v, h, 8); return v; }
	}
}

static inline void host_store(void *h, uint64_t v, unsigned size)
{
	switch (size) {
	case 1: *(uint8_t *)h = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(h, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(h, &x, 4); break; }
	default: memcpy(h, &v, 8); break;
	}
}

/* The segment test of the fast paths (16/32-bit code): a usable, present,
 * expand-up data segment (writable for writes), whose rights pass in every
 * mode and whose limit rule is the plain one, covering len bytes at off. */
static inline bool seg_plain(const struct cpu_segment *sg, uint64_t off, uint64_t len,
			     enum mmu_access acc)
{
	uint32_t mask = SEG_ATTR_UNUSABLE | SEG_ATTR_P | SEG_ATTR_S | (acc == MMU_WRITE ? 0xe : 0xc);
	uint32_t want = SEG_ATTR_P | SEG_ATTR_S | (acc == MMU_WRITE ? 0x2 : 0);
	return (sg->attr & mask) == want && off + len - 1 <= sg->limit;
}

/* the linear address of seg:off where the fast paths go: 64-bit code adds
 * only the FS and GS bases (wrapping at 64 bits), other code the base
 * (wrapping at 4 GiB) */
static inline uint64_t fast_lin(const struct icpu *c, int seg, uint64_t off)
{
	if (c->code_size == 64)
		return off + (seg >= S_FS ? c->s->seg[seg].base : 0);
	return (c->s->seg[seg].base + off) & 0xffffffffull;
}

/* The host address of a size-byte access (size 1, 2, 4 or 8) at seg:off
 * in 16/32-bit code, or NULL when the full path must decide (seg_plain
 * says which segments pass). An aligned access crosses no page and raises
 * no #AC. */
static inline void *vmem_host_fast(struct icpu *c, int seg, uint64_t off, unsigned size,
				   enum mmu_access acc)
{
	const struct cpu_segment *sg = &c->s->seg[seg];
	uint64_t lin = (sg->base + off) & 0xffffffffull;
	if (__builtin_expect(!seg_plain(sg, off, size, acc) || (lin & (size - 1)), 0))
		return NULL;
	const struct tlb_entry *e = icpu_tlb_entry(c, lin);
	if (__builtin_expect(e->tag[acc] != (lin & ~0xfffull), 0))
		return NULL;
	return (void *)(uintptr_t)(lin + e->addend);
}

/* The same for 64-bit code (the caller knows the code size is 64): only
 * FS and GS add a base; the sum wraps at 64 bits as the address does.
 * A TLB hit says the page is canonical, and an aligned access stays in
 * it, so the #GP/#SS of a non-canonical address is the full path's. */
static inline void *vmem_host_fast64(struct icpu *c, int seg, uint64_t off, unsigned size,
				     enum mmu_access acc)
{
	uint64_t lin = off + (seg >= S_FS ? c->s->seg[seg].base : 0);
	if (__builtin_expect(lin & (size - 1), 0))
		return NULL;
	const struct tlb_entry *e = icpu_tlb_entry(c, lin);
	if (__builtin_expect(e->tag[acc] != (lin & ~0xfffull), 0))
		return NULL;
	return (void *)(uintptr_t)(lin + e->addend);
}

/* the one for the code size */
static inline void *vmem_host_fast_any(struct icpu *c, int seg, uint64_t off, unsigned size,
				       enum mmu_access acc)
{
	if (__builtin_expect(c->code_size != 64, 1))
		return vmem_host_fast(c, seg, off, size, acc);
	return vmem_host_fast64(c, seg, off, size, acc);
}

#endif
