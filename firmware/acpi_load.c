/* The table-loader script run here, as SeaBIOS's romfile_loader.c runs it:
 * for kernels booted without a BIOS, and for the unit test that checks the
 * tables where they land. */
// SPDX-License-Identifier: MIT
#include "firmware/acpi.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"
#include "mmu/physmap.h"

#define MIN_ALIGN 16	/* SeaBIOS's MALLOC_MIN_ALIGN */

struct lfile {
	const char *name;
	uint8_t *data;
	size_t len;
	uint64_t addr;
	bool allocated;
};

static uint64_t ld(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* the file a command names; NULL when the name is not NUL-terminated in its
 * field, unknown, or (need_alloc) not yet allocated */
static struct lfile *lfind(struct lfile *f, const uint8_t *name, bool need_alloc)
{
	if (memchr(name, 0, ACPI_LOADER_FILESZ) == NULL)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (!strcmp(f[i].name, (const char *)name) && (f[i].allocated || !need_alloc))
			return &f[i];
	return NULL;
}

static int refuse(size_t off, const char *why)
{
	log_error("acpi: table-loader command at byte %zu: %s", off, why);
	return -1;
}

int acpi_loader_run(const struct acpi_blobs *b, const struct acpi_zone *high,
		    const struct acpi_zone *fseg, struct acpi_loaded *out)
{
	memset(out, 0, sizeof(*out));
	struct lfile f[2] = {
		{ ACPI_FILE_RSDP, malloc(b->rsdp_len + 1), b->rsdp_len, 0, false },
		{ ACPI_FILE_TABLES, malloc(b->tables_len + 1), b->tables_len, 0, false },
	};
	uint64_t next[3] = { 0, high->start, fseg->start };	/* by zone */
	const struct acpi_zone *zone[3] = { NULL, high, fseg };
	int rc = -1;
	if (!f[0].data || !f[1].data) {
		log_error("acpi: out of memory");
		goto out;
	}
	memcpy(f[0].data, b->rsdp, b->rsdp_len);
	memcpy(f[1].data, b->tables, b->tables_len);
	if (b->loader_len % ACPI_LOADER_ENTRY_SIZE) {
		log_error("acpi: the table-loader script (%zu bytes) is not a whole number of commands",
			  b->loader_len);
		goto out;
	}
	for (size_t off = 0; off < b->loader_len; off += ACPI_LOADER_ENTRY_SIZE) {
		const uint8_t *e = b->loader + off;
		switch (ld(e, 4)) {
		case ACPI_LOADER_ALLOCATE: {
			struct lfile *l = lfind(f, e + 4, false);
			uint64_t align = ld(e + 60, 4);
			uint8_t z = e[64];
			if (!l || l->allocated || (align & (align - 1)) ||
			    (z != ACPI_ZONE_HIGH && z != ACPI_ZONE_FSEG)) {
				refuse(off, "ALLOCATE of an unknown file, twice, with a bad alignment or zone");
				goto out;
			}
			if (align < MIN_ALIGN)
				align = MIN_ALIGN;
			uint64_t at = (next[z] + align - 1) & ~(align - 1);
			if (at < next[z] || at > zone[z]->end || l->len > zone[z]->end - at) {
				log_error("acpi: no room for %s (%zu bytes) in 0x%llx-0x%llx", l->name,
					  l->len, (unsigned long long)zone[z]->start,
					  (unsigned long long)zone[z]->end);
				goto out;
			}
			l->addr = at;
			l->allocated = true;
			next[z] = at + l->len;
			break;
		}
		case ACPI_LOADER_ADD_POINTER: {
			struct lfile *d = lfind(f, e + 4, true), *s = lfind(f, e + 60, true);
			uint64_t at = ld(e + 116, 4);
			uint8_t size = e[120];
			if (!d || !s || (size != 1 && size != 2 && size != 4 && size != 8) ||
			    at + size > d->len) {
				refuse(off, "ADD_POINTER with a file not allocated, or outside its file");
				goto out;
			}
			uint64_t v = ld(d->data + at, size) + s->addr;
			for (int i = 0; i < size; i++)
				d->data[at + (size_t)i] = (uint8_t)(v >> (8 * i));
			break;
		}
		case ACPI_LOADER_ADD_CHECKSUM: {
			struct lfile *l = lfind(f, e + 4, true);
			uint64_t at = ld(e + 60, 4), start = ld(e + 64, 4), len = ld(e + 68, 4);
			if (!l || at >= l->len || start + len > l->len) {
				refuse(off, "ADD_CHECKSUM of a file not allocated, or outside its file");
				goto out;
			}
			uint8_t sum = 0;
			for (uint64_t i = 0; i < len; i++)
				sum = (uint8_t)(sum + l->data[start + i]);
			l->data[at] = (uint8_t)(l->data[at] - sum);
			break;
		}
		default:
			/* SeaBIOS skips what it does not know; ours has no such thing */
			refuse(off, "unknown command");
			goto out;
		}
	}
	if (!f[0].allocated || !f[1].allocated) {
		log_error("acpi: the table-loader script does not place both files");
		goto out;
	}
	*out = (struct acpi_loaded){ f[0].data, f[1].data, f[0].len, f[1].len, f[0].addr, f[1].addr };
	f[0].data = f[1].data = NULL;
	rc = 0;
out:
	free(f[0].data);
	free(f[1].data);
	return rc;
}

void acpi_loaded_free(struct acpi_loaded *l)
{
	free(l->rsdp);
	free(l->tables);
	memset(l, 0, sizeof(*l));
}

int acpi_install(struct physmap *pm, const struct acpi_blobs *b, const struct acpi_zone *high,
		 const struct acpi_zone *fseg, struct acpi_placed *where)
{
	struct acpi_loaded l;
	if (acpi_loader_run(b, high, fseg, &l) < 0)
		return -1;
	int rc = -1;
	if (!physmap_is_ram(pm, l.rsdp_addr, l.rsdp_len) ||
	    !physmap_is_ram(pm, l.tables_addr, l.tables_len)) {
		log_error("acpi: the tables at 0x%llx and 0x%llx are not all in RAM",
			  (unsigned long long)l.rsdp_addr, (unsigned long long)l.tables_addr);
		goto out;
	}
	phys_write_force(pm, l.rsdp_addr, l.rsdp, l.rsdp_len);
	phys_write_force(pm, l.tables_addr, l.tables, l.tables_len);
	where->rsdp = l.rsdp_addr;
	where->tables = l.tables_addr;
	where->tables_len = l.tables_len;
	rc = 0;
out:
	acpi_loaded_free(&l);
	return rc;
}
