/* The software TLB: fills from the walker, flushes, and the slow path of a guest access. */
// SPDX-License-Identifier: MIT
#include "mmu/mmu.h"

#include <string.h>
#include "hw/log.h"

#define TLB_CR0_WP (1ull << 16)
#define TLB_CR0_PG (1ull << 31)

/* Every tag of a filled entry holds its page's linear address, or-ed with
 * TLB_NOMATCH where that access must take the slow path; so any tag tells
 * which page the entry is for. An empty entry's tags are TLB_NOMATCH. */
static inline uint64_t entry_lin(const struct tlb_entry *e)
{
	return e->tag[MMU_READ] & ~0xfffull;
}

/* filled entries, even those with no usable tag (MMIO), have a page size */
static inline bool entry_empty(struct tlb *t, const struct tlb_entry *e)
{
	return tlb_meta_of(t, e)->page_shift == 0;
}

/* the bit of large_seen for the page of 1 << shift bytes holding lin */
static unsigned large_bit(uint64_t lin, unsigned shift)
{
	return (unsigned)(((lin >> shift) * 0x9e3779b97f4a7c15ull + shift) >> 52) & 4095;
}

static bool large_maybe(const struct tlb *t, uint64_t lin)
{
	/* the sizes a large page has: 2M (PAE, long mode), 4M, 1G */
	static const unsigned shifts[] = { 21, 22, 30 };
	for (unsigned k = 0; k < 3; k++) {
		unsigned b = large_bit(lin, shifts[k]);
		if (t->large_seen[b / 64] >> (b % 64) & 1)
			return true;
	}
	return false;
}

static void entry_clear(struct tlb *t, struct tlb_entry *e)
{
	struct tlb_meta *m = tlb_meta_of(t, e);
	if (m->page_shift > 12 && --t->nlarge == 0)
		memset(t->large_seen, 0, sizeof(t->large_seen));
	e->tag[MMU_READ] = e->tag[MMU_WRITE] = e->tag[MMU_FETCH] = TLB_NOMATCH;
	e->addend = 0;
	m->gpa = 0;
	m->global = false;
	m->page_shift = 0;
}

void tlb_init(struct tlb *t, struct physmap *pm, struct codepages *code)
{
	memset(t, 0, sizeof(*t));
	t->pm = pm;
	for (unsigned u = 0; u < 2; u++)
		for (unsigned i = 0; i < TLB_SIZE; i++)
			entry_clear(t, &t->e[u][i]);
	if (code)
		codepages_add_tlb(code, t);
}

/* entry i on a list of those a flush must look at */
static void note(uint16_t *list, unsigned *n, unsigned i)
{
	if (*n < TLB_SIZE)
		list[(*n)++] = (uint16_t)i;
	else
		*n = TLB_SIZE + 1;
}

/* clear the listed entries (all of them if the list overflowed) */
static void clear_listed(struct tlb *t, const uint16_t *list, unsigned n)
{
	struct tlb_entry *all = &t->e[0][0];
	if (n <= TLB_SIZE) {
		for (unsigned k = 0; k < n; k++)
			entry_clear(t, &all[list[k]]);
	} else {
		for (unsigned i = 0; i < 2 * TLB_SIZE; i++)
			entry_clear(t, &all[i]);
	}
}

/* Clear every entry, or all but the global ones. An entry filled global
 * and filled again non-global is on both lists; one filled non-global and
 * again global only on the live one, and goes at the next flush. */
static void flush(struct tlb *t, bool keep_global)
{
	struct tlb_entry *all = &t->e[0][0];
	struct tlb_meta *meta = &t->meta[0][0];
	if (!keep_global) {
		clear_listed(t, t->live, t->nlive);
		if (t->nlive <= TLB_SIZE)
			clear_listed(t, t->global, t->nglobal);
		t->nlive = t->nglobal = 0;
	} else if (t->nlive <= TLB_SIZE) {
		clear_listed(t, t->live, t->nlive);
		t->nlive = 0;
	} else {
		/* every entry: the global ones stay, listed anew */
		t->nglobal = 0;
		for (unsigned i = 0; i < 2 * TLB_SIZE; i++) {
			if (meta[i].global && meta[i].page_shift)
				note(t->global, &t->nglobal, i);
			else
				entry_clear(t, &all[i]);
		}
		t->nlive = 0;
	}
	t->flushes++;
}

