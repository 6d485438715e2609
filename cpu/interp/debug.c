/* Debugging in the interpreter: the guest's own DR0-DR7 as the SDM (Vol. 3,
 * 17.2-17.3) has them, and the debugger's breakpoints, watchpoints,
 * catches and single-step (cpu/debug.h). Instruction breakpoints are
 * checked before an instruction runs, against its linear address; data
 * breakpoints and watchpoints by the memory slow path, to which the TLB
 * sends every access to a watched page (tlb_set_watch); both kinds are
 * reported after the instruction, as traps. None of it is on the hit
 * path: the loop comes here only while c->dbg_on, and for every
 * instruction only while c->dbg_careful; with breakpoints alone, the
 * fast loop leaves only on the linear pages that hold one. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/interp.h"

#include "cpu/debug.h"
#include "cpu/interp/system.h"
#include "cpu/vcpu.h"

#define DR6_B_MASK 0xfu
#define DR7_GD (1u << 13)

/* DR7's fields for breakpoint n */
static inline bool dr7_enabled(uint64_t dr7, unsigned n)
{
	return (dr7 >> (2 * n)) & 3;
}

static inline unsigned dr7_rw(uint64_t dr7, unsigned n)
{
	return (dr7 >> (16 + 4 * n)) & 3;
}

/* LEN: 00 one byte, 01 two, 10 eight, 11 four */
static inline unsigned dr7_len(uint64_t dr7, unsigned n)
{
	static const uint8_t bytes[4] = { 1, 2, 8, 4 };
	return bytes[(dr7 >> (18 + 4 * n)) & 3];
}

enum { RW_EXEC = 0, RW_WRITE = 1, RW_IO = 2, RW_RW = 3 };

/* outside long mode the linear addresses the CPU compares are 32 bits */
static inline uint64_t dr_addr(const struct icpu *c, unsigned n)
{
	uint64_t a = c->s->dr[n];
	return c->long_mode ? a : a & 0xffffffffull;
}

static void add_bp_page(struct icpu *c, uint64_t lin)
{
	uint64_t page = lin & ~0xfffull;
	for (unsigned k = 0; k < c->dbg_nbp_pages; k++)
		if (c->dbg_bp_page[k] == page)
			return;
	if (c->dbg_nbp_pages < sizeof(c->dbg_bp_page) / sizeof(c->dbg_bp_page[0]))
		c->dbg_bp_page[c->dbg_nbp_pages++] = page;
	else
		c->dbg_careful_points = true;	/* too many pages to look up: every step */
}

/* What the points ask of the loop: the watched ranges (the guest's
 * enabled data breakpoints and the debugger's watchpoints) for the TLB,
 * the pages of instruction breakpoints for the fast loop, and whether
 * anything needs the careful step on every instruction */
static void rebuild(struct icpu *c)
{
	const struct vm_debug *d = &c->v->vm->dbg;
	uint64_t dr7 = c->s->dr[7];
	struct tlb_watch w[4 + DBG_MAX_POINTS];
	unsigned n = 0;
	c->dbg_nbp_pages = 0;
	c->dbg_careful_points = dbg_has_catches(d);
	for (unsigned k = 0; k < 4; k++) {
		if (!dr7_enabled(dr7, k))
			continue;
		unsigned rw = dr7_rw(dr7, k);
		if (rw == RW_EXEC) {
			add_bp_page(c, dr_addr(c, k));
			continue;
		}
		c->dbg_careful_points = true;	/* data and I/O breakpoints trap */
		if (rw == RW_IO)
			continue;
		unsigned len = dr7_len(dr7, k);
		uint64_t lo = dr_addr(c, k) & ~(uint64_t)(len - 1);
		w[n++] = (struct tlb_watch){ lo, lo + len - 1 };
	}
	for (int k = 0; k < d->npoints; k++) {
		const struct dbg_point *p = &d->p[k];
		if (p->kind <= DBG_BP_HW) {
			add_bp_page(c, p->addr);
		} else if (p->len) {
			w[n++] = (struct tlb_watch){ p->addr, p->addr + p->len - 1 };
			c->dbg_careful_points = true;
		}
	}
	tlb_set_watch(&c->tlb, w, n);
	c->dbg_dirty = false;
	c->dbg_gen = d->gen;
}

