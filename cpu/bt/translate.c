/* Translation of one block: decode with the shared decoder, bind with
 * the interpreter's binder (one answer to "is this plain"), then emit
 * host code. Branches with static targets leave through patchable direct
 * exits; every other instruction is emitted natively by gen.c where it
 * knows how, or calls the interpreter's own function for it. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <stddef.h>
#include <string.h>
#include "cpu/bt/gen.h"
#include "cpu/interp/interp.h"
#include "hw/log.h"

#define OFF_BUDGET ((int32_t)offsetof(struct icpu, bt_budget))

static bool is_branch(unsigned op)
{
	switch (op) {
	case OP_JMP: case OP_JCC: case OP_CALL: case OP_RET:
	case OP_JCXZ: case OP_LOOP: case OP_LOOPE: case OP_LOOPNE:
		return true;
	default:
		return false;
	}
}

/* not plain, but nothing a block need stop for: the x87, MMX and SSE
 * state is theirs alone (their faults are precise like any other), and
 * PUSHF only reads */
static bool block_safe(unsigned op)
{
	switch (op) {
	case OP_X87: case OP_FWAIT: case OP_SSE: case OP_FXSAVE: case OP_FXRSTOR:
	case OP_LDMXCSR: case OP_STMXCSR: case OP_EMMS: case OP_PUSHF:
	case OP_LFENCE: case OP_MFENCE: case OP_SFENCE: case OP_PREFETCH: case OP_NOP_HINT:
		return true;
	default:
		return false;
	}
}

static bool is_string(unsigned op)
{
	switch (op) {
	case OP_MOVS: case OP_CMPS: case OP_STOS: case OP_LODS: case OP_SCAS:
		return true;
	default:
		return false;
	}
}

/* the instruction at the end of the page, whose bytes go on at next (the
 * next page's first byte): true if d holds it, and t->cross_* its bytes
 * on that page */
static bool decode_crossing(struct tb *t, struct dc_insn *d, const uint8_t *host, unsigned left,
			    const uint8_t *next, int code_size)
{
	uint8_t buf[15];
	if (!next || left >= sizeof(buf))
		return false;
	memcpy(buf, host, left);
	memcpy(buf + left, next, sizeof(buf) - left);
	if (decode(&d->in, buf, sizeof(buf), code_size) != DECODE_OK || d->in.len <= left)
		return false;
	t->cross_len = d->in.len - left;
	memcpy(t->cross_bytes, next, t->cross_len);
	return true;
}

/* decode from host (the page's bytes from rip's offset on; next: the
 * next page's, or NULL when it is not at hand) */
static void decode_block(struct tb *t, const uint8_t *host, uint64_t rip, unsigned avail,
			 const uint8_t *next, int code_size)
{
	uint64_t mask = code_size == 64 ? ~0ull : 0xffffffffull;
	unsigned off = 0;
	t->n = 0;
	t->ends_in_branch = false;
	t->cross_len = 0;
	t->rip[0] = rip;
	while (t->n < BT_MAX_INSNS) {
		struct dc_insn *d = &t->d[t->n];
		memset(d, 0, sizeof(*d));
		enum decode_result r = decode(&d->in, host + off, avail - off, code_size);
		/* #UD, too long, a page crossing with the next page not at
		 * hand: the careful step's */
		if (r == DECODE_MORE ? !decode_crossing(t, d, host + off, avail - off, next, code_size)
				     : r != DECODE_OK)
			break;
		dcache_bind(d);
		if (!d->plain && !block_safe(d->in.op)) {
			t->cross_len = 0;
			break;
		}
		uint64_t nrip = (rip + off + d->in.len) & mask;
		/* 32-bit rip wrapping, 64-bit rip leaving the canonical range:
		 * the careful step's */
		if (nrip != rip + off + d->in.len || (code_size == 64 && !canonical(nrip))) {
			t->cross_len = 0;
			break;
		}
		off += d->in.len;
		t->rip[++t->n] = nrip;
		if (is_branch(d->in.op)) {
			t->ends_in_branch = true;
			break;
		}
		if (is_string(d->in.op) || off >= avail)
			break;
	}
}

