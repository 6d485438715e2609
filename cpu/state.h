/* struct cpu_state: the one canonical architectural state of an x86 vCPU.
 * Every tier reads and writes this; a tier that keeps the state elsewhere
 * while it runs (KVM keeps it in the kernel) writes it back on sync_out
 * before anyone else reads it. Layout is ours, not any hardware format,
 * except fxsave (the FXSAVE image) and xsave. */
#ifndef CPU_STATE_H
#define CPU_STATE_H

#include <stdint.h>
#include <stdbool.h>

enum cpu_reg {
	R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
	R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
	CPU_NR_GPRS
};

enum cpu_seg { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, CPU_NR_SEGS };

/* a segment register with its hidden (descriptor-cache) part */
struct cpu_segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;		/* expanded: byte granular */
	/* access rights as in descriptor bits 40-47 and 52-55:
	 * bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G; bit 16 unusable */
	uint32_t attr;
};

#define SEG_ATTR_TYPE(a)   ((a) & 0xf)
#define SEG_ATTR_S         (1u << 4)
#define SEG_ATTR_DPL(a)    (((a) >> 5) & 3)
#define SEG_ATTR_P         (1u << 7)
#define SEG_ATTR_AVL       (1u << 12)
#define SEG_ATTR_L         (1u << 13)
#define SEG_ATTR_DB        (1u << 14)
#define SEG_ATTR_G         (1u << 15)
#define SEG_ATTR_UNUSABLE  (1u << 16)

struct cpu_dtable {
	uint64_t base;
	uint16_t limit;
};

/* RFLAGS bits */
#define FL_CF   (1u << 0)
#define FL_FIXED (1u << 1)
#define FL_PF   (1u << 2)
#define FL_AF   (1u << 4)
#define FL_ZF   (1u << 6)
#define FL_SF   (1u << 7)
#define FL_TF   (1u << 8)
#define FL_IF   (1u << 9)
#define FL_DF   (1u << 10)
#define FL_OF   (1u << 11)
#define FL_IOPL (3u << 12)
#define FL_NT   (1u << 14)
#define FL_RF   (1u << 16)
#define FL_VM   (1u << 17)
#define FL_AC   (1u << 18)
#define FL_VIF  (1u << 19)
#define FL_VIP  (1u << 20)
#define FL_ID   (1u << 21)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)

#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* MSRs the state carries (others live with their owner, e.g. the LAPIC) */
struct cpu_msrs {
	uint64_t tsc;			/* value of the TSC at the last sync */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
	uint64_t pat;
	uint64_t misc_enable;
	/* the MTRRs: IA32_MTRR_DEF_TYPE, PHYSBASE/PHYSMASK 0-7, the 11 fixed */
	uint64_t mtrr_def_type;
	uint64_t mtrr_var[16];
	uint64_t mtrr_fixed[11];
	uint64_t apic_base;		/* mirrored from the LAPIC on sync */
};

/* pending and in-progress events, so a tier switch loses none */
struct cpu_events {
	bool exception_pending;
	uint8_t exception_nr;
	bool exception_has_error;
	uint32_t exception_error;
	bool interrupt_injected;	/* an external interrupt being delivered */
	uint8_t interrupt_nr;
	bool nmi_pending, nmi_masked, nmi_injected;
	uint8_t interrupt_shadow;	/* 1: after MOV SS/POP SS, 2: after STI */
	bool sipi_pending;
	uint8_t sipi_vector;
};

enum cpu_run_state {
	CPU_RUNNING,
	CPU_HALTED,		/* HLT: waits for an interrupt or NMI */
	CPU_WAIT_SIPI,		/* an AP after INIT, before its startup IPI */
};

struct cpu_state {
	uint64_t gpr[CPU_NR_GPRS];
	uint64_t rip;
	uint64_t rflags;
	struct cpu_segment seg[CPU_NR_SEGS];
	struct cpu_segment ldt, tr;
	struct cpu_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t efer;
	uint64_t dr[8];			/* dr[4], dr[5] unused */
	uint64_t xcr0;
	struct cpu_msrs msr;
	struct cpu_events ev;
	enum cpu_run_state run_state;
	/* x87/SSE: the FXSAVE image (512 bytes, 16-aligned) */
	uint8_t fxsave[512] __attribute__((aligned(16)));
};

/* the architectural state after RESET (INIT differs only in what it keeps:
 * pass init=true to keep CR2-4/EFER-independent fields the SDM says INIT keeps) */
void cpu_state_reset(struct cpu_state *s, bool init);
/* CS:IP, SS:SP and a flat real-mode segment for a SIPI with vector v */
void cpu_state_sipi(struct cpu_state *s, uint8_t vector);
/* a flat protected-mode segment (base 0, limit 4G) with the given attr */
void cpu_seg_flat(struct cpu_segment *sg, uint16_t sel, uint32_t attr);
/* real-mode segment: base = sel << 4, limit 64K, data/code present */
void cpu_seg_real(struct cpu_segment *sg, uint16_t sel, bool code);
/* paging and mode queries */
static inline bool cpu_long_mode(const struct cpu_state *s) { return (s->efer & EFER_LMA) != 0; }
static inline bool cpu_protected(const struct cpu_state *s) { return (s->cr0 & CR0_PE) != 0; }

#endif
