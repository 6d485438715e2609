/* Unit tests for the 8254 PIT and port 0x61, at exact virtual times. */
// SPDX-License-Identifier: MIT
#include "hw/pit8254.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct rig {
	struct bus io;
	struct vclock clk;
	struct pit8254 *p;
	struct device dev;
	int irq, rises, falls;
};

static void on_irq0(void *opaque, int n, int level)
{
	struct rig *r = opaque;
	(void)n;
	if (level && !r->irq)
		r->rises++;
	if (!level && r->irq)
		r->falls++;
	r->irq = level;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	clock_init(&r->clk, CLOCK_MANUAL);
	r->p = pit_new(&r->io, &r->clk, &r->dev);
	irq_connect(pit_irq0(r->p), on_irq0, r, 0);
	r->dev.reset(r->dev.opaque);
}

static void rig_fini(struct rig *r)
{
	pit_free(r->p);
	bus_destroy(&r->io);
}

static void outb(struct rig *r, uint16_t port, uint8_t v) { bus_write(&r->io, port, v, 1); }
static uint8_t inb(struct rig *r, uint16_t port) { return (uint8_t)bus_read(&r->io, port, 1); }

/* the first nanosecond of PIT clock tick k */
static int64_t tick_ns(int64_t k)
{
	return (int64_t)(((__int128)k * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ);
}

static void at(struct rig *r, int64_t k) { clock_set(&r->clk, tick_ns(k)); }

static void count16(struct rig *r, int ch, uint16_t v)
{
	outb(r, 0x40 + ch, v & 0xff);
	outb(r, 0x40 + ch, v >> 8);
}

/* counter latch command, then both bytes (channel in LSB/MSB access) */
static uint16_t latched(struct rig *r, int ch)
{
	outb(r, 0x43, (uint8_t)(ch << 6));
	uint8_t lo = inb(r, 0x40 + ch);
	return (uint16_t)(lo | inb(r, 0x40 + ch) << 8);
}

static uint8_t status(struct rig *r, int ch)
{
	outb(r, 0x43, (uint8_t)(0xe0 | 2 << ch));
	return inb(r, 0x40 + ch);
}

static int out2(struct rig *r) { return !!(inb(r, 0x61) & 0x20); }

static void test_power_on(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(r.irq, 0);
	CHECK_EQ(clock_next_deadline(&r.clk), CLOCK_NEVER);
	CHECK_EQ(inb(&r, 0x61) & 0xef, 0x00);
	CHECK_EQ(inb(&r, 0x43), 0xff);	/* control register is write-only */
	at(&r, 100000);
	CHECK_EQ(r.irq, 0);	/* nothing counts until programmed */
	rig_fini(&r);
}

static void test_mode0_sequence(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x30);
	CHECK_EQ(status(&r, 0), 0x70);	/* OUT low, null count, LSB/MSB, mode 0 */
	count16(&r, 0, 100);
	CHECK_EQ(status(&r, 0) & 0xc0, 0x40);	/* loads on the next clock */
	at(&r, 1);
	CHECK_EQ(status(&r, 0), 0x30);
	CHECK_EQ(latched(&r, 0), 100);
	at(&r, 51);
	CHECK_EQ(latched(&r, 0), 50);
	at(&r, 100);
	CHECK_EQ(latched(&r, 0), 1);
	CHECK_EQ(r.irq, 0);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(101));
	at(&r, 101);
	CHECK_EQ(r.irq, 1);
	CHECK_EQ(latched(&r, 0), 0);
	CHECK_EQ(status(&r, 0), 0xb0);
	at(&r, 102);
	CHECK_EQ(latched(&r, 0), 0xffff);	/* keeps counting, wraps */
	at(&r, 500000);
	CHECK_EQ(r.rises, 1);	/* once, at terminal count */
	CHECK_EQ(r.irq, 1);
	CHECK_EQ(clock_next_deadline(&r.clk), CLOCK_NEVER);
	/* a new count drops OUT again */
	count16(&r, 0, 10);
	CHECK_EQ(r.irq, 0);
	at(&r, 500011);
	CHECK_EQ(r.irq, 1);
	CHECK_EQ(r.rises, 2);
	rig_fini(&r);
}

