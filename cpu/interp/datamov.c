// Data movement semantics: MOV and its extending forms, XCHG, LEA, XLAT, LAHF/SAHF, flag bit instructions.
// SPDX-License-Identifier: MIT
#include "cpu/interp/alu.h"
#include "cpu/interp/flags.h"
#include "hw/log.h"		/* log_once */

static inline int64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - size * 8;
	return (int64_t)(v << sh) >> sh;
}

static void flags_put(struct icpu *c, uint32_t mask, uint32_t bits)
{
	uint64_t f = flags_get(c);
	flags_set(c, (f & ~(uint64_t)mask) | (bits & mask));
}

void dm_mov(struct icpu *c, const struct insn *i)
{
	opnd_write(c, i, 0, opnd_read(c, i, 1) & size_mask(i->opnd[0].size));
}

void dm_movzx(struct icpu *c, const struct insn *i)
{
	opnd_write(c, i, 0, opnd_read(c, i, 1) & size_mask(i->opnd[1].size));
}

void dm_movsx(struct icpu *c, const struct insn *i)
{
	uint64_t v = (uint64_t)sext(opnd_read(c, i, 1), i->opnd[1].size);
	opnd_write(c, i, 0, v & size_mask(i->opnd[0].size));
}

/* 63 /r in 64-bit mode (ARPL elsewhere, which the decoder names so) */
void dm_movsxd(struct icpu *c, const struct insn *i)
{
	dm_movsx(c, i);
}

void dm_xchg(struct icpu *c, const struct insn *i)
{
	/* 90 is NOP, not XCHG eAX, eAX: no zero-extension in 64-bit mode */
	if (i->map == MAP_ONE && i->opcode == 0x90 && i->opnd[0].reg == i->opnd[1].reg)
		return;
	int m = opnd_is_mem(i, 1) ? 1 : opnd_is_mem(i, 0) ? 0 : -1;
	if (m < 0) {
		uint64_t a = opnd_read(c, i, 0), b = opnd_read(c, i, 1);
		opnd_write(c, i, 0, b);
		opnd_write(c, i, 1, a);
		return;
	}
	/* the memory side is a locked read-modify-write, written first */
	unsigned sz = i->opnd[m].size;
	uint64_t mv = vmem_read_rmw(c, i->seg, insn_ea(c, i), sz);
	vmem_write_rmw(c, opnd_read(c, i, 1 - m) & size_mask(sz));
	opnd_write(c, i, 1 - m, mv);
}

/* the offset, wrapped to the address size by insn_ea, then cut to the
 * operand size by the register write */
void dm_lea(struct icpu *c, const struct insn *i)
{
	if (!opnd_is_mem(i, 1))
		cpu_ud(c);
	opnd_write(c, i, 0, insn_ea(c, i) & size_mask(i->opnd[0].size));
}

void dm_xlat(struct icpu *c, const struct insn *i)
{
	uint64_t off = (reg_read(c, R_EBX, i->asize) + reg_read(c, R_EAX, 1)) & size_mask(i->asize);
	reg_write(c, R_EAX, 1, vmem_read(c, i->seg, off, 1));
}

#define FL_LAHF (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

void dm_lahf(struct icpu *c, const struct insn *i)
{
	(void)i;
	reg_write(c, REG_AH, 1, (flags_get(c) & FL_LAHF) | FL_FIXED);
}

void dm_sahf(struct icpu *c, const struct insn *i)
{
	(void)i;
	flags_put(c, FL_LAHF, (uint32_t)reg_read(c, REG_AH, 1));
}

void dm_clc(struct icpu *c, const struct insn *i)
{
	(void)i;
	flags_put(c, FL_CF, 0);
}

void dm_stc(struct icpu *c, const struct insn *i)
{
	(void)i;
	flags_put(c, FL_CF, FL_CF);
}

void dm_cmc(struct icpu *c, const struct insn *i)
{
	(void)i;
	flags_put(c, FL_CF, flags_cf(c) ? 0 : FL_CF);
}

/* DF is not an arithmetic flag: it always lives in rflags */
void dm_cld(struct icpu *c, const struct insn *i)
{
	(void)i;
	c->s->rflags &= ~(uint64_t)FL_DF;
}

void dm_std(struct icpu *c, const struct insn *i)
{
	(void)i;
	c->s->rflags |= FL_DF;
}

/* undocumented D6: AL = CF ? FF : 00, flags unchanged */
void dm_salc(struct icpu *c, const struct insn *i)
{
	(void)i;
	reg_write(c, R_EAX, 1, flags_cf(c) ? 0xff : 0);
}

/* MOVBE is not in the P6's CPUID: #UD */
void dm_movbe(struct icpu *c, const struct insn *i)
{
	(void)i;
	log_once("interp: MOVBE is not advertised by this CPU model: #UD");
	cpu_ud(c);
}
