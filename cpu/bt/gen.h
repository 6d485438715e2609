/* One block's code generation, shared by translate.c (the block: its
 * prologue, exits and stubs) and gen.c (instructions written natively,
 * and where the guest's arithmetic flags are). Internal to cpu/bt/. */
#ifndef CPU_BT_GEN_H
#define CPU_BT_GEN_H

#include "cpu/bt/bt.h"
#include "cpu/bt/emit.h"
#include "cpu/interp/interp.h"

/* the decoded block */
struct tb {
	struct dc_insn d[BT_MAX_INSNS];
	uint64_t rip[BT_MAX_INSNS + 1];	/* rip[n]: where the block falls through to */
	unsigned n;
	bool ends_in_branch;		/* d[n-1] transfers control */
	/* d[n-1] reaches into the next page by cross_len (0: it does not)
	 * bytes, which were cross_bytes when translated: the block checks
	 * them before running it */
	unsigned cross_len;
	uint8_t cross_bytes[15];
	/* a block holding a loop goes on past its conditional branches to
	 * the last branch back into it (a region): target[k] is the index
	 * of the instruction a JCC or JMP at k goes to inside the block, or
	 * -1; labels has bit j for each such target */
	int16_t target[BT_MAX_INSNS];
	uint64_t labels[BT_MAX_INSNS / 64];
	bool back;			/* some branch goes back (a loop) */
};

/* The last instruction that set all six flags natively, when running it
 * again would set the same ones: CMP or TEST (operands unchanged), ADD or
 * SUB (its source unchanged: the destination undone first), AND, OR or
 * XOR (TEST of the result), with registers, an immediate or (kept in
 * rdi, below) a memory operand; a shift by an immediate, of its operand
 * as it was (in rdi; op SHL, SHR or SAR, imm the count). A memory
 * access after it needs the flags only for a fault, on its slow path:
 * instead of spilling them before the TLB check clobbers host EFLAGS,
 * the slow path (or whatever reads them first) runs this again. */
struct redo {
	bool valid;			/* its registers hold what they did after it */
	uint8_t op, size, dst, src;	/* src 0xff: imm */
	int32_t imm;
	uint16_t regs;			/* dst and src */
};

/* A redo's operand may also be host rdi (dst or src REDO_RDI), which
 * holds what no guest register does any more: the memory operand of a
 * CMP, TEST, ADD or SUB (loaded there for it), or a register's value
 * from before an instruction that overwrote it. rdi is free in blocks
 * but for PUSH's and POP's new rsp (stack_begin) and calls, which end
 * such a redo; a slow path keeps it in icpu.bt_rdi across its call. */
#define REDO_RDI 0xfe

static inline bool redo_in_rdi(const struct redo *r)
{
	return r->valid && (r->dst == REDO_RDI || r->src == REDO_RDI);
}

/* bit k of a mask of the block's instructions */
static inline bool bit_at(const uint64_t *m, unsigned k)
{
	return m[k / 64] >> (k % 64) & 1;
}

static inline void bit_set(uint64_t *m, unsigned k)
{
	m[k / 64] |= 1ull << (k % 64);
}

enum stub_kind {
	ST_EXIT,	/* a direct exit to rip */
	ST_LOOKUP,	/* leave, rip set: the dispatcher looks it up */
	ST_BUDGET,	/* the budget is spent: leave at rip */
	ST_BREAK,	/* the careful step runs the instruction at rip */
};

struct stub {
	uint8_t *rel32;			/* writable address of the jump to the stub */
	enum stub_kind kind;
	uint32_t refund;		/* charged instructions not run */
	int exit;			/* ST_EXIT: which of b->exit */
	uint64_t rip;			/* ST_EXIT, ST_BUDGET, ST_BREAK: rip to leave at */
	uint16_t store;			/* cached registers to store first */
	bool redo;			/* the flags are rd's FLAGS_REDO: spill first */
	struct redo rd;
};

