/* Event delivery: the real-mode IVT, protected-mode IDT gates (interrupt,
 * trap, task), privilege changes with the TSS stack, v86 interrupts with
 * IOPL and VME redirection, 64-bit IDT delivery, and the double- and
 * triple-fault rules. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"
#include "hw/log.h"

/* c->delivering while an external event (interrupt, NMI, INT1) is being
 * delivered: benign for #DF, but faults it causes carry EXT */
#define DELIVERING_EXTERNAL (-2)

/* SDM Vol. 3 table 6-4/6-5: the classes that decide on a double fault */
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGEFAULT };

static enum exc_class exc_class(int vector)
{
	switch (vector) {
	case EXC_DE: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP:
		return EXC_CONTRIBUTORY;
	case EXC_PF:
		return EXC_PAGEFAULT;
	default:
		return EXC_BENIGN;
	}
}

/* fault-class exceptions: the pushed EFLAGS has RF set, so the handler's
 * IRET does not re-trigger an instruction breakpoint on the restart */
static bool exc_is_fault(int vector)
{
	switch (vector) {
	case EXC_DE: case EXC_BR: case EXC_UD: case EXC_NM: case EXC_DF: case EXC_TS:
	case EXC_NP: case EXC_SS: case EXC_GP: case EXC_PF: case EXC_MF: case EXC_AC:
	case EXC_XM:
		return true;
	default:
		return false;
	}
}

/* the low three bits of an IDT-related error code: IDT (bit 1) and EXT */
static uint32_t idt_err(int vector, uint32_t ext)
{
	return ((uint32_t)vector << 3) | 2 | ext;
}

static void commit_flags(struct icpu *c, uint64_t fl, bool clear_if)
{
	fl &= ~(uint64_t)(FL_TF | FL_NT | FL_RF | FL_VM);
	if (clear_if)
		fl &= ~(uint64_t)FL_IF;
	sys_set_flags(c, fl);
}

static void deliver_real(struct icpu *c, int vector, uint64_t ret)
{
	if ((uint32_t)vector * 4 + 3 > c->s->idt.limit)
		cpu_gp(c, 0);
	uint32_t ent = (uint32_t)lmem_read_sys(c, lin_wrap(c, c->s->idt.base + (uint32_t)vector * 4), 4);
	uint64_t fl = flags_get(c);
	struct sframe f;
	sf_cur(c, &f, 0);
	sf_push(c, &f, fl & 0xffff, 2);
	sf_push(c, &f, c->s->seg[S_CS].selector, 2);
	sf_push(c, &f, ret & 0xffff, 2);
	stk_set_sp(c, &f.ss, f.sp);
	sys_set_flags(c, fl & ~(uint64_t)(FL_IF | FL_TF | FL_AC | FL_RF));
	seg_load_real(c, S_CS, (uint16_t)(ent >> 16));
	c->s->rip = c->next_rip = ent & 0xffff;
}

/* INT n in v86 mode (SDM Vol. 3 20.3, methods 1-6). true when the
 * interrupt went to the 8086 program's own IVT; false when it goes
 * through the IDT; #GP(0) when IOPL < 3 forbids both */
static bool v86_soft_int(struct icpu *c, int vector, uint64_t ret)
{
	uint64_t fl = flags_get(c);
	unsigned iopl = (fl >> 12) & 3;
	if (c->s->cr4 & CR4_VME) {
		const struct cpu_segment *tr = &c->s->tr;
		if (tr->limit < 103)
			cpu_gp(c, 0);
		uint32_t iobase = (uint32_t)lmem_read_sys(c, lin_wrap(c, tr->base + 102), 2);
		uint32_t off = iobase - 32 + ((unsigned)vector >> 3);
		if (off > tr->limit)
			cpu_gp(c, 0);
		uint8_t bits = (uint8_t)lmem_read_sys(c, lin_wrap(c, tr->base + off), 1);
		if (!(bits & (1u << (vector & 7)))) {
			uint32_t ent = (uint32_t)lmem_read_sys(c, (uint32_t)vector * 4, 4);
			uint64_t img = fl & 0xffff;
			if (iopl < 3) {
				/* the handler sees the virtual IF, and IOPL 3 */
				img |= FL_IOPL;
				img = (fl & FL_VIF) ? (img | FL_IF) : (img & ~(uint64_t)FL_IF);
			}
			struct sframe f;
			sf_cur(c, &f, 0);
			sf_push(c, &f, img, 2);
			sf_push(c, &f, c->s->seg[S_CS].selector, 2);
			sf_push(c, &f, ret & 0xffff, 2);
			stk_set_sp(c, &f.ss, f.sp);
			fl &= ~(uint64_t)(FL_TF | FL_RF);
			fl &= ~(uint64_t)(iopl == 3 ? FL_IF : FL_VIF);
			sys_set_flags(c, fl);
			seg_load_real(c, S_CS, (uint16_t)(ent >> 16));
			c->s->rip = c->next_rip = ent & 0xffff;
			return true;
		}
	}
	if (iopl < 3)
		cpu_gp(c, 0);
	return false;
}

