/* The interpreter's ALU handlers on a bare struct icpu, for the tests that
 * compare them with real CPUs (test_alu_host, test_alu_bcd): the memory and
 * fault entry points are stubbed over a flat buffer, so no decoder or MMU
 * is needed. Include in one file of a test binary only. */
#ifndef TESTSUITE_ALURIG_H
#define TESTSUITE_ALURIG_H

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/interp/ops.h"

/* -- stubs for memory and faults: a flat buffer at segment base + offset -- */

static uint8_t tmem[1 << 17];
static jmp_buf fault_jb;
static int fault_vec;
static uint64_t rmw_addr;
static unsigned rmw_size;

_Noreturn void cpu_fault(struct icpu *c, int vector, uint32_t error)
{
	(void)c;
	(void)error;
	fault_vec = vector;
	longjmp(fault_jb, 1);
}

_Noreturn void cpu_fault_noerr(struct icpu *c, int vector)
{
	cpu_fault(c, vector, 0);
}

static uint64_t flat(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	uint64_t a = c->s->seg[seg].base + off;
	if (a + size > sizeof tmem)
		cpu_fault(c, EXC_GP, 0);
	return a;
}

uint64_t vmem_read(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, tmem + flat(c, seg, off, size), size);
	return v;
}

void vmem_write(struct icpu *c, int seg, uint64_t off, uint64_t val, unsigned size)
{
	memcpy(tmem + flat(c, seg, off, size), &val, size);
}

void vmem_probe(struct icpu *c, int seg, uint64_t off, unsigned size, enum mmu_access acc)
{
	(void)acc;
	flat(c, seg, off, size);
}

uint64_t vmem_read_rmw(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	rmw_addr = flat(c, seg, off, size);
	rmw_size = size;
	return vmem_read(c, seg, off, size);
}

void vmem_write_rmw(struct icpu *c, uint64_t val)
{
	(void)c;
	memcpy(tmem + rmw_addr, &val, rmw_size);
}

uint64_t insn_ea(const struct icpu *c, const struct insn *i)
{
	uint64_t ea = (uint64_t)(int64_t)i->disp;
	if (i->base != REG_NONE)
		ea += c->s->gpr[i->base];
	if (i->index != REG_NONE)
		ea += c->s->gpr[i->index] << i->scale;
	return ea & size_mask(i->asize);
}

uint64_t opnd_read(struct icpu *c, const struct insn *i, int n)
{
	const struct opnd *o = &i->opnd[n];
	switch (o->kind) {
	case OPK_REG: return reg_read(c, o->reg, o->size);
	case OPK_MEM: return vmem_read(c, i->seg, insn_ea(c, i), o->size);
	case OPK_IMM: return i->imm & size_mask(o->size);
	case OPK_ONE: return 1;
	default: abort();
	}
}

void opnd_write(struct icpu *c, const struct insn *i, int n, uint64_t v)
{
	const struct opnd *o = &i->opnd[n];
	if (o->kind == OPK_REG)
		reg_write(c, o->reg, o->size, v);
	else if (o->kind == OPK_MEM)
		vmem_write(c, i->seg, insn_ea(c, i), v, o->size);
	else
		abort();
}

/* -- the interpreter side -- */

static struct cpu_state st;
static struct icpu ic;

static insn_fn *handler(unsigned op)
{
	for (const struct interp_op *t = interp_ops_alu; t->fn; t++)
		if (t->op == op)
			return t->fn;
	return NULL;
}

static void icpu_reset(uint64_t rflags)
{
	memset(&st, 0, sizeof st);
	memset(&ic, 0, sizeof ic);
	ic.s = &st;
	ic.lf_op = LF_NONE;
	st.rflags = rflags | FL_FIXED;
}

/* run a handler; the fault vector, or -1 */
static int interp_run(insn_fn *fn, const struct insn *in)
{
	fault_vec = -1;
	ic.next_rip = st.rip + in->len;
	if (!setjmp(fault_jb))
		fn(&ic, in);
	return fault_vec;
}

#endif
