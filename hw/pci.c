/* PCI bus 0: configuration mechanism #1, config-space masks, BAR decoding
 * and INTx to PIRQ wiring. */
// SPDX-License-Identifier: MIT
#include "hw/pci.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "hw/device.h"
#include "hw/log.h"
#include "mmu/physmap.h"

#define PORT_ADDR 0xcf8
#define PORT_DATA 0xcfc
#define ADDR_ENABLE 0x80000000u
#define ADDR_MASK 0x80fffffcu		/* bits 30:24 and 1:0 are reserved, read 0 */

#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_MULTI 0x80
#define PCI_COMMAND_PARITY 0x40
#define PCI_COMMAND_SERR 0x100
/* status bits a written 1 clears: parity error, signalled system error,
 * master/target aborts, signalled target abort, master data parity error */
#define PCI_STATUS_W1C 0xf900

#define BAR_IO_SPACE 0x1
#define BAR_MEM_64 0x4
#define BAR_MEM_PREFETCH 0x8
#define ROM_ENABLE 0x1
#define ROM_ADDR_MASK 0xfffff800u

/* the local APIC page is claimed by each CPU before the bus sees it: no BAR
 * may take it */
#define LAPIC_PAGE 0xfee00000ull

/* QEMU's subsystem ids; SeaBIOS and guests take them as "this is QEMU" */
#define SUBSYS_VENDOR 0x1af4
#define SUBSYS_ID 0x1100

struct pci_bus {
	struct bus *io, *mmio;
	struct physmap *pm;
	uint32_t addr;			/* the 0xcf8 register */
	struct pci_dev *dev[256];
	/* INTx as the bus last drove it, per function, and how many functions
	 * hold each PIRQ up */
	uint8_t out[256];
	int8_t out_pirq[256];
	int pirq_count[4];
	struct irq_line pirq[4];
	uint8_t (*cf9_read)(void *opaque);
	void (*cf9_write)(void *opaque, uint8_t v);
	void *cf9_opaque;
};

