// The software tiers' MMX and SSE to SSE4.2 against the host's: every form.
// SPDX-License-Identifier: MIT
/* The guest (flat 32-bit protected mode, then 64-bit long mode with
 * identity 2 MiB pages, on a 4 MiB VM) runs
 *     FXRSTOR [IMG_IN]; <instruction>; FXSAVE [IMG_OUT]; HLT
 * with its general registers loaded from an array, ESI/RSI pointing at
 * the memory operand buffer and EDI/RDI at the MASKMOVQ/MASKMOVDQU
 * buffer; the host runs the very same instruction bytes between an
 * fxrstor and an fxsave of the same image with the same registers and
 * EFLAGS (the memory forms use [esi] in the guest, which is [rsi] in the
 * host's 64-bit code; without REX the bytes mean the same there).
 * Compared: XMM0-7 (XMM0-15 in long mode), MXCSR, FCW, FSW (with TOP),
 * the abridged tag byte and the 8 x87/MMX registers, the arithmetic
 * EFLAGS, the general registers, both memory buffers, and the exception:
 * the host's SIGFPE (an unmasked SIMD FP exception, read from the
 * signal's ucontext) must be the guest's #XM (#UD without
 * CR4.OSXMMEXCPT), the host's SIGSEGV/SIGBUS (a misaligned operand of an
 * aligned form) the guest's #GP, with the state at the fault.
 *
 * Each row of the table below is one form; a run draws random registers,
 * memory, MXCSR (every rounding mode, DAZ/FTZ, masks mostly all set),
 * x87 TOP and tags, immediates, register numbers (REX.R/REX.B in long
 * mode), memory operand offsets (misaligned now and then). A guest #UD
 * where the host ran is reported as "not implemented". One PASS/FAIL line
 * per group of forms and tier (interpreter, translator). Options: -n N cases per form and mode (env
 * TEST_SSE_N; default 400), -s SEED, -g GROUP (only that group: mmx
 * sse-fp sse-int sse-misc sse2-fp sse2-int sse3 ssse3 sse4.1 sse4.2
 * popcnt faults), -f ENC (only the forms whose encoding contains ENC,
 * e.g. -f "66 0f 3a 41"), -v (counts and times per group). Each form
 * draws from its own seed, so -g and -f reproduce the full run's cases. */
/* the signal's register names first: decode.h has its own REG_RIP */
#include <signal.h>
#include <ucontext.h>
enum { UC_RIP = REG_RIP, UC_EFL = REG_EFL };
#undef REG_RIP
#include "cpu/interp/interp.h"

#include <cpuid.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include "cpu/interp/flags.h"	/* FL_ARITH */
#include "cpu/vcpu.h"
#include "hw/lapic.h"
#include "testsuite/unit/check.h"
#include "testsuite/unit/vmrig.h"

/* ---- the native side ----
 * test_sse_native(ctx): save the host's FP state; fxrstor ctx->img;
 * EFLAGS and every general register but RSP from ctx; call the code;
 * everything back into ctx; fxsave ctx->img; the host's state back. */
struct nctx {
	uint64_t gpr[16];	/* 0: rax rcx rdx rbx rsp(unused) rbp rsi rdi r8-r15 */
	uint64_t rflags;	/* 128 */
	uint8_t *img;		/* 136 */
};
void *test_sse_code __asm__("test_sse_code");
void *test_sse_code;
void test_sse_native(struct nctx *c) __asm__("test_sse_native_run");
__asm__(
	".pushsection .text\n"
	"test_sse_native_run:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	sub $520, %rsp\n"
	"	fxsave64 (%rsp)\n"
	"	push %rdi\n"
	"	mov 136(%rdi), %rax\n"
	"	fxrstor64 (%rax)\n"
	"	push 128(%rdi)\n"
	"	popfq\n"
	"	mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
	"	mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n"
	"	mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n"
	"	mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
	"	mov 56(%rdi), %rdi\n"
	"	call *test_sse_code(%rip)\n"
	"	pushfq\n"
	"	push %rdi\n"
	"	mov 16(%rsp), %rdi\n"
	"	mov %rax, 0(%rdi)\n mov %rcx, 8(%rdi)\n mov %rdx, 16(%rdi)\n mov %rbx, 24(%rdi)\n"
	"	mov %rbp, 40(%rdi)\n mov %rsi, 48(%rdi)\n"
	"	mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n"
	"	mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
	"	pop 56(%rdi)\n"
	"	pop 128(%rdi)\n"
	"	mov 136(%rdi), %rax\n"
	"	fxsave64 (%rax)\n"
	"	pop %rdi\n"
	"	fxrstor64 (%rsp)\n"
	"	add $520, %rsp\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".popsection\n");

static uint8_t *jit;

/* a fault in the host's instruction: the signal's state, then back */
static sigjmp_buf fault_jb;
static volatile int fault_sig;
static uint8_t fault_img[512];
static uint64_t fault_gpr[16], fault_fl, fault_rip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	static const int map[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI,
				     REG_RDI, REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13,
				     REG_R14, REG_R15 };
	fault_sig = sig;
	memcpy(fault_img, uc->uc_mcontext.fpregs, 512);
	for (int r = 0; r < 16; r++)
		fault_gpr[r] = (uint64_t)uc->uc_mcontext.gregs[map[r]];
	fault_fl = (uint64_t)uc->uc_mcontext.gregs[UC_EFL];
	fault_rip = (uint64_t)uc->uc_mcontext.gregs[UC_RIP];
	siglongjmp(fault_jb, 1);
}

/* ---- the rig: a VM with RAM, a LAPIC, one vCPU in vmrig_tier ---- */

static struct rig R;

#define RAM_SIZE (4u << 20)

static uint8_t *ram(uint64_t gpa) { return R.pm.ram + gpa; }
static uint32_t rd32(uint64_t gpa) { uint32_t v; memcpy(&v, ram(gpa), 4); return v; }
static uint64_t rd64(uint64_t gpa) { uint64_t v; memcpy(&v, ram(gpa), 8); return v; }
static void wr32(uint64_t gpa, uint32_t v) { memcpy(ram(gpa), &v, 4); }
static struct cpu_state *S(void) { return &R.v->s; }
static uint32_t g32(const uint8_t *b, unsigned off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint16_t g16(const uint8_t *b, unsigned off) { uint16_t v; memcpy(&v, b + off, 2); return v; }
static uint64_t g64(const uint8_t *b, unsigned off) { uint64_t v; memcpy(&v, b + off, 8); return v; }

/* run from rip until HLT (every exception vector is a HLT) */
static bool run_at(uint64_t rip)
{
	int e = vmrig_run_at(&R, rip);
	CHECK_EQ(e, TIER_EXIT_HLT);
	return e == TIER_EXIT_HLT;
}

enum { SEL_CODE = 0x08, SEL_DATA = 0x10 };
enum { FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_MXCSR = 24, FX_ST = 32, FX_XMM = 160 };

#define CODE 0x10000
#define IMG_IN 0x20000
#define IMG_OUT 0x20400
#define MEM 0x21000
#define MASKB 0x22000
#define STACK 0x8000

static bool lm;			/* the guest is in 64-bit long mode */
static uint64_t base_cr0, base_cr4;

/* GDT 0x1000, IDT 0x2000 (vector v: HLT at 0x3000 + 16v), stack below
 * 0x8000; long mode: PML4 0x4000, PDPT 0x5000, PD 0x6000 (2 MiB pages) */
static void setup_mode(bool longmode)
{
	struct cpu_state *s = S();
	lm = longmode;
	cpu_state_reset(s, false);
	memset(ram(0), 0, RAM_SIZE);
	wr32(0x1000 + SEL_CODE, 0x0000ffff);
	wr32(0x1004 + SEL_CODE, lm ? 0x00af9b00 : 0x00cf9b00);
	wr32(0x1000 + SEL_DATA, 0x0000ffff);
	wr32(0x1004 + SEL_DATA, 0x00cf9300);
	for (unsigned v = 0; v < 32; v++) {
		uint32_t h = 0x3000 + 16 * v;
		if (lm) {
			wr32(0x2000 + 16 * v, (SEL_CODE << 16) | (h & 0xffff));
			wr32(0x2000 + 16 * v + 4, (h & 0xffff0000u) | 0x8e00);
			wr32(0x2000 + 16 * v + 8, 0);
			wr32(0x2000 + 16 * v + 12, 0);
		} else {
			wr32(0x2000 + 8 * v, (SEL_CODE << 16) | (h & 0xffff));
			wr32(0x2000 + 8 * v + 4, (h & 0xffff0000u) | 0x8e00);
		}
		*ram(h) = 0xf4;
	}
	s->gdt = (struct cpu_dtable){ 0x1000, 0x1f };
	s->idt = (struct cpu_dtable){ 0x2000, (uint16_t)(32 * (lm ? 16 : 8) - 1) };
	base_cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_MP;
	base_cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (lm) {
		wr32(0x4000, 0x5000 | 3);
		wr32(0x5000, 0x6000 | 3);
		for (unsigned k = 0; k < 4; k++)
			wr32(0x6000 + 8 * k, (k << 21) | 0x83);
		s->cr3 = 0x4000;
		base_cr4 |= CR4_PAE;
		base_cr0 |= CR0_PG;
		s->efer = EFER_LME | EFER_LMA;
	}
	s->cr0 = base_cr0;
	s->cr4 = base_cr4;
	cpu_seg_flat(&s->seg[S_CS], SEL_CODE, lm ? 0xa09b : 0xc09b);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		if (i != S_CS)
			cpu_seg_flat(&s->seg[i], SEL_DATA, 0xc093);
	s->gpr[R_ESP] = STACK;
}

/* the vector the guest stopped in, or -1 when it reached its own HLT */
static int guest_vector(void)
{
	uint64_t rip = S()->rip;
	if (rip < 0x3001 || rip >= 0x3001 + 32 * 16 || (rip - 0x3001) % 16)
		return -1;
	return (int)(rip - 0x3001) / 16;
}

/* ---- one case ---- */

struct tcase {
	uint8_t img[512] __attribute__((aligned(16)));	/* the FXSAVE image loaded */
	uint8_t mem[64];
	uint8_t mask[32];
	uint64_t gpr[16];
	uint64_t rflags;
	unsigned off;		/* ESI = the buffer + off */
	uint64_t cr0_set, cr4_clear;
	bool raw;		/* the guest's state set directly, no FXRSTOR/FXSAVE */
	uint8_t insn[16];
	unsigned len;
};

struct out {
	uint8_t img[512] __attribute__((aligned(16)));
	uint8_t mem[64];
	uint8_t mask[32];
	uint64_t gpr[16];	/* RSI and RDI relative to their buffers */
	uint64_t rflags;
	int vector;
	bool rip_ok;		/* a fault is reported at the instruction */
};

static void guest_run(const struct tcase *tc, struct out *o)
{
	struct cpu_state *s = S();
	uint8_t *p = ram(CODE);
	unsigned at = 0;
	if (!tc->raw) {
		memcpy(ram(IMG_IN), tc->img, 512);
		memset(ram(IMG_OUT), 0, 512);
		static const uint8_t fxrstor[4] = { 0x0f, 0xae, 0x0c, 0x25 };
		memcpy(p, fxrstor, 4);
		memcpy(p + 4, &(uint32_t){ IMG_IN }, 4);
		at = 8;
	} else {	/* all but MXCSR_MASK, which the CPU keeps there */
		uint32_t mask = g32(s->fxsave, 28);
		memcpy(s->fxsave, tc->img, 512);
		memcpy(s->fxsave + 28, &mask, 4);
	}
	memcpy(p + at, tc->insn, tc->len);
	unsigned end = at + tc->len;
	if (!tc->raw) {
		static const uint8_t fxsave[4] = { 0x0f, 0xae, 0x04, 0x25 };
		memcpy(p + end, fxsave, 4);
		memcpy(p + end + 4, &(uint32_t){ IMG_OUT }, 4);
		end += 8;
	}
	p[end++] = 0xf4;
	memcpy(ram(MEM), tc->mem, 64);
	memcpy(ram(MASKB), tc->mask, 32);
	for (int r = 0; r < 16; r++)
		s->gpr[r] = lm ? tc->gpr[r] : (uint32_t)tc->gpr[r];
	s->gpr[R_ESP] = STACK;
	s->gpr[R_ESI] = MEM + tc->off;
	s->gpr[R_EDI] = MASKB;
	s->rflags = tc->rflags;
	s->cr0 = base_cr0 | tc->cr0_set;
	s->cr4 = base_cr4 & ~tc->cr4_clear;
	memset(ram(STACK - 64), 0, 64);
	if (!run_at(CODE)) {
		o->vector = -2;
		return;
	}
	o->vector = guest_vector();
	o->rip_ok = true;
	if (o->vector < 0) {
		o->rip_ok = s->rip == CODE + end;
		memcpy(o->img, tc->raw ? s->fxsave : ram(IMG_OUT), 512);
	} else {
		memcpy(o->img, s->fxsave, 512);
		uint64_t rip = lm ? rd64(STACK - 40) : rd32(STACK - 12);
		o->rip_ok = rip == CODE + at;
	}
	memcpy(o->mem, ram(MEM), 64);
	memcpy(o->mask, ram(MASKB), 32);
	for (int r = 0; r < 16; r++)
		o->gpr[r] = lm ? s->gpr[r] : (uint32_t)s->gpr[r];
	o->gpr[R_ESI] -= MEM;
	o->gpr[R_EDI] -= MASKB;
	o->rflags = s->rflags;
}

static uint8_t himg[512] __attribute__((aligned(64)));
static uint8_t hmem[64] __attribute__((aligned(64)));
static uint8_t hmask[32] __attribute__((aligned(32)));

static void host_run(const struct tcase *tc, struct out *o)
{
	struct nctx ctx;
	memcpy(himg, tc->img, 512);
	memcpy(hmem, tc->mem, 64);
	memcpy(hmask, tc->mask, 32);
	for (int r = 0; r < 16; r++)
		ctx.gpr[r] = lm ? tc->gpr[r] : (uint32_t)tc->gpr[r];
	ctx.gpr[R_ESI] = (uint64_t)(uintptr_t)(hmem + tc->off);
	ctx.gpr[R_EDI] = (uint64_t)(uintptr_t)hmask;
	ctx.rflags = tc->rflags;
	ctx.img = himg;
	memcpy(jit, tc->insn, tc->len);
	jit[tc->len] = 0xc3;
	__builtin___clear_cache((char *)jit, (char *)jit + tc->len + 1);
	test_sse_code = jit;
	fault_sig = 0;
	o->rip_ok = true;
	if (sigsetjmp(fault_jb, 1) == 0) {
		test_sse_native(&ctx);
		o->vector = -1;
		memcpy(o->img, himg, 512);
		memcpy(o->gpr, ctx.gpr, sizeof(ctx.gpr));
		o->rflags = ctx.rflags;
	} else {
		/* the kernel gave the handler a fresh FP state, which
		 * siglongjmp kept: the host's defaults */
		o->vector = fault_sig == SIGFPE ? EXC_XM : fault_sig == SIGILL ? EXC_UD : EXC_GP;
		memcpy(o->img, fault_img, 512);
		memcpy(o->gpr, fault_gpr, sizeof(fault_gpr));
		o->rflags = fault_fl;
		o->rip_ok = fault_rip == (uint64_t)(uintptr_t)jit;
	}
	memcpy(o->mem, hmem, 64);
	memcpy(o->mask, hmask, 32);
	o->gpr[R_ESI] -= (uint64_t)(uintptr_t)hmem;
	o->gpr[R_EDI] -= (uint64_t)(uintptr_t)hmask;
	if (!lm)
		for (int r = 0; r < 16; r++)
			o->gpr[r] = (uint32_t)o->gpr[r];
}

/* ---- values ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const uint32_t f32_specials[] = {
	0x00000000, 0x80000000, 0x7f800000, 0xff800000,		/* +-0, +-inf */
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffe00001,		/* QNaNs, the indefinite */
	0x7f800001, 0xff812345, 0x7fbfffff,			/* SNaNs */
	0x00000001, 0x807fffff, 0x00400000,			/* denormals */
	0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,		/* min, max normal */
	0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000,
	0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001,		/* 2^31, -2^31, near */
	0x5f000000, 0xdf000000, 0x5effffff, 0xdf000001,		/* 2^63, -2^63, near */
	0x7e800000, 0x01000000, 0x00800001, 0x3effffff,
};

