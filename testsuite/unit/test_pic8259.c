/* Unit tests for the cascaded 8259A pair and the ELCR, driven through ports. */
// SPDX-License-Identifier: MIT
#include "hw/pic8259.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct rig {
	struct bus io;
	struct pic8259 *p;
	struct device dev;
	int intr, rises;
};

static void on_intr(void *opaque, int n, int level)
{
	struct rig *r = opaque;
	(void)n;
	if (level && !r->intr)
		r->rises++;
	r->intr = level;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	r->p = pic_new(&r->io, &r->dev);
	irq_connect(pic_intr(r->p), on_intr, r, 0);
	r->dev.reset(r->dev.opaque);
}

static void rig_fini(struct rig *r)
{
	pic_free(r->p);
	bus_destroy(&r->io);
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { bus_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)bus_read(&r->io, port, 1); }
static void irq(struct rig *r, int n, int level) { pic_set_irq(r->p, n, level); }
static void pulse(struct rig *r, int n) { irq(r, n, 1); irq(r, n, 0); }

static uint8_t read_isr(struct rig *r, uint16_t cmd)
{
	outb(r, cmd, 0x0b);
	uint8_t v = inb(r, cmd);
	outb(r, cmd, 0x0a);
	return v;
}

/* the BIOS/Linux sequence: vectors 0x08 and 0x70, cascade on IR2, 8086 mode */
static void init_pc(struct rig *r, uint8_t icw4_master, uint8_t icw4_slave)
{
	outb(r, 0x20, 0x11);
	outb(r, 0x21, 0x08);
	outb(r, 0x21, 0x04);
	outb(r, 0x21, icw4_master);
	outb(r, 0xa0, 0x11);
	outb(r, 0xa1, 0x70);
	outb(r, 0xa1, 0x02);
	outb(r, 0xa1, icw4_slave);
}

static void eoi_master(struct rig *r) { outb(r, 0x20, 0x20); }
static void eoi_slave(struct rig *r) { outb(r, 0xa0, 0x20); }

static void test_power_on_state(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(inb(&r, 0x21), 0x00);
	CHECK_EQ(inb(&r, 0xa1), 0x00);
	CHECK_EQ(inb(&r, 0x20), 0x00);	/* IRR */
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	CHECK_EQ(inb(&r, 0x4d0), 0x00);
	CHECK_EQ(inb(&r, 0x4d1), 0x00);
	CHECK_EQ(r.intr, 0);
	/* Linux's probe: the mask register holds what is written */
	outb(&r, 0x21, 0xff);
	CHECK_EQ(inb(&r, 0x21), 0xff);
	outb(&r, 0xa1, 0x5a);
	CHECK_EQ(inb(&r, 0xa1), 0x5a);
	rig_fini(&r);
}

static void test_init_cascade_icw4(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x21, 0xff);
	init_pc(&r, 0x01, 0x01);
	/* ICW1 cleared the mask; the next data write is OCW1 */
	CHECK_EQ(inb(&r, 0x21), 0x00);
	outb(&r, 0x21, 0xfb);
	CHECK_EQ(inb(&r, 0x21), 0xfb);
	outb(&r, 0x21, 0x00);
	irq(&r, 1, 1);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x09);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(read_isr(&r, 0x20), 0x02);
	eoi_master(&r);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	rig_fini(&r);
}

static void test_init_single_no_icw4(void)
{
	struct rig r;
	rig_init(&r);
	/* single, no ICW4: ICW2 is the last ICW */
	outb(&r, 0x20, 0x12);
	outb(&r, 0x21, 0x20);
	outb(&r, 0x21, 0x3c);
	CHECK_EQ(inb(&r, 0x21), 0x3c);
	outb(&r, 0x21, 0x00);
	/* the low three bits of ICW2 are ignored in 8086 mode */
	outb(&r, 0x20, 0x12);
	outb(&r, 0x21, 0x47);
	irq(&r, 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x44);
	rig_fini(&r);
}

