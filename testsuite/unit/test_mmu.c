/* Unit tests of the page-table walker, the software TLB and the code-page tracker. */
// SPDX-License-Identifier: MIT
#include "mmu/mmu.h"

#include <string.h>
#include <sys/mman.h>
#include "testsuite/unit/check.h"

#define CR0_PE (1ull << 0)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define P (1ull << 0)
#define RW (1ull << 1)
#define US (1ull << 2)
#define A (1ull << 5)
#define D (1ull << 6)
#define PS (1ull << 7)
#define G (1ull << 8)
#define XD (1ull << 63)

#define RAM_SIZE (32ull << 20)
#define TABLES 0x100000ull	/* page tables are allocated from here up */

enum pmode { M32, MPAE, M4 };

/* a guest with page tables built by hand in its RAM */
struct fx {
	struct physmap pm;
	struct mmu_regs r;
	enum pmode mode;
	uint64_t next;
};

static const unsigned mode_levels[] = { [M32] = 2, [MPAE] = 3, [M4] = 4 };
static const unsigned mode_shift[][4] = {
	[M32] = { 22, 12 }, [MPAE] = { 30, 21, 12 }, [M4] = { 39, 30, 21, 12 },
};
static const unsigned mode_bits[][4] = {
	[M32] = { 10, 10 }, [MPAE] = { 2, 9, 9 }, [M4] = { 9, 9, 9, 9 },
};

static uint64_t fx_alloc(struct fx *f)
{
	uint64_t p = f->next;
	f->next += 4096;
	memset(f->pm.ram + p, 0, 4096);
	return p;
}

static void fx_init(struct fx *f, enum pmode mode)
{
	memset(f, 0, sizeof(*f));
	CHECK_EQ(physmap_init(&f->pm, RAM_SIZE, NULL), 0);
	f->mode = mode;
	f->next = TABLES;
	f->r.cr0 = CR0_PE | CR0_PG | CR0_WP;
	f->r.cr4 = CR4_PSE | (mode != M32 ? CR4_PAE : 0);
	f->r.efer = mode == M4 ? EFER_LME | EFER_LMA | EFER_NXE : (mode == MPAE ? EFER_NXE : 0);
	f->r.cr3 = fx_alloc(f);
	if (mode == MPAE)
		f->r.cr3 += 0x20;	/* PAE's CR3 is 32-byte aligned: bits 11:5 count */
}

static void fx_destroy(struct fx *f)
{
	physmap_destroy(&f->pm);
}

static unsigned esize(const struct fx *f)
{
	return f->mode == M32 ? 4 : 8;
}

static uint64_t get(const struct fx *f, uint64_t gpa)
{
	if (esize(f) == 4) {
		uint32_t v;
		memcpy(&v, f->pm.ram + gpa, 4);
		return v;
	}
	uint64_t v;
	memcpy(&v, f->pm.ram + gpa, 8);
	return v;
}

static void put(struct fx *f, uint64_t gpa, uint64_t v)
{
	if (esize(f) == 4) {
		uint32_t w = (uint32_t)v;
		memcpy(f->pm.ram + gpa, &w, 4);
	} else {
		memcpy(f->pm.ram + gpa, &v, 8);
	}
}

/* Map lin -> phys with a leaf at the level translating bit leaf_shift (12:
 * 4K; 21/22: 2M/4M; 30: 1G). Table entries above get `upper` (PAE's PDPTE
 * only P), the leaf `leaf` (PS added for large pages). The gpa of each
 * level's entry goes to ent[] when not NULL. */
static void fx_map(struct fx *f, uint64_t lin, uint64_t phys, unsigned leaf_shift,
		   uint64_t upper, uint64_t leaf, uint64_t ent[4])
{
	uint64_t table = f->mode == MPAE ? f->r.cr3 & ~0x1full : f->r.cr3 & ~0xfffull;
	for (unsigned i = 0; i < mode_levels[f->mode]; i++) {
		unsigned sh = mode_shift[f->mode][i];
		uint64_t idx = (lin >> sh) & ((1ull << mode_bits[f->mode][i]) - 1);
		uint64_t ea = table + idx * esize(f);
		if (ent)
			ent[i] = ea;
		if (sh == leaf_shift) {
			put(f, ea, phys | leaf | (sh > 12 ? PS : 0));
			return;
		}
		uint64_t e = get(f, ea);
		uint64_t next = e & 0xffffff000ull;
		if (!(e & P) || !next)
			next = fx_alloc(f);
		put(f, ea, next | (f->mode == MPAE && i == 0 ? P : upper));
		table = next;
	}
}

static int walk(struct fx *f, uint64_t lin, enum mmu_access acc, bool user,
		struct mmu_walk *w, uint32_t *err)
{
	*err = 0xdead;
	return mmu_walk(&f->pm, &f->r, lin, acc, user, w, err);
}

/* -- the walker -- */

static void test_no_paging(void)
{
	struct fx f;
	fx_init(&f, M32);
	f.r.cr0 = CR0_PE;
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, 0x12345678, MMU_WRITE, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x12345678);
	CHECK_EQ(w.page_mask, ~0xfffull);
	CHECK(w.writable && w.user && w.dirty && !w.nx && !w.global);
	CHECK_EQ(err, 0xdead);
	/* paging off means 32-bit linear addresses */
	CHECK_EQ(walk(&f, 0x100001234ull, MMU_FETCH, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x1234);
	fx_destroy(&f);
}