void tlb_flush_all(struct tlb *t)
{
	flush(t, false);
}

void tlb_flush_nonglobal(struct tlb *t)
{
	flush(t, true);
}

/* the entries that may be filled: those listed since the last flush,
 * or all of them once a list overflowed. filled_at(t, k), k below
 * filled_count(t), is the k-th one's index into the flattened e[][] */
static bool listed(const struct tlb *t)
{
	return t->nlive <= TLB_SIZE && t->nglobal <= TLB_SIZE;
}

static unsigned filled_count(const struct tlb *t)
{
	return listed(t) ? t->nlive + t->nglobal : 2 * TLB_SIZE;
}

static unsigned filled_at(const struct tlb *t, unsigned k)
{
	return !listed(t) ? k : k < t->nlive ? t->live[k] : t->global[k - t->nlive];
}

void tlb_flush_page(struct tlb *t, uint64_t lin)
{
	uint64_t page = lin & ~0xfffull;
	for (unsigned u = 0; u < 2; u++) {
		struct tlb_entry *e = &t->e[u][tlb_index(lin)];
		if (!entry_empty(t, e) && entry_lin(e) == page)
			entry_clear(t, e);
	}
	/* INVLPG drops the whole translation of a large page, and the TLB
	 * holds it as 4 KiB slices in other slots: looked for only where a
	 * large page may hold lin (a kernel's direct map is large pages, its
	 * INVLPGs of user pages are not in them) */
	unsigned n = !t->nlarge || !large_maybe(t, lin) ? 0 : filled_count(t);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = filled_at(t, k);
		struct tlb_entry *e = &t->e[0][0] + i;
		unsigned sh = tlb_meta_of(t, e)->page_shift;
		if (sh > 12 && ((entry_lin(e) ^ lin) >> sh) == 0)
			entry_clear(t, e);
	}
	t->flushes++;
}

void tlb_drop_write(struct tlb *t, uint64_t gpa_page)
{
	struct tlb_entry *all = &t->e[0][0];
	const struct tlb_meta *meta = &t->meta[0][0];
	unsigned n = filled_count(t);
	for (unsigned k = 0; k < n; k++) {
		unsigned i = filled_at(t, k);
		if (meta[i].gpa == gpa_page && meta[i].page_shift)
			all[i].tag[MMU_WRITE] |= TLB_NOMATCH;
	}
}

void tlb_set_watch(struct tlb *t, const struct tlb_watch *w, unsigned n)
{
	struct tlb_watch all = { 0, ~0ull };
	if (n > TLB_MAX_WATCH) {
		w = &all;
		n = 1;
	}
	if (n == t->nwatch && !memcmp(w, t->watch, n * sizeof(*w)))
		return;
	memcpy(t->watch, w, n * sizeof(*w));
	t->nwatch = n;
	tlb_flush_all(t);
}

static bool page_watched(const struct tlb *t, uint64_t page)
{
	for (unsigned k = 0; k < t->nwatch; k++)
		if (page <= t->watch[k].hi && t->watch[k].lo <= page + 0xfff)
			return true;
	return false;
}

/* -d mmu: one line per walk with paging on (w NULL: it faulted) */
static void __attribute__((noinline, cold))
trace_walk(const struct mmu_regs *r, uint64_t lin, enum mmu_access acc, bool user,
	   const struct mmu_walk *w, uint32_t pf_error)
{
	static const char *const kind[3] = { "read", "write", "fetch" };
	if (!(r->cr0 & TLB_CR0_PG))
		return;
	if (!w) {
		log_msg("mmu: %s %s lin 0x%08llx -> #PF err 0x%x", kind[acc], user ? "user" : "sup",
			(unsigned long long)lin, pf_error);
		return;
	}
	unsigned shift = (unsigned)__builtin_ctzll(w->page_mask);
	log_msg("mmu: %s %s lin 0x%08llx -> 0x%08llx %s%s%s%s%s%s", kind[acc],
		user ? "user" : "sup", (unsigned long long)lin, (unsigned long long)w->gpa,
		shift >= 30 ? "1G" : shift >= 22 ? "4M" : shift >= 21 ? "2M" : "4K",
		w->writable ? " W" : "", w->user ? " U" : "", w->dirty ? " D" : "",
		w->global ? " G" : "", w->nx ? " NX" : "");
}

