/* The PIIX3 ISA bridge: PIRQ routing to ISA IRQs and the reset control port. */
// SPDX-License-Identifier: MIT
#include "hw/piix3.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

#define ROUTE_DISABLE 0x80
#define RCR_SRST 0x02			/* kept: the kind of reset (hard/soft) */
#define RCR_RCPU 0x04			/* reset now */

struct piix3 {
	struct pci_dev pci;
	struct pci_bus *bus;
	uint8_t pirq_level;		/* bit n: PIRQn is up */
	uint8_t rcr;
	struct irq_line isa[16];
	void (*reset)(void *opaque);
	void *reset_opaque;
};

/* the PIIX3's reset values (datasheet, as QEMU has them) */
static const struct { uint8_t off, val; } reset_regs[] = {
	{ 0x4c, 0x4d }, { 0x4e, 0x03 }, { 0x4f, 0x00 },
	{ 0x60, 0x80 }, { 0x61, 0x80 }, { 0x62, 0x80 }, { 0x63, 0x80 },
	{ 0x69, 0x02 }, { 0x70, 0x80 }, { 0x76, 0x0c }, { 0x77, 0x0c },
	{ 0x78, 0x02 }, { 0xa0, 0x08 }, { 0xa8, 0x0f },
};

/* each ISA IRQ: up when any PIRQ routed to it is */
static void route_update(struct piix3 *p)
{
	uint16_t up = 0;
	for (int n = 0; n < 4; n++) {
		uint8_t r = p->pci.config[PIIX3_PIRQ_ROUTE + n];
		if (!(r & ROUTE_DISABLE) && (p->pirq_level & (1u << n)))
			up |= (uint16_t)(1u << (r & 0xf));
	}
	for (int i = 0; i < 16; i++)
		irq_set(&p->isa[i], (up >> i) & 1);
}

static void pirq_handler(void *opaque, int n, int level)
{
	struct piix3 *p = opaque;
	if (level)
		p->pirq_level |= (uint8_t)(1u << n);
	else
		p->pirq_level &= (uint8_t)~(1u << n);
	route_update(p);
}

static void piix3_config_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	(void)old;
	if (off < PIIX3_PIRQ_ROUTE + 4 && off + size > PIIX3_PIRQ_ROUTE) {
		for (int n = 0; n < 4; n++) {
			uint8_t r = d->config[PIIX3_PIRQ_ROUTE + n];
			unsigned irq = r & 0xf;
			/* IRQ 0, 1, 2, 8 and 13 are reserved routes on the PIIX3 */
			if (!(r & ROUTE_DISABLE) && (irq <= 2 || irq == 8 || irq == 13))
				log_once("piix3: PIRQ%c routed to reserved IRQ %u", 'A' + n, irq);
		}
		route_update(d->opaque);
	}
}

static uint8_t rcr_read(void *opaque)
{
	return ((struct piix3 *)opaque)->rcr;
}

static void rcr_write(void *opaque, uint8_t v)
{
	struct piix3 *p = opaque;
	if ((v & RCR_RCPU) && p->reset) {
		p->reset(p->reset_opaque);
		return;
	}
	p->rcr = v & RCR_SRST;
}

static void piix3_reset(void *opaque)
{
	struct piix3 *p = opaque;
	p->rcr = 0;
	route_update(p);
}

static void piix3_save(void *opaque, struct snap *s)
{
	struct piix3 *p = opaque;
	snap_section_put(s, "piix3", 1);
	SNAP_PUT(s, p->rcr);
}

static int piix3_load(void *opaque, struct snap *s)
{
	struct piix3 *p = opaque;
	snap_section_get(s, "piix3", 1);
	SNAP_GET(s, p->rcr);
	if (s->error)
		return -1;
	route_update(p);
	return 0;
}

struct piix3 *piix3_new(struct pci_bus *bus, void (*reset)(void *opaque), void *opaque,
			struct device *dev)
{
	struct piix3 *p = calloc(1, sizeof(*p));
	if (!p) {
		log_error("piix3: out of memory");
		return NULL;
	}
	p->bus = bus;
	p->reset = reset;
	p->reset_opaque = opaque;
	struct pci_dev *d = &p->pci;
	pci_config_init(d, 0x8086, 0x7000, 0x00, 0x060100, 0x80);
	d->config[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	d->config[PCI_STATUS + 1] = 0x02;	/* DEVSEL medium */
	for (size_t i = 0; i < sizeof(reset_regs) / sizeof(reset_regs[0]); i++)
		d->config[reset_regs[i].off] = reset_regs[i].val;
	d->config_write = piix3_config_write;
	d->opaque = p;
	if (pci_register(bus, d, PIIX3_DEVFN, "piix3") < 0) {
		free(p);
		return NULL;
	}
	for (int n = 0; n < 4; n++)
		irq_connect(pci_pirq(bus, n), pirq_handler, p, n);
	pci_bus_set_cf9(bus, rcr_read, rcr_write, p);
	*dev = (struct device){ "piix3", p, piix3_reset, piix3_save, piix3_load };
	return p;
}

void piix3_free(struct piix3 *p)
{
	free(p);
}

struct irq_line *piix3_isa_irq(struct piix3 *p, int n)
{
	return &p->isa[n & 15];
}