/* where the guest's six arithmetic flags are between instructions */
enum flags_at {
	FLAGS_MEM,	/* the interpreter's lazy state (flags.h): helpers see them */
	FLAGS_HOST,	/* host EFLAGS, as the last native instruction left them */
	FLAGS_IMAGE,	/* FLAGS_MEM as this block spilled them (LF_HOST): host
			 * EFLAGS come back from it inline */
	FLAGS_REDO,	/* neither: struct redo's instruction, run again on the
			 * registers that still hold its operands, sets them */
};

struct gen {
	struct bt_vm *bv;
	struct emit e;
	struct bt_block *b;
	const struct tb *t;
	uint32_t mode;
	int code_size;
	unsigned cpl;
	unsigned k;			/* the instruction being emitted */
	unsigned nexits, max_exits;
	enum flags_at flags;
	struct redo redo;
	/* the instruction at k sets the flags and left no redo of its
	 * own: gen_redo_after drops the one from before it */
	bool redo_drop;
	/* arithmetic flags (FL_ARITH bits) read before written after
	 * instruction k: live[k] */
	uint16_t live[BT_MAX_INSNS + 1];
	/* the same, without the readers a fault would make: the flags a
	 * later instruction or the code after the block reads for sure.
	 * Undefined flags (a native shift's, IMUL's) may differ from the
	 * interpreter's where only a fault's handler could see them, or
	 * the code after a block that left where a memory group's check
	 * failed after a slow path (icpu.bt_group_left). */
	uint16_t seen[BT_MAX_INSNS + 1];
	unsigned nstubs, nslow, nfix;
	/* the predicted addends' slots (tlb_hit): bv->rw offsets, taken
	 * downwards from slot_next to no lower than slot_min; a new one
	 * guesses addend0, the block's own code page's */
	size_t slot_next, slot_min;
	uint64_t addend0;
	/* guest registers held in host registers through the block (the
	 * host's callee-saved rbx, rbp, r12, r13, which helpers keep, and
	 * r10, r8):
	 * host_of[r] for guest register r in `cached`; `dirty` the ones
	 * whose host copy is newer than struct cpu_state's */
	uint8_t host_of[16];
	uint16_t cached, dirty;
	uint16_t in_volatile;		/* those in caller-saved r10, r8 */
	bool loop;			/* a branch goes back into the block */
	/* the guest xmm register whose value host xmm0 and xmm1 still hold
	 * after an SSE instruction stored it (-1: none): the next one in
	 * straight-line code takes it from there, not from memory, which
	 * stays written through (gen_sse; emit_insns forgets them where
	 * code joins, at anything not SSE, after a slow path or a call) */
	int8_t xmm_has[2];
	bool dead;			/* after a JMP: nothing falls through */
	/* a loop at the block's end, entered only at its head, whose
	 * branch back (the block's last instruction) leaves FLAGS_REDO:
	 * its rounds after the first run a second copy of it (copy2),
	 * which begins with those flags unspilled */
	bool peel, copy2;
	unsigned peel_from;		/* the loop's head */
	const uint8_t *peel_head;
	uint8_t *peel_jmp;
	struct redo peel_redo;
	/* the instructions emit_insns emits: [ins_from, ins_to) */
	unsigned ins_from, ins_to;
	/* loops inside the block peeled the same way (mid_peelable): the
	 * first copy's branch back jumps to the second (jmp), emitted after
	 * the body from head to end, whose way out goes back to the first
	 * copy's (after, where the registers in after_dirty may be dirty) */
	struct mid_peel {
		unsigned head, end;
		struct redo rd;
		uint16_t dirty_in, after_dirty;
		uint8_t *jmp;
		const uint8_t *head2, *after;
	} mids[8];
	unsigned nmids;
	int mid_cur;			/* the one whose second copy is emitted, or -1 */
	unsigned nedges;
	uint64_t edge_in[BT_MAX_INSNS / 64];	/* labels a forward branch goes to */
	/* memory operands off the same registers (a struct's fields, a
	 * stack frame, pushes and pops), moved only by constants between
	 * them, whose addresses span less than a page: the first
	 * checks the TLB once for all of them and leaves the host address
	 * of its register part + lo in r11; the others take their host
	 * addresses from r11 unchecked and cannot fault. Where that check
	 * misses, the first's slow path runs it in the interpreter; any
	 * slow path with members after it checks the group again for them
	 * or leaves the block (a straddle); helpers' calls keep r11 */
	struct mem_group {
		bool live;
		uint8_t seg, base, index, scale, asize;
		bool write;		/* checked for writing: members may write */
		/* addresses covered, [lo, hi), relative to the registers as
		 * they were before the first member */
		int64_t lo, hi;
		unsigned end;		/* the last instruction that may be a member */
		int64_t shift;		/* what the base register moved by since */
	} grp;
	/* A memory group of a block with a loop whose registers nothing in
	 * the block writes after its first access: one check serves its
	 * accesses on every way round the loop, across the labels that end
	 * a group in r11. Its
	 * host address (of lo) lives in icpu.bt_inv, so groups in r11 go on
	 * beside it. It holds from instruction inv_at on every way there
	 * (inv_on: on the way being emitted): inv_at is its first access
	 * when nothing before it can branch past it, which checks for all
	 * (its slow path checks again, or the block leaves), else the
	 * block's first branch, which checks before it and leaves for
	 * rip[inv_at] on a miss (inv_probe). Nothing a block runs flushes
	 * the TLB (what may, ends a block) or remaps RAM, so the address
	 * holds to the block's exits, helpers' calls and slow paths
	 * included; the next run of the block checks again. */
	struct mem_group inv;
	unsigned inv_at;
	bool inv_probe, inv_on;
	/* the tables last: bt_translate clears what is above them */
	struct stub stubs[6 * BT_MAX_INSNS + 8];
	/* a region's labels (tb.labels): where each begins (executable),
	 * where the flags are there, and the cached registers that may be
	 * dirty there (the jumps to it add theirs) */
	const uint8_t *label_at[BT_MAX_INSNS];
	enum flags_at label_flags[BT_MAX_INSNS];
	uint16_t label_dirty[BT_MAX_INSNS];
	/* a region's branches and jumps forward inside it (to) or out of it
	 * (side, to rip), taken out of line: the flags and dirty registers
	 * as they were at the branch */
	struct edge {
		uint8_t *rel32;
		unsigned k, to;
		bool side;
		uint64_t rip;
		enum flags_at flags;
		struct redo rd;		/* FLAGS_REDO's */
		uint16_t dirty;
	} edges[2 * BT_MAX_INSNS];
	/* the slow paths of native memory instructions, emitted after the
	 * body so the hot path runs straight */
	struct slow_path {
		uint8_t *from[2];	/* rel32s of the jumps to it (NULL: none) */
		const uint8_t *back;	/* executable address to return to */
		unsigned k;
		bool flags_out;		/* the flags come back to host EFLAGS */
		bool redo;		/* the flags were FLAGS_REDO of rd */
		struct redo rd;
		/* the memory group after it, live if members follow: the
		 * slow path checks it again for them (r11) */
		struct mem_group grp;
		/* the instruction leaves a redo operand in rdi (REDO_RDI):
		 * after the interpreter ran it, rdi comes from its lazy
		 * flags' field at this offset in struct icpu (0: none) */
		int32_t rdi_from;
		/* the guest xmm registers host xmm0 and xmm1 hold after
		 * it (xmm_has): loaded again after the call */
		int8_t xmm_has[2];
		bool inv;		/* it checked the invariant group: again */
	} slow[2 * BT_MAX_INSNS];
	/* an access whose TLB addend was not the one its slot predicted:
	 * out of line, the slot learns the addend and the access goes on */
	struct pred_fix {
		uint8_t *rel32;		/* the jump here */
		const uint8_t *back;	/* executable: the add of the addend */
		int32_t addend;		/* the entry's addend at r15 + rax + this */
		uint8_t *slot;		/* writable */
	} fix[BT_BLOCK_SLOTS];
};

