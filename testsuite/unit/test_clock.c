/* Unit tests of the virtual clock, timers and save-state buffer. */
// SPDX-License-Identifier: MIT
#include "hw/clock.h"

#include "hw/snap.h"
#include "testsuite/unit/check.h"

struct rec {
	int order[8];
	int n;
};

struct tctx {
	struct rec *r;
	int id;
	struct timer *t;
	int64_t period;
};

static void cb(void *opaque)
{
	struct tctx *c = opaque;
	c->r->order[c->r->n++ & 7] = c->id;
	if (c->period)
		timer_mod(c->t, c->t->clock->manual_ns + c->period);
}

static void test_order_and_due(void)
{
	struct vclock clk;
	struct rec r = { { 0 }, 0 };
	struct timer t[3];
	struct tctx c[3];
	clock_init(&clk, CLOCK_MANUAL);
	for (int i = 0; i < 3; i++) {
		c[i] = (struct tctx){ &r, i, &t[i], 0 };
		timer_init(&t[i], &clk, cb, &c[i]);
	}
	timer_mod(&t[0], 300);
	timer_mod(&t[1], 100);
	timer_mod(&t[2], 200);
	CHECK_EQ(clock_next_deadline(&clk), 100);
	clock_set(&clk, 99);
	CHECK_EQ(r.n, 0);
	clock_set(&clk, 250);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.order[0], 1);
	CHECK_EQ(r.order[1], 2);
	timer_del(&t[0]);
	clock_set(&clk, 1000);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(clock_next_deadline(&clk), CLOCK_NEVER);
	CHECK(!timer_pending(&t[0]));
}

static void test_periodic_rearm(void)
{
	struct vclock clk;
	struct rec r = { { 0 }, 0 };
	struct timer t;
	struct tctx c = { &r, 7, &t, 10 };
	clock_init(&clk, CLOCK_MANUAL);
	timer_init(&t, &clk, cb, &c);
	timer_mod(&t, 10);
	for (int64_t ns = 0; ns <= 100; ns += 10)
		clock_set(&clk, ns);
	CHECK_EQ(r.n, 10);
	CHECK_EQ(clock_next_deadline(&clk), 110);
}

static int notified;
static void on_notify(void *opaque)
{
	(void)opaque;
	notified++;
}

static void test_notify_on_earlier(void)
{
	struct vclock clk;
	struct rec r = { { 0 }, 0 };
	struct timer a, b;
	struct tctx ca = { &r, 0, &a, 0 }, cb2 = { &r, 1, &b, 0 };
	clock_init(&clk, CLOCK_MANUAL);
	clk.notify = on_notify;
	timer_init(&a, &clk, cb, &ca);
	timer_init(&b, &clk, cb, &cb2);
	notified = 0;
	timer_mod(&a, 500);
	CHECK_EQ(notified, 1);
	timer_mod(&b, 900);	/* later: the loop's sleep is still right */
	CHECK_EQ(notified, 1);
	timer_mod(&b, 100);
	CHECK_EQ(notified, 2);
}

static void test_host_clock_moves(void)
{
	struct vclock clk;
	clock_init(&clk, CLOCK_HOST);
	int64_t a = clock_ns(&clk);
	int64_t b = clock_ns(&clk);
	CHECK(a >= 0);
	CHECK(b >= a);
}

static void test_snap_roundtrip(void)
{
	struct snap s;
	uint32_t x = 0xdeadbeef, y = 0;
	uint8_t z = 7, w = 0;
	snap_init(&s);
	snap_section_put(&s, "dev", 2);
	SNAP_PUT(&s, x);
	SNAP_PUT(&s, z);
	CHECK_EQ(snap_section_get(&s, "dev", 2), 2);
	SNAP_GET(&s, y);
	SNAP_GET(&s, w);
	CHECK(!s.error);
	CHECK_EQ(y, 0xdeadbeef);
	CHECK_EQ(w, 7);
	SNAP_GET(&s, y);	/* past the end */
	CHECK(s.error);
	s.pos = 0;
	s.error = false;
	snap_section_get(&s, "other", 2);
	CHECK(s.error);
	s.pos = 0;
	s.error = false;
	snap_section_get(&s, "dev", 1);	/* newer than we know */
	CHECK(s.error);
	snap_free(&s);
}

int main(void)
{
	CHECK_SUITE("unit/clock");
	RUN(test_order_and_due);
	RUN(test_periodic_rearm);
	RUN(test_notify_on_earlier);
	RUN(test_host_clock_moves);
	RUN(test_snap_roundtrip);
	return CHECK_EXIT();
}
