/* The Intel 8254 programmable interval timer and the PC's port 0x61. */
// SPDX-License-Identifier: MIT
#include "hw/pit8254.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

#define PORT_PIT 0x40
#define PORT_B 0x61
#define TICK_NEVER INT64_MAX
/* DRAM refresh request period: channel 1 in mode 2 with count 18 on a PC,
 * about 15 us; port 0x61 bit 4 toggles at each request */
#define REFRESH_TICKS 18

enum {
	CW_BCD = 1 << 0,
	CW_SC_SHIFT = 6,
	CW_RW_SHIFT = 4,
	RB_COUNT_N = 1 << 5,	/* read-back: 0 = latch count */
	RB_STATUS_N = 1 << 4,	/* read-back: 0 = latch status */
	ST_OUT = 1 << 7,
	ST_NULL = 1 << 6,
	PB_GATE2 = 1 << 0,
	PB_SPKR = 1 << 1,
	PB_RW = 0x0f,		/* bits 0-3 read back as written */
	PB_REFRESH = 1 << 4,
	PB_OUT2 = 1 << 5,
};

enum rw_mode { RW_LATCH, RW_LSB, RW_MSB, RW_WORD };

/* where the counting element is */
enum phase {
	PH_IDLE,	/* no count since the control word (or waiting for a trigger) */
	PH_RUN,		/* counting from base */
	PH_HELD,	/* loaded but stopped by GATE low */
};

/* One counter. Its counting element and OUT are functions of the clock
 * tick: while running, the element held n at tick base and the mode's
 * formula gives the rest; before base (a resume a tick ahead) and when not
 * running, they are hold and hold_out. A count register written but not yet
 * moved into the element waits in cr until load_tick. */
struct pit_chan {
	uint8_t mode_bits;	/* M2-M0 as written, for the status byte */
	uint8_t mode;		/* 0-5: 6 and 7 alias 2 and 3 */
	uint8_t rw, bcd, gate;
	uint8_t wlsb;		/* first byte of a two-byte write */
	uint8_t write_msb;	/* the next count byte written is the MSB */
	uint8_t read_msb;	/* the next live count byte read is the MSB */
	uint8_t latch_left;	/* bytes of a latched count still to read */
	uint8_t latch_msb;	/* the next latched byte is the MSB */
	uint16_t latch;
	uint8_t status_latched, status;
	uint16_t cr_raw;
	uint32_t cr;		/* count register in clock ticks (0 -> 65536 or 10000) */
	uint8_t cr_written;	/* a full count arrived since the control word */
	uint8_t null_count;	/* cr not yet moved into the counting element */
	uint8_t phase;		/* enum phase */
	uint8_t tc;		/* modes 0/1: reached zero; modes 4/5: strobe done */
	uint8_t hold_out;
	uint8_t load_low;	/* mode 3: the pending load starts a low half */
	uint32_t n;		/* the element's reload value in ticks */
	uint32_t hold;
	int64_t base;
	int64_t load_tick;	/* when cr moves into the element, or TICK_NEVER */
};

struct pit8254 {
	struct pit_chan ch[3];
	struct vclock *clk;
	struct timer timer;	/* next event of channel 0 */
	struct irq_line irq0;
	int64_t irq_tick;	/* tick up to which irq0 has been played */
	uint8_t port_b;		/* port 0x61 bits 0-3 */
};

/* ---- time ---- */

static int64_t ns_to_tick(int64_t ns)
{
	return muldiv64(ns, PIT_HZ, NS_PER_SEC);
}

/* the first nanosecond that belongs to tick k */
static int64_t tick_to_ns(int64_t k)
{
	if (k >= ns_to_tick(INT64_MAX))
		return CLOCK_NEVER;
	__int128 num = (__int128)k * NS_PER_SEC;
	return (int64_t)((num + PIT_HZ - 1) / PIT_HZ);
}

static int64_t pit_now(const struct pit8254 *p)
{
	return ns_to_tick(clock_ns(p->clk));
}

/* ---- counting element as a function of time ---- */

