/* System instructions: CLI/STI, PUSHF/POPF, descriptor-table and task
 * registers, control and debug registers, cache and TLB control, CPUID,
 * the #UD and #NM instructions; and the interpreter's table of every
 * system operation (the fast system calls are fastcall.c's, the TSC and
 * the MSRs msr.c's). */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include "cpu/cpuid.h"
#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"
#include "cpu/interp/system.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

void sys_set_flags(struct icpu *c, uint64_t rflags)
{
	flags_set(c, rflags | FL_FIXED);
	icpu_mode_changed(c);
}

static unsigned iopl_of(const struct icpu *c)
{
	return (c->s->rflags >> 12) & 3;
}

static void need_protected(struct icpu *c)
{
	if (!cpu_protected(c->s) || c->v86)
		cpu_ud(c);
}

/* -- IF and EFLAGS -- */

void sysop_cli(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	bool pe = cpu_protected(s);
	unsigned iopl = iopl_of(c);
	if (!pe || (c->v86 ? iopl == 3 : c->cpl <= iopl))
		s->rflags &= ~(uint64_t)FL_IF;
	else if (c->v86 ? (s->cr4 & CR4_VME) : (c->cpl == 3 && (s->cr4 & CR4_PVI)))
		s->rflags &= ~(uint64_t)FL_VIF;
	else
		cpu_gp(c, 0);
}

void sysop_sti(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	bool pe = cpu_protected(s);
	unsigned iopl = iopl_of(c);
	if (!pe || (c->v86 ? iopl == 3 : c->cpl <= iopl)) {
		/* interrupts wait one more instruction only when STI is what
		 * enabled them */
		if (!(s->rflags & FL_IF))
			s->ev.interrupt_shadow = 2;
		s->rflags |= FL_IF;
	} else if (!(s->rflags & FL_VIP) &&
		   (c->v86 ? (s->cr4 & CR4_VME) : (c->cpl == 3 && (s->cr4 & CR4_PVI)))) {
		s->rflags |= FL_VIF;
	} else {
		cpu_gp(c, 0);
	}
}

void sysop_pushf(struct icpu *c, const struct insn *i)
{
	unsigned os = i->osize;
	uint64_t fl = flags_get(c);
	if (c->v86 && iopl_of(c) < 3) {
		if (!((c->s->cr4 & CR4_VME) && os == 2))
			cpu_gp(c, 0);
		/* VME: the image shows IOPL 3 and the virtual IF */
		fl = (fl & 0xffff & ~(uint64_t)FL_IF) | FL_IOPL | ((fl & FL_VIF) ? FL_IF : 0);
	}
	stack_push(c, fl & 0x00fcffffull & size_mask(os), os);
}

void sysop_popf(struct icpu *c, const struct insn *i)
{
	struct cpu_state *s = c->s;
	unsigned os = i->osize;
	uint64_t old = flags_get(c);
	uint64_t v = stk_read(c, 0, os);
	uint64_t mask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF | FL_TF | FL_DF | FL_NT |
			FL_AC | FL_ID;
	unsigned iopl = iopl_of(c);
	if (c->v86) {
		if (iopl == 3) {
			mask |= FL_IF;
		} else if ((s->cr4 & CR4_VME) && os == 2) {
			if ((v & FL_TF) || ((v & FL_IF) && (old & FL_VIP)))
				cpu_gp(c, 0);
			/* the image's IF goes to VIF; IF and IOPL stay */
			v = (v & FL_IF) ? (v | FL_VIF) : (v & ~(uint64_t)FL_VIF);
			mask = (mask & 0xffff) | FL_VIF;
			stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + os);
			sys_set_flags(c, (old & ~mask) | (v & mask));
			return;
		} else {
			cpu_gp(c, 0);
		}
	} else {
		if (!cpu_protected(s) || c->cpl <= iopl)
			mask |= FL_IF;
		if (!cpu_protected(s) || c->cpl == 0)
			mask |= FL_IOPL;
	}
	uint64_t nfl;
	if (os == 2) {
		mask &= 0xffff;
		nfl = (old & ~mask) | (v & mask);
	} else {
		nfl = ((old & ~mask) | (v & mask)) & ~(uint64_t)FL_RF;
	}
	stk_set_sp(c, &s->seg[S_SS], stk_sp(c) + os);
	sys_set_flags(c, nfl);
}

/* -- descriptor tables and task register -- */

