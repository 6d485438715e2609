// String instruction semantics (MOVS CMPS STOS LODS SCAS) with REP/REPE/REPNE, every operand and address size.
// SPDX-License-Identifier: MIT
#include "cpu/interp/alu.h"

#include <string.h>
#include "cpu/interp/fastmem.h"
#include "cpu/interp/flags.h"

/* A REP instruction does at most this many iterations per call, then
 * leaves rip at itself with rCX/rSI/rDI updated, so the loop can take
 * interrupts in between: the hardware restarts REP the same way. */
enum { REP_BATCH = 1024 };

/* one iteration; the source is seg:rSI (i->seg, overridable), the
 * destination always ES:rDI. Memory first, registers after, so a fault
 * leaves the registers at the faulting iteration. */
typedef void str_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta);

static inline uint64_t areg(const struct icpu *c, const struct insn *i, unsigned r)
{
	return reg_read(c, r, i->asize);
}

/* rSI/rDI wrap at the address size (64K for 16-bit, 4G for 32-bit) */
static inline void advance(struct icpu *c, const struct insn *i, unsigned r, uint64_t delta)
{
	reg_write(c, r, i->asize, (areg(c, i, r) + delta) & size_mask(i->asize));
}

static void movs_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t v = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	vmem_write(c, S_ES, areg(c, i, R_EDI), v, sz);
	advance(c, i, R_ESI, delta);
	advance(c, i, R_EDI, delta);
}

static void cmps_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t a = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	uint64_t b = vmem_read(c, S_ES, areg(c, i, R_EDI), sz);
	advance(c, i, R_ESI, delta);
	advance(c, i, R_EDI, delta);
	flags_lazy(c, LF_SUB, sz, a, b, a - b);
}

static void stos_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	vmem_write(c, S_ES, areg(c, i, R_EDI), reg_read(c, R_EAX, sz), sz);
	advance(c, i, R_EDI, delta);
}

static void lods_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t v = vmem_read(c, i->seg, areg(c, i, R_ESI), sz);
	reg_write(c, R_EAX, sz, v);
	advance(c, i, R_ESI, delta);
}

static void scas_step(struct icpu *c, const struct insn *i, unsigned sz, uint64_t delta)
{
	uint64_t b = vmem_read(c, S_ES, areg(c, i, R_EDI), sz);
	uint64_t a = reg_read(c, R_EAX, sz);
	advance(c, i, R_EDI, delta);
	flags_lazy(c, LF_SUB, sz, a, b, a - b);
}

/* -- REP MOVS/STOS a page at a time -- */

/* the host address of len bytes at seg:off, lin its linear address, when
 * they lie on one page the TLB maps straight to host memory for acc and
 * the segment passes them as the fast paths' (seg_plain); else NULL. Pages
 * with anything to notice (code, MMIO, a watchpoint, the lockstep journal)
 * have no TLB tag: the per-element path takes them. */
static uint8_t *span(struct icpu *c, int seg, uint64_t off, uint64_t lin, uint64_t len,
		     enum mmu_access acc)
{
	if (c->code_size != 64 && !seg_plain(&c->s->seg[seg], off, len, acc))
		return NULL;
	if ((lin & 0xfff) + len > 0x1000)
		return NULL;
	const struct tlb_entry *e = icpu_tlb_entry(c, lin);
	if (e->tag[acc] != (lin & ~0xfffull))
		return NULL;
	return (uint8_t *)(uintptr_t)(lin + e->addend);
}

/* Up to max forward iterations of REP STOS (src false) or MOVS at once,
 * to the end of the first page either side reaches: what the
 * per-element path would do, with the same result when it cannot fault.
 * Returns the iterations done (0: none, the per-element path goes on). */
