/* Port I/O: the permission check (IOPL, CPL, v86, the TSS I/O bitmap) and
 * IN, OUT, INS, OUTS with every prefix, address size and direction. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include "cpu/interp/sysarch.h"
#include "cpu/vcpu.h"

/* string I/O iterations per execution: a long REP INS gives the loop a
 * chance at interrupts between chunks, as hardware does between
 * iterations (the instruction restarts with the counts so far) */
#define IO_REP_CHUNK 4096

void io_check(struct icpu *c, uint16_t port, unsigned size)
{
	struct cpu_state *s = c->s;
	if (!cpu_protected(s))
		return;
	unsigned iopl = (s->rflags >> 12) & 3;
	if (!c->v86 && c->cpl <= iopl)
		return;
	/* only a 32-bit TSS has a bitmap; both bytes holding the port's bits
	 * must lie inside the TSS limit */
	const struct cpu_segment *tr = &s->tr;
	unsigned type = SEG_ATTR_TYPE(tr->attr);
	if ((type != SYS_TSS32 && type != SYS_TSS32_BUSY) || tr->limit < 0x67)
		cpu_gp(c, 0);
	uint32_t base = (uint32_t)lmem_read_sys(c, lin_wrap(c, tr->base + 0x66), 2);
	uint32_t off = base + (port >> 3);
	if (off + 1 > tr->limit)
		cpu_gp(c, 0);
	uint32_t bits = (uint32_t)lmem_read_sys(c, lin_wrap(c, tr->base + off), 2);
	uint32_t mask = ((1u << size) - 1) << (port & 7);
	if (bits & mask)
		cpu_gp(c, 0);
}

static uint32_t port_in(struct icpu *c, uint16_t port, unsigned size)
{
	uint32_t v = 0;
	vcpu_pio(c->v, port, &v, size, false);
	if (__builtin_expect(c->dbg_on, 0))
		idbg_io(c, port, size);
	return v;
}

static void port_out(struct icpu *c, uint16_t port, uint32_t v, unsigned size)
{
	vcpu_pio(c->v, port, &v, size, true);
	if (__builtin_expect(c->dbg_on, 0))
		idbg_io(c, port, size);
}

static uint16_t port_of(const struct icpu *c, const struct insn *i, int n)
{
	if (i->opnd[n].kind == OPK_IMM)
		return (uint16_t)(i->imm & 0xff);
	return (uint16_t)c->s->gpr[R_EDX];
}

void sysop_in(struct icpu *c, const struct insn *i)
{
	unsigned size = i->opnd[0].size;
	uint16_t port = port_of(c, i, 1);
	io_check(c, port, size);
	reg_write(c, R_EAX, size, port_in(c, port, size));
}

void sysop_out(struct icpu *c, const struct insn *i)
{
	unsigned size = i->opnd[1].size;
	uint16_t port = port_of(c, i, 0);
	io_check(c, port, size);
	port_out(c, port, (uint32_t)reg_read(c, R_EAX, size), size);
}

/* the element size of a string I/O instruction: the memory operand's */
static unsigned str_size(const struct insn *i)
{
	for (int n = 0; n < i->nopnd; n++)
		if (i->opnd[n].kind == OPK_STR_SRC || i->opnd[n].kind == OPK_STR_DST)
			return i->opnd[n].size;
	return i->osize;
}

static void string_io(struct icpu *c, const struct insn *i, bool out)
{
	struct cpu_state *s = c->s;
	unsigned size = str_size(i), as = i->asize;
	uint16_t port = (uint16_t)s->gpr[R_EDX];
	bool rep = i->prefixes & (PFX_REP | PFX_REPNE);
	int64_t step = (s->rflags & FL_DF) ? -(int64_t)size : (int64_t)size;
	int idx = out ? R_ESI : R_EDI;
	int seg = out ? i->seg : S_ES;

	if (rep && reg_read(c, R_ECX, as) == 0)
		return;
	io_check(c, port, size);
	for (unsigned n = 0;; n++) {
		uint64_t off = reg_read(c, idx, as);
		if (out) {
			uint32_t v = (uint32_t)vmem_read(c, seg, off, size);
			port_out(c, port, v, size);
		} else {
			/* a faulting store must not lose a port read */
			vmem_probe(c, seg, off, size, MMU_WRITE);
			vmem_write(c, seg, off, port_in(c, port, size), size);
		}
		reg_write(c, idx, as, off + (uint64_t)step);
		if (!rep)
			return;
		uint64_t cx = reg_read(c, R_ECX, as) - 1;
		reg_write(c, R_ECX, as, cx);
		if ((cx & size_mask(as)) == 0)
			return;
		/* a breakpoint or catch hit: its trap after this iteration */
		if (n + 1 >= IO_REP_CHUNK || c->dbg_hits || c->dbg_watch || c->dbg_io) {
			c->next_rip = s->rip;	/* resume this instruction */
			return;
		}
	}
}

void sysop_ins(struct icpu *c, const struct insn *i) { string_io(c, i, false); }
void sysop_outs(struct icpu *c, const struct insn *i) { string_io(c, i, true); }
