/* One bus shape for port I/O and MMIO: devices register (base, length, ops,
 * opaque) in an interval map that refuses overlaps; the bus splits accesses
 * wider or narrower than a device takes into ones it does take.
 * Unclaimed reads return all ones, unclaimed writes are dropped, as on a PC.
 * Callers hold the board lock (board.h); the bus itself takes no lock. */
#ifndef HW_BUS_H
#define HW_BUS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct bus_ops {
	/* offset is relative to the registered base; size is 1, 2, 4 or 8 */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
	/* widths the handlers take; 0 means 1 (min) and 4 (max) */
	unsigned min_size, max_size;
};

struct bus_range {
	uint64_t base, len;
	const struct bus_ops *ops;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;		/* "io" or "mmio", for messages */
	struct bus_range *r;		/* sorted by base, never overlapping */
	size_t n, cap;
};

void bus_init(struct bus *b, const char *name);
void bus_destroy(struct bus *b);
/* 0 on success; -1 (and one line on stderr) if it overlaps an existing range */
int bus_register(struct bus *b, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, const char *name);
/* removes the range registered at exactly base: 0, or -1 if there is none */
int bus_unregister(struct bus *b, uint64_t base);
/* true when no range overlaps [base, base+len) */
bool bus_range_free(const struct bus *b, uint64_t base, uint64_t len);
/* the range holding addr, or NULL */
const struct bus_range *bus_find(const struct bus *b, uint64_t addr);

uint64_t bus_read(struct bus *b, uint64_t addr, unsigned size);
void bus_write(struct bus *b, uint64_t addr, uint64_t value, unsigned size);

#endif
