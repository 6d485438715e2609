/* The translator tier: the interpreter's loop (cpu/interp/engine.h)
 * with translated blocks as its fast path. The dispatcher finds or
 * translates the block at rip, runs it, and chains the exit it left by
 * to the block it finds next. Code the translator leaves alone (real and
 * virtual-8086 mode, segmented code, a debugger's breakpoint pages) runs
 * in the interpreter's fast loop instead. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cpu/interp/fastmem.h"
#include "cpu/interp/interp.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

#define DEFAULT_CACHE_MB 64
/* A block's runs in the interpreter before it is translated. Most of a
 * boot's blocks run a few times only (a kernel's init code, each exec's
 * startup): translating one costs about 500 ns an instruction, more
 * than the interpreter takes for dozens of runs of it. Measured on the
 * amd64 boot: 0 took 2.98 s of run() at best, 2 2.85 s, 4 and 8 2.72 s. */
#define DEFAULT_HOT 4
/* drops of a page's blocks after which its code runs in the interpreter */
#define SMC_INTERPRET 32
/* the interpreter's runs on such a page after which it is translated again */
#define SMC_RETRY 1024
/* writes in a row that miss a page's blocks (bt_invalidate_code) after
 * which the next drops them all */
#define MISSES_WHOLE 64

static unsigned page_writes_slot(uint64_t gpa)
{
	return (unsigned)((gpa >> 12) * 0x9e3779b1u >> 20) & 4095;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* a data segment the blocks may address without looking at it: base 0,
 * and the fast paths' segment test passes any write in 4G */
static bool flat_data(const struct cpu_segment *sg)
{
	return sg->base == 0 && seg_plain(sg, 0, 1ull << 32, MMU_WRITE);
}

/* the mode bits of the code about to run, or false when the translator
 * leaves it to the interpreter: rip must be the linear address */
static bool current_mode(const struct icpu *c, uint32_t *mode)
{
	const struct cpu_state *s = c->s;
	uint32_t m = BT_MODE_CPL(c->cpl) | (c->cpl == 3 ? BT_MODE_USER : 0);
	if ((s->cr4 & CR4_OSFXSR) && !(s->cr0 & (CR0_EM | CR0_TS)))
		m |= BT_MODE_SSE;
	/* alignment checks: the blocks' memory accesses make none */
	if (c->cpl == 3 && (s->cr0 & CR0_AM) && (s->rflags & FL_AC))
		return false;
	if (c->code_size == 64) {
		*mode = m | BT_MODE_CS64;
		return true;
	}
	if (c->code_size != 32 || c->v86 || s->seg[S_CS].base != 0 ||
	    s->seg[S_CS].limit != 0xffffffffu)
		return false;
	if (c->stack_size == 4)
		m |= BT_MODE_SS32;
	if (flat_data(&s->seg[S_DS]) && flat_data(&s->seg[S_ES]) && flat_data(&s->seg[S_SS]))
		m |= BT_MODE_FLAT;
	*mode = m;
	return true;
}

/* what lookup() gives for code on a page written too often */
static struct bt_block smc_page;
/* what it gives for code not run often enough yet to translate */
static struct bt_block cold_block;

/* the code cache was flushed (or the CPU is new): the jump cache and
 * the return-address stack point into it (a tag of all ones matches no
 * RET: a block's mode has none of the high bits) */
static void forget_code(struct bt_cpu *b)
{
	memset(b->jc, 0, sizeof(b->jc));
	memset(b->c->bt_ras_tag, 0xff, sizeof(b->c->bt_ras_tag));
	b->generation = b->vm->generation;
}

/* the block at c->s->rip, translated now if need be; NULL when the code
 * cannot be fetched from RAM (the careful step faults or reads MMIO) */
static struct bt_block *lookup(struct bt_cpu *b, struct icpu *c, uint32_t mode)
{
	struct bt_vm *bv = b->vm;
	uint64_t rip = c->s->rip, page = rip & ~0xfffull;
	const struct tlb_entry *e = icpu_tlb_entry(c, rip);
	if (e->tag[MMU_FETCH] != page) {
		void *host;
		uint64_t gpa;
		uint32_t pferr;
		if (tlb_fill(&c->tlb, &c->mr, rip, MMU_FETCH, c->cpl == 3, &host, &gpa, &pferr) !=
			    TLB_HOST ||
		    e->tag[MMU_FETCH] != page)
			return NULL;
	}
	uintptr_t host = (uintptr_t)(rip + e->addend);
	if (b->generation != bv->generation)
		forget_code(b);
	struct bt_jc *slot = &b->jc[bt_jc_index(rip)];
	uint64_t key = bt_jc_key(host, mode);
	b->lookups++;
	if (slot->rip == rip && slot->key == key)
		return slot->block;
	b->jc_misses++;
	struct bt_block *blk = bt_find(bv, host, rip, mode);
	if (!blk) {
		uint64_t gpa = tlb_meta_of(&c->tlb, e)->gpa | (rip & 0xfff);
		unsigned slot = page_writes_slot(gpa);
		if (bv->page_writes[slot] >= SMC_INTERPRET) {
			b->smc_interp++;
			/* writes come in bursts (a kernel patching its text,
			 * a loader): after a while in the interpreter the page
			 * gets another chance, and goes back after half as many
			 * drops */
			if (++bv->page_interp_runs[slot] >= SMC_RETRY) {
				bv->page_interp_runs[slot] = 0;
				bv->page_writes[slot] = SMC_INTERPRET / 2;
			}
			return &smc_page;
		}
		/* not hot yet: counted by a hash of where it is, with no tag
		 * (two blocks that share a count are translated sooner) */
		uint8_t *runs = &bv->visits[(host ^ mode) * 0x9e3779b97f4a7c15ull >> (64 - BT_VISITS_BITS)];
		if (*runs < bv->hot) {
			(*runs)++;
			b->cold_runs++;
			return &cold_block;
		}
		uint64_t t0 = now_ns();
		blk = bt_translate(bv, c, rip, host, gpa, mode);
		if (!blk) {
			bt_cache_flush(bv);
			forget_code(b);
			blk = bt_translate(bv, c, rip, host, gpa, mode);
		}
		bv->ns_translate += now_ns() - t0;
		if (!blk)
			return NULL;
	}
	*slot = (struct bt_jc){ rip, key, blk->code, blk };
	return blk;
}

const void *bt_h_next(struct icpu *c, struct bt_exit *far)
{
	struct bt_cpu *b = c->bt_cpu;
	struct bt_vm *bv = b->vm;
	uint64_t rip = c->s->rip;
	const struct tlb_entry *e = icpu_tlb_entry(c, rip);
	if (e->tag[MMU_FETCH] != (rip & ~0xfffull) || b->generation != bv->generation || b->ls)
		return NULL;
	uintptr_t host = (uintptr_t)(rip + e->addend);
	struct bt_jc *slot = &b->jc[bt_jc_index(rip)];
	uint64_t key = bt_jc_key(host, c->bt_mode);
	struct bt_block *blk = slot->block;
	b->lookups++;
	if (!(slot->rip == rip && slot->key == key)) {
		b->jc_misses++;
		if (!(blk = bt_find(bv, host, rip, c->bt_mode)))
			return NULL;
		*slot = (struct bt_jc){ rip, key, blk->code, blk };
	}
	if (far)
		bt_chain(bv, far, blk);
	return blk->code;
}

/* instructions to run before the next look at events (or the end of a
 * run_until slice): 0 if none */
static int32_t budget_of(const struct icpu *c)
{
	int32_t budget = (int32_t)(((c->insns | (EVENT_POLL_INSNS - 1)) + 1) - c->insns);
	if (c->run_until && (int64_t)(c->run_until - c->insns) < budget) {
		if (c->run_until <= c->insns)
			return 0;
		budget = (int32_t)(c->run_until - c->insns);
	}
	return budget;
}

static enum fast_result bt_fast_run(void *cs, struct icpu *c)
{
	struct bt_cpu *b = cs;
	struct bt_vm *bv = b->vm;
	uint32_t mode;
	/* the careful step first looks at what DR7 or the debugger changed */
	if (c->dbg_dirty)
		return FAST_BREAK;
	/* breakpoints: the interpreter's loop leaves at their pages */
	if (!current_mode(c, &mode) || c->dbg_on) {
		b->interp_runs++;
		return engine_interp_fast(c);
	}
	b->runs++;
	c->bt_cpu = b;
	c->bt_mode = mode;
	if (atomic_exchange(&bv->flush_pending, false))
		bt_cache_flush(bv);
	int32_t budget = budget_of(c);
	if (budget <= 0)
		return FAST_BREAK;
	c->bt_budget = budget;
	b->budget0 = budget;
	uint64_t gen = bv->generation;
	struct bt_exit *from = NULL;
	for (;;) {
		struct bt_block *blk = lookup(b, c, mode);
		if (!blk)
			break;
		if (blk == &smc_page || blk == &cold_block) {
			/* the interpreter runs the code on this page (or the
			 * cold block), and the blocks go on where it leaves */
			c->insns += (uint64_t)(budget - c->bt_budget);
			enum fast_result fr = blk == &smc_page ? engine_interp_page(c) : engine_interp_block(c);
			if (fr != FAST_LEFT)
				return fr;
			if (!current_mode(c, &mode) || c->dbg_on || c->dbg_dirty ||
			    (budget = budget_of(c)) <= 0)
				return FAST_BREAK;
			c->bt_mode = mode;
			c->bt_budget = budget;
			b->budget0 = budget;
			from = NULL;
			continue;
		}
		if (bv->generation != gen) {
			from = NULL;	/* a flush freed it */
			gen = bv->generation;
		}
		/* a chain never leaves the linear page, whose mapping the
		 * lookup of its first block checked */
		struct bt_ret r;
		if (b->ls) {
			r = bt_lockstep_block(b->ls, bv, c, blk);
		} else {
			if (from && ((from->from->rip ^ blk->rip) & ~0xfffull) == 0)
				bt_chain(bv, from, blk);
			c->bt_in = true;
			r = bv->enter(c, c->s, blk->code);
			c->bt_in = false;
			if (c->bt_group_left) {
				b->group_exits++;
				c->bt_group_left = false;
			}
		}
		if (r.reason == BT_EXIT_CHAIN)
			from = (struct bt_exit *)(uintptr_t)r.arg;
		else if (r.reason == BT_EXIT_LOOKUP)
			from = NULL;
		else if (r.reason == BT_EXIT_BREAK && c->bt_budget > 0) {
			/* the instruction here is not plain: run it as the
			 * interpreter's fast loop would, with the count settled
			 * first (it may fault) */
			b->breaks++;
			c->insns += (uint64_t)(budget - c->bt_budget);
			budget = --c->bt_budget;
			b->budget0 = budget;
			int fr = engine_exec_other(c);
			if (fr >= 0)
				return (enum fast_result)fr;
			if (!current_mode(c, &mode) || c->dbg_on)
				return FAST_BREAK;
			c->bt_mode = mode;
			from = NULL;
		} else if (r.reason == BT_EXIT_BUDGET && c->bt_budget > 0 && !b->ls) {
			/* fewer instructions to the next look at events than
			 * the block holds: the interpreter's fast loop runs
			 * them, not a careful step for each and the lookups
			 * between (a cascade of up to a block's length at
			 * every 64 Ki instructions) */
			b->budget_tails++;
			c->insns += (uint64_t)(budget - c->bt_budget);
			return engine_interp_fast(c);
		} else
			break;
		if (c->bt_budget <= 0)
			break;
	}
	c->insns += (uint64_t)(budget - c->bt_budget);
	return FAST_BREAK;
}

static void bt_fault_fixup(void *cs, struct icpu *c)
{
	struct bt_cpu *b = cs;
	if (!c->bt_in)
		return;
	const struct bt_site *st = c->bt_site;
	c->bt_in = false;
	if (b->ls)
		bt_lockstep_abort(b->ls, c);
	c->insns += (uint64_t)(b->budget0 - c->bt_budget) - st->refund;
	c->s->rip = st->rip;
}

static bool bt_invalidate_code(void *vmstate, uint64_t gpa, uint64_t len)
{
	struct bt_vm *bv = vmstate;
	uint64_t page = gpa & ~0xfffull;
	unsigned slot = page_writes_slot(page);
	/* a page whose writes keep missing its code (data beside it) is
	 * dropped whole: unmarked, its writes take the fast path again */
	if (bv->page_misses[slot] >= MISSES_WHOLE) {
		bv->page_misses[slot] = 0;
		gpa = page;
		len = 0x1000;
	}
	bool kept = false;
	unsigned dropped = bt_invalidate(bv, gpa, len, &kept);
	if (!dropped) {
		if (kept && bv->page_misses[slot] < 255)
			bv->page_misses[slot]++;
		return kept;
	}
	bv->page_misses[slot] = 0;
	/* counts of recent drops only: a page the guest reuses for new
	 * code now and then (exec, the page cache) stays translated */
	if (++bv->page_writes_total % 4096 == 0)
		memset(bv->page_writes, 0, sizeof(bv->page_writes));
	uint8_t *w = &bv->page_writes[slot];
	if (*w < 255)
		(*w)++;
	/* the block running may have written its own bytes: it leaves
	 * after this instruction (bt_h_insn says so) */
	for (int k = 0; k < bv->ncpus; k++) {
		struct icpu *c = bv->cpus[k]->c;
		const struct bt_site *st = c->bt_site;
		if (c->bt_in && st && st->gpa_page == page)
			c->bt_stale = true;
	}
	return kept;
}

static void bt_flush(void *cs)
{
	struct bt_cpu *b = cs;
	atomic_store(&b->vm->flush_pending, true);
}

static void bt_kick(void *cs)
{
	/* the blocks look at their budget only: a kick is seen within
	 * EVENT_POLL_INSNS instructions, when the careful step runs */
	(void)cs;
}

static void *bt_vm_init(struct vm *vm, struct codepages *cp)
{
	struct bt_vm *bv = calloc(1, sizeof(*bv));
	if (!bv) {
		log_error("bt: out of memory");
		return NULL;
	}
	bv->cp = cp;
	bv->lockstep = vm->bt_lockstep;
	bv->lockstep_from = vm->bt_lockstep_from;
	bv->inject = vm->bt_inject;
	/* lockstep checks translated blocks: all of them, from the first run */
	bv->hot = vm->bt_lockstep ? 0 : vm->bt_hot < 0 ? DEFAULT_HOT : (unsigned)vm->bt_hot;
	if (vm->bt_perfmap) {
		/* perf's convention for code it has no file for (the name
		 * perf looks for; the same as QEMU's -perfmap) */
		char name[64];
		snprintf(name, sizeof(name), "/tmp/perf-%d.map", (int)getpid());
		bv->perfmap = fopen(name, "w");
		if (!bv->perfmap)
			log_error("bt: -perfmap: cannot create %s: %s", name, strerror(errno));
		else	/* whole lines, so a profile of a killed run reads them */
			setvbuf(bv->perfmap, NULL, _IOLBF, 0);
	}
	size_t mb = vm->bt_cache_mb ? vm->bt_cache_mb : DEFAULT_CACHE_MB;
	if (bt_cache_init(bv, mb << 20) < 0) {
		free(bv);
		return NULL;
	}
	return bv;
}

static void bt_vm_destroy(void *vmstate)
{
	struct bt_vm *bv = vmstate;
	bt_cache_destroy(bv);
	if (bv->perfmap)
		fclose(bv->perfmap);
	free(bv);
}

static void *bt_attach_cpu(void *vmstate, struct icpu *c)
{
	struct bt_vm *bv = vmstate;
	if (bv->ncpus >= (int)(sizeof(bv->cpus) / sizeof(bv->cpus[0])))
		return NULL;
	struct bt_cpu *b = calloc(1, sizeof(*b));
	if (!b) {
		log_error("bt: out of memory");
		return NULL;
	}
	b->vm = bv;
	b->c = c;
	if (bv->lockstep && !(b->ls = bt_lockstep_new(c, bv->lockstep_from))) {
		free(b);
		return NULL;
	}
	forget_code(b);
	bv->cpus[bv->ncpus++] = b;
	return b;
}

static void bt_free_cpu(void *cs)
{
	struct bt_cpu *b = cs;
	bt_lockstep_free(b->ls);
	free(b);
}

static void bt_stats(void *cs, struct tier_stats *st)
{
	const struct bt_vm *bv = ((struct bt_cpu *)cs)->vm;
	st->bt_blocks = bv->blocks;
	st->bt_code_bytes = bv->code_bytes;
	st->bt_flushes = bv->flushes;
	st->bt_chains = bv->chains;
	st->bt_invalidated = bv->invalidated;
	st->bt_ns_translate = bv->ns_translate;
}

static void bt_print_stats(void *cs, int cpu)
{
	struct bt_cpu *b = cs;
	struct bt_vm *bv = b->vm;
	log_msg("cpu%d bt: blocks %llu (%llu insns, %llu code bytes) in %.3f s; flushes %llu "
		"invalidated %llu chains %llu unchains %llu", cpu,
		(unsigned long long)bv->blocks, (unsigned long long)bv->insns_translated,
		(unsigned long long)bv->code_bytes, (double)bv->ns_translate / 1e9,
		(unsigned long long)bv->flushes, (unsigned long long)bv->invalidated,
		(unsigned long long)bv->chains, (unsigned long long)bv->unchains);
	log_msg("cpu%d bt: dispatches %llu lookups %llu jump-cache misses %llu breaks %llu "
		"budget tails %llu interpreter runs %llu (for code written often %llu, for code "
		"not yet hot %llu); left where a memory group failed %llu", cpu,
		(unsigned long long)b->runs, (unsigned long long)b->lookups,
		(unsigned long long)b->jc_misses, (unsigned long long)b->breaks,
		(unsigned long long)b->budget_tails, (unsigned long long)b->interp_runs,
		(unsigned long long)b->smc_interp, (unsigned long long)b->cold_runs,
		(unsigned long long)b->group_exits);
}

static const struct fast_path bt_fast = {
	.vm_init = bt_vm_init,
	.vm_destroy = bt_vm_destroy,
	.attach = bt_attach_cpu,
	.free = bt_free_cpu,
	.run = bt_fast_run,
	.fault_fixup = bt_fault_fixup,
	.invalidate = bt_invalidate_code,
	.flush = bt_flush,
	.kick = bt_kick,
	.stats = bt_stats,
	.print_stats = bt_print_stats,
};

/* -- the tier contract -- */

static void bt_probe(struct tier_probe *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->usable = true;
	snprintf(pr->desc, sizeof(pr->desc),
		 "the translator: guest x86 to host x86-64 code, every x86-64 host");
}

static int bt_tier_vm_init(struct vm *vm) { return engine_vm_init(vm, TIER_BT, &bt_fast); }
static void bt_tier_vm_destroy(struct vm *vm) { engine_vm_destroy(vm, TIER_BT); }
static int bt_tier_attach(struct vcpu *v) { return engine_attach(v, TIER_BT); }
static void bt_tier_detach(struct vcpu *v) { engine_detach(v, TIER_BT); }
static int bt_sync_in(struct vcpu *v) { return engine_sync_in(v, TIER_BT); }
static int bt_sync_out(struct vcpu *v) { return engine_sync_out(v, TIER_BT); }
static enum tier_exit bt_run(struct vcpu *v) { return engine_run(v, TIER_BT); }
static enum tier_exit bt_step(struct vcpu *v) { return engine_step(v, TIER_BT); }
static void bt_tier_kick(struct vcpu *v) { engine_kick(v, TIER_BT); }

static bool bt_can_run(const struct vm *vm, const struct cpu_state *s)
{
	(void)vm;
	(void)s;
	return true;
}

const struct tier bt_tier = {
	.name = "bt",
	.id = TIER_BT,
	.probe = bt_probe,
	.vm_init = bt_tier_vm_init,
	.vm_destroy = bt_tier_vm_destroy,
	.attach = bt_tier_attach,
	.detach = bt_tier_detach,
	.sync_in = bt_sync_in,
	.sync_out = bt_sync_out,
	.run = bt_run,
	.can_run = bt_can_run,
	.kick = bt_tier_kick,
	.step = bt_step,
};
