/* The floating-point forms of SSE to SSE4.1: moves, shuffles, logic,
 * arithmetic, conversions, comparisons, rounding, blends, dot products.
 *
 * Every IEEE operation is the host's own instruction in inline asm, run
 * (the rows flagged SR_FP) under the guest's rounding, DAZ and FTZ with
 * every exception masked: the host then gives the guest's result and the
 * guest's flags bit for bit. No float arithmetic is left to the compiler,
 * which may fold or reorder it (x * 1.0 -> x would lose an SNaN's IE), and
 * no C comparison touches a guest float (it would be a COMISS of its own);
 * signs and classes are read from the bits. The asm is volatile so that an
 * operation whose flags are all that matter is never dropped or merged.
 *
 * Scalar forms use the host's register-register scalar instruction with the
 * destination as "+x": it keeps the destination's upper lanes as the SDM
 * says and ignores the source's, so a register source's upper lanes never
 * raise anything, and a memory source (read at 4 or 8 bytes by sse.c) is the
 * same to it. Instructions with an immediate that the host decodes get one
 * asm per immediate value (it must be a constant), generated below.
 *
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS are the exception: see "the approximations". */
// SPDX-License-Identifier: MIT
#include "cpu/interp/sse.h"

#include "cpu/state.h"		/* FL_ZF FL_PF FL_CF */

/* one asm per immediate: C(n, ...) for n in [base, base + 4^k) */
#define IMM4(C, n, a, b) C((n), a, b) C((n) + 1, a, b) C((n) + 2, a, b) C((n) + 3, a, b)
#define IMM16(C, n, a, b) IMM4(C, n, a, b) IMM4(C, (n) + 4, a, b) IMM4(C, (n) + 8, a, b) \
	IMM4(C, (n) + 12, a, b)
#define IMM64(C, n, a, b) IMM16(C, n, a, b) IMM16(C, (n) + 16, a, b) IMM16(C, (n) + 32, a, b) \
	IMM16(C, (n) + 48, a, b)
#define IMM256(C, a, b) IMM64(C, 0, a, b) IMM64(C, 64, a, b) IMM64(C, 128, a, b) \
	IMM64(C, 192, a, b)
/* d = insn(imm, s, d): the destination is also an input (merging, or the
 * first operand of the dot products) */
#define IMM_CASE(n, insn, lane) \
	case (n): asm volatile(insn " %2, %1, %0" : "+x"(x->d.lane) : "x"(x->s.lane), "i"(n)); break;

/* -- the IEEE arithmetic: one host instruction each, d = d op s -- */

#define FP2(name, insn, lane) \
	static void name(struct sse *x) \
	{ \
		asm volatile(insn " %1, %0" : "+x"(x->d.lane) : "x"(x->s.lane)); \
	}

FP2(addps, "addps", ps) FP2(addpd, "addpd", pd) FP2(addss, "addss", ps) FP2(addsd, "addsd", pd)
FP2(subps, "subps", ps) FP2(subpd, "subpd", pd) FP2(subss, "subss", ps) FP2(subsd, "subsd", pd)
FP2(mulps, "mulps", ps) FP2(mulpd, "mulpd", pd) FP2(mulss, "mulss", ps) FP2(mulsd, "mulsd", pd)
FP2(divps, "divps", ps) FP2(divpd, "divpd", pd) FP2(divss, "divss", ps) FP2(divsd, "divsd", pd)
/* MIN/MAX are not symmetric (a NaN or two zeros give the second operand):
 * the host's instruction has the same operand order as the guest's */
FP2(minps, "minps", ps) FP2(minpd, "minpd", pd) FP2(minss, "minss", ps) FP2(minsd, "minsd", pd)
FP2(maxps, "maxps", ps) FP2(maxpd, "maxpd", pd) FP2(maxss, "maxss", ps) FP2(maxsd, "maxsd", pd)
/* the scalar square roots merge into the destination like the others */
FP2(sqrtps, "sqrtps", ps) FP2(sqrtpd, "sqrtpd", pd) FP2(sqrtss, "sqrtss", ps) FP2(sqrtsd, "sqrtsd", pd)
/* SSE3: the horizontal forms and ADDSUB */
FP2(haddps, "haddps", ps) FP2(haddpd, "haddpd", pd) FP2(hsubps, "hsubps", ps) FP2(hsubpd, "hsubpd", pd)
FP2(addsubps, "addsubps", ps) FP2(addsubpd, "addsubpd", pd)

