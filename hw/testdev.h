/* Small devices for test kernels.
 *
 * pc-testdev, as QEMU's (-device pc-testdev), for kvm-unit-tests:
 * - ports 0xe0-0xe3 and 0xe8-0xeb: one 32-bit scratch register seen
 *   through both windows, 1-, 2- or 4-byte accesses at any byte of it;
 * - port 0xe4: a 4-byte write of a guest-physical address drops the host's
 *   mappings of that page (what QEMU's mprotect dance does): under KVM the
 *   kernel must fault it back in through its MMU notifier; the contents
 *   stay; pages outside guest RAM are left alone;
 * - ports 0x2000-0x2017: a byte write of v to 0x2000 + n sets line n to
 *   (v != 0); lines are GSIs: n < 16 the ISA IRQs (PIC input n and IOAPIC
 *   pin n, IRQ 0 at pin 2), n >= 16 IOAPIC pin n; other widths are ignored;
 * - MMIO 0xff000000-0xff00ffff: 64 KiB of plain memory behind the MMIO bus,
 *   any width.
 * A reset lowers the lines; the register and the memory stay (as QEMU's).
 *
 * portlog: every byte written to a port becomes one line "<name> 0xNN\n" on
 * a chardev. The POST code port 0x80 belongs to sysports, which forwards
 * each byte (sysports_set_post_listener + portlog_byte); for any other port
 * portlog_add registers the port itself, reads of it float (0xff). */
#ifndef HW_TESTDEV_H
#define HW_TESTDEV_H

#include <stdint.h>
#include "hw/bus.h"
#include "hw/device.h"
#include "hw/irq.h"
#include "hw/sysports.h"
#include "mmu/physmap.h"

#define TESTDEV_LINES 24
#define TESTDEV_IOMEM_BASE 0xff000000u
#define TESTDEV_IOMEM_LEN 0x10000u

struct testdev;

/* pm may be NULL: then port 0xe4 does nothing */
struct testdev *testdev_new(struct bus *io, struct bus *mmio, struct physmap *pm,
			    struct device *dev);
void testdev_free(struct testdev *t);
/* line n (0 <= n < TESTDEV_LINES), for the board to connect */
struct irq_line *testdev_irq(struct testdev *t, int n);

struct portlog;

/* name: the line prefix (e.g. "post"), kept by pointer; chr is copied */
struct portlog *portlog_new(const char *name, const struct debugcon_chr *chr);
void portlog_free(struct portlog *l);
/* log one byte (the sysports listener shape: opaque is the portlog) */
void portlog_byte(void *opaque, uint8_t value);
/* claim port on io and log the bytes written to it; 0 or -1 (taken) */
int portlog_add(struct bus *io, uint16_t port, struct portlog *l);

#endif
