/* Differential test: every specialised (fast.c) handler against the generic
 * handler for the same operation, on random instructions and random states:
 * 32-bit code (segment limits, read-only and expand-down segments, CPL 3
 * with AC, pending lazy flags) and 64-bit code under 4-level paging (REX
 * registers, 8-byte and 66-prefixed operands, RIP-relative operands, FS/GS
 * bases and ignored others, non-canonical, unmapped, read-only, supervisor
 * and page-crossing operands, non-canonical branch targets): registers,
 * rip, CR2, memory, flags and the fault vector must be identical. */
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
	uint64_t ripmask = c->code_size == 64 ? ~0ull : 0xffffffffull;
	jmp_buf jb;
	c->fault_jmp = &jb;
	*vec = -1;
	if (setjmp(jb)) {
		*vec = c->fault_vector;
	} else {
		c->cur = i;
		c->next_rip = (c->s->rip + i->len) & ripmask;
		fn(c, i);
		c->s->rip = c->next_rip;
	}
	c->fault_jmp = NULL;
	*fl = flags_get(c);
	return 0;
}

/* Fill the TLB (as earlier instructions would have) for the operand and
 * the top of the stack, each with probability, so the handlers' inline
 * hit paths run too, not only the full path of a cold TLB. The same
 * fills before both runs, faults swallowed, CR2 kept. */
/* vmem_probe, a fault swallowed */
static void try_probe(struct icpu *c, int seg, uint64_t off, enum mmu_access acc)
{
	jmp_buf jb;
	c->fault_jmp = &jb;
	if (!setjmp(jb))
		vmem_probe(c, seg, off, 1, acc);
	c->fault_jmp = NULL;
}

static void warm_tlb(struct icpu *c, const struct insn *i, uint64_t seed)
{
	uint64_t save = rs, cr2 = c->s->cr2;
	bool mem = false;
	rs = seed | 1;
	for (int q = 0; q < i->nopnd; q++)
		mem |= i->opnd[q].kind == OPK_MEM;
	for (int k = 0; k < 4; k++) {
		enum mmu_access acc = rnd() % 2 ? MMU_WRITE : MMU_READ;
		if (k < 2 && mem && rnd() % 4)
			try_probe(c, i->seg, insn_ea(c, i), acc);
		else if (k >= 2 && rnd() % 2)
			try_probe(c, S_SS, (c->s->gpr[R_ESP] - (k == 2 ? 0 : 8)) &
				  size_mask(c->stack_size), acc);
	}
	c->s->cr2 = cr2;
	rs = save;
}

static struct icpu C;
static struct vm vm;
static struct vcpu vc;
static struct vclock clk;
static struct apic_bus ab;

/* RAM, a vCPU without a board (MMIO reads an empty bus), its TLB */
static struct icpu *rig_up(void)
{
	static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
	bus_init(&mmio, "mmio");
	if (physmap_init(&pm, RAM, &mmio) < 0) {
		CHECK(!"physmap_init");
		return NULL;
	}
	struct icpu *c = &C;
	memset(c, 0, sizeof(*c));
	c->s = &st;
	tlb_init(&c->tlb, &pm, NULL);
	vm.pm = &pm; vm.mmio = &mmio; vm.lock = &lk; vc.vm = &vm;
	clock_init(&clk, CLOCK_MANUAL); apic_bus_init(&ab, NULL);
	vc.apic = lapic_new(&ab, &clk, 0); ab.ncpus = 1;
	return c;
}

