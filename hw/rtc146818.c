/* The MC146818 real-time clock and CMOS RAM, with time computed from the virtual clock. */
// SPDX-License-Identifier: MIT
#include "hw/rtc146818.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

/* Time is never ticked. While the clock runs, the guest-visible time is
 *     sec_base + floor((now - phase_ns) / 1 s)
 * so updates fall on phase_ns + k seconds, and the periodic taps of the
 * divider chain (32768 Hz input) fall on the same grid. The time registers in
 * cmos[] only hold the truth while updates are stopped (SET, or the divider
 * not running); while running they are rewritten from the formula on read.
 * Register C's flags are computed lazily: flags_ns is the time up to which
 * they account for events; one timer wakes us only for the next event that
 * is enabled to raise IRQ 8. */

#define RTC_PORT 0x70
#define RTC_CMOS_SIZE 128
#define RTC_HZ 32768
#define RTC_UIP_NS 244000		/* UIP rises this long before an update */
#define RTC_DIV_RESTART_NS 500000000	/* first update after the divider starts */

enum rtc_reg {
	RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
	RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07,
	RTC_MONTH = 0x08, RTC_YEAR = 0x09,
	RTC_A = 0x0a, RTC_B = 0x0b, RTC_C = 0x0c, RTC_D = 0x0d,
	RTC_CENTURY = 0x32,		/* the IBM PC's choice, not the chip's */
};

enum {
	A_UIP = 0x80, A_DIV_MASK = 0x70, A_DIV_32K = 0x20, A_RATE_MASK = 0x0f,
	B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_SQWE = 0x08,
	B_DM_BINARY = 0x04, B_24H = 0x02, B_DSE = 0x01,
	C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10,
	D_VRT = 0x80,
	HOUR_PM = 0x80,
	ALARM_DONT_CARE = 0xc0,
};

struct rtc146818 {
	struct vclock *clk;
	struct irq_line irq;
	struct timer timer;
	uint8_t index;			/* port 0x70 bits 6-0 */
	uint8_t nmi_masked;		/* port 0x70 bit 7 */
	uint8_t cmos[RTC_CMOS_SIZE];	/* A-D live at 0x0a-0x0d */
	int64_t sec_base;		/* UTC seconds shown in the second starting at phase_ns */
	int64_t phase_ns;
	int64_t flags_ns;		/* register C accounts for events up to here */
};

/* ---- time arithmetic ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool rtc_running(const struct rtc146818 *r)
{
	return (r->cmos[RTC_A] & A_DIV_MASK) == A_DIV_32K;
}

static bool rtc_updating(const struct rtc146818 *r)
{
	return rtc_running(r) && !(r->cmos[RTC_B] & B_SET);
}

static int64_t rtc_secs_at(const struct rtc146818 *r, int64_t ns)
{
	return r->sec_base + floor_div(ns - r->phase_ns, NS_PER_SEC);
}

/* the virtual time at which second s begins (its update) */
static int64_t rtc_boundary_ns(const struct rtc146818 *r, int64_t s)
{
	return r->phase_ns + (s - r->sec_base) * NS_PER_SEC;
}

/* divider-chain ticks at 32768 Hz since the phase origin */
static int64_t rtc_ticks_at(const struct rtc146818 *r, int64_t ns)
{
	__int128 num = (__int128)(ns - r->phase_ns) * RTC_HZ;
	__int128 q = num / NS_PER_SEC;
	if (num % NS_PER_SEC != 0 && num < 0)
		q--;
	return (int64_t)q;
}

/* periodic-interrupt period in divider ticks, 0 when off; rates 1 and 2
 * repeat rates 8 and 9 on the 32768 Hz time base */
static int64_t rtc_period_ticks(const struct rtc146818 *r)
{
	unsigned rate = r->cmos[RTC_A] & A_RATE_MASK;
	if (rate == 0)
		return 0;
	if (rate <= 2)
		rate += 7;
	return (int64_t)1 << (rate - 1);
}