static uint32_t chan_modulus(const struct pit_chan *c)
{
	return c->bcd ? 10000 : 65536;
}

static int64_t mod_pos(int64_t a, int64_t m)
{
	int64_t r = a % m;
	return r < 0 ? r + m : r;
}

static uint32_t sq_high_half(uint32_t n)
{
	return (n + 1) / 2;
}

/* value of the counting element at tick t, in ticks (65536 allowed) */
static uint32_t chan_value(const struct pit_chan *c, int64_t t)
{
	if (c->phase != PH_RUN || t < c->base)
		return c->hold;
	int64_t e = t - c->base;
	uint32_t n = c->n;
	switch (c->mode) {
	case 2:
		return n - (uint32_t)(e % n);
	case 3: {
		/* decrements by two; odd counts load n-1 and spend one extra
		 * tick high, so the high half is (n+1)/2 and the low half n/2 */
		uint32_t p = (uint32_t)(e % n), h = sq_high_half(n);
		uint32_t start = (n & 1) ? n - 1 : n;
		return p < h ? start - 2 * p : start - 2 * (p - h);
	}
	default:
		return (uint32_t)mod_pos((int64_t)n - e, chan_modulus(c));
	}
}

static int chan_out(const struct pit_chan *c, int64_t t)
{
	if (c->phase != PH_RUN || t < c->base)
		return c->hold_out;
	int64_t e = t - c->base;
	switch (c->mode) {
	case 0:
	case 1:
		return c->tc || e >= c->n;
	case 2:
		return e % c->n != c->n - 1;
	case 3:
		return e % c->n < sq_high_half(c->n);
	default:	/* 4, 5 */
		return c->tc || e != c->n;
	}
}

/* modes 0/1/4/5: has the count reached zero by tick t */
static int chan_tc(const struct pit_chan *c, int64_t t)
{
	return c->tc || (c->phase == PH_RUN && t - c->base >= c->n);
}

/* the first tick after t at which OUT changes, with no programming */
static int64_t chan_next_change(const struct pit_chan *c, int64_t t)
{
	if (c->phase != PH_RUN)
		return TICK_NEVER;
	int64_t e = t - c->base;
	int64_t n = c->n;
	switch (c->mode) {
	case 0:
	case 1:
		return !c->tc && e < n ? c->base + n : TICK_NEVER;
	case 4:
	case 5:
		if (c->tc || e > n)
			return TICK_NEVER;
		return e < n ? c->base + n : c->base + n + 1;
	case 2:
	case 3: {
		if (n < 2)
			return TICK_NEVER;
		if (e < 0)
			return c->base;
		int64_t p = e % n;
		int64_t fall = c->mode == 2 ? n - 1 : sq_high_half(c->n);
		return p < fall ? t + (fall - p) : t + (n - p);
	}
	}
	return TICK_NEVER;
}

static int64_t chan_next_event(const struct pit_chan *c, int64_t t)
{
	int64_t ch = chan_next_change(c, t);
	return c->load_tick < ch ? c->load_tick : ch;
}

/* cr moves into the counting element at tick l */
static void chan_load(struct pit_chan *c, int64_t l)
{
	c->null_count = 0;
	c->load_tick = TICK_NEVER;
	c->n = c->cr;
	c->tc = 0;
	c->phase = PH_RUN;
	c->base = l;
	switch (c->mode) {
	case 0:
	case 4:
		c->hold = c->n % chan_modulus(c);
		c->hold_out = c->mode == 4;
		if (!c->gate)
			c->phase = PH_HELD;
		break;
	case 3:
		/* a new count taken at the end of a high half starts low */
		if (c->load_low)
			c->base = l - sq_high_half(c->n);
		break;
	}
	c->load_low = 0;
}

/* bring the channel up to tick t: a pending load whose time has come */
static void chan_sync(struct pit_chan *c, int64_t t)
{
	if (c->load_tick <= t)
		chan_load(c, c->load_tick);
}

