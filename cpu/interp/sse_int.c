/* The integer forms of MMX, SSE2, SSSE3 and SSE4.1 (and PCMPGTQ of 4.2).
 * Where an opcode has an MMX form (no prefix) and an XMM form (66), one
 * function serves both: x->n is the vector's bytes, so the lane counts
 * follow it. An MMX operand arrives in the low 8 bytes with the rest zero,
 * and only the low 8 bytes go back, so MMX results need no masking; an
 * XMM destination is written whole, so every XMM result is complete. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/sse.h"

#include <string.h>
#include "cpu/state.h"		/* FL_ZF, FL_CF */

/* -- lanes of any width, for the forms that change or mix widths -- */

static uint64_t lane(const union vec *v, unsigned size, unsigned k)
{
	switch (size) {
	case 1: return v->b[k];
	case 2: return v->w[k];
	case 4: return v->d[k];
	default: return v->q[k];
	}
}

static void set_lane(union vec *v, unsigned size, unsigned k, uint64_t val)
{
	switch (size) {
	case 1: v->b[k] = (uint8_t)val; break;
	case 2: v->w[k] = (uint16_t)val; break;
	case 4: v->d[k] = (uint32_t)val; break;
	default: v->q[k] = val; break;
	}
}

static int64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;
	return (int64_t)(v << sh) >> sh;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int sat_s8(int v) { return (int)clamp(v, INT8_MIN, INT8_MAX); }
static int sat_u8(int v) { return (int)clamp(v, 0, UINT8_MAX); }
static int sat_s16(int v) { return (int)clamp(v, INT16_MIN, INT16_MAX); }
static int sat_u16(int v) { return (int)clamp(v, 0, UINT16_MAX); }

/* -- lane by lane: d = expr(a, b), a from d and b from s. Wrapping
 * arithmetic uses the unsigned lanes, so C's signed overflow never comes in -- */

#define LANES(x, l) ((x)->n / sizeof((x)->d.l[0]))

#define LANEWISE(name, l, expr)						\
	static void name(struct sse *x)					\
	{								\
		for (unsigned k = 0; k < LANES(x, l); k++) {		\
			__typeof__(x->d.l[0]) a = x->d.l[k], b = x->s.l[k]; \
			(void)a;					\
			x->d.l[k] = (expr);				\
		}							\
	}

LANEWISE(paddb, b, a + b)
LANEWISE(paddw, w, a + b)
LANEWISE(paddd, d, a + b)
LANEWISE(paddq, q, a + b)
LANEWISE(psubb, b, a - b)
LANEWISE(psubw, w, a - b)
LANEWISE(psubd, d, a - b)
LANEWISE(psubq, q, a - b)
LANEWISE(paddsb, sb, sat_s8(a + b))
LANEWISE(paddsw, sw, sat_s16(a + b))
LANEWISE(paddusb, b, sat_u8(a + b))
LANEWISE(paddusw, w, sat_u16(a + b))
LANEWISE(psubsb, sb, sat_s8(a - b))
LANEWISE(psubsw, sw, sat_s16(a - b))
LANEWISE(psubusb, b, sat_u8(a - b))
LANEWISE(psubusw, w, sat_u16(a - b))

LANEWISE(pcmpeqb, b, -(a == b))
LANEWISE(pcmpeqw, w, -(a == b))
LANEWISE(pcmpeqd, d, -(a == b))
LANEWISE(pcmpeqq, q, -(uint64_t)(a == b))
LANEWISE(pcmpgtb, sb, -(a > b))
LANEWISE(pcmpgtw, sw, -(a > b))
LANEWISE(pcmpgtd, sd, -(a > b))
LANEWISE(pcmpgtq, sq, -(a > b))

LANEWISE(pand, q, a & b)
LANEWISE(pandn, q, ~a & b)
LANEWISE(por, q, a | b)
LANEWISE(pxor, q, a ^ b)

