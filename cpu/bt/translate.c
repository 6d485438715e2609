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
	case OP_X87: case OP_FWAIT: case OP_SSE: case OP_FXSAVE: case OP_FXRSTOR: case OP_XSAVE:
	case OP_XRSTOR:
	case OP_LDMXCSR: case OP_STMXCSR: case OP_EMMS: case OP_PUSHF:
	case OP_LFENCE: case OP_MFENCE: case OP_SFENCE: case OP_PREFETCH: case OP_NOP_HINT:
		return true;
	default:
		return false;
	}
}

/* at CPL 0, instructions that only write state the blocks do not keep:
 * CLI clears IF (interrupts wait, nobody need look), STI sets it when
 * no interrupt waits (gen.c looks), SWAPGS in 64-bit code swaps the GS
 * base (every access through GS loads it); and MOV from a control
 * register only reads (a page fault handler's CR2) */
static bool kernel_safe(unsigned op, unsigned cpl, unsigned code_size)
{
	return cpl == 0 && (op == OP_CLI || op == OP_STI || op == OP_MOV_CR_STORE ||
			    (op == OP_SWAPGS && code_size == 64));
}

/* RDTSC and RDTSCP read the host's clock (msr.c), not a count of
 * instructions, so nothing in a block need stop for them: a break each
 * was most of a fork and exec's (the kernel reads the TSC at every
 * return to user mode). Lockstep runs them in the careful step, whose
 * one run both sides see. */
static bool clock_safe(unsigned op, bool lockstep)
{
	return !lockstep && (op == OP_RDTSC || op == OP_RDTSCP);
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

static bool direct_jmp(const struct insn *i)
{
	return i->op == OP_JMP && i->nopnd > 0 && i->opnd[0].kind == OPK_REL;
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
			 const uint8_t *next, int code_size, unsigned cpl, bool lockstep)
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
		if (!d->plain && !block_safe(d->in.op) && !kernel_safe(d->in.op, cpl, code_size) &&
		    !clock_safe(d->in.op, lockstep)) {
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
		/* past a conditional or direct jump only for now:
		 * shape_region keeps it if a branch further on comes back */
		if (is_branch(d->in.op) && d->in.op != OP_JCC && !direct_jmp(&d->in)) {
			t->ends_in_branch = true;
			break;
		}
		if (is_string(d->in.op) || off >= avail)
			break;
	}
}

/* the target of a JCC or JMP rel at k, false for any other (or one that
 * is not canonical) */
static bool static_target(const struct tb *t, unsigned k, int code_size, uint64_t *to)
{
	const struct insn *i = &t->d[k].in;
	if ((i->op != OP_JCC && i->op != OP_JMP) || i->nopnd == 0 || i->opnd[0].kind != OPK_REL)
		return false;
	*to = (t->rip[k + 1] + i->imm) & size_mask(i->osize);
	return code_size != 64 || canonical(*to);
}

/* the instruction starting at rip, or -1 */
static int index_of(const struct tb *t, uint64_t rip)
{
	for (unsigned j = 0; j < t->n; j++)
		if (t->rip[j] == rip)
			return (int)j;
	return -1;
}

/* A loop's blocks in one: the block ends at the last branch back into it
 * (its other branches and jumps go inside it or leave from it), so the
 * loop's rounds never leave and its registers stay in host registers.
 * Without such a branch it ends at its first branch that does not skip
 * forward inside it: an if's body and what follows it are one block,
 * whose registers and flags stay in host ones across the join. */
static void shape_region(struct tb *t, int code_size)
{
	int last_back = -1, first_br = -1;
	uint64_t to;
	for (unsigned k = 0; k < t->n; k++) {
		bool fwd = static_target(t, k, code_size, &to) && index_of(t, to) > (int)k;
		if ((t->d[k].in.op == OP_JCC || t->d[k].in.op == OP_JMP) && first_br < 0 && !fwd)
			first_br = (int)k;
		if (static_target(t, k, code_size, &to)) {
			int j = index_of(t, to);
			if (j >= 0 && j <= (int)k)
				last_back = (int)k;
		}
	}
	unsigned n = last_back >= 0 ? (unsigned)last_back + 1
		     : first_br >= 0 ? (unsigned)first_br + 1 : t->n;
	if (n < t->n) {
		t->n = n;
		t->cross_len = 0;	/* the crossing one was the last */
	}
	t->ends_in_branch = t->n && is_branch(t->d[t->n - 1].in.op);
	memset(t->labels, 0, sizeof(t->labels));
	t->back = false;
	for (unsigned k = 0; k < t->n; k++) {
		int j = static_target(t, k, code_size, &to) ? index_of(t, to) : -1;
		t->target[k] = (int16_t)j;
		if (j >= 0) {
			bit_set(t->labels, (unsigned)j);
			t->back |= j <= (int)k;
		}
	}
}