static const uint64_t f64_specials[] = {
	0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
	0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000012345678ull,
	0x7ff0000000000001ull, 0xfff4000000000000ull, 0x7ff7ffffffffffffull,
	1, 0x800fffffffffffffull, 0x0008000000000000ull,
	0x0010000000000000ull, 0x8010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
	0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
	0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
	0x41e0000000000000ull, 0xc1e0000000000000ull,		/* 2^31, -2^31 */
	0x41dfffffffe00000ull, 0xc1e0000000100000ull,		/* 2^31-0.5, -2^31-0.5 */
	0x41dfffffffc00000ull, 0xc1e0000000200000ull,		/* 2^31-1, -2^31-1 */
	0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43dfffffffffffffull,
	0x47efffffe0000000ull, 0x47effffff0000000ull,		/* float max, rounding to inf */
	0x3810000000000000ull, 0x380fffffffffffffull, 0x36a0000000000000ull,	/* float tiny */
	0x7e37e43c8800759cull, 0x0000000000001234ull,
};

static const uint32_t i32_specials[] = {
	0, 0xffffffff, 0x80000000, 0x7fffffff, 0x80808080, 0x7f7f7f7f, 0x00ff00ff,
	0x80007fff, 0xff00ff00, 0x00000001, 0x00010001, 0x8000ffff, 0x01020304,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum { T_I, T_F, T_D, T_S, T_X };

static uint32_t rnd_f32(void)
{
	if (rnd() % 2)
		return f32_specials[rnd() % NELEM(f32_specials)];
	uint32_t v = (uint32_t)rnd();
	if (rnd() % 4)	/* a moderate exponent */
		v = (v & 0x807fffff) | (uint32_t)(127 + (int)(rnd() % 64) - 32) << 23;
	if (rnd() % 4 == 0)
		v &= 0xffff0000;	/* few mantissa bits: exact results, ties */
	return v;
}

static uint64_t rnd_f64(void)
{
	if (rnd() % 2)
		return f64_specials[rnd() % NELEM(f64_specials)];
	uint64_t v = rnd();
	if (rnd() % 4)
		v = (v & 0x800fffffffffffffull) | (uint64_t)(1023 + (int)(rnd() % 128) - 64) << 52;
	if (rnd() % 4 == 0)
		v &= 0xffffffff00000000ull;
	return v;
}

static void fill(uint8_t *b, unsigned n, int type)
{
	for (unsigned k = 0; k < n; k += 8) {
		uint64_t v = rnd();
		switch (type) {
		case T_F: {
			uint32_t lo = rnd_f32(), hi = rnd_f32();
			v = (uint64_t)hi << 32 | lo;
			break;
		}
		case T_D:
			v = rnd_f64();
			break;
		case T_S: {
			static const uint8_t abc[] = { 0, 'a', 'b', 'c', 'd', 'a', 'b', 'z', 0x80, 0xff };
			uint8_t s[8];
			for (unsigned j = 0; j < 8; j++)
				s[j] = rnd() % 4 ? abc[rnd() % NELEM(abc)] : (uint8_t)rnd();
			if (rnd() % 4 == 0)
				memset(s, 'a', 8);
			memcpy(&v, s, 8);
			break;
		}
		default:
			if (rnd() % 8 == 0) {	/* a shift count, an index */
				v = rnd() % 72;
				break;
			}
			if (rnd() % 4 == 0)
				v = (v & ~0xffffffffull) | i32_specials[rnd() % NELEM(i32_specials)];
			if (rnd() % 4 == 0)
				v = (v & 0xffffffffull) | (uint64_t)i32_specials[rnd() % NELEM(i32_specials)] << 32;
			break;
		}
		memcpy(b + k, &v, 8);
	}
}

static uint32_t rnd_mxcsr(void)
{
	uint32_t m = (uint32_t)(rnd() & 3) << 13;
	if (rnd() & 1)
		m |= 0x8000;	/* FTZ */
	if (rnd() & 1)
		m |= 0x40;	/* DAZ */
	m |= rnd() % 4 ? 0x1f80 : (uint32_t)(rnd() & 0x1f80);
	if (rnd() % 4 == 0)
		m |= rnd() & 0x3f;	/* flags already set */
	return m;
}

static uint64_t rnd_gpr(void)
{
	static const uint64_t sp[] = { 0, 1, 0x80000000, 0x7fffffff, 0xffffffff,
				       0x8000000000000000ull, 0x7fffffffffffffffull, ~0ull,
				       0xffffffff80000000ull, 0x100000000ull };
	switch (rnd() % 6) {
	case 0: return (uint64_t)((int64_t)(rnd() % 61) - 20);
	case 1: return sp[rnd() % NELEM(sp)];
	case 2: return (uint32_t)rnd();
	default: return rnd();
	}
}

static const uint16_t fcws[] = { 0x037f, 0x027f, 0x007f, 0x0f7f, 0x0b7f, 0x077f, 0x1f7f };

/* x87: random TOP, tags, C bits, registers; no exception pending */
static void rnd_image(uint8_t *img, int type)
{
	memset(img, 0, 512);
	uint16_t fcw = fcws[rnd() % NELEM(fcws)];
	uint16_t fsw = (uint16_t)((rnd() & 7) << 11 | (rnd() & 0x4700));
	memcpy(img + FX_FCW, &fcw, 2);
	memcpy(img + FX_FSW, &fsw, 2);
	img[FX_FTW] = (uint8_t)rnd();
	for (unsigned i = 0; i < 8; i++) {
		fill(img + FX_ST + 16 * i, 8, T_I);
		uint16_t e = rnd() % 4 ? (uint16_t)rnd() : 0xffff;
		memcpy(img + FX_ST + 16 * i + 8, &e, 2);
	}
	uint32_t m = rnd_mxcsr();
	memcpy(img + FX_MXCSR, &m, 4);
	fill(img + FX_XMM, 256, type);
}

/* ---- the forms ---- */

/* F_MASKED: every SIMD exception masked. DPPS and DPPD with one unmasked
 * raise it after the stage (products, then sums) that found it, with
 * that stage's flags; the interpreter runs the host's DPPS with all
 * masked and cannot tell the stages apart, so those cases are a known
 * difference (see the README) and not drawn. Their masked cases, every
 * immediate, are compared as all others. */
enum { F_IMM = 1, F_W = 2, F_APPROX = 4, F_MASKED = 8 };

/* enc: the prefixes and opcode bytes (a REX goes after the legacy
 * prefixes); ops: the ModRM's reg field then its rm field, as in the SDM's
 * operand notation: V xmm, P mmx, G general register, a digit for /n;
 * W xmm or memory, U xmm only, Q mmx or memory, N mmx only, E general
 * register or memory, R general register only, M memory only; "--" for
 * no ModRM. type: what the XMM registers and memory hold (integers,
 * floats, doubles, strings, an MXCSR). imm8 from lo..hi, or (1 in 8) any */
struct form {
	const char *grp;
	const char *enc;
	const char *ops;
	uint8_t type, ilo, ihi, flags;
};

#define R_(g, e, o, t) { g, e, o, t, 0, 0, 0 }
#define RW(g, e, o, t) { g, e, o, t, 0, 0, F_W }
#define RI(g, e, o, t, lo, hi) { g, e, o, t, lo, hi, F_IMM }
#define RIW(g, e, o, t, lo, hi) { g, e, o, t, lo, hi, F_IMM | F_W }
#define RA(g, e, o, t) { g, e, o, t, 0, 0, F_APPROX }
static const struct form forms[] = {
	R_("mmx", "0f 60", "PQ", T_I),
	R_("mmx", "0f 61", "PQ", T_I),
	R_("mmx", "0f 62", "PQ", T_I),
	R_("mmx", "0f 63", "PQ", T_I),
	R_("mmx", "0f 64", "PQ", T_I),
	R_("mmx", "0f 65", "PQ", T_I),
	R_("mmx", "0f 66", "PQ", T_I),
	R_("mmx", "0f 67", "PQ", T_I),
	R_("mmx", "0f 68", "PQ", T_I),
	R_("mmx", "0f 69", "PQ", T_I),
	R_("mmx", "0f 6a", "PQ", T_I),
	R_("mmx", "0f 6b", "PQ", T_I),
	R_("mmx", "0f 74", "PQ", T_I),
	R_("mmx", "0f 75", "PQ", T_I),
	R_("mmx", "0f 76", "PQ", T_I),
	R_("mmx", "0f d1", "PQ", T_I),
	R_("mmx", "0f d2", "PQ", T_I),
	R_("mmx", "0f d3", "PQ", T_I),
	R_("mmx", "0f d5", "PQ", T_I),
	R_("mmx", "0f d8", "PQ", T_I),
	R_("mmx", "0f d9", "PQ", T_I),
	R_("mmx", "0f db", "PQ", T_I),
	R_("mmx", "0f dc", "PQ", T_I),
	R_("mmx", "0f dd", "PQ", T_I),
	R_("mmx", "0f df", "PQ", T_I),
	R_("mmx", "0f e1", "PQ", T_I),
	R_("mmx", "0f e2", "PQ", T_I),
	R_("mmx", "0f e5", "PQ", T_I),
	R_("mmx", "0f e8", "PQ", T_I),
	R_("mmx", "0f e9", "PQ", T_I),
	R_("mmx", "0f eb", "PQ", T_I),
	R_("mmx", "0f ec", "PQ", T_I),
	R_("mmx", "0f ed", "PQ", T_I),
	R_("mmx", "0f ef", "PQ", T_I),
	R_("mmx", "0f f1", "PQ", T_I),
	R_("mmx", "0f f2", "PQ", T_I),
	R_("mmx", "0f f3", "PQ", T_I),
	R_("mmx", "0f f5", "PQ", T_I),
	R_("mmx", "0f f8", "PQ", T_I),
	R_("mmx", "0f f9", "PQ", T_I),
	R_("mmx", "0f fa", "PQ", T_I),
	R_("mmx", "0f fc", "PQ", T_I),
	R_("mmx", "0f fd", "PQ", T_I),
	R_("mmx", "0f fe", "PQ", T_I),
	R_("mmx", "0f 6e", "PE", T_I),
	RW("mmx", "0f 6e", "PE", T_I),
	R_("mmx", "0f 6f", "PQ", T_I),
	R_("mmx", "0f 7e", "PE", T_I),
	RW("mmx", "0f 7e", "PE", T_I),
	R_("mmx", "0f 7f", "PQ", T_I),
	RI("mmx", "0f 71", "2N", T_I, 0, 70),
	RI("mmx", "0f 71", "4N", T_I, 0, 70),
	RI("mmx", "0f 71", "6N", T_I, 0, 70),
	RI("mmx", "0f 72", "2N", T_I, 0, 70),
	RI("mmx", "0f 72", "4N", T_I, 0, 70),
	RI("mmx", "0f 72", "6N", T_I, 0, 70),
	RI("mmx", "0f 73", "2N", T_I, 0, 70),
	RI("mmx", "0f 73", "6N", T_I, 0, 70),
	R_("mmx", "0f 77", "--", T_I),
	RI("sse-int", "0f 70", "PQ", T_I, 0, 255),
	RI("sse-int", "0f c4", "PE", T_I, 0, 7),
	RI("sse-int", "0f c5", "GN", T_I, 0, 7),
	R_("sse-int", "0f d7", "GN", T_I),
	R_("sse-int", "0f da", "PQ", T_I),
	R_("sse-int", "0f de", "PQ", T_I),
	R_("sse-int", "0f e0", "PQ", T_I),
	R_("sse-int", "0f e3", "PQ", T_I),
	R_("sse-int", "0f e4", "PQ", T_I),
	R_("sse-int", "0f ea", "PQ", T_I),
	R_("sse-int", "0f ee", "PQ", T_I),
	R_("sse-int", "0f f6", "PQ", T_I),
	R_("sse-int", "0f e7", "PM", T_I),
	R_("sse-int", "0f f7", "PN", T_I),
	R_("sse-fp", "0f 10", "VW", T_F),
	R_("sse-fp", "0f 11", "VW", T_F),
	R_("sse-fp", "0f 12", "VW", T_F),
	R_("sse-fp", "0f 13", "VM", T_F),
	R_("sse-fp", "0f 14", "VW", T_F),
	R_("sse-fp", "0f 15", "VW", T_F),
	R_("sse-fp", "0f 16", "VW", T_F),
	R_("sse-fp", "0f 17", "VM", T_F),
	R_("sse-fp", "0f 28", "VW", T_F),
	R_("sse-fp", "0f 29", "VW", T_F),
	R_("sse-fp", "0f 2a", "VQ", T_F),
	R_("sse-fp", "0f 2b", "VM", T_F),
	R_("sse-fp", "0f 2c", "PW", T_F),
	R_("sse-fp", "0f 2d", "PW", T_F),
	R_("sse-fp", "0f 2e", "VW", T_F),
	R_("sse-fp", "0f 2f", "VW", T_F),
	R_("sse-fp", "0f 50", "GU", T_F),
	R_("sse-fp", "0f 51", "VW", T_F),
	RA("sse-fp", "0f 52", "VW", T_F),
	RA("sse-fp", "0f 53", "VW", T_F),
	R_("sse-fp", "0f 54", "VW", T_F),
	R_("sse-fp", "0f 55", "VW", T_F),
	R_("sse-fp", "0f 56", "VW", T_F),
	R_("sse-fp", "0f 57", "VW", T_F),
	R_("sse-fp", "0f 58", "VW", T_F),
	R_("sse-fp", "0f 59", "VW", T_F),
	R_("sse-fp", "0f 5c", "VW", T_F),
	R_("sse-fp", "0f 5d", "VW", T_F),
	R_("sse-fp", "0f 5e", "VW", T_F),
	R_("sse-fp", "0f 5f", "VW", T_F),
	RI("sse-fp", "0f c2", "VW", T_F, 0, 7),
	RI("sse-fp", "0f c6", "VW", T_F, 0, 255),
	R_("sse-fp", "f3 0f 10", "VW", T_F),
	R_("sse-fp", "f3 0f 11", "VW", T_F),
	R_("sse-fp", "f3 0f 2a", "VE", T_F),
	RW("sse-fp", "f3 0f 2a", "VE", T_F),
	R_("sse-fp", "f3 0f 2c", "GW", T_F),
	RW("sse-fp", "f3 0f 2c", "GW", T_F),
	R_("sse-fp", "f3 0f 2d", "GW", T_F),
	RW("sse-fp", "f3 0f 2d", "GW", T_F),
	R_("sse-fp", "f3 0f 51", "VW", T_F),
	RA("sse-fp", "f3 0f 52", "VW", T_F),
	RA("sse-fp", "f3 0f 53", "VW", T_F),
	R_("sse-fp", "f3 0f 58", "VW", T_F),
	R_("sse-fp", "f3 0f 59", "VW", T_F),
	R_("sse-fp", "f3 0f 5c", "VW", T_F),
	R_("sse-fp", "f3 0f 5d", "VW", T_F),
	R_("sse-fp", "f3 0f 5e", "VW", T_F),
	R_("sse-fp", "f3 0f 5f", "VW", T_F),
	RI("sse-fp", "f3 0f c2", "VW", T_F, 0, 7),
	R_("sse-misc", "0f ae", "2M", T_X),
	R_("sse-misc", "0f ae", "3M", T_X),
	R_("sse-misc", "0f ae f8", "--", T_I),
	R_("sse-misc", "0f 18", "0M", T_I),
	R_("sse-misc", "0f 18", "1M", T_I),
	R_("sse-misc", "0f 18", "2M", T_I),
	R_("sse-misc", "0f 18", "3M", T_I),
	R_("sse2-fp", "66 0f 10", "VW", T_D),
	R_("sse2-fp", "66 0f 11", "VW", T_D),
	R_("sse2-fp", "66 0f 12", "VM", T_D),
	R_("sse2-fp", "66 0f 13", "VM", T_D),
	R_("sse2-fp", "66 0f 14", "VW", T_D),
	R_("sse2-fp", "66 0f 15", "VW", T_D),
	R_("sse2-fp", "66 0f 16", "VM", T_D),
	R_("sse2-fp", "66 0f 17", "VM", T_D),
	R_("sse2-fp", "66 0f 28", "VW", T_D),
	R_("sse2-fp", "66 0f 29", "VW", T_D),
	R_("sse2-fp", "66 0f 2a", "VQ", T_D),
	R_("sse2-fp", "66 0f 2b", "VM", T_D),
	R_("sse2-fp", "66 0f 2c", "PW", T_D),
	R_("sse2-fp", "66 0f 2d", "PW", T_D),
	R_("sse2-fp", "66 0f 2e", "VW", T_D),
	R_("sse2-fp", "66 0f 2f", "VW", T_D),
	R_("sse2-fp", "66 0f 50", "GU", T_D),
	R_("sse2-fp", "66 0f 51", "VW", T_D),
	R_("sse2-fp", "66 0f 54", "VW", T_D),
	R_("sse2-fp", "66 0f 55", "VW", T_D),
	R_("sse2-fp", "66 0f 56", "VW", T_D),
	R_("sse2-fp", "66 0f 57", "VW", T_D),
	R_("sse2-fp", "66 0f 58", "VW", T_D),
	R_("sse2-fp", "66 0f 59", "VW", T_D),
	R_("sse2-fp", "66 0f 5a", "VW", T_D),
	R_("sse2-fp", "66 0f 5b", "VW", T_F),
	R_("sse2-fp", "66 0f 5c", "VW", T_D),
	R_("sse2-fp", "66 0f 5d", "VW", T_D),
	R_("sse2-fp", "66 0f 5e", "VW", T_D),
	R_("sse2-fp", "66 0f 5f", "VW", T_D),
	R_("sse2-fp", "66 0f e6", "VW", T_D),
	RI("sse2-fp", "66 0f c2", "VW", T_D, 0, 7),
	RI("sse2-fp", "66 0f c6", "VW", T_D, 0, 3),
	R_("sse2-fp", "0f 5a", "VW", T_F),
	R_("sse2-fp", "0f 5b", "VW", T_I),
	R_("sse2-fp", "f3 0f 5a", "VW", T_F),
	R_("sse2-fp", "f3 0f 5b", "VW", T_F),
	R_("sse2-fp", "f3 0f e6", "VW", T_I),
	R_("sse2-fp", "f2 0f 10", "VW", T_D),
	R_("sse2-fp", "f2 0f 11", "VW", T_D),
	R_("sse2-fp", "f2 0f 2a", "VE", T_D),
	RW("sse2-fp", "f2 0f 2a", "VE", T_D),
	R_("sse2-fp", "f2 0f 2c", "GW", T_D),
	RW("sse2-fp", "f2 0f 2c", "GW", T_D),
	R_("sse2-fp", "f2 0f 2d", "GW", T_D),
	RW("sse2-fp", "f2 0f 2d", "GW", T_D),
	R_("sse2-fp", "f2 0f 51", "VW", T_D),
	R_("sse2-fp", "f2 0f 58", "VW", T_D),
	R_("sse2-fp", "f2 0f 59", "VW", T_D),
	R_("sse2-fp", "f2 0f 5a", "VW", T_D),
	R_("sse2-fp", "f2 0f 5c", "VW", T_D),
	R_("sse2-fp", "f2 0f 5d", "VW", T_D),
	R_("sse2-fp", "f2 0f 5e", "VW", T_D),
	R_("sse2-fp", "f2 0f 5f", "VW", T_D),
	R_("sse2-fp", "f2 0f e6", "VW", T_D),
	RI("sse2-fp", "f2 0f c2", "VW", T_D, 0, 7),
	R_("sse2-int", "66 0f 60", "VW", T_I),
	R_("sse2-int", "66 0f 61", "VW", T_I),
	R_("sse2-int", "66 0f 62", "VW", T_I),
	R_("sse2-int", "66 0f 63", "VW", T_I),
	R_("sse2-int", "66 0f 64", "VW", T_I),
	R_("sse2-int", "66 0f 65", "VW", T_I),
	R_("sse2-int", "66 0f 66", "VW", T_I),
	R_("sse2-int", "66 0f 67", "VW", T_I),
	R_("sse2-int", "66 0f 68", "VW", T_I),
	R_("sse2-int", "66 0f 69", "VW", T_I),
	R_("sse2-int", "66 0f 6a", "VW", T_I),
	R_("sse2-int", "66 0f 6b", "VW", T_I),
	R_("sse2-int", "66 0f 6c", "VW", T_I),
	R_("sse2-int", "66 0f 6d", "VW", T_I),
	R_("sse2-int", "66 0f 74", "VW", T_I),
	R_("sse2-int", "66 0f 75", "VW", T_I),
	R_("sse2-int", "66 0f 76", "VW", T_I),
	R_("sse2-int", "66 0f d1", "VW", T_I),
	R_("sse2-int", "66 0f d2", "VW", T_I),
	R_("sse2-int", "66 0f d3", "VW", T_I),
	R_("sse2-int", "66 0f d4", "VW", T_I),
	R_("sse2-int", "66 0f d5", "VW", T_I),
	R_("sse2-int", "66 0f d8", "VW", T_I),
	R_("sse2-int", "66 0f d9", "VW", T_I),
	R_("sse2-int", "66 0f da", "VW", T_I),
	R_("sse2-int", "66 0f db", "VW", T_I),
	R_("sse2-int", "66 0f dc", "VW", T_I),
	R_("sse2-int", "66 0f dd", "VW", T_I),
	R_("sse2-int", "66 0f de", "VW", T_I),
	R_("sse2-int", "66 0f df", "VW", T_I),
	R_("sse2-int", "66 0f e0", "VW", T_I),
	R_("sse2-int", "66 0f e1", "VW", T_I),
	R_("sse2-int", "66 0f e2", "VW", T_I),
	R_("sse2-int", "66 0f e3", "VW", T_I),
	R_("sse2-int", "66 0f e4", "VW", T_I),
	R_("sse2-int", "66 0f e5", "VW", T_I),
	R_("sse2-int", "66 0f e8", "VW", T_I),
	R_("sse2-int", "66 0f e9", "VW", T_I),
	R_("sse2-int", "66 0f ea", "VW", T_I),
	R_("sse2-int", "66 0f eb", "VW", T_I),
	R_("sse2-int", "66 0f ec", "VW", T_I),
	R_("sse2-int", "66 0f ed", "VW", T_I),
	R_("sse2-int", "66 0f ee", "VW", T_I),
	R_("sse2-int", "66 0f ef", "VW", T_I),
	R_("sse2-int", "66 0f f1", "VW", T_I),
	R_("sse2-int", "66 0f f2", "VW", T_I),
	R_("sse2-int", "66 0f f3", "VW", T_I),
	R_("sse2-int", "66 0f f4", "VW", T_I),
	R_("sse2-int", "66 0f f5", "VW", T_I),
	R_("sse2-int", "66 0f f6", "VW", T_I),
	R_("sse2-int", "66 0f f8", "VW", T_I),
	R_("sse2-int", "66 0f f9", "VW", T_I),
	R_("sse2-int", "66 0f fa", "VW", T_I),
	R_("sse2-int", "66 0f fb", "VW", T_I),
	R_("sse2-int", "66 0f fc", "VW", T_I),
	R_("sse2-int", "66 0f fd", "VW", T_I),
	R_("sse2-int", "66 0f fe", "VW", T_I),
	R_("sse2-int", "66 0f 6e", "VE", T_I),
	RW("sse2-int", "66 0f 6e", "VE", T_I),
	R_("sse2-int", "66 0f 6f", "VW", T_I),
	R_("sse2-int", "f3 0f 6f", "VW", T_I),
	RI("sse2-int", "66 0f 70", "VW", T_I, 0, 255),
	RI("sse2-int", "f3 0f 70", "VW", T_I, 0, 255),
	RI("sse2-int", "f2 0f 70", "VW", T_I, 0, 255),
	RI("sse2-int", "66 0f 71", "2U", T_I, 0, 70),
	RI("sse2-int", "66 0f 71", "4U", T_I, 0, 70),
	RI("sse2-int", "66 0f 71", "6U", T_I, 0, 70),
	RI("sse2-int", "66 0f 72", "2U", T_I, 0, 70),
	RI("sse2-int", "66 0f 72", "4U", T_I, 0, 70),
	RI("sse2-int", "66 0f 72", "6U", T_I, 0, 70),
	RI("sse2-int", "66 0f 73", "2U", T_I, 0, 70),
	RI("sse2-int", "66 0f 73", "3U", T_I, 0, 70),
	RI("sse2-int", "66 0f 73", "6U", T_I, 0, 70),
	RI("sse2-int", "66 0f 73", "7U", T_I, 0, 70),
	R_("sse2-int", "66 0f 7e", "VE", T_I),
	RW("sse2-int", "66 0f 7e", "VE", T_I),
	R_("sse2-int", "f3 0f 7e", "VW", T_I),
	R_("sse2-int", "66 0f 7f", "VW", T_I),
	R_("sse2-int", "f3 0f 7f", "VW", T_I),
	RI("sse2-int", "66 0f c4", "VE", T_I, 0, 15),
	RI("sse2-int", "66 0f c5", "GU", T_I, 0, 15),
	R_("sse2-int", "66 0f d6", "VW", T_I),
	R_("sse2-int", "f3 0f d6", "VN", T_I),
	R_("sse2-int", "f2 0f d6", "PU", T_I),
	R_("sse2-int", "66 0f d7", "GU", T_I),
	R_("sse2-int", "66 0f e7", "VM", T_I),
	R_("sse2-int", "66 0f f7", "VU", T_I),
	R_("sse2-int", "0f d4", "PQ", T_I),
	R_("sse2-int", "0f fb", "PQ", T_I),
	R_("sse2-int", "0f f4", "PQ", T_I),
	R_("sse2-int", "0f c3", "GM", T_I),
	RW("sse2-int", "0f c3", "GM", T_I),
	R_("sse2-int", "0f ae e8", "--", T_I),
	R_("sse2-int", "0f ae f0", "--", T_I),
	R_("sse2-int", "0f ae", "7M", T_I),
	R_("sse3", "f2 0f d0", "VW", T_F),
	R_("sse3", "66 0f d0", "VW", T_D),
	R_("sse3", "f2 0f 7c", "VW", T_F),
	R_("sse3", "66 0f 7c", "VW", T_D),
	R_("sse3", "f2 0f 7d", "VW", T_F),
	R_("sse3", "66 0f 7d", "VW", T_D),
	R_("sse3", "f3 0f 12", "VW", T_F),
	R_("sse3", "f3 0f 16", "VW", T_F),
	R_("sse3", "f2 0f 12", "VW", T_D),
	R_("sse3", "f2 0f f0", "VM", T_I),
	R_("ssse3", "0f 38 00", "PQ", T_I),
	R_("ssse3", "66 0f 38 00", "VW", T_I),
	R_("ssse3", "0f 38 01", "PQ", T_I),
	R_("ssse3", "66 0f 38 01", "VW", T_I),
	R_("ssse3", "0f 38 02", "PQ", T_I),
	R_("ssse3", "66 0f 38 02", "VW", T_I),
	R_("ssse3", "0f 38 03", "PQ", T_I),
	R_("ssse3", "66 0f 38 03", "VW", T_I),
	R_("ssse3", "0f 38 04", "PQ", T_I),
	R_("ssse3", "66 0f 38 04", "VW", T_I),
	R_("ssse3", "0f 38 05", "PQ", T_I),
	R_("ssse3", "66 0f 38 05", "VW", T_I),
	R_("ssse3", "0f 38 06", "PQ", T_I),
	R_("ssse3", "66 0f 38 06", "VW", T_I),
	R_("ssse3", "0f 38 07", "PQ", T_I),
	R_("ssse3", "66 0f 38 07", "VW", T_I),
	R_("ssse3", "0f 38 08", "PQ", T_I),
	R_("ssse3", "66 0f 38 08", "VW", T_I),
	R_("ssse3", "0f 38 09", "PQ", T_I),
	R_("ssse3", "66 0f 38 09", "VW", T_I),
	R_("ssse3", "0f 38 0a", "PQ", T_I),
	R_("ssse3", "66 0f 38 0a", "VW", T_I),
	R_("ssse3", "0f 38 0b", "PQ", T_I),
	R_("ssse3", "66 0f 38 0b", "VW", T_I),
	R_("ssse3", "0f 38 1c", "PQ", T_I),
	R_("ssse3", "66 0f 38 1c", "VW", T_I),
	R_("ssse3", "0f 38 1d", "PQ", T_I),
	R_("ssse3", "66 0f 38 1d", "VW", T_I),
	R_("ssse3", "0f 38 1e", "PQ", T_I),
	R_("ssse3", "66 0f 38 1e", "VW", T_I),
	RI("ssse3", "0f 3a 0f", "PQ", T_I, 0, 32),
	RI("ssse3", "66 0f 3a 0f", "VW", T_I, 0, 32),
	R_("sse4.1", "66 0f 38 10", "VW", T_I),
	R_("sse4.1", "66 0f 38 14", "VW", T_F),
	R_("sse4.1", "66 0f 38 15", "VW", T_D),
	R_("sse4.1", "66 0f 38 17", "VW", T_I),
	R_("sse4.1", "66 0f 38 20", "VW", T_I),
	R_("sse4.1", "66 0f 38 21", "VW", T_I),
	R_("sse4.1", "66 0f 38 22", "VW", T_I),
	R_("sse4.1", "66 0f 38 23", "VW", T_I),
	R_("sse4.1", "66 0f 38 24", "VW", T_I),
	R_("sse4.1", "66 0f 38 25", "VW", T_I),
	R_("sse4.1", "66 0f 38 28", "VW", T_I),
	R_("sse4.1", "66 0f 38 29", "VW", T_I),
	R_("sse4.1", "66 0f 38 2b", "VW", T_I),
	R_("sse4.1", "66 0f 38 30", "VW", T_I),
	R_("sse4.1", "66 0f 38 31", "VW", T_I),
	R_("sse4.1", "66 0f 38 32", "VW", T_I),
	R_("sse4.1", "66 0f 38 33", "VW", T_I),
	R_("sse4.1", "66 0f 38 34", "VW", T_I),
	R_("sse4.1", "66 0f 38 35", "VW", T_I),
	R_("sse4.1", "66 0f 38 38", "VW", T_I),
	R_("sse4.1", "66 0f 38 39", "VW", T_I),
	R_("sse4.1", "66 0f 38 3a", "VW", T_I),
	R_("sse4.1", "66 0f 38 3b", "VW", T_I),
	R_("sse4.1", "66 0f 38 3c", "VW", T_I),
	R_("sse4.1", "66 0f 38 3d", "VW", T_I),
	R_("sse4.1", "66 0f 38 3e", "VW", T_I),
	R_("sse4.1", "66 0f 38 3f", "VW", T_I),
	R_("sse4.1", "66 0f 38 40", "VW", T_I),
	R_("sse4.1", "66 0f 38 41", "VW", T_I),
	R_("sse4.1", "66 0f 38 2a", "VM", T_I),
	RI("sse4.1", "66 0f 3a 08", "VW", T_F, 0, 15),
	RI("sse4.1", "66 0f 3a 09", "VW", T_D, 0, 15),
	RI("sse4.1", "66 0f 3a 0a", "VW", T_F, 0, 15),
	RI("sse4.1", "66 0f 3a 0b", "VW", T_D, 0, 15),
	RI("sse4.1", "66 0f 3a 0c", "VW", T_F, 0, 15),
	RI("sse4.1", "66 0f 3a 0d", "VW", T_D, 0, 3),
	RI("sse4.1", "66 0f 3a 0e", "VW", T_I, 0, 255),
	RI("sse4.1", "66 0f 3a 14", "VE", T_I, 0, 15),
	RI("sse4.1", "66 0f 3a 15", "VE", T_I, 0, 7),
	RI("sse4.1", "66 0f 3a 16", "VE", T_I, 0, 3),
	RIW("sse4.1", "66 0f 3a 16", "VE", T_I, 0, 1),
	RI("sse4.1", "66 0f 3a 17", "VE", T_F, 0, 3),
	RI("sse4.1", "66 0f 3a 20", "VE", T_I, 0, 15),
	RI("sse4.1", "66 0f 3a 21", "VW", T_F, 0, 255),
	RI("sse4.1", "66 0f 3a 22", "VE", T_I, 0, 3),
	RIW("sse4.1", "66 0f 3a 22", "VE", T_I, 0, 1),
	{ "sse4.1", "66 0f 3a 40", "VW", T_F, 0, 255, F_IMM | F_MASKED },
	{ "sse4.1", "66 0f 3a 41", "VW", T_D, 0, 255, F_IMM | F_MASKED },
	RI("sse4.1", "66 0f 3a 42", "VW", T_I, 0, 7),
	R_("sse4.2", "66 0f 38 37", "VW", T_I),
	RI("sse4.2", "66 0f 3a 60", "VW", T_S, 0, 255),
	RI("sse4.2", "66 0f 3a 61", "VW", T_S, 0, 255),
	RI("sse4.2", "66 0f 3a 62", "VW", T_S, 0, 255),
	RI("sse4.2", "66 0f 3a 63", "VW", T_S, 0, 255),
	RIW("sse4.2", "66 0f 3a 60", "VW", T_S, 0, 255),
	RIW("sse4.2", "66 0f 3a 61", "VW", T_S, 0, 255),
	R_("sse4.2", "f2 0f 38 f0", "GE", T_I),
	R_("sse4.2", "f2 0f 38 f1", "GE", T_I),
	R_("sse4.2", "66 f2 0f 38 f1", "GE", T_I),
	RW("sse4.2", "f2 0f 38 f0", "GE", T_I),
	RW("sse4.2", "f2 0f 38 f1", "GE", T_I),
	R_("popcnt", "f3 0f b8", "GE", T_I),
	R_("popcnt", "66 f3 0f b8", "GE", T_I),
	RW("popcnt", "f3 0f b8", "GE", T_I),
};

#define NFORMS NELEM(forms)

static const struct {
	const char *name;
	const char *feature;
	int leaf_reg, bit;	/* CPUID.1: 0 EDX, 1 ECX */
} groups[] = {
	{ "mmx", "MMX", 0, 23 },
	{ "sse-fp", "SSE", 0, 25 },
	{ "sse-int", "SSE", 0, 25 },
	{ "sse-misc", "SSE", 0, 25 },
	{ "sse2-fp", "SSE2", 0, 26 },
	{ "sse2-int", "SSE2", 0, 26 },
	{ "sse3", "SSE3", 1, 0 },
	{ "ssse3", "SSSE3", 1, 9 },
	{ "sse4.1", "SSE4.1", 1, 19 },
	{ "sse4.2", "SSE4.2", 1, 20 },
	{ "popcnt", "POPCNT", 1, 23 },
};

static bool host_has(int reg, int bit)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	return ((reg ? c : d) >> bit) & 1;
}

