/* The interpreter's view of one vCPU and the helpers every semantic
 * function uses: registers, lazy flags, segmented and linear memory access,
 * and exceptions.
 *
 * Rules for semantic functions (insn_fn, one per operation and form):
 * - c->s is the canonical struct cpu_state, worked on in place; RFLAGS'
 *   arithmetic bits may be lazy (flags.h): read them with flags_get(),
 *   never c->s->rflags directly.
 * - On entry c->s->rip still points at the instruction; c->next_rip at
 *   the next one. The loop commits rip = next_rip after the function
 *   returns; control transfers set c->next_rip.
 * - Faults: cpu_fault() longjmps out of the function to the loop, which
 *   delivers the exception with rip still at the faulting instruction.
 *   So do every access that can fault before changing any register
 *   (x86 faults are restartable), and write memory before registers.
 * - Nothing here allocates, locks or makes a system call on the hit path. */
#ifndef CPU_INTERP_ICPU_H
#define CPU_INTERP_ICPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include "cpu/decode.h"
#include "cpu/state.h"
#include "mmu/mmu.h"

struct vcpu;
struct decode_cache;

/* entries of the translator's return-address stack (a power of two) */
#define ICPU_BT_RAS 32

/* exception vectors */
enum {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
	EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
	EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* which operation last set the arithmetic flags (flags.c computes them) */
enum lf_op {
	LF_NONE,	/* rflags holds every flag */
	LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC, LF_NEG,
	LF_SHL, LF_SHR, LF_SAR, LF_IMUL, LF_MUL,
	LF_HOST,	/* lf_res holds the flags as the host CPU left them
			 * (the translator's code ran the instruction): AH
			 * as LAHF gives it, OF in AL */
};

struct icpu {
	struct cpu_state *s;
	struct vcpu *v;

	/* lazy arithmetic flags: see flags.h */
	uint64_t lf_res, lf_a, lf_b;
	uint8_t lf_op;			/* enum lf_op */
	uint8_t lf_size;		/* operand size in bytes */
	uint32_t lf_carry_in;		/* ADC/SBB carry, shift count */

	uint64_t next_rip;
	const struct insn *cur;

	/* derived from c->s, recomputed by icpu_mode_changed() after any
	 * change of CR0, CR4, EFER, CS, SS or RFLAGS.VM */
	uint8_t cpl;
	uint8_t code_size;		/* 16, 32, 64 */
	uint32_t tlb_user_off;		/* byte offset of tlb.e[cpl == 3] in tlb.e */
	uint8_t stack_size;		/* 2, 4, 8: SS.B / long mode */
	bool paging, v86, long_mode;
	struct mmu_regs mr;

	struct tlb tlb;
	struct decode_cache *dc;
	jmp_buf *fault_jmp;		/* where cpu_fault lands */

	/* exception delivery state: nesting for #DF / triple fault */
	int8_t delivering;		/* vector being delivered, or -1 */
	bool shutdown;			/* triple fault happened */
	bool halted;			/* HLT executed */
	bool paused;			/* PAUSE executed: a spin loop waits */
	uint64_t insns;			/* instructions retired */
	/* a straight run of the fast loop (interp.c) in progress: its first
	 * struct dc_insn and that one's rip, from which a fault recovers rip
	 * and the count (the run keeps neither in memory); NULL outside */
	const void *run0;
	uint64_t run_rip0;
	uint64_t tsc_offset;		/* guest TSC = host ns-based count + offset */