struct stub *gen_stub(struct gen *g, uint8_t *rel32, enum stub_kind kind, uint32_t refund,
		      int exit, uint64_t rip)
{
	if (g->nstubs >= sizeof(g->stubs) / sizeof(g->stubs[0])) {
		g->e.full = true;	/* cannot happen: a few per instruction */
		return NULL;
	}
	g->stubs[g->nstubs] = (struct stub){ .rel32 = rel32, .kind = kind, .refund = refund,
					     .exit = exit, .rip = rip };
	return &g->stubs[g->nstubs++];
}

/* a direct exit to rip: a patchable jmp (cc < 0) or jcc on host
 * condition cc, to its stub until chained */
static void direct_exit_on(struct gen *g, int cc, uint64_t rip)
{
	if (g->nexits >= g->max_exits) {
		g->e.full = true;	/* cannot happen: counted before */
		return;
	}
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
		if (st->redo) {
			g->redo = st->rd;
			g->flags = FLAGS_REDO;
			gen_flags_to_mem(g);
		}
		if (st->store) {
			g->dirty = st->store;
			gen_regs_flush(g);
		}
		if (st->refund)
			emit_alu_ri(&g->e, ALU_ADD, 4, H_BUDGET, (int32_t)st->refund);
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
	gen_call(g, (const void *)bt_h_insn);
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

/* is instruction j the target of a branch back (from j or after it)? */
static bool loop_head(const struct tb *t, unsigned j)
{
	for (unsigned k = j; k < t->n; k++)
		if (t->target[k] == (int)j)
			return true;
	return false;
}

/* Where branches inside the region come in, at instruction k. A loop's
 * head has the flags in memory (the branch back spills them before it
 * charges the next round, whose budget exit must find them) and counts
 * every cached register dirty. A forward target keeps what the code
 * before it falls through with; the branches to it convert theirs
 * (emit_edges), and the registers dirty on any way in stay dirty. */
static void label_begin(struct gen *g, unsigned k)
{
	gen_group_end(g);
	/* every way here passed inv_at, or none did */
	g->inv_on = g->inv.live && k > g->inv_at;
	/* other ways in bring other registers */
	if (g->flags == FLAGS_REDO && g->live[k])
		gen_flags_to(g, FLAGS_HOST);
	g->redo.valid = false;
	if (loop_head(g->t, k)) {
		if (g->live[k])
			gen_flags_to_mem(g);
		else
			g->flags = FLAGS_MEM;	/* nobody reads them here */
		g->dirty = g->cached;
	} else {
		if (!g->live[k])
			g->flags = FLAGS_MEM;
		g->dirty |= g->label_dirty[k];
	}
	g->label_flags[k] = g->flags;
	g->label_dirty[k] = g->dirty;
	g->label_at[k] = g->e.p + g->e.exec_delta;
}

/* a label the code before it does not fall through to (it jumps): the
 * first branch to it says where the flags are, and the registers dirty
 * on the ways in are those of the branches */
static void label_after_jump(struct gen *g, unsigned k)
{
	g->dead = false;
	g->flags = FLAGS_MEM;
	g->dirty = 0;
	if (!loop_head(g->t, k) && bit_at(g->edge_in, k))
		g->flags = g->label_flags[k];
	label_begin(g, k);
}

/* a forward branch inside the block (rel32 of its jmp or jcc), taken out
 * of line (emit_edges); side: to rip, out of it */
static void add_edge(struct gen *g, uint8_t *rel32, unsigned k, int j, uint64_t rip)
{
	struct edge *ed = &g->edges[g->nedges++];
	*ed = (struct edge){ rel32, k, j < 0 ? 0 : (unsigned)j, j < 0, rip, g->flags, g->redo, g->dirty };
	if (j < 0)
		return;
	g->label_dirty[j] |= g->dirty;
	if (!bit_at(g->edge_in, (unsigned)j))
		g->label_flags[j] = g->flags;	/* the first way in */
	bit_set(g->edge_in, (unsigned)j);
}

static bool same_redo(const struct redo *a, const struct redo *b)
{
	return a->op == b->op && a->size == b->size && a->dst == b->dst && a->src == b->src &&
	       a->imm == b->imm;
}

static bool mid_peelable(const struct tb *t, unsigned k);

/* the branch back of a peeled loop, flags unspilled: the next round
 * charged, its budget's exit setting the flags again first */
static void peel_charge(struct gen *g, unsigned k, unsigned j)
{
	const struct tb *t = g->t;
	emit_alu_ri(&g->e, ALU_SUB, 4, H_BUDGET, (int32_t)(k + 1 - j));
	struct stub *st = gen_stub(g, emit_jcc32(&g->e, 8 /* S */, NULL), ST_BUDGET, t->n - j, 0,
				   t->rip[j]);
	if (st) {
		st->store = g->cached;
		st->redo = true;
		st->rd = g->redo;
	}
}

/* after instruction k, on to instruction j before it: the flags where
 * j's code wants them, the next round charged (k + 1 - j more run than
 * were charged up to the block's end: spent, leave at j, stored). A
 * peeled loop's branch back goes to its second copy instead. */
static void back_edge(struct gen *g, unsigned k, unsigned j)
{
	const struct tb *t = g->t;
	if (g->mid_cur >= 0 && g->mids[g->mid_cur].end == k) {
		struct mid_peel *p = &g->mids[g->mid_cur];
		if (g->flags == FLAGS_HOST && g->redo.valid && same_redo(&g->redo, &p->rd)) {
			peel_charge(g, k, j);
			emit_jmp32(&g->e, p->head2);
			return;
		}
	} else if (g->mid_cur < 0 && !g->copy2 && k + 1 < t->n && g->flags == FLAGS_HOST &&
		   g->redo.valid && g->nmids < sizeof(g->mids) / sizeof(g->mids[0]) &&
		   mid_peelable(t, k)) {
		struct mid_peel *p = &g->mids[g->nmids++];
		peel_charge(g, k, j);
		*p = (struct mid_peel){ .head = j, .end = k, .rd = g->redo, .dirty_in = g->dirty,
					.jmp = emit_jmp32(&g->e, NULL) };
		return;
	}
	if (g->peel && k + 1 == t->n && g->flags == FLAGS_HOST && g->redo.valid &&
	    (!g->copy2 || same_redo(&g->redo, &g->peel_redo))) {
		/* on in the second copy, the flags left to be set again
		 * (by the budget's stub too) */
		peel_charge(g, k, j);
		if (g->copy2) {
			emit_jmp32(&g->e, g->peel_head);
		} else {
			g->peel_redo = g->redo;
			g->peel_jmp = emit_jmp32(&g->e, NULL);
		}
		return;
	}
	gen_flags_to(g, g->label_flags[j] == FLAGS_IMAGE ? FLAGS_IMAGE : FLAGS_MEM);
	emit_alu_ri(&g->e, ALU_SUB, 4, H_BUDGET, (int32_t)(k + 1 - j));
	struct stub *st = gen_stub(g, emit_jcc32(&g->e, 8 /* S */, NULL), ST_BUDGET, t->n - j, 0,
				   t->rip[j]);
	if (st)
		st->store = g->cached;
	emit_jmp32(&g->e, g->label_at[j]);
}

/* a conditional branch at k that does not end the block: back (its
 * round goes on here), forward inside or out (out of line, emit_edges) */
static void inner_jcc(struct gen *g, unsigned k)
{
	const struct tb *t = g->t;
	int j = t->target[k];
	unsigned cc = gen_cond(g, t->d[k].in.cond);
	if (j >= 0 && j <= (int)k) {
		enum flags_at flags = g->flags;
		uint16_t dirty = g->dirty;
		uint8_t *on = emit_jcc32(&g->e, cc ^ 1, NULL);
		unsigned nmids = g->nmids;
		back_edge(g, k, (unsigned)j);
		emit_bind32(&g->e, on);
		g->flags = flags;
		g->dirty = dirty;
		if (g->nmids != nmids) {
			/* back_edge peeled this loop: its second copy leaves to here */
			g->mids[g->nmids - 1].after = g->e.p + g->e.exec_delta;
			g->mids[g->nmids - 1].after_dirty = dirty;
		}
		return;
	}
	add_edge(g, emit_jcc32(&g->e, cc, NULL), k, j, rel_target(g, k));
}

/* a JMP that does not end the block: what follows it is reached only by
 * branches to it */
static void inner_jmp(struct gen *g, unsigned k)
{
	const struct tb *t = g->t;
	int j = t->target[k];
	g->dead = true;
	if (j >= 0 && j <= (int)k) {
		back_edge(g, k, (unsigned)j);
	} else if (j >= 0) {
		add_edge(g, emit_jmp32(&g->e, NULL), k, j, 0);
	} else {
		gen_flags_to_mem(g);
		gen_regs_flush(g);
		emit_alu_ri(&g->e, ALU_ADD, 4, H_BUDGET, (int32_t)(t->n - k - 1));
		direct_exit(g, rel_target(g, k));
	}
}

/* the branches inner_jcc and inner_jmp took out of line */
static void emit_edges(struct gen *g)
{
	const struct tb *t = g->t;
	for (unsigned n = 0; n < g->nedges; n++) {
		const struct edge *ed = &g->edges[n];
		emit_bind32(&g->e, ed->rel32);
		g->flags = ed->flags;
		g->redo = ed->rd;
		g->dirty = ed->dirty;
		if (ed->side) {
			gen_flags_to_mem(g);
			gen_regs_flush(g);
			if (t->n - ed->k - 1)
				emit_alu_ri(&g->e, ALU_ADD, 4, H_BUDGET,
					    (int32_t)(t->n - ed->k - 1));
			direct_exit(g, ed->rip);
			continue;
		}
		if (g->live[ed->to])
			gen_flags_to(g, g->label_flags[ed->to]);
		/* the instructions jumped over were charged: back, without
		 * touching host EFLAGS, which may hold the flags */
		if (ed->to - ed->k - 1)
			emit_lea(&g->e, 4, H_BUDGET, hm(H_BUDGET, (int32_t)(ed->to - ed->k - 1)));
		emit_jmp32(&g->e, g->label_at[ed->to]);
	}
}

/* a CALL's return entry (gen_ras_push's lea points here): an exit to
 * the instruction after it, which a RET reaches from the return-address
 * stack with everything stored, as at any exit */
static void return_entry(struct gen *g, uint8_t *lea, unsigned k)
{
	emit_bind32(&g->e, lea);
	direct_exit(g, g->t->rip[k + 1]);
}

/* the last instruction, a branch */
static void emit_branch(struct gen *g, unsigned k)
{
	const struct tb *t = g->t;
	const struct insn *i = &t->d[k].in;
	bool rel = i->nopnd > 0 && i->opnd[0].kind == OPK_REL;
	uint64_t target = rel ? rel_target(g, k) : 0;
	bool static_ok = rel && (g->code_size != 64 || canonical(target));
	if (t->target[k] >= 0 && i->op == OP_JMP) {
		back_edge(g, k, (unsigned)t->target[k]);
		return;
	}
	if (t->target[k] >= 0 && i->op == OP_JCC) {
		inner_jcc(g, k);
		gen_flags_to_mem(g);
		gen_regs_flush(g);
		direct_exit(g, t->rip[k + 1]);
		return;
	}
	if (static_ok && i->op == OP_JMP) {
		gen_flags_to_mem(g);
		gen_regs_flush(g);
		direct_exit(g, target);
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
		uint8_t *entry = gen_ras_push(g, t->rip[k + 1]);
		direct_exit(g, target);
		return_entry(g, entry, k);
		return;
	}
	if (i->op == OP_RET && gen_ret(g)) {
		gen_regs_flush(g);
		gen_ras_pop(g);
		gen_next(g, NULL);
		return;
	}
	call_insn(g, k, false);
	/* a CALL of 16 bits pushes a truncated address: no entry for it */
	uint8_t *entry = i->op == OP_CALL && i->osize != 2 ? gen_ras_push(g, t->rip[k + 1]) : NULL;
	if (static_ok && i->op == OP_CALL)
		direct_exit(g, target);
	else
		gen_next(g, NULL);
	if (entry)
		return_entry(g, entry, k);
}

/* a loop at the block's end whose one branch inside it is the
 * conditional branch back to its head at its end, and which nothing
 * before it enters but at its head: its head, else -1. What comes
 * before the loop may branch as it likes. */
static int peelable(const struct tb *t)
{
	int j = t->target[t->n - 1];
	if (t->d[t->n - 1].in.op != OP_JCC || j < 0)
		return -1;
	for (unsigned k = (unsigned)j; k + 1 < t->n; k++)
		if (t->d[k].in.op == OP_JMP || t->target[k] >= 0 || (k > (unsigned)j && bit_at(t->labels, k)))
			return -1;
	return j;
}

/* a loop inside the block (its branch back at k is not the block's
 * last instruction) with no branch or label inside it: its rounds after
 * the first can run a second copy whose head takes the flags of the
 * branch back unspilled */
static bool mid_peelable(const struct tb *t, unsigned k)
{
	int j = t->target[k];
	if (t->d[k].in.op != OP_JCC || j < 0 || (unsigned)j > k || k + 1 >= t->n)
		return false;
	for (unsigned m = (unsigned)j; m < k; m++)
		if (t->d[m].in.op == OP_JMP || t->d[m].in.op == OP_JCC || t->target[m] >= 0)
			return false;
	for (unsigned m = (unsigned)j + 1; m <= k; m++)
		if (bit_at(t->labels, m))
			return false;
	return true;
}

static void emit_insns(struct gen *g);

/* a peeled loop's second copy of instructions [from, to) begins here,
 * where the first copy's branch back (jmp) comes with the registers in
 * dirty dirty and the flags rd left unspilled: its executable address */
static const uint8_t *copy2_begin(struct gen *g, uint8_t *jmp, uint16_t dirty,
				  const struct redo *rd, unsigned from, unsigned to)
{
	emit_bind32(&g->e, jmp);
	g->copy2 = true;
	g->dead = false;
	g->dirty = dirty;
	g->flags = FLAGS_REDO;
	g->redo = *rd;
	gen_group_end(g);
	g->inv_on = gen_inv_from(g, from, to);	/* its round passed it */
	g->ins_from = from;
	g->ins_to = to;
	return g->e.p + g->e.exec_delta;
}

/* The block charges its instruction count up front: at instruction k,
 * n - k of them were charged and have not run, on every way there (the
 * branches inside the region charge or refund the difference). A fault
 * or an exit refunds what did not run from that. */
static void emit_body(struct gen *g)
{
	const struct tb *t = g->t;
	/* charge the block, or leave before it when the budget is spent */
	emit_alu_ri(&g->e, ALU_SUB, 4, H_BUDGET, (int32_t)t->n);
	gen_stub(g, emit_jcc32(&g->e, 8 /* S */, NULL), ST_BUDGET, t->n, 0, t->rip[0]);
	g->loop = t->back;
	int head = t->back ? peelable(t) : -1;
	g->peel = head >= 0;
	g->peel_from = head >= 0 ? (unsigned)head : 0;
	for (unsigned j = 0; j < t->n; j++)
		g->label_dirty[j] = 0;
	gen_regs_begin(g);
	g->mid_cur = -1;
	g->ins_from = 0;
	g->ins_to = t->n;
	emit_insns(g);
	/* the second copies of loops inside: each begins with the registers
	 * dirty as the first copy's branch back left them, and its flags
	 * unspilled; its way out goes on in the first copy after the loop */
	for (unsigned m = 0; m < g->nmids && !g->e.full; m++) {
		struct mid_peel *p = &g->mids[m];
		g->mid_cur = (int)m;
		p->head2 = copy2_begin(g, p->jmp, p->dirty_in, &p->rd, p->head, p->end + 1);
		emit_insns(g);
		if (g->dirty & ~p->after_dirty)
			gen_regs_flush(g);
		emit_jmp32(&g->e, p->after);
		g->copy2 = false;
		g->mid_cur = -1;
	}
	if (!g->peel_jmp)
		return;
	/* the second copy: its start has every register dirty and the
	 * flags the first copy's branch back left unspilled */
	g->peel_head = copy2_begin(g, g->peel_jmp, g->cached, &g->peel_redo, g->peel_from, t->n);
	emit_insns(g);
}

/* the instructions, from the block's start (and again from the loop's
 * head, for the second copy of a peeled loop) */
static void emit_insns(struct gen *g)
{
	const struct tb *t = g->t;
	for (unsigned k = g->ins_from; k < g->ins_to; k++) {
		const struct insn *i = &t->d[k].in;
		bool last = k + 1 == t->n;
		g->k = k;
		/* its first access was not written natively (or not
		 * reached): no invariant group after all */
		if (g->inv.live && !g->copy2 && k == g->inv_at + 1 && !g->inv_on)
			g->inv.live = false;
		if (k == g->ins_from || bit_at(t->labels, k) || i->op != OP_SSE)
			g->xmm_has[0] = g->xmm_has[1] = -1;
		if (k == g->ins_from && g->copy2)
			;	/* its start is not the label's */
		else if (bit_at(t->labels, k) && g->dead)
			label_after_jump(g, k);
		else if (bit_at(t->labels, k))
			label_begin(g, k);
		else if (g->dead)
			continue;	/* no way here */
		if (g->inv.live && g->inv_probe && k == g->inv_at && !g->inv_on)
			add_edge(g, gen_inv_probe(g), k - 1, -1, t->rip[k]);
		gen_redo_before(g);
		if (last && t->cross_len)
			gen_check_next_page(g);
		if (last && t->ends_in_branch) {
			emit_branch(g, k);
			return;
		}
		if (i->op == OP_JCC) {
			inner_jcc(g, k);
			continue;
		}
		if (direct_jmp(i)) {
			inner_jmp(g, k);
			continue;
		}
		if (gen_native(g)) {
			gen_redo_after(g);
			gen_group_next(g);
			continue;
		}
		call_insn(g, k, !(last && is_string(i->op)));
		gen_redo_after(g);
		if (last && is_string(i->op)) {
			/* on to the block at rip in translated code (this one
			 * again when the interpreter stopped partway): every
			 * memcpy and memset went through the dispatcher. It
			 * leaves only where the string wrote its own page. */
			emit_test_rr(&g->e, 4, H_RAX, H_RAX);
			gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_LOOKUP, 0, 0, 0);
			gen_next(g, NULL);
			return;
		}
		/* the instruction wrote its own page: leave before what follows */
		emit_test_rr(&g->e, 4, H_RAX, H_RAX);
		gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_LOOKUP, t->n - k - 1, 0, 0);
	}
	if (g->dead || g->ins_to < t->n)
		return;		/* nothing falls through, or a loop's copy ends */
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
	decode_block(&t, (const uint8_t *)host, rip, avail, next, c->code_size, c->cpl, bv->lockstep);
	shape_region(&t, c->code_size);

	struct bt_block *b = bt_arena_alloc(bv, sizeof(*b));
	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->rip = rip;
	b->host = host;
	b->gpa_page = gpa & ~0xfffull;
	/* a page-crossing last instruction's bytes on the next page are
	 * compared where it runs (gen_check_next_page); a break block's
	 * instruction is at most 15 bytes */
	b->lo = (uint16_t)(gpa & 0xfff);
	uint64_t bytes = t.n ? t.rip[t.n] - rip : 15;
	b->hi = (uint16_t)(b->lo + bytes < 0x1000 ? b->lo + bytes : 0x1000);
	b->mode = mode;
	b->ninsns = (uint16_t)t.n;
	b->valid = true;
	/* at most two at the end, and one for each JCC and JMP; twice that
	 * for a loop peeled */
	unsigned nexits = 2;
	for (unsigned k = 0; k < t.n; k++)
		nexits += t.d[k].in.op == OP_JCC || t.d[k].in.op == OP_JMP;
	if (t.n && t.back)
		nexits = 2 * nexits + 1;	/* a loop peeled, gen_inv_probe's exit */
	b->exit = bt_arena_alloc(bv, nexits * sizeof(*b->exit));
	if (!b->exit)
		return NULL;
	memset(b->exit, 0, nexits * sizeof(*b->exit));

	/* not the tables at its end (12 KiB a block), which nstubs and
	 * nslow say are empty */
	memset(&g, 0, offsetof(struct gen, stubs));
	g.bv = bv;
	g.b = b;
	g.max_exits = nexits;
	g.t = &t;
	g.mode = mode;
	g.code_size = c->code_size;
	/* the block's code ends a cache line below the slots it may take */
	g.slot_min = bv->slots - BT_BLOCK_SLOTS * 8;
	g.slot_next = bv->slots;
	g.addend0 = (uint64_t)host - rip;
	emit_init(&g.e, bv->rw + bv->used, (g.slot_min & ~(size_t)63) - bv->used);
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
		gen_inv_choose(&g);
		gen_liveness(&g);
		emit_body(&g);
		emit_edges(&g);
		gen_slow_paths(&g);
		emit_stubs(&g);
	}
	if (g.e.full)
		return NULL;
	b->nexits = (uint16_t)g.nexits;
	bv->slots = g.slot_next;
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
