/* Instructions written natively, and the guest's arithmetic flags.
 *
 * x86 on x86: an ADD is an ADD, so the host instruction of the same size
 * gives the guest's result and all six flags. Flags stay in host EFLAGS
 * from the instruction that set them to the one that reads them (a jcc,
 * setcc, cmov, adc) when nothing between clobbers them; liveness over the
 * block says when they must be kept for later (spilled to the
 * interpreter's lazy state as LF_HOST) and when nobody looks.
 *
 * Where the host's flags would not be the interpreter's (undefined bits,
 * a count of 0), a native instruction leaves them in the interpreter's
 * lazy form instead (shifts, IMUL).
 *
 * Guest registers live in struct cpu_state at [r14 + 8 * n]. The six a
 * block uses most stay in rbx, rbp, r12, r13 (callee-saved, so helpers
 * keep them), r10 and r8 (kept around the calls) from its start to
 * its exits, and are stored before anything that reads struct cpu_state
 * (a helper, a slow path, a stub), so a helper or a fault always sees
 * them current. A block that loops to its own start keeps them there
 * from round to round. Memory goes through an inline TLB hit (one
 * compare and one add, aligned accesses in flat 32-bit or 64-bit code),
 * shared by the accesses off the same registers that one page holds (a
 * struct's fields: struct mem_group); anything else, a miss, MMIO, a
 * write to a code page, takes the slow path, out of line after the
 * block: the interpreter runs the whole instruction (one source of
 * truth), and the flags come back into host EFLAGS after it. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/gen.h"

#include <stddef.h>
#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/vcpu.h"

#define OFF_LF_OP ((int32_t)offsetof(struct icpu, lf_op))
#define OFF_LF_RES ((int32_t)offsetof(struct icpu, lf_res))
#define OFF_LF_A ((int32_t)offsetof(struct icpu, lf_a))
#define OFF_LF_B ((int32_t)offsetof(struct icpu, lf_b))
#define OFF_BT_RDI ((int32_t)offsetof(struct icpu, bt_rdi))
#define OFF_INV ((int32_t)offsetof(struct icpu, bt_inv))
#define OFF_LF_SIZE ((int32_t)offsetof(struct icpu, lf_size))
#define OFF_LF_COUNT ((int32_t)offsetof(struct icpu, lf_carry_in))
#define OFF_RIP ((int32_t)offsetof(struct cpu_state, rip))
#define OFF_XMM(n) ((int32_t)(offsetof(struct cpu_state, fxsave) + 160 + 16 * (n)))
#define OFF_RFLAGS ((int32_t)offsetof(struct cpu_state, rflags))
#define OFF_KGS_BASE ((int32_t)(offsetof(struct cpu_state, msr) + offsetof(struct cpu_msrs, kernel_gs_base)))
#define OFF_TLB ((int32_t)(offsetof(struct icpu, tlb) + offsetof(struct tlb, e)))
#define OFF_CR(r) ((int32_t)offsetof(struct cpu_state, r))
/* field f of segment register s */
#define OFF_SEG(s, f) ((int32_t)(offsetof(struct cpu_state, seg) + (s) * sizeof(struct cpu_segment) + \
				 offsetof(struct cpu_segment, f)))

/* what an instruction does to the arithmetic flags */
struct flag_use {
	uint16_t reads, writes;
};

static uint16_t cond_reads(unsigned cc)
{
	static const uint16_t t[8] = {
		FL_OF, FL_CF, FL_ZF, FL_CF | FL_ZF, FL_SF, FL_PF, FL_SF | FL_OF, FL_ZF | FL_SF | FL_OF,
	};
	return t[(cc >> 1) & 7];
}

/* the operand forms gen_native() takes: a general register that is not
 * one of AH-BH in a 16/32/64-bit operation, or any register in a byte one */
static bool reg_opnd(const struct opnd *o)
{
	return o->kind == OPK_REG;
}

static bool is_moffs(const struct insn *i)
{
	return i->map == MAP_ONE && (i->opcode & 0xfc) == 0xa0;
}

/* a shift by an immediate count that is not 0 once masked: 0 otherwise */
static unsigned shift_count(const struct insn *i)
{
	if (i->nopnd != 2 || (i->opnd[1].kind != OPK_IMM && i->opnd[1].kind != OPK_ONE))
		return 0;
	unsigned n = i->opnd[1].kind == OPK_ONE ? 1 : (unsigned)i->imm;
	return n & (i->opnd[0].size == 8 ? 63 : 31);
}

static struct flag_use flag_use(const struct insn *i)
{
	switch (i->op) {
	case OP_SHL: case OP_SAL: case OP_SHR: case OP_SAR:
		if (shift_count(i))
			return (struct flag_use){ 0, FL_ARITH };
		break;
	case OP_IMUL:
		if (i->nopnd >= 2)
			return (struct flag_use){ 0, FL_ARITH };
		break;
	case OP_MUL:
		return (struct flag_use){ 0, FL_ARITH };
	case OP_ROL: case OP_ROR:
		if (shift_count(i))
			return (struct flag_use){ 0, FL_CF | FL_OF };
		break;
	default:
		break;
	}
	switch (i->op) {
	case OP_ADD: case OP_SUB: case OP_AND: case OP_OR: case OP_XOR: case OP_CMP:
	case OP_TEST: case OP_NEG:
		return (struct flag_use){ 0, FL_ARITH };
	case OP_ADC: case OP_SBB:
		return (struct flag_use){ FL_CF, FL_ARITH };
	case OP_INC: case OP_DEC:
		return (struct flag_use){ 0, FL_ARITH & ~FL_CF };
	case OP_MOV: case OP_MOVZX: case OP_MOVSX: case OP_MOVSXD: case OP_LEA: case OP_PUSH:
	case OP_POP: case OP_NOT: case OP_XCHG: case OP_NOP: case OP_JMP: case OP_CALL:
	case OP_RET: case OP_CLI: case OP_CLD: case OP_STD: case OP_CBW: case OP_CWD: case OP_SWAPGS:
	case OP_LFENCE: case OP_MFENCE: case OP_SFENCE:
		return (struct flag_use){ 0, 0 };
	case OP_MOV_SEG_STORE:
		/* past GS it is #UD, whose handler sees them all; MOV from a
		 * control register (#GP past CPL 0) and STI (it may leave for
		 * the careful step, which delivers an interrupt) as the
		 * interpreter's */
		if (i->nopnd == 2 && i->opnd[1].reg < CPU_NR_SEGS)
			return (struct flag_use){ 0, 0 };
		return (struct flag_use){ FL_ARITH, 0 };
	case OP_BT: case OP_BTS: case OP_BTR: case OP_BTC:
		return (struct flag_use){ 0, FL_CF };
	case OP_BSF: case OP_BSR: case OP_TZCNT: case OP_LZCNT: case OP_CMPXCHG: case OP_XADD:
		return (struct flag_use){ 0, FL_ARITH };
	case OP_JCC: case OP_SETCC: case OP_CMOVCC:
		return (struct flag_use){ cond_reads(i->cond), 0 };
	default:
		/* the interpreter's function: it may read any of them */
		return (struct flag_use){ FL_ARITH, 0 };
	}
}

/* an instruction that may fault shows every flag to the exception's
 * handler (the EFLAGS image it pushes): precise state reads them all */
static bool may_fault(const struct insn *i)
{
	if (i->op == OP_PUSH || i->op == OP_POP)
		return true;
	if (i->op == OP_NOP)
		return false;
	for (unsigned n = 0; n < i->nopnd; n++)
		if (i->opnd[n].kind == OPK_MEM)
			return i->op != OP_LEA;
	return false;
}

void gen_liveness(struct gen *g)
{
	const struct tb *t = g->t;
	/* after the block anything may read them; a loop's branches back
	 * take a few passes to settle (the sets only grow) */
	memset(g->live, 0, sizeof(g->live[0]) * t->n);
	memset(g->seen, 0, sizeof(g->seen[0]) * t->n);
	g->live[t->n] = g->seen[t->n] = FL_ARITH;
	for (unsigned pass = 0; pass < 8; pass++) {
		bool changed = false;
		for (unsigned k = t->n; k-- > 0;) {
			const struct insn *i = &t->d[k].in;
			uint16_t live = 0, seen = 0;
			int j = t->target[k];
			if (i->op != OP_JMP) {
				live = g->live[k + 1];
				seen = g->seen[k + 1];
			}
			if (j >= 0) {
				live |= g->live[j];
				seen |= g->seen[j];
				/* a branch back may leave through its budget
				 * check, where every flag shows */
				if (j <= (int)k)
					live = seen = FL_ARITH;
			} else if (i->op == OP_JCC || i->op == OP_JMP) {
				live = seen = FL_ARITH;	/* it leaves */
			}
			struct flag_use u = flag_use(i);
			seen = (uint16_t)((seen & ~u.writes) | u.reads);
			if (may_fault(i))
				u.reads = FL_ARITH;
			live = (uint16_t)((live & ~u.writes) | u.reads);
			/* a check before it may leave there, where every flag
			 * shows: gen_check_next_page's before a last instruction
			 * reaching into the next page, gen_inv_probe's */
			if ((t->cross_len && k + 1 == t->n) ||
			    (g->inv.live && g->inv_probe && k == g->inv_at))
				live = seen = FL_ARITH;
			changed |= live != g->live[k] || seen != g->seen[k];
			g->live[k] = live;
			g->seen[k] = seen;
		}
		if (!changed)
			return;
	}
	/* never settled: every flag everywhere (safe, only slower) */
	for (unsigned k = 0; k < t->n; k++)
		g->live[k] = g->seen[k] = FL_ARITH;
}

/* -- flags between host EFLAGS and the interpreter's lazy state -- */

static void redo_emit(struct gen *g);

void gen_flags_to_mem(struct gen *g)
{
	if (g->flags == FLAGS_REDO)
		redo_emit(g);
	if (g->flags != FLAGS_HOST)
		return;
	/* LF_HOST: lf_res holds AH = SF ZF - AF - PF - CF (LAHF) and
	 * AL = OF, a third of PUSHFQ's cost (LAHF works in 64-bit mode on
	 * every x86-64-v2 host); the bits above AX are noise */
	emit_lahf(&g->e);
	emit_setcc_r(&g->e, 0 /* O */, H_RAX);
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_RES), H_RAX);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_OP), LF_HOST);
	g->flags = FLAGS_IMAGE;
}

/* eax = LF_HOST's image (AH the flags' low byte, AL OF) */
static void ld_image(struct emit *e)
{
	emit_movzx_rm(e, 4, 2, H_RAX, hm(H_R15, OFF_LF_RES));
}

/* host EFLAGS from AX in LF_HOST's form: OF first (0x7f + 1 overflows,
 * 0x7f + 0 does not), then the rest from AH */
static void flags_of_ax(struct emit *e)
{
	emit_alu_ri(e, ALU_ADD, 1, H_RAX, 0x7f);
	emit_sahf(e);
}

void gen_call(struct gen *g, const void *fn)
{
	/* callers set the flags first where they need them */
	if (redo_in_rdi(&g->redo))
		g->redo.valid = false;
	g->xmm_has[0] = g->xmm_has[1] = -1;	/* C code clobbers them */
	emit_mov_mr(&g->e, 4, hm(H_R15, OFF_BUDGET), H_BUDGET);
	emit_call(&g->e, fn);
	emit_mov_rm(&g->e, 4, H_BUDGET, hm(H_R15, OFF_BUDGET));
}

/* a helper's call where the cached registers stay cached: those in
 * caller-saved host registers ride on the stack, and r11, the memory
 * group's (an even number of pushes, which keeps it aligned) */
static void call_keeping_regs(struct gen *g, const void *fn)
{
	enum hreg save[4];
	unsigned n = 0;
	for (unsigned r = 0; r < 16; r++)
		if (g->cached & g->in_volatile & (1u << r))
			save[n++] = (enum hreg)g->host_of[r];
	save[n++] = H_R11;
	if (n & 1)
		save[n++] = save[0];
	for (unsigned k = 0; k < n; k++)
		emit_push_r(&g->e, save[k]);
	gen_call(g, fn);
	for (unsigned k = n; k-- > 0;)
		emit_pop_r(&g->e, save[k]);
}

/* the guest's flags into host EFLAGS (from whatever the lazy state is) */
static void flags_to_host(struct gen *g)
{
	if (g->flags == FLAGS_REDO) {
		redo_emit(g);
		return;
	}
	if (g->flags == FLAGS_IMAGE) {
		ld_image(&g->e);
	} else {
		/* spilled by a block (LF_HOST), as at most blocks' start:
		 * the image inline; another lazy state: the interpreter's */
		emit_alu_mi(&g->e, ALU_CMP, 1, hm(H_R15, OFF_LF_OP), LF_HOST);
		uint8_t *other = emit_jcc8(&g->e, 5 /* NE */);
		ld_image(&g->e);
		uint8_t *done = emit_jmp8(&g->e);
		emit_bind8(&g->e, other);
		emit_mov_rr(&g->e, 8, H_RDI, H_R15);
		call_keeping_regs(g, (const void *)bt_h_flags);
		emit_bind8(&g->e, done);
	}
	flags_of_ax(&g->e);
	g->flags = FLAGS_HOST;
}

void gen_flags_to(struct gen *g, enum flags_at want)
{
	if (want == FLAGS_HOST) {
		if (g->flags != FLAGS_HOST)
			flags_to_host(g);
		return;
	}
	if (want == FLAGS_IMAGE && g->flags == FLAGS_MEM)
		flags_to_host(g);	/* another lazy form: through host EFLAGS */
	gen_flags_to_mem(g);
	if (want == FLAGS_MEM)
		g->flags = FLAGS_MEM;
}

/* eax = LF_HOST's lf_res, zero-extended from AX (AH the flags' low byte,
 * AL OF): eax nonzero when the condition (cc without its negation bit)
 * holds */
static void cond_of_image(struct emit *e, unsigned cc)
{
	switch ((cc >> 1) & 7) {
	case 0: emit_alu_ri(e, ALU_AND, 4, H_RAX, 1); break;
	case 1: emit_alu_ri(e, ALU_AND, 4, H_RAX, FL_CF << 8); break;
	case 2: emit_alu_ri(e, ALU_AND, 4, H_RAX, FL_ZF << 8); break;
	case 3: emit_alu_ri(e, ALU_AND, 4, H_RAX, (FL_CF | FL_ZF) << 8); break;
	case 4: emit_alu_ri(e, ALU_AND, 4, H_RAX, FL_SF << 8); break;
	case 5: emit_alu_ri(e, ALU_AND, 4, H_RAX, FL_PF << 8); break;
	default:
		/* bit 0 becomes OF ^ SF (bit 15); bit 14 stays ZF */
		emit_mov_rr(e, 4, H_RCX, H_RAX);
		emit_shift_ri(e, SH_SHR, 4, H_RCX, 15);
		emit_alu_rr(e, ALU_XOR, 4, H_RAX, H_RCX);
		emit_alu_ri(e, ALU_AND, 4, H_RAX, (cc >> 1 & 7) == 6 ? 1 : 1 | FL_ZF << 8);
		break;
	}
}

unsigned gen_cond(struct gen *g, unsigned cc)
{
	if (g->flags == FLAGS_REDO)
		redo_emit(g);
	if (g->flags == FLAGS_HOST)
		return cc;
	if (g->flags == FLAGS_IMAGE) {
		/* this block's own spill: the image, without asking whose */
		ld_image(&g->e);
		cond_of_image(&g->e, cc);
		return cc & 1 ? 4 /* E */ : 5 /* NE */;
	}
	/* spilled by this translator (LF_HOST): read the image inline;
	 * any other lazy state: the interpreter evaluates */
	emit_alu_mi(&g->e, ALU_CMP, 1, hm(H_R15, OFF_LF_OP), LF_HOST);
	uint8_t *other = emit_jcc8(&g->e, 5 /* NE */);
	ld_image(&g->e);
	cond_of_image(&g->e, cc);
	uint8_t *done = emit_jmp8(&g->e);
	emit_bind8(&g->e, other);
	emit_mov_rr(&g->e, 8, H_RDI, H_R15);
	emit_mov_ri(&g->e, 4, H_RSI, cc & ~1u);
	call_keeping_regs(g, (const void *)bt_h_cond);
	emit_bind8(&g->e, done);
	emit_test_rr(&g->e, 4, H_RAX, H_RAX);
	return cc & 1 ? 4 /* E */ : 5 /* NE */;
}

/* before an instruction that clobbers host flags without setting all
 * of the guest's: keep the ones still wanted */