static void test_mode0_irq_time_exact(void)
{
	struct rig r;
	rig_init(&r);
	at(&r, 1000);
	outb(&r, 0x43, 0x30);
	count16(&r, 0, 5000);
	/* loaded at tick 1001, zero 5000 ticks later */
	clock_set(&r.clk, tick_ns(6001) - 1);
	CHECK_EQ(r.irq, 0);
	clock_set(&r.clk, tick_ns(6001));
	CHECK_EQ(r.irq, 1);
	rig_fini(&r);
}

static void test_mode0_count_zero_is_65536(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x30);
	count16(&r, 0, 0);
	at(&r, 1);
	CHECK_EQ(latched(&r, 0), 0);
	at(&r, 2);
	CHECK_EQ(latched(&r, 0), 0xffff);
	at(&r, 65536);
	CHECK_EQ(latched(&r, 0), 1);
	CHECK_EQ(r.irq, 0);
	at(&r, 65537);
	CHECK_EQ(r.irq, 1);
	rig_fini(&r);
}

static void test_mode0_first_byte_stops(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x30);
	count16(&r, 0, 100);
	at(&r, 51);
	CHECK_EQ(latched(&r, 0), 50);
	outb(&r, 0x40, 0x10);	/* first byte: counting stops */
	at(&r, 60);
	CHECK_EQ(latched(&r, 0), 50);
	at(&r, 70);
	outb(&r, 0x40, 0x00);	/* second byte: 16 loads at the next clock */
	CHECK_EQ(latched(&r, 0), 50);
	at(&r, 71);
	CHECK_EQ(latched(&r, 0), 16);
	at(&r, 86);
	CHECK_EQ(r.irq, 0);
	at(&r, 87);
	CHECK_EQ(r.irq, 1);
	/* after terminal count the first byte of a new count drops OUT at once */
	outb(&r, 0x40, 0x05);
	CHECK_EQ(r.irq, 0);
	rig_fini(&r);
}

static void test_mode1_one_shot_on_gate(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0xb2);	/* channel 2, mode 1 */
	count16(&r, 2, 5);
	CHECK_EQ(out2(&r), 1);
	at(&r, 10);
	CHECK_EQ(out2(&r), 1);
	CHECK_EQ(status(&r, 2) & 0x40, 0x40);	/* waits for a trigger */
	outb(&r, 0x61, 0x01);	/* gate rising: trigger */
	CHECK_EQ(out2(&r), 1);
	at(&r, 11);
	CHECK_EQ(out2(&r), 0);
	CHECK_EQ(latched(&r, 2), 5);
	CHECK_EQ(status(&r, 2) & 0x40, 0x00);
	at(&r, 15);
	CHECK_EQ(latched(&r, 2), 1);
	CHECK_EQ(out2(&r), 0);
	at(&r, 16);
	CHECK_EQ(out2(&r), 1);
	/* retrigger in the middle of a one-shot restarts it */
	at(&r, 20);
	outb(&r, 0x61, 0x00);
	outb(&r, 0x61, 0x01);
	at(&r, 23);
	CHECK_EQ(latched(&r, 2), 3);
	outb(&r, 0x61, 0x00);	/* gate low does not stop mode 1 */
	at(&r, 24);
	CHECK_EQ(latched(&r, 2), 2);
	outb(&r, 0x61, 0x01);
	at(&r, 25);
	CHECK_EQ(latched(&r, 2), 5);
	at(&r, 29);
	CHECK_EQ(out2(&r), 0);
	at(&r, 30);
	CHECK_EQ(out2(&r), 1);
	rig_fini(&r);
}

static void test_mode2_sequence(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	CHECK_EQ(r.irq, 1);	/* mode 2 control word: OUT high */
	count16(&r, 0, 4);
	static const uint16_t want[] = { 4, 3, 2, 1, 4, 3, 2, 1, 4 };
	static const int want_out[] = { 1, 1, 1, 0, 1, 1, 1, 0, 1 };
	for (int i = 0; i < 9; i++) {
		at(&r, 1 + i);
		CHECK_EQ(latched(&r, 0), want[i]);
		CHECK_EQ(r.irq, want_out[i]);
		CHECK_EQ(status(&r, 0) >> 7, want_out[i]);
	}
	CHECK_EQ(r.rises, 3);
	rig_fini(&r);
}

