/* The interpreter tier's own parts, shared by its loop (interp.c), the
 * decode cache (dcache.c) and the tracer (trace.c). Internal to
 * cpu/interp/; the tier itself is reached through interp_tier. */
#ifndef CPU_INTERP_INTERP_H
#define CPU_INTERP_INTERP_H

#include <stdatomic.h>
#include <stdint.h>
#include "cpu/interp/icpu.h"
#include "cpu/tier.h"

extern const struct tier interp_tier;

/* -- decode cache (dcache.c) --
 * Decoded instructions per guest page and code size: a page's block holds
 * an index by offset into a pool of struct insn. A block is keyed by the
 * host address of the page (so a ROM/RAM remap can never hit a stale
 * block) or-ed with the code size / 16, and found by its guest-physical
 * page, which codepages marks so a write to it drops the block.
 * Instructions crossing a page end are decoded each time, never cached.
 * A fixed number of blocks in a set-associative table, round-robin
 * replacement within a set; a block whose pool fills up starts over. */
#define DC_SETS 128
#define DC_WAYS 4
#define DC_POOL 2048

/* a cached instruction and what the run loop may skip after it */
struct dc_insn {
	struct insn in;
	/* its handler changes nothing but general registers, memory, the
	 * arithmetic flags, DF and a near rip, and may fault: no mode, CS,
	 * CPL, TLB, IF/TF/RF, interrupt shadow or HLT change can follow */
	bool plain;
	/* RUN_* bits: what the fast loop may run without looking back */
	uint8_t run;
	/* successors within the same block (pool index + 1, 0: unknown),
	 * links the fast loop learns so it need not look rip up: the
	 * instruction right after this one, and the last other one that
	 * followed it (a branch target) with its page offset. Valid for as
	 * long as the block keeps its stamp. */
	uint16_t next, taken, taken_off;
};
/* Bits of run, for the straight runs of the fast loop (interp.c).
 * RUN_STRAIGHT, fixed when bound: plain, and leaves rip alone: no branch,
 * no string instruction (REP re-runs itself through next_rip), reads
 * neither rip nor next_rip. RUN_NEXT, learnt by the loop: straight, and
 * the next pool entry is the instruction after this one and is straight
 * too. Valid with the block's links; cleared (from any thread) when the
 * block is dropped, so a run stops right after an instruction that wrote
 * its own code page. Branches stay out of runs: measured, taking them in
 * made the boot ~10% slower (one indirect call site for every handler
 * predicts worse than two). */
#define RUN_STRAIGHT 1u
#define RUN_NEXT 2u
_Static_assert(sizeof(struct dc_insn) == 64, "a cached instruction is one cache line");

struct dc_page {
	_Atomic uint64_t key;		/* host page | code_size / 16; 0: free or dropped */
	/* new at every (re)start of the block, 0 when dropped: what the
	 * links of struct dc_insn and the loop's page memo are valid for */
	_Atomic uint64_t stamp;
	uint64_t gpa;			/* guest-physical page */
	unsigned used;			/* pool entries in use */
	uint16_t idx[4096];		/* 0: not decoded; else pool index + 1 */
	struct dc_insn pool[DC_POOL];
};

#define DC_XING 16

struct decode_cache {
	struct dc_page *cur;		/* the block the loop runs from */
	uint64_t cur_key;		/* the key cur had when chosen */
	struct dc_page *pages;		/* DC_SETS * DC_WAYS */
	uint8_t next_victim[DC_SETS];
	struct codepages *cp;
	/* page-crossing instructions decoded before, by linear address and
	 * code size, each with the bytes it was decoded from: found again
	 * only when the bytes fetched now are the same, so no write or
	 * remap of either page can leave one stale */
	struct dc_xing {
		uint64_t key;		/* lin | code size >> 4; 0: empty */
		uint8_t bytes[15];
		struct dc_insn d;
	} xing[DC_XING];
	uint64_t stamps;		/* the last stamp handed out */
	uint64_t decodes, evictions, drops, uncached, restarts;
};

struct decode_cache *dcache_new(struct codepages *cp);
void dcache_free(struct decode_cache *dc);
/* the bound instruction at CS:rip whose linear address is lin, decoded
 * now if need be; raises #PF, #GP, #UD as fetching and decoding demand */
const struct dc_insn *dcache_fetch_slow(struct icpu *c, uint64_t rip, uint64_t lin);
/* a write hit guest-physical page gpa (any thread): drop its blocks */
void dcache_drop_gpa(struct decode_cache *dc, uint64_t gpa);
void dcache_flush(struct decode_cache *dc);
/* d is one of dc->xing's, an instruction of no block */
static inline bool dcache_crossing(const struct decode_cache *dc, const struct dc_insn *d)
{
	return (uintptr_t)d - (uintptr_t)dc->xing < sizeof(dc->xing);
}
/* bind a decoded instruction: its handler, and whether it is plain and
 * straight (the translator asks the same questions of its blocks) */
void dcache_bind(struct dc_insn *d);

static inline uint64_t dcache_key(uintptr_t host_page, unsigned code_size)
{
	return (uint64_t)host_page | (code_size >> 4);
}

/* the handler for a decoded instruction: a specialised one of fast.c for
 * its operand form where there is one, else interp_bind(i->op) (bind.c) */
insn_fn *interp_bind_insn(const struct insn *i);

/* -- tracing (trace.c): -d in_asm, exec, cpu to log_file; events are
 * traced (-d int) where they are delivered, in intr.c -- */
void trace_in_asm(struct icpu *c, uint64_t lin, const struct insn *i, const uint8_t *bytes);
void trace_insn(struct icpu *c, uint64_t lin);		/* exec and cpu */
/* the instructions in bytes[0..len), the first at addr, in code of `bits`
 * (16, 32, 64), a line each after `tag` (the translator's in_asm and
 * out_asm) */
void trace_disasm(const char *tag, const uint8_t *bytes, size_t len, uint64_t addr, unsigned bits);

/* -- debugging (debug.c): what the careful step asks while c->dbg_on -- */
enum idbg_before { IDBG_RUN, IDBG_STOP, IDBG_DELIVERED };
/* recompute c->dbg_on and dbg_careful; rebuild the watched ranges and
 * breakpoint pages when DRs or the debugger's points changed */
void idbg_update(struct icpu *c);
/* the linear page of lin holds an instruction breakpoint */
bool idbg_bp_page(const struct icpu *c, uint64_t lin);
/* a debugger step with interrupts masked is under way */
bool idbg_irqs_masked(const struct icpu *c);
/* an interrupt was taken at cs:rip, stack pointer rsp (before delivery) */
void idbg_event_taken(struct icpu *c, uint16_t cs, uint64_t rip, uint64_t rsp);
/* breakpoints at the instruction about to run at linear lin: IDBG_STOP
 * (vcpu->dbg filled), IDBG_DELIVERED (the guest's #DB fault was
 * delivered), or IDBG_RUN */
enum idbg_before idbg_before_insn(struct icpu *c, uint64_t lin);
/* after an instruction: the DR6 B bits its #DB trap reports (0: none) */
unsigned idbg_trap_bits(struct icpu *c);
/* after an instruction (and its traps): stop for the debugger? (watch,
 * port, or a step done; vcpu->dbg filled) */
bool idbg_stop_after(struct icpu *c);
/* a fault was delivered: a step ends at its handler */
bool idbg_step_done(struct icpu *c);

#endif