static void test_init_single_icw4(void)
{
	struct rig r;
	rig_init(&r);
	/* single with ICW4: no ICW3; ICW4 asks for AEOI */
	outb(&r, 0x20, 0x13);
	outb(&r, 0x21, 0x50);
	outb(&r, 0x21, 0x03);
	CHECK_EQ(inb(&r, 0x21), 0x00);
	outb(&r, 0x21, 0x81);
	CHECK_EQ(inb(&r, 0x21), 0x81);
	outb(&r, 0x21, 0x00);
	irq(&r, 6, 1);
	CHECK_EQ(pic_ack(r.p), 0x56);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);	/* AEOI */
	/* single mode: IR2 has no slave behind it */
	rig_fini(&r);
}

static void test_init_cascade_no_icw4(void)
{
	struct rig r;
	rig_init(&r);
	/* cascade without ICW4: ICW2, ICW3, then OCW1 */
	outb(&r, 0x20, 0x10);
	outb(&r, 0x21, 0x08);
	outb(&r, 0x21, 0x04);
	outb(&r, 0x21, 0xf0);
	CHECK_EQ(inb(&r, 0x21), 0xf0);
	rig_fini(&r);
}

static void test_buffered_and_sfnm_tolerated(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x1d, 0x09);	/* SFNM + BUF + M/S + uPM on the master */
	CHECK_EQ(inb(&r, 0x21), 0x00);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	CHECK_EQ(read_isr(&r, 0x20), 0x08);
	rig_fini(&r);
}

static void test_mask(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x21, 0x08);
	irq(&r, 3, 1);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(inb(&r, 0x20), 0x08);	/* IRR records masked requests */
	outb(&r, 0x21, 0x00);
	CHECK_EQ(r.intr, 1);
	outb(&r, 0x21, 0x08);
	CHECK_EQ(r.intr, 0);
	/* masking the cascade input hides every slave request */
	outb(&r, 0x21, 0x04);
	irq(&r, 3, 0);
	irq(&r, 11, 1);
	CHECK_EQ(r.intr, 1);	/* IRQ 3 latched earlier (edge) */
	CHECK_EQ(pic_ack(r.p), 0x0b);
	eoi_master(&r);
	CHECK_EQ(r.intr, 0);
	outb(&r, 0x21, 0x00);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x73);
	rig_fini(&r);
}

static void test_fixed_priority_and_nesting(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 5, 1);
	irq(&r, 3, 1);
	CHECK_EQ(inb(&r, 0x20), 0x28);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	/* 3 in service blocks 5 */
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(inb(&r, 0x20), 0x20);
	/* but 1 nests above 3 */
	irq(&r, 1, 1);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x09);
	CHECK_EQ(read_isr(&r, 0x20), 0x0a);
	/* non-specific EOI clears the highest in service: 1 */
	eoi_master(&r);
	CHECK_EQ(read_isr(&r, 0x20), 0x08);
	CHECK_EQ(r.intr, 0);
	eoi_master(&r);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x0d);
	rig_fini(&r);
}

static void test_specific_eoi(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 6, 1);
	CHECK_EQ(pic_ack(r.p), 0x0e);
	irq(&r, 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	CHECK_EQ(read_isr(&r, 0x20), 0x50);
	outb(&r, 0x20, 0x66);	/* specific EOI, level 6 */
	CHECK_EQ(read_isr(&r, 0x20), 0x10);
	outb(&r, 0x20, 0x40);	/* no operation */
	CHECK_EQ(read_isr(&r, 0x20), 0x10);
	outb(&r, 0x20, 0x64);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	rig_fini(&r);
}

static void test_rotate_on_nonspecific_eoi(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	outb(&r, 0x20, 0xa0);	/* rotate on non-specific EOI: 3 becomes lowest */
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	irq(&r, 3, 0);
	irq(&r, 3, 1);
	irq(&r, 0, 1);
	irq(&r, 5, 1);
	/* priority now 4 5 6 7 0 1 2 3 */
	CHECK_EQ(pic_ack(r.p), 0x0d);
	CHECK_EQ(r.intr, 0);	/* 0 and 3 rank below 5 now */
	outb(&r, 0x20, 0x20);
	CHECK_EQ(pic_ack(r.p), 0x08);
	outb(&r, 0x20, 0x20);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	rig_fini(&r);
}

