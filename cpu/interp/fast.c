// Specialised handlers for the hot operand forms of 32- and 64-bit code, chosen when the decode cache binds an instruction.
// SPDX-License-Identifier: MIT
#include "cpu/interp/fast.h"

#include "cpu/interp/fastmem.h"
#include "cpu/interp/flags.h"
#include "cpu/interp/ops.h"

/* Each handler here does exactly what the generic one of alu.c, datamov.c
 * or ctrl.c does for the same instruction, in the same order of accesses
 * (so faults are the same), with the operand kinds, sizes and the address
 * form (enum am) fixed when it was bound instead of looked up per run:
 * 32-bit code with 32-bit addressing, or 64-bit code with 64-bit
 * addressing. fast_bind() binds one only where every assumption it makes
 * holds; anything else (16-bit code, a 67 prefix, 16-bit stack operations
 * in 64-bit code, ...) keeps the generic handler. */

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

/* Where the memory operand is, fixed at bind time. The 32-bit forms run
 * in 16/32-bit code (segment limits and rights, addresses wrapped at 4G);
 * the 64-bit forms only in 64-bit code (an instruction decoded for one
 * code size runs only in it): no limits, only FS and GS have a base, and
 * the address wraps at 64 bits, its canonical form checked by the TLB
 * hit or else by mem.c. */
enum am {
	AM32,		/* 32-bit addressing: base + index * scale + disp */
	AM32BD,		/* the same with a base and no index */
	AM64,		/* 64-bit addressing: base + index * scale + disp */
	AM64BD,		/* the same with a base and no index */
	AMRIP,		/* RIP-relative: the next instruction's rip + disp */
};

static ALWAYS bool is64(enum am am)
{
	return am >= AM64;
}

/* insn_ea() for the address form am (32-bit forms: never RIP-relative).
 * A RIP-relative instruction never runs in a straight run (dcache.c), so
 * c->next_rip is its next rip, as insn_ea() takes it. */
static ALWAYS uint64_t ea(const struct icpu *c, const struct insn *i, enum am am)
{
	const uint64_t *g = c->s->gpr;
	uint64_t d = (uint64_t)(int64_t)i->disp;
	switch (am) {
	case AM32BD:
		return (d + g[i->base & 15]) & 0xffffffffull;
	case AM64BD:
		return d + g[i->base & 15];
	case AMRIP:
		return d + c->next_rip;
	default: {
		uint64_t b = i->base != REG_NONE ? g[i->base & 15] : 0;
		uint64_t x = i->index != REG_NONE ? g[i->index & 15] << i->scale : 0;
		if (am == AM32)
			return (d + b + x) & 0xffffffffull;
		return d + b + x;
	}
	}
}

static ALWAYS uint64_t rget(const struct icpu *c, unsigned r, unsigned sz)
{
	if (sz == 4)
		return c->s->gpr[r] & 0xffffffffull;
	if (sz == 8)
		return c->s->gpr[r];
	return reg_read(c, r, sz);
}

/* a 32-bit write zero-extends to 64 bits (reg_write's rule) */
static ALWAYS void rput(struct icpu *c, unsigned r, unsigned sz, uint64_t v)
{
	if (sz == 4)
		c->s->gpr[r] = v & 0xffffffffull;
	else if (sz == 8)
		c->s->gpr[r] = v;
	else
		reg_write(c, r, sz, v);
}

/* the inline hit path of the address form's code size */
static ALWAYS void *host_fast(struct icpu *c, enum am am, int seg, uint64_t off, unsigned sz,
			      enum mmu_access acc)
{
	if (is64(am))
		return vmem_host_fast64(c, seg, off, sz, acc);
	return vmem_host_fast(c, seg, off, sz, acc);
}

static ALWAYS uint64_t mread(struct icpu *c, enum am am, int seg, uint64_t off, unsigned sz)
{
	void *h = host_fast(c, am, seg, off, sz, MMU_READ);
	if (likely(h != NULL))
		return host_load(h, sz);
	return vmem_read(c, seg, off, sz);
}

static ALWAYS void mwrite(struct icpu *c, enum am am, int seg, uint64_t off, uint64_t v, unsigned sz)
{
	void *h = host_fast(c, am, seg, off, sz, MMU_WRITE);
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
#define MREAD_FIRST(c, i, am, seg, off, sz) __extension__ ({			\
	void *h_ = host_fast(c, am, seg, off, sz, MMU_READ);			\
	if (unlikely(!h_)) {							\
		redo_generic(c, i);						\
		return;								\
	}									\
	host_load(h_, sz);							\
})

/* a read-modify-write destination: *hp is the host pointer for the write,
 * or NULL when vmem_read_rmw() took the access (then vmem_write_rmw()) */