LANEWISE(pminub, b, a < b ? a : b)
LANEWISE(pmaxub, b, a > b ? a : b)
LANEWISE(pminsb, sb, a < b ? a : b)
LANEWISE(pmaxsb, sb, a > b ? a : b)
LANEWISE(pminuw, w, a < b ? a : b)
LANEWISE(pmaxuw, w, a > b ? a : b)
LANEWISE(pminsw, sw, a < b ? a : b)
LANEWISE(pmaxsw, sw, a > b ? a : b)
LANEWISE(pminud, d, a < b ? a : b)
LANEWISE(pmaxud, d, a > b ? a : b)
LANEWISE(pminsd, sd, a < b ? a : b)
LANEWISE(pmaxsd, sd, a > b ? a : b)

LANEWISE(pavgb, b, (a + b + 1) >> 1)
LANEWISE(pavgw, w, (a + b + 1) >> 1)

LANEWISE(pmullw, w, (uint32_t)a * b)
LANEWISE(pmulhw, sw, ((int32_t)a * b) >> 16)
LANEWISE(pmulhuw, w, ((uint32_t)a * b) >> 16)
LANEWISE(pmulld, d, a * b)
/* the product's bits 16:1 after adding 1 at bit 14: rounding to nearest */
LANEWISE(pmulhrsw, sw, ((((int32_t)a * b) >> 14) + 1) >> 1)
/* the even dwords, widened */
LANEWISE(pmuludq, q, (uint64_t)(uint32_t)a * (uint32_t)b)
LANEWISE(pmuldq, q, (uint64_t)((int64_t)(int32_t)a * (int32_t)b))

/* PSIGN: negated where s is negative, zeroed where s is zero (the most
 * negative value negates to itself, as in two's complement) */
LANEWISE(psignb, b, (int8_t)b < 0 ? -a : b ? a : 0)
LANEWISE(psignw, w, (int16_t)b < 0 ? -a : b ? a : 0)
LANEWISE(psignd, d, (int32_t)b < 0 ? -a : b ? a : 0)

/* PABS: the absolute value of s, unsigned (so -128 gives 0x80) */
LANEWISE(pabsb, b, (int8_t)b < 0 ? -b : b)
LANEWISE(pabsw, w, (int16_t)b < 0 ? -b : b)
LANEWISE(pabsd, d, (int32_t)b < 0 ? -b : b)

/* -- moves -- */

/* every plain move: MOVD/MOVQ (the source arrives zero-extended, so an XMM
 * destination gets its upper bits cleared), MOVDQA/MOVDQU/LDDQU, the
 * non-temporal stores and MOVNTDQA */
static void mov(struct sse *x)
{
	x->d = x->s;
}

/* the low quadword, the high one zeroed: MOVQ xmm forms, MOVQ2DQ, MOVDQ2Q */
static void movq(struct sse *x)
{
	x->d.q[0] = x->s.q[0];
	x->d.q[1] = 0;
}

/* MASKMOVQ, MASKMOVDQU: d holds the data, s the byte mask */
static void maskmov(struct sse *x)
{
	sse_store_rdi(x, x->d.b, x->s.b, x->n);
}

/* -- unpack and pack -- */

/* interleave the low (or high) halves of d and s, elements of `size` bytes */
static void unpack(struct sse *x, unsigned size, bool high)
{
	unsigned half = x->n / 2, base = high ? half : 0;
	union vec r = { .q = { 0, 0 } };
	for (unsigned k = 0; k < half / size; k++) {
		memcpy(r.b + 2 * k * size, x->d.b + base + k * size, size);
		memcpy(r.b + (2 * k + 1) * size, x->s.b + base + k * size, size);
	}
	x->d = r;
}

static void punpcklbw(struct sse *x) { unpack(x, 1, false); }
static void punpcklwd(struct sse *x) { unpack(x, 2, false); }
static void punpckldq(struct sse *x) { unpack(x, 4, false); }
static void punpcklqdq(struct sse *x) { unpack(x, 8, false); }
static void punpckhbw(struct sse *x) { unpack(x, 1, true); }
static void punpckhwd(struct sse *x) { unpack(x, 2, true); }
static void punpckhdq(struct sse *x) { unpack(x, 4, true); }
static void punpckhqdq(struct sse *x) { unpack(x, 8, true); }

