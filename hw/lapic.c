/* The local APIC of each CPU (xAPIC MMIO and x2APIC MSRs) and the APIC bus joining them. */
// SPDX-License-Identifier: MIT
#include "hw/lapic.h"

#include <stdlib.h>
#include <string.h>
#include "hw/ioapic.h"		/* ioapic_eoi for level-triggered EOI broadcast */
#include "hw/log.h"

/* The timer counts a 1 GHz bus clock (one tick per virtual nanosecond) divided
 * by the divide configuration register: 1, 2, 4, ... 128 ns per count. Linux
 * and Windows calibrate it against the PIT, so any fixed rate works; 1 GHz
 * makes the arithmetic exact. */
#define APIC_BUS_NS_PER_TICK 1

/* A periodic timer fires at most once a microsecond: a guest programming a
 * period of a few ticks would otherwise have the host doing nothing but run
 * this timer. No real guest asks for less (Linux uses 1-10 ms). */
#define APIC_MIN_PERIOD_NS 1000

/* Version 0x14 (integrated APIC, P6 and later), max LVT entry 5: timer,
 * thermal, perf, LINT0, LINT1, error. No CMCI LVT (it would make it 6), no
 * directed-EOI support (bit 24 clear). */
#define APIC_VERSION 0x00050014u

enum {
	BASE_BSP = 1u << 8,
	BASE_EXTD = 1u << 10,	/* x2APIC mode */
	BASE_EN = 1u << 11,	/* global enable */
};
#define BASE_ADDR_MASK 0x000ffffffffff000ull

enum {
	SVR_ENABLE = 1u << 8,
	SVR_FOCUS_OFF = 1u << 9,
	SVR_WMASK = 0x3ff,
};

enum {
	LVT_MASKED = 1u << 16,
	LVT_REMOTE_IRR = 1u << 14,
	LVT_LEVEL = 1u << 15,
	LVT_TIMER_PERIODIC = 1u << 17,
};

