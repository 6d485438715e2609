/* The two cascaded Intel 8259A PICs of the PC (ports 0x20-0x21, 0xa0-0xa1)
 * and the ELCR pair (0x4d0-0x4d1). Inputs 0-15 are irq lines; the output is
 * INTR, an irq line the board wires to the boot CPU's LAPIC LINT0. */
#ifndef HW_PIC8259_H
#define HW_PIC8259_H

#include <stdint.h>
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/device.h"

struct pic8259;

struct pic8259 *pic_new(struct bus *io, struct device *dev);
void pic_free(struct pic8259 *p);
/* input IRQ n (0-15) at level; use as an irq_handler_fn with opaque = pic */
void pic_set_irq(void *opaque, int n, int level);
/* the INTR output (connect it before reset) */
struct irq_line *pic_intr(struct pic8259 *p);
/* INTA cycle: the vector the CPU gets (spurious 7/15 when nothing is left) */
uint8_t pic_ack(struct pic8259 *p);

/* a read-only look at both chips (the monitor's info pic), with the board
 * lock held: chip 0 the master, 1 the slave */
struct pic_info {
	struct {
		uint8_t irr, imr, isr, elcr;
		uint8_t base;		/* ICW2: vector of IR0 */
		uint8_t top;		/* the IR with highest priority */
		uint8_t read_isr;	/* OCW3 RIS */
		uint8_t sfnm;		/* special fully nested mode */
		uint8_t in;		/* input levels as last driven */
	} chip[2];
};
void pic_get_info(const struct pic8259 *p, struct pic_info *out);

#endif