static ALWAYS uint64_t rmw_read(struct icpu *c, enum am am, int seg, uint64_t off, unsigned sz,
				void **hp)
{
	void *h = host_fast(c, am, seg, off, sz, MMU_WRITE);
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

static ALWAYS void alu(struct icpu *c, const struct insn *i, enum alu op, enum form f, unsigned sz,
		       enum am am)
{
	uint64_t m = size_mask(sz), a, b, r;
	bool writes = op != A_CMP && op != A_TEST;
	void *h = NULL;
	if (dst_kind(f) == K_MEM) {
		uint64_t off = ea(c, i, am);
		if (writes)
			a = rmw_read(c, am, i->seg, off, sz, &h);
		else
			a = MREAD_FIRST(c, i, am, i->seg, off, sz);
	} else {
		a = rget(c, i->opnd[0].reg, sz);
	}
	switch (src_kind(f)) {
	case K_REG: b = rget(c, i->opnd[1].reg, sz); break;
	case K_IMM: b = i->imm & m; break;
	default: b = MREAD_FIRST(c, i, am, i->seg, ea(c, i, am), sz); break;	/* F_RM: a is a register */
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

/* Instantiations: the register forms once per size (AM64 names them; the
 * compiler folds those identical to the AM32 ones), the memory forms per
 * address form too. Tables [form][size 1, 2, 4] for 32-bit code and
 * [address form AM64, AMRIP][form][size 1, 2, 4, 8] for 64-bit code. */
#define ALU_FN(OP, F, SZ, AM) \
	static void alu_##OP##_##F##_##SZ##_##AM(struct icpu *c, const struct insn *i) \
	{ alu(c, i, OP, F, SZ, AM); }
#define ALU_S3(OP, F, AM) ALU_FN(OP, F, 1, AM) ALU_FN(OP, F, 2, AM) ALU_FN(OP, F, 4, AM)
#define ALU_S4(OP, F, AM) ALU_S3(OP, F, AM) ALU_FN(OP, F, 8, AM)
#define ALU_FORMS(OP) \
	ALU_S3(OP, F_RR, AM32) ALU_S3(OP, F_RI, AM32) ALU_S3(OP, F_RM, AM32) \
	ALU_S3(OP, F_MR, AM32) ALU_S3(OP, F_MI, AM32) \
	ALU_S4(OP, F_RR, AM64) ALU_S4(OP, F_RI, AM64) ALU_S4(OP, F_RM, AM64) \
	ALU_S4(OP, F_MR, AM64) ALU_S4(OP, F_MI, AM64) \
	ALU_S4(OP, F_RM, AMRIP) ALU_S4(OP, F_MR, AMRIP) ALU_S4(OP, F_MI, AMRIP)
ALU_FORMS(A_ADD) ALU_FORMS(A_OR) ALU_FORMS(A_ADC) ALU_FORMS(A_SBB) ALU_FORMS(A_AND)
ALU_FORMS(A_SUB) ALU_FORMS(A_XOR) ALU_FORMS(A_CMP) ALU_FORMS(A_TEST)

#define ALU_R3(OP, F, AM) { alu_##OP##_##F##_1_##AM, alu_##OP##_##F##_2_##AM, alu_##OP##_##F##_4_##AM }
#define ALU_R4(OP, F, AM) { alu_##OP##_##F##_1_##AM, alu_##OP##_##F##_2_##AM, \
	alu_##OP##_##F##_4_##AM, alu_##OP##_##F##_8_##AM }
#define ALU_ROW(OP) { ALU_R3(OP, F_RR, AM32), ALU_R3(OP, F_RI, AM32), ALU_R3(OP, F_RM, AM32), \
	ALU_R3(OP, F_MR, AM32), ALU_R3(OP, F_MI, AM32) }
#define ALU_ROW64(OP, AM) { ALU_R4(OP, F_RR, AM64), ALU_R4(OP, F_RI, AM64), ALU_R4(OP, F_RM, AM), \
	ALU_R4(OP, F_MR, AM), ALU_R4(OP, F_MI, AM) }
/* [operation][form][size 1, 2, 4] */
static insn_fn *const alu_fns[A_NOPS][F_NFORMS][3] = {
	ALU_ROW(A_ADD), ALU_ROW(A_OR), ALU_ROW(A_ADC), ALU_ROW(A_SBB), ALU_ROW(A_AND),
	ALU_ROW(A_SUB), ALU_ROW(A_XOR), ALU_ROW(A_CMP), ALU_ROW(A_TEST),
};
#define ALU_ROWS64(AM) { ALU_ROW64(A_ADD, AM), ALU_ROW64(A_OR, AM), ALU_ROW64(A_ADC, AM), \
	ALU_ROW64(A_SBB, AM), ALU_ROW64(A_AND, AM), ALU_ROW64(A_SUB, AM), ALU_ROW64(A_XOR, AM), \
	ALU_ROW64(A_CMP, AM), ALU_ROW64(A_TEST, AM) }
/* [AM64, AMRIP][operation][form][size 1, 2, 4, 8] */
static insn_fn *const alu64_fns[2][A_NOPS][F_NFORMS][4] = { ALU_ROWS64(AM64), ALU_ROWS64(AMRIP) };

/* -- MOV (datamov.c dm_mov) -- */

static ALWAYS void mov(struct icpu *c, const struct insn *i, enum form f, unsigned sz, enum am am)
{
	uint64_t v;
	switch (src_kind(f)) {
	case K_REG: v = rget(c, i->opnd[1].reg, sz); break;
	case K_IMM: v = i->imm & size_mask(sz); break;
	default: v = MREAD_FIRST(c, i, am, i->seg, ea(c, i, am), sz); break;
	}
	if (dst_kind(f) == K_MEM)
		mwrite(c, am, i->seg, ea(c, i, am), v, sz);
	else
		rput(c, i->opnd[0].reg, sz, v);
}

#define MOV_FN(F, SZ, AM) \
	static void mov_##F##_##SZ##_##AM(struct icpu *c, const struct insn *i) { mov(c, i, F, SZ, AM); }
#define MOV_S3(F, AM) MOV_FN(F, 1, AM) MOV_FN(F, 2, AM) MOV_FN(F, 4, AM)
#define MOV_S4(F, AM) MOV_S3(F, AM) MOV_FN(F, 8, AM)
#define MOV_MEM4(AM) MOV_S4(F_RM, AM) MOV_S4(F_MR, AM) MOV_S4(F_MI, AM)
MOV_S3(F_RR, AM32) MOV_S3(F_RI, AM32) MOV_S3(F_RM, AM32) MOV_S3(F_MR, AM32) MOV_S3(F_MI, AM32)
MOV_S3(F_RM, AM32BD) MOV_S3(F_MR, AM32BD)
MOV_S4(F_RR, AM64) MOV_S4(F_RI, AM64) MOV_MEM4(AM64) MOV_MEM4(AM64BD) MOV_MEM4(AMRIP)
#define MOV_R3(F, AM) { mov_##F##_1_##AM, mov_##F##_2_##AM, mov_##F##_4_##AM }
#define MOV_R4(F, AM) { mov_##F##_1_##AM, mov_##F##_2_##AM, mov_##F##_4_##AM, mov_##F##_8_##AM }
/* [form][size 1, 2, 4] */
static insn_fn *const mov_fns[F_NFORMS][3] = {
	MOV_R3(F_RR, AM32), MOV_R3(F_RI, AM32), MOV_R3(F_RM, AM32), MOV_R3(F_MR, AM32),
	MOV_R3(F_MI, AM32),
};
/* MOV to or from [base + disp], the commonest form: no index to look at;
 * [store][size 1, 2, 4] */
static insn_fn *const mov_bd_fns[2][3] = { MOV_R3(F_RM, AM32BD), MOV_R3(F_MR, AM32BD) };
#define MOV_ROW64(AM) { MOV_R4(F_RR, AM64), MOV_R4(F_RI, AM64), MOV_R4(F_RM, AM), \
	MOV_R4(F_MR, AM), MOV_R4(F_MI, AM) }
