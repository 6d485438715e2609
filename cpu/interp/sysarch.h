/* What the system-architecture files of the interpreter share (seg.c,
 * far.c, intr.c, task.c, io.c, sysinsn.c): raw descriptors, stack frames
 * written outside the current stack, task switching. Internal to
 * cpu/interp/; the public entry points are in system.h. */
#ifndef CPU_INTERP_SYSARCH_H
#define CPU_INTERP_SYSARCH_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/interp/icpu.h"

/* a descriptor as it sits in the GDT/LDT/IDT: lo = bytes 0-3, hi = 4-7 */
struct desc {
	uint32_t lo, hi;
};

enum sys_desc_type {
	SYS_TSS16 = 1, SYS_LDT = 2, SYS_TSS16_BUSY = 3, SYS_CALL16 = 4,
	SYS_TASK = 5, SYS_INT16 = 6, SYS_TRAP16 = 7, SYS_TSS32 = 9,
	SYS_TSS32_BUSY = 11, SYS_CALL32 = 12, SYS_INT32 = 14, SYS_TRAP32 = 15,
};

/* CPL 0 required in protected mode (v86 runs at CPL 3), else #GP(0) */
static inline void need_cpl0(struct icpu *c)
{
	if (cpu_protected(c->s) && c->cpl != 0)
		cpu_gp(c, 0);
}

static inline unsigned desc_type(struct desc d) { return (d.hi >> 8) & 0xf; }
static inline bool desc_s(struct desc d) { return (d.hi >> 12) & 1; }
static inline unsigned desc_dpl(struct desc d) { return (d.hi >> 13) & 3; }
static inline bool desc_p(struct desc d) { return (d.hi >> 15) & 1; }
/* access rights in struct cpu_segment.attr layout */
static inline uint32_t desc_attr(struct desc d) { return (d.hi >> 8) & 0xf0ff; }
static inline uint32_t desc_base(struct desc d)
{
	return (d.lo >> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000u);
}
/* byte-granular limit */
static inline uint32_t desc_limit(struct desc d)
{
	uint32_t l = (d.lo & 0xffff) | (d.hi & 0xf0000);
	return (d.hi & (1u << 23)) ? (l << 12) | 0xfff : l;
}
static inline bool desc_code(struct desc d) { return desc_s(d) && (d.hi & (1u << 11)); }
/* a 64-bit code segment: L set, D clear */
static inline bool desc_code64(struct desc d)
{
	return desc_code(d) && (d.hi & (1u << 21)) && !(d.hi & (1u << 22));
}
static inline bool desc_data(struct desc d) { return desc_s(d) && !(d.hi & (1u << 11)); }
static inline bool desc_conforming(struct desc d) { return desc_code(d) && (d.hi & (1u << 10)); }
/* code: readable; data: writable */
static inline bool desc_rw(struct desc d) { return (d.hi >> 9) & 1; }
static inline uint16_t gate_sel(struct desc d) { return (uint16_t)(d.lo >> 16); }
static inline uint32_t gate_off(struct desc d)
{
	uint32_t o = (d.lo & 0xffff) | (d.hi & 0xffff0000u);
	/* 286 gates (types 4, 6, 7) carry a 16-bit offset */
	return (desc_type(d) & 8) ? o : o & 0xffff;
}

/* the selector part of an error code (index and TI) */
static inline uint32_t sel_err(uint16_t sel) { return sel & 0xfffc; }

static inline bool seg_expand_down(uint32_t attr)
{
	return (attr & SEG_ATTR_S) && !(attr & 8) && (attr & 4);
}

