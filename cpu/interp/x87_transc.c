/* The x87 transcendentals in software: the same result on every host. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/x87_transc.h"

#include <gmp.h>
#include <mpfr.h>
#include <string.h>

/*
 * Why: the rest of the x87 runs on the host's own x87 (x87.c), which is
 * exact for the basic arithmetic, but FSIN, FCOS, FSINCOS, FPTAN,
 * FPATAN, F2XM1, FYL2X and FYL2XP1 give different last bits on Intel
 * and AMD hosts. These eight are computed here with GNU MPFR from the
 * exact 80-bit operands, then rounded once to the precision control
 * (24/53/64 bits) and rounding mode of the guest's FCW.
 *
 * What "as on Intel" means here: Intel documents an error bound (SDM
 * vol. 1 8.3.10: under 1 ulp round-to-nearest), not its last bits, so
 * no software can promise Intel's bits. We follow what Intel does
 * document, and are correctly rounded otherwise:
 *  - the domains and special cases of each instruction's SDM vol. 2
 *    entry: |x| >= 2^63 leaves FSIN/FCOS/FSINCOS/FPTAN's operand alone
 *    and sets C2; FPTAN pushes 1.0; FSINCOS leaves the sine in ST(1) and
 *    the cosine in ST(0); FPATAN, FYL2X and FYL2XP1 write ST(1) and pop;
 *    the invalid, divide-by-zero, denormal, overflow, underflow and
 *    precision exceptions with their masked and unmasked responses
 *    (unmasked IE, DE, ZE: nothing written; unmasked OE/UE: the result
 *    scaled by 2^-+24576, as for the rest of the x87's register results);
 *    C1 the round-up indicator (0 on stack underflow, 1 on overflow);
 *  - the argument reduction of SDM vol. 1 8.3.8: the trigonometric
 *    instructions reduce their operand as FPREM1 would, by a multiple of
 *    the x87's internal pi/2, where that pi is the 66-bit
 *        p = 0.C90FDAA2 2168C234 C (hex) * 2^2  (slightly below pi),
 *    and take the function of what remains. We do exactly that: r =
 *    x - k * p/2 exactly (|r| <= p/4, k the nearest integer), then
 *    sin(x) := sin(r + k pi/2), etc., correctly rounded. For |x| < p/4
 *    (k = 0) that is the true function; for large x the difference
 *    from it, k * (pi - p)/2 in the argument, is Intel's own: e.g.
 *    FSIN(x) for x near a multiple of pi is near p*m - x, not pi*m - x.
 *    (Intel's paper "The Difference Between x87 Instructions FSIN,
 *    FCOS, FSINCOS, and FPTAN and Mathematical Functions" describes
 *    the results as the functions of x * pi/p; that is the same but for
 *    a relative 2^-69 in the reduced argument, below Intel's own error
 *    bound, and unlike it keeps FSIN(tiny) = tiny in every rounding
 *    mode.)
 *  - F2XM1 and FYL2XP1 outside the ranges the SDM gives them
 *    (|x| <= 1; |x| < 1 - sqrt(2)/2) are "undefined" there (AMD returns
 *    junk); we compute the same mathematical functions on their whole
 *    domain: 2^x - 1 (F2XM1(-inf) = -1, (+inf) = +inf), y * log2(1 + x)
 *    (x < -1: IE; x = -1: as log2(0)).
 * Where the SDM leaves a flag undefined (C0, C3; C2 but for the four
 * trigonometric ones) it is left as it was, as the hosts we compared
 * with do. An exact result (F2XM1(+-1), FYL2X of a power of two, ...)
 * raises no PE, nor UE when tiny (AMD raises them). FSINCOS's C1 is the
 * cosine's (the result left in ST(0)). Tininess is detected after
 * rounding, as x86 does.
 *
 * How: Ziv's strategy. Each function is evaluated at 128 bits, then at
 * twice that while MPFR cannot prove the rounding to 65 bits (which also
 * settles the rounding to 24 and 53 bits, a denormal's fewer bits, and
 * the inexact flag) is that of the exact value; see ziv() for the end.
 */

enum {
	IE = 1 << 0, DE = 1 << 1, ZE = 1 << 2, OE = 1 << 3, UE = 1 << 4, PE = 1 << 5,
	SF = 1 << 6, ES = 1 << 7, C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14,
	B = 1 << 15,
};

enum { F2XM1 = 0xf0, FYL2X, FPTAN, FPATAN, FYL2XP1 = 0xf9, FSINCOS = 0xfb, FSIN = 0xfe, FCOS };

