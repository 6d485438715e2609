/* Unit tests for the MC146818 RTC and CMOS RAM, driven through ports 0x70/0x71. */
// SPDX-License-Identifier: MIT
#include "hw/rtc146818.h"

#include <string.h>
#include "testsuite/unit/check.h"

#define MS 1000000LL
#define US 1000LL

struct rig {
	struct bus io;
	struct vclock clk;
	struct rtc146818 *r;
	struct device dev;
	int edges;		/* rising edges seen on IRQ 8 */
};

static void rig_irq(void *opaque, int n, int level)
{
	struct rig *g = opaque;
	(void)n;
	if (level)
		g->edges++;
}

static time_t utc(int y, int mon, int d, int h, int m, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = m, .tm_sec = s };
	return timegm(&tm);
}

/* Friday 15 March 2024, 13:45:30 UTC at clock 0 */
static void rig_init_at(struct rig *g, time_t base)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	clock_init(&g->clk, CLOCK_MANUAL);
	g->r = rtc_new(&g->io, &g->clk, base, &g->dev);
	irq_connect(rtc_irq(g->r), rig_irq, g, 8);
}

static void rig_init(struct rig *g)
{
	rig_init_at(g, utc(2024, 3, 15, 13, 45, 30));
}

static void rig_fini(struct rig *g)
{
	rtc_free(g->r);
	bus_destroy(&g->io);
}

static uint8_t rd(struct rig *g, uint8_t idx)
{
	bus_write(&g->io, 0x70, idx, 1);
	return (uint8_t)bus_read(&g->io, 0x71, 1);
}

static void wr(struct rig *g, uint8_t idx, uint8_t v)
{
	bus_write(&g->io, 0x70, idx, 1);
	bus_write(&g->io, 0x71, v, 1);
}

static int irq_level(struct rig *g)
{
	return rtc_irq(g->r)->level;
}

static void test_reset_values(void)
{
	struct rig g;
	rig_init(&g);
	CHECK(g.r != NULL);
	CHECK_EQ(rd(&g, 0x0a), 0x26);
	CHECK_EQ(rd(&g, 0x0b), 0x02);
	CHECK_EQ(rd(&g, 0x0c), 0x00);
	CHECK_EQ(rd(&g, 0x0d), 0x80);
	CHECK_EQ(irq_level(&g), 0);
	/* the index port reads back as an open bus */
	CHECK_EQ(bus_read(&g.io, 0x70, 1), 0xff);
	rig_fini(&g);
}

static void test_time_bcd(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(rd(&g, 0x00), 0x30);
	CHECK_EQ(rd(&g, 0x02), 0x45);
	CHECK_EQ(rd(&g, 0x04), 0x13);
	CHECK_EQ(rd(&g, 0x06), 0x06);	/* Friday; Sunday is 1 */
	CHECK_EQ(rd(&g, 0x07), 0x15);
	CHECK_EQ(rd(&g, 0x08), 0x03);
	CHECK_EQ(rd(&g, 0x09), 0x24);
	CHECK_EQ(rd(&g, 0x32), 0x20);
	rig_fini(&g);
}

static void test_time_binary(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x06);
	CHECK_EQ(rd(&g, 0x00), 30);
	CHECK_EQ(rd(&g, 0x02), 45);
	CHECK_EQ(rd(&g, 0x04), 13);
	CHECK_EQ(rd(&g, 0x07), 15);
	CHECK_EQ(rd(&g, 0x08), 3);
	CHECK_EQ(rd(&g, 0x09), 24);
	CHECK_EQ(rd(&g, 0x32), 20);
	/* switching modes while running does not disturb the time */
	wr(&g, 0x0b, 0x02);
	CHECK_EQ(rd(&g, 0x02), 0x45);
	rig_fini(&g);
}

static void test_time_12h(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x00);			/* BCD, 12 hour */
	CHECK_EQ(rd(&g, 0x04), 0x81);		/* 1 PM */
	wr(&g, 0x0b, 0x04);			/* binary, 12 hour */
	CHECK_EQ(rd(&g, 0x04), 0x81);
	rig_fini(&g);

	rig_init_at(&g, utc(2024, 3, 15, 0, 10, 0));
	wr(&g, 0x0b, 0x00);
	CHECK_EQ(rd(&g, 0x04), 0x12);		/* midnight is 12 AM */
	rig_fini(&g);

	rig_init_at(&g, utc(2024, 3, 15, 12, 10, 0));
	wr(&g, 0x0b, 0x00);
	CHECK_EQ(rd(&g, 0x04), 0x92);		/* noon is 12 PM */
	wr(&g, 0x0b, 0x04);
	CHECK_EQ(rd(&g, 0x04), 0x8c);
	rig_fini(&g);
}

