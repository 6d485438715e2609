/* The host x86-64 code emitter of the binary translator: one inline function
 * per instruction form, so translator code reads like the assembly it makes.
 *
 * Contract:
 *  - Code is written through the writable view e->p but runs at
 *    e->p + e->exec_delta (the code cache is dual-mapped). Every target
 *    passed in is an EXECUTABLE address; every pointer handed back (a rel8 or
 *    rel32 field) is a WRITABLE address inside the buffer.
 *  - "size" is the operand size in bytes: 1, 2, 4 or 8. With size 1,
 *    registers 4-7 are SPL/BPL/SIL/DIL: a bare REX is emitted for them, so
 *    AH-BH are never produced.
 *  - Running out of room sets e->full; from then on bytes are dropped and
 *    nothing is ever written at or past e->end. The caller discards the block
 *    (and retries with a fresh buffer). Functions that return a field return
 *    NULL if that field did not fit; emit_bind8/emit_bind32 ignore NULL.
 *  - Flags: only the instructions that architecturally write flags do;
 *    emit_mov_ri in particular never becomes "xor r,r".
 *  - Memory operands are [base + index*scale + disp]; base H_NONE is an
 *    absolute disp32 (SIB with no base), index H_NONE is no index, and the
 *    index can never be RSP (the SIB "none" encoding).
 *
 * Everything funnels through emit_op_rr / emit_op_m, which build the
 * prefixes, REX, opcode, ModRM, SIB and displacement from an opcode word
 * whose high bits carry the prefixes (OPC_*). Reference: Intel SDM vol. 2,
 * chapter 2 (instruction format) and the opcode map of appendix A. */
#ifndef CPU_BT_EMIT_H
#define CPU_BT_EMIT_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum hreg { H_RAX, H_RCX, H_RDX, H_RBX, H_RSP, H_RBP, H_RSI, H_RDI,
	    H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15, H_NONE = 0xff };

/* [base + index*scale + disp]; see the contract above for H_NONE */
struct hmem { uint8_t base, index, scale; int32_t disp; };

static inline struct hmem hm(enum hreg base, int32_t disp)
{
	return (struct hmem){ .base = base, .index = H_NONE, .scale = 1, .disp = disp };
}

static inline struct hmem hmx(enum hreg base, enum hreg index, unsigned scale, int32_t disp)
{
	return (struct hmem){ .base = base, .index = index, .scale = (uint8_t)scale, .disp = disp };
}

/* an absolute address in the low 2 GiB (or the top 2 GiB: disp32 sign-extends) */
static inline struct hmem hm_abs(int32_t disp) { return hm(H_NONE, disp); }

struct emit {
	uint8_t *start, *p, *end;	/* the writable view */
	bool full;			/* ran out of room: the block is garbage */
	intptr_t exec_delta;		/* executable address = write address + exec_delta */
};

static inline void emit_init(struct emit *e, uint8_t *buf, size_t size)
{
	e->start = e->p = buf;
	e->end = buf + size;
	e->full = false;
	e->exec_delta = 0;
}

/* the buffer will run at exec (the other view of a dual mapping) */
static inline void emit_set_exec(struct emit *e, const void *exec)
{
	e->exec_delta = (intptr_t)((uintptr_t)exec - (uintptr_t)e->start);
}

static inline size_t emit_size(const struct emit *e) { return (size_t)(e->p - e->start); }

/* where the byte at write address w will execute */
static inline uintptr_t emit_exec_addr(const struct emit *e, const uint8_t *w)
{
	return (uintptr_t)w + (uintptr_t)e->exec_delta;
}

/* ---- raw bytes ---- */

static inline void emit_byte(struct emit *e, unsigned b)
{
	if (e->p < e->end)
		*e->p++ = (uint8_t)b;
	else
		e->full = true;
}

static inline void emit_bytes(struct emit *e, const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		emit_byte(e, ((const uint8_t *)src)[i]);
}

/* One instruction's bytes gathered in a local buffer, then stored at once:
 * byte by byte through e->p, each store may alias e->p itself (a char
 * store), so the compiler reloads and stores e->p around every byte,
 * which made emitting a third of a block's translation time. */
struct ebuf {
	uint8_t b[24];
	unsigned n;
};

static inline void eb_byte(struct ebuf *x, unsigned v)
{
	x->b[x->n++] = (uint8_t)v;
}

