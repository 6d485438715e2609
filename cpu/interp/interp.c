/* The interpreter tier: its run loop (fetch from the decode cache, call
 * the semantic function, commit), interrupt acceptance, single-step, and
 * the tier contract around it. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/interp.h"
#include "cpu/interp/engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cpu/interp/flags.h"
#include "cpu/interp/ops.h"
#include "cpu/interp/system.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)

/* RFLAGS bits whose change sends the loop through its slow step */
#define FL_WATCH (FL_IF | FL_TF | FL_RF)
#define DR6_BS (1u << 14)

struct interp_cpu {
	struct icpu c;
	struct vcpu *v;
	enum tier_id tid;		/* the tier this loop serves */
	const struct fast_path *fp;	/* another tier's fast path, or NULL */
	void *fast;			/* its per-vCPU state */
	int index;			/* v->index, for messages after v is gone */
	_Atomic int attention;		/* kick: look at events and stop requests */
	uint64_t ns_run;		/* host time spent in run() */
	uint64_t insns_run;		/* of it, instructions retired */
	uint64_t slice_start;		/* c.insns when this turn began */
	bool yield;			/* PAUSE with another vCPU waiting: end the turn */
	uint64_t pm_gen;		/* physmap generation the TLB and decode cache follow */
	/* While debugging, the careful step is the loop, and it asks for
	 * interrupts (which takes the board lock) as the fast loop would:
	 * after a kick, when IF rose or a shadow ended, at least every
	 * EVENT_POLL_INSNS instructions */
	bool events_due;
	uint64_t events_at;		/* c.insns at the last look */
};

/* One vCPU at a time runs in the interpreter, each for a slice of
 * instructions, handed over in FIFO order: the interpreter's memory
 * accesses are not atomic across host threads (a guest's LOCK CMPXCHG
 * must be), and the code-page tracker edits every vCPU's TLB. So vCPU
 * threads take turns, as if on one host core. The software tiers of a
 * VM share one (a vCPU in the translator and one in the interpreter
 * touch the same guest memory and code pages). */
struct exec_turn {
	pthread_mutex_t m;
	pthread_cond_t cv;
	uint64_t next_ticket, serving;
	_Atomic int waiting;
};

/* What the software tiers of a VM share: the turn, and the tracker of
 * pages holding code, so a write by a vCPU in either tier drops what
 * both derived from the page. Set up before the vCPUs run. */
struct soft_shared {
	struct exec_turn turn;
	struct codepages cp;
	struct interp_vm *engine[TIER_COUNT];
	int users;
};

#define SLICE_INSNS (4 * EVENT_POLL_INSNS)

