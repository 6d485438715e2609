/* Unit tests for GDB's view of the registers: both layouts against
 * struct cpu_state, and each target.xml as GDB itself numbers it. */
// SPDX-License-Identifier: MIT
#include "ui/gdbregs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>	/* access, close, unlink */
#include "testsuite/unit/check.h"

#ifndef GDB_PATH
#define GDB_PATH "/usr/bin/gdb"
#endif

static const enum gdb_arch archs[] = { GDB_ARCH_I386, GDB_ARCH_X86_64 };

/* register number of a name in a layout, or -1 */
static int reg_num(enum gdb_arch a, const char *name)
{
	for (int n = 0; n < gdbregs_count(a); n++)
		if (!strcmp(gdbregs_name(a, n), name))
			return n;
	return -1;
}

static size_t total_size(enum gdb_arch a)
{
	size_t t = 0;
	for (int n = 0; n < gdbregs_count(a); n++)
		t += gdbregs_size(a, n);
	return t;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* read a scalar register by name; all ones if there is none */
static uint64_t rd(enum gdb_arch a, const struct cpu_state *s, const char *name)
{
	uint8_t buf[16];
	int n = reg_num(a, name);
	unsigned sz = n < 0 ? 0 : gdbregs_read(a, s, n, buf);
	return sz && sz <= 8 ? le(buf, sz) : ~UINT64_C(0);
}

/* write a scalar register by name, at its size: the write's result */
static int wr(enum gdb_arch a, struct cpu_state *s, const char *name, uint64_t v)
{
	uint8_t buf[16];
	int n = reg_num(a, name);
	if (n < 0)
		return -2;
	put_le(buf, v, gdbregs_size(a, n));
	return gdbregs_write(a, s, n, buf);
}

/* a state with a recognisable byte in every field */
static void fill(struct cpu_state *s, uint8_t seed)
{
	uint8_t *p = (uint8_t *)s;
	for (size_t i = 0; i < sizeof(*s); i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_counts_and_sizes(void)
{
	static const struct { enum gdb_arch a; int n; const char *name; unsigned size; } want[] = {
		{ GDB_ARCH_I386, 0, "eax", 4 }, { GDB_ARCH_I386, 4, "esp", 4 },
		{ GDB_ARCH_I386, 8, "eip", 4 }, { GDB_ARCH_I386, 9, "eflags", 4 },
		{ GDB_ARCH_I386, 10, "cs", 4 }, { GDB_ARCH_I386, 16, "st0", 10 },
		{ GDB_ARCH_I386, 24, "fctrl", 4 }, { GDB_ARCH_I386, 26, "ftag", 4 },
		{ GDB_ARCH_I386, 31, "fop", 4 }, { GDB_ARCH_I386, 32, "xmm0", 16 },
		{ GDB_ARCH_I386, 40, "mxcsr", 4 }, { GDB_ARCH_I386, 41, "fs_base", 4 },
		{ GDB_ARCH_I386, 43, "cr0", 8 }, { GDB_ARCH_I386, 65, "tr", 8 },
		{ GDB_ARCH_X86_64, 0, "rax", 8 }, { GDB_ARCH_X86_64, 1, "rbx", 8 },
		{ GDB_ARCH_X86_64, 7, "rsp", 8 }, { GDB_ARCH_X86_64, 16, "rip", 8 },
		{ GDB_ARCH_X86_64, 17, "eflags", 4 }, { GDB_ARCH_X86_64, 24, "st0", 10 },
		{ GDB_ARCH_X86_64, 40, "xmm0", 16 }, { GDB_ARCH_X86_64, 55, "xmm15", 16 },
		{ GDB_ARCH_X86_64, 56, "mxcsr", 4 }, { GDB_ARCH_X86_64, 57, "fs_base", 8 },
		{ GDB_ARCH_X86_64, 59, "cr0", 8 }, { GDB_ARCH_X86_64, 71, "k_gs_base", 8 },
		{ GDB_ARCH_X86_64, 81, "tr", 8 },
	};

	CHECK_EQ(gdbregs_count(GDB_ARCH_I386), 66);
	CHECK_EQ(gdbregs_count(GDB_ARCH_X86_64), 82);
	CHECK_EQ(total_size(GDB_ARCH_I386), 500);
	CHECK_EQ(total_size(GDB_ARCH_X86_64), 736);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *name = gdbregs_name(want[i].a, want[i].n);
		CHECK(name && !strcmp(name, want[i].name));
		CHECK_EQ(gdbregs_size(want[i].a, want[i].n), want[i].size);
	}
	for (size_t i = 0; i < 2; i++) {
		enum gdb_arch a = archs[i];
		struct cpu_state s;
		uint8_t buf[16];
		int n = gdbregs_count(a);
		memset(&s, 0, sizeof(s));
		CHECK(gdbregs_name(a, n) == NULL);
		CHECK(gdbregs_name(a, -1) == NULL);
		CHECK_EQ(gdbregs_size(a, n), 0);
		CHECK_EQ(gdbregs_read(a, &s, n, buf), 0);
		CHECK_EQ(gdbregs_write(a, &s, n, buf), -1);
		CHECK_EQ(gdbregs_write(a, &s, -1, buf), -1);
		for (int k = 0; k < n; k++)
			CHECK(gdbregs_size(a, k) > 0 && gdbregs_size(a, k) <= 16);
	}
}

static void test_gprs_and_rip(void)
{
	static const char *const r64[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp" };
	static const int idx64[] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP };
	static const char *const r32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
	struct cpu_state s;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 8; i++) {
		uint64_t v = 0x1111111111111111ull * (uint64_t)(i + 1) + 0x0123456789abcdefull;
		CHECK_EQ(wr(GDB_ARCH_X86_64, &s, r64[i], v), 0);
		CHECK_EQ(s.gpr[idx64[i]], v);
		CHECK_EQ(rd(GDB_ARCH_X86_64, &s, r64[i]), v);
	}
	for (int i = 8; i < 16; i++) {
		char name[16];
		snprintf(name, sizeof(name), "r%d", i);
		CHECK_EQ(wr(GDB_ARCH_X86_64, &s, name, 0xfedcba9800000000ull | (unsigned)i), 0);
		CHECK_EQ(s.gpr[R_R8 + i - 8], 0xfedcba9800000000ull | (unsigned)i);
		CHECK_EQ(rd(GDB_ARCH_X86_64, &s, name), 0xfedcba9800000000ull | (unsigned)i);
	}
	CHECK_EQ(wr(GDB_ARCH_X86_64, &s, "rip", 0xffffffff81000000ull), 0);
	CHECK_EQ(s.rip, 0xffffffff81000000ull);
	CHECK_EQ(rd(GDB_ARCH_X86_64, &s, "rip"), 0xffffffff81000000ull);

	/* i386: GPRs in hardware order, each the low half of its field */
	for (int i = 0; i < 8; i++) {
		s.gpr[i] = 0xa5a5a5a500000000ull | (unsigned)(i * 0x01010101);
		CHECK_EQ(rd(GDB_ARCH_I386, &s, r32[i]), (unsigned)(i * 0x01010101));
		CHECK_EQ(wr(GDB_ARCH_I386, &s, r32[i], 0xdead0000u + (unsigned)i), 0);
		CHECK_EQ(s.gpr[i], 0xa5a5a5a5dead0000ull + (unsigned)i);
	}
	s.rip = 0x1122334455667788ull;
	CHECK_EQ(rd(GDB_ARCH_I386, &s, "eip"), 0x55667788);
	CHECK_EQ(wr(GDB_ARCH_I386, &s, "eip", 0x7c00), 0);
	CHECK_EQ(s.rip, 0x1122334400007c00ull);
	CHECK_EQ(reg_num(GDB_ARCH_I386, "r8"), -1);
}

static void test_eflags(void)
{
	for (size_t i = 0; i < 2; i++) {
		struct cpu_state s;
		memset(&s, 0, sizeof(s));
		s.rflags = 0xffffffff00000002ull;	/* bits GDB cannot see stay */
		CHECK_EQ(rd(archs[i], &s, "eflags"), 2);
		CHECK_EQ(wr(archs[i], &s, "eflags", FL_FIXED | FL_IF | FL_ZF | FL_ID), 0);
		CHECK_EQ(s.rflags, 0xffffffff00000000ull | FL_FIXED | FL_IF | FL_ZF | FL_ID);
		CHECK_EQ(rd(archs[i], &s, "eflags"), FL_FIXED | FL_IF | FL_ZF | FL_ID);
	}
}

static void test_selectors(void)
{
	static const char *const names[] = { "es", "cs", "ss", "ds", "fs", "gs" };
	static const enum cpu_seg segs[] = { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS };

	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		struct cpu_state s;
		memset(&s, 0, sizeof(s));
		for (int i = 0; i < 6; i++) {
			/* real mode: the base follows */
			s.cr0 = 0;
			s.rflags = FL_FIXED;
			s.seg[segs[i]].base = 0x5555;
			CHECK_EQ(wr(a, &s, names[i], 0x1234 + i), 0);
			CHECK_EQ(s.seg[segs[i]].selector, 0x1234 + i);
			CHECK_EQ(s.seg[segs[i]].base, (0x1234u + i) << 4);
			CHECK_EQ(rd(a, &s, names[i]), 0x1234 + i);
			/* protected mode: only the selector */
			s.cr0 = CR0_PE;
			s.seg[segs[i]].base = 0xdead0000;
			CHECK_EQ(wr(a, &s, names[i], 0x10 + 8 * i), 0);
			CHECK_EQ(s.seg[segs[i]].selector, 0x10 + 8 * i);
			CHECK_EQ(s.seg[segs[i]].base, 0xdead0000);
			/* v86: the base follows again */
			s.rflags = FL_FIXED | FL_VM;
			CHECK_EQ(wr(a, &s, names[i], 0xb800), 0);
			CHECK_EQ(s.seg[segs[i]].base, 0xb8000);
		}
		/* the selector register is 32 bits wide; the rest is ignored */
		s.cr0 = CR0_PE;
		s.rflags = FL_FIXED;
		CHECK_EQ(wr(a, &s, "ds", 0xabcd0018), 0);
		CHECK_EQ(s.seg[S_DS].selector, 0x18);
		CHECK_EQ(rd(a, &s, "ds"), 0x18);
	}
}

