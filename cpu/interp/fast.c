// Specialised handlers for the hot operand forms of 32-bit code, chosen when the decode cache binds an instruction.
// SPDX-License-Identifier: MIT
#include "cpu/interp/fast.h"

#include "cpu/interp/fastmem.h"
#include "cpu/interp/flags.h"
#include "cpu/interp/ops.h"

/* Each handler here does exactly what the generic one of alu.c, datamov.c
 * or ctrl.c does for the same instruction, in the same order of accesses
 * (so faults are the same), with the operand kinds, sizes and the 32-bit
 * address size fixed when it was bound instead of looked up per run.
 * fast_bind() binds one only where every assumption it makes holds;
 * anything else keeps the generic handler. */

#define ALWAYS inline __attribute__((always_inline))
#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)

/* operand forms: destination then source */
enum form { F_RR, F_RI, F_RM, F_MR, F_MI, F_NFORMS };
enum { K_REG, K_IMM, K_MEM };

static ALWAYS int dst_kind(enum form f)
{
	return f == F_MR || f == F_MI ? K_MEM : K_REG;
}

static ALWAYS int src_kind(enum form f)
{
	return f == F_RI || f == F_MI ? K_IMM : f == F_RM ? K_MEM : K_REG;
}

static ALWAYS int64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - size * 8;
	return (int64_t)(v << sh) >> sh;
}

/* insn_ea() for 32-bit addressing (never RIP-relative) */
static ALWAYS uint64_t ea32(const struct icpu *c, const struct insn *i)
{
	const uint64_t *g = c->s->gpr;
	uint64_t b = i->base != REG_NONE ? g[i->base & 15] : 0;
	uint64_t x = i->index != REG_NONE ? g[i->index & 15] << i->scale : 0;
	return ((uint64_t)(int64_t)i->disp + b + x) & 0xffffffffull;
}

static ALWAYS uint64_t rget(const struct icpu *c, unsigned r, unsigned sz)
{
	if (sz == 4)
		return c->s->gpr[r] & 0xffffffffull;
	return reg_read(c, r, sz);
}

static ALWAYS void rput(struct icpu *c, unsigned r, unsigned sz, uint64_t v)
{
	if (sz == 4)
		c->s->gpr[r] = v & 0xffffffffull;
	else
		reg_write(c, r, sz, v);
}

static ALWAYS uint64_t mread(struct icpu *c, int seg, uint64_t off, unsigned sz)
{
	void *h = vmem_host_fast(c, seg, off, sz, MMU_READ);
	if (likely(h != NULL))
		return host_load(h, sz);
	return vmem_read(c, seg, off, sz);
}

static ALWAYS void mwrite(struct icpu *c, int seg, uint64_t off, uint64_t v, unsigned sz)
{
	void *h = vmem_host_fast(c, seg, off, sz, MMU_WRITE);
	if (likely(h != NULL))
		host_store(h, v, sz);
	else
		vmem_write(c, seg, off, v, sz);
}

/* A handler whose first access misses the inline hit path has changed
 * nothing yet: it runs the instruction anew through the generic handler,
 * out of line and as its last act, so the hit path needs no stack frame
 * to survive a call. */
static __attribute__((noinline, cold)) void redo_generic(struct icpu *c, const struct insn *i)
{
	interp_bind(i->op)(c, i);
}

/* mread() for the first access of handler (c, i), before it changed
 * anything: on a miss the handler returns through redo_generic */
#define MREAD_FIRST(c, i, seg, off, sz) __extension__ ({			\
	void *h_ = vmem_host_fast(c, seg, off, sz, MMU_READ);			\
	if (unlikely(!h_)) {							\
		redo_generic(c, i);						\
		return;								\
	}									\
	host_load(h_, sz);							\
})

/* a read-modify-write destination: *hp is the host pointer for the write,
 * or NULL when vmem_read_rmw() took the access (then vmem_write_rmw()) */
static ALWAYS uint64_t rmw_read(struct icpu *c, int seg, uint64_t off, unsigned sz, void **hp)
{
	void *h = vmem_host_fast(c, seg, off, sz, MMU_WRITE);
	*hp = h;
	if (likely(h != NULL))
		return host_load(h, sz);
	return vmem_read_rmw(c, seg, off, sz);
}

static ALWAYS void rmw_write(struct icpu *c, void *h, uint64_t v, unsigned sz)
{
	if (likely(h != NULL))
		host_store(h, v & size_mask(sz), sz);
	else
		vmem_write_rmw(c, v & size_mask(sz));
}

/* flags_cf() with its cheap cases inline */
static ALWAYS bool cf_fast(struct icpu *c)
{
	switch (c->lf_op) {
	case LF_SUB: return c->lf_a < c->lf_b;
	case LF_LOGIC: return false;
	case LF_INC: case LF_DEC: return c->lf_carry_in != 0;
	case LF_ADD: return c->lf_res < c->lf_a;
	default: return flags_cf(c);
	}
}

/* cond_eval() with the cases after CMP/SUB, logic, ADD/INC/DEC inline;
 * cc is a constant where this is expanded */
