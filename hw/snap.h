/* Save state: a device writes its fields in a fixed order into a growable
 * byte buffer, led by a version; load reads them back in the same order and
 * the device then recomputes what derives from them (timers, IRQ levels).
 * Tier switching, snapshots and tests all use it. */
#ifndef HW_SNAP_H
#define HW_SNAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct snap {
	uint8_t *buf;
	size_t len, cap, pos;
	bool error;			/* a load ran past the end or hit a bad version */
};

void snap_init(struct snap *s);
void snap_free(struct snap *s);
void snap_put(struct snap *s, const void *p, size_t n);
void snap_get(struct snap *s, void *p, size_t n);
/* a section header: name and version; snap_section_get fails (error set)
 * unless name matches and version <= max_version; returns the version */
void snap_section_put(struct snap *s, const char *name, uint32_t version);
uint32_t snap_section_get(struct snap *s, const char *name, uint32_t max_version);

#define SNAP_PUT(s, field) snap_put((s), &(field), sizeof(field))
#define SNAP_GET(s, field) snap_get((s), &(field), sizeof(field))

#endif