static void test_segment_bases(void)
{
	struct cpu_state s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ(wr(GDB_ARCH_X86_64, &s, "fs_base", 0x00007f0012345678ull), 0);
	CHECK_EQ(wr(GDB_ARCH_X86_64, &s, "gs_base", 0xffff888000000000ull), 0);
	CHECK_EQ(s.seg[S_FS].base, 0x00007f0012345678ull);
	CHECK_EQ(s.seg[S_GS].base, 0xffff888000000000ull);
	CHECK_EQ(rd(GDB_ARCH_X86_64, &s, "gs_base"), 0xffff888000000000ull);
	/* i386: the low half */
	CHECK_EQ(rd(GDB_ARCH_I386, &s, "fs_base"), 0x12345678);
	CHECK_EQ(wr(GDB_ARCH_I386, &s, "gs_base", 0xc0001000), 0);
	CHECK_EQ(s.seg[S_GS].base, 0xffff8880c0001000ull);
	/* the sys feature's bases are whole in both */
	static const char *const names[] = { "es_base", "cs_base", "ss_base", "ds_base" };
	static const enum cpu_seg segs[] = { S_ES, S_CS, S_SS, S_DS };
	for (size_t ai = 0; ai < 2; ai++)
		for (int i = 0; i < 4; i++) {
			uint64_t v = 0x8000000000001000ull + (uint64_t)i + ai * 0x100;
			CHECK_EQ(wr(archs[ai], &s, names[i], v), 0);
			CHECK_EQ(s.seg[segs[i]].base, v);
			CHECK_EQ(rd(archs[ai], &s, names[i]), v);
		}
}