static uint64_t rep_bulk(struct icpu *c, const struct insn *i, unsigned sz, uint64_t max, bool movs)
{
	uint64_t amask = size_mask(i->asize);
	uint64_t doff = areg(c, i, R_EDI), dlin = fast_lin(c, S_ES, doff);
	uint64_t soff = movs ? areg(c, i, R_ESI) : 0, slin = movs ? fast_lin(c, i->seg, soff) : 0;
	/* aligned elements, as the per-element fast path wants (#AC) */
	if ((dlin | slin) & (sz - 1))
		return 0;
	/* to the first page end either side meets, and no wrap of rDI/rSI */
	uint64_t n = max;
	if (n > (0x1000 - (dlin & 0xfff)) / sz)
		n = (0x1000 - (dlin & 0xfff)) / sz;
	if ((amask - doff) / sz < n - 1)
		n = (amask - doff) / sz + 1;
	if (movs) {
		if (n > (0x1000 - (slin & 0xfff)) / sz)
			n = (0x1000 - (slin & 0xfff)) / sz;
		if ((amask - soff) / sz < n - 1)
			n = (amask - soff) / sz + 1;
	}
	if (n < 2)
		return 0;
	uint64_t len = n * sz;
	uint8_t *d = span(c, S_ES, doff, dlin, len, MMU_WRITE);
	if (!d)
		return 0;
	if (movs) {
		const uint8_t *src = span(c, i->seg, soff, slin, len, MMU_READ);
		/* a destination just above the source repeats what each
		 * element copies: element by element */
		if (!src || (d > src && d < src + len))
			return 0;
		memmove(d, src, len);
		reg_write(c, R_ESI, i->asize, (soff + len) & amask);
	} else if (sz == 1) {
		memset(d, (int)(uint8_t)c->s->gpr[R_EAX], len);
	} else {
		uint64_t v = reg_read(c, R_EAX, sz);
		for (uint64_t k = 0; k < len; k += sz)
			host_store(d + k, v, sz);
	}
	reg_write(c, R_EDI, i->asize, (doff + len) & amask);
	return n;
}

/* compares: F3 repeats while equal, F2 while not equal; the others take
 * either prefix as REP */
static void string_op(struct icpu *c, const struct insn *i, str_step *step, bool compares)
{
	/* even opcodes (A4 A6 AA AC AE) are the byte forms */
	unsigned sz = (i->opcode & 1) ? i->osize : 1;
	uint64_t delta = (c->s->rflags & FL_DF) ? (uint64_t)-(int64_t)sz : sz;
	if (!(i->prefixes & (PFX_REP | PFX_REPNE))) {
		step(c, i, sz, delta);
		return;
	}
	bool while_equal = !(i->prefixes & PFX_REPNE);
	bool bulk = (step == stos_step || step == movs_step) && delta == sz && !c->dbg_on;
	for (unsigned n = 0; n < REP_BATCH; n++) {
		uint64_t cx = areg(c, i, R_ECX);
		if (cx == 0)
			return;
		if (bulk) {
			uint64_t done = rep_bulk(c, i, sz, cx, step == movs_step);
			if (done) {
				reg_write(c, R_ECX, i->asize, cx - done);
				if (cx == done)
					return;
				continue;
			}
		}
		step(c, i, sz, delta);
		reg_write(c, R_ECX, i->asize, cx - 1);
		if (cx == 1)
			return;
		if (compares && cond_eval(c, 4) != while_equal)
			return;
		/* a data breakpoint or watchpoint hit: its trap comes after
		 * this iteration, the rest after the handler (SDM 17.3.1.2) */
		if (__builtin_expect(c->dbg_hits || c->dbg_watch, 0))
			break;
	}
	c->next_rip = c->s->rip;
}

void str_movs(struct icpu *c, const struct insn *i) { string_op(c, i, movs_step, false); }
void str_cmps(struct icpu *c, const struct insn *i) { string_op(c, i, cmps_step, true); }
void str_stos(struct icpu *c, const struct insn *i) { string_op(c, i, stos_step, false); }
void str_lods(struct icpu *c, const struct insn *i) { string_op(c, i, lods_step, false); }
void str_scas(struct icpu *c, const struct insn *i) { string_op(c, i, scas_step, true); }
