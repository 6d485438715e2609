/* The High Precision Event Timer: main counter, three comparators, legacy replacement routing. */
// SPDX-License-Identifier: MIT
#include "hw/hpet.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

/* general registers (byte offsets in the block) */
enum {
	REG_CAP = 0x000,	/* capabilities and ID; period in the upper half */
	REG_CFG = 0x010,
	REG_ISR = 0x020,	/* general interrupt status */
	REG_COUNTER = 0x0f0,
	REG_TIMER0 = 0x100,	/* timer n at 0x100 + 0x20 * n */
	TIMER_STRIDE = 0x20,
	TN_CFG = 0x00,		/* configuration; routing capability in the upper half */
	TN_CMP = 0x08,
	TN_FSB = 0x10,
};

enum {
	CFG_ENABLE = 1 << 0,
	CFG_LEGACY = 1 << 1,
	CFG_WRITABLE = CFG_ENABLE | CFG_LEGACY,

	TN_LEVEL = 1 << 1,	/* Tn_INT_TYPE_CNF: 1 level, 0 edge */
	TN_INT_ENB = 1 << 2,
	TN_PERIODIC = 1 << 3,
	TN_PER_CAP = 1 << 4,
	TN_SIZE_CAP = 1 << 5,	/* 64-bit comparator */
	TN_VAL_SET = 1 << 6,
	TN_MODE32 = 1 << 8,
	TN_ROUTE_SHIFT = 9,
	TN_ROUTE = 0x1f << TN_ROUTE_SHIFT,
	/* what software may change; FSB_EN (bit 14) stays 0 since FSB_CAP
	 * (bit 15) is not offered, and INT_ROUTE only takes advertised values */
	TN_WRITABLE = TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_MODE32,
};

/* vendor 8086, LEG_RT_CAP (bit 15), COUNT_SIZE_CAP (bit 13), NUM_TIM_CAP
 * (timers - 1, bits 12:8), revision 1; the period in femtoseconds above */
#define FS_PER_NS 1000000ull
#define HPET_CAP (0x8086a001ull | (uint64_t)(HPET_TIMERS - 1) << 8 | \
		  (uint64_t)HPET_PERIOD_NS * FS_PER_NS << 32)

/* a periodic comparator fires again at least this long after it fired,
 * so a tiny period cannot bury the host in timer callbacks (QEMU clamps
 * its periodic timers to 1 us too) */
#define MIN_REARM_NS 1000

struct hpet_timer {
	struct hpet *h;
	int n;
	uint64_t config;	/* the configuration register, capabilities included */
	uint64_t cmp;		/* the comparator as software sees it */
	uint64_t period;	/* periodic mode: the last value written to the comparator */
	uint64_t fsb;		/* FSB route register: kept, never used */
	uint64_t target;	/* the counter value the armed timer waits for */
	uint8_t at_wrap;	/* 32-bit one-shot: armed for the wrap, then the match */
	struct timer timer;
};

struct hpet {
	struct vclock *clk;
	uint64_t config, isr;
	/* halted: the counter; running: its value at clock time base_ns */
	uint64_t counter;
	int64_t base_ns;
	uint8_t pit_level, rtc_level;	/* the legacy inputs */
	struct hpet_timer t[HPET_TIMERS];
	struct irq_line out[HPET_GSIS];
};

/* ---- the counter ---- */

static bool hpet_running(const struct hpet *h)
{
	return h->config & CFG_ENABLE;
}

static uint64_t hpet_ticks(const struct hpet *h)
{
	if (!hpet_running(h))
		return h->counter;
	int64_t now = clock_ns(h->clk);
	if (now <= h->base_ns)
		return h->counter;
	return h->counter + (uint64_t)((now - h->base_ns) / HPET_PERIOD_NS);
}

/* the clock time at which the running counter reaches cur + ahead (cur
 * being its value now), or CLOCK_NEVER beyond the clock's range */
static int64_t hpet_deadline(const struct hpet *h, uint64_t cur, uint64_t ahead)
{
	uint64_t since = cur - h->counter;
	if (ahead > UINT64_MAX - since)
		return CLOCK_NEVER;
	uint64_t d = since + ahead;
	if (d > (uint64_t)(INT64_MAX - h->base_ns) / HPET_PERIOD_NS)
		return CLOCK_NEVER;
	return h->base_ns + (int64_t)d * HPET_PERIOD_NS;
}

/* ---- interrupt lines ---- */