struct interp_vm {
	struct vm *vm;
	enum tier_id tid;
	const struct fast_path *fp;
	void *fast_vm;			/* fp's per-VM state */
	struct soft_shared *sh;
	struct exec_turn *turn;		/* &sh->turn */
	/* kept from attach until the VM goes: every TLB stays registered
	 * with cp, which has no way to forget one */
	struct interp_cpu *cpu[VM_MAX_CPUS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* -- faults and mode: the entry points of icpu.h the loop owns -- */

static bool vector_has_error(int vector)
{
	return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC;
}

_Noreturn void cpu_fault(struct icpu *c, int vector, uint32_t error)
{
	c->fault_vector = vector;
	c->fault_has_error = vector_has_error(vector);
	c->fault_error = error;
	if (!c->fault_jmp) {
		log_error("interp: fault %d outside the run loop", vector);
		abort();
	}
	longjmp(*c->fault_jmp, 1);
}

_Noreturn void cpu_fault_noerr(struct icpu *c, int vector)
{
	c->fault_vector = vector;
	c->fault_has_error = false;
	c->fault_error = 0;
	if (!c->fault_jmp) {
		log_error("interp: fault %d outside the run loop", vector);
		abort();
	}
	longjmp(*c->fault_jmp, 1);
}

/* cpu_fault's vector for a stop for the debugger */
#define FAULT_DEBUG_STOP (-1)

_Noreturn void cpu_debug_stop(struct icpu *c)
{
	c->fault_vector = FAULT_DEBUG_STOP;
	if (!c->fault_jmp) {
		log_error("interp: debugger stop outside the run loop");
		abort();
	}
	longjmp(*c->fault_jmp, 1);
}

/* engine_reexec's vector: the careful step runs the instruction */
#define FAULT_REEXEC (-2)

_Noreturn void engine_reexec(struct icpu *c)
{
	c->fault_vector = FAULT_REEXEC;
	longjmp(*c->fault_jmp, 1);
}

/* CPL is SS.DPL in protected mode (as VMX defines it): right from the
 * moment CR0.PE is set, before any far jump, and for conforming code */
void icpu_mode_changed(struct icpu *c)
{
	const struct cpu_state *s = c->s;
	bool pe = (s->cr0 & CR0_PE) != 0;
	c->v86 = pe && (s->rflags & FL_VM);
	c->long_mode = (s->efer & EFER_LMA) != 0;
	c->paging = (s->cr0 & CR0_PG) != 0;
	c->cpl = !pe ? 0 : c->v86 ? 3 : (uint8_t)SEG_ATTR_DPL(s->seg[S_SS].attr);
	c->tlb_user_off = c->cpl == 3 ? (uint32_t)sizeof(c->tlb.e[0]) : 0;
	if (c->long_mode && (s->seg[S_CS].attr & SEG_ATTR_L))
		c->code_size = 64;
	else
		c->code_size = (s->seg[S_CS].attr & SEG_ATTR_DB) && pe && !c->v86 ? 32 : 16;
	if (c->code_size == 64)
		c->stack_size = 8;
	else
		c->stack_size = (s->seg[S_SS].attr & SEG_ATTR_DB) && pe && !c->v86 ? 4 : 2;

	/* what decides translation changed: flush as the hardware would */
	const uint64_t cr0_bits = CR0_PG | CR0_WP | CR0_PE;
	const uint64_t cr4_bits = CR4_PSE | CR4_PAE | CR4_PGE;
	struct mmu_regs *m = &c->mr;
	if (((m->cr0 ^ s->cr0) & cr0_bits) || ((m->cr4 ^ s->cr4) & cr4_bits) ||
	    ((m->efer ^ s->efer) & (EFER_NXE | EFER_LMA)))
		tlb_flush_all(&c->tlb);
	else if (m->cr3 != s->cr3)
		tlb_flush_nonglobal(&c->tlb);
	m->cr0 = s->cr0;
	m->cr3 = s->cr3;
	m->cr4 = s->cr4;
	m->efer = s->efer;
}

/* -- the loop -- */

static inline uint64_t code_linear(const struct icpu *c, uint64_t rip)
{
	if (c->code_size == 64)
		return rip;
	return (c->s->seg[S_CS].base + rip) & 0xffffffffull;
}

/* the decoded instruction at CS:rip: the hit path is a TLB compare, a key
 * compare and an index load */
static inline __attribute__((always_inline)) const struct dc_insn *fetch_insn(struct icpu *c, uint64_t *linp)
{
	struct cpu_state *s = c->s;
	struct decode_cache *dc = c->dc;
	uint64_t lin = code_linear(c, s->rip);
	uint64_t page = lin & ~0xfffull;
	const struct tlb_entry *e = icpu_tlb_entry(c, lin);
	const struct dc_insn *d = NULL;
	*linp = lin;
	if (likely(e->tag[MMU_FETCH] == page)) {
		uint64_t key = dcache_key((uintptr_t)(page + e->addend), c->code_size);
		if (likely(key == dc->cur_key) &&
		    likely(atomic_load_explicit(&dc->cur->key, memory_order_relaxed) == key)) {
			unsigned n = dc->cur->idx[lin & 0xfff];
			if (likely(n))
				d = &dc->cur->pool[n - 1];
		}
	}
	if (unlikely(!d))
		d = dcache_fetch_slow(c, s->rip, lin);
	if (c->code_size != 64 && unlikely(s->rip + d->in.len - 1 > s->seg[S_CS].limit))
		cpu_gp(c, 0);
	return d;
}

static inline uint64_t rip_mask(const struct icpu *c)
{
	return c->code_size == 64 ? ~0ull : (1ull << c->code_size) - 1;
}

/* one instruction: fetch, execute, commit */
static inline __attribute__((always_inline)) const struct insn *exec_one(struct icpu *c)
{
	uint64_t lin;
	const struct insn *i = &fetch_insn(c, &lin)->in;
	struct cpu_state *s = c->s;
	c->cur = i;
	c->next_rip = (s->rip + i->len) & rip_mask(c);
	i->fn(c, i);
	s->rip = c->next_rip;
	c->insns++;
	return i;
}

/* The fast loop's memory of the code page it runs in: the block and
 * the rip of the page's first byte, so the next instruction is an index
 * (or a link) away. Valid while the block keeps its stamp (a write to
 * the page, an eviction or a restart changes it) and only plain
 * instructions ran since it was taken: anything else may have moved CS,
 * CPL, the mode or the TLB. */
struct page_memo {
	struct dc_page *blk;
	uint64_t stamp;			/* ~0: no memo (no block has that stamp) */
	uint64_t rip_base;
	bool in_limit;			/* every instruction starting here ends within CS */
};

static inline void memo_forget(struct page_memo *m, struct decode_cache *dc)
{
	m->blk = dc->pages;
	m->stamp = ~0ull;
	m->rip_base = 0;
	m->in_limit = false;
}

static inline bool memo_valid(const struct page_memo *m)
{
	return atomic_load_explicit(&m->blk->stamp, memory_order_relaxed) == m->stamp;
}

/* the full fetch, and a new memo from where it found the instruction;
 * NULL on a page with a breakpoint, which the fast loop leaves to the
 * careful step */
static struct dc_insn *fetch_and_memo(struct icpu *c, struct page_memo *m)
{
	struct decode_cache *dc = c->dc;
	uint64_t lin;
	struct dc_insn *d = (struct dc_insn *)fetch_insn(c, &lin);
	uint64_t stamp = dc->cur ? atomic_load_explicit(&dc->cur->stamp, memory_order_relaxed) : 0;
	if (dcache_crossing(dc, d) || !stamp) {
		memo_forget(m, dc);
		return d;
	}
	/* a page with a breakpoint is the careful step's: the fast loop
	 * leaves before running anything there */
	if (unlikely(c->dbg_nbp_pages) && idbg_bp_page(c, lin)) {
		memo_forget(m, dc);
		return NULL;
	}
	m->blk = dc->cur;
	m->stamp = stamp;
	m->rip_base = c->s->rip - (lin & 0xfff);
	/* 64-bit code has no limit, and rip is the linear address: a page
	 * that was fetched from is canonical throughout */
	m->in_limit = c->code_size == 64 || m->rip_base + 0xfff + 14 <= c->s->seg[S_CS].limit;
	return d;
}

/* the instruction at rip, looked up in the memo's block, else fully
 * (NULL: a breakpoint's page); *same is whether it came from the memo's
 * block */
static inline struct dc_insn *lookup(struct icpu *c, struct page_memo *m, uint64_t rip, bool *same)
{
	uint64_t off = rip - m->rip_base;
	unsigned n;
	if (likely(memo_valid(m)) && likely(off < 0x1000) && likely((n = m->blk->idx[off]) != 0)) {
		*same = true;
		return &m->blk->pool[n - 1];
	}
	*same = false;
	return fetch_and_memo(c, m);
}

/* the pool entry of link n (pool index + 1): one shift and one add */
static inline struct dc_insn *pool_at(struct dc_page *b, unsigned n)
{
	return (struct dc_insn *)((char *)b->pool + ((size_t)n - 1) * sizeof(struct dc_insn));
}

/* the link that names the pool entry right after d */
static inline unsigned adjacent_link(const struct dc_page *b, const struct dc_insn *d)
{
	return (unsigned)(((uintptr_t)d - (uintptr_t)b->pool) / sizeof(struct dc_insn)) + 2;
}

/* The physical map changed (PAM shadowing, a PCI BAR moved): the TLB's host
 * pointers and the blocks decoded through them may be stale. Looked at in
 * the careful step and after each instruction that is not plain (port I/O
 * is not), so a change takes effect at the next instruction boundary. */
static inline void follow_physmap(struct interp_cpu *p)
{
	uint64_t g = physmap_generation(p->c.tlb.pm);
	if (unlikely(g != p->pm_gen)) {
		p->pm_gen = g;
		tlb_flush_all(&p->c.tlb);
		dcache_flush(p->c.dc);
		if (p->fp)
			p->fp->flush(p->fast);
	}
}

/* The A20 gate (vm_set_a20): a change kicks every vCPU, so the careful
 * step sees it before the next instruction; the TLB fill then masks
 * bit 20 (mmu_walk). The decode cache is keyed by host page, which the
 * gate does not change. */
static inline void follow_a20(struct interp_cpu *p)
{
	bool a20m = atomic_load_explicit(&p->v->vm->a20m, memory_order_relaxed);
	if (unlikely(a20m != p->c.mr.a20m)) {
		p->c.mr.a20m = a20m;
		tlb_flush_all(&p->c.tlb);
	}
}

static inline uint8_t run_bits(const struct dc_insn *d)
{
	return __atomic_load_n(&d->run, __ATOMIC_RELAXED);
}

static inline void run_learn(struct dc_insn *d, uint8_t bit)
{
	__atomic_or_fetch(&d->run, bit, __ATOMIC_RELAXED);
}

/* A straight run from d at rip: instructions that leave rip alone
 * (RUN_STRAIGHT), one after another in the pool through learnt RUN_NEXT
 * links, with nothing between their handler calls: rip and the count are
 * settled at the end, or by run_fault_fixup if one faults. Within one
 * page and the CS limit (the loop's memo says so), so rip cannot wrap.
 * Returns the last instruction run, with *ripp its rip and c->next_rip
 * the one after it. */
static inline struct dc_insn *straight_run(struct icpu *c, struct dc_insn *d, uint64_t *ripp,
					   uint64_t *insnsp)
{
	uint64_t rip = *ripp;
	struct dc_insn *d0 = d;
	c->run_rip0 = rip;
	c->run0 = d0;
	for (;;) {
		d->in.fn(c, &d->in);
		if (!(run_bits(d) & RUN_NEXT))
			break;
		rip += d->in.len;
		d++;
		c->cur = &d->in;
	}
	c->run0 = NULL;
	c->next_rip = rip + d->in.len;
	*insnsp += (uint64_t)(d - d0) + 1;
	*ripp = rip;
	return d;
}

static struct interp_vm *vm_of(struct interp_cpu *p)
{
	return p->v->vm->tier_vm[p->tid];
}

/* PAUSE ran: with another vCPU waiting for its turn, this turn ends */
static inline bool pause_yields(struct interp_cpu *p)
{
	p->c.paused = false;
	if (!atomic_load_explicit(&vm_of(p)->turn->waiting, memory_order_relaxed))
		return false;
	p->yield = true;
	return true;
}

/* IF alone changed (CLI, STI, POPF), and the careful step has nothing
 * to do about it: IF went off, or came on with no event waiting. STI's
 * shadow holds back only an event that waits now: it is dropped (one
 * that comes later is seen at the next poll, as any that comes while IF
 * is on). This keeps a kernel's every spin_unlock_irq in translated
 * code. (The fast loop still leaves to the careful step after them.) */
static bool if_alone(struct interp_cpu *p, uint64_t fl)
{
	struct icpu *c = &p->c;
	struct cpu_state *s = c->s;
	if (((s->rflags & FL_WATCH) ^ fl) != FL_IF || c->dbg_dirty || c->dbg_on || c->dbg_careful)
		return false;
	if (!(s->rflags & FL_IF))
		return !s->ev.interrupt_shadow;
	if (s->ev.interrupt_shadow == 1 || p->events_due ||
	    atomic_load_explicit(&p->attention, memory_order_relaxed) ||
	    atomic_load(&p->v->events) || vcpu_irq_pending(p->v) >= 0)
		return false;
	s->ev.interrupt_shadow = 0;
	return true;
}

/* After an instruction that is not plain (its RFLAGS watch bits before
 * were fl): -1 to go on, or what the loop returns for the careful step
 * to look at */
static inline int after_other(struct interp_cpu *p, uint64_t fl)
{
	struct icpu *c = &p->c;
	struct cpu_state *s = c->s;
	follow_physmap(p);
	if (unlikely(c->halted)) {
		c->halted = false;
		s->run_state = CPU_HALTED;
		return FAST_HLT;
	}
	if (unlikely(c->paused) && pause_yields(p))
		return FAST_BREAK;
	if (unlikely((s->rflags & FL_WATCH) != fl || s->ev.interrupt_shadow) || unlikely(c->dbg_dirty))
		return FAST_BREAK;
	return -1;
}

/* The fast loop: TF and RF are clear, no shadow, no tracing. Leaves
 * to the careful step every EVENT_POLL_INSNS instructions, on a kick,
 * and after an instruction that changed IF, TF, RF or the shadow.
 * rip and the instruction count live in registers and are stored, never
 * reloaded, so consecutive instructions do not wait on each other
 * through memory; the next instruction comes from a learnt link when
 * it can, not from rip. With stay (a page's linear address, else
 * NO_STAY) it returns FAST_LEFT before an instruction elsewhere: the
 * links never leave a page, so only a full lookup need look. */
#define NO_STAY 1ull
static enum fast_result fast_loop(struct interp_cpu *p, uint64_t stay, bool one_block)
{
	struct icpu *c = &p->c;
	struct cpu_state *s = c->s;
	struct page_memo m;
	follow_physmap(p);
	memo_forget(&m, c->dc);
	uint64_t ripmask = rip_mask(c);
	uint64_t rip = s->rip, insns = c->insns;
	uint64_t poll_at = (insns | (EVENT_POLL_INSNS - 1)) + 1;
	if (unlikely(c->run_until) && c->run_until < poll_at)
		poll_at = c->run_until;
	bool same;
	struct dc_insn *d = lookup(c, &m, rip, &same);
	if (unlikely(!d))
		return FAST_BREAK;
	for (;;) {
		const struct insn *i = &d->in;
		unsigned len = i->len;
		if (unlikely(!m.in_limit) && c->code_size != 64 && rip + len - 1 > s->seg[S_CS].limit)
			cpu_gp(c, 0);
		c->cur = i;
		if ((d->run & RUN_STRAIGHT) && likely(m.in_limit)) {
			d = straight_run(c, d, &rip, &insns);
			c->insns = insns;
			/* from here on as if d alone had run: it is in the
			 * memo's block */
			i = &d->in;
			len = i->len;
			same = true;
		} else if (likely(d->plain)) {
			c->next_rip = (rip + len) & ripmask;
			i->fn(c, i);
			c->insns = ++insns;
		} else {
			uint64_t fl = s->rflags & FL_WATCH;
			c->next_rip = (rip + len) & ripmask;
			i->fn(c, i);
			c->insns = ++insns;
			s->rip = c->next_rip;
			int r = after_other(p, fl);
			memo_forget(&m, c->dc);
			ripmask = rip_mask(c);
			if (r >= 0)
				return (enum fast_result)r;
		}
		uint64_t next = c->next_rip;
		s->rip = next;
		if (unlikely(atomic_load_explicit(&p->attention, memory_order_relaxed)) ||
		    unlikely(insns >= poll_at))
			return FAST_BREAK;
		/* the links hold only while the memo does: d is then in m.blk */
		struct dc_insn *prev = d;
		bool linkable = same && memo_valid(&m);
		if (next == rip + len) {
			if (likely(linkable) && likely(prev->next)) {
				/* code decoded in order sits in order in the pool:
				 * then the next entry is known without waiting
				 * for the link's load (a predicted branch, which
				 * keeps it off the chain from one instruction to
				 * the next) */
				if (likely(prev->next == adjacent_link(m.blk, prev)))
					d = prev + 1;
				else
					d = pool_at(m.blk, prev->next);
			} else {
				if (unlikely(stay != NO_STAY) && ((next ^ stay) & ~0xfffull))
					return FAST_LEFT;
				d = lookup(c, &m, next, &same);
				if (unlikely(!d))
					return FAST_BREAK;
				if (linkable && same) {
					prev->next = (uint16_t)(d - m.blk->pool + 1);
					if (d == prev + 1 && (prev->run & RUN_STRAIGHT) &&
					    (d->run & RUN_STRAIGHT))
						run_learn(prev, RUN_NEXT);
				}
			}
		} else {
			if (one_block)
				return FAST_LEFT;
			uint64_t off = next - m.rip_base;
			if (likely(linkable) && prev->taken && off == prev->taken_off) {
				d = pool_at(m.blk, prev->taken);
			} else {
				if (unlikely(stay != NO_STAY) && ((next ^ stay) & ~0xfffull))
					return FAST_LEFT;
				d = lookup(c, &m, next, &same);
				if (unlikely(!d))
					return FAST_BREAK;
				if (linkable && same) {
					prev->taken = (uint16_t)(d - m.blk->pool + 1);
					prev->taken_off = (uint16_t)off;
				}
			}
		}
		rip = next;
	}
}

void engine_exec_one(struct icpu *c)
{
	exec_one(c);
}

int engine_exec_other(struct icpu *c)
{
	struct interp_cpu *p = (struct interp_cpu *)(void *)c;
	struct cpu_state *s = c->s;
	uint64_t fl = s->rflags & FL_WATCH;
	exec_one(c);
	int r = after_other(p, fl);
	if (r == FAST_BREAK && if_alone(p, fl))
		r = -1;
	if (r < 0 && atomic_load_explicit(&p->attention, memory_order_relaxed))
		r = FAST_BREAK;
	return r;
}

enum fast_result engine_interp_fast(struct icpu *c)
{
	/* c is the first member of its struct interp_cpu */
	return fast_loop((struct interp_cpu *)(void *)c, NO_STAY, false);
}

enum fast_result engine_interp_page(struct icpu *c)
{
	return fast_loop((struct interp_cpu *)(void *)c, c->s->rip & ~0xfffull, false);
}

enum fast_result engine_interp_block(struct icpu *c)
{
	return fast_loop((struct interp_cpu *)(void *)c, c->s->rip & ~0xfffull, true);
}

/* the turn this thread holds (NULL: none) */
static __thread const struct exec_turn *turn_held;

static void turn_take(struct exec_turn *t)
{
	pthread_mutex_lock(&t->m);
	uint64_t mine = t->next_ticket++;
	atomic_fetch_add(&t->waiting, 1);
	while (t->serving != mine)
		pthread_cond_wait(&t->cv, &t->m);
	atomic_fetch_sub(&t->waiting, 1);
	pthread_mutex_unlock(&t->m);
	turn_held = t;
}

static void turn_give(struct exec_turn *t)
{
	turn_held = NULL;
	pthread_mutex_lock(&t->m);
	t->serving++;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->m);
}

static bool want_out(struct interp_cpu *p)
{
	if (atomic_load(&p->v->vm->stop) != VM_RUNNING ||
	    (atomic_load(&p->v->events) & (VCPU_EV_INIT | VCPU_EV_SIPI)))
		return true;
	/* another vCPU waits for its turn and this one had a slice, or
	 * spins on PAUSE */
	if (unlikely(p->c.run_until) && p->c.insns >= p->c.run_until) {
		p->v->storm_due = true;
		return true;
	}
	return atomic_load_explicit(&vm_of(p)->turn->waiting, memory_order_relaxed) &&
	       (p->yield || p->c.insns - p->slice_start >= SLICE_INSNS);
}

/* NMI first, then a maskable interrupt if IF allows: true if one was
 * delivered (the CPU now stands at its handler) */
static bool take_events(struct interp_cpu *p)
{
	struct icpu *c = &p->c;
	struct cpu_state *s = c->s;
	struct vcpu *v = p->v;
	struct tier_stats *st = &v->stats[p->tid];

	if (!s->ev.nmi_masked && (atomic_load(&v->events) & VCPU_EV_NMI) && vcpu_take_nmi(v)) {
		c->next_rip = s->rip;
		st->nmis_injected++;
		icpu_deliver(c, EXC_NMI, EV_NMI, false, 0);
		return true;
	}
	if ((s->rflags & FL_IF) && vcpu_irq_pending(v) >= 0) {
		int vec = vcpu_irq_ack(v);
		if (vec < 0)
			return false;
		c->next_rip = s->rip;
		st->irqs_injected++;
		icpu_deliver(c, vec, EV_EXTINT, false, 0);
		return true;
	}
	return false;
}

/* an event another tier left half done (a tier switch loses none) */
static void take_leftover_events(struct icpu *c)
{
	struct cpu_events *ev = &c->s->ev;
	if (ev->nmi_injected || ev->nmi_pending) {
		ev->nmi_injected = ev->nmi_pending = false;
		c->next_rip = c->s->rip;
		icpu_deliver(c, EXC_NMI, EV_NMI, false, 0);
	}
	if (ev->interrupt_injected) {
		ev->interrupt_injected = false;
		c->next_rip = c->s->rip;
		icpu_deliver(c, ev->interrupt_nr, EV_EXTINT, false, 0);
	}
	if (ev->exception_pending) {
		ev->exception_pending = false;
		icpu_exception(c, ev->exception_nr, ev->exception_has_error, ev->exception_error);
	}
}

/* A fault in a straight run of fast_loop: rip and the count as if the
 * run had kept them up to the faulting instruction, c->cur. */
static void run_fault_fixup(struct icpu *c)
{
	if (!c->run0)
		return;
	const struct dc_insn *d0 = c->run0, *d = (const struct dc_insn *)(const void *)c->cur;
	uint64_t rip = c->run_rip0;
	for (const struct dc_insn *x = d0; x < d; x++)
		rip += x->in.len;
	c->s->rip = rip;
	c->insns += (uint64_t)(d - d0);
	c->run0 = NULL;
}

enum step_result { STEP_FAST, STEP_SLOW, STEP_EXIT };

/* The careful step: stop requests, events, interrupt shadow, tracing,
 * TF and RF. The fast loop comes here whenever one of them may matter. */
static enum step_result slow_step(struct interp_cpu *p, enum tier_exit *exit)
{
	struct icpu *c = &p->c;
	struct cpu_state *s = c->s;