static void test_32bit_4k(void)
{
	struct fx f;
	fx_init(&f, M32);
	uint64_t ent[4];
	fx_map(&f, 0x00401abc, 0x345000, 12, P | RW | US, P | RW | US, ent);
	CHECK_EQ(ent[0], f.r.cr3 + 4 * 1);
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, 0x00401abc, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x345abc);
	CHECK_EQ(w.page_mask, ~0xfffull);
	CHECK(w.writable && w.user && !w.nx && !w.dirty);
	/* the upper 32 bits of a linear address do not exist here */
	CHECK_EQ(walk(&f, 0xff00401000ull, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x345000);
	/* next page: PDE present, PTE not */
	CHECK_EQ(walk(&f, 0x00402000, MMU_READ, true, &w, &err), -1);
	CHECK_EQ(err, PFE_U);
	CHECK_EQ(walk(&f, 0x00402000, MMU_WRITE, false, &w, &err), -1);
	CHECK_EQ(err, PFE_W);
	/* no NX in 32-bit paging: no I bit even with EFER.NXE */
	f.r.efer = EFER_NXE;
	CHECK_EQ(walk(&f, 0x00402000, MMU_FETCH, false, &w, &err), -1);
	CHECK_EQ(err, 0);
	/* PDE not present */
	CHECK_EQ(walk(&f, 0x80000000, MMU_FETCH, true, &w, &err), -1);
	CHECK_EQ(err, PFE_U);
	/* PAT (bit 7) and the ignored bits of a 4K PTE are not reserved */
	put(&f, ent[1], 0x345000 | P | RW | US | (1u << 7) | (7u << 9));
	CHECK_EQ(walk(&f, 0x00401abc, MMU_READ, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x345abc);
	fx_destroy(&f);
}

static void test_32bit_4m(void)
{
	struct fx f;
	fx_init(&f, M32);
	uint64_t ent[4];
	fx_map(&f, 0x00812345, 0x00c00000, 22, 0, P | RW, ent);
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, 0x00812345, MMU_WRITE, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0xc12345);
	CHECK_EQ(w.page_mask, ~0x3fffffull);
	CHECK(w.dirty && !w.user);
	CHECK_EQ(get(&f, ent[0]), 0x00c00000 | P | RW | PS | A | D);
	/* PSE-36: PDE bits 20:13 are physical bits 39:32 */
	put(&f, ent[0], 0x00c00000 | (0xa5ull << 13) | P | RW | PS);
	CHECK_EQ(walk(&f, 0x00812345, MMU_READ, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0xa500c12345ull);
	/* bit 21 is reserved (MAXPHYADDR 40) */
	put(&f, ent[0], 0x00c00000 | (1ull << 21) | P | RW | PS);
	CHECK_EQ(walk(&f, 0x00812345, MMU_WRITE, true, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_W | PFE_U);
	/* without CR4.PSE, PS is ignored: the PDE points at a page table,
	 * and bit 21 is then an address bit */
	f.r.cr4 &= ~CR4_PSE;
	put(&f, ent[0], 0x00e00000 | P | RW | US | PS);
	put(&f, 0x00e00000 + 4 * 0x12, 0x7000 | P | RW | US);
	CHECK_EQ(walk(&f, 0x00812345, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x7345);
	CHECK_EQ(w.page_mask, ~0xfffull);
	fx_destroy(&f);
}

static void test_pae_4k_2m(void)
{
	struct fx f;
	fx_init(&f, MPAE);
	uint64_t ent[4];
	const uint64_t lin = 0xc0601abc;	/* PDPTE 3, PDE 3, PTE 1 */
	fx_map(&f, lin, 0x1234000, 12, P | RW | US, P | RW | US, ent);
	CHECK_EQ(ent[0], f.r.cr3 + 3 * 8);
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, lin, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x1234abc);
	CHECK_EQ(w.page_mask, ~0xfffull);
	CHECK(mmu_pae_pdptes_ok(&f.pm, f.r.cr3));
	/* physical addresses above 4 GiB, up to MAXPHYADDR */
	put(&f, ent[2], 0xff12345000ull | P | RW | US);
	CHECK_EQ(walk(&f, lin, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0xff12345abcull);
	put(&f, ent[2], 0x1234000 | P | RW | US);

	/* 2M page */
	fx_map(&f, 0x40200000, 0x600000, 21, P | RW | US, P | US, ent);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x6fedcb);
	CHECK_EQ(w.page_mask, ~0x1fffffull);
	CHECK(!w.writable && w.user);
	/* PAT (bit 12) of a 2M PDE is not an address bit */
	put(&f, ent[1], 0x600000 | (1ull << 12) | P | US | PS);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x6fedcb);
	/* bits 20:13 of a 2M PDE are reserved */
	put(&f, ent[1], 0x600000 | (1ull << 13) | P | US | PS);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, true, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_U);
	/* PAE reserves 62:MAXPHYADDR */
	put(&f, ent[1], 0x600000 | (1ull << 62) | P | US | PS);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, false, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P);
	put(&f, ent[1], 0x600000 | (1ull << 40) | P | US | PS);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, false, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P);
	put(&f, ent[1], 0x600000 | (1ull << 39) | P | US | PS);
	CHECK_EQ(walk(&f, 0x402fedcb, MMU_READ, false, &w, &err), 0);
	CHECK_EQ(w.gpa, (1ull << 39) | 0x6fedcb);

	/* PDPTEs: not present, then each reserved bit */
	CHECK_EQ(walk(&f, 0x80000000, MMU_WRITE, false, &w, &err), -1);
	CHECK_EQ(err, PFE_W);
	static const uint64_t pdpte_rsvd[] = { 1ull << 1, 1ull << 2, 1ull << 5, 1ull << 8,
					       1ull << 40, 1ull << 63 };
	uint64_t pdpte = get(&f, f.r.cr3 + 3 * 8);
	for (unsigned i = 0; i < sizeof(pdpte_rsvd) / sizeof(pdpte_rsvd[0]); i++) {
		put(&f, f.r.cr3 + 3 * 8, pdpte | pdpte_rsvd[i]);
		CHECK_EQ(walk(&f, lin, MMU_READ, false, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P);
		CHECK(!mmu_pae_pdptes_ok(&f.pm, f.r.cr3));
	}
	/* PCD, PWT and the ignored bits are fine; no A bit is set in a PDPTE */
	put(&f, f.r.cr3 + 3 * 8, pdpte | (1ull << 3) | (1ull << 4) | (7ull << 9));
	CHECK(mmu_pae_pdptes_ok(&f.pm, f.r.cr3));
	CHECK_EQ(walk(&f, lin, MMU_WRITE, false, &w, &err), 0);
	CHECK_EQ(get(&f, f.r.cr3 + 3 * 8), pdpte | (1ull << 3) | (1ull << 4) | (7ull << 9));
	/* a reserved bit in a not-present PDPTE is no reason for #GP */
	put(&f, f.r.cr3 + 2 * 8, 1ull << 1);
	CHECK(mmu_pae_pdptes_ok(&f.pm, f.r.cr3));
	fx_destroy(&f);
}

