/* The 82093AA I/O APIC: 24 redirection entries sending messages on the APIC bus. */
// SPDX-License-Identifier: MIT
#include "hw/ioapic.h"

#include <stdlib.h>
#include <string.h>
#include "hw/lapic.h"	/* apic_bus_deliver */
#include "hw/log.h"

#define IOAPIC_MMIO_SIZE 0x1000
#define IOAPIC_VERSION 0x11

enum ioapic_mmio {
	IOREGSEL = 0x00,
	IOWIN = 0x10,
};

enum ioapic_index {
	IOAPICID = 0x00,
	IOAPICVER = 0x01,
	IOAPICARB = 0x02,
	IOREDTBL = 0x10,	/* entry n: low dword at 0x10 + 2n, high at 0x11 + 2n */
};

/* redirection entry bits */
#define RTE_VECTOR 0xffull
#define RTE_DELMODE_SHIFT 8
#define RTE_DELMODE (7ull << RTE_DELMODE_SHIFT)
#define RTE_DESTMODE (1ull << 11)
#define RTE_DELIVS (1ull << 12)
#define RTE_POLARITY (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASK (1ull << 16)
#define RTE_DEST_SHIFT 56
/* what a guest write may change; delivery status and remote IRR are the
 * chip's, bits 17-55 are reserved and read 0 */
#define RTE_WRITABLE (RTE_VECTOR | RTE_DELMODE | RTE_DESTMODE | RTE_POLARITY | \
		      RTE_LEVEL | RTE_MASK | (0xffull << RTE_DEST_SHIFT))

#define ID_MASK 0x0f000000u

enum delivery_mode {
	DM_FIXED = 0,
	DM_LOWEST = 1,
};

struct ioapic {
	struct apic_bus *ab;
	uint8_t regsel;
	uint32_t id;		/* IOAPICID as read: bits 27:24 */
	uint32_t arb;		/* IOAPICARB: loaded from the ID when the ID is written */
	uint32_t lines;		/* input levels, bit per pin */
	uint64_t rte[IOAPIC_PINS];
};

/* Sends pin's interrupt if its entry lets it. Delivery is instant, so the
 * delivery status bit never reads as send pending. */
static void ioapic_deliver(struct ioapic *io, int pin)
{
	uint64_t e = io->rte[pin];
	int dm = (int)((e & RTE_DELMODE) >> RTE_DELMODE_SHIFT);
	int level = !!(e & RTE_LEVEL);

	if (e & RTE_MASK)
		return;
	if (level) {
		if (e & RTE_REMOTE_IRR)
			return;
		/* only fixed and lowest-priority interrupts are EOId by a LAPIC;
		 * remote IRR on an NMI or ExtINT entry would never clear */
		if (dm == DM_FIXED || dm == DM_LOWEST)
			io->rte[pin] |= RTE_REMOTE_IRR;
	}
	if (io->ab)
		apic_bus_deliver(io->ab, (uint32_t)(e >> RTE_DEST_SHIFT),
				 !!(e & RTE_DESTMODE), dm, (uint8_t)(e & RTE_VECTOR),
				 level, 0, -1);
}

/* a level entry whose line is high sends again once it may */
static void ioapic_service_level(struct ioapic *io, int pin)
{
	if ((io->rte[pin] & RTE_LEVEL) && (io->lines & (1u << pin)))
		ioapic_deliver(io, pin);
}