/* conversions whose destination is a whole XMM register (the packed ones
 * replace it all, so d's old value only rides along in "+x") */
FP2(cvtps2pd, "cvtps2pd", pd) FP2(cvtpd2ps, "cvtpd2ps", ps)
FP2(cvtss2sd, "cvtss2sd", pd) FP2(cvtsd2ss, "cvtsd2ss", ps)
FP2(cvtdq2ps, "cvtdq2ps", ps) FP2(cvtps2dq, "cvtps2dq", ps) FP2(cvttps2dq, "cvttps2dq", ps)
FP2(cvtdq2pd, "cvtdq2pd", pd) FP2(cvtpd2dq, "cvtpd2dq", pd) FP2(cvttpd2dq, "cvttpd2dq", pd)

/* -- conversions with an MMX or general register on one side --
 *
 * The MMX forms are done with their XMM twins rather than the host's MMX
 * instructions, which would switch the host's own x87 unit into MMX mode. */

/* CVTPI2PS: two int32 into the low two lanes, the upper two kept; the
 * zeros in the upper half of s convert exactly, raising nothing */
static void cvtpi2ps(struct sse *x)
{
	v4sf t = x->s.ps;
	asm volatile("cvtdq2ps %1, %0" : "=x"(t) : "x"(t));
	union vec r = { .ps = t };
	x->d.q[0] = r.q[0];
}

/* CVTPI2PD: int32 to double is exact; replaces the whole register */
static void cvtpi2pd(struct sse *x)
{
	asm volatile("cvtdq2pd %1, %0" : "=x"(x->d.pd) : "x"(x->s.pd));
}

/* the packed float -> int32 into an MMX register: the upper half of a
 * register source is not an operand and must not raise anything, so it is
 * zeroed (0.0 converts exactly) */
static void cvtps2pi(struct sse *x)
{
	x->s.q[1] = 0;
	asm volatile("cvtps2dq %1, %0" : "=x"(x->d.ps) : "x"(x->s.ps));
	x->d.q[1] = 0;
}

static void cvttps2pi(struct sse *x)
{
	x->s.q[1] = 0;
	asm volatile("cvttps2dq %1, %0" : "=x"(x->d.ps) : "x"(x->s.ps));
	x->d.q[1] = 0;
}

/* CVTPD2DQ leaves its two int32 in the low half: the MMX result */
static void cvtpd2pi(struct sse *x)
{
	asm volatile("cvtpd2dq %1, %0" : "=x"(x->d.pd) : "x"(x->s.pd));
	x->d.q[1] = 0;
}

static void cvttpd2pi(struct sse *x)
{
	asm volatile("cvttpd2dq %1, %0" : "=x"(x->d.pd) : "x"(x->s.pd));
	x->d.q[1] = 0;
}

/* CVTSI2SS/SD: the source is r/m32, or r/m64 with REX.W (sse.c read it
 * zero-extended: the sign comes from the operand size) */
static void cvtsi2ss(struct sse *x)
{
	if (x->ssize == 8)
		asm volatile("cvtsi2ssq %1, %0" : "+x"(x->d.ps) : "r"(x->s.sq[0]));
	else
		asm volatile("cvtsi2ssl %1, %0" : "+x"(x->d.ps) : "r"(x->s.sd[0]));
}

static void cvtsi2sd(struct sse *x)
{
	if (x->ssize == 8)
		asm volatile("cvtsi2sdq %1, %0" : "+x"(x->d.pd) : "r"(x->s.sq[0]));
	else
		asm volatile("cvtsi2sdl %1, %0" : "+x"(x->d.pd) : "r"(x->s.sd[0]));
}

/* to a 32- or 64-bit general register: out of range or NaN gives the
 * integer indefinite (the sign bit alone) and IE, as the host does */
#define TO_GPR(name, insn, lane) \
	static void name(struct sse *x) \
	{ \
		if (x->dsize == 8) { \
			int64_t r; \
			asm volatile(insn " %1, %0" : "=r"(r) : "x"(x->s.lane)); \
			x->d.sq[0] = r; \
		} else { \
			int32_t r; \
			asm volatile(insn " %1, %0" : "=r"(r) : "x"(x->s.lane)); \
			x->d.q[0] = (uint32_t)r; \
		} \
	}