static ALWAYS bool cond_fast(struct icpu *c, unsigned cc)
{
	unsigned k = (cc >> 1) & 7;
	uint64_t res = c->lf_res, sb = 1ull << (c->lf_size * 8 - 1);
	bool r;
	switch (c->lf_op) {
	case LF_SUB: {
		uint64_t a = c->lf_a, b = c->lf_b;
		switch (k) {
		case 1: r = a < b; break;
		case 2: r = a == b; break;
		case 3: r = a <= b; break;
		case 4: r = (res & sb) != 0; break;
		case 6: r = sext(a, c->lf_size) < sext(b, c->lf_size); break;
		case 7: r = sext(a, c->lf_size) <= sext(b, c->lf_size); break;
		default: return cond_eval(c, cc);
		}
		break;
	}
	case LF_LOGIC:
		/* CF = OF = 0 */
		switch (k) {
		case 0: case 1: r = false; break;
		case 2: case 3: r = res == 0; break;
		case 4: case 6: r = (res & sb) != 0; break;
		case 5: r = !__builtin_parity((uint8_t)res); break;
		default: r = res == 0 || (res & sb); break;
		}
		break;
	case LF_ADD: case LF_INC: case LF_DEC:
		if (k == 2) {
			r = res == 0;
			break;
		}
		if (k == 4) {
			r = (res & sb) != 0;
			break;
		}
		return cond_eval(c, cc);
	default:
		return cond_eval(c, cc);
	}
	return r ^ (cc & 1);
}

/* -- two-operand arithmetic and logic (alu.c op_add .. op_test) -- */

enum alu { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST, A_NOPS };

static ALWAYS void alu(struct icpu *c, const struct insn *i, enum alu op, enum form f, unsigned sz)
{
	uint64_t m = size_mask(sz), a, b, r;
	bool writes = op != A_CMP && op != A_TEST;
	void *h = NULL;
	if (dst_kind(f) == K_MEM) {
		uint64_t off = ea32(c, i);
		if (writes)
			a = rmw_read(c, i->seg, off, sz, &h);
		else
			a = MREAD_FIRST(c, i, i->seg, off, sz);
	} else {
		a = rget(c, i->opnd[0].reg, sz);
	}
	switch (src_kind(f)) {
	case K_REG: b = rget(c, i->opnd[1].reg, sz); break;
	case K_IMM: b = i->imm & m; break;
	default: b = MREAD_FIRST(c, i, i->seg, ea32(c, i), sz); break;	/* F_RM: a is a register */
	}
	unsigned cin = 0;
	switch (op) {
	case A_ADD: r = a + b; break;
	case A_ADC: cin = cf_fast(c); r = a + b + cin; break;
	case A_SBB: cin = cf_fast(c); r = a - b - cin; break;
	case A_SUB: case A_CMP: r = a - b; break;
	case A_OR: r = a | b; break;
	case A_XOR: r = a ^ b; break;
	default: r = a & b; break;
	}
	if (writes) {
		if (dst_kind(f) == K_MEM)
			rmw_write(c, h, r, sz);
		else
			rput(c, i->opnd[0].reg, sz, r);
	}
	switch (op) {
	case A_ADD: flags_lazy(c, LF_ADD, sz, a, b, r); break;
	case A_ADC: flags_lazy(c, LF_ADC, sz, a, b, r); c->lf_carry_in = cin; break;
	case A_SBB: flags_lazy(c, LF_SBB, sz, a, b, r); c->lf_carry_in = cin; break;
	case A_SUB: case A_CMP: flags_lazy(c, LF_SUB, sz, a, b, r); break;
	default: flags_lazy(c, LF_LOGIC, sz, 0, 0, r); break;
	}
}

#define ALU_FN(OP, F, SZ) \
	static void alu_##OP##_##F##_##SZ(struct icpu *c, const struct insn *i) { alu(c, i, OP, F, SZ); }
#define ALU_SIZES(OP, F) ALU_FN(OP, F, 1) ALU_FN(OP, F, 2) ALU_FN(OP, F, 4)
#define ALU_FORMS(OP) ALU_SIZES(OP, F_RR) ALU_SIZES(OP, F_RI) ALU_SIZES(OP, F_RM) \
	ALU_SIZES(OP, F_MR) ALU_SIZES(OP, F_MI)
ALU_FORMS(A_ADD) ALU_FORMS(A_OR) ALU_FORMS(A_ADC) ALU_FORMS(A_SBB) ALU_FORMS(A_AND)
ALU_FORMS(A_SUB) ALU_FORMS(A_XOR) ALU_FORMS(A_CMP) ALU_FORMS(A_TEST)

#define ALU_ROW_SIZES(OP, F) { alu_##OP##_##F##_1, alu_##OP##_##F##_2, alu_##OP##_##F##_4 }
#define ALU_ROW(OP) { ALU_ROW_SIZES(OP, F_RR), ALU_ROW_SIZES(OP, F_RI), ALU_ROW_SIZES(OP, F_RM), \
	ALU_ROW_SIZES(OP, F_MR), ALU_ROW_SIZES(OP, F_MI) }
/* [operation][form][size 1, 2, 4] */
static insn_fn *const alu_fns[A_NOPS][F_NFORMS][3] = {
	ALU_ROW(A_ADD), ALU_ROW(A_OR), ALU_ROW(A_ADC), ALU_ROW(A_SBB), ALU_ROW(A_AND),
	ALU_ROW(A_SUB), ALU_ROW(A_XOR), ALU_ROW(A_CMP), ALU_ROW(A_TEST),
};

/* -- MOV (datamov.c dm_mov) -- */