static uint32_t ld_le(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void st_le(uint8_t *p, uint32_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t cfg16(const struct pci_dev *d, unsigned off) { return (uint16_t)ld_le(d->config + off, 2); }
static uint32_t cfg32(const struct pci_dev *d, unsigned off) { return ld_le(d->config + off, 4); }

/* -- the header -- */

void pci_config_init(struct pci_dev *d, uint16_t vendor, uint16_t device, uint8_t revision,
		     uint32_t class_code, uint8_t header_type)
{
	memset(d->config, 0, sizeof(d->config));
	memset(d->bar, 0, sizeof(d->bar));	/* declared after this, with pci_bar_*() */
	memset(d->wmask, 0, sizeof(d->wmask));
	memset(d->w1cmask, 0, sizeof(d->w1cmask));
	st_le(d->config + PCI_VENDOR_ID, vendor, 2);
	st_le(d->config + PCI_DEVICE_ID, device, 2);
	d->config[PCI_REVISION_ID] = revision;
	st_le(d->config + PCI_CLASS_PROG, class_code, 3);
	d->config[PCI_HEADER_TYPE] = header_type;
	if ((header_type & 0x7f) == 0) {
		st_le(d->config + PCI_SUBSYSTEM_VENDOR_ID, SUBSYS_VENDOR, 2);
		st_le(d->config + PCI_SUBSYSTEM_ID, SUBSYS_ID, 2);
	}
	st_le(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		      PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE, 2);
	st_le(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C, 2);
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	/* device-specific registers are plain bytes unless the model says
	 * otherwise (QEMU's default too) */
	memset(d->wmask + 0x40, 0xff, 0xc0);
}

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

void pci_bar_io(struct pci_dev *d, int n, uint32_t size, const struct bus_ops *ops, void *opaque)
{
	if (n < 0 || n >= PCI_ROM_SLOT || !pow2(size) || size < 4) {
		log_error("pci: %s: bad I/O BAR %d of size 0x%x", d->name ? d->name : "?", n, size);
		return;
	}
	d->bar[n] = (struct pci_bar){ .kind = PCI_BAR_IO, .size = size, .ops = ops, .opaque = opaque,
				      .mapped = PCI_BAR_UNMAPPED };
}

static bool mem_bar_ok(struct pci_dev *d, int n, uint64_t size, bool mem64, uint64_t min)
{
	if (n < 0 || n >= PCI_ROM_SLOT || (mem64 && n == PCI_ROM_SLOT - 1) || !pow2(size) ||
	    size < min || (!mem64 && size > 0x80000000ull)) {
		log_error("pci: %s: bad memory BAR %d of size 0x%llx", d->name ? d->name : "?", n,
			  (unsigned long long)size);
		return false;
	}
	return true;
}

void pci_bar_mmio(struct pci_dev *d, int n, uint64_t size, bool mem64, bool prefetch,
		  const struct bus_ops *ops, void *opaque)
{
	if (!mem_bar_ok(d, n, size, mem64, 16))
		return;
	d->bar[n] = (struct pci_bar){ .kind = PCI_BAR_MMIO, .size = size, .mem64 = mem64,
				      .prefetch = prefetch, .ops = ops, .opaque = opaque,
				      .mapped = PCI_BAR_UNMAPPED };
}

void pci_bar_hostmem(struct pci_dev *d, int n, uint64_t size, bool mem64, bool prefetch,
		     uint8_t *host)
{
	/* it goes into the physical map, which works in pages */
	if (!mem_bar_ok(d, n, size, mem64, 0x1000))
		return;
	d->bar[n] = (struct pci_bar){ .kind = PCI_BAR_HOSTMEM, .size = size, .mem64 = mem64,
				      .prefetch = prefetch, .host = host,
				      .mapped = PCI_BAR_UNMAPPED };
}

int pci_rom(struct pci_dev *d, const uint8_t *image, size_t len)
{
	uint64_t size = 0x1000;		/* at least a page: it is mapped in the physical map */
	while (size < len)
		size <<= 1;
	if (len == 0 || size > (16u << 20)) {
		log_error("pci: %s: expansion ROM of %zu bytes", d->name ? d->name : "?", len);
		return -1;
	}
	uint8_t *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (host == MAP_FAILED) {
		log_error("pci: %s: no memory for the expansion ROM", d->name ? d->name : "?");
		return -1;
	}
	memset(host, 0xff, size);
	memcpy(host, image, len);
	if (d->bar[PCI_ROM_SLOT].kind == PCI_BAR_ROM && d->bar[PCI_ROM_SLOT].host)
		munmap(d->bar[PCI_ROM_SLOT].host, d->bar[PCI_ROM_SLOT].size);
	d->bar[PCI_ROM_SLOT] = (struct pci_bar){ .kind = PCI_BAR_ROM, .size = size, .host = host,
						 .mapped = PCI_BAR_UNMAPPED };
	return 0;
}

/* the BAR registers' fixed low bits and write masks, from the declarations */
static void bars_to_config(struct pci_dev *d)
{
	for (int n = 0; n < PCI_ROM_SLOT; n++) {
		const struct pci_bar *bar = &d->bar[n];
		unsigned off = PCI_BASE_ADDRESS_0 + 4 * (unsigned)n;
		if (n > 0 && d->bar[n - 1].kind != PCI_BAR_NONE && d->bar[n - 1].kind != PCI_BAR_IO &&
		    d->bar[n - 1].mem64)
			continue;	/* the upper half of the BAR before */
		switch (bar->kind) {
		case PCI_BAR_NONE:
		case PCI_BAR_ROM:
			st_le(d->config + off, 0, 4);
			st_le(d->wmask + off, 0, 4);
			break;
		case PCI_BAR_IO:
			st_le(d->config + off, BAR_IO_SPACE, 4);
			st_le(d->wmask + off, (uint32_t)~(bar->size - 1) & ~3u, 4);
			break;
		case PCI_BAR_MMIO:
		case PCI_BAR_HOSTMEM: {
			uint32_t flags = (bar->mem64 ? BAR_MEM_64 : 0) | (bar->prefetch ? BAR_MEM_PREFETCH : 0);
			st_le(d->config + off, flags, 4);
			st_le(d->wmask + off, (uint32_t)~(bar->size - 1) & ~0xfu, 4);
			if (bar->mem64) {
				st_le(d->config + off + 4, 0, 4);
				st_le(d->wmask + off + 4, (uint32_t)(~(bar->size - 1) >> 32), 4);
			}
			break;
		}
		}
	}
	const struct pci_bar *rom = &d->bar[PCI_ROM_SLOT];
	st_le(d->config + PCI_ROM_ADDRESS, 0, 4);
	st_le(d->wmask + PCI_ROM_ADDRESS,
	      rom->kind == PCI_BAR_ROM ? ((uint32_t)~(rom->size - 1) & ROM_ADDR_MASK) | ROM_ENABLE : 0, 4);
}

/* -- BAR decoding -- */

/* where BAR n decodes now, or PCI_BAR_UNMAPPED */
static uint64_t bar_target(const struct pci_dev *d, int n)
{
	const struct pci_bar *bar = &d->bar[n];
	uint16_t cmd = cfg16(d, PCI_COMMAND);
	uint64_t a;
	switch (bar->kind) {
	case PCI_BAR_NONE:
		return PCI_BAR_UNMAPPED;
	case PCI_BAR_IO:
		if (!(cmd & PCI_COMMAND_IO))
			return PCI_BAR_UNMAPPED;
		a = cfg32(d, PCI_BASE_ADDRESS_0 + 4 * (unsigned)n) & ~3u;
		/* x86 port space is 64 KiB: a BAR above it decodes nothing */
		if (a == 0 || a + bar->size > 0x10000)
			return PCI_BAR_UNMAPPED;
		return a;
	case PCI_BAR_MMIO:
	case PCI_BAR_HOSTMEM:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return PCI_BAR_UNMAPPED;
		a = cfg32(d, PCI_BASE_ADDRESS_0 + 4 * (unsigned)n) & ~0xfu;
		if (bar->mem64)
			a |= (uint64_t)cfg32(d, PCI_BASE_ADDRESS_0 + 4 * (unsigned)n + 4) << 32;
		break;
	case PCI_BAR_ROM: {
		uint32_t r = cfg32(d, PCI_ROM_ADDRESS);
		if (!(cmd & PCI_COMMAND_MEMORY) || !(r & ROM_ENABLE))
			return PCI_BAR_UNMAPPED;
		a = r & ROM_ADDR_MASK;
		break;
	}
	default:
		return PCI_BAR_UNMAPPED;
	}
	/* a zero BAR is an unassigned one; past 2^52 no CPU can reach it */
	if (a == 0 || a + bar->size < a || a + bar->size > (1ull << 52))
		return PCI_BAR_UNMAPPED;
	return a;
}

/* memory space that is neither RAM/ROM, another device, nor the LAPIC;
 * the first MiB is the chipset's (low RAM, VGA window, PAM segments) */
static bool mem_free(struct pci_bus *b, uint64_t a, uint64_t size)
{
	if (a < 0x100000 || (a < LAPIC_PAGE + 0x1000 && a + size > LAPIC_PAGE))
		return false;
	if (b->pm && !physmap_is_free(b->pm, a, size))
		return false;
	return bus_range_free(b->mmio, a, size);
}

static bool bar_map(struct pci_bus *b, struct pci_dev *d, int n, uint64_t a)
{
	struct pci_bar *bar = &d->bar[n];
	const char *name = d->name ? d->name : "pci";
	bool ok = false;
	switch (bar->kind) {
	case PCI_BAR_IO:
		ok = bus_range_free(b->io, a, bar->size) &&
		     bus_register(b->io, a, bar->size, bar->ops, bar->opaque, name) == 0;
		break;
	case PCI_BAR_MMIO:
		ok = mem_free(b, a, bar->size) &&
		     bus_register(b->mmio, a, bar->size, bar->ops, bar->opaque, name) == 0;
		break;
	case PCI_BAR_HOSTMEM:
	case PCI_BAR_ROM:
		ok = b->pm && mem_free(b, a, bar->size) &&
		     physmap_add(b->pm, a, bar->size, bar->kind == PCI_BAR_ROM ? PM_ROM : PM_RAM,
				 bar->host, name) == 0;
		break;
	case PCI_BAR_NONE:
		break;
	}
	if (!ok) {
		/* the guest placed it over RAM or another device: as on a real
		 * board one of them loses; here the BAR stays undecoded */
		log_once("pci: %s BAR %d at 0x%llx+0x%llx overlaps something: left unmapped", name, n,
			 (unsigned long long)a, (unsigned long long)bar->size);
		return false;
	}
	bar->mapped = a;
	return true;
}

static void bar_unmap(struct pci_bus *b, struct pci_dev *d, int n)
{
	struct pci_bar *bar = &d->bar[n];
	if (bar->mapped == PCI_BAR_UNMAPPED)
		return;
	switch (bar->kind) {
	case PCI_BAR_IO:
		bus_unregister(b->io, bar->mapped);
		break;
	case PCI_BAR_MMIO:
		bus_unregister(b->mmio, bar->mapped);
		break;
	case PCI_BAR_HOSTMEM:
	case PCI_BAR_ROM:
		if (b->pm)
			physmap_remove(b->pm, bar->mapped, bar->size);
		break;
	case PCI_BAR_NONE:
		break;
	}
	bar->mapped = PCI_BAR_UNMAPPED;
}

/* Every BAR of the bus to where its registers say. All moves out first, so
 * two BARs trading places both land; one that could not map before (an
 * overlap) is tried again, as the overlap may be gone. */
static void update_mappings(struct pci_bus *b)
{
	for (int f = 0; f < 256; f++) {
		struct pci_dev *d = b->dev[f];
		for (int n = 0; d && n < PCI_NUM_BARS; n++)
			if (d->bar[n].mapped != PCI_BAR_UNMAPPED && d->bar[n].mapped != bar_target(d, n))
				bar_unmap(b, d, n);
	}
	for (int f = 0; f < 256; f++) {
		struct pci_dev *d = b->dev[f];
		for (int n = 0; d && n < PCI_NUM_BARS; n++) {
			uint64_t a = bar_target(d, n);
			if (a != PCI_BAR_UNMAPPED && d->bar[n].mapped == PCI_BAR_UNMAPPED)
				bar_map(b, d, n, a);
		}
	}
}

/* -- INTx -- */

static void intx_update(struct pci_bus *b, struct pci_dev *d)
{
	unsigned f = d->devfn;
	unsigned pin = d->config[PCI_INTERRUPT_PIN];
	int level = d->irq_level && !(cfg16(d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	/* pci.h's wiring with pin A = 0: (slot + (pin - 1) - 1) & 3 */
	int pirq = pin >= 1 && pin <= 4 ? (int)((PCI_SLOT(f) + pin + 2) & 3) : -1;
	if (pirq < 0)
		level = 0;
	if (b->out[f]) {
		int old = b->out_pirq[f];
		if (level && old == pirq)
			return;
		b->out[f] = 0;
		if (--b->pirq_count[old] == 0)
			irq_set(&b->pirq[old], 0);
	}
	if (level) {
		b->out[f] = 1;
		b->out_pirq[f] = (int8_t)pirq;
		if (b->pirq_count[pirq]++ == 0)
			irq_set(&b->pirq[pirq], 1);
	}
}

void pci_set_irq(struct pci_dev *d, int level)
{
	d->irq_level = !!level;
	if (level)
		d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	if (d->bus)
		intx_update(d->bus, d);
}

struct irq_line *pci_pirq(struct pci_bus *b, int n)
{
	return &b->pirq[n & 3];
}

/* -- configuration access -- */

struct pci_dev *pci_find(struct pci_bus *b, unsigned devfn)
{
	return devfn < 256 ? b->dev[devfn] : NULL;
}

uint32_t pci_config_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return 0xffffffffu;
	uint32_t ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	struct pci_dev *d = pci_find(b, devfn);
	if (!d || off >= 256)
		return ones;
	if ((off & (size - 1)) || off + size > 256) {
		uint32_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= pci_config_read(b, devfn, (off + i) & 0xff, 1) << (8 * i);
		return v;
	}
	if (d->config_read)
		return d->config_read(d, off, size) & ones;
	return ld_le(d->config + off, size);
}

static bool overlaps(unsigned off, unsigned size, unsigned lo, unsigned hi)
{
	return off < hi && off + size > lo;
}

void pci_config_write(struct pci_bus *b, unsigned devfn, unsigned off, uint32_t v, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return;
	struct pci_dev *d = pci_find(b, devfn);
	if (!d || off >= 256)
		return;
	if ((off & (size - 1)) || off + size > 256) {
		for (unsigned i = 0; i < size && off + i < 256; i++)
			pci_config_write(b, devfn, off + i, (v >> (8 * i)) & 0xff, 1);
		return;
	}
	uint32_t old = ld_le(d->config + off, size);
	for (unsigned i = 0; i < size; i++) {
		uint8_t byte = (uint8_t)(v >> (8 * i));
		uint8_t *c = &d->config[off + i];
		*c = (uint8_t)((*c & ~d->wmask[off + i]) | (byte & d->wmask[off + i]));
		*c &= (uint8_t)~(byte & d->w1cmask[off + i]);
	}
	if (overlaps(off, size, PCI_COMMAND, PCI_COMMAND + 2))
		intx_update(b, d);
	if (overlaps(off, size, PCI_COMMAND, PCI_COMMAND + 2) ||
	    overlaps(off, size, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_0 + 24) ||
	    overlaps(off, size, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS + 4))
		update_mappings(b);
	if (d->config_write)
		d->config_write(d, off, size, old);
}

/* -- the ports -- */

static uint64_t addr_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	if (off == 0 && size == 4)
		return b->addr;
	if (off == 1 && size == 1 && b->cf9_read)
		return b->cf9_read(b->cf9_opaque);
	return ~0ull >> (64 - 8 * size);
}

static void addr_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pci_bus *b = opaque;
	if (off == 0 && size == 4)
		b->addr = (uint32_t)v & ADDR_MASK;
	else if (off == 1 && size == 1 && b->cf9_write)
		b->cf9_write(b->cf9_opaque, (uint8_t)v);
	/* other narrow accesses are not config cycles: nothing decodes them */
}

/* the function and register the address register selects, or false */
static bool data_target(const struct pci_bus *b, uint64_t off, unsigned *devfn, unsigned *reg)
{
	if (!(b->addr & ADDR_ENABLE) || ((b->addr >> 16) & 0xff) != 0)
		return false;	/* no bridges: every other bus is empty */
	*devfn = (b->addr >> 8) & 0xff;
	*reg = (b->addr & 0xfc) + (unsigned)off;
	return true;
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned devfn, reg;
	if (!data_target(b, off, &devfn, &reg))
		return ~0ull >> (64 - 8 * size);
	return pci_config_read(b, devfn, reg, size);
}

static void data_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned devfn, reg;
	if (data_target(b, off, &devfn, &reg))
		pci_config_write(b, devfn, reg, (uint32_t)v, size);
}