/* one form made concrete: the bytes and which registers it names */
struct built {
	char regk, rmk;		/* the kinds actually used: V P G digit / V P G M */
	int reg, rm;		/* register numbers (with REX) */
	bool mem, hasimm;
	uint8_t imm;
	unsigned opc_at;	/* where the opcode starts in insn */
};

static bool parse_enc(const char *enc, uint8_t *pfx, unsigned *np, uint8_t *opc, unsigned *no)
{
	*np = *no = 0;
	const char *p = enc;
	while (*p) {
		char *e;
		unsigned long v = strtoul(p, &e, 16);
		if (e == p)
			return false;
		p = e;
		while (*p == ' ')
			p++;
		if (!*no && (v == 0x66 || v == 0xf2 || v == 0xf3))
			pfx[(*np)++] = (uint8_t)v;
		else
			opc[(*no)++] = (uint8_t)v;
	}
	return true;
}

static int rnd_gpr_index(void)
{
	static const int lo[] = { 0, 1, 2, 3, 5 };
	static const int all[] = { 0, 1, 2, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15 };
	return lm ? all[rnd() % NELEM(all)] : lo[rnd() % NELEM(lo)];
}

/* the instruction: prefixes, REX (long mode, when it has bits), opcode,
 * ModRM (memory: [esi] / [rsi]), imm8 */
