/* The decode cache: instructions decoded once per guest page and code
 * size, dropped when the page is written. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/interp.h"

#include <stdlib.h>
#include <string.h>
#include "cpu/interp/ops.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

struct decode_cache *dcache_new(struct codepages *cp)
{
	struct decode_cache *dc = calloc(1, sizeof(*dc));
	if (!dc)
		return NULL;
	/* large, and touched only as blocks fill: calloc maps it lazily */
	dc->pages = calloc(DC_SETS * DC_WAYS, sizeof(struct dc_page));
	if (!dc->pages) {
		free(dc);
		return NULL;
	}
	dc->cp = cp;
	return dc;
}

void dcache_free(struct decode_cache *dc)
{
	if (!dc)
		return;
	free(dc->pages);
	free(dc);
}

static inline unsigned dc_set(uint64_t gpa)
{
	return (unsigned)(gpa >> 12) & (DC_SETS - 1);
}

void dcache_flush(struct decode_cache *dc)
{
	for (unsigned k = 0; k < DC_SETS * DC_WAYS; k++) {
		atomic_store_explicit(&dc->pages[k].key, 0, memory_order_relaxed);
		atomic_store_explicit(&dc->pages[k].stamp, 0, memory_order_relaxed);
	}
	dc->cur = NULL;
	dc->cur_key = 0;
}

void dcache_drop_gpa(struct decode_cache *dc, uint64_t gpa)
{
	gpa &= ~0xfffull;
	struct dc_page *set = &dc->pages[dc_set(gpa) * DC_WAYS];
	for (unsigned w = 0; w < DC_WAYS; w++) {
		if (set[w].gpa == gpa && atomic_load_explicit(&set[w].key, memory_order_relaxed)) {
			atomic_store_explicit(&set[w].stamp, 0, memory_order_relaxed);
			atomic_store_explicit(&set[w].key, 0, memory_order_release);
			/* a straight run in this block stops at the next step */
			for (unsigned k = 0; k < set[w].used; k++)
				__atomic_and_fetch(&set[w].pool[k].run, (uint8_t)~RUN_NEXT,
						   __ATOMIC_RELAXED);
			dc->drops++;
		}
	}
}

/* empty the block; what pointed into it is stale from now on */
static void block_restart(struct decode_cache *dc, struct dc_page *p)
{
	memset(p->idx, 0, sizeof(p->idx));
	p->used = 0;
	atomic_store_explicit(&p->stamp, ++dc->stamps, memory_order_relaxed);
}

/* the block for (host page, code size), made now if need be */
static struct dc_page *block_for(struct decode_cache *dc, uintptr_t hpage, uint64_t gpa,
				 unsigned code_size)
{
	uint64_t key = dcache_key(hpage, code_size);
	unsigned s = dc_set(gpa);
	struct dc_page *set = &dc->pages[s * DC_WAYS];
	for (unsigned w = 0; w < DC_WAYS; w++)
		if (atomic_load_explicit(&set[w].key, memory_order_acquire) == key)
			return &set[w];
	/* a free way first, else round robin */
	struct dc_page *p = NULL;
	for (unsigned w = 0; w < DC_WAYS && !p; w++)
		if (!atomic_load_explicit(&set[w].key, memory_order_relaxed))
			p = &set[w];
	if (!p) {
		p = &set[dc->next_victim[s]];
		dc->next_victim[s] = (uint8_t)((dc->next_victim[s] + 1) % DC_WAYS);
		dc->evictions++;
	}
	block_restart(dc, p);
	p->gpa = gpa;
	/* marked before any byte is decoded, so no write can slip between */
	if (dc->cp)
		codepages_mark(dc->cp, gpa);
	atomic_store_explicit(&p->key, key, memory_order_release);
	return p;
}

/* Operations whose semantic functions only compute: they touch general
 * registers, memory, the arithmetic flags and DF, and move rip within
 * the code segment, or fault (PL: plain). The run loop keeps its memo
 * of the code page across them (see struct dc_insn). Anything touching
 * segment or control registers, IF/TF/RF, the TLB, ports, or the halt
 * state is missing on purpose. ST: plain and straight (RUN_STRAIGHT):
 * no branch, no string instruction (REP re-runs itself through
 * next_rip), so rip is the loop's alone. */