static bool timer_mode32(const struct hpet_timer *t)
{
	return t->config & TN_MODE32;
}

/* the GSI a timer drives, or -1 when its route is none the board has */
static int timer_gsi(const struct hpet_timer *t)
{
	const struct hpet *h = t->h;
	if ((h->config & CFG_LEGACY) && t->n < 2)
		return t->n == 0 ? 0 : 8;
	int route = (int)((t->config & TN_ROUTE) >> TN_ROUTE_SHIFT);
	if (!(HPET_ROUTE_CAP & (1u << route)))
		return -1;
	return route;
}

/* Every output as the state says: the legacy inputs where legacy mode
 * leaves them through, or-ed with each level-triggered timer whose status
 * bit is set and whose interrupt is enabled. Edges are pulsed apart. */
static void hpet_update_lines(struct hpet *h)
{
	uint8_t want[HPET_GSIS] = { 0 };
	if (!(h->config & CFG_LEGACY)) {
		want[0] = h->pit_level;
		want[8] = h->rtc_level;
	}
	if (hpet_running(h)) {
		for (int n = 0; n < HPET_TIMERS; n++) {
			const struct hpet_timer *t = &h->t[n];
			int gsi = timer_gsi(t);
			if (gsi >= 0 && (t->config & TN_LEVEL) && (t->config & TN_INT_ENB) &&
			    (h->isr & (1u << n)))
				want[gsi] = 1;
		}
	}
	for (int g = 0; g < HPET_GSIS; g++)
		irq_set(&h->out[g], want[g]);
}

/* a comparator matched (or a 32-bit one-shot's counter wrapped) */
static void timer_fire(struct hpet_timer *t)
{
	struct hpet *h = t->h;
	if (t->config & TN_LEVEL) {
		/* the status bit is set even with the interrupt disabled */
		h->isr |= 1u << t->n;
		hpet_update_lines(h);
		return;
	}
	int gsi = timer_gsi(t);
	if (!(t->config & TN_INT_ENB))
		return;
	if (gsi < 0) {
		log_once("hpet: timer %d routed to IRQ %d, which is not in its capability mask: "
			 "no interrupt", t->n, (int)((t->config & TN_ROUTE) >> TN_ROUTE_SHIFT));
		return;
	}
	/* a line another source holds high shows no edge */
	if (!h->out[gsi].level)
		irq_pulse(&h->out[gsi]);
}

/* ---- comparators ---- */

/* arm for the counter value cur + ahead, not before clock time not_before */
static void timer_arm_at(struct hpet_timer *t, uint64_t cur, uint64_t ahead, int64_t not_before)
{
	struct hpet *h = t->h;
	int64_t ns = hpet_deadline(h, cur, ahead);
	t->target = cur + ahead;
	if (ns == CLOCK_NEVER) {
		timer_del(&t->timer);
		return;
	}
	timer_mod(&t->timer, ns > not_before ? ns : not_before);
}

/* (Re)arm for the next match at or after the counter value cur. A match
 * is equality: a 64-bit comparator below the counter next matches after
 * the counter wraps, that is never; a 32-bit one matches its low half
 * within 2^32 ticks. A 32-bit one-shot also interrupts when the low half
 * wraps to 0 on its way (IA-PC HPET 1.0a, 32-bit mode; QEMU does so). */
static void timer_arm(struct hpet_timer *t, uint64_t cur)
{
	t->at_wrap = 0;
	if (!hpet_running(t->h)) {
		timer_del(&t->timer);
		return;
	}
	if (!timer_mode32(t)) {
		timer_arm_at(t, cur, t->cmp - cur, 0);
		return;
	}
	uint64_t ahead = (uint32_t)((uint32_t)t->cmp - (uint32_t)cur);
	uint64_t to_wrap = (1ull << 32) - (uint32_t)cur;
	if (!(t->config & TN_PERIODIC) && ahead > to_wrap) {
		t->at_wrap = 1;
		timer_arm_at(t, cur, to_wrap, 0);
		return;
	}
	timer_arm_at(t, cur, ahead, 0);
}

