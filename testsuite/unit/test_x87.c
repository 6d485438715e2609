// The software tiers' x87 FPU against the host's: every form, bit for bit.
// SPDX-License-Identifier: MIT
/* The guest (32-bit flat protected mode on a 4 MiB VM) runs
 *     FRSTOR [0x20000]; <instruction>; FNSAVE [0x20100]; HLT
 * and the host runs FRSTOR img; <instruction>; FNSAVE img from the same
 * image with the same memory operand (guest [0x21000], host (%rsi)) and
 * the same EFLAGS. FCW, FSW, FTW (with their reserved upper halves), the
 * eight registers, the memory operand and ZF/PF/CF/OF/SF/AF must match;
 * the guest's FIP/FCS/FOP/FDP/FDS must be the guest's (the host's are
 * host addresses). Random states cover every rounding and precision
 * mode, masked and unmasked exceptions, special values, empty and full
 * stacks; fixed cases check FXAM classes, conversions, the environment
 * formats (16/32-bit, real and protected), #NM and #MF, and FERR# (IRQ
 * 13) with CR0.NE=0.
 * The eight transcendentals are ours (x87_transc.c), not the host's:
 * they are compared with the host within one ulp (exactly on everything
 * else but C1), outside their undefined ranges, and checked exactly
 * against known values (see test_transc_known). */
#include "cpu/interp/interp.h"

#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cpu/interp/flags.h"	/* FL_ARITH */
#include "cpu/vcpu.h"
#include "hw/lapic.h"
#include "hw/sysports.h"
#include "testsuite/unit/check.h"
#include "testsuite/unit/vmrig.h"

/* ---- the native side: fnsave host; frstor img; popf; call code;
 * pushf; fnsave img; frstor host. Returns EFLAGS after the code. ---- */
uint64_t test_x87_native(uint8_t *img, uint8_t *mem, uint64_t rflags, const void *code)
	__asm__("test_x87_native_run");
__asm__(
	".pushsection .text\n"
	"test_x87_native_run:\n"
	"	sub $120, %rsp\n"
	"	fnsave (%rsp)\n"
	"	frstor (%rdi)\n"
	"	push %rdx\n"
	"	popfq\n"
	"	call *%rcx\n"
	"	pushfq\n"
	"	pop %rax\n"
	"	fnsave (%rdi)\n"
	"	frstor (%rsp)\n"
	"	add $120, %rsp\n"
	"	ret\n"
	".popsection\n");

static uint8_t *jit;

/* ---- the rig (as test_interp.c): a VM with RAM, a LAPIC, one vCPU ---- */

static struct rig R;

#define RAM_SIZE (4u << 20)

static bool rig_up(void)
{
	bool ok = vmrig_up(&R, vmrig_tier, RAM_SIZE);
	CHECK(ok);
	return ok;
}

static void rig_down(void)
{
	vmrig_down(&R);
}

