/* MMX and SSE to SSE4.2: the part every form shares. Which form runs is a
 * table lookup on (map, opcode, mandatory prefix); this file does the
 * checks (#UD, #NM, #MF, alignment), reads and writes the operands, keeps
 * the MMX registers aliased on the x87 stack, and runs the IEEE rows under
 * the guest's MXCSR. Also LDMXCSR, STMXCSR, EMMS, MASKMOV's store, the
 * fences and CLFLUSH. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/sse.h"

#include <stdatomic.h>
#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/interp/fximage.h"
#include "cpu/interp/icpu.h"
#include "cpu/interp/ops.h"
#include "hw/log.h"

enum { MXCSR_FLAGS = 0x3f, MXCSR_PRE = 0x07 /* IE DE ZE: found before computing */ };

/* -- the lookup: filled once from the computing files' rows -- */

struct sse_row {
	sse_fn *fn;
	uint8_t flags;
};

static struct sse_row rows[1 << 12];
static atomic_bool reported[1 << 12];

static void rows_add(const struct sse_op *t)
{
	for (; t->fn; t++) {
		if (rows[t->key].fn)
			log_msg("interp: SSE row %#x given twice; the first wins", t->key);
		else
			rows[t->key] = (struct sse_row){ t->fn, t->flags };
	}
}

/* bind.c's one-time binding calls this: no instruction reaches op_sse
 * before it has run, so the lookup needs no check of its own */
void sse_rows_init(void)
{
	rows_add(sse_ops_int);
	rows_add(sse_ops_fp);
	rows_add(sse_ops_str);
}

static unsigned key_of(const struct insn *i)
{
	if (i->map == MAP_0F && i->opcode >= 0x71 && i->opcode <= 0x73)
		return SSE_GRP(i->opcode, (i->modrm >> 3) & 7, i->mpfx);
	return SSE_KEY(i->map, i->opcode, i->mpfx);
}

/* -- the register files -- */

static inline uint8_t *fx(struct icpu *c) { return c->s->fxsave; }

union vec *sse_xmm(struct sse *x, unsigned r)
{
	return (union vec *)(fx(x->c) + FX_XMM + 16 * r);
}

/* MMX register r is x87 physical register r: stack slot (r - TOP) & 7 */
static uint8_t *mmx_slot(struct icpu *c, unsigned r)
{
	unsigned top = (fx16(c, FX_FSW) >> 11) & 7;
	return fx(c) + FX_ST + 16 * ((r - top) & 7);
}

/* an MMX instruction: TOP = 0 (the slots turn so that slot r is MMX r),
 * every tag valid */
static void mmx_enter(struct icpu *c)
{
	uint16_t fsw = fx16(c, FX_FSW);
	unsigned top = (fsw >> 11) & 7;
	if (top) {
		uint8_t st[128];
		for (unsigned r = 0; r < 8; r++)
			memcpy(st + 16 * r, fx(c) + FX_ST + 16 * ((r - top) & 7), 16);
		memcpy(fx(c) + FX_ST, st, sizeof(st));
		fsw &= (uint16_t)~0x3800;
		fx16_set(c, FX_FSW, fsw);
	}
	fx(c)[FX_FTW] = 0xff;
}

/* writing an MMX register sets the exponent field of its x87 register to ones */
static void mmx_write(struct icpu *c, unsigned r, uint64_t v)
{
	uint8_t *p = mmx_slot(c, r);
	memcpy(p, &v, 8);
	p[8] = p[9] = 0xff;
}

uint64_t sse_gpr(struct sse *x, unsigned r)
{
	return x->c->s->gpr[r];
}

void sse_set_gpr(struct sse *x, unsigned r, unsigned size, uint64_t v)
{
	reg_write(x->c, r, size, v);
}

/* -- checks and operands -- */

static bool any_kind(const struct insn *i, unsigned kind)
{
	for (unsigned k = 0; k < i->nopnd; k++)
		if (i->opnd[k].kind == kind)
			return true;
	return false;
}

/* CR0.EM: #UD; XMM without CR4.OSFXSR: #UD; CR0.TS: #NM; an MMX register
 * with an x87 exception pending: #MF */
static void checks(struct icpu *c, bool xmm, bool mmx)
{
	if ((c->s->cr0 & CR0_EM) || (xmm && !(c->s->cr4 & CR4_OSFXSR)))
		cpu_ud(c);
	if (c->s->cr0 & CR0_TS)
		cpu_fault_noerr(c, EXC_NM);
	if (mmx)
		x87_check_pending(c);
}