struct f80 {
	uint64_t m;
	uint16_t se;
};

static const struct f80 INDEFINITE = { 0xc000000000000000ull, 0xffff };
static const struct f80 ONE = { 1ull << 63, 0x3fff };

/* the FPU as this file sees it: registers by physical number */
struct fpu {
	uint16_t fcw, fsw, ftw;
	unsigned top;
	struct f80 r[8];
	uint16_t exc;		/* exceptions raised by this instruction */
};

static unsigned phys(const struct fpu *f, unsigned i)
{
	return (f->top + i) & 7;
}

static bool empty(const struct fpu *f, unsigned i)
{
	return ((f->ftw >> (2 * phys(f, i))) & 3) == 3;
}

static struct f80 get(const struct fpu *f, unsigned i)
{
	return f->r[phys(f, i)];
}

static unsigned tag_of(struct f80 v)
{
	unsigned e = v.se & 0x7fff;
	if (e == 0x7fff)
		return 2;
	if (e == 0)
		return v.m ? 2 : 1;
	return (v.m >> 63) ? 0 : 2;
}

static void put(struct fpu *f, unsigned i, struct f80 v)
{
	unsigned p = phys(f, i);
	f->r[p] = v;
	f->ftw = (uint16_t)((f->ftw & ~(3u << (2 * p))) | tag_of(v) << (2 * p));
}

static void push(struct fpu *f)
{
	f->top = (f->top - 1) & 7;
}

static void pop(struct fpu *f)
{
	f->ftw |= (uint16_t)(3u << (2 * f->top));
	f->top = (f->top + 1) & 7;
}

/* an exception; true when it is masked (the instruction goes on) */
static bool raise(struct fpu *f, uint16_t e)
{
	f->exc |= e;
	return (f->fcw & e & 0x3f) == (e & 0x3f);
}

/* -- classes -- */

enum cls { K_ZERO, K_DENORM, K_NORMAL, K_INF, K_QNAN, K_SNAN, K_UNSUPPORTED };

static enum cls classify(struct f80 v)
{
	unsigned e = v.se & 0x7fff;
	if (e == 0)
		return v.m ? K_DENORM : K_ZERO;		/* pseudo-denormals too */
	if (!(v.m >> 63))
		return K_UNSUPPORTED;			/* unnormal, pseudo-NaN, pseudo-infinity */
	if (e == 0x7fff) {
		if (!(v.m << 1))
			return K_INF;
		return (v.m >> 62) & 1 ? K_QNAN : K_SNAN;
	}
	return K_NORMAL;
}

static bool is_nan(enum cls k)
{
	return k == K_QNAN || k == K_SNAN;
}

static bool neg(struct f80 v)
{
	return v.se >> 15;
}

static struct f80 quiet(struct f80 v)
{
	v.m |= 1ull << 62;
	return v;
}

static struct f80 signed_zero(bool n)
{
	return (struct f80){ 0, (uint16_t)(n ? 0x8000 : 0) };
}

static struct f80 signed_inf(bool n)
{
	return (struct f80){ 1ull << 63, (uint16_t)(n ? 0xffff : 0x7fff) };
}

/* the x87's NaN of two operands (SDM vol. 1 table 4-7): the one NaN; of
 * an SNaN and a QNaN the QNaN; of two alike the larger significand
 * (equal: the positive one); quieted */
static struct f80 nan_of_two(struct f80 a, enum cls ka, struct f80 b, enum cls kb)
{
	if (!is_nan(kb) || (ka == K_QNAN && kb == K_SNAN))
		return quiet(a);
	if (!is_nan(ka) || (kb == K_QNAN && ka == K_SNAN))
		return quiet(b);
	if (a.m != b.m)
		return quiet(a.m > b.m ? a : b);
	return quiet(neg(a) ? b : a);
}

/* -- between 80-bit values and MPFR -- */

static void to_mpfr(mpfr_t x, struct f80 v)
{
	long e = v.se & 0x7fff;
	if (!e)
		e = 1;		/* denormals and pseudo-denormals */
	mpfr_set_uj_2exp(x, v.m, e - 16383 - 63, MPFR_RNDN);
	if (neg(v))
		mpfr_neg(x, x, MPFR_RNDN);
}

/* |v| / 2^lsb rounded to an integer N < 2^pc (a carry into bit pc moves
 * lsb up: *lsb_out); *t: MPFR's ternary, the rounded value against v */