/* signed elements of `size` bytes halved with saturation, d's then s's */
static void pack(struct sse *x, unsigned size, bool to_unsigned)
{
	unsigned bits = 4 * size, per = x->n / size;
	int64_t lo = to_unsigned ? 0 : -((int64_t)1 << (bits - 1));
	int64_t hi = to_unsigned ? ((int64_t)1 << bits) - 1 : ((int64_t)1 << (bits - 1)) - 1;
	union vec r = { .q = { 0, 0 } };
	for (unsigned k = 0; k < per; k++) {
		set_lane(&r, size / 2, k, (uint64_t)clamp(sext(lane(&x->d, size, k), size), lo, hi));
		set_lane(&r, size / 2, per + k, (uint64_t)clamp(sext(lane(&x->s, size, k), size), lo, hi));
	}
	x->d = r;
}

static void packsswb(struct sse *x) { pack(x, 2, false); }
static void packssdw(struct sse *x) { pack(x, 4, false); }
static void packuswb(struct sse *x) { pack(x, 2, true); }
static void packusdw(struct sse *x) { pack(x, 4, true); }

/* PMOVSX/PMOVZX: the low elements of s widened to fill the register */
static void pmovx(struct sse *x, unsigned from, unsigned to, bool sign)
{
	union vec r;
	for (unsigned k = 0; k < 16 / to; k++) {
		uint64_t v = lane(&x->s, from, k);
		set_lane(&r, to, k, sign ? (uint64_t)sext(v, from) : v);
	}
	x->d = r;
}

static void pmovsxbw(struct sse *x) { pmovx(x, 1, 2, true); }
static void pmovsxbd(struct sse *x) { pmovx(x, 1, 4, true); }
static void pmovsxbq(struct sse *x) { pmovx(x, 1, 8, true); }
static void pmovsxwd(struct sse *x) { pmovx(x, 2, 4, true); }
static void pmovsxwq(struct sse *x) { pmovx(x, 2, 8, true); }
static void pmovsxdq(struct sse *x) { pmovx(x, 4, 8, true); }
static void pmovzxbw(struct sse *x) { pmovx(x, 1, 2, false); }
static void pmovzxbd(struct sse *x) { pmovx(x, 1, 4, false); }
static void pmovzxbq(struct sse *x) { pmovx(x, 1, 8, false); }
static void pmovzxwd(struct sse *x) { pmovx(x, 2, 4, false); }
static void pmovzxwq(struct sse *x) { pmovx(x, 2, 8, false); }
static void pmovzxdq(struct sse *x) { pmovx(x, 4, 8, false); }

/* -- shifts -- */

enum shift { SH_RL, SH_RA, SH_LL };

/* a count past the element's width empties it (or fills it with the sign);
 * the count is never taken modulo anything */
static void shift(struct sse *x, unsigned size, enum shift how, uint64_t count)
{
	unsigned bits = 8 * size;
	for (unsigned k = 0; k < x->n / size; k++) {
		uint64_t v = lane(&x->d, size, k);
		switch (how) {
		case SH_RL: v = count >= bits ? 0 : v >> count; break;
		case SH_LL: v = count >= bits ? 0 : v << count; break;
		case SH_RA: v = (uint64_t)(sext(v, size) >> (count >= bits ? bits - 1 : count)); break;
		}
		set_lane(&x->d, size, k, v);
	}
}

/* by the whole low quadword of s, or by the immediate (groups 12-14) */
#define SHIFTS(name, size, how)						\
	static void name##_r(struct sse *x) { shift(x, size, how, x->s.q[0]); } \
	static void name##_i(struct sse *x) { shift(x, size, how, x->imm); }