static void flags_before_clobber(struct gen *g, uint16_t writes)
{
	if (g->flags == FLAGS_REDO) {
		if (g->live[g->k] & ~writes)
			gen_flags_to_mem(g);
		else
			g->flags = FLAGS_MEM;
		return;
	}
	if (g->flags != FLAGS_HOST)
		return;		/* in memory already */
	if (g->live[g->k] & ~writes)
		gen_flags_to_mem(g);
	else
		g->flags = FLAGS_MEM;	/* nobody wants them */
}

/* -- guest registers and addresses -- */

/* a guest general register as a host memory operand */
static struct hmem greg(unsigned r)
{
	if (r >= REG_AH && r < REG_AH + 4)
		return hm(H_R14, 8 * (int32_t)(r - REG_AH) + 1);
	return hm(H_R14, 8 * (int32_t)r);
}

static bool is_cached(const struct gen *g, unsigned r)
{
	return r < 16 && (g->cached >> r & 1);
}

/* the host register holding guest register r, or H_NONE */
static enum hreg hreg_of(const struct gen *g, unsigned r)
{
	return is_cached(g, r) ? (enum hreg)g->host_of[r] : H_NONE;
}

/* load guest register r (size bytes) into host h */
static void ld_reg(struct gen *g, unsigned size, enum hreg h, unsigned r)
{
	if (is_cached(g, r))
		emit_mov_rr(&g->e, size, h, (enum hreg)g->host_of[r]);
	else
		emit_mov_rm(&g->e, size, h, greg(r));
}

/* the host register holding a redo's operand r, or H_NONE */
static enum hreg redo_hreg(const struct gen *g, unsigned r)
{
	return r == REDO_RDI ? H_RDI : hreg_of(g, r);
}

/* h = a redo's operand r */
static void redo_ld(struct gen *g, unsigned size, enum hreg h, unsigned r)
{
	if (r == REDO_RDI)
		emit_mov_rr(&g->e, size, h, H_RDI);
	else
		ld_reg(g, size, h, r);
}

/* host EFLAGS from g->redo (clobbers rax, rdx) */
static void redo_emit(struct gen *g)
{
	const struct redo *r = &g->redo;
	unsigned size = r->size;
	bool imm = r->src == 0xff;
	enum hreg d = redo_hreg(g, r->dst), s = imm ? H_NONE : redo_hreg(g, r->src);
	if (!imm && s == H_NONE) {
		ld_reg(g, size, H_RDX, r->src);
		s = H_RDX;
	}
	if (r->op == OP_SHL || r->op == OP_SHR || r->op == OP_SAR) {
		/* the operand as it was (rdi), shifted again */
		emit_mov_rr(&g->e, 8, H_RAX, H_RDI);
		emit_shift_ri(&g->e, r->op == OP_SHL ? SH_SHL : r->op == OP_SHR ? SH_SHR : SH_SAR,
			      size, H_RAX, (uint8_t)r->imm);
	} else if (r->op == OP_ADD || r->op == OP_SUB) {
		/* the destination as it was, then the operation again */
		redo_ld(g, size < 4 ? 4 : size, H_RAX, r->dst);
		enum alu_op undo = r->op == OP_ADD ? ALU_SUB : ALU_ADD;
		enum alu_op again = r->op == OP_ADD ? ALU_ADD : ALU_SUB;
		if (imm) {
			emit_alu_ri(&g->e, undo, size, H_RAX, r->imm);
			emit_alu_ri(&g->e, again, size, H_RAX, r->imm);
		} else {
			emit_alu_rr(&g->e, undo, size, H_RAX, s);
			emit_alu_rr(&g->e, again, size, H_RAX, s);
		}
	} else {
		if (d == H_NONE) {
			ld_reg(g, size, H_RAX, r->dst);
			d = H_RAX;
		}
		if (r->op == OP_CMP && imm)
			emit_alu_ri(&g->e, ALU_CMP, size, d, r->imm);
		else if (r->op == OP_CMP)
			emit_alu_rr(&g->e, ALU_CMP, size, d, s);
		else if (r->op == OP_TEST && imm)
			emit_test_ri(&g->e, size, d, r->imm);
		else if (r->op == OP_TEST)
			emit_test_rr(&g->e, size, d, s);
		else
			emit_test_rr(&g->e, size, d, d);	/* AND, OR, XOR */
	}
	g->flags = FLAGS_HOST;
}

/* h, the host register holding guest register r, or when r has none
 * (H_NONE) the scratch register loaded with it (size bytes) */
static enum hreg held_or_loaded(struct gen *g, enum hreg h, unsigned size, unsigned r,
				enum hreg scratch)
{
	if (h != H_NONE)
		return h;
	ld_reg(g, size, scratch, r);
	return scratch;
}

/* guest register r as a source operand: its host register, or rcx */
static enum hreg src_in(struct gen *g, unsigned size, unsigned r)
{
	return held_or_loaded(g, hreg_of(g, r), size, r, H_RCX);
}

/* store host h into guest register r as the interpreter's reg_write
 * does: 8- and 16-bit writes merge, 32-bit ones zero the upper half
 * (h holds the zero-extended value after any 32-bit host operation) */
static void st_reg(struct gen *g, unsigned size, unsigned r, enum hreg h)
{
	if (is_cached(g, r)) {
		emit_mov_rr(&g->e, size, (enum hreg)g->host_of[r], h);
		g->dirty |= (uint16_t)(1u << r);
	} else {
		emit_mov_mr(&g->e, size == 4 ? 8 : size, greg(r), h);
	}
}

/* the host register that holds guest register r, to be written in place
 * (marked dirty), or H_NONE when r is in memory. A host write of 8 or 4
 * bytes there does what the guest's does (4 zero-extends), and so does
 * one of 1 or 2 (they merge); a wider host write of a narrower guest
 * result does not: the caller goes through st_reg for those. */
static enum hreg dst_in_place(struct gen *g, unsigned r)
{
	enum hreg h = hreg_of(g, r);
	if (h != H_NONE)
		g->dirty |= (uint16_t)(1u << r);
	return h;
}

/* a read-modify-write of guest register r: the host register to do it
 * in (its own, in place, or rax loaded with it), and the store after */
static enum hreg rmw_begin(struct gen *g, unsigned size, unsigned r)
{
	return held_or_loaded(g, dst_in_place(g, r), size, r, H_RAX);
}

static void rmw_end(struct gen *g, unsigned size, unsigned r, enum hreg h)
{
	if (h == H_RAX)
		st_reg(g, size, r, H_RAX);
}

/* -- guest registers in host registers -- */

static void count_use(uint8_t *uses, unsigned r)
{
	if (r < 16 && uses[r] < 255)
		uses[r]++;
}

void gen_regs_begin(struct gen *g)
{
	/* callee-saved first; r10 and r8 the inline helper calls keep
	 * on the stack; slow paths reload them all anyway */
	static const uint8_t hosts[] = { H_RBX, H_RBP, H_R12, H_R13, H_R10, H_R8 };
	const struct tb *t = g->t;
	uint8_t uses[16] = { 0 };
	uint16_t banned = 0;
	for (unsigned k = 0; k < t->n; k++) {
		const struct insn *i = &t->d[k].in;
		for (unsigned n = 0; n < i->nopnd; n++) {
			const struct opnd *o = &i->opnd[n];
			if (o->kind == OPK_REG && o->reg >= REG_AH && o->reg < REG_AH + 4)
				banned |= (uint16_t)(1u << (o->reg - REG_AH));	/* AH-BH */
			else if (o->kind == OPK_REG)
				count_use(uses, o->reg);
			else if (o->kind == OPK_MEM) {
				count_use(uses, i->base);
				count_use(uses, i->index);
			}
		}
		if (i->op == OP_PUSH || i->op == OP_POP || i->op == OP_CALL || i->op == OP_RET)
			count_use(uses, R_ESP);
	}
	g->cached = g->dirty = g->in_volatile = 0;
	/* the most used first: one load and at most one store each, where
	 * uncached every use is a load or a store (in a loop, every round) */
	unsigned least = g->loop ? 1 : 2;
	for (unsigned h = 0; h < sizeof(hosts); h++) {
		unsigned best = 16;
		for (unsigned r = 0; r < 16; r++)
			if (!(banned >> r & 1) && !is_cached(g, r) && uses[r] >= least &&
			    (best == 16 || uses[r] > uses[best]))
				best = r;
		if (best == 16)
			break;
		g->cached |= (uint16_t)(1u << best);
		g->host_of[best] = hosts[h];
		if (hosts[h] == H_R10 || hosts[h] == H_R8)
			g->in_volatile |= (uint16_t)(1u << best);
		emit_mov_rm(&g->e, 8, hosts[h], greg(best));
	}
}

/* store the cached registers in regs (a mask of guest registers) */
static void store_regs(struct gen *g, uint16_t regs)
{
	for (unsigned r = 0; r < 16; r++)
		if (regs >> r & 1)
			emit_mov_mr(&g->e, 8, greg(r), (enum hreg)g->host_of[r]);
}

void gen_regs_flush(struct gen *g)
{
	store_regs(g, g->dirty);
	g->dirty = 0;
}

void gen_regs_reload(struct gen *g)
{
	for (unsigned r = 0; r < 16; r++)
		if (is_cached(g, r))
			emit_mov_rm(&g->e, 8, (enum hreg)g->host_of[r], greg(r));
}

/* the effective address of i's memory operand into h (rax, rdx scratch);
 * false for the forms left to the interpreter */
static bool ea_to_size(struct gen *g, const struct insn *i, enum hreg h, unsigned size);

static bool ea_to(struct gen *g, const struct insn *i, enum hreg h)
{
	return ea_to_size(g, i, h, i->asize);
}

/* the same, computed at size bytes (at most the address size: LEA cuts
 * the address to its operand size) */
static bool ea_to_size(struct gen *g, const struct insn *i, enum hreg h, unsigned size)
{
	if (is_moffs(i) || i->asize == 2)
		return false;
	uint64_t mask = size_mask(size);
	if (i->base == REG_RIP) {
		emit_mov_ri(&g->e, 8, h, (g->t->rip[g->k + 1] + (uint64_t)(int64_t)i->disp) & mask);
		return true;
	}
	if (i->base == REG_NONE && i->index == REG_NONE) {
		emit_mov_ri(&g->e, 8, h, (uint64_t)(int64_t)i->disp & mask);
		return true;
	}
	enum hreg b = hreg_of(g, i->base), x = hreg_of(g, i->index);
	if (i->base != REG_NONE && b == H_NONE) {
		ld_reg(g, 8, H_RAX, i->base);
		b = H_RAX;
	}
	if (i->index != REG_NONE && x == H_NONE) {
		ld_reg(g, 8, H_RDX, i->index);
		x = H_RDX;
	}
	emit_lea(&g->e, size < 4 ? 4 : size, h, hmx(b, x, 1u << i->scale, i->disp));
	return true;
}

/* the linear address of the memory operand into rsi, or false when its
 * segment is not one the block may address directly */
static bool lin_to_rsi(struct gen *g, const struct insn *i)
{
	int seg = i->seg;
	if (g->code_size == 64) {
		if (!ea_to(g, i, H_RSI))
			return false;
		if (seg == S_FS || seg == S_GS) {
			emit_mov_rm(&g->e, 8, H_RDX, hm(H_R14, OFF_SEG(seg, base)));
			emit_lea(&g->e, 8, H_RSI, hmx(H_RSI, H_RDX, 1, 0));
		}
		return true;
	}
	if (!(g->mode & BT_MODE_FLAT) || (seg != S_DS && seg != S_ES && seg != S_SS))
		return false;
	return ea_to(g, i, H_RSI);
}

/* a new slot for a predicted addend (writable address), or NULL */
static uint8_t *pred_slot(struct gen *g)
{
	if (g->slot_next - 8 < g->slot_min || g->nfix >= BT_BLOCK_SLOTS)
		return NULL;
	g->slot_next -= 8;
	uint8_t *slot = g->bv->rw + g->slot_next;
	memcpy(slot, &g->addend0, 8);
	return slot;
}

/* The TLB hit for a size-byte access at the linear address in rsi: on
 * a hit rsi becomes the host address; returns the rel32 of the jump to
 * the slow path (taken on a miss). The page compared is the last byte's:
 * an access crossing into the next page misses, since that page's index
 * differs (and the tags' TLB_NOMATCH bit never meets address bits).
 * Clobbers rax, rdx and the host flags.
 *
 * predict: the addend comes from a slot of this access's own, which
 * holds the one it had last time, and is compared with the entry's
 * off the critical path: the host address waits only for the linear
 * one, not for the index, the entry's load and the add (the host CPU
 * runs on past the compare's branch). Latency-bound loops (a table
 * lookup indexed by the last load) gain the most; access_check asks for
 * it in blocks with a loop only: elsewhere its 21 more bytes of code per
 * access cost more (fork/exec's kernel paths, 5%) than it saves. */
static uint8_t *tlb_hit(struct gen *g, unsigned size, enum mmu_access acc, bool predict)
{
	int32_t base = OFF_TLB + (g->cpl == 3 ? (int32_t)sizeof(((struct tlb *)0)->e[0]) : 0);
	emit_mov_rr(&g->e, 4, H_RAX, H_RSI);
	emit_shift_ri(&g->e, SH_SHR, 4, H_RAX, 12 - 5);
	emit_alu_ri(&g->e, ALU_AND, 4, H_RAX, (int32_t)((TLB_SIZE - 1) << 5));
	emit_lea(&g->e, 8, H_RDX, hm(H_RSI, (int32_t)size - 1));
	emit_alu_ri(&g->e, ALU_AND, 8, H_RDX, (int32_t)~0xfffu);
	emit_alu_rm(&g->e, ALU_CMP, 8, H_RDX,
		    hmx(H_R15, H_RAX, 1, base + (int32_t)offsetof(struct tlb_entry, tag[acc])));
	uint8_t *miss = emit_jcc32(&g->e, 5 /* NE */, NULL);
	struct hmem addend = hmx(H_R15, H_RAX, 1, base + (int32_t)offsetof(struct tlb_entry, addend));
	uint8_t *slot = predict ? pred_slot(g) : NULL;
	if (slot && emit_mov_r_rip(&g->e, H_RDX, slot + g->e.exec_delta)) {
		emit_alu_rm(&g->e, ALU_CMP, 8, H_RDX, addend);
		uint8_t *wrong = emit_jcc32(&g->e, 5 /* NE */, NULL);
		g->fix[g->nfix++] = (struct pred_fix){ wrong, g->e.p + g->e.exec_delta, addend.disp,
						       slot };
		emit_alu_rr(&g->e, ALU_ADD, 8, H_RSI, H_RDX);
	} else {
		emit_alu_rm(&g->e, ALU_ADD, 8, H_RSI, addend);
	}
	return miss;
}

void gen_check_next_page(struct gen *g)
{
	const struct tb *t = g->t;
	unsigned k = g->k;
	flags_before_clobber(g, 0);
	gen_regs_flush(g);
	emit_mov_ri(&g->e, 8, H_RSI, (t->rip[k] | 0xfff) + 1);
	gen_stub(g, tlb_hit(g, 1, MMU_FETCH, false), ST_BREAK, t->n - k, 0, t->rip[k]);
	/* at most 14 bytes there: compare them as one or two qwords, the
	 * bytes past them shifted out */
	for (unsigned at = 0; at < t->cross_len; at += 8) {
		unsigned len = t->cross_len - at < 8 ? t->cross_len - at : 8;
		uint64_t want = 0;
		for (unsigned j = 0; j < len; j++)
			want |= (uint64_t)t->cross_bytes[at + j] << (8 * j);
		emit_mov_rm(&g->e, 8, H_RAX, hm(H_RSI, (int32_t)at));
		if (len < 8)
			emit_shift_ri(&g->e, SH_SHL, 8, H_RAX, (uint8_t)(64 - 8 * len));
		emit_mov_ri(&g->e, 8, H_RDX, len < 8 ? want << (64 - 8 * len) : want);
		emit_alu_rr(&g->e, ALU_CMP, 8, H_RAX, H_RDX);
		gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_BREAK, t->n - k, 0, t->rip[k]);
	}
}

/* the block's slow paths share one call of the interpreter (rsi the
 * site): every cached register stored (the clean ones again, which
 * costs nothing there and saves each path its own list), the call, all
 * loaded again. r11 comes back clobbered: the slow path checks the
 * group again where members follow (slow_insn). */
static const uint8_t *slow_thunk(struct gen *g)
{
	const uint8_t *at = g->e.p + g->e.exec_delta;
	store_regs(g, g->cached);
	emit_mov_rr(&g->e, 8, H_RDI, H_R15);
	emit_alu_ri(&g->e, ALU_SUB, 8, H_RSP, 8);	/* called: align again */
	gen_call(g, (const void *)bt_h_insn);
	emit_alu_ri(&g->e, ALU_ADD, 8, H_RSP, 8);
	gen_regs_reload(g);
	emit_ret(&g->e);
	return at;
}

