// String instruction semantics (MOVS CMPS STOS LODS SCAS) with REP/REPE/REPNE, every operand and address size.
// SPDX-License-Identifier: MIT
#include "cpu/interp/alu.h"
#include "cpu/interp/flags.h"

/* A REP instruction does at most this many iterations per call, then
 * leaves rip at itself with rCX/rSI/rDI updated, so the loop can take
 * interrupts in between: the hardware restarts REP the same way. */
enum { REP_BATCH = 1024 };

/* one iteration; the source is seg:rSI (i->seg, overridable), the
 * destination always ES:rDI. Memory first, registers after, so a fault
 * leaves the registers at the faulting iteration. */
typedef void str_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta);

static inline uint64_t areg(const struct icpu *c, const struct insn *i, unsigned r)
{
	return reg_read(c, r, i->asize);
}

/* rSI/rDI wrap at the address size (64K for 16-bit, 4G for 32-bit) */
static inline void advance(struct icpu *c, const struct insn *i, unsigned r, uint64_t delta)
{
	reg_write(c, r, i->asize, (areg(c, i, r) + delta) & size_mask(i->asize));
}

static void movs_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t v = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	vmem_write(c, S_ES, areg(c, i, R_EDI), v, sz);
	advance(c, i, R_ESI, delta);
	advance(c, i, R_EDI, delta);
}

static void cmps_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t a = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	uint64_t b = vmem_read(c, S_ES, areg(c, i, R_EDI), sz);
	advance(c, i, R_ESI, delta);
	advance(c, i, R_EDI, delta);
	flags_lazy(c, LF_SUB, sz, a, b, a - b);
}

static void stos_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	vmem_write(c, S_ES, areg(c, i, R_EDI), reg_read(c, R_EAX, sz), sz);
	advance(c, i, R_EDI, delta);
}

static void lods_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t v = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	reg_write(c, R_EAX, sz, v);
	advance(c, i, R_ESI, delta);
}

static void scas_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t b = vmem_read(c, S_ES, areg(c, i, R_EDI), sz);
	uint64_t a = reg_read(c, R_EAX, sz);
	advance(c, i, R_EDI, delta);
	flags_lazy(c, LF_SUB, sz, a, b, a - b);
}

/* compares: F3 repeats while equal, F2 while not equal; the others take
 * either prefix as REP */
static void string_op(struct icpu *c, const struct insn *i, str_step *step, bool compares)
{
	/* even opcodes (A4 A6 AA AC AE) are the byte forms */
	unsigned sz = (i->opcode & 1) ? i->osize : 1;
	uint64_t delta = (c->s->rflags & FL_DF) ? (uint64_t)-(int64_t)sz : sz;
	if (!(i->prefixes & (PFX_REP | PFX_REPNE))) {
		step(c, i, sz, delta);
		return;
	}
	bool while_equal = !(i->prefixes & PFX_REPNE);
	for (unsigned n = 0; n < REP_BATCH; n++) {
		uint64_t cx = areg(c, i, R_ECX);
		if (cx == 0)
			return;
		step(c, i, sz, delta);
		reg_write(c, R_ECX, i->asize, cx - 1);
		if (cx == 1)
			return;
		if (compares && cond_eval(c, 4) != while_equal)
			return;
		/* a data breakpoint or watchpoint hit: its trap comes after
		 * this iteration, the rest after the handler (SDM 17.3.1.2) */
		if (__builtin_expect(c->dbg_hits || c->dbg_watch, 0))
			break;
	}
	c->next_rip = c->s->rip;
}

void str_movs(struct icpu *c, const struct insn *i) { string_op(c, i, movs_step, false); }
void str_cmps(struct icpu *c, const struct insn *i) { string_op(c, i, cmps_step, true); }
void str_stos(struct icpu *c, const struct insn *i) { string_op(c, i, stos_step, false); }
void str_lods(struct icpu *c, const struct insn *i) { string_op(c, i, lods_step, false); }
void str_scas(struct icpu *c, const struct insn *i) { string_op(c, i, scas_step, true); }