static const struct bus_ops addr_ops = { addr_read, addr_write, 1, 4 };
static const struct bus_ops data_ops = { data_read, data_write, 1, 4 };

void pci_bus_set_cf9(struct pci_bus *b, uint8_t (*read)(void *opaque),
		     void (*write)(void *opaque, uint8_t v), void *opaque)
{
	b->cf9_read = read;
	b->cf9_write = write;
	b->cf9_opaque = opaque;
}

/* -- the bus -- */

struct pci_bus *pci_bus_new(struct bus *io, struct bus *mmio, struct physmap *pm)
{
	struct pci_bus *b = calloc(1, sizeof(*b));
	if (!b) {
		log_error("pci: out of memory");
		return NULL;
	}
	b->io = io;
	b->mmio = mmio;
	b->pm = pm;
	if (bus_register(io, PORT_ADDR, 4, &addr_ops, b, "pci-addr") ||
	    bus_register(io, PORT_DATA, 4, &data_ops, b, "pci-data")) {
		bus_unregister(io, PORT_ADDR);
		free(b);
		return NULL;
	}
	return b;
}

void pci_bus_free(struct pci_bus *b)
{
	if (!b)
		return;
	/* the buses and the physical map may be gone already (they are torn
	 * down with the board): only what the bus itself owns is freed */
	for (int f = 0; f < 256; f++) {
		struct pci_dev *d = b->dev[f];
		if (d && d->bar[PCI_ROM_SLOT].kind == PCI_BAR_ROM && d->bar[PCI_ROM_SLOT].host) {
			munmap(d->bar[PCI_ROM_SLOT].host, d->bar[PCI_ROM_SLOT].size);
			d->bar[PCI_ROM_SLOT].host = NULL;
		}
	}
	free(b);
}

