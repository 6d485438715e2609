/* The integer semantic functions of datamov.c and string.c, listed in
 * alu.c's interp_ops_alu table, and the operand helpers the three files
 * share. Handlers follow icpu.h's rules. */
#ifndef CPU_INTERP_ALU_H
#define CPU_INTERP_ALU_H

#include "cpu/interp/icpu.h"

/* datamov.c */
insn_fn dm_mov, dm_movsx, dm_movzx, dm_movsxd, dm_xchg, dm_lea, dm_xlat;
insn_fn dm_lahf, dm_sahf, dm_clc, dm_stc, dm_cmc, dm_cld, dm_std, dm_salc;
insn_fn dm_movbe;

/* string.c */
insn_fn str_movs, str_cmps, str_stos, str_lods, str_scas;

static inline bool opnd_is_mem(const struct insn *i, int n)
{
	return i->opnd[n].kind == OPK_MEM;
}

/* the destination (operand 0) of a read-modify-write: a memory operand
 * is checked for writing at the read (vmem_read_rmw) */
static inline uint64_t dst_read(struct icpu *c, const struct insn *i)
{
	if (opnd_is_mem(i, 0))
		return vmem_read_rmw(c, i->seg, insn_ea(c, i), i->opnd[0].size);
	return opnd_read(c, i, 0) & size_mask(i->opnd[0].size);
}

static inline void dst_write(struct icpu *c, const struct insn *i, uint64_t v)
{
	if (opnd_is_mem(i, 0))
		vmem_write_rmw(c, v & size_mask(i->opnd[0].size));
	else
		opnd_write(c, i, 0, v);
}

#endif
