/* The time stamp counter (RDTSC, RDTSCP, RDPMC) and the model-specific
 * registers the interpreter models, with the #GP(0) the SDM gives for a
 * reserved bit or an MSR that does not exist. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include <time.h>
#include "cpu/interp/sysarch.h"
#include "cpu/interp/system.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

/* -- time stamp counter and MSRs -- */

/* the guest TSC ticks at 1 GHz: host monotonic nanoseconds + offset */
static uint64_t tsc_now(const struct icpu *c)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + c->tsc_offset;
}

void sysop_rdtsc(struct icpu *c, const struct insn *i)
{
	(void)i;
	if ((c->s->cr4 & CR4_TSD) && cpu_protected(c->s) && c->cpl != 0)
		cpu_gp(c, 0);
	uint64_t t = tsc_now(c);
	c->s->gpr[R_EAX] = (uint32_t)t;
	c->s->gpr[R_EDX] = t >> 32;
}

/* RDTSC plus IA32_TSC_AUX in ECX (the OS puts the CPU number there) */
void sysop_rdtscp(struct icpu *c, const struct insn *i)
{
	sysop_rdtsc(c, i);
	c->s->gpr[R_ECX] = (uint32_t)c->s->msr.tsc_aux;
}

void sysop_rdpmc(struct icpu *c, const struct insn *i)
{
	(void)i;
	/* no performance counters are advertised or modelled: every ECX
	 * names a counter that does not exist */
	cpu_gp(c, 0);
}

enum {
	MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1b, MSR_BIOS_SIGN = 0x8b,
	MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
	MSR_MISC_ENABLE = 0x1a0, MSR_PAT = 0x277, MSR_EFER = 0xc0000080,
	MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083,
	MSR_FMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
	MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103,
	MSR_MTRRCAP = 0xfe, MSR_MTRR_PHYS0 = 0x200, MSR_MTRR_DEF_TYPE = 0x2ff,
	MSR_ARCH_CAPABILITIES = 0x10a,
};

/* IA32_ARCH_CAPABILITIES (SDM Vol. 4 2.1): the "not affected" bits of
 * every speculative-execution flaw it names, for a CPU that does not
 * speculate: RDCL_NO (Meltdown, L1TF), SKIP_L1DFL_VMENTRY, SSB_NO,
 * MDS_NO, PSCHANGE_MC_NO, TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO,
 * BHI_NO, PBRSB_NO, GDS_NO, RFDS_NO. Bits that announce a mitigation
 * or another MSR (IBRS_ALL, TSX_CTRL, FB_CLEAR, ...) stay clear. */
#define ARCH_CAPS (1ull << 0 | 1ull << 3 | 1ull << 4 | 1ull << 5 | 1ull << 6 | 1ull << 8 | \
		   1ull << 13 | 1ull << 14 | 1ull << 15 | 1ull << 20 | 1ull << 24 | 1ull << 26 | \
		   1ull << 27)

/* -- the MTRRs (SDM Vol. 3 12.11): 8 variable ranges, the fixed ranges,
 * write-combining; memory types change no result here, so they are only
 * kept, with every reserved bit and type checked -- */

#define MTRRCAP (8u | 1u << 8 | 1u << 10)	/* VCNT 8, FIX, WC */

static bool mtrr_type_ok(unsigned t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;	/* UC WC WT WP WB */
}

static bool pat_type_ok(unsigned t)
{
	return mtrr_type_ok(t) || t == 7;			/* and UC- */
}

/* eight memory-type bytes (PAT, a fixed-range MTRR), each one ok */
static bool types_ok(uint64_t v, bool (*ok)(unsigned))
{
	for (unsigned k = 0; k < 8; k++)
		if (!ok((v >> (8 * k)) & 0xff))
			return false;
	return true;
}

enum mtrr_kind { MTRR_DEF, MTRR_FIXED, MTRR_BASE, MTRR_MASK };

/* where the MSR lives, or NULL */
static uint64_t *mtrr_slot(struct cpu_msrs *m, uint32_t msr, enum mtrr_kind *kind)
{
	static const uint32_t fixed[11] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b,
					     0x26c, 0x26d, 0x26e, 0x26f };
	if (msr == MSR_MTRR_DEF_TYPE) {
		*kind = MTRR_DEF;
		return &m->mtrr_def_type;
	}
	if (msr >= MSR_MTRR_PHYS0 && msr < MSR_MTRR_PHYS0 + 16) {
		*kind = msr & 1 ? MTRR_MASK : MTRR_BASE;
		return &m->mtrr_var[msr - MSR_MTRR_PHYS0];
	}
	for (unsigned k = 0; k < 11; k++)
		if (fixed[k] == msr) {
			*kind = MTRR_FIXED;
			return &m->mtrr_fixed[k];
		}
	return NULL;
}

static bool mtrr_write_ok(enum mtrr_kind kind, uint64_t v)
{
	uint64_t above = ~0ull << MMU_MAXPHYADDR;
	switch (kind) {
	case MTRR_DEF:
		return !(v & ~0xcffull) && mtrr_type_ok(v & 0xff);	/* E, FE, type */
	case MTRR_FIXED:
		return types_ok(v, mtrr_type_ok);
	case MTRR_BASE:
		return !(v & (above | 0xf00)) && mtrr_type_ok(v & 0xff);
	default:
		return !(v & (above | 0x7ff));				/* V, mask */
	}
}

