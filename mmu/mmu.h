/* Linear -> physical for the software tiers: the page-table walker (no
 * paging, 32-bit with PSE, PAE with NX, 4-level), the software TLB, and
 * the tracking of guest pages that hold decoded or translated code.
 *
 * TLB invariant: a hit is one compare and one add. An entry's tag for an
 * access kind is the page-aligned linear address when that access may go
 * straight to host memory; anything else (not present, no permission, MMIO,
 * a write to a page holding code, a write to a page whose dirty bit is
 * still clear) leaves the tag unequal, and the slow path (tlb_fill) decides.
 * Each vCPU has one struct tlb; entries are per privilege (supervisor/user)
 * so a CPL change needs no flush. */
#ifndef MMU_MMU_H
#define MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include "mmu/physmap.h"

enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };

/* page-fault error code bits */
#define PFE_P (1u << 0)
#define PFE_W (1u << 1)
#define PFE_U (1u << 2)
#define PFE_RSVD (1u << 3)
#define PFE_I (1u << 4)

/* physical-address width of the emulated CPU (CPUID 0x80000008 must agree):
 * entry bits from here up to 51 (4-level) or 62 (PAE) are reserved */
#define MMU_MAXPHYADDR 40

/* the control registers that decide translation, and the A20M# input:
 * asserted (the board's A20 gate off), physical-address bit 20 of every
 * access, page-table reads included, is forced to 0 */
struct mmu_regs {
	uint64_t cr0, cr3, cr4, efer;
	bool a20m;
};

struct mmu_walk {
	uint64_t gpa;		/* physical address of the byte asked for */
	uint64_t page_mask;	/* ~(page size - 1): 4K, 2M or 4M pages */
	bool writable, user, nx, global, dirty;
};

/* Walk the guest's page tables for `lin`: checks the access against
 * U/S, R/W (with CR0.WP), NX (with EFER.NXE), reserved bits; sets A bits
 * on the way and D on a write, as the hardware does. supervisor_implicit:
 * an access made by the CPU itself (descriptor tables, TSS) counts as
 * supervisor whatever the CPL.
 * 0 on success; -1 with *pf_error filled for a page fault. */
int mmu_walk(struct physmap *pm, const struct mmu_regs *r, uint64_t lin,
	     enum mmu_access acc, bool user, struct mmu_walk *out, uint32_t *pf_error);

/* A debugger's translation of lin (supervisor, read): the walk above
 * without setting any A or D bit, so looking changes nothing. 0 and *gpa,
 * or -1 when lin is not mapped. */
int mmu_debug_translate(struct physmap *pm, const struct mmu_regs *r, uint64_t lin, uint64_t *gpa);
/* len bytes at lin read into buf (or written from it), page by page
 * through mmu_debug_translate and phys_read/phys_write: the bytes done
 * before a page that is not mapped. Device memory is the bus's: hold
 * the board lock. */
size_t mmu_debug_access(struct physmap *pm, const struct mmu_regs *r, uint64_t lin, void *buf,
			size_t len, bool write);

/* PAE (not long mode): false when a present PDPTE of the table at cr3 has a
 * reserved bit set. MOV to CR3 (and MOV to CR0/CR4 entering PAE paging)
 * then raises #GP(0) instead of loading, as the SDM says. */
bool mmu_pae_pdptes_ok(struct physmap *pm, uint64_t cr3);

/* 8192 entries per privilege: with 4096, two thirds of a fork/exec
 * loop's fills were of entries another page had taken (2.1 million
 * fills in boot and 3000 fork/execs, 0.75 million with 8192) */
#define TLB_BITS 13
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_NOMATCH 1ull	/* or-ed into a tag: never equals a page address */

/* What a hit needs, 32 bytes: the index scales by a shift, and four
 * entries share a host cache line. addend first: a read hit (addend,
 * tag[MMU_READ]) is in the first 16 bytes. */
struct __attribute__((aligned(32))) tlb_entry {
	uintptr_t addend;	/* host pointer = linear address + addend */
	uint64_t tag[3];	/* per enum mmu_access */
};

/* what only fills, flushes and the slow paths need, beside each entry */
struct tlb_meta {
	uint64_t gpa;		/* guest-physical page */
	bool global;
	uint8_t page_shift;	/* 12, 21, 22 or 30: INVLPG drops every slice of a large page */
};

struct codepages;

/* Linear ranges whose pages stay off the hit path for reads and writes:
 * the data breakpoints and watchpoints, whose every access the slow path
 * must see. More ranges than fit: one range covering everything. */
#define TLB_MAX_WATCH 16
struct tlb_watch {
	uint64_t lo, hi;	/* inclusive */
};