/* does [off, off+size) lie inside the segment's limit (expand-down aware)? */
static inline bool seg_in_limit(const struct cpu_segment *sg, uint64_t off, unsigned size)
{
	uint64_t last = off + size - 1;
	if (seg_expand_down(sg->attr)) {
		uint64_t top = (sg->attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
		return off > sg->limit && last <= top;
	}
	return last <= sg->limit;
}

/* linear addresses wrap at 4 GiB outside long mode */
static inline uint64_t lin_wrap(const struct icpu *c, uint64_t a)
{
	return c->long_mode ? a : a & 0xffffffffull;
}

/* -- seg.c -- */
/* linear address of sel's descriptor, false when the index is beyond the
 * GDT/LDT limit or TI names an unusable LDT */
bool desc_addr(struct icpu *c, uint16_t sel, uint64_t *lin);
bool desc_fetch(struct icpu *c, uint16_t sel, struct desc *d);
/* set the accessed bit of a code/data descriptor in memory (and in *d) */
void desc_touch(struct icpu *c, uint16_t sel, struct desc *d);
/* fill a segment register's hidden part from a descriptor */
void seg_from_desc(struct cpu_segment *sg, uint16_t sel, struct desc d);
/* a null selector in a data segment register: unusable */
void seg_set_null(struct cpu_segment *sg, uint16_t sel);
/* a virtual-8086 segment: base sel << 4, 64 KiB, DPL 3 read/write data */
void seg_set_v86(struct cpu_segment *sg, uint16_t sel);
/* after RET/IRET to an outer level: DS ES FS GS that the new CPL may not
 * use (data or non-conforming code with DPL < CPL) become null */
void seg_drop_inner(struct icpu *c);
/* the SS checks of a stack switch (RET/IRET outward with vec = #GP, gates
 * through the TSS with vec = #TS): RPL and DPL must equal `cpl`, a
 * writable data segment, present (#SS); fills *out */
void seg_check_ss(struct icpu *c, uint16_t sel, unsigned cpl, int vec, uint32_t ext,
		  struct cpu_segment *out);
/* the code-segment checks of a far return (RET, IRET): #GP(sel) / #NP(sel) */
void seg_check_ret_cs(struct icpu *c, uint16_t sel, struct desc *d);
/* commit a new CS with RPL = cpl and rip; recomputes the mode */
void seg_commit_cs(struct icpu *c, uint16_t sel, struct desc d, unsigned cpl, uint64_t rip);

/* -- stack frames (seg.c) --
 * A frame is written at (ss, sp) going down; a slot outside the limit
 * raises #SS(err). On the current SS the write has the CPL's paging
 * privilege; on a new inner stack it is a supervisor access. Registers
 * are not touched: the caller commits SS:ESP after every push succeeded. */
struct sframe {
	struct cpu_segment ss;
	uint64_t sp, mask;
	bool cur;		/* the current SS */
	bool flat64;		/* 64-bit mode: no limit check */
	uint32_t err;		/* #SS error code */
};
void sf_cur(struct icpu *c, struct sframe *f, uint32_t err);
void sf_new(struct icpu *c, struct sframe *f, const struct cpu_segment *ss, uint64_t sp, uint32_t err);
void sf_push(struct icpu *c, struct sframe *f, uint64_t v, unsigned size);
/* read `size` bytes at sp + off of the current stack (#SS(0) outside) */
uint64_t stk_read(struct icpu *c, uint64_t off, unsigned size);
/* the current SP masked to the stack width */
uint64_t stk_sp(const struct icpu *c);
/* SP = v under the stack width of SS (the upper half kept for 16-bit SS) */
void stk_set_sp(struct icpu *c, const struct cpu_segment *ss, uint64_t v);

/* -- task.c -- */
enum ts_source { TS_JMP, TS_CALL, TS_IRET, TS_INT };
/* switch to the task whose TSS descriptor (already checked for type,
 * presence and privilege by the caller) is d; pushes err when has_err;
 * ext is the EXT bit of faults raised (1 when an external event) */
void task_switch(struct icpu *c, uint16_t sel, struct desc d, enum ts_source src,
		 bool has_err, uint32_t err, uint32_t ext);
/* SS:ESP for privilege level `dpl` from the current TSS; #TS(TR|ext) when
 * beyond its limit */
void tss_stack(struct icpu *c, unsigned dpl, uint16_t *ss, uint32_t *sp, uint32_t ext);
/* the 64-bit TSS's RSP for CPL dpl, or its IST entry ist (1-7) when not 0;
 * #TS past the TSS limit */
uint64_t tss64_stack(struct icpu *c, unsigned dpl, unsigned ist, uint32_t ext);
/* a task gate's TSS: TI clear, in the GDT, available, present */
void task_gate_target(struct icpu *c, struct desc gate, uint16_t *sel, struct desc *tss,
		      uint32_t ext);

/* -- sysinsn.c -- */
/* RFLAGS written by a task switch/IRET/POPF with the mode recomputed */
void sys_set_flags(struct icpu *c, uint64_t rflags);

/* -- the handlers of interp_ops_system (sysinsn.c holds the table) -- */
/* seg.c */
insn_fn sysop_mov_seg_load;
insn_fn sysop_mov_seg_store;
insn_fn sysop_push_seg;
insn_fn sysop_pop_seg;
insn_fn sysop_lds;
insn_fn sysop_les;
insn_fn sysop_lfs;
insn_fn sysop_lgs;
insn_fn sysop_lss;
insn_fn sysop_lar;
insn_fn sysop_lsl;
insn_fn sysop_verr;
insn_fn sysop_verw;
insn_fn sysop_arpl;
/* far.c */
insn_fn sysop_jmp_far;
insn_fn sysop_call_far;
insn_fn sysop_ret_far;
insn_fn sysop_iret;
insn_fn sysop_int;
insn_fn sysop_int3;
insn_fn sysop_into;
insn_fn sysop_int1;
insn_fn sysop_bound;
/* io.c */
insn_fn sysop_in;
insn_fn sysop_out;
insn_fn sysop_ins;
insn_fn sysop_outs;
/* sysinsn.c */
insn_fn sysop_cli;
insn_fn sysop_sti;
insn_fn sysop_pushf;
insn_fn sysop_popf;
insn_fn sysop_lgdt;
insn_fn sysop_lidt;
insn_fn sysop_sgdt;
insn_fn sysop_sidt;
insn_fn sysop_lldt;
insn_fn sysop_ltr;
insn_fn sysop_sldt;
insn_fn sysop_str;
insn_fn sysop_mov_cr_load;
insn_fn sysop_mov_cr_store;
insn_fn sysop_lmsw;
insn_fn sysop_smsw;
insn_fn sysop_clts;
insn_fn sysop_mov_dr_load;
insn_fn sysop_mov_dr_store;
insn_fn sysop_invd;
insn_fn sysop_invlpg;
insn_fn sysop_cpuid;
insn_fn sysop_rdtsc;
insn_fn sysop_rdpmc;
insn_fn sysop_rdmsr;
insn_fn sysop_wrmsr;
insn_fn sysop_sysenter;
insn_fn sysop_sysexit;
insn_fn sysop_syscall;
insn_fn sysop_sysret;
insn_fn sysop_swapgs;
insn_fn sysop_rdtscp;
insn_fn sysop_ud;

#endif