static ALWAYS void mov(struct icpu *c, const struct insn *i, enum form f, unsigned sz)
{
	uint64_t v;
	switch (src_kind(f)) {
	case K_REG: v = rget(c, i->opnd[1].reg, sz); break;
	case K_IMM: v = i->imm & size_mask(sz); break;
	default: v = MREAD_FIRST(c, i, i->seg, ea32(c, i), sz); break;
	}
	if (dst_kind(f) == K_MEM)
		mwrite(c, i->seg, ea32(c, i), v, sz);
	else
		rput(c, i->opnd[0].reg, sz, v);
}

#define MOV_FN(F, SZ) \
	static void mov_##F##_##SZ(struct icpu *c, const struct insn *i) { mov(c, i, F, SZ); }
#define MOV_SIZES(F) MOV_FN(F, 1) MOV_FN(F, 2) MOV_FN(F, 4)
MOV_SIZES(F_RR) MOV_SIZES(F_RI) MOV_SIZES(F_RM) MOV_SIZES(F_MR) MOV_SIZES(F_MI)
#define MOV_ROW(F) { mov_##F##_1, mov_##F##_2, mov_##F##_4 }
static insn_fn *const mov_fns[F_NFORMS][3] = {
	MOV_ROW(F_RR), MOV_ROW(F_RI), MOV_ROW(F_RM), MOV_ROW(F_MR), MOV_ROW(F_MI),
};

/* MOV to or from [base + disp], the commonest form: no index to look at */
static ALWAYS uint64_t ea32_bd(const struct icpu *c, const struct insn *i)
{
	return ((uint64_t)(int64_t)i->disp + c->s->gpr[i->base & 15]) & 0xffffffffull;
}

static ALWAYS void mov_bd(struct icpu *c, const struct insn *i, bool store, unsigned sz)
{
	if (store)
		mwrite(c, i->seg, ea32_bd(c, i), rget(c, i->opnd[1].reg, sz), sz);
	else
		rput(c, i->opnd[0].reg, sz, MREAD_FIRST(c, i, i->seg, ea32_bd(c, i), sz));
}

#define MOVBD_FN(ST, SZ) \
	static void mov_bd_##ST##_##SZ(struct icpu *c, const struct insn *i) { mov_bd(c, i, ST, SZ); }
MOVBD_FN(0, 1) MOVBD_FN(0, 2) MOVBD_FN(0, 4) MOVBD_FN(1, 1) MOVBD_FN(1, 2) MOVBD_FN(1, 4)
/* [store][size 1, 2, 4] */
static insn_fn *const mov_bd_fns[2][3] = {
	{ mov_bd_0_1, mov_bd_0_2, mov_bd_0_4 }, { mov_bd_1_1, mov_bd_1_2, mov_bd_1_4 },
};

/* -- MOVZX, MOVSX r16/32, r/m8/16 (datamov.c) -- */

static ALWAYS void movx(struct icpu *c, const struct insn *i, bool mem, bool sx, unsigned dsz,
			unsigned ssz)
{
	uint64_t v = mem ? MREAD_FIRST(c, i, i->seg, ea32(c, i), ssz) : rget(c, i->opnd[1].reg, ssz);
	v = sx ? (uint64_t)sext(v, ssz) & size_mask(dsz) : v & size_mask(ssz);
	rput(c, i->opnd[0].reg, dsz, v);
}

#define MOVX_FN(NAME, MEM, SX, D, S) \
	static void NAME(struct icpu *c, const struct insn *i) { movx(c, i, MEM, SX, D, S); }
MOVX_FN(movzx_r_41, false, false, 4, 1) MOVX_FN(movzx_m_41, true, false, 4, 1)
MOVX_FN(movzx_r_42, false, false, 4, 2) MOVX_FN(movzx_m_42, true, false, 4, 2)
MOVX_FN(movzx_r_21, false, false, 2, 1) MOVX_FN(movzx_m_21, true, false, 2, 1)
MOVX_FN(movsx_r_41, false, true, 4, 1) MOVX_FN(movsx_m_41, true, true, 4, 1)
MOVX_FN(movsx_r_42, false, true, 4, 2) MOVX_FN(movsx_m_42, true, true, 4, 2)
MOVX_FN(movsx_r_21, false, true, 2, 1) MOVX_FN(movsx_m_21, true, true, 2, 1)

/* -- LEA r32, m (datamov.c dm_lea; the 32-bit address wraps, then the
 * register write cuts it to the operand size) -- */

static void lea_4(struct icpu *c, const struct insn *i)
{
	c->s->gpr[i->opnd[0].reg] = ea32(c, i);
}

static void lea_2(struct icpu *c, const struct insn *i)
{
	reg_write(c, i->opnd[0].reg, 2, ea32(c, i));
}

/* -- INC, DEC (alu.c: the old CF rides in lf_carry_in) -- */

static ALWAYS void incdec(struct icpu *c, const struct insn *i, bool dec, bool mem, unsigned sz)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, i->seg, ea32(c, i), sz, &h) : rget(c, i->opnd[0].reg, sz);
	uint64_t r = dec ? a - 1 : a + 1;
	bool cf = cf_fast(c);
	if (mem)
		rmw_write(c, h, r, sz);
	else
		rput(c, i->opnd[0].reg, sz, r);
	flags_lazy(c, dec ? LF_DEC : LF_INC, sz, a, 1, r);
	c->lf_carry_in = cf;
}

#define INCDEC_FN(NAME, DEC, MEM, SZ) \
	static void NAME(struct icpu *c, const struct insn *i) { incdec(c, i, DEC, MEM, SZ); }