static uint64_t round_int(const mpfr_t v, long lsb, unsigned pc, mpfr_rnd_t rnd, int *t, long *lsb_out)
{
	mpfr_t s;
	mpfr_init2(s, mpfr_get_prec(v) > 80 ? mpfr_get_prec(v) : 80);
	mpfr_mul_2si(s, v, -lsb, MPFR_RNDN);		/* exact */
	*t = mpfr_rint(s, s, rnd);
	mpfr_abs(s, s, MPFR_RNDN);
	if (mpfr_cmp_ui_2exp(s, 1, pc) >= 0) {
		mpfr_div_2ui(s, s, 1, MPFR_RNDN);
		lsb++;
	}
	uint64_t N = mpfr_get_uj(s, MPFR_RNDZ);
	mpfr_clear(s);
	*lsb_out = lsb;
	return N;
}

/* v, exact or already known to round as the exact value does, rounded
 * to the destination: FCW's precision and rounding, the exponent range
 * with denormals, overflow and underflow with their masked and unmasked
 * responses, PE and C1 */
static struct f80 round_x87(struct fpu *f, const mpfr_t v, bool *up)
{
	static const unsigned pcs[4] = { 24, 64, 53, 64 };	/* 01 reserved */
	static const mpfr_rnd_t rcs[4] = { MPFR_RNDN, MPFR_RNDD, MPFR_RNDU, MPFR_RNDZ };
	unsigned pc = pcs[(f->fcw >> 8) & 3];
	mpfr_rnd_t rnd = rcs[(f->fcw >> 10) & 3];
	bool n = mpfr_signbit(v) != 0;
	*up = false;
	if (mpfr_zero_p(v))
		return signed_zero(n);
	if (mpfr_inf_p(v))
		return signed_inf(n);

	/* tininess after rounding, as x86 detects it: the value rounded to
	 * pc bits with an unbounded exponent below 2^-16382 */
	long e = (long)mpfr_get_exp(v) - 1;		/* |v| = 1.f * 2^e */
	bool ue_masked = f->fcw & UE;
	long lsb = e - (long)pc + 1;
	int t;
	uint64_t N = round_int(v, lsb, pc, rnd, &t, &lsb);
	bool tiny = lsb + (64 - __builtin_clzll(N)) - 1 < -16382;
	if (tiny && ue_masked && lsb < -16445)		/* the denormal grid */
		N = round_int(v, -16445, pc, rnd, &t, &lsb);
	bool inexact = t != 0;
	*up = inexact && (n ? t < 0 : t > 0);
	if (inexact)
		raise(f, PE);
	if (tiny && (inexact || !ue_masked))
		raise(f, UE);
	if (N == 0)
		return signed_zero(n);

	int bl = 64 - __builtin_clzll(N);
	long be = lsb + bl - 1 + 16383;			/* biased exponent */
	struct f80 r;
	if (be >= 0x7fff) {
		if (!raise(f, OE)) {
			be -= 24576;
		} else {
			raise(f, PE);
			bool inf = rnd == MPFR_RNDN || (rnd == MPFR_RNDD && n) || (rnd == MPFR_RNDU && !n);
			*up = inf;
			if (inf)
				return signed_inf(n);
			return (struct f80){ ~0ull << (64 - pc), (uint16_t)(0x7ffe | (n ? 0x8000 : 0)) };
		}
	}
	if (tiny && !ue_masked) {
		be += 24576;
	} else if (be <= 0) {
		/* a denormal, lsb >= -16445: significand * 2^-16445 */
		r.m = N << (lsb + 16445);
		r.se = (uint16_t)(((r.m >> 63) ? 1 : 0) | (n ? 0x8000 : 0));
		return r;
	}
	r.m = N << (64 - bl);
	r.se = (uint16_t)(be | (n ? 0x8000 : 0));
	return r;
}

/* -- Ziv's loop -- */

#define EXACT (-1L)

struct args {
	mpfr_t x, y;		/* ST(0) and ST(1), exact */
	mpfr_t r;		/* the reduced argument of the trigonometric ones */
	long q;			/* its quadrant */
	unsigned op;
	bool cosine;		/* FSINCOS: the second result */
};

/* out := the function at out's precision; returns how many of its bits
 * are right (relative), or EXACT; *tern: MPFR's ternary of the last step
 * (out above or below the function's value) */
typedef long evalfn(mpfr_t out, const struct args *a, int *tern);

