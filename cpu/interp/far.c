/* Far control transfers: JMP/CALL far through code segments, call gates
 * (parameter copy, stack switch; the 64-bit kind), task gates and TSS
 * descriptors; RET far;
 * IRET in every mode (real, v86 with IOPL 3 or VME, protected to the same
 * or an outer level, to v86, NT task return, IA-32e); INT n, INT3, INTO,
 * INT1, BOUND. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"
#include "hw/log.h"

#define FL_OSZAPC (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static bool real_or_v86(const struct icpu *c)
{
	return !cpu_protected(c->s) || c->v86;
}

/* the far pointer operand: ptr16:16/32 immediate or m16:16/32/64 */
static void far_operand(struct icpu *c, const struct insn *i, uint64_t *off, uint16_t *sel)
{
	const struct opnd *o = &i->opnd[0];
	if (o->kind == OPK_FAR) {
		*off = i->imm & size_mask(i->osize);
		*sel = i->imm2;
	} else if (o->kind == OPK_MEM) {
		uint64_t ea = insn_ea(c, i);
		*off = vmem_read(c, i->seg, ea, i->osize);
		*sel = (uint16_t)vmem_read(c, i->seg, (ea + i->osize) & size_mask(i->asize), 2);
	} else {
		cpu_ud(c);
	}
}

/* the checks of a direct JMP/CALL to a code segment */
static void direct_code_checks(struct icpu *c, uint16_t sel, struct desc d)
{
	if (desc_conforming(d) ? desc_dpl(d) > c->cpl
			       : ((sel & 3u) > c->cpl || desc_dpl(d) != c->cpl))
		cpu_gp(c, sel_err(sel));
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, sel_err(sel));
}

/* a call gate's code segment: not null, code (64-bit in IA-32e mode), not
 * above the CPL, of the CPL for a JMP unless conforming, present */
static void gate_target(struct icpu *c, uint16_t dsel, bool call, bool code64, struct desc *cd)
{
	if (sel_err(dsel) == 0)
		cpu_gp(c, 0);
	if (!desc_fetch(c, dsel, cd) || !(code64 ? desc_code64(*cd) : desc_code(*cd)) ||
	    desc_dpl(*cd) > c->cpl)
		cpu_gp(c, sel_err(dsel));
	if (!call && !desc_conforming(*cd) && desc_dpl(*cd) != c->cpl)
		cpu_gp(c, sel_err(dsel));
	if (!desc_p(*cd))
		cpu_fault(c, EXC_NP, sel_err(dsel));
}

static void call_gate(struct icpu *c, struct desc g, bool call)
{
	struct cpu_state *s = c->s;
	uint16_t dsel = gate_sel(g);
	uint32_t off = gate_off(g);
	struct desc cd;
	gate_target(c, dsel, call, false, &cd);

	unsigned sz = desc_type(g) == SYS_CALL32 ? 4 : 2;
	uint64_t ret = c->next_rip & size_mask(sz);
	if (!call) {
		if (off > desc_limit(cd))
			cpu_gp(c, 0);
		desc_touch(c, dsel, &cd);
		seg_commit_cs(c, dsel, cd, c->cpl, off);
		return;
	}
	struct sframe f;
	if (!desc_conforming(cd) && desc_dpl(cd) < c->cpl) {
		unsigned ncpl = desc_dpl(cd);
		uint16_t ssel;
		uint32_t esp;
		struct cpu_segment nss;
		tss_stack(c, ncpl, &ssel, &esp, 0);
		seg_check_ss(c, ssel, ncpl, EXC_TS, 0, &nss);
		sf_new(c, &f, &nss, esp, sel_err(ssel));
		sf_push(c, &f, s->seg[S_SS].selector, sz);
		sf_push(c, &f, stk_sp(c), sz);
		for (unsigned n = g.hi & 0x1f; n > 0; n--)
			sf_push(c, &f, stk_read(c, (n - 1) * sz, sz), sz);
		sf_push(c, &f, s->seg[S_CS].selector, sz);
		sf_push(c, &f, ret, sz);
		if (off > desc_limit(cd))
			cpu_gp(c, 0);
		desc_touch(c, dsel, &cd);
		s->seg[S_SS] = nss;
		stk_set_sp(c, &nss, f.sp);
		seg_commit_cs(c, dsel, cd, ncpl, off);
		return;
	}
	sf_cur(c, &f, 0);
	sf_push(c, &f, s->seg[S_CS].selector, sz);
	sf_push(c, &f, ret, sz);
	if (off > desc_limit(cd))
		cpu_gp(c, 0);
	desc_touch(c, dsel, &cd);
	stk_set_sp(c, &f.ss, f.sp);
	seg_commit_cs(c, dsel, cd, c->cpl, off);
}