/* [AM64, AM64BD, AMRIP][form][size 1, 2, 4, 8] */
static insn_fn *const mov64_fns[3][F_NFORMS][4] = {
	MOV_ROW64(AM64), MOV_ROW64(AM64BD), MOV_ROW64(AMRIP),
};

/* -- MOVZX, MOVSX, MOVSXD r, r/m (datamov.c) -- */

static ALWAYS void movx(struct icpu *c, const struct insn *i, bool mem, bool sx, unsigned dsz,
			unsigned ssz, enum am am)
{
	uint64_t v = mem ? MREAD_FIRST(c, i, am, i->seg, ea(c, i, am), ssz) : rget(c, i->opnd[1].reg, ssz);
	v = sx ? (uint64_t)sext(v, ssz) & size_mask(dsz) : v & size_mask(ssz);
	rput(c, i->opnd[0].reg, dsz, v);
}

/* the (destination, source) sizes: 4 1, 4 2, 2 1, 8 1, 8 2, 8 4 */
enum { X41, X42, X21, X81, X82, X84, X_N };
#define MOVX_FN(SX, D, S, K, MEM, AM) \
	static void movx_##SX##_##D##S##_##K(struct icpu *c, const struct insn *i) \
	{ movx(c, i, MEM, SX, D, S, AM); }
/* K: r (register, any code), AM32, AM64, AMRIP */
#define MOVX_K(SX, D, S) MOVX_FN(SX, D, S, r, false, AM32) MOVX_FN(SX, D, S, AM32, true, AM32) \
	MOVX_FN(SX, D, S, AM64, true, AM64) MOVX_FN(SX, D, S, AMRIP, true, AMRIP)
#define MOVX_K64(SX, D, S) MOVX_FN(SX, D, S, r, false, AM64) \
	MOVX_FN(SX, D, S, AM64, true, AM64) MOVX_FN(SX, D, S, AMRIP, true, AMRIP)
MOVX_K(0, 4, 1) MOVX_K(0, 4, 2) MOVX_K(0, 2, 1) MOVX_K64(0, 8, 1) MOVX_K64(0, 8, 2)
MOVX_K(1, 4, 1) MOVX_K(1, 4, 2) MOVX_K(1, 2, 1) MOVX_K64(1, 8, 1) MOVX_K64(1, 8, 2)
MOVX_K64(1, 8, 4)
#define MOVX_ROW(SX, K) { movx_##SX##_41_##K, movx_##SX##_42_##K, movx_##SX##_21_##K, \
	movx_##SX##_81_##K, movx_##SX##_82_##K, SX ? movx_1_84_##K : NULL }
#define MOVX_ROW32(SX) { movx_##SX##_41_AM32, movx_##SX##_42_AM32, movx_##SX##_21_AM32, \
	NULL, NULL, NULL }
/* [register, AM32, AM64, AMRIP][sx][sizes]: the 8-byte rows only in 64-bit code */
static insn_fn *const movx_fns[4][2][X_N] = {
	{ MOVX_ROW(0, r), MOVX_ROW(1, r) }, { MOVX_ROW32(0), MOVX_ROW32(1) },
	{ MOVX_ROW(0, AM64), MOVX_ROW(1, AM64) }, { MOVX_ROW(0, AMRIP), MOVX_ROW(1, AMRIP) },
};

/* -- LEA r, m (datamov.c dm_lea: the address wraps to the address size,
 * then the register write cuts it to the operand size) -- */

static ALWAYS void lea(struct icpu *c, const struct insn *i, unsigned sz, enum am am)
{
	rput(c, i->opnd[0].reg, sz, ea(c, i, am));
}

#define LEA_FN(SZ, AM) static void lea_##SZ##_##AM(struct icpu *c, const struct insn *i) { lea(c, i, SZ, AM); }
LEA_FN(4, AM32) LEA_FN(2, AM32)
LEA_FN(8, AM64) LEA_FN(4, AM64) LEA_FN(2, AM64) LEA_FN(8, AMRIP) LEA_FN(4, AMRIP) LEA_FN(2, AMRIP)

/* -- INC, DEC (alu.c: the old CF rides in lf_carry_in) -- */

static ALWAYS void incdec(struct icpu *c, const struct insn *i, bool dec, bool mem, unsigned sz,
			  enum am am)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, am, i->seg, ea(c, i, am), sz, &h) : rget(c, i->opnd[0].reg, sz);
	uint64_t r = dec ? a - 1 : a + 1;
	bool cf = cf_fast(c);
	if (mem)
		rmw_write(c, h, r, sz);
	else
		rput(c, i->opnd[0].reg, sz, r);
	flags_lazy(c, dec ? LF_DEC : LF_INC, sz, a, 1, r);
	c->lf_carry_in = cf;
}

#define INCDEC_FN(DEC, K, MEM, AM, SZ) \
	static void incdec_##DEC##_##K##_##SZ(struct icpu *c, const struct insn *i) \
	{ incdec(c, i, DEC, MEM, SZ, AM); }
#define INCDEC_K(DEC, K, MEM, AM) INCDEC_FN(DEC, K, MEM, AM, 1) INCDEC_FN(DEC, K, MEM, AM, 2) \
	INCDEC_FN(DEC, K, MEM, AM, 4) INCDEC_FN(DEC, K, MEM, AM, 8)
#define INCDEC_ALL(DEC) INCDEC_K(DEC, r, false, AM32) INCDEC_K(DEC, AM32, true, AM32) \
	INCDEC_K(DEC, AM64, true, AM64) INCDEC_K(DEC, AMRIP, true, AMRIP)
INCDEC_ALL(0) INCDEC_ALL(1)
#define INCDEC_R(DEC, K) { incdec_##DEC##_##K##_1, incdec_##DEC##_##K##_2, incdec_##DEC##_##K##_4, \
	incdec_##DEC##_##K##_8 }
/* [dec][register, AM32, AM64, AMRIP][size 1, 2, 4, 8 (64-bit code only)] */
static insn_fn *const incdec_fns[2][4][4] = {
	{ INCDEC_R(0, r), INCDEC_R(0, AM32), INCDEC_R(0, AM64), INCDEC_R(0, AMRIP) },
	{ INCDEC_R(1, r), INCDEC_R(1, AM32), INCDEC_R(1, AM64), INCDEC_R(1, AMRIP) },
};