	if (want_out(p)) {
		*exit = TIER_EXIT_KICK;
		return STEP_EXIT;
	}
	/* cleared before looking, so a kick after this point is seen next
	 * time; a load first, as a locked exchange per instruction costs
	 * more than the rest of the step (a kick between the two is looked
	 * at now: it posts its event before it sets attention) */
	if (atomic_load_explicit(&p->attention, memory_order_relaxed)) {
		atomic_store_explicit(&p->attention, 0, memory_order_relaxed);
		p->events_due = true;
	}
	follow_physmap(p);
	follow_a20(p);
	idbg_update(c);
	uint8_t shadow = s->ev.interrupt_shadow;
	s->ev.interrupt_shadow = 0;
	bool look = !c->dbg_careful || p->events_due || c->insns - p->events_at >= EVENT_POLL_INSNS;
	if (!shadow && look && !(c->dbg_careful && idbg_irqs_masked(c))) {
		p->events_due = false;
		p->events_at = c->insns;
		uint16_t cs0 = s->seg[S_CS].selector;
		uint64_t rip0 = s->rip, rsp0 = s->gpr[R_ESP];
		if (take_events(p)) {
			if (c->shutdown) {
				*exit = TIER_EXIT_SHUTDOWN;
				return STEP_EXIT;
			}
			if (c->dbg_on)
				idbg_event_taken(c, cs0, rip0, rsp0);
			return STEP_SLOW;
		}
	}
	if (c->dbg_on) {
		switch (idbg_before_insn(c, code_linear(c, s->rip))) {
		case IDBG_STOP:
			*exit = TIER_EXIT_DEBUG;
			return STEP_EXIT;
		case IDBG_DELIVERED:
			return STEP_SLOW;
		case IDBG_RUN:
			break;
		}
	}

