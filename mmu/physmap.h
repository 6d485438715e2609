/* Guest RAM and the guest-physical address map.
 * RAM is one mapping shared by every tier (KVM memory slots point into it,
 * software tiers hold host pointers into it). Below 4 GiB RAM ends at
 * PHYSMAP_LOWMEM_MAX at most; the rest sits at 4 GiB. ROMs are host memory
 * mapped read-only at a guest address, on top of whatever RAM was there.
 * Anything neither RAM nor ROM goes to the MMIO bus.
 * Regions never overlap; a change is told to the listener (KVM turns them
 * into memory slots; mmu/ never mentions /dev/kvm) and bumps generation,
 * which the software tiers compare at their cheap points to drop the host
 * pointers they derived from the old map (TLB entries, decoded pages).
 * Changes happen with the board lock held. */
#ifndef MMU_PHYSMAP_H
#define MMU_PHYSMAP_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "hw/bus.h"

#define PHYSMAP_LOWMEM_MAX 0xc0000000ull	/* 3 GiB; PCI/APIC hole above */
#define PHYSMAP_HIGHMEM_BASE 0x100000000ull
#define PHYSMAP_MAX_REGIONS 64	/* RAM, ROMs, BARs and up to 13 PAM shadow runs */

enum physmap_kind { PM_RAM, PM_ROM };

struct physmap_region {
	uint64_t gpa, size;
	enum physmap_kind kind;
	uint8_t *host;
	const char *name;
};

struct physmap_listener {
	void (*add)(void *opaque, const struct physmap_region *r);
	void (*del)(void *opaque, const struct physmap_region *r);
	void *opaque;
};

struct physmap {
	int memfd;			/* -1 for private RAM */
	bool shared;			/* RAM is a shared mapping of memfd */
	uint8_t *ram;			/* host mapping of all guest RAM */
	uint64_t ram_size;		/* as asked with -m */
	uint64_t lowmem;		/* RAM below 4 GiB: [0, lowmem) */
	uint64_t highmem;		/* RAM at 4 GiB: [4G, 4G + highmem) */
	struct physmap_region r[PHYSMAP_MAX_REGIONS];	/* sorted by gpa */
	int n;
	struct bus *mmio;
	struct physmap_listener listener;
	uint64_t generation;		/* bumped by every add/remove (atomic) */
	/* the software tiers' tracker of pages holding code (NULL: none),
	 * told of writes that bypass the CPUs' TLBs: a device's DMA, a
	 * loader. */
	struct codepages *code;
};

/* creates RAM of ram_size bytes and maps it: a shared memfd mapping when
 * shared (where KVM may run: the test device's page flush relies on it),
 * else private anonymous memory, which the host backs with transparent
 * huge pages. On failure: one error line saying why (e.g. the host cannot
 * give that much), -1. physmap_init is the shared kind. */
int physmap_init_ram(struct physmap *pm, uint64_t ram_size, struct bus *mmio, bool shared);
int physmap_init(struct physmap *pm, uint64_t ram_size, struct bus *mmio);
void physmap_destroy(struct physmap *pm);
/* map host memory at gpa as ROM (or RAM), replacing what was there */
int physmap_add(struct physmap *pm, uint64_t gpa, uint64_t size,
		enum physmap_kind kind, uint8_t *host, const char *name);
/* unmap [gpa, gpa+size): it becomes MMIO-bus space */
int physmap_remove(struct physmap *pm, uint64_t gpa, uint64_t size);
/* true when no region overlaps [gpa, gpa+size) */
bool physmap_is_free(const struct physmap *pm, uint64_t gpa, uint64_t size);
/* the current generation, for a software tier on another thread */
static inline uint64_t physmap_generation(const struct physmap *pm)
{
	return __atomic_load_n(&pm->generation, __ATOMIC_ACQUIRE);
}
/* the listener is told of every existing region now, and of later changes */
void physmap_set_listener(struct physmap *pm, const struct physmap_listener *l);
const struct physmap_region *physmap_find(const struct physmap *pm, uint64_t gpa);
/* host pointer for [gpa, gpa+len) if one RAM/ROM region holds it all */
uint8_t *physmap_host(const struct physmap *pm, uint64_t gpa, uint64_t len);
/* copy to/from guest-physical memory; MMIO goes through the bus, writes to
 * ROM are dropped unless 'force' (loaders fill ROMs this way) */
void phys_read(struct physmap *pm, uint64_t gpa, void *buf, size_t len);
void phys_write(struct physmap *pm, uint64_t gpa, const void *buf, size_t len);
void phys_write_force(struct physmap *pm, uint64_t gpa, const void *buf, size_t len);
/* a device wrote [gpa, gpa+len) through a host pointer (physmap_find,
 * physmap_host): what the CPUs decoded or translated from it goes, as a
 * CPU's own write would drop it (phys_write does this itself) */
void physmap_written(struct physmap *pm, uint64_t gpa, uint64_t len);
/* what the software tiers derived from guest memory may be stale (a
 * write they could not be told of in place): they drop it all at their
 * next careful step, as after a change of the map */
void physmap_stale(struct physmap *pm);
/* true when [gpa, gpa+len) is all RAM (loaders check where they put things) */
bool physmap_is_ram(const struct physmap *pm, uint64_t gpa, uint64_t len);

#endif