static void test_4level(void)
{
	struct fx f;
	fx_init(&f, M4);
	uint64_t ent[4];
	const uint64_t lin = (3ull << 39) | (5ull << 30) | (7ull << 21) | (9ull << 12) | 0xabc;
	fx_map(&f, lin, 0x777000, 12, P | RW | US, P | RW | US, ent);
	CHECK_EQ(ent[0], f.r.cr3 + 3 * 8);
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, lin, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x777abc);
	/* bits 63:48 are the canonical check's business, not the walker's */
	CHECK_EQ(walk(&f, lin | 0xffff000000000000ull, MMU_READ, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x777abc);

	/* 2M */
	const uint64_t lin2 = (3ull << 39) | (5ull << 30) | (8ull << 21) | 0x12345;
	fx_map(&f, lin2, 0xa00000, 21, P | RW | US, P | RW | US, ent);
	CHECK_EQ(walk(&f, lin2, MMU_WRITE, true, &w, &err), 0);
	CHECK_EQ(w.gpa, 0xa12345);
	CHECK_EQ(w.page_mask, ~0x1fffffull);
	/* 1G */
	const uint64_t lin3 = (3ull << 39) | (6ull << 30) | 0x2345678;
	fx_map(&f, lin3, 0x40000000, 30, P | RW | US, P | RW | US, ent);
	CHECK_EQ(walk(&f, lin3, MMU_FETCH, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x42345678);
	CHECK_EQ(w.page_mask, ~0x3fffffffull);
	put(&f, ent[1], 0x40000000 | (1ull << 29) | P | RW | US | PS);
	CHECK_EQ(walk(&f, lin3, MMU_FETCH, false, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_I);
	put(&f, ent[1], 0x40000000 | (1ull << 13) | P | RW | US | PS);
	CHECK_EQ(walk(&f, lin3, MMU_READ, false, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P);
	/* bits 62:52 are ignored in 4-level paging, 51:40 reserved */
	put(&f, ent[1], 0x40000000 | (0x7ffull << 52) | P | RW | US | PS);
	CHECK_EQ(walk(&f, lin3, MMU_READ, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x42345678);
	put(&f, ent[1], 0x40000000 | (1ull << 51) | P | RW | US | PS);
	CHECK_EQ(walk(&f, lin3, MMU_READ, false, &w, &err), -1);
	CHECK_EQ(err, PFE_RSVD | PFE_P);
	/* not present at each level */
	CHECK_EQ(walk(&f, 4ull << 39, MMU_READ, true, &w, &err), -1);
	CHECK_EQ(err, PFE_U);
	CHECK_EQ(walk(&f, (3ull << 39) | (7ull << 30), MMU_WRITE, true, &w, &err), -1);
	CHECK_EQ(err, PFE_U | PFE_W);
	CHECK_EQ(walk(&f, (3ull << 39) | (5ull << 30) | (9ull << 21), MMU_FETCH, true, &w, &err), -1);
	CHECK_EQ(err, PFE_U | PFE_I);
	CHECK_EQ(walk(&f, lin + 0x1000, MMU_READ, false, &w, &err), -1);
	CHECK_EQ(err, 0);
	fx_destroy(&f);
}

/* a reserved bit at each level of each mode: RSVD|P plus the access bits,
 * and the walk stops there even if a lower level is not present */
static void test_reserved_each_level(void)
{
	static const struct {
		enum pmode mode;
		unsigned level;
		uint64_t bit;
	} cases[] = {
		{ M4, 0, 1ull << 51 }, { M4, 0, PS }, { M4, 0, 1ull << 40 },
		{ M4, 1, 1ull << 45 }, { M4, 2, 1ull << 40 }, { M4, 3, 1ull << 40 },
		{ M4, 3, 1ull << 51 },
		{ MPAE, 0, 1ull << 1 }, { MPAE, 1, 1ull << 52 }, { MPAE, 1, 1ull << 62 },
		{ MPAE, 2, 1ull << 40 }, { MPAE, 2, 1ull << 62 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		fx_init(&f, cases[i].mode);
		uint64_t ent[4];
		const uint64_t lin = 0x40201000;
		fx_map(&f, lin, 0x300000, 12, P | RW | US, P | RW | US, ent);
		struct mmu_walk w;
		uint32_t err;
		CHECK_EQ(walk(&f, lin, MMU_WRITE, true, &w, &err), 0);
		put(&f, ent[cases[i].level], get(&f, ent[cases[i].level]) | cases[i].bit);
		CHECK_EQ(walk(&f, lin, MMU_WRITE, true, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_W | PFE_U);
		CHECK_EQ(walk(&f, lin, MMU_READ, false, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P);
		if (cases[i].level + 1 < mode_levels[cases[i].mode]) {
			put(&f, ent[cases[i].level + 1], 0);
			CHECK_EQ(walk(&f, lin, MMU_READ, true, &w, &err), -1);
			CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_U);
		}
		fx_destroy(&f);
	}
}

/* U/S and R/W at two levels, CR0.WP, user and supervisor, in every mode */
static void test_permissions(void)
{
	enum { OK = 0xff };
	static const struct {
		uint64_t upper, leaf;
		bool user, write, wp;
		unsigned want;	/* error code, or OK */
	} cases[] = {
		{ RW | US, RW | US, true, true, true, OK },
		{ RW | US, RW | US, false, true, true, OK },
		/* supervisor-only page */
		{ RW | US, RW, true, false, true, PFE_P | PFE_U },
		{ RW | US, RW, true, true, true, PFE_P | PFE_U | PFE_W },
		{ RW | US, RW, false, false, true, OK },
		{ RW | US, RW, false, true, true, OK },
		/* supervisor-only at the upper level only: the AND of the levels */
		{ RW, RW | US, true, false, false, PFE_P | PFE_U },
		{ RW, RW | US, false, true, true, OK },
		/* read-only leaf */
		{ RW | US, US, true, false, true, OK },
		{ RW | US, US, true, true, true, PFE_P | PFE_U | PFE_W },
		{ RW | US, US, true, true, false, PFE_P | PFE_U | PFE_W },
		{ RW | US, US, false, true, false, OK },
		{ RW | US, US, false, true, true, PFE_P | PFE_W },
		{ RW | US, US, false, false, true, OK },
		/* read-only at the upper level only */
		{ US, RW | US, true, true, false, PFE_P | PFE_U | PFE_W },
		{ US, RW | US, true, false, true, OK },
		{ US, RW | US, false, true, true, PFE_P | PFE_W },
		{ US, RW | US, false, true, false, OK },
		/* neither */
		{ 0, 0, true, false, false, PFE_P | PFE_U },
		{ 0, 0, false, true, false, OK },
		{ 0, 0, false, true, true, PFE_P | PFE_W },
	};
	for (enum pmode m = M32; m <= M4; m++) {
		for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct fx f;
			fx_init(&f, m);
			if (!cases[i].wp)
				f.r.cr0 &= ~CR0_WP;
			uint64_t ent[4];
			fx_map(&f, 0x1000, 0x5000, 12, P | cases[i].upper, P | cases[i].leaf, ent);
			struct mmu_walk w;
			uint32_t err;
			int rc = walk(&f, 0x1234, cases[i].write ? MMU_WRITE : MMU_READ,
				      cases[i].user, &w, &err);
			if (cases[i].want == OK) {
				CHECK_EQ(rc, 0);
				CHECK_EQ(w.gpa, 0x5234);
				CHECK_EQ(w.writable, (cases[i].upper & cases[i].leaf & RW) != 0);
				CHECK_EQ(w.user, (cases[i].upper & cases[i].leaf & US) != 0);
			} else {
				CHECK_EQ(rc, -1);
				CHECK_EQ(err, cases[i].want);
			}
			if (check_failures_) {
				printf("  (mode %d case %u)\n", m, i);
				fx_destroy(&f);
				return;
			}
			fx_destroy(&f);
		}
	}
}

static void test_nx(void)
{
	for (enum pmode m = MPAE; m <= M4; m++) {
		struct fx f;
		fx_init(&f, m);
		uint64_t ent[4];
		fx_map(&f, 0x1000, 0x5000, 12, P | RW | US, P | RW | US | XD, ent);
		struct mmu_walk w;
		uint32_t err;
		/* NXE on: reads fine, fetches fault with I */
		CHECK_EQ(walk(&f, 0x1000, MMU_READ, true, &w, &err), 0);
		CHECK(w.nx);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, false, &w, &err), -1);
		CHECK_EQ(err, PFE_P | PFE_I);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, true, &w, &err), -1);
		CHECK_EQ(err, PFE_P | PFE_U | PFE_I);
		/* XD at an upper level counts too */
		put(&f, ent[3 - (m == MPAE)], 0x5000 | P | RW | US);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, false, &w, &err), 0);
		CHECK(!w.nx);
		put(&f, ent[2 - (m == MPAE)], get(&f, ent[2 - (m == MPAE)]) | XD);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, false, &w, &err), -1);
		CHECK_EQ(err, PFE_P | PFE_I);
		/* a not-present fetch has I too while NXE is on */
		CHECK_EQ(walk(&f, 0x7000, MMU_FETCH, true, &w, &err), -1);
		CHECK_EQ(err, PFE_U | PFE_I);
		/* NXE off: bit 63 is reserved, and fetches have no I */
		f.r.efer &= ~EFER_NXE;
		CHECK_EQ(walk(&f, 0x1000, MMU_READ, false, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, true, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_U);
		CHECK_EQ(walk(&f, 0x7000, MMU_FETCH, true, &w, &err), -1);
		CHECK_EQ(err, PFE_RSVD | PFE_P | PFE_U);	/* the PDE is bad */
		put(&f, ent[2 - (m == MPAE)], get(&f, ent[2 - (m == MPAE)]) & ~XD);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, true, &w, &err), 0);
		CHECK(!w.nx);
		CHECK_EQ(walk(&f, 0x7000, MMU_FETCH, true, &w, &err), -1);
		CHECK_EQ(err, PFE_U);
		fx_destroy(&f);
	}
}