void ioapic_set_irq(void *opaque, int pin, int level)
{
	struct ioapic *io = opaque;
	uint32_t bit;
	int was;

	if (pin < 0 || pin >= IOAPIC_PINS)
		return;
	bit = 1u << pin;
	was = !!(io->lines & bit);
	/* The level is the logical "asserted" state: the board's lines are
	 * active high whatever the polarity bit says (PCI INTx are inverted on
	 * the wire, not in this model), as in every PC emulator. */
	if (level)
		io->lines |= bit;
	else
		io->lines &= ~bit;
	if (!level)
		return;
	if (io->rte[pin] & RTE_LEVEL)
		ioapic_deliver(io, pin);
	else if (!was)
		/* an edge arriving while masked is dropped, not held (82093AA
		 * datasheet, mask bit) */
		ioapic_deliver(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (int pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		if (!(e & RTE_LEVEL) || !(e & RTE_REMOTE_IRR) || (e & RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		ioapic_service_level(io, pin);
	}
}

void ioapic_get_info(const struct ioapic *io, struct ioapic_info *out)
{
	out->id = io->id;
	out->regsel = io->regsel;
	out->lines = io->lines;
	memcpy(out->rte, io->rte, sizeof(out->rte));
}

static uint32_t ioapic_reg_read(struct ioapic *io, uint8_t index)
{
	switch (index) {
	case IOAPICID:
		return io->id;
	case IOAPICVER:
		return ((uint32_t)(IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
	case IOAPICARB:
		return io->arb;
	}
	if (index >= IOREDTBL && index < IOREDTBL + 2 * IOAPIC_PINS) {
		uint64_t e = io->rte[(index - IOREDTBL) / 2];
		return (index & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0;
}

static void ioapic_reg_write(struct ioapic *io, uint8_t index, uint32_t v)
{
	if (index == IOAPICID) {
		io->id = v & ID_MASK;
		io->arb = io->id;
		return;
	}
	if (index == IOAPICVER || index == IOAPICARB)
		return;		/* read only */
	if (index < IOREDTBL || index >= IOREDTBL + 2 * IOAPIC_PINS) {
		log_once("ioapic: write to reserved register index 0x%02x", index);
		return;
	}
	int pin = (index - IOREDTBL) / 2;
	uint64_t e = io->rte[pin];
	uint64_t nv = (index & 1) ? ((uint64_t)v << 32) | (e & 0xffffffffull)
				  : (e & ~0xffffffffull) | v;
	e = (e & ~RTE_WRITABLE) | (nv & RTE_WRITABLE);
	/* An edge-triggered entry has no remote IRR. Linux relies on this to
	 * EOI a level interrupt on IOAPICs older than version 0x20, which lack
	 * the EOI register: it flips the entry to edge and back. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* unmasking a level entry whose line is asserted sends it now */
	ioapic_service_level(io, pin);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct ioapic *io = opaque;
	if (size != 4)
		return 0;
	switch (offset) {
	case IOREGSEL:
		return io->regsel;
	case IOWIN:
		return ioapic_reg_read(io, io->regsel);
	}
	return 0;
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct ioapic *io = opaque;
	if (size != 4) {
		log_once("ioapic: %u-byte access ignored (only 32-bit is defined)", size);
		return;
	}
	switch (offset) {
	case IOREGSEL:
		io->regsel = (uint8_t)value;
		break;
	case IOWIN:
		ioapic_reg_write(io, io->regsel, (uint32_t)value);
		break;
	}
}

/* 1..8 so the handlers see every width and can ignore all but 32-bit */
static const struct bus_ops ioapic_ops = {
	.read = ioapic_mmio_read, .write = ioapic_mmio_write, .min_size = 1, .max_size = 8,
};

static void ioapic_reset(void *opaque)
{
	struct ioapic *io = opaque;
	io->regsel = 0;
	io->id = 0;
	io->arb = 0;
	for (int i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASK;
	/* lines are inputs driven by other devices: they keep their level */
}

static void ioapic_save(void *opaque, struct snap *s)
{
	struct ioapic *io = opaque;
	snap_section_put(s, "ioapic", 1);
	SNAP_PUT(s, io->regsel);
	SNAP_PUT(s, io->id);
	SNAP_PUT(s, io->arb);
	SNAP_PUT(s, io->lines);
	for (int i = 0; i < IOAPIC_PINS; i++)
		SNAP_PUT(s, io->rte[i]);
}

static int ioapic_load(void *opaque, struct snap *s)
{
	struct ioapic *io = opaque;
	struct ioapic t = *io;
	snap_section_get(s, "ioapic", 1);
	SNAP_GET(s, t.regsel);
	SNAP_GET(s, t.id);
	SNAP_GET(s, t.arb);
	SNAP_GET(s, t.lines);
	for (int i = 0; i < IOAPIC_PINS; i++)
		SNAP_GET(s, t.rte[i]);
	if (s->error)
		return -1;
	t.id &= ID_MASK;
	t.arb &= ID_MASK;
	t.lines &= (1u << IOAPIC_PINS) - 1;
	for (int i = 0; i < IOAPIC_PINS; i++)
		t.rte[i] &= RTE_WRITABLE | RTE_REMOTE_IRR;
	/* nothing is sent: whatever was deliverable was sent before the save */
	*io = t;
	return 0;
}

struct ioapic *ioapic_new(struct bus *mmio, struct apic_bus *ab, struct device *dev)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	if (!io)
		return NULL;
	io->ab = ab;
	if (ab && !ab->ioapic)
		ab->ioapic = io;	/* LAPICs broadcast EOIs here */
	ioapic_reset(io);
	if (bus_register(mmio, IOAPIC_BASE, IOAPIC_MMIO_SIZE, &ioapic_ops, io, "ioapic")) {
		ioapic_free(io);
		return NULL;
	}
	if (dev) {
		dev->name = "ioapic";
		dev->opaque = io;
		dev->reset = ioapic_reset;
		dev->save = ioapic_save;
		dev->load = ioapic_load;
	}
	return io;
}

void ioapic_free(struct ioapic *io)
{
	if (!io)
		return;
	if (io->ab && io->ab->ioapic == io)
		io->ab->ioapic = NULL;
	free(io);
}
