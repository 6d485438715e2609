/* Segment registers: descriptor fetch, every protected-mode load check and
 * its fault, real/v86 loads, the segment instructions (MOV/POP/PUSH Sreg,
 * LxS, LAR, LSL, VERR, VERW, ARPL), and stack frames for far transfers. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"

bool desc_addr(struct icpu *c, uint16_t sel, uint64_t *lin)
{
	uint64_t base;
	uint32_t limit;
	if (sel & 4) {
		const struct cpu_segment *ldt = &c->s->ldt;
		if ((ldt->attr & SEG_ATTR_UNUSABLE) || sel_err(ldt->selector) == 0)
			return false;
		base = ldt->base;
		limit = ldt->limit;
	} else {
		base = c->s->gdt.base;
		limit = c->s->gdt.limit;
	}
	uint32_t idx = sel & 0xfff8u;
	if (idx + 7 > limit)
		return false;
	*lin = lin_wrap(c, base + idx);
	return true;
}

bool desc_fetch(struct icpu *c, uint16_t sel, struct desc *d)
{
	uint64_t a;
	if (!desc_addr(c, sel, &a))
		return false;
	uint64_t q = lmem_read_sys(c, a, 8);
	d->lo = (uint32_t)q;
	d->hi = (uint32_t)(q >> 32);
	return true;
}

void desc_touch(struct icpu *c, uint16_t sel, struct desc *d)
{
	uint64_t a;
	if (!desc_s(*d) || (d->hi & (1u << 8)) || !desc_addr(c, sel, &a))
		return;
	d->hi |= 1u << 8;
	lmem_write_sys(c, lin_wrap(c, a + 5), (d->hi >> 8) & 0xff, 1);
}

void seg_from_desc(struct cpu_segment *sg, uint16_t sel, struct desc d)
{
	sg->selector = sel;
	sg->base = desc_base(d);
	sg->limit = desc_limit(d);
	sg->attr = desc_attr(d);
}

void seg_set_null(struct cpu_segment *sg, uint16_t sel)
{
	sg->selector = sel;
	sg->base = 0;
	sg->limit = 0;
	sg->attr = SEG_ATTR_UNUSABLE;
}

void seg_set_v86(struct cpu_segment *sg, uint16_t sel)
{
	sg->selector = sel;
	sg->base = (uint64_t)sel << 4;
	sg->limit = 0xffff;
	sg->attr = SEG_ATTR_P | SEG_ATTR_S | (3u << 5) | 3;
}

void seg_load_real(struct icpu *c, int seg, uint16_t sel)
{
	struct cpu_segment *sg = &c->s->seg[seg];
	if (c->v86) {
		seg_set_v86(sg, sel);
	} else {
		/* real mode keeps limit and rights: that is what unreal mode
		 * rests on (P6 and later; only the 286-486 reset CS's) */
		sg->selector = sel;
		sg->base = (uint64_t)sel << 4;
		sg->attr = (sg->attr & ~SEG_ATTR_UNUSABLE) | SEG_ATTR_P | SEG_ATTR_S;
	}
	if (seg == S_CS || seg == S_SS)
		icpu_mode_changed(c);
}

void seg_load(struct icpu *c, int seg, uint16_t sel)
{
	if (!cpu_protected(c->s) || c->v86) {
		seg_load_real(c, seg, sel);
		return;
	}
	struct cpu_segment *sg = &c->s->seg[seg];
	unsigned rpl = sel & 3;
	if (sel_err(sel) == 0) {
		if (seg == S_SS && !(c->code_size == 64 && c->cpl != 3 && rpl == c->cpl))
			cpu_gp(c, 0);
		seg_set_null(sg, sel);
		if (seg == S_SS)
			icpu_mode_changed(c);
		return;
	}
	struct desc d;
	if (!desc_fetch(c, sel, &d))
		cpu_gp(c, sel_err(sel));
	if (seg == S_SS) {
		if (rpl != c->cpl || !desc_data(d) || !desc_rw(d) || desc_dpl(d) != c->cpl)
			cpu_gp(c, sel_err(sel));
		if (!desc_p(d))
			cpu_fault(c, EXC_SS, sel_err(sel));
	} else {
		if (!desc_s(d) || (desc_code(d) && !desc_rw(d)))
			cpu_gp(c, sel_err(sel));
		if (!desc_conforming(d) && (rpl > desc_dpl(d) || c->cpl > desc_dpl(d)))
			cpu_gp(c, sel_err(sel));
		if (!desc_p(d))
			cpu_fault(c, EXC_NP, sel_err(sel));
	}
	desc_touch(c, sel, &d);
	seg_from_desc(sg, sel, d);
	if (seg == S_SS)
		icpu_mode_changed(c);
}

