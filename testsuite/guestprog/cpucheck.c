/* cpucheck: a static x86-64 Linux program whose printed checksums must be
 * the same natively on the host and inside a guest (testsuite/boot/
 * linux-interp.sh compares them). Each line is "CPUCHECK name value"; the
 * values depend only on what the CPU and kernel compute, never on timing,
 * addresses or scheduling.
 *
 *   int      integer arithmetic, memory and branches (a hash over a sieve,
 *            a sort and multiplications/divisions of every width)
 *   x87      long double arithmetic (the x87's exact operations only:
 *            + - * / sqrt, conversions), under every rounding mode
 *   sse      double and float through SSE2, plus SSSE3/SSE4.1/SSE4.2
 *            instructions (pshufb, ptest, pminsd, roundsd, crc32,
 *            pcmpistri) and glibc's string functions, which pick their
 *            SIMD variant from CPUID
 *   fork     fork/exec of this program with an argument, result by a pipe
 *   mmap     anonymous and file mappings, mprotect, munmap
 *   signals  SIGUSR1 to itself, SIGSEGV on a read-only page and recovery
 *   threads  four threads summing disjoint ranges, joined
 *
 * Built in-tree (testsuite/guestprog/guestprog.mk) with -static; the
 * SIMD helpers carry their own target attributes so the rest of the
 * program is baseline x86-64. */
// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <fcntl.h>
#include <fenv.h>
#include <immintrin.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guestlib.h"

#define mix fnv1a_u64

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) { return xorshift64s(&rng_state); }

/* ---- integer ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t check_int(unsigned scale)
{
	uint32_t h = FNV_BASIS;
	unsigned n = 20000 * scale;
	char *sieve = calloc(n, 1);
	for (unsigned i = 2; i < n; i++)
		if (!sieve[i]) {
			h = mix(h, i);
			for (unsigned j = 2 * i; j < n; j += i)
				sieve[j] = 1;
		}
	free(sieve);

	unsigned m = 5000 * scale;
	uint32_t *a = malloc(m * sizeof(*a));
	for (unsigned i = 0; i < m; i++)
		a[i] = (uint32_t)rng();
	qsort(a, m, sizeof(*a), cmp_u32);
	for (unsigned i = 0; i < m; i += 7)
		h = mix(h, a[i]);
	free(a);

	for (unsigned i = 0; i < 2000 * scale; i++) {
		uint64_t x = rng(), y = rng() | 1;
		int64_t sx = (int64_t)x, sy = (int64_t)(y >> (i & 31)) | 1;
		unsigned __int128 p = (unsigned __int128)x * y;
		h = mix(h, (uint64_t)(p >> 64) ^ (uint64_t)p);
		h = mix(h, x / y + x % y);
		h = mix(h, (uint64_t)(sx / sy) ^ (uint64_t)(sx % sy));
		h = mix(h, (uint32_t)x / ((uint32_t)y | 1) + (uint16_t)x % ((uint16_t)y | 1));
		h = mix(h, (uint64_t)__builtin_popcountll(x) << 32 | (uint64_t)__builtin_clzll(y));
		h = mix(h, (x << (i & 63)) ^ (x >> (y & 63)) ^ (uint64_t)(sx >> (i & 63)));
		h = mix(h, __builtin_bswap64(x) + ((x & 0xff) > 0x80 ? 1 : 0));
	}
	return h;
}

/* ---- x87 ---- */

static uint32_t check_x87(unsigned scale)
{
	static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
	uint32_t h = FNV_BASIS;
	for (unsigned m = 0; m < 4; m++) {
		fesetround(modes[m]);
		volatile long double acc = 1.0L;
		for (unsigned i = 1; i < 500 * scale; i++) {
			long double x = (long double)(int64_t)rng() / (long double)(rng() | 1);
			acc = acc * 1.0000001L + x / (long double)i;
			acc = acc - __builtin_sqrtl(__builtin_fabsl(x) + 1.0L);
			long double r = acc;
			uint64_t bits[2] = { 0, 0 };
			memcpy(bits, (const void *)&r, 10);
			h = mix(h, bits[0]);
			h = mix(h, bits[1] & 0xffff);
			h = mix(h, (uint64_t)(int64_t)acc);
		}
	}
	fesetround(FE_TONEAREST);
	return h;
}

/* ---- SSE ---- */