/* the TLB hit for all of group p, its lowest byte's linear address in
 * rsi (tlb_hit: its host address after) */
static uint8_t *group_check(struct gen *g, const struct mem_group *p, bool predict)
{
	return tlb_hit(g, (unsigned)(p->hi - p->lo), p->write ? MMU_WRITE : MMU_READ, predict);
}

/* the linear address of group p's lowest byte into rsi, from its
 * registers as they are now (false: not addressable so) */
static bool group_lin(struct gen *g, const struct mem_group *p)
{
	int64_t disp = p->lo - p->shift;
	if (disp != (int32_t)disp)
		return false;
	struct insn at = { 0 };
	at.seg = p->seg;
	at.base = p->base;
	at.index = p->index;
	at.scale = p->scale;
	at.asize = p->asize;
	at.disp = (int32_t)disp;
	return lin_to_rsi(g, &at);
}

/* r11 for group p (as it is after instruction g->k) again, after the
 * interpreter ran that instruction: its members after it take their
 * addresses from r11 unchecked (inv: icpu.bt_inv for the block's
 * invariant group). Where the group's check misses now (a straddle, a
 * page the interpreter could not map for all of them), the block leaves
 * before the next instruction. Clobbers the host flags. */
static void group_again(struct gen *g, const struct mem_group *p, bool inv)
{
	const struct tb *t = g->t;
	uint8_t *out, *on = NULL;
	if (group_lin(g, p)) {
		out = group_check(g, p, false);
		if (inv)
			emit_mov_mr(&g->e, 8, hm(H_R15, OFF_INV), H_RSI);
		else
			emit_mov_rr(&g->e, 8, H_R11, H_RSI);
		on = emit_jmp8(&g->e);
		emit_bind32(&g->e, out);
	}
	emit_mov_mi(&g->e, 1, hm(H_R15, (int32_t)offsetof(struct icpu, bt_group_left)), 1);
	gen_stub(g, emit_jmp32(&g->e, NULL), ST_LOOKUP, t->n - g->k - 1, 0, 0);
	emit_bind8(&g->e, on);
}

/* the interpreter runs instruction g->k: the slow path of a native one;
 * p: the memory group after it, if members follow; inv: it checked the
 * block's invariant group, which holds after it */
static void slow_insn(struct gen *g, const uint8_t *thunk, bool flags_out, const struct mem_group *p,
		      bool inv)
{
	struct bt_site *st = gen_site(g, g->k);
	emit_mov_ri(&g->e, 8, H_RSI, (uint64_t)(uintptr_t)st);
	emit_call(&g->e, thunk);
	emit_test_rr(&g->e, 4, H_RAX, H_RAX);
	gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_LOOKUP, g->t->n - g->k - 1, 0, 0);
	/* the interpreter left them in its own lazy form */
	g->flags = FLAGS_MEM;
	if (p->live)
		group_again(g, p, false);
	if (inv)
		group_again(g, &g->inv, true);
	if (flags_out)
		flags_to_host(g);
}

/* a native memory instruction: hot is emitted by the caller between
 * mem_begin (TLB hit, rsi the host address) and mem_end */
struct memop {
	struct hmem at;		/* the access: [rsi], or a member's [r11 + offset] */
	uint8_t *miss;		/* the jump to the slow path (NULL: a member, none) */
	bool flags_out;
	bool redo;		/* the flags before it were FLAGS_REDO */
	/* it leaves a redo's operand in rdi: struct slow_path's rdi_from */
	int32_t rdi_from;
	bool inv;		/* it checked the block's invariant group */
};

/* -- memory groups (struct mem_group) -- */

/* the widest span of displacements a group covers: wider ones would
 * straddle a page boundary too often, where each checks alone */
#define GROUP_SPAN 512

/* the registers and form an access is addressed by */
struct mem_key {
	uint8_t seg, base, index, scale, asize;
};

static bool same_key(const struct mem_key *a, const struct mem_group *p)
{
	return a->seg == p->seg && a->base == p->base && a->index == p->index &&
	       a->scale == p->scale && a->asize == p->asize;
}

/* a memory operand a group may cover: one register part (no RIP, no
 * absolute address), addressed as mem_begin addresses it */
static bool groupable(const struct insn *i)
{
	return !is_moffs(i) && i->asize != 2 && i->base != REG_RIP &&
	       (i->base != REG_NONE || i->index != REG_NONE);
}

/* the stack forms the blocks take: 64-bit code, or a flat 32-bit stack */
static unsigned stack_size(const struct gen *g)
{
	if (g->code_size == 64)
		return 8;
	return (g->mode & BT_MODE_FLAT) && (g->mode & BT_MODE_SS32) ? 4 : 0;
}

static bool stack_ok(const struct gen *g, const struct insn *i)
{
	unsigned ss = stack_size(g);
	return ss && i->osize == ss;
}

static struct mem_key stack_key(const struct gen *g)
{
	return (struct mem_key){ S_SS, R_ESP, REG_NONE, 0, (uint8_t)stack_size(g) };
}

/* a PUSH or POP of a register or an immediate, a CALL rel or a RET, as
 * gen_push, gen_pop, gen_call_push and gen_ret take them */
static bool stack_op(const struct gen *g, const struct insn *i)
{
	if (!stack_ok(g, i))
		return false;
	switch (i->op) {
	case OP_PUSH:
		return i->nopnd == 1 && (i->opnd[0].kind == OPK_REG || i->opnd[0].kind == OPK_IMM);
	case OP_POP:
		return i->nopnd == 1 && i->opnd[0].kind == OPK_REG;
	case OP_CALL:
		return i->nopnd == 1 && i->opnd[0].kind == OPK_REL;
	case OP_RET:
		return i->opcode == 0xc3;
	default:
		return false;
	}
}

/* the access i makes, as mem_begin or stack_begin will likely be asked
 * for it (a wrong guess costs only the group): its key, its address
 * relative to the key's registers before i, size and kind */
static bool mem_access(const struct gen *g, const struct insn *i, struct mem_key *k, int64_t *disp,
		       unsigned *size, bool *write)
{
	if (stack_op(g, i)) {
		bool push = i->op == OP_PUSH || i->op == OP_CALL;
		*k = stack_key(g);
		*disp = push ? -(int64_t)i->osize : 0;
		*size = i->osize;
		*write = push;
		return true;
	}
	switch (i->op) {
	case OP_LEA: case OP_NOP: case OP_PREFETCH: case OP_NOP_HINT: case OP_PUSH: case OP_POP:
		return false;
	default:
		break;
	}
	if (!groupable(i))
		return false;
	for (unsigned n = 0; n < i->nopnd; n++) {
		if (i->opnd[n].kind != OPK_MEM)
			continue;
		*k = (struct mem_key){ i->seg, i->base, i->index, i->scale, i->asize };
		*disp = i->disp;
		*size = i->opnd[n].size;
		*write = n == 0 && i->op != OP_CMP && i->op != OP_TEST && i->op != OP_BT;
		return true;
	}
	return false;
}

static uint16_t gpr_bit(const struct opnd *o)
{
	if (o->kind != OPK_REG)
		return 0;
	return (uint16_t)(1u << (o->reg >= REG_AH ? o->reg - REG_AH : o->reg));
}

/* the general registers i may write (all of them where not known) */
static uint16_t regs_written(const struct insn *i)
{
	const uint16_t ax = 1u << R_EAX, dx = 1u << R_EDX, sp = 1u << R_ESP;
	uint16_t d = i->nopnd ? gpr_bit(&i->opnd[0]) : 0;
	switch (i->op) {
	case OP_ADD: case OP_OR: case OP_ADC: case OP_SBB: case OP_AND: case OP_SUB: case OP_XOR:
	case OP_CMP: case OP_TEST: case OP_INC: case OP_DEC: case OP_NEG: case OP_NOT:
	case OP_ROL: case OP_ROR: case OP_RCL: case OP_RCR: case OP_SHL: case OP_SHR: case OP_SAL:
	case OP_SAR: case OP_SHLD: case OP_SHRD: case OP_BT: case OP_BTS: case OP_BTR: case OP_BTC:
	case OP_BSF: case OP_BSR: case OP_SETCC: case OP_CMOVCC: case OP_POPCNT: case OP_LZCNT:
	case OP_TZCNT: case OP_MOV: case OP_MOVSX: case OP_MOVZX: case OP_MOVSXD: case OP_LEA:
	case OP_BSWAP: case OP_MOVBE: case OP_NOP: case OP_PREFETCH: case OP_NOP_HINT:
	case OP_LFENCE: case OP_MFENCE: case OP_SFENCE: case OP_MOV_SEG_STORE: case OP_MOV_CR_STORE:
		return d;
	case OP_JCC: case OP_JMP: case OP_CLI: case OP_STI: case OP_SWAPGS:
		return 0;
	case OP_SSE:
		return d | 1u << R_ECX;		/* PCMPxSTRI's implicit ECX */
	case OP_IMUL:
		return i->nopnd >= 2 ? d : ax | dx;
	case OP_MUL: case OP_DIV: case OP_IDIV:
		return ax | dx;
	case OP_XCHG: case OP_XADD:
		return d | (i->nopnd > 1 ? gpr_bit(&i->opnd[1]) : 0);
	case OP_CMPXCHG:
		return d | ax;
	case OP_CBW:
		return ax;
	case OP_CWD:
		return dx;
	case OP_PUSH: case OP_PUSHF:
		return sp;
	case OP_POP:
		return sp | d;
	default:
		return 0xffff;
	}
}

/* what i does to register r of addresses of asize bytes: 0 nothing,
 * 1 adds *delta to it, 2 anything else */
static int reg_delta(const struct insn *i, unsigned r, unsigned asize, int64_t *delta)
{
	if (r >= 16 || !(regs_written(i) >> r & 1))
		return 0;
	const struct opnd *d = &i->opnd[0];
	bool whole = i->nopnd && d->kind == OPK_REG && d->reg == r && d->size == asize;
	switch (i->op) {
	case OP_PUSH: case OP_PUSHF:
		if (r == R_ESP && i->osize == asize) {
			*delta = -(int64_t)i->osize;
			return 1;
		}
		return 2;
	case OP_POP:
		/* not POP rsp, which loads it */
		if (r == R_ESP && !(d->kind == OPK_REG && d->reg == R_ESP) && i->osize == asize) {
			*delta = i->osize;
			return 1;
		}
		return 2;
	case OP_ADD: case OP_SUB:
		if (whole && i->nopnd == 2 && i->opnd[1].kind == OPK_IMM) {
			*delta = i->op == OP_ADD ? (int64_t)i->imm : -(int64_t)i->imm;
			return 1;
		}
		return 2;
	case OP_INC: case OP_DEC:
		if (whole) {
			*delta = i->op == OP_INC ? 1 : -1;
			return 1;
		}
		return 2;
	case OP_LEA:
		if (whole && i->base == r && i->index == REG_NONE && i->asize == asize) {
			*delta = i->disp;
			return 1;
		}
		return 2;
	default:
		return 2;
	}
}

void gen_group_end(struct gen *g)
{
	g->grp.live = false;
}

/* after instruction g->k: its move of the group's base register */
/* group p after instruction i */
static void group_follow(struct mem_group *p, const struct insn *i)
{
	int64_t d = 0;
	if (!p->live)
		return;
	switch (reg_delta(i, p->base, p->asize, &d)) {
	case 1:
		p->shift += d;
		break;
	case 2:
		p->live = false;
		break;
	}
	if (p->index < 16 && (regs_written(i) >> p->index & 1))
		p->live = false;
}

void gen_group_next(struct gen *g)
{
	group_follow(&g->grp, &g->t->d[g->k].in);
}

/* is an access of instruction g->k one the live group checked? */
static bool group_member(const struct gen *g, const struct mem_key *k, int64_t disp,
			 unsigned size, enum mmu_access acc)
{
	const struct mem_group *p = &g->grp;
	int64_t at = disp + p->shift;
	return p->live && g->k <= p->end && same_key(k, p) && at >= p->lo &&
	       at + size <= p->hi && (acc == MMU_READ || p->write);
}

/* start a group at instruction g->k when later ones in the block
 * address memory by the same registers, moved only by constants, within
 * GROUP_SPAN: true with g->grp set. A live group with members still
 * ahead stays. */
static bool group_start(struct gen *g, const struct mem_key *key, int64_t disp, unsigned size,
			enum mmu_access acc)
{
	const struct tb *t = g->t;
	/* Lockstep's journal fills no write tags: a group that writes would
	 * miss at every check, and its block leave after the first (a block
	 * lockstep cannot compare); there the writes check themselves */
	bool writes_ok = !g->bv->lockstep;
	if ((acc != MMU_READ && acc != MMU_WRITE) || (acc == MMU_WRITE && !writes_ok) ||
	    (g->grp.live && g->grp.end > g->k))
		return false;
	struct mem_group p = { true, key->seg, key->base, key->index, key->scale, key->asize,
			       acc == MMU_WRITE, disp, disp + size, g->k, 0 };
	int64_t shift = 0, d;
	for (unsigned j = g->k; j < t->n; j++) {
		const struct insn *o = &t->d[j].in;
		struct mem_key k;
		/* other ways in do not bring r11; a JMP goes elsewhere */
		if (j > g->k && (bit_at(t->labels, j) || o->op == OP_JMP))
			break;
		int64_t at;
		unsigned sz;
		bool w;
		if (j > g->k && mem_access(g, o, &k, &at, &sz, &w) && same_key(&k, &p) &&
		    (!w || writes_ok)) {
			at += shift;
			int64_t lo = at < p.lo ? at : p.lo;
			int64_t hi = at + sz > p.hi ? at + sz : p.hi;
			if (hi - lo <= GROUP_SPAN) {
				p.lo = lo;
				p.hi = hi;
				p.write |= w;
				p.end = j;
			}
		}
		int moved = reg_delta(o, p.base, p.asize, &d);
		if (moved == 2 || (p.index < 16 && (regs_written(o) >> p.index & 1)))
			break;
		if (moved == 1)
			shift += d;
	}
	if (p.end == g->k)
		return false;
	g->grp = p;
	return true;
}

/* a member of the live group: its host address is r11's, which holds on
 * every way to it (the group's check passed, and a slow path between
 * them checks the group again or leaves the block): it cannot fault.
 * The access addresses [r11 + offset] itself; SSE's emitters want rsi */
static void member_access(struct gen *g, int64_t disp, bool rsi, struct memop *m)
{
	m->at = hm(H_R11, (int32_t)(disp + g->grp.shift - g->grp.lo));
	if (rsi) {
		emit_lea(&g->e, 8, H_RSI, m->at);
		m->at = hm(H_RSI, 0);
	}
}

/* a member whose emitter touches no flags around its access, or sets
 * them all, and has no fault of its own to leave for (DIV's #DE, RET's
 * #GP, SSE's alignment): the flags stay where they are, unspilled */
static bool member_keeps_flags(const struct insn *i)
{
	switch (i->op) {
	case OP_MOV: case OP_MOVZX: case OP_MOVSX: case OP_MOVSXD: case OP_PUSH: case OP_POP:
	case OP_CALL: case OP_ADD: case OP_SUB: case OP_CMP: case OP_AND: case OP_OR: case OP_XOR:
	case OP_TEST:
		return true;
	default:
		return false;
	}
}

/* the linear address in rsi: the first of a new group checks the TLB
 * for them all and then addresses itself as its members do (rsi: SSE's
 * emitters want the address there), any other access for itself */
static void access_check(struct gen *g, const struct mem_key *key, int64_t disp, unsigned size,
			 enum mmu_access acc, bool rsi, struct memop *m)
{
	if (!key || !group_start(g, key, disp, size, acc)) {
		m->miss = tlb_hit(g, size, acc, g->t->back);
		return;
	}
	/* from this access's address to the group's lowest: a miss (a
	 * straddle too) takes the slow path, which checks the group again
	 * after it */
	if (g->grp.lo != disp)
		emit_lea(&g->e, key->asize, H_RSI, hm(H_RSI, (int32_t)(g->grp.lo - disp)));
	m->miss = group_check(g, &g->grp, true);
	emit_mov_rr(&g->e, 8, H_R11, H_RSI);
	member_access(g, disp, rsi, m);
}

/* before a memory access: the flags as they were before it, even when
 * it sets them all, for a fault's handler on the slow path. Where they
 * can be set again from registers the access leaves alone, the slow path
 * does that (FLAGS_REDO) and the hot path spills nothing. */
