/* Fuzz harness: the ISA devices of the first board (PIC pair, PIT, RTC,
 * a 16550, the i8042) with the PIC's and PIT's lines wired as on the board,
 * so interrupts and the controller's acknowledge cycle are exercised too. */
// SPDX-License-Identifier: MIT
#include "testsuite/fuzz/fuzzrig.h"

#include "hw/i8042.h"
#include "hw/pic8259.h"
#include "hw/pit8254.h"
#include "hw/rtc146818.h"
#include "hw/uart16550.h"

struct isa {
	struct pic8259 *pic;
	struct pit8254 *pit;
	struct rtc146818 *rtc;
	struct uart16550 *uart;
	struct i8042 *kbd;
};

static void isa_event(struct fuzzrig *rig, uint8_t arg)
{
	struct isa *s = rig->opaque;
	switch (arg & 3) {
	case 0: i8042_key(s->kbd, arg); break;
	case 1: uart_receive(s->uart, &arg, 1); break;
	default: (void)pic_ack(s->pic); break;	/* the CPU takes an interrupt */
	}
}

static void nop_reset(void *opaque) { (void)opaque; }
static void nop_a20(void *opaque, int on) { (void)opaque; (void)on; }

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct isa s;
	memset(&s, 0, sizeof(s));
	struct uart_chr chr = { 0 };
	struct i8042_host kh = { nop_reset, nop_a20, NULL };
	s.pic = pic_new(&rig->io, fuzz_new_dev(rig));
	s.pit = pit_new(&rig->io, &rig->clock, fuzz_new_dev(rig));
	s.rtc = rtc_new(&rig->io, &rig->clock, 1700000000, fuzz_new_dev(rig));
	s.uart = uart_new(&rig->io, 0x3f8, &rig->clock, &chr, fuzz_new_dev(rig));
	s.kbd = i8042_new(&rig->io, &kh, fuzz_new_dev(rig));
	if (!s.pic || !s.pit || !s.rtc || !s.uart || !s.kbd)
		abort();
	irq_connect(pit_irq0(s.pit), pic_set_irq, s.pic, 0);
	irq_connect(i8042_kbd_irq(s.kbd), pic_set_irq, s.pic, 1);
	irq_connect(uart_irq(s.uart), pic_set_irq, s.pic, 4);
	irq_connect(rtc_irq(s.rtc), pic_set_irq, s.pic, 8);
	irq_connect(i8042_aux_irq(s.kbd), pic_set_irq, s.pic, 12);
	fuzz_range(rig, &rig->io, 0x20, 2);
	fuzz_range(rig, &rig->io, 0xa0, 2);
	fuzz_range(rig, &rig->io, 0x4d0, 2);
	fuzz_range(rig, &rig->io, 0x40, 4);
	fuzz_range(rig, &rig->io, 0x61, 1);
	fuzz_range(rig, &rig->io, 0x70, 2);
	fuzz_range(rig, &rig->io, 0x3f8, 8);
	fuzz_range(rig, &rig->io, 0x60, 1);
	fuzz_range(rig, &rig->io, 0x64, 1);
	rig->event = isa_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct isa *s = rig->opaque;
	i8042_free(s->kbd);
	uart_free(s->uart);
	rtc_free(s->rtc);
	pit_free(s->pit);
	pic_free(s->pic);
}