/* A 64-bit call gate (IA-32e mode): 16 bytes whose upper type field is
 * 0, to a 64-bit code segment; an inner CALL takes RSP from the 64-bit
 * TSS, loads a null SS and pushes SS, RSP, CS and RIP as quadwords; no
 * parameters are copied (SDM Vol. 3 5.8.3.1). */
static void call_gate64(struct icpu *c, uint16_t gsel, struct desc g, bool call)
{
	struct cpu_state *s = c->s;
	struct desc ext;
	if (!desc_fetch(c, (uint16_t)(gsel + 8), &ext) || ((ext.hi >> 8) & 0x1f) != 0)
		cpu_gp(c, sel_err(gsel));
	uint16_t dsel = gate_sel(g);
	uint64_t off = gate_off(g) | (uint64_t)ext.lo << 32;
	struct desc cd;
	gate_target(c, dsel, call, true, &cd);
	if (!canonical(off))
		cpu_gp(c, 0);
	uint64_t ret = c->next_rip;
	if (!call) {
		desc_touch(c, dsel, &cd);
		seg_commit_cs(c, dsel, cd, c->cpl, off);
		return;
	}
	if (!desc_conforming(cd) && desc_dpl(cd) < c->cpl) {
		unsigned ncpl = desc_dpl(cd);
		uint64_t rsp = tss64_stack(c, ncpl, 0, 0);
		if (!canonical(rsp))
			cpu_fault(c, EXC_SS, 0);
		uint64_t frame[4] = { s->seg[S_SS].selector, s->gpr[R_ESP], s->seg[S_CS].selector, ret };
		for (int k = 0; k < 4; k++) {
			rsp -= 8;
			lmem_write_sys(c, rsp, frame[k], 8);
		}
		desc_touch(c, dsel, &cd);
		seg_set_null(&s->seg[S_SS], (uint16_t)ncpl);
		s->seg[S_SS].attr |= ncpl << 5;
		s->gpr[R_ESP] = rsp;
		seg_commit_cs(c, dsel, cd, ncpl, off);
		return;
	}
	struct sframe f;
	sf_cur(c, &f, 0);
	sf_push(c, &f, s->seg[S_CS].selector, 8);
	sf_push(c, &f, ret, 8);
	desc_touch(c, dsel, &cd);
	stk_set_sp(c, &f.ss, f.sp);
	seg_commit_cs(c, dsel, cd, c->cpl, off);
}

static void far_protected(struct icpu *c, const struct insn *i, uint16_t sel, uint64_t off, bool call)
{
	struct cpu_state *s = c->s;
	struct desc d;
	if (sel_err(sel) == 0)
		cpu_gp(c, 0);
	if (!desc_fetch(c, sel, &d))
		cpu_gp(c, sel_err(sel));
	if (desc_s(d)) {
		if (!desc_code(d))
			cpu_gp(c, sel_err(sel));
		direct_code_checks(c, sel, d);
		struct sframe f;
		if (call) {
			sf_cur(c, &f, 0);
			sf_push(c, &f, s->seg[S_CS].selector, i->osize);
			sf_push(c, &f, c->next_rip, i->osize);
		}
		if (off > desc_limit(d) && c->code_size != 64)
			cpu_gp(c, 0);
		desc_touch(c, sel, &d);
		if (call)
			stk_set_sp(c, &f.ss, f.sp);
		seg_commit_cs(c, sel, d, c->cpl, off);
		return;
	}
	unsigned type = desc_type(d);
	bool known = type == SYS_TSS16 || type == SYS_TSS32 || type == SYS_TASK ||
		     type == SYS_CALL16 || type == SYS_CALL32;
	if (!known || (c->long_mode && type != SYS_CALL32))
		cpu_gp(c, sel_err(sel));
	if (desc_dpl(d) < c->cpl || desc_dpl(d) < (sel & 3u))
		cpu_gp(c, sel_err(sel));
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, sel_err(sel));
	if (c->long_mode) {
		call_gate64(c, sel, d, call);
		return;
	}
	enum ts_source src = call ? TS_CALL : TS_JMP;
	if (type == SYS_TASK) {
		uint16_t tsel;
		struct desc tss;
		task_gate_target(c, d, &tsel, &tss, 0);
		task_switch(c, tsel, tss, src, false, 0, 0);
	} else if (type == SYS_TSS16 || type == SYS_TSS32) {
		task_switch(c, sel, d, src, false, 0, 0);
	} else {
		call_gate(c, d, call);
	}
}