static void test_time_advances(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 2500 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x32);
	clock_set(&g.clk, 30 * NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x00), 0x00);
	CHECK_EQ(rd(&g, 0x02), 0x46);
	rig_fini(&g);
}

static void test_set_time(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 300 * MS);
	wr(&g, 0x0b, 0x82);			/* SET, BCD, 24 hour */
	wr(&g, 0x00, 0x58);
	wr(&g, 0x02, 0x59);
	wr(&g, 0x04, 0x23);
	wr(&g, 0x07, 0x31);
	wr(&g, 0x08, 0x12);
	wr(&g, 0x09, 0x99);
	wr(&g, 0x32, 0x19);
	/* frozen while SET is on */
	clock_set(&g.clk, 5 * NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x00), 0x58);
	CHECK_EQ(rd(&g, 0x0a) & 0x80, 0);	/* no UIP while SET */
	wr(&g, 0x0b, 0x02);
	/* the phase is unchanged: updates still come on whole seconds */
	clock_set(&g.clk, 5 * NS_PER_SEC + 999 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x58);
	clock_set(&g.clk, 8 * NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x00), 0x01);
	CHECK_EQ(rd(&g, 0x02), 0x00);
	CHECK_EQ(rd(&g, 0x04), 0x00);
	CHECK_EQ(rd(&g, 0x06), 0x07);		/* 1 Jan 2000 was a Saturday */
	CHECK_EQ(rd(&g, 0x07), 0x01);
	CHECK_EQ(rd(&g, 0x08), 0x01);
	CHECK_EQ(rd(&g, 0x09), 0x00);
	CHECK_EQ(rd(&g, 0x32), 0x20);
	rig_fini(&g);
}

static void test_set_time_binary_12h(void)
{
	struct rig g;
	rig_init(&g);
	/* the format changes first: the chip never converts what it holds */
	wr(&g, 0x0b, 0x04);
	wr(&g, 0x0b, 0x84);			/* SET, binary, 12 hour */
	wr(&g, 0x04, 0x80 | 11);		/* 11 PM */
	wr(&g, 0x02, 59);
	wr(&g, 0x00, 59);
	wr(&g, 0x0b, 0x04);
	clock_set(&g.clk, NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x04), 12);		/* 12 AM, next day */
	CHECK_EQ(rd(&g, 0x07), 16);
	wr(&g, 0x0b, 0x06);
	CHECK_EQ(rd(&g, 0x04), 0);
	rig_fini(&g);
}

static void test_write_while_running(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 400 * MS);
	wr(&g, 0x02, 0x10);			/* minutes, no SET */
	CHECK_EQ(rd(&g, 0x02), 0x10);
	CHECK_EQ(rd(&g, 0x00), 0x30);
	clock_set(&g.clk, 1000 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x31);
	CHECK_EQ(rd(&g, 0x02), 0x10);
	rig_fini(&g);
}

static void test_uip_window(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 500 * MS);
	CHECK_EQ(rd(&g, 0x0a), 0x26);
	clock_set(&g.clk, NS_PER_SEC - 245 * US);
	CHECK_EQ(rd(&g, 0x0a), 0x26);
	clock_set(&g.clk, NS_PER_SEC - 244 * US);
	CHECK_EQ(rd(&g, 0x0a), 0xa6);
	CHECK_EQ(rd(&g, 0x00), 0x30);		/* not yet updated */
	clock_set(&g.clk, NS_PER_SEC - 1);
	CHECK_EQ(rd(&g, 0x0a), 0xa6);
	clock_set(&g.clk, NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x0a), 0x26);
	CHECK_EQ(rd(&g, 0x00), 0x31);
	/* a guest polling for the falling edge sees 1 then 0 */
	int seen1 = 0, fell = 0;
	for (int64_t t = 2 * NS_PER_SEC - 1 * MS; t < 2 * NS_PER_SEC + 1 * MS; t += 50 * US) {
		clock_set(&g.clk, t);
		uint8_t a = rd(&g, 0x0a);
		if (a & 0x80)
			seen1 = 1;
		else if (seen1 && !fell) {
			fell = 1;
			CHECK_EQ(rd(&g, 0x00), 0x32);
		}
	}
	CHECK(seen1 && fell);
	/* UIP is read-only */
	wr(&g, 0x0a, 0xa6);
	clock_set(&g.clk, 2500 * MS);
	CHECK_EQ(rd(&g, 0x0a), 0x26);
	rig_fini(&g);
}