static inline void eb_le(struct ebuf *x, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		x->b[x->n++] = (uint8_t)(v >> (8 * i));
}

/* one wide store where there is room (the bytes past x->n are
 * overwritten by what follows), else byte by byte up to full */
static inline void emit_ebuf(struct emit *e, const struct ebuf *x)
{
	if (e->end - e->p >= (ptrdiff_t)sizeof(x->b)) {
		memcpy(e->p, x->b, sizeof(x->b));
		e->p += x->n;
		return;
	}
	emit_bytes(e, x->b, x->n);
}

/* little-endian, the low n bytes of v */
static inline void emit_le(struct emit *e, uint64_t v, unsigned n)
{
	struct ebuf eb;
	eb.n = 0;
	eb_le(&eb, v, n);
	emit_ebuf(e, &eb);
}

/* ---- the opcode word ----
 * Low byte: the opcode. Above it: the escape and prefixes that go with it,
 * and which operands are byte registers (those need a bare REX for 4-7). */
enum {
	OPC_0F = 0x100,		/* two-byte opcode */
	OPC_66 = 0x200,		/* operand-size prefix */
	OPC_W  = 0x400,		/* REX.W */
	OPC_BR = 0x800,		/* the ModRM.reg operand is a byte register */
	OPC_BM = 0x1000,	/* the ModRM.rm (or opcode +r) operand is a byte register */
	OPC_F3 = 0x2000,	/* mandatory F3 (SSE) */
	OPC_F2 = 0x4000,	/* mandatory F2 (SSE) */
	OPC_38 = 0x8000,	/* three-byte opcode 0F 38 (with OPC_0F) */
	OPC_3A = 0x10000,	/* three-byte opcode 0F 3A (with OPC_0F) */
};

/* the prefix bits of an operand size 2/4/8 (16-bit needs 66, 64-bit REX.W) */
static inline uint32_t opc_osz(unsigned size)
{
	static const uint32_t bits[9] = { [2] = OPC_66, [4] = 0, [8] = OPC_W };
	assert(size == 2 || size == 4 || size == 8);
	return bits[size];
}

/* the common "opc8 is the byte form, opc8 + 1 the wider one" pair */
static inline uint32_t opc_sized(uint32_t opc8, unsigned size)
{
	if (size == 1)
		return opc8 | OPC_BR | OPC_BM;
	return (opc8 + 1) | opc_osz(size);
}

/* legacy prefix, REX, escape and opcode. r, x, b are the full 4-bit
 * register numbers whose top bits go to REX.R/X/B (0 when absent);
 * rm_is_reg tells whether b names a register operand (mod 11 or +r). */
static inline void eb_opcode(struct ebuf *e, uint32_t opc, unsigned r, unsigned x,
			     unsigned b, bool rm_is_reg)
{
	unsigned rex = (opc & OPC_W ? 8 : 0) | (r & 8) >> 1 | (x & 8) >> 2 | (b & 8) >> 3;
	bool bare = ((opc & OPC_BR) && r >= 4) || ((opc & OPC_BM) && rm_is_reg && b >= 4);
	if (opc & OPC_66)
		eb_byte(e, 0x66);
	if (opc & OPC_F3)
		eb_byte(e, 0xf3);
	if (opc & OPC_F2)
		eb_byte(e, 0xf2);
	if (rex || bare)
		eb_byte(e, 0x40 | rex);
	if (opc & OPC_0F)
		eb_byte(e, 0x0f);
	if (opc & OPC_38)
		eb_byte(e, 0x38);
	if (opc & OPC_3A)
		eb_byte(e, 0x3a);
	eb_byte(e, opc & 0xff);
}

static inline void emit_opcode(struct emit *e, uint32_t opc, unsigned r, unsigned x,
			       unsigned b, bool rm_is_reg)
{
	struct ebuf eb;
	eb.n = 0;
	eb_opcode(&eb, opc, r, x, b, rm_is_reg);
	emit_ebuf(e, &eb);
}

/* register-direct form: ModRM mod 11. reg is a register or a /digit. */
static inline void emit_op_rr(struct emit *e, uint32_t opc, unsigned reg, unsigned rm)
{
	assert(reg < 16 && rm < 16);
	struct ebuf eb;
	eb.n = 0;
	eb_opcode(&eb, opc, reg, 0, rm, true);
	eb_byte(&eb, 0xc0 | (reg & 7) << 3 | (rm & 7));
	emit_ebuf(e, &eb);
}