static void test_accessed_dirty(void)
{
	for (enum pmode m = M32; m <= M4; m++) {
		struct fx f;
		fx_init(&f, m);
		unsigned n = mode_levels[m];
		uint64_t ent[4];
		fx_map(&f, 0x1000, 0x5000, 12, P | RW | US, P | RW | US, ent);
		struct mmu_walk w;
		uint32_t err;
		CHECK_EQ(walk(&f, 0x1000, MMU_READ, true, &w, &err), 0);
		CHECK(!w.dirty);
		for (unsigned i = (m == MPAE); i < n; i++)
			CHECK_EQ(get(&f, ent[i]) & (A | D), A);
		if (m == MPAE)	/* the PDPTE has no A bit */
			CHECK_EQ(get(&f, ent[0]) & (A | D), 0);
		CHECK_EQ(walk(&f, 0x1000, MMU_FETCH, true, &w, &err), 0);
		CHECK_EQ(get(&f, ent[n - 1]) & D, 0);
		CHECK_EQ(walk(&f, 0x1000, MMU_WRITE, true, &w, &err), 0);
		CHECK(w.dirty);
		CHECK_EQ(get(&f, ent[n - 1]), 0x5000 | P | RW | US | A | D);
		for (unsigned i = (m == MPAE); i + 1 < n; i++)
			CHECK_EQ(get(&f, ent[i]) & (A | D), A);	/* D only on the leaf */
		/* D already set: a read reports it */
		CHECK_EQ(walk(&f, 0x1000, MMU_READ, true, &w, &err), 0);
		CHECK(w.dirty);

		/* a faulting access sets neither A nor D on the leaf */
		fx_map(&f, 0x2000, 0x6000, 12, P | RW | US, P | US, ent);
		CHECK_EQ(walk(&f, 0x2000, MMU_WRITE, true, &w, &err), -1);
		CHECK_EQ(err, PFE_P | PFE_W | PFE_U);
		CHECK_EQ(get(&f, ent[n - 1]), 0x6000 | P | US);
		/* supervisor write to a read-only page with WP off: D set */
		f.r.cr0 &= ~CR0_WP;
		CHECK_EQ(walk(&f, 0x2000, MMU_WRITE, false, &w, &err), 0);
		CHECK_EQ(get(&f, ent[n - 1]), 0x6000 | P | US | A | D);
		/* large page: D on the PDE */
		fx_map(&f, 0x400000, 0x800000, m == M32 ? 22 : 21, P | RW | US, P | RW | US, ent);
		unsigned leaf = n - 2;
		CHECK_EQ(walk(&f, 0x400010, MMU_WRITE, false, &w, &err), 0);
		CHECK_EQ(get(&f, ent[leaf]) & (A | D), A | D);
		/* a table entry's A is set though the access faults below it */
		fx_map(&f, 0x800000, 0x6000, 12, P | RW | US, 0, ent);
		put(&f, ent[leaf], get(&f, ent[leaf]) & ~A);
		CHECK_EQ(walk(&f, 0x800000, MMU_READ, false, &w, &err), -1);
		CHECK_EQ(err, 0);
		CHECK_EQ(get(&f, ent[leaf]) & A, A);
		fx_destroy(&f);
	}
}

