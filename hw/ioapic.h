/* The 82093AA I/O APIC at 0xfec00000: 24 redirection entries, edge and
 * level (remote IRR, EOI from the LAPICs), masks; it sends interrupt messages
 * on the APIC bus (lapic.h). Inputs are irq lines; ISA IRQ 0 goes to pin 2
 * as the MP table / ACPI MADT interrupt override says. */
#ifndef HW_IOAPIC_H
#define HW_IOAPIC_H

#include <stdint.h>
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/device.h"

#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_PINS 24

struct ioapic;
struct apic_bus;

struct ioapic *ioapic_new(struct bus *mmio, struct apic_bus *ab, struct device *dev);
void ioapic_free(struct ioapic *io);
void ioapic_set_irq(void *opaque, int pin, int level);	/* irq_handler_fn */
/* a LAPIC signalled EOI for vector: clear remote IRR of level entries */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* a read-only look at the chip (the monitor's info irq), with the board
 * lock held */
struct ioapic_info {
	uint32_t id;			/* IOAPICID as read */
	uint8_t regsel;			/* IOREGSEL */
	uint32_t lines;			/* input levels, bit per pin */
	uint64_t rte[IOAPIC_PINS];	/* the redirection entries */
};
void ioapic_get_info(const struct ioapic *io, struct ioapic_info *out);

#endif
