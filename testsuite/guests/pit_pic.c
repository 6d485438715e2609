/* Test guest: 8259 PIC pair and 8254 PIT channel 0 delivering IRQ0 at ~1 kHz. */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define DIVISOR 1193		/* ~1000 Hz */
#define WANT_TICKS 50

static volatile uint32_t ticks;
static volatile uint32_t spurious;
static volatile uint8_t isr_in_handler, isr_after_eoi;

static void on_irq0(struct frame *f)
{
	(void)f;
	if (ticks == 0) {
		isr_in_handler = pic_read_isr(0);
		pic_eoi(0);
		isr_after_eoi = pic_read_isr(0);
	} else {
		pic_eoi(0);
	}
	ticks++;
}

/* IRQ7 with its ISR bit clear is the 8259's spurious interrupt: no EOI. */
static void on_irq7(struct frame *f)
{
	if (pic_read_isr(0) & 0x80)
		fail("IRQ7 delivered as a real interrupt at eip 0x%x; nothing drives it", f->eip);
	spurious++;
}

/* The counter, read through latch commands, must stay in 1..DIVISOR and count down. */
static void check_latch(void)
{
	uint32_t downs = 0, same = 0;
	uint16_t prev = pit_latch_read();
	for (int i = 0; i < 100000 && downs < 20; i++) {
		uint16_t now = pit_latch_read();
		if (now == 0 || now > DIVISOR)
			fail("PIT latched count 0x%x outside 1..%u for mode 2", now, DIVISOR);
		if (now < prev)
			downs++;
		else if (now == prev)
			same++;
		prev = now;
	}
	if (downs < 20)
		fail("PIT count did not decrement: %u decrements, %u repeats in 100000 latched reads",
		     downs, same);
	gprintf("pit latch ok: %u decrements seen\n", downs);
}

/* Read-back command: status byte of channel 0 echoes the mode we programmed. */
static void check_readback(void)
{
	outb(0x43, 0xe2);	/* read-back, latch status only, channel 0 */
	uint8_t status = inb(0x40);
	expect_eq("PIT read-back status bits 5:0 (access lo/hi, mode 2, binary)", status & 0x3f, 0x34);
}

int guest_main(void)
{
	gprintf("pit_pic: start\n");
	idt_init();
	idt_set_handler(0x20, on_irq0);
	idt_set_handler(0x27, on_irq7);
	pic_init(0xff, 0xff);

	pit_start(DIVISOR);
	check_readback();
	check_latch();

	/* Interrupts off, IRQ0 unmasked: the request must show in IRR, not ISR. */
	outb(0x21, 0xfe);
	pit_wait_periods(2);
	uint8_t irr = pic_read_irr(0);
	if (!(irr & 0x01))
		fail("master IRR bit 0 clear (IRR 0x%x) after two PIT periods with IF=0", irr);
	expect_eq("master ISR with nothing acknowledged", pic_read_isr(0), 0x00);
	expect_eq("slave ISR with nothing acknowledged", pic_read_isr(1), 0x00);
	gprintf("pic irr ok: 0x%x\n", irr);

	/* Masked in IMR: the PIT keeps requesting, nothing is delivered. */
	outb(0x21, 0xff);
	sti();
	pit_wait_periods(5);
	cli();
	expect_eq("IRQ0 delivered while masked in IMR", ticks, 0);

	/* Unmasked: count WANT_TICKS interrupts, halting between them. */
	outb(0x21, 0xfe);
	while (ticks < WANT_TICKS)
		sti_hlt();
	cli();
	uint32_t seen = ticks;
	gprintf("pit_pic: %u ticks, %u spurious\n", seen, spurious);
	if (!(isr_in_handler & 0x01))
		fail("master ISR bit 0 clear inside the IRQ0 handler (ISR 0x%x)", isr_in_handler);
	if (isr_after_eoi & 0x01)
		fail("master ISR bit 0 still set after EOI (ISR 0x%x)", isr_after_eoi);

	/* With IF=0 the count must hold still even as the PIT runs on. */
	pit_wait_periods(3);
	expect_eq("IRQ0 delivered with IF=0", ticks, seen);

	outb(0x21, 0xff);
	gprintf("pit ticks ok\n");
	return EXIT_PASS;
}