static void timer_cb(void *opaque)
{
	struct hpet_timer *t = opaque;
	struct hpet *h = t->h;
	uint64_t cur = hpet_ticks(h);
	if (t->at_wrap) {
		/* the wrap's interrupt; then on to the match itself */
		timer_arm(t, cur);
	} else if ((t->config & TN_PERIODIC) && t->period) {
		/* the comparator steps by the period past now: one interrupt
		 * however many periods a stalled host let go by */
		uint64_t next = t->target;
		if ((int64_t)(cur - next) >= 0)
			next += ((cur - next) / t->period + 1) * t->period;
		t->cmp = timer_mode32(t) ? (uint32_t)next : next;
		timer_arm_at(t, cur, next - cur, clock_ns(h->clk) + MIN_REARM_NS);
	}
	timer_fire(t);
}

/* ---- registers ---- */

/* bits [shift, shift + len) of old replaced by value's low bits */
static uint64_t deposit(uint64_t old, unsigned shift, unsigned len, uint64_t value)
{
	uint64_t mask = (len >= 64 ? ~0ull : (1ull << len) - 1) << shift;
	return (old & ~mask) | ((value << shift) & mask);
}

static uint64_t timer_reg_read(const struct hpet_timer *t, unsigned reg)
{
	switch (reg) {
	case TN_CFG: return t->config;
	case TN_CMP: return t->cmp;
	case TN_FSB: return t->fsb;
	}
	return 0;
}

static void timer_cfg_write(struct hpet_timer *t, uint64_t v)
{
	struct hpet *h = t->h;
	uint64_t old = t->config;
	uint64_t cfg = (old & ~(uint64_t)TN_WRITABLE) | (v & TN_WRITABLE);
	/* a route the timer cannot drive is not taken: the read-back then
	 * differs from what was written, as the specification allows */
	unsigned route = (unsigned)((v & TN_ROUTE) >> TN_ROUTE_SHIFT);
	if (HPET_ROUTE_CAP & (1u << route))
		cfg = (cfg & ~(uint64_t)TN_ROUTE) | (v & TN_ROUTE);
	else if (route != ((old & TN_ROUTE) >> TN_ROUTE_SHIFT))
		log_once("hpet: timer %d: route to IRQ %u refused (capability mask 0x%x)",
			 t->n, route, HPET_ROUTE_CAP);
	if (v & (1u << 14))
		log_once("hpet: FSB interrupt delivery asked for; not offered, ignored");
	/* leaving level mode drops a pending level interrupt */
	if ((old & TN_LEVEL) && !(cfg & TN_LEVEL))
		h->isr &= ~(1ull << t->n);
	t->config = cfg;
	if (cfg & TN_MODE32) {
		t->cmp = (uint32_t)t->cmp;
		t->period = (uint32_t)t->period;
	}
	hpet_update_lines(h);
	timer_arm(t, hpet_ticks(h));
}

static void timer_cmp_write(struct hpet_timer *t, unsigned shift, unsigned len, uint64_t v)
{
	struct hpet *h = t->h;
	if (timer_mode32(t)) {
		if (shift >= 32)
			return;	/* the upper half is 0 in 32-bit mode */
		shift = 0;
		len = 64;
		v = (uint32_t)v;
	}
	/* periodic: a write sets the period, and the comparator only with
	 * VAL_SET (which the write clears) */
	if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET))
		t->cmp = deposit(t->cmp, shift, len, v);
	if (t->config & TN_PERIODIC)
		t->period = deposit(t->period, shift, len, v);
	t->config &= ~(uint64_t)TN_VAL_SET;
	timer_arm(t, hpet_ticks(h));
}

static void timer_reg_write(struct hpet_timer *t, unsigned reg, unsigned shift, unsigned len,
			    uint64_t v)
{
	switch (reg) {
	case TN_CFG:
		timer_cfg_write(t, deposit(t->config, shift, len, v));
		break;
	case TN_CMP:
		timer_cmp_write(t, shift, len, v);
		break;
	case TN_FSB:
		t->fsb = deposit(t->fsb, shift, len, v);
		break;
	}
}

static void hpet_cfg_write(struct hpet *h, uint64_t v)
{
	uint64_t old = h->config;
	uint64_t cfg = (old & ~(uint64_t)CFG_WRITABLE) | (v & CFG_WRITABLE);
	if (!(old & CFG_ENABLE) && (cfg & CFG_ENABLE)) {
		/* the counter runs on from where it was halted */
		h->base_ns = clock_ns(h->clk);
	} else if ((old & CFG_ENABLE) && !(cfg & CFG_ENABLE)) {
		h->counter = hpet_ticks(h);
	}
	h->config = cfg;
	uint64_t cur = hpet_ticks(h);
	if ((old ^ cfg) & CFG_ENABLE)
		for (int n = 0; n < HPET_TIMERS; n++)
			timer_arm(&h->t[n], cur);
	hpet_update_lines(h);
}