/* freeze the element at tick t (GATE low, or the first byte in mode 0) */
static void chan_freeze(struct pit_chan *c, int64_t t, int out)
{
	c->hold = chan_value(c, t) % chan_modulus(c);
	c->tc = chan_tc(c, t);
	c->hold_out = out;
}

static void chan_set_gate(struct pit_chan *c, int gate, int64_t t)
{
	chan_sync(c, t);
	if (gate == c->gate)
		return;
	c->gate = gate;
	switch (c->mode) {
	case 0:
	case 4:
		if (!gate && c->phase == PH_RUN) {
			chan_freeze(c, t, c->mode == 0 ? chan_out(c, t) : 1);
			c->phase = PH_HELD;
		} else if (gate && c->phase == PH_HELD) {
			/* counting resumes from the held value at the next clock */
			c->n = c->hold == 0 && !c->tc ? chan_modulus(c) : c->hold;
			c->base = t + 1;
			c->phase = PH_RUN;
		}
		break;
	case 1:
	case 5:
		/* a rising edge triggers (or retriggers) the one-shot */
		if (gate && c->cr_written)
			c->load_tick = t + 1;
		break;
	default:	/* 2, 3 */
		if (!gate) {
			/* stops counting and forces OUT high at once */
			if (c->phase == PH_RUN) {
				chan_freeze(c, t, 1);
				c->phase = PH_HELD;
			}
			c->hold_out = 1;
			c->load_tick = TICK_NEVER;
		} else if (c->cr_written) {
			c->load_tick = t + 1;
			c->load_low = 0;
		}
		break;
	}
}

static uint32_t bcd_to_ticks(uint16_t raw)
{
	uint32_t v = 0;
	for (int shift = 12; shift >= 0; shift -= 4) {
		uint32_t d = (raw >> shift) & 0xf;
		if (d > 9)
			log_once("pit8254: BCD count 0x%04x has a digit above 9\n", raw);
		v = v * 10 + d;
	}
	return v;
}

static uint16_t ticks_to_bcd(uint32_t v)
{
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* the element as the data bus shows it */
static uint16_t chan_read_value(const struct pit_chan *c, int64_t t)
{
	uint32_t v = chan_value(c, t);
	return c->bcd ? ticks_to_bcd(v) : (uint16_t)v;
}

/* a whole count arrived in the count register at tick t */
static void chan_count_written(struct pit_chan *c, int64_t t)
{
	c->cr = c->bcd ? bcd_to_ticks(c->cr_raw) : c->cr_raw;
	if (c->cr == 0)
		c->cr = chan_modulus(c);
	c->cr_written = 1;
	c->null_count = 1;
	switch (c->mode) {
	case 0:
	case 4:
		c->load_tick = t + 1;
		c->load_low = 0;
		break;
	case 1:
	case 5:
		break;	/* waits for a GATE trigger */
	default:	/* 2, 3 */
		if (c->phase == PH_RUN && t >= c->base) {
			/* a running counter takes the new count at the end of
			 * the period (mode 2) or the half-cycle (mode 3) */
			int64_t n = c->n, p = (t - c->base) % n;
			if (c->mode == 2) {
				c->load_tick = t + (n - p);
				c->load_low = 0;
			} else {
				int64_t h = sq_high_half(c->n);
				c->load_low = p < h;
				c->load_tick = p < h ? t + (h - p) : t + (n - p);
			}
		} else if (c->gate) {
			c->load_tick = t + 1;
			c->load_low = 0;
		}
		break;
	}
}

static void chan_write(struct pit_chan *c, uint8_t v, int64_t t)
{
	chan_sync(c, t);
	switch (c->rw) {
	case RW_LSB:
		c->cr_raw = v;
		break;
	case RW_MSB:
		c->cr_raw = (uint16_t)(v << 8);
		break;
	default:
		if (!c->write_msb) {
			c->wlsb = v;
			c->write_msb = 1;
			if (c->mode == 0) {
				/* mode 0: the first byte stops counting and
				 * drops OUT at once */
				chan_freeze(c, t, 0);
				c->tc = 0;
				c->phase = PH_IDLE;
				c->load_tick = TICK_NEVER;
			}
			return;
		}
		c->write_msb = 0;
		c->cr_raw = (uint16_t)(c->wlsb | v << 8);
		break;
	}
	chan_count_written(c, t);
}

static uint8_t chan_status(const struct pit_chan *c, int64_t t)
{
	return (uint8_t)((chan_out(c, t) ? ST_OUT : 0) | (c->null_count ? ST_NULL : 0) |
			 c->rw << CW_RW_SHIFT | c->mode_bits << 1 | c->bcd);
}

static void chan_latch_count(struct pit_chan *c, int64_t t)
{
	if (c->latch_left)
		return;	/* the first latch holds until it is read */
	c->latch = chan_read_value(c, t);
	c->latch_left = c->rw == RW_WORD ? 2 : 1;
	c->latch_msb = c->rw == RW_MSB;
}

static uint8_t chan_read(struct pit_chan *c, int64_t t)
{
	chan_sync(c, t);
	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->latch_left) {
		uint8_t b = c->latch_msb ? c->latch >> 8 : c->latch & 0xff;
		c->latch_left--;
		c->latch_msb = !c->latch_msb;
		return b;
	}
	uint16_t v = chan_read_value(c, t);
	switch (c->rw) {
	case RW_LSB:
		return v & 0xff;
	case RW_MSB:
		return v >> 8;
	default:
		c->read_msb = !c->read_msb;
		return c->read_msb ? v & 0xff : v >> 8;
	}
}