void idbg_update(struct icpu *c)
{
	const struct vcpu_debug *vd = &c->v->dbg;
	if (c->dbg_dirty || c->v->vm->dbg.gen != c->dbg_gen)
		rebuild(c);
	c->dbg_careful = c->dbg_careful_points || vd->step || vd->step_through || c->dbg_delayed;
	c->dbg_on = c->dbg_careful || c->dbg_nbp_pages;
}

bool idbg_bp_page(const struct icpu *c, uint64_t lin)
{
	uint64_t page = lin & ~0xfffull;
	for (unsigned k = 0; k < c->dbg_nbp_pages; k++)
		if (c->dbg_bp_page[k] == page)
			return true;
	return false;
}

bool idbg_irqs_masked(const struct icpu *c)
{
	return c->v->dbg.step && (c->v->vm->dbg.sstep & (DBG_SSTEP_NOIRQ | DBG_SSTEP_NOTIMER));
}

/* an interrupt or NMI was taken while stepping: with interrupts allowed,
 * the step runs the handler through and ends one instruction after the
 * CPU is back where it was (CS:rip and the stack pointer), as TF does */
void idbg_event_taken(struct icpu *c, uint16_t cs, uint64_t rip, uint64_t rsp)
{
	struct vcpu_debug *vd = &c->v->dbg;
	if (!vd->step || vd->step_through)
		return;
	vd->step_through = true;
	vd->step_cs = cs;
	vd->step_rip = rip;
	vd->step_rsp = rsp;
}

static bool stop_step(struct icpu *c)
{
	struct vcpu_debug *vd = &c->v->dbg;
	if (!vd->step || vd->step_through)
		return false;
	vd->why = DBG_STOP_STEP;
	return true;
}

enum idbg_before idbg_before_insn(struct icpu *c, uint64_t lin)
{
	struct cpu_state *s = c->s;
	struct vcpu_debug *vd = &c->v->dbg;
	const struct vm_debug *d = &c->v->vm->dbg;

	c->dbg_hits = 0;
	c->dbg_watch = 0;
	c->dbg_io = false;
	if (vd->step_through && s->seg[S_CS].selector == vd->step_cs && s->rip == vd->step_rip &&
	    s->gpr[R_ESP] == vd->step_rsp)
		vd->step_through = false;

	/* the debugger's first: it never sees the guest's (they are the
	 * guest's business), and they still fire when it runs on */
	int k = d->npoints ? dbg_break_hit(d, lin) : -1;
	if (k >= 0) {
		vd->why = DBG_STOP_BREAK;
		vd->kind = d->p[k].kind;
		vd->addr = lin;
		vd->step_through = false;
		return IDBG_STOP;
	}

	/* an instruction breakpoint is a fault, before the instruction; RF
	 * lets one instruction past (SDM 17.3.1.1) */
	uint64_t dr7 = s->dr[7];
	if (!(dr7 & 0xff) || (s->rflags & FL_RF))
		return IDBG_RUN;
	unsigned bits = 0;
	for (unsigned n = 0; n < 4; n++)
		if (dr7_enabled(dr7, n) && dr7_rw(dr7, n) == RW_EXEC && dr_addr(c, n) == lin)
			bits |= 1u << n;
	if (!bits)
		return IDBG_RUN;
	s->dr[6] |= bits;
	c->next_rip = s->rip;
	icpu_deliver(c, EXC_DB, EV_EXCEPTION, false, 0);
	return stop_step(c) ? IDBG_STOP : IDBG_DELIVERED;
}

/* B0-B3 for the #DB trap after the instruction that just retired: its
 * data and I/O matches, and those held over a MOV SS / POP SS, which
 * delays them past the next instruction (SDM 6.8.3) */
unsigned idbg_trap_bits(struct icpu *c)
{
	unsigned bits = c->dbg_hits;
	c->dbg_hits = 0;
	if (c->s->ev.interrupt_shadow == 1) {
		c->dbg_delayed |= (uint8_t)bits;
		return 0;
	}
	bits |= c->dbg_delayed;
	c->dbg_delayed = 0;
	return bits;
}

