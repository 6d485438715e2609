/* Guest RAM (one memfd) and the non-overlapping guest-physical region map. */
// SPDX-License-Identifier: MIT
#include "mmu/physmap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hw/log.h"
#include "mmu/mmu.h"	/* codepages_written */

static void notify_add(struct physmap *pm, const struct physmap_region *r)
{
	if (pm->listener.add)
		pm->listener.add(pm->listener.opaque, r);
}

static void notify_del(struct physmap *pm, const struct physmap_region *r)
{
	if (pm->listener.del)
		pm->listener.del(pm->listener.opaque, r);
}

int physmap_init(struct physmap *pm, uint64_t ram_size, struct bus *mmio)
{
	return physmap_init_ram(pm, ram_size, mmio, true);
}

int physmap_init_ram(struct physmap *pm, uint64_t ram_size, struct bus *mmio, bool shared)
{
	memset(pm, 0, sizeof(*pm));
	pm->memfd = -1;
	pm->mmio = mmio;
	pm->ram_size = ram_size;
	pm->shared = shared;
	pm->lowmem = ram_size < PHYSMAP_LOWMEM_MAX ? ram_size : PHYSMAP_LOWMEM_MAX;
	pm->highmem = ram_size - pm->lowmem;

	if (shared) {
		pm->memfd = memfd_create("trivisor-ram", MFD_CLOEXEC);
		if (pm->memfd < 0) {
			log_error("guest RAM: memfd_create: %s", strerror(errno));
			return -1;
		}
		if (ftruncate(pm->memfd, (off_t)ram_size) < 0) {
			log_error("guest RAM: cannot size %llu MiB: %s",
				  (unsigned long long)(ram_size >> 20), strerror(errno));
			goto fail;
		}
	}
	/* MAP_NORESERVE: pages come when the guest touches them; the host may
	 * still refuse the whole size, which we report rather than crash on */
	pm->ram = shared ? mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
				pm->memfd, 0)
			 : mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pm->ram == MAP_FAILED) {
		pm->ram = NULL;
		log_error("guest RAM: cannot map %llu MiB: %s",
			  (unsigned long long)(ram_size >> 20), strerror(errno));
		goto fail;
	}
	/* 2 MiB host pages where the host gives them: a fault per 2 MiB the
	 * guest first touches instead of per 4 KiB, and fewer host TLB
	 * misses on the software tiers' accesses. Debian's kernels give
	 * them to private anonymous memory on request, not to a memfd
	 * (shmem_enabled is "never" by default). */
	madvise(pm->ram, ram_size, MADV_HUGEPAGE);
	/* the legacy VGA window A0000-BFFFF is not RAM on a PC */
	uint64_t vga_lo = 0xa0000, vga_hi = 0xc0000;
	if (pm->lowmem <= vga_lo) {
		physmap_add(pm, 0, pm->lowmem, PM_RAM, pm->ram, "ram");
	} else {
		physmap_add(pm, 0, vga_lo, PM_RAM, pm->ram, "ram");
		if (pm->lowmem > vga_hi)
			physmap_add(pm, vga_hi, pm->lowmem - vga_hi, PM_RAM, pm->ram + vga_hi, "ram");
	}
	if (pm->highmem)
		physmap_add(pm, PHYSMAP_HIGHMEM_BASE, pm->highmem, PM_RAM,
			    pm->ram + pm->lowmem, "ram-high");
	return 0;
fail:
	if (pm->memfd >= 0)
		close(pm->memfd);
	pm->memfd = -1;
	return -1;
}

void physmap_destroy(struct physmap *pm)
{
	if (pm->ram)
		munmap(pm->ram, pm->ram_size);
	if (pm->memfd >= 0)
		close(pm->memfd);
	pm->ram = NULL;
	pm->memfd = -1;
	pm->n = 0;
}

static void region_insert(struct physmap *pm, const struct physmap_region *nr)
{
	int i = 0;
	while (i < pm->n && pm->r[i].gpa < nr->gpa)
		i++;
	memmove(&pm->r[i + 1], &pm->r[i], (size_t)(pm->n - i) * sizeof(pm->r[0]));
	pm->r[i] = *nr;
	pm->n++;
}

/* cut [gpa, gpa+size) out of every region, splitting where needed */
static int region_punch(struct physmap *pm, uint64_t gpa, uint64_t size)
{
	uint64_t end = gpa + size;
	for (int i = 0; i < pm->n; i++) {
		struct physmap_region r = pm->r[i];
		uint64_t rend = r.gpa + r.size;
		if (rend <= gpa || r.gpa >= end)
			continue;
		if (pm->n + 1 >= PHYSMAP_MAX_REGIONS) {
			log_error("physical map: too many regions");
			return -1;
		}
		notify_del(pm, &r);
		memmove(&pm->r[i], &pm->r[i + 1], (size_t)(pm->n - i - 1) * sizeof(pm->r[0]));
		pm->n--;
		if (r.gpa < gpa) {
			struct physmap_region lo = r;
			lo.size = gpa - r.gpa;
			region_insert(pm, &lo);
			notify_add(pm, &lo);
		}
		if (rend > end) {
			struct physmap_region hi = r;
			hi.gpa = end;
			hi.size = rend - end;
			hi.host = r.host + (end - r.gpa);
			region_insert(pm, &hi);
			notify_add(pm, &hi);
		}
		i = -1;	/* the array changed; rescan (few regions) */
	}
	return 0;
}

