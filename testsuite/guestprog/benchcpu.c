/* benchcpu: the CPU-bound workload of the benchmark (testsuite/bench/
 * bench.sh): integer arithmetic, memory and branches, no system calls
 * after start-up.
 *
 *   benchcpu N    N rounds of:
 *     sieve   the primes below 2^20 (byte array, data-dependent branches)
 *     sort    quicksort of 64 Ki pseudo-random 32-bit keys, then a check
 *     chase   a pointer chase through a random cycle over 4 MiB
 *             (cache and TLB misses), 256 Ki steps
 *     mix     multiplications, divisions, shifts and rotates of 32 and
 *             64 bits, with a hard-to-predict branch, 256 Ki steps
 *
 * Prints "BENCHSUM cpu HEX": a hash of everything computed, the same on
 * every correct CPU. About 0.1 s a round on a current host: N=30 is a
 * few seconds. Static, baseline x86-64 or i686. */
// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "guestlib.h"

static uint64_t rs = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { return xorshift64s(&rs); }

static uint32_t h = FNV_BASIS;
static void mix(uint64_t v) { h = fnv1a_u64(h, v); }

#define SIEVE_N (1u << 19)
static uint8_t sieve[SIEVE_N];

static void do_sieve(void)
{
	memset(sieve, 1, sizeof sieve);
	sieve[0] = sieve[1] = 0;
	for (uint32_t i = 2; i * i < SIEVE_N; i++)
		if (sieve[i])
			for (uint32_t j = i * i; j < SIEVE_N; j += i)
				sieve[j] = 0;
	uint32_t count = 0, last = 0;
	for (uint32_t i = 0; i < SIEVE_N; i++)
		if (sieve[i]) {
			count++;
			last = i;
		}
	mix(count);
	mix(last);
}

#define SORT_N (32u << 10)
static uint32_t keys[SORT_N];

static void qsort32(uint32_t *a, long lo, long hi)
{
	while (hi - lo > 16) {
		uint32_t p = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				uint32_t t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (j - lo < hi - i) {
			qsort32(a, lo, j);
			lo = i;
		} else {
			qsort32(a, i, hi);
			hi = j;
		}
	}
	for (long i = lo + 1; i <= hi; i++) {
		uint32_t v = a[i];
		long k = i - 1;
		while (k >= lo && a[k] > v) {
			a[k + 1] = a[k];
			k--;
		}
		a[k + 1] = v;
	}
}

static void do_sort(void)
{
	for (uint32_t i = 0; i < SORT_N; i++)
		keys[i] = (uint32_t)(rng() >> 32);
	qsort32(keys, 0, SORT_N - 1);
	uint32_t bad = 0;
	for (uint32_t i = 1; i < SORT_N; i++)
		bad += keys[i - 1] > keys[i];
	mix(bad);
	mix(keys[0]);
	mix(keys[SORT_N / 2]);
	mix(keys[SORT_N - 1]);
}

#define CHASE_N (1u << 20)	/* 4 MiB of 32-bit links */
static uint32_t next[CHASE_N];

static void chase_init(void)
{
	/* Sattolo's shuffle: one cycle through every slot */
	for (uint32_t i = 0; i < CHASE_N; i++)
		next[i] = i;
	for (uint32_t i = CHASE_N - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rng() % i);
		uint32_t t = next[i];
		next[i] = next[j];
		next[j] = t;
	}
}

static void do_chase(void)
{
	uint32_t p = (uint32_t)(rng() % CHASE_N);
	uint64_t sum = 0;
	for (uint32_t i = 0; i < (128u << 10); i++) {
		p = next[p];
		sum += p;
	}
	mix(sum);
	mix(p);
}

static void do_mix(void)
{
	uint64_t a = rng() | 1, b = rng() | 1, acc = 0;
	uint32_t c = (uint32_t)rng() | 1, d = 0;
	for (uint32_t i = 0; i < (128u << 10); i++) {
		a = a * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t q = a / ((b >> 40) | 3);
		uint32_t r = (uint32_t)(a >> 17) % (c | 7);
		if ((a >> 61) & 1) {	/* taken half the time, at random */
			acc += q ^ (acc << 7 | acc >> 57);
			c = c * 1103515245u + 12345u;
		} else {
			acc -= (uint64_t)r << 3;
			d += r >> 2;
		}
		b ^= acc;
	}
	mix(acc);
	mix(d);
	mix(c);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1;
	chase_init();
	for (long i = 0; i < n; i++) {
		do_sieve();
		do_sort();
		do_chase();
		do_mix();
	}
	printf("BENCHSUM cpu %08x\n", h);
	return 0;
}