/* Hard cases of 64-bit arguments need some 150 bits; past 1024 it is a
 * value within 2^-1000 of a 65-bit number, as cos(tiny) is of 1: then the
 * last ternary says on which side, and out moves off the number to it */
static void ziv(mpfr_t out, evalfn *fn, const struct args *a)
{
	for (mpfr_prec_t w = 128;; w *= 2) {
		mpfr_set_prec(out, w);
		int tern = 0;
		long ok = fn(out, a, &tern);
		if (ok == EXACT || !mpfr_regular_p(out))
			return;
		if (mpfr_can_round(out, ok, MPFR_RNDN, MPFR_RNDZ, 65))
			return;
		if (w >= 1024) {
			mpfr_prec_round(out, w + 8, MPFR_RNDN);		/* exact */
			if (tern > 0)
				mpfr_nextbelow(out);
			else if (tern < 0)
				mpfr_nextabove(out);
			return;
		}
	}
}

/* p, the x87's 66-bit pi: 0.C90FDAA22168C234C * 2^2 (SDM vol. 1 8.3.8) */
static void pi66(mpfr_t p)
{
	mpfr_set_str(p, "C90FDAA22168C234C", 16, MPFR_RNDN);
	mpfr_div_2ui(p, p, 68 - 2, MPFR_RNDN);
}

/* sin, cos or tan of x = r + q * p/2 as the x87 has it: of r + q * pi/2 */
static long eval_trig(mpfr_t out, const struct args *a, int *tern)
{
	mpfr_srcptr u = a->r;				/* exact, |u| <= p/4 */
	unsigned q = (unsigned)(((a->q % 4) + 4) % 4);
	bool want_cos = a->op == FCOS || a->cosine;
	if (a->op == FPTAN) {
		if (q & 1) {
			*tern = -mpfr_cot(out, u, MPFR_RNDN);
			mpfr_neg(out, out, MPFR_RNDN);
		} else {
			*tern = mpfr_tan(out, u, MPFR_RNDN);
		}
	} else {
		/* sin(u + q pi/2), cos(u + q pi/2) = sin(u + (q + 1) pi/2) */
		if (want_cos)
			q = (q + 1) & 3;
		if (q & 1)
			*tern = mpfr_cos(out, u, MPFR_RNDN);
		else
			*tern = mpfr_sin(out, u, MPFR_RNDN);
		if (q & 2) {
			mpfr_neg(out, out, MPFR_RNDN);
			*tern = -*tern;
		}
	}
	/* one correctly rounded function of an exact argument */
	return (long)mpfr_get_prec(out) - 1;
}

static long eval_f2xm1(mpfr_t out, const struct args *a, int *tern)
{
	*tern = mpfr_exp2m1(out, a->x, MPFR_RNDN);
	return *tern ? (long)mpfr_get_prec(out) - 1 : EXACT;
}

static long eval_fpatan(mpfr_t out, const struct args *a, int *tern)
{
	*tern = mpfr_atan2(out, a->y, a->x, MPFR_RNDN);
	return *tern ? (long)mpfr_get_prec(out) - 1 : EXACT;
}

/* y * log2(x) or y * log2(1 + x): exact when the logarithm is (then a
 * 64-bit y times a short integer or zero fits in 128 bits) */
static long eval_ylog(mpfr_t out, const struct args *a, int *tern)
{
	mpfr_prec_t w = mpfr_get_prec(out);
	mpfr_t l;
	mpfr_init2(l, w);
	int t = a->op == FYL2X ? mpfr_log2(l, a->x, MPFR_RNDN) : mpfr_log2p1(l, a->x, MPFR_RNDN);
	int t2 = mpfr_mul(out, a->y, l, MPFR_RNDN);
	mpfr_clear(l);
	*tern = t2 ? t2 : (mpfr_signbit(a->y) ? -t : t);
	return !t && !t2 ? EXACT : (long)w - 3;
}

/* the result of fn rounded for the destination; *up: C1 */
static struct f80 compute(struct fpu *f, evalfn *fn, const struct args *a, bool *up)
{
	mpfr_t v;
	mpfr_init2(v, 128);
	ziv(v, fn, a);
	/* the operands are finite here: an infinity is MPFR's own overflow
	 * (F2XM1 of a huge x); far beyond the x87's range too */
	if (mpfr_inf_p(v))
		mpfr_set_si_2exp(v, mpfr_signbit(v) ? -1 : 1, 1L << 20, MPFR_RNDN);
	struct f80 r = round_x87(f, v, up);
	mpfr_clear(v);
	return r;
}