SHIFTS(psrlw, 2, SH_RL)
SHIFTS(psrld, 4, SH_RL)
SHIFTS(psrlq, 8, SH_RL)
SHIFTS(psraw, 2, SH_RA)
SHIFTS(psrad, 4, SH_RA)
SHIFTS(psllw, 2, SH_LL)
SHIFTS(pslld, 4, SH_LL)
SHIFTS(psllq, 8, SH_LL)

/* PSRLDQ/PSLLDQ: the whole register by bytes */
static void psrldq(struct sse *x)
{
	union vec r = { .q = { 0, 0 } };
	if (x->imm < 16)
		memcpy(r.b, x->d.b + x->imm, 16u - x->imm);
	x->d = r;
}

static void pslldq(struct sse *x)
{
	union vec r = { .q = { 0, 0 } };
	if (x->imm < 16)
		memcpy(r.b + x->imm, x->d.b, 16u - x->imm);
	x->d = r;
}

/* -- multiply-add and sums -- */

/* PMADDWD: two signed products summed; only 8000h*8000h twice overflows,
 * and wraps to 80000000h as the SDM says */
static void pmaddwd(struct sse *x)
{
	for (unsigned k = 0; k < x->n / 4; k++) {
		int64_t v = (int64_t)x->d.sw[2 * k] * x->s.sw[2 * k] +
			    (int64_t)x->d.sw[2 * k + 1] * x->s.sw[2 * k + 1];
		x->d.d[k] = (uint32_t)v;
	}
}

/* PMADDUBSW: d's bytes unsigned, s's signed, pairs summed with saturation */
static void pmaddubsw(struct sse *x)
{
	for (unsigned k = 0; k < x->n / 2; k++) {
		int v = x->d.b[2 * k] * x->s.sb[2 * k] + x->d.b[2 * k + 1] * x->s.sb[2 * k + 1];
		x->d.sw[k] = (int16_t)sat_s16(v);
	}
}

/* PSADBW: per quadword, the sum of byte differences in its low word */
static void psadbw(struct sse *x)
{
	for (unsigned q = 0; q < x->n / 8; q++) {
		unsigned sum = 0;
		for (unsigned k = 8 * q; k < 8 * q + 8; k++)
			sum += (unsigned)__builtin_abs(x->d.b[k] - x->s.b[k]);
		x->d.q[q] = sum;
	}
}

/* MPSADBW: eight sums of absolute differences of a 4-byte block of s
 * (imm[1:0]) against sliding 4-byte windows of d (from imm[2]) */
static void mpsadbw(struct sse *x)
{
	unsigned d0 = (x->imm & 4) ? 4 : 0, s0 = (x->imm & 3) * 4;
	union vec r;
	for (unsigned k = 0; k < 8; k++) {
		unsigned sum = 0;
		for (unsigned j = 0; j < 4; j++)
			sum += (unsigned)__builtin_abs(x->d.b[d0 + k + j] - x->s.b[s0 + j]);
		r.w[k] = (uint16_t)sum;
	}
	x->d = r;
}

/* PHMINPOSUW: the least word of s and its index (the lowest on a tie) */
static void phminposuw(struct sse *x)
{
	unsigned at = 0;
	for (unsigned k = 1; k < 8; k++)
		if (x->s.w[k] < x->s.w[at])
			at = k;
	union vec r = { .q = { 0, 0 } };
	r.w[0] = x->s.w[at];
	r.w[1] = (uint16_t)at;
	x->d = r;
}

/* -- horizontal add and subtract: adjacent pairs of d, then of s -- */

enum hop { H_ADD, H_SUB, H_ADDS, H_SUBS };

static void horizontal(struct sse *x, unsigned size, enum hop op)
{
	unsigned half = x->n / size / 2;
	union vec r = { .q = { 0, 0 } };
	for (unsigned k = 0; k < 2 * half; k++) {
		const union vec *v = k < half ? &x->d : &x->s;
		unsigned j = 2 * (k % half);
		int64_t a = sext(lane(v, size, j), size), b = sext(lane(v, size, j + 1), size);
		int64_t res = op == H_ADD || op == H_ADDS ? a + b : a - b;
		if (op == H_ADDS || op == H_SUBS)
			res = clamp(res, INT16_MIN, INT16_MAX);
		set_lane(&r, size, k, (uint64_t)res);
	}
	x->d = r;
}