INCDEC_FN(inc_r_1, false, false, 1) INCDEC_FN(inc_r_2, false, false, 2) INCDEC_FN(inc_r_4, false, false, 4)
INCDEC_FN(inc_m_1, false, true, 1) INCDEC_FN(inc_m_2, false, true, 2) INCDEC_FN(inc_m_4, false, true, 4)
INCDEC_FN(dec_r_1, true, false, 1) INCDEC_FN(dec_r_2, true, false, 2) INCDEC_FN(dec_r_4, true, false, 4)
INCDEC_FN(dec_m_1, true, true, 1) INCDEC_FN(dec_m_2, true, true, 2) INCDEC_FN(dec_m_4, true, true, 4)
/* [dec][mem][size 1, 2, 4] */
static insn_fn *const incdec_fns[2][2][3] = {
	{ { inc_r_1, inc_r_2, inc_r_4 }, { inc_m_1, inc_m_2, inc_m_4 } },
	{ { dec_r_1, dec_r_2, dec_r_4 }, { dec_m_1, dec_m_2, dec_m_4 } },
};

/* -- SHL, SHR, SAR (alu.c shift) by 1, imm8 or CL -- */

enum shk { SH_L, SH_R, SH_AR };
enum cnt { C_ONE, C_IMM, C_CL };

static ALWAYS void shift(struct icpu *c, const struct insn *i, enum shk k, bool mem, enum cnt cn,
			 unsigned sz)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, i->seg, ea32(c, i), sz, &h) : rget(c, i->opnd[0].reg, sz);
	unsigned n = cn == C_ONE ? 1 : cn == C_IMM ? (unsigned)i->imm : (unsigned)c->s->gpr[R_ECX];
	n &= 31;
	uint64_t r = k == SH_L ? a << n : k == SH_R ? a >> n : (uint64_t)(sext(a, sz) >> n);
	if (mem)
		rmw_write(c, h, r, sz);
	else
		rput(c, i->opnd[0].reg, sz, r);
	if (n == 0)
		return;
	flags_lazy(c, k == SH_L ? LF_SHL : k == SH_R ? LF_SHR : LF_SAR, sz, a, 0, r);
	c->lf_carry_in = n;
}

#define SH_FN(K, MEM, CN, SZ) \
	static void sh_##K##_##MEM##_##CN##_##SZ(struct icpu *c, const struct insn *i) \
	{ shift(c, i, K, MEM, CN, SZ); }
#define SH_SIZES(K, MEM, CN) SH_FN(K, MEM, CN, 1) SH_FN(K, MEM, CN, 2) SH_FN(K, MEM, CN, 4)
#define SH_CNTS(K, MEM) SH_SIZES(K, MEM, C_ONE) SH_SIZES(K, MEM, C_IMM) SH_SIZES(K, MEM, C_CL)
#define SH_ALL(K) SH_CNTS(K, 0) SH_CNTS(K, 1)
SH_ALL(SH_L) SH_ALL(SH_R) SH_ALL(SH_AR)
#define SH_ROW3(K, MEM, CN) { sh_##K##_##MEM##_##CN##_1, sh_##K##_##MEM##_##CN##_2, sh_##K##_##MEM##_##CN##_4 }
#define SH_ROWC(K, MEM) { SH_ROW3(K, MEM, C_ONE), SH_ROW3(K, MEM, C_IMM), SH_ROW3(K, MEM, C_CL) }
#define SH_ROWM(K) { SH_ROWC(K, 0), SH_ROWC(K, 1) }
/* [kind][mem][count form][size 1, 2, 4] */
static insn_fn *const shift_fns[3][2][3][3] = { SH_ROWM(SH_L), SH_ROWM(SH_R), SH_ROWM(SH_AR) };

/* -- near branches and the stack (ctrl.c), 32-bit operand size -- */

/* near_target() for a 32-bit operand: cut, then within CS */
static ALWAYS uint64_t target32(struct icpu *c, uint64_t t)
{
	t &= 0xffffffffull;
	if (unlikely(t > c->s->seg[S_CS].limit))
		cpu_gp(c, 0);
	return t;
}

static ALWAYS void push32(struct icpu *c, uint64_t v)
{
	unsigned ss = c->stack_size;
	uint64_t sp = (c->s->gpr[R_ESP] - 4) & size_mask(ss);
	mwrite(c, S_SS, sp, v, 4);
	reg_write(c, R_ESP, ss, sp);
}

static void jmp_rel(struct icpu *c, const struct insn *i)
{
	c->next_rip = target32(c, c->next_rip + i->imm);
}

static ALWAYS void jcc(struct icpu *c, const struct insn *i, unsigned cc)
{
	if (cond_fast(c, cc))
		c->next_rip = target32(c, c->next_rip + i->imm);
}

#define JCC_FN(CC) static void jcc_##CC(struct icpu *c, const struct insn *i) { jcc(c, i, CC); }
JCC_FN(0) JCC_FN(1) JCC_FN(2) JCC_FN(3) JCC_FN(4) JCC_FN(5) JCC_FN(6) JCC_FN(7)
JCC_FN(8) JCC_FN(9) JCC_FN(10) JCC_FN(11) JCC_FN(12) JCC_FN(13) JCC_FN(14) JCC_FN(15)
static insn_fn *const jcc_fns[16] = {
	jcc_0, jcc_1, jcc_2, jcc_3, jcc_4, jcc_5, jcc_6, jcc_7,
	jcc_8, jcc_9, jcc_10, jcc_11, jcc_12, jcc_13, jcc_14, jcc_15,
};

