/* A tiny unit-test harness. Each test binary calls RUN(fn) per test; a test
 * fails if any CHECK in it fails. Output lines "PASS name" / "FAIL name" are
 * what testsuite/runtests counts; the binary exits 1 if anything failed. */
#ifndef TESTSUITE_CHECK_H
#define TESTSUITE_CHECK_H

#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

static int check_failures_;	/* in the running test */
static int check_failed_tests_;
static const char *check_suite_ = "unit";

static inline void check_at(int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		check_failures_++;
		printf("  check failed: %s (%s:%d)\n", what, file, line);
	}
}

static inline void check_eq_at(uint64_t got, uint64_t want, const char *what,
			       const char *file, int line)
{
	if (got != want) {
		check_failures_++;
		printf("  check failed: %s: got 0x%" PRIx64 ", want 0x%" PRIx64 " (%s:%d)\n",
		       what, got, want, file, line);
	}
}

#define CHECK(cond) check_at(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(got, want) check_eq_at((uint64_t)(got), (uint64_t)(want), #got, __FILE__, __LINE__)

static inline void check_run(void (*fn)(void), const char *name)
{
	check_failures_ = 0;
	fn();
	printf("%s %s: %s\n", check_failures_ ? "FAIL" : "PASS", check_suite_, name);
	if (check_failures_)
		check_failed_tests_++;
	fflush(stdout);
}

#define CHECK_SUITE(name) (check_suite_ = (name))
#define RUN(fn) check_run(fn, #fn)
#define CHECK_EXIT() (check_failed_tests_ ? 1 : 0)

#endif
