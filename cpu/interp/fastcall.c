/* The fast system calls: SYSENTER/SYSEXIT (legacy and IA-32e mode),
 * SYSCALL/SYSRET and SWAPGS. Each loads flat CS and SS from MSRs with no
 * descriptor read, as the SDM (Vol. 2, SYSCALL/SYSENTER) describes. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"
#include "cpu/interp/system.h"

/* flat code or data: base 0, limit 4G, accessed; a 64-bit code segment
 * has L and not D */
static void flat_seg(struct cpu_segment *sg, uint16_t sel, unsigned dpl, bool code, bool l64)
{
	uint32_t attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | (dpl << 5) | (code ? 0xb : 0x3);
	attr |= l64 ? SEG_ATTR_L : SEG_ATTR_DB;
	cpu_seg_flat(sg, sel, attr);
}

/* -- SYSENTER / SYSEXIT -- */

void sysop_sysenter(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	uint16_t cs = (uint16_t)s->msr.sysenter_cs;
	if (!cpu_protected(s) || sel_err(cs) == 0)
		cpu_gp(c, 0);
	bool lm = c->long_mode;
	flat_seg(&s->seg[S_CS], cs & 0xfffc, 0, true, lm);
	flat_seg(&s->seg[S_SS], (uint16_t)((cs + 8) & 0xfffc), 0, false, false);
	s->gpr[R_ESP] = lm ? s->msr.sysenter_esp : (uint32_t)s->msr.sysenter_esp;
	c->next_rip = lm ? s->msr.sysenter_eip : (uint32_t)s->msr.sysenter_eip;
	sys_set_flags(c, flags_get(c) & ~(uint64_t)(FL_VM | FL_IF | FL_RF));
}

/* REX.W SYSEXIT returns to 64-bit code at SYSENTER_CS + 32 */
void sysop_sysexit(struct icpu *c, const struct insn *i)
{
	struct cpu_state *s = c->s;
	uint16_t cs = (uint16_t)s->msr.sysenter_cs;
	if (!cpu_protected(s) || c->cpl != 0 || sel_err(cs) == 0)
		cpu_gp(c, 0);
	bool to64 = i->osize == 8;
	if (to64 && (!canonical(s->gpr[R_EDX]) || !canonical(s->gpr[R_ECX])))
		cpu_gp(c, 0);
	flat_seg(&s->seg[S_CS], (uint16_t)((cs + (to64 ? 32 : 16)) | 3), 3, true, to64);
	flat_seg(&s->seg[S_SS], (uint16_t)((cs + (to64 ? 40 : 24)) | 3), 3, false, false);
	s->gpr[R_ESP] = to64 ? s->gpr[R_ECX] : (uint32_t)s->gpr[R_ECX];
	c->next_rip = to64 ? s->gpr[R_EDX] : (uint32_t)s->gpr[R_EDX];
	icpu_mode_changed(c);
}

/* -- SYSCALL / SYSRET: 64-bit mode only on Intel, which we model -- */

static void need_syscall(struct icpu *c)
{
	if (c->code_size != 64 || !(c->s->efer & EFER_SCE))
		cpu_ud(c);
}

void sysop_syscall(struct icpu *c, const struct insn *i)
{
	(void)i;
	need_syscall(c);
	struct cpu_state *s = c->s;
	uint16_t sel = (uint16_t)(s->msr.star >> 32);
	uint64_t fl = flags_get(c);
	s->gpr[R_ECX] = c->next_rip;
	s->gpr[11] = fl & ~(uint64_t)FL_RF;
	flat_seg(&s->seg[S_CS], sel & 0xfffc, 0, true, true);
	flat_seg(&s->seg[S_SS], (uint16_t)((sel + 8) & 0xfffc), 0, false, false);
	c->next_rip = s->msr.lstar;
	sys_set_flags(c, fl & ~(s->msr.fmask | FL_RF));
}

/* to 64-bit code with REX.W (STAR[63:48] + 16), else to compatibility
 * mode (STAR[63:48]); SS is STAR[63:48] + 8 either way */
void sysop_sysret(struct icpu *c, const struct insn *i)
{
	need_syscall(c);
	if (c->cpl != 0)
		cpu_gp(c, 0);
	struct cpu_state *s = c->s;
	bool to64 = i->osize == 8;
	uint64_t rip = to64 ? s->gpr[R_ECX] : (uint32_t)s->gpr[R_ECX];
	if (!canonical(rip))
		cpu_gp(c, 0);
	uint16_t sel = (uint16_t)(s->msr.star >> 48);
	flat_seg(&s->seg[S_CS], (uint16_t)((sel + (to64 ? 16 : 0)) | 3), 3, true, to64);
	flat_seg(&s->seg[S_SS], (uint16_t)((sel + 8) | 3), 3, false, false);
	c->next_rip = rip;
	sys_set_flags(c, (s->gpr[11] & 0x3c7fd7) | FL_FIXED);
}

void sysop_swapgs(struct icpu *c, const struct insn *i)
{
	(void)i;
	if (c->code_size != 64)
		cpu_ud(c);
	if (c->cpl != 0)
		cpu_gp(c, 0);
	struct cpu_state *s = c->s;
	uint64_t t = s->seg[S_GS].base;
	s->seg[S_GS].base = s->msr.kernel_gs_base;
	s->msr.kernel_gs_base = t;
}