TO_GPR(cvtss2si, "cvtss2si", ps) TO_GPR(cvttss2si, "cvttss2si", ps)
TO_GPR(cvtsd2si, "cvtsd2si", pd) TO_GPR(cvttsd2si, "cvttsd2si", pd)

/* -- comparisons -- */

/* COMISS/UCOMISS: unordered ZF PF CF = 111, less 001, equal 100, greater
 * 000; OF SF AF cleared (sse_set_flags clears what it is not given). The
 * host's compare gives them and its IE (QNaN: COMIS only) */
#define COMI(name, insn, lane) \
	static void name(struct sse *x) \
	{ \
		bool z, p, c; \
		asm volatile(insn " %3, %4" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(c) \
			     : "x"(x->s.lane), "x"(x->d.lane)); \
		sse_set_flags(x, (z ? FL_ZF : 0) | (p ? FL_PF : 0) | (c ? FL_CF : 0)); \
	}

COMI(comiss, "comiss", ps) COMI(ucomiss, "ucomiss", ps)
COMI(comisd, "comisd", pd) COMI(ucomisd, "ucomisd", pd)

/* CMPPS/PD/SS/SD: the legacy encodings have the eight predicates of
 * imm8[2:0]; the host ignores imm8[7:3] (a reserved field: tried, cmpps
 * $8 behaves as $0, not as AVX's EQ_UQ), and so do we */
#define CMP_FN(name, insn, lane) \
	static void name(struct sse *x) \
	{ \
		switch (x->imm & 7) { \
			IMM4(IMM_CASE, 0, insn, lane) IMM4(IMM_CASE, 4, insn, lane) \
		} \
	}

CMP_FN(cmpps, "cmpps", ps) CMP_FN(cmppd, "cmppd", pd)
CMP_FN(cmpss, "cmpss", ps) CMP_FN(cmpsd, "cmpsd", pd)

/* -- SSE4.1 rounding and dot products -- */

/* ROUNDPS/PD/SS/SD: imm8[1:0] the rounding, [2] MXCSR.RC instead, [3] no
 * PE; imm8[7:4] are ignored by the host as by the SDM's definition */
#define ROUND_FN(name, insn, lane) \
	static void name(struct sse *x) \
	{ \
		switch (x->imm & 15) { \
			IMM16(IMM_CASE, 0, insn, lane) \
		} \
	}

ROUND_FN(roundps, "roundps", ps) ROUND_FN(roundpd, "roundpd", pd)
ROUND_FN(roundss, "roundss", ps) ROUND_FN(roundsd, "roundsd", pd)

/* DPPS: imm8[7:4] which products, [3:0] which lanes get the sum; all eight
 * bits matter, and the order of the additions (and with it the result and
 * the flags) is the hardware's, so it is the host's DPPS for each imm8 */
static void dpps(struct sse *x)
{
	switch (x->imm) {
		IMM256(IMM_CASE, "dpps", ps)
	}
}

/* DPPD: imm8[5:4] the products, [1:0] the destinations; the other bits are
 * ignored (by the host as well) */
static void dppd(struct sse *x)
{
	switch (x->imm & 0x33) {
		IMM4(IMM_CASE, 0x00, "dppd", pd) IMM4(IMM_CASE, 0x10, "dppd", pd)
		IMM4(IMM_CASE, 0x20, "dppd", pd) IMM4(IMM_CASE, 0x30, "dppd", pd)
	}
}

/* -- the approximations: RCPPS/RCPSS/RSQRTPS/RSQRTSS --
 *
 * The SDM gives only a bound (relative error at most 1.5 * 2^-12) and each
 * vendor's table differs (Intel's and AMD's results are not the same bits),
 * so the host's instruction would make a guest's results depend on where
 * it runs. These are computed here instead, deterministically and with no
 * float arithmetic: the exact value (an integer quotient or square root
 * with a sticky bit for what lies below it), rounded to 12 significant bits
 * to nearest-even, which errs by at most 2^-12 relative, inside the SDM's
 * bound. The classes follow the SDM (and Intel): a denormal input is a zero
 * of its sign, a zero gives the infinity of its sign, an infinity a zero,
 * a NaN its quiet self, a negative RSQRT input the default NaN, a tiny
 * RCP result the zero of its sign. They raise no flags and ignore MXCSR
 * (they run without SR_FP), like the hardware. */