	/* the fault cpu_fault() hands to the loop (interp.c) */
	int fault_vector;
	bool fault_has_error;
	uint32_t fault_error;
	/* debugging (debug.c): the guest's DR7 enables a breakpoint, or the
	 * debugger (cpu/debug.h) has points, catches or a step for this vCPU.
	 * dbg_careful: the loop takes every instruction through its careful
	 * step (watchpoints, catches, steps). With breakpoints alone the fast
	 * loop runs on, but not on a linear page that holds one (dbg_bp_page) */
	bool dbg_on;
	bool dbg_careful;
	bool dbg_careful_points;	/* of dbg_careful, what the rebuild found */
	unsigned dbg_nbp_pages;
	uint64_t dbg_bp_page[8];
	bool dbg_dirty;			/* DR0-3/DR7 written or a task switch: rebuild */
	uint64_t dbg_gen;		/* the vm_debug.gen rebuilt from */
	uint8_t dbg_hits;		/* DR6 B0-B3 the running instruction matched (data, I/O) */
	uint8_t dbg_delayed;		/* B0-B3 held over MOV SS / POP SS */
	int dbg_watch;			/* debugger watchpoint index + 1 the instruction hit */
	bool dbg_io;			/* the instruction touched a caught port */
	uint16_t dbg_port;
	int dbg_skip_catch;		/* vector + 1 of a caught event to deliver this once */
	/* the access vmem_read_rmw() checked, for vmem_write_rmw() (mem.c) */
	struct {
		void *host;		/* direct host pointer, or NULL: slow write */
		int seg;
		uint64_t off;
		unsigned size;
	} rmw;
	/* the translator's (cpu/bt/), which its code reaches off the pinned
	 * register that holds c */
	int32_t bt_budget;		/* instructions its blocks may still start */
	bool bt_in;			/* translated code, or a helper it called, runs */
	bool bt_stale;			/* a write dropped the block that runs */
	/* a block left where a memory group's check failed after a slow
	 * path: flags a native shift left undefined may differ from the
	 * interpreter's there (lockstep skips the block) */
	bool bt_group_left;
	/* host rdi, a redo's operand (REDO_RDI), kept here across a slow
	 * path's call of the interpreter */
	uint64_t bt_rdi;
	/* the host address of a block's invariant memory group (gen.c's
	 * struct gen inv), which its members take unchecked */
	uint64_t bt_inv;
	const void *bt_site;		/* the struct bt_site of the call-out under way */
	void *bt_cpu;			/* its struct bt_cpu, and the mode its dispatcher runs */
	uint32_t bt_mode;
	/* the translator's return-address stack (cpu/bt/gen.c, gen_ras_push):
	 * a CALL's block pushes where it returns to, the tag that entry holds
	 * for (TLB flushes, mode), and the code that goes on there; a RET
	 * whose address and tag match jumps there without a lookup */
	uint32_t bt_ras_top;
	uint64_t bt_ras_rip[ICPU_BT_RAS], bt_ras_tag[ICPU_BT_RAS];
	const void *bt_ras_code[ICPU_BT_RAS];
	/* the loop returns once insns reaches this (a switch storm); 0: never */
	uint64_t run_until;
};

/* the TLB entry for lin at the current privilege: one add where the
 * hit path would otherwise test the CPL */
static inline const struct tlb_entry *icpu_tlb_entry(const struct icpu *c, uint64_t lin)
{
	return (const struct tlb_entry *)((const char *)c->tlb.e + c->tlb_user_off) + tlb_index(lin);
}

/* -- registers -- */
static inline uint64_t reg_read(const struct icpu *c, unsigned r, unsigned size)
{
	if (r >= REG_AH && r < REG_AH + 4)
		return (c->s->gpr[r - REG_AH] >> 8) & 0xff;
	uint64_t v = c->s->gpr[r];
	switch (size) {
	case 1: return v & 0xff;
	case 2: return v & 0xffff;
	case 4: return v & 0xffffffff;
	default: return v;
	}
}

/* 8- and 16-bit writes merge; 32-bit writes zero the upper half (64-bit
 * mode semantics, harmless elsewhere since the upper half is unused) */
static inline void reg_write(struct icpu *c, unsigned r, unsigned size, uint64_t v)
{
	if (r >= REG_AH && r < REG_AH + 4) {
		uint64_t *p = &c->s->gpr[r - REG_AH];
		*p = (*p & ~0xff00ull) | ((v & 0xff) << 8);
		return;
	}
	uint64_t *p = &c->s->gpr[r];
	switch (size) {
	case 1: *p = (*p & ~0xffull) | (v & 0xff); break;
	case 2: *p = (*p & ~0xffffull) | (v & 0xffff); break;
	case 4: *p = v & 0xffffffff; break;
	default: *p = v; break;
	}
}

static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* -- addresses -- */
/* a 48-bit linear address: bits 63-47 all equal */
static inline bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;	/* no signed left shift (UB) */
}

