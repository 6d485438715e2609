/* The translator's parts, shared by its files; internal to cpu/bt/.
 *
 * The translator is the interpreter's loop (cpu/interp/engine.h) with
 * translated blocks as its fast path. A block is the guest code from one
 * rip to a control transfer, the end of its page, an instruction that is
 * not plain (the careful step runs those) or BT_MAX_INSNS instructions;
 * a block holding a loop goes on past its conditional branches and
 * direct jumps to the last branch back into it, one without a loop to
 * its first branch that does not skip forward inside it (a region: its
 * branches jump inside it or leave from its middle).
 * It is keyed by the host address of its first byte (so a remap of ROM
 * or RAM never finds a stale block), its rip and the mode bits that
 * change decoding or semantics (struct bt_mode).
 *
 * Generated code runs between bt_enter and the exit trampoline with
 *   r15 = struct icpu *c, r14 = struct cpu_state *c->s (guest registers
 *   at [r14 + 8 * n]; a block keeps up to six in rbx, rbp, r12, r13,
 *   r10, r8 between its start and its exits), r11 = the host address
 *   its current memory group's accesses are relative to, r9d = the
 *   budget (c->bt_budget, stored there around helpers' calls and exits),
 * and an aligned stack, so it calls C helpers directly. Each block starts
 * by charging its instruction count to the budget and leaves when that
 * goes negative; a branch back inside it charges the next round there
 * and goes round without leaving. Direct exits are jmp rel32 to a stub
 * that returns to the
 * dispatcher, which patches the jmp to the next block (chaining) when
 * both lie on the same linear page (the same mapping); an exit to another
 * page goes on from its stub to the block bt_h_next chained there while
 * that page still maps where it did. Instructions the
 * translator does not write natively call the interpreter's semantic
 * function through bt_h_insn, with a struct bt_site that also says where
 * a fault is (precise exceptions: rip, and how many of the block's
 * charged instructions did not run). */
#ifndef CPU_BT_BT_H
#define CPU_BT_BT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/decode.h"
#include "cpu/interp/engine.h"
#include "cpu/interp/icpu.h"

/* 128: the kernel decompressor's x86 filter loop is 71 instructions, and
 * at 64 its common path (not a CALL's opcode) left the block for another
 * every byte; 256 gained nothing more and translates slower */
#define BT_MAX_INSNS 128
/* room one block's code may need at most; the cache flushes below it */
#define BT_BLOCK_ROOM (64 * 1024)
/* the most predicted addends a block takes: one an instruction, twice
 * over for a peeled loop's second copy */
#define BT_BLOCK_SLOTS (2 * BT_MAX_INSNS)
#define BT_VISITS_BITS 18
/* the jump cache's entries, by guest rip: 2^14 missed half a million
 * times in a boot and fork/exec loop (the kernel's paths through fork,
 * exec and exit are more blocks than that), 2^16 half as often */
#define BT_JC_BITS 16

enum bt_exit_reason {
	BT_EXIT_CHAIN = 1,	/* a direct exit: arg is its struct bt_exit */
	BT_EXIT_LOOKUP,		/* an indirect one: c->s->rip says where */
	BT_EXIT_BUDGET,		/* the budget ran out before a block */
	BT_EXIT_BREAK,		/* the careful step runs the instruction at rip */
};

/* what bt_enter returns, in rax:rdx */
struct bt_ret {
	uint64_t reason;
	uint64_t arg;
};

struct bt_block;

/* a patchable exit: its jmp goes to its stub until chained. An exit to
 * another page keeps its jmp on the stub, which goes on to the chained
 * block if the target's page still maps to where that block's first
 * byte is: the stub's code holds both (gen_far_exit) */
struct bt_exit {
	struct bt_block *from;
	uint8_t *jmp_rel32;		/* executable address of the jmp's rel32 */
	uint8_t *stub;			/* executable address of the stub */
	struct bt_block *to;		/* chained to, or NULL */
	struct bt_exit *next_in;	/* to's incoming list */
	/* an exit to another page: its stub's host address to compare
	 * (8-aligned imm64, 0 while not chained) and the rel32 of its jmp
	 * to the chained block (executable addresses), else NULL */
	uint8_t *far_imm, *far_rel32;
};