enum { F_SIGN = 0x80000000u, F_EXP = 0x7f800000u, F_FRAC = 0x007fffffu, F_QUIET = 0x00400000u };

/* y * 2^k (y an integer of at least 13 bits; inexact: the true value is a
 * little above y * 2^k) as a float of 12 significant bits, nearest-even;
 * below the smallest normal it is flushed to zero */
static uint32_t round12(uint32_t sign, uint64_t y, bool inexact, int k)
{
	int sh = 63 - __builtin_clzll(y) - 11;
	uint64_t r = y >> sh, rem = y & ((1ull << sh) - 1), half = 1ull << (sh - 1);
	if (rem > half || (rem == half && (inexact || (r & 1))))
		r++;
	if (r >> 12) {
		r >>= 1;
		sh++;
	}
	int e = 11 + sh + k;	/* the value is (r / 2^11) * 2^e */
	if (e < -126)
		return sign;
	if (e > 127)
		return sign | F_EXP;
	return sign | (uint32_t)(e + 127) << 23 | (uint32_t)(r & 0x7ff) << 12;
}

/* the significand (24 bits) and the exponent of a normal float: f = m * 2^e */
static uint64_t sig_of(uint32_t f, int *e)
{
	*e = (int)((f & F_EXP) >> 23) - 150;
	return (f & F_FRAC) | 0x800000;
}