static void test_global(void)
{
	struct fx f;
	fx_init(&f, M32);
	fx_map(&f, 0x1000, 0x5000, 12, P | RW | US | G, P | RW, NULL);
	fx_map(&f, 0x2000, 0x6000, 12, P | RW | US, P | RW | G, NULL);
	fx_map(&f, 0xc00000, 0x800000, 22, 0, P | RW | G, NULL);
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, 0x2000, MMU_READ, false, &w, &err), 0);
	CHECK(!w.global);	/* CR4.PGE off */
	f.r.cr4 |= CR4_PGE;
	CHECK_EQ(walk(&f, 0x2000, MMU_READ, false, &w, &err), 0);
	CHECK(w.global);
	CHECK_EQ(walk(&f, 0x1000, MMU_READ, false, &w, &err), 0);
	CHECK(!w.global);	/* G in a table entry means nothing */
	CHECK_EQ(walk(&f, 0xc00000, MMU_READ, false, &w, &err), 0);
	CHECK(w.global);
	fx_destroy(&f);
}

static void test_table_in_mmio(void)
{
	struct fx f;
	fx_init(&f, M32);
	put(&f, f.r.cr3, 0xfeb00000 | P | RW | US);	/* a page table in the PCI hole */
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(walk(&f, 0x1000, MMU_WRITE, false, &w, &err), -1);
	CHECK_EQ(err, PFE_W);
	fx_destroy(&f);
}

/* -- the TLB -- */

static void test_tlb_hit_and_dirty_rule(void)
{
	struct fx f;
	fx_init(&f, MPAE);
	uint64_t ent[4];
	fx_map(&f, 0x400000, 0x345000, 12, P | RW | US, P | RW | US, ent);
	struct tlb t;
	tlb_init(&t, &f.pm, NULL);
	void *host = NULL;
	uint64_t gpa = 0;
	uint32_t err = 0;
	CHECK(tlb_lookup(&t, 0x400010, MMU_READ, false) == NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x400010, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(host == f.pm.ram + 0x345010);
	CHECK_EQ(gpa, 0x345010);
	CHECK_EQ(t.fills, 1);
	CHECK(tlb_lookup(&t, 0x400ffc, MMU_READ, false) == f.pm.ram + 0x345ffc);
	CHECK(tlb_lookup(&t, 0x400000, MMU_FETCH, false) == f.pm.ram + 0x345000);
	CHECK(tlb_lookup(&t, 0x401000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x400010, MMU_READ, true) == NULL);	/* user side apart */
	/* D clear: no write tag, so the first write walks and sets D */
	CHECK(tlb_lookup(&t, 0x400010, MMU_WRITE, false) == NULL);
	CHECK_EQ(get(&f, ent[2]) & D, 0);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x400020, MMU_WRITE, false, &host, &gpa, &err), TLB_HOST);
	CHECK(host == f.pm.ram + 0x345020);
	CHECK_EQ(get(&f, ent[2]) & D, D);
	CHECK(tlb_lookup(&t, 0x400030, MMU_WRITE, false) == f.pm.ram + 0x345030);
	CHECK(tlb_lookup(&t, 0x400030, MMU_READ, false) == f.pm.ram + 0x345030);
	CHECK_EQ(t.fills, 2);

	/* D already set: a read fill gives the write tag too */
	fx_map(&f, 0x401000, 0x346000, 12, P | RW | US, P | RW | US | D, ent);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x401000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x401008, MMU_WRITE, true) == f.pm.ram + 0x346008);

	/* read-only page: a supervisor write with WP on faults, and leaves
	 * no write tag; user reads fill */
	fx_map(&f, 0x402000, 0x347000, 12, P | RW | US, P | US | D, ent);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x402000, MMU_WRITE, false, &host, &gpa, &err), TLB_FAULT);
	CHECK_EQ(err, PFE_P | PFE_W);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x402000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x402000, MMU_READ, true) == f.pm.ram + 0x347000);
	CHECK(tlb_lookup(&t, 0x402000, MMU_WRITE, true) == NULL);
	/* with WP off the supervisor may write it, so its fill has the tag */
	f.r.cr0 &= ~CR0_WP;
	tlb_flush_all(&t);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x402000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x402000, MMU_WRITE, false) == f.pm.ram + 0x347000);
	f.r.cr0 |= CR0_WP;

	/* NX page: no fetch tag */
	fx_map(&f, 0x403000, 0x348000, 12, P | RW | US, P | RW | US | XD, ent);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x403000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x403000, MMU_FETCH, false) == NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x403000, MMU_FETCH, false, &host, &gpa, &err), TLB_FAULT);
	CHECK_EQ(err, PFE_P | PFE_I);
	/* the fault dropped the entry (SDM: page faults invalidate) */
	CHECK(tlb_lookup(&t, 0x403000, MMU_READ, false) == NULL);
	fx_destroy(&f);
}

static void test_tlb_flushes(void)
{
	struct fx f;
	fx_init(&f, MPAE);
	f.r.cr4 |= CR4_PGE;
	fx_map(&f, 0x1000, 0x5000, 12, P | RW | US, P | RW | US | D, NULL);
	fx_map(&f, 0x2000, 0x6000, 12, P | RW | US, P | RW | US | D | G, NULL);
	fx_map(&f, 0x400000, 0x800000, 21, P | RW | US, P | RW | US | D, NULL);
	struct tlb t;
	tlb_init(&t, &f.pm, NULL);
	void *host;
	uint64_t gpa;
	uint32_t err;
	CHECK_EQ(tlb_fill(&t, &f.r, 0x1000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x2000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x2000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK(t.meta[0][tlb_index(0x2000)].global);
	CHECK(!t.meta[0][tlb_index(0x1000)].global);

	/* INVLPG: that page only, both privilege sides */
	tlb_flush_page(&t, 0x2abc);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, true) == NULL);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, false) == f.pm.ram + 0x5000);
	CHECK_EQ(t.flushes, 1);

	/* CR3 load keeps global entries */
	CHECK_EQ(tlb_fill(&t, &f.r, 0x2000, MMU_WRITE, true, &host, &gpa, &err), TLB_HOST);
	tlb_flush_nonglobal(&t);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x2000, MMU_WRITE, true) == f.pm.ram + 0x6000);
	CHECK_EQ(t.flushes, 2);
	tlb_flush_all(&t);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, true) == NULL);
	CHECK_EQ(t.flushes, 3);

	/* INVLPG of any address in a 2M page drops all its slices */
	CHECK_EQ(tlb_fill(&t, &f.r, 0x400000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x405000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x1000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x405008, MMU_READ, false) == f.pm.ram + 0x805008);
	CHECK_EQ(t.nlarge, 2);
	tlb_flush_page(&t, 0x5ff000 + 0x123);
	CHECK(tlb_lookup(&t, 0x400000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x405000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, false) == f.pm.ram + 0x5000);
	CHECK_EQ(t.nlarge, 0);
	fx_destroy(&f);
}

/* INVLPG of an address in a 1G, 2M or 4M page drops every slice of it,
 * found through large_seen; one elsewhere keeps them */