/* the budget (struct icpu's bt_budget) lives in a host register while
 * translated code runs: a count kept in memory made each block's charge
 * a load and a store that the next block's charge waited on */
#define H_BUDGET H_R9
#define OFF_BUDGET ((int32_t)offsetof(struct icpu, bt_budget))
/* call a C helper: the budget in struct icpu for it (and for a fault's
 * unwinding) and back from there after it */
void gen_call(struct gen *g, const void *fn);

/* a jump (its rel32 field) to a stub emitted after the body (NULL: no
 * room, which cannot happen) */
struct stub *gen_stub(struct gen *g, uint8_t *rel32, enum stub_kind kind, uint32_t refund,
		      int exit, uint64_t rip);
/* the site of instruction k, for a helper (NULL when the arena is full) */
struct bt_site *gen_site(struct gen *g, unsigned k);

/* gen.c */
/* flag liveness over the block, before emitting */
void gen_liveness(struct gen *g);
/* choose the guest registers the block keeps in host registers, and
 * load them (after the budget check) */
void gen_regs_begin(struct gen *g);
/* the slow paths, out of line: after the body, before the stubs */
void gen_slow_paths(struct gen *g);
/* store the cached registers written since the last store: before
 * anything that leaves the block or reads struct cpu_state */
void gen_regs_flush(struct gen *g);
/* load them all again: after a helper, which may have written any */
void gen_regs_reload(struct gen *g);
/* a call from the hot path clobbered r11: the memory group ends */
void gen_group_end(struct gen *g);
/* after instruction g->k, native: the group follows its base register */
void gen_group_next(struct gen *g);
/* choose the block's invariant group (struct gen's inv), before emitting */
void gen_inv_choose(struct gen *g);
/* does it hold at the start of a loop's second copy of [from, to)? */
bool gen_inv_from(const struct gen *g, unsigned from, unsigned to);
/* at instruction g->k (inv_at, inv_probe), before its code: check the
 * invariant group; returns the rel32 of the jump taken on a miss, which
 * the caller makes an exit to rip[k] (the flags are out of host EFLAGS) */
