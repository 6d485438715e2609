/* The HPET (IA-PC HPET 1.0a) at 0xfed00000 as QEMU's i440FX board has it:
 * 1 KiB of MMIO taking 32- and 64-bit accesses; vendor 0x8086, revision 1,
 * 3 timers, a 64-bit main counter at 100 MHz (period 10 ns), legacy
 * replacement capable; every timer periodic-capable and 64-bit capable, with
 * INT_ROUTE_CAP 0x00000004 (GSI 2 only, QEMU's choice for pc-piix); no FSB
 * delivery. The counter is computed from the virtual clock, not ticked.
 *
 * Outputs are GSI lines (hpet_irq): in legacy replacement mode timer 0
 * drives GSI 0 and timer 1 GSI 8; otherwise a timer drives the GSI of its
 * INT_ROUTE. The HPET also sits between the PIT's and the RTC's outputs and
 * their inputs (hpet_legacy_in): outside legacy mode it passes them to
 * GSI 0 and GSI 8, in legacy mode it cuts them off, as the chipset does.
 * So the board wires: PIT OUT0 and RTC IRQ into hpet_legacy_in, and
 * GSI 0, 2 and 8 of the HPET where the PIT's and the RTC's lines used to go
 * (GSI 0: PIC IRQ 0 and IOAPIC pin 2; GSI 2: IOAPIC pin 2; GSI 8: PIC
 * IRQ 8 and IOAPIC pin 8). */
#ifndef HW_HPET_H
#define HW_HPET_H

#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/device.h"

#define HPET_BASE 0xfed00000u
#define HPET_LEN 0x400u
#define HPET_TIMERS 3
#define HPET_PERIOD_NS 10
#define HPET_GSIS 24		/* GSI outputs 0..23 (only 0, 2 and 8 ever move) */
#define HPET_ROUTE_CAP 0x00000004u

/* the n argument of hpet_legacy_in */
enum hpet_legacy_input { HPET_IN_PIT, HPET_IN_RTC };

struct hpet;

struct hpet *hpet_new(struct bus *mmio, struct vclock *clk, struct device *dev);
void hpet_free(struct hpet *h);
/* the output line for GSI gsi (0 <= gsi < HPET_GSIS) */
struct irq_line *hpet_irq(struct hpet *h, int gsi);
/* irq_handler_fn: opaque is the hpet, n an enum hpet_legacy_input */
void hpet_legacy_in(void *opaque, int n, int level);
/* legacy replacement mode (LEG_RT_CNF) is on */
int hpet_legacy(const struct hpet *h);

#endif