/* memory form: the one ModRM/SIB/displacement encoder */
static inline void emit_op_m(struct emit *e, uint32_t opc, unsigned reg, struct hmem m)
{
	static const uint8_t ss[9] = { [1] = 0, [2] = 1, [4] = 2, [8] = 3 };
	bool has_base = m.base != H_NONE, has_index = m.index != H_NONE;
	unsigned base = has_base ? m.base : 0, index = has_index ? m.index : 0;

	assert(reg < 16 && base < 16 && index < 16);
	assert(index != H_RSP || !has_index);	/* SIB index 100 means "none" */
	assert(!has_index || (m.scale <= 8 && (m.scale & (m.scale - 1)) == 0 && m.scale));
	struct ebuf eb;
	eb.n = 0;
	eb_opcode(&eb, opc, reg, index, base, false);
	reg = (reg & 7) << 3;
	unsigned sib_ss = has_index ? (unsigned)ss[m.scale] << 6 : 0;
	unsigned sib_index = (has_index ? index & 7 : 4) << 3;

	if (!has_base) {	/* mod 00, rm 100, SIB base 101: disp32 only */
		eb_byte(&eb, 0x04 | reg);
		eb_byte(&eb, sib_ss | sib_index | 5);
		eb_le(&eb, (uint32_t)m.disp, 4);
		emit_ebuf(e, &eb);
		return;
	}
	/* mod 00 with base 101 (rbp/r13) means RIP/disp32: they need a disp8 of 0 */
	unsigned mod = m.disp == 0 && (base & 7) != 5 ? 0 : m.disp == (int8_t)m.disp ? 1 : 2;
	if (has_index || (base & 7) == 4) {	/* rm 100 (rsp/r12) always takes a SIB */
		eb_byte(&eb, mod << 6 | reg | 4);
		eb_byte(&eb, sib_ss | sib_index | (base & 7));
	} else {
		eb_byte(&eb, mod << 6 | reg | (base & 7));
	}
	if (mod == 1)
		eb_byte(&eb, (uint8_t)m.disp);
	else if (mod == 2)
		eb_le(&eb, (uint32_t)m.disp, 4);
	emit_ebuf(e, &eb);
}

/* a /digit form: the reg field is not a register, so never a byte register */
static inline void emit_grp_r(struct emit *e, uint32_t opc, unsigned digit, unsigned rm)
{
	emit_op_rr(e, opc & ~(uint32_t)OPC_BR, digit, rm);
}

static inline void emit_grp_m(struct emit *e, uint32_t opc, unsigned digit, struct hmem m)
{
	emit_op_m(e, opc & ~(uint32_t)OPC_BR, digit, m);
}

/* an immediate of an operand of this size: 8 takes a sign-extended imm32 */
static inline void emit_imm(struct emit *e, unsigned size, int32_t imm)
{
	emit_le(e, (uint32_t)imm, size >= 4 ? 4 : size);
}

/* the value an immediate has after truncation to the operand size */
static inline int32_t emit_imm_trunc(unsigned size, int32_t imm)
{
	return size == 1 ? (int8_t)imm : size == 2 ? (int16_t)imm : imm;
}

/* ---- data movement ---- */

static inline void emit_mov_rr(struct emit *e, unsigned size, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, opc_sized(0x88, size), src, dst);
}

static inline void emit_mov_rm(struct emit *e, unsigned size, enum hreg dst, struct hmem m)
{
	emit_op_m(e, opc_sized(0x8a, size), dst, m);
}

static inline void emit_mov_mr(struct emit *e, unsigned size, struct hmem m, enum hreg src)
{
	emit_op_m(e, opc_sized(0x88, size), src, m);
}

/* Never touches flags. Size 8 picks the shortest: mov r32 (zero-extends),
 * REX.W C7 (sign-extends an imm32), else movabs. */
static inline void emit_mov_ri(struct emit *e, unsigned size, enum hreg dst, uint64_t imm)
{
	if (size == 8 && imm > UINT32_MAX) {
		if ((int64_t)imm == (int32_t)imm) {
			emit_grp_r(e, 0xc7 | OPC_W, 0, dst);
			emit_imm(e, 4, (int32_t)imm);
			return;
		}
		emit_opcode(e, (0xb8 + (dst & 7)) | OPC_W, 0, 0, dst, true);
		emit_le(e, imm, 8);
		return;
	}
	if (size == 8)
		size = 4;
	uint32_t opc = size == 1 ? (0xb0 + (dst & 7)) | OPC_BM : (0xb8 + (dst & 7)) | opc_osz(size);
	emit_opcode(e, opc, 0, 0, dst, true);
	emit_le(e, imm, size);
}

