/* Hardware task switching (16- and 32-bit TSS): busy bits, NT and the
 * back link, CR3 and LDT loads, the new task's segment loads with their
 * #TS/#NP/#SS faults, the T bit; and the TSS stack pointers gates use. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"

/* 32-bit TSS layout (offsets) */
enum {
	TSS32_CR3 = 0x1c, TSS32_EIP = 0x20, TSS32_EFLAGS = 0x24, TSS32_EAX = 0x28,
	TSS32_ES = 0x48, TSS32_LDT = 0x60, TSS32_T = 0x64, TSS32_IOMAP = 0x66,
};
/* 16-bit TSS layout */
enum { TSS16_IP = 14, TSS16_FLAGS = 16, TSS16_AX = 18, TSS16_ES = 34, TSS16_LDT = 42 };

void tss_stack(struct icpu *c, unsigned dpl, uint16_t *ss, uint32_t *sp, uint32_t ext)
{
	const struct cpu_segment *tr = &c->s->tr;
	uint32_t err = sel_err(tr->selector) | ext;
	if (SEG_ATTR_TYPE(tr->attr) & 8) {
		uint32_t a = (dpl << 3) + 4;
		if (a + 5 > tr->limit)
			cpu_fault(c, EXC_TS, err);
		*sp = (uint32_t)lmem_read_sys(c, lin_wrap(c, tr->base + a), 4);
		*ss = (uint16_t)lmem_read_sys(c, lin_wrap(c, tr->base + a + 4), 2);
	} else {
		uint32_t a = (dpl << 2) + 2;
		if (a + 3 > tr->limit)
			cpu_fault(c, EXC_TS, err);
		*sp = (uint32_t)lmem_read_sys(c, lin_wrap(c, tr->base + a), 2);
		*ss = (uint16_t)lmem_read_sys(c, lin_wrap(c, tr->base + a + 2), 2);
	}
}

uint64_t tss64_stack(struct icpu *c, unsigned dpl, unsigned ist, uint32_t ext)
{
	const struct cpu_segment *tr = &c->s->tr;
	uint32_t off = ist ? 0x24 + (ist - 1) * 8 : 4 + dpl * 8;
	if (off + 7 > tr->limit)
		cpu_fault(c, EXC_TS, sel_err(tr->selector) | ext);
	return lmem_read_sys(c, tr->base + off, 8);
}

void task_gate_target(struct icpu *c, struct desc gate, uint16_t *sel, struct desc *tss,
		      uint32_t ext)
{
	uint16_t ts = gate_sel(gate);
	*sel = ts;
	if ((ts & 4) || !desc_fetch(c, ts, tss) || desc_s(*tss) ||
	    (desc_type(*tss) != SYS_TSS16 && desc_type(*tss) != SYS_TSS32))
		cpu_gp(c, sel_err(ts) | ext);
	if (!desc_p(*tss))
		cpu_fault(c, EXC_NP, sel_err(ts) | ext);
}

/* the busy bit (type bit 1) of the TSS descriptor `sel` in the GDT */
static void tss_set_busy(struct icpu *c, uint16_t sel, bool busy)
{
	uint64_t a = lin_wrap(c, c->s->gdt.base + (sel & 0xfff8u) + 5);
	uint8_t b = (uint8_t)lmem_read_sys(c, a, 1);
	b = busy ? (b | 2) : (b & ~2);
	lmem_write_sys(c, a, b, 1);
}

struct tss_image {
	uint32_t cr3, eip, eflags, gpr[8];
	uint16_t sel[CPU_NR_SEGS], ldt, trap;
};