static void test_mode2_new_count_at_period_end(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 4);
	at(&r, 2);
	count16(&r, 0, 3);
	CHECK_EQ(status(&r, 0) & 0x40, 0x40);
	at(&r, 4);
	CHECK_EQ(latched(&r, 0), 1);	/* the old period runs out */
	CHECK_EQ(status(&r, 0) & 0x40, 0x40);
	at(&r, 5);
	CHECK_EQ(latched(&r, 0), 3);
	CHECK_EQ(status(&r, 0) & 0x40, 0x00);
	at(&r, 7);
	CHECK_EQ(latched(&r, 0), 1);
	CHECK_EQ(r.irq, 0);
	at(&r, 8);
	CHECK_EQ(latched(&r, 0), 3);
	CHECK_EQ(r.irq, 1);
	rig_fini(&r);
}

static void test_mode3_even(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x36);
	count16(&r, 0, 6);
	static const uint16_t want[] = { 6, 4, 2, 6, 4, 2, 6 };
	static const int want_out[] = { 1, 1, 1, 0, 0, 0, 1 };
	for (int i = 0; i < 7; i++) {
		at(&r, 1 + i);
		CHECK_EQ(latched(&r, 0), want[i]);
		CHECK_EQ(r.irq, want_out[i]);
	}
	rig_fini(&r);
}

static void test_mode3_odd(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x36);
	count16(&r, 0, 5);
	/* high for (5+1)/2 clocks, low for (5-1)/2 */
	static const uint16_t want[] = { 4, 2, 0, 4, 2, 4, 2, 0, 4 };
	static const int want_out[] = { 1, 1, 1, 0, 0, 1, 1, 1, 0 };
	for (int i = 0; i < 9; i++) {
		at(&r, 1 + i);
		CHECK_EQ(latched(&r, 0), want[i]);
		CHECK_EQ(r.irq, want_out[i]);
	}
	rig_fini(&r);
}

static void test_mode3_new_count_at_half_cycle(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x36);
	count16(&r, 0, 6);
	at(&r, 2);
	count16(&r, 0, 10);
	at(&r, 3);
	CHECK_EQ(latched(&r, 0), 2);
	CHECK_EQ(status(&r, 0) & 0x40, 0x40);
	at(&r, 4);	/* end of the high half: low half of the new count */
	CHECK_EQ(latched(&r, 0), 10);
	CHECK_EQ(r.irq, 0);
	CHECK_EQ(status(&r, 0) & 0x40, 0x00);
	at(&r, 8);
	CHECK_EQ(latched(&r, 0), 2);
	CHECK_EQ(r.irq, 0);
	at(&r, 9);
	CHECK_EQ(latched(&r, 0), 10);
	CHECK_EQ(r.irq, 1);
	at(&r, 14);
	CHECK_EQ(r.irq, 0);
	rig_fini(&r);
}

static void test_mode4_strobe(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x38);
	CHECK_EQ(r.irq, 1);
	count16(&r, 0, 3);
	static const uint16_t want[] = { 3, 2, 1, 0, 0xffff, 0xfffe };
	static const int want_out[] = { 1, 1, 1, 0, 1, 1 };
	for (int i = 0; i < 6; i++) {
		at(&r, 1 + i);
		CHECK_EQ(latched(&r, 0), want[i]);
		CHECK_EQ(r.irq, want_out[i]);
	}
	at(&r, 300000);
	CHECK_EQ(r.rises, 2);	/* the control word's, and the strobe's end */
	CHECK_EQ(r.falls, 1);
	rig_fini(&r);
}

static void test_mode5_strobe_on_gate(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0xba);
	count16(&r, 2, 3);
	at(&r, 10);
	CHECK_EQ(out2(&r), 1);
	outb(&r, 0x61, 0x01);
	at(&r, 11);
	CHECK_EQ(latched(&r, 2), 3);
	at(&r, 13);
	CHECK_EQ(out2(&r), 1);
	at(&r, 14);
	CHECK_EQ(latched(&r, 2), 0);
	CHECK_EQ(out2(&r), 0);
	at(&r, 15);
	CHECK_EQ(out2(&r), 1);
	CHECK_EQ(latched(&r, 2), 0xffff);
	/* retrigger */
	outb(&r, 0x61, 0x00);
	outb(&r, 0x61, 0x01);
	at(&r, 16);
	CHECK_EQ(latched(&r, 2), 3);
	at(&r, 19);
	CHECK_EQ(out2(&r), 0);
	rig_fini(&r);
}