enum lvt_index { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

/* writable bits of each LVT (timer: vector, mask, one-shot/periodic, no
 * TSC-deadline; LINTn: vector, delivery mode, polarity, trigger, mask) */
static const uint32_t lvt_wmask[LVT_COUNT] = {
	[LVT_TIMER] = 0x000300ff,
	[LVT_THERMAL] = 0x000107ff,
	[LVT_PERF] = 0x000107ff,
	[LVT_LINT0] = 0x0001a7ff,
	[LVT_LINT1] = 0x0001a7ff,
	[LVT_ERROR] = 0x000100ff,
};

enum {
	ESR_SEND_ILLEGAL_VECTOR = 1u << 5,
	ESR_RECV_ILLEGAL_VECTOR = 1u << 6,
	ESR_ILLEGAL_REGISTER = 1u << 7,
};

enum delivery_mode {
	DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_REMOTE_READ = 3,
	DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7,
};

/* ICR low: vector, delivery mode, destination mode, level, trigger,
 * shorthand; delivery status (bit 12) always reads 0 since delivery is
 * immediate */
#define ICR_LO_WMASK 0x000ccfffu

/* lapic_pending() has no vector to report for an ExtINT: the PIC supplies it
 * during lapic_ack(). 0 is never a vector the APIC itself accepts (0-15 are
 * illegal), so it stands for "ExtINT pending". */
#define PENDING_EXTINT 0

struct lapic {
	struct apic_bus *ab;
	struct vclock *clk;
	int cpu;
	uint64_t base;		/* IA32_APIC_BASE as the guest reads it */
	uint32_t id;		/* xAPIC: the 8-bit ID; x2APIC: the 32-bit ID */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr;		/* as last latched by a write to the ESR */
	uint32_t esr_pending;	/* errors since that write */
	uint32_t icr_lo, icr_hi;	/* icr_hi: bits 31:24 xAPIC, the 32-bit dest x2APIC */
	uint32_t lvt[LVT_COUNT];
	uint32_t tmict, tdcr;
	int64_t timer_start;	/* virtual ns at which the count was (re)loaded */
	uint32_t irr[8], isr[8], tmr[8];
	uint8_t lint_level[2];
	bool extint_msg;	/* an ExtINT message from the bus awaits INTA */
	struct timer timer;
};

/* ---- small helpers ---- */

static bool lapic_hw_enabled(const struct lapic *a)
{
	return (a->base & BASE_EN) != 0;
}

static bool lapic_x2(const struct lapic *a)
{
	return (a->base & (BASE_EN | BASE_EXTD)) == (BASE_EN | BASE_EXTD);
}

static bool lapic_sw_enabled(const struct lapic *a)
{
	return lapic_hw_enabled(a) && (a->svr & SVR_ENABLE);
}

static void lapic_event(struct lapic *a, enum apic_event ev, uint8_t vector)
{
	const struct apic_bus_host *h = &a->ab->host;
	if (h->event)
		h->event(h->opaque, a->cpu, ev, vector);
}

static void bits_set(uint32_t *v, uint8_t n) { v[n >> 5] |= 1u << (n & 31); }
static void bits_clear(uint32_t *v, uint8_t n) { v[n >> 5] &= ~(1u << (n & 31)); }
static bool bits_test(const uint32_t *v, uint8_t n) { return (v[n >> 5] >> (n & 31)) & 1; }

/* highest set bit of a 256-bit array, or -1 */
static int bits_highest(const uint32_t *v)
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

static uint32_t lapic_ppr(const struct lapic *a)
{
	int isrv = bits_highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	if ((a->tpr & 0xf0) >= isr_class)
		return a->tpr & 0xff;
	return isr_class;
}

static uint32_t lapic_apr(const struct lapic *a)
{
	int isrv = bits_highest(a->isr), irrv = bits_highest(a->irr);
	uint32_t hi = 0;
	if (isrv > 0)
		hi = (uint32_t)isrv & 0xf0;
	if (irrv > 0 && ((uint32_t)irrv & 0xf0) > hi)
		hi = (uint32_t)irrv & 0xf0;
	if ((a->tpr & 0xf0) >= hi)
		return a->tpr & 0xff;
	return hi;
}

static uint32_t lapic_ldr(const struct lapic *a)
{
	/* x2APIC derives the logical ID from the x2APIC ID: cluster in 31:16,
	 * one bit of 16 in 15:0 */
	if (lapic_x2(a))
		return ((a->id >> 4) << 16) | (1u << (a->id & 15));
	return a->ldr;
}

static unsigned lapic_divisor(const struct lapic *a)
{
	unsigned v = (a->tdcr & 3) | ((a->tdcr >> 1) & 4);
	return 1u << ((v + 1) & 7);	/* 000 -> 2 ... 110 -> 128, 111 -> 1 */
}

/* ---- errors and interrupt acceptance ---- */

static void lapic_irr_accept(struct lapic *a, uint8_t vector, bool level);

static void lapic_error(struct lapic *a, uint32_t bit)
{
	a->esr_pending |= bit;
	uint32_t lvt = a->lvt[LVT_ERROR];
	if (lvt & LVT_MASKED)
		return;
	/* an illegal error vector only records itself; never recurse */
	if ((lvt & 0xff) < 16) {
		a->esr_pending |= ESR_RECV_ILLEGAL_VECTOR;
		return;
	}
	lapic_irr_accept(a, lvt & 0xff, false);
}

/* a fixed interrupt arrives: IRR (and TMR for level), and wake the CPU if it
 * can now take it */
static void lapic_irr_accept(struct lapic *a, uint8_t vector, bool level)
{
	if (vector < 16) {
		lapic_error(a, ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	bool was = bits_test(a->irr, vector);
	bits_set(a->irr, vector);
	if (level)
		bits_set(a->tmr, vector);
	else
		bits_clear(a->tmr, vector);
	if (!was && lapic_sw_enabled(a) && (vector >> 4) > (lapic_ppr(a) >> 4))
		lapic_event(a, APIC_EV_KICK, 0);
}

/* With the APIC globally disabled there is no APIC: INTR and NMI go straight
 * to the CPU. With it software-disabled the LVTs are forced masked, and real
 * PCs still boot because the BIOS left LINT0 as ExtINT and LINT1 as NMI
 * (virtual-wire mode); there is no BIOS on the direct-kernel path, so a
 * software-disabled APIC passes INTR through as ExtINT and LINT1 as NMI too,
 * which is what virtual-wire mode gives. */
static bool lapic_virtual_wire(const struct lapic *a)
{
	return !lapic_sw_enabled(a);
}

static bool lapic_extint_routed(const struct lapic *a)
{
	if (lapic_virtual_wire(a))
		return true;
	uint32_t lvt = a->lvt[LVT_LINT0];
	return !(lvt & LVT_MASKED) && ((lvt >> 8) & 7) == DM_EXTINT;
}

static bool lapic_extint_pending(const struct lapic *a)
{
	return a->extint_msg || (a->lint_level[0] && lapic_extint_routed(a));
}

static int lapic_fixed_pending(const struct lapic *a)
{
	if (!lapic_sw_enabled(a))
		return -1;	/* IRR and ISR are held while software-disabled */
	int v = bits_highest(a->irr);
	if (v < 0 || (v >> 4) <= (int)(lapic_ppr(a) >> 4))
		return -1;
	return v;
}

int lapic_pending(struct lapic *a)
{
	if (lapic_extint_pending(a))
		return PENDING_EXTINT;
	return lapic_fixed_pending(a);
}

/* after the CPU itself changed TPR, ISR or SVR: kick if that uncovered an
 * interrupt (cheap, and it spares each tier from checking after every
 * APIC write) */
static void lapic_recheck(struct lapic *a, int before)
{
	int now = lapic_pending(a);
	if (now >= 0 && now != before)
		lapic_event(a, APIC_EV_KICK, 0);
}

int lapic_ack(struct lapic *a)
{
	const struct apic_bus_host *h = &a->ab->host;
	uint8_t spurious = a->svr & 0xff;
	/* with no APIC the INTA cycle goes to the PIC whatever happened to
	 * INTR meanwhile; the PIC answers a vanished request with its own
	 * spurious vector */
	if (lapic_extint_pending(a) || !lapic_hw_enabled(a)) {
		a->extint_msg = false;
		return h->extint_ack ? h->extint_ack(h->opaque) : spurious;
	}
	int v = lapic_fixed_pending(a);
	if (v < 0)
		return spurious;
	bits_clear(a->irr, (uint8_t)v);
	bits_set(a->isr, (uint8_t)v);
	return v;
}

/* ---- local interrupts (LVT) ---- */

/* deliver what an LVT entry says, for an event of its source */
static void lapic_lvt_fire(struct lapic *a, enum lvt_index i)
{
	uint32_t lvt = a->lvt[i];
	if (lvt & LVT_MASKED)
		return;
	unsigned mode = (i == LVT_TIMER || i == LVT_ERROR) ? DM_FIXED : (lvt >> 8) & 7;
	switch (mode) {
	case DM_FIXED:
		if (lvt & LVT_LEVEL && (i == LVT_LINT0 || i == LVT_LINT1)) {
			if (lvt & LVT_REMOTE_IRR)
				return;
			a->lvt[i] |= LVT_REMOTE_IRR;
			lapic_irr_accept(a, lvt & 0xff, true);
		} else {
			lapic_irr_accept(a, lvt & 0xff, false);
		}
		break;
	case DM_NMI:
		lapic_event(a, APIC_EV_NMI, 0);
		break;
	case DM_SMI:
		lapic_event(a, APIC_EV_SMI, 0);
		break;
	case DM_EXTINT:
		/* taken from the line level by lapic_pending */
		if (i == LVT_LINT0)
			lapic_event(a, APIC_EV_KICK, 0);
		else
			log_once("lapic: ExtINT on an LVT other than LINT0 ignored");
		break;
	case DM_INIT:
		log_once("lapic: INIT delivery mode in an LVT ignored");
		break;
	default:
		log_once("lapic: reserved LVT delivery mode %u ignored", mode);
		break;
	}
}

/* a level-triggered LINT whose line is high re-delivers once its remote IRR
 * clears (EOI) or it is unmasked */
static void lapic_lint_level_eval(struct lapic *a, int n)
{
	uint32_t lvt = a->lvt[LVT_LINT0 + n];
	if (!a->lint_level[n] || lapic_virtual_wire(a) || (lvt & LVT_MASKED))
		return;
	if (((lvt >> 8) & 7) == DM_FIXED && (lvt & LVT_LEVEL) && !(lvt & LVT_REMOTE_IRR))
		lapic_lvt_fire(a, LVT_LINT0 + n);
}

/* Pin polarity (LVT bit 13) is not modelled: the lines are active high, as
 * the PIC's INTR and the NMI line of a PC are. */
void lapic_set_lint(void *opaque, int n, int level)
{
	struct lapic *a = opaque;
	if (n < 0 || n > 1)
		return;
	level = !!level;
	if (a->lint_level[n] == level)
		return;
	a->lint_level[n] = (uint8_t)level;
	if (lapic_virtual_wire(a)) {
		if (level)
			lapic_event(a, n == 0 ? APIC_EV_KICK : APIC_EV_NMI, 0);
		return;
	}
	uint32_t lvt = a->lvt[LVT_LINT0 + n];
	if (((lvt >> 8) & 7) == DM_FIXED && (lvt & LVT_LEVEL)) {
		lapic_lint_level_eval(a, n);
		return;
	}
	if (level)	/* everything else triggers on the rising edge */
		lapic_lvt_fire(a, LVT_LINT0 + n);
}

/* ---- timer ---- */

static int64_t lapic_tick_ns(const struct lapic *a)
{
	return (int64_t)lapic_divisor(a) * APIC_BUS_NS_PER_TICK;
}

static uint32_t lapic_timer_count(const struct lapic *a)
{
	if (!a->tmict || !timer_pending(&a->timer))
		return 0;
	int64_t elapsed = (clock_ns(a->clk) - a->timer_start) / lapic_tick_ns(a);
	if (elapsed < 0)
		elapsed = 0;
	if (elapsed < a->tmict)
		return a->tmict - (uint32_t)elapsed;
	if (a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)
		return a->tmict - (uint32_t)(elapsed % a->tmict);
	return 0;
}

/* ns from a load to the expiry */
static int64_t lapic_timer_period(const struct lapic *a)
{
	int64_t ns = (int64_t)a->tmict * lapic_tick_ns(a);
	if ((a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) && ns < APIC_MIN_PERIOD_NS)
		return APIC_MIN_PERIOD_NS;
	return ns;
}

static void lapic_timer_cb(void *opaque)
{
	struct lapic *a = opaque;
	if (!a->tmict)
		return;
	if (a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) {
		int64_t period = lapic_timer_period(a);
		int64_t k = (clock_ns(a->clk) - a->timer_start) / period;
		/* periods missed while the callback was late collapse into one
		 * interrupt, as an IRR bit holds only one */
		a->timer_start += (k < 1 ? 1 : k) * period;
		timer_mod(&a->timer, a->timer_start + period);
	}
	lapic_lvt_fire(a, LVT_TIMER);
}

static void lapic_timer_load(struct lapic *a, uint32_t count)
{
	a->tmict = count;
	a->timer_start = clock_ns(a->clk);
	if (!count) {
		timer_del(&a->timer);
		return;
	}
	timer_mod(&a->timer, a->timer_start + lapic_timer_period(a));
}

/* a new divider keeps the current count and counts on at the new rate */
static void lapic_timer_set_divide(struct lapic *a, uint32_t v)
{
	if (!timer_pending(&a->timer)) {
		a->tdcr = v;
		return;
	}
	uint32_t cur = lapic_timer_count(a);
	int64_t now = clock_ns(a->clk);
	a->tdcr = v;
	int64_t tick = lapic_tick_ns(a);
	a->timer_start = now - (int64_t)(a->tmict - cur) * tick;
	timer_mod(&a->timer, now + (int64_t)cur * tick);
}

/* ---- reset ---- */

/* INIT: everything but the ID and the base MSR (x2APIC mode included) */
static void lapic_init_state(struct lapic *a)
{
	a->tpr = 0;
	a->ldr = 0;
	a->dfr = 0xffffffffu;
	a->svr = 0xff;
	a->esr = a->esr_pending = 0;
	a->icr_lo = a->icr_hi = 0;
	for (int i = 0; i < LVT_COUNT; i++)
		a->lvt[i] = LVT_MASKED;
	a->tmict = 0;
	a->tdcr = 0;
	a->timer_start = clock_ns(a->clk);
	timer_del(&a->timer);
	memset(a->irr, 0, sizeof(a->irr));
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->tmr, 0, sizeof(a->tmr));
	a->extint_msg = false;
}

void lapic_reset(struct lapic *a)
{
	a->base = APIC_DEFAULT_BASE | BASE_EN | (a->cpu == 0 ? BASE_BSP : 0);
	a->id = (uint32_t)a->cpu;
	lapic_init_state(a);
}

/* ---- IA32_APIC_BASE ---- */

uint64_t lapic_get_base(struct lapic *a)
{
	return a->base;
}

void lapic_set_base(struct lapic *a, uint64_t v)
{
	bool en = v & BASE_EN, extd = v & BASE_EXTD;
	bool was_en = lapic_hw_enabled(a), was_x2 = lapic_x2(a);
	/* the SDM's invalid transitions (#GP on hardware; we cannot fault
	 * here, so the write is dropped) */
	if (extd && !en) {
		log_once("lapic: APIC base with x2APIC set but not enabled ignored");
		return;
	}
	if (was_x2 && en && !extd) {
		log_once("lapic: x2APIC to xAPIC without disabling ignored");
		return;
	}
	int before = lapic_pending(a);
	a->base = (v & (BASE_ADDR_MASK | BASE_EN | BASE_EXTD)) | (a->cpu == 0 ? BASE_BSP : 0);
	if (was_en && !en) {
		/* globally disabling loses the APIC state, as at power-up */
		a->id = (uint32_t)a->cpu;
		lapic_init_state(a);
	}
	if (extd && !was_x2)
		a->id = (uint32_t)a->cpu;	/* the x2APIC ID is the initial APIC ID */
	lapic_recheck(a, before);
}

bool lapic_claims(struct lapic *a, uint64_t gpa)
{
	return lapic_hw_enabled(a) && !lapic_x2(a) &&
	       (gpa & ~0xfffull) == (a->base & BASE_ADDR_MASK);
}

/* ---- EOI, ICR ---- */

static void lapic_eoi(struct lapic *a)
{
	int before = lapic_pending(a);
	int v = bits_highest(a->isr);
	if (v < 0)
		return;
	bits_clear(a->isr, (uint8_t)v);
	if (bits_test(a->tmr, (uint8_t)v) && a->ab->ioapic)
		ioapic_eoi(a->ab->ioapic, (uint8_t)v);
	for (int n = 0; n < 2; n++) {
		uint32_t *lvt = &a->lvt[LVT_LINT0 + n];
		if ((*lvt & LVT_REMOTE_IRR) && (*lvt & 0xff) == (uint32_t)v) {
			*lvt &= ~LVT_REMOTE_IRR;
			lapic_lint_level_eval(a, n);
		}
	}
	lapic_recheck(a, before);
}

static void lapic_send_ipi(struct lapic *a)
{
	uint32_t lo = a->icr_lo;
	uint8_t vector = lo & 0xff;
	int mode = (lo >> 8) & 7, dest_mode = (lo >> 11) & 1;
	int level = (lo >> 14) & 1, trigger = (lo >> 15) & 1, shorthand = (lo >> 18) & 3;
	uint32_t dest = lapic_x2(a) ? a->icr_hi : a->icr_hi >> 24;

	switch (mode) {
	case DM_INIT:
		/* INIT level de-assert only resynchronises arbitration IDs */
		if (trigger && !level)
			return;
		break;
	case DM_FIXED:
	case DM_LOWEST:
		if (vector < 16) {
			lapic_error(a, ESR_SEND_ILLEGAL_VECTOR);
			return;
		}
		break;
	case DM_REMOTE_READ:
		log_once("lapic: remote read IPI not modelled");
		return;
	case DM_EXTINT:
		log_once("lapic: ExtINT IPI is reserved; ignored");
		return;
	default:
		break;
	}
	apic_bus_deliver(a->ab, dest, dest_mode, mode, vector, trigger, shorthand, a->cpu);
}

/* ---- register access: one table for both the MMIO page and the MSRs ---- */

enum {
	REG_R = 1,
	REG_W = 2,
	REG_XAPIC_ONLY = 4,	/* absent in x2APIC mode (#GP) */
	REG_X2APIC_ONLY = 8,	/* absent in xAPIC mode */
	REG_X2_RO = 16,		/* writable in xAPIC, read-only in x2APIC */
	REG_X2_ZERO = 32,	/* x2APIC: writing anything but 0 is #GP */
};

struct lapic_reg {
	const char *name;
	uint8_t flags;
	uint32_t (*read)(struct lapic *a, unsigned idx);
	void (*write)(struct lapic *a, unsigned idx, uint32_t v);
};

static uint32_t reg_read_id(struct lapic *a, unsigned idx)
{
	(void)idx;
	return lapic_x2(a) ? a->id : a->id << 24;
}

static void reg_write_id(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	a->id = v >> 24;	/* writable on P6 and later in xAPIC mode */
}

static uint32_t reg_read_version(struct lapic *a, unsigned idx)
{
	(void)a;
	(void)idx;
	return APIC_VERSION;
}

static uint32_t reg_read_tpr(struct lapic *a, unsigned idx) { (void)idx; return a->tpr; }

static void reg_write_tpr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	int before = lapic_pending(a);
	a->tpr = v & 0xff;
	lapic_recheck(a, before);
}

static uint32_t reg_read_apr(struct lapic *a, unsigned idx) { (void)idx; return lapic_apr(a); }
static uint32_t reg_read_ppr(struct lapic *a, unsigned idx) { (void)idx; return lapic_ppr(a); }
static uint32_t reg_read_zero(struct lapic *a, unsigned idx) { (void)a; (void)idx; return 0; }

static void reg_write_eoi(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	(void)v;
	lapic_eoi(a);
}

static uint32_t reg_read_ldr(struct lapic *a, unsigned idx) { (void)idx; return lapic_ldr(a); }

static void reg_write_ldr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	a->ldr = v & 0xff000000u;
}