struct tlb {
	struct tlb_entry e[2][TLB_SIZE];	/* [user] */
	struct tlb_meta meta[2][TLB_SIZE];	/* of e[user][i] */
	struct physmap *pm;
	struct codepages *code;			/* may be NULL */
	uint64_t fills, flushes;		/* statistics */
	unsigned nlarge;			/* entries holding slices of large pages */
	/* the large pages those slices are of, as bits of a hash of their
	 * size and number (set by fills, cleared when nlarge is 0): an
	 * INVLPG whose address no large page here may hold looks no further
	 * than its own slot */
	uint64_t large_seen[64];
	/* the entries filled since the last flush (indices into e[0], which
	 * e[1] follows), so a flush clears those and not the whole TLB; the
	 * global ones apart (listed when filled global), which a CR3 load
	 * keeps without looking at them. A count > TLB_SIZE: too many, the
	 * flush looks at every entry */
	unsigned nlive, nglobal;
	uint16_t live[TLB_SIZE], global[TLB_SIZE];
	unsigned nwatch;			/* ranges in watch[] */
	struct tlb_watch watch[TLB_MAX_WATCH];
	/* A journal (the translator's lockstep check): while set, no write
	 * tag is filled, so every write of the CPU reaches the slow path,
	 * which tells it the size bytes at host about to be written
	 * (cpu/interp/mem.c); tlb_fill tells it (NULL, 0) for an access to
	 * device memory. */
	void (*journal)(void *opaque, void *host, unsigned size);
	void *journal_opaque;
};

static inline unsigned tlb_index(uint64_t lin)
{
	return (unsigned)(lin >> 12) & (TLB_SIZE - 1);
}

static inline struct tlb_meta *tlb_meta_of(struct tlb *t, const struct tlb_entry *e)
{
	return &t->meta[0][0] + (e - &t->e[0][0]);
}

/* the fast path: a host pointer for an access of `size` bytes that does not
 * cross a page, or NULL (then call tlb_fill) */
static inline void *tlb_lookup(struct tlb *t, uint64_t lin, enum mmu_access acc, bool user)
{
	struct tlb_entry *e = &t->e[user][tlb_index(lin)];
	if (e->tag[acc] == (lin & ~0xfffull))
		return (void *)(lin + e->addend);
	return NULL;
}

void tlb_init(struct tlb *t, struct physmap *pm, struct codepages *code);
void tlb_flush_all(struct tlb *t);		/* CR4.PGE/PAE/PSE, CR0.PG/WP changes */
void tlb_flush_nonglobal(struct tlb *t);	/* a CR3 load */
void tlb_flush_page(struct tlb *t, uint64_t lin);	/* INVLPG */
/* guest-physical page gpa_page now holds translated code: no entry may
 * write it on the hit path (codepages_mark); looks only at the entries
 * filled since the last flush */
void tlb_drop_write(struct tlb *t, uint64_t gpa_page);
/* replace the watched ranges (n may exceed TLB_MAX_WATCH): flushes when
 * they change */
void tlb_set_watch(struct tlb *t, const struct tlb_watch *w, unsigned n);

enum tlb_fill_result {
	TLB_HOST,	/* *host points at the byte (RAM, or ROM for reads/fetch) */
	TLB_MMIO,	/* *gpa is not RAM: go through the bus (writes to ROM: drop) */
	TLB_FAULT,	/* page fault: *pf_error */
};

/* The slow path: translate, fill the entry where the access may be
 * direct, and say where the byte is. A write to a page holding code tells
 * the code tracker (codepages_written) of the len bytes from lin it is
 * about to write (0: not known, the whole page) before returning TLB_HOST. */
enum tlb_fill_result tlb_fill_sized(struct tlb *t, const struct mmu_regs *r, uint64_t lin,
				    enum mmu_access acc, bool user, unsigned len, void **host,
				    uint64_t *gpa, uint32_t *pf_error);

static inline enum tlb_fill_result tlb_fill(struct tlb *t, const struct mmu_regs *r, uint64_t lin,
					    enum mmu_access acc, bool user, void **host,
					    uint64_t *gpa, uint32_t *pf_error)
{
	return tlb_fill_sized(t, r, lin, acc, user, 0, host, gpa, pf_error);
}

/* Pages of guest RAM that hold decoded instructions or translated code.
 * Marking a page makes every TLB's direct writes to it take the slow path;
 * a write there calls the owner's invalidate callback with the bytes it
 * writes on that page, which drops what they overlap and says whether
 * code derived from the page's other bytes stays: the page stays marked
 * then (every write to it goes on taking the slow path, and is told),
 * else it is unmarked. Shared by all vCPUs of a VM. */
struct codepages {
	uint8_t *bits;			/* one bit per 4 KiB page of guest RAM */
	struct physmap *pm;
	uint64_t npages;
	struct tlb **tlbs;		/* every vCPU's TLB, to drop their write tags */
	int ntlbs;
	/* [gpa, gpa + len) lies on one page; true: keep it marked */
	bool (*invalidate)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
	uint64_t invalidations;
};

int codepages_init(struct codepages *cp, struct physmap *pm);
void codepages_destroy(struct codepages *cp);
void codepages_add_tlb(struct codepages *cp, struct tlb *t);
void codepages_mark(struct codepages *cp, uint64_t gpa);
bool codepages_is_marked(const struct codepages *cp, uint64_t gpa);
/* a write of len bytes at gpa landed (from a CPU slow path, a device, a
 * loader): invalidate what was derived from the pages it touched */
void codepages_written(struct codepages *cp, uint64_t gpa, uint64_t len);

#endif
