/* Unit tests for the HPET: registers, the 100 MHz counter, one-shot and
 * periodic interrupts at exact virtual times, 32-bit mode, level status,
 * legacy replacement routing, save/load. */
// SPDX-License-Identifier: MIT
#include "hw/hpet.h"

#include <string.h>
#include "testsuite/unit/check.h"

#define B HPET_BASE
#define CFG 0x010
#define ISR 0x020
#define CNT 0x0f0
#define TCFG(n) (0x100 + 0x20 * (n))
#define TCMP(n) (0x108 + 0x20 * (n))

enum { LEVEL = 1 << 1, ENB = 1 << 2, PERIODIC = 1 << 3, VAL_SET = 1 << 6, MODE32 = 1 << 8 };
#define ROUTE(r) ((r) << 9)

struct line {
	int level, rises;
};

struct rig {
	struct bus mmio;
	struct vclock clk;
	struct hpet *h;
	struct device dev;
	struct line gsi[HPET_GSIS];
};

static void on_line(void *opaque, int n, int level)
{
	struct line *l = &((struct rig *)opaque)->gsi[n];
	if (level && !l->level)
		l->rises++;
	l->level = level;
}

static void rig_connect(struct rig *r)
{
	for (int g = 0; g < HPET_GSIS; g++)
		irq_connect(hpet_irq(r->h, g), on_line, r, g);
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->mmio, "mmio");
	clock_init(&r->clk, CLOCK_MANUAL);
	r->h = hpet_new(&r->mmio, &r->clk, &r->dev);
	rig_connect(r);
	r->dev.reset(r->dev.opaque);
}

static void rig_fini(struct rig *r)
{
	hpet_free(r->h);
	bus_destroy(&r->mmio);
}

static uint64_t rd64(struct rig *r, unsigned off) { return bus_read(&r->mmio, B + off, 8); }
static uint32_t rd32(struct rig *r, unsigned off) { return (uint32_t)bus_read(&r->mmio, B + off, 4); }
static void wr64(struct rig *r, unsigned off, uint64_t v) { bus_write(&r->mmio, B + off, v, 8); }
static void wr32(struct rig *r, unsigned off, uint32_t v) { bus_write(&r->mmio, B + off, v, 4); }
static void at(struct rig *r, int64_t ns) { clock_set(&r->clk, ns); }

static void test_registers(void)
{
	struct rig r;
	rig_init(&r);
	/* vendor 8086, LEG_RT_CAP, 64-bit counter, 3 timers, rev 1; 10 ns */
	CHECK_EQ(rd64(&r, 0), 0x009896808086a201ull);
	CHECK_EQ(rd32(&r, 0), 0x8086a201u);
	CHECK_EQ(rd32(&r, 4), 10000000u);
	wr64(&r, 0, 0);				/* read-only */
	CHECK_EQ(rd64(&r, 0), 0x009896808086a201ull);
	CHECK_EQ(rd64(&r, CFG), 0);
	wr64(&r, CFG, ~0ull);
	CHECK_EQ(rd64(&r, CFG), 3);
	wr64(&r, CFG, 0);
	for (int n = 0; n < HPET_TIMERS; n++) {
		/* route capability GSI 2; periodic and 64-bit capable; no FSB */
		CHECK_EQ(rd64(&r, TCFG(n)), 0x0000000400000030ull);
		CHECK_EQ(rd64(&r, TCMP(n)), ~0ull);
	}
	wr64(&r, TCFG(2), ~0ull);
	/* every writable bit but FSB_EN; route 31 is not offered */
	CHECK_EQ(rd64(&r, TCFG(2)), 0x000000040000017eull);
	wr32(&r, TCFG(2), ROUTE(2) | LEVEL);
	CHECK_EQ(rd32(&r, TCFG(2)), ROUTE(2) | LEVEL | 0x30);
	wr32(&r, TCFG(2), ROUTE(5));		/* refused: keeps route 2 */
	CHECK_EQ(rd32(&r, TCFG(2)), ROUTE(2) | 0x30);
	/* no timer 3: reads 0, writes go nowhere */
	wr64(&r, TCFG(3), ~0ull);
	CHECK_EQ(rd64(&r, TCFG(3)), 0);
	CHECK_EQ(rd64(&r, 0x3f8), 0);
	/* byte reads of the capability word */
	CHECK_EQ(bus_read(&r.mmio, B + 2, 1), 0x86);
	CHECK_EQ(bus_read(&r.mmio, B + 3, 1), 0x80);
	rig_fini(&r);
}

