/* Binding operations to semantic functions: the semantic files' tables
 * merged, once per process, into one array indexed by enum insn_op. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "cpu/interp/icpu.h"
#include "cpu/interp/fast.h"
#include "cpu/interp/interp.h"
#include "hw/log.h"

/* filled once under pthread_once, then only read: a per-process constant */
static insn_fn *bound[OP_COUNT];
static pthread_once_t bound_once = PTHREAD_ONCE_INIT;
/* which unimplemented operations were reported (the message is per operation) */
static atomic_bool reported[OP_COUNT];

static void op_unimplemented(struct icpu *c, const struct insn *i)
{
	unsigned op = i->op < OP_COUNT ? i->op : OP_INVALID;
	if (op != OP_INVALID && !atomic_exchange(&reported[op], true))
		log_msg("interp: %s not implemented", insn_op_name[op]);
	cpu_ud(c);
}

static void bind_table(const struct interp_op *t)
{
	for (; t->fn; t++) {
		if (t->op >= OP_COUNT)
			continue;
		if (bound[t->op] && bound[t->op] != t->fn)
			log_msg("interp: %s bound twice; the first table wins", insn_op_name[t->op]);
		else
			bound[t->op] = t->fn;
	}
}

static void bind_all(void)
{
	bind_table(interp_ops_core);
	bind_table(interp_ops_alu);
	bind_table(interp_ops_system);
	bind_table(interp_ops_x87);
	bind_table(interp_ops_fxsave);
	bind_table(interp_ops_sse);
	sse_rows_init();
	for (unsigned op = 0; op < OP_COUNT; op++)
		if (!bound[op])
			bound[op] = op_unimplemented;
}

insn_fn *interp_bind(unsigned op)
{
	pthread_once(&bound_once, bind_all);
	return op < OP_COUNT ? bound[op] : op_unimplemented;
}

insn_fn *interp_bind_insn(const struct insn *i)
{
	insn_fn *fn = fast_bind(i);
	return fn ? fn : interp_bind(i->op);
}