	uint64_t before = s->rflags;
	if (unlikely(log_mask & (LOG_EXEC | LOG_CPU)))
		trace_insn(c, code_linear(c, s->rip));
	const struct insn *i = exec_one(c);

	if (c->halted) {
		c->halted = false;
		s->run_state = CPU_HALTED;
		/* a step over HLT ends with the CPU halted */
		*exit = c->dbg_on && idbg_step_done(c) ? TIER_EXIT_DEBUG : TIER_EXIT_HLT;
		return STEP_EXIT;
	}
	if (c->paused)
		(void)pause_yields(p);	/* want_out, at the next step, ends the turn */
	/* RF lets one instruction past its breakpoint; IRET may set it anew */
	if ((before & FL_RF) && i->op != OP_IRET)
		s->rflags &= ~(uint64_t)FL_RF;
	/* the #DB trap after the instruction: single-step (not after an INT,
	 * whose delivery cleared TF, nor after MOV SS/POP SS, which delays
	 * it), data and I/O breakpoints (delayed the same way) */
	unsigned dr6 = c->dbg_on ? idbg_trap_bits(c) : 0;
	if ((before & FL_TF) && i->op != OP_INT && i->op != OP_INT3 && i->op != OP_INTO &&
	    i->op != OP_INT1 && s->ev.interrupt_shadow != 1)
		dr6 |= DR6_BS;
	if (dr6) {
		s->dr[6] |= dr6;
		c->next_rip = s->rip;
		icpu_deliver(c, EXC_DB, EV_EXCEPTION, false, 0);
	}
	if (c->shutdown) {
		*exit = TIER_EXIT_SHUTDOWN;
		return STEP_EXIT;
	}
	if (c->dbg_on && idbg_stop_after(c)) {
		*exit = TIER_EXIT_DEBUG;
		return STEP_EXIT;
	}
	/* a shadow just ended, or IF just rose: interrupts may be due now */
	if (shadow || ((s->rflags & ~before) & FL_IF)) {
		p->events_due = true;
		return STEP_SLOW;
	}
	if (c->dbg_careful)
		return STEP_SLOW;
	if ((s->rflags & (FL_TF | FL_RF)) || s->ev.interrupt_shadow ||
	    (log_mask & (LOG_EXEC | LOG_CPU)))
		return STEP_SLOW;
	return STEP_FAST;
}

/* Runs until an exit; faults longjmp out of here to interp_run. */
static enum tier_exit run_loop(struct interp_cpu *p, bool once)
{
	enum tier_exit exit = TIER_EXIT_KICK;

