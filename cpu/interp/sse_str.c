/* SSE4.2's string instructions (PCMPESTRI/ESTRM/ISTRI/ISTRM) and CRC32,
 * from the SDM's description of the packed-compare pipeline (vol. 2,
 * section 4.1): lengths, a comparison matrix with the overrides for
 * invalid elements, aggregation, polarity, then an index or a mask. */
// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include "cpu/interp/sse.h"
#include "cpu/state.h"

/* imm8 fields */
enum { FMT_WORDS = 1, FMT_SIGNED = 2 };
enum { AGG_EQUAL_ANY, AGG_RANGES, AGG_EQUAL_EACH, AGG_EQUAL_ORDERED };
enum { POL_NEGATE = 1, POL_MASKED = 2 };

static int elem(const union vec *v, unsigned k, unsigned fmt)
{
	switch (fmt & 3) {
	case 0: return v->b[k];
	case FMT_WORDS: return v->w[k];
	case FMT_SIGNED: return v->sb[k];
	default: return v->sw[k];
	}
}

/* the index of the first zero element, n if none */
static unsigned implicit_len(const union vec *v, unsigned fmt, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (elem(v, k, fmt) == 0)
			return k;
	return n;
}

/* |EAX| or |EDX| (RAX/RDX with REX.W), saturated to the element count */
static unsigned explicit_len(struct sse *x, unsigned r, unsigned n)
{
	uint64_t v = sse_gpr(x, r), mag;
	if (x->i->rex & 8)
		mag = (int64_t)v < 0 ? -v : v;
	else
		mag = (int32_t)v < 0 ? (uint32_t)-(uint32_t)v : (uint32_t)v;
	return mag > n ? n : (unsigned)mag;
}

/* one element pair, a (src1, the register) against b (src2), with the
 * SDM's table of what invalid elements force */
static bool pair(unsigned agg, bool a_ok, bool b_ok, bool computed)
{
	if (a_ok && b_ok)
		return computed;
	switch (agg) {
	case AGG_EQUAL_EACH: return !a_ok && !b_ok;
	case AGG_EQUAL_ORDERED: return !a_ok;
	default: return false;
	}
}

struct strcmp_result {
	unsigned res2;		/* IntRes2, one bit per element */
	unsigned n;
	uint64_t flags;
};

static struct strcmp_result compare(struct sse *x, bool explicit_lengths)
{
	unsigned fmt = x->imm & 3, agg = (x->imm >> 2) & 3, pol = (x->imm >> 4) & 3;
	unsigned n = (fmt & FMT_WORDS) ? 8 : 16;
	const union vec *a = &x->d, *b = &x->s;
	unsigned la, lb;
	if (explicit_lengths) {
		la = explicit_len(x, R_EAX, n);
		lb = explicit_len(x, R_EDX, n);
	} else {
		la = implicit_len(a, fmt, n);
		lb = implicit_len(b, fmt, n);
	}

	unsigned res1 = 0;
	for (unsigned j = 0; j < n; j++) {
		bool bit;
		int bj = elem(b, j, fmt);
		bool bj_ok = j < lb;
		switch (agg) {
		case AGG_EQUAL_ANY:
			bit = false;
			for (unsigned i = 0; i < n; i++)
				bit |= pair(agg, i < la, bj_ok, elem(a, i, fmt) == bj);
			break;
		case AGG_RANGES:
			bit = false;
			for (unsigned i = 0; i + 1 < n; i += 2)
				bit |= pair(agg, i < la, bj_ok, bj >= elem(a, i, fmt)) &&
				       pair(agg, i + 1 < la, bj_ok, bj <= elem(a, i + 1, fmt));
			break;
		case AGG_EQUAL_EACH:
			bit = pair(agg, j < la, bj_ok, elem(a, j, fmt) == bj);
			break;
		default:	/* equal ordered: the needle a starts at j of the haystack b */
			bit = true;
			for (unsigned i = 0; i + j < n; i++)
				bit &= pair(agg, i < la, j + i < lb,
					    elem(a, i, fmt) == elem(b, j + i, fmt));
			break;
		}
		res1 |= (unsigned)bit << j;
	}