static void deliver_long(struct icpu *c, int vector, bool soft, bool has_error, uint32_t error,
			 uint32_t ext, uint64_t ret)
{
	struct cpu_state *s = c->s;
	if ((uint32_t)vector * 16 + 15 > s->idt.limit)
		cpu_gp(c, idt_err(vector, ext));
	uint64_t a = s->idt.base + (uint32_t)vector * 16;
	uint64_t q0 = lmem_read_sys(c, a, 8), q1 = lmem_read_sys(c, a + 8, 8);
	struct desc g = { (uint32_t)q0, (uint32_t)(q0 >> 32) };
	unsigned type = desc_type(g);
	if (desc_s(g) || (type != SYS_INT32 && type != SYS_TRAP32))
		cpu_gp(c, idt_err(vector, ext));
	if (soft && desc_dpl(g) < c->cpl)
		cpu_gp(c, idt_err(vector, 0));
	if (!desc_p(g))
		cpu_fault(c, EXC_NP, idt_err(vector, ext));
	uint16_t csel = gate_sel(g);
	uint64_t target = gate_off(g) | ((q1 & 0xffffffffull) << 32);
	struct desc cd;
	if (sel_err(csel) == 0)
		cpu_gp(c, ext);
	if (!desc_fetch(c, csel, &cd) || !desc_code64(cd) || desc_dpl(cd) > c->cpl)
		cpu_gp(c, sel_err(csel) | ext);
	if (!desc_p(cd))
		cpu_fault(c, EXC_NP, sel_err(csel) | ext);
	unsigned ncpl = desc_conforming(cd) ? c->cpl : desc_dpl(cd);
	unsigned ist = g.hi & 7;
	uint64_t rsp = s->gpr[R_ESP];
	if (ncpl != c->cpl || ist)
		rsp = tss64_stack(c, ncpl, ist, ext);
	rsp &= ~0xfull;
	if (!canonical(target))
		cpu_fault(c, EXC_GP, ext);
	if (!canonical(rsp))
		cpu_fault(c, EXC_SS, ext);
	uint64_t fl = flags_get(c);
	uint64_t frame[6] = { s->seg[S_SS].selector, s->gpr[R_ESP], fl, s->seg[S_CS].selector, ret, error };
	int n = has_error ? 6 : 5;
	for (int k = 0; k < n; k++) {
		rsp -= 8;
		if (ncpl < 3)
			lmem_write_sys(c, rsp, frame[k], 8);
		else
			vmem_write(c, S_SS, rsp, frame[k], 8);
	}
	desc_touch(c, csel, &cd);
	if (ncpl != c->cpl) {
		/* a null SS whose DPL still says the new CPL */
		seg_set_null(&s->seg[S_SS], (uint16_t)ncpl);
		s->seg[S_SS].attr |= ncpl << 5;
	}
	s->gpr[R_ESP] = rsp;
	commit_flags(c, fl, type == SYS_INT32);
	seg_commit_cs(c, csel, cd, ncpl, target);
}