static void far_real(struct icpu *c, const struct insn *i, uint16_t sel, uint64_t off, bool call)
{
	struct sframe f;
	if (call) {
		sf_cur(c, &f, 0);
		sf_push(c, &f, c->s->seg[S_CS].selector, i->osize);
		sf_push(c, &f, c->next_rip, i->osize);
	}
	if (off > c->s->seg[S_CS].limit)
		cpu_gp(c, 0);
	if (call)
		stk_set_sp(c, &f.ss, f.sp);
	seg_load_real(c, S_CS, sel);
	c->next_rip = off;
}

void sysop_jmp_far(struct icpu *c, const struct insn *i)
{
	uint64_t off;
	uint16_t sel;
	far_operand(c, i, &off, &sel);
	if (real_or_v86(c))
		far_real(c, i, sel, off, false);
	else
		far_protected(c, i, sel, off, false);
}

void sysop_call_far(struct icpu *c, const struct insn *i)
{
	uint64_t off;
	uint16_t sel;
	far_operand(c, i, &off, &sel);
	if (real_or_v86(c))
		far_real(c, i, sel, off, true);
	else
		far_protected(c, i, sel, off, true);
}

void sysop_ret_far(struct icpu *c, const struct insn *i)
{
	struct cpu_state *s = c->s;
	unsigned os = i->osize;
	uint64_t imm = (i->nopnd && i->opnd[0].kind == OPK_IMM) ? (i->imm & 0xffff) : 0;
	uint64_t eip = stk_read(c, 0, os);
	uint16_t cs = (uint16_t)stk_read(c, os, 2);
	uint64_t sp = stk_sp(c);

	if (real_or_v86(c)) {
		if (eip > s->seg[S_CS].limit)
			cpu_gp(c, 0);
		stk_set_sp(c, &s->seg[S_SS], sp + 2 * os + imm);
		seg_load_real(c, S_CS, cs);
		c->next_rip = eip;
		return;
	}
	struct desc cd;
	seg_check_ret_cs(c, cs, &cd);
	unsigned rpl = cs & 3;
	if (rpl == c->cpl) {
		if (eip > desc_limit(cd) && c->code_size != 64)
			cpu_gp(c, 0);
		desc_touch(c, cs, &cd);
		stk_set_sp(c, &s->seg[S_SS], sp + 2 * os + imm);
		seg_commit_cs(c, cs, cd, rpl, eip);
		return;
	}
	uint64_t esp = stk_read(c, 2 * os + imm, os);
	uint16_t ss = (uint16_t)stk_read(c, 3 * os + imm, 2);
	struct cpu_segment nss;
	seg_check_ss(c, ss, rpl, EXC_GP, 0, &nss);
	if (eip > desc_limit(cd))
		cpu_gp(c, 0);
	desc_touch(c, cs, &cd);
	s->seg[S_SS] = nss;
	stk_set_sp(c, &nss, esp + imm);
	seg_commit_cs(c, cs, cd, rpl, eip);
	seg_drop_inner(c);
}

/* -- IRET -- */

static void iret_real(struct icpu *c, unsigned os)
{
	struct cpu_state *s = c->s;
	uint64_t eip = stk_read(c, 0, os);
	uint16_t cs = (uint16_t)stk_read(c, os, 2);
	uint64_t fl = stk_read(c, 2 * os, os);
	if (eip > s->seg[S_CS].limit)
		cpu_gp(c, 0);
	uint64_t old = flags_get(c);
	if (os == 4)
		fl = (fl & 0x257fd5) | (old & 0x1a0000);
	else
		fl = (old & ~0xffffull) | (fl & 0xffff);
	stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + 3 * os);
	sys_set_flags(c, fl | FL_FIXED);
	seg_load_real(c, S_CS, cs);
	c->next_rip = eip;
}