static inline void emit_mov_mi(struct emit *e, unsigned size, struct hmem m, int32_t imm)
{
	emit_grp_m(e, opc_sized(0xc6, size), 0, m);
	emit_imm(e, size, imm);
}

/* the 0F B6/B7 (zero) and 0F BE/BF (sign) extensions; ssize 4 is movsxd */
static inline uint32_t opc_ext(uint32_t opc8, unsigned dsize, unsigned ssize)
{
	assert(ssize < dsize && (ssize == 1 || ssize == 2 || (ssize == 4 && opc8 == 0xbe)));
	if (ssize == 4)
		return 0x63 | OPC_W;
	return (opc8 + (ssize == 2)) | OPC_0F | opc_osz(dsize) | (ssize == 1 ? OPC_BM : 0);
}

static inline void emit_movzx_rr(struct emit *e, unsigned dsize, unsigned ssize, enum hreg dst, enum hreg src)
{
	assert(ssize != 4);
	emit_op_rr(e, opc_ext(0xb6, dsize, ssize), dst, src);
}

static inline void emit_movzx_rm(struct emit *e, unsigned dsize, unsigned ssize, enum hreg dst, struct hmem m)
{
	assert(ssize != 4);
	emit_op_m(e, opc_ext(0xb6, dsize, ssize), dst, m);
}

static inline void emit_movsx_rr(struct emit *e, unsigned dsize, unsigned ssize, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, opc_ext(0xbe, dsize, ssize), dst, src);
}

static inline void emit_movsx_rm(struct emit *e, unsigned dsize, unsigned ssize, enum hreg dst, struct hmem m)
{
	emit_op_m(e, opc_ext(0xbe, dsize, ssize), dst, m);
}

/* size 2, 4 or 8: the address computed at 64 bits, truncated to size */
static inline void emit_lea(struct emit *e, unsigned size, enum hreg dst, struct hmem m)
{
	emit_op_m(e, 0x8d | opc_osz(size), dst, m);
}

static inline void emit_xchg_rr(struct emit *e, unsigned size, enum hreg a, enum hreg b)
{
	emit_op_rr(e, opc_sized(0x86, size), b, a);	/* never the 90+r form: 90 is nop */
}

static inline void emit_bswap_r(struct emit *e, unsigned size, enum hreg r)
{
	assert(size == 4 || size == 8);
	emit_opcode(e, (0xc8 + (r & 7)) | OPC_0F | opc_osz(size), 0, 0, r, true);
}

/* SSE: opc (prefix and escape bits included) with xmm registers, which
 * encode as the general registers of the same number */
#define SSE_MOVDQU_LOAD (0x6f | OPC_0F | OPC_F3)
#define SSE_MOVDQU_STORE (0x7f | OPC_0F | OPC_F3)
static inline void emit_sse_rr(struct emit *e, uint32_t opc, unsigned xreg, unsigned xrm)
{
	emit_op_rr(e, opc, xreg, xrm);
}

static inline void emit_sse_rm(struct emit *e, uint32_t opc, unsigned xreg, struct hmem m)
{
	emit_op_m(e, opc, xreg, m);
}

/* cmov's load is unconditional: size 4 zero-extends dst even when false */
static inline void emit_cmovcc_rr(struct emit *e, unsigned cc, unsigned size, enum hreg dst, enum hreg src)
{
	assert(cc < 16 && size != 1);
	emit_op_rr(e, (0x40 + cc) | OPC_0F | opc_osz(size), dst, src);
}

static inline void emit_setcc_r(struct emit *e, unsigned cc, enum hreg r8)
{
	assert(cc < 16);
	emit_grp_r(e, (0x90 + cc) | OPC_0F | OPC_BM, 0, r8);
}

static inline void emit_setcc_m(struct emit *e, unsigned cc, struct hmem m)
{
	assert(cc < 16);
	emit_grp_m(e, (0x90 + cc) | OPC_0F | OPC_BM, 0, m);
}