/* -- SHL, SHR, SAR (alu.c shift) by 1, imm8 or CL -- */

enum shk { SH_L, SH_R, SH_AR };
enum cnt { C_ONE, C_IMM, C_CL };

static ALWAYS void shift(struct icpu *c, const struct insn *i, enum shk k, bool mem, enum cnt cn,
			 unsigned sz, enum am am)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, am, i->seg, ea(c, i, am), sz, &h) : rget(c, i->opnd[0].reg, sz);
	unsigned n = cn == C_ONE ? 1 : cn == C_IMM ? (unsigned)i->imm : (unsigned)c->s->gpr[R_ECX];
	n &= sz == 8 ? 63 : 31;
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

/* MK: the r/m kind, r (register) or an address form */
#define SH_FN(K, MK, MEM, AM, CN, SZ) \
	static void sh_##K##_##MK##_##CN##_##SZ(struct icpu *c, const struct insn *i) \
	{ shift(c, i, K, MEM, CN, SZ, AM); }
#define SH_SIZES(K, MK, MEM, AM, CN) SH_FN(K, MK, MEM, AM, CN, 1) SH_FN(K, MK, MEM, AM, CN, 2) \
	SH_FN(K, MK, MEM, AM, CN, 4) SH_FN(K, MK, MEM, AM, CN, 8)
#define SH_CNTS(K, MK, MEM, AM) SH_SIZES(K, MK, MEM, AM, C_ONE) SH_SIZES(K, MK, MEM, AM, C_IMM) \
	SH_SIZES(K, MK, MEM, AM, C_CL)
#define SH_ALL(K) SH_CNTS(K, r, false, AM32) SH_CNTS(K, AM32, true, AM32) \
	SH_CNTS(K, AM64, true, AM64) SH_CNTS(K, AMRIP, true, AMRIP)
SH_ALL(SH_L) SH_ALL(SH_R) SH_ALL(SH_AR)
#define SH_ROW4(K, MK, CN) { sh_##K##_##MK##_##CN##_1, sh_##K##_##MK##_##CN##_2, \
	sh_##K##_##MK##_##CN##_4, sh_##K##_##MK##_##CN##_8 }
#define SH_ROWC(K, MK) { SH_ROW4(K, MK, C_ONE), SH_ROW4(K, MK, C_IMM), SH_ROW4(K, MK, C_CL) }
#define SH_ROWM(K) { SH_ROWC(K, r), SH_ROWC(K, AM32), SH_ROWC(K, AM64), SH_ROWC(K, AMRIP) }
/* [kind][register, AM32, AM64, AMRIP][count form][size 1, 2, 4, 8 (64-bit code only)] */
static insn_fn *const shift_fns[3][4][3][4] = { SH_ROWM(SH_L), SH_ROWM(SH_R), SH_ROWM(SH_AR) };

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
	mwrite(c, AM32, S_SS, sp, v, 4);
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
	uint64_t t = target32(c, mread(c, AM32, S_SS, esp & size_mask(ss), 4));
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
	uint64_t v = mread(c, AM32, S_SS, esp & size_mask(ss), 4);
	reg_write(c, R_ESP, ss, esp + 4);
	c->s->gpr[i->opnd[0].reg] = v;
}

/* -- the same in 64-bit code: 64-bit operands (the decoder makes them so
 * for near branches, and for PUSH/POP without 66), a 64-bit stack with no
 * base, and a non-canonical target is #GP(0) with nothing changed -- */

static ALWAYS uint64_t target64(struct icpu *c, uint64_t t)
{
	if (unlikely(!canonical(t)))
		cpu_gp(c, 0);
	return t;
}

static ALWAYS void push64(struct icpu *c, uint64_t v)
{
	uint64_t sp = c->s->gpr[R_ESP] - 8;
	mwrite(c, AM64, S_SS, sp, v, 8);
	c->s->gpr[R_ESP] = sp;
}

static void jmp_rel64(struct icpu *c, const struct insn *i)
{
	c->next_rip = target64(c, c->next_rip + i->imm);
}

static ALWAYS void jcc64(struct icpu *c, const struct insn *i, unsigned cc)
{
	if (cond_fast(c, cc))
		c->next_rip = target64(c, c->next_rip + i->imm);
}

static void call_rel64(struct icpu *c, const struct insn *i)
{
	uint64_t t = target64(c, c->next_rip + i->imm);
	push64(c, c->next_rip);
	c->next_rip = t;
}

static void ret_near64(struct icpu *c, const struct insn *i)
{
	uint64_t rsp = c->s->gpr[R_ESP];
	uint64_t t = target64(c, mread(c, AM64, S_SS, rsp, 8));
	uint64_t release = i->opcode == 0xc2 ? (i->imm & 0xffff) : 0;
	c->s->gpr[R_ESP] = rsp + 8 + release;
	c->next_rip = t;
}

static void push_r64(struct icpu *c, const struct insn *i)
{
	push64(c, c->s->gpr[i->opnd[0].reg]);
}

static void push_i64(struct icpu *c, const struct insn *i)
{
	push64(c, i->imm);
}

static void pop_r64(struct icpu *c, const struct insn *i)
{
	uint64_t rsp = c->s->gpr[R_ESP];
	uint64_t v = mread(c, AM64, S_SS, rsp, 8);
	c->s->gpr[R_ESP] = rsp + 8;
	c->s->gpr[i->opnd[0].reg] = v;
}

#define JCC_FN(CC) \
	static void jcc_##CC(struct icpu *c, const struct insn *i) { jcc(c, i, CC); } \
	static void jcc64_##CC(struct icpu *c, const struct insn *i) { jcc64(c, i, CC); }
JCC_FN(0) JCC_FN(1) JCC_FN(2) JCC_FN(3) JCC_FN(4) JCC_FN(5) JCC_FN(6) JCC_FN(7)
JCC_FN(8) JCC_FN(9) JCC_FN(10) JCC_FN(11) JCC_FN(12) JCC_FN(13) JCC_FN(14) JCC_FN(15)
#define CC_ROW(P) { P##0, P##1, P##2, P##3, P##4, P##5, P##6, P##7, \
	P##8, P##9, P##10, P##11, P##12, P##13, P##14, P##15 }