void seg_drop_inner(struct icpu *c)
{
	static const int segs[] = { S_ES, S_DS, S_FS, S_GS };
	for (unsigned k = 0; k < 4; k++) {
		struct cpu_segment *sg = &c->s->seg[segs[k]];
		uint32_t a = sg->attr;
		/* a null selector stays as it is: in 64-bit mode FS and GS keep
		 * the base their MSRs gave them (x86-64 Linux returns to user
		 * mode with FS = 0 and the TLS base in IA32_FS_BASE) */
		if (sel_err(sg->selector) == 0)
			continue;
		bool conforming_code = (a & SEG_ATTR_S) && (a & 8) && (a & 4);
		if (SEG_ATTR_DPL(a) < c->cpl && ((a & SEG_ATTR_UNUSABLE) || !conforming_code))
			seg_set_null(sg, 0);
	}
}

void seg_check_ss(struct icpu *c, uint16_t sel, unsigned cpl, int vec, uint32_t ext,
		  struct cpu_segment *out)
{
	struct desc d;
	if (sel_err(sel) == 0)
		cpu_fault(c, vec, ext);
	if (!desc_fetch(c, sel, &d) || (sel & 3) != cpl || !desc_data(d) || !desc_rw(d) ||
	    desc_dpl(d) != cpl)
		cpu_fault(c, vec, sel_err(sel) | ext);
	if (!desc_p(d))
		cpu_fault(c, EXC_SS, sel_err(sel) | ext);
	desc_touch(c, sel, &d);
	seg_from_desc(out, sel, d);
}

void seg_check_ret_cs(struct icpu *c, uint16_t sel, struct desc *d)
{
	unsigned rpl = sel & 3;
	if (sel_err(sel) == 0)
		cpu_gp(c, 0);
	if (!desc_fetch(c, sel, d) || !desc_code(*d) || rpl < c->cpl)
		cpu_gp(c, sel_err(sel));
	if (desc_conforming(*d) ? desc_dpl(*d) > rpl : desc_dpl(*d) != rpl)
		cpu_gp(c, sel_err(sel));
	if (!desc_p(*d))
		cpu_fault(c, EXC_NP, sel_err(sel));
}

void seg_commit_cs(struct icpu *c, uint16_t sel, struct desc d, unsigned cpl, uint64_t rip)
{
	seg_from_desc(&c->s->seg[S_CS], (uint16_t)((sel & ~3u) | cpl), d);
	c->next_rip = rip;
	c->s->rip = rip;
	icpu_mode_changed(c);
}

/* -- stack frames -- */

