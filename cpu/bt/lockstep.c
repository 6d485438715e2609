/* The in-process lockstep check (-accel bt,lockstep=N): every block the
 * translator runs from instruction N on runs again in the interpreter
 * from the same state, and the two must agree on every register and on
 * every byte either wrote.
 *
 * A journal on the TLB (struct tlb.journal) keeps write tags off, so
 * every write of the CPU reaches the slow path, which hands the journal
 * the bytes about to change: it logs their old contents. After the
 * translated run the log gives what it wrote and undoes it; the
 * interpreter then runs the same number of instructions from the saved
 * registers, logging too. Blocks that touch device memory are not run
 * twice (a device would see both runs); blocks that fault are not
 * compared. Chaining is off, so every block comes back to the
 * dispatcher. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

#define LOG_BYTES (256 * 1024)

/* one logged write: where, how many bytes, then their old contents */
struct wrec {
	uint8_t *host;
	uint32_t size;
};

struct wlog {
	size_t used;
	bool full;
	uint8_t buf[LOG_BYTES];
};

struct bt_lockstep {
	uint64_t from;			/* first instruction to check */
	struct wlog *cur;		/* the log being written, or NULL */
	bool device;			/* device memory touched */
	struct wlog bt, in;		/* the translated run's, the interpreter's */
	struct cpu_state s0, sbt;
	uint64_t checked, skipped;
	uint64_t group_left;		/* of skipped: left where a memory group failed */
	bool failed;
};

static void journal(void *opaque, void *host, unsigned size)
{
	struct bt_lockstep *ls = opaque;
	struct wlog *w = ls->cur;
	if (!w)
		return;
	if (!host) {
		ls->device = true;
		return;
	}
	size_t need = sizeof(struct wrec) + ((size + 7) & ~7u);
	if (w->used + need > LOG_BYTES) {
		w->full = true;
		return;
	}
	struct wrec r = { host, size };
	memcpy(w->buf + w->used, &r, sizeof(r));
	memcpy(w->buf + w->used + sizeof(r), host, size);
	w->used += need;
}

#define FOR_EACH_WREC(w, r, old)                                                            \
	for (size_t at_ = 0; at_ < (w)->used;                                                 \
	     at_ += sizeof(struct wrec) + ((r.size + 7) & ~7u))                               \
		if (memcpy(&r, (w)->buf + at_, sizeof(r)), old = (w)->buf + at_ + sizeof(r), 1)

/* put back what the log's writes changed, newest first */
static void undo(struct wlog *w)
{
	/* records are variable-sized: collect their offsets first */
	static __thread size_t at[LOG_BYTES / sizeof(struct wrec)];
	size_t n = 0;
	struct wrec r;
	const uint8_t *old;
	FOR_EACH_WREC(w, r, old) {
		(void)old;
		at[n++] = (size_t)(old - w->buf) - sizeof(struct wrec);
	}
	while (n--) {
		memcpy(&r, w->buf + at[n], sizeof(r));
		memcpy(r.host, w->buf + at[n] + sizeof(r), r.size);
	}
}

struct bt_lockstep *bt_lockstep_new(struct icpu *c, uint64_t from)
{
	struct bt_lockstep *ls = calloc(1, sizeof(*ls));
	if (!ls) {
		log_error("bt: out of memory for the lockstep check");
		return NULL;
	}
	ls->from = from;
	c->tlb.journal = journal;
	c->tlb.journal_opaque = ls;
	tlb_flush_all(&c->tlb);
	return ls;
}

void bt_lockstep_free(struct bt_lockstep *ls)
{
	if (ls && (ls->checked || ls->skipped))
		log_msg("bt lockstep: %llu blocks checked against the interpreter, %llu not "
			"(device memory, a fault, or %llu left where a memory group failed)%s",
			(unsigned long long)ls->checked, (unsigned long long)ls->skipped,
			(unsigned long long)ls->group_left, ls->failed ? "; FAILED" : "");
	free(ls);
}

static void log_start(struct bt_lockstep *ls, struct wlog *w)
{
	w->used = 0;
	w->full = false;
	ls->device = false;
	ls->cur = w;
}