static insn_fn *const jcc_fns[16] = CC_ROW(jcc_);
static insn_fn *const jcc64_fns[16] = CC_ROW(jcc64_);

/* -- IMUL, MUL (alu.c op_imul, op_mul) -- */

/* IMUL r, r/m and IMUL r, r/m, imm: mem says where the r/m operand is,
 * three whether an immediate is the second factor */
static ALWAYS void imul2(struct icpu *c, const struct insn *i, bool mem, bool three, unsigned sz,
			 enum am am)
{
	uint64_t rm = mem ? mread(c, am, i->seg, ea(c, i, am), sz) : rget(c, i->opnd[1].reg, sz);
	int64_t a, b, p;
	if (three) {
		a = sext(rm, sz);
		b = sext(i->imm & size_mask(sz), sz);
	} else {
		a = sext(rget(c, i->opnd[0].reg, sz), sz);
		b = sext(rm, sz);
	}
	uint64_t lo;
	bool ovf;
	if (sz == 8) {
		ovf = __builtin_mul_overflow(a, b, &p);
		lo = (uint64_t)p;
	} else {
		p = a * b;		/* 16 and 32-bit factors: exact in 64 bits */
		lo = (uint64_t)p & size_mask(sz);
		ovf = p != sext(lo, sz);
	}
	rput(c, i->opnd[0].reg, sz, lo);
	flags_lazy(c, LF_IMUL, sz, (uint64_t)a, ovf, lo);
}

/* K: r (register) or the address form of the memory factor */
#define IMUL_FN(K, MEM, AM, SZ) \
	static void imul_##K##_##SZ(struct icpu *c, const struct insn *i) { imul2(c, i, MEM, false, SZ, AM); } \
	static void imuli_##K##_##SZ(struct icpu *c, const struct insn *i) { imul2(c, i, MEM, true, SZ, AM); }
#define IMUL_K(K, MEM, AM) IMUL_FN(K, MEM, AM, 2) IMUL_FN(K, MEM, AM, 4) IMUL_FN(K, MEM, AM, 8)
IMUL_K(r, false, AM32) IMUL_K(AM32, true, AM32) IMUL_K(AM64, true, AM64) IMUL_K(AMRIP, true, AMRIP)
#define IMUL_R(P, K) { P##_##K##_2, P##_##K##_4, P##_##K##_8 }
/* [register, AM32, AM64, AMRIP][three][size 2, 4, 8 (64-bit code only)] */
static insn_fn *const imul_fns[4][2][3] = {
	{ IMUL_R(imul, r), IMUL_R(imuli, r) }, { IMUL_R(imul, AM32), IMUL_R(imuli, AM32) },
	{ IMUL_R(imul, AM64), IMUL_R(imuli, AM64) }, { IMUL_R(imul, AMRIP), IMUL_R(imuli, AMRIP) },
};

/* MUL r/m, IMUL r/m (32 or 64-bit): rDX:rAX = rAX * r/m */
static ALWAYS void mul1(struct icpu *c, const struct insn *i, bool mem, bool sgn, unsigned sz,
			enum am am)
{
	uint64_t b = mem ? mread(c, am, i->seg, ea(c, i, am), sz) : rget(c, i->opnd[0].reg, sz);
	uint64_t a = rget(c, R_EAX, sz);
	uint64_t lo, hi;
	if (sz == 8) {
		if (sgn) {
			__int128 p = (__int128)(int64_t)a * (int64_t)b;
			lo = (uint64_t)p;
			hi = (uint64_t)((unsigned __int128)p >> 64);
			c->s->gpr[R_EAX] = lo;
			c->s->gpr[R_EDX] = hi;
			flags_lazy(c, LF_IMUL, 8, a, p != (__int128)(int64_t)lo, lo);
		} else {
			unsigned __int128 p = (unsigned __int128)a * b;
			lo = (uint64_t)p;
			hi = (uint64_t)(p >> 64);
			c->s->gpr[R_EAX] = lo;
			c->s->gpr[R_EDX] = hi;
			flags_lazy(c, LF_MUL, 8, a, hi != 0, lo);
		}
	} else if (sgn) {
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

#define MUL_FN(K, MEM, AM, SZ) \
	static void mul_##K##_##SZ(struct icpu *c, const struct insn *i) { mul1(c, i, MEM, false, SZ, AM); } \
	static void imul1_##K##_##SZ(struct icpu *c, const struct insn *i) { mul1(c, i, MEM, true, SZ, AM); }
#define MUL_K(K, MEM, AM) MUL_FN(K, MEM, AM, 4) MUL_FN(K, MEM, AM, 8)
MUL_K(r, false, AM32) MUL_K(AM32, true, AM32) MUL_K(AM64, true, AM64) MUL_K(AMRIP, true, AMRIP)
#define MUL_R(K) { { mul_##K##_4, mul_##K##_8 }, { imul1_##K##_4, imul1_##K##_8 } }
/* [register, AM32, AM64, AMRIP][signed][size 4, 8 (64-bit code only)] */
static insn_fn *const mul_fns[4][2][2] = { MUL_R(r), MUL_R(AM32), MUL_R(AM64), MUL_R(AMRIP) };

/* -- SETcc r/m8, CMOVcc r, r/m (alu.c op_setcc, op_cmovcc) -- */

static ALWAYS void setcc(struct icpu *c, const struct insn *i, unsigned cc, bool mem, enum am am)
{
	uint64_t v = cond_fast(c, cc);
	if (mem)
		mwrite(c, am, i->seg, ea(c, i, am), v, 1);
	else
		reg_write(c, i->opnd[0].reg, 1, v);
}

/* the source is read (and may fault) whatever the condition; outside
 * 64-bit mode a false condition leaves the destination alone, in it a
 * 32-bit destination is zero-extended all the same (am says the mode) */
static ALWAYS void cmovcc(struct icpu *c, const struct insn *i, unsigned cc, bool mem, unsigned sz,
			  enum am am)
{
	uint64_t v = mem ? mread(c, am, i->seg, ea(c, i, am), sz) : rget(c, i->opnd[1].reg, sz);
	if (cond_fast(c, cc))
		rput(c, i->opnd[0].reg, sz, v);
	else if (sz == 4 && is64(am))
		c->s->gpr[i->opnd[0].reg] &= 0xffffffffull;
}

#define CC_FNS(CC) \
	static void setcc_r_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, false, AM32); } \
	static void setcc_m_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, true, AM32); } \
	static void setcc_m64_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, true, AM64); } \
	static void setcc_mrip_##CC(struct icpu *c, const struct insn *i) { setcc(c, i, CC, true, AMRIP); } \
	static void cmov_r4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, false, 4, AM32); } \
	static void cmov_m4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 4, AM32); } \
	static void cmov64_r4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, false, 4, AM64); } \
	static void cmov64_m4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 4, AM64); } \
	static void cmovrip_m4_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 4, AMRIP); } \
	static void cmov64_r8_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, false, 8, AM64); } \
	static void cmov64_m8_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 8, AM64); } \
	static void cmovrip_m8_##CC(struct icpu *c, const struct insn *i) { cmovcc(c, i, CC, true, 8, AMRIP); }
