/* The virtual clock (nanoseconds) and the timers that sit on it.
 * CLOCK_HOST follows the host's monotonic clock from board start;
 * CLOCK_MANUAL only moves when clock_set() is called: unit tests use it, and
 * the software tiers' deterministic mode advances it by instructions retired.
 * Timers fire from clock_run_timers(), called by whoever owns the board lock
 * (the main loop, a software tier, a unit test); callbacks run with it held. */
#ifndef HW_CLOCK_H
#define HW_CLOCK_H

#include <stdint.h>
#include <stdbool.h>

#define NS_PER_SEC 1000000000LL
#define CLOCK_NEVER INT64_MAX

enum clock_mode { CLOCK_HOST, CLOCK_MANUAL };

struct timer;

struct vclock {
	enum clock_mode mode;
	int64_t host_base;		/* host CLOCK_MONOTONIC at ns 0 */
	int64_t manual_ns;
	struct timer *head;		/* armed timers, earliest first */
	/* called when the earliest deadline moves earlier, so a sleeping main
	 * loop can wake; may be NULL */
	void (*notify)(void *opaque);
	void *notify_opaque;
};

struct timer {
	struct vclock *clock;
	int64_t deadline;		/* CLOCK_NEVER when not armed */
	void (*cb)(void *opaque);
	void *opaque;
	struct timer *next;
};

void clock_init(struct vclock *c, enum clock_mode mode);
int64_t clock_ns(const struct vclock *c);
/* CLOCK_MANUAL only: move time to ns (never backwards) and run due timers */
void clock_set(struct vclock *c, int64_t ns);
/* earliest armed deadline, or CLOCK_NEVER */
int64_t clock_next_deadline(const struct vclock *c);
/* run every timer whose deadline is <= now; returns how many fired */
int clock_run_timers(struct vclock *c);

void timer_init(struct timer *t, struct vclock *c, void (*cb)(void *), void *opaque);
void timer_mod(struct timer *t, int64_t deadline_ns);
void timer_del(struct timer *t);
static inline bool timer_pending(const struct timer *t) { return t->deadline != CLOCK_NEVER; }

/* a * b / c without overflow, for tick <-> ns conversions */
static inline int64_t muldiv64(int64_t a, int64_t b, int64_t c)
{
	return (int64_t)((__int128)a * b / c);
}

#endif