static void flags_before_access(struct gen *g)
{
	const struct insn *i = &g->t->d[g->k].in;
	if (g->flags == FLAGS_HOST && g->live[g->k] && g->redo.valid &&
	    !(regs_written(i) & g->redo.regs) && !flag_use(i).reads)
		g->flags = FLAGS_REDO;
	if (g->flags != FLAGS_REDO)
		flags_before_clobber(g, 0);
}

/* whether mem_begin takes i's memory operand: its address must be ours */
static bool mem_ours(const struct gen *g, const struct insn *i)
{
	if (is_moffs(i) || i->asize == 2)
		return false;
	return g->code_size == 64 ||
	       ((g->mode & BT_MODE_FLAT) && (i->seg == S_DS || i->seg == S_ES || i->seg == S_SS));
}

/* the flags as this block's image, before a memory access after which
 * they are wanted (mem_begin_flags_in, PUSHF): from the interpreter's
 * lazy state flags_to_host calls a helper, which would lose rsi, the
 * host address; from the image it is three instructions */
static void flags_to_image(struct gen *g)
{
	if (g->flags == FLAGS_MEM)
		gen_flags_to(g, FLAGS_IMAGE);
}

/* a guest LOCK prefix becomes the host's. The vCPUs take turns, so this
 * is not for them: the host's other threads see guest RAM too */
static void lock_if(struct gen *g, const struct insn *i)
{
	if (i->prefixes & PFX_LOCK)
		emit_lock(&g->e);
}

/* -- the block's invariant group (struct gen's inv) -- */

/* the general registers a key (or group) is addressed by */
#define key_regs(k) ((uint16_t)(((k)->base < 16 ? 1u << (k)->base : 0) | \
				((k)->index < 16 ? 1u << (k)->index : 0)))

void gen_inv_choose(struct gen *g)
{
	const struct tb *t = g->t;
	g->inv.live = false;
	if (!t->back)
		return;		/* checks once a round pay only round a loop */
	/* the registers written from instruction k on: a key's accesses
	 * count after the last write of its registers */
	uint16_t after[BT_MAX_INSNS + 1];
	after[t->n] = 0;
	for (unsigned k = t->n; k-- > 0;)
		after[k] = after[k + 1] | regs_written(&t->d[k].in);
	struct cand {
		struct mem_group p;
		unsigned n, first;	/* accesses, the first's instruction */
	} c[BT_MAX_INSNS];
	unsigned nc = 0, best = BT_MAX_INSNS;
	for (unsigned k = 0; k < t->n; k++) {
		struct mem_key key;
		int64_t disp;
		unsigned size;
		bool w;
		if (!mem_access(g, &t->d[k].in, &key, &disp, &size, &w) ||
		    (after[k] & key_regs(&key)) ||
		    key.seg == S_FS || key.seg == S_GS ||
		    (g->code_size != 64 && (!(g->mode & BT_MODE_FLAT) || key.seg == S_CS)))
			continue;
		unsigned n = 0;
		while (n < nc && !same_key(&key, &c[n].p))
			n++;
		if (n == nc) {
			c[nc++] = (struct cand){ { true, key.seg, key.base, key.index, key.scale,
						   key.asize, w, disp, disp + (int64_t)size, 0, 0 }, 0, k };
		}
		struct mem_group *p = &c[n].p;
		p->lo = disp < p->lo ? disp : p->lo;
		p->hi = disp + (int64_t)size > p->hi ? disp + (int64_t)size : p->hi;
		p->write |= w;
		c[n].n++;
	}
	/* Lockstep's journal fills no write tags (group_start) */
	for (unsigned n = 0; n < nc; n++)
		if (c[n].n >= 2 && c[n].p.hi - c[n].p.lo <= GROUP_SPAN &&
		    !(c[n].p.write && g->bv->lockstep) && (best == BT_MAX_INSNS || c[n].n > c[best].n))
			best = n;
	if (best == BT_MAX_INSNS)
		return;
	/* where it holds from: its first access, unless a branch before it
	 * goes past it */
	struct mem_group p = c[best].p;
	unsigned j = c[best].first;
	bool dominates = true;
	for (unsigned k = 0; k < j; k++)
		if (t->target[k] > (int)j)
			dominates = false;
	g->inv_at = j;
	g->inv_probe = false;
	if (!dominates) {
		/* then before the block's first branch, which only the
		 * block's start reaches (it leaves there on a miss: one
		 * instruction ran first, so never without progress) */
		unsigned b = 0;
		while (b < j && t->d[b].in.op != OP_JCC && t->d[b].in.op != OP_JMP)
			b++;
		for (unsigned k = 1; k <= b; k++)
			if (bit_at(t->labels, k))
				return;
		if (b == 0 || b >= j || (after[b] & key_regs(&p)))
			return;
		g->inv_at = b;
		g->inv_probe = true;
	}
	g->inv = p;
}

bool gen_inv_from(const struct gen *g, unsigned from, unsigned to)
{
	if (!g->inv.live || g->inv_at >= to)
		return false;
	for (unsigned k = from; k < to; k++)
		if (regs_written(&g->t->d[k].in) & key_regs(&g->inv))
			return false;
	return true;
}

uint8_t *gen_inv_probe(struct gen *g)
{
	/* the check clobbers host EFLAGS, and its miss leaves (liveness
	 * counts every flag live here): the flags are set again from their
	 * registers there, else spilled */
	if (g->flags == FLAGS_HOST && g->redo.valid)
		g->flags = FLAGS_REDO;
	if (g->flags != FLAGS_REDO)
		flags_before_clobber(g, 0);
	const struct mem_group *p = &g->inv;
	group_lin(g, p);	/* addressable: chosen so */
	uint8_t *miss = group_check(g, p, false);
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_INV), H_RSI);
	g->inv_on = true;
	return miss;
}

/* mem_begin for an access of the block's invariant group: a member's
 * address from icpu.bt_inv, unchecked, or at inv_at its first access's,
 * which checks for them all. false: not one (nothing emitted) */
static bool inv_access(struct gen *g, const struct insn *i, const struct mem_key *k,
		       unsigned size, enum mmu_access acc, uint16_t writes, struct memop *m)
{
	const struct mem_group *p = &g->inv;
	bool first = !g->inv_on && !g->inv_probe && g->k == g->inv_at;
	if (!p->live || !(g->inv_on || first) || !same_key(k, p) || i->disp < p->lo ||
	    i->disp + (int64_t)size > p->hi || (acc != MMU_READ && !p->write))
		return false;
	if (first || !member_keeps_flags(i))
		flags_before_access(g);
	*m = (struct memop){ .at = hm(H_RSI, 0), .flags_out = writes == FL_ARITH,
			     .redo = g->flags == FLAGS_REDO };
	if (first) {
		lin_to_rsi(g, i);
		if (p->lo != i->disp)
			emit_lea(&g->e, k->asize, H_RSI, hm(H_RSI, (int32_t)(p->lo - i->disp)));
		m->miss = group_check(g, p, g->t->back);
		emit_mov_mr(&g->e, 8, hm(H_R15, OFF_INV), H_RSI);
		m->inv = true;
		g->inv_on = true;
	} else {
		emit_mov_rm(&g->e, 8, H_RSI, hm(H_R15, OFF_INV));
	}
	int32_t off = (int32_t)(i->disp - p->lo);
	if (i->op == OP_SSE && off)
		emit_lea(&g->e, 8, H_RSI, hm(H_RSI, off));	/* SSE's emitters want rsi */
	else
		m->at = hm(H_RSI, off);
	return true;
}

static bool mem_begin(struct gen *g, const struct insn *i, unsigned size, enum mmu_access acc,
		      uint16_t writes, struct memop *m)
{
	/* decide before emitting anything */
	if (!mem_ours(g, i))
		return false;
	struct mem_key key = { i->seg, i->base, i->index, i->scale, i->asize };
	const struct mem_key *k = groupable(i) ? &key : NULL;
	if (k && inv_access(g, i, k, size, acc, writes, m))
		return true;
	bool member = k && group_member(g, k, i->disp, size, acc);
	if (!member || !member_keeps_flags(i))
		flags_before_access(g);
	*m = (struct memop){ .at = hm(H_RSI, 0), .flags_out = writes == FL_ARITH,
			     .redo = g->flags == FLAGS_REDO };
	if (member) {
		member_access(g, i->disp, i->op == OP_SSE, m);
	} else {
		if (!lin_to_rsi(g, i))
			return false;	/* cannot happen: checked above */
		access_check(g, k, i->disp, size, acc, i->op == OP_SSE, m);
	}
	return true;
}

/* mem_begin for an instruction that needs the flags in host EFLAGS with
 * the host address (it reads them, or passes some through): loaded
 * after the check */
static bool mem_begin_flags_in(struct gen *g, const struct insn *i, unsigned size,
			       enum mmu_access acc, uint16_t writes, struct memop *m)
{
	if (!mem_ours(g, i))
		return false;
	flags_to_image(g);
	mem_begin(g, i, size, acc, writes, m);
	if (g->flags != FLAGS_HOST)
		flags_to_host(g);
	return true;
}

/* the same for a PUSH (size bytes below rsp) or POP (at rsp): rdi the
 * new rsp, rsi the host address */
static void stack_begin(struct gen *g, bool push, unsigned size, struct memop *m)
{
	unsigned ss = stack_size(g);
	int delta = push ? -(int)size : (int)size;
	int64_t disp = push ? -(int64_t)size : 0;
	enum mmu_access acc = push ? MMU_WRITE : MMU_READ;
	struct mem_key key = stack_key(g);
	/* rdi is about to hold the new rsp: a redo kept there runs now */
	if (redo_in_rdi(&g->redo)) {
		if (g->flags == FLAGS_REDO)
			redo_emit(g);
		g->redo.valid = false;
	}
	bool member = group_member(g, &key, disp, size, acc);
	if (!member || !member_keeps_flags(&g->t->d[g->k].in))
		flags_before_access(g);
	*m = (struct memop){ .at = hm(H_RSI, 0), .redo = g->flags == FLAGS_REDO };
	enum hreg sp = hreg_of(g, R_ESP);
	if (sp == H_NONE) {
		ld_reg(g, ss, H_RDI, R_ESP);
		sp = H_RDI;
	}
	emit_lea(&g->e, ss, H_RDI, hm(sp, delta));
	if (member) {
		member_access(g, disp, false, m);
	} else {
		emit_lea(&g->e, ss, H_RSI, hm(H_RDI, (int32_t)(disp - delta)));
		access_check(g, &key, disp, size, acc, false, m);
	}
}

/* the slow path of m, entered also by the jump at extra (a rel32, or
 * NULL), comes back here */
static void defer_slow(struct gen *g, const struct memop *m, uint8_t *extra, bool flags_out)
{
	if (!m->miss && !extra)
		return;		/* a group's member: nothing leaves for it */
	if (g->nslow >= sizeof(g->slow) / sizeof(g->slow[0])) {
		g->e.full = true;	/* cannot happen: one per instruction */
		return;
	}
	/* the group as the instructions after this one see it */
	struct mem_group p = g->grp;
	group_follow(&p, &g->t->d[g->k].in);
	p.live = p.live && p.end > g->k;
	g->slow[g->nslow++] = (struct slow_path){ { m->miss, extra }, g->e.p + g->e.exec_delta,
						  g->k, flags_out, m->redo, g->redo, p, m->rdi_from,
						  { g->xmm_has[0], g->xmm_has[1] }, m->inv };
}

void gen_slow_paths(struct gen *g)
{
	unsigned k = g->k;
	const uint8_t *thunk = g->nslow ? slow_thunk(g) : NULL;
	for (unsigned n = 0; n < g->nslow; n++) {
		const struct slow_path *sp = &g->slow[n];
		g->k = sp->k;
		emit_bind32(&g->e, sp->from[0]);
		emit_bind32(&g->e, sp->from[1]);
		/* the hot path goes on with a redo that rdi holds */
		bool keep_rdi = sp->redo && redo_in_rdi(&sp->rd) && !sp->rdi_from;
		if (sp->redo) {
			/* the flags the hot path never spilled */
			g->redo = sp->rd;
			g->flags = FLAGS_REDO;
			gen_flags_to_mem(g);
		}
		if (keep_rdi)
			emit_mov_mr(&g->e, 8, hm(H_R15, OFF_BT_RDI), H_RDI);
		slow_insn(g, thunk, sp->flags_out, &sp->grp, sp->inv);
		if (keep_rdi)
			emit_mov_rm(&g->e, 8, H_RDI, hm(H_R15, OFF_BT_RDI));
		if (sp->rdi_from)
			emit_mov_rm(&g->e, 8, H_RDI, hm(H_R15, sp->rdi_from));
		for (unsigned h = 0; h < 2; h++)
			if (sp->xmm_has[h] >= 0)
				emit_sse_rm(&g->e, SSE_MOVDQU_LOAD, h, hm(H_R14, OFF_XMM(sp->xmm_has[h])));
		emit_jmp32(&g->e, sp->back);
	}
	g->k = k;
	for (unsigned n = 0; n < g->nfix; n++) {
		const struct pred_fix *f = &g->fix[n];
		emit_bind32(&g->e, f->rel32);
		emit_mov_rm(&g->e, 8, H_RDX, hmx(H_R15, H_RAX, 1, f->addend));
		emit_mov_ri(&g->e, 8, H_RAX, (uint64_t)(uintptr_t)f->slot);
		emit_mov_mr(&g->e, 8, hm(H_RAX, 0), H_RDX);
		emit_jmp32(&g->e, f->back);
	}
}

static void mem_end(struct gen *g, struct memop *m)
{
	defer_slow(g, m, NULL, m->flags_out);
	/* else it wrote none: they are still where mem_begin left them */
	if (m->flags_out)
		g->flags = FLAGS_HOST;
}

/* -- the instructions -- */

static enum alu_op alu_of(unsigned op)
{
	switch (op) {
	case OP_ADD: return ALU_ADD;
	case OP_OR: return ALU_OR;
	case OP_ADC: return ALU_ADC;
	case OP_SBB: return ALU_SBB;
	case OP_AND: return ALU_AND;
	case OP_SUB: return ALU_SUB;
	case OP_XOR: return ALU_XOR;
	default: return ALU_CMP;
	}
}

/* the source operand (register or immediate) into rcx, or an immediate */
static bool src_is_imm(const struct opnd *o)
{
	return o->kind == OPK_IMM;
}

static void alu_host(struct gen *g, unsigned op, unsigned size, enum hreg dst, const struct insn *i,
		     enum hreg src_reg_or_none, struct hmem src_mem, bool src_mem_ok)
{
	const struct opnd *s = &i->opnd[1];
	if (op == OP_TEST) {
		if (src_is_imm(s))
			emit_test_ri(&g->e, size, dst, (int32_t)i->imm);
		else if (src_reg_or_none != H_NONE)
			emit_test_rr(&g->e, size, dst, src_reg_or_none);
		else
			emit_test_mr(&g->e, size, src_mem, dst);
		return;
	}
	enum alu_op a = alu_of(op);
	if (src_is_imm(s))
		emit_alu_ri(&g->e, a, size, dst, (int32_t)i->imm);
	else if (src_reg_or_none != H_NONE)
		emit_alu_rr(&g->e, a, size, dst, src_reg_or_none);
	else if (src_mem_ok)
		emit_alu_rm(&g->e, a, size, dst, src_mem);
}

/* the redo: this one replaces the one before (src 0xff: imm; dst or src
 * REDO_RDI: in rdi) */
static void redo_set(struct gen *g, unsigned op, unsigned size, unsigned dst, unsigned src,
		     int32_t imm)
{
	g->redo_drop = false;
	g->redo = (struct redo){ true, (uint8_t)op, (uint8_t)size, (uint8_t)dst, (uint8_t)src, imm,
				 (uint16_t)((dst < 16 ? 1u << dst : 0) | (src < 16 ? 1u << src : 0)) };
}

/* i, a register or immediate ALU operation just emitted: what sets its
 * flags again later, if anything can */
static void redo_note(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned op = i->op;
	bool imm = s->kind == OPK_IMM;
	g->redo.valid = false;
	if (g->bv->inject || d->reg >= 16 || (!imm && s->reg >= 16) ||
	    (op != OP_ADD && op != OP_SUB && op != OP_CMP && op != OP_TEST && op != OP_AND &&
	     op != OP_OR && op != OP_XOR))
		return;
	/* ADD or SUB of itself: the operand is lost */
	if ((op == OP_ADD || op == OP_SUB) && !imm && s->reg == d->reg)
		return;
	redo_set(g, op, d->size, d->reg, imm ? 0xff : s->reg, (int32_t)i->imm);
}


/* rdi = the size-byte memory operand at m */
static void ld_mem_rdi(struct gen *g, unsigned size, struct hmem m)
{
	if (size < 4)
		emit_movzx_rm(&g->e, 4, size, H_RDI, m);
	else
		emit_mov_rm(&g->e, size, H_RDI, m);
}