	unsigned all = (1u << n) - 1, valid = (1u << lb) - 1, res2 = res1;
	if (pol == POL_NEGATE || pol == (POL_NEGATE | POL_MASKED))
		res2 ^= pol & POL_MASKED ? valid : all;

	struct strcmp_result r = { res2, n, 0 };
	if (res2)
		r.flags |= FL_CF;
	if (lb < n)
		r.flags |= FL_ZF;
	if (la < n)
		r.flags |= FL_SF;
	if (res2 & 1)
		r.flags |= FL_OF;
	return r;
}

/* ECX: the lowest or (imm8 bit 6) highest set bit, n when none */
static void index_out(struct sse *x, struct strcmp_result r)
{
	unsigned idx = r.n;
	if (r.res2)
		idx = (x->imm & 0x40) ? 31 - (unsigned)__builtin_clz(r.res2)
				      : (unsigned)__builtin_ctz(r.res2);
	sse_set_gpr(x, R_ECX, 4, idx);
	sse_set_flags(x, r.flags);
}

/* XMM0: the bits, or (imm8 bit 6) each element all ones or zeros */
static void mask_out(struct sse *x, struct strcmp_result r)
{
	union vec *m = sse_xmm(x, 0);
	union vec v = { .q = { 0, 0 } };
	if (!(x->imm & 0x40))
		v.w[0] = (uint16_t)r.res2;
	else if (r.n == 16)
		for (unsigned k = 0; k < 16; k++)
			v.b[k] = (r.res2 >> k) & 1 ? 0xff : 0;
	else
		for (unsigned k = 0; k < 8; k++)
			v.w[k] = (r.res2 >> k) & 1 ? 0xffff : 0;
	*m = v;
	sse_set_flags(x, r.flags);
}

static void pcmpestrm(struct sse *x) { mask_out(x, compare(x, true)); }
static void pcmpestri(struct sse *x) { index_out(x, compare(x, true)); }
static void pcmpistrm(struct sse *x) { mask_out(x, compare(x, false)); }
static void pcmpistri(struct sse *x) { index_out(x, compare(x, false)); }

/* CRC32: the Castagnoli polynomial (0x1EDC6F41), bit-reflected, over the
 * source's bytes from the lowest; the destination is the running CRC and
 * gets the 32-bit result zero-extended */
static uint32_t crc32c_table[256];

/* filled before main: vCPU threads only read it */
__attribute__((constructor)) static void crc32c_init(void)
{
	for (unsigned k = 0; k < 256; k++) {
		uint32_t c = k;
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
		crc32c_table[k] = c;
	}
}

static void crc32(struct sse *x)
{
	uint32_t crc = x->d.d[0];
	for (unsigned k = 0; k < x->ssize; k++)
		crc = (crc >> 8) ^ crc32c_table[(crc ^ x->s.b[k]) & 0xff];
	x->d.q[0] = crc;
}

const struct sse_op sse_ops_str[] = {
	{ SSE_KEY(MAP_0F3A, 0x60, P66), SR_NOWB | SR_UNALIGNED, pcmpestrm },
	{ SSE_KEY(MAP_0F3A, 0x61, P66), SR_NOWB | SR_UNALIGNED, pcmpestri },
	{ SSE_KEY(MAP_0F3A, 0x62, P66), SR_NOWB | SR_UNALIGNED, pcmpistrm },
	{ SSE_KEY(MAP_0F3A, 0x63, P66), SR_NOWB | SR_UNALIGNED, pcmpistri },
	{ SSE_KEY(MAP_0F38, 0xf0, PF2), 0, crc32 },
	{ SSE_KEY(MAP_0F38, 0xf1, PF2), 0, crc32 },
	{ 0, 0, NULL },
};
