/* Test guest: terminal input reaches COM1 and wakes a halted CPU through
 * the UART's receive interrupt, IRQ 4 and the PIC. Waits for the line
 * "ping" and answers "pong"; a guest that never gets it waits forever
 * (the Ctrl-A X test relies on that). */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define COM1 0x3f8

static volatile char line[64];
static volatile unsigned len;
static volatile bool done;

static void on_irq4(struct frame *f)
{
	(void)f;
	/* drain the FIFO: LSR data ready */
	while (inb(COM1 + 5) & 1) {
		char ch = (char)inb(COM1);
		if (ch == '\r' || ch == '\n') {
			if (len)
				done = true;
		} else if (len < sizeof(line) - 1 && !done) {
			line[len++] = ch;
		}
	}
	pic_eoi(4);
}

int guest_main(void)
{
	idt_init();
	idt_set_handler(0x24, on_irq4);
	pic_init(0xef, 0xff);		/* IRQ 4 only */
	outb(COM1 + 2, 0x07);		/* FIFO on, cleared, trigger level 1 */
	outb(COM1 + 4, 0x0b);		/* DTR, RTS, OUT2: the IRQ reaches the PIC */
	outb(COM1 + 1, 0x01);		/* interrupt on received data */
	gprintf("console: type ping\n");
	while (!done)
		sti_hlt();
	cli();
	line[len] = 0;
	if (len != 4 || line[0] != 'p' || line[1] != 'i' || line[2] != 'n' || line[3] != 'g')
		fail("got line of %u bytes, want \"ping\"", len);
	gprintf("pong\n");
	return EXIT_PASS;
}