static void test_set_priority(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x20, 0xc4);	/* 4 lowest, so 5 highest */
	irq(&r, 1, 1);
	irq(&r, 5, 1);
	irq(&r, 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x0d);
	eoi_master(&r);
	CHECK_EQ(pic_ack(r.p), 0x09);
	eoi_master(&r);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	eoi_master(&r);
	outb(&r, 0x20, 0xc7);	/* back to 0 highest */
	irq(&r, 7, 0);
	irq(&r, 7, 1);
	irq(&r, 0, 1);
	CHECK_EQ(pic_ack(r.p), 0x08);
	rig_fini(&r);
}

static void test_rotate_on_specific_eoi(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 2 + 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x0e);
	outb(&r, 0x20, 0xe6);	/* clear 6 and make it lowest: 7 highest */
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	irq(&r, 0, 1);
	irq(&r, 7, 1);
	CHECK_EQ(pic_ack(r.p), 0x0f);
	CHECK_EQ(read_isr(&r, 0x20), 0x80);	/* a real IR7, in service */
	rig_fini(&r);
}

static void test_aeoi_and_rotate_in_aeoi(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x03, 0x01);
	irq(&r, 1, 1);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x09);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	CHECK_EQ(r.intr, 1);	/* nothing in service: 3 is next at once */
	CHECK_EQ(pic_ack(r.p), 0x0b);
	/* rotate in AEOI: each acknowledged level becomes the lowest */
	outb(&r, 0x20, 0x80);
	irq(&r, 1, 0);
	irq(&r, 3, 0);
	irq(&r, 1, 1);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x09);
	irq(&r, 1, 0);
	irq(&r, 1, 1);
	CHECK_EQ(pic_ack(r.p), 0x0b);	/* 1 is lowest now */
	CHECK_EQ(pic_ack(r.p), 0x09);
	/* rotate in AEOI clear: priority stays where it is */
	outb(&r, 0x20, 0x00);
	irq(&r, 1, 0);
	irq(&r, 3, 0);
	irq(&r, 1, 1);
	irq(&r, 3, 1);
	/* after acking 1 with rotation, 2 is highest: 3 before 1 */
	CHECK_EQ(pic_ack(r.p), 0x0b);
	CHECK_EQ(pic_ack(r.p), 0x09);
	irq(&r, 1, 0);
	irq(&r, 3, 0);
	irq(&r, 1, 1);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	rig_fini(&r);
}

static void test_special_mask_mode(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 3, 1);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	irq(&r, 5, 1);
	CHECK_EQ(r.intr, 0);
	/* a handler masks its own level and sets SMM: lower levels may come */
	outb(&r, 0x21, 0x08);
	outb(&r, 0x20, 0x68);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x0d);
	CHECK_EQ(read_isr(&r, 0x20), 0x28);
	/* a non-specific EOI in SMM skips the masked in-service level 3 */
	eoi_master(&r);
	CHECK_EQ(read_isr(&r, 0x20), 0x08);
	/* reset SMM: 3 in service blocks lower levels again */
	outb(&r, 0x20, 0x48);
	irq(&r, 6, 1);
	outb(&r, 0x21, 0x00);
	CHECK_EQ(r.intr, 0);
	eoi_master(&r);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x0e);
	/* the ESMM bit guards SMM: 0x28 alone changes nothing */
	outb(&r, 0x20, 0x28);
	irq(&r, 7, 1);
	CHECK_EQ(r.intr, 0);
	rig_fini(&r);
}

static void test_read_register_select(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 4, 1);
	irq(&r, 6, 1);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	CHECK_EQ(inb(&r, 0x20), 0x40);	/* IRR after init */
	outb(&r, 0x20, 0x0b);
	CHECK_EQ(inb(&r, 0x20), 0x10);
	CHECK_EQ(inb(&r, 0x20), 0x10);	/* the selection sticks */
	outb(&r, 0x20, 0x08);		/* RR=0: no change */
	CHECK_EQ(inb(&r, 0x20), 0x10);
	outb(&r, 0x20, 0x0a);
	CHECK_EQ(inb(&r, 0x20), 0x40);
	CHECK_EQ(inb(&r, 0x21), 0x00);	/* odd port is always IMR */
	rig_fini(&r);
}