static void chan_control(struct pit_chan *c, uint8_t v, int64_t t)
{
	chan_sync(c, t);
	int rw = (v >> CW_RW_SHIFT) & 3;
	if (rw == RW_LATCH) {
		chan_latch_count(c, t);
		return;
	}
	/* the element keeps its value but stops until a count arrives; all
	 * byte sequencing and latches start over */
	c->hold = chan_value(c, t) % chan_modulus(c);
	c->rw = (uint8_t)rw;
	c->mode_bits = (v >> 1) & 7;
	c->mode = c->mode_bits >= 6 ? c->mode_bits - 4 : c->mode_bits;
	c->bcd = v & CW_BCD;
	c->hold_out = c->mode != 0;
	c->phase = PH_IDLE;
	c->tc = 0;
	c->load_tick = TICK_NEVER;
	c->load_low = 0;
	c->null_count = 1;
	c->cr_written = 0;
	c->write_msb = 0;
	c->read_msb = 0;
	c->latch_left = 0;
	c->status_latched = 0;
}

/* ---- channel 0 drives IRQ 0 ---- */

/* play channel 0's OUT onto irq0 up to tick now, each transition in order
 * so the PIC sees every edge; far behind (the host stalled), jump */
static void pit_irq_update(struct pit8254 *p, int64_t now)
{
	struct pit_chan *c = &p->ch[0];
	chan_sync(c, p->irq_tick);
	for (int i = 0; i < 4 && p->irq_tick < now; i++) {
		int64_t t = chan_next_event(c, p->irq_tick);
		if (t > now)
			break;
		chan_sync(c, t);
		irq_set(&p->irq0, chan_out(c, t));
		p->irq_tick = t;
	}
	chan_sync(c, now);
	irq_set(&p->irq0, chan_out(c, now));
	if (p->irq_tick < now)
		p->irq_tick = now;
	int64_t next = chan_next_event(c, now);
	if (next == TICK_NEVER)
		timer_del(&p->timer);
	else
		timer_mod(&p->timer, tick_to_ns(next));
}

static void pit_timer_cb(void *opaque)
{
	struct pit8254 *p = opaque;
	pit_irq_update(p, pit_now(p));
}

struct irq_line *pit_irq0(struct pit8254 *p)
{
	return &p->irq0;
}

/* ---- ports 0x40-0x43 ---- */

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pit8254 *p = opaque;
	(void)size;
	if (offset == 3)
		return 0xff;	/* the control word register is write-only */
	int64_t now = pit_now(p);
	if (offset == 0)
		pit_irq_update(p, now);
	return chan_read(&p->ch[offset], now);
}