static void tss_read(struct icpu *c, uint64_t base, bool is32, struct tss_image *t)
{
	/* TSS selector order: ES CS SS DS FS GS, as enum cpu_seg */
	if (is32) {
		t->cr3 = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_CR3), 4);
		t->eip = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_EIP), 4);
		t->eflags = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_EFLAGS), 4);
		for (int r = 0; r < 8; r++)
			t->gpr[r] = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_EAX + 4 * r), 4);
		for (int sg = 0; sg < CPU_NR_SEGS; sg++)
			t->sel[sg] = (uint16_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_ES + 4 * sg), 2);
		t->ldt = (uint16_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_LDT), 2);
		t->trap = (uint16_t)lmem_read_sys(c, lin_wrap(c, base + TSS32_T), 2);
	} else {
		t->cr3 = 0;
		t->eip = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS16_IP), 2);
		t->eflags = (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS16_FLAGS), 2);
		/* the upper halves read as ones, as Bochs and QEMU model it */
		for (int r = 0; r < 8; r++)
			t->gpr[r] = 0xffff0000u |
				    (uint32_t)lmem_read_sys(c, lin_wrap(c, base + TSS16_AX + 2 * r), 2);
		for (int sg = 0; sg < 4; sg++)
			t->sel[sg] = (uint16_t)lmem_read_sys(c, lin_wrap(c, base + TSS16_ES + 2 * sg), 2);
		t->sel[S_FS] = t->sel[S_GS] = 0;
		t->ldt = (uint16_t)lmem_read_sys(c, lin_wrap(c, base + TSS16_LDT), 2);
		t->trap = 0;
	}
}

static void tss_save(struct icpu *c, uint64_t base, bool is32, uint32_t eflags)
{
	struct cpu_state *s = c->s;
	if (is32) {
		lmem_write_sys(c, lin_wrap(c, base + TSS32_EIP), (uint32_t)c->next_rip, 4);
		lmem_write_sys(c, lin_wrap(c, base + TSS32_EFLAGS), eflags, 4);
		for (int r = 0; r < 8; r++)
			lmem_write_sys(c, lin_wrap(c, base + TSS32_EAX + 4 * r), (uint32_t)s->gpr[r], 4);
		for (int sg = 0; sg < CPU_NR_SEGS; sg++)
			lmem_write_sys(c, lin_wrap(c, base + TSS32_ES + 4 * sg), s->seg[sg].selector, 2);
	} else {
		lmem_write_sys(c, lin_wrap(c, base + TSS16_IP), c->next_rip & 0xffff, 2);
		lmem_write_sys(c, lin_wrap(c, base + TSS16_FLAGS), eflags & 0xffff, 2);
		for (int r = 0; r < 8; r++)
			lmem_write_sys(c, lin_wrap(c, base + TSS16_AX + 2 * r), s->gpr[r] & 0xffff, 2);
		for (int sg = 0; sg < 4; sg++)
			lmem_write_sys(c, lin_wrap(c, base + TSS16_ES + 2 * sg), s->seg[sg].selector, 2);
	}
}

/* DS ES FS GS of the new task (after the commit point: faults are the
 * new task's) */
static void load_data_seg(struct icpu *c, int seg, uint16_t sel, unsigned cpl, uint32_t ext)
{
	if (sel_err(sel) == 0)
		return;		/* stays unusable */
	struct desc d;
	uint32_t err = sel_err(sel) | ext;
	if (!desc_fetch(c, sel, &d) || !desc_s(d) || (desc_code(d) && !desc_rw(d)))
		cpu_fault(c, EXC_TS, err);
	if (!desc_conforming(d) && ((sel & 3u) > desc_dpl(d) || cpl > desc_dpl(d)))
		cpu_fault(c, EXC_TS, err);
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, err);
	desc_touch(c, sel, &d);
	seg_from_desc(&c->s->seg[seg], sel, d);
}

static void load_new_segments(struct icpu *c, const struct tss_image *t, uint32_t ext)
{
	struct cpu_state *s = c->s;
	/* LDT first: the other selectors may live in it */
	if (t->ldt & 4)
		cpu_fault(c, EXC_TS, sel_err(t->ldt) | ext);
	if (sel_err(t->ldt)) {
		struct desc d;
		if (!desc_fetch(c, t->ldt, &d) || desc_s(d) || desc_type(d) != SYS_LDT || !desc_p(d))
			cpu_fault(c, EXC_TS, sel_err(t->ldt) | ext);
		seg_from_desc(&s->ldt, t->ldt, d);
	}
	if (t->eflags & FL_VM) {
		for (int sg = 0; sg < CPU_NR_SEGS; sg++)
			seg_set_v86(&s->seg[sg], t->sel[sg]);
		icpu_mode_changed(c);
		return;
	}
	uint16_t cs = t->sel[S_CS], ss = t->sel[S_SS];
	unsigned cpl = cs & 3;
	struct desc d;
	uint32_t err = sel_err(ss) | ext;
	if (sel_err(ss) == 0 || !desc_fetch(c, ss, &d) || !desc_data(d) || !desc_rw(d))
		cpu_fault(c, EXC_TS, err);
	if (!desc_p(d))
		cpu_fault(c, EXC_SS, err);
	if (desc_dpl(d) != cpl || desc_dpl(d) != (ss & 3u))
		cpu_fault(c, EXC_TS, err);
	desc_touch(c, ss, &d);
	seg_from_desc(&s->seg[S_SS], ss, d);

	static const int data[] = { S_DS, S_ES, S_FS, S_GS };
	for (int k = 0; k < 4; k++)
		load_data_seg(c, data[k], t->sel[data[k]], cpl, ext);

	err = sel_err(cs) | ext;
	if (sel_err(cs) == 0 || !desc_fetch(c, cs, &d) || !desc_code(d))
		cpu_fault(c, EXC_TS, err);
	if (desc_conforming(d) ? desc_dpl(d) > cpl : desc_dpl(d) != cpl)
		cpu_fault(c, EXC_TS, err);
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, err);
	desc_touch(c, cs, &d);
	seg_from_desc(&s->seg[S_CS], cs, d);
	icpu_mode_changed(c);
}