static uint32_t reg_read_dfr(struct lapic *a, unsigned idx) { (void)idx; return a->dfr; }

static void reg_write_dfr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	a->dfr = v | 0x0fffffffu;
}

static uint32_t reg_read_svr(struct lapic *a, unsigned idx) { (void)idx; return a->svr; }

static void reg_write_svr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	int before = lapic_pending(a);
	a->svr = v & SVR_WMASK;
	if (!(a->svr & SVR_ENABLE)) {
		for (int i = 0; i < LVT_COUNT; i++)
			a->lvt[i] |= LVT_MASKED;
	}
	lapic_recheck(a, before);
}

static uint32_t reg_read_isr(struct lapic *a, unsigned idx) { return a->isr[idx - 0x10]; }
static uint32_t reg_read_tmr(struct lapic *a, unsigned idx) { return a->tmr[idx - 0x18]; }
static uint32_t reg_read_irr(struct lapic *a, unsigned idx) { return a->irr[idx - 0x20]; }
static uint32_t reg_read_esr(struct lapic *a, unsigned idx) { (void)idx; return a->esr; }

/* a write latches the errors seen since the previous write */
static void reg_write_esr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	(void)v;
	a->esr = a->esr_pending;
	a->esr_pending = 0;
}

static uint32_t reg_read_icr_lo(struct lapic *a, unsigned idx) { (void)idx; return a->icr_lo; }