void bt_lockstep_abort(struct bt_lockstep *ls, struct icpu *c)
{
	(void)c;
	if (ls->cur) {
		ls->cur = NULL;
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

/* the first byte where memory differs from what the translated run
 * left: its own writes (bt log: what they wrote, kept in sbt_bytes), and
 * the interpreter's elsewhere (unchanged by the translated run: their old
 * contents) */
static bool memory_differs(struct bt_lockstep *ls, const uint8_t *bt_new, char *why, size_t len)
{
	struct wrec r;
	const uint8_t *old;
	size_t k = 0;
	FOR_EACH_WREC(&ls->bt, r, old) {
		(void)old;
		for (unsigned o = 0; o < r.size; o++)
			if (r.host[o] != bt_new[k + o]) {
				snprintf(why, len, "memory at host %p: bt wrote %#04x, interp %#04x",
					 (void *)(r.host + o), bt_new[k + o], r.host[o]);
				return true;
			}
		k += r.size;
	}
	/* the usual case: the interpreter made the same writes */
	if (ls->in.used == ls->bt.used) {
		bool same = true;
		size_t at = 0;
		while (same && at < ls->in.used) {
			struct wrec a, b;
			memcpy(&a, ls->in.buf + at, sizeof(a));
			memcpy(&b, ls->bt.buf + at, sizeof(b));
			same = a.host == b.host && a.size == b.size;
			at += sizeof(struct wrec) + ((a.size + 7) & ~7u);
		}
		if (same)
			return false;
	}
	FOR_EACH_WREC(&ls->in, r, old) {
		for (unsigned o = 0; o < r.size; o++) {
			/* a byte the translated run wrote too was checked above */
			bool by_bt = false;
			struct wrec q;
			const uint8_t *qold;
			FOR_EACH_WREC(&ls->bt, q, qold) {
				(void)qold;
				if (r.host + o >= q.host && r.host + o < q.host + q.size)
					by_bt = true;
			}
			if (!by_bt && r.host[o] != old[o]) {
				snprintf(why, len, "memory at host %p: interp wrote %#04x, bt left %#04x",
					 (void *)(r.host + o), r.host[o], old[o]);
				return true;
			}
		}
	}
	return false;
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
	log_start(ls, &ls->bt);
	int32_t budget0 = c->bt_budget;
	c->bt_group_left = false;
	c->bt_in = true;
	struct bt_ret r = bv->enter(c, c->s, blk->code);
	c->bt_in = false;
	ls->cur = NULL;
	unsigned ran = (unsigned)(budget0 - c->bt_budget);
	/* a block that left where its memory group failed (gen.c's
	 * group_again) may hold undefined flags as the host left them */
	bool group_left = c->bt_group_left;
	c->bt_group_left = false;
	if (ls->device || ls->bt.full || !ran || group_left) {
		ls->skipped++;
		ls->group_left += group_left;
		return r;
	}
	normalize_flags(c);
	ls->sbt = *c->s;
	/* what the translated run wrote, then the memory as it found it */
	static __thread uint8_t bt_new[LOG_BYTES];
	size_t k = 0;
	struct wrec w;
	const uint8_t *old;
	FOR_EACH_WREC(&ls->bt, w, old) {
		(void)old;
		memcpy(bt_new + k, w.host, w.size);
		k += w.size;
	}
	undo(&ls->bt);

	/* the interpreter, from the same state, as many instructions */
	*c->s = ls->s0;
	log_start(ls, &ls->in);
	uint64_t insns0 = c->insns;
	jmp_buf jb, *outer = c->fault_jmp;
	c->fault_jmp = &jb;
	volatile int fault = -1;
	if (setjmp(jb))
		fault = c->fault_vector;
	else
		for (unsigned n = 0; n < ran; n++)
			engine_exec_one(c);
	c->fault_jmp = outer;
	ls->cur = NULL;
	c->insns = insns0;
	normalize_flags(c);

	char why[160] = "";
	if (fault != -1)
		snprintf(why, sizeof(why), "the interpreter faulted (vector %d)", fault);
	else if (ls->device)
		snprintf(why, sizeof(why), "the interpreter touched device memory");
	else if (ls->in.full)
		snprintf(why, sizeof(why), "the interpreter wrote more than the log holds");
	else if (memcmp(c->s->gpr, ls->sbt.gpr, sizeof(c->s->gpr)) || c->s->rip != ls->sbt.rip ||
		 c->s->rflags != ls->sbt.rflags)
		snprintf(why, sizeof(why), "registers");
	else if (memcmp(c->s->fxsave + 160, ls->sbt.fxsave + 160, 256))
		snprintf(why, sizeof(why), "xmm registers");
	else
		memory_differs(ls, bt_new, why, sizeof(why));
	if (why[0])
		report(ls, c, blk, ran, why);
	ls->checked++;
	return r;
}