struct stub *gen_stub(struct gen *g, uint8_t *rel32, enum stub_kind kind, uint32_t refund,
		      int exit, uint64_t rip)
{
	if (g->nstubs >= sizeof(g->stubs) / sizeof(g->stubs[0])) {
		g->e.full = true;	/* cannot happen: a few per instruction */
		return NULL;
	}
	g->stubs[g->nstubs] = (struct stub){ rel32, kind, refund, exit, rip, 0 };
	return &g->stubs[g->nstubs++];
}

/* a direct exit to rip: a patchable jmp (cc < 0) or jcc on host
 * condition cc, to its stub until chained */
static void direct_exit_on(struct gen *g, int cc, uint64_t rip)
{
	int k = (int)g->nexits++;
	uint8_t *rel;
	if (cc < 0) {
		emit_align_rel32_jmp(&g->e);
		rel = emit_jmp32(&g->e, NULL);
	} else {
		emit_align_rel32_jcc(&g->e);
		rel = emit_jcc32(&g->e, (unsigned)cc, NULL);
	}
	struct bt_exit *ex = &g->b->exit[k];
	ex->from = g->b;
	ex->jmp_rel32 = rel ? rel + g->e.exec_delta : NULL;
	gen_stub(g, rel, ST_EXIT, 0, k, rip);
}

static void direct_exit(struct gen *g, uint64_t rip)
{
	direct_exit_on(g, -1, rip);
}

static void emit_leave(struct gen *g, enum bt_exit_reason why)
{
	emit_mov_ri(&g->e, 4, H_RAX, why);
	emit_jmp32(&g->e, g->bv->exit_tramp);
}

static void emit_stubs(struct gen *g)
{
	for (unsigned k = 0; k < g->nstubs; k++) {
		struct stub *st = &g->stubs[k];
		emit_bind32(&g->e, st->rel32);
		if (st->kind == ST_EXIT) {
			struct bt_exit *ex = &g->b->exit[st->exit];
			ex->stub = g->e.p + g->e.exec_delta;
			if ((st->rip ^ g->b->rip) & ~0xfffull) {
				/* another page, whose mapping may change: chained
				 * through a check of it */
				gen_far_exit(g, ex, st->rip);
				continue;
			}
			gen_store_rip(&g->e, st->rip);
			emit_mov_ri(&g->e, 8, H_RDX, (uint64_t)(uintptr_t)ex);
			emit_leave(g, BT_EXIT_CHAIN);
			continue;
		}
		if (st->store) {
			g->dirty = st->store;
			gen_regs_flush(g);
		}
		if (st->refund)
			emit_alu_mi(&g->e, ALU_ADD, 4, hm(H_R15, OFF_BUDGET), (int32_t)st->refund);
		if (st->kind == ST_BUDGET || st->kind == ST_BREAK) {
			gen_store_rip(&g->e, st->rip);
			emit_leave(g, st->kind == ST_BUDGET ? BT_EXIT_BUDGET : BT_EXIT_BREAK);
		} else {
			emit_leave(g, BT_EXIT_LOOKUP);
		}
	}
}

struct bt_site *gen_site(struct gen *g, unsigned k)
{
	struct bt_site *st = bt_arena_alloc(g->bv, sizeof(*st));
	if (!st) {
		g->e.full = true;
		return NULL;
	}
	st->in = g->t->d[k].in;
	st->rip = g->t->rip[k];
	st->next_rip = g->t->rip[k + 1];
	st->gpa_page = g->b->gpa_page;
	st->refund = g->t->n - k;
	return st;
}

/* call the interpreter's function for instruction k; the cached
 * registers come back from struct cpu_state after it when reload */
static void call_insn(struct gen *g, unsigned k, bool reload)
{
	struct bt_site *st = gen_site(g, k);
	gen_flags_to_mem(g);
	gen_regs_flush(g);
	emit_mov_rr(&g->e, 8, H_RDI, H_R15);
	emit_mov_ri(&g->e, 8, H_RSI, (uint64_t)(uintptr_t)st);
	emit_call(&g->e, (const void *)bt_h_insn);
	gen_group_end(g);
	g->flags = FLAGS_MEM;	/* the interpreter's lazy form, if it wrote them */
	if (reload)
		gen_regs_reload(g);
}