int pci_register(struct pci_bus *b, struct pci_dev *d, unsigned devfn, const char *name)
{
	if (devfn >= 256 || b->dev[devfn]) {
		log_error("pci: %s: slot %02x.%x is %s", name, PCI_SLOT(devfn) & 0x1f, PCI_FUNC(devfn),
			  devfn >= 256 ? "out of range" : "taken");
		return -1;
	}
	d->bus = b;
	d->devfn = devfn;
	d->name = name;
	d->irq_level = 0;
	for (int n = 0; n < PCI_NUM_BARS; n++)
		d->bar[n].mapped = PCI_BAR_UNMAPPED;
	bars_to_config(d);
	b->dev[devfn] = d;
	/* function 0 of a slot with more than one function says so */
	unsigned f0 = devfn & ~7u;
	for (unsigned f = f0 + 1; f < f0 + 8 && b->dev[f0]; f++) {
		if (b->dev[f]) {
			b->dev[f0]->config[PCI_HEADER_TYPE] |= PCI_HEADER_MULTI;
			b->dev[f0]->reset_config[PCI_HEADER_TYPE] |= PCI_HEADER_MULTI;
			break;
		}
	}
	memcpy(d->reset_config, d->config, sizeof(d->config));
	return 0;
}

void pci_bus_reset(struct pci_bus *b)
{
	b->addr = 0;
	for (int f = 0; f < 256; f++) {
		struct pci_dev *d = b->dev[f];
		if (!d)
			continue;
		for (int n = 0; n < PCI_NUM_BARS; n++)
			bar_unmap(b, d, n);
		memcpy(d->config, d->reset_config, sizeof(d->config));
		if (d->irq_level)
			d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
		intx_update(b, d);
	}
}