static void read_opnd(struct sse *x, unsigned k, union vec *v, unsigned flags)
{
	struct icpu *c = x->c;
	const struct insn *i = x->i;
	const struct opnd *o = &i->opnd[k];
	memset(v, 0, sizeof(*v));
	switch (o->kind) {
	case OPK_XMM:
		memcpy(v, fx(c) + FX_XMM + 16 * o->reg, 16);
		break;
	case OPK_MMX:
		memcpy(v, mmx_slot(c, o->reg), 8);
		break;
	case OPK_REG:
		v->q[0] = reg_read(c, o->reg, o->size);
		break;
	case OPK_MEM: {
		uint64_t ea = insn_ea(c, i);
		if (o->size == 16) {
			uint64_t m = size_mask(i->asize);
			if (!(flags & SR_UNALIGNED))
				need_aligned(c, i->seg, ea, 16);
			v->q[0] = vmem_read(c, i->seg, ea, 8);
			v->q[1] = vmem_read(c, i->seg, (ea + 8) & m, 8);
		} else {
			v->q[0] = vmem_read(c, i->seg, ea, o->size);
		}
		break;
	}
	case OPK_IMM:
		x->imm = (uint8_t)i->imm;
		break;
	default:
		break;
	}
}

/* the memory destination first (it may fault); registers after */
static void write_mem(struct sse *x, unsigned flags)
{
	struct icpu *c = x->c;
	const struct insn *i = x->i;
	const struct opnd *o = &i->opnd[0];
	uint64_t ea = insn_ea(c, i);
	if (o->size == 16) {
		uint64_t m = size_mask(i->asize);
		if (!(flags & SR_UNALIGNED))
			need_aligned(c, i->seg, ea, 16);
		vmem_probe(c, i->seg, ea, 16, MMU_WRITE);
		vmem_write(c, i->seg, ea, x->d.q[0], 8);
		vmem_write(c, i->seg, (ea + 8) & m, x->d.q[1], 8);
	} else {
		vmem_write(c, i->seg, ea, x->d.q[0], o->size);
	}
}

static void write_reg(struct sse *x)
{
	struct icpu *c = x->c;
	const struct opnd *o = &x->i->opnd[0];
	switch (o->kind) {
	case OPK_XMM:
		memcpy(fx(c) + FX_XMM + 16 * o->reg, &x->d, 16);
		break;
	case OPK_MMX:
		mmx_write(c, o->reg, x->d.q[0]);
		break;
	case OPK_REG:
		reg_write(c, o->reg, o->size, x->d.q[0]);
		break;
	default:
		break;
	}
}

enum { MXCSR_UE = 0x10, MXCSR_UM = 0x800, MXCSR_FTZ = 0x8000 };

/* the host's MXCSR around an IEEE row: the guest's controls, every
 * exception masked, the flags clear; returns the flags it raised.
 * Masked, underflow counts only a tiny result that is also inexact;
 * unmasked, every tiny result. Where the guest unmasks it, a second run
 * with FTZ (which flags every tiny result, exact or not) finds those. */
static unsigned run_fp(struct sse *x, sse_fn *fn)
{
	unsigned host = __builtin_ia32_stmxcsr();
	unsigned ctl = (x->mxcsr & 0xffc0) | 0x1f80;
	struct sse before;
	bool um_unmasked = !(x->mxcsr & MXCSR_UM);
	if (um_unmasked)
		before = *x;
	__builtin_ia32_ldmxcsr(ctl);
	fn(x);
	unsigned raised = __builtin_ia32_stmxcsr() & MXCSR_FLAGS;
	if (um_unmasked && !(raised & MXCSR_UE)) {
		struct sse again = before;
		__builtin_ia32_ldmxcsr(ctl | MXCSR_FTZ);
		fn(&again);
		raised |= __builtin_ia32_stmxcsr() & MXCSR_UE;
	}
	__builtin_ia32_ldmxcsr(host);
	return raised;
}

/* SIMD floating-point exception: flags merged as the SDM orders them (an
 * unmasked one found before computing hides those found after), the
 * destination left alone, #XM with CR4.OSXMMEXCPT, else #UD */
static void fp_flags(struct sse *x, unsigned raised)
{
	struct icpu *c = x->c;
	unsigned unmasked = raised & ~(x->mxcsr >> 7) & MXCSR_FLAGS;
	if (!unmasked) {
		fx32_set(c, FX_MXCSR, x->mxcsr | raised);
		return;
	}
	fx32_set(c, FX_MXCSR, x->mxcsr | ((unmasked & MXCSR_PRE) ? (raised & MXCSR_PRE) : raised));
	if (!(c->s->cr4 & CR4_OSXMMEXCPT))
		cpu_ud(c);
	cpu_fault_noerr(c, EXC_XM);
}

/* applied after the exception checks, so a faulting COMISS leaves them */
void sse_set_flags(struct sse *x, uint64_t arith)
{
	x->eflags = arith & FL_ARITH;
	x->set_eflags = true;
}