struct bt_block {
	uint64_t rip;
	uintptr_t host;			/* host address of the first byte */
	uint64_t gpa_page;		/* guest-physical page it came from */
	uint32_t mode;			/* bt_mode bits */
	uint16_t ninsns;		/* 0: a break block, the careful step's */
	uint16_t lo, hi;		/* its bytes: [lo, hi) of its page */
	bool valid;			/* false once its bytes were written */
	const uint8_t *code;		/* executable entry */
	struct bt_exit *exit;		/* its direct exits, nexits of them */
	uint16_t nexits;
	struct bt_exit *incoming;	/* exits chained to this block */
	struct bt_block *hnext;		/* hash chain */
	struct bt_block *pnext;		/* blocks of the same guest page */
};

/* one call-out: what a helper needs, and where a fault in it is */
struct bt_site {
	struct insn in;			/* bound: in.fn is the interpreter's */
	uint64_t rip, next_rip;
	uint64_t gpa_page;		/* the block's page */
	uint32_t refund;		/* charged instructions not run if it faults */
};

/* mode bits a block was translated for */
#define BT_MODE_CS64 (1u << 0)		/* 64-bit code, else 32-bit */
#define BT_MODE_USER (1u << 1)		/* CPL 3 */
#define BT_MODE_SS32 (1u << 2)		/* 32-bit stack (not 64-bit code) */
#define BT_MODE_FLAT (1u << 3)		/* DS, ES, SS flat 4G data (32-bit code) */
#define BT_MODE_CPL(c) ((uint32_t)(c) << 4)
#define BT_MODE_SSE (1u << 6)		/* SSE runs: CR4.OSFXSR, neither CR0.EM nor TS */

/* the per-VM part: the code cache, the block table, the arena */
struct bt_vm {
	struct codepages *cp;
	/* the code cache: one memfd mapped twice, writable and executable */
	uint8_t *rw, *rx;
	size_t size, used;
	pthread_t prefaulter;		/* faulting its pages in (cache.c) */
	bool prefaulting;
	/* the predicted TLB addends of the blocks' memory accesses (8 bytes
	 * each, gen.c's tlb_hit), filled down from the cache's end to here:
	 * no code shares their lines, whose writes would look to the host
	 * CPU like code modifying itself */
	size_t slots;
	/* blocks, exits and sites, reset with the cache */
	uint8_t *arena;
	size_t arena_size, arena_used;
	struct bt_block **hash;		/* by host address, rip and mode */
	unsigned hash_mask;
	struct bt_block **pages;	/* by guest page: lists through pnext */
	unsigned pages_mask;
	/* code at the cache's start, emitted again after each flush */
	struct bt_ret (*enter)(struct icpu *c, struct cpu_state *s, const void *code);
	const uint8_t *exit_tramp;
	uint64_t generation;		/* flushes: jump caches hold blocks of one */
	/* a flush asked for outside the vCPUs' turn (a tier switch): the
	 * next dispatcher does it */
	_Atomic bool flush_pending;
	struct bt_cpu *cpus[64];
	bool lockstep;
	uint64_t lockstep_from;
	bool inject;			/* -accel bt,lockstep-inject: ADD adds one too many */
	FILE *perfmap;			/* -perfmap: a line per block for perf, or NULL */
	/* how often each guest page's blocks were dropped by writes (a hash
	 * of page numbers, collisions shared): code written this often is
	 * the interpreter's to run (VMware's adaptive translation), on that
	 * page only: the blocks go on where it leaves (engine_interp_page) */
	uint8_t page_writes[4096];
	uint16_t page_interp_runs[4096];	/* since it went to the interpreter */
	/* writes that missed the page's blocks since one dropped some:
	 * each took the slow path, which pages of data beside code should
	 * not go on paying */
	uint8_t page_misses[4096];
	uint64_t page_writes_total;
	/* the interpreter's runs of code not translated yet, by a hash of
	 * its host address and mode: translated once they reach hot */
	uint8_t visits[1u << BT_VISITS_BITS];
	unsigned hot;
	int ncpus;
	/* statistics */
	uint64_t blocks, insns_translated, code_bytes, flushes, invalidated, chains, unchains;
	uint64_t ns_translate;
};

/* A jump cache entry holds what a hit compares and where it goes, so
 * the inline lookup (gen.c's next_inline) reads one line: a pointer to
 * the block was a second cache miss at most returns and indirect calls.
 * A dropped block's entry is cleared (bt_invalidate). */