static void test_mode6_7_alias(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x3c);	/* mode 6 = 2 */
	CHECK_EQ(status(&r, 0), 0xfc);	/* status keeps the bits written */
	count16(&r, 0, 4);
	at(&r, 4);
	CHECK_EQ(r.irq, 0);
	at(&r, 5);
	CHECK_EQ(latched(&r, 0), 4);
	outb(&r, 0x43, 0x3e);	/* mode 7 = 3 */
	count16(&r, 0, 4);
	at(&r, 6);
	CHECK_EQ(latched(&r, 0), 4);
	at(&r, 8);
	CHECK_EQ(r.irq, 0);
	CHECK_EQ(latched(&r, 0), 4);
	rig_fini(&r);
}

static void test_bcd(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x31);	/* mode 0, BCD */
	CHECK_EQ(status(&r, 0), 0x71);
	count16(&r, 0, 0x0100);
	at(&r, 1);
	CHECK_EQ(latched(&r, 0), 0x0100);
	at(&r, 2);
	CHECK_EQ(latched(&r, 0), 0x0099);
	at(&r, 101);
	CHECK_EQ(latched(&r, 0), 0x0000);
	CHECK_EQ(r.irq, 1);
	at(&r, 102);
	CHECK_EQ(latched(&r, 0), 0x9999);	/* wraps in decimal */
	/* BCD count 0 is 10000 */
	outb(&r, 0x43, 0x35);	/* mode 2, BCD */
	count16(&r, 0, 0);
	at(&r, 103);
	CHECK_EQ(latched(&r, 0), 0x0000);
	at(&r, 104);
	CHECK_EQ(latched(&r, 0), 0x9999);
	at(&r, 103 + 9999);
	CHECK_EQ(latched(&r, 0), 0x0001);
	CHECK_EQ(r.irq, 0);
	at(&r, 103 + 10000);
	CHECK_EQ(r.irq, 1);
	rig_fini(&r);
}

static void test_lsb_only_msb_only(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x10);	/* LSB only, mode 0 */
	outb(&r, 0x40, 0x20);
	at(&r, 1);
	CHECK_EQ(inb(&r, 0x40), 0x20);
	CHECK_EQ(inb(&r, 0x40), 0x20);	/* no flip-flop */
	at(&r, 5);
	CHECK_EQ(inb(&r, 0x40), 0x1c);
	CHECK_EQ(status(&r, 0), 0x10);
	outb(&r, 0x43, 0x20);	/* MSB only */
	outb(&r, 0x40, 0x02);
	at(&r, 6);
	CHECK_EQ(inb(&r, 0x40), 0x02);
	at(&r, 7);
	CHECK_EQ(inb(&r, 0x40), 0x01);
	outb(&r, 0x43, 0x00);	/* latch: one byte, the MSB */
	at(&r, 400);
	CHECK_EQ(inb(&r, 0x40), 0x01);
	CHECK_EQ(inb(&r, 0x40), 0x00);	/* latch released: live 118 */
	rig_fini(&r);
}

static void test_flip_flops(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 0x1234);
	at(&r, 1);
	CHECK_EQ(inb(&r, 0x40), 0x34);
	at(&r, 2);
	CHECK_EQ(inb(&r, 0x40), 0x12);	/* 0x1233's MSB */
	CHECK_EQ(inb(&r, 0x40), 0x33);
	/* reads and writes have separate flip-flops */
	outb(&r, 0x40, 0x00);
	CHECK_EQ(inb(&r, 0x40), 0x12);
	outb(&r, 0x40, 0x01);	/* count 0x0100 */
	/* a control word restarts the write sequence */
	outb(&r, 0x43, 0x34);
	outb(&r, 0x40, 0xaa);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 0x0200);
	at(&r, 3);
	CHECK_EQ(latched(&r, 0), 0x0200);
	rig_fini(&r);
}

static void test_latch_holds_until_read(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 1000);
	at(&r, 11);
	outb(&r, 0x43, 0x00);
	at(&r, 21);
	outb(&r, 0x43, 0x00);	/* ignored: the first latch is unread */
	at(&r, 31);
	CHECK_EQ(inb(&r, 0x40), 990 & 0xff);
	at(&r, 41);
	CHECK_EQ(inb(&r, 0x40), 990 >> 8);
	CHECK_EQ(latched(&r, 0), 960);
	rig_fini(&r);
}

