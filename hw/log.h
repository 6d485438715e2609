/* Messages and traces. Errors are one line on stderr prefixed "trivisor: ".
 * log_once() is for what the guest may do again and again (an unimplemented
 * register, an unknown port): it prints the first time at that call site only.
 * The -d mask, -dfilter ranges and -D file are per process, set once by ui/. */
#ifndef HW_LOG_H
#define HW_LOG_H

#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

enum log_flag {
	LOG_UNIMP = 1 << 0,	/* unimplemented device registers, MSRs, ops */
	LOG_GUEST_ERROR = 1 << 1,
	LOG_INT = 1 << 2,	/* interrupts and exceptions */
	LOG_IOPORT = 1 << 3,	/* every port access */
	LOG_CPU = 1 << 4,
	LOG_EXEC = 1 << 5,
	LOG_IN_ASM = 1 << 6,
	LOG_STATS = 1 << 7,	/* tier statistics at exit */
	LOG_MMU = 1 << 8,	/* the interpreter's page-table walks */
	LOG_OUT_ASM = 1 << 9,	/* the host code of each translated block */
};

extern unsigned log_mask;	/* -d */
extern FILE *log_file;		/* -D, stderr when NULL */

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline bool log_enabled(unsigned flag) { return (log_mask & flag) != 0; }
/* parse "unimp,int,..." into a mask; -1 and an error line on an unknown name */
int log_parse_mask(const char *list, unsigned *mask);

/* -dfilter: inclusive ranges of linear addresses the instruction traces
 * (in_asm, exec, cpu, int) are limited to; none set means no limit */
#define LOG_MAX_RANGES 16
struct log_range {
	uint64_t lo, hi;
};
extern unsigned log_nranges;
extern struct log_range log_ranges[LOG_MAX_RANGES];
/* replaces the ranges (n at most LOG_MAX_RANGES; 0 removes the filter) */
void log_set_ranges(const struct log_range *r, unsigned n);
static inline bool log_addr_ok(uint64_t addr)
{
	if (!log_nranges)
		return true;
	for (unsigned k = 0; k < log_nranges; k++)
		if (addr >= log_ranges[k].lo && addr <= log_ranges[k].hi)
			return true;
	return false;
}

/* unimplemented or odd guest behaviour: printed once per call site, always
 * (not only with -d unimp), since it tells the user a model is incomplete */
#define log_once(...)                                  \
	do {                                           \
		static bool log_once_done_;            \
		if (!log_once_done_) {                 \
			log_once_done_ = true;         \
			log_msg(__VA_ARGS__);          \
		}                                      \
	} while (0)

#endif