static void load_dtable(struct icpu *c, const struct insn *i, struct cpu_dtable *t)
{
	need_cpl0(c);
	if (i->opnd[0].kind != OPK_MEM)
		cpu_ud(c);
	uint64_t ea = insn_ea(c, i), am = size_mask(i->asize);
	uint16_t limit = (uint16_t)vmem_read(c, i->seg, ea, 2);
	uint64_t base;
	if (c->code_size == 64)
		base = vmem_read(c, i->seg, (ea + 2) & am, 8);
	else
		base = vmem_read(c, i->seg, (ea + 2) & am, 4) & (i->osize == 2 ? 0xffffff : 0xffffffff);
	t->limit = limit;
	t->base = base;
}

static void store_dtable(struct icpu *c, const struct insn *i, const struct cpu_dtable *t)
{
	if (i->opnd[0].kind != OPK_MEM)
		cpu_ud(c);
	uint64_t ea = insn_ea(c, i), am = size_mask(i->asize);
	unsigned bsize = c->code_size == 64 ? 8 : 4;
	vmem_probe(c, i->seg, ea, 2 + bsize, MMU_WRITE);
	vmem_write(c, i->seg, ea, t->limit, 2);
	/* a 16-bit operand size stores 24 bits of base and a zero byte */
	uint64_t base = i->osize == 2 && bsize == 4 ? t->base & 0xffffff : t->base;
	vmem_write(c, i->seg, (ea + 2) & am, base, bsize);
}

void sysop_lgdt(struct icpu *c, const struct insn *i) { load_dtable(c, i, &c->s->gdt); }
void sysop_lidt(struct icpu *c, const struct insn *i) { load_dtable(c, i, &c->s->idt); }
void sysop_sgdt(struct icpu *c, const struct insn *i) { store_dtable(c, i, &c->s->gdt); }
void sysop_sidt(struct icpu *c, const struct insn *i) { store_dtable(c, i, &c->s->idt); }

/* LLDT/LTR's descriptor: in the GDT; 16 bytes in long mode */
static struct desc sys_desc(struct icpu *c, uint16_t sel, uint64_t *base_hi)
{
	struct desc d;
	*base_hi = 0;
	if ((sel & 4) || !desc_fetch(c, sel, &d))
		cpu_gp(c, sel_err(sel));
	if (c->long_mode) {
		uint64_t a;
		if (!desc_addr(c, sel + 8, &a))
			cpu_gp(c, sel_err(sel));
		*base_hi = lmem_read_sys(c, a, 4);
	}
	return d;
}

void sysop_lldt(struct icpu *c, const struct insn *i)
{
	need_protected(c);
	need_cpl0(c);
	uint16_t sel = (uint16_t)opnd_read(c, i, 0);
	struct cpu_segment *ldt = &c->s->ldt;
	if (sel_err(sel) == 0) {
		seg_set_null(ldt, sel);
		return;
	}
	uint64_t hi;
	struct desc d = sys_desc(c, sel, &hi);
	if (desc_s(d) || desc_type(d) != SYS_LDT)
		cpu_gp(c, sel_err(sel));
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, sel_err(sel));
	seg_from_desc(ldt, sel, d);
	ldt->base |= hi << 32;
}

void sysop_ltr(struct icpu *c, const struct insn *i)
{
	need_protected(c);
	need_cpl0(c);
	uint16_t sel = (uint16_t)opnd_read(c, i, 0);
	if (sel_err(sel) == 0)
		cpu_gp(c, 0);
	uint64_t hi;
	struct desc d = sys_desc(c, sel, &hi);
	unsigned t = desc_type(d);
	if (desc_s(d) || (t != SYS_TSS32 && (t != SYS_TSS16 || c->long_mode)))
		cpu_gp(c, sel_err(sel));
	if (!desc_p(d))
		cpu_fault(c, EXC_NP, sel_err(sel));
	uint64_t a;
	desc_addr(c, sel, &a);
	lmem_write_sys(c, lin_wrap(c, a + 5), ((d.hi >> 8) & 0xff) | 2, 1);
	d.hi |= 2u << 8;
	seg_from_desc(&c->s->tr, sel, d);
	c->s->tr.base |= hi << 32;
}

void sysop_sldt(struct icpu *c, const struct insn *i)
{
	need_protected(c);
	opnd_write(c, i, 0, c->s->ldt.selector);
}

