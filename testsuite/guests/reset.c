/* Test guest: a reset really restarts the machine and reloads the kernel.
 * CMOS RAM survives a reset, so the first boot leaves a mark there and
 * resets through the keyboard controller (or port 0x92, or a triple fault,
 * chosen by "via=" on the command line); the second boot finds the mark,
 * checks that the kernel image was reloaded, and passes. */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define CMOS_MARK 0x40	/* a byte of CMOS RAM no BIOS on this board uses */
#define MAGIC 0x5a

/* initialised data: the loader must restore it at every boot */
static volatile uint32_t image_word = 0x12345678;

static uint8_t cmos_read(uint8_t i) { outb(0x70, i); return inb(0x71); }
static void cmos_write(uint8_t i, uint8_t v) { outb(0x70, i); outb(0x71, v); }

int guest_main(void)
{
	uint8_t mark = cmos_read(CMOS_MARK);
	if (mark == MAGIC) {
		cmos_write(CMOS_MARK, 0);
		expect_eq("initialised data after reset", image_word, 0x12345678);
		gprintf("second boot: reset ok\n");
		return EXIT_PASS;
	}
	gprintf("first boot\n");
	image_word = 0;		/* the reload must undo this */
	cmos_write(CMOS_MARK, MAGIC);
	switch (cmdline_uint("via", 0)) {
	case 0:
		outb(0x64, 0xfe);	/* i8042: pulse the reset line */
		break;
	case 1:
		outb(0x92, inb(0x92) | 1);	/* system control port A */
		break;
	case 2: {
		/* triple fault: an empty IDT, then an exception */
		static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none = { 0, 0 };
		__asm__ volatile("lidt %0; int3" : : "m"(none));
		break;
	}
	}
	for (volatile int i = 0; i < 1000000; i++)
		;
	fail("still running after the reset request");
}
