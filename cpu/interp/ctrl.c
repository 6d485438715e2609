/* Near control transfers, the general stack instructions, NOP, PAUSE and
 * HLT: the core table interp_ops_core. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/icpu.h"

/* the rules of every near transfer: EIP is cut to the operand size, then
 * must lie within CS (or be canonical in 64-bit mode), else #GP(0) with
 * nothing changed */
static uint64_t near_target(struct icpu *c, uint64_t target, unsigned osize)
{
	target &= size_mask(osize);
	if (c->code_size == 64) {
		if (!canonical(target))
			cpu_gp(c, 0);
	} else if (target > c->s->seg[S_CS].limit) {
		cpu_gp(c, 0);
	}
	return target;
}

static inline uint64_t rel_target(const struct icpu *c, const struct insn *i)
{
	return c->next_rip + i->imm;
}

/* the target of JMP/CALL: relative, or an absolute register/memory operand */
static uint64_t branch_operand(struct icpu *c, const struct insn *i)
{
	if (i->opnd[0].kind == OPK_REL)
		return rel_target(c, i);
	return opnd_read(c, i, 0);
}

static void op_jmp(struct icpu *c, const struct insn *i)
{
	c->next_rip = near_target(c, branch_operand(c, i), i->osize);
}

static void op_jcc(struct icpu *c, const struct insn *i)
{
	if (cond_eval(c, i->cond))
		c->next_rip = near_target(c, rel_target(c, i), i->osize);
}

static void op_call(struct icpu *c, const struct insn *i)
{
	uint64_t t = near_target(c, branch_operand(c, i), i->osize);
	stack_push(c, c->next_rip, i->osize);
	c->next_rip = t;
}

/* RET and RET imm16: the return address is checked before ESP moves */
static void op_ret(struct icpu *c, const struct insn *i)
{
	uint64_t t = near_target(c, stack_peek(c, 0, i->osize), i->osize);
	uint64_t release = i->opcode == 0xc2 ? (i->imm & 0xffff) : 0;	/* RET imm16 */
	reg_write(c, R_ESP, c->stack_size, c->s->gpr[R_ESP] + i->osize + release);
	c->next_rip = t;
}

/* JCXZ/JECXZ/JRCXZ and LOOPcc count in the register of the address size */
static void op_jcxz(struct icpu *c, const struct insn *i)
{
	if (reg_read(c, R_ECX, i->asize) == 0)
		c->next_rip = near_target(c, rel_target(c, i), i->osize);
}

static void loop_common(struct icpu *c, const struct insn *i, int zf_want)
{
	uint64_t count = (reg_read(c, R_ECX, i->asize) - 1) & size_mask(i->asize);
	bool taken = count != 0;
	if (taken && zf_want >= 0)
		taken = cond_eval(c, 4) == (zf_want != 0);	/* condition 4: ZF=1 */
	uint64_t t = taken ? near_target(c, rel_target(c, i), i->osize) : 0;
	reg_write(c, R_ECX, i->asize, count);
	if (taken)
		c->next_rip = t;
}

static void op_loop(struct icpu *c, const struct insn *i) { loop_common(c, i, -1); }
static void op_loope(struct icpu *c, const struct insn *i) { loop_common(c, i, 1); }
static void op_loopne(struct icpu *c, const struct insn *i) { loop_common(c, i, 0); }

/* ENTER size, level: every stack write is done on local copies of rSP and
 * rBP, so a fault part-way leaves the registers as they were */
static void op_enter(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize, ss = c->stack_size;
	uint64_t sm = size_mask(ss);
	uint64_t alloc = i->imm & 0xffff;
	unsigned level = i->imm2 & 31;
	uint64_t sp = c->s->gpr[R_ESP], bp = c->s->gpr[R_EBP];

	sp = (sp - os) & sm;
	vmem_write(c, S_SS, sp, bp & size_mask(os), os);
	uint64_t frame = sp;
	if (level) {
		for (unsigned k = 1; k < level; k++) {
			bp = (bp - os) & sm;
			uint64_t v = vmem_read(c, S_SS, bp, os);
			sp = (sp - os) & sm;
			vmem_write(c, S_SS, sp, v, os);
		}
		sp = (sp - os) & sm;
		vmem_write(c, S_SS, sp, frame & size_mask(os), os);
	}
	sp = (sp - alloc) & sm;
	/* rBP takes the frame in the stack's width, whatever the operand size */
	reg_write(c, R_EBP, ss, frame);
	reg_write(c, R_ESP, ss, sp);
}

