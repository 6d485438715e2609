/* The i440FX host bridge: PAM shadowing of C0000-FFFFF and the SMRAM register. */
// SPDX-License-Identifier: MIT
#include "hw/i440fx.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"
#include "mmu/physmap.h"

#define SEG_COUNT 13
#define UNIT 0x4000ull			/* the smallest segment */
#define SHADOW_BASE 0xc0000ull
#define SHADOW_UNITS 16			/* C0000-FFFFF */
#define FLASH_ALIAS 0xfff00000ull	/* + gpa: the flash copy of E0000-FFFFF */
#define FLASH_LOW 0xe0000ull

#define PAM_RE 1
#define PAM_WE 2

#define SMRAM_D_OPEN 0x40
#define SMRAM_D_LCK 0x10
#define SMRAM_FIXED 0x02		/* C_BASE_SEG: A0000, hardwired */
#define SMRAM_WMASK 0x78		/* D_OPEN, D_CLS, D_LCK, G_SMRAME */

#define COREBOOT_RAM_SIZE 0x57		/* QEMU's: RAM in 8 MiB units, for old coreboot */

/* the segments as the PAM registers list them */
static const struct pam_seg {
	uint32_t base, size;
	uint8_t reg, shift;
} segs[SEG_COUNT] = {
	{ 0xf0000, 0x10000, 0x59, 4 },
	{ 0xc0000, 0x4000, 0x5a, 0 }, { 0xc4000, 0x4000, 0x5a, 4 },
	{ 0xc8000, 0x4000, 0x5b, 0 }, { 0xcc000, 0x4000, 0x5b, 4 },
	{ 0xd0000, 0x4000, 0x5c, 0 }, { 0xd4000, 0x4000, 0x5c, 4 },
	{ 0xd8000, 0x4000, 0x5d, 0 }, { 0xdc000, 0x4000, 0x5d, 4 },
	{ 0xe0000, 0x4000, 0x5e, 0 }, { 0xe4000, 0x4000, 0x5e, 4 },
	{ 0xe8000, 0x4000, 0x5f, 0 }, { 0xec000, 0x4000, 0x5f, 4 },
};

/* what one 16 KiB unit shows */
enum view { V_NONE, V_RAM, V_RAM_RO, V_FLASH, V_WRITE_ONLY };

/* a write-only run on the MMIO bus */
struct wo_run {
	struct i440fx *h;
	uint64_t base, len;
};

struct i440fx {
	struct pci_dev pci;
	struct physmap *pm;
	struct wo_run wo[SHADOW_UNITS];
	int nwo;
};

static unsigned seg_mode(const struct i440fx *h, int s)
{
	return (h->pci.config[segs[s].reg] >> segs[s].shift) & 3;
}

static int seg_of(uint64_t gpa)
{
	for (int s = 0; s < SEG_COUNT; s++)
		if (gpa >= segs[s].base && gpa < segs[s].base + segs[s].size)
			return s;
	return -1;
}

/* the flash at the top of 4 GiB, if firmware mapped one */
static bool flash_present(const struct physmap *pm)
{
	const struct physmap_region *r = physmap_find(pm, FLASH_ALIAS + FLASH_LOW);
	return r && r->kind == PM_ROM && r->gpa + r->size >= PHYSMAP_HIGHMEM_BASE &&
	       r->gpa <= FLASH_ALIAS + FLASH_LOW;
}

static enum view unit_view(const struct i440fx *h, uint64_t gpa, bool flash)
{
	unsigned mode = seg_mode(h, seg_of(gpa));
	bool ram = gpa + UNIT <= h->pm->lowmem;
	bool under_flash = flash && gpa >= FLASH_LOW;
	if (!ram)
		return under_flash && !(mode & PAM_RE) ? V_FLASH : V_NONE;
	if (!flash && !(mode & PAM_RE))
		return V_RAM;	/* no firmware: our loaders play the BIOS */
	switch (mode) {
	case PAM_RE | PAM_WE: return V_RAM;
	case PAM_RE: return V_RAM_RO;
	case PAM_WE: return V_WRITE_ONLY;
	default: return under_flash ? V_FLASH : V_NONE;
	}
}

static uint8_t *unit_host(const struct i440fx *h, enum view v, uint64_t gpa)
{
	if (v == V_RAM || v == V_RAM_RO)
		return h->pm->ram + gpa;
	if (v == V_FLASH)
		return physmap_host(h->pm, FLASH_ALIAS + gpa, UNIT);
	return NULL;
}

/* -- write-only segments: reads see what is underneath, writes land in RAM -- */

static uint64_t wo_read(void *opaque, uint64_t off, unsigned size)
{
	struct wo_run *w = opaque;
	uint64_t gpa = w->base + off, v = 0;
	if (gpa >= FLASH_LOW && flash_present(w->h->pm)) {
		phys_read(w->h->pm, FLASH_ALIAS + gpa, &v, size);
		return v;
	}
	return ~0ull >> (64 - 8 * size);
}