static void test_system_registers(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		struct cpu_state s;
		memset(&s, 0, sizeof(s));
		static const struct { const char *name; size_t off; } f64[] = {
			{ "cr0", offsetof(struct cpu_state, cr0) },
			{ "cr2", offsetof(struct cpu_state, cr2) },
			{ "cr3", offsetof(struct cpu_state, cr3) },
			{ "cr4", offsetof(struct cpu_state, cr4) },
			{ "cr8", offsetof(struct cpu_state, cr8) },
			{ "efer", offsetof(struct cpu_state, efer) },
			{ "dr0", offsetof(struct cpu_state, dr[0]) },
			{ "dr1", offsetof(struct cpu_state, dr[1]) },
			{ "dr2", offsetof(struct cpu_state, dr[2]) },
			{ "dr3", offsetof(struct cpu_state, dr[3]) },
			{ "dr6", offsetof(struct cpu_state, dr[6]) },
			{ "dr7", offsetof(struct cpu_state, dr[7]) },
			{ "k_gs_base", offsetof(struct cpu_state, msr.kernel_gs_base) },
			{ "gdtr_base", offsetof(struct cpu_state, gdt.base) },
			{ "idtr_base", offsetof(struct cpu_state, idt.base) },
		};
		for (size_t i = 0; i < sizeof(f64) / sizeof(f64[0]); i++) {
			uint64_t v = 0xf00dface00000000ull + i * 0x1001, got;
			CHECK_EQ(gdbregs_size(a, reg_num(a, f64[i].name)), 8);
			CHECK_EQ(wr(a, &s, f64[i].name, v), 0);
			memcpy(&got, (uint8_t *)&s + f64[i].off, 8);
			CHECK_EQ(got, v);
			CHECK_EQ(rd(a, &s, f64[i].name), v);
		}
		CHECK_EQ(wr(a, &s, "gdtr_limit", 0x10027), 0);
		CHECK_EQ(s.gdt.limit, 0x0027);
		CHECK_EQ(wr(a, &s, "idtr_limit", 0x7ff), 0);
		CHECK_EQ(s.idt.limit, 0x7ff);
		CHECK_EQ(rd(a, &s, "idtr_limit"), 0x7ff);
		CHECK_EQ(wr(a, &s, "ldtr", 0x28), 0);
		CHECK_EQ(wr(a, &s, "tr", 0x30), 0);
		CHECK_EQ(s.ldt.selector, 0x28);
		CHECK_EQ(s.tr.selector, 0x30);
		CHECK_EQ(rd(a, &s, "tr"), 0x30);
		/* CR0 with PG and a high EFER bit: no truncation to 32 bits */
		CHECK_EQ(wr(a, &s, "efer", EFER_LME | EFER_LMA | EFER_NXE), 0);
		CHECK_EQ(s.efer, EFER_LME | EFER_LMA | EFER_NXE);
	}
}

