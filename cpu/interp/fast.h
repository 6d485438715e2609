/* Specialised handlers (fast.c): the common operand forms of 32-bit and
 * 64-bit code with their operand kinds, sizes and address form fixed at
 * bind time. Each behaves exactly as the generic handler of its operation. */
#ifndef CPU_INTERP_FAST_H
#define CPU_INTERP_FAST_H

#include "cpu/interp/icpu.h"

/* the specialised handler for i, or NULL when the generic one must run it */
insn_fn *fast_bind(const struct insn *i);

#endif