__attribute__((target("sse4.2")))
static uint32_t simd_ops(uint32_t h, const uint8_t *buf, unsigned n)
{
	__m128i acc = _mm_setzero_si128();
	__m128i shuf = _mm_setr_epi8(15, 3, 7, 1, 0, 9, 8, 4, 2, 6, 5, 14, 13, 12, 11, 10);
	uint64_t crc = 0;
	for (unsigned i = 0; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(buf + i));
		acc = _mm_add_epi32(acc, _mm_shuffle_epi8(v, shuf));
		acc = _mm_max_epi32(acc, _mm_min_epi32(v, _mm_slli_epi32(acc, 1)));
		acc = _mm_xor_si128(acc, _mm_mullo_epi32(v, _mm_set1_epi32(0x01000193)));
		crc = _mm_crc32_u64(crc, (uint64_t)_mm_cvtsi128_si64(v));
		h = mix(h, (uint64_t)_mm_testz_si128(v, acc) << 8 |
			       (uint64_t)_mm_cmpistri(v, acc, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY));
	}
	uint64_t lanes[2];
	_mm_storeu_si128((__m128i *)lanes, acc);
	h = mix(h, lanes[0]);
	h = mix(h, lanes[1]);
	h = mix(h, crc);
	__m128d d = _mm_set_pd(2.5, -3.5);
	__m128d r[4] = {
		_mm_round_pd(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
		_mm_round_pd(d, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
		_mm_round_pd(d, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC),
		_mm_round_pd(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC),
	};
	for (int mode = 0; mode < 4; mode++) {
		uint64_t b[2];
		memcpy(b, &r[mode], 16);
		h = mix(h, b[0] ^ b[1]);
	}
	return h;
}

static uint32_t check_sse(unsigned scale)
{
	uint32_t h = FNV_BASIS;
	static const unsigned modes[] = { _MM_ROUND_NEAREST, _MM_ROUND_DOWN, _MM_ROUND_UP,
					  _MM_ROUND_TOWARD_ZERO };
	unsigned saved = _mm_getcsr();
	for (unsigned m = 0; m < 4; m++) {
		_mm_setcsr((saved & ~0x6000u) | modes[m]);
		volatile double acc = 0.5;
		volatile float facc = 0.25f;
		for (unsigned i = 1; i < 1000 * scale; i++) {
			double x = (double)(int64_t)rng() / (double)(rng() | 1);
			acc = acc * 0.999 + x / (double)i - __builtin_sqrt(__builtin_fabs(x));
			facc = facc * 1.0001f + (float)x;
			double a = acc;
			float f = facc;
			uint64_t b;
			uint32_t fb;
			memcpy(&b, &a, 8);
			memcpy(&fb, &f, 4);
			h = mix(h, b);
			h = mix(h, fb);
			h = mix(h, (uint64_t)(int64_t)a ^ (uint64_t)(int32_t)f);
		}
	}
	_mm_setcsr(saved);

	unsigned n = 4096 * scale;
	uint8_t *buf = malloc(n + 64), *cp = malloc(n + 64);
	for (unsigned i = 0; i < n; i++)
		buf[i] = (uint8_t)(rng() % 255 + 1);
	buf[n] = 0;
	for (unsigned i = 0; i < 64; i++) {
		unsigned off = (unsigned)(rng() % (n / 2)), len = (unsigned)(rng() % (n / 2));
		memcpy(cp, buf + off, len);
		cp[len] = 0;
		h = mix(h, strlen((char *)cp) + 31 * (uint64_t)memcmp(cp, buf + off, len));
		const void *p = memchr(buf, buf[off], n);
		h = mix(h, (uint64_t)((const uint8_t *)p - buf));
		memmove(cp + 1, cp, len);
		h = mix(h, cp[len / 2]);
	}
	h = simd_ops(h, buf, n);
	free(buf);
	free(cp);
	return h;
}

/* ---- fork/exec ---- */

static const char *self_path;

static uint32_t check_fork(void)
{
	uint32_t h = FNV_BASIS;
	for (int k = 0; k < 3; k++) {
		int fd[2];
		if (pipe(fd))
			return 1;
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			dup2(fd[1], 1);
			close(fd[0]);
			char arg[16];
			snprintf(arg, sizeof(arg), "%d", k + 1);
			execl(self_path, self_path, "--child", arg, (char *)NULL);
			_exit(127);
		}
		close(fd[1]);
		char out[64] = { 0 };
		ssize_t got = 0, r;
		while (got < (ssize_t)sizeof(out) - 1 && (r = read(fd[0], out + got, sizeof(out) - 1 - got)) > 0)
			got += r;
		close(fd[0]);
		int st = 0;
		waitpid(pid, &st, 0);
		h = mix(h, strtoull(out, NULL, 16));
		h = mix(h, (uint64_t)WIFEXITED(st) << 8 | (uint64_t)WEXITSTATUS(st));
	}
	return h;
}