CC_FNS(0) CC_FNS(1) CC_FNS(2) CC_FNS(3) CC_FNS(4) CC_FNS(5) CC_FNS(6) CC_FNS(7)
CC_FNS(8) CC_FNS(9) CC_FNS(10) CC_FNS(11) CC_FNS(12) CC_FNS(13) CC_FNS(14) CC_FNS(15)
/* [register, AM32, AM64, AMRIP][cc] */
static insn_fn *const setcc_fns[4][16] = {
	CC_ROW(setcc_r_), CC_ROW(setcc_m_), CC_ROW(setcc_m64_), CC_ROW(setcc_mrip_),
};
/* [register, memory][cc] */
static insn_fn *const cmov4_fns[2][16] = { CC_ROW(cmov_r4_), CC_ROW(cmov_m4_) };
/* 64-bit code: [register, AM64, AMRIP][size 4, 8][cc] */
static insn_fn *const cmov64_fns[3][2][16] = {
	{ CC_ROW(cmov64_r4_), CC_ROW(cmov64_r8_) }, { CC_ROW(cmov64_m4_), CC_ROW(cmov64_m8_) },
	{ CC_ROW(cmovrip_m4_), CC_ROW(cmovrip_m8_) },
};

/* -- XCHG, XADD, CMPXCHG r/m, r (datamov.c dm_xchg, alu.c op_xadd,
 * op_cmpxchg): the memory side is a read-modify-write; the turn-taking
 * of the vCPUs makes it atomic, LOCK or not -- */

static ALWAYS void xchg(struct icpu *c, const struct insn *i, bool mem, unsigned sz, enum am am)
{
	if (!mem) {
		uint64_t a = rget(c, i->opnd[0].reg, sz), b = rget(c, i->opnd[1].reg, sz);
		rput(c, i->opnd[0].reg, sz, b);
		rput(c, i->opnd[1].reg, sz, a);
		return;
	}
	/* the decoder puts the r/m operand first for 86/87 */
	void *h;
	uint64_t mv = rmw_read(c, am, i->seg, ea(c, i, am), sz, &h);
	rmw_write(c, h, rget(c, i->opnd[1].reg, sz), sz);
	rput(c, i->opnd[1].reg, sz, mv);
}