static void rig_down(void)
{
	lapic_free(vc.apic);
	physmap_destroy(&pm);
	bus_destroy(&mmio);
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
	struct icpu *c = rig_up();
	if (!c)
		return;
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
		uint64_t wseed = rnd();
		for (int pass = 0; pass < 2; pass++) {
			st = st0;
			memcpy(pm.ram, mem0, sizeof(mem0));
			memset(c, 0, offsetof(struct icpu, tlb));
			c->s = &st; c->delivering = -1; c->v = &vc;
			icpu_mode_changed(c);
			tlb_flush_all(&c->tlb);
			c->lf_op = lop; c->lf_size = lsz; c->lf_a = la; c->lf_b = lb;
			c->lf_res = lres & size_mask(lsz); c->lf_carry_in = lcin;
			warm_tlb(c, &in, wseed);
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
	rig_down();
}

/* -- 64-bit code -- */

#define PT_BASE 0x80000u	/* PML4, PDPT, PD, PT: 4 pages */
#define HI_ALIAS 0xffffffff80000000ull	/* PML4 511, PDPT 510: the low 1M again */
#define HI_ALIAS2 0xffffff8000000000ull	/* PML4 511, PDPT 0 */

static const uint8_t ops64[] = {0x00,0x01,0x02,0x03,0x04,0x05,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x10,0x11,0x12,0x13,
 0x14,0x15,0x18,0x19,0x1a,0x1b,0x1c,0x1d,0x20,0x21,0x22,0x23,0x24,0x25,0x28,0x29,0x2a,0x2b,0x2c,0x2d,
 0x30,0x31,0x32,0x33,0x34,0x35,0x38,0x39,0x3a,0x3b,0x3c,0x3d,0x50,0x53,0x54,0x55,0x58,0x5b,0x5c,0x5d,
 0x63,0x63,0x68,0x69,0x6a,0x6b,0x70,0x72,0x74,0x75,0x76,0x77,0x78,0x7c,0x7d,0x7e,0x7f,
 0x80,0x81,0x83,0x84,0x85,0x86,0x87,0x88,0x89,0x8a,0x8b,0x8b,0x8b,0x89,0x89,0x8d,0x8d,0x8f,
 0x90,0x91,0x93,0x94,0x97,0xa0,0xa1,0xa2,0xa3,0xa8,0xa9,0xb0,0xb4,0xb8,0xbc,
 0xc0,0xc1,0xc2,0xc3,0xc6,0xc7,0xc9,0xd0,0xd1,0xd2,0xd3,0xe8,0xe9,0xeb,0xf6,0xf7,0xfe,0xff,0xff,0xff,
 0x0f,0x0f,0x0f,0x0f,0x0f};
static const uint8_t ops64_2[] = {0xb6,0xb7,0xbe,0xbf,0x80,0x84,0x85,0x8f,0x8c,0xaf,0xaf,
 0x40,0x42,0x43,0x44,0x45,0x46,0x47,0x48,0x4a,0x4c,0x4d,0x4e,0x4f,0x92,0x93,0x94,0x95,0x96,0x97,0x9c,0x9f,
 0xb0,0xb1,0xc0,0xc1,0x1f};

/* a register value: mostly a pointer into the window (low, or through the
 * high alias), with junk in the upper half, small, or anything */
static uint64_t reg64(void)
{
	uint64_t v = rnd(), w = WIN + 0x8000 + (rnd() % 0x8000);
	switch (rnd() % 8) {
	case 0: case 1: return w;
	case 2: return HI_ALIAS + w;
	case 3: return (v << 32) | w;
	case 4: return v % 64;
	case 5: return v;
	case 6: return HI_ALIAS2 + w;
	default: return (uint32_t)v;
	}
}

/* a linear address an operand or the stack may be made to land on */
static uint64_t target64(void)
{
	uint64_t off = rnd() % 0x20000;
	switch (rnd() % 16) {
	case 0: off = (rnd() % 0x20) * 0x1000 + 0xff8 + rnd() % 8;	/* page crossing */
		break;
	case 1: off &= ~7ull; break;
	case 2: return 0x00007ffffffffff8ull + rnd() % 16;	/* the canonical end */
	case 3: return 0xffff800000000000ull - 8 + rnd() % 16;	/* the other end */
	case 4: return 0x200000 + rnd() % 0x10000;		/* unmapped */
	case 5: return (rnd() & ~0xfffull) | (rnd() & 0xfff);	/* anything */
	default: break;
	}
	if (off >= 0x1fff8)
		off = 0x1fff0;
	return (rnd() % 3 ? 0 : rnd() % 2 ? HI_ALIAS : HI_ALIAS2) + WIN + off;
}

static void test_fast64_equals_generic(void)
{
	long n = 60000;
	struct icpu *c = rig_up();
	if (!c)
		return;
	long tested = 0, fails = 0, faults = 0, riprel = 0, rex = 0, wide = 0, narrow = 0, crossing = 0;
	for (long it = 0; it < n; it++) {
		uint8_t b[16];
		int k = 0;
		unsigned r = rnd();
		if (r % 6 == 0) b[k++] = 0x66;
		if (r % 32 == 1) b[k++] = 0x67;
		if (r % 8 == 2) b[k++] = 0x64 + rnd() % 2;		/* FS, GS */
		if (r % 16 == 3) b[k++] = 0x26 + 8 * (rnd() % 4);	/* ignored */
		if (r % 16 == 4) b[k++] = 0xf0;
		if (r % 32 == 5) b[k++] = rnd() % 2 ? 0xf3 : 0xf2;
		if (rnd() % 2) b[k++] = 0x40 | (rnd() & 15);
		uint8_t op = ops64[rnd() % sizeof(ops64)];
		b[k++] = op;
		if (op == 0x0f) b[k++] = ops64_2[rnd() % sizeof(ops64_2)];
		int at = k;
		while (k < 16) b[k++] = rnd();
		if (rnd() % 3 == 0)
			b[at] = (b[at] & 0x38) | 0x05;	/* ModRM: RIP-relative */
		struct insn in;
		if (decode(&in, b, 15, 64) != DECODE_OK) continue;
		insn_fn *ff = fast_bind(&in);
		if (!ff) continue;
		insn_fn *gf = interp_bind(in.op);
		bool mem = false;
		for (int q = 0; q < in.nopnd; q++)
			mem |= in.opnd[q].kind == OPK_MEM;
		/* state: long mode, 4-level paging of the low 1M and two
		 * high aliases of it */
		memset(&st0, 0, sizeof(st0));
		st0.cr0 = CR0_PE | CR0_ET | CR0_PG | (rnd() % 4 ? CR0_WP : 0);
		st0.cr4 = CR4_PAE;
		st0.cr3 = PT_BASE;
		st0.efer = EFER_LME | EFER_LMA | EFER_NXE;
		for (int sg = 0; sg < 6; sg++) {
			/* ignored in 64-bit mode but FS's and GS's base */
			st0.seg[sg].base = rnd() % 2 ? 0 : rnd();
			st0.seg[sg].limit = rnd() % 2 ? 0xffffffff : rnd() % 0x10000;
			st0.seg[sg].attr = rnd() % 8 ? 0x93 | SEG_ATTR_DB | SEG_ATTR_G : rnd() % 2 ? 0x91 : SEG_ATTR_UNUSABLE;
		}
		for (int sg = S_FS; sg <= S_GS; sg++)
			switch (rnd() % 4) {
			case 0: st0.seg[sg].base = 0; break;
			case 1: st0.seg[sg].base = rnd() % 0x1000; break;
			case 2: st0.seg[sg].base = HI_ALIAS + rnd() % 0x10000; break;
			default: st0.seg[sg].base = rnd(); break;
			}
		st0.seg[S_CS].attr = 0x9b | SEG_ATTR_L | SEG_ATTR_G;
		st0.seg[S_SS].attr = 0x93 | SEG_ATTR_DB | SEG_ATTR_G;
		bool user = rnd() % 4 == 0;
		if (user) { st0.seg[S_CS].attr |= 0x60; st0.seg[S_SS].attr |= 0x60; }
		for (int g = 0; g < 16; g++)
			st0.gpr[g] = reg64();
		switch (rnd() % 8) {
		case 0: st0.gpr[R_ESP] = target64(); break;
		case 1: st0.gpr[R_ESP] = HI_ALIAS + WIN + 0x10000 + (rnd() % 0x100) * 8; break;
		default: st0.gpr[R_ESP] = WIN + 0x10000 + (rnd() % 0x100) * (rnd() % 8 ? 8 : 1); break;
		}
		switch (rnd() % 8) {
		case 0: st0.rip = 0x00007fffffff0000ull + rnd() % 0x10000; break;	/* branches leave the canonical half */
		case 1: st0.rip = 0xffff800000000000ull + rnd() % 0x10000; break;
		case 2: case 3: st0.rip = HI_ALIAS + 0x1000000 + rnd() % 0x100000; break;
		default: st0.rip = 0x1000 + rnd() % 0x100; break;
		}
		st0.rflags = 2 | (rnd() & (FL_ARITH | FL_DF));
		if (rnd() % 16 == 0) { st0.rflags |= FL_AC; st0.cr0 |= CR0_AM; }
		/* aim the memory operand: seg base + base + index * scale + disp */
		if (mem && rnd() % 8) {
			uint64_t t = target64();
			if (in.opnd[0].kind == OPK_MEM && rnd() % 16 == 0)
				t = st0.gpr[R_ESP];	/* rSP-relative pushes and the like */
			uint64_t off = t - (in.seg >= S_FS ? st0.seg[in.seg].base : 0);
			uint64_t sum = 0;
			if (in.base == REG_RIP)
				sum = st0.rip + in.len;
			else if (in.base != REG_NONE)
				sum = st0.gpr[in.base];
			if (in.index != REG_NONE)
				sum += st0.gpr[in.index] << in.scale;
			int64_t d = (int64_t)(off - sum);
			if (d == (int32_t)d)
				in.disp = (int32_t)d;
			else if (in.base != REG_NONE && in.base != REG_RIP && in.base != in.index)
				st0.gpr[in.base] += (uint64_t)(d - in.disp);
		}
		/* branch displacements: sometimes right at the canonical edge */
		if (in.opnd[0].kind == OPK_REL && rnd() % 2) {
			uint64_t edge = st0.rip >> 47 ? 0xffff800000000000ull : 0x0000800000000000ull;
			in.imm = (uint64_t)(int64_t)(int32_t)(edge - (st0.rip + in.len) - 8 + rnd() % 16);
		}
		/* memory: random, and canonical pointers for RET and friends */
		for (unsigned q = WIN; q < WIN + 0x20000; q += 8) {
			uint64_t v = rnd();
			if (rnd() % 2)
				v = rnd() % 2 ? (v % 0x100000) : HI_ALIAS + (v % 0x100000);
			memcpy(mem0 + q, &v, 8);
		}
		for (unsigned q = 0; q < 0x1000; q += 8) { uint64_t v = rnd(); memcpy(mem0 + q, &v, 8); }
		/* the page tables: the low 1M, some window pages read-only,
		 * supervisor-only or absent */
		uint64_t *pt = (uint64_t *)(mem0 + PT_BASE);
		memset(pt, 0, 0x4000);
		pt[0] = pt[511] = (PT_BASE + 0x1000) | 7;
		pt[512 + 0] = pt[512 + 510] = (PT_BASE + 0x2000) | 7;
		pt[1024 + 0] = (PT_BASE + 0x3000) | 7;
		for (unsigned p = 0; p < RAM / 0x1000; p++) {
			uint64_t e = ((uint64_t)p << 12) | 7;
			if (p >= WIN / 0x1000 && p < (WIN + 0x20000) / 0x1000)
				switch (rnd() % 24) {
				case 0: e &= ~2ull; break;
				case 1: e &= ~4ull; break;
				case 2: e = 0; break;
				default: break;
				}
			pt[1536 + p] = e;
		}
		/* lazy flag state */
		uint8_t lop = rnd() % 8; unsigned lsz = 1u << (rnd() % 4);
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
		uint64_t res[2][20]; static uint8_t memr[2][0x25000]; int vec[2]; uint64_t fl[2];
		uint64_t ea0 = 0;
		uint64_t wseed = rnd();
		for (int pass = 0; pass < 2; pass++) {
			st = st0;
			memcpy(pm.ram, mem0, sizeof(mem0));
			memset(c, 0, offsetof(struct icpu, tlb));
			c->s = &st; c->delivering = -1; c->v = &vc;
			icpu_mode_changed(c);
			tlb_flush_all(&c->tlb);
			CHECK(c->code_size == 64);
			c->lf_op = lop; c->lf_size = lsz; c->lf_a = la; c->lf_b = lb;
			c->lf_res = lres & size_mask(lsz); c->lf_carry_in = lcin;
			c->next_rip = st.rip + in.len;
			if (mem) ea0 = insn_ea(c, &in);
			warm_tlb(c, &in, wseed);
			runone(c, pass ? ff : gf, &in, &fl[pass], &vec[pass]);
			for (int g = 0; g < 16; g++) res[pass][g] = st.gpr[g];
			res[pass][16] = st.rip; res[pass][17] = st.cr2;
			memcpy(memr[pass], pm.ram + WIN, 0x20000);
			memcpy(memr[pass] + 0x20000, pm.ram, 0x1000);
			memcpy(memr[pass] + 0x21000, pm.ram + PT_BASE, 0x4000);
		}
		tested++;
		if (vec[0] >= 0) faults++;
		if (mem && in.base == REG_RIP) riprel++;
		if (in.rex) rex++;
		if (in.opnd[0].size == 8) wide++;
		if (in.prefixes & PFX_OPSIZE) narrow++;
		if (mem && ((ea0 + (in.seg >= S_FS ? st0.seg[in.seg].base : 0)) & 0xfff) > 0xff8) crossing++;
		bool bad = vec[0] != vec[1] || memcmp(res[0], res[1], 18 * 8) ||
			   memcmp(memr[0], memr[1], sizeof(memr[0])) || (vec[0] < 0 && fl[0] != fl[1]);
		if (bad) {
			if (fails++ < 20) {
				printf("MISMATCH64 %s bytes", insn_op_name[in.op]);
				for (int q = 0; q < in.len; q++) printf(" %02x", b[q]);
				printf(" disp %x vec %d/%d fl %llx/%llx lop %d\n", (unsigned)in.disp, vec[0], vec[1],
				       (unsigned long long)fl[0], (unsigned long long)fl[1], lop);
				printf("  rip %llx ea %llx seg %d\n", (unsigned long long)st0.rip,
				       (unsigned long long)ea0, in.seg);
				for (int g = 0; g < 18; g++) if (res[0][g] != res[1][g]) printf("  r%d %llx %llx\n", g, (unsigned long long)res[0][g], (unsigned long long)res[1][g]);
				if (memcmp(memr[0], memr[1], sizeof(memr[0])))
					printf("  memory differs\n");
			}
		}
	}
	printf("  %ld instructions with a fast handler, %ld faulting, %ld RIP-relative, %ld with REX, "
	       "%ld 8-byte, %ld 66-prefixed, %ld near a page end; %ld mismatches\n",
	       tested, faults, riprel, rex, wide, narrow, crossing, fails);
	CHECK(tested > 20000);
	CHECK(faults > 1000);
	CHECK(riprel > 1000);
	CHECK(wide > 2000);
	CHECK(narrow > 500);
	CHECK(crossing > 100);
	CHECK_EQ(fails, 0);
	rig_down();
}

int main(void)
{
	CHECK_SUITE("unit/fastpath");
	RUN(test_fast_equals_generic);
	RUN(test_fast64_equals_generic);
	return CHECK_EXIT();
}