static void phaddw(struct sse *x) { horizontal(x, 2, H_ADD); }
static void phaddd(struct sse *x) { horizontal(x, 4, H_ADD); }
static void phaddsw(struct sse *x) { horizontal(x, 2, H_ADDS); }
static void phsubw(struct sse *x) { horizontal(x, 2, H_SUB); }
static void phsubd(struct sse *x) { horizontal(x, 4, H_SUB); }
static void phsubsw(struct sse *x) { horizontal(x, 2, H_SUBS); }

/* -- shuffles, blends, alignment -- */

/* PSHUFB: a set high bit zeroes the byte; the index has as many bits as
 * the register has bytes */
static void pshufb(struct sse *x)
{
	union vec r = { .q = { 0, 0 } };
	for (unsigned k = 0; k < x->n; k++)
		r.b[k] = (x->s.b[k] & 0x80) ? 0 : x->d.b[x->s.b[k] & (x->n - 1)];
	x->d = r;
}

/* four words (PSHUFW, PSHUFLW, PSHUFHW) or dwords (PSHUFD) of s picked by
 * the immediate's 2-bit fields; lanes before `at` are copied from s */
static void shuffle4(struct sse *x, unsigned size, unsigned at)
{
	union vec r = x->s;
	for (unsigned k = 0; k < 4; k++)
		set_lane(&r, size, at + k, lane(&x->s, size, at + ((x->imm >> (2 * k)) & 3)));
	x->d = r;
}

static void pshufw(struct sse *x) { shuffle4(x, 2, 0); }
static void pshufd(struct sse *x) { shuffle4(x, 4, 0); }
static void pshuflw(struct sse *x) { shuffle4(x, 2, 0); }
static void pshufhw(struct sse *x) { shuffle4(x, 2, 4); }

/* PALIGNR: the byte-shifted concatenation d:s; bytes from beyond it are zero */
static void palignr(struct sse *x)
{
	uint8_t t[32];
	union vec r = { .q = { 0, 0 } };
	memcpy(t, x->s.b, x->n);
	memcpy(t + x->n, x->d.b, x->n);
	for (unsigned k = 0; k < x->n; k++)
		if (x->imm + k < 2 * x->n)
			r.b[k] = t[x->imm + k];
	x->d = r;
}

/* PBLENDVB: bytes from s where XMM0's byte has its high bit set */
static void pblendvb(struct sse *x)
{
	for (unsigned k = 0; k < 16; k++)
		if (x->s2.b[k] & 0x80)
			x->d.b[k] = x->s.b[k];
}

static void pblendw(struct sse *x)
{
	for (unsigned k = 0; k < 8; k++)
		if (x->imm & (1u << k))
			x->d.w[k] = x->s.w[k];
}

/* -- to and from general registers and memory -- */

/* PMOVMSKB: the bytes' sign bits, zero-extended to the whole register */
static void pmovmskb(struct sse *x)
{
	uint64_t m = 0;
	for (unsigned k = 0; k < x->n; k++)
		m |= (uint64_t)(x->s.b[k] >> 7) << k;
	x->d.q[0] = m;
}

/* the element indexes wrap at the register's element count */
static void pinsrw(struct sse *x)
{
	x->d.w[x->imm & (x->n / 2 - 1)] = x->s.w[0];
}

static void pextrw(struct sse *x)
{
	x->d.q[0] = x->s.w[x->imm & (x->n / 2 - 1)];
}

static void pinsrb(struct sse *x)
{
	x->d.b[x->imm & 15] = x->s.b[0];
}

/* PINSRD, or PINSRQ with REX.W (a quadword source) */
static void pinsrd(struct sse *x)
{
	if (x->ssize == 8)
		x->d.q[x->imm & 1] = x->s.q[0];
	else
		x->d.d[x->imm & 3] = x->s.d[0];
}