static uint64_t rel_target(const struct gen *g, unsigned k)
{
	const struct insn *i = &g->t->d[k].in;
	return (g->t->rip[k + 1] + i->imm) & size_mask(i->osize);
}

/* the conditional branch to the block's own start: around the loop
 * without leaving, the registers kept where they are; the flags are
 * spilled for whoever sees them at the start (a fault there, or the
 * budget's exit) */
static void loop_branch(struct gen *g, unsigned k)
{
	const struct tb *t = g->t;
	unsigned cc = gen_cond(g, t->d[k].in.cond);
	enum flags_at flags = g->flags;
	uint16_t dirty = g->dirty;
	uint8_t *leave = emit_jcc32(&g->e, cc ^ 1, NULL);
	gen_flags_to_mem(g);
	/* the next round's charge; spent: leave at the start, stored */
	emit_alu_mi(&g->e, ALU_SUB, 4, hm(H_R15, OFF_BUDGET), (int32_t)t->n);
	struct stub *st = gen_stub(g, emit_jcc32(&g->e, 8 /* S */, NULL), ST_BUDGET, t->n, 0, t->rip[0]);
	if (st)
		st->store = g->cached;
	emit_jmp32(&g->e, g->loop_head);
	emit_bind32(&g->e, leave);
	g->flags = flags;
	g->dirty = dirty;
	gen_flags_to_mem(g);
	gen_regs_flush(g);
	direct_exit(g, t->rip[k + 1]);
}

/* the last instruction, a branch */
static void emit_branch(struct gen *g, unsigned k)
{
	const struct insn *i = &g->t->d[k].in;
	bool rel = i->nopnd > 0 && i->opnd[0].kind == OPK_REL;
	uint64_t target = rel ? rel_target(g, k) : 0;
	bool static_ok = rel && (g->code_size != 64 || canonical(target));
	if (static_ok && i->op == OP_JMP) {
		gen_flags_to_mem(g);
		gen_regs_flush(g);
		direct_exit(g, target);
		return;
	}
	if (static_ok && i->op == OP_JCC && g->loop_head) {
		loop_branch(g, k);
		return;
	}
	if (static_ok && i->op == OP_JCC) {
		gen_regs_flush(g);
		unsigned cc = gen_cond(g, i->cond);
		gen_flags_to_mem(g);
		/* chained, the jcc goes straight to the target's block */
		direct_exit_on(g, (int)cc, target);
		direct_exit(g, g->t->rip[k + 1]);
		return;
	}
	if (static_ok && i->op == OP_CALL && gen_call_push(g)) {
		gen_regs_flush(g);
		direct_exit(g, target);
		return;
	}
	if (i->op == OP_RET && gen_ret(g)) {
		gen_regs_flush(g);
		gen_next(g, NULL);
		return;
	}
	call_insn(g, k, false);
	if (static_ok && i->op == OP_CALL)
		direct_exit(g, target);
	else
		gen_next(g, NULL);
}

static void emit_body(struct gen *g)
{
	const struct tb *t = g->t;
	/* charge the block, or leave before it when the budget is spent */
	emit_alu_mi(&g->e, ALU_SUB, 4, hm(H_R15, OFF_BUDGET), (int32_t)t->n);
	gen_stub(g, emit_jcc32(&g->e, 8 /* S */, NULL), ST_BUDGET, t->n, 0, t->rip[0]);
	const struct insn *br = &t->d[t->n - 1].in;
	g->loop = t->ends_in_branch && br->op == OP_JCC && br->nopnd > 0 &&
		  br->opnd[0].kind == OPK_REL && rel_target(g, t->n - 1) == t->rip[0];
	gen_regs_begin(g);
	if (g->loop) {
		g->loop_head = g->e.p + g->e.exec_delta;
		/* the rounds after the first come with them all written */
		g->dirty = g->cached;
	}
	for (unsigned k = 0; k < t->n; k++) {
		const struct insn *i = &t->d[k].in;
		bool last = k + 1 == t->n;
		g->k = k;
		if (last && t->cross_len)
			gen_check_next_page(g);
		if (last && t->ends_in_branch) {
			emit_branch(g, k);
			return;
		}
		if (gen_native(g)) {
			gen_group_next(g);
			continue;
		}
		call_insn(g, k, !(last && is_string(i->op)));
		if (last && is_string(i->op)) {
			emit_leave(g, BT_EXIT_LOOKUP);
			return;
		}
		/* the instruction wrote its own page: leave before what follows */
		emit_test_rr(&g->e, 4, H_RAX, H_RAX);
		gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_LOOKUP, t->n - k - 1, 0, 0);
	}
	gen_flags_to_mem(g);
	gen_regs_flush(g);
	direct_exit(g, t->rip[t->n]);
}