static void test_counter(void)
{
	struct rig r;
	rig_init(&r);
	at(&r, 12345);
	CHECK_EQ(rd64(&r, CNT), 0);		/* halted */
	wr32(&r, CNT, 0x11223344);
	wr32(&r, CNT + 4, 0x55667788);
	CHECK_EQ(rd64(&r, CNT), 0x5566778811223344ull);
	wr64(&r, CNT, 1000);
	CHECK_EQ(rd64(&r, CNT), 1000);
	wr64(&r, CFG, 1);
	at(&r, 12345 + 9);
	CHECK_EQ(rd64(&r, CNT), 1000);		/* 10 ns a tick */
	at(&r, 12345 + 10);
	CHECK_EQ(rd64(&r, CNT), 1001);
	at(&r, 12345 + 1000000);
	CHECK_EQ(rd64(&r, CNT), 1000 + 100000);	/* 100 MHz */
	CHECK_EQ(rd32(&r, CNT), 1000 + 100000);
	wr64(&r, CNT, 5);			/* ignored while running */
	CHECK_EQ(rd64(&r, CNT), 1000 + 100000);
	wr64(&r, CFG, 0);			/* halt: the count stays */
	at(&r, 12345 + 2000000);
	CHECK_EQ(rd64(&r, CNT), 1000 + 100000);
	wr64(&r, CFG, 1);			/* and runs on from there */
	at(&r, 12345 + 2000100);
	CHECK_EQ(rd64(&r, CNT), 1000 + 100010);
	/* a 32-bit reader sees the low half carry into the high one */
	wr64(&r, CFG, 0);
	wr64(&r, CNT, 0xfffffffeull);
	wr64(&r, CFG, 1);
	at(&r, 12345 + 2000100 + 30);
	CHECK_EQ(rd32(&r, CNT), 1);
	CHECK_EQ(rd32(&r, CNT + 4), 1);
	rig_fini(&r);
}

static void test_oneshot_edge(void)
{
	struct rig r;
	rig_init(&r);
	wr64(&r, TCFG(2), ROUTE(2) | ENB);
	wr64(&r, TCMP(2), 1000);
	at(&r, 500);
	wr64(&r, CFG, 1);			/* counter 0 at 500 ns */
	at(&r, 500 + 9999);
	CHECK_EQ(r.gsi[2].rises, 0);
	at(&r, 500 + 10000);
	CHECK_EQ(r.gsi[2].rises, 1);
	CHECK_EQ(r.gsi[2].level, 0);		/* an edge: pulsed */
	CHECK_EQ(rd64(&r, ISR), 0);		/* edge mode sets no status */
	at(&r, 500 + 100000000);		/* a one-shot fires once */
	CHECK_EQ(r.gsi[2].rises, 1);
	/* a 64-bit comparator below the counter matches only after the
	 * counter wraps: never */
	wr64(&r, TCMP(2), 5);
	at(&r, 500 + 200000000);
	CHECK_EQ(r.gsi[2].rises, 1);
	/* equal to the counter now: fires now */
	uint64_t now = rd64(&r, CNT);
	wr64(&r, TCMP(2), now);
	CHECK_EQ(r.gsi[2].rises, 1);
	clock_run_timers(&r.clk);
	CHECK_EQ(r.gsi[2].rises, 2);
	/* INT_ENB clear: the timer runs, no interrupt */
	wr64(&r, TCFG(2), ROUTE(2));
	wr64(&r, TCMP(2), now + 100);
	at(&r, 500 + 200000000 + 2000);
	CHECK_EQ(r.gsi[2].rises, 2);
	/* no route the board has (route 0 outside legacy mode): nothing */
	wr64(&r, TCFG(1), ENB);
	wr64(&r, TCMP(1), rd64(&r, CNT) + 10);
	at(&r, 500 + 200000000 + 4000);
	CHECK_EQ(r.gsi[0].rises, 0);
	rig_fini(&r);
}

