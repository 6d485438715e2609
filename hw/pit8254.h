/* The Intel 8254 PIT (ports 0x40-0x43, 1.193182 MHz) and port 0x61 (channel 2
 * gate, speaker data, channel 2 output, refresh toggle). Channel 0 drives
 * IRQ 0. Counting is computed from the virtual clock, not ticked. */
#ifndef HW_PIT8254_H
#define HW_PIT8254_H

#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/device.h"

#define PIT_HZ 1193182

struct pit8254;

struct pit8254 *pit_new(struct bus *io, struct vclock *clk, struct device *dev);
void pit_free(struct pit8254 *p);
struct irq_line *pit_irq0(struct pit8254 *p);

#endif