bool idbg_stop_after(struct icpu *c)
{
	struct vcpu_debug *vd = &c->v->dbg;
	const struct vm_debug *d = &c->v->vm->dbg;
	if (c->dbg_watch) {
		const struct dbg_point *p = &d->p[c->dbg_watch - 1];
		vd->why = DBG_STOP_WATCH;
		vd->kind = p->kind;
		vd->addr = p->addr;
		c->dbg_watch = 0;
		return true;
	}
	if (c->dbg_io) {
		vd->why = DBG_STOP_IO;
		vd->port = c->dbg_port;
		c->dbg_io = false;
		return true;
	}
	return stop_step(c);
}

bool idbg_step_done(struct icpu *c)
{
	return stop_step(c);
}

void idbg_data_access(struct icpu *c, uint64_t lin, unsigned len, bool write)
{
	uint64_t dr7 = c->s->dr[7];
	for (unsigned n = 0; n < 4 && (dr7 & 0xff); n++) {
		unsigned rw = dr7_rw(dr7, n);
		if (!dr7_enabled(dr7, n) || (rw != RW_RW && !(rw == RW_WRITE && write)))
			continue;
		unsigned blen = dr7_len(dr7, n);
		uint64_t lo = dr_addr(c, n) & ~(uint64_t)(blen - 1);
		if (lin < lo + blen && lo < lin + len)
			c->dbg_hits |= (uint8_t)(1u << n);
	}
	const struct vm_debug *d = &c->v->vm->dbg;
	if (d->npoints && !c->dbg_watch) {
		int k = dbg_watch_hit(d, lin, len, write);
		if (k >= 0)
			c->dbg_watch = k + 1;
	}
}

void idbg_io(struct icpu *c, uint16_t port, unsigned size)
{
	struct cpu_state *s = c->s;
	uint64_t dr7 = s->dr[7];
	if ((s->cr4 & CR4_DE) && (dr7 & 0xff)) {
		for (unsigned n = 0; n < 4; n++) {
			if (!dr7_enabled(dr7, n) || dr7_rw(dr7, n) != RW_IO)
				continue;
			unsigned blen = dr7_len(dr7, n);
			uint32_t lo = (uint32_t)s->dr[n] & 0xffff & ~(blen - 1);
			if (port < lo + blen && lo < (uint32_t)port + size)
				c->dbg_hits |= (uint8_t)(1u << n);
		}
	}
	const struct vm_debug *d = &c->v->vm->dbg;
	if (d->catch_io && !c->dbg_io && port <= d->io_hi && (uint32_t)port + size - 1 >= d->io_lo) {
		c->dbg_io = true;
		c->dbg_port = port;
	}
}

bool idbg_catch_vector(struct icpu *c, int vector, int kind, bool has_error, uint32_t error)
{
	const struct vm_debug *d = &c->v->vm->dbg;
	struct cpu_state *s = c->s;
	if (!dbg_catches_vector(d, (unsigned)vector & 0xff))
		return false;
	if (c->dbg_skip_catch == vector + 1) {
		c->dbg_skip_catch = 0;
		return false;
	}
	/* left pending, to be delivered when the vCPU runs on; an INT n
	 * stays unexecuted, rip at it */
	switch ((enum ev_kind)kind) {
	case EV_EXCEPTION:
		s->ev.exception_pending = true;
		s->ev.exception_nr = (uint8_t)vector;
		s->ev.exception_has_error = has_error;
		s->ev.exception_error = error;
		break;
	case EV_EXTINT:
		s->ev.interrupt_injected = true;
		s->ev.interrupt_nr = (uint8_t)vector;
		break;
	case EV_NMI:
		s->ev.nmi_injected = true;
		break;
	default:
		break;
	}
	c->dbg_skip_catch = vector + 1;
	struct vcpu_debug *vd = &c->v->dbg;
	vd->why = DBG_STOP_VECTOR;
	vd->vector = (uint8_t)vector;
	vd->has_error = has_error;
	vd->error = error;
	return true;
}