static uint64_t hpet_reg_read(struct hpet *h, unsigned reg)
{
	if (reg >= REG_TIMER0) {
		unsigned n = (reg - REG_TIMER0) / TIMER_STRIDE;
		if (n >= HPET_TIMERS)
			return 0;
		return timer_reg_read(&h->t[n], (reg - REG_TIMER0) % TIMER_STRIDE);
	}
	switch (reg) {
	case REG_CAP: return HPET_CAP;
	case REG_CFG: return h->config;
	case REG_ISR: return h->isr;
	case REG_COUNTER: return hpet_ticks(h);
	}
	return 0;
}

static void hpet_reg_write(struct hpet *h, unsigned reg, unsigned shift, unsigned len, uint64_t v)
{
	if (reg >= REG_TIMER0) {
		unsigned n = (reg - REG_TIMER0) / TIMER_STRIDE;
		if (n < HPET_TIMERS)
			timer_reg_write(&h->t[n], (reg - REG_TIMER0) % TIMER_STRIDE, shift, len, v);
		return;
	}
	switch (reg) {
	case REG_CFG:
		hpet_cfg_write(h, deposit(h->config, shift, len, v));
		break;
	case REG_ISR: {
		/* write 1 to clear; only level-triggered timers set bits */
		uint64_t clear = deposit(0, shift, len, v) & h->isr;
		h->isr &= ~clear;
		hpet_update_lines(h);
		break;
	}
	case REG_COUNTER:
		if (hpet_running(h)) {
			log_once("hpet: main counter written while it runs: ignored");
			break;
		}
		h->counter = deposit(h->counter, shift, len, v);
		break;
	default:
		break;	/* capabilities and reserved space */
	}
}

/* registers are 64 bits wide on 8-byte boundaries; a 4-byte access takes
 * one half, an 8-byte one at +4 the upper half only */
static uint64_t hpet_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct hpet *h = opaque;
	unsigned shift = (unsigned)(offset & 7) * 8;
	uint64_t v = hpet_reg_read(h, (unsigned)(offset & ~7ull)) >> shift;
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void hpet_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct hpet *h = opaque;
	unsigned shift = (unsigned)(offset & 7) * 8;
	unsigned len = size * 8 < 64 - shift ? size * 8 : 64 - shift;
	hpet_reg_write(h, (unsigned)(offset & ~7ull), shift, len, value);
}

static const struct bus_ops hpet_ops = {
	.read = hpet_mmio_read, .write = hpet_mmio_write, .min_size = 4, .max_size = 8,
};

/* ---- lines in and out ---- */

struct irq_line *hpet_irq(struct hpet *h, int gsi)
{
	if (gsi < 0 || gsi >= HPET_GSIS)
		return NULL;
	return &h->out[gsi];
}

void hpet_legacy_in(void *opaque, int n, int level)
{
	struct hpet *h = opaque;
	if (n == HPET_IN_PIT)
		h->pit_level = !!level;
	else
		h->rtc_level = !!level;
	hpet_update_lines(h);
}

int hpet_legacy(const struct hpet *h)
{
	return !!(h->config & CFG_LEGACY);
}

/* ---- device ---- */

static void hpet_reset(void *opaque)
{
	struct hpet *h = opaque;
	int64_t now = clock_ns(h->clk);
	h->config = 0;
	h->isr = 0;
	h->counter = 0;
	h->base_ns = now;
	for (int n = 0; n < HPET_TIMERS; n++) {
		struct hpet_timer *t = &h->t[n];
		timer_del(&t->timer);
		t->config = (uint64_t)HPET_ROUTE_CAP << 32 | TN_PER_CAP | TN_SIZE_CAP;
		t->cmp = ~0ull;
		t->period = 0;
		t->fsb = 0;
		t->target = 0;
		t->at_wrap = 0;
	}
	/* the PIT and the RTC keep their own levels across our reset */
	hpet_update_lines(h);
}