static void build(const struct form *f, struct tcase *tc, struct built *b)
{
	uint8_t pfx[4], opc[4];
	unsigned np, no;
	parse_enc(f->enc, pfx, &np, opc, &no);
	memset(b, 0, sizeof(*b));
	unsigned rex = (f->flags & F_W) ? 8 : 0, n = 0;
	uint8_t modrm = 0;
	bool has_modrm = f->ops[0] != '-';
	if (has_modrm) {
		char r = f->ops[0], m = f->ops[1];
		b->regk = r;
		switch (r) {
		case 'V':
			b->reg = (int)(rnd() & 7);
			if (lm && (rnd() & 1))
				b->reg += 8;
			break;
		case 'P':
			b->reg = (int)(rnd() & 7);
			break;
		case 'G':
			b->reg = rnd_gpr_index();
			break;
		default:
			b->reg = r - '0';
			break;
		}
		b->mem = m == 'M' || ((m == 'W' || m == 'Q' || m == 'E') && (rnd() & 1));
		if (b->mem) {
			b->rmk = 'M';
			b->rm = 6;
		} else {
			b->rmk = m == 'W' || m == 'U' ? 'V' : m == 'Q' || m == 'N' ? 'P' : 'G';
			if (b->rmk == 'V') {
				b->rm = (int)(rnd() & 7);
				if (lm && (rnd() & 1))
					b->rm += 8;
			} else if (b->rmk == 'P') {
				b->rm = (int)(rnd() & 7);
			} else {
				b->rm = rnd_gpr_index();
			}
		}
		if (b->reg & 8)
			rex |= 4;
		if (!b->mem && (b->rm & 8))
			rex |= 1;
		modrm = (uint8_t)((b->mem ? 0 : 0xc0) | (b->reg & 7) << 3 | (b->rm & 7));
	}
	memcpy(tc->insn, pfx, np);
	n = np;
	if (rex && lm)
		tc->insn[n++] = (uint8_t)(0x40 | rex);
	b->opc_at = n;
	memcpy(tc->insn + n, opc, no);
	n += no;
	if (has_modrm)
		tc->insn[n++] = modrm;
	if (f->flags & F_IMM) {
		b->hasimm = true;
		b->imm = rnd() % 8 ? (uint8_t)(f->ilo + rnd() % (unsigned)(f->ihi - f->ilo + 1)) : (uint8_t)rnd();
		tc->insn[n++] = b->imm;
	}
	tc->len = n;
}

