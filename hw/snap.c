/* Save-state byte buffer. */
// SPDX-License-Identifier: MIT
#include "hw/snap.h"

#include <stdlib.h>
#include <string.h>

void snap_init(struct snap *s)
{
	memset(s, 0, sizeof(*s));
}

void snap_free(struct snap *s)
{
	free(s->buf);
	snap_init(s);
}

void snap_put(struct snap *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + n)
			cap *= 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b) {
			s->error = true;
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

void snap_get(struct snap *s, void *p, size_t n)
{
	if (s->error || s->pos + n > s->len) {
		s->error = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, s->buf + s->pos, n);
	s->pos += n;
}

void snap_section_put(struct snap *s, const char *name, uint32_t version)
{
	uint8_t n = (uint8_t)strlen(name);
	snap_put(s, &n, 1);
	snap_put(s, name, n);
	snap_put(s, &version, sizeof(version));
}

uint32_t snap_section_get(struct snap *s, const char *name, uint32_t max_version)
{
	uint8_t n = 0;
	char got[256];
	uint32_t version = 0;
	snap_get(s, &n, 1);
	snap_get(s, got, n);
	got[n] = 0;
	snap_get(s, &version, sizeof(version));
	if (s->error || strcmp(got, name) || version > max_version)
		s->error = true;
	return version;
}