/* -d in_asm, out_asm: the block's guest code and its host code */
static void log_block(const struct tb *t, const struct bt_block *b, unsigned bits, size_t size)
{
	FILE *f = log_file ? log_file : stderr;
	fprintf(f, "BLOCK guest %llx, %u instructions, %zu bytes of host code at %p\n",
		(unsigned long long)b->rip, b->ninsns, size, (const void *)b->code);
	if (log_mask & LOG_IN_ASM)
		trace_disasm("IN: ", (const uint8_t *)b->host, t->rip[t->n] - b->rip, b->rip, bits);
	if (log_mask & LOG_OUT_ASM)
		trace_disasm("OUT:", b->code, size, (uint64_t)(uintptr_t)b->code, 64);
}

struct bt_block *bt_translate(struct bt_vm *bv, struct icpu *c, uint64_t rip, uintptr_t host,
			      uint64_t gpa, uint32_t mode)
{
	static __thread struct tb t;
	static __thread struct gen g;
	if (!bt_cache_room(bv))
		return NULL;
	unsigned avail = 0x1000 - (unsigned)(gpa & 0xfff);
	/* the next page, if its bytes can be fetched now (no fault or fill
	 * from here: the block checks them before the instruction that
	 * needs them anyway) */
	uint64_t next_lin = (rip | 0xfff) + 1;
	const uint8_t *next = NULL;
	if (c->code_size == 64 ? canonical(next_lin) : next_lin < (1ull << 32))
		next = tlb_lookup(&c->tlb, next_lin, MMU_FETCH, c->cpl == 3);
	decode_block(&t, (const uint8_t *)host, rip, avail, next, c->code_size);

	struct bt_block *b = bt_arena_alloc(bv, sizeof(*b));
	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->rip = rip;
	b->host = host;
	b->gpa_page = gpa & ~0xfffull;
	b->mode = mode;
	b->ninsns = (uint16_t)t.n;
	b->valid = true;

	/* not the tables at its end (12 KiB a block), which nstubs and
	 * nslow say are empty */
	memset(&g, 0, offsetof(struct gen, stubs));
	g.bv = bv;
	g.b = b;
	g.t = &t;
	g.mode = mode;
	g.code_size = c->code_size;
	emit_init(&g.e, bv->rw + bv->used, bv->size - bv->used);
	g.e.exec_delta = bv->rx - bv->rw;
	b->code = g.e.p + g.e.exec_delta;
	if (t.n == 0) {
		/* the careful step runs what is here; a block saying so keeps
		 * the dispatcher from decoding it again */
		gen_store_rip(&g.e, rip);
		emit_leave(&g, BT_EXIT_BREAK);
	} else {
		g.cpl = c->cpl;
		g.flags = FLAGS_MEM;
		gen_liveness(&g);
		emit_body(&g);
		gen_slow_paths(&g);
		emit_stubs(&g);
	}
	if (g.e.full)
		return NULL;
	bv->used = (bv->used + emit_size(&g.e) + 15) & ~(size_t)15;
	bv->blocks++;
	bv->insns_translated += t.n;
	bv->code_bytes += emit_size(&g.e);
	codepages_mark(bv->cp, gpa);
	bt_insert(bv, b);
	if ((log_mask & (LOG_IN_ASM | LOG_OUT_ASM)) && log_addr_ok(rip))
		log_block(&t, b, c->code_size, emit_size(&g.e));
	if (bv->perfmap)
		fprintf(bv->perfmap, "%lx %zx guest:%llx\n", (unsigned long)(uintptr_t)b->code,
			emit_size(&g.e), (unsigned long long)rip);
	return b;
}