static void iret_from_v86(struct icpu *c, unsigned os)
{
	struct cpu_state *s = c->s;
	uint64_t old = flags_get(c);
	unsigned iopl = (old >> 12) & 3;
	bool vme = iopl < 3 && (s->cr4 & CR4_VME) && os == 2;
	if (iopl < 3 && !vme)
		cpu_gp(c, 0);
	uint64_t eip = stk_read(c, 0, os);
	uint16_t cs = (uint16_t)stk_read(c, os, 2);
	uint64_t fl = stk_read(c, 2 * os, os);
	uint64_t mask;
	if (vme) {
		if (((fl & FL_IF) && (old & FL_VIP)) || (fl & FL_TF))
			cpu_gp(c, 0);
		/* the image's IF becomes VIF; IF and IOPL stay */
		mask = FL_OSZAPC | FL_TF | FL_DF | FL_NT | FL_VIF;
		fl = (fl & FL_IF) ? (fl | FL_VIF) : (fl & ~(uint64_t)FL_VIF);
	} else if (os == 4) {
		mask = FL_OSZAPC | FL_TF | FL_IF | FL_DF | FL_NT | FL_RF | FL_AC | FL_ID;
	} else {
		mask = 0xffff & ~(uint64_t)FL_IOPL;
	}
	if (eip > s->seg[S_CS].limit)
		cpu_gp(c, 0);
	stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + 3 * os);
	sys_set_flags(c, (old & ~mask) | (fl & mask));
	seg_load_real(c, S_CS, cs);
	c->next_rip = eip;
}

static void iret_task_return(struct icpu *c)
{
	struct cpu_state *s = c->s;
	uint16_t link = (uint16_t)lmem_read_sys(c, lin_wrap(c, s->tr.base), 2);
	struct desc d;
	if ((link & 4) || !desc_fetch(c, link, &d) || desc_s(d) ||
	    (desc_type(d) != SYS_TSS16_BUSY && desc_type(d) != SYS_TSS32_BUSY))
		cpu_fault(c, EXC_TS, sel_err(link));
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, sel_err(link));
	task_switch(c, link, d, TS_IRET, false, 0, 0);
}

static void iret_to_v86(struct icpu *c, uint64_t eip, uint16_t cs, uint64_t fl)
{
	struct cpu_state *s = c->s;
	uint32_t esp = (uint32_t)stk_read(c, 12, 4);
	uint16_t sel[CPU_NR_SEGS];
	sel[S_CS] = cs;
	sel[S_SS] = (uint16_t)stk_read(c, 16, 2);
	sel[S_ES] = (uint16_t)stk_read(c, 20, 2);
	sel[S_DS] = (uint16_t)stk_read(c, 24, 2);
	sel[S_FS] = (uint16_t)stk_read(c, 28, 2);
	sel[S_GS] = (uint16_t)stk_read(c, 32, 2);
	for (int sg = 0; sg < CPU_NR_SEGS; sg++)
		seg_set_v86(&s->seg[sg], sel[sg]);
	s->gpr[R_ESP] = esp;
	sys_set_flags(c, (fl & 0xffffffffull) | FL_FIXED);
	c->s->rip = c->next_rip = eip & 0xffff;
}

/* the RFLAGS bits IRET may change at this CPL and IOPL */
static uint64_t iret_flags_mask(const struct icpu *c, uint64_t old, unsigned os)
{
	uint64_t mask = FL_OSZAPC | FL_TF | FL_DF | FL_NT | FL_RF | FL_AC | FL_ID;
	if (c->cpl <= ((old >> 12) & 3))
		mask |= FL_IF;
	if (c->cpl == 0)
		mask |= FL_IOPL | FL_VIF | FL_VIP;
	return os == 2 ? mask & 0xffff : mask;
}

/* IRET in IA-32e mode (SDM Vol. 2, IRET: IA-32e-MODE): from 64-bit code
 * it always pops SS:RSP too; a return to 64-bit code below CPL 3 may load
 * a null SS; RFLAGS.VM cannot be set */
static void iret_long(struct icpu *c, unsigned os)
{
	struct cpu_state *s = c->s;
	uint64_t rip = stk_read(c, 0, os);
	uint16_t cs = (uint16_t)stk_read(c, os, 2);
	uint64_t fl = stk_read(c, 2 * os, os);
	struct desc cd;
	seg_check_ret_cs(c, cs, &cd);
	unsigned rpl = cs & 3;
	bool to64 = (cd.hi & (1u << 21)) != 0;
	uint64_t old = flags_get(c), mask = iret_flags_mask(c, old, os);
	uint64_t nfl = ((old & ~mask) | (fl & mask)) & ~(uint64_t)FL_VM;
	if (to64 ? !canonical(rip) : rip > desc_limit(cd))
		cpu_gp(c, 0);
	if (c->code_size != 64 && rpl == c->cpl) {
		desc_touch(c, cs, &cd);
		stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + 3 * os);
		sys_set_flags(c, nfl);
		seg_commit_cs(c, cs, cd, rpl, rip);
		return;
	}
	uint64_t rsp = stk_read(c, 3 * os, os);
	uint16_t ss = (uint16_t)stk_read(c, 4 * os, 2);
	struct cpu_segment nss;
	if (sel_err(ss) == 0 && to64 && rpl != 3) {
		seg_set_null(&nss, ss);
		nss.attr |= rpl << 5;
	} else {
		seg_check_ss(c, ss, rpl, EXC_GP, 0, &nss);
	}
	desc_touch(c, cs, &cd);
	unsigned old_cpl = c->cpl;
	s->seg[S_SS] = nss;
	sys_set_flags(c, nfl);
	seg_commit_cs(c, cs, cd, rpl, rip);
	if (to64)
		s->gpr[R_ESP] = rsp;
	else
		stk_set_sp(c, &nss, rsp);
	if (rpl > old_cpl)
		seg_drop_inner(c);
}