static void op_sse(struct icpu *c, const struct insn *i)
{
	unsigned key = key_of(i);
	const struct sse_row *r = &rows[key];
	if (!r->fn) {
		static const char *const map[] = { "", "0f", "0f38", "0f3a" }, *const pfx[] = {
			"", "66 ", "f3 ", "f2 " };
		if (!atomic_exchange(&reported[key], true))
			log_msg("interp: SSE form %s%s %02x not implemented", pfx[i->mpfx & 3],
				map[i->map & 3], i->opcode);
		cpu_ud(c);
	}
	/* MOVNTI and CRC32 are integer instructions: none of this applies */
	bool mmx = any_kind(i, OPK_MMX), xmm = any_kind(i, OPK_XMM);
	if (mmx || xmm)
		checks(c, xmm, mmx);

	struct sse x;
	x.c = c;
	x.i = i;
	x.imm = 0;
	x.set_eflags = false;
	x.mxcsr = fx32(c, FX_MXCSR);
	x.dmem = i->opnd[0].kind == OPK_MEM;
	x.smem = i->nopnd > 1 && i->opnd[1].kind == OPK_MEM;
	x.dsize = i->opnd[0].size;
	x.ssize = i->nopnd > 1 ? i->opnd[1].size : 0;
	x.n = i->opnd[0].kind == OPK_MMX ||
	      (i->opnd[0].kind != OPK_XMM && i->nopnd > 1 && i->opnd[1].kind == OPK_MMX) ? 8 : 16;
	if (x.dmem)
		memset(&x.d, 0, sizeof(x.d));
	else
		read_opnd(&x, 0, &x.d, r->flags);
	for (unsigned k = 1; k < i->nopnd; k++)
		read_opnd(&x, k, k == 1 ? &x.s : &x.s2, r->flags);
	if (i->nopnd < 2)
		memset(&x.s, 0, sizeof(x.s));
	if (i->nopnd < 3 || i->opnd[2].kind == OPK_IMM)
		memset(&x.s2, 0, sizeof(x.s2));

	/* the x87-to-MMX transition happens once the operands are read, so
	 * an #XM raised by the computation finds it done, as on hardware */
	if (mmx)
		mmx_enter(c);
	if (r->flags & SR_FP)
		fp_flags(&x, run_fp(&x, r->fn));
	else
		r->fn(&x);
	if (!(r->flags & SR_NOWB) && x.dmem)
		write_mem(&x, r->flags);
	if (!(r->flags & SR_NOWB))
		write_reg(&x);
	if (x.set_eflags)
		flags_set(c, (flags_get(c) & ~(uint64_t)FL_ARITH) | x.eflags);
}

/* -- the rest of the family: control, state and ordering -- */

static void need_sse_state(struct icpu *c, const struct insn *i)
{
	if (i->opnd[0].kind != OPK_MEM)
		cpu_ud(c);
	checks(c, true, false);
}

static void op_ldmxcsr(struct icpu *c, const struct insn *i)
{
	need_sse_state(c, i);
	uint32_t v = (uint32_t)vmem_read(c, i->seg, insn_ea(c, i), 4);
	fx32_set(c, FX_MXCSR, mxcsr_checked(c, v));
}

static void op_stmxcsr(struct icpu *c, const struct insn *i)
{
	need_sse_state(c, i);
	vmem_write(c, i->seg, insn_ea(c, i), fx32(c, FX_MXCSR), 4);
}

/* EMMS: an MMX instruction like the others (TOP 0), then every x87
 * register empty */
static void op_emms(struct icpu *c, const struct insn *i)
{
	(void)i;
	checks(c, false, true);
	mmx_enter(c);
	fx(c)[FX_FTW] = 0;
}

/* the fences and CLFLUSH order and write back caches the interpreter does
 * not have: memory is coherent and in program order already. CLFLUSH
 * still checks its operand as a byte read (SDM: it faults like one) */
static void op_fence(struct icpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
	atomic_thread_fence(memory_order_seq_cst);
}

static void op_clflush(struct icpu *c, const struct insn *i)
{
	vmem_probe(c, i->seg, insn_ea(c, i), 1, MMU_READ);
}

/* MASKMOVQ/MASKMOVDQU: bytes whose mask byte has bit 7 set go to DS:rDI
 * (segment overridable), each a byte store; all of the range is checked
 * for write first, as the SDM allows either way and a fault must not
 * leave a partial store */
void sse_store_rdi(struct sse *x, const uint8_t *bytes, const uint8_t *mask, unsigned n)
{
	struct icpu *c = x->c;
	const struct insn *i = x->i;
	int seg = (i->prefixes & PFX_SEG) ? i->seg : S_DS;
	uint64_t m = size_mask(i->asize), di = c->s->gpr[R_EDI] & m;
	bool any = false;
	for (unsigned k = 0; k < n; k++)
		any |= (mask[k] & 0x80) != 0;
	if (!any)
		return;
	vmem_probe(c, seg, di, n, MMU_WRITE);
	for (unsigned k = 0; k < n; k++)
		if (mask[k] & 0x80)
			vmem_write(c, seg, (di + k) & m, bytes[k], 1);
}

const struct interp_op interp_ops_sse[] = {
	{ OP_SSE, op_sse },
	{ OP_LDMXCSR, op_ldmxcsr }, { OP_STMXCSR, op_stmxcsr }, { OP_EMMS, op_emms },
	{ OP_LFENCE, op_fence }, { OP_MFENCE, op_fence }, { OP_SFENCE, op_fence },
	{ OP_CLFLUSH, op_clflush },
	{ OP_INVALID, NULL },
};