static void call_rel(struct icpu *c, const struct insn *i)
{
	uint64_t t = target32(c, c->next_rip + i->imm);
	push32(c, c->next_rip);
	c->next_rip = t;
}

/* RET, RET imm16: the return address is checked before ESP moves */
static void ret_near(struct icpu *c, const struct insn *i)
{
	unsigned ss = c->stack_size;
	uint64_t esp = c->s->gpr[R_ESP];
	uint64_t t = target32(c, mread(c, S_SS, esp & size_mask(ss), 4));
	uint64_t release = i->opcode == 0xc2 ? (i->imm & 0xffff) : 0;
	reg_write(c, R_ESP, ss, esp + 4 + release);
	c->next_rip = t;
}

static void push_r(struct icpu *c, const struct insn *i)
{
	push32(c, c->s->gpr[i->opnd[0].reg] & 0xffffffffull);
}

static void push_i(struct icpu *c, const struct insn *i)
{
	push32(c, i->imm & 0xffffffffull);
}

/* POP r32: rSP moves first, so POP ESP leaves the popped value */
static void pop_r(struct icpu *c, const struct insn *i)
{
	unsigned ss = c->stack_size;
	uint64_t esp = c->s->gpr[R_ESP];
	uint64_t v = mread(c, S_SS, esp & size_mask(ss), 4);
	reg_write(c, R_ESP, ss, esp + 4);
	c->s->gpr[i->opnd[0].reg] = v;
}

/* -- IMUL, MUL (alu.c op_imul, op_mul) -- */

/* IMUL r, r/m and IMUL r, r/m, imm: mem says where the r/m operand is,
 * three whether an immediate is the second factor */
static ALWAYS void imul2(struct icpu *c, const struct insn *i, bool mem, bool three, unsigned sz)
{
	uint64_t rm = mem ? mread(c, i->seg, ea32(c, i), sz) : rget(c, i->opnd[1].reg, sz);
	int64_t a, b;
	if (three) {
		a = sext(rm, sz);
		b = sext(i->imm & size_mask(sz), sz);
	} else {
		a = sext(rget(c, i->opnd[0].reg, sz), sz);
		b = sext(rm, sz);
	}
	int64_t p = a * b;		/* 16 and 32-bit factors: exact in 64 bits */
	uint64_t lo = (uint64_t)p & size_mask(sz);
	bool ovf = p != sext(lo, sz);
	rput(c, i->opnd[0].reg, sz, lo);
	flags_lazy(c, LF_IMUL, sz, (uint64_t)a, ovf, lo);
}

#define IMUL_FN(NAME, MEM, THREE, SZ) \
	static void NAME(struct icpu *c, const struct insn *i) { imul2(c, i, MEM, THREE, SZ); }
IMUL_FN(imul_rr_4, false, false, 4) IMUL_FN(imul_rm_4, true, false, 4)
IMUL_FN(imul_rri_4, false, true, 4) IMUL_FN(imul_rmi_4, true, true, 4)
IMUL_FN(imul_rr_2, false, false, 2) IMUL_FN(imul_rm_2, true, false, 2)
IMUL_FN(imul_rri_2, false, true, 2) IMUL_FN(imul_rmi_2, true, true, 2)

/* MUL r/m32, IMUL r/m32: EDX:EAX = EAX * r/m32 */
static ALWAYS void mul1(struct icpu *c, const struct insn *i, bool mem, bool sgn)
{
	uint64_t b = mem ? mread(c, i->seg, ea32(c, i), 4) : rget(c, i->opnd[0].reg, 4);
	uint64_t a = c->s->gpr[R_EAX] & 0xffffffffull;
	uint64_t lo, hi;
	if (sgn) {
		int64_t sa = sext(a, 4), p = sa * sext(b, 4);
		lo = (uint64_t)p & 0xffffffffull;
		hi = ((uint64_t)p >> 32) & 0xffffffffull;
		c->s->gpr[R_EAX] = lo;
		c->s->gpr[R_EDX] = hi;
		flags_lazy(c, LF_IMUL, 4, (uint64_t)sa, p != sext(lo, 4), lo);
	} else {
		uint64_t p = a * b;
		lo = p & 0xffffffffull;
		hi = p >> 32;
		c->s->gpr[R_EAX] = lo;
		c->s->gpr[R_EDX] = hi;
		flags_lazy(c, LF_MUL, 4, a, hi != 0, lo);
	}
}

static void mul_r_4(struct icpu *c, const struct insn *i) { mul1(c, i, false, false); }
static void mul_m_4(struct icpu *c, const struct insn *i) { mul1(c, i, true, false); }
static void imul1_r_4(struct icpu *c, const struct insn *i) { mul1(c, i, false, true); }
static void imul1_m_4(struct icpu *c, const struct insn *i) { mul1(c, i, true, true); }

/* -- SETcc r/m8, CMOVcc r, r/m (alu.c op_setcc, op_cmovcc) -- */

static ALWAYS void setcc(struct icpu *c, const struct insn *i, unsigned cc, bool mem)
{
	uint64_t v = cond_fast(c, cc);
	if (mem)
		mwrite(c, i->seg, ea32(c, i), v, 1);
	else
		reg_write(c, i->opnd[0].reg, 1, v);
}