void sysop_str(struct icpu *c, const struct insn *i)
{
	need_protected(c);
	opnd_write(c, i, 0, c->s->tr.selector);
}

/* -- control registers -- */

#define CR0_WRITABLE (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | \
		      CR0_NW | CR0_CD | CR0_PG)
/* what CPUID below advertises: no MCE; OSFXSR with FXSR, OSXMMEXCPT with
 * SSE, OSXSAVE with XSAVE */
#define CR4_VALID (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCE | \
		   CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE)

/* PAE paging (not long mode) in use with these control registers */
static bool pae_paging(const struct icpu *c, uint64_t cr0, uint64_t cr4)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(c->s->efer & EFER_LMA);
}

/* Where the hardware loads the four PDPTEs (MOV to CR3 under PAE paging;
 * MOV to CR0 or CR4 that leaves PAE paging on and changes a bit the SDM
 * lists), a present one with a reserved bit set is #GP(0), and the
 * register keeps its old value. */
static void pdptes_load(struct icpu *c, uint64_t cr3)
{
	if (!mmu_pae_pdptes_ok(c->tlb.pm, cr3))
		cpu_gp(c, 0);
}

static void write_cr0(struct icpu *c, uint64_t v)
{
	struct cpu_state *s = c->s;
	if (v >> 32)
		cpu_gp(c, 0);
	v = (v & CR0_WRITABLE) | CR0_ET;
	if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
		cpu_gp(c, 0);
	/* IA-32e mode is activated by paging with EFER.LME (it needs CR4.PAE
	 * and a CS that is not 64-bit yet), and leaves with paging, which
	 * only compatibility mode may turn off (SDM Vol. 3 10.8.5) */
	bool activate = (v & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME);
	if (activate && (!(s->cr4 & CR4_PAE) || (s->seg[S_CS].attr & SEG_ATTR_L)))
		cpu_gp(c, 0);
	if (c->code_size == 64 && !(v & CR0_PG))
		cpu_gp(c, 0);
	uint64_t changed = s->cr0 ^ v;
	if (pae_paging(c, v, s->cr4) && !activate && (changed & (CR0_PG | CR0_CD | CR0_NW)))
		pdptes_load(c, s->cr3);
	if (activate)
		s->efer |= EFER_LMA;
	else if (!(v & CR0_PG))
		s->efer &= ~(uint64_t)EFER_LMA;
	s->cr0 = v;
	if (changed & (CR0_PG | CR0_WP | CR0_PE))
		tlb_flush_all(&c->tlb);
	icpu_mode_changed(c);
}

static void write_cr4(struct icpu *c, uint64_t v)
{
	struct cpu_state *s = c->s;
	if (v & ~(uint64_t)CR4_VALID)
		cpu_gp(c, 0);
	if (c->long_mode && !(v & CR4_PAE))
		cpu_gp(c, 0);
	uint64_t changed = s->cr4 ^ v;
	if (pae_paging(c, s->cr0, v) && (changed & (CR4_PAE | CR4_PGE | CR4_PSE)))
		pdptes_load(c, s->cr3);
	s->cr4 = v;
	if (changed & (CR4_PSE | CR4_PAE | CR4_PGE))
		tlb_flush_all(&c->tlb);
	icpu_mode_changed(c);
}

void sysop_mov_cr_load(struct icpu *c, const struct insn *i)
{
	unsigned cr = i->opnd[0].reg;
	if (c->v86)
		cpu_gp(c, 0);
	if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && !(cr == 8 && c->code_size == 64))
		cpu_ud(c);
	need_cpl0(c);
	uint64_t v = opnd_read(c, i, 1);
	if (c->code_size != 64)
		v &= 0xffffffff;
	switch (cr) {
	case 0: write_cr0(c, v); break;
	case 2: c->s->cr2 = v; break;
	case 3:
		if (pae_paging(c, c->s->cr0, c->s->cr4))
			pdptes_load(c, v);
		c->s->cr3 = v;
		c->mr.cr3 = v;
		tlb_flush_nonglobal(&c->tlb);
		break;
	case 4: write_cr4(c, v); break;
	default:
		if (v >> 4)
			cpu_gp(c, 0);
		c->s->cr8 = v;
		break;
	}
}

