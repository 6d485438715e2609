/* Tracking of guest RAM pages that hold decoded or translated code. */
// SPDX-License-Identifier: MIT
#include "mmu/mmu.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

int codepages_init(struct codepages *cp, struct physmap *pm)
{
	memset(cp, 0, sizeof(*cp));
	cp->pm = pm;
	cp->npages = (pm->ram_size + 0xfff) >> 12;
	cp->bits = calloc((size_t)((cp->npages + 7) / 8), 1);
	if (!cp->bits) {
		log_error("code-page bitmap: out of memory for %llu pages",
			  (unsigned long long)cp->npages);
		return -1;
	}
	pm->code = cp;
	return 0;
}

void codepages_destroy(struct codepages *cp)
{
	if (cp->pm && cp->pm->code == cp)
		cp->pm->code = NULL;
	free(cp->bits);
	free(cp->tlbs);
	cp->bits = NULL;
	cp->tlbs = NULL;
	cp->ntlbs = 0;
}

void codepages_add_tlb(struct codepages *cp, struct tlb *t)
{
	t->code = cp;
	for (int i = 0; i < cp->ntlbs; i++)
		if (cp->tlbs[i] == t)
			return;
	struct tlb **n = realloc(cp->tlbs, (size_t)(cp->ntlbs + 1) * sizeof(*n));
	if (!n) {
		log_error("code-page tracker: out of memory");
		abort();
	}
	cp->tlbs = n;
	cp->tlbs[cp->ntlbs++] = t;
}

/* The bit index of a RAM page: its offset in the one RAM mapping, so RAM
 * above 4 GiB has bits too. ROM (and RAM-kind regions mapped from other
 * host memory) has none: false. */
static bool page_index(const struct codepages *cp, const struct physmap_region *r,
		       uint64_t gpa, uint64_t *idx)
{
	if (!r || r->kind != PM_RAM || !cp->pm->ram)
		return false;
	uint8_t *h = r->host + (gpa - r->gpa);
	if (h < cp->pm->ram || h >= cp->pm->ram + cp->pm->ram_size)
		return false;
	*idx = (uint64_t)(h - cp->pm->ram) >> 12;
	return *idx < cp->npages;
}

static bool bit_test(const struct codepages *cp, uint64_t idx)
{
	return __atomic_load_n(&cp->bits[idx >> 3], __ATOMIC_RELAXED) & (1u << (idx & 7));
}

void codepages_mark(struct codepages *cp, uint64_t gpa)
{
	uint64_t idx, page = gpa & ~0xfffull;
	if (!page_index(cp, physmap_find(cp->pm, page), page, &idx) || bit_test(cp, idx))
		return;
	__atomic_fetch_or(&cp->bits[idx >> 3], (uint8_t)(1u << (idx & 7)), __ATOMIC_RELAXED);
	/* fills never give a marked page a write tag; drop the ones made before.
	 * This edits other vCPUs' TLBs: the software tiers run their vCPUs in
	 * one thread, so none is mid-access. */
	for (int k = 0; k < cp->ntlbs; k++)
		tlb_drop_write(cp->tlbs[k], page);
}

bool codepages_is_marked(const struct codepages *cp, uint64_t gpa)
{
	uint64_t idx, page = gpa & ~0xfffull;
	return page_index(cp, physmap_find(cp->pm, page), page, &idx) && bit_test(cp, idx);
}

/* the first region starting above gpa, or NULL */
static const struct physmap_region *next_region(const struct physmap *pm, uint64_t gpa)
{
	for (int i = 0; i < pm->n; i++)
		if (pm->r[i].gpa > gpa)
			return &pm->r[i];
	return NULL;
}

void codepages_written(struct codepages *cp, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return;
	uint64_t last = gpa + len - 1 < gpa ? ~0ull : gpa + len - 1;
	uint64_t p = gpa & ~0xfffull;
	while (p <= last) {
		const struct physmap_region *r = physmap_find(cp->pm, p);
		if (!r) {
			r = next_region(cp->pm, p);
			if (!r)
				return;
			p = r->gpa;
			continue;
		}
		uint64_t rend = r->gpa + r->size;	/* pages up to here share r */
		for (; p < rend && p <= last; p += 4096) {
			uint64_t idx;
			if (!page_index(cp, r, p, &idx))
				break;
			uint8_t m = (uint8_t)(1u << (idx & 7));
			if (!(__atomic_fetch_and(&cp->bits[idx >> 3], (uint8_t)~m, __ATOMIC_RELAXED) & m))
				continue;
			cp->invalidations++;
			/* the bytes written on this page */
			uint64_t from = p > gpa ? p : gpa;
			uint64_t to = last < p + 0xfff ? last : p + 0xfff;
			if (cp->invalidate && cp->invalidate(cp->opaque, from, to - from + 1))
				__atomic_fetch_or(&cp->bits[idx >> 3], m, __ATOMIC_RELAXED);
		}
		if (p < rend && p <= last)	/* not RAM we track: skip the region */
			p = rend;
		if (p == 0)			/* wrapped past the top */
			return;
	}
}
