/* What the in-guest programs share: the checksum they print (FNV-1a) and a
 * deterministic random source (xorshift64*), so that a guest's run and the
 * native run of the same binary must print the same values. */
// SPDX-License-Identifier: MIT
#ifndef GUESTPROG_GUESTLIB_H
#define GUESTPROG_GUESTLIB_H

#include <stddef.h>
#include <stdint.h>

#define FNV_BASIS 2166136261u

/* h extended by the n bytes at p */
static inline uint32_t fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t k = 0; k < n; k++) {
		h ^= b[k];
		h *= 16777619u;
	}
	return h;
}

/* h extended by the eight bytes of v, lowest first */
static inline uint32_t fnv1a_u64(uint32_t h, uint64_t v)
{
	for (int k = 0; k < 8; k++) {
		h ^= (uint8_t)(v >> (8 * k));
		h *= 16777619u;
	}
	return h;
}

/* the next value of the generator whose state is *s (never 0) */
static inline uint64_t xorshift64s(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

#endif