/* the 80-bit value sign/exponent/mantissa into 10 bytes */
static void x87_put(uint8_t *p, unsigned sexp, uint64_t mant)
{
	put_le(p, mant, 8);
	put_le(p + 8, sexp, 2);
}

static void test_x87(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		struct cpu_state s;
		uint8_t buf[16];
		memset(&s, 0, sizeof(s));

		/* st(i) in stack order from the image */
		int st0 = reg_num(a, "st0");
		CHECK(st0 > 0);
		for (int i = 0; i < 8; i++)
			x87_put(s.fxsave + 32 + 16 * i, 0x4000 + (unsigned)i, 0xc000000000000000ull | (unsigned)i);
		for (int i = 0; i < 8; i++) {
			CHECK_EQ(gdbregs_read(a, &s, st0 + i, buf), 10);
			CHECK(!memcmp(buf, s.fxsave + 32 + 16 * i, 10));
		}
		for (int i = 0; i < 10; i++)
			buf[i] = (uint8_t)(0x90 + i);
		s.fxsave[32 + 16 * 3 + 10] = 0x77;	/* the pad after st3 */
		CHECK_EQ(gdbregs_write(a, &s, st0 + 3, buf), 0);
		CHECK(!memcmp(s.fxsave + 32 + 16 * 3, buf, 10));
		CHECK_EQ(s.fxsave[32 + 16 * 3 + 10], 0x77);

		/* control words at their FXSAVE offsets */
		CHECK_EQ(wr(a, &s, "fctrl", 0x037f), 0);
		CHECK_EQ(le(s.fxsave + 0, 2), 0x037f);
		CHECK_EQ(rd(a, &s, "fctrl"), 0x037f);
		CHECK_EQ(wr(a, &s, "fstat", 0x3800), 0);
		CHECK_EQ(le(s.fxsave + 2, 2), 0x3800);
		CHECK_EQ(wr(a, &s, "fop", 0xffff), 0);
		CHECK_EQ(le(s.fxsave + 6, 2), 0x7ff);
		CHECK_EQ(rd(a, &s, "fop"), 0x7ff);
		CHECK_EQ(wr(a, &s, "fioff", 0x12345678), 0);
		CHECK_EQ(le(s.fxsave + 8, 4), 0x12345678);
		CHECK_EQ(wr(a, &s, "fiseg", 0x0008), 0);
		CHECK_EQ(le(s.fxsave + 12, 2), 0x0008);
		CHECK_EQ(wr(a, &s, "fooff", 0x9abcdef0), 0);
		CHECK_EQ(le(s.fxsave + 16, 4), 0x9abcdef0);
		CHECK_EQ(wr(a, &s, "foseg", 0x0010), 0);
		CHECK_EQ(le(s.fxsave + 20, 2), 0x0010);
		CHECK_EQ(rd(a, &s, "fiseg"), 8);
		CHECK_EQ(rd(a, &s, "fooff"), 0x9abcdef0);
		CHECK_EQ(rd(a, &s, "foseg"), 0x10);
	}
}

