/* A growable byte buffer for building firmware tables (ACPI, SMBIOS):
 * fields are stored at offsets, since the buffer may move as it grows.
 * Out of memory is sticky: later stores do nothing and the builder checks
 * oom once at the end. */
#ifndef FIRMWARE_BYTEBUF_H
#define FIRMWARE_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bytebuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

/* n zeroed bytes at the end; their offset */
static inline size_t bytebuf_grow(struct bytebuf *b, size_t n)
{
	size_t off = b->len;
	if (b->oom)
		return off;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return off;
		}
		b->p = p;
		b->cap = cap;
	}
	memset(b->p + off, 0, n);
	b->len += n;
	return off;
}

static inline void bytebuf_align(struct bytebuf *b, size_t a)
{
	if (b->len % a)
		bytebuf_grow(b, a - b->len % a);
}

/* v little-endian in n bytes at off */
static inline void bytebuf_put(struct bytebuf *b, size_t off, uint64_t v, int n)
{
	if (b->oom)
		return;
	for (int i = 0; i < n; i++)
		b->p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static inline void bytebuf_mem(struct bytebuf *b, size_t off, const void *s, size_t n)
{
	if (!b->oom)
		memcpy(b->p + off, s, n);
}

#endif
