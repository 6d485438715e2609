/* The interpreter's operation tables: each semantic file exports one table
 * of {operation, handler} rows; bind.c turns them, once per process, into
 * the array the decode cache uses to set insn.fn. Tables end with
 * {OP_INVALID, NULL}. */
#ifndef CPU_INTERP_OPS_H
#define CPU_INTERP_OPS_H

#include <stdint.h>
#include "cpu/decode.h"

struct interp_op {
	uint16_t op;		/* enum insn_op */
	insn_fn *fn;
};

extern const struct interp_op interp_ops_core[];	/* ctrl.c: near branches, stack, HLT, NOP */
extern const struct interp_op interp_ops_alu[];		/* integer semantics */
extern const struct interp_op interp_ops_system[];	/* system architecture */
extern const struct interp_op interp_ops_x87[];		/* x87.c: the FPU, WAIT */
extern const struct interp_op interp_ops_fxsave[];	/* fxsave.c: FXSAVE, FXRSTOR */
extern const struct interp_op interp_ops_sse[];		/* sse.c: MMX, SSE to SSE4.2 */
/* sse.c: fill OP_SSE's (map, opcode, prefix) table; part of the binding */
void sse_rows_init(void);

/* the handler of `op` (never NULL: unbound operations get one that logs
 * once and raises #UD) */
insn_fn *interp_bind(unsigned op);

#endif