static uint8_t *ram(uint64_t gpa) { return R.pm.ram + gpa; }
static uint16_t rd16(uint64_t gpa) { uint16_t v; memcpy(&v, ram(gpa), 2); return v; }
static uint32_t rd32(uint64_t gpa) { uint32_t v; memcpy(&v, ram(gpa), 4); return v; }
static void wr32(uint64_t gpa, uint32_t v) { memcpy(ram(gpa), &v, 4); }
static struct cpu_state *S(void) { return &R.v->s; }
static uint32_t rd32_of(const uint8_t *b, unsigned off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint16_t rd16_of(const uint8_t *b, unsigned off) { uint16_t v; memcpy(&v, b + off, 2); return v; }

/* run from rip until HLT (the code is straight-line; every exception
 * vector is a HLT), with the interpreter's view of RAM refreshed */
static void run_at(uint64_t rip)
{
	CHECK_EQ(vmrig_run_at(&R, rip), TIER_EXIT_HLT);
}

enum { SEL_CODE = 0x08, SEL_DATA = 0x10 };

/* flat 32-bit protected mode: GDT 0x1000, IDT 0x2000 (vector v: HLT at
 * 0x3000 + 16v), the stack below 0x8000 */
static void setup_pm(void)
{
	struct cpu_state *s = S();
	cpu_state_reset(s, false);
	memset(ram(0), 0, RAM_SIZE);
	wr32(0x1000 + SEL_CODE, 0x0000ffff);
	wr32(0x1004 + SEL_CODE, 0x00cf9b00);
	wr32(0x1000 + SEL_DATA, 0x0000ffff);
	wr32(0x1004 + SEL_DATA, 0x00cf9300);
	for (unsigned v = 0; v < 32; v++) {
		uint32_t h = 0x3000 + 16 * v;
		wr32(0x2000 + 8 * v, (SEL_CODE << 16) | (h & 0xffff));
		wr32(0x2000 + 8 * v + 4, (h & 0xffff0000u) | 0x8e00);
		*ram(h) = 0xf4;
	}
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_MP;
	s->gdt = (struct cpu_dtable){ 0x1000, 0x1f };
	s->idt = (struct cpu_dtable){ 0x2000, 32 * 8 - 1 };
	cpu_seg_flat(&s->seg[S_CS], SEL_CODE, 0xc09b);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		if (i != S_CS)
			cpu_seg_flat(&s->seg[i], SEL_DATA, 0xc093);
	s->gpr[R_ESP] = 0x8000;
}

/* the vector the guest stopped in, or -1 when it reached its own HLT */
static int pm_vector(void)
{
	uint64_t rip = S()->rip;
	if (rip < 0x3001 || rip >= 0x3001 + 32 * 16 || (rip - 0x3001) % 16)
		return -1;
	return (int)(rip - 0x3001) / 16;
}

/* ---- values ---- */

struct f80 {
	uint64_t m;
	uint16_t se;
};

static const struct f80 pool[] = {
	{ 0, 0 }, { 0, 0x8000 },				/* +0, -0 */
	{ 1ull << 63, 0x3fff }, { 0xc000000000000000ull, 0xbfff },	/* 1, -1.5 */
	{ 0xc90fdaa22168c235ull, 0x4000 },			/* pi */
	{ 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff },		/* +inf, -inf */
	{ 0xc000000000000001ull, 0x7fff },			/* QNaN */
	{ 0xa000000000000000ull, 0xffff },			/* SNaN */
	{ 0xc000000000000000ull, 0xffff },			/* indefinite */
	{ 0x1234, 0 }, { 0x8000000000000001ull, 0x8000 },	/* denormal, pseudo-denormal */
	{ 0x4000000000000000ull, 0x4000 },			/* unnormal */
	{ 0x4000000000000000ull, 0x7fff },			/* pseudo-NaN */
	{ 0, 0x7fff },						/* pseudo-infinity */
	{ ~0ull, 0x7ffe }, { 1ull << 63, 0x0001 },		/* max, min normal */
	{ 0xaaaaaaaaaaaaaaabull, 0x3ffd },			/* ~1/3 */
	{ 1ull << 63, 0x403e }, { ~0ull, 0x403d },		/* 2^63, just under */
	{ 1ull << 63, 0x3ffe }, { 0xe000000000000000ull, 0x4001 },	/* 0.5, 7 */
	{ 0x9c40000000000000ull, 0x400c }, { 0x8000000000000000ull, 0x43fe },
	{ 0x8000000000000000ull, 0x3c01 }, { 0x8000000000000000ull, 0x3f80 },
	{ 0xb17217f7d1cf79acull, 0x3ffe },			/* ln 2 */
	{ 0xd49a784bcd1b8afeull, 0x4000 }, { 0x8000000000000000ull, 0x4040 },
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct f80 rnd_f80(void)
{
	unsigned k = rnd() % 8;
	if (k < 4)
		return pool[rnd() % (sizeof(pool) / sizeof(pool[0]))];
	struct f80 v = { rnd() | (1ull << 63), (uint16_t)(0x3fff + (int)(rnd() % 160) - 80) };
	if (k == 4)
		v.se = (uint16_t)(rnd() & 0xffff);		/* anything at all */
	if (rnd() & 1)
		v.se |= 0x8000;
	if (k == 5)
		v.m &= ~0xffffffffull;				/* exact in double */
	return v;
}

static const uint16_t fcws[] = {
	0x037f, 0x027f, 0x007f, 0x077f, 0x0b7f, 0x0f7f, 0x0e7f, 0x047f, 0x087f,
	0x0360, 0x0372, 0x037e, 0x037b, 0x0377, 0x036f, 0x035f, 0x037d, 0x0c60, 0x0040,
};

/* a 32-bit protected-mode FSAVE image; ST(0)..ST(n-1) full, TOP random,
 * empty registers with junk in them, masked exception flags only */
static void rnd_image(uint8_t *img, uint16_t fcw)
{
	memset(img, 0, 108);
	unsigned n = rnd() % 9, top = rnd() & 7;
	uint16_t fsw = (uint16_t)(top << 11 | (rnd() & 0x4700) | (rnd() & fcw & 0x3f));
	uint16_t ftw = 0xffff;
	for (unsigned i = 0; i < n; i++)
		ftw &= (uint16_t)~(3u << (2 * ((top + i) & 7)));
	memcpy(img + 0, &fcw, 2);
	memcpy(img + 4, &fsw, 2);
	memcpy(img + 8, &ftw, 2);
	uint32_t fip = 0x00abcdef, fdp = 0x00fedcba, fcs = 0x5555 | (0x123u << 16);
	memcpy(img + 12, &fip, 4);
	memcpy(img + 16, &fcs, 4);
	memcpy(img + 20, &fdp, 4);
	for (unsigned i = 0; i < 8; i++) {
		struct f80 v = rnd_f80();
		memcpy(img + 28 + 10 * i, &v.m, 8);
		memcpy(img + 36 + 10 * i, &v.se, 2);
	}
}

static void rnd_mem(uint8_t *m)
{
	for (unsigned k = 0; k < 16; k += 8) {
		uint64_t v = rnd();
		memcpy(m + k, &v, 8);
	}
	switch (rnd() % 8) {
	case 0: {	/* a float */
		uint32_t specials[] = { 0, 0x3f800000, 0xc0200000, 0x7f800000, 0x7fc00000,
					0x7fa00000, 0x00000001, 0x7f7fffff, 0x80000000 };
		memcpy(m, &specials[rnd() % 9], 4);
		break;
	}
	case 1: {	/* a double */
		uint64_t specials[] = { 0, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
					0x7ff8000000000000ull, 0x7ff4000000000000ull, 1,
					0x7fefffffffffffffull, 0x8000000000000000ull };
		memcpy(m, &specials[rnd() % 8], 8);
		break;
	}
	case 2: {	/* an extended value */
		struct f80 v = rnd_f80();
		memcpy(m, &v.m, 8);
		memcpy(m + 8, &v.se, 2);
		break;
	}
	case 3:		/* packed BCD: valid digits, sign 0x00 or 0x80 */
		for (unsigned k = 0; k < 9; k++)
			m[k] = (uint8_t)((rnd() % 10) << 4 | rnd() % 10);
		m[9] = rnd() & 1 ? 0x80 : 0;
		break;
	case 4: {	/* small integers of every size */
		int64_t v = (int64_t)(rnd() % 2001) - 1000;
		memcpy(m, &v, 8);
		break;
	}
	default:	/* random bytes: invalid BCD, big integers, NaNs */
		break;
	}
}

/* ---- one instruction both ways ---- */

struct outcome {
	uint8_t img[108];
	uint8_t mem[16];
	uint64_t flags;
	uint16_t ax;
	int vector;
};

#define CODE 0x10000
#define IMG_IN 0x20000
#define IMG_OUT 0x20100
#define MEM 0x21000

/* guest: insn is the instruction as the guest has it (memory operand
 * [disp32 MEM]); o->vector is the vector taken, -1 for none */
static void guest_run(const uint8_t *img, const uint8_t *mem, uint64_t flags,
		      const uint8_t *insn, unsigned len, struct outcome *o)
{
	memcpy(ram(IMG_IN), img, 108);
	memset(ram(IMG_OUT), 0, 108);
	memcpy(ram(MEM), mem, 16);
	uint8_t *p = ram(CODE);
	p[0] = 0xdd, p[1] = 0x25;
	wr32(CODE + 2, IMG_IN);
	memcpy(p + 6, insn, len);
	p += 6 + len;
	p[0] = 0xdd, p[1] = 0x35;
	memcpy(p + 2, &(uint32_t){ IMG_OUT }, 4);
	p[6] = 0xf4;
	S()->rflags = flags;
	S()->gpr[R_EAX] = 0x12345678;
	run_at(CODE);
	o->vector = pm_vector();
	if (o->vector < 0)
		CHECK_EQ(S()->rip, CODE + 6 + len + 7);
	memcpy(o->img, ram(IMG_OUT), 108);
	memcpy(o->mem, ram(MEM), 16);
	o->flags = S()->rflags;
	o->ax = (uint16_t)S()->gpr[R_EAX];
}

/* host: the same instruction with its memory operand at (%rsi) */
static void native_run(const uint8_t *img, const uint8_t *mem, uint64_t flags,
		       const uint8_t *insn, unsigned len, struct outcome *o)
{
	memcpy(o->img, img, 108);
	memcpy(o->mem, mem, 16);
	memcpy(jit, insn, len);
	jit[len] = 0xc3;
	__builtin___clear_cache((char *)jit, (char *)jit + len + 1);
	o->flags = test_x87_native(o->img, o->mem, flags, jit);
	o->vector = -1;
}

static int reported;

/* the parts of two FNSAVE images and outcomes that must agree */
static bool same(const struct outcome *g, const struct outcome *n, unsigned memsize)
{
	return !memcmp(g->img, n->img, 12) && !memcmp(g->img + 28, n->img + 28, 80) &&
	       !memcmp(g->mem, n->mem, memsize) &&
	       (g->flags & FL_ARITH) == (n->flags & FL_ARITH);
}

/* the eight transcendentals (D9 F0-F3, F9, FB, FE, FF): computed by
 * cpu/interp/x87_transc.c, not by the host */
static bool transcendental(const uint8_t *insn, unsigned len)
{
	if (len != 2 || insn[0] != 0xd9)
		return false;
	switch (insn[1]) {
	case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf9: case 0xfb: case 0xfe: case 0xff:
		return true;
	}
	return false;
}

/* F2XM1 outside -1..+1 and FYL2XP1 outside +-(1 - sqrt(2)/2) are
 * undefined (SDM vol. 2): hosts give what they give (AMD: junk, no
 * error), we give the function's value; no comparison there */
static bool host_undefined(const uint8_t *insn, const uint8_t *img)
{
	uint16_t fsw = rd16_of(img, 4), ftw = rd16_of(img, 8);
	unsigned top = (fsw >> 11) & 7;
	if (((ftw >> (2 * top)) & 3) == 3)
		return false;			/* ST(0) empty: stack underflow */
	uint64_t m;
	uint16_t se;
	memcpy(&m, img + 28, 8);
	memcpy(&se, img + 36, 2);
	unsigned e = se & 0x7fff;
	if (e == 0 || !(m >> 63))
		return false;			/* zero, denormal, unsupported */
	if (e == 0x7fff)
		return !(m << 1) && (insn[1] == 0xf0 || insn[1] == 0xf9);	/* infinities */
	if (insn[1] == 0xf0)
		return e > 0x3fff || (e == 0x3fff && m != 1ull << 63);
	if (insn[1] == 0xf9)		/* 1 - sqrt(2)/2 = 0x95f619980c4336f7 * 2^-65 */
		return e > 0x3ffd || (e == 0x3ffd && m >= 0x95f619980c4336f7ull);
	return false;
}

/* an 80-bit value's place among the finite ones of its sign: consecutive
 * 64-bit values differ by one, across binades and denormals too */
static __int128 f80_key(const uint8_t *r)
{
	uint64_t m;
	uint16_t se;
	memcpy(&m, r, 8);
	memcpy(&se, r + 8, 2);
	unsigned e = se & 0x7fff;
	if (e == 0)
		return (__int128)m;
	return ((__int128)(e - 1) << 63) + (__int128)m;
}

static bool f80_finite(const uint8_t *r)
{
	uint16_t se;
	memcpy(&se, r + 8, 2);
	return (se & 0x7fff) != 0x7fff;
}

/* for the transcendentals the host is no bit-exact reference: Intel and
 * AMD differ in last bits, and we differ from both (correctly rounded).
 * Everything must match but C1 (round-up: depends on the last bit) and
 * the registers, which may differ by one ulp of the precision control */
static int host_pe_on_exact;

static bool near(const uint8_t *insn, const uint8_t *in, const struct outcome *g,
		 const struct outcome *n)
{
	if (memcmp(g->img, n->img, 4) || memcmp(g->img + 6, n->img + 6, 6))
		return false;
	uint16_t gsw = rd16_of(g->img, 4), nsw = rd16_of(n->img, 4), diff = (gsw ^ nsw) & ~0x0200;
	/* AMD sets PE, and UE for a tiny one, on exact results (F2XM1(+-1),
	 * FYL2X of a power of two, ...); we do not: IEEE's inexact and
	 * (masked) underflow, Intel documents no other */
	bool exact = !((gsw & ~rd16_of(in, 4)) & 0x20);
	if (diff && !(diff & ~0x80b0) && !(diff & gsw) && exact &&
	    (insn[1] == 0xf0 || insn[1] == 0xf1 || insn[1] == 0xf9)) {
		host_pe_on_exact++;
		diff = 0;
	}
	if (diff)
		return false;
	static const unsigned pcs[4] = { 24, 64, 53, 64 };
	unsigned pc = pcs[(rd16_of(g->img, 0) >> 8) & 3];
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *a = g->img + 28 + 10 * i, *b = n->img + 28 + 10 * i;
		if (!memcmp(a, b, 10))
			continue;
		if (!f80_finite(a) || !f80_finite(b) || ((a[9] ^ b[9]) & 0x80))
			return false;
		__int128 d = f80_key(a) - f80_key(b);
		if (d < 0)
			d = -d;
		if (d > ((__int128)1 << (64 - pc)))
			return false;
	}
	return (g->flags & FL_ARITH) == (n->flags & FL_ARITH);
}

static void dump(const char *what, const uint8_t *b, unsigned n)
{
	printf("    %s:", what);
	for (unsigned k = 0; k < n; k++)
		printf(" %02x", b[k]);
	printf("\n");
}

static void report(const uint8_t *insn, unsigned len, const uint8_t *img, const uint8_t *mem,
		   const struct outcome *g, const struct outcome *n)
{
	check_at(0, "interpreter and host differ", __FILE__, __LINE__);
	if (reported++ > 30)
		return;
	dump("insn", insn, len);
	dump("in", img, 108);
	dump("mem", mem, 16);
	dump("guest", g->img, 108);
	dump("host ", n->img, 108);
	dump("guest mem", g->mem, 16);
	dump("host mem ", n->mem, 16);
	printf("    flags guest %llx host %llx\n", (unsigned long long)g->flags,
	       (unsigned long long)n->flags);
}

static const uint64_t flag_sets[] = { 0x2, 0x3, 0x42, 0x6, 0x8d7, 0x47, 0x8d2 };

/* the guest's FNSAVE shows this instruction as the last one */
static void check_pointers(const struct outcome *g, uint16_t fop, bool mem)
{
	CHECK_EQ(rd32_of(g->img, 12), CODE + 6);
	CHECK_EQ(rd32_of(g->img, 16), SEL_CODE | (uint32_t)fop << 16);
	if (mem) {
		CHECK_EQ(rd32_of(g->img, 20), MEM);
		CHECK_EQ(rd32_of(g->img, 24) & 0xffff, SEL_DATA);
	}
}

/* ---- the tests ---- */

/* every register form the decoder accepts (420 of 512), random states */
static void test_register_forms(void)
{
	if (!rig_up())
		return;
	setup_pm();
	int forms = 0, ran = 0;
	for (unsigned e = 0; e < 8; e++) {
		for (unsigned m = 0; m < 64; m++) {
			uint8_t insn[2] = { (uint8_t)(0xd8 + e), (uint8_t)(0xc0 + m) };
			bool valid = true;
			for (int round = 0; round < (transcendental(insn, 2) ? 1000 : 100) && valid; round++) {
				uint8_t img[108], mem[16] = { 0 };
				uint16_t fcw = fcws[rnd() % (sizeof(fcws) / 2)];
				rnd_image(img, fcw);
				uint64_t fl = flag_sets[rnd() % (sizeof(flag_sets) / 8)];
				struct outcome g, n;
				guest_run(img, mem, fl, insn, 2, &g);
				if (g.vector == EXC_UD) {
					valid = false;
					break;
				}
				CHECK_EQ(g.vector, -1);
				native_run(img, mem, fl, insn, 2, &n);
				ran++;
				if (transcendental(insn, 2) ? !host_undefined(insn, img) && !near(insn, img, &g, &n)
							    : !same(&g, &n, 0))
					report(insn, 2, img, mem, &g, &n);
				bool control = (e == 3 && m >> 3 == 4) || (e == 7 && m >> 3 == 4);
				if (!control)
					check_pointers(&g, (uint16_t)((e << 8) | insn[1]), false);
				else if (e == 7)
					CHECK_EQ(g.ax, rd16_of(n.img, 4));	/* FNSTSW AX */
				else if (m == 0x23)
					CHECK_EQ(rd32_of(g.img, 12), 0);	/* FNINIT */
				else
					CHECK_EQ(rd32_of(g.img, 12), 0x00abcdef);
			}
			forms += valid;
		}
	}
	CHECK_EQ(forms, 420);
	printf("  %d register forms, %d runs (%d exact results the host flagged inexact)\n",
	       forms, ran, host_pe_on_exact);
	rig_down();
}

/* the memory forms that load or store an operand: every size and
 * format, out-of-range integers and BCD, unmasked exceptions */
static void test_memory_forms(void)
{
	static const uint8_t sizes[8][8] = {
		{ 4, 4, 4, 4, 4, 4, 4, 4 }, { 4, 0, 4, 4, 0, 0, 0, 0 },
		{ 4, 4, 4, 4, 4, 4, 4, 4 }, { 4, 4, 4, 4, 0, 10, 0, 10 },
		{ 8, 8, 8, 8, 8, 8, 8, 8 }, { 8, 8, 8, 8, 0, 0, 0, 0 },
		{ 2, 2, 2, 2, 2, 2, 2, 2 }, { 2, 2, 2, 2, 10, 8, 10, 8 },
	};
	if (!rig_up())
		return;
	setup_pm();
	int ran = 0;
	for (unsigned e = 0; e < 8; e++) {
		for (unsigned r = 0; r < 8; r++) {
			unsigned size = sizes[e][r];
			if (!size)
				continue;
			uint8_t ginsn[6] = { (uint8_t)(0xd8 + e), (uint8_t)(r << 3 | 5) };
			memcpy(ginsn + 2, &(uint32_t){ MEM }, 4);
			uint8_t ninsn[2] = { (uint8_t)(0xd8 + e), (uint8_t)(r << 3 | 6) };
			for (int round = 0; round < 600; round++) {
				uint8_t img[108], mem[16];
				uint16_t fcw = fcws[rnd() % (sizeof(fcws) / 2)];
				rnd_image(img, fcw);
				rnd_mem(mem);
				struct outcome g, n;
				guest_run(img, mem, 0x2, ginsn, 6, &g);
				CHECK_EQ(g.vector, -1);
				native_run(img, mem, 0x2, ninsn, 2, &n);
				ran++;
				if (!same(&g, &n, 16))
					report(ginsn, 6, img, mem, &g, &n);
				check_pointers(&g, (uint16_t)((e << 8) | ginsn[1]), true);
			}
		}
	}
	printf("  %d runs\n", ran);
	rig_down();
}

static void mkimg(uint8_t *img, uint16_t fcw, unsigned n, const struct f80 *st)
{
	memset(img, 0, 108);
	unsigned top = (8 - n) & 7;
	uint16_t fsw = (uint16_t)(top << 11), ftw = 0xffff;
	for (unsigned i = 0; i < n; i++) {
		ftw &= (uint16_t)~(3u << (2 * ((top + i) & 7)));
		memcpy(img + 28 + 10 * i, &st[i].m, 8);
		memcpy(img + 36 + 10 * i, &st[i].se, 2);
	}
	memcpy(img + 0, &fcw, 2);
	memcpy(img + 4, &fsw, 2);
	memcpy(img + 8, &ftw, 2);
}

static struct f80 st_of(const uint8_t *img, unsigned i)
{
	struct f80 v;
	memcpy(&v.m, img + 28 + 10 * i, 8);
	memcpy(&v.se, img + 36 + 10 * i, 2);
	return v;
}

/* one case both ways, checked equal; the guest's outcome in *g */
static void both(const uint8_t *img, const uint8_t *mem, const uint8_t *insn, unsigned len,
		 struct outcome *g)
{
	static const uint8_t zero[16];
	if (!mem)
		mem = zero;
	uint8_t ninsn[16];
	memcpy(ninsn, insn, len);
	unsigned nlen = len;
	if (len == 6 && (insn[1] & 0xc7) == 5) {	/* [disp32] -> (%rsi) */
		ninsn[1] = (uint8_t)((insn[1] & 0x38) | 6);
		nlen = 2;
	}
	struct outcome n;
	guest_run(img, mem, 0x2, insn, len, g);
	native_run(img, mem, 0x2, ninsn, nlen, &n);
	CHECK_EQ(g->vector, -1);
	if (transcendental(insn, len) ? !near(insn, img, g, &n) : !same(g, &n, 16))
		report(insn, len, img, mem, g, &n);
}

/* exact values in each precision and rounding mode */
static void test_rounding_precision(void)
{
	if (!rig_up())
		return;
	setup_pm();
	const struct f80 three = { 0xc000000000000000ull, 0x4000 }, one = { 1ull << 63, 0x3fff };
	/* D8 F1: FDIV ST(0), ST(1) with 1 in ST(0) and 3 in ST(1) */
	const struct f80 st2[2] = { one, three };
	static const uint8_t fdiv[2] = { 0xd8, 0xf1 };
	/* 1/3 rounded: single, double, extended x nearest, down, up, zero */
	static const uint64_t want[3][4] = {
		{ 0xaaaaab0000000000ull, 0xaaaaaa0000000000ull, 0xaaaaab0000000000ull, 0xaaaaaa0000000000ull },
		{ 0xaaaaaaaaaaaaa800ull, 0xaaaaaaaaaaaaa800ull, 0xaaaaaaaaaaaab000ull, 0xaaaaaaaaaaaaa800ull },
		{ 0xaaaaaaaaaaaaaaabull, 0xaaaaaaaaaaaaaaaaull, 0xaaaaaaaaaaaaaaabull, 0xaaaaaaaaaaaaaaaaull },
	};
	static const unsigned pcs[3] = { 0, 2, 3 };
	for (unsigned p = 0; p < 3; p++) {
		for (unsigned rc = 0; rc < 4; rc++) {
			uint8_t img[108];
			struct outcome g;
			mkimg(img, (uint16_t)(0x7f | pcs[p] << 8 | rc << 10), 2, st2);
			both(img, NULL, fdiv, 2, &g);
			struct f80 r = st_of(g.img, 0);
			CHECK_EQ(r.m, want[p][rc]);
			CHECK_EQ(r.se, 0x3ffd);
			CHECK_EQ(rd16_of(g.img, 4) & 0x3f, 0x20);	/* PE */
			/* C1: rounded up */
			bool up = (rc == 0 && p != 1) || rc == 2;
			CHECK_EQ((rd16_of(g.img, 4) >> 9) & 1, up);
		}
	}
	/* FSQRT, FADD of far-apart values, FRNDINT in every mode */
	static const uint8_t ops[][2] = { { 0xd9, 0xfa }, { 0xd8, 0xc1 }, { 0xd9, 0xfc },
					  { 0xd9, 0xfd }, { 0xde, 0xc9 }, { 0xd9, 0xf8 }, { 0xd9, 0xf5 } };
	const struct f80 vals[2] = { { 0xb504f333f9de6484ull, 0x3fff }, { 0x8000000000000001ull, 0x3f00 } };
	for (unsigned k = 0; k < sizeof(ops) / 2; k++)
		for (unsigned cw = 0; cw < 16; cw++) {
			uint8_t img[108];
			struct outcome g;
			mkimg(img, (uint16_t)(0x7f | (cw & 3) << 8 | (cw >> 2) << 10), 2, vals);
			both(img, NULL, ops[k], 2, &g);
		}
	rig_down();
}

/* FXAM on every class, FTST/FCOM on NaNs, FCOMI's EFLAGS */
static void test_classes(void)
{
	if (!rig_up())
		return;
	setup_pm();
	static const struct { struct f80 v; uint16_t cc; } cls[] = {
		{ { 0xc000000000000001ull, 0x7fff }, 0x0100 },	/* NaN */
		{ { 1ull << 63, 0x7fff }, 0x0500 },		/* infinity */
		{ { 0, 0 }, 0x4000 },				/* zero */
		{ { 0x1234, 0 }, 0x4400 },			/* denormal */
		{ { 0x8000000000000001ull, 0 }, 0x4400 },	/* pseudo-denormal */
		{ { 1ull << 63, 0x3fff }, 0x0400 },		/* normal */
		{ { 0x4000000000000000ull, 0x4000 }, 0x0000 },	/* unnormal: unsupported */
		{ { 0, 0x7fff }, 0x0000 },			/* pseudo-infinity */
	};
	static const uint8_t fxam[2] = { 0xd9, 0xe5 };
	for (unsigned k = 0; k < sizeof(cls) / sizeof(cls[0]); k++) {
		for (unsigned sign = 0; sign < 2; sign++) {
			struct f80 v = cls[k].v;
			v.se |= (uint16_t)(sign << 15);
			uint8_t img[108];
			struct outcome g;
			mkimg(img, 0x37f, 1, &v);
			both(img, NULL, fxam, 2, &g);
			CHECK_EQ(rd16_of(g.img, 4) & 0x4700, cls[k].cc | sign << 9);
		}
	}
	/* FXAM of an empty register: C3 and C0 */
	uint8_t img[108];
	struct outcome g;
	mkimg(img, 0x37f, 0, NULL);
	both(img, NULL, fxam, 2, &g);
	CHECK_EQ(rd16_of(g.img, 4) & 0x4500, 0x4100);
	/* FUCOMI with a QNaN: unordered (ZF PF CF), no IE; FCOMI: IE */
	const struct f80 nan2[2] = { { 0xc000000000000001ull, 0x7fff }, { 1ull << 63, 0x3fff } };
	static const uint8_t fucomi[2] = { 0xdb, 0xe9 }, fcomi[2] = { 0xdb, 0xf1 };
	mkimg(img, 0x37f, 2, nan2);
	both(img, NULL, fucomi, 2, &g);
	CHECK_EQ(g.flags & FL_ARITH, FL_ZF | FL_PF | FL_CF);
	CHECK_EQ(rd16_of(g.img, 4) & 1, 0);
	both(img, NULL, fcomi, 2, &g);
	CHECK_EQ(g.flags & FL_ARITH, FL_ZF | FL_PF | FL_CF);
	CHECK_EQ(rd16_of(g.img, 4) & 1, 1);
	rig_down();
}

/* integer and BCD stores out of range: the indefinites, or (unmasked)
 * memory untouched; stack overflow and underflow */
static void test_conversions_and_stack(void)
{
	if (!rig_up())
		return;
	setup_pm();
	const struct f80 big = { 1ull << 63, 0x4040 };		/* 2^65 */
	static const uint8_t fistp32[6] = { 0xdb, 0x1d, 0x00, 0x10, 0x02, 0x00 };
	static const uint8_t fistp16[6] = { 0xdf, 0x1d, 0x00, 0x10, 0x02, 0x00 };
	static const uint8_t fistp64[6] = { 0xdf, 0x3d, 0x00, 0x10, 0x02, 0x00 };
	static const uint8_t fbstp[6] = { 0xdf, 0x35, 0x00, 0x10, 0x02, 0x00 };
	uint8_t mem[16], img[108];
	struct outcome g;
	memset(mem, 0xcc, sizeof(mem));
	mkimg(img, 0x37f, 1, &big);
	both(img, mem, fistp32, 6, &g);
	CHECK_EQ(rd32_of(g.mem, 0), 0x80000000u);
	CHECK_EQ(rd32_of(g.mem, 4), 0xccccccccu);
	both(img, mem, fistp16, 6, &g);
	CHECK_EQ(rd16_of(g.mem, 0), 0x8000);
	both(img, mem, fistp64, 6, &g);
	CHECK_EQ(rd32_of(g.mem, 4), 0x80000000u);
	both(img, mem, fbstp, 6, &g);
	CHECK_EQ(rd32_of(g.mem, 6), 0xffffc000u);	/* BCD indefinite: FFFF C000 0000 0000 0000 */
	/* unmasked IE: memory untouched, nothing popped, ES pending */
	mkimg(img, 0x37e, 1, &big);
	both(img, mem, fistp32, 6, &g);
	CHECK_EQ(rd32_of(g.mem, 0), 0xccccccccu);
	CHECK_EQ(rd16_of(g.img, 4) & 0x3881, 0x3881);
	/* overflow: FLD1 into a full stack: IE SF C1, ST0 the indefinite */
	struct f80 eight[8];
	for (int k = 0; k < 8; k++)
		eight[k] = (struct f80){ 1ull << 63, (uint16_t)(0x3fff + k) };
	static const uint8_t fld1[2] = { 0xd9, 0xe8 }, fadd[2] = { 0xd8, 0xc1 };
	mkimg(img, 0x37f, 8, eight);
	both(img, NULL, fld1, 2, &g);
	CHECK_EQ(rd16_of(g.img, 4) & 0x3ff, 0x241);
	CHECK_EQ(st_of(g.img, 0).se, 0xffff);
	CHECK_EQ(st_of(g.img, 0).m, 0xc000000000000000ull);
	/* underflow: FADD with an empty ST(1): IE SF, C1 clear */
	mkimg(img, 0x37f, 1, eight);
	both(img, NULL, fadd, 2, &g);
	CHECK_EQ(rd16_of(g.img, 4) & 0x3ff, 0x041);
	rig_down();
}

/* FNSAVE/FRSTOR and FNSTENV field by field against the host's images;
 * FSTENV's 16-bit forms and real-mode layouts against the SDM */
static void test_environment(void)
{
	if (!rig_up())
		return;
	setup_pm();
	/* a state made by instructions: fninit; fldcw [cw]; fld1; fldpi; fdiv st1;
	 * fld dword [MEM]; fnstenv [0x22000]; fldcw [cw]; fnsave [0x22100];
	 * frstor [0x22100]; fnsave [0x22200]; hlt */
	static const uint8_t code[] = {
		0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x02, 0x00, 0xd9, 0xe8, 0xd9, 0xeb,
		0xdc, 0xf9, 0xd9, 0x05, 0x00, 0x10, 0x02, 0x00,
		0xd9, 0x35, 0x00, 0x20, 0x02, 0x00, 0xd9, 0x2d, 0x00, 0x30, 0x02, 0x00,
		0xdd, 0x35, 0x00, 0x21, 0x02, 0x00, 0xdd, 0x25, 0x00, 0x21, 0x02, 0x00,
		0xdd, 0x35, 0x00, 0x22, 0x02, 0x00, 0xf4,
	};
	memcpy(ram(CODE), code, sizeof(code));
	memcpy(ram(0x23000), &(uint16_t){ 0x0b72 }, 2);
	memcpy(ram(MEM), &(uint32_t){ 0x00000001 }, 4);	/* a denormal float: DE */
	run_at(CODE);
	CHECK_EQ(pm_vector(), -1);
	uint8_t nenv[28], nsave[108];
	uint16_t cw = 0x0b72;
	uint32_t f = 1;
	__asm__ volatile("fninit; fldcw %2; fld1; fldpi; .byte 0xdc, 0xf9; flds %3; fnstenv %0; fldcw %2; fnsave %1; fninit"
			 : "=m"(nenv), "=m"(nsave) : "m"(cw), "m"(f));
	const uint8_t *genv = ram(0x22000), *gsave = ram(0x22100);
	CHECK(!memcmp(genv, nenv, 12));				/* FCW FSW FTW + reserved */
	CHECK_EQ(rd32_of(genv, 12), CODE + 14);			/* FIP: the FLD */
	CHECK_EQ(rd32_of(genv, 16), SEL_CODE | 0x105u << 16);	/* FCS, FOP D9 05 */
	CHECK_EQ(rd32_of(genv, 20), MEM);
	CHECK_EQ(rd32_of(genv, 24), 0xffff0000u | SEL_DATA);
	CHECK(!memcmp(gsave, nsave, 12));
	CHECK(!memcmp(gsave + 12, genv + 12, 16));
	CHECK(!memcmp(gsave + 28, nsave + 28, 80));
	CHECK_EQ(rd16_of(gsave, 0), 0x0b72 | 0x40);		/* FNSTENV masked: restored by FLDCW */
	CHECK(!memcmp(ram(0x22200), gsave, 108));		/* FRSTOR round trip */
	CHECK_EQ(rd16_of(S()->fxsave, 0), 0x37f);		/* FNSAVE ended with FNINIT */
	CHECK_EQ(S()->fxsave[4], 0);

	/* o16 FNSTENV in protected mode: 14 bytes, 16-bit pointers */
	static const uint8_t code16[] = {
		0xd9, 0x05, 0x00, 0x10, 0x02, 0x00, 0x66, 0xd9, 0x35, 0x00, 0x20, 0x02, 0x00, 0xf4,
	};
	memset(ram(0x22000), 0xee, 32);
	memcpy(ram(CODE), code16, sizeof(code16));
	run_at(CODE);
	CHECK_EQ(pm_vector(), -1);
	CHECK_EQ(rd16_of(genv, 0), 0x37f);
	CHECK_EQ(rd16_of(genv, 2) & 0x3800, 0x3800);		/* TOP 7 */
	CHECK_EQ(rd16_of(genv, 4), 0x3fff);			/* R7 valid */
	CHECK_EQ(rd16_of(genv, 6), CODE & 0xffff);		/* FIP */
	CHECK_EQ(rd16_of(genv, 8), SEL_CODE);
	CHECK_EQ(rd16_of(genv, 10), MEM & 0xffff);		/* FDP */
	CHECK_EQ(rd16_of(genv, 12), SEL_DATA);
	CHECK_EQ(rd16_of(genv, 14), 0xeeee);			/* 14 bytes only */
	rig_down();
}

/* real mode: 20-bit linear FIP/FDP and FOP in the 14- and 28-byte images */
static void test_environment_real(void)
{
	if (!rig_up())
		return;
	struct cpu_state *s = S();
	cpu_state_reset(s, false);
	memset(ram(0), 0, RAM_SIZE);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_real(&s->seg[i], i == S_DS ? 0x1000 : 0x0700, i == S_CS);
	/* at 0700:0c00: fninit; fld dword [0x1234]; fnstenv [0x500] (ES: 0700);
	 * o32 fnstenv [0x600]; o16 fldenv [0x600]... hlt */
	static const uint8_t code[] = {
		0xdb, 0xe3, 0xd9, 0x06, 0x34, 0x12, 0x26, 0xd9, 0x36, 0x00, 0x05,
		0x26, 0x66, 0xd9, 0x36, 0x00, 0x06, 0xf4,
	};
	memcpy(ram(0x7c00), code, sizeof(code));
	memcpy(ram(0x11234), &(uint32_t){ 0x3f800000 }, 4);
	s->gpr[R_ESP] = 0x7000;
	run_at(0x0c00);
	CHECK_EQ(s->rip, 0x0c00 + sizeof(code));
	const uint8_t *e16 = ram(0x7500), *e32 = ram(0x7600);
	CHECK_EQ(rd16_of(e16, 0), 0x37f);
	CHECK_EQ(rd16_of(e16, 6), 0x7c02);			/* FIP[15:0] linear */
	CHECK_EQ(rd16_of(e16, 8), 0x106);			/* FIP[19:16]=0 | FOP D9 06 */
	CHECK_EQ(rd16_of(e16, 10), 0x1234);			/* FDP[15:0] */
	CHECK_EQ(rd16_of(e16, 12), 0x1000);			/* FDP[19:16] << 12 */
	CHECK_EQ(rd32_of(e32, 12) & 0xffff, 0x7c02);
	CHECK_EQ(rd32_of(e32, 16), 0x106);
	CHECK_EQ(rd32_of(e32, 20) & 0xffff, 0x1234);
	CHECK_EQ(rd32_of(e32, 24), 0x1000);
	CHECK_EQ(rd16_of(S()->fxsave, 0), 0x37f);
	rig_down();
}

/* #NM from CR0.EM/TS/MP; #MF at the next waiting instruction */
static void test_nm_mf(void)
{
	if (!rig_up())
		return;
	setup_pm();
	static const uint8_t fninit[] = { 0xdb, 0xe3, 0xf4 }, fwait[] = { 0x9b, 0xf4 };
	struct cpu_state *s = S();
	struct { uint64_t cr0; const uint8_t *code; unsigned len; int vec; } nm[] = {
		{ CR0_TS, fninit, 3, EXC_NM }, { CR0_EM, fninit, 3, EXC_NM },
		{ CR0_EM | CR0_MP, fwait, 2, -1 }, { CR0_TS, fwait, 2, -1 },
		{ CR0_TS | CR0_MP, fwait, 2, EXC_NM }, { 0, fninit, 3, -1 },
	};
	for (unsigned k = 0; k < sizeof(nm) / sizeof(nm[0]); k++) {
		memcpy(ram(CODE), nm[k].code, nm[k].len);
		s->gpr[R_ESP] = 0x8000;
		s->cr0 = CR0_PE | CR0_ET | CR0_NE | nm[k].cr0;
		run_at(CODE);
		CHECK_EQ(pm_vector(), nm[k].vec);
	}
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_MP;
	/* fninit; fldcw [cw 0x37b]; fld1; fldz; fdivp st1 (ZE unmasked:
	 * pending, nothing popped); fnstsw ax (no wait); fld1: #MF */
	static const uint8_t code[] = {
		0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x02, 0x00, 0xd9, 0xe8, 0xd9, 0xee,
		0xde, 0xf9, 0xdf, 0xe0, 0xd9, 0xe8, 0xf4,
	};
	memcpy(ram(0x23000), &(uint16_t){ 0x037b }, 2);
	memcpy(ram(CODE), code, sizeof(code));
	s->gpr[R_ESP] = 0x8000;
	run_at(CODE);
	CHECK_EQ(pm_vector(), EXC_MF);
	CHECK_EQ(rd32(0x8000 - 12), CODE + 16);		/* the faulting FLD1 */
	CHECK_EQ(s->gpr[R_EAX] & 0xffff, 0xb084);		/* B ES ZE, TOP 6 */
	CHECK_EQ(rd16_of(s->fxsave, 6), 0x6f9);			/* FOP of the FDIVP */
	CHECK_EQ(rd32_of(s->fxsave, 8), CODE + 12);
	/* FWAIT with it still pending: #MF; after FNCLEX: none */
	static const uint8_t code2[] = { 0x9b, 0xf4, 0xdb, 0xe2, 0x9b, 0xd9, 0xe8, 0xf4 };
	memcpy(ram(CODE), code2, sizeof(code2));
	s->gpr[R_ESP] = 0x8000;
	run_at(CODE);
	CHECK_EQ(pm_vector(), EXC_MF);
	s->gpr[R_ESP] = 0x8000;
	run_at(CODE + 2);
	CHECK_EQ(pm_vector(), -1);
	CHECK_EQ(rd16_of(s->fxsave, 2) & 0x80ff, 0);
	rig_down();
}

/* CR0.NE=0: an unmasked exception met by a waiting instruction asserts
 * FERR# (the board's IRQ 13 through port 0xf0's latch, here a sysports
 * on the rig's bus), no #MF; the instruction goes on; port 0xf0 lowers
 * IRQ 13. Without FERR# wiring: #MF. */
struct ferr_log {
	int raised, level;
};

static void ferr_line(void *opaque, int n, int level)
{
	struct ferr_log *l = opaque;
	CHECK_EQ(n, 13);
	l->raised += level;
	l->level = level;
}

static void ferr_to_sysports(void *opaque)
{
	sysports_ferr(opaque);
}

static void test_ferr(void)
{
	if (!rig_up())
		return;
	setup_pm();
	struct cpu_state *s = S();
	struct sysports *sp = sysports_new(&R.io, NULL, NULL);
	CHECK(sp != NULL);
	struct ferr_log fl = { 0, 0 };
	irq_connect(sysports_ferr_irq(sp), ferr_line, &fl, 13);
	s->cr0 = CR0_PE | CR0_ET | CR0_MP;		/* NE clear */
	/* fninit; fldcw [cw 0x37b]; fld1; fldz; fdivp st1 (ZE unmasked:
	 * pending); fld1 (waiting: FERR#); fnstsw ax; out 0xf0, al; fld1; hlt */
	static const uint8_t code[] = {
		0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x30, 0x02, 0x00, 0xd9, 0xe8, 0xd9, 0xee,
		0xde, 0xf9, 0xd9, 0xe8, 0xdf, 0xe0, 0xe6, 0xf0, 0xf4,
	};
	memcpy(ram(0x23000), &(uint16_t){ 0x037b }, 2);
	memcpy(ram(CODE), code, sizeof(code));
	/* no FERR# wiring: #MF at the FLD1 as with CR0.NE=1 */
	s->gpr[R_ESP] = 0x8000;
	run_at(CODE);
	CHECK_EQ(pm_vector(), EXC_MF);
	CHECK_EQ(fl.raised, 0);
	/* wired: IRQ 13 up at the FLD1, which runs (TOP 5, ST(0) 1.0), the
	 * exception still pending (B ES ZE); the OUT lowers it */
	R.vm.ferr = ferr_to_sysports;
	R.vm.ferr_opaque = sp;
	s->gpr[R_ESP] = 0x8000;
	run_at(CODE);
	CHECK_EQ(pm_vector(), -1);
	CHECK_EQ(fl.raised, 1);
	CHECK_EQ(fl.level, 0);
	CHECK_EQ(s->gpr[R_EAX] & 0xffff, 0xa884);	/* B ES ZE, TOP 5 */
	CHECK_EQ(rd16_of(s->fxsave, 32 + 8), 0x3fff);	/* ST(0) = 1.0 */
	CHECK_EQ(rd16_of(s->fxsave, 2), 0xa884);
	/* just the FLD1 again, still pending: IRQ 13 up again, no #MF */
	static const uint8_t again[] = { 0xd9, 0xe8, 0xf4 };
	memcpy(ram(CODE), again, sizeof(again));
	run_at(CODE);
	CHECK_EQ(pm_vector(), -1);
	CHECK_EQ(fl.raised, 2);
	CHECK_EQ(fl.level, 1);
	R.vm.ferr = NULL;
	rig_down();
	sysports_free(sp);
}

/* FLDCW/FNSTCW/FNSTSW m16 against the host, CPUID's FPU bit */
static void test_control_and_cpuid(void)
{
	if (!rig_up())
		return;
	setup_pm();
	/* fldcw [0x23000]; fnstcw [0x23002]; fnstsw [0x23004]; cpuid; hlt */
	static const uint8_t code[] = {
		0xd9, 0x2d, 0x00, 0x30, 0x02, 0x00, 0xd9, 0x3d, 0x02, 0x30, 0x02, 0x00,
		0xdd, 0x3d, 0x04, 0x30, 0x02, 0x00, 0x0f, 0xa2, 0xf4,
	};
	static const uint16_t cws[] = { 0, 0xffff, 0x1234, 0x037f, 0x0c40 };
	for (unsigned k = 0; k < sizeof(cws) / 2; k++) {
		memcpy(ram(CODE), code, sizeof(code));
		memcpy(ram(0x23000), &cws[k], 2);
		S()->gpr[R_EAX] = 1;
		S()->gpr[R_ECX] = 0;
		memset(S()->fxsave, 0, 32);	/* no flags pending */
		run_at(CODE);
		CHECK_EQ(pm_vector(), -1);
		uint16_t ncw, keep;
		__asm__ volatile("fnstcw %1; fldcw %2; fnstcw %0; fldcw %1"
				 : "=m"(ncw), "=m"(keep) : "m"(cws[k]));
		CHECK_EQ(rd16(0x23002), ncw);
		CHECK_EQ(rd16(0x23004), 0);
		CHECK_EQ(S()->gpr[R_EDX] & 1, 1);
		/* MMX FXSR SSE SSE2 */
		CHECK_EQ(S()->gpr[R_EDX] & (0xfu << 23), 0xfu << 23);
	}
	rig_down();
}

/* FXSAVE and FXRSTOR against the host's, from the same FRSTOR image:
 *   frstor [0x20000]; fxsave [0x22000]; fninit; fxrstor [0x22000];
 *   fnsave [0x20100]; hlt
 * The x87 part of the image must match the host's but for FCS and FDS
 * (hosts that deprecate them store 0); MXCSR and XMM this CR4.OSFXSR=0
 * guest does not save. The FNSAVE after the FXRSTOR must give the FRSTOR
 * image back. Then the checks: #GP on
 * a misaligned image, #NM with CR0.TS, #UD with CR0.EM. */
static void test_fxsave(void)
{
	if (!rig_up())
		return;
	unsigned a, b, cx, d;
	__cpuid(0, a, b, cx, d);
	bool amd_host = b == 0x68747541;	/* "Auth" */
	static const uint8_t code[] = {
		0xdd, 0x25, 0x00, 0x00, 0x02, 0x00, 0x0f, 0xae, 0x05, 0x00, 0x20, 0x02, 0x00,
		0xdb, 0xe3, 0x0f, 0xae, 0x0d, 0x00, 0x20, 0x02, 0x00,
		0xdd, 0x35, 0x00, 0x01, 0x02, 0x00, 0xf4,
	};
	unsigned bad = 0;
	for (int round = 0; round < 300; round++) {
		setup_pm();
		memcpy(ram(CODE), code, sizeof(code));
		uint8_t img[108];
		rnd_image(img, fcws[rnd() % (sizeof(fcws) / 2)]);
		memcpy(ram(0x20000), img, 108);
		memset(ram(0x22000), 0xcc, 512);
		run_at(CODE);
		CHECK_EQ(pm_vector(), -1);
		uint8_t host[512] __attribute__((aligned(16))), back[108];
		memset(host, 0xcc, sizeof(host));
		__asm__ volatile("sub $120, %%rsp; fnsave (%%rsp); frstor %2; fxsave %0; fninit;"
				 "fxrstor %0; fnsave %1; frstor (%%rsp); add $120, %%rsp"
				 : "+m"(host), "=m"(back) : "m"(img));
		const uint8_t *g = ram(0x22000);
		/* AMD parts save FOP, FIP and FDP only while an exception is
		 * pending (FSW.ES); Intel's always, as the interpreter does */
		bool ptrs = !amd_host || (rd16_of(g, 2) & 0x80);
		bool same = !memcmp(g, host, 6) && !memcmp(g + 32, host + 32, 128) &&
			    (!ptrs || (!memcmp(g + 6, host + 6, 6) && !memcmp(g + 14, host + 14, 6) &&
				       !memcmp(g + 22, host + 22, 2))) &&
			    !memcmp(ram(0x20100), back, 12) &&
			    !memcmp(ram(0x20100) + 28, back + 28, 80) &&
			    (!ptrs || !memcmp(ram(0x20100) + 12, back + 12, 16)) &&
			    !memcmp(ram(0x20100) + 12, img + 12, 14);	/* the pointers kept */
		if (!same && bad++ < 3) {
			printf("  round %d: guest / host image:\n   ", round);
			for (unsigned k = 0; k < 48; k++)
				printf(" %02x/%02x", g[k], host[k]);
			printf("\n");
		}
	}
	CHECK_EQ(bad, 0);

	/* misaligned: #GP; CR0.TS: #NM; CR0.EM: #UD */
	static const uint8_t misaligned[] = { 0x0f, 0xae, 0x05, 0x08, 0x20, 0x02, 0x00, 0xf4 };
	setup_pm();
	memcpy(ram(CODE), misaligned, sizeof(misaligned));
	run_at(CODE);
	CHECK_EQ(pm_vector(), EXC_GP);
	static const struct { uint64_t cr0; int vector; } faults[] = {
		{ CR0_TS, EXC_NM }, { CR0_EM, EXC_UD },
	};
	for (unsigned k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
		setup_pm();
		memcpy(ram(CODE), code + 6, 7);	/* the FXSAVE alone */
		ram(CODE)[7] = 0xf4;
		S()->cr0 |= faults[k].cr0;
		run_at(CODE);
		CHECK_EQ(pm_vector(), faults[k].vector);
	}
	rig_down();
}

/* ---- the transcendentals: known values, random arguments, determinism ----
 * Intel documents no last-bit results for FSIN, FCOS, FSINCOS, FPTAN,
 * FPATAN, F2XM1, FYL2X, FYL2XP1 beyond an error bound (SDM vol. 1
 * 8.3.10), so "as on Intel" means here: Intel's documented domains,
 * special cases and argument reduction (the 66-bit internal pi of SDM
 * vol. 1 8.3.8), correctly rounded otherwise. The host (AMD or Intel)
 * is compared within one ulp; these values are checked exactly. */

static struct outcome run_one(uint16_t fcw, unsigned n, const struct f80 *st, uint8_t op)
{
	uint8_t img[108], mem[16] = { 0 }, insn[2] = { 0xd9, op };
	struct outcome g;
	mkimg(img, fcw, n, st);
	guest_run(img, mem, 0x2, insn, 2, &g);
	CHECK_EQ(g.vector, -1);
	return g;
}

static uint16_t fsw_of(const struct outcome *g) { return rd16_of(g->img, 4); }
static unsigned top_of(const struct outcome *g) { return (fsw_of(g) >> 11) & 7; }

#define CHECK_F80(v, mm, ee) do { struct f80 v_ = (v); CHECK_EQ(v_.m, (mm)); CHECK_EQ(v_.se, (ee)); } while (0)

static void test_transc_known(void)
{
	if (!rig_up())
		return;
	setup_pm();
	const struct f80 zero = { 0, 0 }, one = { 1ull << 63, 0x3fff }, mone = { 1ull << 63, 0xbfff };
	const struct f80 eight = { 1ull << 63, 0x4002 };
	struct outcome g;

	/* FSIN(pi/6 rounded to 64 bits): pi/6 = 0.860A91C16B9B2C23|2DD9..h,
	 * so x = 0x860A91C16B9B2C23 * 2^-64 lies below pi/6 by under half
	 * an ulp and sin(x) = 0.5 - 0.866 * (pi/6 - x): 0.5 to nearest
	 * (rounded up: C1) and upward, the value below 0.5 down and to zero */
	const struct f80 pi6 = { 0x860a91c16b9b2c23ull, 0x3ffe };
	static const struct { uint16_t fcw; uint64_t m; uint16_t se; bool c1; } pi6_want[] = {
		{ 0x037f, 1ull << 63, 0x3ffe, true }, { 0x0b7f, 1ull << 63, 0x3ffe, true },
		{ 0x077f, ~0ull, 0x3ffd, false }, { 0x0f7f, ~0ull, 0x3ffd, false },
	};
	for (unsigned k = 0; k < 4; k++) {
		g = run_one(pi6_want[k].fcw, 1, &pi6, 0xfe);
		CHECK_F80(st_of(g.img, 0), pi6_want[k].m, pi6_want[k].se);
		CHECK_EQ(fsw_of(&g) & 0x4727, 0x0020 | (pi6_want[k].c1 ? 0x0200 : 0));
	}

	/* FPTAN(+0): +0 then 1.0 pushed, exact, C2 clear */
	g = run_one(0x037f, 1, &zero, 0xf2);
	CHECK_EQ(top_of(&g), 6);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0x3fff);
	CHECK_F80(st_of(g.img, 1), 0, 0);
	CHECK_EQ(fsw_of(&g) & 0x063f, 0);
	/* FSINCOS(-0): sin -0 in ST(1), cos 1.0 in ST(0) */
	const struct f80 mzero = { 0, 0x8000 };
	g = run_one(0x037f, 1, &mzero, 0xfb);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0x3fff);
	CHECK_F80(st_of(g.img, 1), 0, 0x8000);

	/* F2XM1(-1) = -0.5 and F2XM1(1) = 1, exactly (SDM table) */
	g = run_one(0x037f, 1, &mone, 0xf0);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0xbffe);
	CHECK_EQ(fsw_of(&g) & 0x023f, 0);
	g = run_one(0x0f7f, 1, &one, 0xf0);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0x3fff);
	CHECK_EQ(fsw_of(&g) & 0x023f, 0);

	/* FYL2X(x = 8, y = 1) = 3, exact, popped */
	const struct f80 xy[2] = { eight, one };
	g = run_one(0x037f, 2, xy, 0xf1);
	CHECK_EQ(top_of(&g), 7);
	CHECK_F80(st_of(g.img, 0), 0xc000000000000000ull, 0x4000);
	CHECK_EQ(fsw_of(&g) & 0x023f, 0);
	CHECK_EQ((rd16_of(g.img, 8) >> 12) & 3, 3);		/* R6 now empty */

	/* FPATAN(y = 1, x = 1) = pi/4 = 0.C90FDAA22168C234|C4C6..h: up */
	const struct f80 ones[2] = { one, one };
	g = run_one(0x037f, 2, ones, 0xf3);
	CHECK_F80(st_of(g.img, 0), 0xc90fdaa22168c235ull, 0x3ffe);
	CHECK_EQ(fsw_of(&g) & 0x023f, 0x0220);

	/* Large arguments: Intel's reduction by its 66-bit pi
	 * p = 0xC90FDAA22168C234C * 2^-66. x = pi rounded to 64 bits =
	 * 0xC90FDAA22168C235 * 2^-62 = 0xC90FDAA22168C2350 * 2^-66, so
	 * x - p = 4 * 2^-66 = 2^-64 exactly and FSIN(x) = -sin(2^-64):
	 * -2^-64 to nearest. (The true sin(x) is -0.92539...* 2^-64.) */
	const struct f80 pi64 = { 0xc90fdaa22168c235ull, 0x4000 };
	g = run_one(0x037f, 1, &pi64, 0xfe);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0xbfbf);
	CHECK_EQ(fsw_of(&g) & 0x0620, 0x0220);
	/* FCOS(x) = -cos(2^-64): -1.0 to nearest; FPTAN: tan(2^-64) */
	g = run_one(0x037f, 1, &pi64, 0xff);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0xbfff);
	g = run_one(0x037f, 1, &pi64, 0xf2);
	CHECK_F80(st_of(g.img, 1), 1ull << 63, 0x3fbf);
	/* FPTAN(pi/2 rounded): x - p/2 = 2^-65, tan = -cot(2^-65): -2^65
	 * (the true tan(x) is -2^67 / 3.7015...) */
	const struct f80 pi64h = { 0xc90fdaa22168c235ull, 0x3fff };
	g = run_one(0x037f, 1, &pi64h, 0xf2);
	CHECK_F80(st_of(g.img, 1), 1ull << 63, 0xc040);
	/* just under 2^63: reduced, C2 clear; 2^63 and up: out of range,
	 * C2 set, ST(0) unchanged, nothing pushed, no exception */
	const struct f80 under = { ~0ull, 0x403d }, big = { 1ull << 63, 0x403e };
	g = run_one(0x037f, 1, &under, 0xfe);
	CHECK_EQ(fsw_of(&g) & 0x0400, 0);
	CHECK((st_of(g.img, 0).se & 0x7fff) < 0x3fff);
	g = run_one(0x037f, 1, &big, 0xfe);
	CHECK_EQ(fsw_of(&g) & 0x063f, 0x0400);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0x403e);
	g = run_one(0x037f, 1, &big, 0xfb);
	CHECK_EQ(top_of(&g), 7);
	CHECK_EQ(fsw_of(&g) & 0x0400, 0x0400);

	/* infinities: IE and the indefinite; unmasked: nothing written */
	const struct f80 inf = { 1ull << 63, 0x7fff };
	g = run_one(0x037f, 1, &inf, 0xfe);
	CHECK_F80(st_of(g.img, 0), 0xc000000000000000ull, 0xffff);
	CHECK_EQ(fsw_of(&g) & 0x3f, 1);
	g = run_one(0x037e, 1, &inf, 0xfb);
	CHECK_EQ(top_of(&g), 7);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0x7fff);
	CHECK_EQ(fsw_of(&g) & 0x80bf, 0x8081);
	/* FPTAN with a full stack: IE SF C1, both the indefinite */
	struct f80 full[8];
	for (int k = 0; k < 8; k++)
		full[k] = one;
	g = run_one(0x037f, 8, full, 0xf2);
	CHECK_EQ(fsw_of(&g) & 0x027f, 0x0241);
	CHECK_F80(st_of(g.img, 0), 0xc000000000000000ull, 0xffff);
	CHECK_F80(st_of(g.img, 1), 0xc000000000000000ull, 0xffff);
	/* FYL2X(0, 1): ZE, -inf; unmasked: nothing written, no pop */
	const struct f80 zy[2] = { zero, one };
	g = run_one(0x037f, 2, zy, 0xf1);
	CHECK_F80(st_of(g.img, 0), 1ull << 63, 0xffff);
	CHECK_EQ(fsw_of(&g) & 0x3f, 4);
	g = run_one(0x037b, 2, zy, 0xf1);
	CHECK_EQ(top_of(&g), 6);
	CHECK_EQ(fsw_of(&g) & 0x80bf, 0x8084);
	/* FSIN of a denormal: DE, UE, PE and the denormal itself */
	const struct f80 den = { 0x1234, 0 };
	g = run_one(0x037f, 1, &den, 0xfe);
	CHECK_F80(st_of(g.img, 0), 0x1234, 0);
	CHECK_EQ(fsw_of(&g) & 0x3f, 0x32);
	rig_down();
}