/* the MSRs that hold an address: a write of a non-canonical one is #GP */
static uint64_t *addr_msr(struct cpu_state *s, uint32_t msr)
{
	switch (msr) {
	case MSR_LSTAR: return &s->msr.lstar;
	case MSR_CSTAR: return &s->msr.cstar;
	case MSR_FS_BASE: return &s->seg[S_FS].base;
	case MSR_GS_BASE: return &s->seg[S_GS].base;
	case MSR_KERNEL_GS_BASE: return &s->msr.kernel_gs_base;
	default: return NULL;
	}
}

/* 0 ok, -1 #GP */
static int msr_read(struct icpu *c, uint32_t msr, uint64_t *v)
{
	struct cpu_msrs *m = &c->s->msr;
	switch (msr) {
	case MSR_TSC: *v = tsc_now(c); return 0;
	case MSR_PLATFORM_ID: case MSR_BIOS_SIGN: *v = 0; return 0;
	case MSR_SYSENTER_CS: *v = m->sysenter_cs; return 0;
	case MSR_SYSENTER_ESP: *v = m->sysenter_esp; return 0;
	case MSR_SYSENTER_EIP: *v = m->sysenter_eip; return 0;
	case MSR_MISC_ENABLE: *v = m->misc_enable; return 0;
	case MSR_PAT: *v = m->pat; return 0;
	case MSR_EFER: *v = c->s->efer; return 0;
	case MSR_STAR: *v = m->star; return 0;
	case MSR_FMASK: *v = m->fmask; return 0;
	case MSR_TSC_AUX: *v = m->tsc_aux; return 0;
	case MSR_MTRRCAP: *v = MTRRCAP; return 0;
	case MSR_ARCH_CAPABILITIES: *v = ARCH_CAPS; return 0;
	default:
		if (addr_msr(c->s, msr)) {
			*v = *addr_msr(c->s, msr);
			return 0;
		}
		enum mtrr_kind kind;
		uint64_t *mtrr = mtrr_slot(m, msr, &kind);
		if (mtrr) {
			*v = *mtrr;
			return 0;
		}
		if ((msr == MSR_APIC_BASE || (msr >= 0x800 && msr <= 0x8ff)) && c->v)
			return vcpu_msr_read(c->v, msr, v);
		return -1;
	}
}

static int msr_write(struct icpu *c, uint32_t msr, uint64_t v)
{
	struct cpu_msrs *m = &c->s->msr;
	switch (msr) {
	case MSR_TSC: c->tsc_offset += v - tsc_now(c); return 0;
	case MSR_PLATFORM_ID: return -1;
	case MSR_BIOS_SIGN: return 0;		/* no microcode to load */
	case MSR_SYSENTER_CS: m->sysenter_cs = v & 0xffffffff; return 0;
	case MSR_SYSENTER_ESP: m->sysenter_esp = v; return 0;
	case MSR_SYSENTER_EIP: m->sysenter_eip = v; return 0;
	case MSR_MISC_ENABLE: m->misc_enable = v; return 0;
	case MSR_PAT:
		if (!types_ok(v, pat_type_ok))
			return -1;
		m->pat = v;
		return 0;
	case MSR_EFER:
		/* LMA is the CPU's to set; LME may not change while paging is
		 * on (SDM Vol. 3 10.8.5) */
		if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_NXE | EFER_LMA))
			return -1;
		if (((v ^ c->s->efer) & EFER_LME) && (c->s->cr0 & CR0_PG))
			return -1;
		c->s->efer = (c->s->efer & EFER_LMA) | (v & (EFER_SCE | EFER_LME | EFER_NXE));
		tlb_flush_all(&c->tlb);
		icpu_mode_changed(c);
		return 0;
	case MSR_STAR: m->star = v; return 0;
	case MSR_FMASK:
		if (v >> 32)
			return -1;
		m->fmask = v;
		return 0;
	case MSR_TSC_AUX:
		if (v >> 32)
			return -1;
		m->tsc_aux = v;
		return 0;
	default:
		if (addr_msr(c->s, msr)) {
			if (!canonical(v))
				return -1;
			*addr_msr(c->s, msr) = v;
			return 0;
		}
		enum mtrr_kind kind;
		uint64_t *mtrr = mtrr_slot(m, msr, &kind);
		if (mtrr) {
			if (!mtrr_write_ok(kind, v))
				return -1;
			*mtrr = v;
			return 0;
		}
		if ((msr == MSR_APIC_BASE || (msr >= 0x800 && msr <= 0x8ff)) && c->v)
			return vcpu_msr_write(c->v, msr, v);
		return -1;
	}
}

void sysop_rdmsr(struct icpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
	uint32_t msr = (uint32_t)c->s->gpr[R_ECX];
	uint64_t v = 0;
	if (msr_read(c, msr, &v) < 0) {
		log_once("interp: rdmsr 0x%x: unknown MSR, #GP (first of possibly more)", msr);
		cpu_gp(c, 0);
	}
	c->s->gpr[R_EAX] = (uint32_t)v;
	c->s->gpr[R_EDX] = v >> 32;
}

void sysop_wrmsr(struct icpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
	uint32_t msr = (uint32_t)c->s->gpr[R_ECX];
	uint64_t v = (c->s->gpr[R_EDX] << 32) | (uint32_t)c->s->gpr[R_EAX];
	if (msr_write(c, msr, v) < 0) {
		log_once("interp: wrmsr 0x%x <- 0x%llx refused, #GP (first of possibly more)", msr,
			 (unsigned long long)v);
		cpu_gp(c, 0);
	}
}