static void test_tlb_invlpg_large(void)
{
	struct fx f;
	fx_init(&f, M4);
	fx_map(&f, 0x1000, 0x5000, 12, P | RW | US, P | RW | US | D, NULL);
	fx_map(&f, 0x400000, 0x800000, 21, P | RW | US, P | RW | US | D, NULL);
	fx_map(&f, 0x40000000, 0, 30, P | RW | US, P | RW | US | D, NULL);
	struct tlb t;
	tlb_init(&t, &f.pm, NULL);
	void *host;
	uint64_t gpa;
	uint32_t err;
	CHECK_EQ(tlb_fill(&t, &f.r, 0x1000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x401000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x40002000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(t.nlarge, 2);
	tlb_flush_page(&t, 0x7000);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, false) == f.pm.ram + 0x5000);
	CHECK(tlb_lookup(&t, 0x401000, MMU_READ, false) == f.pm.ram + 0x801000);
	CHECK(tlb_lookup(&t, 0x40002000, MMU_READ, false) == f.pm.ram + 0x2000);
	tlb_flush_page(&t, 0x40000000 + 0x3fff0123);
	CHECK(tlb_lookup(&t, 0x40002000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x401000, MMU_READ, false) == f.pm.ram + 0x801000);
	tlb_flush_page(&t, 0x5ff000);
	CHECK(tlb_lookup(&t, 0x401000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, false) == f.pm.ram + 0x5000);
	CHECK_EQ(t.nlarge, 0);
	uint64_t any = 0;
	for (unsigned k = 0; k < 64; k++)
		any |= t.large_seen[k];
	CHECK_EQ(any, 0);
	fx_destroy(&f);

	fx_init(&f, M32);
	fx_map(&f, 0xc00000, 0x800000, 22, 0, P | RW | D, NULL);
	tlb_init(&t, &f.pm, NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0xc01000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	tlb_flush_page(&t, 0xfff000);
	CHECK(tlb_lookup(&t, 0xc01000, MMU_READ, false) == NULL);
	fx_destroy(&f);
}

/* CR3 loads look only at the non-global entries filled since the last
 * flush: a global entry filled again non-global goes with them, and a
 * list that overflowed falls back to looking at every entry */
static void test_tlb_global_lists(void)
{
	struct fx f;
	fx_init(&f, MPAE);
	f.r.cr4 |= CR4_PGE;
	fx_map(&f, 0x2000, 0x6000, 12, P | RW | US, P | RW | US | D | G, NULL);
	fx_map(&f, 0x3000, 0x7000, 12, P | RW | US, P | RW | US | D | G, NULL);
	fx_map(&f, 0x1000, 0x5000, 12, P | RW | US, P | RW | US | D, NULL);
	/* 2M pages over as many 4K slots as the TLB has, on the 16M of RAM
	 * from 4M (so one physical 2M page may back two of them) */
	const uint64_t big_end = 0x400000 + (uint64_t)TLB_SIZE * 0x1000;
	for (uint64_t lin = 0x400000; lin < big_end; lin += 0x200000)
		fx_map(&f, lin, 0x400000 + (lin - 0x400000) % 0x1000000, 21, P | RW | US,
		       P | RW | US | D, NULL);
	struct tlb t;
	tlb_init(&t, &f.pm, NULL);
	void *host;
	uint64_t gpa;
	uint32_t err;

	/* 0x3000 global, then non-global in the same slot */
	CHECK_EQ(tlb_fill(&t, &f.r, 0x3000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	fx_map(&f, 0x3000, 0x7000, 12, P | RW | US, P | RW | US | D, NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x3000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(!t.meta[0][tlb_index(0x3000)].global);
	tlb_flush_nonglobal(&t);
	CHECK(tlb_lookup(&t, 0x3000, MMU_READ, false) == NULL);

	/* every supervisor slot with a slice of a 2M page, one global user
	 * entry, one more non-global: the list overflows */
	for (uint64_t lin = 0x400000; lin < big_end; lin += 0x1000)
		CHECK_EQ(tlb_fill(&t, &f.r, lin, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(t.nlarge, TLB_SIZE);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x2000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x1000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK(t.nlive > TLB_SIZE);
	/* marking a page as code looks at every entry once the lists
	 * overflowed: 0x1000's write tag goes, its read stays */
	CHECK_EQ(tlb_fill(&t, &f.r, 0x1000, MMU_WRITE, true, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t, 0x1000, MMU_WRITE, true) == f.pm.ram + 0x5000);
	tlb_drop_write(&t, 0x5000);
	CHECK(tlb_lookup(&t, 0x1000, MMU_WRITE, true) == NULL);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, true) == f.pm.ram + 0x5000);
	tlb_flush_nonglobal(&t);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, true) == f.pm.ram + 0x6000);
	CHECK(tlb_lookup(&t, 0x1000, MMU_READ, true) == NULL);
	CHECK(tlb_lookup(&t, 0x400000, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, big_end - 0x1000, MMU_READ, false) == NULL);
	CHECK_EQ(t.nlarge, 0);
	CHECK_EQ(t.nlive, 0);
	CHECK_EQ(t.nglobal, 1);
	/* the global entry listed anew: a full flush finds it */
	tlb_flush_nonglobal(&t);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, true) == f.pm.ram + 0x6000);
	tlb_flush_all(&t);
	CHECK(tlb_lookup(&t, 0x2000, MMU_READ, true) == NULL);
	fx_destroy(&f);
}