/* the source is read (and may fault) whatever the condition; outside
 * 64-bit mode a false condition leaves the destination alone */
static ALWAYS void cmovcc(struct icpu *c, const struct insn *i, unsigned cc, bool mem, unsigned sz)
{
	uint64_t v = mem ? mread(c, i->seg, ea32(c, i), sz) : rget(c, i->opnd[1].reg, sz);
	if (cond_fast(c, cc))
		rput(c, i->opnd[0].reg, sz, v);
}

#define CC_FNS(CC) \
	static void setcc_r_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, false); } \
	static void setcc_m_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, true); } \
	static void cmov_r4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, false, 4); } \
	static void cmov_m4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 4); }
CC_FNS(0) CC_FNS(1) CC_FNS(2) CC_FNS(3) CC_FNS(4) CC_FNS(5) CC_FNS(6) CC_FNS(7)
CC_FNS(8) CC_FNS(9) CC_FNS(10) CC_FNS(11) CC_FNS(12) CC_FNS(13) CC_FNS(14) CC_FNS(15)
#define CC_ROW(P) { P##0, P##1, P##2, P##3, P##4, P##5, P##6, P##7, \
	P##8, P##9, P##10, P##11, P##12, P##13, P##14, P##15 }
/* [mem][cc] */
static insn_fn *const setcc_fns[2][16] = { CC_ROW(setcc_r_), CC_ROW(setcc_m_) };
static insn_fn *const cmov4_fns[2][16] = { CC_ROW(cmov_r4_), CC_ROW(cmov_m4_) };

/* -- XCHG, XADD, CMPXCHG r/m, r (datamov.c dm_xchg, alu.c op_xadd,
 * op_cmpxchg): the memory side is a read-modify-write; the turn-taking
 * of the vCPUs makes it atomic, LOCK or not -- */

static ALWAYS void xchg(struct icpu *c, const struct insn *i, bool mem, unsigned sz)
{
	if (!mem) {
		uint64_t a = rget(c, i->opnd[0].reg, sz), b = rget(c, i->opnd[1].reg, sz);
		rput(c, i->opnd[0].reg, sz, b);
		rput(c, i->opnd[1].reg, sz, a);
		return;
	}
	/* the decoder puts the r/m operand first for 86/87 */
	void *h;
	uint64_t mv = rmw_read(c, i->seg, ea32(c, i), sz, &h);
	rmw_write(c, h, rget(c, i->opnd[1].reg, sz), sz);
	rput(c, i->opnd[1].reg, sz, mv);
}

static ALWAYS void xadd(struct icpu *c, const struct insn *i, bool mem, unsigned sz)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, i->seg, ea32(c, i), sz, &h) : rget(c, i->opnd[0].reg, sz);
	uint64_t b = rget(c, i->opnd[1].reg, sz), r = a + b;
	if (mem) {
		rmw_write(c, h, r, sz);
		rput(c, i->opnd[1].reg, sz, a);
	} else {
		/* the source takes the old destination first: XADD r, r with
		 * one register leaves the sum */
		rput(c, i->opnd[1].reg, sz, a);
		rput(c, i->opnd[0].reg, sz, r);
	}
	flags_lazy(c, LF_ADD, sz, a, b, r);
}

static ALWAYS void cmpxchg(struct icpu *c, const struct insn *i, bool mem, unsigned sz)
{
	void *h = NULL;
	uint64_t d = mem ? rmw_read(c, i->seg, ea32(c, i), sz, &h) : rget(c, i->opnd[0].reg, sz);
	uint64_t acc = rget(c, R_EAX, sz), src = rget(c, i->opnd[1].reg, sz);
	if (acc == d) {
		if (mem)
			rmw_write(c, h, src, sz);
		else
			rput(c, i->opnd[0].reg, sz, src);
	} else {
		/* a memory destination is written back unchanged */
		if (mem)
			rmw_write(c, h, d, sz);
		rput(c, R_EAX, sz, d);
	}
	flags_lazy(c, LF_SUB, sz, acc, d, acc - d);
}

#define XOP_FNS(OP, SZ) \
	static void OP##_r_##SZ(struct icpu *c, const struct insn *i) { OP(c, i, false, SZ); } \
	static void OP##_m_##SZ(struct icpu *c, const struct insn *i) { OP(c, i, true, SZ); }
XOP_FNS(xchg, 1) XOP_FNS(xchg, 2) XOP_FNS(xchg, 4)
XOP_FNS(xadd, 1) XOP_FNS(xadd, 2) XOP_FNS(xadd, 4)
XOP_FNS(cmpxchg, 1) XOP_FNS(cmpxchg, 2) XOP_FNS(cmpxchg, 4)
/* [mem][size 1, 2, 4] */
static insn_fn *const xchg_fns[2][3] = { { xchg_r_1, xchg_r_2, xchg_r_4 }, { xchg_m_1, xchg_m_2, xchg_m_4 } };
static insn_fn *const xadd_fns[2][3] = { { xadd_r_1, xadd_r_2, xadd_r_4 }, { xadd_m_1, xadd_m_2, xadd_m_4 } };
static insn_fn *const cmpxchg_fns[2][3] = {
	{ cmpxchg_r_1, cmpxchg_r_2, cmpxchg_r_4 }, { cmpxchg_m_1, cmpxchg_m_2, cmpxchg_m_4 },
};