static void test_divider_reset(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 200 * MS);
	wr(&g, 0x0a, 0x76);			/* divider held in reset */
	clock_set(&g.clk, 10 * NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x00), 0x30);
	wr(&g, 0x0a, 0x26);
	/* the first update comes 500 ms after the divider is released */
	clock_set(&g.clk, 10 * NS_PER_SEC + 499 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x30);
	clock_set(&g.clk, 10 * NS_PER_SEC + 500 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x31);
	clock_set(&g.clk, 11 * NS_PER_SEC + 500 * MS);
	CHECK_EQ(rd(&g, 0x00), 0x32);
	rig_fini(&g);
}

/* count IRQ 8 over one virtual second, acknowledging by reading C */
static int count_periodic(struct rig *g, int64_t t0, int64_t step)
{
	int n = 0;
	for (int64_t t = t0 + step; t <= t0 + NS_PER_SEC; t += step) {
		clock_set(&g->clk, t);
		if (irq_level(g)) {
			uint8_t c = rd(g, 0x0c);
			if ((c & 0xc0) == 0xc0)
				n++;
			if (irq_level(g))
				return -1;
		}
	}
	return n;
}

static void test_periodic_rates(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 300 * MS);
	wr(&g, 0x0b, 0x42);			/* PIE, rate 6 */
	rd(&g, 0x0c);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(count_periodic(&g, 300 * MS, 100 * US), 1024);

	wr(&g, 0x0a, 0x2f);			/* rate 15: 2 Hz */
	rd(&g, 0x0c);
	CHECK_EQ(count_periodic(&g, 1300 * MS, 10 * MS), 2);

	wr(&g, 0x0a, 0x23);			/* rate 3: 8192 Hz */
	rd(&g, 0x0c);
	CHECK_EQ(count_periodic(&g, 2300 * MS, 50 * US), 8192);

	wr(&g, 0x0a, 0x21);			/* rate 1 repeats rate 8: 256 Hz */
	rd(&g, 0x0c);
	CHECK_EQ(count_periodic(&g, 3300 * MS, 500 * US), 256);

	/* rate 0 stops it */
	wr(&g, 0x0a, 0x20);
	rd(&g, 0x0c);
	CHECK_EQ(count_periodic(&g, 4300 * MS, 1 * MS), 0);
	rig_fini(&g);
}

static void test_periodic_period(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x42);			/* PIE, 1024 Hz from clock 0 */
	clock_set(&g.clk, 976562);
	CHECK_EQ(irq_level(&g), 0);
	clock_set(&g.clk, 976563);		/* 1/1024 s, rounded up */
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(g.edges, 1);
	rig_fini(&g);
}

static void test_alarm_dont_care(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0a, 0x20);			/* no periodic flag */
	wr(&g, 0x05, 0xc0);			/* any hour */
	wr(&g, 0x03, 0x46);
	wr(&g, 0x01, 0x00);
	wr(&g, 0x0b, 0x22);			/* AIE */
	clock_set(&g.clk, 29999 * MS);
	CHECK_EQ(irq_level(&g), 0);
	clock_set(&g.clk, 30 * NS_PER_SEC);	/* 13:46:00 */
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x0c), 0xb0);		/* IRQF, AF, and UF (not enabled) */
	CHECK_EQ(irq_level(&g), 0);
	/* the next match is an hour on */
	clock_set(&g.clk, 3629 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(rd(&g, 0x0c) & 0x20, 0);
	clock_set(&g.clk, 3630 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x0c), 0xb0);
	rig_fini(&g);
}

static void test_alarm_every_second(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x05, 0xff);
	wr(&g, 0x03, 0xff);
	wr(&g, 0x01, 0xc5);
	wr(&g, 0x0b, 0x22);
	int n = 0;
	for (int64_t t = 10 * MS; t <= 5 * NS_PER_SEC; t += 10 * MS) {
		clock_set(&g.clk, t);
		if (irq_level(&g)) {
			CHECK_EQ(rd(&g, 0x0c) & 0xa0, 0xa0);
			n++;
		}
	}
	CHECK_EQ(n, 5);
	rig_fini(&g);
}