static void test_periodic(void)
{
	struct rig r;
	rig_init(&r);
	/* Linux's way: periodic, VAL_SET, then comparator = start, then
	 * comparator = period */
	wr64(&r, TCFG(2), ROUTE(2) | ENB | PERIODIC | VAL_SET);
	wr64(&r, TCMP(2), 500);
	wr64(&r, TCMP(2), 500);
	CHECK_EQ(rd64(&r, TCFG(2)) & VAL_SET, 0);	/* cleared by the write */
	CHECK_EQ(rd64(&r, TCMP(2)), 500);
	wr64(&r, CFG, 1);
	at(&r, 4999);
	CHECK_EQ(r.gsi[2].rises, 0);
	at(&r, 5000);
	CHECK_EQ(r.gsi[2].rises, 1);
	CHECK_EQ(rd64(&r, TCMP(2)), 1000);	/* the comparator steps on */
	at(&r, 9999);
	CHECK_EQ(r.gsi[2].rises, 1);
	at(&r, 10000);
	CHECK_EQ(r.gsi[2].rises, 2);
	at(&r, 15000);
	CHECK_EQ(r.gsi[2].rises, 3);
	/* a stalled host: one interrupt, and the phase is kept */
	at(&r, 52000);
	CHECK_EQ(r.gsi[2].rises, 4);
	CHECK_EQ(rd64(&r, TCMP(2)), 5500);
	at(&r, 55000);
	CHECK_EQ(r.gsi[2].rises, 5);
	/* a comparator write without VAL_SET changes the period only */
	wr64(&r, TCMP(2), 1000);
	CHECK_EQ(rd64(&r, TCMP(2)), 6000);
	at(&r, 60000);
	CHECK_EQ(r.gsi[2].rises, 6);
	CHECK_EQ(rd64(&r, TCMP(2)), 7000);
	at(&r, 70000);
	CHECK_EQ(r.gsi[2].rises, 7);
	/* halting stops the interrupts */
	wr64(&r, CFG, 0);
	at(&r, 200000);
	CHECK_EQ(r.gsi[2].rises, 7);
	rig_fini(&r);
}

static void test_mode32(void)
{
	struct rig r;
	rig_init(&r);
	wr64(&r, CNT, 0xffffff00ull);
	/* 32-bit mode: the comparator's upper half reads 0 and stays 0 */
	wr64(&r, TCFG(2), ROUTE(2) | ENB | MODE32);
	CHECK_EQ(rd64(&r, TCMP(2)), 0xffffffffull);
	wr32(&r, TCMP(2) + 4, 0x1234);
	CHECK_EQ(rd64(&r, TCMP(2)), 0xffffffffull);
	wr64(&r, TCMP(2), 0xabcd00000010ull);
	CHECK_EQ(rd64(&r, TCMP(2)), 0x10);
	wr64(&r, CFG, 1);
	/* one-shot across the wrap: an interrupt as the low half wraps
	 * (0x100 ticks), then the match (0x110 ticks) */
	at(&r, 0x100 * 10 - 1);
	CHECK_EQ(r.gsi[2].rises, 0);
	at(&r, 0x100 * 10);
	CHECK_EQ(r.gsi[2].rises, 1);
	CHECK_EQ(rd64(&r, CNT), 0x100000000ull);
	at(&r, 0x110 * 10 - 1);
	CHECK_EQ(r.gsi[2].rises, 1);
	at(&r, 0x110 * 10);
	CHECK_EQ(r.gsi[2].rises, 2);
	at(&r, 0x110 * 10 + 100000);
	CHECK_EQ(r.gsi[2].rises, 2);
	rig_fini(&r);

	/* periodic in 32-bit mode wraps its comparator with the counter */
	rig_init(&r);
	wr64(&r, CNT, 0xffffff00ull);
	wr64(&r, TCFG(2), ROUTE(2) | ENB | MODE32 | PERIODIC | VAL_SET);
	wr64(&r, TCMP(2), 0xffffff80u);
	wr64(&r, TCMP(2), 0x100);
	wr64(&r, CFG, 1);
	at(&r, 0x80 * 10);
	CHECK_EQ(r.gsi[2].rises, 1);
	CHECK_EQ(rd64(&r, TCMP(2)), 0x80);	/* 0xffffff80 + 0x100, 32 bits */
	at(&r, 0x180 * 10 - 1);
	CHECK_EQ(r.gsi[2].rises, 1);
	at(&r, 0x180 * 10);
	CHECK_EQ(r.gsi[2].rises, 2);
	CHECK_EQ(rd64(&r, TCMP(2)), 0x180);
	/* leaving 32-bit mode keeps the truncated values */
	wr64(&r, TCFG(2), ROUTE(2) | ENB | PERIODIC);
	CHECK_EQ(rd64(&r, TCMP(2)), 0x180);
	rig_fini(&r);
}