static void pit_read_back(struct pit8254 *p, uint8_t v, int64_t now)
{
	for (int i = 0; i < 3; i++) {
		struct pit_chan *c = &p->ch[i];
		if (!(v & (2u << i)))
			continue;
		chan_sync(c, now);
		if (!(v & RB_STATUS_N) && !c->status_latched) {
			c->status = chan_status(c, now);
			c->status_latched = 1;
		}
		if (!(v & RB_COUNT_N))
			chan_latch_count(c, now);
	}
}

static void pit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pit8254 *p = opaque;
	uint8_t v = (uint8_t)value;
	int64_t now = pit_now(p);
	(void)size;
	/* channel 0's edges so far belong to the old programming */
	pit_irq_update(p, now);
	if (offset < 3) {
		chan_write(&p->ch[offset], v, now);
	} else {
		int sc = v >> CW_SC_SHIFT;
		if (sc == 3)
			pit_read_back(p, v, now);
		else
			chan_control(&p->ch[sc], v, now);
	}
	pit_irq_update(p, now);
}

static const struct bus_ops pit_ops = {
	.read = pit_read, .write = pit_write, .min_size = 1, .max_size = 1,
};

/* ---- port 0x61 ---- */

static uint64_t portb_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pit8254 *p = opaque;
	struct pit_chan *c2 = &p->ch[2];
	int64_t now = pit_now(p);
	(void)offset;
	(void)size;
	chan_sync(c2, now);
	uint8_t v = p->port_b & PB_RW;
	if ((now / REFRESH_TICKS) & 1)
		v |= PB_REFRESH;
	if (chan_out(c2, now))
		v |= PB_OUT2;
	return v;
}

static void portb_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pit8254 *p = opaque;
	(void)offset;
	(void)size;
	p->port_b = (uint8_t)value & PB_RW;
	/* the speaker (OUT2 AND bit 1) is not heard; bit 1 only reads back */
	chan_set_gate(&p->ch[2], value & PB_GATE2, pit_now(p));
}

static const struct bus_ops portb_ops = {
	.read = portb_read, .write = portb_write, .min_size = 1, .max_size = 1,
};

/* ---- device ---- */

static void pit_reset(void *opaque)
{
	struct pit8254 *p = opaque;
	/* power-on: nothing counts until programmed; OUT low as after a mode 0
	 * control word, two-byte access, gates of 0/1 tied high */
	for (int i = 0; i < 3; i++) {
		struct pit_chan *c = &p->ch[i];
		memset(c, 0, sizeof(*c));
		c->rw = RW_WORD;
		c->gate = i != 2;
		c->load_tick = TICK_NEVER;
		c->cr = 65536;
	}
	p->port_b = 0;
	p->irq_tick = pit_now(p);
	pit_irq_update(p, p->irq_tick);
}

static void chan_save(const struct pit_chan *c, struct snap *s)
{
	SNAP_PUT(s, c->mode_bits);
	SNAP_PUT(s, c->rw);
	SNAP_PUT(s, c->bcd);
	SNAP_PUT(s, c->gate);
	SNAP_PUT(s, c->wlsb);
	SNAP_PUT(s, c->write_msb);
	SNAP_PUT(s, c->read_msb);
	SNAP_PUT(s, c->latch_left);
	SNAP_PUT(s, c->latch_msb);
	SNAP_PUT(s, c->latch);
	SNAP_PUT(s, c->status_latched);
	SNAP_PUT(s, c->status);
	SNAP_PUT(s, c->cr_raw);
	SNAP_PUT(s, c->cr);
	SNAP_PUT(s, c->cr_written);
	SNAP_PUT(s, c->null_count);
	SNAP_PUT(s, c->phase);
	SNAP_PUT(s, c->tc);
	SNAP_PUT(s, c->hold_out);
	SNAP_PUT(s, c->load_low);
	SNAP_PUT(s, c->n);
	SNAP_PUT(s, c->hold);
	SNAP_PUT(s, c->base);
	SNAP_PUT(s, c->load_tick);
}