static void test_alarm_exact_12h(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0a, 0x20);
	wr(&g, 0x0b, 0x00);			/* BCD, 12 hour */
	wr(&g, 0x05, 0x81);			/* 1 PM */
	wr(&g, 0x03, 0x45);
	wr(&g, 0x01, 0x33);
	wr(&g, 0x0b, 0x20);			/* AIE */
	clock_set(&g.clk, 2 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 0);
	clock_set(&g.clk, 3 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x0c), 0xb0);
	/* 1 AM does not match 1 PM */
	wr(&g, 0x05, 0x01);
	clock_set(&g.clk, 86400LL * NS_PER_SEC / 2);
	CHECK_EQ(g.edges, 1);
	rig_fini(&g);
}

static void test_alarm_flag_without_aie(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x01, 0x31);
	wr(&g, 0x03, 0x45);
	wr(&g, 0x05, 0x13);
	clock_set(&g.clk, 1500 * MS);
	CHECK_EQ(irq_level(&g), 0);
	/* PF (rate 6 runs by default), AF and UF, but no IRQF */
	CHECK_EQ(rd(&g, 0x0c), 0x70);
	CHECK_EQ(rd(&g, 0x0c), 0x00);
	rig_fini(&g);
}

static void test_update_interrupt(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0a, 0x20);
	wr(&g, 0x0b, 0x12);			/* UIE */
	clock_set(&g.clk, 999 * MS);
	CHECK_EQ(irq_level(&g), 0);
	clock_set(&g.clk, NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x00), 0x31);		/* update ended: new time visible */
	CHECK_EQ(rd(&g, 0x0c), 0x90);
	CHECK_EQ(irq_level(&g), 0);
	int n = 0;
	for (int64_t t = NS_PER_SEC + 10 * MS; t <= 6 * NS_PER_SEC; t += 10 * MS) {
		clock_set(&g.clk, t);
		if (irq_level(&g)) {
			n++;
			rd(&g, 0x0c);
		}
	}
	CHECK_EQ(n, 5);
	CHECK_EQ(g.edges, 6);
	rig_fini(&g);
}

static void test_set_clears_uie(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x12);
	wr(&g, 0x0b, 0x92);
	CHECK_EQ(rd(&g, 0x0b), 0x82);
	/* no updates, no UF while SET */
	clock_set(&g.clk, 3 * NS_PER_SEC);
	CHECK_EQ(rd(&g, 0x0c) & 0x10, 0);
	rig_fini(&g);
}

static void test_regc_clear_on_read(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x52);			/* PIE and UIE */
	clock_set(&g.clk, 2 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x0c), 0xd0);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(rd(&g, 0x0c), 0x00);
	/* register C is read-only */
	wr(&g, 0x0c, 0xff);
	CHECK_EQ(rd(&g, 0x0c), 0x00);
	/* enabling an interrupt whose flag is already set raises IRQ 8 */
	wr(&g, 0x0b, 0x02);
	clock_set(&g.clk, 3 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 0);
	wr(&g, 0x0b, 0x12);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rd(&g, 0x0c), 0xd0);
	CHECK_EQ(irq_level(&g), 0);
	rig_fini(&g);
}

static void test_regd_vrt(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(rd(&g, 0x0d), 0x80);
	wr(&g, 0x0d, 0x00);
	CHECK_EQ(rd(&g, 0x0d), 0x80);
	rig_fini(&g);
}

static void test_cmos_ram(void)
{
	struct rig g;
	rig_init(&g);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			wr(&g, (uint8_t)i, (uint8_t)(i * 7 + 3));
	int bad = 0;
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32 && rd(&g, (uint8_t)i) != (uint8_t)(i * 7 + 3))
			bad++;
	CHECK_EQ(bad, 0);
	/* board-side access sees the same bytes */
	rtc_cmos_set(g.r, 0x15, 0x80);
	rtc_cmos_set(g.r, 0x34, 0x12);
	CHECK_EQ(rd(&g, 0x15), 0x80);
	CHECK_EQ(rd(&g, 0x34), 0x12);
	wr(&g, 0x5f, 0x03);
	CHECK_EQ(rtc_cmos_get(g.r, 0x5f), 0x03);
	CHECK_EQ(rtc_cmos_get(g.r, 0x0d), 0x80);
	/* the index wraps at 128: bit 7 is the NMI mask, not an address bit */
	wr(&g, 0x80 | 0x20, 0x5a);
	CHECK_EQ(rd(&g, 0x20), 0x5a);
	/* CMOS survives a reset */
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(rd(&g, 0x20), 0x5a);
	CHECK_EQ(rd(&g, 0x15), 0x80);
	rig_fini(&g);
}