/* -- the instructions -- */

static void set_c1(struct fpu *f, bool c1)
{
	f->fsw = (uint16_t)((f->fsw & ~C1) | (c1 ? C1 : 0));
}

/* F2XM1, FSIN, FCOS, FSINCOS, FPTAN: ST(0) in, one or two results */
static void unary(struct fpu *f, unsigned op)
{
	bool two = op == FSINCOS || op == FPTAN, trig = op != F2XM1;
	f->fsw &= (uint16_t)~(C1 | (trig ? C2 : 0));
	if (empty(f, 0) || (two && !empty(f, 7))) {
		bool over = !empty(f, 0);
		set_c1(f, over);
		if (!raise(f, IE | SF))
			return;
		put(f, 0, INDEFINITE);
		if (two) {
			push(f);
			put(f, 0, INDEFINITE);
		}
		return;
	}
	struct f80 x = get(f, 0), r0, r1 = ONE;	/* r0 to ST(0) (then pushed), r1 pushed */
	enum cls k = classify(x);
	switch (k) {
	case K_UNSUPPORTED:
	case K_SNAN:
		if (!raise(f, IE))
			return;
		r0 = r1 = k == K_SNAN ? quiet(x) : INDEFINITE;
		goto store;
	case K_QNAN:
		r0 = r1 = x;
		goto store;
	case K_INF:
		if (trig) {
			if (!raise(f, IE))
				return;
			r0 = r1 = INDEFINITE;
		} else {
			/* 2^x - 1 at the infinities */
			r0 = neg(x) ? (struct f80){ 1ull << 63, 0xbfff } : x;
		}
		goto store;
	case K_ZERO:
		r0 = x;
		if (op == FCOS)
			r0 = ONE;
		goto store;
	case K_DENORM:
		if (!raise(f, DE))
			return;
		break;
	case K_NORMAL:
		if (trig && (x.se & 0x7fff) >= 16383 + 63) {
			f->fsw |= C2;		/* out of range: ST(0) unchanged */
			return;
		}
		break;
	}

	struct args a;
	mpfr_inits2(256, a.x, a.y, a.r, (mpfr_ptr)0);
	to_mpfr(a.x, x);
	a.op = op;
	a.cosine = false;
	a.q = 0;
	bool up0 = false, up1 = false;
	if (trig) {
		mpfr_t half;
		mpfr_init2(half, 68);
		pi66(half);
		mpfr_div_2ui(half, half, 1, MPFR_RNDN);
		mpfr_remquo(a.r, &a.q, a.x, half, MPFR_RNDN);	/* exact in 256 bits */
		mpfr_clear(half);
		r0 = compute(f, eval_trig, &a, &up0);
		if (op == FSINCOS) {
			a.cosine = true;
			r1 = compute(f, eval_trig, &a, &up1);
		}
	} else {
		r0 = compute(f, eval_f2xm1, &a, &up0);
	}
	mpfr_clears(a.x, a.y, a.r, (mpfr_ptr)0);
	/* C1: whether the result left in ST(0) was rounded up */
	set_c1(f, op == FSINCOS ? up1 : up0);

store:
	put(f, 0, r0);
	if (two) {
		push(f);
		put(f, 0, r1);
	}
}