/* random arguments in each instruction's own range, every precision and
 * rounding: the host within one ulp; and a second run bit-identical */
static void test_transc_random(void)
{
	if (!rig_up())
		return;
	setup_pm();
	static const uint8_t ops[] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff };
	static const uint16_t cws[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x027f, 0x007f, 0x0e7f };
	int ran = 0, ulp[8] = { 0 }, runs = 3000;
	for (unsigned o = 0; o < sizeof(ops); o++) {
		for (int k = 0; k < runs; k++) {
			struct f80 st[2];
			int emax = ops[o] == 0xf0 ? 0 : ops[o] == 0xf9 ? -2 : ops[o] >= 0xfb || ops[o] == 0xf2 ? 62 : 200;
			int span = emax >= 62 ? 130 : 70;
			for (int i = 0; i < 2; i++) {
				st[i].m = rnd() | 1ull << 63;
				st[i].se = (uint16_t)(0x3fff + emax - (int)(rnd() % (unsigned)span));
				if (ops[o] != 0xf1 || i == 1)
					st[i].se |= (uint16_t)((rnd() & 1) << 15);
			}
			uint8_t img[108], mem[16] = { 0 }, insn[2] = { 0xd9, ops[o] };
			mkimg(img, cws[rnd() % (sizeof(cws) / 2)], 2, st);
			struct outcome g, g2, n;
			guest_run(img, mem, 0x2, insn, 2, &g);
			guest_run(img, mem, 0x2, insn, 2, &g2);
			native_run(img, mem, 0x2, insn, 2, &n);
			ran++;
			if (memcmp(g.img, g2.img, 108))
				check_at(0, "transcendental not deterministic", __FILE__, __LINE__);
			if (host_undefined(insn, img))
				continue;
			if (!near(insn, img, &g, &n))
				report(insn, 2, img, mem, &g, &n);
			else if (memcmp(g.img + 28, n.img + 28, 80))
				ulp[o]++;
		}
	}
	printf("  %d runs; one ulp from the host:", ran);
	for (unsigned o = 0; o < sizeof(ops); o++)
		printf(" %02x %d", ops[o], ulp[o]);
	printf("\n");
	rig_down();
}