/* whether the flags as they are before instruction k are wanted by a
 * fault's handler at k or after it (an access while they are live, not
 * PUSH's or POP's, which take rdi): then keeping a redo's operand in rdi
 * saves the spill that access would make */
static bool flags_for_fault(const struct gen *g, unsigned k)
{
	const struct tb *t = g->t;
	for (unsigned j = k; j < t->n && g->live[j] && !(j > g->k && bit_at(t->labels, j)); j++) {
		const struct insn *i = &t->d[j].in;
		if (i->op == OP_PUSH || i->op == OP_POP || i->op == OP_CALL || i->op == OP_RET)
			return false;
		if (may_fault(i))
			return true;
		struct flag_use u = flag_use(i);
		if (u.writes == FL_ARITH && !u.reads)
			return false;
	}
	return false;
}

/* the redo's operand in register r, about to be overwritten, copied
 * into rdi for it (unless rdi holds one already) */
static void redo_to_rdi(struct gen *g, unsigned r)
{
	struct redo *rd = &g->redo;
	if (redo_in_rdi(rd))
		return;
	ld_reg(g, 8, H_RDI, r);
	if (rd->dst == r)
		rd->dst = REDO_RDI;
	if (rd->src == r)
		rd->src = REDO_RDI;
	rd->regs &= (uint16_t)~(1u << r);
}

void gen_redo_before(struct gen *g)
{
	const struct insn *i = &g->t->d[g->k].in;
	struct flag_use u = flag_use(i);
	uint16_t hit = g->redo.valid ? regs_written(i) & g->redo.regs : 0;
	/* one operand overwritten while a fault further on wants the
	 * flags: the redo keeps it in rdi */
	if (hit && !(hit & (hit - 1)) && !u.reads && !g->bv->inject &&
	    (g->flags == FLAGS_HOST || g->flags == FLAGS_REDO) && flags_for_fault(g, g->k))
		redo_to_rdi(g, (unsigned)__builtin_ctz(hit));
	bool clobbers = g->redo.valid && (regs_written(i) & g->redo.regs);
	/* a full, faultless writer makes them dead: no need to set them */
	bool dead = u.writes == FL_ARITH && !u.reads && !may_fault(i);
	if (g->flags == FLAGS_REDO && !dead &&
	    (u.reads || (u.writes && u.writes != FL_ARITH) || clobbers))
		redo_emit(g);
	/* flag_use's "reads them all" is also an instruction it does not
	 * know, which may write them too (BT, via the interpreter) */
	g->redo_drop = false;
	if (u.reads == FL_ARITH || clobbers || (u.writes && u.writes != FL_ARITH))
		g->redo.valid = false;
	else if (u.writes)
		g->redo_drop = true;	/* a fault in its access still wants it */
}

void gen_redo_after(struct gen *g)
{
	if (g->redo_drop)
		g->redo.valid = false;
	g->redo_drop = false;
}

/* flags an ALU op needs in host EFLAGS before it runs (ADC, SBB: CF) */
static void alu_flags_in(struct gen *g, unsigned op)
{
	if ((op == OP_ADC || op == OP_SBB) && g->flags != FLAGS_HOST)
		flags_to_host(g);
}

static bool gen_alu(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned size = d->size, op = i->op;
	bool writes_dst = op != OP_CMP && op != OP_TEST;
	if (i->nopnd != 2 || (s->kind != OPK_REG && s->kind != OPK_IMM && s->kind != OPK_MEM))
		return false;
	/* LOCK is for a memory destination (else #UD, the interpreter's) */
	if ((i->prefixes & PFX_LOCK) && (d->kind != OPK_MEM || !writes_dst))
		return false;
	if (reg_opnd(d) && s->kind != OPK_MEM) {
		alu_flags_in(g, op);
		enum hreg h = writes_dst ? dst_in_place(g, d->reg) : hreg_of(g, d->reg);
		if (h != H_NONE) {
			alu_host(g, op, size, h, i, s->kind == OPK_REG ? hreg_of(g, s->reg) : H_NONE,
				 greg(s->kind == OPK_REG ? s->reg : 0), s->kind == OPK_REG);
			if (op == OP_ADD && g->bv->inject)
				emit_alu_ri(&g->e, ALU_ADD, size, h, 1);
			g->flags = FLAGS_HOST;
			redo_note(g, i);
			return true;
		}
		ld_reg(g, size, H_RAX, d->reg);
		alu_host(g, op, size, H_RAX, i, s->kind == OPK_REG ? hreg_of(g, s->reg) : H_NONE,
			 greg(s->kind == OPK_REG ? s->reg : 0), s->kind == OPK_REG);
		if (op == OP_ADD && g->bv->inject)
			emit_alu_ri(&g->e, ALU_ADD, size, H_RAX, 1);
		if (writes_dst)
			st_reg(g, size, d->reg, H_RAX);
		g->flags = FLAGS_HOST;
		redo_note(g, i);
		return true;
	}
	if (op == OP_ADC || op == OP_SBB)
		return false;	/* the TLB check would clobber CF */
	struct memop m;
	bool redo_ok = !g->bv->inject && d->reg < 16 && (s->kind == OPK_IMM || s->reg < 16);
	if (reg_opnd(d)) {
		/* reg op= [mem] */
		if (!mem_begin(g, i, size, MMU_READ, FL_ARITH, &m))
			return false;
		/* the memory operand in rdi, where a fault further on wants
		 * the flags: the redo's source */
		bool in_rdi = redo_ok && (op == OP_CMP || op == OP_ADD || op == OP_SUB) &&
			      flags_for_fault(g, g->k + 1);
		if (in_rdi)
			ld_mem_rdi(g, size, m.at);
		enum hreg src = in_rdi ? H_RDI : H_NONE;
		enum hreg h = writes_dst ? dst_in_place(g, d->reg) : hreg_of(g, d->reg);
		if (h != H_NONE) {
			alu_host(g, op, size, h, i, src, m.at, true);
		} else {
			ld_reg(g, size, H_RCX, d->reg);
			alu_host(g, op, size, H_RCX, i, src, m.at, true);
			if (writes_dst)
				st_reg(g, size, d->reg, H_RCX);
		}
		if (in_rdi)
			m.rdi_from = OFF_LF_B;
		mem_end(g, &m);
		if (in_rdi)
			redo_set(g, op, size, d->reg, REDO_RDI, 0);
		else if (redo_ok && (op == OP_AND || op == OP_OR || op == OP_XOR))
			redo_set(g, op, size, d->reg, 0xff, 0);	/* TEST of the result */
		return true;
	}
	/* [mem] op= reg/imm */
	if (!mem_begin(g, i, size, writes_dst ? MMU_WRITE : MMU_READ, FL_ARITH, &m))
		return false;
	enum hreg src = s->kind == OPK_REG ? src_in(g, size, s->reg) : H_NONE;
	lock_if(g, i);
	if (!writes_dst && redo_ok && !(i->prefixes & PFX_LOCK) && flags_for_fault(g, g->k + 1)) {
		/* CMP or TEST: the memory operand in rdi, the redo's
		 * destination (TEST's: the result, which gives the same) */
		ld_mem_rdi(g, size, m.at);
		alu_host(g, op, size, H_RDI, i, src, m.at, false);
		m.rdi_from = op == OP_TEST ? OFF_LF_RES : OFF_LF_A;
		mem_end(g, &m);
		bool imm = s->kind == OPK_IMM;
		redo_set(g, op, size, REDO_RDI, imm ? 0xff : s->reg, imm ? (int32_t)i->imm : 0);
		return true;
	}
	if (op == OP_TEST) {
		if (s->kind == OPK_IMM)
			emit_test_mi(&g->e, size, m.at, (int32_t)i->imm);
		else
			emit_test_mr(&g->e, size, m.at, src);
	} else if (s->kind == OPK_IMM) {
		emit_alu_mi(&g->e, alu_of(op), size, m.at, (int32_t)i->imm);
	} else {
		emit_alu_mr(&g->e, alu_of(op), size, m.at, src);
	}
	mem_end(g, &m);
	return true;
}

static bool gen_mov(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned size = d->size;
	if (reg_opnd(d) && reg_opnd(s)) {
		enum hreg h = dst_in_place(g, d->reg);
		ld_reg(g, size, h != H_NONE ? h : H_RAX, s->reg);
		if (h == H_NONE)
			st_reg(g, size, d->reg, H_RAX);
		return true;
	}
	if (reg_opnd(d) && s->kind == OPK_IMM) {
		enum hreg h = size >= 4 ? dst_in_place(g, d->reg) : H_NONE;
		emit_mov_ri(&g->e, size == 8 ? 8 : 4, h != H_NONE ? h : H_RAX, i->imm & size_mask(size));
		if (h == H_NONE)
			st_reg(g, size, d->reg, H_RAX);
		return true;
	}
	struct memop m;
	if (reg_opnd(d) && s->kind == OPK_MEM) {
		if (!mem_begin(g, i, size, MMU_READ, 0, &m))
			return false;
		enum hreg h = dst_in_place(g, d->reg);
		emit_mov_rm(&g->e, size, h != H_NONE ? h : H_RAX, m.at);
		if (h == H_NONE)
			st_reg(g, size, d->reg, H_RAX);
		mem_end(g, &m);
		return true;
	}
	if (d->kind == OPK_MEM && (reg_opnd(s) || s->kind == OPK_IMM)) {
		if (!mem_begin(g, i, size, MMU_WRITE, 0, &m))
			return false;
		if (reg_opnd(s)) {
			emit_mov_mr(&g->e, size, m.at, src_in(g, size, s->reg));
		} else {
			emit_mov_mi(&g->e, size, m.at, (int32_t)i->imm);
		}
		mem_end(g, &m);
		return true;
	}
	return false;
}

static bool gen_movx(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	bool sx = i->op != OP_MOVZX;
	unsigned dsize = d->size, ssize = s->size;
	if (!reg_opnd(d) || ssize >= dsize)
		return false;
	/* the host's movzx to 4 bytes covers 8; movsx to 2 writes 4 host bytes,
	 * which st_reg stores as 2 */
	unsigned hsize = dsize == 2 ? 4 : dsize;
	if (reg_opnd(s)) {
		enum hreg h = hreg_of(g, s->reg);
		enum hreg to = dsize >= 4 ? dst_in_place(g, d->reg) : H_NONE;
		if (to == H_NONE)
			to = H_RAX;
		if (h != H_NONE && sx)
			emit_movsx_rr(&g->e, hsize, ssize, to, h);
		else if (h != H_NONE)
			emit_movzx_rr(&g->e, hsize == 8 ? 4 : hsize, ssize, to, h);
		else if (sx)
			emit_movsx_rm(&g->e, hsize, ssize, to, greg(s->reg));
		else
			emit_movzx_rm(&g->e, hsize == 8 ? 4 : hsize, ssize, to, greg(s->reg));
		if (to == H_RAX)
			st_reg(g, dsize, d->reg, H_RAX);
		return true;
	}
	struct memop m;
	if (s->kind != OPK_MEM || !mem_begin(g, i, ssize, MMU_READ, 0, &m))
		return false;
	enum hreg to = dsize >= 4 ? dst_in_place(g, d->reg) : H_NONE;
	if (to == H_NONE)
		to = H_RAX;
	if (sx)
		emit_movsx_rm(&g->e, hsize, ssize, to, m.at);
	else
		emit_movzx_rm(&g->e, hsize == 8 ? 4 : hsize, ssize, to, m.at);
	if (to == H_RAX)
		st_reg(g, dsize, d->reg, H_RAX);
	mem_end(g, &m);
	return true;
}

static bool gen_lea(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	unsigned size = d->size < i->asize ? d->size : i->asize;
	if (!reg_opnd(d) || is_moffs(i) || i->asize == 2)
		return false;
	/* one LEA reads base and index before it writes */
	enum hreg h = d->size >= 4 ? dst_in_place(g, d->reg) : H_NONE;
	if (h != H_NONE)
		return ea_to_size(g, i, h, size);
	if (!ea_to_size(g, i, H_RAX, size))
		return false;
	st_reg(g, d->size, d->reg, H_RAX);
	return true;
}

static bool gen_push(struct gen *g, const struct insn *i)
{
	const struct opnd *s = &i->opnd[0];
	unsigned ss = stack_size(g), sz = i->osize;
	if (!stack_ok(g, i) || (!reg_opnd(s) && s->kind != OPK_IMM))
		return false;
	struct memop m;
	stack_begin(g, true, sz, &m);
	enum hreg src = H_RCX;
	if (reg_opnd(s))
		src = src_in(g, sz, s->reg);
	else
		emit_mov_ri(&g->e, 8, H_RCX, i->imm & size_mask(sz));
	emit_mov_mr(&g->e, sz, m.at, src);
	st_reg(g, ss, R_ESP, H_RDI);
	mem_end(g, &m);
	return true;
}

/* PUSHF outside virtual-8086 mode (the blocks never run there): RFLAGS
 * with the arithmetic flags from this block's image, RF and VM clear */
static bool gen_pushf(struct gen *g, const struct insn *i)
{
	unsigned ss = stack_size(g), sz = i->osize;
	if (!stack_ok(g, i))
		return false;
	flags_to_image(g);
	struct memop m;
	stack_begin(g, true, sz, &m);
	/* the image: AH = SF ZF - AF - PF - CF, AL = OF */
	emit_movzx_rm(&g->e, 4, 1, H_RCX, hm(H_R15, OFF_LF_RES + 1));
	emit_alu_ri(&g->e, ALU_AND, 4, H_RCX, FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF);
	emit_movzx_rm(&g->e, 4, 1, H_RDX, hm(H_R15, OFF_LF_RES));
	emit_shift_ri(&g->e, SH_SHL, 4, H_RDX, 11);
	emit_alu_rr(&g->e, ALU_OR, 4, H_RCX, H_RDX);
	emit_mov_rm(&g->e, 8, H_RAX, hm(H_R14, OFF_RFLAGS));
	emit_alu_ri(&g->e, ALU_AND, 8, H_RAX, (int32_t)(0x00fcffffu & ~(uint32_t)FL_ARITH));
	emit_alu_rr(&g->e, ALU_OR, 8, H_RAX, H_RCX);
	emit_mov_mr(&g->e, sz, m.at, H_RAX);
	st_reg(g, ss, R_ESP, H_RDI);
	mem_end(g, &m);
	return true;
}

static bool gen_pop(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	unsigned ss = stack_size(g), sz = i->osize;
	if (!stack_ok(g, i) || !reg_opnd(d))
		return false;
	struct memop m;
	stack_begin(g, false, sz, &m);
	emit_mov_rm(&g->e, sz, H_RAX, m.at);
	st_reg(g, ss, R_ESP, H_RDI);
	st_reg(g, sz, d->reg, H_RAX);
	mem_end(g, &m);
	return true;
}

/* INC, DEC, NOT, NEG of memory. INC and DEC pass CF through: where
 * anyone may read it, the host's comes from this block's spill, put
 * back after the TLB check */
static bool gen_unary_mem(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	bool incdec = i->op == OP_INC || i->op == OP_DEC;
	bool cf_in = incdec && (g->live[g->k + 1] & FL_CF);
	uint16_t writes = i->op == OP_NOT ? 0 : incdec ? FL_ARITH & ~FL_CF : FL_ARITH;
	struct memop m;
	if (!(cf_in ? mem_begin_flags_in : mem_begin)(g, i, d->size, MMU_WRITE, writes, &m))
		return false;
	lock_if(g, i);
	if (i->op == OP_INC)
		emit_inc_m(&g->e, d->size, m.at);
	else if (i->op == OP_DEC)
		emit_dec_m(&g->e, d->size, m.at);
	else
		emit_unary_m(&g->e, i->op == OP_NEG ? UN_NEG : UN_NOT, d->size, m.at);
	/* all six in host EFLAGS after it, on the slow path too */
	m.flags_out = writes != 0;
	mem_end(g, &m);
	return true;
}

/* INC, DEC, NOT, NEG of a register (or memory, above) */
static bool gen_unary(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	if (d->kind == OPK_MEM)
		return gen_unary_mem(g, i);
	if (!reg_opnd(d))
		return false;
	/* INC and DEC pass CF through: it must be the guest's if anyone
	 * reads it */
	bool incdec = i->op == OP_INC || i->op == OP_DEC;
	if (incdec && g->flags != FLAGS_HOST && (g->live[g->k + 1] & FL_CF))
		flags_to_host(g);
	enum hreg h = rmw_begin(g, d->size, d->reg);
	if (i->op == OP_INC)
		emit_inc_r(&g->e, d->size, h);
	else if (i->op == OP_DEC)
		emit_dec_r(&g->e, d->size, h);
	else
		emit_unary_r(&g->e, i->op == OP_NEG ? UN_NEG : UN_NOT, d->size, h);
	rmw_end(g, d->size, d->reg, h);
	if (i->op != OP_NOT)
		g->flags = FLAGS_HOST;
	return true;
}

