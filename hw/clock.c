/* The virtual clock and its timer list (sorted, earliest first). */
// SPDX-License-Identifier: MIT
#include "hw/clock.h"

#include <time.h>

static int64_t host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

void clock_init(struct vclock *c, enum clock_mode mode)
{
	c->mode = mode;
	c->host_base = host_ns();
	c->manual_ns = 0;
	c->head = NULL;
	c->notify = NULL;
	c->notify_opaque = NULL;
}

int64_t clock_ns(const struct vclock *c)
{
	if (c->mode == CLOCK_MANUAL)
		return c->manual_ns;
	return host_ns() - c->host_base;
}

void clock_set(struct vclock *c, int64_t ns)
{
	if (ns > c->manual_ns)
		c->manual_ns = ns;
	clock_run_timers(c);
}

int64_t clock_next_deadline(const struct vclock *c)
{
	return c->head ? c->head->deadline : CLOCK_NEVER;
}

int clock_run_timers(struct vclock *c)
{
	int fired = 0;
	/* a callback may re-arm its own timer for a time already past (a
	 * periodic timer that fell behind); bound the work per call so a guest
	 * programming a tiny period cannot stall the caller forever */
	while (c->head && c->head->deadline <= clock_ns(c) && fired < 10000) {
		struct timer *t = c->head;
		c->head = t->next;
		t->next = NULL;
		t->deadline = CLOCK_NEVER;
		t->cb(t->opaque);
		fired++;
	}
	return fired;
}

void timer_init(struct timer *t, struct vclock *c, void (*cb)(void *), void *opaque)
{
	t->clock = c;
	t->deadline = CLOCK_NEVER;
	t->cb = cb;
	t->opaque = opaque;
	t->next = NULL;
}

void timer_del(struct timer *t)
{
	if (t->deadline == CLOCK_NEVER)
		return;
	for (struct timer **p = &t->clock->head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->deadline = CLOCK_NEVER;
}

void timer_mod(struct timer *t, int64_t deadline_ns)
{
	struct vclock *c = t->clock;
	timer_del(t);
	if (deadline_ns == CLOCK_NEVER)
		return;
	t->deadline = deadline_ns;
	struct timer **p = &c->head;
	while (*p && (*p)->deadline <= deadline_ns)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	if (c->head == t && c->notify)
		c->notify(c->notify_opaque);
}