static void deliver_protected(struct icpu *c, int vector, enum ev_kind kind, bool has_error,
			      uint32_t error, uint64_t ret)
{
	struct cpu_state *s = c->s;
	bool soft = kind == EV_SOFTINT || kind == EV_SOFTEXC;
	uint32_t ext = soft ? 0 : 1;

	if (c->long_mode) {
		deliver_long(c, vector, soft, has_error, error, ext, ret);
		return;
	}
	if ((uint32_t)vector * 8 + 7 > s->idt.limit)
		cpu_gp(c, idt_err(vector, ext));
	uint64_t q = lmem_read_sys(c, lin_wrap(c, s->idt.base + (uint32_t)vector * 8), 8);
	struct desc g = { (uint32_t)q, (uint32_t)(q >> 32) };
	unsigned type = desc_type(g);
	bool gate_ok = type == SYS_TASK || type == SYS_INT16 || type == SYS_TRAP16 ||
		       type == SYS_INT32 || type == SYS_TRAP32;
	if (desc_s(g) || !gate_ok)
		cpu_gp(c, idt_err(vector, ext));
	if (soft && desc_dpl(g) < c->cpl)
		cpu_gp(c, idt_err(vector, 0));
	if (!desc_p(g))
		cpu_fault(c, EXC_NP, idt_err(vector, ext));

	if (type == SYS_TASK) {
		uint16_t tsel;
		struct desc tss;
		task_gate_target(c, g, &tsel, &tss, ext);
		c->next_rip = ret;
		task_switch(c, tsel, tss, TS_INT, has_error, error, ext);
		return;
	}

	uint16_t csel = gate_sel(g);
	uint32_t target = gate_off(g);
	struct desc cd;
	if (sel_err(csel) == 0)
		cpu_gp(c, ext);
	if (!desc_fetch(c, csel, &cd) || !desc_code(cd) || desc_dpl(cd) > c->cpl)
		cpu_gp(c, sel_err(csel) | ext);
	if (!desc_p(cd))
		cpu_fault(c, EXC_NP, sel_err(csel) | ext);

	unsigned sz = (type & 8) ? 4 : 2;
	uint64_t fl = flags_get(c);
	bool outward = !desc_conforming(cd) && desc_dpl(cd) < c->cpl;
	unsigned ncpl = outward ? desc_dpl(cd) : c->cpl;
	struct sframe f;
	struct cpu_segment nss;

	if (outward) {
		if (c->v86 && desc_dpl(cd) != 0)
			cpu_gp(c, sel_err(csel) | ext);
		uint16_t ssel;
		uint32_t esp;
		tss_stack(c, ncpl, &ssel, &esp, ext);
		seg_check_ss(c, ssel, ncpl, EXC_TS, ext, &nss);
		sf_new(c, &f, &nss, esp, sel_err(ssel) | ext);
		if (c->v86) {
			sf_push(c, &f, s->seg[S_GS].selector, sz);
			sf_push(c, &f, s->seg[S_FS].selector, sz);
			sf_push(c, &f, s->seg[S_DS].selector, sz);
			sf_push(c, &f, s->seg[S_ES].selector, sz);
		}
		sf_push(c, &f, s->seg[S_SS].selector, sz);
		sf_push(c, &f, s->gpr[R_ESP], sz);
	} else {
		if (c->v86)
			cpu_gp(c, sel_err(csel) | ext);
		sf_cur(c, &f, ext);
	}
	sf_push(c, &f, fl, sz);
	sf_push(c, &f, s->seg[S_CS].selector, sz);
	sf_push(c, &f, ret, sz);
	if (has_error)
		sf_push(c, &f, error, sz);
	if (target > desc_limit(cd))
		cpu_gp(c, ext);
	desc_touch(c, csel, &cd);

	/* commit: nothing below can fault */
	if (outward) {
		if (c->v86)
			for (int sg = 0; sg < CPU_NR_SEGS; sg++)
				if (sg != S_CS && sg != S_SS)
					seg_set_null(&s->seg[sg], 0);
		s->seg[S_SS] = nss;
	}
	stk_set_sp(c, &f.ss, f.sp);
	commit_flags(c, fl, (type & 1) == 0);
	seg_commit_cs(c, csel, cd, ncpl, target);
}

void icpu_deliver(struct icpu *c, int vector, enum ev_kind kind, bool has_error, uint32_t error)
{
	if (__builtin_expect(c->dbg_on, 0) && idbg_catch_vector(c, vector, kind, has_error, error))
		cpu_debug_stop(c);
	uint64_t ret = kind == EV_EXCEPTION ? c->s->rip : c->next_rip;
	c->next_rip = ret;
	c->delivering = kind == EV_EXCEPTION ? (int8_t)vector
			: (kind == EV_SOFTINT || kind == EV_SOFTEXC) ? -1 : DELIVERING_EXTERNAL;
	if (log_enabled(LOG_INT) &&
	    log_addr_ok(c->code_size == 64 ? ret : (c->s->seg[S_CS].base + ret) & 0xffffffffull))
		log_msg("int: vector 0x%02x kind %d err %s0x%x at %04x:%08llx cpl %u", vector,
			(int)kind, has_error ? "" : "(none) ", error, c->s->seg[S_CS].selector,
			(unsigned long long)ret, c->cpl);
	c->s->ev.interrupt_shadow = 0;

	if (!cpu_protected(c->s)) {
		deliver_real(c, vector, ret);
	} else if (!(c->v86 && kind == EV_SOFTINT && v86_soft_int(c, vector, ret))) {
		deliver_protected(c, vector, kind, has_error, error, ret);
	}

	if (kind == EV_NMI)
		c->s->ev.nmi_masked = true;
	c->halted = false;
	c->delivering = -1;
}

void icpu_exception(struct icpu *c, int vector, bool has_error, uint32_t error)
{
	int first = c->delivering;
	if (first != -1) {
		/* a fault while delivering an external event or exception:
		 * selector error codes carry EXT */
		if (vector >= EXC_TS && vector <= EXC_GP)
			error |= 1;
		if (first == EXC_DF) {
			log_msg("cpu: triple fault (vector %d while delivering #DF)", vector);
			c->shutdown = true;
			c->delivering = -1;
			return;
		}
		if (first >= 0) {
			enum exc_class a = exc_class(first), b = exc_class(vector);
			if ((a == EXC_CONTRIBUTORY && b == EXC_CONTRIBUTORY) ||
			    (a == EXC_PAGEFAULT && b != EXC_BENIGN)) {
				vector = EXC_DF;
				has_error = true;
				error = 0;
			}
		}
	}
	if (!cpu_protected(c->s))
		has_error = false;
	if (exc_is_fault(vector))
		c->s->rflags |= FL_RF;
	icpu_deliver(c, vector, EV_EXCEPTION, has_error, error);
}
