/* Differential test: every specialised (fast.c) handler against the generic
 * handler for the same operation, on random 32-bit instructions and random
 * states (segment limits, read-only and expand-down segments, CPL 3 with
 * AC, pending lazy flags): registers, EIP, CR2, memory, flags and the fault
 * vector must be identical. */
// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/interp/icpu.h"
#include "cpu/interp/flags.h"
#include "cpu/interp/fast.h"
#include "cpu/interp/ops.h"
#include "hw/bus.h"
#include "mmu/physmap.h"
#include "cpu/vcpu.h"
#include "cpu/vm.h"
#include "hw/lapic.h"
#include "hw/clock.h"
#include <pthread.h>
#include "testsuite/unit/check.h"

static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }

#define RAM (1u << 20)
#define WIN 0x40000u   /* all data accesses land in [WIN, WIN+0x20000) */
static struct physmap pm;
static struct bus mmio;
static struct cpu_state st0, st;
static uint8_t mem0[RAM];

static int runone(struct icpu *c, insn_fn *fn, const struct insn *i, uint64_t *fl, int *vec)
{
	jmp_buf jb;
	c->fault_jmp = &jb;
	*vec = -1;
	if (setjmp(jb)) {
		*vec = c->fault_vector;
	} else {
		c->cur = i;
		c->next_rip = (c->s->rip + i->len) & 0xffffffff;
		fn(c, i);
		c->s->rip = c->next_rip;
	}
	c->fault_jmp = NULL;
	*fl = flags_get(c);
	return 0;
}

static const uint8_t ops1[] = {0x00,0x01,0x02,0x03,0x04,0x05,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x10,0x11,0x12,0x13,0x14,0x15,
 0x18,0x19,0x1a,0x1b,0x1c,0x1d,0x20,0x21,0x22,0x23,0x24,0x25,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x30,0x31,0x32,0x33,0x34,0x35,
 0x38,0x39,0x3a,0x3b,0x3c,0x3d,0x40,0x43,0x45,0x48,0x4c,0x4f,0x50,0x53,0x54,0x55,0x58,0x5b,0x5c,0x5d,0x68,0x6a,
 0x70,0x71,0x72,0x73,0x74,0x75,0x76,0x77,0x78,0x79,0x7a,0x7b,0x7c,0x7d,0x7e,0x7f,0x80,0x81,0x83,0x84,0x85,0x88,0x89,0x8a,0x8b,0x8d,
 0xa0,0xa1,0xa2,0xa3,0xa8,0xa9,0xb0,0xb4,0xb8,0xbc,0xc0,0xc1,0xc2,0xc3,0xc6,0xc7,0xd0,0xd1,0xd2,0xd3,0xe8,0xe9,0xeb,0xfe,0xff,0x0f,
 0x69,0x6b,0x86,0x87,0x90,0x91,0x93,0x94,0x97,0xc9,0xf6,0xf7,0xf7,0xff,0x0f,0x0f,0x0f};
static const uint8_t ops2[] = {0xb6,0xb7,0xbe,0xbf,0x80,0x84,0x85,0x8f,0x8c,0xaf,
 0x40,0x42,0x43,0x44,0x45,0x46,0x47,0x48,0x4a,0x4c,0x4d,0x4e,0x4f,0x92,0x93,0x94,0x95,0x96,0x97,0x9c,0x9f,
 0xaf,0xb0,0xb1,0xc0,0xc1,0x1f};