static inline void emit_cmovcc_rm(struct emit *e, unsigned cc, unsigned size, enum hreg dst, struct hmem m)
{
	assert(cc < 16 && size != 1);
	emit_op_m(e, (0x40 + cc) | OPC_0F | opc_osz(size), dst, m);
}

/* ---- arithmetic ---- */

enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

static inline void emit_alu_rr(struct emit *e, enum alu_op op, unsigned size, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, opc_sized(op * 8u, size), src, dst);
}

static inline void emit_alu_rm(struct emit *e, enum alu_op op, unsigned size, enum hreg dst, struct hmem m)
{
	emit_op_m(e, opc_sized(op * 8u + 2, size), dst, m);
}

static inline void emit_alu_mr(struct emit *e, enum alu_op op, unsigned size, struct hmem m, enum hreg src)
{
	emit_op_m(e, opc_sized(op * 8u, size), src, m);
}

/* group 1: 80 ib, 83 ib (sign-extended) when it fits, else 81 iw/id */
static inline uint32_t opc_grp1(unsigned size, int32_t *imm, unsigned *isize)
{
	*imm = emit_imm_trunc(size, *imm);
	if (size == 1) {
		*isize = 1;
		return 0x80 | OPC_BM;
	}
	if (*imm == (int8_t)*imm) {
		*isize = 1;
		return 0x83 | opc_osz(size);
	}
	*isize = size;
	return 0x81 | opc_osz(size);
}

static inline void emit_alu_ri(struct emit *e, enum alu_op op, unsigned size, enum hreg dst, int32_t imm)
{
	unsigned isize;
	uint32_t opc = opc_grp1(size, &imm, &isize);
	emit_grp_r(e, opc, op, dst);
	emit_imm(e, isize, imm);
}

static inline void emit_alu_mi(struct emit *e, enum alu_op op, unsigned size, struct hmem m, int32_t imm)
{
	unsigned isize;
	uint32_t opc = opc_grp1(size, &imm, &isize);
	emit_grp_m(e, opc, op, m);
	emit_imm(e, isize, imm);
}

static inline void emit_test_rr(struct emit *e, unsigned size, enum hreg a, enum hreg b)
{
	emit_op_rr(e, opc_sized(0x84, size), b, a);
}

static inline void emit_test_mr(struct emit *e, unsigned size, struct hmem m, enum hreg r)
{
	emit_op_m(e, opc_sized(0x84, size), r, m);
}

/* test has no imm8 form */
static inline void emit_test_ri(struct emit *e, unsigned size, enum hreg r, int32_t imm)
{
	emit_grp_r(e, opc_sized(0xf6, size), 0, r);
	emit_imm(e, size, imm);
}

static inline void emit_test_mi(struct emit *e, unsigned size, struct hmem m, int32_t imm)
{
	emit_grp_m(e, opc_sized(0xf6, size), 0, m);
	emit_imm(e, size, imm);
}

/* group 3 (F6/F7) */
enum unary_op { UN_NOT = 2, UN_NEG = 3, UN_MUL = 4, UN_DIV = 6 };

static inline void emit_unary_r(struct emit *e, enum unary_op op, unsigned size, enum hreg r)
{
	emit_grp_r(e, opc_sized(0xf6, size), op, r);
}

static inline void emit_unary_m(struct emit *e, enum unary_op op, unsigned size, struct hmem m)
{
	emit_grp_m(e, opc_sized(0xf6, size), op, m);
}

/* groups 4/5 (FE/FF); 40-4F are REX prefixes in 64-bit mode */
static inline void emit_inc_r(struct emit *e, unsigned size, enum hreg r) { emit_grp_r(e, opc_sized(0xfe, size), 0, r); }
static inline void emit_dec_r(struct emit *e, unsigned size, enum hreg r) { emit_grp_r(e, opc_sized(0xfe, size), 1, r); }
static inline void emit_inc_m(struct emit *e, unsigned size, struct hmem m) { emit_grp_m(e, opc_sized(0xfe, size), 0, m); }
static inline void emit_dec_m(struct emit *e, unsigned size, struct hmem m) { emit_grp_m(e, opc_sized(0xfe, size), 1, m); }

/* group 2: D0/D1 by 1, C0/C1 by imm8, D2/D3 by CL */
enum shift_op { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL_ = 6, SH_SAR = 7 };