enum { PL = 1, ST = 3 };
static const uint8_t op_kind[OP_COUNT] = {
	[OP_ADD] = ST, [OP_OR] = ST, [OP_ADC] = ST, [OP_SBB] = ST,
	[OP_AND] = ST, [OP_SUB] = ST, [OP_XOR] = ST, [OP_CMP] = ST,
	[OP_INC] = ST, [OP_DEC] = ST, [OP_NEG] = ST, [OP_NOT] = ST,
	[OP_TEST] = ST, [OP_MUL] = ST, [OP_IMUL] = ST, [OP_DIV] = ST,
	[OP_IDIV] = ST, [OP_ROL] = ST, [OP_ROR] = ST, [OP_RCL] = ST,
	[OP_RCR] = ST, [OP_SHL] = ST, [OP_SHR] = ST, [OP_SAL] = ST,
	[OP_SAR] = ST, [OP_SHLD] = ST, [OP_SHRD] = ST,
	[OP_DAA] = ST, [OP_DAS] = ST, [OP_AAA] = ST, [OP_AAS] = ST,
	[OP_AAM] = ST, [OP_AAD] = ST,
	[OP_BT] = ST, [OP_BTS] = ST, [OP_BTR] = ST, [OP_BTC] = ST,
	[OP_BSF] = ST, [OP_BSR] = ST, [OP_CBW] = ST, [OP_CWD] = ST,
	[OP_XADD] = ST, [OP_CMPXCHG] = ST, [OP_CMPXCHG8B] = ST, [OP_BSWAP] = ST,
	[OP_SETCC] = ST, [OP_CMOVCC] = ST, [OP_POPCNT] = ST, [OP_LZCNT] = ST, [OP_TZCNT] = ST,
	[OP_MOVBE] = ST, [OP_ENTER] = ST,
	/* reading a selector changes nothing */
	[OP_MOV_SEG_STORE] = ST, [OP_PUSH_SEG] = ST,
	[OP_MOV] = ST, [OP_MOVSX] = ST, [OP_MOVZX] = ST, [OP_MOVSXD] = ST, [OP_XCHG] = ST,
	[OP_LEA] = ST, [OP_XLAT] = ST, [OP_PUSH] = ST, [OP_POP] = ST,
	[OP_PUSHA] = ST, [OP_POPA] = ST, [OP_LAHF] = ST, [OP_SAHF] = ST,
	[OP_LEAVE] = ST,
	[OP_MOVS] = PL, [OP_CMPS] = PL, [OP_STOS] = PL, [OP_LODS] = PL,
	[OP_SCAS] = PL,
	[OP_JMP] = PL, [OP_JCC] = PL, [OP_CALL] = PL, [OP_RET] = PL,
	[OP_JCXZ] = PL, [OP_LOOP] = PL, [OP_LOOPE] = PL, [OP_LOOPNE] = PL,
	[OP_CLC] = ST, [OP_STC] = ST, [OP_CMC] = ST, [OP_CLD] = ST,
	[OP_STD] = ST, [OP_NOP] = ST, [OP_SALC] = ST,
	/* PAUSE is neither: a spin-wait hint the loop looks at (interp.c) */
};

void dcache_bind(struct dc_insn *d)
{
	d->in.fn = interp_bind_insn(&d->in);
	/* the same in every mode: what makes an operation plain or
	 * straight (no mode change, rip left alone) does not depend on it */
	unsigned kind = d->in.op < OP_COUNT ? op_kind[d->in.op] : 0;
	/* but a RIP-relative operand needs next_rip, which a straight run
	 * settles only at its end */
	if (kind == ST && d->in.base == REG_RIP)
		kind = PL;
	d->plain = kind & PL;
	d->run = kind == ST ? RUN_STRAIGHT : 0;
}

static _Noreturn void decode_fault(struct icpu *c, enum decode_result r)
{
	if (r == DECODE_TOO_LONG)
		cpu_gp(c, 0);
	cpu_ud(c);
}

/* an instruction whose bytes reach past its page (or come from MMIO):
 * fetched through the segment and paging checks, so a fault names the
 * first byte that cannot be fetched, then decoded unless the same bytes
 * at the same address were decoded before (dc->xing) */