/* -- NOP, LEAVE, and PUSH/CALL/JMP through a register or memory -- */

static void nop(struct icpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}

static void leave_4(struct icpu *c, const struct insn *i)
{
	(void)i;
	unsigned ss = c->stack_size;
	uint64_t bp = c->s->gpr[R_EBP] & size_mask(ss);
	uint64_t v = mread(c, S_SS, bp, 4);
	reg_write(c, R_ESP, ss, bp + 4);
	c->s->gpr[R_EBP] = v;
}

static ALWAYS uint64_t rm32(struct icpu *c, const struct insn *i, bool mem)
{
	return mem ? mread(c, i->seg, ea32(c, i), 4) : c->s->gpr[i->opnd[0].reg] & 0xffffffffull;
}

static void push_m(struct icpu *c, const struct insn *i) { push32(c, rm32(c, i, true)); }

static ALWAYS void call_ind(struct icpu *c, const struct insn *i, bool mem)
{
	uint64_t t = target32(c, rm32(c, i, mem));
	push32(c, c->next_rip);
	c->next_rip = t;
}

static void call_r(struct icpu *c, const struct insn *i) { call_ind(c, i, false); }
static void call_m(struct icpu *c, const struct insn *i) { call_ind(c, i, true); }
static void jmp_r(struct icpu *c, const struct insn *i) { c->next_rip = target32(c, rm32(c, i, false)); }
static void jmp_m(struct icpu *c, const struct insn *i) { c->next_rip = target32(c, rm32(c, i, true)); }

/* -- binding -- */

static int size_idx(unsigned sz)
{
	return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : -1;
}

/* the form of a two-operand instruction, or -1 */
static int form_of(const struct insn *i)
{
	unsigned k0 = i->opnd[0].kind, k1 = i->opnd[1].kind;
	if (i->nopnd != 2 || i->opnd[0].size != i->opnd[1].size)
		return -1;
	if (k0 == OPK_REG)
		return k1 == OPK_REG ? F_RR : k1 == OPK_IMM ? F_RI : k1 == OPK_MEM ? F_RM : -1;
	if (k0 == OPK_MEM)
		return k1 == OPK_REG ? F_MR : k1 == OPK_IMM ? F_MI : -1;
	return -1;
}

static insn_fn *bind_alu(const struct insn *i, enum alu op)
{
	int f = form_of(i), s = size_idx(i->opnd[0].size);
	return f < 0 || s < 0 ? NULL : alu_fns[op][f][s];
}

static insn_fn *bind_movx(const struct insn *i, bool sx)
{
	if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG ||
	    (i->opnd[1].kind != OPK_REG && i->opnd[1].kind != OPK_MEM))
		return NULL;
	bool mem = i->opnd[1].kind == OPK_MEM;
	unsigned d = i->opnd[0].size, s = i->opnd[1].size;
	if (d == 4 && s == 1)
		return sx ? (mem ? movsx_m_41 : movsx_r_41) : (mem ? movzx_m_41 : movzx_r_41);
	if (d == 4 && s == 2)
		return sx ? (mem ? movsx_m_42 : movsx_r_42) : (mem ? movzx_m_42 : movzx_r_42);
	if (d == 2 && s == 1)
		return sx ? (mem ? movsx_m_21 : movsx_r_21) : (mem ? movzx_m_21 : movzx_r_21);
	return NULL;
}

static insn_fn *bind_incdec(const struct insn *i, bool dec)
{
	int s = size_idx(i->opnd[0].size);
	unsigned k = i->opnd[0].kind;
	if (i->nopnd != 1 || s < 0 || (k != OPK_REG && k != OPK_MEM))
		return NULL;
	return incdec_fns[dec][k == OPK_MEM][s];
}

static insn_fn *bind_shift(const struct insn *i, enum shk k)
{
	int s = size_idx(i->opnd[0].size);
	unsigned k0 = i->opnd[0].kind, k1 = i->opnd[1].kind;
	if (i->nopnd != 2 || s < 0 || (k0 != OPK_REG && k0 != OPK_MEM))
		return NULL;
	int cn;
	if (k1 == OPK_ONE)
		cn = C_ONE;
	else if (k1 == OPK_IMM && i->opnd[1].size == 1)
		cn = C_IMM;
	else if (k1 == OPK_REG && i->opnd[1].reg == R_ECX && i->opnd[1].size == 1)
		cn = C_CL;
	else
		return NULL;
	return shift_fns[k][k0 == OPK_MEM][cn][s];
}

/* a register or memory operand n of size sz: 0 register, 1 memory, -1 neither */
static int rm_of(const struct insn *i, int n, unsigned sz)
{
	if (i->opnd[n].size != sz)
		return -1;
	return i->opnd[n].kind == OPK_REG ? 0 : i->opnd[n].kind == OPK_MEM ? 1 : -1;
}

static insn_fn *bind_imul(const struct insn *i)
{
	unsigned sz = i->opnd[0].size;
	if (i->nopnd == 1) {
		int m = rm_of(i, 0, 4);
		return m < 0 ? NULL : m ? imul1_m_4 : imul1_r_4;
	}
	if ((sz != 4 && sz != 2) || i->opnd[0].kind != OPK_REG)
		return NULL;
	int m = rm_of(i, 1, sz);
	if (m < 0)
		return NULL;
	if (i->nopnd == 2)
		return sz == 4 ? (m ? imul_rm_4 : imul_rr_4) : (m ? imul_rm_2 : imul_rr_2);
	if (i->nopnd == 3 && i->opnd[2].kind == OPK_IMM)
		return sz == 4 ? (m ? imul_rmi_4 : imul_rri_4) : (m ? imul_rmi_2 : imul_rri_2);
	return NULL;
}