static void pextrb(struct sse *x)
{
	x->d.q[0] = x->s.b[x->imm & 15];
}

/* PEXTRD, or PEXTRQ with REX.W (a quadword destination) */
static void pextrd(struct sse *x)
{
	x->d.q[0] = x->dsize == 8 ? x->s.q[x->imm & 1] : x->s.d[x->imm & 3];
}

/* PTEST: ZF when s AND d is zero, CF when s AND NOT d is */
static void ptest(struct sse *x)
{
	bool z = !((x->s.q[0] & x->d.q[0]) | (x->s.q[1] & x->d.q[1]));
	bool c = !((x->s.q[0] & ~x->d.q[0]) | (x->s.q[1] & ~x->d.q[1]));
	sse_set_flags(x, (z ? FL_ZF : 0) | (c ? FL_CF : 0));
}

/* -- the rows -- */

#define K0F(opc, pfx, fn, fl) { SSE_KEY(MAP_0F, opc, pfx), fl, fn }
#define K38(opc, pfx, fn, fl) { SSE_KEY(MAP_0F38, opc, pfx), fl, fn }
#define K3A(opc, pfx, fn, fl) { SSE_KEY(MAP_0F3A, opc, pfx), fl, fn }
/* an MMX form and its XMM twin */
#define MX0F(opc, fn) K0F(opc, NP, fn, 0), K0F(opc, P66, fn, 0)
#define MX38(opc, fn) K38(opc, NP, fn, 0), K38(opc, P66, fn, 0)
#define X38(opc, fn) K38(opc, P66, fn, 0)
#define GRP(opc, r, fn) { SSE_GRP(opc, r, NP), 0, fn }, { SSE_GRP(opc, r, P66), 0, fn }