static ALWAYS void xadd(struct icpu *c, const struct insn *i, bool mem, unsigned sz, enum am am)
{
	void *h = NULL;
	uint64_t a = mem ? rmw_read(c, am, i->seg, ea(c, i, am), sz, &h) : rget(c, i->opnd[0].reg, sz);
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

static ALWAYS void cmpxchg(struct icpu *c, const struct insn *i, bool mem, unsigned sz, enum am am)
{
	void *h = NULL;
	uint64_t d = mem ? rmw_read(c, am, i->seg, ea(c, i, am), sz, &h) : rget(c, i->opnd[0].reg, sz);
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

#define XOP_FN(OP, K, MEM, AM, SZ) \
	static void OP##_##K##_##SZ(struct icpu *c, const struct insn *i) { OP(c, i, MEM, SZ, AM); }
#define XOP_K(OP, K, MEM, AM) XOP_FN(OP, K, MEM, AM, 1) XOP_FN(OP, K, MEM, AM, 2) \
	XOP_FN(OP, K, MEM, AM, 4) XOP_FN(OP, K, MEM, AM, 8)
#define XOP_ALL(OP) XOP_K(OP, r, false, AM32) XOP_K(OP, AM32, true, AM32) \
	XOP_K(OP, AM64, true, AM64) XOP_K(OP, AMRIP, true, AMRIP)
XOP_ALL(xchg) XOP_ALL(xadd) XOP_ALL(cmpxchg)
#define XOP_R(OP, K) { OP##_##K##_1, OP##_##K##_2, OP##_##K##_4, OP##_##K##_8 }
#define XOP_TABLE(OP) { XOP_R(OP, r), XOP_R(OP, AM32), XOP_R(OP, AM64), XOP_R(OP, AMRIP) }
/* [register, AM32, AM64, AMRIP][size 1, 2, 4, 8 (64-bit code only)] */
static insn_fn *const xchg_fns[4][4] = XOP_TABLE(xchg);
static insn_fn *const xadd_fns[4][4] = XOP_TABLE(xadd);
static insn_fn *const cmpxchg_fns[4][4] = XOP_TABLE(cmpxchg);

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
	uint64_t v = mread(c, AM32, S_SS, bp, 4);
	reg_write(c, R_ESP, ss, bp + 4);
	c->s->gpr[R_EBP] = v;
}

static void leave_8(struct icpu *c, const struct insn *i)
{
	(void)i;
	uint64_t bp = c->s->gpr[R_EBP];
	uint64_t v = mread(c, AM64, S_SS, bp, 8);
	c->s->gpr[R_ESP] = bp + 8;
	c->s->gpr[R_EBP] = v;
}

static ALWAYS uint64_t rm32(struct icpu *c, const struct insn *i, bool mem)
{
	return mem ? mread(c, AM32, i->seg, ea(c, i, AM32), 4) : c->s->gpr[i->opnd[0].reg] & 0xffffffffull;
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

/* 64-bit code: the r/m64 operand, mem in address form am */
static ALWAYS uint64_t rm64(struct icpu *c, const struct insn *i, bool mem, enum am am)
{
	return mem ? mread(c, am, i->seg, ea(c, i, am), 8) : c->s->gpr[i->opnd[0].reg];
}

static ALWAYS void call_ind64(struct icpu *c, const struct insn *i, bool mem, enum am am)
{
	uint64_t t = target64(c, rm64(c, i, mem, am));
	push64(c, c->next_rip);
	c->next_rip = t;
}

static void push_m64(struct icpu *c, const struct insn *i) { push64(c, rm64(c, i, true, AM64)); }
static void push_mrip(struct icpu *c, const struct insn *i) { push64(c, rm64(c, i, true, AMRIP)); }
static void call_r64(struct icpu *c, const struct insn *i) { call_ind64(c, i, false, AM64); }
static void call_m64(struct icpu *c, const struct insn *i) { call_ind64(c, i, true, AM64); }
static void call_mrip(struct icpu *c, const struct insn *i) { call_ind64(c, i, true, AMRIP); }
static void jmp_r64(struct icpu *c, const struct insn *i)
{
	c->next_rip = target64(c, rm64(c, i, false, AM64));
}
static void jmp_m64(struct icpu *c, const struct insn *i)
{
	c->next_rip = target64(c, rm64(c, i, true, AM64));
}
static void jmp_mrip(struct icpu *c, const struct insn *i)
{
	c->next_rip = target64(c, rm64(c, i, true, AMRIP));
}

/* -- binding -- */

static int size_idx(unsigned sz)
{
	return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : -1;
}

/* the same with 8-byte operands (64-bit code) */
static int size_idx64(unsigned sz)
{
	return sz == 8 ? 3 : size_idx(sz);
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

/* a register or memory operand n of size sz: 0 register, 1 memory, -1 neither */
static int rm_of(const struct insn *i, int n, unsigned sz)
{
	if (i->opnd[n].size != sz)
		return -1;
	return i->opnd[n].kind == OPK_REG ? 0 : i->opnd[n].kind == OPK_MEM ? 1 : -1;
}

/* The r/m operand n's row in the tables with a [register, AM32, AM64,
 * AMRIP] dimension, or -1: the register row in any code, else the
 * address form of the code size (mode) */
static int rmk_of(const struct insn *i, int n, unsigned mode)
{
	unsigned k = i->opnd[n].kind;
	if (k == OPK_REG)
		return 0;
	if (k != OPK_MEM)
		return -1;
	if (mode == 32)
		return 1;
	return i->base == REG_RIP ? 3 : 2;
}

/* bind_*: the handler for i in mode (32: 32-bit code and addressing;
 * 64: 64-bit code and addressing), or NULL */

static insn_fn *bind_movx(const struct insn *i, bool sx, unsigned mode)
{
	if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG)
		return NULL;
	int k = rmk_of(i, 1, mode);
	unsigned d = i->opnd[0].size, s = i->opnd[1].size;
	int x = d == 4 && s == 1 ? X41 : d == 4 && s == 2 ? X42 : d == 2 && s == 1 ? X21 :
		d == 8 && s == 1 ? X81 : d == 8 && s == 2 ? X82 : d == 8 && s == 4 ? X84 : -1;
	if (k < 0 || x < 0 || (d == 8 && mode != 64))
		return NULL;
	return movx_fns[k][sx][x];
}

static insn_fn *bind_incdec(const struct insn *i, bool dec, unsigned mode)
{
	int s = mode == 64 ? size_idx64(i->opnd[0].size) : size_idx(i->opnd[0].size);
	int k = rmk_of(i, 0, mode);
	if (i->nopnd != 1 || s < 0 || k < 0)
		return NULL;
	return incdec_fns[dec][k][s];
}

static insn_fn *bind_shift(const struct insn *i, enum shk sk, unsigned mode)
{
	int s = mode == 64 ? size_idx64(i->opnd[0].size) : size_idx(i->opnd[0].size);
	unsigned k1 = i->opnd[1].kind;
	int k = rmk_of(i, 0, mode);
	if (i->nopnd != 2 || s < 0 || k < 0)
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
	return shift_fns[sk][k][cn][s];
}

/* IMUL r, r/m (, imm) of 2 or 4 bytes (8 in 64-bit code), IMUL r/m of 4
 * (or 8) */
static insn_fn *bind_imul(const struct insn *i, unsigned mode)
{
	unsigned sz = i->opnd[0].size;
	int s = sz == 2 ? 0 : sz == 4 ? 1 : sz == 8 && mode == 64 ? 2 : -1;
	if (i->nopnd == 1) {
		int k = rmk_of(i, 0, mode);
		return k < 0 || s < 1 ? NULL : mul_fns[k][1][s - 1];
	}
	if (s < 0 || i->opnd[0].kind != OPK_REG || i->opnd[1].size != sz)
		return NULL;
	int k = rmk_of(i, 1, mode);
	if (k < 0)
		return NULL;
	if (i->nopnd == 2)
		return imul_fns[k][0][s];
	if (i->nopnd == 3 && i->opnd[2].kind == OPK_IMM)
		return imul_fns[k][1][s];
	return NULL;
}

/* XCHG, XADD, CMPXCHG: r/m first, a register second, one size */
static insn_fn *bind_xop(const struct insn *i, insn_fn *const fns[4][4], unsigned mode)
{
	int s = mode == 64 ? size_idx64(i->opnd[0].size) : size_idx(i->opnd[0].size);
	if (i->nopnd != 2 || s < 0 || i->opnd[1].kind != OPK_REG ||
	    i->opnd[1].size != i->opnd[0].size)
		return NULL;
	int k = rmk_of(i, 0, mode);
	return k < 0 ? NULL : fns[k][s];
}

/* what binds alike in both code sizes */
static insn_fn *bind_common(const struct insn *i, unsigned mode)
{
	switch (i->op) {
	case OP_MOVZX: return bind_movx(i, false, mode);
	case OP_MOVSX: return bind_movx(i, true, mode);
	case OP_INC: return bind_incdec(i, false, mode);
	case OP_DEC: return bind_incdec(i, true, mode);
	case OP_SHL: case OP_SAL: return bind_shift(i, SH_L, mode);
	case OP_SHR: return bind_shift(i, SH_R, mode);
	case OP_SAR: return bind_shift(i, SH_AR, mode);
	case OP_IMUL: return bind_imul(i, mode);
	case OP_SETCC: {
		if (i->nopnd != 1 || i->opnd[0].size != 1)
			return NULL;
		int k = rmk_of(i, 0, mode);
		return k < 0 ? NULL : setcc_fns[k][i->cond & 15];
	}
	case OP_XCHG:
		/* 90 is NOP (no register write at all) */
		if (i->map == MAP_ONE && i->opcode == 0x90 && i->nopnd == 2 &&
		    i->opnd[0].kind == OPK_REG && i->opnd[1].kind == OPK_REG &&
		    i->opnd[0].reg == i->opnd[1].reg)
			return nop;
		return bind_xop(i, xchg_fns, mode);
	case OP_XADD: return bind_xop(i, xadd_fns, mode);
	case OP_CMPXCHG: return bind_xop(i, cmpxchg_fns, mode);
	case OP_NOP:
		return nop;
	default:
		return NULL;
	}
}

static insn_fn *bind_alu(const struct insn *i, enum alu op)
{
	int f = form_of(i), s = size_idx(i->opnd[0].size);
	return f < 0 || s < 0 ? NULL : alu_fns[op][f][s];
}

/* 32-bit code with 32-bit addressing; REG_RIP and 64-bit registers never
 * appear there */
static insn_fn *fast_bind32(const struct insn *i)
{
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
	case OP_LEA:
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || i->opnd[1].kind != OPK_MEM)
			return NULL;
		return i->opnd[0].size == 4 ? lea_4_AM32 : i->opnd[0].size == 2 ? lea_2_AM32 : NULL;
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
	case OP_MUL: {
		int k = rm_of(i, 0, 4);
		return i->nopnd != 1 || k < 0 ? NULL : mul_fns[k][0][0];
	}
	case OP_CMOVCC:
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || i->opnd[0].size != 4 ||
		    rm_of(i, 1, 4) < 0)
			return NULL;
		return cmov4_fns[rm_of(i, 1, 4)][i->cond & 15];
	case OP_LEAVE:
		return i->osize == 4 ? leave_4 : NULL;
	default:
		return bind_common(i, 32);
	}
}

