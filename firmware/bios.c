/* The firmware image: ROM ending at 4 GiB (the reset vector), its last
 * 128 KiB also at the top of the first MiB. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#include <errno.h>
#include <sys/mman.h>
#include "hw/log.h"

#define BIOS_MAX (8ull << 20)
#define BIOS_GRAIN 0x10000ull
#define BIOS_LOW_MAX 0x20000ull
#define TOP_4G PHYSMAP_HIGHMEM_BASE
#define LOW_TOP 0x100000ull

/* Region names double as our mark in the physical map: a region named by
 * this very string holds host memory this file mapped, so a reset finds and
 * reuses (or frees) it without any state of our own. */
static const char bios_name[] = "bios";
static const char bios_low_name[] = "bios-low";

static uint64_t low_size(uint64_t size)
{
	return size < BIOS_LOW_MAX ? size : BIOS_LOW_MAX;
}

/* undo an older mapping of another size: RAM comes back under its low view */
static void bios_unmap(struct physmap *pm, uint8_t *host, uint64_t size)
{
	uint64_t low = low_size(size);
	physmap_remove(pm, TOP_4G - size, size);
	physmap_remove(pm, LOW_TOP - low, low);
	uint64_t lo = LOW_TOP - low, hi = LOW_TOP;
	if (lo < 0xc0000)
		lo = 0xc0000;	/* the VGA window stays unmapped */
	if (hi > pm->lowmem)
		hi = pm->lowmem;
	if (lo < hi)
		physmap_add(pm, lo, hi - lo, PM_RAM, pm->ram + lo, "ram");
	munmap(host, size);
}

int bios_setup(struct physmap *pm, const char *path)
{
	struct boot_file f;
	if (loader_read(&f, path, 1, BIOS_MAX, "for a BIOS (8 MiB at most)") < 0)
		return -1;
	if (f.size % BIOS_GRAIN) {
		log_error("%s: size %llu is not a multiple of 64 KiB", path, (unsigned long long)f.size);
		loader_free(&f);
		return -1;
	}
	uint64_t size = f.size, base = TOP_4G - size;
	const struct physmap_region *r = physmap_find(pm, TOP_4G - PAGE_SIZE_4K);
	uint8_t *host = NULL;
	if (r && r->name == bios_name && r->gpa + r->size == TOP_4G) {
		if (r->gpa == base)
			host = r->host;
		else
			bios_unmap(pm, r->host, r->size);
	}
	bool fresh = !host;
	if (fresh) {
		host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (host == MAP_FAILED) {
			log_error("%s: cannot map %llu KiB: %s", path, (unsigned long long)(size >> 10),
				  strerror(errno));
			loader_free(&f);
			return -1;
		}
	}
	memcpy(host, f.data, size);
	loader_free(&f);
	uint64_t low = low_size(size);
	if (physmap_add(pm, base, size, PM_ROM, host, bios_name) < 0 ||
	    physmap_add(pm, LOW_TOP - low, low, PM_ROM, host + size - low, bios_low_name) < 0) {
		log_error("%s: cannot map the BIOS", path);
		if (fresh) {
			physmap_remove(pm, base, size);
			munmap(host, size);
		}
		return -1;
	}
	return 0;
}