static void test_level_status(void)
{
	struct rig r;
	rig_init(&r);
	wr64(&r, TCFG(2), ROUTE(2) | LEVEL);	/* INT_ENB still clear */
	wr64(&r, TCMP(2), 100);
	wr64(&r, CFG, 1);
	at(&r, 1000);
	/* the status bit is set without the interrupt enabled */
	CHECK_EQ(rd64(&r, ISR), 1u << 2);
	CHECK_EQ(r.gsi[2].level, 0);
	wr64(&r, TCFG(2), ROUTE(2) | LEVEL | ENB);
	CHECK_EQ(r.gsi[2].level, 1);
	/* writing 0 changes nothing; 1 clears the bit and drops the line */
	wr32(&r, ISR, 0);
	CHECK_EQ(rd64(&r, ISR), 1u << 2);
	CHECK_EQ(r.gsi[2].level, 1);
	wr32(&r, ISR, 1u << 2);
	CHECK_EQ(rd64(&r, ISR), 0);
	CHECK_EQ(r.gsi[2].level, 0);
	/* halting the HPET drops the line but keeps the status */
	wr64(&r, TCMP(2), rd64(&r, CNT) + 10);
	at(&r, 1100);
	CHECK_EQ(r.gsi[2].level, 1);
	wr64(&r, CFG, 0);
	CHECK_EQ(r.gsi[2].level, 0);
	CHECK_EQ(rd64(&r, ISR), 1u << 2);
	wr64(&r, CFG, 1);
	CHECK_EQ(r.gsi[2].level, 1);
	/* switching to edge mode drops the pending level interrupt */
	wr64(&r, TCFG(2), ROUTE(2) | ENB);
	CHECK_EQ(r.gsi[2].level, 0);
	CHECK_EQ(rd64(&r, ISR), 0);
	/* two level timers share GSI 2: the line stays up until both clear */
	wr64(&r, TCFG(1), ROUTE(2) | LEVEL | ENB);
	wr64(&r, TCFG(2), ROUTE(2) | LEVEL | ENB);
	uint64_t c = rd64(&r, CNT);
	wr64(&r, TCMP(1), c + 10);
	wr64(&r, TCMP(2), c + 20);
	at(&r, 1400);
	CHECK_EQ(rd64(&r, ISR), 6);
	CHECK_EQ(r.gsi[2].level, 1);
	wr32(&r, ISR, 2);
	CHECK_EQ(r.gsi[2].level, 1);
	wr32(&r, ISR, 4);
	CHECK_EQ(r.gsi[2].level, 0);
	rig_fini(&r);
}