static int chan_load_state(struct pit_chan *c, struct snap *s)
{
	SNAP_GET(s, c->mode_bits);
	SNAP_GET(s, c->rw);
	SNAP_GET(s, c->bcd);
	SNAP_GET(s, c->gate);
	SNAP_GET(s, c->wlsb);
	SNAP_GET(s, c->write_msb);
	SNAP_GET(s, c->read_msb);
	SNAP_GET(s, c->latch_left);
	SNAP_GET(s, c->latch_msb);
	SNAP_GET(s, c->latch);
	SNAP_GET(s, c->status_latched);
	SNAP_GET(s, c->status);
	SNAP_GET(s, c->cr_raw);
	SNAP_GET(s, c->cr);
	SNAP_GET(s, c->cr_written);
	SNAP_GET(s, c->null_count);
	SNAP_GET(s, c->phase);
	SNAP_GET(s, c->tc);
	SNAP_GET(s, c->hold_out);
	SNAP_GET(s, c->load_low);
	SNAP_GET(s, c->n);
	SNAP_GET(s, c->hold);
	SNAP_GET(s, c->base);
	SNAP_GET(s, c->load_tick);
	if (s->error)
		return -1;
	/* the formulas divide by n and cr; refuse what no guest can reach */
	if (c->mode_bits > 7 || c->rw < RW_LSB || c->rw > RW_WORD || c->phase > PH_HELD ||
	    c->latch_left > 2 || c->n > 65536 || c->cr == 0 || c->cr > 65536)
		return -1;
	c->mode = c->mode_bits >= 6 ? c->mode_bits - 4 : c->mode_bits;
	if (c->phase == PH_RUN && (c->mode == 2 || c->mode == 3) && c->n == 0)
		return -1;
	c->bcd &= 1;
	c->gate &= 1;
	return 0;
}

static void pit_save(void *opaque, struct snap *s)
{
	struct pit8254 *p = opaque;
	snap_section_put(s, "pit8254", 1);
	for (int i = 0; i < 3; i++)
		chan_save(&p->ch[i], s);
	SNAP_PUT(s, p->port_b);
	SNAP_PUT(s, p->irq_tick);
	SNAP_PUT(s, p->irq0.level);
}

static int pit_load(void *opaque, struct snap *s)
{
	struct pit8254 *p = opaque;
	struct pit_chan ch[3];
	uint8_t port_b;
	int64_t irq_tick;
	int level;
	snap_section_get(s, "pit8254", 1);
	for (int i = 0; i < 3; i++)
		if (chan_load_state(&ch[i], s))
			return -1;
	SNAP_GET(s, port_b);
	SNAP_GET(s, irq_tick);
	SNAP_GET(s, level);
	if (s->error)
		return -1;
	memcpy(p->ch, ch, sizeof(ch));
	p->ch[0].gate = p->ch[1].gate = 1;
	p->port_b = port_b & PB_RW;
	p->irq_tick = irq_tick;
	/* the PIC restores its own view of the line: set it silently, then
	 * signal only what differs from the state now */
	p->irq0.level = !!level;
	pit_irq_update(p, pit_now(p));
	return 0;
}

struct pit8254 *pit_new(struct bus *io, struct vclock *clk, struct device *dev)
{
	struct pit8254 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->clk = clk;
	timer_init(&p->timer, clk, pit_timer_cb, p);
	if (bus_register(io, PORT_PIT, 4, &pit_ops, p, "pit") ||
	    bus_register(io, PORT_B, 1, &portb_ops, p, "port-b")) {
		free(p);
		return NULL;
	}
	pit_reset(p);
	if (dev) {
		dev->name = "pit8254";
		dev->opaque = p;
		dev->reset = pit_reset;
		dev->save = pit_save;
		dev->load = pit_load;
	}
	return p;
}

void pit_free(struct pit8254 *p)
{
	if (!p)
		return;
	timer_del(&p->timer);
	free(p);
}