static const struct dc_insn *decode_uncached(struct icpu *c, uint64_t rip, uint64_t lin)
{
	struct decode_cache *dc = c->dc;
	uint8_t buf[16];
	unsigned n = fetch_code(c, rip, buf, 15);
	uint64_t key = lin << 3 | (unsigned)c->code_size >> 4;
	struct dc_xing *x = &dc->xing[(lin ^ lin >> 7) & (DC_XING - 1)];
	if (x->key == key && x->d.in.len <= n && !memcmp(x->bytes, buf, x->d.in.len)) {
		dc->uncached++;
		return &x->d;
	}
	struct dc_insn d = { .plain = false };
	enum decode_result r;
	for (;;) {
		r = decode(&d.in, buf, n, c->code_size);
		if (r != DECODE_MORE || n >= 15)
			break;
		/* the decoder needs a byte fetch_code stopped before: this
		 * call faults on it */
		n += fetch_code(c, rip + n, buf + n, 15 - n);
	}
	if (r == DECODE_MORE)
		r = DECODE_TOO_LONG;
	if (r != DECODE_OK)
		decode_fault(c, r);
	/* never plain: the fast loop's runs stay within a page */
	d.in.fn = interp_bind_insn(&d.in);
	dc->uncached++;
	if (log_enabled(LOG_IN_ASM))
		trace_in_asm(c, lin, &d.in, buf);
	x->key = key;
	memcpy(x->bytes, buf, d.in.len);
	x->d = d;
	return &x->d;
}

const struct dc_insn *dcache_fetch_slow(struct icpu *c, uint64_t rip, uint64_t lin)
{
	struct decode_cache *dc = c->dc;
	bool user = c->cpl == 3;
	uint64_t page = lin & ~0xfffull;
	struct tlb_entry *e = &c->tlb.e[user][tlb_index(lin)];

	if (c->code_size != 64 && rip > c->s->seg[S_CS].limit)
		cpu_gp(c, 0);
	/* 64-bit code running off the canonical range (sequentially; branches
	 * check their targets): no TLB entry is ever filled there, so every
	 * such fetch comes this way */
	if (c->code_size == 64 && !canonical(rip))
		cpu_gp(c, 0);
	if (e->tag[MMU_FETCH] != page) {
		void *host = NULL;
		uint64_t gpa = 0;
		uint32_t pferr = 0;
		switch (tlb_fill(&c->tlb, &c->mr, lin, MMU_FETCH, user, &host, &gpa, &pferr)) {
		case TLB_FAULT:
			c->s->cr2 = lin;
			cpu_fault(c, EXC_PF, pferr);
		case TLB_MMIO:
			return decode_uncached(c, rip, lin);
		case TLB_HOST:
			break;
		}
		if (e->tag[MMU_FETCH] != page)	/* filled without a fetch tag */
			return decode_uncached(c, rip, lin);
	}
	uintptr_t hpage = (uintptr_t)(page + e->addend);
	struct dc_page *p = block_for(dc, hpage, tlb_meta_of(&c->tlb, e)->gpa, c->code_size);
	dc->cur = p;
	dc->cur_key = dcache_key(hpage, c->code_size);

	unsigned off = (unsigned)(lin & 0xfff);
	if (p->idx[off])
		return &p->pool[p->idx[off] - 1];

	const uint8_t *bytes = (const uint8_t *)hpage + off;
	struct dc_insn d = { .plain = false };
	enum decode_result r = decode(&d.in, bytes, 0x1000 - off, c->code_size);
	if (r == DECODE_MORE)
		return decode_uncached(c, rip, lin);
	if (r != DECODE_OK)
		decode_fault(c, r);
	if (p->used == DC_POOL) {
		block_restart(dc, p);
		dc->restarts++;
	}
	dcache_bind(&d);
	p->pool[p->used] = d;
	p->idx[off] = (uint16_t)++p->used;
	dc->decodes++;
	if (log_enabled(LOG_IN_ASM))
		trace_in_asm(c, lin, &d.in, bytes);
	return &p->pool[p->used - 1];
}
