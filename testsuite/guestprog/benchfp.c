/* benchfp: the floating-point workload of the benchmark (testsuite/bench/
 * bench.sh), x87 and SSE.
 *
 *   benchfp N [x87|sse]   N rounds of (x87: the first part only; sse:
 *                         the other two; the benchmark times them apart):
 *     x87     long double (the x87, in 64-bit mode too): a Newton
 *             iteration for square roots, a harmonic-like series with
 *             divisions, and fsqrt; 64 Ki steps
 *     sse     scalar double (SSE2 on x86-64; SSE2 by -mfpmath=sse on i686):
 *             a 96x64 Mandelbrot set, up to 128 iterations a point
 *     packed  packed double (SSE2 intrinsics): a 64x64 matrix product
 *
 * Only exact IEEE operations (+ - * / sqrt, conversions) are used, so
 * "BENCHSUM fp HEX" is the same on every correct CPU. About 0.1 s a round
 * on a current host, most of it the x87 part. Static, baseline x86-64 or i686 with SSE2. */
// SPDX-License-Identifier: MIT
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guestlib.h"

static uint32_t h = FNV_BASIS;
static void mix(const void *p, size_t n) { h = fnv1a(h, p, n); }

static void do_x87(long round)
{
	volatile long double seed = 2.0L + (long double)round;
	long double s = 0.0L, x = seed;
	for (int i = 1; i <= (64 << 10); i++) {
		long double v = (long double)i + seed;
		/* Newton steps toward sqrt(v), from a poor guess */
		long double g = v * 0.5L;
		for (int k = 0; k < 4; k++)
			g = 0.5L * (g + v / g);
		s += 1.0L / (g * g + (long double)(i & 7));
		x = x * 0.999L + g / v;
		if (x > 1e6L)
			x *= 1e-3L;
	}
	long double r = __builtin_sqrtl(s + x);
	/* the 80-bit value: ten bytes, not the padding */
	mix(&r, 10);
	mix(&s, 10);
}

static void do_sse(long round)
{
	volatile double shift = (double)(round & 3) * 1e-3;
	uint32_t total = 0;
	double acc = 0.0;
	for (int py = 0; py < 64; py++)
		for (int px = 0; px < 96; px++) {
			double cr = -2.2 + px * (3.2 / 96) + shift, ci = -1.2 + py * (2.4 / 64);
			double zr = 0.0, zi = 0.0;
			int it = 0;
			while (it < 128 && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;
				zi = 2.0 * zr * zi + ci;
				zr = t;
				it++;
			}
			total += (uint32_t)it;
			acc += zr / (1.0 + zi * zi);
		}
	mix(&total, sizeof total);
	mix(&acc, sizeof acc);
}

#define MN 64
static double ma[MN][MN], mb[MN][MN], mc[MN][MN];

static void do_packed(long round)
{
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j++) {
			ma[i][j] = (double)((i * 7 + j * 3 + round) % 17) * 0.25 - 2.0;
			mb[i][j] = (double)((i * 5 + j * 11 + round) % 13) * 0.125 + 0.5;
		}
	for (int i = 0; i < MN; i++)
		for (int j = 0; j < MN; j += 2) {
			__m128d s = _mm_setzero_pd();
			for (int k = 0; k < MN; k++)
				s = _mm_add_pd(s, _mm_mul_pd(_mm_set1_pd(ma[i][k]), _mm_loadu_pd(&mb[k][j])));
			_mm_storeu_pd(&mc[i][j], _mm_sqrt_pd(_mm_mul_pd(s, s)));
		}
	mix(mc, sizeof mc);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1;
	const char *part = argc > 2 ? argv[2] : "all";
	int x87 = strcmp(part, "sse") != 0, sse = strcmp(part, "x87") != 0;
	for (long i = 0; i < n; i++) {
		if (x87)
			do_x87(i);
		if (sse) {
			do_sse(i);
			do_packed(i);
		}
	}
	printf("BENCHSUM %s %08x\n", x87 && sse ? "fp" : part, h);
	return 0;
}