/* the base an access through seg adds: in 64-bit mode only FS's and GS's */
static inline uint64_t seg_base_of(const struct icpu *c, int seg)
{
	return c->code_size == 64 && seg < S_FS ? 0 : c->s->seg[seg].base;
}

/* -- exceptions (cpu/interp/exception.c) -- */
/* raise vector with an error code (vectors 8, 10-14, 17 push one) */
_Noreturn void cpu_fault(struct icpu *c, int vector, uint32_t error);
_Noreturn void cpu_fault_noerr(struct icpu *c, int vector);
/* leave the instruction (or delivery) under way for the debugger: the
 * loop returns TIER_EXIT_DEBUG with what vcpu->dbg says */
_Noreturn void cpu_debug_stop(struct icpu *c);
static inline _Noreturn void cpu_ud(struct icpu *c) { cpu_fault_noerr(c, EXC_UD); }
static inline _Noreturn void cpu_gp(struct icpu *c, uint32_t err) { cpu_fault(c, EXC_GP, err); }

/* the operands that must be aligned whatever CR0.AM says (CMPXCHG16B, the
 * 16-byte SSE forms, FXSAVE's and XSAVE's images): #GP(0) unless the
 * linear address of seg:off is a multiple of align (a power of two) */
static inline void need_aligned(struct icpu *c, int seg, uint64_t off, unsigned align)
{
	if ((seg_base_of(c, seg) + off) & (align - 1))
		cpu_gp(c, 0);
}

/* -- memory (cpu/interp/mem.c) -- */
/* an operand access through segment `seg` at offset `off`: segment limit
 * and rights (or canonical form in 64-bit mode), alignment check, paging
 * with the CPL's privilege; faults #GP/#SS/#PF/#AC as the hardware does */
uint64_t vmem_read(struct icpu *c, int seg, uint64_t off, unsigned size);
void vmem_write(struct icpu *c, int seg, uint64_t off, uint64_t val, unsigned size);
/* read-modify-write: checks write access at the read, so a read-only page
 * faults with the W bit as on hardware; the write then cannot fault */
uint64_t vmem_read_rmw(struct icpu *c, int seg, uint64_t off, unsigned size);
void vmem_write_rmw(struct icpu *c, uint64_t val);
/* check an access would succeed, without doing it (for instructions that
 * must not change anything unless all of several accesses succeed) */
void vmem_probe(struct icpu *c, int seg, uint64_t off, unsigned size, enum mmu_access acc);
/* linear accesses by the CPU itself (GDT, LDT, IDT, TSS): supervisor
 * privilege whatever the CPL */
uint64_t lmem_read_sys(struct icpu *c, uint64_t lin, unsigned size);
void lmem_write_sys(struct icpu *c, uint64_t lin, uint64_t val, unsigned size);
/* instruction fetch of up to `len` bytes at CS:rip (for the decoder) */
unsigned fetch_code(struct icpu *c, uint64_t rip, uint8_t *buf, unsigned len);

/* the effective offset of the memory operand (base + index*scale + disp,
 * wrapped to the address size; RIP-relative uses next_rip) */
uint64_t insn_ea(const struct icpu *c, const struct insn *i);

/* generic operand access by the decoded operand kind: register, memory,
 * immediate */
uint64_t opnd_read(struct icpu *c, const struct insn *i, int n);
void opnd_write(struct icpu *c, const struct insn *i, int n, uint64_t v);

/* -- stack (cpu/interp/mem.c) -- */
void stack_push(struct icpu *c, uint64_t v, unsigned size);
uint64_t stack_pop(struct icpu *c, unsigned size);
/* read the value `depth` bytes above the top without popping */
uint64_t stack_peek(struct icpu *c, unsigned depth, unsigned size);

/* -- mode -- */
void icpu_mode_changed(struct icpu *c);

/* -- debugging (cpu/interp/debug.c) -- */
/* a data access of len bytes at lin reached a watched page */
void idbg_data_access(struct icpu *c, uint64_t lin, unsigned len, bool write);
/* a port access (IN, OUT, INS, OUTS) */
void idbg_io(struct icpu *c, uint16_t port, unsigned size);

#endif
