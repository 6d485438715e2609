/* The i8042 keyboard controller (ports 0x60, 0x64) with a PS/2 keyboard and
 * mouse behind it: the command byte, self test, interface tests, output port
 * (A20, reset via command 0xFE), the keyboard's reset/ID/LED/scan-set
 * commands, the mouse's stream and remote modes with the IntelliMouse wheel,
 * IRQ 1 and IRQ 12. What Linux's i8042, atkbd and psmouse drivers probe. */
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

/* mouse buttons, as the bits of a PS/2 packet's first (and, for 4 and 5,
 * fourth) byte */
#define I8042_BTN_LEFT 0x01
#define I8042_BTN_RIGHT 0x02
#define I8042_BTN_MIDDLE 0x04
#define I8042_BTN_SIDE 0x08	/* button 4: reported with ID 4 only */
#define I8042_BTN_EXTRA 0x10	/* button 5: reported with ID 4 only */
/* the host mouse moved by (dx, dy) counts, x to the right, y DOWN (the
 * screen's direction; the mouse reports y up), turned its wheel by dz
 * detents (positive towards the user, i.e. scrolling down), and now holds
 * buttons. In stream mode with reporting on this queues packets (with the
 * wheel once the guest knocked with sample rates 200, 100, 80 and read ID
 * 3); otherwise motion is dropped, or kept for a remote-mode read. */
void i8042_mouse_event(struct i8042 *k, int dx, int dy, int dz, unsigned buttons);

#endif