int physmap_add(struct physmap *pm, uint64_t gpa, uint64_t size,
		enum physmap_kind kind, uint8_t *host, const char *name)
{
	if (size == 0 || (gpa & 0xfff) || (size & 0xfff)) {
		log_error("physical map: %s at 0x%llx+0x%llx is not page aligned", name,
			  (unsigned long long)gpa, (unsigned long long)size);
		return -1;
	}
	/* even a failed add may have punched a hole: the map changed */
	__atomic_fetch_add(&pm->generation, 1, __ATOMIC_RELEASE);
	if (region_punch(pm, gpa, size) < 0 || pm->n >= PHYSMAP_MAX_REGIONS)
		return -1;
	struct physmap_region r = { gpa, size, kind, host, name };
	region_insert(pm, &r);
	notify_add(pm, &r);
	return 0;
}

int physmap_remove(struct physmap *pm, uint64_t gpa, uint64_t size)
{
	int r = region_punch(pm, gpa, size);
	__atomic_fetch_add(&pm->generation, 1, __ATOMIC_RELEASE);
	return r;
}

bool physmap_is_free(const struct physmap *pm, uint64_t gpa, uint64_t size)
{
	if (size == 0 || gpa + size < gpa)
		return false;
	for (int i = 0; i < pm->n; i++)
		if (pm->r[i].gpa < gpa + size && pm->r[i].gpa + pm->r[i].size > gpa)
			return false;
	return true;
}

void physmap_set_listener(struct physmap *pm, const struct physmap_listener *l)
{
	pm->listener = *l;
	for (int i = 0; i < pm->n; i++)
		notify_add(pm, &pm->r[i]);
}

const struct physmap_region *physmap_find(const struct physmap *pm, uint64_t gpa)
{
	/* the region this thread found last first: page walks, TLB fills
	 * and the code-page tracker ask about the same RAM over and over
	 * (any index is a fine guess: the check is the same either way) */
	static __thread int hint;
	int h = hint;
	if (h < pm->n && gpa - pm->r[h].gpa < pm->r[h].size)
		return &pm->r[h];
	int lo = 0, hi = pm->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (pm->r[mid].gpa + pm->r[mid].size <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pm->n && pm->r[lo].gpa <= gpa) {
		hint = lo;
		return &pm->r[lo];
	}
	return NULL;
}

uint8_t *physmap_host(const struct physmap *pm, uint64_t gpa, uint64_t len)
{
	const struct physmap_region *r = physmap_find(pm, gpa);
	if (!r || gpa + len > r->gpa + r->size || gpa + len < gpa)
		return NULL;
	return r->host + (gpa - r->gpa);
}

void physmap_written(struct physmap *pm, uint64_t gpa, uint64_t len)
{
	if (pm->code)
		codepages_written(pm->code, gpa, len);
}

void physmap_stale(struct physmap *pm)
{
	__atomic_fetch_add(&pm->generation, 1, __ATOMIC_RELEASE);
}

bool physmap_is_ram(const struct physmap *pm, uint64_t gpa, uint64_t len)
{
	while (len) {
		const struct physmap_region *r = physmap_find(pm, gpa);
		if (!r || r->kind != PM_RAM)
			return false;
		uint64_t n = r->gpa + r->size - gpa;
		if (n >= len)
			return true;
		gpa += n;
		len -= n;
	}
	return true;
}

static void phys_access(struct physmap *pm, uint64_t gpa, void *buf, size_t len,
			bool write, bool force)
{
	uint8_t *p = buf;
	while (len) {
		const struct physmap_region *r = physmap_find(pm, gpa);
		size_t n;
		if (r) {
			n = r->gpa + r->size - gpa;
			if (n > len)
				n = len;
			uint8_t *h = r->host + (gpa - r->gpa);
			if (!write) {
				memcpy(p, h, n);
			} else if (r->kind == PM_RAM || force) {
				memcpy(h, p, n);
				physmap_written(pm, gpa, n);
			}
		} else {
			n = 1;
			if (!pm->mmio) {
				if (!write)
					*p = 0xff;
			} else if (write) {
				bus_write(pm->mmio, gpa, *p, 1);
			} else {
				*p = (uint8_t)bus_read(pm->mmio, gpa, 1);
			}
		}
		gpa += n;
		p += n;
		len -= n;
	}
}

void phys_read(struct physmap *pm, uint64_t gpa, void *buf, size_t len)
{
	phys_access(pm, gpa, buf, len, false, false);
}

void phys_write(struct physmap *pm, uint64_t gpa, const void *buf, size_t len)
{
	phys_access(pm, gpa, (void *)buf, len, true, false);
}

void phys_write_force(struct physmap *pm, uint64_t gpa, const void *buf, size_t len)
{
	phys_access(pm, gpa, (void *)buf, len, true, true);
}