static void test_tlb_rom_and_mmio(void)
{
	struct fx f;
	fx_init(&f, M32);
	uint8_t *rom = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rom != MAP_FAILED);
	memset(rom, 0xea, 0x10000);
	CHECK_EQ(physmap_add(&f.pm, 0xf0000, 0x10000, PM_ROM, rom, "bios"), 0);
	struct tlb t;
	tlb_init(&t, &f.pm, NULL);
	void *host = NULL;
	uint64_t gpa = 0;
	uint32_t err = 0;

	/* paging off: ROM reads go straight to it, writes to the caller */
	f.r.cr0 = CR0_PE;
	CHECK_EQ(tlb_fill(&t, &f.r, 0xf0010, MMU_FETCH, false, &host, &gpa, &err), TLB_HOST);
	CHECK(host == rom + 0x10);
	CHECK(tlb_lookup(&t, 0xf0020, MMU_READ, false) == rom + 0x20);
	CHECK_EQ(tlb_fill(&t, &f.r, 0xf0010, MMU_WRITE, false, &host, &gpa, &err), TLB_MMIO);
	CHECK_EQ(gpa, 0xf0010);
	CHECK(tlb_lookup(&t, 0xf0010, MMU_WRITE, false) == NULL);
	CHECK(tlb_lookup(&t, 0xf0010, MMU_READ, false) == rom + 0x10);

	/* no region: MMIO, never a tag */
	CHECK_EQ(tlb_fill(&t, &f.r, 0xfee00020, MMU_READ, false, &host, &gpa, &err), TLB_MMIO);
	CHECK_EQ(gpa, 0xfee00020);
	CHECK(tlb_lookup(&t, 0xfee00020, MMU_READ, false) == NULL);
	CHECK(tlb_lookup(&t, 0xfee00020, MMU_WRITE, false) == NULL);
	CHECK(tlb_lookup(&t, 0xfee00020, MMU_FETCH, false) == NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0xb8000, MMU_WRITE, false, &host, &gpa, &err), TLB_MMIO);
	CHECK_EQ(gpa, 0xb8000);

	/* and through paging */
	f.r.cr0 = CR0_PE | CR0_PG | CR0_WP;
	fx_map(&f, 0x10000000, 0xfebf0000, 12, P | RW | US, P | RW | US | D, NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x10000123, MMU_WRITE, true, &host, &gpa, &err), TLB_MMIO);
	CHECK_EQ(gpa, 0xfebf0123);
	CHECK(tlb_lookup(&t, 0x10000123, MMU_WRITE, true) == NULL);
	CHECK(tlb_lookup(&t, 0x10000123, MMU_READ, true) == NULL);
	fx_map(&f, 0x10001000, 0xf5000, 12, P | RW | US, P | RW | US | D, NULL);
	CHECK_EQ(tlb_fill(&t, &f.r, 0x10001004, MMU_WRITE, true, &host, &gpa, &err), TLB_MMIO);
	CHECK_EQ(gpa, 0xf5004);
	CHECK(tlb_lookup(&t, 0x10001004, MMU_READ, true) == rom + 0x5004);
	CHECK(tlb_lookup(&t, 0x10001004, MMU_WRITE, true) == NULL);
	CHECK_EQ(rom[0x5004], 0xea);
	fx_destroy(&f);
	munmap(rom, 0x10000);
}

/* -- code pages -- */

struct inval_log {
	int calls;
	uint64_t last;			/* the page */
	uint64_t from, len;		/* the bytes written on it */
	bool keep;			/* what the callback answers */
};

static bool on_invalidate(void *opaque, uint64_t gpa, uint64_t len)
{
	struct inval_log *l = opaque;
	l->calls++;
	l->last = gpa & ~0xfffull;
	l->from = gpa;
	l->len = len;
	return l->keep;
}