/* ---- mmap ---- */

static sigjmp_buf segv_jmp;
static volatile sig_atomic_t segv_seen;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	segv_seen = si->si_code == SEGV_ACCERR ? 2 : 1;
	siglongjmp(segv_jmp, 1);
}

/* a write to a page made read-only: SIGSEGV with SEGV_ACCERR, resumed */
static int write_readonly(uint8_t *page, long pg)
{
	struct sigaction sa = { 0 }, old;
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, &old);
	mprotect(page, (size_t)pg, PROT_READ);
	segv_seen = 0;
	if (!sigsetjmp(segv_jmp, 1))
		*(volatile uint8_t *)(page + 5) = 1;
	sigaction(SIGSEGV, &old, NULL);
	return segv_seen;
}

static uint32_t check_mmap(void)
{
	uint32_t h = FNV_BASIS;
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = 64 * (size_t)pg;
	uint8_t *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < len; i += 61)
		a[i] = (uint8_t)(i * 7);
	uint64_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = s * 31 + a[i];
	h = mix(h, s);
	munmap(a + 8 * pg, 8 * (size_t)pg);

	char path[] = "/tmp/cpucheck.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 2;
	unlink(path);
	if (ftruncate(fd, 4 * pg))
		return 3;
	uint8_t *f = mmap(NULL, 4 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f == MAP_FAILED)
		return 4;
	for (long i = 0; i < 4 * pg; i++)
		f[i] = (uint8_t)(i ^ (i >> 8));
	msync(f, 4 * (size_t)pg, MS_SYNC);
	uint8_t back[256];
	if (pread(fd, back, sizeof(back), pg + 3) != (ssize_t)sizeof(back))
		return 5;
	for (unsigned i = 0; i < sizeof(back); i++)
		h = mix(h, back[i]);

	h = mix(h, (uint64_t)write_readonly(f, pg));
	munmap(f, 4 * (size_t)pg);
	munmap(a, len);
	close(fd);
	return h;
}

/* ---- signals ---- */

static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static uint32_t check_signals(void)
{
	uint32_t h = FNV_BASIS;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	for (int k = 0; k < 5; k++)
		raise(SIGUSR1);
	h = mix(h, (uint64_t)usr1_count);

	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR1);
	h = mix(h, (uint64_t)usr1_count);
	sigset_t pending;
	sigpending(&pending);
	h = mix(h, (uint64_t)sigismember(&pending, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	h = mix(h, (uint64_t)usr1_count);
	return h;
}

/* ---- threads ---- */

struct part {
	uint64_t from, to, sum;
};

static void *sum_part(void *arg)
{
	struct part *p = arg;
	uint64_t s = 0;
	for (uint64_t i = p->from; i < p->to; i++)
		s += (i * i) ^ (i >> 3);
	p->sum = s;
	return NULL;
}

static uint32_t check_threads(unsigned scale)
{
	enum { N = 4 };
	pthread_t t[N];
	struct part p[N];
	uint64_t per = 50000ull * scale;
	for (int k = 0; k < N; k++) {
		p[k] = (struct part){ k * per, (k + 1) * per, 0 };
		if (pthread_create(&t[k], NULL, sum_part, &p[k]))
			return 1;
	}
	uint32_t h = FNV_BASIS;
	for (int k = 0; k < N; k++) {
		pthread_join(t[k], NULL);
		h = mix(h, p[k].sum);
	}
	return h;
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc == 3 && !strcmp(argv[1], "--child")) {
		/* a child of check_fork: a small computation of its own */
		unsigned k = (unsigned)atoi(argv[2]);
		rng_state += k;
		printf("%08x\n", check_int(1) ^ k);
		return (int)k;
	}
	unsigned scale = 1;
	if (argc == 2)
		scale = (unsigned)atoi(argv[1]) ? (unsigned)atoi(argv[1]) : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("CPUCHECK int %08x\n", check_int(scale));
	printf("CPUCHECK x87 %08x\n", check_x87(scale));
	printf("CPUCHECK sse %08x\n", check_sse(scale));
	printf("CPUCHECK fork %08x\n", check_fork());
	printf("CPUCHECK mmap %08x\n", check_mmap());
	printf("CPUCHECK signals %08x\n", check_signals());
	printf("CPUCHECK threads %08x\n", check_threads(scale));
	printf("CPUCHECK done\n");
	return 0;
}