static void test_poll(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x20, 0x0c);
	CHECK_EQ(inb(&r, 0x20), 0x00);	/* nothing pending */
	irq(&r, 5, 1);
	irq(&r, 6, 1);
	outb(&r, 0x20, 0x0c);
	CHECK_EQ(inb(&r, 0x20), 0x85);
	CHECK_EQ(read_isr(&r, 0x20), 0x20);
	CHECK_EQ(inb(&r, 0x20), 0x40);	/* poll is one read only */
	eoi_master(&r);
	outb(&r, 0x20, 0x0c);
	CHECK_EQ(inb(&r, 0x21), 0x86);	/* either port answers a poll */
	eoi_master(&r);
	/* the slave is polled on its own port */
	irq(&r, 13, 1);
	outb(&r, 0xa0, 0x0c);
	CHECK_EQ(inb(&r, 0xa0), 0x85);
	CHECK_EQ(read_isr(&r, 0xa0), 0x20);
	/* the master never saw that INTA: its IR2 latch still stands, and an
	 * INTA now finds the slave empty */
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x77);
	rig_fini(&r);
}

static void test_spurious_master(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x4d0, 0x20);	/* IRQ 5 level */
	irq(&r, 5, 1);
	CHECK_EQ(r.intr, 1);
	irq(&r, 5, 0);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(pic_ack(r.p), 0x0f);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);	/* spurious 7 is not in service */
	/* the other classic: a mask written between INTR and INTA */
	irq(&r, 4, 1);
	outb(&r, 0x21, 0x10);
	CHECK_EQ(pic_ack(r.p), 0x0f);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	CHECK_EQ(inb(&r, 0x20), 0x10);	/* still requested, masked */
	rig_fini(&r);
}

static void test_spurious_slave(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x4d1, 0x04);	/* IRQ 10 level */
	irq(&r, 10, 1);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(inb(&r, 0x20), 0x04);
	/* the slave's request goes; the master latched the IR2 edge */
	irq(&r, 10, 0);
	CHECK_EQ(inb(&r, 0xa0), 0x00);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x77);
	/* the slave sets nothing in service; the master does (Linux sends the
	 * master a specific EOI for IR2 on a spurious 15) */
	CHECK_EQ(read_isr(&r, 0xa0), 0x00);
	CHECK_EQ(read_isr(&r, 0x20), 0x04);
	outb(&r, 0x20, 0x62);
	CHECK_EQ(read_isr(&r, 0x20), 0x00);
	/* same when the slave masks the request between INTR and INTA */
	pulse(&r, 11);
	outb(&r, 0xa1, 0x08);
	CHECK_EQ(pic_ack(r.p), 0x77);
	CHECK_EQ(inb(&r, 0xa0), 0x08);
	rig_fini(&r);
}

static void test_slave_second_request_after_inta(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x03, 0x03);	/* AEOI on both */
	irq(&r, 9, 1);
	irq(&r, 12, 1);
	/* the slave's INT stays up across the first INTA; the second request
	 * must still reach the CPU */
	CHECK_EQ(pic_ack(r.p), 0x71);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x74);
	CHECK_EQ(r.intr, 0);
	rig_fini(&r);
}

static void test_cascade(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 12, 1);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(inb(&r, 0x20), 0x04);	/* master IRR shows the cascade */
	CHECK_EQ(inb(&r, 0xa0), 0x10);
	CHECK_EQ(pic_ack(r.p), 0x74);
	CHECK_EQ(read_isr(&r, 0x20), 0x04);
	CHECK_EQ(read_isr(&r, 0xa0), 0x10);
	CHECK_EQ(inb(&r, 0xa0), 0x00);
	CHECK_EQ(r.intr, 0);
	/* another slave request waits for both EOIs */
	irq(&r, 15, 1);
	CHECK_EQ(r.intr, 0);
	eoi_slave(&r);
	CHECK_EQ(r.intr, 0);	/* master IR2 still in service */
	eoi_master(&r);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x77);
	CHECK_EQ(read_isr(&r, 0xa0), 0x80);	/* a real IRQ 15 */
	rig_fini(&r);
}

static void test_cascade_priority(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 3, 1);
	irq(&r, 8, 1);
	irq(&r, 1, 1);
	CHECK_EQ(pic_ack(r.p), 0x09);
	eoi_master(&r);
	CHECK_EQ(pic_ack(r.p), 0x70);	/* the slave rides on IR2, above IR3 */
	eoi_slave(&r);
	eoi_master(&r);
	CHECK_EQ(pic_ack(r.p), 0x0b);
	rig_fini(&r);
}