/* a random case for form f */
static void make_case(const struct form *f, struct tcase *tc, struct built *b)
{
	memset(tc, 0, sizeof(*tc));
	build(f, tc, b);
	rnd_image(tc->img, f->type);
	fill(tc->mem, 64, f->type == T_X ? T_I : f->type);
	fill(tc->mask, 32, T_I);
	for (int r = 0; r < 16; r++)
		tc->gpr[r] = rnd_gpr();
	if (f->type == T_S) {	/* PCMPESTRx lengths: mostly in and around 0..16 */
		if (rnd() % 4)
			tc->gpr[R_EAX] = (uint64_t)((int64_t)(rnd() % 41) - 20);
		if (rnd() % 4)
			tc->gpr[R_EDX] = (uint64_t)((int64_t)(rnd() % 41) - 20);
	}
	tc->rflags = 0x2 | (rnd() & (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF));
	tc->off = b->mem && rnd() % 6 == 0 ? (unsigned)(rnd() % 16) : 0;
	if (f->type == T_X) {	/* LDMXCSR: a valid value */
		uint32_t m = (uint32_t)rnd() & 0xffff;
		memcpy(tc->mem + tc->off, &m, 4);
	}
	uint32_t mx = g32(tc->img, FX_MXCSR);
	if (f->flags & F_MASKED) {
		mx |= 0x1f80;
		memcpy(tc->img + FX_MXCSR, &mx, 4);
	}
	if ((mx & 0x1f80) != 0x1f80 && rnd() % 4 == 0)
		tc->cr4_clear = CR4_OSXMMEXCPT;
}