static void test_codepages(void)
{
	struct fx f;
	fx_init(&f, M32);
	struct codepages cp;
	CHECK_EQ(codepages_init(&cp, &f.pm), 0);
	struct inval_log log = { 0, 0, 0, 0, false };
	cp.invalidate = on_invalidate;
	cp.opaque = &log;
	static struct tlb t1, t2;
	tlb_init(&t1, &f.pm, &cp);
	tlb_init(&t2, &f.pm, NULL);
	codepages_add_tlb(&cp, &t2);
	codepages_add_tlb(&cp, &t2);
	CHECK_EQ(cp.ntlbs, 2);
	CHECK(t2.code == &cp);

	fx_map(&f, 0x1000, 0x345000, 12, P | RW | US, P | RW | US | D, NULL);
	fx_map(&f, 0x9000, 0x345000, 12, P | RW | US, P | RW | US | D, NULL);	/* an alias */
	void *host;
	uint64_t gpa;
	uint32_t err;
	CHECK_EQ(tlb_fill(&t1, &f.r, 0x1000, MMU_WRITE, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(tlb_fill(&t2, &f.r, 0x9000, MMU_READ, true, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t1, 0x1000, MMU_WRITE, false) != NULL);
	CHECK(tlb_lookup(&t2, 0x9000, MMU_WRITE, true) != NULL);

	CHECK(!codepages_is_marked(&cp, 0x345000));
	codepages_mark(&cp, 0x345abc);
	CHECK(codepages_is_marked(&cp, 0x345000));
	CHECK(codepages_is_marked(&cp, 0x345fff));
	CHECK(!codepages_is_marked(&cp, 0x346000));
	CHECK_EQ(cp.bits[0x345 >> 3], 1u << (0x345 & 7));
	/* write tags gone in both TLBs; reads and fetches still hit */
	CHECK(tlb_lookup(&t1, 0x1000, MMU_WRITE, false) == NULL);
	CHECK(tlb_lookup(&t2, 0x9000, MMU_WRITE, true) == NULL);
	CHECK(tlb_lookup(&t1, 0x1000, MMU_READ, false) == f.pm.ram + 0x345000);
	CHECK(tlb_lookup(&t2, 0x9000, MMU_FETCH, true) == f.pm.ram + 0x345000);
	/* a read fill of a marked page gets no write tag */
	CHECK_EQ(tlb_fill(&t1, &f.r, 0x9000, MMU_READ, false, &host, &gpa, &err), TLB_HOST);
	CHECK(tlb_lookup(&t1, 0x9000, MMU_FETCH, false) == f.pm.ram + 0x345000);
	CHECK(tlb_lookup(&t1, 0x9000, MMU_WRITE, false) == NULL);
	CHECK_EQ(log.calls, 0);

	/* a write whose size is not known tells of the whole page; one the
	 * owner keeps code beside leaves the page marked, with no write tag */
	log.keep = true;
	CHECK_EQ(tlb_fill(&t2, &f.r, 0x9010, MMU_WRITE, true, &host, &gpa, &err), TLB_HOST);
	CHECK(host == f.pm.ram + 0x345010);
	CHECK_EQ(log.calls, 1);
	CHECK_EQ(log.from, 0x345000);
	CHECK_EQ(log.len, 0x1000);
	CHECK(codepages_is_marked(&cp, 0x345000));
	CHECK(tlb_lookup(&t2, 0x9010, MMU_WRITE, true) == NULL);
	/* so the next write comes too, with its bytes */
	CHECK_EQ(tlb_fill_sized(&t2, &f.r, 0x9ffe, MMU_WRITE, true, 2, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(log.calls, 2);
	CHECK_EQ(log.from, 0x345ffe);
	CHECK_EQ(log.len, 2);
	/* bytes reaching past the page: the whole page, as not known */
	CHECK_EQ(tlb_fill_sized(&t2, &f.r, 0x9ffe, MMU_WRITE, true, 4, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(log.calls, 3);
	CHECK_EQ(log.from, 0x345000);
	CHECK_EQ(log.len, 0x1000);
	CHECK(tlb_lookup(&t2, 0x9ffe, MMU_WRITE, true) == NULL);
	/* a write the owner keeps nothing beside unmarks it */
	log.keep = false;
	log.calls = 0;
	CHECK_EQ(tlb_fill_sized(&t2, &f.r, 0x9010, MMU_WRITE, true, 4, &host, &gpa, &err), TLB_HOST);
	CHECK(host == f.pm.ram + 0x345010);
	CHECK_EQ(log.calls, 1);
	CHECK_EQ(log.last, 0x345000);
	CHECK_EQ(log.from, 0x345010);
	CHECK_EQ(log.len, 4);
	CHECK_EQ(cp.invalidations, 4);
	CHECK(!codepages_is_marked(&cp, 0x345000));
	CHECK(tlb_lookup(&t2, 0x9010, MMU_WRITE, true) == f.pm.ram + 0x345010);
	CHECK_EQ(tlb_fill(&t1, &f.r, 0x1000, MMU_WRITE, false, &host, &gpa, &err), TLB_HOST);
	CHECK_EQ(log.calls, 1);

	/* writes from elsewhere: every marked page touched, once each */
	codepages_mark(&cp, 0x10000);
	codepages_mark(&cp, 0x12000);
	codepages_mark(&cp, 0x20000);
	codepages_written(&cp, 0x10ff0, 0x1020);	/* 0x10000..0x12010 */
	CHECK_EQ(log.calls, 3);
	CHECK_EQ(log.last, 0x12000);
	CHECK_EQ(log.from, 0x12000);	/* each page told of its own bytes */
	CHECK_EQ(log.len, 0x10);
	CHECK(codepages_is_marked(&cp, 0x20000));
	codepages_written(&cp, 0x10000, 0x3000);
	CHECK_EQ(log.calls, 3);
	/* across the VGA hole to the RAM above it */
	codepages_mark(&cp, 0x9f000);
	codepages_mark(&cp, 0xc0000);
	codepages_written(&cp, 0x9f800, 0x21000);
	CHECK_EQ(log.calls, 5);
	CHECK_EQ(log.last, 0xc0000);
	CHECK_EQ(cp.invalidations, 8);
	codepages_written(&cp, 0x20000, 0);
	CHECK(codepages_is_marked(&cp, 0x20000));

	/* ROM and MMIO are never marked */
	uint8_t *rom = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_EQ(physmap_add(&f.pm, 0xf0000, 0x10000, PM_ROM, rom, "bios"), 0);
	codepages_mark(&cp, 0xf0000);
	CHECK(!codepages_is_marked(&cp, 0xf0000));
	codepages_mark(&cp, 0xfee00000);
	CHECK(!codepages_is_marked(&cp, 0xfee00000));
	CHECK_EQ(cp.bits[0xf0 >> 3], 0);

	codepages_destroy(&cp);
	fx_destroy(&f);
	munmap(rom, 0x10000);
}

static int drops;
static bool count_drop(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	(void)gpa;
	(void)len;
	drops++;
	return false;
}

/* writes that bypass the CPUs' TLBs (loaders, the debugger, devices) tell
 * the tracker too */
static void test_codepages_device_writes(void)
{
	struct physmap pm;
	CHECK_EQ(physmap_init(&pm, 1 << 20, NULL), 0);
	struct codepages cp;
	CHECK_EQ(codepages_init(&cp, &pm), 0);
	CHECK(pm.code == &cp);
	cp.invalidate = count_drop;
	drops = 0;
	codepages_mark(&cp, 0x3000);
	codepages_mark(&cp, 0x4000);
	codepages_mark(&cp, 0x8000);
	uint8_t b[4] = { 1, 2, 3, 4 };
	phys_read(&pm, 0x3ffe, b, 4);
	CHECK_EQ(drops, 0);
	phys_write(&pm, 0x3ffe, b, 4);	/* both pages */
	CHECK_EQ(drops, 2);
	CHECK(!codepages_is_marked(&cp, 0x3000) && !codepages_is_marked(&cp, 0x4000));
	physmap_written(&pm, 0x7f00, 0x100);	/* the page below only */
	CHECK_EQ(drops, 2);
	physmap_written(&pm, 0x8010, 1);
	CHECK_EQ(drops, 3);
	codepages_destroy(&cp);
	CHECK(pm.code == NULL);
	phys_write(&pm, 0x8000, b, 4);	/* no tracker: nothing to tell */
	physmap_destroy(&pm);
}

static void test_codepages_high_ram(void)
{
	struct physmap pm;
	if (physmap_init(&pm, PHYSMAP_LOWMEM_MAX + (64ull << 20), NULL) < 0) {
		printf("SKIP mmu: test_codepages_high_ram: host refused 3 GiB of address space\n");
		return;
	}
	struct codepages cp;
	CHECK_EQ(codepages_init(&cp, &pm), 0);
	CHECK_EQ(cp.npages, (PHYSMAP_LOWMEM_MAX >> 12) + (64 << 8));
	uint64_t g = PHYSMAP_HIGHMEM_BASE + 0x5000;
	codepages_mark(&cp, g);
	CHECK(codepages_is_marked(&cp, g));
	uint64_t idx = (PHYSMAP_LOWMEM_MAX + 0x5000) >> 12;
	CHECK_EQ(cp.bits[idx >> 3], 1u << (idx & 7));
	CHECK(!codepages_is_marked(&cp, 0x5000));
	codepages_written(&cp, g + 0xfff, 1);
	CHECK(!codepages_is_marked(&cp, g));
	CHECK_EQ(cp.invalidations, 1);
	codepages_destroy(&cp);
	physmap_destroy(&pm);
}

int main(void)
{
	CHECK_SUITE("mmu");
	RUN(test_no_paging);
	RUN(test_codepages_device_writes);
	RUN(test_32bit_4k);
	RUN(test_32bit_4m);
	RUN(test_pae_4k_2m);
	RUN(test_4level);
	RUN(test_reserved_each_level);
	RUN(test_permissions);
	RUN(test_nx);
	RUN(test_accessed_dirty);
	RUN(test_global);
	RUN(test_table_in_mmio);
	RUN(test_tlb_hit_and_dirty_rule);
	RUN(test_tlb_flushes);
	RUN(test_tlb_global_lists);
	RUN(test_tlb_invlpg_large);
	RUN(test_tlb_rom_and_mmio);
	RUN(test_codepages);
	RUN(test_codepages_high_ram);
	return CHECK_EXIT();
}