/* DIV of 32 and 64 bits: rdx:rax by the operand, natively unless the
 * quotient would not fit (a divisor of 0 included: rdx >= it), where the
 * interpreter raises #DE. The flags stay as they were, as the
 * interpreter leaves them. */
static bool gen_div(struct gen *g, const struct insn *i)
{
	const struct opnd *s = &i->opnd[0];
	unsigned size = s->size;
	if (i->nopnd != 1 || (size != 4 && size != 8) || (!reg_opnd(s) && s->kind != OPK_MEM))
		return false;
	struct memop m = { 0 };
	if (s->kind == OPK_MEM) {
		if (!mem_begin(g, i, size, MMU_READ, 0, &m))
			return false;
		emit_mov_rm(&g->e, size, H_RCX, m.at);
	} else {
		flags_before_clobber(g, 0);
		ld_reg(g, size, H_RCX, s->reg);
	}
	ld_reg(g, size, H_RDX, R_EDX);
	emit_alu_rr(&g->e, ALU_CMP, size, H_RDX, H_RCX);
	uint8_t *big = emit_jcc32(&g->e, 3 /* AE */, NULL);
	ld_reg(g, size, H_RAX, R_EAX);
	emit_unary_r(&g->e, UN_DIV, size, H_RCX);
	st_reg(g, size, R_EAX, H_RAX);
	st_reg(g, size, R_EDX, H_RDX);
	defer_slow(g, &m, big, false);
	return true;
}

/* MUL of 32 or 64 bits, rdx:rax = rax * src, when nobody but a fault's
 * handler reads the flags after it: SF ZF AF PF are undefined, and the
 * host's need not be the interpreter's */
static bool gen_mul(struct gen *g, const struct insn *i)
{
	const struct opnd *s = &i->opnd[0];
	unsigned size = s->size;
	if (i->nopnd != 1 || (size != 4 && size != 8) || (!reg_opnd(s) && s->kind != OPK_MEM) ||
	    g->seen[g->k + 1])
		return false;
	struct memop m;
	if (s->kind == OPK_MEM) {
		if (!mem_begin(g, i, size, MMU_READ, FL_ARITH, &m))
			return false;
		ld_reg(g, size, H_RAX, R_EAX);
		emit_unary_m(&g->e, UN_MUL, size, m.at);
	} else {
		flags_before_clobber(g, FL_ARITH);
		enum hreg src = src_in(g, size, s->reg);
		ld_reg(g, size, H_RAX, R_EAX);
		emit_unary_r(&g->e, UN_MUL, size, src);
	}
	st_reg(g, size, R_EAX, H_RAX);
	st_reg(g, size, R_EDX, H_RDX);
	if (s->kind == OPK_MEM)
		mem_end(g, &m);
	g->flags = FLAGS_HOST;
	return true;
}

/* BSWAP of 32 and 64 bits (of 16 the result is undefined: the
 * interpreter's answer stands) */
static bool gen_bswap(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	if (!reg_opnd(d) || d->size < 4)
		return false;
	enum hreg h = rmw_begin(g, d->size, d->reg);
	emit_bswap_r(&g->e, d->size, h);
	rmw_end(g, d->size, d->reg, h);
	return true;
}

static bool gen_setcc(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	if (d->kind == OPK_MEM) {
		struct memop m;
		if (!mem_begin_flags_in(g, i, 1, MMU_WRITE, 0, &m))
			return false;
		emit_setcc_m(&g->e, i->cond, m.at);
		m.flags_out = true;
		mem_end(g, &m);
		return true;
	}
	if (!reg_opnd(d))
		return false;
	if (g->flags != FLAGS_HOST)
		flags_to_host(g);
	enum hreg h = dst_in_place(g, d->reg);
	emit_setcc_r(&g->e, i->cond, h != H_NONE ? h : H_RAX);
	if (h == H_NONE)
		st_reg(g, 1, d->reg, H_RAX);
	return true;
}

static bool gen_cmov(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	if (!reg_opnd(d) || (!reg_opnd(s) && s->kind != OPK_MEM) || d->size == 2)
		return false;
	/* the source is read whether or not it moves, and may fault */
	struct memop m;
	if (s->kind == OPK_MEM && !mem_begin_flags_in(g, i, d->size, MMU_READ, 0, &m))
		return false;
	if (g->flags != FLAGS_HOST)
		flags_to_host(g);
	/* outside 64-bit code a 32-bit CMOV leaves the register whole when
	 * false and zero-extends the source when true: a 64-bit cmov of the
	 * zero-extended source does exactly that */
	unsigned hsize = d->size == 4 && i->mode != 64 ? 8 : d->size;
	enum hreg h = rmw_begin(g, hsize, d->reg);
	if (s->kind == OPK_MEM)
		emit_mov_rm(&g->e, d->size, H_RCX, m.at);
	else
		ld_reg(g, d->size, H_RCX, s->reg);
	emit_cmovcc_rr(&g->e, i->cond, hsize, h, H_RCX);
	rmw_end(g, hsize, d->reg, h);
	if (s->kind == OPK_MEM) {
		m.flags_out = true;	/* the slow path's back in host EFLAGS */
		mem_end(g, &m);
	}
	return true;
}

static bool gen_xchg(struct gen *g, const struct insn *i)
{
	const struct opnd *a = &i->opnd[0], *b = &i->opnd[1];
	if (!reg_opnd(a) || !reg_opnd(b))
		return false;
	ld_reg(g, a->size, H_RAX, a->reg);
	ld_reg(g, a->size, H_RCX, b->reg);
	st_reg(g, a->size, a->reg, H_RCX);
	st_reg(g, a->size, b->reg, H_RAX);
	return true;
}

/* CBW/CWDE/CDQE and CWD/CDQ/CQO: rax sign-extended in place, or its
 * sign into rdx */
static bool gen_sext_acc(struct gen *g, const struct insn *i)
{
	unsigned size = i->osize;
	if (i->op == OP_CBW) {
		enum hreg h = rmw_begin(g, size, R_EAX);
		emit_movsx_rr(&g->e, size, size / 2, h, h);
		rmw_end(g, size, R_EAX, h);
	} else {
		ld_reg(g, size, H_RAX, R_EAX);
		emit_cwd_family(&g->e, size);
		st_reg(g, size, R_EDX, H_RDX);
	}
	return true;
}

static enum bt_op bt_op_of(unsigned op)
{
	return op == OP_BT ? BT_BT : op == OP_BTS ? BT_BTS : op == OP_BTR ? BT_BTR : BT_BTC;
}

/* BT, BTS, BTR, BTC of a register, or of memory at an immediate offset
 * (a register's reaches outside the operand: the interpreter's). They
 * set CF and leave ZF OF SF AF PF as they were, on the host as in the
 * interpreter (alu.c bit_test): those must be in host EFLAGS first if
 * anyone reads them. */
static bool gen_bt(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned size = d->size;
	enum bt_op op = bt_op_of(i->op);
	bool imm = s->kind == OPK_IMM, keep = g->live[g->k + 1] & (FL_ARITH & ~FL_CF);
	if (i->nopnd != 2 || size == 1 || (!imm && !reg_opnd(s)))
		return false;
	if (d->kind == OPK_MEM) {
		struct memop m;
		if (!imm || ((i->prefixes & PFX_LOCK) && op == BT_BT) ||
		    !(keep ? mem_begin_flags_in : mem_begin)(g, i, size,
							  op == BT_BT ? MMU_READ : MMU_WRITE, FL_CF, &m))
			return false;
		lock_if(g, i);
		emit_bt_mi(&g->e, op, size, m.at, (uint8_t)i->imm);
		m.flags_out = true;
		mem_end(g, &m);
		return true;
	}
	if (!reg_opnd(d) || (i->prefixes & PFX_LOCK))
		return false;
	if (keep && g->flags != FLAGS_HOST)
		flags_to_host(g);
	enum hreg src = imm ? H_NONE : src_in(g, size, s->reg);
	enum hreg h = op == BT_BT ? held_or_loaded(g, hreg_of(g, d->reg), size, d->reg, H_RAX)
				  : rmw_begin(g, size, d->reg);
	if (imm)
		emit_bt_ri(&g->e, op, size, h, (uint8_t)i->imm);
	else
		emit_bt_rr(&g->e, op, size, h, src);
	if (op != BT_BT)
		rmw_end(g, size, d->reg, h);
	g->flags = FLAGS_HOST;
	return true;
}

/* BSF and BSR (TZCNT and LZCNT too: without BMI1 and ABM in CPUID they
 * are these) of 64 bits, when no one reads CF OF SF AF PF before they
 * are written again: undefined, and the host's need not be the
 * interpreter's. ZF is defined, and a zero source leaves the
 * destination as it was on both (of 32 bits the upper half might not
 * be: those stay the interpreter's) */
static bool gen_bsf(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	bool fwd = i->op == OP_BSF || i->op == OP_TZCNT;
	if (i->nopnd != 2 || d->size != 8 || !reg_opnd(d) ||
	    (g->seen[g->k + 1] & (FL_ARITH & ~FL_ZF)))
		return false;
	if (s->kind == OPK_MEM) {
		struct memop m;
		if (!mem_begin(g, i, 8, MMU_READ, FL_ARITH, &m))
			return false;
		enum hreg h = rmw_begin(g, 8, d->reg);
		emit_bsf_rm(&g->e, fwd, 8, h, m.at);
		rmw_end(g, 8, d->reg, h);
		mem_end(g, &m);
	} else if (reg_opnd(s)) {
		flags_before_clobber(g, FL_ARITH);
		enum hreg src = src_in(g, 8, s->reg);
		enum hreg h = rmw_begin(g, 8, d->reg);
		emit_bsf_rr(&g->e, fwd, 8, h, src);
		rmw_end(g, 8, d->reg, h);
	} else {
		return false;
	}
	g->flags = FLAGS_HOST;
	return true;
}

/* CMPXCHG and XADD with a memory destination: the host's own, on the
 * host address, with the flags of the CMP or ADD they do */
static bool gen_xop_mem(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned size = d->size;
	if (i->nopnd != 2 || d->kind != OPK_MEM || !reg_opnd(s))
		return false;
	struct memop m;
	if (!mem_begin(g, i, size, MMU_WRITE, FL_ARITH, &m))
		return false;
	if (i->op == OP_CMPXCHG) {
		/* all of rax, so that a 32-bit failure's zero extension and
		 * a success's untouched upper half are the host's */
		enum hreg src = src_in(g, size, s->reg);
		ld_reg(g, 8, H_RAX, R_EAX);
		lock_if(g, i);
		emit_cmpxchg_mr(&g->e, size, m.at, src);
		st_reg(g, 8, R_EAX, H_RAX);
	} else {
		ld_reg(g, size, H_RCX, s->reg);
		lock_if(g, i);
		emit_xadd_mr(&g->e, size, m.at, H_RCX);
		st_reg(g, size, s->reg, H_RCX);
	}
	mem_end(g, &m);
	return true;
}

/* guest register r zero-extended from size bytes into host h */
static void ld_reg_zx(struct gen *g, unsigned size, enum hreg h, unsigned r)
{
	if (size >= 4)
		ld_reg(g, size, h, r);
	else if (is_cached(g, r))
		emit_movzx_rr(&g->e, 4, size, h, (enum hreg)g->host_of[r]);
	else
		emit_movzx_rm(&g->e, 4, size, h, greg(r));
}

/* Shifts and the two- and three-operand IMUL leave some flags undefined
 * (OF and AF of a shift by more than one, SF ZF AF PF of IMUL), where the
 * host's answer may not be the interpreter's (Intel's). The host's flags
 * serve only where no one but a fault's handler looks at them before the
 * next instruction that sets them all; else they are left in the
 * interpreter's lazy form, computed from the operands and result as the
 * interpreter would. */
/* A shift whose flags someone reads: natively, with the flags left in
 * the interpreter's lazy form (LF_SHL/SHR/SAR: operand, result, count),
 * so they are exactly the interpreter's, undefined ones included. The
 * count is an immediate n (not 0), or CL when n is 0: a count of 0
 * leaves the flags as they were. */
static void shift_lazy(struct gen *g, const struct insn *i, uint8_t hop, unsigned n)
{
	static const uint8_t lf[] = { [SH_SHL] = LF_SHL, [SH_SHR] = LF_SHR, [SH_SAR] = LF_SAR };
	const struct opnd *d = &i->opnd[0];
	unsigned size = d->size;
	flags_before_clobber(g, n ? FL_ARITH : 0);
	ld_reg_zx(g, size, H_RAX, d->reg);
	uint8_t *zero = NULL;
	if (!n) {
		ld_reg_zx(g, 1, H_RCX, R_ECX);
		emit_alu_ri(&g->e, ALU_AND, 4, H_RCX, size == 8 ? 63 : 31);
		zero = emit_jcc8(&g->e, 4 /* E */);
	}
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_A), H_RAX);
	if (n)
		emit_shift_ri(&g->e, hop, size, H_RAX, (uint8_t)n);
	else
		emit_shift_rcl(&g->e, hop, size, H_RAX);
	/* a byte or word result leaves the zero-extended bits above it */
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_RES), H_RAX);
	if (n)
		emit_mov_mi(&g->e, 4, hm(H_R15, OFF_LF_COUNT), (int32_t)n);
	else
		emit_mov_mr(&g->e, 4, hm(H_R15, OFF_LF_COUNT), H_RCX);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_OP), lf[hop]);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_SIZE), (int32_t)size);
	if (zero)
		emit_bind8(&g->e, zero);
	/* a count of 0 writes the operand back: a 32-bit one zero-extends */
	st_reg(g, size, d->reg, H_RAX);
	g->flags = FLAGS_MEM;
}

/* a shift by CL whose flags nobody but a fault's handler reads: the
 * host's. A count of 0 leaves them as they were, on the host as in the
 * guest, so where that handler may look they go into host EFLAGS first
 * (a mov loads CL and the operand without touching them) */
static void shift_cl_host(struct gen *g, const struct insn *i, uint8_t hop)
{
	const struct opnd *d = &i->opnd[0];
	if (g->live[g->k + 1] && g->flags != FLAGS_HOST)
		flags_to_host(g);
	ld_reg(g, 4, H_RCX, R_ECX);
	enum hreg h = rmw_begin(g, d->size, d->reg);
	emit_shift_rcl(&g->e, hop, d->size, h);
	rmw_end(g, d->size, d->reg, h);
	g->flags = FLAGS_HOST;
}

static bool gen_shift(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	static const uint8_t host_op[] = { [OP_SHL] = SH_SHL, [OP_SAL] = SH_SHL, [OP_SHR] = SH_SHR,
					   [OP_SAR] = SH_SAR };
	if (!reg_opnd(d) || i->nopnd != 2)
		return false;
	const struct opnd *c = &i->opnd[1];
	if (c->kind == OPK_REG && c->reg == R_ECX && c->size == 1) {
		if (g->seen[g->k + 1])
			shift_lazy(g, i, host_op[i->op], 0);
		else
			shift_cl_host(g, i, host_op[i->op]);
		return true;
	}
	unsigned n = shift_count(i);
	if (!n)
		return false;
	if (g->seen[g->k + 1]) {
		shift_lazy(g, i, host_op[i->op], n);
		return true;
	}
	/* nobody but a fault's handler looks: the host's flags will do,
	 * and where one further on may, the operand in rdi sets them again */
	bool in_rdi = !g->bv->inject && d->reg < 16 && flags_for_fault(g, g->k + 1);
	enum hreg h = rmw_begin(g, d->size, d->reg);
	if (in_rdi)
		emit_mov_rr(&g->e, 8, H_RDI, h);
	emit_shift_ri(&g->e, host_op[i->op], d->size, h, (uint8_t)n);
	rmw_end(g, d->size, d->reg, h);
	g->flags = FLAGS_HOST;
	if (in_rdi)
		redo_set(g, i->op == OP_SAL ? OP_SHL : i->op, d->size, REDO_RDI, 0xff, (int32_t)n);
	return true;
}

/* ROL/ROR by an immediate: CF and OF only (OF undefined past a count of
 * 1). Natively where those come out right for whoever reads them: with
 * the flags in host EFLAGS (the others pass through) unless OF of a
 * longer rotate is read; with them in the interpreter's state when no
 * one, not even a fault's handler, reads CF or OF before they are set
 * again. Else the interpreter's. */