static uint64_t isqrt64(uint64_t n)
{
	uint64_t r = 0, bit = 1ull << 62;
	while (bit > n)
		bit >>= 2;
	for (; bit; bit >>= 2) {
		if (n >= r + bit) {
			n -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* 1/f = (2^59 / m) * 2^(-59 - e) */
static uint32_t rcp12(uint32_t f)
{
	uint32_t sign = f & F_SIGN, exp = f & F_EXP;
	if (!exp)
		return sign | F_EXP;
	if (exp == F_EXP)
		return (f & F_FRAC) ? f | F_QUIET : sign;
	int e;
	uint64_t m = sig_of(f, &e);
	uint64_t num = 1ull << 59;
	return round12(sign, num / m, num % m != 0, -59 - e);
}

/* 1/sqrt(f) with f = m * 2^e, e made even: sqrt(2^62 / m) * 2^(-31 - e/2) */
static uint32_t rsqrt12(uint32_t f)
{
	uint32_t sign = f & F_SIGN, exp = f & F_EXP;
	if (exp == F_EXP && (f & F_FRAC))
		return f | F_QUIET;
	if (!exp)
		return sign | F_EXP;
	if (sign)
		return 0xffc00000u;
	if (exp == F_EXP)
		return 0;
	int e;
	uint64_t m = sig_of(f, &e);
	if (e & 1) {
		m <<= 1;
		e--;
	}
	uint64_t num = 1ull << 62, q = num / m, y = isqrt64(q);
	return round12(0, y, num % m != 0 || y * y != q, -31 - e / 2);
}

static void rcpps(struct sse *x)
{
	for (unsigned k = 0; k < 4; k++)
		x->d.d[k] = rcp12(x->s.d[k]);
}

static void rcpss(struct sse *x)
{
	x->d.d[0] = rcp12(x->s.d[0]);
}

static void rsqrtps(struct sse *x)
{
	for (unsigned k = 0; k < 4; k++)
		x->d.d[k] = rsqrt12(x->s.d[k]);
}

static void rsqrtss(struct sse *x)
{
	x->d.d[0] = rsqrt12(x->s.d[0]);
}

/* -- data movement: no IEEE operation, no MXCSR -- */

/* MOVUPS/MOVAPS/MOVNTPS... in both directions: the destination is the source */
static void mov_all(struct sse *x)
{
	x->d = x->s;
}

/* MOVSS/MOVSD load: from memory the upper lanes are zeroed (sse.c read
 * the 4 or 8 bytes zero-extended), from a register they are kept */
static void movss_load(struct sse *x)
{
	if (x->smem)
		x->d = x->s;
	else
		x->d.d[0] = x->s.d[0];
}

static void movsd_load(struct sse *x)
{
	if (x->smem)
		x->d = x->s;
	else
		x->d.q[0] = x->s.q[0];
}

/* MOVSS/MOVSD store: to memory the low 4/8 bytes, to a register merged */
static void movss_store(struct sse *x)
{
	x->d.d[0] = x->s.d[0];
}

/* also MOVLPS/MOVLPD in both directions (13: a store of 8 bytes) */
static void mov_low64(struct sse *x)
{
	x->d.q[0] = x->s.q[0];
}

/* 0F 12 without prefix: MOVLPS from memory, MOVHLPS from a register */
static void movlps_movhlps(struct sse *x)
{
	x->d.q[0] = x->s.q[x->smem ? 0 : 1];
}

/* 0F 16 without prefix and 66: MOVHPS/MOVHPD from memory, MOVLHPS from a
 * register: the same move of the source's low quadword */
static void mov_high64(struct sse *x)
{
	x->d.q[1] = x->s.q[0];
}

/* 0F 17: MOVHPS/MOVHPD to memory */
static void movhps_store(struct sse *x)
{
	x->d.q[0] = x->s.q[1];
}

static void movsldup(struct sse *x)
{
	union vec s = x->s;
	x->d.d[0] = x->d.d[1] = s.d[0];
	x->d.d[2] = x->d.d[3] = s.d[2];
}

static void movshdup(struct sse *x)
{
	union vec s = x->s;
	x->d.d[0] = x->d.d[1] = s.d[1];
	x->d.d[2] = x->d.d[3] = s.d[3];
}

static void movddup(struct sse *x)
{
	x->d.q[0] = x->d.q[1] = x->s.q[0];
}

static void unpcklps(struct sse *x)
{
	union vec d = x->d;
	x->d.d[0] = d.d[0];
	x->d.d[1] = x->s.d[0];
	x->d.d[2] = d.d[1];
	x->d.d[3] = x->s.d[1];
}

static void unpckhps(struct sse *x)
{
	union vec d = x->d;
	x->d.d[0] = d.d[2];
	x->d.d[1] = x->s.d[2];
	x->d.d[2] = d.d[3];
	x->d.d[3] = x->s.d[3];
}

static void unpcklpd(struct sse *x)
{
	x->d.q[1] = x->s.q[0];
}

static void unpckhpd(struct sse *x)
{
	x->d.q[0] = x->d.q[1];
	x->d.q[1] = x->s.q[1];
}

/* SHUFPS: the low two lanes from the destination, the high two from the
 * source, each picked by two bits of imm8 */
static void shufps(struct sse *x)
{
	union vec d = x->d;
	unsigned i = x->imm;
	x->d.d[0] = d.d[i & 3];
	x->d.d[1] = d.d[(i >> 2) & 3];
	x->d.d[2] = x->s.d[(i >> 4) & 3];
	x->d.d[3] = x->s.d[(i >> 6) & 3];
}

static void shufpd(struct sse *x)
{
	union vec d = x->d;
	x->d.q[0] = d.q[x->imm & 1];
	x->d.q[1] = x->s.q[(x->imm >> 1) & 1];
}

/* the bitwise ones are plain logic on the bits, NaNs included */
static void andp(struct sse *x)
{
	x->d.x &= x->s.x;
}

static void andnp(struct sse *x)
{
	x->d.x = ~x->d.x & x->s.x;
}

static void orp(struct sse *x)
{
	x->d.x |= x->s.x;
}

static void xorp(struct sse *x)
{
	x->d.x ^= x->s.x;
}

/* MOVMSKPS/PD: the sign bits into a general register, the rest zero */
static void movmskps(struct sse *x)
{
	unsigned m = 0;
	for (unsigned k = 0; k < 4; k++)
		m |= (x->s.d[k] >> 31) << k;
	x->d.q[0] = m;
}

static void movmskpd(struct sse *x)
{
	x->d.q[0] = (x->s.q[0] >> 63) | (x->s.q[1] >> 63) << 1;
}

/* BLENDPS/PD: lane k from the source if imm8 bit k; BLENDVPS/PD: if the
 * sign bit of XMM0's lane k */
static void blendps(struct sse *x)
{
	for (unsigned k = 0; k < 4; k++)
		if (x->imm >> k & 1)
			x->d.d[k] = x->s.d[k];
}

static void blendpd(struct sse *x)
{
	for (unsigned k = 0; k < 2; k++)
		if (x->imm >> k & 1)
			x->d.q[k] = x->s.q[k];
}

static void blendvps(struct sse *x)
{
	for (unsigned k = 0; k < 4; k++)
		if (x->s2.d[k] >> 31)
			x->d.d[k] = x->s.d[k];
}

static void blendvpd(struct sse *x)
{
	for (unsigned k = 0; k < 2; k++)
		if (x->s2.q[k] >> 63)
			x->d.q[k] = x->s.q[k];
}

/* EXTRACTPS: lane imm8[1:0] to r/m32 (a 64-bit register is zero-extended) */
static void extractps(struct sse *x)
{
	x->d.q[0] = x->s.d[x->imm & 3];
}

/* INSERTPS: the source lane imm8[7:6] (a memory source is its one dword)
 * into lane imm8[5:4], then the lanes of imm8[3:0] zeroed */
static void insertps(struct sse *x)
{
	unsigned i = x->imm;
	x->d.d[(i >> 4) & 3] = x->s.d[x->smem ? 0 : i >> 6];
	for (unsigned k = 0; k < 4; k++)
		if (i >> k & 1)
			x->d.d[k] = 0;
}

/* -- the rows -- */

#define K0F(opc, p) SSE_KEY(MAP_0F, opc, p)
#define K38(opc, p) SSE_KEY(MAP_0F38, opc, p)
#define K3A(opc, p) SSE_KEY(MAP_0F3A, opc, p)
/* an arithmetic opcode's four forms */
#define PSPDSSSD(opc, name) \
	{ K0F(opc, NP), SR_FP, name##ps }, { K0F(opc, P66), SR_FP, name##pd }, \
	{ K0F(opc, PF3), SR_FP, name##ss }, { K0F(opc, PF2), SR_FP, name##sd }

const struct sse_op sse_ops_fp[] = {
	/* moves */
	{ K0F(0x10, NP), SR_UNALIGNED, mov_all },	/* MOVUPS */
	{ K0F(0x10, P66), SR_UNALIGNED, mov_all },	/* MOVUPD */
	{ K0F(0x10, PF3), 0, movss_load },
	{ K0F(0x10, PF2), 0, movsd_load },
	{ K0F(0x11, NP), SR_UNALIGNED, mov_all },
	{ K0F(0x11, P66), SR_UNALIGNED, mov_all },
	{ K0F(0x11, PF3), 0, movss_store },
	{ K0F(0x11, PF2), 0, mov_low64 },		/* MOVSD store */
	{ K0F(0x12, NP), 0, movlps_movhlps },
	{ K0F(0x12, P66), 0, mov_low64 },		/* MOVLPD */
	{ K0F(0x12, PF3), 0, movsldup },
	{ K0F(0x12, PF2), 0, movddup },
	{ K0F(0x13, NP), 0, mov_low64 },		/* MOVLPS m64 */
	{ K0F(0x13, P66), 0, mov_low64 },		/* MOVLPD m64 */
	{ K0F(0x14, NP), 0, unpcklps },
	{ K0F(0x14, P66), 0, unpcklpd },
	{ K0F(0x15, NP), 0, unpckhps },
	{ K0F(0x15, P66), 0, unpckhpd },
	{ K0F(0x16, NP), 0, mov_high64 },		/* MOVHPS, MOVLHPS */
	{ K0F(0x16, P66), 0, mov_high64 },		/* MOVHPD */
	{ K0F(0x16, PF3), 0, movshdup },
	{ K0F(0x17, NP), 0, movhps_store },
	{ K0F(0x17, P66), 0, movhps_store },		/* MOVHPD m64 */
	{ K0F(0x28, NP), 0, mov_all },			/* MOVAPS */
	{ K0F(0x28, P66), 0, mov_all },
	{ K0F(0x29, NP), 0, mov_all },
	{ K0F(0x29, P66), 0, mov_all },
	{ K0F(0x2B, NP), 0, mov_all },			/* MOVNTPS: aligned too */
	{ K0F(0x2B, P66), 0, mov_all },
	/* conversions */
	{ K0F(0x2A, NP), SR_FP, cvtpi2ps },
	{ K0F(0x2A, P66), SR_FP, cvtpi2pd },
	{ K0F(0x2A, PF3), SR_FP, cvtsi2ss },
	{ K0F(0x2A, PF2), SR_FP, cvtsi2sd },
	{ K0F(0x2C, NP), SR_FP, cvttps2pi },
	{ K0F(0x2C, P66), SR_FP, cvttpd2pi },
	{ K0F(0x2C, PF3), SR_FP, cvttss2si },
	{ K0F(0x2C, PF2), SR_FP, cvttsd2si },
	{ K0F(0x2D, NP), SR_FP, cvtps2pi },
	{ K0F(0x2D, P66), SR_FP, cvtpd2pi },
	{ K0F(0x2D, PF3), SR_FP, cvtss2si },
	{ K0F(0x2D, PF2), SR_FP, cvtsd2si },
	{ K0F(0x5A, NP), SR_FP, cvtps2pd },
	{ K0F(0x5A, P66), SR_FP, cvtpd2ps },
	{ K0F(0x5A, PF3), SR_FP, cvtss2sd },
	{ K0F(0x5A, PF2), SR_FP, cvtsd2ss },
	{ K0F(0x5B, NP), SR_FP, cvtdq2ps },
	{ K0F(0x5B, P66), SR_FP, cvtps2dq },
	{ K0F(0x5B, PF3), SR_FP, cvttps2dq },
	{ K0F(0xE6, P66), SR_FP, cvttpd2dq },
	{ K0F(0xE6, PF3), SR_FP, cvtdq2pd },
	{ K0F(0xE6, PF2), SR_FP, cvtpd2dq },
	/* comparisons */
	{ K0F(0x2E, NP), SR_FP | SR_NOWB, ucomiss },
	{ K0F(0x2E, P66), SR_FP | SR_NOWB, ucomisd },
	{ K0F(0x2F, NP), SR_FP | SR_NOWB, comiss },
	{ K0F(0x2F, P66), SR_FP | SR_NOWB, comisd },
	PSPDSSSD(0xC2, cmp),
	/* arithmetic */
	{ K0F(0x50, NP), 0, movmskps },
	{ K0F(0x50, P66), 0, movmskpd },
	PSPDSSSD(0x51, sqrt),
	{ K0F(0x52, NP), 0, rsqrtps },
	{ K0F(0x52, PF3), 0, rsqrtss },
	{ K0F(0x53, NP), 0, rcpps },
	{ K0F(0x53, PF3), 0, rcpss },
	{ K0F(0x54, NP), 0, andp },
	{ K0F(0x54, P66), 0, andp },
	{ K0F(0x55, NP), 0, andnp },
	{ K0F(0x55, P66), 0, andnp },
	{ K0F(0x56, NP), 0, orp },
	{ K0F(0x56, P66), 0, orp },
	{ K0F(0x57, NP), 0, xorp },
	{ K0F(0x57, P66), 0, xorp },
	PSPDSSSD(0x58, add),
	PSPDSSSD(0x59, mul),
	PSPDSSSD(0x5C, sub),
	PSPDSSSD(0x5D, min),
	PSPDSSSD(0x5E, div),
	PSPDSSSD(0x5F, max),
	{ K0F(0xC6, NP), 0, shufps },
	{ K0F(0xC6, P66), 0, shufpd },
	/* SSE3 */
	{ K0F(0x7C, P66), SR_FP, haddpd },
	{ K0F(0x7C, PF2), SR_FP, haddps },
	{ K0F(0x7D, P66), SR_FP, hsubpd },
	{ K0F(0x7D, PF2), SR_FP, hsubps },
	{ K0F(0xD0, P66), SR_FP, addsubpd },
	{ K0F(0xD0, PF2), SR_FP, addsubps },
	/* SSE4.1 */
	{ K38(0x14, P66), 0, blendvps },
	{ K38(0x15, P66), 0, blendvpd },
	{ K3A(0x08, P66), SR_FP, roundps },
	{ K3A(0x09, P66), SR_FP, roundpd },
	{ K3A(0x0A, P66), SR_FP, roundss },
	{ K3A(0x0B, P66), SR_FP, roundsd },
	{ K3A(0x0C, P66), 0, blendps },
	{ K3A(0x0D, P66), 0, blendpd },
	{ K3A(0x17, P66), 0, extractps },
	{ K3A(0x21, P66), 0, insertps },
	{ K3A(0x40, P66), SR_FP, dpps },
	{ K3A(0x41, P66), SR_FP, dppd },
	{ 0, 0, NULL },
};
