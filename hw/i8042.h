/* The i8042 keyboard controller (ports 0x60, 0x64) with a PS/2 keyboard and
 * mouse behind it: the command byte, self test, interface tests, output port
 * (A20, reset via command 0xFE), the keyboard's reset/ID/LED/scan-set
 * commands, IRQ 1 and IRQ 12. What Linux's i8042 and atkbd drivers probe. */
#ifndef HW_I8042_H
#define HW_I8042_H

#include <stdint.h>
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/device.h"

struct i8042;

struct i8042_host {
	void (*reset)(void *opaque);		/* pulse on the CPU reset line */
	void (*set_a20)(void *opaque, int on);
	void *opaque;
};

struct i8042 *i8042_new(struct bus *io, const struct i8042_host *host, struct device *dev);
void i8042_free(struct i8042 *k);
struct irq_line *i8042_kbd_irq(struct i8042 *k);	/* IRQ 1 */
struct irq_line *i8042_aux_irq(struct i8042 *k);	/* IRQ 12 */
/* a scan code byte from the host keyboard (set 2 as sent by a keyboard; the
 * controller translates to set 1 when the command byte says so) */
void i8042_key(struct i8042 *k, uint8_t scancode);

#endif