static insn_fn *bind_alu64(const struct insn *i, enum alu op)
{
	int f = form_of(i), s = size_idx64(i->opnd[0].size);
	return f < 0 || s < 0 ? NULL : alu64_fns[i->base == REG_RIP][op][f][s];
}

/* 64-bit code with 64-bit addressing */
static insn_fn *fast_bind64(const struct insn *i)
{
	bool rip = i->base == REG_RIP;
	switch (i->op) {
	case OP_ADD: return bind_alu64(i, A_ADD);
	case OP_OR: return bind_alu64(i, A_OR);
	case OP_ADC: return bind_alu64(i, A_ADC);
	case OP_SBB: return bind_alu64(i, A_SBB);
	case OP_AND: return bind_alu64(i, A_AND);
	case OP_SUB: return bind_alu64(i, A_SUB);
	case OP_XOR: return bind_alu64(i, A_XOR);
	case OP_CMP: return bind_alu64(i, A_CMP);
	case OP_TEST: return bind_alu64(i, A_TEST);
	case OP_MOV: {
		int f = form_of(i), s = size_idx64(i->opnd[0].size);
		/* A0-A3 take a 64-bit offset: the generic handler's */
		if (f < 0 || s < 0 || (i->map == MAP_ONE && i->opcode >= 0xa0 && i->opcode <= 0xa3))
			return NULL;
		int a = rip ? 2 : i->base != REG_NONE && i->index == REG_NONE ? 1 : 0;
		return mov64_fns[a][f][s];
	}
	case OP_MOVSXD:
		return i->opnd[0].size == 8 ? bind_movx(i, true, 64) : NULL;
	case OP_LEA:
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || i->opnd[1].kind != OPK_MEM)
			return NULL;
		switch (i->opnd[0].size) {
		case 8: return rip ? lea_8_AMRIP : lea_8_AM64;
		case 4: return rip ? lea_4_AMRIP : lea_4_AM64;
		case 2: return rip ? lea_2_AMRIP : lea_2_AM64;
		default: return NULL;
		}
	case OP_JMP:
		if (i->osize != 8)
			return NULL;
		if (i->opnd[0].kind == OPK_REL)
			return jmp_rel64;
		switch (rm_of(i, 0, 8)) {
		case 0: return jmp_r64;
		case 1: return rip ? jmp_mrip : jmp_m64;
		default: return NULL;
		}
	case OP_JCC:
		return i->osize == 8 && i->opnd[0].kind == OPK_REL ? jcc64_fns[i->cond & 15] : NULL;
	case OP_CALL:
		if (i->osize != 8)
			return NULL;
		if (i->opnd[0].kind == OPK_REL)
			return call_rel64;
		switch (rm_of(i, 0, 8)) {
		case 0: return call_r64;
		case 1: return rip ? call_mrip : call_m64;
		default: return NULL;
		}
	case OP_RET:
		return i->osize == 8 ? ret_near64 : NULL;
	case OP_PUSH:
		/* 66 makes a 16-bit push: the generic handler's */
		if (i->osize != 8 || i->nopnd != 1)
			return NULL;
		if (i->opnd[0].kind == OPK_IMM)
			return push_i64;
		switch (rm_of(i, 0, 8)) {
		case 0: return push_r64;
		case 1: return rip ? push_mrip : push_m64;
		default: return NULL;
		}
	case OP_POP:
		return i->osize == 8 && i->nopnd == 1 && rm_of(i, 0, 8) == 0 ? pop_r64 : NULL;
	case OP_MUL: {
		int k = rmk_of(i, 0, 64), sz = i->opnd[0].size;
		if (i->nopnd != 1 || k < 0 || (sz != 4 && sz != 8))
			return NULL;
		return mul_fns[k][0][sz == 8];
	}
	case OP_CMOVCC: {
		unsigned sz = i->opnd[0].size;
		if (i->nopnd != 2 || i->opnd[0].kind != OPK_REG || (sz != 4 && sz != 8) ||
		    i->opnd[1].size != sz)
			return NULL;
		int k = rmk_of(i, 1, 64);
		return k < 0 ? NULL : cmov64_fns[k ? k - 1 : 0][sz == 8][i->cond & 15];
	}
	case OP_LEAVE:
		return i->osize == 8 ? leave_8 : NULL;
	default:
		return bind_common(i, 64);
	}
}

insn_fn *fast_bind(const struct insn *i)
{
	if (i->mode == 32 && i->asize == 4)
		return fast_bind32(i);
	if (i->mode == 64 && i->asize == 8)
		return fast_bind64(i);
	return NULL;
}