/* ---- comparing and reporting ---- */

static const char *vec_name(int v)
{
	switch (v) {
	case -1: return "none";
	case EXC_UD: return "#UD";
	case EXC_NM: return "#NM";
	case EXC_GP: return "#GP";
	case EXC_MF: return "#MF";
	case EXC_XM: return "#XM";
	default: return "other";
	}
}

static void put_lanes(const uint8_t *p, int type)
{
	if (type == T_D) {
		for (int k = 1; k >= 0; k--) {
			uint64_t v = g64(p, 8 * (unsigned)k);
			double d;
			memcpy(&d, &v, 8);
			printf(" %016llx (%-12g)", (unsigned long long)v, d);
		}
	} else if (type == T_F) {
		for (int k = 3; k >= 0; k--) {
			uint32_t v = g32(p, 4 * (unsigned)k);
			float fl;
			memcpy(&fl, &v, 4);
			printf(" %08x (%-11g)", v, (double)fl);
		}
	} else {
		for (int k = 3; k >= 0; k--)
			printf(" %08x", g32(p, 4 * (unsigned)k));
	}
}

static void put_bytes(const char *what, const uint8_t *p, unsigned n)
{
	printf("      %s:", what);
	for (unsigned k = 0; k < n; k++)
		printf(" %02x", p[k]);
	printf("\n");
}

static void put_insn(const struct tcase *tc)
{
	for (unsigned k = 0; k < tc->len; k++)
		printf("%s%02x", k ? " " : "", tc->insn[k]);
}

static const char *const gpr_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* the inputs the instruction names */
static void put_inputs(const struct form *f, const struct tcase *tc, const struct built *b)
{
	printf("    in: mxcsr %08x eflags %03llx fsw %04x ftw %02x%s\n", g32(tc->img, FX_MXCSR),
	       (unsigned long long)tc->rflags, g16(tc->img, FX_FSW), tc->img[FX_FTW],
	       tc->cr4_clear ? " CR4.OSXMMEXCPT=0" : "");
	unsigned top = (g16(tc->img, FX_FSW) >> 11) & 7;
	int xs[3] = { -1, -1, 0 }, ms[2] = { -1, -1 };
	if (b->regk == 'V')
		xs[0] = b->reg;
	if (b->rmk == 'V')
		xs[1] = b->rm;
	if (b->regk == 'P')
		ms[0] = b->reg;
	if (b->rmk == 'P')
		ms[1] = b->rm;
	for (int k = 0; k < 3; k++) {
		if (xs[k] < 0 || (k == 1 && xs[1] == xs[0]) || (k == 2 && (xs[0] == 0 || xs[1] == 0)))
			continue;
		printf("      xmm%-2d:", xs[k]);
		put_lanes(tc->img + FX_XMM + 16 * xs[k], f->type);
		printf("\n");
	}
	for (int k = 0; k < 2; k++) {
		if (ms[k] < 0 || (k == 1 && ms[1] == ms[0]))
			continue;
		printf("      mm%d: %016llx\n", ms[k],
		       (unsigned long long)g64(tc->img, FX_ST + 16 * ((ms[k] - top) & 7)));
	}
	if (b->regk == 'G' || b->rmk == 'G' || f->type == T_S) {
		printf("     ");
		for (int r = 0; r < 16; r++)
			if ((b->regk == 'G' && r == b->reg) || (b->rmk == 'G' && r == b->rm) ||
			    (f->type == T_S && (r == 0 || r == 2)))
				printf(" %s=%llx", gpr_names[r], (unsigned long long)tc->gpr[r]);
		printf("\n");
	}
	if (b->mem) {
		char what[32];
		snprintf(what, sizeof(what), "mem [esi+%u]", tc->off);
		put_bytes(what, tc->mem + tc->off, 16);
	}
}

/* the parts two outcomes must agree in; with print, each difference;
 * skip_xmm/skip_lanes: the lanes an approximation leaves (checked apart) */
static int compare(const struct form *f, const struct out *g, const struct out *h, bool print,
		   int skip_xmm, unsigned skip_lanes)
{
	int nd = 0;
	if (g->vector != h->vector) {
		if (print)
			printf("      exception: guest %s (%d), host %s\n", vec_name(g->vector), g->vector,
			       vec_name(h->vector));
		return 1;
	}
	if (!g->rip_ok) {
		nd++;
		if (print)
			printf("      the guest's RIP after it (or the pushed RIP) is wrong\n");
	}
	if (g16(g->img, FX_FCW) != g16(h->img, FX_FCW) || g16(g->img, FX_FSW) != g16(h->img, FX_FSW) ||
	    g->img[FX_FTW] != h->img[FX_FTW]) {
		nd++;
		if (print)
			printf("      fcw/fsw/ftw: guest %04x %04x %02x, host %04x %04x %02x\n",
			       g16(g->img, FX_FCW), g16(g->img, FX_FSW), g->img[FX_FTW],
			       g16(h->img, FX_FCW), g16(h->img, FX_FSW), h->img[FX_FTW]);
	}
	if (g32(g->img, FX_MXCSR) != g32(h->img, FX_MXCSR)) {
		nd++;
		if (print)
			printf("      mxcsr: guest %08x, host %08x\n", g32(g->img, FX_MXCSR),
			       g32(h->img, FX_MXCSR));
	}
	for (unsigned i = 0; i < 8; i++) {
		if (memcmp(g->img + FX_ST + 16 * i, h->img + FX_ST + 16 * i, 10)) {
			nd++;
			if (print)
				printf("      st%u: guest %04x %016llx, host %04x %016llx\n", i,
				       g16(g->img, FX_ST + 16 * i + 8),
				       (unsigned long long)g64(g->img, FX_ST + 16 * i),
				       g16(h->img, FX_ST + 16 * i + 8),
				       (unsigned long long)g64(h->img, FX_ST + 16 * i));
		}
	}
	for (unsigned i = 0; i < (lm ? 16u : 8u); i++) {
		uint8_t a[16], c[16];
		memcpy(a, g->img + FX_XMM + 16 * i, 16);
		memcpy(c, h->img + FX_XMM + 16 * i, 16);
		if ((int)i == skip_xmm)
			for (unsigned k = 0; k < 4; k++)
				if (skip_lanes >> k & 1)
					memset(a + 4 * k, 0, 4), memset(c + 4 * k, 0, 4);
		if (memcmp(a, c, 16)) {
			nd++;
			if (print) {
				printf("      xmm%-2u guest:", i);
				put_lanes(g->img + FX_XMM + 16 * i, f->type);
				printf("\n      xmm%-2u host :", i);
				put_lanes(h->img + FX_XMM + 16 * i, f->type);
				printf("\n");
			}
		}
	}
	for (unsigned r = 0; r < (lm ? 16u : 8u); r++) {
		if (r == R_ESP || g->gpr[r] == h->gpr[r])
			continue;
		nd++;
		if (print)
			printf("      %s: guest %llx, host %llx%s\n", gpr_names[r],
			       (unsigned long long)g->gpr[r], (unsigned long long)h->gpr[r],
			       r == R_ESI || r == R_EDI ? " (relative to the buffer)" : "");
	}
	if ((g->rflags & FL_ARITH) != (h->rflags & FL_ARITH)) {
		nd++;
		if (print)
			printf("      eflags: guest %03llx, host %03llx\n",
			       (unsigned long long)(g->rflags & FL_ARITH),
			       (unsigned long long)(h->rflags & FL_ARITH));
	}
	if (memcmp(g->mem, h->mem, 64)) {
		nd++;
		if (print) {
			put_bytes("mem guest", g->mem, 64);
			put_bytes("mem host ", h->mem, 64);
		}
	}
	if (memcmp(g->mask, h->mask, 32)) {
		nd++;
		if (print) {
			put_bytes("[edi] guest", g->mask, 32);
			put_bytes("[edi] host ", h->mask, 32);
		}
	}
	return nd;
}

/* ---- RCPPS, RCPSS, RSQRTPS, RSQRTSS ----
 * Their results are approximations from a table, and the tables differ
 * between Intel's and AMD's processors (both within the SDM's bound), so
 * the host cannot be the oracle for the lanes they compute. Instead: the
 * relative error is at most 1.5*2^-12 of the exact value, the specials
 * are right (0: infinity of its sign; infinity: 0 (rsqrt of -inf: the
 * indefinite); NaN: the NaN quieted; rsqrt of a negative: the indefinite
 * 0xffc00000), a denormal input may count as 0 (hardware differs), a tiny
 * result may be flushed to 0 (the SDM leaves the border to the
 * implementation), and the interpreter gives the same on every run. The
 * other lanes, MXCSR (no flags) and everything else must equal the host's. */
static double dsqrt(double x)	/* no libm in the link */
{
	double r;
	__asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
	return r;
}

static bool approx_ok(uint32_t x, uint32_t r, bool rsqrt)
{
	uint32_t sign = x & 0x80000000u, ex = (x >> 23) & 0xff, man = x & 0x7fffff;
	if (ex == 0xff && man)
		return r == (x | 0x400000);
	if (ex == 0xff)
		return r == (rsqrt ? (sign ? 0xffc00000u : 0) : sign);
	if (ex == 0 && !man)
		return r == (sign | 0x7f800000u);
	if (rsqrt && sign)
		return r == 0xffc00000u || (ex == 0 && r == 0xff800000u);
	if (ex == 0 && r == (sign | 0x7f800000u))
		return true;
	float xf, rf;
	memcpy(&xf, &x, 4);
	memcpy(&rf, &r, 4);
	double exact = rsqrt ? 1.0 / dsqrt((double)xf) : 1.0 / (double)xf;
	if (!rsqrt && fabs(exact) < 0x1p-126 * (1 + 0x1p-10) && r == sign)
		return true;	/* tiny: flushed */
	if (isnan(rf) || isinf(rf) || (r & 0x80000000u) != (rsqrt ? 0 : sign))
		return false;
	return fabs((double)rf - exact) <= 1.5 * 0x1p-12 * fabs(exact);
}

/* checks the approximated lanes of the guest's outcome; the lanes in *lanes */
static int approx_check(const struct tcase *tc, const struct built *b, const struct out *g,
			bool rsqrt, bool scalar, bool print)
{
	int bad = 0;
	for (unsigned k = 0; k < (scalar ? 1u : 4u); k++) {
		uint32_t x = b->mem ? g32(tc->mem, tc->off + 4 * k) : g32(tc->img, FX_XMM + 16 * (unsigned)b->rm + 4 * k);
		uint32_t r = g32(g->img, FX_XMM + 16 * (unsigned)b->reg + 4 * k);
		if (!approx_ok(x, r, rsqrt)) {
			bad++;
			if (print) {
				float xf, rf;
				memcpy(&xf, &x, 4);
				memcpy(&rf, &r, 4);
				printf("      lane %u: %s(%08x = %g) gave %08x = %g: beyond 1.5*2^-12 or a wrong special\n",
				       k, rsqrt ? "rsqrt" : "rcp", x, (double)xf, r, (double)rf);
			}
		}
	}
	return bad;
}

