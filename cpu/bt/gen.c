/* Instructions written natively, and the guest's arithmetic flags. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/gen.h"

#include <stddef.h>
#include "cpu/interp/flags.h"

#define OFF_LF_OP ((int32_t)offsetof(struct icpu, lf_op))
#define OFF_LF_RES ((int32_t)offsetof(struct icpu, lf_res))

void gen_liveness(struct gen *g)
{
	/* every flag is live at every boundary until natives need better */
	for (unsigned k = 0; k <= g->t->n; k++)
		g->live[k] = FL_ARITH;
}

bool gen_native(struct gen *g)
{
	(void)g;
	return false;
}

void gen_flags_to_mem(struct gen *g)
{
	if (g->flags != FLAGS_HOST)
		return;
	/* LF_HOST: lf_res holds the host's RFLAGS image */
	emit_pushfq(&g->e);
	emit_pop_r(&g->e, H_RAX);
	emit_mov_mr(&g->e, 8, hm(H_R15, OFF_LF_RES), H_RAX);
	emit_mov_mi(&g->e, 1, hm(H_R15, OFF_LF_OP), LF_HOST);
	g->flags = FLAGS_MEM;
}

unsigned gen_cond(struct gen *g, unsigned cc)
{
	if (g->flags == FLAGS_HOST)
		return cc;
	emit_mov_rr(&g->e, 8, H_RDI, H_R15);
	emit_mov_ri(&g->e, 4, H_RSI, cc);
	emit_call(&g->e, (const void *)bt_h_cond);
	emit_test_rr(&g->e, 4, H_RAX, H_RAX);
	return 5;	/* NE */
}