enum tlb_fill_result tlb_fill_sized(struct tlb *t, const struct mmu_regs *r, uint64_t lin,
				    enum mmu_access acc, bool user, unsigned len, void **host,
				    uint64_t *gpa, uint32_t *pf_error)
{
	struct tlb_entry *e = &t->e[user][tlb_index(lin)];
	uint64_t page = lin & ~0xfffull;
	struct mmu_walk w;

	if (mmu_walk(t->pm, r, lin, acc, user, &w, pf_error) < 0) {
		if (__builtin_expect(log_mask & LOG_MMU, 0))
			trace_walk(r, lin, acc, user, NULL, *pf_error);
		/* a page fault invalidates what was cached for the address (SDM 4.10.4.1) */
		if (!entry_empty(t, e) && entry_lin(e) == page)
			entry_clear(t, e);
		return TLB_FAULT;
	}
	if (__builtin_expect(log_mask & LOG_MMU, 0))
		trace_walk(r, lin, acc, user, &w, 0);
	*gpa = w.gpa;

	uint64_t gpage = w.gpa & ~0xfffull;
	const struct physmap_region *reg = physmap_find(t->pm, gpage);
	bool ram = reg && reg->kind == PM_RAM;
	uint8_t *hpage = reg ? reg->host + (gpage - reg->gpa) : NULL;

	if (acc == MMU_WRITE && ram && t->code && codepages_is_marked(t->code, gpage)) {
		if (len && (w.gpa & 0xfff) + len <= 0x1000)
			codepages_written(t->code, w.gpa, len);
		else
			codepages_written(t->code, gpage, 0x1000);
	}

	/* which other accesses may later skip the walk: each needs what this
	 * walk proved (A set; D set for writes) and the rights of `user` */
	bool can_read = reg && (!user || w.user);
	bool can_write = ram && w.dirty &&
			 (user ? w.user && w.writable : w.writable || !(r->cr0 & TLB_CR0_WP)) &&
			 !(t->code && codepages_is_marked(t->code, gpage));
	bool can_fetch = can_read && !w.nx;
	if (__builtin_expect(t->journal != NULL, 0)) {
		if (!hpage || (acc == MMU_WRITE && !ram))
			t->journal(t->journal_opaque, NULL, 0);
		can_write = false;
	}
	if (__builtin_expect(t->nwatch != 0, 0) && page_watched(t, page))
		can_read = can_write = false;

	unsigned slot = (unsigned)(e - &t->e[0][0]);
	if (entry_empty(t, e))
		note(w.global ? t->global : t->live, w.global ? &t->nglobal : &t->nlive, slot);
	else if (tlb_meta_of(t, e)->global && !w.global)
		note(t->live, &t->nlive, slot);	/* a flush that keeps globals must see it */
	entry_clear(t, e);
	e->tag[MMU_READ] = can_read ? page : page | TLB_NOMATCH;
	e->tag[MMU_WRITE] = can_write ? page : page | TLB_NOMATCH;
	e->tag[MMU_FETCH] = can_fetch ? page : page | TLB_NOMATCH;
	e->addend = hpage ? (uintptr_t)hpage - (uintptr_t)page : 0;
	struct tlb_meta *m = tlb_meta_of(t, e);
	m->gpa = gpage;
	m->global = w.global;
	m->page_shift = (uint8_t)__builtin_ctzll(w.page_mask);
	if (m->page_shift > 12) {
		unsigned b = large_bit(lin, m->page_shift);
		t->large_seen[b / 64] |= 1ull << (b % 64);
		t->nlarge++;
	}
	t->fills++;

	if (!reg || (acc == MMU_WRITE && !ram))
		return TLB_MMIO;
	*host = hpage + (lin & 0xfff);
	return TLB_HOST;
}