static void bus_dev_reset(void *opaque)
{
	pci_bus_reset(opaque);
}

static void bus_dev_save(void *opaque, struct snap *s)
{
	struct pci_bus *b = opaque;
	snap_section_put(s, "pci", 1);
	SNAP_PUT(s, b->addr);
	for (int f = 0; f < 256; f++) {
		uint8_t present = b->dev[f] != NULL;
		SNAP_PUT(s, present);
		if (present)
			snap_put(s, b->dev[f]->config, 256);
	}
}

static int bus_dev_load(void *opaque, struct snap *s)
{
	struct pci_bus *b = opaque;
	snap_section_get(s, "pci", 1);
	uint32_t addr = 0;
	SNAP_GET(s, addr);
	uint8_t cfg[256];
	for (int f = 0; f < 256 && !s->error; f++) {
		uint8_t present = 0;
		SNAP_GET(s, present);
		if (present != (b->dev[f] != NULL))
			return -1;	/* saved from another board */
		if (!present)
			continue;
		snap_get(s, cfg, sizeof(cfg));
		if (!s->error)
			memcpy(b->dev[f]->config, cfg, sizeof(cfg));
	}
	if (s->error)
		return -1;
	b->addr = addr & ADDR_MASK;
	update_mappings(b);
	for (int f = 0; f < 256; f++)
		if (b->dev[f])
			intx_update(b, b->dev[f]);
	return 0;
}

void pci_bus_device(struct pci_bus *b, struct device *dev)
{
	*dev = (struct device){ "pci", b, bus_dev_reset, bus_dev_save, bus_dev_load };
}