	if (once) {
		slow_step(p, &exit);
		return exit;
	}
	for (;;) {
		switch (slow_step(p, &exit)) {
		case STEP_EXIT:
			return exit;
		case STEP_SLOW:
			continue;
		case STEP_FAST:
			break;
		}
		enum fast_result f = p->fp ? p->fp->run(p->fast, &p->c) : fast_loop(p, NO_STAY, false);
		if (f == FAST_HLT)
			return TIER_EXIT_HLT;
	}
}

static struct interp_cpu *cpu_of(struct vcpu *v, enum tier_id id)
{
	return v->tier_priv[id];
}

static enum tier_exit run_common(struct vcpu *v, enum tier_id id, bool once)
{
	struct interp_cpu *p = cpu_of(v, id);
	if (!p) {
		log_error("%s: vcpu %d: run without attach", tier_table[id]->name, v->index);
		return TIER_EXIT_ERROR;
	}
	struct icpu *c = &p->c;
	if (v->s.run_state == CPU_HALTED)
		return TIER_EXIT_HLT;
	if (v->s.run_state == CPU_WAIT_SIPI)
		return TIER_EXIT_KICK;

	struct exec_turn *turn = vm_of(p)->turn;
	turn_take(turn);
	p->slice_start = c->insns;
	c->run_until = 0;
	if (unlikely(v->vm->tier_storm)) {
		/* xorshift64: reproducible from run to run */
		uint64_t x = v->storm_rng ? v->storm_rng : 0x9e3779b97f4a7c15ull + (uint64_t)v->index;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v->storm_rng = x;
		c->run_until = c->insns + 1 + x % (2 * v->vm->tier_storm);
	}
	p->events_due = true;
	p->yield = false;
	uint64_t t0 = now_ns(), n0 = c->insns;
	enum tier_exit r;
	jmp_buf jb;
	c->fault_jmp = &jb;
	if (setjmp(jb)) {
		/* a fault: deliver it (a fault in delivery lands here again,
		 * and icpu_exception makes it #DF or a shutdown) */
		run_fault_fixup(c);
		if (p->fp)
			p->fp->fault_fixup(p->fast, c);
		if (c->fault_vector == FAULT_DEBUG_STOP) {
			c->delivering = -1;
			r = TIER_EXIT_DEBUG;
			goto out;
		}
		if (c->fault_vector == FAULT_REEXEC) {
			if (once) {
				r = TIER_EXIT_KICK;
				goto out;
			}
			goto loop;
		}
		/* a faulting instruction's data breakpoints do not trap */
		c->dbg_hits = 0;
		c->dbg_watch = 0;
		c->dbg_io = false;
		icpu_exception(c, c->fault_vector, c->fault_has_error, c->fault_error);
		c->delivering = -1;
		if (c->shutdown) {
			r = TIER_EXIT_SHUTDOWN;
			goto out;
		}
		if (c->dbg_on && idbg_step_done(c)) {
			r = TIER_EXIT_DEBUG;
			goto out;
		}
		if (once) {
			r = TIER_EXIT_KICK;
			goto out;
		}
	} else {
		take_leftover_events(c);
	}
loop:
	r = run_loop(p, once);
out:
	c->fault_jmp = NULL;
	uint64_t n = c->insns - n0;
	v->stats[id].insns += n;
	if (p->fp)
		p->fp->stats(p->fast, &v->stats[id]);
	p->insns_run += n;
	p->ns_run += now_ns() - t0;
	turn_give(turn);
	return r;
}

enum tier_exit engine_run(struct vcpu *v, enum tier_id id)
{
	return run_common(v, id, false);
}

enum tier_exit engine_step(struct vcpu *v, enum tier_id id)
{
	return run_common(v, id, true);
}

void engine_kick(struct vcpu *v, enum tier_id id)
{
	struct interp_cpu *p = cpu_of(v, id);
	if (!p)
		return;
	atomic_store_explicit(&p->attention, 1, memory_order_relaxed);
	if (p->fp)
		p->fp->kick(p->fast);
}

struct icpu *engine_icpu(struct vcpu *v, enum tier_id id)
{
	struct interp_cpu *p = cpu_of(v, id);
	return p ? &p->c : NULL;
}

/* -- the tier contract -- */

static bool invalidate_code(void *opaque, uint64_t gpa, uint64_t len)
{
	struct soft_shared *sh = opaque;
	/* a device's DMA on a thread outside the software tiers' turn (a
	 * vCPU in KVM, with the VM lock held, which a vCPU in its turn may
	 * be waiting for): the decoded and translated code is the turn's
	 * to edit, so every software vCPU drops all it derived at its next
	 * careful step instead */
	if (turn_held != &sh->turn) {
		physmap_stale(sh->cp.pm);
		return false;
	}
	/* the decode caches drop the whole page (decoding again is cheap);
	 * a fast path may keep what the bytes written leave alone */
	bool keep = false;
	for (int t = 0; t < TIER_COUNT; t++) {
		struct interp_vm *iv = sh->engine[t];
		if (!iv)
			continue;
		for (int k = 0; k < VM_MAX_CPUS; k++)
			if (iv->cpu[k])
				dcache_drop_gpa(iv->cpu[k]->c.dc, gpa);
		if (iv->fp && iv->fp->invalidate(iv->fast_vm, gpa, len))
			keep = true;
	}
	return keep;
}

/* the other software tier's shared part, or a new one */
static struct soft_shared *get_shared(struct vm *vm, enum tier_id id)
{
	for (int t = 0; t < TIER_COUNT; t++) {
		struct interp_vm *o = t != (int)id && (t == TIER_INTERP || t == TIER_BT) ? vm->tier_vm[t] : NULL;
		if (o) {
			o->sh->users++;
			return o->sh;
		}
	}
	struct soft_shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	if (codepages_init(&sh->cp, vm->pm) < 0) {
		free(sh);
		return NULL;
	}
	sh->cp.invalidate = invalidate_code;
	sh->cp.opaque = sh;
	pthread_mutex_init(&sh->turn.m, NULL);
	pthread_cond_init(&sh->turn.cv, NULL);
	sh->users = 1;
	return sh;
}

static void put_shared(struct soft_shared *sh, enum tier_id id)
{
	sh->engine[id] = NULL;
	if (--sh->users)
		return;
	codepages_destroy(&sh->cp);
	pthread_mutex_destroy(&sh->turn.m);
	pthread_cond_destroy(&sh->turn.cv);
	free(sh);
}

int engine_vm_init(struct vm *vm, enum tier_id id, const struct fast_path *fp)
{
	const char *name = tier_table[id] ? tier_table[id]->name : "interp";
	struct interp_vm *iv = calloc(1, sizeof(*iv));
	if (!iv) {
		log_error("%s: out of memory", name);
		return -1;
	}
	iv->vm = vm;
	iv->tid = id;
	iv->fp = fp;
	if (!(iv->sh = get_shared(vm, id))) {
		free(iv);
		log_error("%s: out of memory", name);
		return -1;
	}
	iv->turn = &iv->sh->turn;
	if (fp && !(iv->fast_vm = fp->vm_init(vm, &iv->sh->cp))) {
		put_shared(iv->sh, id);
		free(iv);
		return -1;
	}
	iv->sh->engine[id] = iv;
	vm->tier_vm[id] = iv;
	return 0;
}

static void print_mips(const struct interp_cpu *p)
{
	double s = (double)p->ns_run / 1e9;
	const char *name = tier_table[p->tid]->name;
	log_msg("cpu%d %s: %llu instructions in %.3f s of run(): %.1f MIPS", p->index, name,
		(unsigned long long)p->insns_run, s, s > 0 ? (double)p->insns_run / s / 1e6 : 0.0);
	const struct decode_cache *dc = p->c.dc;
	log_msg("cpu%d %s: decodes %llu uncached %llu evictions %llu full-block restarts %llu "
		"code-page drops %llu; tlb fills %llu flushes %llu", p->index, name,
		(unsigned long long)dc->decodes, (unsigned long long)dc->uncached,
		(unsigned long long)dc->evictions, (unsigned long long)dc->restarts,
		(unsigned long long)dc->drops, (unsigned long long)p->c.tlb.fills,
		(unsigned long long)p->c.tlb.flushes);
	if (p->fp)
		p->fp->print_stats(p->fast, p->index);
}

void engine_vm_destroy(struct vm *vm, enum tier_id id)
{
	struct interp_vm *iv = vm->tier_vm[id];
	if (!iv)
		return;
	for (int k = 0; k < VM_MAX_CPUS; k++) {
		struct interp_cpu *p = iv->cpu[k];
		if (!p)
			continue;
		if (log_enabled(LOG_STATS) && p->insns_run)
			print_mips(p);
		if (p->fp)
			p->fp->free(p->fast);
		dcache_free(p->c.dc);
		free(p);
	}
	if (iv->fp)
		iv->fp->vm_destroy(iv->fast_vm);
	put_shared(iv->sh, id);
	free(iv);
	vm->tier_vm[id] = NULL;
}

int engine_attach(struct vcpu *v, enum tier_id id)
{
	struct interp_vm *iv = v->vm->tier_vm[id];
	const char *name = tier_table[id] ? tier_table[id]->name : "interp";
	if (!iv || v->index < 0 || v->index >= VM_MAX_CPUS) {
		log_error("%s: vcpu %d: attach before vm_init", name, v->index);
		return -1;
	}
	struct interp_cpu *p = iv->cpu[v->index];
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p || !(p->c.dc = dcache_new(&iv->sh->cp))) {
			free(p);
			log_error("%s: out of memory for vcpu %d", name, v->index);
			return -1;
		}
		tlb_init(&p->c.tlb, v->vm->pm, &iv->sh->cp);
		p->tid = id;
		p->fp = iv->fp;
		p->c.v = v;
		p->c.s = &v->s;
		if (p->fp && !(p->fast = p->fp->attach(iv->fast_vm, &p->c))) {
			dcache_free(p->c.dc);
			free(p);
			return -1;
		}
		iv->cpu[v->index] = p;
	}
	p->v = v;
	p->index = v->index;
	p->c.v = v;
	p->c.s = &v->s;
	p->c.delivering = -1;
	v->tier_priv[id] = p;
	return 0;
}