/* ---- the random runs, group by group ---- */

static unsigned ncases = 400;	/* per form and mode */
static bool verbose;
static uint64_t seed = 0x2545f4914f6cdd1dull;
static const char *only_form;	/* -f: forms whose encoding contains this */
static int form_reported[NFORMS];
static unsigned nfault[32];	/* the host's exceptions, by vector, for -v */
static bool form_missing[NFORMS];

/* Two things the host (an AMD EPYC) does in a SIMD FP exception that the
 * SDM does not pin down for Intel's processors, so either way passes:
 * - a form with an MMX operand (CVTPI2PS, CVTPS2PI, CVTTPS2PI, their PD
 *   forms): the host has made the x87-to-MMX transition (TOP 0, tags
 *   valid) before the fault; the x87 state as it was before is right too;
 * - an unmasked overflow or underflow: the host leaves PE clear even when
 *   the result was inexact, where SDM Vol. 1 4.9.1.6 says "If an inexact
 *   result occurs along with unmasked overflow or underflow and the
 *   destination operand is a register, the OE or UE flag and the PE flag
 *   are set"; so PE set as well is right too. */
static bool fault_lenient_ok(const struct form *f, const struct tcase *tc, const struct out *g,
			     const struct out *h)
{
	if (h->vector != EXC_XM && !(h->vector == EXC_UD && (tc->cr4_clear & CR4_OSXMMEXCPT)))
		return false;
	static struct out h2;
	h2 = *h;
	bool changed = false;
	if (strchr(f->ops, 'P') || strchr(f->ops, 'Q') || strchr(f->ops, 'N')) {
		memcpy(h2.img, tc->img, 6);
		memcpy(h2.img + FX_ST, tc->img + FX_ST, 128);
		changed = true;
	}
	uint32_t hm = g32(h->img, FX_MXCSR), gm = g32(g->img, FX_MXCSR);
	if ((hm & ~(hm >> 7) & 0x18) && (hm ^ gm) == 0x20) {
		memcpy(h2.img + FX_MXCSR, &gm, 4);
		changed = true;
	}
	return changed && !compare(f, g, &h2, false, -1, 0);
}

/* one case both ways; false when it failed (reported, up to 3 a form) */
static bool one_case(unsigned fi, const struct tcase *tc, const struct built *b)
{
	const struct form *f = &forms[fi];
	struct out g, h, g2;
	host_run(tc, &h);
	if (h.vector == EXC_XM && (tc->cr4_clear & CR4_OSXMMEXCPT))
		h.vector = EXC_UD;
	if (h.vector >= 0)
		nfault[h.vector]++;
	guest_run(tc, &g);
	if (g.vector == -2) {
		printf("  the guest did not come back to HLT: ");
		put_insn(tc);
		printf("\n");
		return false;
	}
	if (g.vector == EXC_UD && h.vector != EXC_UD) {
		if (!form_missing[fi]) {
			form_missing[fi] = true;
			printf("  not implemented: ");
			put_insn(tc);
			printf("   (%s %s%s, %s)\n", f->enc, f->ops, f->flags & F_W ? " REX.W" : "",
			       lm ? "long mode" : "protected mode");
		}
		return false;
	}
	bool approx = (f->flags & F_APPROX) && g.vector < 0 && h.vector < 0;
	bool rsqrt = tc->insn[b->opc_at + 1] == 0x52, scalar = f->enc[0] == 'f';
	unsigned lanes = scalar ? 1 : 15;
	int nd = compare(f, &g, &h, false, approx ? b->reg : -1, approx ? lanes : 0);
	if (nd && fault_lenient_ok(f, tc, &g, &h))
		nd = 0;
	if (approx) {
		nd += approx_check(tc, b, &g, rsqrt, scalar, false);
		guest_run(tc, &g2);
		nd += compare(f, &g2, &g, false, -1, 0);
	}
	if (!nd)
		return true;
	if (form_reported[fi]++ < 3) {
		printf("  mismatch (%s): ", lm ? "long mode" : "protected mode");
		put_insn(tc);
		printf("   [%s %s%s]\n", f->enc, f->ops, f->flags & F_W ? " REX.W" : "");
		if (!strcmp(f->enc, "0f 77"))
			printf("    (SDM Vol. 3A 12.2: each time an MMX instruction, EMMS too, executes, TOS is set to 0)\n");
		put_inputs(f, tc, b);
		compare(f, &g, &h, true, approx ? b->reg : -1, approx ? lanes : 0);
		if (approx) {
			approx_check(tc, b, &g, rsqrt, scalar, true);
			if (compare(f, &g2, &g, false, -1, 0))
				printf("      a second run gave a different result\n");
		}
	}
	return false;
}