void sysop_mov_cr_store(struct icpu *c, const struct insn *i)
{
	unsigned cr = i->opnd[1].reg;
	if (c->v86)
		cpu_gp(c, 0);
	if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && !(cr == 8 && c->code_size == 64))
		cpu_ud(c);
	need_cpl0(c);
	const struct cpu_state *s = c->s;
	uint64_t v = cr == 0 ? s->cr0 : cr == 2 ? s->cr2 : cr == 3 ? s->cr3 : cr == 4 ? s->cr4 : s->cr8;
	opnd_write(c, i, 0, v);
}

void sysop_lmsw(struct icpu *c, const struct insn *i)
{
	if (c->v86)
		cpu_gp(c, 0);
	need_cpl0(c);
	uint64_t v = opnd_read(c, i, 0) & 0xf;
	/* LMSW sets PE but never clears it */
	write_cr0(c, (c->s->cr0 & ~0xeull) | v);
}

void sysop_smsw(struct icpu *c, const struct insn *i)
{
	opnd_write(c, i, 0, c->s->cr0 & size_mask(i->opnd[0].size));
}

void sysop_clts(struct icpu *c, const struct insn *i)
{
	(void)i;
	if (c->v86)
		cpu_gp(c, 0);
	need_cpl0(c);
	c->s->cr0 &= ~(uint64_t)CR0_TS;
	icpu_mode_changed(c);
}

/* -- debug registers -- */

/* DR4/DR5 alias DR6/DR7 unless CR4.DE; DR7.GD makes any access a #DB */
static unsigned dr_check(struct icpu *c, unsigned dr)
{
	struct cpu_state *s = c->s;
	if (c->v86)
		cpu_gp(c, 0);
	if (dr == 4 || dr == 5) {
		if (s->cr4 & CR4_DE)
			cpu_ud(c);
		dr += 2;
	}
	if (dr > 7)
		cpu_ud(c);
	need_cpl0(c);
	if (s->dr[7] & (1u << 13)) {
		s->dr[6] |= 1u << 13;	/* BD */
		s->dr[7] &= ~(uint64_t)(1u << 13);
		cpu_fault_noerr(c, EXC_DB);
	}
	return dr;
}

void sysop_mov_dr_load(struct icpu *c, const struct insn *i)
{
	unsigned dr = dr_check(c, i->opnd[0].reg);
	uint64_t v = opnd_read(c, i, 1);
	if (c->code_size != 64)
		v &= 0xffffffff;
	else if ((dr == 6 || dr == 7) && (v >> 32))
		cpu_gp(c, 0);
	if (dr == 6)
		v = (v & 0xe00f) | 0xffff0ff0;
	else if (dr == 7)
		v = (v & 0xffff2bff) | 0x400;
	c->s->dr[dr] = v;
	c->dbg_dirty = true;	/* the loop rebuilds its breakpoints */
}

void sysop_mov_dr_store(struct icpu *c, const struct insn *i)
{
	unsigned dr = dr_check(c, i->opnd[1].reg);
	opnd_write(c, i, 0, c->s->dr[dr]);
}

/* -- caches and TLB -- */

void sysop_invd(struct icpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
}

void sysop_invlpg(struct icpu *c, const struct insn *i)
{
	need_cpl0(c);
	if (i->opnd[0].kind != OPK_MEM)
		cpu_ud(c);
	/* no segment limit check: INVLPG never faults on its operand */
	uint64_t lin = lin_wrap(c, c->s->seg[i->seg].base + insn_ea(c, i));
	tlb_flush_page(&c->tlb, lin);
}

/* -- CPUID --
 * A family-6 CPU with what the interpreter implements: the x87 FPU (x87.c)
 * with FXSAVE/FXRSTOR and XSAVE for x87 and SSE state (fxsave.c: leaf 0xD
 * says so; OSXSAVE follows CR4), MMX and SSE to SSE4.2 with POPCNT
 * (sse*.c: x86-64-v2), CLFLUSH (a 64-byte line), and long mode (with
 * SYSCALL, RDTSCP, CMPXCHG16B, 1 GiB pages and LAHF/SAHF in 64-bit mode).
 * The model is Nehalem's (family 6 model 0x1a), the first with all of
 * these. Not advertised, and so #UD or the older meaning: MCE/MCA,
 * PSE-36, MOVBE, PCLMULQDQ, AES, XSAVEOPT/XSAVEC/XSAVES, AVX, LZCNT (F3 0F
 * BD runs as BSR), BMI1 (F3 0F BC runs as BSF). Leaves 2 to 0xC read as
 * zeros: no cache descriptors, topology or performance counters are
 * described. Leaves 0x15 and 0x16 give the clocks' rates, all 1 GHz:
 * the TSC counts virtual nanoseconds (msr.c), and so does the LAPIC
 * timer's bus clock (hw/lapic.c). A guest that reads them calibrates
 * nothing against the PIT (Linux: "tsc: Detected 1000.000 MHz
 * processor", no LAPIC timer calibration, which busy-waits a tenth of
 * a second). Leaves 0xE to 0x14 read as zeros. The MTRRs are kept (msr.c). Leaf 7 says only that
 * IA32_ARCH_CAPABILITIES exists: an interpreted CPU speculates nothing,
 * and that MSR (msr.c) tells the guest so, as a CPU without Meltdown,
 * MDS and their kin does, so it skips their costly mitigations (page
 * table isolation's CR3 switch on every kernel entry, VERW on every
 * exit). */