void sysop_iret(struct icpu *c, const struct insn *i)
{
	struct cpu_state *s = c->s;
	unsigned os = i->osize;
	if (!cpu_protected(s)) {
		iret_real(c, os);
	} else if (c->v86) {
		iret_from_v86(c, os);
	} else if ((s->rflags & FL_NT) && !c->long_mode) {
		iret_task_return(c);
	} else if (c->long_mode && (s->rflags & FL_NT)) {
		cpu_gp(c, 0);
	} else if (c->long_mode) {
		iret_long(c, os);
	} else {
		uint64_t eip = stk_read(c, 0, os);
		uint16_t cs = (uint16_t)stk_read(c, os, 2);
		uint64_t fl = stk_read(c, 2 * os, os);
		if (os == 4 && (fl & FL_VM) && c->cpl == 0 && !c->long_mode) {
			iret_to_v86(c, eip, cs, fl);
			s->ev.nmi_masked = false;
			return;
		}
		struct desc cd;
		seg_check_ret_cs(c, cs, &cd);
		unsigned rpl = cs & 3;
		uint64_t old = flags_get(c);
		uint64_t mask = iret_flags_mask(c, old, os);
		uint64_t nfl = (old & ~mask) | (fl & mask);
		if (rpl == c->cpl) {
			if (eip > desc_limit(cd))
				cpu_gp(c, 0);
			desc_touch(c, cs, &cd);
			stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + 3 * os);
			sys_set_flags(c, nfl);
			seg_commit_cs(c, cs, cd, rpl, eip);
		} else {
			uint64_t esp = stk_read(c, 3 * os, os);
			uint16_t ss = (uint16_t)stk_read(c, 4 * os, 2);
			struct cpu_segment nss;
			seg_check_ss(c, ss, rpl, EXC_GP, 0, &nss);
			if (eip > desc_limit(cd))
				cpu_gp(c, 0);
			desc_touch(c, cs, &cd);
			s->seg[S_SS] = nss;
			stk_set_sp(c, &nss, esp);
			sys_set_flags(c, nfl);
			seg_commit_cs(c, cs, cd, rpl, eip);
			seg_drop_inner(c);
		}
	}
	s->ev.nmi_masked = false;
}

/* -- software interrupts -- */

void sysop_int(struct icpu *c, const struct insn *i)
{
	icpu_deliver(c, (int)(i->imm & 0xff), EV_SOFTINT, false, 0);
}

void sysop_int3(struct icpu *c, const struct insn *i)
{
	(void)i;
	icpu_deliver(c, EXC_BP, EV_SOFTEXC, false, 0);
}

void sysop_into(struct icpu *c, const struct insn *i)
{
	(void)i;
	if (flags_get(c) & FL_OF)
		icpu_deliver(c, EXC_OF, EV_SOFTEXC, false, 0);
}

void sysop_int1(struct icpu *c, const struct insn *i)
{
	(void)i;
	icpu_deliver(c, EXC_DB, EV_ICEBP, false, 0);
}

void sysop_bound(struct icpu *c, const struct insn *i)
{
	if (i->opnd[1].kind != OPK_MEM)
		cpu_ud(c);
	unsigned os = i->osize;
	uint64_t ea = insn_ea(c, i);
	int64_t lo, hi, v;
	if (os == 2) {
		lo = (int16_t)vmem_read(c, i->seg, ea, 2);
		hi = (int16_t)vmem_read(c, i->seg, (ea + 2) & size_mask(i->asize), 2);
		v = (int16_t)reg_read(c, i->opnd[0].reg, 2);
	} else {
		lo = (int32_t)vmem_read(c, i->seg, ea, 4);
		hi = (int32_t)vmem_read(c, i->seg, (ea + 4) & size_mask(i->asize), 4);
		v = (int32_t)reg_read(c, i->opnd[0].reg, 4);
	}
	if (v < lo || v > hi)
		cpu_fault_noerr(c, EXC_BR);
}