/* TOP=6: st0 is physical 6, st1 physical 7, st2 physical 0, st3
 * physical 1. st0 and st2 hold normal numbers, st1 zero, st3 infinity;
 * the others are empty though their slots hold junk. */
static void ftag_image(struct cpu_state *s)
{
	memset(s, 0, sizeof(*s));
	put_le(s->fxsave + 2, 6u << 11, 2);
	for (int i = 0; i < 8; i++)
		x87_put(s->fxsave + 32 + 16 * i, 0x7fff, 0x1234);	/* junk */
	x87_put(s->fxsave + 32 + 16 * 0, 0x3fff, 0x8000000000000000ull);	/* 1.0 */
	x87_put(s->fxsave + 32 + 16 * 1, 0x8000, 0);				/* -0.0 */
	x87_put(s->fxsave + 32 + 16 * 2, 0x4000, 0x8000000000000000ull);	/* 2.0 */
	x87_put(s->fxsave + 32 + 16 * 3, 0x7fff, 0x8000000000000000ull);	/* inf */
	s->fxsave[4] = 0xc3;		/* physical 0, 1, 6, 7 */
}

static void test_ftag(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		struct cpu_state s;

		ftag_image(&s);
		/* phys 0 valid 00, 1 special 10, 2-5 empty, 6 valid, 7 zero 01 */
		CHECK_EQ(rd(a, &s, "ftag"), 0x4ff8);

		/* denormal, unnormal and pseudo-denormal are special; a NaN too */
		s.fxsave[4] = 0x01;
		x87_put(s.fxsave + 32 + 16 * 2, 0x0000, 0x0000000000000001ull);
		CHECK_EQ(rd(a, &s, "ftag") & 3, 2);
		x87_put(s.fxsave + 32 + 16 * 2, 0x3fff, 0x4000000000000000ull);
		CHECK_EQ(rd(a, &s, "ftag") & 3, 2);
		x87_put(s.fxsave + 32 + 16 * 2, 0x0000, 0x8000000000000000ull);
		CHECK_EQ(rd(a, &s, "ftag") & 3, 2);
		x87_put(s.fxsave + 32 + 16 * 2, 0xffff, 0xc000000000000000ull);
		CHECK_EQ(rd(a, &s, "ftag") & 3, 2);
		CHECK_EQ(rd(a, &s, "ftag"), 0xfffe);

		/* writing converts back to the abridged form */
		CHECK_EQ(wr(a, &s, "ftag", 0xffff), 0);
		CHECK_EQ(s.fxsave[4], 0x00);
		CHECK_EQ(wr(a, &s, "ftag", 0x4ff8), 0);
		CHECK_EQ(s.fxsave[4], 0xc3);
		CHECK_EQ(wr(a, &s, "ftag", 0x0000), 0);
		CHECK_EQ(s.fxsave[4], 0xff);
		CHECK_EQ(wr(a, &s, "ftag", 0xbfff), 0);	/* only physical 7, special */
		CHECK_EQ(s.fxsave[4], 0x80);
		/* FTW's reserved byte is not the tag's */
		CHECK_EQ(s.fxsave[5], 0);

		/* the round trip through GDB's form keeps the image's tag */
		ftag_image(&s);
		uint64_t full = rd(a, &s, "ftag");
		s.fxsave[4] = 0;
		CHECK_EQ(wr(a, &s, "ftag", full), 0);
		CHECK_EQ(s.fxsave[4], 0xc3);
	}
}