static void wo_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct wo_run *w = opaque;
	uint64_t gpa = w->base + off;
	if (gpa + size <= w->h->pm->lowmem)
		memcpy(w->h->pm->ram + gpa, &v, size);	/* little-endian host */
}

static const struct bus_ops wo_ops = { wo_read, wo_write, 1, 8 };

/* Rebuild C0000-FFFFF from the PAM registers, in as few regions as the
 * views allow (the physical map and KVM have a limited number of them). */
static void pam_apply(struct i440fx *h)
{
	struct physmap *pm = h->pm;
	struct bus *mmio = pm->mmio;
	for (int i = 0; i < h->nwo; i++)
		bus_unregister(mmio, h->wo[i].base);
	h->nwo = 0;
	physmap_remove(pm, SHADOW_BASE, SHADOW_UNITS * UNIT);

	bool flash = flash_present(pm);
	for (unsigned u = 0; u < SHADOW_UNITS;) {
		uint64_t gpa = SHADOW_BASE + u * UNIT;
		enum view v = unit_view(h, gpa, flash);
		uint8_t *host = unit_host(h, v, gpa);
		unsigned n = 1;
		while (u + n < SHADOW_UNITS) {
			uint64_t g = gpa + n * UNIT;
			if (unit_view(h, g, flash) != v ||
			    (host && unit_host(h, v, g) != host + n * UNIT))
				break;
			n++;
		}
		uint64_t len = n * UNIT;
		switch (v) {
		case V_NONE:
			break;
		case V_RAM:
			physmap_add(pm, gpa, len, PM_RAM, host, "ram");
			break;
		case V_RAM_RO:
			physmap_add(pm, gpa, len, PM_ROM, host, "shadow-ro");
			break;
		case V_FLASH:
			if (host)
				physmap_add(pm, gpa, len, PM_ROM, host, "bios-shadow");
			break;
		case V_WRITE_ONLY: {
			struct wo_run *w = &h->wo[h->nwo];
			*w = (struct wo_run){ h, gpa, len };
			if (mmio && bus_register(mmio, gpa, len, &wo_ops, w, "pam-write-only") == 0)
				h->nwo++;
			else
				log_once("i440fx: write-only shadow at 0x%llx not mapped: the MMIO bus has "
					 "something there", (unsigned long long)gpa);
			break;
		}
		}
		u += n;
	}
}

/* -- config space -- */

static void i440fx_config_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	struct i440fx *h = d->opaque;
	if (off < I440FX_PAM0 + 7 && off + size > I440FX_PAM0)
		pam_apply(h);
	if (off <= I440FX_SMRAM && off + size > I440FX_SMRAM) {
		uint8_t was = (uint8_t)(old >> (8 * (I440FX_SMRAM - off)));
		uint8_t *r = &d->config[I440FX_SMRAM];
		if (was & SMRAM_D_LCK)		/* locked until reset: D_OPEN stays clear */
			*r = (uint8_t)((*r & ~SMRAM_D_OPEN) | SMRAM_D_LCK);
		if (*r & SMRAM_D_OPEN)
			log_once("i440fx: SMRAM opened: SMM is not modelled, A0000-BFFFF stays VGA");
	}
}

static void i440fx_reset(void *opaque)
{
	/* the PCI bus restored the registers before this runs */
	pam_apply(opaque);
}

static void i440fx_save(void *opaque, struct snap *s)
{
	(void)opaque;
	snap_section_put(s, "i440fx", 1);	/* its registers are the bus's */
}

static int i440fx_load(void *opaque, struct snap *s)
{
	snap_section_get(s, "i440fx", 1);
	if (s->error)
		return -1;
	pam_apply(opaque);
	return 0;
}

struct i440fx *i440fx_new(struct pci_bus *bus, struct physmap *pm, uint64_t ram_size,
			  struct device *dev)
{
	struct i440fx *h = calloc(1, sizeof(*h));
	if (!h) {
		log_error("i440fx: out of memory");
		return NULL;
	}
	h->pm = pm;
	struct pci_dev *d = &h->pci;
	pci_config_init(d, 0x8086, 0x1237, 0x02, 0x060000, 0);
	d->config[I440FX_SMRAM] = SMRAM_FIXED;
	d->wmask[I440FX_SMRAM] = SMRAM_WMASK;
	uint64_t units = ram_size >> 23;
	d->config[COREBOOT_RAM_SIZE] = (uint8_t)(units > 255 ? 255 : units);
	d->config_write = i440fx_config_write;
	d->opaque = h;
	if (pci_register(bus, d, I440FX_DEVFN, "i440fx") < 0) {
		free(h);
		return NULL;
	}
	*dev = (struct device){ "i440fx", h, i440fx_reset, i440fx_save, i440fx_load };
	pam_apply(h);
	return h;
}

void i440fx_free(struct i440fx *h)
{
	free(h);
}