static void test_read_back(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x61, 0x01);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 1000);
	outb(&r, 0x43, 0xb0);
	count16(&r, 2, 500);
	at(&r, 101);
	outb(&r, 0x43, 0xca);	/* count and status of counters 0 and 2 */
	at(&r, 200);
	CHECK_EQ(inb(&r, 0x40), 0xb4);	/* status first */
	CHECK_EQ(inb(&r, 0x40), 900 & 0xff);
	CHECK_EQ(inb(&r, 0x40), 900 >> 8);
	CHECK_EQ(inb(&r, 0x42), 0x30);
	CHECK_EQ(inb(&r, 0x42), 400 & 0xff);
	CHECK_EQ(inb(&r, 0x42), 400 >> 8);
	/* status only, twice: the first is kept */
	outb(&r, 0x43, 0xe8);
	at(&r, 501);
	outb(&r, 0x43, 0xe8);
	CHECK_EQ(inb(&r, 0x42), 0x30);
	CHECK_EQ(status(&r, 2), 0xb0);
	/* count only */
	outb(&r, 0x43, 0xd2);
	at(&r, 600);
	CHECK_EQ(inb(&r, 0x40), 500 & 0xff);
	CHECK_EQ(inb(&r, 0x40), 500 >> 8);
	/* a counter latch followed by a status read-back: status reads first */
	outb(&r, 0x43, 0x00);
	outb(&r, 0x43, 0xe2);
	CHECK_EQ(inb(&r, 0x40), 0xb4);
	CHECK_EQ(inb(&r, 0x40), 401 & 0xff);
	CHECK_EQ(inb(&r, 0x40), 401 >> 8);
	/* counter 1 untouched by a read-back naming only 0 and 2 */
	outb(&r, 0x43, 0x70);
	CHECK_EQ(status(&r, 1), 0x70);
	rig_fini(&r);
}

static void test_null_count(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x74);	/* counter 1, mode 2 */
	CHECK_EQ(status(&r, 1) & 0x40, 0x40);
	outb(&r, 0x41, 0x10);
	CHECK_EQ(status(&r, 1) & 0x40, 0x40);
	outb(&r, 0x41, 0x00);
	CHECK_EQ(status(&r, 1) & 0x40, 0x40);
	at(&r, 1);
	CHECK_EQ(status(&r, 1) & 0x40, 0x00);
	/* other counters' null count is not touched by this control word */
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 5);
	at(&r, 2);
	outb(&r, 0x43, 0x74);
	CHECK_EQ(status(&r, 0) & 0x40, 0x00);
	rig_fini(&r);
}

static void test_port61_bits(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x61, 0xfc);
	CHECK_EQ(inb(&r, 0x61), 0x0c);	/* 2-3 read back; 4-7 are status */
	outb(&r, 0x61, 0x03);
	CHECK_EQ(inb(&r, 0x61) & 0x0f, 0x03);
	at(&r, 17);
	CHECK_EQ(inb(&r, 0x61) & 0x10, 0x00);
	at(&r, 18);
	CHECK_EQ(inb(&r, 0x61) & 0x10, 0x10);
	at(&r, 35);
	CHECK_EQ(inb(&r, 0x61) & 0x10, 0x10);
	at(&r, 36);
	CHECK_EQ(inb(&r, 0x61) & 0x10, 0x00);
	rig_fini(&r);
}

static void test_refresh_toggles_over_time(void)
{
	struct rig r;
	rig_init(&r);
	/* polled every microsecond for a millisecond: ~15 us between flips */
	int flips = 0, last = inb(&r, 0x61) & 0x10;
	for (int us = 1; us <= 1000; us++) {
		clock_set(&r.clk, us * 1000);
		int v = inb(&r, 0x61) & 0x10;
		flips += v != last;
		last = v;
	}
	CHECK(flips >= 64 && flips <= 68);
	rig_fini(&r);
}