static void test_sse(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		int nxmm = a == GDB_ARCH_X86_64 ? 16 : 8;
		struct cpu_state s;
		uint8_t buf[16], got[16];
		memset(&s, 0, sizeof(s));

		int x0 = reg_num(a, "xmm0");
		CHECK_EQ(x0, a == GDB_ARCH_X86_64 ? 40 : 32);
		for (int i = 0; i < nxmm; i++) {
			for (int k = 0; k < 16; k++)
				buf[k] = (uint8_t)(i * 16 + k + 1);
			CHECK_EQ(gdbregs_write(a, &s, x0 + i, buf), 0);
			CHECK(!memcmp(s.fxsave + 160 + 16 * i, buf, 16));
			CHECK_EQ(gdbregs_read(a, &s, x0 + i, got), 16);
			CHECK(!memcmp(got, buf, 16));
		}
		CHECK_EQ(reg_num(a, "xmm8"), a == GDB_ARCH_X86_64 ? 48 : -1);
		CHECK_EQ(wr(a, &s, "mxcsr", 0x1f80), 0);
		CHECK_EQ(le(s.fxsave + 24, 4), 0x1f80);
		CHECK_EQ(rd(a, &s, "mxcsr"), 0x1f80);
	}
}

static void test_read_write_all(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		size_t total = total_size(a);
		static struct cpu_state s, t;
		uint8_t buf[1024], again[1024];

		fill(&s, 0x31);
		s.cr0 = CR0_PE;		/* no base follows a selector below */
		s.rflags = FL_FIXED;
		CHECK_EQ(gdbregs_read_all(a, &s, buf, total - 1), 0);
		CHECK_EQ(gdbregs_read_all(a, &s, buf, sizeof(buf)), total);
		CHECK_EQ(gdbregs_read_all(a, &s, buf, total), total);

		/* each register where the packet has it */
		size_t off = 0;
		for (int n = 0; n < gdbregs_count(a); n++) {
			uint8_t one[16];
			unsigned sz = gdbregs_read(a, &s, n, one);
			CHECK(!memcmp(buf + off, one, sz));
			off += sz;
		}

		/* what G writes reads back the same */
		memset(&t, 0, sizeof(t));
		CHECK_EQ(gdbregs_write_all(a, &t, buf, total), 0);
		CHECK_EQ(gdbregs_read_all(a, &t, again, sizeof(again)), total);
		CHECK(!memcmp(buf, again, total));

		/* a packet that ends inside a register changes nothing */
		memset(&t, 0, sizeof(t));
		CHECK_EQ(gdbregs_write_all(a, &t, buf, total - 1), -1);
		CHECK_EQ(gdbregs_write_all(a, &t, buf, total + 1), -1);
		unsigned first = gdbregs_size(a, 0);
		CHECK_EQ(gdbregs_write_all(a, &t, buf, first + 2), -1);
		CHECK_EQ(t.gpr[R_EAX], 0);
		/* a shorter one writes the registers it covers */
		CHECK_EQ(gdbregs_write_all(a, &t, buf, 2 * first), 0);
		CHECK_EQ(t.gpr[R_EAX], le(buf, first));
		CHECK_EQ(t.gpr[a == GDB_ARCH_X86_64 ? R_EBX : R_ECX], le(buf + first, first));
		CHECK_EQ(t.gpr[R_EDX], 0);
		CHECK_EQ(gdbregs_write_all(a, &t, buf, 0), 0);
	}
}