static void hpet_save(void *opaque, struct snap *s)
{
	struct hpet *h = opaque;
	snap_section_put(s, "hpet", 1);
	SNAP_PUT(s, h->config);
	SNAP_PUT(s, h->isr);
	SNAP_PUT(s, h->counter);
	SNAP_PUT(s, h->base_ns);
	SNAP_PUT(s, h->pit_level);
	SNAP_PUT(s, h->rtc_level);
	for (int n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		SNAP_PUT(s, t->config);
		SNAP_PUT(s, t->cmp);
		SNAP_PUT(s, t->period);
		SNAP_PUT(s, t->fsb);
		SNAP_PUT(s, t->target);
		SNAP_PUT(s, t->at_wrap);
		SNAP_PUT(s, t->timer.deadline);
	}
	for (int g = 0; g < HPET_GSIS; g++)
		SNAP_PUT(s, h->out[g].level);
}

static int hpet_load(void *opaque, struct snap *s)
{
	struct hpet *h = opaque;
	struct hpet n = *h;
	int64_t deadline[HPET_TIMERS];
	int level[HPET_GSIS];
	snap_section_get(s, "hpet", 1);
	SNAP_GET(s, n.config);
	SNAP_GET(s, n.isr);
	SNAP_GET(s, n.counter);
	SNAP_GET(s, n.base_ns);
	SNAP_GET(s, n.pit_level);
	SNAP_GET(s, n.rtc_level);
	for (int i = 0; i < HPET_TIMERS; i++) {
		struct hpet_timer *t = &n.t[i];
		SNAP_GET(s, t->config);
		SNAP_GET(s, t->cmp);
		SNAP_GET(s, t->period);
		SNAP_GET(s, t->fsb);
		SNAP_GET(s, t->target);
		SNAP_GET(s, t->at_wrap);
		SNAP_GET(s, deadline[i]);
	}
	for (int g = 0; g < HPET_GSIS; g++)
		SNAP_GET(s, level[g]);
	if (s->error)
		return -1;
	/* only what a guest can reach: fixed capability bits, routes offered */
	uint64_t fixed = (uint64_t)HPET_ROUTE_CAP << 32 | TN_PER_CAP | TN_SIZE_CAP;
	for (int i = 0; i < HPET_TIMERS; i++) {
		uint64_t c = n.t[i].config;
		unsigned route = (unsigned)((c & TN_ROUTE) >> TN_ROUTE_SHIFT);
		if ((c & ~(uint64_t)(TN_WRITABLE | TN_ROUTE)) != fixed ||
		    (route && !(HPET_ROUTE_CAP & (1u << route))))
			return -1;
		if (deadline[i] < 0)
			return -1;
	}
	if (n.config & ~(uint64_t)CFG_WRITABLE || n.isr >> HPET_TIMERS)
		return -1;
	h->config = n.config;
	h->isr = n.isr;
	h->counter = n.counter;
	h->base_ns = n.base_ns;
	h->pit_level = !!n.pit_level;
	h->rtc_level = !!n.rtc_level;
	for (int i = 0; i < HPET_TIMERS; i++) {
		struct hpet_timer *t = &h->t[i];
		t->config = n.t[i].config;
		t->cmp = n.t[i].cmp;
		t->period = n.t[i].period;
		t->fsb = n.t[i].fsb;
		t->target = n.t[i].target;
		t->at_wrap = !!n.t[i].at_wrap;
		if (deadline[i] == CLOCK_NEVER || !hpet_running(h))
			timer_del(&t->timer);
		else
			timer_mod(&t->timer, deadline[i]);
	}
	/* the receivers restore their own side: set the levels silently,
	 * then signal only what differs from the state */
	for (int g = 0; g < HPET_GSIS; g++)
		h->out[g].level = !!level[g];
	hpet_update_lines(h);
	return 0;
}

struct hpet *hpet_new(struct bus *mmio, struct vclock *clk, struct device *dev)
{
	struct hpet *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->clk = clk;
	for (int n = 0; n < HPET_TIMERS; n++) {
		h->t[n].h = h;
		h->t[n].n = n;
		timer_init(&h->t[n].timer, clk, timer_cb, &h->t[n]);
	}
	if (bus_register(mmio, HPET_BASE, HPET_LEN, &hpet_ops, h, "hpet")) {
		free(h);
		return NULL;
	}
	hpet_reset(h);
	if (dev) {
		dev->name = "hpet";
		dev->opaque = h;
		dev->reset = hpet_reset;
		dev->save = hpet_save;
		dev->load = hpet_load;
	}
	return h;
}

void hpet_free(struct hpet *h)
{
	if (!h)
		return;
	for (int n = 0; n < HPET_TIMERS; n++)
		timer_del(&h->t[n].timer);
	free(h);
}