uint8_t *gen_inv_probe(struct gen *g);

/* instruction g->k natively: false when gen.c does not know it */
bool gen_native(struct gen *g);
/* before the last instruction, which reaches into the next page: leave
 * for the careful step unless that page is mapped for fetching and holds
 * the bytes it was translated from */
void gen_check_next_page(struct gen *g);
/* put host-held flags where helpers and the next block look (the
 * interpreter's lazy state) if anything may still read them */
void gen_flags_to_mem(struct gen *g);
/* put them where code expecting them at want finds them (FLAGS_MEM:
 * spilled if in host EFLAGS) */
void gen_flags_to(struct gen *g, enum flags_at want);
/* CALL rel (its return address pushed natively; false: not here) and
 * RET (the return address popped into c->s->rip) */
bool gen_call_push(struct gen *g);
bool gen_ret(struct gen *g);
/* leave for the block at c->s->rip: found by bt_h_next without leaving
 * translated code, else through the dispatcher */
void gen_next(struct gen *g, struct bt_exit *far);
/* the stub of a direct exit to rip on another page: on to the block
 * chained there while that page maps as it did, else gen_next */
void gen_far_exit(struct gen *g, struct bt_exit *ex, uint64_t rip);
/* the return-address stack (gen.c). gen_ras_push, at a CALL's block's
 * end, pushes ret_rip and returns a lea's rel32 the caller binds to the
 * return entry (its direct exit to ret_rip); gen_ras_pop, at a RET's,
 * after c->s->rip is set: jumps to the entry on a match, else pops and
 * falls through (to gen_next) */
uint8_t *gen_ras_push(struct gen *g, uint64_t ret_rip);
void gen_ras_pop(struct gen *g);
/* c->s->rip = rip (clobbers rax) */
void gen_store_rip(struct emit *e, uint64_t rip);

/* before instruction g->k: a FLAGS_REDO it reads, or whose registers
 * it writes, comes back into host EFLAGS first. An instruction that sets
 * all six flags keeps the redo through itself (its access's slow path
 * sets the flags before it from it) and gen_redo_after drops it, unless
 * the instruction left one of its own */
void gen_redo_before(struct gen *g);
void gen_redo_after(struct gen *g);

/* a jcc on guest condition cc: emits what makes host condition code
 * *host_cc true exactly when cc holds (the flags themselves or a helper's
 * answer), and returns that host code */
unsigned gen_cond(struct gen *g, unsigned cc);

#endif