static bool gen_rotate(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	unsigned n = shift_count(i);
	if (!n || !reg_opnd(d))
		return false;
	/* OF is undefined after more than one bit: the host's need not be
	 * the interpreter's */
	if (n != 1 && (g->seen[g->k + 1] & FL_OF))
		return false;
	/* CF and OF come out; the others pass through, so where anyone
	 * reads them they go into host EFLAGS first */
	bool out = g->live[g->k + 1] & (FL_CF | FL_OF);
	if (out && g->flags != FLAGS_HOST && (g->live[g->k + 1] & (FL_ARITH & ~(FL_CF | FL_OF))))
		flags_to_host(g);
	enum hreg h = rmw_begin(g, d->size, d->reg);
	emit_shift_ri(&g->e, i->op == OP_ROL ? SH_ROL : SH_ROR, d->size, h, (uint8_t)n);
	rmw_end(g, d->size, d->reg, h);
	if (out)
		g->flags = FLAGS_HOST;
	return true;
}

static bool gen_imul(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	if (i->nopnd < 2 || !reg_opnd(d) || !reg_opnd(s) || d->size == 1 ||
	    (i->nopnd == 3 && i->opnd[2].kind != OPK_IMM))
		return false;
	bool lazy = g->seen[g->k + 1];
	if (lazy)
		flags_before_clobber(g, FL_ARITH);
	/* in place unless the product must stay in rax for the lazy flags */
	enum hreg h = lazy ? H_NONE : dst_in_place(g, d->reg);
	enum hreg to = h != H_NONE ? h : H_RAX;
	if (i->nopnd == 2) {
		if (to == H_RAX)
			ld_reg(g, d->size, H_RAX, d->reg);
		if (is_cached(g, s->reg))
			emit_imul_rr(&g->e, d->size, to, (enum hreg)g->host_of[s->reg]);
		else
			emit_imul_rm(&g->e, d->size, to, greg(s->reg));
	} else {
		emit_imul_rri(&g->e, d->size, to, src_in(g, d->size, s->reg), (int32_t)i->imm);
	}
	if (to == H_RAX)
		st_reg(g, d->size, d->reg, H_RAX);
	if (!lazy) {
		g->flags = FLAGS_HOST;
		return true;
	}
	/* someone reads them: LF_IMUL, the interpreter's form (lf_res the
	 * product's low half, lf_b whether the high half was significant:
	 * the host's CF) */
	emit_setcc_r(&g->e, 2 /* B: CF */, H_RCX);
	emit_movzx_rr(&g->e, 4, 1, H_RCX, H_RCX);
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_B), H_RCX);
	if (d->size == 2)
		emit_movzx_rr(&g->e, 4, 2, H_RAX, H_RAX);
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_RES), H_RAX);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_OP), LF_IMUL);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_SIZE), (int32_t)d->size);
	g->flags = FLAGS_MEM;
	return true;
}

bool gen_call_push(struct gen *g)
{
	const struct insn *i = &g->t->d[g->k].in;
	unsigned ss = stack_size(g), sz = i->osize;
	if (!stack_ok(g, i))
		return false;
	struct memop m;
	stack_begin(g, true, sz, &m);
	emit_mov_ri(&g->e, 8, H_RCX, g->t->rip[g->k + 1]);
	emit_mov_mr(&g->e, sz, m.at, H_RCX);
	st_reg(g, ss, R_ESP, H_RDI);
	mem_end(g, &m);
	return true;
}

bool gen_ret(struct gen *g)
{
	const struct insn *i = &g->t->d[g->k].in;
	unsigned ss = stack_size(g), sz = i->osize;
	if (!stack_ok(g, i) || i->opcode != 0xc3 || sz == 2)
		return false;
	struct memop m;
	stack_begin(g, false, sz, &m);
	emit_mov_rm(&g->e, sz, H_RAX, m.at);
	if (sz == 8) {
		/* a non-canonical return address: #GP at the RET, with rsp as
		 * it was (the interpreter raises it on the slow path) */
		emit_mov_rr(&g->e, 8, H_RDX, H_RAX);
		emit_shift_ri(&g->e, SH_SHL, 8, H_RDX, 16);
		emit_shift_ri(&g->e, SH_SAR, 8, H_RDX, 16);
		emit_alu_rr(&g->e, ALU_CMP, 8, H_RDX, H_RAX);
		uint8_t *bad = emit_jcc32(&g->e, 5 /* NE */, NULL);
		st_reg(g, ss, R_ESP, H_RDI);
		emit_mov_mr(&g->e, 8, hm(H_R14, OFF_RIP), H_RAX);
		defer_slow(g, &m, bad, false);
		g->flags = FLAGS_MEM;
		return true;
	}
	st_reg(g, ss, R_ESP, H_RDI);
	emit_mov_mr(&g->e, 8, hm(H_R14, OFF_RIP), H_RAX);
	mem_end(g, &m);
	return true;
}

void gen_store_rip(struct emit *e, uint64_t rip)
{
	emit_mov_ri(e, 8, H_RAX, rip);
	emit_mov_mr(e, 8, hm(H_R14, OFF_RIP), H_RAX);
}

/* The host address the chained block begins at is the immediate of a
 * movabs (0: not chained), and its code the target of the jmp after the
 * check (bt_chain patches both): read from a struct bt_exit, they were
 * a cache miss at most calls from one kernel function to another. */
void gen_far_exit(struct gen *g, struct bt_exit *ex, uint64_t rip)
{
	struct emit *e = &g->e;
	emit_mov_ri(e, 8, H_RSI, rip);
	uint8_t *miss = tlb_hit(g, 1, MMU_FETCH, false);
	uint8_t *imm = emit_movabs_patchable(e, H_RCX);
	emit_alu_rr(e, ALU_CMP, 8, H_RSI, H_RCX);
	uint8_t *other = emit_jcc32(e, 5 /* NE */, NULL);
	emit_align_rel32_jmp(e);
	uint8_t *jmp = emit_jmp32(e, NULL);
	if (!e->full) {
		ex->far_imm = imm + e->exec_delta;
		ex->far_rel32 = jmp + e->exec_delta;
	}
	emit_bind32(e, miss);
	emit_bind32(e, other);
	gen_store_rip(e, rip);
	gen_next(g, ex);
}

/* bt_h_next's jump-cache hit, inline: the block at c->s->rip whose first
 * byte is where the TLB says (its page mapped as when translated), of
 * this block's mode (struct bt_jc: dropped blocks' entries are cleared);
 * on a miss, falls through. Not under lockstep, whose blocks all go back
 * to the dispatcher. */
static void next_inline(struct gen *g)
{
	struct emit *e = &g->e;
	uint8_t *miss[3];
	emit_mov_rm(e, 8, H_RSI, hm(H_R14, OFF_RIP));
	miss[0] = tlb_hit(g, 1, MMU_FETCH, false);
	emit_mov_ri(e, 8, H_RDX, bt_jc_key(0, g->mode));
	emit_alu_rr(e, ALU_OR, 8, H_RSI, H_RDX);
	/* bt_jc_index(rip), times the entry's 32 bytes */
	emit_mov_rm(e, 8, H_RAX, hm(H_R14, OFF_RIP));
	emit_mov_rr(e, 8, H_RDX, H_RAX);
	emit_shift_ri(e, SH_SHR, 8, H_RDX, BT_JC_BITS);
	emit_alu_rr(e, ALU_XOR, 4, H_RDX, H_RAX);
	emit_alu_ri(e, ALU_AND, 4, H_RDX, (1 << BT_JC_BITS) - 1);
	emit_shift_ri(e, SH_SHL, 4, H_RDX, 5);
	emit_alu_rm(e, ALU_ADD, 8, H_RDX, hm(H_R15, (int32_t)offsetof(struct icpu, bt_cpu)));
	emit_alu_rm(e, ALU_CMP, 8, H_RAX, hm(H_RDX, (int32_t)(offsetof(struct bt_cpu, jc) + offsetof(struct bt_jc, rip))));
	miss[1] = emit_jcc32(e, 5 /* NE */, NULL);
	emit_alu_rm(e, ALU_CMP, 8, H_RSI, hm(H_RDX, (int32_t)(offsetof(struct bt_cpu, jc) + offsetof(struct bt_jc, key))));
	miss[2] = emit_jcc32(e, 5 /* NE */, NULL);
	emit_jmp_m(e, hm(H_RDX, (int32_t)(offsetof(struct bt_cpu, jc) + offsetof(struct bt_jc, code))));
	for (unsigned k = 0; k < 3; k++)
		emit_bind32(e, miss[k]);
}

void gen_next(struct gen *g, struct bt_exit *far)
{
	if (!far && !g->bv->lockstep)
		next_inline(g);
	emit_mov_rr(&g->e, 8, H_RDI, H_R15);
	if (far)
		emit_mov_ri(&g->e, 8, H_RSI, (uint64_t)(uintptr_t)far);
	else
		emit_alu_rr(&g->e, ALU_XOR, 4, H_RSI, H_RSI);
	gen_call(g, (const void *)bt_h_next);
	emit_test_rr(&g->e, 8, H_RAX, H_RAX);
	uint8_t *none = emit_jcc8(&g->e, 4 /* E */);
	emit_jmp_r(&g->e, H_RAX);
	emit_bind8(&g->e, none);
	emit_mov_ri(&g->e, 4, H_RAX, BT_EXIT_LOOKUP);
	emit_jmp32(&g->e, g->bv->exit_tramp);
}

/* -- the return-address stack (struct icpu's bt_ras_*) --
 * A RET went through the jump cache, whose entry and block were cache
 * misses in kernel code's many return sites (an eighth of fork/exec's
 * time). A CALL's block now pushes where it returns to and an exit of
 * its own to there (the return entry, chained as any exit); a RET whose
 * popped address matches the top entry jumps to it. The tag makes a
 * match mean the same mode and no TLB flush since the CALL, so the
 * return entry's page maps where it did (a chain never leaves a page,
 * and one to another goes through its stub's check); a flush of the
 * code cache empties the stack (bt.c's forget_code). */
#define OFF_RAS_TOP ((int32_t)offsetof(struct icpu, bt_ras_top))
#define OFF_RAS_RIP ((int32_t)offsetof(struct icpu, bt_ras_rip))
#define OFF_RAS_TAG ((int32_t)offsetof(struct icpu, bt_ras_tag))
#define OFF_RAS_CODE ((int32_t)offsetof(struct icpu, bt_ras_code))
#define OFF_TLB_FLUSHES ((int32_t)(offsetof(struct icpu, tlb) + offsetof(struct tlb, flushes)))

/* reg = the tag of now: TLB flushes (the low half) and this block's mode */
static void ras_tag(struct gen *g, enum hreg reg)
{
	emit_mov_rm(&g->e, 4, reg, hm(H_R15, OFF_TLB_FLUSHES));
	emit_shift_ri(&g->e, SH_SHL, 8, reg, 32);
	emit_alu_ri(&g->e, ALU_OR, 8, reg, (int32_t)g->mode);
}

uint8_t *gen_ras_push(struct gen *g, uint64_t ret_rip)
{
	struct emit *e = &g->e;
	gen_flags_to_mem(g);
	emit_mov_rm(e, 4, H_RAX, hm(H_R15, OFF_RAS_TOP));
	emit_alu_ri(e, ALU_ADD, 4, H_RAX, 1);
	emit_alu_ri(e, ALU_AND, 4, H_RAX, ICPU_BT_RAS - 1);
	emit_mov_mr(e, 4, hm(H_R15, OFF_RAS_TOP), H_RAX);
	emit_mov_ri(e, 8, H_RCX, ret_rip);
	emit_mov_mr(e, 8, hmx(H_R15, H_RAX, 8, OFF_RAS_RIP), H_RCX);
	ras_tag(g, H_RCX);
	emit_mov_mr(e, 8, hmx(H_R15, H_RAX, 8, OFF_RAS_TAG), H_RCX);
	uint8_t *entry = emit_lea_rip_fwd(e, H_RCX);
	emit_mov_mr(e, 8, hmx(H_R15, H_RAX, 8, OFF_RAS_CODE), H_RCX);
	return entry;
}

void gen_ras_pop(struct gen *g)
{
	struct emit *e = &g->e;
	gen_flags_to_mem(g);
	/* popped whether it matches or not, as a CPU's return stack does,
	 * so a return that was not to its call (a retpoline) keeps the rest */
	emit_mov_rm(e, 4, H_RDX, hm(H_R15, OFF_RAS_TOP));
	emit_lea(e, 4, H_RAX, hm(H_RDX, -1));
	emit_alu_ri(e, ALU_AND, 4, H_RAX, ICPU_BT_RAS - 1);
	emit_mov_mr(e, 4, hm(H_R15, OFF_RAS_TOP), H_RAX);
	emit_mov_rm(e, 8, H_RAX, hm(H_R14, OFF_RIP));
	emit_alu_rm(e, ALU_CMP, 8, H_RAX, hmx(H_R15, H_RDX, 8, OFF_RAS_RIP));
	uint8_t *other = emit_jcc32(e, 5 /* NE */, NULL);
	ras_tag(g, H_RCX);
	emit_alu_rm(e, ALU_CMP, 8, H_RCX, hmx(H_R15, H_RDX, 8, OFF_RAS_TAG));
	uint8_t *stale = emit_jcc32(e, 5 /* NE */, NULL);
	emit_jmp_m(e, hmx(H_R15, H_RDX, 8, OFF_RAS_CODE));
	emit_bind32(e, other);
	emit_bind32(e, stale);
}

/* -- SSE: integer operations and moves of whole xmm registers -- */


enum sse_kind { SSE_NO, SSE_OP, SSE_LOAD, SSE_STORE, SSE_SHIFT_IMM };

/* what the translator runs of an SSE instruction itself: operations on
 * integers and bits of xmm, xmm/m128 (no flags, no MXCSR, nothing
 * implicit), the moves of whole registers, the shifts by an immediate;
 * *aligned: an m128 operand must be 16-aligned (#GP) */
static enum sse_kind sse_kind(const struct insn *i, bool *aligned)
{
	unsigned o = i->opcode, p = i->mpfx;
	*aligned = true;
	if (i->map == MAP_0F38)
		return p == 1 && (o <= 0x0b || (o >= 0x1c && o <= 0x1e) || o == 0x28 || o == 0x29 ||
				  o == 0x2b || (o >= 0x37 && o <= 0x40)) ? SSE_OP : SSE_NO;
	if (i->map == MAP_0F3A)
		return p == 1 && (o == 0x0e || o == 0x0f) ? SSE_OP : SSE_NO;
	if (i->map != MAP_0F)
		return SSE_NO;
	if (o == 0x6f && (p == 1 || p == 2)) {
		*aligned = p == 1;		/* MOVDQA, MOVDQU */
		return SSE_LOAD;
	}
	if ((o == 0x28 || o == 0x10) && p <= 1) {
		*aligned = o == 0x28;		/* MOVAPS/PD, MOVUPS/PD */
		return SSE_LOAD;
	}
	if (o == 0x7f && (p == 1 || p == 2)) {
		*aligned = p == 1;
		return SSE_STORE;
	}
	if ((o == 0x29 || o == 0x11) && p <= 1) {
		*aligned = o == 0x29;
		return SSE_STORE;
	}
	if (p <= 1 && o >= 0x54 && o <= 0x57)
		return SSE_OP;			/* AND, ANDN, OR, XOR of PS/PD */
	if (o == 0x70 && p != 0)
		return SSE_OP;			/* PSHUFD, PSHUFHW, PSHUFLW */
	if (p != 1)
		return SSE_NO;
	if (o >= 0x71 && o <= 0x73) {
		unsigned r = (i->modrm >> 3) & 7;
		return r == 2 || r == 4 || r == 6 || (o == 0x73 && (r == 3 || r == 7)) ? SSE_SHIFT_IMM
											 : SSE_NO;
	}
	return (o >= 0x60 && o <= 0x6d) || (o >= 0x74 && o <= 0x76) || (o >= 0xd1 && o <= 0xd5) ||
	       (o >= 0xd8 && o <= 0xef && o != 0xe6 && o != 0xe7) || (o >= 0xf1 && o <= 0xf6) ||
	       (o >= 0xf8 && o <= 0xfe) ? SSE_OP : SSE_NO;
}

/* the host's opcode word for the guest's instruction */
static uint32_t sse_opc(const struct insn *i)
{
	static const uint32_t pfx[4] = { 0, OPC_66, OPC_F3, OPC_F2 };
	static const uint32_t esc[4] = { 0, OPC_0F, OPC_0F | OPC_38, OPC_0F | OPC_3A };
	return i->opcode | pfx[i->mpfx & 3] | esc[i->map & 3];
}