static void op_leave(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize, ss = c->stack_size;
	uint64_t bp = c->s->gpr[R_EBP] & size_mask(ss);
	uint64_t v = vmem_read(c, S_SS, bp, os);
	reg_write(c, R_ESP, ss, bp + os);
	reg_write(c, R_EBP, os, v);
}

static void op_push(struct icpu *c, const struct insn *i)
{
	uint64_t v;
	if (i->opnd[0].kind == OPK_IMM)
		v = i->imm & size_mask(i->osize);	/* imm8 forms are sign-extended */
	else
		v = opnd_read(c, i, 0);
	stack_push(c, v, i->osize);
}

/* POP r/m: an rSP-based destination address is formed with rSP already
 * incremented; memory is written before rSP changes */
static void op_pop(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize, ss = c->stack_size;
	uint64_t v = stack_peek(c, 0, os);
	uint64_t old = c->s->gpr[R_ESP];
	reg_write(c, R_ESP, ss, old + os);
	uint64_t newsp = c->s->gpr[R_ESP];
	if (i->opnd[0].kind == OPK_MEM) {
		uint64_t ea = insn_ea(c, i);
		c->s->gpr[R_ESP] = old;
		vmem_write(c, i->seg, ea, v, os);
		c->s->gpr[R_ESP] = newsp;
		return;
	}
	opnd_write(c, i, 0, v);		/* POP rSP: the popped value wins */
}

static void op_pusha(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize, ss = c->stack_size;
	uint64_t sm = size_mask(ss), sp = c->s->gpr[R_ESP];
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		vmem_write(c, S_SS, (sp - (r + 1) * os) & sm, c->s->gpr[r] & size_mask(os), os);
	reg_write(c, R_ESP, ss, sp - 8 * os);
}

static void op_popa(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize, ss = c->stack_size;
	uint64_t sm = size_mask(ss), sp = c->s->gpr[R_ESP];
	uint64_t v[8];
	for (unsigned k = 0; k < 8; k++)
		v[k] = k == 3 ? 0 : vmem_read(c, S_SS, (sp + k * os) & sm, os);
	/* the stack holds EDI first, EAX last; the saved rSP is skipped */
	for (unsigned k = 0; k < 8; k++)
		if (k != 3)
			reg_write(c, R_EDI - k, os, v[k]);
	reg_write(c, R_ESP, ss, sp + 8 * os);
}

static void op_nop(struct icpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}

/* a spin-wait loop: the vCPUs take turns (interp.c), and one spinning on a
 * lock that a vCPU waiting for its turn holds would spin its whole slice,
 * in the same phase of its loop every time: the loop lets the others run */
static void op_pause(struct icpu *c, const struct insn *i)
{
	(void)i;
	c->paused = true;
}

/* HLT: the loop sees c->halted after the instruction retires and leaves
 * run() with TIER_EXIT_HLT */
static void op_hlt(struct icpu *c, const struct insn *i)
{
	(void)i;
	if (c->cpl != 0)
		cpu_gp(c, 0);
	c->halted = true;
}

const struct interp_op interp_ops_core[] = {
	{ OP_JMP, op_jmp },
	{ OP_JCC, op_jcc },
	{ OP_CALL, op_call },
	{ OP_RET, op_ret },
	{ OP_JCXZ, op_jcxz },
	{ OP_LOOP, op_loop },
	{ OP_LOOPE, op_loope },
	{ OP_LOOPNE, op_loopne },
	{ OP_ENTER, op_enter },
	{ OP_LEAVE, op_leave },
	{ OP_PUSH, op_push },
	{ OP_POP, op_pop },
	{ OP_PUSHA, op_pusha },
	{ OP_POPA, op_popa },
	{ OP_NOP, op_nop },
	{ OP_PAUSE, op_pause },
	/* 0F 18-1E: PREFETCHh and the hint space are reserved NOPs on the P6
	 * family and later, whatever CPUID says; their memory operand is
	 * never accessed, so they cannot fault */
	{ OP_PREFETCH, op_nop },
	{ OP_NOP_HINT, op_nop },
	{ OP_HLT, op_hlt },
	{ OP_INVALID, NULL },
};