const struct sse_op sse_ops_int[] = {
	MX0F(0x60, punpcklbw), MX0F(0x61, punpcklwd), MX0F(0x62, punpckldq), MX0F(0x63, packsswb),
	MX0F(0x64, pcmpgtb), MX0F(0x65, pcmpgtw), MX0F(0x66, pcmpgtd), MX0F(0x67, packuswb),
	MX0F(0x68, punpckhbw), MX0F(0x69, punpckhwd), MX0F(0x6a, punpckhdq), MX0F(0x6b, packssdw),
	K0F(0x6c, P66, punpcklqdq, 0), K0F(0x6d, P66, punpckhqdq, 0),
	MX0F(0x6e, mov),
	MX0F(0x6f, mov), K0F(0x6f, PF3, mov, SR_UNALIGNED),
	K0F(0x70, NP, pshufw, 0), K0F(0x70, P66, pshufd, 0),
	K0F(0x70, PF3, pshufhw, 0), K0F(0x70, PF2, pshuflw, 0),
	GRP(0x71, 2, psrlw_i), GRP(0x71, 4, psraw_i), GRP(0x71, 6, psllw_i),
	GRP(0x72, 2, psrld_i), GRP(0x72, 4, psrad_i), GRP(0x72, 6, pslld_i),
	GRP(0x73, 2, psrlq_i), GRP(0x73, 6, psllq_i),
	{ SSE_GRP(0x73, 3, P66), 0, psrldq }, { SSE_GRP(0x73, 7, P66), 0, pslldq },
	MX0F(0x74, pcmpeqb), MX0F(0x75, pcmpeqw), MX0F(0x76, pcmpeqd),
	MX0F(0x7e, mov), K0F(0x7e, PF3, movq, 0),
	MX0F(0x7f, mov), K0F(0x7f, PF3, mov, SR_UNALIGNED),
	K0F(0xc3, NP, mov, 0),
	MX0F(0xc4, pinsrw), MX0F(0xc5, pextrw),
	MX0F(0xd1, psrlw_r), MX0F(0xd2, psrld_r), MX0F(0xd3, psrlq_r),
	MX0F(0xd4, paddq), MX0F(0xd5, pmullw),
	K0F(0xd6, P66, movq, 0), K0F(0xd6, PF3, movq, 0), K0F(0xd6, PF2, movq, 0),
	MX0F(0xd7, pmovmskb),
	MX0F(0xd8, psubusb), MX0F(0xd9, psubusw), MX0F(0xda, pminub), MX0F(0xdb, pand),
	MX0F(0xdc, paddusb), MX0F(0xdd, paddusw), MX0F(0xde, pmaxub), MX0F(0xdf, pandn),
	MX0F(0xe0, pavgb), MX0F(0xe1, psraw_r), MX0F(0xe2, psrad_r), MX0F(0xe3, pavgw),
	MX0F(0xe4, pmulhuw), MX0F(0xe5, pmulhw), MX0F(0xe7, mov),
	MX0F(0xe8, psubsb), MX0F(0xe9, psubsw), MX0F(0xea, pminsw), MX0F(0xeb, por),
	MX0F(0xec, paddsb), MX0F(0xed, paddsw), MX0F(0xee, pmaxsw), MX0F(0xef, pxor),
	K0F(0xf0, PF2, mov, SR_UNALIGNED),
	MX0F(0xf1, psllw_r), MX0F(0xf2, pslld_r), MX0F(0xf3, psllq_r),
	MX0F(0xf4, pmuludq), MX0F(0xf5, pmaddwd), MX0F(0xf6, psadbw),
	K0F(0xf7, NP, maskmov, SR_NOWB), K0F(0xf7, P66, maskmov, SR_NOWB),
	MX0F(0xf8, psubb), MX0F(0xf9, psubw), MX0F(0xfa, psubd), MX0F(0xfb, psubq),
	MX0F(0xfc, paddb), MX0F(0xfd, paddw), MX0F(0xfe, paddd),

	MX38(0x00, pshufb), MX38(0x01, phaddw), MX38(0x02, phaddd), MX38(0x03, phaddsw),
	MX38(0x04, pmaddubsw), MX38(0x05, phsubw), MX38(0x06, phsubd), MX38(0x07, phsubsw),
	MX38(0x08, psignb), MX38(0x09, psignw), MX38(0x0a, psignd), MX38(0x0b, pmulhrsw),
	MX38(0x1c, pabsb), MX38(0x1d, pabsw), MX38(0x1e, pabsd),
	X38(0x10, pblendvb), K38(0x17, P66, ptest, SR_NOWB),
	X38(0x20, pmovsxbw), X38(0x21, pmovsxbd), X38(0x22, pmovsxbq),
	X38(0x23, pmovsxwd), X38(0x24, pmovsxwq), X38(0x25, pmovsxdq),
	X38(0x28, pmuldq), X38(0x29, pcmpeqq), X38(0x2a, mov), X38(0x2b, packusdw),
	X38(0x30, pmovzxbw), X38(0x31, pmovzxbd), X38(0x32, pmovzxbq),
	X38(0x33, pmovzxwd), X38(0x34, pmovzxwq), X38(0x35, pmovzxdq),
	X38(0x37, pcmpgtq), X38(0x38, pminsb), X38(0x39, pminsd), X38(0x3a, pminuw),
	X38(0x3b, pminud), X38(0x3c, pmaxsb), X38(0x3d, pmaxsd), X38(0x3e, pmaxuw),
	X38(0x3f, pmaxud), X38(0x40, pmulld), X38(0x41, phminposuw),

	K3A(0x0e, P66, pblendw, 0), K3A(0x0f, NP, palignr, 0), K3A(0x0f, P66, palignr, 0),
	K3A(0x14, P66, pextrb, 0), K3A(0x15, P66, pextrw, 0), K3A(0x16, P66, pextrd, 0),
	K3A(0x20, P66, pinsrb, 0), K3A(0x22, P66, pinsrd, 0),
	K3A(0x42, P66, mpsadbw, 0),
	{ 0, 0, NULL },
};