/* FPATAN, FYL2X, FYL2XP1: x = ST(0), y = ST(1); the result to ST(1), pop */
static void binary(struct fpu *f, unsigned op)
{
	f->fsw &= (uint16_t)~C1;
	if (empty(f, 0) || empty(f, 1)) {
		if (!raise(f, IE | SF))
			return;
		put(f, 1, INDEFINITE);
		pop(f);
		return;
	}
	struct f80 x = get(f, 0), y = get(f, 1), r;
	enum cls kx = classify(x), ky = classify(y);
	bool nx = neg(x), ny = neg(y);
	if (kx == K_UNSUPPORTED || ky == K_UNSUPPORTED) {
		if (!raise(f, IE))
			return;
		r = INDEFINITE;
		goto store;
	}
	if (is_nan(kx) || is_nan(ky)) {
		if ((kx == K_SNAN || ky == K_SNAN) && !raise(f, IE))
			return;
		r = nan_of_two(x, kx, y, ky);
		goto store;
	}

	if (op != FPATAN) {
		/* y * L, L = log2(x) or log2(1 + x) */
		bool xzero = kx == K_ZERO, yzero = ky == K_ZERO, yinf = ky == K_INF;
		int lsign;		/* the sign of L: -1, +1, or 0 when L is a zero */
		bool linf = false, lzero = false;
		if (op == FYL2X) {
			if (nx && !xzero) {
				r = INDEFINITE;		/* log of a negative number */
				goto invalid;
			}
			if (xzero) {
				linf = true, lsign = -1;
			} else if (kx == K_INF) {
				linf = true, lsign = 1;
			} else if (x.m == 1ull << 63 && (x.se & 0x7fff) == 16383) {
				lzero = true, lsign = 1;
			} else {
				/* sign of log2(x): x > 1 or x < 1 */
				lsign = (x.se & 0x7fff) >= 16383 ? 1 : -1;
			}
		} else {
			bool below = false, minus_one = false;
			if (nx && kx == K_INF) {
				below = true;
			} else if (nx && kx != K_ZERO) {
				long e = (x.se & 0x7fff) - 16383;
				minus_one = e == 0 && x.m == 1ull << 63;
				below = e >= 0 && !minus_one;
			}
			if (below) {
				r = INDEFINITE;
				goto invalid;
			}
			if (minus_one) {
				linf = true, lsign = -1;
			} else if (kx == K_INF) {
				linf = true, lsign = 1;
			} else if (xzero) {
				lzero = true, lsign = nx ? -1 : 1;
			} else {
				lsign = nx ? -1 : 1;
			}
		}
		if ((linf && yzero) || (lzero && yinf)) {
			r = INDEFINITE;
			goto invalid;
		}
		bool rneg = ny != (lsign < 0);
		if (linf || yinf) {
			/* log2(0) times a finite nonzero y: divide by zero */
			if (linf && lsign < 0 && !yinf && !raise(f, ZE))
				return;
			if (kx == K_DENORM || ky == K_DENORM) {
				if (!raise(f, DE))
					return;
			}
			r = signed_inf(rneg);
			goto store;
		}
		if (lzero || yzero) {
			if ((kx == K_DENORM || ky == K_DENORM) && !raise(f, DE))
				return;
			r = signed_zero(rneg);
			goto store;
		}
	}
	if ((kx == K_DENORM || ky == K_DENORM) && !raise(f, DE))
		return;

	struct args a;
	mpfr_inits2(256, a.x, a.y, a.r, (mpfr_ptr)0);
	to_mpfr(a.x, x);
	to_mpfr(a.y, y);
	if (kx == K_INF)
		mpfr_set_inf(a.x, nx ? -1 : 1);
	if (ky == K_INF)
		mpfr_set_inf(a.y, ny ? -1 : 1);
	if (kx == K_ZERO)
		mpfr_set_zero(a.x, nx ? -1 : 1);
	if (ky == K_ZERO)
		mpfr_set_zero(a.y, ny ? -1 : 1);
	a.op = op;
	a.q = 0;
	a.cosine = false;
	bool up;
	r = compute(f, op == FPATAN ? eval_fpatan : eval_ylog, &a, &up);
	mpfr_clears(a.x, a.y, a.r, (mpfr_ptr)0);
	set_c1(f, up);
	goto store;

invalid:
	if (!raise(f, IE))
		return;
store:
	put(f, 1, r);
	pop(f);
}

void x87_transc(unsigned modrm, uint16_t fcw, uint16_t *fsw, uint16_t *ftw, uint8_t st[8][10])
{
	struct fpu f = { .fcw = fcw, .fsw = *fsw, .ftw = *ftw, .top = (*fsw >> 11) & 7 };
	for (unsigned i = 0; i < 8; i++) {
		struct f80 *v = &f.r[phys(&f, i)];
		memcpy(&v->m, st[i], 8);
		memcpy(&v->se, st[i] + 8, 2);
	}
	switch (modrm) {
	case F2XM1: case FPTAN: case FSINCOS: case FSIN: case FCOS:
		unary(&f, modrm);
		break;
	case FYL2X: case FPATAN: case FYL2XP1:
		binary(&f, modrm);
		break;
	default:
		return;
	}
	uint16_t s = (uint16_t)((f.fsw & ~(0x3800u | ES | B)) | f.exc | f.top << 11);
	if (s & ~fcw & 0x3f)
		s |= ES | B;
	*fsw = s;
	*ftw = f.ftw;
	for (unsigned i = 0; i < 8; i++) {
		const struct f80 *v = &f.r[phys(&f, i)];
		memcpy(st[i], &v->m, 8);
		memcpy(st[i] + 8, &v->se, 2);
	}
}