static void test_xml_text(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		const char *x = gdbregs_target_xml(a);
		CHECK(x == gdbregs_target_xml(a));	/* static */
		static const char head[] = "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>";
		CHECK(!strncmp(x, head, sizeof(head) - 1));
		CHECK(strstr(x, a == GDB_ARCH_X86_64 ? "<architecture>i386:x86-64</architecture>"
						     : "<architecture>i386</architecture>"));
		CHECK(strstr(x, "<feature name=\"org.gnu.gdb.i386.core\">"));
		CHECK(strstr(x, "<feature name=\"org.gnu.gdb.i386.sse\">"));
		CHECK(strstr(x, "<feature name=\"org.trivisor.x86.sys\">"));
		/* GDB 13 crashes on it in plain i386 (see ui/gdbregs.c) */
		CHECK((strstr(x, "org.gnu.gdb.i386.segments") == NULL) == (a == GDB_ARCH_I386));
		CHECK(strstr(x, "<flags id=\"i386_eflags\" size=\"4\">"));
		CHECK(strstr(x, "<union id=\"vec128\">"));
		CHECK(strstr(x, "type=\"i387_ext\""));
		size_t len = strlen(x);
		CHECK(len > 10 && !strcmp(x + len - 9, "</target>"));
		/* every register is named once */
		for (int n = 0; n < gdbregs_count(a); n++) {
			char pat[64];
			snprintf(pat, sizeof(pat), "<reg name=\"%s\" ", gdbregs_name(a, n));
			const char *p = strstr(x, pat);
			CHECK(p && !strstr(p + 1, pat));
		}
	}
}

/* ---- GDB's own reading of target.xml */

struct gdb_reg {
	char name[32];
	int nr;
	unsigned size;
	unsigned long offset;
};

/* Runs GDB on the layout's XML and keeps the raw registers as the remote
 * protocol numbers them ("maint print remote-registers": the Rmt Nr and
 * g/G Offset columns; pseudo registers have neither). Returns how many,
 * -1 if GDB could not be run; *clean is 0 if GDB said more than its table. */
