/* The block table: finding a block by where and how it runs, chaining
 * blocks by patching their exits, and dropping a page's blocks when the
 * guest writes it. Only the thread holding the vCPUs' turn edits it. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <string.h>
#include "cpu/bt/emit.h"

static unsigned hash_of(const struct bt_vm *bv, uintptr_t host, uint64_t rip, uint32_t mode)
{
	uint64_t h = (uint64_t)host * 0x9e3779b97f4a7c15ull ^ rip * 0xc2b2ae3d27d4eb4full ^ mode;
	return (unsigned)(h >> 40) & bv->hash_mask;
}

static unsigned page_slot(const struct bt_vm *bv, uint64_t gpa_page)
{
	return (unsigned)((gpa_page >> 12) * 0x9e3779b1u >> 8) & bv->pages_mask;
}

struct bt_block *bt_find(struct bt_vm *bv, uintptr_t host, uint64_t rip, uint32_t mode)
{
	for (struct bt_block *b = bv->hash[hash_of(bv, host, rip, mode)]; b; b = b->hnext)
		if (b->host == host && b->rip == rip && b->mode == mode && b->valid)
			return b;
	return NULL;
}

void bt_insert(struct bt_vm *bv, struct bt_block *b)
{
	struct bt_block **h = &bv->hash[hash_of(bv, b->host, b->rip, b->mode)];
	b->hnext = *h;
	*h = b;
	struct bt_block **p = &bv->pages[page_slot(bv, b->gpa_page)];
	b->pnext = *p;
	*p = b;
}

/* the rel32 of a patchable jmp, through the writable view; each is
 * 4-byte aligned (the translator pads before it), so one store patches
 * it whole even while another thread could be fetching it */
static void repoint(struct bt_vm *bv, uint8_t *rel32, const void *target)
{
	emit_patch_rel32(rel32 - (bv->rx - bv->rw), rel32, target);
}

/* the host address a far exit's stub compares with (8-aligned) */
static void far_host(struct bt_vm *bv, struct bt_exit *ex, uintptr_t host)
{
	if (ex->far_imm)
		__atomic_store_n((uint64_t *)(void *)(ex->far_imm - (bv->rx - bv->rw)), (uint64_t)host,
				 __ATOMIC_RELEASE);
}

void bt_chain(struct bt_vm *bv, struct bt_exit *ex, struct bt_block *b)
{
	if (ex->to || !ex->from->valid || !b->valid)
		return;
	if ((ex->from->rip ^ b->rip) & ~0xfffull) {
		/* another page: the stub checks its mapping, then goes on
		 * (the jmp first: a stub that sees the host goes there) */
		if (!ex->far_imm)
			return;
		repoint(bv, ex->far_rel32, b->code);
		far_host(bv, ex, b->host);
	} else {
		repoint(bv, ex->jmp_rel32, b->code);
	}
	ex->to = b;
	ex->next_in = b->incoming;
	b->incoming = ex;
	bv->chains++;
}

static void unlink_hash(struct bt_vm *bv, struct bt_block *b)
{
	struct bt_block **h = &bv->hash[hash_of(bv, b->host, b->rip, b->mode)];
	for (; *h; h = &(*h)->hnext)
		if (*h == b) {
			*h = b->hnext;
			return;
		}
}

/* b's outgoing chains leave their targets' incoming lists, and its
 * exits go back to their stubs: a dropped block's CALL return entry may
 * still be on a return-address stack (gen.c's gen_ras_push), and must
 * not go on to a block dropped after it */
static void unchain_outgoing(struct bt_vm *bv, struct bt_block *b)
{
	for (unsigned k = 0; k < b->nexits; k++) {
		struct bt_exit *ex = &b->exit[k];
		if (!ex->to)
			continue;
		for (struct bt_exit **in = &ex->to->incoming; *in; in = &(*in)->next_in)
			if (*in == ex) {
				*in = ex->next_in;
				break;
			}
		repoint(bv, ex->jmp_rel32, ex->stub);
		far_host(bv, ex, 0);
		ex->to = NULL;
	}
}

unsigned bt_invalidate(struct bt_vm *bv, uint64_t gpa, uint64_t len, bool *kept)
{
	uint64_t page = gpa & ~0xfffull, from = gpa & 0xfff, to = from + len;
	unsigned dropped = 0;
	struct bt_block **p = &bv->pages[page_slot(bv, page)];
	while (*p) {
		struct bt_block *b = *p;
		if (b->gpa_page != page) {
			p = &b->pnext;
			continue;
		}
		if (b->hi <= from || b->lo >= to) {
			*kept = true;
			p = &b->pnext;
			continue;
		}
		*p = b->pnext;
		b->valid = false;
		/* the jump caches hold it only where its rip hashes to */
		for (int n = 0; n < bv->ncpus; n++) {
			struct bt_jc *jc = &bv->cpus[n]->jc[bt_jc_index(b->rip)];
			if (jc->block == b)
				memset(jc, 0, sizeof(*jc));
		}
		/* whatever jumps here goes back to its stub, so to the dispatcher */
		for (struct bt_exit *in = b->incoming; in; in = in->next_in) {
			repoint(bv, in->jmp_rel32, in->stub);
			far_host(bv, in, 0);
			in->to = NULL;
			bv->unchains++;
		}
		b->incoming = NULL;
		unchain_outgoing(bv, b);
		unlink_hash(bv, b);
		bv->invalidated++;
		dropped++;
	}
	return dropped;
}