enum {
	F1_FPU = 1u << 0, F1_VME = 1u << 1, F1_DE = 1u << 2, F1_PSE = 1u << 3,
	F1_TSC = 1u << 4, F1_MSR = 1u << 5, F1_PAE = 1u << 6, F1_CX8 = 1u << 8, F1_APIC = 1u << 9,
	F1_SEP = 1u << 11, F1_MTRR = 1u << 12, F1_PGE = 1u << 13, F1_CMOV = 1u << 15,
	F1_PAT = 1u << 16, F1_CLFSH = 1u << 19, F1_MMX = 1u << 23, F1_FXSR = 1u << 24,
	F1_SSE = 1u << 25, F1_SSE2 = 1u << 26,
	F1C_SSE3 = 1u << 0, F1C_SSSE3 = 1u << 9, F1C_CX16 = 1u << 13,	/* leaf 1 ECX */
	F1C_SSE41 = 1u << 19, F1C_SSE42 = 1u << 20, F1C_POPCNT = 1u << 23,
	F1C_XSAVE = 1u << 26, F1C_OSXSAVE = 1u << 27,
	FX_SYSCALL = 1u << 11, FX_NX = 1u << 20, FX_PDPE1GB = 1u << 26, FX_RDTSCP = 1u << 27,
	FX_LM = 1u << 29,				/* leaf 0x80000001 EDX */
	FXC_LAHF = 1u << 0,				/* leaf 0x80000001 ECX */
	F7D_ARCH_CAPS = 1u << 29,			/* leaf 7 EDX */
	F1B_CLFLUSH_64 = 8u << 8,			/* leaf 1 EBX: CLFLUSH line size / 8 */
};

static const struct cpuid_table p6_cpuid = {
	.n = 11,
	.e = {
		/* max basic leaf 0x16, "GenuineIntel" */
		{ 0, 0, false, { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 } },
		/* family 6 model 0x1a stepping 5 */
		{ 1, 0, false, { 0x106a5, F1B_CLFLUSH_64,
				 F1C_SSE3 | F1C_SSSE3 | F1C_CX16 | F1C_SSE41 | F1C_SSE42 | F1C_POPCNT |
				 F1C_XSAVE,
				 F1_FPU | F1_VME | F1_DE | F1_PSE | F1_TSC | F1_MSR | F1_PAE |
				 F1_CX8 | F1_APIC | F1_SEP | F1_MTRR | F1_PGE | F1_CMOV | F1_PAT |
				 F1_CLFSH | F1_MMX | F1_FXSR | F1_SSE | F1_SSE2 } },
		{ 7, 0, true, { 0, 0, 0, F7D_ARCH_CAPS } },
		/* XSAVE: x87 and SSE, 576 bytes (legacy area and header) */
		{ 0xd, 0, true, { 3, 576, 576, 0 } },
		{ 0xd, 1, true, { 0, 0, 0, 0 } },
		{ 0xd, 2, true, { 0, 0, 0, 0 } },
		/* TSC = crystal * EBX / EAX; the crystal in Hz */
		{ 0x15, 0, false, { 1, 1, 1000000000, 0 } },
		/* base, top and bus clock in MHz */
		{ 0x16, 0, false, { 1000, 1000, 1000, 0 } },
		{ 0x80000000, 0, false, { 0x80000008, 0, 0, 0 } },
		{ 0x80000001, 0, false, { 0, 0, FXC_LAHF,
					  FX_SYSCALL | FX_NX | FX_PDPE1GB | FX_RDTSCP | FX_LM } },
		/* 40 physical address bits (MMU_MAXPHYADDR), 48 linear */
		{ 0x80000008, 0, false, { 0x3028, 0, 0, 0 } },
	},
};

