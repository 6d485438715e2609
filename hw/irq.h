/* IRQ lines are values: {handler, opaque, number}. A device holds the lines it
 * drives and calls irq_set(); the receiver (PIC, IOAPIC, LAPIC LINT) sees a
 * call only when the level changes. A device never calls an interrupt
 * controller directly. */
#ifndef HW_IRQ_H
#define HW_IRQ_H

#include <stdint.h>

typedef void irq_handler_fn(void *opaque, int n, int level);

struct irq_line {
	irq_handler_fn *handler;	/* NULL: line not connected */
	void *opaque;
	int n;
	int level;
};

static inline void irq_connect(struct irq_line *l, irq_handler_fn *h, void *opaque, int n)
{
	l->handler = h;
	l->opaque = opaque;
	l->n = n;
	l->level = 0;
}

static inline void irq_set(struct irq_line *l, int level)
{
	level = !!level;
	if (l->level == level)
		return;
	l->level = level;
	if (l->handler)
		l->handler(l->opaque, l->n, level);
}

/* an edge for edge-triggered receivers: up then down */
static inline void irq_pulse(struct irq_line *l)
{
	irq_set(l, 1);
	irq_set(l, 0);
}

/* a line that fans out to several receivers (ISA IRQ -> PIC and IOAPIC) */
struct irq_split {
	struct irq_line out[2];
};
void irq_split_handler(void *opaque, int n, int level);

/* several drivers of one line, or-ed (n = driver number, < 32) */
struct irq_or {
	uint32_t levels;
	struct irq_line out;
};
void irq_or_handler(void *opaque, int n, int level);

#endif