/* XCHG, XADD, CMPXCHG: r/m first, a register second, one size */
static insn_fn *bind_xop(const struct insn *i, insn_fn *const fns[2][3])
{
	int s = size_idx(i->opnd[0].size);
	if (i->nopnd != 2 || s < 0 || i->opnd[1].kind != OPK_REG ||
	    i->opnd[1].size != i->opnd[0].size)
		return NULL;
	int m = rm_of(i, 0, i->opnd[0].size);
	return m < 0 ? NULL : fns[m][s];
}

insn_fn *fast_bind(const struct insn *i)
{
	/* 32-bit code with 32-bit addressing only; REG_RIP and 64-bit
	 * registers never appear there */
	if (i->mode != 32 || i->asize != 4)
		return NULL;
	switch (i->op) {
	case OP_ADD: return bind_alu(i, A_ADD);
	case OP_OR: return bind_alu(i, A_OR);
	case OP_ADC: return bind_alu(i, A_ADC);
	case OP_SBB: return bind_alu(i, A_SBB);
	case OP_AND: return bind_alu(i, A_AND);
	case OP_SUB: return bind_alu(i, A_SUB);
	case OP_XOR: return bind_alu(i, A_XOR);
	case OP_CMP: return bind_alu(i, A_CMP);
	case OP_TEST: return bind_alu(i, A_TEST);
	case OP_MOV: {
		int f = form_of(i), s = size_idx(i->opnd[0].size);
		if (f < 0 || s < 0)
			return NULL;
		if ((f == F_RM || f == F_MR) && i->base != REG_NONE && i->index == REG_NONE)
			return mov_bd_fns[f == F_MR][s];
		return mov_fns[f][s];
	}
	case OP_MOVZX: return bind_movx(i, false);
	case OP_MOVSX: return bind_movx(i, true);
	case OP_LEA:
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || i->opnd[1].kind != OPK_MEM)
			return NULL;
		return i->opnd[0].size == 4 ? lea_4 : i->opnd[0].size == 2 ? lea_2 : NULL;
	case OP_INC: return bind_incdec(i, false);
	case OP_DEC: return bind_incdec(i, true);
	case OP_SHL: case OP_SAL: return bind_shift(i, SH_L);
	case OP_SHR: return bind_shift(i, SH_R);
	case OP_SAR: return bind_shift(i, SH_AR);
	case OP_JMP:
		if (i->osize != 4)
			return NULL;
		if (i->opnd[0].kind == OPK_REL)
			return jmp_rel;
		return rm_of(i, 0, 4) == 0 ? jmp_r : rm_of(i, 0, 4) == 1 ? jmp_m : NULL;
	case OP_JCC:
		return i->osize == 4 && i->opnd[0].kind == OPK_REL ? jcc_fns[i->cond & 15] : NULL;
	case OP_CALL:
		if (i->osize != 4)
			return NULL;
		if (i->opnd[0].kind == OPK_REL)
			return call_rel;
		return rm_of(i, 0, 4) == 0 ? call_r : rm_of(i, 0, 4) == 1 ? call_m : NULL;
	case OP_RET:
		return i->osize == 4 ? ret_near : NULL;
	case OP_PUSH:
		if (i->osize != 4 || i->nopnd != 1)
			return NULL;
		if (i->opnd[0].kind == OPK_REG && i->opnd[0].size == 4)
			return push_r;
		if (i->opnd[0].kind == OPK_MEM && i->opnd[0].size == 4)
			return push_m;
		return i->opnd[0].kind == OPK_IMM ? push_i : NULL;
	case OP_POP:
		return i->osize == 4 && i->nopnd == 1 && i->opnd[0].kind == OPK_REG &&
		       i->opnd[0].size == 4 ? pop_r : NULL;
	case OP_IMUL: return bind_imul(i);
	case OP_MUL:
		if (i->nopnd != 1 || rm_of(i, 0, 4) < 0)
			return NULL;
		return rm_of(i, 0, 4) ? mul_m_4 : mul_r_4;
	case OP_SETCC:
		if (i->nopnd != 1 || rm_of(i, 0, 1) < 0)
			return NULL;
		return setcc_fns[rm_of(i, 0, 1)][i->cond & 15];
	case OP_CMOVCC:
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || i->opnd[0].size != 4 ||
		    rm_of(i, 1, 4) < 0)
			return NULL;
		return cmov4_fns[rm_of(i, 1, 4)][i->cond & 15];
	case OP_XCHG:
		/* 90 is NOP (no register write at all) */
		if (i->map == MAP_ONE && i->opcode == 0x90 && i->nopnd == 2 &&
		    i->opnd[0].kind == OPK_REG && i->opnd[1].kind == OPK_REG &&
		    i->opnd[0].reg == i->opnd[1].reg)
			return nop;
		return bind_xop(i, xchg_fns);
	case OP_XADD: return bind_xop(i, xadd_fns);
	case OP_CMPXCHG: return bind_xop(i, cmpxchg_fns);
	case OP_NOP:
		return nop;
	case OP_LEAVE:
		return i->osize == 4 ? leave_4 : NULL;
	default:
		return NULL;
	}
}