static void run_group(const char *name)
{
	unsigned gi = 0;
	while (strcmp(groups[gi].name, name))
		gi++;
	if (!host_has(groups[gi].leaf_reg, groups[gi].bit)) {
		printf("SKIP unit/sse: %s: the host has no %s\n", vmrig_name(name),
		       groups[gi].feature);
		fflush(stdout);
		return;
	}
	check_failures_ = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned nforms = 0, ncase = 0, nbad = 0, nmissing = 0;
	for (int mode = 0; mode < 2; mode++) {
		setup_mode(mode == 1);
		for (unsigned fi = 0; fi < NFORMS; fi++) {
			const struct form *f = &forms[fi];
			if (strcmp(f->grp, name) || ((f->flags & F_W) && !lm) ||
			    (only_form && !strstr(f->enc, only_form)))
				continue;
			nforms += mode == 0 || (f->flags & F_W);
			/* each form and mode from its own seed: -g and -f give
			 * the full run's cases */
			rng = seed ^ ((uint64_t)fi << 32 | (uint64_t)mode << 16);
			for (int k = 0; k < 4; k++)
				rng = (rng ^ (rng >> 29)) * 0xbf58476d1ce4e5b9ull + 0x9e3779b97f4a7c15ull;
			rng |= 1;
			unsigned n = ncases;
			if ((f->flags & F_IMM) && f->ihi - f->ilo > 16)
				n *= 2;
			for (unsigned k = 0; k < n && !form_missing[fi]; k++) {
				struct tcase tc;
				struct built b;
				make_case(f, &tc, &b);
				ncase++;
				if (!one_case(fi, &tc, &b)) {
					nbad++;
					check_failures_++;
				}
			}
		}
	}
	for (unsigned fi = 0; fi < NFORMS; fi++) {
		if (strcmp(forms[fi].grp, name))
			continue;
		nmissing += form_missing[fi];
		if (form_reported[fi] > 3)
			printf("  %s %s%s: %d mismatches in all\n", forms[fi].enc, forms[fi].ops,
			       forms[fi].flags & F_W ? " REX.W" : "", form_reported[fi]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	if (verbose || check_failures_)
		printf("  %s: %u forms, %u cases, %u failed, %u forms not implemented, %.2f s\n", name,
		       nforms, ncase, nbad, nmissing, secs);
	if (verbose)
		printf("  %s: the host faulted with #XM %u, #UD (#XM without OSXMMEXCPT) %u, #GP %u times\n",
		       name, nfault[EXC_XM], nfault[EXC_UD], nfault[EXC_GP]);
	memset(nfault, 0, sizeof(nfault));
	printf("%s unit/sse: %s\n", check_failures_ ? "FAIL" : "PASS", vmrig_name(name));
	if (check_failures_)
		check_failed_tests_++;
	fflush(stdout);
}

/* ---- fixed cases: the faults ---- */

struct fixed {
	const char *what;
	const char *bytes;	/* the instruction */
	bool host;		/* also on the host, compared (else the guest alone) */
	bool raw;		/* the state set directly: no FXRSTOR/FXSAVE around it */
	bool mmx;		/* it has an MMX operand */
	uint64_t cr0_set, cr4_clear;
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	unsigned off;		/* ESI = the buffer + off */
	uint32_t mem0;		/* the first dword at [esi] */
	int want;		/* the vector, -1 none */
	uint32_t want_mxcsr;	/* when not 0 */
};

static void fixed_image(uint8_t *img, const struct fixed *x)
{
	memset(img, 0, 512);
	memcpy(img + FX_FCW, &(uint16_t){ x->fcw ? x->fcw : 0x37f }, 2);
	memcpy(img + FX_FSW, &x->fsw, 2);
	img[FX_FTW] = 0x0f;
	memcpy(img + FX_MXCSR, &(uint32_t){ x->mxcsr ? x->mxcsr : 0x1f80 }, 4);
	for (unsigned i = 0; i < 8; i++)
		memcpy(img + FX_ST + 16 * i, &(uint64_t){ 0x0102030405060708ull * (i + 1) }, 8);
	for (unsigned i = 0; i < 16; i++)	/* xmm1 zeros; the others (i) as floats */
		for (unsigned k = 0; k < 4; k++)
			memcpy(img + FX_XMM + 16 * i + 4 * k, &(float){ i == 1 ? 0.0f : (float)i + 0.5f }, 4);
}

static void run_fixed(const struct fixed *x)
{
	struct tcase tc;
	memset(&tc, 0, sizeof(tc));
	uint8_t pfx[4], opc[12];
	unsigned np, no;
	parse_enc(x->bytes, pfx, &np, opc, &no);
	memcpy(tc.insn, pfx, np);
	memcpy(tc.insn + np, opc, no);
	tc.len = np + no;
	fixed_image(tc.img, x);
	memset(tc.mem, 0x11, 64);
	memcpy(tc.mem + x->off, &x->mem0, 4);
	tc.off = x->off;
	tc.rflags = 0x2;
	tc.raw = x->raw;
	tc.cr0_set = x->cr0_set;
	tc.cr4_clear = x->cr4_clear;
	for (int r = 0; r < 16; r++)
		tc.gpr[r] = 0x1000 * (uint64_t)r + 3;
	struct out g, h;
	guest_run(&tc, &g);
	bool bad = g.vector != x->want || !g.rip_ok;
	if (x->want_mxcsr && g32(g.img, FX_MXCSR) != x->want_mxcsr)
		bad = true;
	if (x->host) {
		host_run(&tc, &h);
		if (h.vector == EXC_XM && (tc.cr4_clear & CR4_OSXMMEXCPT))
			h.vector = EXC_UD;
		if (h.vector != x->want)
			printf("  (harness) %s: the host's exception is %s, not %s\n", x->what,
			       vec_name(h.vector), vec_name(x->want));
		const struct form f = { "fixed", x->bytes, x->mmx ? "PW" : "--", T_F, 0, 0, 0 };
		if (compare(&f, &g, &h, false, -1, 0) && !fault_lenient_ok(&f, &tc, &g, &h)) {
			bad = true;
			printf("  %s (%s), against the host:\n", x->what, lm ? "long mode" : "protected mode");
			compare(&f, &g, &h, true, -1, 0);
		}
	}
	if (bad) {
		check_failures_++;
		printf("  %s (%s): %s: guest %s%s, want %s", x->what, lm ? "long mode" : "protected mode",
		       x->bytes, vec_name(g.vector), g.rip_ok ? "" : " (at the wrong RIP)", vec_name(x->want));
		if (x->want_mxcsr)
			printf(", mxcsr %08x want %08x", g32(g.img, FX_MXCSR), x->want_mxcsr);
		printf("\n");
	}
}

static void test_faults(void)
{
	static const struct fixed cases[] = {
		/* CR0.EM: #UD for MMX and SSE alike */
		{ "addps, CR0.EM", "0f 58 c1", .raw = true, .cr0_set = CR0_EM, .want = EXC_UD },
		{ "paddb mm, CR0.EM", "0f fc c1", .raw = true, .cr0_set = CR0_EM, .want = EXC_UD },
		{ "emms, CR0.EM", "0f 77", .raw = true, .cr0_set = CR0_EM, .want = EXC_UD },
		{ "ldmxcsr, CR0.EM", "0f ae 16", .raw = true, .cr0_set = CR0_EM, .mem0 = 0x1f80, .want = EXC_UD },
		{ "pshufb xmm, CR0.EM", "66 0f 38 00 c1", .raw = true, .cr0_set = CR0_EM, .want = EXC_UD },
		/* no CR4.OSFXSR: #UD for the XMM forms only */
		{ "addps, no OSFXSR", "0f 58 c1", .raw = true, .cr4_clear = CR4_OSFXSR, .want = EXC_UD },
		{ "movdqa, no OSFXSR", "66 0f 6f c1", .raw = true, .cr4_clear = CR4_OSFXSR, .want = EXC_UD },
		{ "pshufb xmm, no OSFXSR", "66 0f 38 00 c1", .raw = true, .cr4_clear = CR4_OSFXSR, .want = EXC_UD },
		{ "ldmxcsr, no OSFXSR", "0f ae 16", .raw = true, .cr4_clear = CR4_OSFXSR, .mem0 = 0x1f80, .want = EXC_UD },
		{ "stmxcsr, no OSFXSR", "0f ae 1e", .raw = true, .cr4_clear = CR4_OSFXSR, .want = EXC_UD },
		{ "paddb mm, no OSFXSR", "0f fc c1", .raw = true, .cr4_clear = CR4_OSFXSR, .want = -1 },
		{ "pshufb mm, no OSFXSR", "0f 38 00 c1", .raw = true, .cr4_clear = CR4_OSFXSR, .want = -1 },
		{ "emms, no OSFXSR", "0f 77", .raw = true, .cr4_clear = CR4_OSFXSR, .want = -1 },
		/* CR0.TS: #NM */
		{ "addps, CR0.TS", "0f 58 c1", .raw = true, .cr0_set = CR0_TS, .want = EXC_NM },
		{ "paddb mm, CR0.TS", "0f fc c1", .raw = true, .cr0_set = CR0_TS, .want = EXC_NM },
		{ "emms, CR0.TS", "0f 77", .raw = true, .cr0_set = CR0_TS, .want = EXC_NM },
		{ "ldmxcsr, CR0.TS", "0f ae 16", .raw = true, .cr0_set = CR0_TS, .mem0 = 0x1f80, .want = EXC_NM },
		{ "pcmpistri, CR0.TS", "66 0f 3a 63 c1 00", .raw = true, .cr0_set = CR0_TS, .want = EXC_NM },
		/* an unmasked x87 exception pending: #MF for MMX forms only */
		{ "paddb mm, x87 IE pending", "0f fc c1", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = EXC_MF },
		{ "emms, x87 IE pending", "0f 77", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = EXC_MF },
		{ "movq2dq, x87 IE pending", "f3 0f d6 c1", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = EXC_MF },
		{ "cvtpi2ps xmm, mm, x87 IE pending", "0f 2a c1", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = EXC_MF },
		{ "addps, x87 IE pending", "0f 58 c1", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = -1 },
		{ "paddb xmm, x87 IE pending", "66 0f fc c1", .raw = true, .fcw = 0x37e, .fsw = 0x8081, .want = -1 },
		/* LDMXCSR: #GP(0) on a reserved bit (bit 17 is AMD's MM: reserved for Intel) */
		{ "ldmxcsr bit 16", "0f ae 16", .host = true, .mem0 = 0x11f80, .want = EXC_GP },
		{ "ldmxcsr bit 17", "0f ae 16", .mem0 = 0x21f80, .want = EXC_GP },
		{ "ldmxcsr bit 31", "0f ae 16", .host = true, .mem0 = 0x80001f80, .want = EXC_GP },
		{ "ldmxcsr 0xffff", "0f ae 16", .host = true, .mem0 = 0xffff, .want = -1, .want_mxcsr = 0xffff },
		{ "ldmxcsr flags and no masks", "0f ae 16", .host = true, .mem0 = 0x003f, .want = -1, .want_mxcsr = 0x3f },
		{ "stmxcsr", "0f ae 1e", .host = true, .mxcsr = 0x7fbf, .want = -1 },
		/* alignment: #GP for the aligned 16-byte forms only */
		{ "movdqa [esi+8]", "66 0f 6f 0e", .host = true, .off = 8, .want = EXC_GP },
		{ "movaps [esi+4]", "0f 28 0e", .host = true, .off = 4, .want = EXC_GP },
		{ "movaps store [esi+1]", "0f 29 0e", .host = true, .off = 1, .want = EXC_GP },
		{ "paddb xmm, [esi+8]", "66 0f fc 0e", .host = true, .off = 8, .want = EXC_GP },
		{ "pshufb xmm, [esi+8]", "66 0f 38 00 0e", .host = true, .off = 8, .want = EXC_GP },
		{ "movntdqa [esi+8]", "66 0f 38 2a 0e", .host = true, .off = 8, .want = EXC_GP },
		{ "addps [esi+8]", "0f 58 0e", .host = true, .off = 8, .want = EXC_GP },
		{ "movups [esi+8]", "0f 10 0e", .host = true, .off = 8, .want = -1 },
		{ "movups store [esi+3]", "0f 11 0e", .host = true, .off = 3, .want = -1 },
		{ "movdqu [esi+1]", "f3 0f 6f 0e", .host = true, .off = 1, .want = -1 },
		{ "movupd [esi+15]", "66 0f 10 0e", .host = true, .off = 15, .want = -1 },
		{ "lddqu [esi+7]", "f2 0f f0 0e", .host = true, .off = 7, .want = -1 },
		{ "pcmpistri [esi+5]", "66 0f 3a 63 0e 0c", .host = true, .off = 5, .want = -1 },
		{ "pcmpestrm [esi+9]", "66 0f 3a 60 0e 40", .host = true, .off = 9, .want = -1 },
		{ "addss [esi+3]", "f3 0f 58 0e", .host = true, .off = 3, .want = -1 },
		{ "movq xmm, [esi+5]", "f3 0f 7e 0e", .host = true, .off = 5, .want = -1 },
		{ "pmovzxbw [esi+1]", "66 0f 38 30 0e", .host = true, .off = 1, .want = -1 },
		/* unmasked SIMD FP exceptions: #XM, #UD without CR4.OSXMMEXCPT,
		 * the flag set, the destination unchanged */
		{ "divps by 0, ZE unmasked", "0f 5e c1", .host = true, .mxcsr = 0x1d80, .want = EXC_XM, .want_mxcsr = 0x1d84 },
		{ "divps by 0, ZE unmasked, no OSXMMEXCPT", "0f 5e c1", .host = true, .mxcsr = 0x1d80,
		  .cr4_clear = CR4_OSXMMEXCPT, .want = EXC_UD, .want_mxcsr = 0x1d84 },
		{ "divps by 0, masked", "0f 5e c1", .host = true, .mxcsr = 0x1f80, .want = -1, .want_mxcsr = 0x1f84 },
		{ "divss by 0, ZE unmasked", "f3 0f 5e d1", .host = true, .mxcsr = 0x1d80, .want = EXC_XM, .want_mxcsr = 0x1d84 },
		{ "divpd by 0, ZE unmasked", "66 0f 5e c1", .host = true, .mxcsr = 0x1d80, .want = EXC_XM, .want_mxcsr = 0x1d84 },
		{ "cvtps2pi of 2^31, IE unmasked", "0f 2d 06", .host = true, .mmx = true, .mxcsr = 0x1f00, .mem0 = 0x4f000000,
		  .want = EXC_XM, .want_mxcsr = 0x1f01 },
		{ "addps, PE unmasked", "0f 58 c2", .host = true, .mxcsr = 0x0f80, .want = -1 },
		{ "mulps, PE unmasked", "0f 59 c3", .host = true, .mxcsr = 0x0f80, .want = -1 },
		{ "sqrtps, PE unmasked", "0f 51 c2", .host = true, .mxcsr = 0x0f80, .want = EXC_XM, .want_mxcsr = 0x0fa0 },
		{ "sfence", "0f ae f8", .host = true, .want = -1 },
		{ "lfence", "0f ae e8", .host = true, .want = -1 },
		{ "mfence", "0f ae f0", .host = true, .want = -1 },
	};
	for (int mode = 0; mode < 2; mode++) {
		setup_mode(mode == 1);
		for (unsigned k = 0; k < NELEM(cases); k++)
			run_fixed(&cases[k]);
	}
}

int main(int argc, char **argv)
{
	CHECK_SUITE("unit/sse");
	const char *only = NULL;
	const char *env = getenv("TEST_SSE_N");
	bool custom = false;
	if (env && *env)
		ncases = (unsigned)strtoul(env, NULL, 0), custom = true;
	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-n") && k + 1 < argc)
			ncases = (unsigned)strtoul(argv[++k], NULL, 0), custom = true;
		else if (!strcmp(argv[k], "-s") && k + 1 < argc)
			seed = strtoull(argv[++k], NULL, 0);
		else if (!strcmp(argv[k], "-f") && k + 1 < argc)
			only_form = argv[++k];
		else if (!strcmp(argv[k], "-g") && k + 1 < argc)
			only = argv[++k];
		else if (!strcmp(argv[k], "-v"))
			verbose = true;
		else {
			printf("usage: %s [-n cases-per-form-and-mode] [-s seed] [-g group] [-f encoding] [-v]\n",
			       argv[0]);
			return 2;
		}
	}
	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED) {
		printf("SKIP unit/sse: all: no executable memory for the native side\n");
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	if (!custom)
		alarm(280);
	VMRIG_FOR_EACH_SOFT_TIER {
		if (!vmrig_up(&R, vmrig_tier, RAM_SIZE)) {
			printf("FAIL unit/sse: %s: no VM\n", vmrig_name("rig"));
			check_failed_tests_++;
			continue;
		}
		/* each tier from scratch: which forms it lacks, what it reported */
		memset(form_missing, 0, sizeof(form_missing));
		memset(form_reported, 0, sizeof(form_reported));
		for (unsigned gi = 0; gi < NELEM(groups); gi++)
			if (!only || !strcmp(only, groups[gi].name))
				run_group(groups[gi].name);
		if (!only || !strcmp(only, "faults"))
			check_run(test_faults, vmrig_name("faults"));
		vmrig_down(&R);
	}
	return CHECK_EXIT();
}