struct bt_jc {
	uint64_t rip;
	uint64_t key;			/* bt_jc_key: the host address and mode */
	const uint8_t *code;
	struct bt_block *block;
};

static inline uint64_t bt_jc_key(uintptr_t host, uint32_t mode)
{
	/* user-space host addresses leave the top 16 bits clear */
	return (uint64_t)host | (uint64_t)mode << 48;
}

static inline unsigned bt_jc_index(uint64_t rip)
{
	return (unsigned)(rip ^ (rip >> BT_JC_BITS)) & ((1u << BT_JC_BITS) - 1);
}

struct bt_cpu {
	struct bt_vm *vm;
	struct icpu *c;
	uint64_t generation;		/* of the jump cache */
	int32_t budget0;		/* c->bt_budget when the dispatcher began */
	struct bt_jc jc[1u << BT_JC_BITS];
	uint64_t runs, lookups, jc_misses, breaks, interp_runs, smc_interp, cold_runs, group_exits;
	uint64_t budget_tails;		/* budgets too short for the next block */
	struct bt_lockstep *ls;		/* -accel bt,lockstep=N, or NULL */
};

/* -- the code cache (cache.c) -- */
int bt_cache_init(struct bt_vm *bv, size_t size);
void bt_cache_destroy(struct bt_vm *bv);
/* drop every block: the cache, the arena, the tables (never while
 * translated code runs: the dispatcher calls it) */
void bt_cache_flush(struct bt_vm *bv);
/* room for one more block (flushing first when not) */
bool bt_cache_room(struct bt_vm *bv);
void *bt_arena_alloc(struct bt_vm *bv, size_t size);

/* -- the block table (blocks.c) -- */
struct bt_block *bt_find(struct bt_vm *bv, uintptr_t host, uint64_t rip, uint32_t mode);
void bt_insert(struct bt_vm *bv, struct bt_block *b);
/* chain ex to b: patch its jmp, or for an exit to another page give its
 * stub b to go on to (the stub checks that page's mapping first) */
void bt_chain(struct bt_vm *bv, struct bt_exit *ex, struct bt_block *b);
/* a write of len bytes at gpa (on one page) hit translated code: drop
 * the blocks whose bytes it overlaps (and their jump cache entries);
 * *kept set when blocks of that page stay. Returns how many it dropped. */
unsigned bt_invalidate(struct bt_vm *bv, uint64_t gpa, uint64_t len, bool *kept);

/* -- translation (translate.c) -- */
/* a block for the code at rip (host: its first byte's host address,
 * gpa: its guest-physical address), or NULL when the cache is full */
struct bt_block *bt_translate(struct bt_vm *bv, struct icpu *c, uint64_t rip, uintptr_t host,
			      uint64_t gpa, uint32_t mode);

/* -- the lockstep check against the interpreter (lockstep.c) -- */
struct bt_lockstep *bt_lockstep_new(struct icpu *c, uint64_t from);
void bt_lockstep_free(struct bt_lockstep *ls);
/* run blk, and (from the instruction count asked on) again in the
 * interpreter, comparing; a mismatch stops the VM with exit status 3 */
struct bt_ret bt_lockstep_block(struct bt_lockstep *ls, struct bt_vm *bv, struct icpu *c,
				const struct bt_block *blk);
/* a fault left the block run: no comparison */
void bt_lockstep_abort(struct bt_lockstep *ls, struct icpu *c);

/* -- helpers generated code calls (helpers.c) -- */
/* run site's instruction with the interpreter's function; returns
 * nonzero when the block must end after it (its page was written) */
uint64_t bt_h_insn(struct icpu *c, const struct bt_site *st);
/* condition cc (0-15) of the guest's flags */
uint64_t bt_h_cond(struct icpu *c, uint64_t cc);
/* the code of the block at c->s->rip if the dispatcher has it at hand
 * (no translation: the cache must not change under the caller), else
 * NULL: leave for the dispatcher. far: the exit to another page that
 * asks, which is chained to that block, or NULL (RET, indirect) */
const void *bt_h_next(struct icpu *c, struct bt_exit *far);
/* the guest's arithmetic flags for host EFLAGS: in AH as SAHF takes
 * them, OF as AL (ADD AL, 0x7F sets OF from it) */
uint64_t bt_h_flags(struct icpu *c);

#endif
