/* Port I/O and MMIO dispatch over a sorted interval map. */
// SPDX-License-Identifier: MIT
#include "hw/bus.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
}

void bus_destroy(struct bus *b)
{
	free(b->r);
	b->r = NULL;
	b->n = b->cap = 0;
}

/* index of the first range whose end is above addr */
static size_t bus_lower_bound(const struct bus *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->r[mid].base + b->r[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, const char *name)
{
	if (len == 0 || base + len < base) {
		log_error("%s bus: bad range for %s", b->name, name);
		return -1;
	}
	size_t i = bus_lower_bound(b, base);
	if (i < b->n && b->r[i].base < base + len) {
		log_error("%s bus: %s at 0x%llx+0x%llx overlaps %s", b->name, name,
			  (unsigned long long)base, (unsigned long long)len, b->r[i].name);
		return -1;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct bus_range *r = realloc(b->r, cap * sizeof(*r));
		if (!r) {
			log_error("%s bus: out of memory", b->name);
			return -1;
		}
		b->r = r;
		b->cap = cap;
	}
	memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(*b->r));
	b->r[i] = (struct bus_range){ base, len, ops, opaque, name };
	b->n++;
	return 0;
}

int bus_unregister(struct bus *b, uint64_t base)
{
	size_t i = bus_lower_bound(b, base);
	if (i >= b->n || b->r[i].base != base)
		return -1;
	memmove(&b->r[i], &b->r[i + 1], (b->n - i - 1) * sizeof(*b->r));
	b->n--;
	return 0;
}

bool bus_range_free(const struct bus *b, uint64_t base, uint64_t len)
{
	if (len == 0 || base + len < base)
		return false;
	size_t i = bus_lower_bound(b, base);
	return i >= b->n || b->r[i].base >= base + len;
}

const struct bus_range *bus_find(const struct bus *b, uint64_t addr)
{
	size_t i = bus_lower_bound(b, addr);
	if (i < b->n && b->r[i].base <= addr)
		return &b->r[i];
	return NULL;
}

static unsigned ops_min(const struct bus_ops *o) { return o->min_size ? o->min_size : 1; }
static unsigned ops_max(const struct bus_ops *o) { return o->max_size ? o->max_size : 4; }

/* one access inside a single range, split or widened to what it takes */
static uint64_t range_read(const struct bus_range *r, uint64_t off, unsigned size)
{
	const struct bus_ops *o = r->ops;
	if (!o->read)
		return ~0ull >> (64 - 8 * size);
	if (size >= ops_min(o) && size <= ops_max(o))
		return o->read(r->opaque, off, size);
	if (size > ops_max(o)) {
		unsigned step = ops_max(o);
		uint64_t v = 0;
		for (unsigned i = 0; i < size; i += step)
			v |= range_read(r, off + i, step) << (8 * i);
		return v;
	}
	/* narrower than the device takes: read the aligned wider unit, extract */
	unsigned w = ops_min(o);
	uint64_t aligned = off & ~(uint64_t)(w - 1);
	uint64_t v = o->read(r->opaque, aligned, w);
	return (v >> (8 * (off - aligned))) & (~0ull >> (64 - 8 * size));
}

static void range_write(const struct bus_range *r, uint64_t off, uint64_t v, unsigned size)
{
	const struct bus_ops *o = r->ops;
	if (!o->write)
		return;
	if (size >= ops_min(o) && size <= ops_max(o)) {
		o->write(r->opaque, off, v, size);
		return;
	}
	if (size > ops_max(o)) {
		unsigned step = ops_max(o);
		for (unsigned i = 0; i < size; i += step)
			range_write(r, off + i, v >> (8 * i), step);
		return;
	}
	/* narrower: read-modify-write of the aligned unit */
	unsigned w = ops_min(o);
	uint64_t aligned = off & ~(uint64_t)(w - 1);
	uint64_t cur = o->read ? o->read(r->opaque, aligned, w) : 0;
	unsigned sh = 8 * (off - aligned);
	uint64_t mask = (~0ull >> (64 - 8 * size)) << sh;
	o->write(r->opaque, aligned, (cur & ~mask) | ((v << sh) & mask), w);
}

uint64_t bus_read(struct bus *b, uint64_t addr, unsigned size)
{
	const struct bus_range *r = bus_find(b, addr);
	if (r && addr + size <= r->base + r->len)
		return range_read(r, addr - r->base, size);
	if (size > 1) {
		/* an access straddling ranges (inw over two byte ports): bytewise */
		uint64_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= bus_read(b, addr + i, 1) << (8 * i);
		return v;
	}
	if (log_enabled(LOG_UNIMP))
		log_msg("%s: read of unclaimed 0x%llx", b->name, (unsigned long long)addr);
	return 0xff;
}

void bus_write(struct bus *b, uint64_t addr, uint64_t value, unsigned size)
{
	const struct bus_range *r = bus_find(b, addr);
	if (r && addr + size <= r->base + r->len) {
		range_write(r, addr - r->base, value, size);
		return;
	}
	if (size > 1) {
		for (unsigned i = 0; i < size; i++)
			bus_write(b, addr + i, value >> (8 * i), 1);
		return;
	}
	if (log_enabled(LOG_UNIMP))
		log_msg("%s: write 0x%llx to unclaimed 0x%llx", b->name,
			(unsigned long long)value, (unsigned long long)addr);
}