static uint64_t stack_mask_of(const struct icpu *c, const struct cpu_segment *ss)
{
	if (c->code_size == 64)
		return ~0ull;
	return (ss->attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

uint64_t stk_sp(const struct icpu *c)
{
	return c->s->gpr[R_ESP] & stack_mask_of(c, &c->s->seg[S_SS]);
}

void stk_set_sp(struct icpu *c, const struct cpu_segment *ss, uint64_t v)
{
	uint64_t m = stack_mask_of(c, ss);
	uint64_t *sp = &c->s->gpr[R_ESP];
	if (m == 0xffff)
		*sp = (*sp & ~0xffffull) | (v & 0xffff);
	else
		*sp = v & m;
}

uint64_t stk_read(struct icpu *c, uint64_t off, unsigned size)
{
	uint64_t m = stack_mask_of(c, &c->s->seg[S_SS]);
	return vmem_read(c, S_SS, (stk_sp(c) + off) & m, size);
}

void sf_cur(struct icpu *c, struct sframe *f, uint32_t err)
{
	f->ss = c->s->seg[S_SS];
	f->mask = stack_mask_of(c, &f->ss);
	f->sp = c->s->gpr[R_ESP] & f->mask;
	f->cur = true;
	f->flat64 = c->code_size == 64;
	f->err = err;
}

void sf_new(struct icpu *c, struct sframe *f, const struct cpu_segment *ss, uint64_t sp, uint32_t err)
{
	f->ss = *ss;
	f->mask = (ss->attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
	f->sp = sp & f->mask;
	f->cur = false;
	f->flat64 = false;
	f->err = err;
	(void)c;
}

void sf_push(struct icpu *c, struct sframe *f, uint64_t v, unsigned size)
{
	uint64_t sp = (f->sp - size) & f->mask;
	if (!f->flat64 && !seg_in_limit(&f->ss, sp, size))
		cpu_fault(c, EXC_SS, f->err);
	if (f->cur)
		vmem_write(c, S_SS, sp, v, size);
	else
		lmem_write_sys(c, lin_wrap(c, f->ss.base + sp), v, size);
	f->sp = sp;
}

/* -- instructions -- */

static int seg_of_opnd(const struct insn *i, int n)
{
	return i->opnd[n].reg;
}

void sysop_mov_seg_load(struct icpu *c, const struct insn *i)
{
	int seg = seg_of_opnd(i, 0);
	if (seg == S_CS || seg >= CPU_NR_SEGS)
		cpu_ud(c);
	uint16_t sel = (uint16_t)opnd_read(c, i, 1);
	seg_load(c, seg, sel);
	if (seg == S_SS)
		c->s->ev.interrupt_shadow = 1;
}

void sysop_mov_seg_store(struct icpu *c, const struct insn *i)
{
	int seg = seg_of_opnd(i, 1);
	if (seg >= CPU_NR_SEGS)
		cpu_ud(c);
	/* a register destination takes the selector zero-extended (P6
	 * and later); memory is always written as a word (opnd size 2) */
	opnd_write(c, i, 0, c->s->seg[seg].selector);
}

void sysop_push_seg(struct icpu *c, const struct insn *i)
{
	stack_push(c, c->s->seg[seg_of_opnd(i, 0)].selector, i->osize);
}

void sysop_pop_seg(struct icpu *c, const struct insn *i)
{
	int seg = seg_of_opnd(i, 0);
	if (seg == S_CS || seg >= CPU_NR_SEGS)
		cpu_ud(c);
	/* load before moving ESP, so a faulting load leaves ESP alone;
	 * ESP then moves under the old stack's width */
	struct cpu_segment old_ss = c->s->seg[S_SS];
	uint64_t sp = stk_sp(c);
	uint16_t sel = (uint16_t)stk_read(c, 0, i->osize);
	seg_load(c, seg, sel);
	stk_set_sp(c, &old_ss, sp + i->osize);
	if (seg == S_SS)
		c->s->ev.interrupt_shadow = 1;
}

static void load_far_pointer(struct icpu *c, const struct insn *i, int seg)
{
	if (i->opnd[1].kind != OPK_MEM)
		cpu_ud(c);
	uint64_t ea = insn_ea(c, i);
	uint64_t amask = size_mask(i->asize);
	uint64_t off = vmem_read(c, i->seg, ea, i->osize);
	uint16_t sel = (uint16_t)vmem_read(c, i->seg, (ea + i->osize) & amask, 2);
	seg_load(c, seg, sel);
	reg_write(c, i->opnd[0].reg, i->osize, off);
}

void sysop_lds(struct icpu *c, const struct insn *i) { load_far_pointer(c, i, S_DS); }
void sysop_les(struct icpu *c, const struct insn *i) { load_far_pointer(c, i, S_ES); }
void sysop_lfs(struct icpu *c, const struct insn *i) { load_far_pointer(c, i, S_FS); }
void sysop_lgs(struct icpu *c, const struct insn *i) { load_far_pointer(c, i, S_GS); }
void sysop_lss(struct icpu *c, const struct insn *i) { load_far_pointer(c, i, S_SS); }

static void set_zf(struct icpu *c, bool z)
{
	uint64_t f = flags_get(c);
	flags_set(c, z ? (f | FL_ZF) : (f & ~(uint64_t)FL_ZF));
}

enum verify_kind { VK_LAR, VK_LSL, VK_VERR, VK_VERW };

/* system descriptor types LAR and LSL accept (legacy mode; long mode
 * takes only the 64-bit LDT/TSS, and call gates for LAR) */
static bool verify_sys_type(const struct icpu *c, unsigned type, enum verify_kind k)
{
	if (c->long_mode)
		return type == SYS_LDT || type == SYS_TSS32 || type == SYS_TSS32_BUSY ||
		       (k == VK_LAR && type == SYS_CALL32);
	switch (type) {
	case SYS_TSS16: case SYS_LDT: case SYS_TSS16_BUSY: case SYS_TSS32: case SYS_TSS32_BUSY:
		return true;
	case SYS_CALL16: case SYS_TASK: case SYS_CALL32:
		return k == VK_LAR;
	default:
		return false;
	}
}

/* may the current privilege see sel's descriptor for LAR/LSL/VERR/VERW? */
static bool verify(struct icpu *c, uint16_t sel, enum verify_kind k, struct desc *d)
{
	if (sel_err(sel) == 0 || !desc_fetch(c, sel, d))
		return false;
	if (!desc_s(*d)) {
		if (k == VK_VERR || k == VK_VERW || !verify_sys_type(c, desc_type(*d), k))
			return false;
	} else if (k == VK_VERR && desc_code(*d) && !desc_rw(*d)) {
		return false;
	} else if (k == VK_VERW && (desc_code(*d) || !desc_rw(*d))) {
		return false;
	}
	if (desc_conforming(*d) && k != VK_VERW)
		return true;
	return desc_dpl(*d) >= c->cpl && desc_dpl(*d) >= (sel & 3u);
}

static void protected_only(struct icpu *c)
{
	if (!cpu_protected(c->s) || c->v86)
		cpu_ud(c);
}

void sysop_lar(struct icpu *c, const struct insn *i)
{
	protected_only(c);
	struct desc d;
	bool ok = verify(c, (uint16_t)opnd_read(c, i, 1), VK_LAR, &d);
	if (ok)
		reg_write(c, i->opnd[0].reg, i->osize, d.hi & 0x00f0ff00u);
	set_zf(c, ok);
}

void sysop_lsl(struct icpu *c, const struct insn *i)
{
	protected_only(c);
	struct desc d;
	bool ok = verify(c, (uint16_t)opnd_read(c, i, 1), VK_LSL, &d);
	if (ok)
		reg_write(c, i->opnd[0].reg, i->osize, desc_limit(d));
	set_zf(c, ok);
}

void sysop_verr(struct icpu *c, const struct insn *i)
{
	protected_only(c);
	struct desc d;
	set_zf(c, verify(c, (uint16_t)opnd_read(c, i, 0), VK_VERR, &d));
}

void sysop_verw(struct icpu *c, const struct insn *i)
{
	protected_only(c);
	struct desc d;
	set_zf(c, verify(c, (uint16_t)opnd_read(c, i, 0), VK_VERW, &d));
}

void sysop_arpl(struct icpu *c, const struct insn *i)
{
	protected_only(c);
	uint16_t dst = (uint16_t)opnd_read(c, i, 0);
	uint16_t src = (uint16_t)opnd_read(c, i, 1);
	bool raise = (dst & 3) < (src & 3);
	if (raise)
		opnd_write(c, i, 0, (dst & ~3u) | (src & 3u));
	set_zf(c, raise);
}