void sysop_cpuid(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	uint32_t r[4];
	uint32_t leaf = (uint32_t)s->gpr[R_EAX];
	cpuid_lookup(&p6_cpuid, leaf, (uint32_t)s->gpr[R_ECX], r);
	if (leaf == 1 && c->v)
		r[CPUID_EBX] |= (uint32_t)c->v->index << 24;	/* initial APIC ID */
	if (leaf == 1 && (s->cr4 & CR4_OSXSAVE))
		r[CPUID_ECX] |= F1C_OSXSAVE;
	s->gpr[R_EAX] = r[CPUID_EAX];
	s->gpr[R_EBX] = r[CPUID_EBX];
	s->gpr[R_ECX] = r[CPUID_ECX];
	s->gpr[R_EDX] = r[CPUID_EDX];
}

/* -- #UD and #NM -- */

void sysop_ud(struct icpu *c, const struct insn *i)
{
	(void)i;
	cpu_ud(c);
}

/* WAIT/FWAIT and the x87 escapes: x87.c */

const struct interp_op interp_ops_system[] = {
	{ OP_MOV_SEG_LOAD, sysop_mov_seg_load }, { OP_MOV_SEG_STORE, sysop_mov_seg_store },
	{ OP_PUSH_SEG, sysop_push_seg }, { OP_POP_SEG, sysop_pop_seg },
	{ OP_LDS, sysop_lds }, { OP_LES, sysop_les }, { OP_LFS, sysop_lfs },
	{ OP_LGS, sysop_lgs }, { OP_LSS, sysop_lss },
	{ OP_LAR, sysop_lar }, { OP_LSL, sysop_lsl }, { OP_VERR, sysop_verr },
	{ OP_VERW, sysop_verw }, { OP_ARPL, sysop_arpl },
	{ OP_JMP_FAR, sysop_jmp_far }, { OP_CALL_FAR, sysop_call_far },
	{ OP_RET_FAR, sysop_ret_far }, { OP_IRET, sysop_iret },
	{ OP_INT, sysop_int }, { OP_INT3, sysop_int3 }, { OP_INTO, sysop_into },
	{ OP_INT1, sysop_int1 }, { OP_BOUND, sysop_bound },
	{ OP_IN, sysop_in }, { OP_OUT, sysop_out }, { OP_INS, sysop_ins }, { OP_OUTS, sysop_outs },
	{ OP_CLI, sysop_cli }, { OP_STI, sysop_sti },
	{ OP_PUSHF, sysop_pushf }, { OP_POPF, sysop_popf },
	{ OP_LGDT, sysop_lgdt }, { OP_LIDT, sysop_lidt }, { OP_SGDT, sysop_sgdt },
	{ OP_SIDT, sysop_sidt }, { OP_LLDT, sysop_lldt }, { OP_SLDT, sysop_sldt },
	{ OP_LTR, sysop_ltr }, { OP_STR, sysop_str },
	{ OP_LMSW, sysop_lmsw }, { OP_SMSW, sysop_smsw }, { OP_CLTS, sysop_clts },
	{ OP_MOV_CR_LOAD, sysop_mov_cr_load }, { OP_MOV_CR_STORE, sysop_mov_cr_store },
	{ OP_MOV_DR_LOAD, sysop_mov_dr_load }, { OP_MOV_DR_STORE, sysop_mov_dr_store },
	{ OP_INVD, sysop_invd }, { OP_WBINVD, sysop_invd }, { OP_INVLPG, sysop_invlpg },
	{ OP_CPUID, sysop_cpuid }, { OP_RDTSC, sysop_rdtsc }, { OP_RDTSCP, sysop_rdtscp },
	{ OP_RDPMC, sysop_rdpmc },
	{ OP_RDMSR, sysop_rdmsr }, { OP_WRMSR, sysop_wrmsr },
	{ OP_SYSENTER, sysop_sysenter }, { OP_SYSEXIT, sysop_sysexit },
	{ OP_SYSCALL, sysop_syscall }, { OP_SYSRET, sysop_sysret }, { OP_SWAPGS, sysop_swapgs },
	{ OP_UD0, sysop_ud }, { OP_UD1, sysop_ud }, { OP_UD2, sysop_ud },
	{ OP_INVALID, NULL },
};
