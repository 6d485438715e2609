/* Fan-out of one irq line to two receivers. */
// SPDX-License-Identifier: MIT
#include "hw/irq.h"

void irq_split_handler(void *opaque, int n, int level)
{
	struct irq_split *s = opaque;
	(void)n;
	irq_set(&s->out[0], level);
	irq_set(&s->out[1], level);
}

void irq_or_handler(void *opaque, int n, int level)
{
	struct irq_or *o = opaque;
	if (level)
		o->levels |= 1u << n;
	else
		o->levels &= ~(1u << n);
	irq_set(&o->out, o->levels != 0);
}