static void test_legacy(void)
{
	struct rig r;
	rig_init(&r);
	/* outside legacy mode the PIT and RTC pass through */
	hpet_legacy_in(r.h, HPET_IN_PIT, 1);
	CHECK_EQ(r.gsi[0].level, 1);
	hpet_legacy_in(r.h, HPET_IN_PIT, 0);
	CHECK_EQ(r.gsi[0].level, 0);
	hpet_legacy_in(r.h, HPET_IN_RTC, 1);
	CHECK_EQ(r.gsi[8].level, 1);
	CHECK_EQ(hpet_legacy(r.h), 0);
	/* legacy replacement: both cut off, timer 0 -> GSI 0, timer 1 -> 8,
	 * whatever their INT_ROUTE says */
	wr64(&r, CFG, 2);
	CHECK_EQ(hpet_legacy(r.h), 1);
	CHECK_EQ(r.gsi[8].level, 0);
	hpet_legacy_in(r.h, HPET_IN_PIT, 1);
	CHECK_EQ(r.gsi[0].level, 0);
	CHECK_EQ(r.gsi[0].rises, 1);
	wr64(&r, TCFG(0), ROUTE(2) | ENB | PERIODIC | VAL_SET);
	wr64(&r, TCMP(0), 100000);
	wr64(&r, TCMP(0), 100000);
	wr64(&r, TCFG(1), ROUTE(2) | ENB | LEVEL);
	wr64(&r, TCMP(1), 50);
	wr64(&r, CFG, 3);
	at(&r, 500);
	CHECK_EQ(r.gsi[8].level, 1);
	CHECK_EQ(r.gsi[2].rises, 0);
	wr32(&r, ISR, 2);
	CHECK_EQ(r.gsi[8].level, 0);
	at(&r, 1000000);
	CHECK_EQ(r.gsi[0].rises, 2);
	at(&r, 2000000);
	CHECK_EQ(r.gsi[0].rises, 3);
	CHECK_EQ(r.gsi[2].rises, 0);
	/* legacy off: the inputs' levels come back */
	wr64(&r, CFG, 1);
	CHECK_EQ(r.gsi[0].level, 1);
	CHECK_EQ(r.gsi[8].level, 1);
	/* and timer 0 goes back to its own route */
	at(&r, 3000000);
	CHECK_EQ(r.gsi[2].rises, 1);
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig a, b;
	rig_init(&a);
	wr64(&a, TCFG(2), ROUTE(2) | ENB | PERIODIC | VAL_SET);
	wr64(&a, TCMP(2), 700);
	wr64(&a, TCMP(2), 700);
	wr64(&a, TCFG(1), ROUTE(2) | ENB | LEVEL);
	wr64(&a, TCMP(1), 20);
	wr64(&a, CFG, 1);
	at(&a, 3000);
	CHECK_EQ(rd64(&a, ISR), 2);
	struct snap s;
	snap_init(&s);
	a.dev.save(a.dev.opaque, &s);

	rig_init(&b);
	at(&b, 3000);
	s.pos = 0;
	CHECK_EQ(b.dev.load(b.dev.opaque, &s), 0);
	CHECK_EQ(rd64(&b, CNT), rd64(&a, CNT));
	CHECK_EQ(rd64(&b, ISR), 2);
	/* the level line came back (set silently: the receiver restores its
	 * own side, as our mirror of it does here) */
	CHECK_EQ(hpet_irq(b.h, 2)->level, 1);
	b.gsi[2].level = 1;
	CHECK_EQ(rd64(&b, TCMP(2)), 700);
	wr32(&b, ISR, 2);
	CHECK_EQ(b.gsi[2].level, 0);
	at(&b, 6999);
	CHECK_EQ(b.gsi[2].rises, 0);
	at(&b, 7000);
	CHECK_EQ(b.gsi[2].rises, 1);
	CHECK_EQ(rd64(&b, TCMP(2)), 1400);
	at(&b, 14000);
	CHECK_EQ(b.gsi[2].rises, 2);
	CHECK_EQ(rd64(&b, TCMP(2)), 2100);

	/* a truncated or doctored snapshot is refused */
	struct snap bad;
	snap_init(&bad);
	snap_put(&bad, s.buf, s.len / 2);
	bad.pos = 0;
	CHECK(b.dev.load(b.dev.opaque, &bad) < 0);
	snap_free(&bad);
	snap_free(&s);
	rig_fini(&a);
	rig_fini(&b);
}

/* whatever a guest writes anywhere, in any width, nothing breaks and a
 * tiny period cannot flood the host with callbacks */
static void test_any_write(void)
{
	struct rig r;
	rig_init(&r);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned off = (unsigned)(x >> 40) % HPET_LEN;
		unsigned size = 1u << ((x >> 20) & 3);
		if (off + size > HPET_LEN)
			continue;
		if (x & 1)
			bus_write(&r.mmio, B + off, x * 0x2545f4914f6cdd1dull, size);
		else
			(void)bus_read(&r.mmio, B + off, size);
		if ((i & 255) == 0)
			at(&r, clock_ns(&r.clk) + 1000);
	}
	/* a period of one tick: at most one callback per microsecond */
	wr64(&r, CFG, 0);
	wr64(&r, CNT, 0);
	wr64(&r, TCFG(0), ENB | PERIODIC | VAL_SET);
	wr64(&r, TCMP(0), 1);
	wr64(&r, TCMP(0), 1);
	wr64(&r, CFG, 3);
	int64_t t0 = clock_ns(&r.clk);
	int fired = 0;
	for (int64_t t = t0; t < t0 + 100000; t += 50) {
		r.clk.manual_ns = t;
		fired += clock_run_timers(&r.clk);
	}
	CHECK(fired <= 101);
	CHECK(fired >= 90);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("hpet");
	RUN(test_registers);
	RUN(test_counter);
	RUN(test_oneshot_edge);
	RUN(test_periodic);
	RUN(test_mode32);
	RUN(test_level_status);
	RUN(test_legacy);
	RUN(test_save_load);
	RUN(test_any_write);
	return CHECK_EXIT();
}