static int gdb_registers(enum gdb_arch a, struct gdb_reg *out, int max, int *clean)
{
	char path[] = "/tmp/trivisor-gdbregs-XXXXXX";
	*clean = 0;
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	const char *x = gdbregs_target_xml(a);
	size_t len = strlen(x);
	ssize_t w = write(fd, x, len);
	close(fd);
	if (w != (ssize_t)len) {
		unlink(path);
		return -1;
	}

	char cmd[512];
	/* an XML that trips one of GDB's assertions must fail the test, not
	 * leave a core file behind */
	snprintf(cmd, sizeof(cmd), GDB_PATH " -nx -batch "
		 "-iex 'maint set internal-error corefile no' "
		 "-iex 'maint set internal-error quit yes' -ex 'set architecture %s' "
		 "-ex 'set tdesc filename %s' -ex 'maint print remote-registers' 2>&1",
		 a == GDB_ARCH_X86_64 ? "i386:x86-64" : "i386", path);
	FILE *p = popen(cmd, "r");
	if (!p) {
		unlink(path);
		return -1;
	}
	char line[256];
	int n = 0;
	*clean = 1;
	while (fgets(line, sizeof(line), p)) {
		struct gdb_reg r;
		char type[64];
		int gnr, rel, rnr;
		unsigned long goff, roff;
		int got = sscanf(line, " %31s %d %d %lu %u %63s %d %lu", r.name, &gnr, &rel,
				 &goff, &r.size, type, &rnr, &roff);
		if (got == 8) {
			r.nr = rnr;
			r.offset = roff;
			if (n < max)
				out[n] = r;
			n++;
		} else if (got != 6 && strncmp(line, " Name ", 6) &&
			   strncmp(line, "The target architecture is set", 30) &&
			   strncmp(line, "*1: Register type's name NULL", 29)) {
			/* not a row of the table (6 columns: a pseudo or
			 * unused register), nor its header or footnote */
			printf("  gdb: %s", line);
			*clean = 0;
		}
	}
	int rc = pclose(p);
	unlink(path);
	if (rc != 0) {
		printf("  gdb exited with status %d\n", rc);
		*clean = 0;
	}
	return n;
}

static void test_gdb_agrees(void)
{
	for (size_t ai = 0; ai < 2; ai++) {
		enum gdb_arch a = archs[ai];
		struct gdb_reg regs[128];
		int clean;
		int n = gdb_registers(a, regs, 128, &clean);
		CHECK(clean);
		CHECK_EQ(n, gdbregs_count(a));
		if (n != gdbregs_count(a))
			continue;
		/* the order GDB sends them in is the remote number's */
		unsigned long off = 0;
		for (int k = 0; k < n; k++) {
			const struct gdb_reg *r = NULL;
			for (int j = 0; j < n; j++)
				if (regs[j].nr == k)
					r = &regs[j];
			CHECK(r != NULL);
			if (!r)
				continue;
			if (strcmp(r->name, gdbregs_name(a, k)))
				printf("  register %d: gdb says %s, we say %s\n", k, r->name, gdbregs_name(a, k));
			CHECK(!strcmp(r->name, gdbregs_name(a, k)));
			CHECK_EQ(r->size, gdbregs_size(a, k));
			CHECK_EQ(r->offset, off);
			off += gdbregs_size(a, k);
		}
		CHECK_EQ(off, total_size(a));
	}
}

int main(void)
{
	CHECK_SUITE("unit");
	RUN(test_counts_and_sizes);
	RUN(test_gprs_and_rip);
	RUN(test_eflags);
	RUN(test_selectors);
	RUN(test_segment_bases);
	RUN(test_system_registers);
	RUN(test_x87);
	RUN(test_ftag);
	RUN(test_sse);
	RUN(test_read_write_all);
	RUN(test_xml_text);
	if (access(GDB_PATH, X_OK) == 0)
		RUN(test_gdb_agrees);
	else
		printf("SKIP unit: gdbregs-vs-gdb: no gdb\n");
	return CHECK_EXIT();
}
