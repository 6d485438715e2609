/* The small fixed-function ports of a PC board:
 * port 0x80 (POST code: written value kept, reads return it),
 * port 0x92 (system control port A: bit 1 A20, bit 0 fast reset),
 * port 0xf0 (the chipset's FERR# latch: the CPU's FERR# raises the FERR
 * line, which the board wires to IRQ 13; any write to port 0xf0, "clear
 * FERR#/IGNNE#", lowers it; reads are not decoded),
 * isa-debug-exit (QEMU's convention: writing v to the port exits with
 * status (v << 1) | 1; default iobase 0xf4, size 1..4),
 * debugcon (bytes written go to a chardev; reads return 0xe9, as Bochs's
 * port e9 hack; default iobase 0xe9). */
#ifndef HW_SYSPORTS_H
#define HW_SYSPORTS_H

#include <stdint.h>
#include <stddef.h>
#include "hw/bus.h"
#include "hw/device.h"
#include "hw/irq.h"

struct sysports_host {
	void (*reset)(void *opaque);		/* port 0x92 bit 0 rising */
	void (*set_a20)(void *opaque, int on);
	void (*exit)(void *opaque, int status);	/* isa-debug-exit */
	void *opaque;
};

struct sysports;

/* ports 0x80, 0x92 and 0xf0 */
struct sysports *sysports_new(struct bus *io, const struct sysports_host *host, struct device *dev);
void sysports_free(struct sysports *s);
int sysports_a20(struct sysports *s);
/* every byte written to port 0x80 is also told to fn (a POST-code logger,
 * hw/testdev.h); fn NULL: nobody */
void sysports_set_post_listener(struct sysports *s, void (*fn)(void *opaque, uint8_t value),
				void *opaque);
/* the FERR latch's output (to IRQ 13; connect it before use) */
struct irq_line *sysports_ferr_irq(struct sysports *s);
/* the CPU asserted FERR#: the line goes up until port 0xf0 is written */
void sysports_ferr(struct sysports *s);

/* isa-debug-exit at iobase, width bytes wide (1, 2 or 4); host is copied */
int debugexit_add(struct bus *io, uint16_t iobase, unsigned width, const struct sysports_host *host);

struct debugcon_chr {
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	void *opaque;
};
/* -debugcon / isa-debugcon: the struct is kept by the bus, so it must live
 * as long as the board */
int debugcon_add(struct bus *io, uint16_t iobase, const struct debugcon_chr *chr);

#endif
