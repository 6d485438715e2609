/* benchos: the operating-system workloads of the benchmark
 * (testsuite/bench/bench.sh), and the in-guest timer that measures every
 * workload with the guest's own monotonic clock, so that boot time does
 * not pollute the numbers.
 *
 *   benchos time NAME OUT CMD [ARG...]
 *                      runs CMD with its stdout in OUT (a file, or
 *                      /dev/null), waits, and prints "BENCH NAME NS": the
 *                      nanoseconds between fork and the end of the wait by
 *                      CLOCK_MONOTONIC; "BENCH-FAIL NAME why" if CMD did not
 *                      exit with status 0 (and exits 1)
 *   benchos syscall N  N getppid system calls (through syscall(), so no
 *                      vDSO or libc cache can answer instead)
 *   benchos fork N     N times: fork, exec this program ("benchos noop"),
 *                      wait
 *   benchos fault N M  N times: map M MiB anonymous, write one byte to
 *                      each 4 KiB page (a page fault each), unmap
 *   benchos gen FILE M writes M MiB of text-like, compressible,
 *                      deterministic data to FILE (the input of md5sum and
 *                      gzip; not timed)
 *   benchos noop       exits 0
 *
 * Each workload prints "BENCHSUM name value", a value that depends only on
 * what was computed, so the guest's run can be compared with the host's.
 * Built static for x86-64 and i386 (testsuite/guestprog/guestprog.mk). */
// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "guestlib.h"

static const char *self = "/proc/self/exe";

static long arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);
	if (*s == 0 || *end != 0 || v < 0) {
		fprintf(stderr, "benchos: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int do_time(const char *name, const char *out, char **cmd)
{
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		printf("BENCH-FAIL %s fork: %s\n", name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0) {
			perror(out);
			_exit(126);
		}
		close(fd);
		execv(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			printf("BENCH-FAIL %s waitpid: %s\n", name, strerror(errno));
			return 1;
		}
	uint64_t t1 = now_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (WIFEXITED(st))
			printf("BENCH-FAIL %s exit status %d\n", name, WEXITSTATUS(st));
		else
			printf("BENCH-FAIL %s killed by signal %d\n", name, WTERMSIG(st));
		return 1;
	}
	printf("BENCH %s %llu\n", name, (unsigned long long)(t1 - t0));
	return 0;
}

static int do_syscall(long n)
{
	uint64_t sum = 0;
	for (long i = 0; i < n; i++)
		sum += (uint64_t)syscall(SYS_getppid);
	/* the parent's pid differs between runs: print only that it was stable */
	printf("BENCHSUM syscall %s\n", sum == (uint64_t)n * (uint64_t)getppid() ? "stable" : "UNSTABLE");
	return 0;
}

static int do_fork(long n)
{
	long ok = 0;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execl(self, "benchos", "noop", (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	printf("BENCHSUM fork %ld/%ld\n", ok, n);
	return ok == n ? 0 : 1;
}

static int do_fault(long n, long mib)
{
	size_t len = (size_t)mib << 20;
	uint32_t h = FNV_BASIS;
	for (long i = 0; i < n; i++) {
		volatile uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (size_t off = 0; off < len; off += 4096)
			p[off] = (uint8_t)(off >> 12) ^ (uint8_t)i;
		for (size_t off = 0; off < len; off += 4096 * 61)
			h = fnv1a(h, (const uint8_t *)&p[off], 1);
		munmap((void *)p, len);
	}
	printf("BENCHSUM fault %08x\n", h);
	return 0;
}

static int do_gen(const char *path, long mib)
{
	static const char *const words[] = {
		"the", "emulator", "boots", "a", "kernel", "and", "runs", "busybox", "interrupt",
		"page", "table", "segment", "descriptor", "of", "x86", "register", "memory",
		"instruction", "decoder", "cache", "timer", "serial", "console", "guest", "host",
		"translation", "lookaside", "buffer", "floating", "point", "vector", "0x1f",
	};
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	uint64_t s = 0x9e3779b97f4a7c15ull;
	long want = mib << 20, have = 0;
	int col = 0;
	while (have < want) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		uint64_t r = s * 0x2545f4914f6cdd1dull;
		const char *w = words[(r >> 33) % (sizeof words / sizeof *words)];
		int len = (int)strlen(w);
		/* a number now and then: less compressible than words alone */
		char num[24];
		if ((r & 15) == 0) {
			len = snprintf(num, sizeof num, "%u", (unsigned)(r >> 40) % 100000u);
			w = num;
		}
		if (have + len + 1 > want)
			len = (int)(want - have - 1);
		if (len > 0)
			fwrite(w, 1, (size_t)len, f);
		col += len + 1;
		fputc(col > 72 ? '\n' : ' ', f);
		if (col > 72)
			col = 0;
		have += len + 1;
	}
	if (fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "noop"))
		return 0;
	if (!strcmp(m, "time") && argc > 4)
		return do_time(argv[2], argv[3], argv + 4);
	if (!strcmp(m, "syscall") && argc == 3)
		return do_syscall(arg(argv[2]));
	if (!strcmp(m, "fork") && argc == 3)
		return do_fork(arg(argv[2]));
	if (!strcmp(m, "fault") && argc == 4)
		return do_fault(arg(argv[2]), arg(argv[3]));
	if (!strcmp(m, "gen") && argc == 4)
		return do_gen(argv[2], arg(argv[3]));
	fprintf(stderr, "usage: benchos time NAME OUT CMD... | syscall N | fork N | fault N MIB | "
		"gen FILE MIB | noop\n");
	return 2;
}