static void test_sfnm(void)
{
	for (int sfnm = 0; sfnm < 2; sfnm++) {
		struct rig r;
		rig_init(&r);
		init_pc(&r, sfnm ? 0x11 : 0x01, 0x01);
		irq(&r, 12, 1);
		CHECK_EQ(pic_ack(r.p), 0x74);
		irq(&r, 9, 1);	/* higher than 12 on the slave */
		CHECK_EQ(r.intr, sfnm);
		if (sfnm) {
			CHECK_EQ(pic_ack(r.p), 0x71);
			CHECK_EQ(read_isr(&r, 0xa0), 0x12);
		}
		rig_fini(&r);
	}
}

static void test_edge_triggering(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	pulse(&r, 4);	/* a short pulse is latched */
	CHECK_EQ(inb(&r, 0x20), 0x10);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	eoi_master(&r);
	CHECK_EQ(r.intr, 0);
	/* a held line gives one interrupt, not one per EOI */
	irq(&r, 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	eoi_master(&r);
	CHECK_EQ(r.intr, 0);
	irq(&r, 4, 1);	/* still high: no new edge */
	CHECK_EQ(r.intr, 0);
	irq(&r, 4, 0);
	irq(&r, 4, 1);
	CHECK_EQ(r.intr, 1);
	/* re-initialising resets edge sense: a held-high input stays quiet */
	outb(&r, 0x20, 0x11);
	outb(&r, 0x21, 0x08);
	outb(&r, 0x21, 0x04);
	outb(&r, 0x21, 0x01);
	CHECK_EQ(inb(&r, 0x20), 0x00);
	CHECK_EQ(r.intr, 0);
	rig_fini(&r);
}

static void test_level_triggering_ltim(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x20, 0x19);	/* LTIM */
	outb(&r, 0x21, 0x08);
	outb(&r, 0x21, 0x04);
	outb(&r, 0x21, 0x01);
	irq(&r, 4, 1);
	CHECK_EQ(pic_ack(r.p), 0x0c);
	CHECK_EQ(inb(&r, 0x20), 0x10);	/* IRR follows the level */
	eoi_master(&r);
	CHECK_EQ(r.intr, 1);	/* still high: asks again */
	irq(&r, 4, 0);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(inb(&r, 0x20), 0x00);
	pulse(&r, 4);
	CHECK_EQ(inb(&r, 0x20), 0x00);	/* a pulse that is gone is not kept */
	rig_fini(&r);
}

static void test_elcr(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	/* IRQ 0, 1, 2, 8 and 13 cannot be level */
	outb(&r, 0x4d0, 0xff);
	outb(&r, 0x4d1, 0xff);
	CHECK_EQ(inb(&r, 0x4d0), 0xf8);
	CHECK_EQ(inb(&r, 0x4d1), 0xde);
	CHECK_EQ(bus_read(&r.io, 0x4d0, 2), 0xdef8);
	outb(&r, 0x4d0, 0x00);
	outb(&r, 0x4d1, 0x02);	/* IRQ 9 level (an ACPI SCI) */
	irq(&r, 9, 1);
	CHECK_EQ(pic_ack(r.p), 0x71);
	eoi_slave(&r);
	eoi_master(&r);
	CHECK_EQ(r.intr, 1);	/* level: requests again */
	CHECK_EQ(pic_ack(r.p), 0x71);
	irq(&r, 9, 0);
	CHECK_EQ(inb(&r, 0xa0), 0x00);
	eoi_slave(&r);
	eoi_master(&r);
	CHECK_EQ(r.intr, 0);
	/* an edge IRQ on the same chip keeps its latch */
	pulse(&r, 11);
	CHECK_EQ(r.intr, 1);
	CHECK_EQ(pic_ack(r.p), 0x73);
	/* IRQ 8 stays edge even if the guest asks for level */
	eoi_slave(&r);
	eoi_master(&r);
	outb(&r, 0x4d1, 0x01);
	pulse(&r, 8);
	CHECK_EQ(pic_ack(r.p), 0x70);
	rig_fini(&r);
}