static void test_gate_mode0(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0xb0);
	count16(&r, 2, 10);	/* gate low: loaded, not counting */
	at(&r, 20);
	CHECK_EQ(latched(&r, 2), 10);
	CHECK_EQ(status(&r, 2) & 0x40, 0x00);
	outb(&r, 0x61, 0x01);
	at(&r, 25);
	CHECK_EQ(latched(&r, 2), 6);
	outb(&r, 0x61, 0x00);
	at(&r, 40);
	CHECK_EQ(latched(&r, 2), 6);
	outb(&r, 0x61, 0x01);
	at(&r, 46);
	CHECK_EQ(latched(&r, 2), 1);
	CHECK_EQ(out2(&r), 0);
	at(&r, 47);
	CHECK_EQ(out2(&r), 1);
	/* gate low after terminal count: OUT stays high */
	outb(&r, 0x61, 0x00);
	at(&r, 60);
	CHECK_EQ(out2(&r), 1);
	CHECK_EQ(latched(&r, 2), 0);
	rig_fini(&r);
}

static void test_gate_mode2_mode3(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x61, 0x01);
	outb(&r, 0x43, 0xb4);
	count16(&r, 2, 4);
	at(&r, 4);
	CHECK_EQ(out2(&r), 0);
	outb(&r, 0x61, 0x00);	/* OUT high at once, counting stops */
	CHECK_EQ(out2(&r), 1);
	at(&r, 10);
	CHECK_EQ(latched(&r, 2), 1);
	CHECK_EQ(out2(&r), 1);
	outb(&r, 0x61, 0x01);	/* rising gate reloads at the next clock */
	at(&r, 11);
	CHECK_EQ(latched(&r, 2), 4);
	at(&r, 14);
	CHECK_EQ(out2(&r), 0);
	/* mode 3: the speaker's square wave starts and stops with the gate */
	outb(&r, 0x61, 0x00);
	outb(&r, 0x43, 0xb6);
	count16(&r, 2, 8);
	at(&r, 100);
	CHECK_EQ(out2(&r), 1);
	CHECK_EQ(status(&r, 2) & 0x40, 0x40);
	outb(&r, 0x61, 0x03);
	at(&r, 104);
	CHECK_EQ(out2(&r), 1);
	at(&r, 105);
	CHECK_EQ(out2(&r), 0);
	CHECK_EQ(latched(&r, 2), 8);
	outb(&r, 0x61, 0x02);
	CHECK_EQ(out2(&r), 1);
	rig_fini(&r);
}

static void test_linux_tsc_calibration(void)
{
	struct rig r;
	rig_init(&r);
	/* pit_calibrate_tsc: gate on, speaker off, mode 0, 0xffff ticks */
	outb(&r, 0x61, (inb(&r, 0x61) & ~0x02) | 0x01);
	outb(&r, 0x43, 0xb0);
	outb(&r, 0x42, 0xff);
	outb(&r, 0x42, 0xff);
	at(&r, 65535);
	CHECK_EQ(inb(&r, 0x61) & 0x20, 0x00);
	at(&r, 65536);
	CHECK_EQ(inb(&r, 0x61) & 0x20, 0x20);
	rig_fini(&r);
}

static void run_to(struct rig *r, int64_t end)
{
	for (;;) {
		int64_t d = clock_next_deadline(&r->clk);
		if (d > end)
			break;
		clock_set(&r->clk, d);
	}
	clock_set(&r->clk, end);
}

static void test_irq0_100hz_one_second(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 11932);
	run_to(&r, NS_PER_SEC);
	/* the control word's edge, then one at tick 1 + 11932k up to tick
	 * 1193182: k = 1..99 */
	CHECK_EQ(r.rises, 100);
	CHECK_EQ(r.falls, 99);
	CHECK_EQ(r.irq, 1);
	rig_fini(&r);
}

static void test_irq0_stepped_by_millisecond(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 11932);
	for (int ms = 1; ms <= 1000; ms++)
		clock_set(&r.clk, ms * 1000000LL);
	CHECK_EQ(r.rises, 100);
	rig_fini(&r);
}

static void test_irq0_bios_18hz(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x36);
	count16(&r, 0, 0);
	run_to(&r, NS_PER_SEC);
	/* control word edge plus rising edges at 1 + 65536k, k = 1..18 */
	CHECK_EQ(r.rises, 19);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(1 + 18 * 65536 + 32768));
	rig_fini(&r);
}

static void test_irq0_deadline_exact(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 1000);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(1));	/* the load */
	at(&r, 1);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(1000));	/* OUT falls */
	at(&r, 1000);
	CHECK_EQ(r.irq, 0);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(1001));
	rig_fini(&r);
}