void task_switch(struct icpu *c, uint16_t sel, struct desc d, enum ts_source src,
		 bool has_err, uint32_t err, uint32_t ext)
{
	struct cpu_state *s = c->s;
	bool n32 = desc_type(d) & 8;
	bool o32 = SEG_ATTR_TYPE(s->tr.attr) & 8;
	uint64_t nbase = desc_base(d);

	if (desc_limit(d) < (n32 ? 0x67u : 0x2bu))
		cpu_fault(c, EXC_TS, sel_err(sel) | ext);
	if (s->tr.limit < (o32 ? 0x5fu : 0x29u))
		cpu_fault(c, EXC_TS, sel_err(s->tr.selector) | ext);

	/* everything that can fault on the new TSS is read before the old
	 * task's state is touched */
	struct tss_image t;
	tss_read(c, nbase, n32, &t);
	if (src == TS_CALL || src == TS_INT)
		(void)lmem_read_sys(c, lin_wrap(c, nbase), 2);

	uint64_t oflags = flags_get(c);
	if (src == TS_JMP || src == TS_IRET)
		tss_set_busy(c, s->tr.selector, false);
	if (src == TS_IRET)
		oflags &= ~(uint64_t)FL_NT;
	tss_save(c, s->tr.base, o32, (uint32_t)oflags);
	if (src == TS_CALL || src == TS_INT)
		lmem_write_sys(c, lin_wrap(c, nbase), s->tr.selector, 2);
	if (src != TS_IRET)
		tss_set_busy(c, sel, true);

	/* commit point: from here faults belong to the new task */
	seg_from_desc(&s->tr, sel, d);
	s->tr.attr |= 2;
	s->cr0 |= CR0_TS;
	s->dr[7] &= ~0x155ull;		/* local breakpoint enables are per task */
	c->dbg_dirty = true;
	if (src == TS_CALL || src == TS_INT)
		t.eflags |= FL_NT;
	s->rip = c->next_rip = t.eip;
	for (int r = 0; r < 8; r++)
		s->gpr[r] = t.gpr[r];
	for (int sg = 0; sg < CPU_NR_SEGS; sg++)
		seg_set_null(&s->seg[sg], t.sel[sg]);
	seg_set_null(&s->ldt, t.ldt);
	s->ev.interrupt_shadow = 0;
	flags_set(c, t.eflags | FL_FIXED);
	if (n32 && (s->cr0 & CR0_PG) && t.cr3 != s->cr3) {
		s->cr3 = t.cr3;
		c->mr.cr3 = t.cr3;
		tlb_flush_nonglobal(&c->tlb);
	}
	icpu_mode_changed(c);
	load_new_segments(c, &t, ext);

	if (has_err) {
		struct sframe f;
		sf_cur(c, &f, ext);
		sf_push(c, &f, err, n32 ? 4 : 2);
		stk_set_sp(c, &f.ss, f.sp);
	}
	if (s->rip > s->seg[S_CS].limit)
		cpu_gp(c, ext);
	if (n32 && (t.trap & 1)) {
		s->dr[6] |= 1u << 15;	/* BT: the task-switch debug trap */
		cpu_fault_noerr(c, EXC_DB);
	}
}