/* overflow, underflow and denormals, masked and unmasked, every
 * rounding: against the host as the register forms are */
static void test_transc_edges(void)
{
	if (!rig_up())
		return;
	setup_pm();
	static const struct { uint8_t op; struct f80 x, y; } cases[] = {
		{ 0xf1, { 0xc000000000000000ull, 0x7ffe }, { ~0ull, 0x7ffe } },		/* FYL2X: OE */
		{ 0xf1, { 0xc000000000000000ull, 0x7ffe }, { ~0ull, 0xfffe } },
		{ 0xf1, { 0x8000000000000000ull, 0x3ffe }, { 0x8000000000000000ull, 0x0001 } },	/* exact tiny */
		{ 0xf1, { 0xc000000000000000ull, 0x3ffe }, { 0x8000000000000000ull, 0x0001 } },	/* UE */
		{ 0xf3, { 0x8000000000000000ull, 0x7ff0 }, { 0x9000000000000000ull, 0x0100 } },	/* FPATAN: UE */
		{ 0xf3, { 0x8000000000000000ull, 0x7ff0 }, { 0x9000000000000000ull, 0x8100 } },
		{ 0xf3, { 0x8000000000000000ull, 0xfff0 }, { 0x9000000000000000ull, 0x0100 } },	/* ~pi */
		{ 0xf3, { 0x8000000000000000ull, 0x4000 }, { 0x1234, 0 } },			/* DE */
		{ 0xfe, { 0x8000000000000001ull, 0x0001 }, { 0, 0 } },				/* tiny sin */
		{ 0xfe, { 0x1234, 0x8000 }, { 0, 0 } },
		{ 0xf2, { 0x8000000000000001ull, 0x0001 }, { 0, 0 } },
		{ 0xfb, { 0xc000000000000000ull, 0x0002 }, { 0, 0 } },
		{ 0xf0, { 0x8000000000000001ull, 0x0001 }, { 0, 0 } },				/* F2XM1 tiny */
		{ 0xf0, { 0x1234, 0 }, { 0, 0 } },
		{ 0xf9, { 0x8000000000000001ull, 0x8001 }, { 0x8000000000000000ull, 0x3fff } },	/* FYL2XP1 */
		{ 0xf9, { 0xc000000000000000ull, 0x3ff0 }, { ~0ull, 0x7ffe } },
		{ 0xff, { 0x8000000000000001ull, 0x0001 }, { 0, 0 } },				/* cos ~ 1 */
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		for (unsigned cw = 0; cw < 32; cw++) {
			/* PC 64/53/24 (and the reserved 01), each RC; UE/OE/PE/DE
			 * masked or not */
			uint16_t fcw = (uint16_t)((cw & 3) << 8 | ((cw >> 2) & 3) << 10 |
						  ((cw & 16) ? 0x40 : 0x7f));
			const struct f80 st[2] = { cases[k].x, cases[k].y };
			uint8_t img[108], insn[2] = { 0xd9, cases[k].op };
			mkimg(img, fcw, 2, st);
			struct outcome g;
			both(img, NULL, insn, 2, &g);
		}
	}
	rig_down();
}