static bool xmm_or_m128(const struct opnd *o)
{
	return o->kind == OPK_XMM || (o->kind == OPK_MEM && o->size == 16);
}

/* the m128 operand's host address into rsi, checked as the instruction
 * wants; the jumps to its slow path in *m (NULL: not ours) */
static bool sse_mem(struct gen *g, const struct insn *i, enum mmu_access acc, bool aligned,
		    struct memop *m, uint8_t **misaligned)
{
	if (!mem_begin(g, i, 16, acc, 0, m))
		return false;
	*misaligned = NULL;
	if (aligned) {
		emit_test_ri(&g->e, 4, H_RSI, 15);
		*misaligned = emit_jcc32(&g->e, 5 /* NE */, NULL);
	}
	return true;
}

/* MOVD and MOVQ between an xmm register and a general register or
 * memory (the xmm side through the FXSAVE image: the low 4 or 8 bytes,
 * the rest zeroed when written), and PMOVMSKB */
static bool gen_sse_narrow(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	unsigned o = i->opcode, p = i->mpfx;
	struct emit *e = &g->e;
	struct memop m;
	if (i->map != MAP_0F || i->nopnd != 2)
		return false;
	if (o == 0xd7 && p == 1) {
		/* PMOVMSKB r32, xmm */
		if (!reg_opnd(d) || s->kind != OPK_XMM)
			return false;
		emit_sse_rm(e, SSE_MOVDQU_LOAD, 0, hm(H_R14, OFF_XMM(s->reg)));
		emit_op_rr(e, 0xd7 | OPC_0F | OPC_66, H_RAX, 0);
		st_reg(g, d->size, d->reg, H_RAX);
		return true;
	}
	bool to_xmm = (o == 0x6e && p == 1) || (o == 0x7e && p == 2) || (o == 0xd6 && p == 1 && d->kind == OPK_XMM);
	bool from_xmm = (o == 0x7e && p == 1) || (o == 0xd6 && p == 1 && d->kind == OPK_MEM);
	if (to_xmm) {
		unsigned n = o == 0x6e ? s->size : 8;
		if (d->kind != OPK_XMM || (n != 4 && n != 8))
			return false;
		bool mem = s->kind == OPK_MEM;
		if (mem) {
			if (!mem_begin(g, i, n, MMU_READ, 0, &m))
				return false;
			emit_mov_rm(e, n, H_RAX, m.at);
		} else if (s->kind == OPK_XMM && o != 0x6e) {
			emit_mov_rm(e, 8, H_RAX, hm(H_R14, OFF_XMM(s->reg)));
		} else if (reg_opnd(s) && o == 0x6e) {
			ld_reg(g, n, H_RAX, s->reg);	/* 4 bytes zero-extend */
		} else {
			return false;
		}
		emit_mov_mr(e, 8, hm(H_R14, OFF_XMM(d->reg)), H_RAX);
		emit_mov_mi(e, 8, hm(H_R14, OFF_XMM(d->reg) + 8), 0);
		if (mem)
			mem_end(g, &m);
		return true;
	}
	if (from_xmm) {
		unsigned n = o == 0xd6 ? 8 : d->size;
		if (s->kind != OPK_XMM || (n != 4 && n != 8))
			return false;
		if (d->kind == OPK_MEM) {
			if (!mem_begin(g, i, n, MMU_WRITE, 0, &m))
				return false;
			emit_mov_rm(e, n, H_RAX, hm(H_R14, OFF_XMM(s->reg)));
			emit_mov_mr(e, n, m.at, H_RAX);
			mem_end(g, &m);
			return true;
		}
		if (!reg_opnd(d))
			return false;
		emit_mov_rm(e, n, H_RAX, hm(H_R14, OFF_XMM(s->reg)));
		st_reg(g, n, d->reg, H_RAX);
		return true;
	}
	return false;
}

/* host xmm register h holds guest xmm register r now (and no longer
 * what it held; the other one, if it held r, no longer counts) */
static void xmm_holds(struct gen *g, unsigned h, int r)
{
	if (g->xmm_has[1 - h] == r)
		g->xmm_has[1 - h] = -1;
	g->xmm_has[h] = (int8_t)r;
}

/* the host xmm register (0 or 1) holding guest xmm register r, or -1 */
static int xmm_held(const struct gen *g, unsigned r)
{
	return g->xmm_has[0] == (int)r ? 0 : g->xmm_has[1] == (int)r ? 1 : -1;
}

/* guest xmm register r in host xmm h, loaded unless it is there */
static void xmm_load(struct gen *g, unsigned h, unsigned r)
{
	if (g->xmm_has[h] != (int)r) {
		emit_sse_rm(&g->e, SSE_MOVDQU_LOAD, h, hm(H_R14, OFF_XMM(r)));
		xmm_holds(g, h, (int)r);
	}
}

static bool gen_sse(struct gen *g, const struct insn *i)
{
	bool aligned;
	enum sse_kind kind = sse_kind(i, &aligned);
	if (!(g->mode & BT_MODE_SSE) || (i->prefixes & PFX_LOCK))
		return false;
	if (kind == SSE_NO) {
		g->xmm_has[0] = g->xmm_has[1] = -1;	/* it may write one in memory */
		return gen_sse_narrow(g, i);
	}
	const struct opnd *d = &i->opnd[0], *s = &i->opnd[1];
	struct emit *e = &g->e;
	struct memop m = { 0 };
	uint8_t *misaligned = NULL;
	bool mem = false;
	if (kind == SSE_SHIFT_IMM) {
		if (i->nopnd != 2 || d->kind != OPK_XMM || s->kind != OPK_IMM)
			return false;
		int h = xmm_held(g, d->reg);
		if (h < 0)
			xmm_load(g, (unsigned)(h = 0), d->reg);
		emit_op_rr(e, sse_opc(i), (i->modrm >> 3) & 7, (unsigned)h);
		emit_byte(e, (unsigned)i->imm & 0xff);
		emit_sse_rm(e, SSE_MOVDQU_STORE, (unsigned)h, hm(H_R14, OFF_XMM(d->reg)));
		return true;
	}
	if (kind == SSE_STORE) {
		if (i->nopnd != 2 || s->kind != OPK_XMM || !xmm_or_m128(d))
			return false;
		if (d->kind == OPK_MEM) {
			if (!sse_mem(g, i, MMU_WRITE, aligned, &m, &misaligned))
				return false;
			mem = true;
		}
		int h = xmm_held(g, s->reg);
		if (h < 0)
			xmm_load(g, (unsigned)(h = 0), s->reg);
		emit_sse_rm(e, SSE_MOVDQU_STORE, (unsigned)h, mem ? m.at : hm(H_R14, OFF_XMM(d->reg)));
		if (!mem)
			xmm_holds(g, (unsigned)h, d->reg);
	} else {
		bool imm = i->nopnd == 3 && i->opnd[2].kind == OPK_IMM;
		if (d->kind != OPK_XMM || !xmm_or_m128(s) || i->nopnd != 2 + imm)
			return false;
		if (s->kind == OPK_MEM) {
			if (!sse_mem(g, i, MMU_READ, aligned, &m, &misaligned))
				return false;
			mem = true;
		}
		unsigned hd;
		if (kind == SSE_LOAD) {
			int h = mem ? -1 : xmm_held(g, s->reg);
			if (h < 0) {
				h = 0;
				emit_sse_rm(e, SSE_MOVDQU_LOAD, 0, mem ? m.at : hm(H_R14, OFF_XMM(s->reg)));
			}
			hd = (unsigned)h;
		} else {
			/* the operation on the host register holding the
			 * destination, the source in the other unless it is
			 * the same register */
			int hs = mem ? -1 : xmm_held(g, s->reg), h = xmm_held(g, d->reg);
			if (h < 0)
				h = hs == 0 ? 1 : 0;
			xmm_load(g, (unsigned)h, d->reg);
			unsigned src = (unsigned)h;
			if (mem) {
				src = 1 - (unsigned)h;
				emit_sse_rm(e, SSE_MOVDQU_LOAD, src, m.at);
				g->xmm_has[src] = -1;
			} else if (s->reg != d->reg) {
				src = 1 - (unsigned)h;
				xmm_load(g, src, s->reg);
			}
			emit_sse_rr(e, sse_opc(i), (unsigned)h, src);
			if (imm)
				emit_byte(e, (unsigned)i->imm & 0xff);
			hd = (unsigned)h;
		}
		emit_sse_rm(e, SSE_MOVDQU_STORE, hd, hm(H_R14, OFF_XMM(d->reg)));
		xmm_holds(g, hd, d->reg);
	}
	if (mem) {
		/* no flags written: the slow path leaves them where they are
		 * (and loads xmm0 and xmm1 again after the interpreter) */
		defer_slow(g, &m, misaligned, false);
	}
	return true;
}

/* STI at CPL 0 (translate.c takes it there alone): IF on, in the block,
 * while the LAPIC has no interrupt to give and no NMI, INIT or SIPI
 * waits (lock-free: irq_maybe, events); else the careful step's, before
 * it. One that arrives later is seen at the next poll, which is never
 * before the instruction after: not the last of the block, STI is the
 * careful step's there too (STI; HLT must not take an interrupt between) */
static bool gen_sti(struct gen *g)
{
	const struct tb *t = g->t;
	unsigned k = g->k;
	if (g->cpl != 0)
		return false;
	flags_before_clobber(g, 0);
	struct stub *st;
	if (k + 1 < t->n) {
		emit_mov_rm(&g->e, 8, H_RAX, hm(H_R15, (int32_t)offsetof(struct icpu, v)));
		emit_mov_rm(&g->e, 4, H_RDX, hm(H_RAX, (int32_t)offsetof(struct vcpu, events)));
		emit_alu_rm(&g->e, ALU_OR, 4, H_RDX, hm(H_RAX, (int32_t)offsetof(struct vcpu, irq_maybe)));
		st = gen_stub(g, emit_jcc32(&g->e, 5 /* NE */, NULL), ST_BREAK, t->n - k, 0, t->rip[k]);
		emit_alu_mi(&g->e, ALU_OR, 4, hm(H_R14, OFF_RFLAGS), (int32_t)FL_IF);
	} else {
		st = gen_stub(g, emit_jmp32(&g->e, NULL), ST_BREAK, t->n - k, 0, t->rip[k]);
		g->dead = true;
	}
	if (st)
		st->store = g->dirty;
	return true;
}

/* MOV r, Sreg: the selector, zero-extended (P6 and later) into a 32- or
 * 64-bit register, merged into a 16-bit one (seg.c's rule); memory and
 * the selectors past GS are the interpreter's */
static bool gen_mov_seg_store(struct gen *g, const struct insn *i)
{
	const struct opnd *d = &i->opnd[0];
	unsigned seg = i->opnd[1].reg;
	if (d->kind != OPK_REG || d->size < 2 || seg >= CPU_NR_SEGS)
		return false;
	emit_movzx_rm(&g->e, 4, 2, H_RAX, hm(H_R14, OFF_SEG(seg, selector)));
	st_reg(g, d->size, d->reg, H_RAX);
	return true;
}

/* MOV r, CRn at CPL 0 (blocks are per CPL; anywhere else #GP, the
 * interpreter's): a copy of the register, 32 bits of it outside 64-bit
 * code; CR8 only in 64-bit code, the other numbers #UD */
static bool gen_mov_cr_store(struct gen *g, const struct insn *i)
{
	static const int32_t off[9] = {
		[0] = OFF_CR(cr0), [2] = OFF_CR(cr2), [3] = OFF_CR(cr3), [4] = OFF_CR(cr4), [8] = OFF_CR(cr8),
	};
	const struct opnd *d = &i->opnd[0];
	unsigned cr = i->opnd[1].reg;
	if (g->cpl != 0 || d->kind != OPK_REG || d->size < 4 || cr > 8 || !off[cr] ||
	    (cr == 8 && g->code_size != 64))
		return false;
	emit_mov_rm(&g->e, d->size, H_RAX, hm(H_R14, off[cr]));
	st_reg(g, d->size, d->reg, H_RAX);
	return true;
}

bool gen_native(struct gen *g)
{
	const struct insn *i = &g->t->d[g->k].in;
	if (i->op == OP_SSE)
		return gen_sse(g, i);
	if (i->op == OP_MOV_SEG_STORE)
		return gen_mov_seg_store(g, i);
	if (i->op == OP_MOV_CR_STORE)
		return gen_mov_cr_store(g, i);
	/* every operand form below is a general register, memory,
	 * or an immediate; anything else is the interpreter's */
	for (unsigned n = 0; n < i->nopnd; n++) {
		unsigned k = i->opnd[n].kind;
		if (k != OPK_REG && k != OPK_MEM && k != OPK_IMM && k != OPK_ONE)
			return false;
	}
	switch (i->op) {
	case OP_ADD: case OP_OR: case OP_ADC: case OP_SBB: case OP_AND: case OP_SUB:
	case OP_XOR: case OP_CMP: case OP_TEST:
		return gen_alu(g, i);
	case OP_MOV:
		return i->nopnd == 2 && gen_mov(g, i);
	case OP_MOVZX: case OP_MOVSX: case OP_MOVSXD:
		return gen_movx(g, i);
	case OP_LEA:
		return gen_lea(g, i);
	case OP_PUSH:
		return gen_push(g, i);
	case OP_PUSHF:
		return gen_pushf(g, i);
	case OP_POP:
		return gen_pop(g, i);
	case OP_INC: case OP_DEC: case OP_NOT: case OP_NEG:
		return gen_unary(g, i);
	case OP_SETCC:
		return gen_setcc(g, i);
	case OP_CMOVCC:
		return gen_cmov(g, i);
	case OP_XCHG:
		return gen_xchg(g, i);
	case OP_SHL: case OP_SAL: case OP_SHR: case OP_SAR:
		return gen_shift(g, i);
	case OP_IMUL:
		return gen_imul(g, i);
	case OP_ROL: case OP_ROR:
		return gen_rotate(g, i);
	case OP_NOP:
		/* 0F 1F's operand is never accessed: padding costs nothing */
		return true;
	case OP_PREFETCH:
		/* a hint, which never faults: nothing to do here */
		return true;
	case OP_BSWAP:
		return gen_bswap(g, i);
	case OP_DIV:
		return gen_div(g, i);
	case OP_MUL:
		return gen_mul(g, i);
	case OP_CLI:
		/* at CPL 0 it only clears IF (translate.c takes it there
		 * alone): interrupts wait, nobody need look */
		if (g->cpl != 0)
			return false;
		if (g->flags == FLAGS_HOST)
			flags_before_clobber(g, 0);
		emit_alu_mi(&g->e, ALU_AND, 4, hm(H_R14, OFF_RFLAGS), ~(int32_t)FL_IF);
		return true;
	case OP_STI:
		return gen_sti(g);
	case OP_SWAPGS:
		/* at CPL 0 in 64-bit code (translate.c takes it there
		 * alone); movs leave the flags be. A group's check was of
		 * the old base */
		if (g->cpl != 0 || g->code_size != 64)
			return false;
		gen_group_end(g);
		emit_mov_rm(&g->e, 8, H_RAX, hm(H_R14, OFF_SEG(S_GS, base)));
		emit_mov_rm(&g->e, 8, H_RDX, hm(H_R14, OFF_KGS_BASE));
		emit_mov_mr(&g->e, 8, hm(H_R14, OFF_SEG(S_GS, base)), H_RDX);
		emit_mov_mr(&g->e, 8, hm(H_R14, OFF_KGS_BASE), H_RAX);
		return true;
	case OP_CLD: case OP_STD:
		/* DF lives in rflags alone (string instructions are the
		 * interpreter's, and read it there) */
		if (g->flags == FLAGS_HOST)
			flags_before_clobber(g, 0);
		if (i->op == OP_CLD)
			emit_alu_mi(&g->e, ALU_AND, 4, hm(H_R14, OFF_RFLAGS), ~(int32_t)FL_DF);
		else
			emit_alu_mi(&g->e, ALU_OR, 4, hm(H_R14, OFF_RFLAGS), (int32_t)FL_DF);
		return true;
	case OP_LFENCE: case OP_MFENCE: case OP_SFENCE:
		/* the interpreter's is a full fence too (sse.c op_fence) */
		emit_mfence(&g->e);
		return true;
	case OP_CBW: case OP_CWD:
		return gen_sext_acc(g, i);
	case OP_BT: case OP_BTS: case OP_BTR: case OP_BTC:
		return gen_bt(g, i);
	case OP_BSF: case OP_BSR: case OP_TZCNT: case OP_LZCNT:
		return gen_bsf(g, i);
	case OP_CMPXCHG: case OP_XADD:
		return gen_xop_mem(g, i);
	default:
		return false;
	}
}