static void reg_write_icr_lo(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	a->icr_lo = v & ICR_LO_WMASK;
	lapic_send_ipi(a);
}

static uint32_t reg_read_icr_hi(struct lapic *a, unsigned idx) { (void)idx; return a->icr_hi; }

static void reg_write_icr_hi(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	a->icr_hi = v & 0xff000000u;
}

static uint32_t reg_read_lvt(struct lapic *a, unsigned idx) { return a->lvt[idx - 0x32]; }

static void reg_write_lvt(struct lapic *a, unsigned idx, uint32_t v)
{
	unsigned i = idx - 0x32;
	int before = lapic_pending(a);
	uint32_t keep = a->lvt[i] & LVT_REMOTE_IRR;
	/* SDM: the mask bits cannot be cleared while software-disabled */
	if (!lapic_sw_enabled(a))
		v |= LVT_MASKED;
	if (i == LVT_LINT0 || i == LVT_LINT1) {
		/* remote IRR only means something for level-triggered fixed */
		if (!(v & LVT_LEVEL))
			keep = 0;
	}
	a->lvt[i] = (v & lvt_wmask[i]) | keep;
	if (i == LVT_LINT0 || i == LVT_LINT1)
		lapic_lint_level_eval(a, (int)(i - LVT_LINT0));
	lapic_recheck(a, before);
}