static void test_nmi_mask(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(rtc_nmi_masked(g.r), 0);
	bus_write(&g.io, 0x70, 0x8f, 1);
	CHECK_EQ(rtc_nmi_masked(g.r), 1);
	bus_write(&g.io, 0x71, 0x44, 1);	/* goes to register 0x0f */
	CHECK_EQ(rtc_cmos_get(g.r, 0x0f), 0x44);
	CHECK_EQ(rtc_nmi_masked(g.r), 1);
	bus_write(&g.io, 0x70, 0x0f, 1);
	CHECK_EQ(rtc_nmi_masked(g.r), 0);
	CHECK_EQ(bus_read(&g.io, 0x71, 1), 0x44);
	rig_fini(&g);
}

static void test_reset_clears_enables(void)
{
	struct rig g;
	rig_init(&g);
	wr(&g, 0x0b, 0x7e);			/* PIE AIE UIE SQWE DM 24h */
	clock_set(&g.clk, NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(rd(&g, 0x0b), 0x06);
	CHECK_EQ(rd(&g, 0x0c), 0x00);
	CHECK_EQ(rd(&g, 0x00), 31);		/* time kept, binary kept */
	rig_fini(&g);
}

static void test_save_load(void)
{
	struct rig g;
	rig_init(&g);
	clock_set(&g.clk, 200 * MS);
	wr(&g, 0x0b, 0x82);
	wr(&g, 0x02, 0x07);
	wr(&g, 0x0b, 0x12);			/* running again with UIE */
	wr(&g, 0x01, 0x42);
	wr(&g, 0x40, 0x99);
	bus_write(&g.io, 0x70, 0x8b, 1);	/* NMI masked, index B */
	clock_set(&g.clk, NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);

	struct snap sn;
	snap_init(&sn);
	g.dev.save(g.dev.opaque, &sn);
	CHECK(!sn.error);

	/* scramble, then restore */
	wr(&g, 0x40, 0x00);
	wr(&g, 0x01, 0x00);
	wr(&g, 0x02, 0x30);
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(rtc_nmi_masked(g.r), 0);

	sn.pos = 0;
	CHECK_EQ(g.dev.load(g.dev.opaque, &sn), 0);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(rtc_nmi_masked(g.r), 1);
	CHECK_EQ(bus_read(&g.io, 0x71, 1), 0x12);	/* index B came back */
	CHECK_EQ(rd(&g, 0x40), 0x99);
	CHECK_EQ(rd(&g, 0x01), 0x42);
	CHECK_EQ(rd(&g, 0x02), 0x07);
	CHECK_EQ(rd(&g, 0x00), 0x31);
	CHECK_EQ(rd(&g, 0x0c), 0xd0);
	/* the update timer was re-armed */
	clock_set(&g.clk, 2 * NS_PER_SEC);
	CHECK_EQ(irq_level(&g), 1);

	/* a truncated image is refused */
	struct snap bad;
	snap_init(&bad);
	snap_put(&bad, sn.buf, 12);
	CHECK_EQ(g.dev.load(g.dev.opaque, &bad), -1);
	snap_free(&bad);
	snap_free(&sn);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("rtc146818");
	RUN(test_reset_values);
	RUN(test_time_bcd);
	RUN(test_time_binary);
	RUN(test_time_12h);
	RUN(test_time_advances);
	RUN(test_set_time);
	RUN(test_set_time_binary_12h);
	RUN(test_write_while_running);
	RUN(test_uip_window);
	RUN(test_divider_reset);
	RUN(test_periodic_rates);
	RUN(test_periodic_period);
	RUN(test_alarm_dont_care);
	RUN(test_alarm_every_second);
	RUN(test_alarm_exact_12h);
	RUN(test_alarm_flag_without_aie);
	RUN(test_update_interrupt);
	RUN(test_set_clears_uie);
	RUN(test_regc_clear_on_read);
	RUN(test_regd_vrt);
	RUN(test_cmos_ram);
	RUN(test_nmi_mask);
	RUN(test_reset_clears_enables);
	RUN(test_save_load);
	return CHECK_EXIT();
}