static void test_fast_equals_generic(void)
{
	long n = 40000;
	bus_init(&mmio, "mmio");
	if (physmap_init(&pm, RAM, &mmio) < 0) {
		CHECK(!"physmap_init");
		return;
	}
	static struct icpu C;
	struct icpu *c = &C;
	c->s = &st;
	tlb_init(&c->tlb, &pm, NULL);
	static struct vm vm; static struct vcpu vc; static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
	vm.pm = &pm; vm.mmio = &mmio; vm.lock = &lk; vc.vm = &vm; static struct vclock clk; static struct apic_bus ab; clock_init(&clk, CLOCK_MANUAL); apic_bus_init(&ab, NULL); vc.apic = lapic_new(&ab, &clk, 0); ab.ncpus = 1;
	long tested = 0, fails = 0, faults = 0;
	for (long it = 0; it < n; it++) {
		uint8_t b[16];
		int k = 0;
		unsigned r = rnd();
		if (r % 8 == 0) b[k++] = 0x66;
		if (r % 16 == 1) b[k++] = 0x26 + 8 * (rnd() % 4);
		if (r % 16 == 2) b[k++] = 0xf0;
		uint8_t op = ops1[rnd() % sizeof(ops1)];
		b[k++] = op;
		if (op == 0x0f) b[k++] = ops2[rnd() % sizeof(ops2)];
		while (k < 16) b[k++] = rnd();
		struct insn in;
		if (decode(&in, b, 15, 32) != DECODE_OK) continue;
		insn_fn *ff = fast_bind(&in);
		if (!ff) continue;
		insn_fn *gf = interp_bind(in.op);
		/* state */
		memset(&st0, 0, sizeof(st0));
		st0.cr0 = CR0_PE | 1u << 4;
		for (int s = 0; s < 6; s++) {
			st0.seg[s].base = 0; st0.seg[s].limit = (rnd() % 32) ? 0xffffffff : WIN + 0x1ffff;
			st0.seg[s].attr = 0x93 | SEG_ATTR_DB | SEG_ATTR_G;
			if (rnd() % 64 == 0) st0.seg[s].attr = 0x91;  /* read-only */
			if (rnd() % 64 == 0) st0.seg[s].attr = 0x97;  /* expand-down */
		}
		st0.seg[S_CS].attr = 0x9b | SEG_ATTR_DB | SEG_ATTR_G;
		if (rnd() % 4 == 0) { st0.seg[S_CS].attr |= 0x60; st0.seg[S_SS].attr |= 0x60; }
		st0.seg[S_CS].limit = (rnd() % 4) ? 0xffffffff : 0x50000;
		for (int g = 0; g < 8; g++) {
			uint64_t v = rnd();
			st0.gpr[g] = (rnd() % 4) ? WIN + 0x8000 + (v % 0x8000) : (v & 0xffffffff);
			if (rnd() % 8 == 0) st0.gpr[g] = v % 64;
		}
		st0.gpr[R_ESP] = WIN + 0x10000 + (rnd() % 0x100) * (rnd() % 8 ? 4 : 1);
		st0.rip = 0x1000 + rnd() % 0x100;
		st0.rflags = 2 | (rnd() & (FL_ARITH | FL_DF));
		if (rnd() % 16 == 0) { st0.rflags |= FL_AC; st0.cr0 |= CR0_AM; }
		for (unsigned q = WIN; q < WIN + 0x20000; q += 8) { uint64_t v = rnd(); memcpy(mem0 + q, &v, 8); } for (unsigned q = 0; q < 0x1000; q += 8) { uint64_t v = rnd(); memcpy(mem0 + q, &v, 8); }
		/* lazy flag state */
		uint8_t lop = rnd() % 8; unsigned lsz = 1u << (rnd() % 3);
		uint64_t la = rnd() & size_mask(lsz), lb = rnd() & size_mask(lsz);
		if (rnd() % 4 == 0) lb = la;
		uint64_t lres = 0; uint32_t lcin = rnd() & 1;
		static const uint8_t lops[8] = {LF_NONE, LF_ADD, LF_SUB, LF_LOGIC, LF_INC, LF_DEC, LF_SHL, LF_IMUL};
		lop = lops[lop];
		switch (lop) {
		case LF_ADD: lres = la + lb; break;
		case LF_SUB: lres = la - lb; break;
		case LF_LOGIC: lres = la & lb; la = lb = 0; break;
		case LF_INC: lres = la + 1; lb = 1; break;
		case LF_DEC: lres = la - 1; lb = 1; break;
		case LF_SHL: lcin = 1 + rnd() % 7; lres = la << lcin; break;
		case LF_IMUL: lres = la; lb = rnd() & 1; break;
		}
		uint64_t res[2][20]; static uint8_t memr[2][0x21000]; int vec[2]; uint64_t fl[2];
		for (int pass = 0; pass < 2; pass++) {
			st = st0;
			memcpy(pm.ram, mem0, sizeof(mem0));
			memset(c, 0, offsetof(struct icpu, tlb));
			c->s = &st; c->delivering = -1; c->v = &vc;
			icpu_mode_changed(c);
			tlb_flush_all(&c->tlb);
			c->lf_op = lop; c->lf_size = lsz; c->lf_a = la; c->lf_b = lb;
			c->lf_res = lres & size_mask(lsz); c->lf_carry_in = lcin;
			runone(c, pass ? ff : gf, &in, &fl[pass], &vec[pass]);
			for (int g = 0; g < 8; g++) res[pass][g] = st.gpr[g];
			res[pass][8] = st.rip; res[pass][9] = st.cr2;
			memcpy(memr[pass], pm.ram + WIN, 0x20000);
			memcpy(memr[pass] + 0x20000, pm.ram, 0x1000);
		}
		tested++;
		if (vec[0] >= 0) faults++;
		bool bad = vec[0] != vec[1] || memcmp(res[0], res[1], 10 * 8) ||
			   memcmp(memr[0], memr[1], sizeof(memr[0])) || (vec[0] < 0 && fl[0] != fl[1]);
		if (bad) {
			if (fails++ < 20) {
				printf("MISMATCH %s bytes", insn_op_name[in.op]);
				for (int q = 0; q < in.len; q++) printf(" %02x", b[q]);
				printf(" vec %d/%d fl %llx/%llx lop %d\n", vec[0], vec[1],
				       (unsigned long long)fl[0], (unsigned long long)fl[1], lop);
				printf("  lf a %llx b %llx res %llx sz %u lop0 %d | ea %llx\n", (unsigned long long)la,(unsigned long long)lb,(unsigned long long)lres, lsz, lop, (unsigned long long)insn_ea(c,&in));
				for (int g = 0; g < 10; g++) if (res[0][g] != res[1][g]) printf("  r%d %llx %llx\n", g, (unsigned long long)res[0][g], (unsigned long long)res[1][g]);
			}
		}
	}
	printf("  %ld instructions with a fast handler, %ld faulting, %ld mismatches\n", tested, faults, fails);
	CHECK(tested > 5000);
	CHECK(faults > 100);
	CHECK_EQ(fails, 0);
	lapic_free(vc.apic);
	physmap_destroy(&pm);
	bus_destroy(&mmio);
}

int main(void)
{
	CHECK_SUITE("unit/fastpath");
	RUN(test_fast_equals_generic);
	return CHECK_EXIT();
}
