/* What translated code calls: the interpreter's function for an
 * instruction the translator does not write natively, and the guest
 * condition codes while the flags are in the interpreter's form. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include "cpu/interp/flags.h"

uint64_t bt_h_insn(struct icpu *c, const struct bt_site *st)
{
	struct cpu_state *s = c->s;
	c->bt_site = st;
	s->rip = st->rip;
	c->cur = &st->in;
	c->next_rip = st->next_rip;
	c->bt_stale = false;
	st->in.fn(c, &st->in);
	s->rip = c->next_rip;
	return c->bt_stale;
}

uint64_t bt_h_cond(struct icpu *c, uint64_t cc)
{
	return cond_eval(c, (unsigned)cc);
}

uint64_t bt_h_flags(struct icpu *c)
{
	uint64_t fl = flags_get(c);
	return (fl & (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF)) << 8 | !!(fl & FL_OF);
}
