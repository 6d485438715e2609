/* Lazy arithmetic flags.
 *
 * Invariant: the six arithmetic flags (CF PF AF ZF SF OF) are
 *   c->s->rflags            when c->lf_op == LF_NONE, else
 *   computed from (lf_op, lf_size, lf_a, lf_b, lf_res, lf_carry_in),
 * where lf_a/lf_b are the operands and lf_res the result truncated to
 * lf_size bytes. Every other RFLAGS bit always lives in c->s->rflags.
 * A semantic function that sets flags calls one flags_set_* (cheap: stores);
 * one that reads them calls flags_get() or cond_eval() (computes). An
 * instruction leaving some flags unchanged and others defined (INC keeps
 * CF) records that in its lf_op, so no flag is ever computed eagerly. */
#ifndef CPU_INTERP_FLAGS_H
#define CPU_INTERP_FLAGS_H

#include "cpu/interp/icpu.h"

#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* the whole RFLAGS, lazy bits computed */
uint64_t flags_get(struct icpu *c);
/* replace RFLAGS (POPF, IRET, task switch): lazy state dropped */
void flags_set(struct icpu *c, uint64_t rflags);
/* evaluate condition code 0-15 (O NO B AE E NE BE A S NS P NP L GE LE G) */
bool cond_eval(struct icpu *c, unsigned cc);
/* CF alone (ADC, SBB, RCL, RCR need it) */
bool flags_cf(struct icpu *c);

static inline void flags_lazy(struct icpu *c, enum lf_op op, unsigned size,
			      uint64_t a, uint64_t b, uint64_t res)
{
	c->lf_op = (uint8_t)op;
	c->lf_size = (uint8_t)size;
	c->lf_a = a;
	c->lf_b = b;
	c->lf_res = res & size_mask(size);
}

#endif