/* results recorded from this implementation (cross-checked against the
 * host within one ulp above): they must come out the same on every host */
static void test_transc_golden(void)
{
	if (!rig_up())
		return;
	setup_pm();
	static const struct { uint8_t op; struct f80 x, y; uint64_t m0; uint16_t se0; } golden[] = {
		{ 0xfe, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x0000 }, 0xd76aa47848677021ull, 0x3ffe },	/* FSIN(1) */
		{ 0xff, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x0000 }, 0x8a51407da8345c92ull, 0x3ffe },	/* FCOS(1) */
		{ 0xf2, { 0x8000000000000000ull, 0x3fff }, { 0x0000000000000000ull, 0x0000 }, 0xc75922e5f71d2dc5ull, 0x3fff },	/* FPTAN(1) */
		{ 0xfb, { 0x8000000000000000ull, 0x4000 }, { 0x0000000000000000ull, 0x0000 }, 0xd51132ba9b902522ull, 0xbffd },	/* FSINCOS(2): cos */
		{ 0xf0, { 0x8000000000000000ull, 0x3ffe }, { 0x0000000000000000ull, 0x0000 }, 0xd413cccfe7799211ull, 0x3ffd },	/* F2XM1(0.5) */
		{ 0xf1, { 0xc000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x3fff }, 0xcae00d1cfdeb43d0ull, 0x3fff },	/* FYL2X(3, 1) */
		{ 0xf9, { 0x8000000000000000ull, 0x3ffd }, { 0x8000000000000000ull, 0x3fff }, 0xa4d3c25e68dc57f2ull, 0x3ffd },	/* FYL2XP1(0.25, 1) */
		{ 0xf3, { 0x8000000000000000ull, 0x4000 }, { 0x8000000000000000ull, 0x3fff }, 0xed63382b0dda7b45ull, 0x3ffd },	/* FPATAN(y 1, x 2) */
		{ 0xfe, { 0xde0b6b3a76400000ull, 0x403a }, { 0x0000000000000000ull, 0x0000 }, 0xfe293239d98b5dc4ull, 0xbffe },	/* FSIN(1e18) */
		{ 0xff, { 0xfa00000000000000ull, 0x4008 }, { 0x0000000000000000ull, 0x0000 }, 0x8ff8133c9f8ddba4ull, 0x3ffe },	/* FCOS(1000) */
		{ 0xfe, { 0xc000000000000000ull, 0x403d }, { 0x0000000000000000ull, 0x0000 }, 0xc3e85dbd8e174203ull, 0xbffd },	/* FSIN(1.5 * 2^62) */
		{ 0xf2, { 0xffffffffffffffffull, 0x403d }, { 0x0000000000000000ull, 0x0000 }, 0xea57f75b8bfebb70ull, 0x3fff },	/* FPTAN(2^63 - 1) */
	};
	for (unsigned k = 0; k < sizeof(golden) / sizeof(golden[0]); k++) {
		const struct f80 st[2] = { golden[k].x, golden[k].y };
		struct outcome g = run_one(0x037f, 2, st, golden[k].op);
		struct f80 r = st_of(g.img, golden[k].op == 0xf2 ? 1 : 0);
		if (r.m != golden[k].m0 || r.se != golden[k].se0) {
			check_at(0, "transcendental differs from its recorded value", __FILE__, __LINE__);
			printf("    { 0x%02x, ..., 0x%016llxull, 0x%04x } got 0x%016llx 0x%04x\n", golden[k].op,
			       (unsigned long long)golden[k].m0, golden[k].se0,
			       (unsigned long long)r.m, r.se);
		}
	}
	rig_down();
}

int main(void)
{
	CHECK_SUITE("unit/x87");
	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED) {
		printf("SKIP unit/x87: all: no executable memory for the native side\n");
		return 0;
	}
	alarm(60);
	VMRIG_FOR_EACH_SOFT_TIER {
		RUN_TIER(test_register_forms);
		RUN_TIER(test_memory_forms);
		RUN_TIER(test_rounding_precision);
		RUN_TIER(test_classes);
		RUN_TIER(test_conversions_and_stack);
		RUN_TIER(test_environment);
		RUN_TIER(test_environment_real);
		RUN_TIER(test_nm_mf);
		RUN_TIER(test_ferr);
		RUN_TIER(test_control_and_cpuid);
		RUN_TIER(test_fxsave);
		RUN_TIER(test_transc_known);
		RUN_TIER(test_transc_random);
		RUN_TIER(test_transc_edges);
		RUN_TIER(test_transc_golden);
	}
	return CHECK_EXIT();
}
