/* The page-table walker: no paging, 32-bit (PSE, PSE-36), PAE with NX, 4-level. */
// SPDX-License-Identifier: MIT
#include "mmu/mmu.h"

#include "hw/log.h"

/* the control-register bits translation depends on (cpu/state.h is a room
 * above ours, so the architectural values are repeated here) */
#define WCR0_WP (1ull << 16)
#define WCR0_PG (1ull << 31)
#define WCR4_PSE (1ull << 4)
#define WCR4_PAE (1ull << 5)
#define WCR4_PGE (1ull << 7)
#define WEFER_LMA (1ull << 10)
#define WEFER_NXE (1ull << 11)

/* paging-structure entry bits */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_XD (1ull << 63)

/* bits hi..lo inclusive; empty when lo > hi */
static inline uint64_t bit_range(unsigned hi, unsigned lo)
{
	if (lo > hi)
		return 0;
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* PSE-36: a 4 MiB PDE carries physical-address bits 32.. in its bits 13..,
 * up to 40 bits or MAXPHYADDR, whichever is smaller; the rest up to bit 21
 * is reserved */
#define PSE36_BITS ((MMU_MAXPHYADDR < 40 ? MMU_MAXPHYADDR : 40) - 32)

enum paging_kind { PAGING_32, PAGING_PAE, PAGING_4LEVEL };

struct level {
	uint8_t shift;		/* lowest linear-address bit this level translates */
	uint8_t bits;		/* index width */
	bool large;		/* PS may map a page here */
	bool pdpte;		/* PAE's PDPTE: no R/W, U/S or A bits */
};

struct paging_mode {
	enum paging_kind kind;
	uint8_t esize;		/* entry size in bytes */
	uint8_t nlevels;
	struct level lv[4];
};

static const struct paging_mode paging_modes[] = {
	[PAGING_32] = { PAGING_32, 4, 2, { { 22, 10, true, false }, { 12, 10, false, false } } },
	[PAGING_PAE] = { PAGING_PAE, 8, 3,
			 { { 30, 2, false, true }, { 21, 9, true, false }, { 12, 9, false, false } } },
	[PAGING_4LEVEL] = { PAGING_4LEVEL, 8, 4,
			    { { 39, 9, false, false }, { 30, 9, true, false },
			      { 21, 9, true, false }, { 12, 9, false, false } } },
};

/* where an entry lives in host memory; host is NULL when it is not RAM/ROM */
struct entry_ref {
	uint8_t *host;
	bool ram;		/* A/D updates land only in RAM; ROM drops them */
};

static uint64_t entry_read(struct physmap *pm, uint64_t gpa, unsigned esize,
			   struct entry_ref *ref)
{
	const struct physmap_region *r = physmap_find(pm, gpa);
	if (!r) {
		/* tables in MMIO space do not exist on a PC that works; read
		 * them as not present rather than poke a device */
		log_once("mmu: page table at 0x%llx is not memory: read as not present",
			 (unsigned long long)gpa);
		ref->host = NULL;
		ref->ram = false;
		return 0;
	}
	ref->host = r->host + (gpa - r->gpa);
	ref->ram = r->kind == PM_RAM;
	/* entries are naturally aligned, so these loads are single accesses
	 * even while another vCPU updates the table */
	if (esize == 4)
		return __atomic_load_n((uint32_t *)ref->host, __ATOMIC_RELAXED);
	return __atomic_load_n((uint64_t *)ref->host, __ATOMIC_RELAXED);
}

/* A and D sit in the low dword of both entry sizes (little-endian host);
 * an atomic OR so another vCPU's concurrent update is not lost */
static void entry_set(const struct entry_ref *ref, uint64_t e, uint32_t bits)
{
	if (ref->ram && (e & bits) != bits)
		__atomic_fetch_or((uint32_t *)ref->host, bits, __ATOMIC_RELAXED);
}

static uint64_t reserved_bits(const struct paging_mode *m, unsigned level, bool large, bool nxe)
{
	const struct level *lv = &m->lv[level];
	if (m->kind == PAGING_32)
		return large ? bit_range(21, 13 + PSE36_BITS) : 0;
	if (lv->pdpte)
		return bit_range(2, 1) | bit_range(8, 5) | bit_range(63, MMU_MAXPHYADDR);
	uint64_t rsvd = bit_range(m->kind == PAGING_4LEVEL ? 51 : 62, MMU_MAXPHYADDR);
	if (!nxe)
		rsvd |= PTE_XD;
	if (m->kind == PAGING_4LEVEL && level == 0)
		rsvd |= PTE_PS;
	if (large)
		rsvd |= bit_range(lv->shift - 1, 13);	/* bit 12 is PAT */
	return rsvd;
}

/* physical base of what an entry points at (table or page) */
static uint64_t entry_address(const struct paging_mode *m, uint64_t e, unsigned shift, bool large)
{
	if (m->kind != PAGING_32)
		return e & bit_range(MMU_MAXPHYADDR - 1, shift);
	if (!large)
		return e & bit_range(31, 12);
	return (e & bit_range(31, 22)) | (((e >> 13) & bit_range(PSE36_BITS - 1, 0)) << 32);
}

/* A20M#: bit 20 of a physical address forced to 0 (struct mmu_regs) */
static inline uint64_t a20_gpa(const struct mmu_regs *r, uint64_t gpa)
{
	return r->a20m ? gpa & ~(1ull << 20) : gpa;
}

bool mmu_pae_pdptes_ok(struct physmap *pm, uint64_t cr3)
{
	const struct paging_mode *m = &paging_modes[PAGING_PAE];
	uint64_t table = cr3 & bit_range(31, 5);
	for (unsigned i = 0; i < 4; i++) {
		struct entry_ref ref;
		uint64_t e = entry_read(pm, table + 8 * i, 8, &ref);
		if ((e & PTE_P) && (e & reserved_bits(m, 0, false, false)))
			return false;
	}
	return true;
}

static int walk(struct physmap *pm, const struct mmu_regs *r, uint64_t lin, enum mmu_access acc,
		bool user, bool set_ad, struct mmu_walk *out, uint32_t *pf_error)
{
	if (!(r->cr0 & WCR0_PG)) {
		out->gpa = a20_gpa(r, lin & 0xffffffffull);	/* no paging means no long mode */
		out->page_mask = ~0xfffull;
		out->writable = out->user = out->dirty = true;
		out->nx = out->global = false;
		return 0;
	}

	const struct paging_mode *m;
	uint64_t table;
	if (r->efer & WEFER_LMA) {
		m = &paging_modes[PAGING_4LEVEL];
		table = r->cr3 & bit_range(MMU_MAXPHYADDR - 1, 12);
	} else if (r->cr4 & WCR4_PAE) {
		/* Hardware loads the four PDPTEs into registers when CR3 is
		 * loaded (or PAE paging is entered) and never rereads them; we
		 * read them at walk time. That differs only when the guest edits
		 * a live PDPT without reloading CR3. mmu_pae_pdptes_ok gives the
		 * #GP check of the load; a reserved bit found here (the table
		 * changed since) is reported as a reserved-bit page fault. */
		m = &paging_modes[PAGING_PAE];
		lin &= 0xffffffffull;
		table = r->cr3 & bit_range(31, 5);
	} else {
		m = &paging_modes[PAGING_32];
		lin &= 0xffffffffull;
		table = r->cr3 & bit_range(31, 12);
	}

	bool nxe = m->kind != PAGING_32 && (r->efer & WEFER_NXE);
	bool write = acc == MMU_WRITE;
	uint32_t err = (write ? PFE_W : 0) | (user ? PFE_U : 0);
	/* I/D is reported only where fetches can be refused (SDM 4.7) */
	if (acc == MMU_FETCH && nxe)
		err |= PFE_I;

	bool rw = true, us = true, xd = false;
	uint64_t e = 0;
	struct entry_ref ref = { NULL, false };
	unsigned shift = 12;
	bool large = false;
	for (unsigned i = 0; i < m->nlevels; i++) {
		const struct level *lv = &m->lv[i];
		uint64_t idx = (lin >> lv->shift) & bit_range(lv->bits - 1, 0);
		e = entry_read(pm, a20_gpa(r, table + idx * m->esize), m->esize, &ref);
		if (!(e & PTE_P)) {
			*pf_error = err;
			return -1;
		}
		large = lv->large && (e & PTE_PS) &&
			(m->kind != PAGING_32 || (r->cr4 & WCR4_PSE));
		if (e & reserved_bits(m, i, large, nxe)) {
			*pf_error = err | PFE_RSVD | PFE_P;
			return -1;
		}
		if (!lv->pdpte) {
			rw = rw && (e & PTE_RW);
			us = us && (e & PTE_US);
		}
		if (nxe && (e & PTE_XD))
			xd = true;
		shift = lv->shift;
		if (large || i + 1 == m->nlevels)
			break;
		/* a table entry's A bit is set as it is used, before the
		 * access is known to succeed; the leaf's only on success */
		if (!lv->pdpte && set_ad)
			entry_set(&ref, e, PTE_A);
		table = entry_address(m, e, 12, false);
	}

	bool denied = (user && !us) ||
		      (write && !rw && (user || (r->cr0 & WCR0_WP))) ||
		      (acc == MMU_FETCH && xd);
	if (denied) {
		*pf_error = err | PFE_P;
		return -1;
	}
	if (set_ad)
		entry_set(&ref, e, write ? (uint32_t)(PTE_A | PTE_D) : (uint32_t)PTE_A);

	uint64_t size_mask = bit_range(shift - 1, 0);
	out->gpa = a20_gpa(r, entry_address(m, e, shift, large) | (lin & size_mask));
	out->page_mask = ~size_mask;
	out->writable = rw;
	out->user = us;
	out->nx = xd;
	out->global = (e & PTE_G) && (r->cr4 & WCR4_PGE);
	out->dirty = write || (e & PTE_D);
	return 0;
}

int mmu_walk(struct physmap *pm, const struct mmu_regs *r, uint64_t lin,
	     enum mmu_access acc, bool user, struct mmu_walk *out, uint32_t *pf_error)
{
	return walk(pm, r, lin, acc, user, true, out, pf_error);
}

int mmu_debug_translate(struct physmap *pm, const struct mmu_regs *r, uint64_t lin, uint64_t *gpa)
{
	struct mmu_walk w;
	uint32_t err;
	/* a non-canonical address maps nothing (the CPU faults before it walks) */
	if ((r->efer & WEFER_LMA) && (uint64_t)((int64_t)(lin << 16) >> 16) != lin)
		return -1;
	if (walk(pm, r, lin, MMU_READ, false, false, &w, &err) < 0)
		return -1;
	*gpa = w.gpa;
	return 0;
}

size_t mmu_debug_access(struct physmap *pm, const struct mmu_regs *r, uint64_t lin, void *buf,
			size_t len, bool write)
{
	size_t done = 0;
	while (done < len) {
		uint64_t a = lin + done, gpa;
		size_t chunk = 0x1000 - (size_t)(a & 0xfff);
		if (chunk > len - done)
			chunk = len - done;
		if (mmu_debug_translate(pm, r, a, &gpa) < 0)
			break;
		if (write)
			phys_write(pm, gpa, (const uint8_t *)buf + done, chunk);
		else
			phys_read(pm, gpa, (uint8_t *)buf + done, chunk);
		done += chunk;
	}
	return done;
}