/* first ns at which the tick count reaches tick */
static int64_t rtc_tick_ns(const struct rtc146818 *r, int64_t tick)
{
	__int128 num = (__int128)tick * NS_PER_SEC;
	int64_t ns = (int64_t)(num / RTC_HZ);
	if ((__int128)ns * RTC_HZ < num)
		ns++;
	return r->phase_ns + ns;
}

/* ---- register encoding (BCD/binary, 12/24 hour) ---- */

static uint8_t rtc_enc(const struct rtc146818 *r, int v)
{
	if (r->cmos[RTC_B] & B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int rtc_dec(const struct rtc146818 *r, uint8_t x)
{
	if (r->cmos[RTC_B] & B_DM_BINARY)
		return x;
	return (x >> 4) * 10 + (x & 0x0f);
}

static uint8_t rtc_enc_hour(const struct rtc146818 *r, int h)
{
	if (r->cmos[RTC_B] & B_24H)
		return rtc_enc(r, h);
	int h12 = h % 12 ? h % 12 : 12;
	return rtc_enc(r, h12) | (h >= 12 ? HOUR_PM : 0);
}

static int rtc_dec_hour(const struct rtc146818 *r, uint8_t x)
{
	if (r->cmos[RTC_B] & B_24H)
		return rtc_dec(r, x);
	return rtc_dec(r, x & ~HOUR_PM) % 12 + (x & HOUR_PM ? 12 : 0);
}

/* write the time s into the time registers in the current format */
static void rtc_regs_from_secs(struct rtc146818 *r, int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return;
	int year = tm.tm_year + 1900;
	r->cmos[RTC_SEC] = rtc_enc(r, tm.tm_sec);
	r->cmos[RTC_MIN] = rtc_enc(r, tm.tm_min);
	r->cmos[RTC_HOUR] = rtc_enc_hour(r, tm.tm_hour);
	r->cmos[RTC_WDAY] = rtc_enc(r, tm.tm_wday + 1);
	r->cmos[RTC_MDAY] = rtc_enc(r, tm.tm_mday);
	r->cmos[RTC_MONTH] = rtc_enc(r, tm.tm_mon + 1);
	r->cmos[RTC_YEAR] = rtc_enc(r, year % 100);
	r->cmos[RTC_CENTURY] = rtc_enc(r, year / 100 % 100);
}

/* the time the registers hold; out-of-range fields carry over as timegm
 * normalises them, and the day of week is derived, not read */
static int64_t rtc_secs_from_regs(const struct rtc146818 *r)
{
	struct tm tm = {
		.tm_sec = rtc_dec(r, r->cmos[RTC_SEC]),
		.tm_min = rtc_dec(r, r->cmos[RTC_MIN]),
		.tm_hour = rtc_dec_hour(r, r->cmos[RTC_HOUR]),
		.tm_mday = rtc_dec(r, r->cmos[RTC_MDAY]),
		.tm_mon = rtc_dec(r, r->cmos[RTC_MONTH]) - 1,
		.tm_year = rtc_dec(r, r->cmos[RTC_CENTURY]) * 100 + rtc_dec(r, r->cmos[RTC_YEAR]) - 1900,
	};
	return (int64_t)timegm(&tm);
}

/* ---- alarm ---- */

static bool rtc_alarm_field(const struct rtc146818 *r, uint8_t alarm, int v, bool hour)
{
	if ((alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE)
		return true;
	return alarm == (hour ? rtc_enc_hour(r, v) : rtc_enc(r, v));
}

static bool rtc_alarm_possible(const struct rtc146818 *r, uint8_t alarm, int n, bool hour)
{
	for (int v = 0; v < n; v++)
		if (rtc_alarm_field(r, alarm, v, hour))
			return true;
	return false;
}

/* the first second after s0 whose time of day matches the alarm, or -1 */
static int64_t rtc_next_alarm(const struct rtc146818 *r, int64_t s0)
{
	uint8_t as = r->cmos[RTC_SEC_ALARM], am = r->cmos[RTC_MIN_ALARM], ah = r->cmos[RTC_HOUR_ALARM];
	if (!rtc_alarm_possible(r, as, 60, false) || !rtc_alarm_possible(r, am, 60, false) ||
	    !rtc_alarm_possible(r, ah, 24, true))
		return -1;
	/* skip whole hours and minutes that cannot match: a few hundred steps */
	for (int64_t s = s0 + 1; s <= s0 + 2 * 86400;) {
		int64_t tod = s - floor_div(s, 86400) * 86400;
		int h = (int)(tod / 3600), m = (int)(tod / 60 % 60), sec = (int)(tod % 60);
		if (!rtc_alarm_field(r, ah, h, true))
			s += 3600 - (m * 60 + sec);
		else if (!rtc_alarm_field(r, am, m, false))
			s += 60 - sec;
		else if (!rtc_alarm_field(r, as, sec, false))
			s++;
		else
			return s;
	}
	return -1;
}

/* ---- flags, IRQ and the timer ---- */

static void rtc_update_irq(struct rtc146818 *r)
{
	uint8_t c = r->cmos[RTC_C] & (C_PF | C_AF | C_UF);
	if (c & r->cmos[RTC_B])
		c |= C_IRQF;
	r->cmos[RTC_C] = c;
	irq_set(&r->irq, c & C_IRQF);
}

/* account in register C for every event in (flags_ns, now] */
static void rtc_sync_flags(struct rtc146818 *r, int64_t now)
{
	if (now <= r->flags_ns) {
		r->flags_ns = now;
		return;
	}
	int64_t p = rtc_period_ticks(r);
	if (rtc_running(r) && p &&
	    floor_div(rtc_ticks_at(r, now), p) > floor_div(rtc_ticks_at(r, r->flags_ns), p))
		r->cmos[RTC_C] |= C_PF;
	if (rtc_updating(r)) {
		int64_t s_old = rtc_secs_at(r, r->flags_ns), s_new = rtc_secs_at(r, now);
		if (s_new > s_old) {
			r->cmos[RTC_C] |= C_UF;
			int64_t a = rtc_next_alarm(r, s_old);
			if (a >= 0 && a <= s_new)
				r->cmos[RTC_C] |= C_AF;
		}
	}
	r->flags_ns = now;
	rtc_update_irq(r);
}

/* arm the timer for the next event that would raise IRQ 8; a flag already
 * set needs no timer until register C is read */
static void rtc_rearm(struct rtc146818 *r)
{
	int64_t now = clock_ns(r->clk), next = CLOCK_NEVER;
	uint8_t b = r->cmos[RTC_B], c = r->cmos[RTC_C];
	int64_t p = rtc_period_ticks(r);
	if ((b & B_PIE) && !(c & C_PF) && rtc_running(r) && p) {
		int64_t k = floor_div(rtc_ticks_at(r, now), p) + 1;
		next = rtc_tick_ns(r, k * p);
	}
	if (rtc_updating(r)) {
		int64_t s = rtc_secs_at(r, now);
		if ((b & B_UIE) && !(c & C_UF) && rtc_boundary_ns(r, s + 1) < next)
			next = rtc_boundary_ns(r, s + 1);
		if ((b & B_AIE) && !(c & C_AF)) {
			int64_t a = rtc_next_alarm(r, s);
			if (a >= 0 && rtc_boundary_ns(r, a) < next)
				next = rtc_boundary_ns(r, a);
		}
	}
	if (next == CLOCK_NEVER)
		timer_del(&r->timer);
	else
		timer_mod(&r->timer, next);
}

static void rtc_timer_cb(void *opaque)
{
	struct rtc146818 *r = opaque;
	rtc_sync_flags(r, clock_ns(r->clk));
	rtc_rearm(r);
}

/* ---- registers ---- */

static bool rtc_is_time_reg(unsigned idx)
{
	return idx == RTC_SEC || idx == RTC_MIN || idx == RTC_HOUR || idx == RTC_WDAY ||
	       idx == RTC_MDAY || idx == RTC_MONTH || idx == RTC_YEAR || idx == RTC_CENTURY;
}

/* peek: a read with no side effects (register C is not cleared) */
static uint8_t rtc_reg_read(struct rtc146818 *r, unsigned idx, bool peek)
{
	int64_t now = clock_ns(r->clk);
	idx &= RTC_CMOS_SIZE - 1;
	if (rtc_is_time_reg(idx) && rtc_updating(r)) {
		rtc_regs_from_secs(r, rtc_secs_at(r, now));
		return r->cmos[idx];
	}
	switch (idx) {
	case RTC_A: {
		uint8_t a = r->cmos[RTC_A] & ~A_UIP;
		if (rtc_updating(r) &&
		    rtc_boundary_ns(r, rtc_secs_at(r, now) + 1) - now <= RTC_UIP_NS)
			a |= A_UIP;
		return a;
	}
	case RTC_C: {
		rtc_sync_flags(r, now);
		uint8_t c = r->cmos[RTC_C];
		if (!peek) {
			r->cmos[RTC_C] = 0;
			rtc_update_irq(r);
			rtc_rearm(r);
		}
		return c;
	}
	case RTC_D:
		return D_VRT;
	default:
		return r->cmos[idx];
	}
}

/* A and B together decide whether time updates; handle both in one place */
static void rtc_control_write(struct rtc146818 *r, uint8_t a, uint8_t b)
{
	int64_t now = clock_ns(r->clk);
	bool was_running = rtc_running(r), was_updating = rtc_updating(r);
	unsigned div = a & A_DIV_MASK;

	if (div == 0x00 || div == 0x10)
		log_once("rtc: divider %#x (4.19 / 1.05 MHz time base) not modelled; clock stopped", div);
	if (b & B_DSE)
		log_once("rtc: daylight saving (DSE) not modelled");
	/* the chip clears UIE when SET goes high */
	if ((b & B_SET) && !(r->cmos[RTC_B] & B_SET))
		b &= ~B_UIE;

	rtc_sync_flags(r, now);
	/* freeze the registers at the last update, in the format it used */
	if (was_updating)
		rtc_regs_from_secs(r, rtc_secs_at(r, now));
	r->cmos[RTC_A] = a & ~A_UIP;
	r->cmos[RTC_B] = b;
	/* leaving divider reset: the first update comes half a second later */
	if (!was_running && rtc_running(r))
		r->phase_ns = now + RTC_DIV_RESTART_NS - NS_PER_SEC;
	if (rtc_updating(r) && !was_updating)
		r->sec_base = rtc_secs_from_regs(r) - floor_div(now - r->phase_ns, NS_PER_SEC);
	r->flags_ns = now;
	rtc_update_irq(r);
	rtc_rearm(r);
}

static void rtc_reg_write(struct rtc146818 *r, unsigned idx, uint8_t v)
{
	int64_t now = clock_ns(r->clk);
	idx &= RTC_CMOS_SIZE - 1;
	switch (idx) {
	case RTC_A:
		rtc_control_write(r, v, r->cmos[RTC_B]);
		return;
	case RTC_B:
		rtc_control_write(r, r->cmos[RTC_A], v);
		return;
	case RTC_C:
	case RTC_D:
		return;		/* read-only */
	default:
		break;
	}
	if (rtc_is_time_reg(idx) && rtc_updating(r)) {
		/* a write while running: the clock carries on from the new value
		 * with the same phase */
		rtc_sync_flags(r, now);
		rtc_regs_from_secs(r, rtc_secs_at(r, now));
		r->cmos[idx] = v;
		r->sec_base = rtc_secs_from_regs(r) - floor_div(now - r->phase_ns, NS_PER_SEC);
		rtc_rearm(r);
		return;
	}
	if (idx == RTC_SEC_ALARM || idx == RTC_MIN_ALARM || idx == RTC_HOUR_ALARM) {
		rtc_sync_flags(r, now);
		r->cmos[idx] = v;
		rtc_rearm(r);
		return;
	}
	r->cmos[idx] = v;
}

/* ---- ports ---- */

static uint64_t rtc_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct rtc146818 *r = opaque;
	(void)size;
	if (offset == 0)
		return 0xff;	/* the index port is write-only on the PC */
	return rtc_reg_read(r, r->index, false);
}

static void rtc_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct rtc146818 *r = opaque;
	(void)size;
	if (offset == 0) {
		r->index = value & 0x7f;
		r->nmi_masked = (value >> 7) & 1;
		return;
	}
	rtc_reg_write(r, r->index, (uint8_t)value);
}

static const struct bus_ops rtc_ops = {
	.read = rtc_port_read, .write = rtc_port_write, .min_size = 1, .max_size = 1,
};

/* ---- device ---- */

/* the RESET pin: interrupt enables and flags go, time and CMOS stay
 * (they are battery-backed) */
static void rtc_reset(void *opaque)
{
	struct rtc146818 *r = opaque;
	rtc_sync_flags(r, clock_ns(r->clk));
	r->cmos[RTC_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[RTC_C] = 0;
	r->index = 0;
	r->nmi_masked = 0;
	rtc_update_irq(r);
	rtc_rearm(r);
}

static void rtc_save(void *opaque, struct snap *s)
{
	struct rtc146818 *r = opaque;
	snap_section_put(s, "rtc146818", 1);
	SNAP_PUT(s, r->index);
	SNAP_PUT(s, r->nmi_masked);
	SNAP_PUT(s, r->cmos);
	SNAP_PUT(s, r->sec_base);
	SNAP_PUT(s, r->phase_ns);
	SNAP_PUT(s, r->flags_ns);
}

static int rtc_load(void *opaque, struct snap *s)
{
	struct rtc146818 *r = opaque;
	uint8_t index, nmi, cmos[RTC_CMOS_SIZE];
	int64_t sec_base, phase_ns, flags_ns;
	snap_section_get(s, "rtc146818", 1);
	SNAP_GET(s, index);
	SNAP_GET(s, nmi);
	SNAP_GET(s, cmos);
	SNAP_GET(s, sec_base);
	SNAP_GET(s, phase_ns);
	SNAP_GET(s, flags_ns);
	if (s->error)
		return -1;
	r->index = index & 0x7f;
	r->nmi_masked = nmi & 1;
	memcpy(r->cmos, cmos, sizeof(cmos));
	r->sec_base = sec_base;
	r->phase_ns = phase_ns;
	r->flags_ns = flags_ns;
	rtc_update_irq(r);
	rtc_rearm(r);
	return 0;
}

struct rtc146818 *rtc_new(struct bus *io, struct vclock *clk, time_t base_time, struct device *dev)
{
	struct rtc146818 *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->clk = clk;
	timer_init(&r->timer, clk, rtc_timer_cb, r);
	if (bus_register(io, RTC_PORT, 2, &rtc_ops, r, "rtc")) {
		free(r);
		return NULL;
	}
	r->cmos[RTC_A] = A_DIV_32K | 0x06;	/* 1024 Hz, what the PC BIOS sets */
	r->cmos[RTC_B] = B_24H;
	r->sec_base = (int64_t)base_time;
	r->phase_ns = 0;
	r->flags_ns = clock_ns(clk);
	if (dev) {
		dev->name = "rtc";
		dev->opaque = r;
		dev->reset = rtc_reset;
		dev->save = rtc_save;
		dev->load = rtc_load;
	}
	return r;
}

void rtc_free(struct rtc146818 *r)
{
	if (!r)
		return;
	timer_del(&r->timer);
	free(r);
}

struct irq_line *rtc_irq(struct rtc146818 *r)
{
	return &r->irq;
}

void rtc_cmos_set(struct rtc146818 *r, unsigned index, uint8_t value)
{
	rtc_reg_write(r, index, value);
}

uint8_t rtc_cmos_get(struct rtc146818 *r, unsigned index)
{
	return rtc_reg_read(r, index, true);
}

int rtc_nmi_masked(struct rtc146818 *r)
{
	return r->nmi_masked;
}