static uint32_t reg_read_tmict(struct lapic *a, unsigned idx) { (void)idx; return a->tmict; }

static void reg_write_tmict(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	lapic_timer_load(a, v);
}

static uint32_t reg_read_tmcct(struct lapic *a, unsigned idx) { (void)idx; return lapic_timer_count(a); }
static uint32_t reg_read_tdcr(struct lapic *a, unsigned idx) { (void)idx; return a->tdcr; }

static void reg_write_tdcr(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	lapic_timer_set_divide(a, v & 0xb);
}

static void reg_write_self_ipi(struct lapic *a, unsigned idx, uint32_t v)
{
	(void)idx;
	if ((v & 0xff) < 16) {
		lapic_error(a, ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	lapic_irr_accept(a, v & 0xff, false);
}

#define REG_ARRAY8(base, nm, rd) \
	[base + 0] = { nm, REG_R, rd, NULL }, [base + 1] = { nm, REG_R, rd, NULL }, \
	[base + 2] = { nm, REG_R, rd, NULL }, [base + 3] = { nm, REG_R, rd, NULL }, \
	[base + 4] = { nm, REG_R, rd, NULL }, [base + 5] = { nm, REG_R, rd, NULL }, \
	[base + 6] = { nm, REG_R, rd, NULL }, [base + 7] = { nm, REG_R, rd, NULL }

/* indexed by MMIO offset >> 4, which is also x2APIC MSR - 0x800 */
static const struct lapic_reg lapic_regs[64] = {
	[0x02] = { "ID", REG_R | REG_W | REG_X2_RO, reg_read_id, reg_write_id },
	[0x03] = { "version", REG_R, reg_read_version, NULL },
	[0x08] = { "TPR", REG_R | REG_W, reg_read_tpr, reg_write_tpr },
	[0x09] = { "APR", REG_R | REG_XAPIC_ONLY, reg_read_apr, NULL },
	[0x0a] = { "PPR", REG_R, reg_read_ppr, NULL },
	[0x0b] = { "EOI", REG_W | REG_X2_ZERO, NULL, reg_write_eoi },
	[0x0c] = { "RRD", REG_R | REG_XAPIC_ONLY, reg_read_zero, NULL },
	[0x0d] = { "LDR", REG_R | REG_W | REG_X2_RO, reg_read_ldr, reg_write_ldr },
	[0x0e] = { "DFR", REG_R | REG_W | REG_XAPIC_ONLY, reg_read_dfr, reg_write_dfr },
	[0x0f] = { "SVR", REG_R | REG_W, reg_read_svr, reg_write_svr },
	REG_ARRAY8(0x10, "ISR", reg_read_isr),
	REG_ARRAY8(0x18, "TMR", reg_read_tmr),
	REG_ARRAY8(0x20, "IRR", reg_read_irr),
	[0x28] = { "ESR", REG_R | REG_W | REG_X2_ZERO, reg_read_esr, reg_write_esr },
	[0x30] = { "ICR", REG_R | REG_W, reg_read_icr_lo, reg_write_icr_lo },
	[0x31] = { "ICR2", REG_R | REG_W | REG_XAPIC_ONLY, reg_read_icr_hi, reg_write_icr_hi },
	[0x32] = { "LVTT", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x33] = { "LVTTHMR", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x34] = { "LVTPC", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x35] = { "LVT0", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x36] = { "LVT1", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x37] = { "LVTERR", REG_R | REG_W, reg_read_lvt, reg_write_lvt },
	[0x38] = { "TMICT", REG_R | REG_W, reg_read_tmict, reg_write_tmict },
	[0x39] = { "TMCCT", REG_R, reg_read_tmcct, NULL },
	[0x3e] = { "TDCR", REG_R | REG_W, reg_read_tdcr, reg_write_tdcr },
	[0x3f] = { "SELF_IPI", REG_W | REG_X2APIC_ONLY, NULL, reg_write_self_ipi },
};

static const struct lapic_reg *lapic_xapic_reg(struct lapic *a, uint32_t offset)
{
	const struct lapic_reg *r = &lapic_regs[(offset >> 4) & 63];
	if (offset & 0xf)
		return NULL;	/* the hole after a register: reads 0 */
	if (!r->name || (r->flags & REG_X2APIC_ONLY)) {
		/* a reserved offset: the ESR says so; the access does nothing */
		lapic_error(a, ESR_ILLEGAL_REGISTER);
		return NULL;
	}
	return r;
}

uint32_t lapic_mmio_read(struct lapic *a, uint32_t offset)
{
	if (!lapic_hw_enabled(a) || lapic_x2(a))
		return 0;
	const struct lapic_reg *r = lapic_xapic_reg(a, offset & 0xfff);
	if (!r || !r->read)
		return 0;	/* EOI reads as 0 */
	return r->read(a, (offset >> 4) & 63);
}

void lapic_mmio_write(struct lapic *a, uint32_t offset, uint32_t value)
{
	if (!lapic_hw_enabled(a) || lapic_x2(a))
		return;
	const struct lapic_reg *r = lapic_xapic_reg(a, offset & 0xfff);
	if (r && r->write)
		r->write(a, (offset >> 4) & 63, value);
}

static const struct lapic_reg *lapic_x2_reg(struct lapic *a, uint32_t msr)
{
	if (!lapic_x2(a) || msr < 0x800 || msr >= 0x840)
		return NULL;
	const struct lapic_reg *r = &lapic_regs[msr - 0x800];
	if (!r->name || (r->flags & REG_XAPIC_ONLY))
		return NULL;
	return r;
}

int lapic_msr_read(struct lapic *a, uint32_t msr, uint64_t *v)
{
	const struct lapic_reg *r = lapic_x2_reg(a, msr);
	if (!r || !(r->flags & REG_R))
		return -1;
	unsigned idx = msr - 0x800;
	if (idx == 0x30)
		*v = (uint64_t)a->icr_hi << 32 | a->icr_lo;
	else
		*v = r->read(a, idx);
	return 0;
}

int lapic_msr_write(struct lapic *a, uint32_t msr, uint64_t v)
{
	const struct lapic_reg *r = lapic_x2_reg(a, msr);
	if (!r || !(r->flags & REG_W) || (r->flags & REG_X2_RO))
		return -1;
	unsigned idx = msr - 0x800;
	if (idx == 0x30) {
		a->icr_hi = (uint32_t)(v >> 32);
		a->icr_lo = (uint32_t)v & ICR_LO_WMASK;
		lapic_send_ipi(a);
		return 0;
	}
	if (v >> 32)
		return -1;	/* bits 63:32 of every other x2APIC MSR are reserved */
	if ((r->flags & REG_X2_ZERO) && v)
		return -1;
	if ((idx == 0x08 || idx == 0x3f) && (v & ~0xffull))
		return -1;	/* TPR and SELF IPI: reserved bits 31:8 */
	r->write(a, idx, (uint32_t)v);
	return 0;
}

uint8_t lapic_get_cr8(struct lapic *a)
{
	return (a->tpr >> 4) & 0xf;
}

void lapic_set_cr8(struct lapic *a, uint8_t v)
{
	int before = lapic_pending(a);
	a->tpr = (uint32_t)(v & 0xf) << 4;
	lapic_recheck(a, before);
}

/* ---- the APIC bus ---- */

void apic_bus_init(struct apic_bus *ab, const struct apic_bus_host *host)
{
	memset(ab, 0, sizeof(*ab));
	if (host)
		ab->host = *host;
}

static bool lapic_match_dest(const struct lapic *a, uint32_t dest, int dest_mode)
{
	if (lapic_x2(a)) {
		if (dest == 0xffffffffu)
			return true;
		if (!dest_mode)
			return dest == a->id;
		uint32_t ldr = lapic_ldr(a);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;	/* broadcast, physical or logical */
	if (!dest_mode)
		return dest == (a->id & 0xff);
	uint8_t lid = a->ldr >> 24;
	if ((a->dfr >> 28) == 0xf)	/* flat: one bit per APIC */
		return (lid & dest) != 0;
	/* cluster: cluster number in 7:4, one of four APICs in 3:0 */
	return (lid >> 4) == (dest >> 4) && (lid & dest & 0xf);
}

/* an interrupt message reaches one APIC */
static void lapic_receive(struct lapic *a, int delivery, uint8_t vector, int trigger)
{
	switch (delivery) {
	case DM_FIXED:
	case DM_LOWEST:
		/* a software-disabled APIC does not accept fixed interrupts */
		if (lapic_sw_enabled(a))
			lapic_irr_accept(a, vector, trigger != 0);
		break;
	case DM_SMI:
		lapic_event(a, APIC_EV_SMI, 0);
		break;
	case DM_NMI:
		lapic_event(a, APIC_EV_NMI, 0);
		break;
	case DM_INIT:
		lapic_init_state(a);
		lapic_event(a, APIC_EV_INIT, 0);
		break;
	case DM_SIPI:
		lapic_event(a, APIC_EV_SIPI, vector);
		break;
	case DM_EXTINT:
		a->extint_msg = true;
		lapic_event(a, APIC_EV_KICK, 0);
		break;
	default:
		log_once("lapic: reserved delivery mode %d ignored", delivery);
		break;
	}
}

/* Lowest priority goes to the matching APIC with the lowest TPR, the first
 * one on a tie; focus-processor checking is not modelled. */
void apic_bus_deliver(struct apic_bus *ab, uint32_t dest, int dest_mode,
		      int delivery, uint8_t vector, int trigger, int shorthand, int src)
{
	int n = ab->ncpus < APIC_MAX_CPUS ? ab->ncpus : APIC_MAX_CPUS;
	bool hit[APIC_MAX_CPUS] = { false };
	int best = -1;
	for (int i = 0; i < n; i++) {
		struct lapic *t = ab->cpu[i];
		if (!t || !lapic_hw_enabled(t))
			continue;	/* a globally disabled APIC hears nothing */
		switch (shorthand & 3) {
		case 0: hit[i] = lapic_match_dest(t, dest, dest_mode); break;
		case 1: hit[i] = i == src; break;
		case 2: hit[i] = true; break;
		default: hit[i] = i != src; break;
		}
		if (!hit[i] || delivery != DM_LOWEST)
			continue;
		if (best < 0 || (lapic_sw_enabled(t) && !lapic_sw_enabled(ab->cpu[best])) ||
		    (lapic_sw_enabled(t) == lapic_sw_enabled(ab->cpu[best]) &&
		     (t->tpr & 0xff) < (ab->cpu[best]->tpr & 0xff)))
			best = i;
	}
	if (delivery == DM_LOWEST) {
		if (best >= 0)
			lapic_receive(ab->cpu[best], delivery, vector, trigger);
		return;
	}
	for (int i = 0; i < n; i++)
		if (hit[i])
			lapic_receive(ab->cpu[i], delivery, vector, trigger);
}

/* ---- life cycle and save state ---- */

struct lapic *lapic_new(struct apic_bus *ab, struct vclock *clk, int cpu)
{
	if (cpu < 0 || cpu >= APIC_MAX_CPUS || ab->cpu[cpu])
		return NULL;
	struct lapic *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->ab = ab;
	a->clk = clk;
	a->cpu = cpu;
	timer_init(&a->timer, clk, lapic_timer_cb, a);
	lapic_reset(a);
	ab->cpu[cpu] = a;
	if (ab->ncpus <= cpu)
		ab->ncpus = cpu + 1;
	return a;
}

void lapic_free(struct lapic *a)
{
	if (!a)
		return;
	timer_del(&a->timer);
	if (a->ab->cpu[a->cpu] == a)
		a->ab->cpu[a->cpu] = NULL;
	free(a);
}

#define LAPIC_SNAP_VERSION 1

void lapic_save(struct lapic *a, struct snap *s)
{
	snap_section_put(s, "lapic", LAPIC_SNAP_VERSION);
	SNAP_PUT(s, a->base);
	SNAP_PUT(s, a->id);
	SNAP_PUT(s, a->tpr);
	SNAP_PUT(s, a->ldr);
	SNAP_PUT(s, a->dfr);
	SNAP_PUT(s, a->svr);
	SNAP_PUT(s, a->esr);
	SNAP_PUT(s, a->esr_pending);
	SNAP_PUT(s, a->icr_lo);
	SNAP_PUT(s, a->icr_hi);
	SNAP_PUT(s, a->lvt);
	SNAP_PUT(s, a->tmict);
	SNAP_PUT(s, a->tdcr);
	SNAP_PUT(s, a->timer_start);
	SNAP_PUT(s, a->timer.deadline);
	SNAP_PUT(s, a->irr);
	SNAP_PUT(s, a->isr);
	SNAP_PUT(s, a->tmr);
	SNAP_PUT(s, a->lint_level);
	SNAP_PUT(s, a->extint_msg);
}

int lapic_load(struct lapic *a, struct snap *s)
{
	struct lapic n = *a;
	int64_t deadline;
	snap_section_get(s, "lapic", LAPIC_SNAP_VERSION);
	SNAP_GET(s, n.base);
	SNAP_GET(s, n.id);
	SNAP_GET(s, n.tpr);
	SNAP_GET(s, n.ldr);
	SNAP_GET(s, n.dfr);
	SNAP_GET(s, n.svr);
	SNAP_GET(s, n.esr);
	SNAP_GET(s, n.esr_pending);
	SNAP_GET(s, n.icr_lo);
	SNAP_GET(s, n.icr_hi);
	SNAP_GET(s, n.lvt);
	SNAP_GET(s, n.tmict);
	SNAP_GET(s, n.tdcr);
	SNAP_GET(s, n.timer_start);
	SNAP_GET(s, deadline);
	SNAP_GET(s, n.irr);
	SNAP_GET(s, n.isr);
	SNAP_GET(s, n.tmr);
	SNAP_GET(s, n.lint_level);
	SNAP_GET(s, n.extint_msg);
	if (s->error)
		return -1;
	/* keep what is not guest state: links and the (unarmed) timer */
	timer_del(&a->timer);
	n.ab = a->ab;
	n.clk = a->clk;
	n.cpu = a->cpu;
	n.timer = a->timer;
	n.base = (n.base & (BASE_ADDR_MASK | BASE_EN | BASE_EXTD)) | (a->cpu == 0 ? BASE_BSP : 0);
	n.svr &= SVR_WMASK;
	n.tdcr &= 0xb;
	n.lint_level[0] = !!n.lint_level[0];
	n.lint_level[1] = !!n.lint_level[1];
	for (int i = 0; i < LVT_COUNT; i++)
		n.lvt[i] &= lvt_wmask[i] | LVT_REMOTE_IRR;
	*a = n;
	if (deadline != CLOCK_NEVER && a->tmict)
		timer_mod(&a->timer, deadline);
	/* an interrupt it held wakes the CPU as a new one would (a
	 * translated STI asks whether one may be pending: vcpu.irq_maybe) */
	if (lapic_pending(a) >= 0)
		lapic_event(a, APIC_EV_KICK, 0);
	return 0;
}