static void test_elcr_switch_takes_level(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 5, 1);
	CHECK_EQ(pic_ack(r.p), 0x0d);
	eoi_master(&r);
	CHECK_EQ(r.intr, 0);
	/* switching a held-high input to level makes it a request again */
	outb(&r, 0x4d0, 0x20);
	CHECK_EQ(r.intr, 1);
	rig_fini(&r);
}

static void test_bad_inputs_ignored(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	irq(&r, 2, 1);
	irq(&r, -1, 1);
	irq(&r, 16, 1);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(inb(&r, 0x20), 0x00);
	/* nothing pending: INTA gets the master's spurious vector */
	CHECK_EQ(pic_ack(r.p), 0x0f);
	rig_fini(&r);
}

static void test_reset_clears(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x4d0, 0x20);
	irq(&r, 3, 1);
	CHECK_EQ(r.intr, 1);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(r.intr, 0);
	CHECK_EQ(inb(&r, 0x4d0), 0x00);
	CHECK_EQ(inb(&r, 0x20), 0x00);
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig r;
	rig_init(&r);
	init_pc(&r, 0x01, 0x01);
	outb(&r, 0x4d1, 0x02);
	outb(&r, 0x20, 0xc4);
	irq(&r, 12, 1);
	CHECK_EQ(pic_ack(r.p), 0x74);
	irq(&r, 9, 1);
	irq(&r, 6, 1);
	outb(&r, 0x21, 0x80);
	outb(&r, 0xa0, 0x0b);

	struct snap s;
	snap_init(&s);
	r.dev.save(r.dev.opaque, &s);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(inb(&r, 0x21), 0x00);
	s.pos = 0;
	CHECK_EQ(r.dev.load(r.dev.opaque, &s), 0);
	snap_free(&s);

	CHECK_EQ(inb(&r, 0x21), 0x80);
	CHECK_EQ(inb(&r, 0x4d1), 0x02);
	CHECK_EQ(inb(&r, 0xa0), 0x10);	/* read-ISR selection came back */
	outb(&r, 0x20, 0x0b);
	CHECK_EQ(inb(&r, 0x20), 0x04);
	outb(&r, 0x20, 0x0a);
	CHECK_EQ(inb(&r, 0x20), 0x44);
	/* the line's level came back (the receiver restores its own side) */
	CHECK_EQ(pic_intr(r.p)->level, 1);
	/* rotation came back: 5 highest, so 6 ranks above 2 */
	outb(&r, 0x21, 0x00);
	CHECK_EQ(pic_ack(r.p), 0x0e);
	rig_fini(&r);
}

static void test_load_rejects_garbage(void)
{
	struct rig r;
	rig_init(&r);
	struct snap s;
	snap_init(&s);
	snap_section_put(&s, "pic8259", 1);
	s.pos = 0;
	CHECK_EQ(r.dev.load(r.dev.opaque, &s), -1);
	snap_free(&s);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("pic8259");
	RUN(test_power_on_state);
	RUN(test_init_cascade_icw4);
	RUN(test_init_single_no_icw4);
	RUN(test_init_single_icw4);
	RUN(test_init_cascade_no_icw4);
	RUN(test_buffered_and_sfnm_tolerated);
	RUN(test_mask);
	RUN(test_fixed_priority_and_nesting);
	RUN(test_specific_eoi);
	RUN(test_rotate_on_nonspecific_eoi);
	RUN(test_set_priority);
	RUN(test_rotate_on_specific_eoi);
	RUN(test_aeoi_and_rotate_in_aeoi);
	RUN(test_special_mask_mode);
	RUN(test_read_register_select);
	RUN(test_poll);
	RUN(test_spurious_master);
	RUN(test_spurious_slave);
	RUN(test_slave_second_request_after_inta);
	RUN(test_cascade);
	RUN(test_cascade_priority);
	RUN(test_sfnm);
	RUN(test_edge_triggering);
	RUN(test_level_triggering_ltim);
	RUN(test_elcr);
	RUN(test_elcr_switch_takes_level);
	RUN(test_bad_inputs_ignored);
	RUN(test_reset_clears);
	RUN(test_save_load);
	RUN(test_load_rejects_garbage);
	return CHECK_EXIT();
}