static inline void emit_shift_ri(struct emit *e, enum shift_op op, unsigned size, enum hreg r, uint8_t imm)
{
	emit_grp_r(e, opc_sized(imm == 1 ? 0xd0 : 0xc0, size), op, r);
	if (imm != 1)
		emit_byte(e, imm);
}

static inline void emit_shift_mi(struct emit *e, enum shift_op op, unsigned size, struct hmem m, uint8_t imm)
{
	emit_grp_m(e, opc_sized(imm == 1 ? 0xd0 : 0xc0, size), op, m);
	if (imm != 1)
		emit_byte(e, imm);
}

static inline void emit_shift_rcl(struct emit *e, enum shift_op op, unsigned size, enum hreg r)
{
	emit_grp_r(e, opc_sized(0xd2, size), op, r);
}

static inline void emit_shift_mcl(struct emit *e, enum shift_op op, unsigned size, struct hmem m)
{
	emit_grp_m(e, opc_sized(0xd2, size), op, m);
}

/* two-operand imul (0F AF) and imul r, r/m, imm (6B ib / 69 iw/id); no byte form */
static inline void emit_imul_rr(struct emit *e, unsigned size, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, 0xaf | OPC_0F | opc_osz(size), dst, src);
}

static inline void emit_imul_rm(struct emit *e, unsigned size, enum hreg dst, struct hmem m)
{
	emit_op_m(e, 0xaf | OPC_0F | opc_osz(size), dst, m);
}

static inline void emit_imul_rri(struct emit *e, unsigned size, enum hreg dst, enum hreg src, int32_t imm)
{
	imm = emit_imm_trunc(size, imm);
	bool i8 = imm == (int8_t)imm;
	emit_op_rr(e, (i8 ? 0x6b : 0x69) | opc_osz(size), dst, src);
	emit_imm(e, i8 ? 1 : size, imm);
}

/* size 2: cwd, 4: cdq, 8: cqo */
static inline void emit_cwd_family(struct emit *e, unsigned size)
{
	emit_opcode(e, 0x99 | opc_osz(size), 0, 0, 0, false);
}

/* ---- bit tests and scans, locked read-modify-writes ---- */

/* BT, BTS, BTR, BTC: their /digit in 0F BA and their 0F A3/AB/B3/BB */
enum bt_op { BT_BT = 4, BT_BTS = 5, BT_BTR = 6, BT_BTC = 7 };

static inline void emit_bt_ri(struct emit *e, enum bt_op op, unsigned size, enum hreg r, uint8_t bit)
{
	emit_grp_r(e, 0xba | OPC_0F | opc_osz(size), op, r);
	emit_byte(e, bit);
}

static inline void emit_bt_mi(struct emit *e, enum bt_op op, unsigned size, struct hmem m, uint8_t bit)
{
	emit_grp_m(e, 0xba | OPC_0F | opc_osz(size), op, m);
	emit_byte(e, bit);
}

/* the register form: the bit offset is the source modulo the size */
static inline void emit_bt_rr(struct emit *e, enum bt_op op, unsigned size, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, (0xa3u + 8u * (op - BT_BT)) | OPC_0F | opc_osz(size), src, dst);
}

/* BSF (forward) or BSR: never F3, which would make them TZCNT/LZCNT */
static inline void emit_bsf_rr(struct emit *e, bool forward, unsigned size, enum hreg dst, enum hreg src)
{
	emit_op_rr(e, (forward ? 0xbc : 0xbd) | OPC_0F | opc_osz(size), dst, src);
}

static inline void emit_bsf_rm(struct emit *e, bool forward, unsigned size, enum hreg dst, struct hmem m)
{
	emit_op_m(e, (forward ? 0xbc : 0xbd) | OPC_0F | opc_osz(size), dst, m);
}

/* the LOCK prefix of the instruction emitted next */
static inline void emit_lock(struct emit *e) { emit_byte(e, 0xf0); }

static inline void emit_cmpxchg_mr(struct emit *e, unsigned size, struct hmem m, enum hreg src)
{
	emit_op_m(e, opc_sized(0xb0, size) | OPC_0F, src, m);
}

static inline void emit_xadd_mr(struct emit *e, unsigned size, struct hmem m, enum hreg src)
{
	emit_op_m(e, opc_sized(0xc0, size) | OPC_0F, src, m);
}

static inline void emit_mfence(struct emit *e) { emit_bytes(e, "\x0f\xae\xf0", 3); }

/* ---- stack, flags, misc ---- */