static void test_tiny_counts_do_not_hang(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 1);	/* illegal in mode 2 */
	at(&r, 1000);
	outb(&r, 0x43, 0x36);
	count16(&r, 0, 1);	/* illegal in mode 3 */
	at(&r, 2000);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 2);
	int rises = r.rises;
	/* ten seconds in one jump: caught up without playing every edge */
	clock_set(&r.clk, 10 * NS_PER_SEC);
	CHECK(r.rises > rises);
	CHECK(r.rises < rises + 10);
	CHECK(clock_next_deadline(&r.clk) > 10 * NS_PER_SEC);
	/* odd BCD digits do no harm */
	outb(&r, 0x43, 0x35);
	count16(&r, 0, 0xffff);
	at(&r, 12000000 + 100);
	(void)latched(&r, 0);
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig r;
	rig_init(&r);
	outb(&r, 0x61, 0x0d);
	outb(&r, 0x43, 0x34);
	count16(&r, 0, 1000);
	outb(&r, 0x43, 0xb6);
	count16(&r, 2, 6);
	outb(&r, 0x43, 0x70);
	outb(&r, 0x41, 0x34);	/* half a count */
	at(&r, 101);
	outb(&r, 0x43, 0x00);	/* counter 0 latched, unread */

	struct snap s;
	snap_init(&s);
	r.dev.save(r.dev.opaque, &s);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(clock_next_deadline(&r.clk), CLOCK_NEVER);
	CHECK_EQ(inb(&r, 0x61) & 0x0f, 0x00);
	s.pos = 0;
	CHECK_EQ(r.dev.load(r.dev.opaque, &s), 0);
	snap_free(&s);

	CHECK_EQ(inb(&r, 0x61) & 0x0f, 0x0d);
	CHECK_EQ(clock_next_deadline(&r.clk), tick_ns(1000));
	CHECK_EQ(pit_irq0(r.p)->level, 1);
	at(&r, 200);
	CHECK_EQ(inb(&r, 0x40), 900 & 0xff);	/* the latch survived */
	CHECK_EQ(inb(&r, 0x40), 900 >> 8);
	CHECK_EQ(latched(&r, 0), 801);
	CHECK_EQ(latched(&r, 2), 4);
	outb(&r, 0x41, 0x12);	/* completes the count begun before */
	at(&r, 201);
	CHECK_EQ(latched(&r, 1), 0x1234);
	rig_fini(&r);
}

static void test_load_rejects_garbage(void)
{
	struct rig r;
	rig_init(&r);
	struct snap s;
	snap_init(&s);
	snap_section_put(&s, "pit8254", 1);
	uint8_t junk[40];
	memset(junk, 0xff, sizeof(junk));
	snap_put(&s, junk, sizeof(junk));
	s.pos = 0;
	CHECK_EQ(r.dev.load(r.dev.opaque, &s), -1);
	snap_free(&s);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("pit8254");
	RUN(test_power_on);
	RUN(test_mode0_sequence);
	RUN(test_mode0_irq_time_exact);
	RUN(test_mode0_count_zero_is_65536);
	RUN(test_mode0_first_byte_stops);
	RUN(test_mode1_one_shot_on_gate);
	RUN(test_mode2_sequence);
	RUN(test_mode2_new_count_at_period_end);
	RUN(test_mode3_even);
	RUN(test_mode3_odd);
	RUN(test_mode3_new_count_at_half_cycle);
	RUN(test_mode4_strobe);
	RUN(test_mode5_strobe_on_gate);
	RUN(test_mode6_7_alias);
	RUN(test_bcd);
	RUN(test_lsb_only_msb_only);
	RUN(test_flip_flops);
	RUN(test_latch_holds_until_read);
	RUN(test_read_back);
	RUN(test_null_count);
	RUN(test_port61_bits);
	RUN(test_refresh_toggles_over_time);
	RUN(test_gate_mode0);
	RUN(test_gate_mode2_mode3);
	RUN(test_linux_tsc_calibration);
	RUN(test_irq0_100hz_one_second);
	RUN(test_irq0_stepped_by_millisecond);
	RUN(test_irq0_bios_18hz);
	RUN(test_irq0_deadline_exact);
	RUN(test_tiny_counts_do_not_hang);
	RUN(test_save_load);
	RUN(test_load_rejects_garbage);
	return CHECK_EXIT();
}
