/* The in-process lockstep check (-accel bt,lockstep=N): every block the
 * translator runs from instruction N on runs again in the interpreter
 * from the same state, and the two must agree on every register and on
 * every byte they wrote.
 *
 * A journal on the TLB (struct tlb.journal) copies each page before the
 * block's first write to it: the TLB is emptied before each run, and in
 * journal mode only a write fills a write tag. After the translated run
 * its pages are kept aside and the originals put back; the interpreter
 * then runs the same number of instructions from the saved registers.
 * Blocks that touch device memory are not run twice (a device would see
 * both runs); blocks that fault are not compared. Both take their
 * count. Chaining is off, so every block comes back to the dispatcher. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

#define LS_PAGES 32

struct bt_lockstep {
	uint64_t from;			/* first instruction to check */
	unsigned n;			/* pages journaled */
	bool device;			/* device memory touched, or too many pages */
	void *page[LS_PAGES];
	uint8_t orig[LS_PAGES][4096];
	uint8_t bt[LS_PAGES][4096];
	struct cpu_state s0, sbt;
	uint64_t checked, skipped;
	bool failed;
};

static void journal(void *opaque, void *host_page)
{
	struct bt_lockstep *ls = opaque;
	if (!host_page) {
		ls->device = true;
		return;
	}
	for (unsigned i = 0; i < ls->n; i++)
		if (ls->page[i] == host_page)
			return;
	if (ls->n == LS_PAGES) {
		ls->device = true;
		return;
	}
	ls->page[ls->n] = host_page;
	memcpy(ls->orig[ls->n], host_page, 4096);
	ls->n++;
}

struct bt_lockstep *bt_lockstep_new(uint64_t from)
{
	struct bt_lockstep *ls = calloc(1, sizeof(*ls));
	if (ls)
		ls->from = from;
	else
		log_error("bt: out of memory for the lockstep check");
	return ls;
}

void bt_lockstep_free(struct bt_lockstep *ls)
{
	if (ls && (ls->checked || ls->skipped))
		log_msg("bt lockstep: %llu blocks checked against the interpreter, %llu not "
			"(device memory or a fault)%s", (unsigned long long)ls->checked,
			(unsigned long long)ls->skipped, ls->failed ? "; FAILED" : "");
	free(ls);
}

static void journal_on(struct bt_lockstep *ls, struct icpu *c)
{
	ls->device = false;
	tlb_flush_all(&c->tlb);
	c->tlb.journal = journal;
	c->tlb.journal_opaque = ls;
}

static void journal_off(struct icpu *c)
{
	c->tlb.journal = NULL;
	tlb_flush_all(&c->tlb);
}

void bt_lockstep_abort(struct bt_lockstep *ls, struct icpu *c)
{
	if (c->tlb.journal) {
		journal_off(c);
		ls->skipped++;
	}
}

static void normalize_flags(struct icpu *c)
{
	c->s->rflags = flags_get(c);
	c->lf_op = LF_NONE;
}

static const char *const gpr_name[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void report(struct bt_lockstep *ls, struct icpu *c, const struct bt_block *blk,
		   unsigned ran, const char *what)
{
	const struct cpu_state *a = &ls->sbt, *b = c->s, *z = &ls->s0;
	log_error("bt lockstep: the block at rip %#llx (%u instructions run, cs.l %d) differs "
		  "from the interpreter: %s", (unsigned long long)blk->rip, ran,
		  !!(blk->mode & BT_MODE_CS64), what);
	log_msg("bt lockstep:   reg        before             bt                 interp");
	for (int r = 0; r < 16; r++)
		log_msg("bt lockstep:   %-4s %c %016llx %016llx %016llx", gpr_name[r],
			a->gpr[r] != b->gpr[r] ? '*' : ' ', (unsigned long long)z->gpr[r],
			(unsigned long long)a->gpr[r], (unsigned long long)b->gpr[r]);
	log_msg("bt lockstep:   rip  %c %016llx %016llx %016llx", a->rip != b->rip ? '*' : ' ',
		(unsigned long long)z->rip, (unsigned long long)a->rip, (unsigned long long)b->rip);
	log_msg("bt lockstep:   rfl  %c %016llx %016llx %016llx",
		a->rflags != b->rflags ? '*' : ' ', (unsigned long long)z->rflags,
		(unsigned long long)a->rflags, (unsigned long long)b->rflags);
	char hex[3 * 64 + 1] = "";
	const uint8_t *code = (const uint8_t *)blk->host;
	unsigned len = 0x1000 - (unsigned)(blk->host & 0xfff);
	for (unsigned i = 0; i < 64 && i < len; i++)
		snprintf(hex + 3 * i, 4, "%02x ", code[i]);
	log_msg("bt lockstep:   code %s", hex);
	ls->failed = true;
	vm_request_stop(c->v->vm, VM_STOP_EXIT, 3);
}

struct bt_ret bt_lockstep_block(struct bt_lockstep *ls, struct bt_vm *bv, struct icpu *c,
				const struct bt_block *blk)
{
	if (c->insns < ls->from || blk->ninsns == 0 || ls->failed) {
		c->bt_in = true;
		struct bt_ret r = bv->enter(c, c->s, blk->code);
		c->bt_in = false;
		return r;
	}
	normalize_flags(c);
	ls->s0 = *c->s;
	ls->n = 0;
	journal_on(ls, c);
	int32_t budget0 = c->bt_budget;
	c->bt_in = true;
	struct bt_ret r = bv->enter(c, c->s, blk->code);
	c->bt_in = false;
	unsigned ran = (unsigned)(budget0 - c->bt_budget);
	if (ls->device || !ran) {
		journal_off(c);
		ls->skipped++;
		return r;
	}
	normalize_flags(c);
	ls->sbt = *c->s;
	unsigned nbt = ls->n;
	for (unsigned i = 0; i < nbt; i++) {
		memcpy(ls->bt[i], ls->page[i], 4096);
		memcpy(ls->page[i], ls->orig[i], 4096);
	}

	/* the interpreter, from the same state, as many instructions */
	*c->s = ls->s0;
	journal_on(ls, c);
	uint64_t insns0 = c->insns;
	jmp_buf jb, *outer = c->fault_jmp;
	c->fault_jmp = &jb;
	volatile int fault = -1;
	if (setjmp(jb))
		fault = c->fault_vector;
	else
		for (unsigned k = 0; k < ran; k++)
			engine_exec_one(c);
	c->fault_jmp = outer;
	bool device = ls->device;
	journal_off(c);
	c->insns = insns0;
	normalize_flags(c);

	char why[160] = "";
	if (fault != -1)
		snprintf(why, sizeof(why), "the interpreter faulted (vector %d)", fault);
	else if (device)
		snprintf(why, sizeof(why), "the interpreter touched device memory");
	else if (memcmp(c->s->gpr, ls->sbt.gpr, sizeof(c->s->gpr)) || c->s->rip != ls->sbt.rip ||
		 c->s->rflags != ls->sbt.rflags)
		snprintf(why, sizeof(why), "registers");
	else {
		for (unsigned i = 0; i < ls->n && !why[0]; i++) {
			const uint8_t *want = i < nbt ? ls->bt[i] : ls->orig[i];
			const uint8_t *got = ls->page[i];
			for (unsigned o = 0; o < 4096; o++)
				if (want[o] != got[o]) {
					snprintf(why, sizeof(why),
						 "memory: host page %p + %#x: bt %#04x, interp %#04x",
						 ls->page[i], o, want[o], got[o]);
					break;
				}
		}
	}
	if (why[0])
		report(ls, c, blk, ran, why);
	ls->checked++;
	return r;
}