static inline void emit_push_r(struct emit *e, enum hreg r) { emit_opcode(e, 0x50 + (r & 7), 0, 0, r, true); }
static inline void emit_pop_r(struct emit *e, enum hreg r) { emit_opcode(e, 0x58 + (r & 7), 0, 0, r, true); }
static inline void emit_pushfq(struct emit *e) { emit_byte(e, 0x9c); }
static inline void emit_popfq(struct emit *e) { emit_byte(e, 0x9d); }
static inline void emit_sahf(struct emit *e) { emit_byte(e, 0x9e); }
static inline void emit_lahf(struct emit *e) { emit_byte(e, 0x9f); }
static inline void emit_ret(struct emit *e) { emit_byte(e, 0xc3); }
static inline void emit_int3(struct emit *e) { emit_byte(e, 0xcc); }

/* n bytes of the SDM's recommended multi-byte nops, longest first */
static inline void emit_nop(struct emit *e, unsigned n)
{
	static const uint8_t nops[10][9] = {
		[1] = { 0x90 },
		[2] = { 0x66, 0x90 },
		[3] = { 0x0f, 0x1f, 0x00 },
		[4] = { 0x0f, 0x1f, 0x40, 0x00 },
		[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		[6] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		[7] = { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		[8] = { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		[9] = { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	while (n) {
		unsigned k = n > 9 ? 9 : n;
		emit_bytes(e, nops[k], k);
		n -= k;
	}
}

/* ---- control flow ----
 * rel32 fields are relative to the EXECUTABLE address of the next
 * instruction. A returned field is a writable address (NULL if it did not
 * fit). Binding to the current position needs no exec_delta: field and
 * position are in the same view, so the delta cancels. */

/* target - (field's exec address + 4), which must fit in 32 bits */
static inline int32_t emit_rel32_to(uintptr_t field_exec, uintptr_t target)
{
	int64_t d = (int64_t)(target - (field_exec + 4));
	assert(d == (int32_t)d);
	return (int32_t)d;
}

static inline bool emit_rel32_fits(uintptr_t field_exec, uintptr_t target)
{
	int64_t d = (int64_t)(target - (field_exec + 4));
	return d == (int32_t)d;
}

/* opcode bytes already out; a NULL target is a placeholder (0: falls through) */
static inline uint8_t *emit_rel32_field(struct emit *e, const void *target)
{
	uint8_t *field = e->p;
	int32_t d = target ? emit_rel32_to(emit_exec_addr(e, field), (uintptr_t)target) : 0;
	emit_le(e, (uint32_t)d, 4);
	return e->full ? NULL : field;
}

static inline uint8_t *emit_jmp32(struct emit *e, const void *target)
{
	emit_byte(e, 0xe9);
	return emit_rel32_field(e, target);
}

static inline uint8_t *emit_jcc32(struct emit *e, unsigned cc, const void *target)
{
	assert(cc < 16);
	emit_byte(e, 0x0f);
	emit_byte(e, 0x80 + cc);
	return emit_rel32_field(e, target);
}

/* short forward jumps, bound later with emit_bind8 */
static inline uint8_t *emit_jcc8(struct emit *e, unsigned cc)
{
	assert(cc < 16);
	emit_byte(e, 0x70 + cc);
	uint8_t *field = e->p;
	emit_byte(e, 0xfe);	/* until bound: jumps to itself */
	return e->full ? NULL : field;
}

static inline uint8_t *emit_jmp8(struct emit *e)
{
	emit_byte(e, 0xeb);
	uint8_t *field = e->p;
	emit_byte(e, 0xfe);
	return e->full ? NULL : field;
}

static inline void emit_bind8(struct emit *e, uint8_t *rel8)
{
	if (!rel8)
		return;
	ptrdiff_t d = e->p - (rel8 + 1);
	assert(d >= -128 && d <= 127);
	*rel8 = (uint8_t)(int8_t)d;
}

static inline void emit_bind32(struct emit *e, uint8_t *rel32)
{
	if (!rel32)
		return;
	ptrdiff_t d = e->p - (rel32 + 4);
	assert(d == (int32_t)d);
	uint32_t v = (uint32_t)(int32_t)d;
	memcpy(rel32, &v, 4);
}

/* Re-point a live rel32 (writes through rel32_rw; relative to rel32_exec + 4).
 * Another thread may be executing it, so the 4 bytes go out in one store;
 * that is only guaranteed atomic when the field is 4-byte aligned, which
 * callers ensure with emit_align_rel32_jmp / _jcc before emitting it. An
 * unaligned field falls back to memcpy (fine for code nobody runs yet). */
static inline void emit_patch_rel32(uint8_t *rel32_rw, const uint8_t *rel32_exec, const void *target)
{
	uint32_t v = (uint32_t)emit_rel32_to((uintptr_t)rel32_exec, (uintptr_t)target);
	if (((uintptr_t)rel32_rw & 3) == 0)
		__atomic_store_n((uint32_t *)(void *)rel32_rw, v, __ATOMIC_RELEASE);
	else
		memcpy(rel32_rw, &v, 4);
}

/* nop padding so that the rel32 of an instruction with an opcode_len-byte
 * opcode emitted next lands 4-byte aligned (both views share page offsets) */
static inline void emit_align_rel32(struct emit *e, unsigned opcode_len)
{
	emit_nop(e, (unsigned)(-((uintptr_t)e->p + opcode_len)) & 3);
}

static inline void emit_align_rel32_jmp(struct emit *e) { emit_align_rel32(e, 1); }
static inline void emit_align_rel32_jcc(struct emit *e) { emit_align_rel32(e, 2); }

static inline void emit_jmp_r(struct emit *e, enum hreg r) { emit_grp_r(e, 0xff, 4, r); }
static inline void emit_call_r(struct emit *e, enum hreg r) { emit_grp_r(e, 0xff, 2, r); }
/* jmp qword ptr [m] */
static inline void emit_jmp_m(struct emit *e, struct hmem m) { emit_grp_m(e, 0xff, 4, m); }

/* rel32 when the target is within +-2 GiB of the executable position,
 * else through R11 (caller-saved and no argument register in the SysV ABI) */
static inline void emit_far(struct emit *e, unsigned opc, unsigned digit, const void *target)
{
	if (emit_rel32_fits(emit_exec_addr(e, e->p) + 1, (uintptr_t)target)) {
		emit_byte(e, opc);
		emit_rel32_field(e, target);
		return;
	}
	emit_opcode(e, (0xb8 + (H_R11 & 7)) | OPC_W, 0, 0, H_R11, true);	/* movabs */
	emit_le(e, (uintptr_t)target, 8);
	emit_grp_r(e, 0xff, digit, H_R11);
}

static inline void emit_call(struct emit *e, const void *fn) { emit_far(e, 0xe8, 2, fn); }

/* mov dst, qword ptr [rip + disp32] reading the 8 bytes at executable
 * address src; false (nothing emitted) when src is out of reach */
static inline bool emit_mov_r_rip(struct emit *e, enum hreg dst, const void *src)
{
	/* REX.W(R) 8B modrm(00 reg 101) disp32: 7 bytes, disp from the end */
	if (!emit_rel32_fits(emit_exec_addr(e, e->p) + 3, (uintptr_t)src))
		return false;
	emit_byte(e, 0x48 | (dst >> 3) << 2);
	emit_byte(e, 0x8b);
	emit_byte(e, (unsigned)(dst & 7) << 3 | 5);
	emit_rel32_field(e, src);
	return true;
}
static inline void emit_jmp_abs(struct emit *e, const void *target) { emit_far(e, 0xe9, 4, target); }

/* movabs dst, 0 with its imm64 8-aligned (nops first), so one store
 * patches it whole while another thread may run it: returns the imm64
 * (writable address) */
static inline uint8_t *emit_movabs_patchable(struct emit *e, enum hreg dst)
{
	emit_nop(e, (unsigned)(-((uintptr_t)e->p + 2)) & 7);
	emit_byte(e, 0x48 | (dst >> 3));
	emit_byte(e, 0xb8 + (dst & 7));
	uint8_t *imm = e->p;
	emit_le(e, 0, 8);
	return imm;
}

/* lea dst, [rip + disp32] to code emitted later: returns the disp32
 * field, which emit_bind32 points at the place it is called at (the
 * displacement counts from the field's end, as a jmp's does) */
static inline uint8_t *emit_lea_rip_fwd(struct emit *e, enum hreg dst)
{
	emit_byte(e, 0x48 | (dst >> 3) << 2);
	emit_byte(e, 0x8d);
	emit_byte(e, (unsigned)(dst & 7) << 3 | 5);
	return emit_rel32_field(e, NULL);
}

#endif