void engine_detach(struct vcpu *v, enum tier_id id)
{
	/* the per-vCPU parts stay with the VM (see struct interp_vm) */
	v->tier_priv[id] = NULL;
}

int engine_sync_in(struct vcpu *v, enum tier_id id)
{
	struct interp_cpu *p = cpu_of(v, id);
	struct icpu *c = &p->c;
	c->s = &v->s;
	c->lf_op = LF_NONE;
	c->halted = false;
	c->shutdown = false;
	c->delivering = -1;
	c->dbg_dirty = true;	/* DRs or the debugger's points may have changed */
	icpu_mode_changed(c);
	c->mr.a20m = atomic_load(&v->vm->a20m);
	tlb_flush_all(&c->tlb);
	/* another tier may have written code without telling codepages */
	dcache_flush(c->dc);
	if (p->fp)
		p->fp->flush(p->fast);
	return 0;
}

int engine_sync_out(struct vcpu *v, enum tier_id id)
{
	struct interp_cpu *p = cpu_of(v, id);
	struct icpu *c = &p->c;
	v->s.rflags = flags_get(c);
	c->lf_op = LF_NONE;
	return 0;
}

static int interp_vm_init(struct vm *vm) { return engine_vm_init(vm, TIER_INTERP, NULL); }
static void interp_vm_destroy(struct vm *vm) { engine_vm_destroy(vm, TIER_INTERP); }
static int interp_attach(struct vcpu *v) { return engine_attach(v, TIER_INTERP); }
static void interp_detach(struct vcpu *v) { engine_detach(v, TIER_INTERP); }
static int interp_sync_in(struct vcpu *v) { return engine_sync_in(v, TIER_INTERP); }
static int interp_sync_out(struct vcpu *v) { return engine_sync_out(v, TIER_INTERP); }
static enum tier_exit interp_run(struct vcpu *v) { return engine_run(v, TIER_INTERP); }
static enum tier_exit interp_step(struct vcpu *v) { return engine_step(v, TIER_INTERP); }
static void interp_kick(struct vcpu *v) { engine_kick(v, TIER_INTERP); }

static void interp_probe(struct tier_probe *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->usable = true;
	snprintf(pr->desc, sizeof(pr->desc),
		 "the interpreter: every host, the reference semantics (i686 integer ISA and system)");
}

static bool interp_can_run(const struct vm *vm, const struct cpu_state *s)
{
	(void)vm;
	(void)s;
	return true;
}

const struct tier interp_tier = {
	.name = "interp",
	.id = TIER_INTERP,
	.probe = interp_probe,
	.vm_init = interp_vm_init,
	.vm_destroy = interp_vm_destroy,
	.attach = interp_attach,
	.detach = interp_detach,
	.sync_in = interp_sync_in,
	.sync_out = interp_sync_out,
	.run = interp_run,
	.can_run = interp_can_run,
	.kick = interp_kick,
	.step = interp_step,
};
