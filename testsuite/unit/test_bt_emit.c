/* The translator's host code emitter (cpu/bt/emit.h), checked against
 * capstone: every emitter function is run over all 16 registers, every
 * operand size and a spread of memory operands (every base including the
 * rsp/r12 SIB and rbp/r13 disp8 cases, every index and scale, disp 0/8/32,
 * absolute), and the output must disassemble to exactly one instruction of
 * the expected text that uses every emitted byte. Lengths are also compared
 * with the minimal encoding (no stray REX, disp8 when it fits). Control flow
 * is emitted with a nonzero exec_delta and disassembled at the executable
 * address. Without capstone (the makefile defines BT_EMIT_CAPSTONE when its
 * headers exist) the test reports SKIP. */
// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/bt/emit.h"
#include "testsuite/unit/check.h"

#ifndef BT_EMIT_CAPSTONE
int main(void)
{
	printf("SKIP bt_emit: capstone not installed\n");
	return 0;
}
#else
#include <capstone/capstone.h>

static csh cs;
static uint8_t buf[64];
static struct emit E;
static int reported;	/* mismatches printed, capped so a bug does not flood */

/* code in buf runs (pretend) at EXEC: far from buf, so exec_delta matters */
#define EXEC 0x7f0012340000ull

static struct emit *E0(void)
{
	emit_init(&E, buf, sizeof buf);
	emit_set_exec(&E, (const void *)(uintptr_t)EXEC);
	return &E;
}

/* ---- expected text, in capstone's Intel syntax ---- */

static const char *const rnames[4][16] = {
	{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	  "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
	{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
	{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
	{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
};
static const unsigned sizes[4] = { 1, 2, 4, 8 };
static const char *const ccs[16] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
				     "s", "ns", "p", "np", "l", "ge", "le", "g" };
static const char *const alus[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const char *const shifts[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };

static unsigned lg(unsigned size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }
static const char *R(unsigned size, unsigned r) { return rnames[lg(size)][r]; }

/* a rotating set of result strings, so one expression can format several */
static char *fmt(const char *f, ...)
{
	static char ring[16][160];
	static unsigned next;
	char *s = ring[next++ % 16];
	va_list ap;
	va_start(ap, f);
	vsnprintf(s, sizeof ring[0], f, ap);
	va_end(ap);
	return s;
}

/* capstone prints 0-9 in decimal, larger magnitudes in hex, negatives signed */
static char *num(int64_t v)
{
	uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
	return fmt(mag > 9 ? "%s0x%" PRIx64 : "%s%" PRIu64, v < 0 ? "-" : "", mag);
}

static char *unum(uint64_t v) { return fmt(v > 9 ? "0x%" PRIx64 : "%" PRIu64, v); }

/* an immediate as capstone shows it: sign-extended ones signed, full-width
 * ones unsigned at the operand size (64-bit ones come from a sign-extended imm32) */
static char *imm_text(unsigned size, int32_t imm, bool extended)
{
	if (extended || size == 8)
		return num(imm);
	return unum((uint32_t)imm & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1));
}

/* capstone 4 shows the immediate of and/or/xor unsigned at the operand size */
static char *alu_imm_text(unsigned op, unsigned size, int32_t imm, bool extended)
{
	if (op == ALU_AND || op == ALU_OR || op == ALU_XOR)
		return unum((uint64_t)(int64_t)imm & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1));
	return imm_text(size, imm, extended);
}

static const char *ptr(unsigned size)
{
	static const char *const p[4] = { "byte ptr ", "word ptr ", "dword ptr ", "qword ptr " };
	return p[lg(size)];
}

/* [base + index*scale +- disp]. An absolute address (no base, no index)
 * is written "[abs]" and checked through capstone's detail instead: capstone
 * 4 prints a negative one truncated to a size that depends on the operand
 * order (a display quirk; the CPU sign-extends disp32 to 64 bits). */
static bool want_abs;
static int32_t want_abs_disp;

static char *M(struct hmem m)
{
	char s[96] = "";
	size_t n = 0;
	if (m.base != H_NONE)
		n += (size_t)snprintf(s + n, sizeof s - n, "%s", rnames[3][m.base]);
	if (m.index != H_NONE) {
		n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", n ? " + " : "", rnames[3][m.index]);
		if (m.scale != 1)
			n += (size_t)snprintf(s + n, sizeof s - n, "*%u", m.scale);
	}
	if (!n) {
		want_abs = true;
		want_abs_disp = m.disp;
		return fmt("[abs]");
	}
	if (m.disp)
		snprintf(s + n, sizeof s - n, " %c %s", m.disp < 0 ? '-' : '+',
			 num(m.disp < 0 ? -(int64_t)m.disp : m.disp));
	return fmt("[%s]", s);
}

static char *MP(unsigned size, struct hmem m) { return fmt("%s%s", ptr(size), M(m)); }

/* bytes of ModRM + SIB + displacement in the minimal encoding */
static unsigned mem_len(struct hmem m)
{
	if (m.base == H_NONE)
		return 6;
	unsigned sib = m.index != H_NONE || (m.base & 7) == 4;
	unsigned disp = m.disp == 0 && (m.base & 7) != 5 ? 0 : m.disp == (int8_t)m.disp ? 1 : 4;
	return 1 + sib + disp;
}

static bool mem_rex(struct hmem m)
{
	return (m.base != H_NONE && m.base >= 8) || (m.index != H_NONE && m.index >= 8);
}

/* ---- checking ---- */

static void hexdump(void)
{
	printf("    bytes:");
	for (size_t i = 0; i < emit_size(&E); i++)
		printf(" %02x", buf[i]);
	printf("\n");
}

/* the absolute operand really is [disp32] (no base, no index, the disp
 * sign-extended); then its text in got becomes "[abs]" */
static bool abs_matches(const cs_insn *insn, char *got)
{
	const cs_x86 *x = &insn->detail->x86;
	bool found = false;
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM)
			found = x->operands[i].mem.base == X86_REG_INVALID &&
				x->operands[i].mem.index == X86_REG_INVALID &&
				x->operands[i].mem.disp == want_abs_disp;
	char *open = strchr(got, '['), *close = open ? strchr(open, ']') : NULL;
	if (!close)
		return false;
	memmove(open + 4, close, strlen(close) + 1);
	memcpy(open + 1, "abs", 3);
	return found;
}

/* buf must hold exactly one instruction reading `want`; if len is nonzero
 * it must also be that long */
static void expect_len(const char *want, size_t len)
{
	cs_insn *insn;
	size_t size = emit_size(&E);
	size_t n = cs_disasm(cs, buf, size, EXEC, 1, &insn);
	char got[200] = "(undecodable)";
	size_t got_len = 0;
	bool abs_ok = true;
	if (n) {
		snprintf(got, sizeof got, "%s %s", insn->mnemonic, insn->op_str);
		size_t l = strlen(got);
		while (l && got[l - 1] == ' ')
			got[--l] = 0;
		got_len = insn->size;
		if (want_abs)
			abs_ok = abs_matches(insn, got);
		cs_free(insn, n);
	}
	want_abs = false;
	bool ok = !E.full && strcmp(got, want) == 0 && got_len == size && (!len || size == len) && abs_ok;
	CHECK(ok);
	if (!ok && reported++ < 20) {
		printf("    want '%s' (len %zu), got '%s' (decoded %zu of %zu bytes)\n",
		       want, len, got, got_len, size);
		hexdump();
	}
}

/* the minimal length of a generic ModRM instruction: 66, REX, opcode bytes */
static size_t glen(unsigned size, bool rex, unsigned opbytes, unsigned modrm_etc, unsigned imm)
{
	return (size == 2) + (rex || size == 8) + opbytes + modrm_etc + imm;
}

/* a register needs a REX: r8-r15, or spl-dil as byte registers */
static bool rrex(unsigned size, unsigned r) { return r >= 8 || (size == 1 && r >= 4); }

/* memory operands: every base (incl. none) with the interesting
 * displacements, and a sweep of index/scale combinations */
static struct hmem mems[512];
static unsigned nmems;

static void build_mems(void)
{
	static const int32_t disps[] = { 0, 8, -8, 127, -128, 128, -129, 0x12345678, -0x12345678 };
	nmems = 0;
	for (unsigned b = 0; b <= 16; b++) {
		uint8_t base = b == 16 ? H_NONE : (uint8_t)b;
		for (unsigned d = 0; d < sizeof disps / sizeof disps[0]; d++)
			mems[nmems++] = hm(base, disps[d]);
		for (unsigned i = 0; i < 16; i++) {
			if (i == H_RSP)
				continue;
			unsigned scale = 1u << ((b + i) & 3);
			mems[nmems++] = hmx(base, i, scale, (int32_t)(b * i % 3 == 0 ? 0 : b * i % 3 == 1 ? 0x40 : 0x1000));
		}
	}
}

/* the exhaustive sweep (every base x index x scale x displacement) */
static void test_modrm_exhaustive(void)
{
	static const int32_t disps[] = { 0, 1, -1, 127, -128, 128, -129, 0x7fffffff, (int32_t)0x80000000 };
	for (unsigned b = 0; b <= 16; b++)
		for (unsigned i = 0; i <= 16; i++)
			for (unsigned s = 1; s <= 8; s <<= 1)
				for (unsigned d = 0; d < sizeof disps / sizeof disps[0]; d++) {
					if (i == H_RSP || (i == 16 && s != 1))
						continue;
					struct hmem m = hmx(b == 16 ? H_NONE : (enum hreg)b,
							    i == 16 ? H_NONE : (enum hreg)i, s, disps[d]);
					for (unsigned r = 0; r < 16; r += 15) {
						emit_lea(E0(), 8, r, m);
						expect_len(fmt("lea %s, %s", R(8, r), M(m)), glen(8, 0, 1, mem_len(m), 0));
						emit_mov_rm(E0(), 4, r, m);
						expect_len(fmt("mov %s, %s", R(4, r), MP(4, m)),
							   glen(4, r >= 8 || mem_rex(m), 1, mem_len(m), 0));
					}
				}
}

static void test_mov(void)
{
	for (unsigned z = 0; z < 4; z++) {
		unsigned sz = sizes[z];
		for (unsigned d = 0; d < 16; d++) {
			for (unsigned s = 0; s < 16; s++) {
				emit_mov_rr(E0(), sz, d, s);
				expect_len(fmt("mov %s, %s", R(sz, d), R(sz, s)),
					   glen(sz, rrex(sz, d) || rrex(sz, s), 1, 1, 0));
			}
			for (unsigned k = 0; k < nmems; k++) {
				struct hmem m = mems[k];
				size_t len = glen(sz, rrex(sz, d) || mem_rex(m), 1, mem_len(m), 0);
				emit_mov_rm(E0(), sz, d, m);
				expect_len(fmt("mov %s, %s", R(sz, d), MP(sz, m)), len);
				emit_mov_mr(E0(), sz, m, d);
				expect_len(fmt("mov %s, %s", MP(sz, m), R(sz, d)), len);
			}
		}
		for (unsigned k = 0; k < nmems; k++) {
			struct hmem m = mems[k];
			static const int32_t imms[] = { 0, 5, -1, 0x7f, 0x1234, -0x12345678 };
			for (unsigned i = 0; i < 6; i++) {
				emit_mov_mi(E0(), sz, m, imms[i]);
				expect_len(fmt("mov %s, %s", MP(sz, m), imm_text(sz, imms[i], false)),
					   glen(sz, mem_rex(m), 1, mem_len(m), sz > 4 ? 4 : sz));
			}
		}
	}
}

static void test_mov_ri(void)
{
	for (unsigned r = 0; r < 16; r++) {
		unsigned x = r >= 8;
		emit_mov_ri(E0(), 1, r, 0x80);
		expect_len(fmt("mov %s, 0x80", R(1, r)), 2 + rrex(1, r));
		emit_mov_ri(E0(), 2, r, 0xffff);
		expect_len(fmt("mov %s, 0xffff", R(2, r)), 4 + x);
		emit_mov_ri(E0(), 4, r, 0x80000000u);
		expect_len(fmt("mov %s, 0x80000000", R(4, r)), 5 + x);
		/* 64-bit: zero-extending mov r32 when it fits in 32 unsigned bits */
		emit_mov_ri(E0(), 8, r, 7);
		expect_len(fmt("mov %s, 7", R(4, r)), 5 + x);
		emit_mov_ri(E0(), 8, r, 0xffffffffu);
		expect_len(fmt("mov %s, 0xffffffff", R(4, r)), 5 + x);
		/* sign-extended imm32 */
		emit_mov_ri(E0(), 8, r, (uint64_t)-1);
		expect_len(fmt("mov %s, -1", R(8, r)), 7);
		emit_mov_ri(E0(), 8, r, 0xffffffff80000000ull);
		expect_len(fmt("mov %s, -0x80000000", R(8, r)), 7);
		/* movabs */
		emit_mov_ri(E0(), 8, r, 0x123456789abcdef0ull);
		expect_len(fmt("movabs %s, 0x123456789abcdef0", R(8, r)), 10);
		emit_mov_ri(E0(), 8, r, 0x100000000ull);
		expect_len(fmt("movabs %s, 0x100000000", R(8, r)), 10);
	}
}

static void test_movx(void)
{
	for (unsigned d = 0; d < 16; d++) {
		for (unsigned dz = 2; dz <= 8; dz *= 2)
			for (unsigned sz = 1; sz < dz && sz <= 4; sz *= 2) {
				bool sx_only = sz == 4;
				const char *sxm = sx_only ? "movsxd" : "movsx";
				for (unsigned s = 0; s < 16; s++) {
					bool rex = rrex(dz, d) || rrex(sz, s);
					if (!sx_only) {
						emit_movzx_rr(E0(), dz, sz, d, s);
						expect_len(fmt("movzx %s, %s", R(dz, d), R(sz, s)), glen(dz, rex, 2, 1, 0));
						emit_movsx_rr(E0(), dz, sz, d, s);
						expect_len(fmt("movsx %s, %s", R(dz, d), R(sz, s)), glen(dz, rex, 2, 1, 0));
					} else {
						emit_movsx_rr(E0(), dz, sz, d, s);
						expect_len(fmt("%s %s, %s", sxm, R(dz, d), R(sz, s)), glen(dz, rex, 1, 1, 0));
					}
				}
				for (unsigned k = 0; k < nmems; k++) {
					struct hmem m = mems[k];
					bool rex = rrex(dz, d) || mem_rex(m);
					unsigned ob = sx_only ? 1 : 2;
					if (!sx_only) {
						emit_movzx_rm(E0(), dz, sz, d, m);
						expect_len(fmt("movzx %s, %s", R(dz, d), MP(sz, m)), glen(dz, rex, ob, mem_len(m), 0));
					}
					emit_movsx_rm(E0(), dz, sz, d, m);
					expect_len(fmt("%s %s, %s", sxm, R(dz, d), MP(sz, m)), glen(dz, rex, ob, mem_len(m), 0));
				}
			}
	}
}

static void test_alu(void)
{
	static const int32_t imms[] = { 0, 1, -1, 0x7f, -0x80, 0x80, -0x81, 0x1234, 0x12345678, INT32_MIN };
	for (unsigned op = 0; op < 8; op++)
		for (unsigned z = 0; z < 4; z++) {
			unsigned sz = sizes[z];
			for (unsigned d = 0; d < 16; d++) {
				for (unsigned s = 0; s < 16; s++) {
					emit_alu_rr(E0(), op, sz, d, s);
					expect_len(fmt("%s %s, %s", alus[op], R(sz, d), R(sz, s)),
						   glen(sz, rrex(sz, d) || rrex(sz, s), 1, 1, 0));
				}
				for (unsigned i = 0; i < sizeof imms / sizeof imms[0]; i++) {
					int32_t v = emit_imm_trunc(sz, imms[i]);
					bool i8 = sz != 1 && v == (int8_t)v;
					emit_alu_ri(E0(), op, sz, d, imms[i]);
					expect_len(fmt("%s %s, %s", alus[op], R(sz, d), alu_imm_text(op, sz, v, i8)),
						   glen(sz, rrex(sz, d), 1, 1, i8 ? 1 : sz > 4 ? 4 : sz));
				}
			}
			for (unsigned k = op; k < nmems; k += 3) {
				struct hmem m = mems[k];
				unsigned r = k % 16;
				size_t len = glen(sz, rrex(sz, r) || mem_rex(m), 1, mem_len(m), 0);
				emit_alu_rm(E0(), op, sz, r, m);
				expect_len(fmt("%s %s, %s", alus[op], R(sz, r), MP(sz, m)), len);
				emit_alu_mr(E0(), op, sz, m, r);
				expect_len(fmt("%s %s, %s", alus[op], MP(sz, m), R(sz, r)), len);
				int32_t imm = imms[k % 10];
				int32_t v = emit_imm_trunc(sz, imm);
				bool i8 = sz != 1 && v == (int8_t)v;
				emit_alu_mi(E0(), op, sz, m, imm);
				expect_len(fmt("%s %s, %s", alus[op], MP(sz, m), alu_imm_text(op, sz, v, i8)),
					   glen(sz, mem_rex(m), 1, mem_len(m), i8 ? 1 : sz > 4 ? 4 : sz));
			}
		}
}

static void test_test(void)
{
	for (unsigned z = 0; z < 4; z++) {
		unsigned sz = sizes[z], isz = sz > 4 ? 4 : sz;
		for (unsigned a = 0; a < 16; a++) {
			for (unsigned b = 0; b < 16; b++) {
				emit_test_rr(E0(), sz, a, b);
				expect_len(fmt("test %s, %s", R(sz, a), R(sz, b)), glen(sz, rrex(sz, a) || rrex(sz, b), 1, 1, 0));
			}
			emit_test_ri(E0(), sz, a, 0x41);
			expect_len(fmt("test %s, 0x41", R(sz, a)), glen(sz, rrex(sz, a), 1, 1, isz));
		}
		for (unsigned k = 0; k < nmems; k++) {
			struct hmem m = mems[k];
			unsigned r = (k * 7) % 16;
			emit_test_mr(E0(), sz, m, r);
			expect_len(fmt("test %s, %s", MP(sz, m), R(sz, r)), glen(sz, rrex(sz, r) || mem_rex(m), 1, mem_len(m), 0));
			emit_test_mi(E0(), sz, m, 0x41);
			expect_len(fmt("test %s, 0x41", MP(sz, m)), glen(sz, mem_rex(m), 1, mem_len(m), isz));
		}
	}
}

static void test_unary_incdec(void)
{
	static const char *const un[4] = { NULL, NULL, "not", "neg" };
	for (unsigned z = 0; z < 4; z++) {
		unsigned sz = sizes[z];
		for (unsigned r = 0; r < 16; r++) {
			size_t len = glen(sz, rrex(sz, r), 1, 1, 0);
			for (unsigned op = UN_NOT; op <= UN_NEG; op++) {
				emit_unary_r(E0(), op, sz, r);
				expect_len(fmt("%s %s", un[op], R(sz, r)), len);
			}
			emit_inc_r(E0(), sz, r);
			expect_len(fmt("inc %s", R(sz, r)), len);
			emit_dec_r(E0(), sz, r);
			expect_len(fmt("dec %s", R(sz, r)), len);
		}
		for (unsigned k = 0; k < nmems; k++) {
			struct hmem m = mems[k];
			size_t len = glen(sz, mem_rex(m), 1, mem_len(m), 0);
			emit_unary_m(E0(), k & 1 ? UN_NEG : UN_NOT, sz, m);
			expect_len(fmt("%s %s", un[k & 1 ? UN_NEG : UN_NOT], MP(sz, m)), len);
			emit_inc_m(E0(), sz, m);
			expect_len(fmt("inc %s", MP(sz, m)), len);
			emit_dec_m(E0(), sz, m);
			expect_len(fmt("dec %s", MP(sz, m)), len);
		}
	}
}

static void test_shift(void)
{
	for (unsigned op = 0; op < 8; op++)
		for (unsigned z = 0; z < 4; z++) {
			unsigned sz = sizes[z];
			for (unsigned r = 0; r < 16; r++) {
				bool rex = rrex(sz, r);
				emit_shift_ri(E0(), op, sz, r, 1);
				expect_len(fmt("%s %s, 1", shifts[op], R(sz, r)), glen(sz, rex, 1, 1, 0));
				emit_shift_ri(E0(), op, sz, r, 13);
				expect_len(fmt("%s %s, 0xd", shifts[op], R(sz, r)), glen(sz, rex, 1, 1, 1));
				emit_shift_rcl(E0(), op, sz, r);
				expect_len(fmt("%s %s, cl", shifts[op], R(sz, r)), glen(sz, rex, 1, 1, 0));
			}
			for (unsigned k = op; k < nmems; k += 5) {
				struct hmem m = mems[k];
				size_t len = glen(sz, mem_rex(m), 1, mem_len(m), 0);
				emit_shift_mi(E0(), op, sz, m, 1);
				expect_len(fmt("%s %s, 1", shifts[op], MP(sz, m)), len);
				emit_shift_mi(E0(), op, sz, m, 3);
				expect_len(fmt("%s %s, 3", shifts[op], MP(sz, m)), len + 1);
				emit_shift_mcl(E0(), op, sz, m);
				expect_len(fmt("%s %s, cl", shifts[op], MP(sz, m)), len);
			}
		}
}

static void test_lea_imul(void)
{
	for (unsigned sz = 2; sz <= 8; sz *= 2)
		for (unsigned d = 0; d < 16; d++) {
			for (unsigned k = 0; k < nmems; k++) {
				struct hmem m = mems[k];
				size_t len = glen(sz, d >= 8 || mem_rex(m), 1, mem_len(m), 0);
				emit_lea(E0(), sz, d, m);
				expect_len(fmt("lea %s, %s", R(sz, d), M(m)), len);
				emit_imul_rm(E0(), sz, d, m);
				expect_len(fmt("imul %s, %s", R(sz, d), MP(sz, m)), len + 1);
			}
			for (unsigned s = 0; s < 16; s++) {
				bool rex = d >= 8 || s >= 8;
				emit_imul_rr(E0(), sz, d, s);
				expect_len(fmt("imul %s, %s", R(sz, d), R(sz, s)), glen(sz, rex, 2, 1, 0));
				emit_imul_rri(E0(), sz, d, s, -3);
				expect_len(fmt("imul %s, %s, -3", R(sz, d), R(sz, s)), glen(sz, rex, 1, 1, 1));
				emit_imul_rri(E0(), sz, d, s, 0x1234);
				expect_len(fmt("imul %s, %s, 0x1234", R(sz, d), R(sz, s)), glen(sz, rex, 1, 1, sz > 4 ? 4 : sz));
			}
		}
}

static void test_xchg_bswap_cmov_setcc(void)
{
	for (unsigned z = 0; z < 4; z++) {
		unsigned sz = sizes[z];
		for (unsigned a = 0; a < 16; a++)
			for (unsigned b = 0; b < 16; b++) {
				emit_xchg_rr(E0(), sz, a, b);
				expect_len(fmt("xchg %s, %s", R(sz, a), R(sz, b)), glen(sz, rrex(sz, a) || rrex(sz, b), 1, 1, 0));
				if (sz == 1)
					continue;
				for (unsigned cc = 0; cc < 16; cc++) {
					emit_cmovcc_rr(E0(), cc, sz, a, b);
					expect_len(fmt("cmov%s %s, %s", ccs[cc], R(sz, a), R(sz, b)),
						   glen(sz, a >= 8 || b >= 8, 2, 1, 0));
				}
			}
	}
	for (unsigned r = 0; r < 16; r++) {
		emit_bswap_r(E0(), 4, r);
		expect_len(fmt("bswap %s", R(4, r)), 2 + (r >= 8));
		emit_bswap_r(E0(), 8, r);
		expect_len(fmt("bswap %s", R(8, r)), 3);
		for (unsigned cc = 0; cc < 16; cc++) {
			emit_setcc_r(E0(), cc, r);
			expect_len(fmt("set%s %s", ccs[cc], R(1, r)), 3 + rrex(1, r));
		}
	}
}

/* bit tests and scans; CMPXCHG and XADD, with and without LOCK; SETcc
 * and CMOVcc of memory; MFENCE */
static void test_bits_locked(void)
{
	static const char *const bts[4] = { "bt", "bts", "btr", "btc" };
	for (unsigned z = 0; z < 4; z++) {
		unsigned sz = sizes[z];
		for (unsigned k = 0; k < nmems; k++) {
			struct hmem m = mems[k];
			size_t len = glen(sz, mem_rex(m), 2, mem_len(m), 0);
			unsigned r = k % 16;
			size_t rlen = glen(sz, rrex(sz, r) || mem_rex(m), 2, mem_len(m), 0);
			emit_cmpxchg_mr(E0(), sz, m, r);
			expect_len(fmt("cmpxchg %s, %s", MP(sz, m), R(sz, r)), rlen);
			emit_lock(E0());
			emit_xadd_mr(&E, sz, m, r);
			expect_len(fmt("lock xadd %s, %s", MP(sz, m), R(sz, r)), rlen + 1);
			if (sz == 1) {
				emit_setcc_m(E0(), k % 16, m);
				expect_len(fmt("set%s %s", ccs[k % 16], MP(1, m)), len);
				continue;
			}
			emit_bt_mi(E0(), BT_BT + k % 4, sz, m, 13);
			expect_len(fmt("%s %s, 0xd", bts[k % 4], MP(sz, m)), len + 1);
			emit_bsf_rm(E0(), k & 1, sz, r, m);
			expect_len(fmt("%s %s, %s", k & 1 ? "bsf" : "bsr", R(sz, r), MP(sz, m)), rlen);
			emit_cmovcc_rm(E0(), k % 16, sz, r, m);
			expect_len(fmt("cmov%s %s, %s", ccs[k % 16], R(sz, r), MP(sz, m)), rlen);
		}
		if (sz == 1)
			continue;
		for (unsigned a = 0; a < 16; a++)
			for (unsigned b = 0; b < 16; b++) {
				bool rex = a >= 8 || b >= 8;
				unsigned op = BT_BT + (a + b) % 4;
				emit_bt_rr(E0(), op, sz, a, b);
				expect_len(fmt("%s %s, %s", bts[op - BT_BT], R(sz, a), R(sz, b)), glen(sz, rex, 2, 1, 0));
				emit_bt_ri(E0(), op, sz, a, (uint8_t)b);
				expect_len(fmt("%s %s, %s", bts[op - BT_BT], R(sz, a), unum(b)), glen(sz, a >= 8, 2, 1, 1));
				emit_bsf_rr(E0(), b & 1, sz, a, b);
				expect_len(fmt("%s %s, %s", b & 1 ? "bsf" : "bsr", R(sz, a), R(sz, b)), glen(sz, rex, 2, 1, 0));
			}
	}
	emit_mfence(E0());
	expect_len("mfence", 3);
}

static void test_stack_misc(void)
{
	for (unsigned r = 0; r < 16; r++) {
		emit_push_r(E0(), r);
		expect_len(fmt("push %s", R(8, r)), 1 + (r >= 8));
		emit_pop_r(E0(), r);
		expect_len(fmt("pop %s", R(8, r)), 1 + (r >= 8));
	}
	static const struct { void (*fn)(struct emit *); const char *text; } one[] = {
		{ emit_pushfq, "pushfq" }, { emit_popfq, "popfq" }, { emit_lahf, "lahf" },
		{ emit_sahf, "sahf" }, { emit_ret, "ret" }, { emit_int3, "int3" },
	};
	for (unsigned i = 0; i < sizeof one / sizeof one[0]; i++) {
		one[i].fn(E0());
		expect_len(one[i].text, 1);
	}
	emit_cwd_family(E0(), 2);
	expect_len("cwd", 2);
	emit_cwd_family(E0(), 4);
	expect_len("cdq", 1);
	emit_cwd_family(E0(), 8);
	expect_len("cqo", 2);
}

/* SSE: mandatory prefixes before REX, the 0F 38 and 0F 3A escapes */
static void test_sse(void)
{
	for (unsigned a = 0; a < 16; a++)
		for (unsigned b = 0; b < 16; b++) {
			bool rex = a >= 8 || b >= 8;
			emit_sse_rr(E0(), 0xfe | OPC_0F | OPC_66, a, b);
			expect_len(fmt("paddd xmm%u, xmm%u", a, b), 4 + rex);
			emit_sse_rr(E0(), 0x00 | OPC_0F | OPC_38 | OPC_66, a, b);
			expect_len(fmt("pshufb xmm%u, xmm%u", a, b), 5 + rex);
			emit_sse_rr(E0(), 0x0f | OPC_0F | OPC_3A | OPC_66, a, b);
			emit_byte(&E, 4);
			expect_len(fmt("palignr xmm%u, xmm%u, 4", a, b), 6 + rex);
			emit_sse_rr(E0(), 0x70 | OPC_0F | OPC_F2, a, b);
			emit_byte(&E, 0x1b);
			expect_len(fmt("pshuflw xmm%u, xmm%u, 0x1b", a, b), 5 + rex);
		}
	emit_sse_rm(E0(), SSE_MOVDQU_LOAD, 1, hm(H_R14, 0x1e0));
	expect_len("movdqu xmm1, xmmword ptr [r14 + 0x1e0]", 9);
	emit_sse_rm(E0(), SSE_MOVDQU_STORE, 9, hm(H_RSI, 0));
	expect_len("movdqu xmmword ptr [rsi], xmm9", 5);
	emit_op_rr(E0(), 0x73 | OPC_0F | OPC_66, 7, 3);
	emit_byte(&E, 8);
	expect_len("pslldq xmm3, 8", 5);
}

/* n bytes of nops: only nops, exactly n bytes, at most ceil(n/9) of them */
static void test_nop(void)
{
	for (unsigned n = 0; n <= 30; n++) {
		emit_nop(E0(), n);
		CHECK_EQ(emit_size(&E), n);
		cs_insn *insn;
		size_t cnt = cs_disasm(cs, buf, n, EXEC, 0, &insn);
		size_t total = 0;
		for (size_t i = 0; i < cnt; i++) {
			CHECK(strcmp(insn[i].mnemonic, "nop") == 0);
			total += insn[i].size;
		}
		CHECK_EQ(total, n);
		CHECK_EQ(cnt, (n + 8) / 9);
		if (cnt)
			cs_free(insn, cnt);
	}
}

static const void *X(uint64_t a) { return (const void *)(uintptr_t)a; }

static void test_rel32(void)
{
	/* the target is relative to where the code executes, not to buf */
	static const int64_t offs[] = { 0, 5, -5, 0x1000, -0x1000, 0x7ffffff0, -0x7ffffff0 };
	for (unsigned i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		uint64_t t = EXEC + (uint64_t)offs[i];
		uint8_t *f = emit_jmp32(E0(), X(t));
		CHECK(f == buf + 1);
		expect_len(fmt("jmp 0x%" PRIx64, t), 5);
		for (unsigned cc = 0; cc < 16; cc++) {
			f = emit_jcc32(E0(), cc, X(t));
			CHECK(f == buf + 2);
			expect_len(fmt("j%s 0x%" PRIx64, ccs[cc], t), 6);
		}
		emit_call(E0(), X(t));
		expect_len(fmt("call 0x%" PRIx64, t), 5);
		emit_jmp_abs(E0(), X(t));
		expect_len(fmt("jmp 0x%" PRIx64, t), 5);
	}
	/* a placeholder, then patched through the "writable view" */
	uint8_t *f = emit_jmp32(E0(), NULL);
	expect_len(fmt("jmp 0x%" PRIx64, EXEC + 5), 5);
	emit_patch_rel32(f, (const uint8_t *)X(EXEC + 1), X(EXEC + 0x12340));
	expect_len(fmt("jmp 0x%" PRIx64, EXEC + 0x12340), 5);
	/* bind32: a forward jcc to the current position */
	E0();
	emit_nop(&E, 3);
	f = emit_jcc32(&E, 4, NULL);
	emit_nop(&E, 7);
	emit_bind32(&E, f);
	CHECK_EQ(buf[f - buf + 4], 0x0f);	/* the nop after it is intact */
	cs_insn *insn;
	size_t n = cs_disasm(cs, buf, emit_size(&E), EXEC, 0, &insn);
	CHECK_EQ(n, 3);
	if (n == 3) {
		CHECK(strcmp(insn[1].mnemonic, "je") == 0);
		CHECK(strcmp(insn[1].op_str, fmt("0x%" PRIx64, EXEC + emit_size(&E))) == 0);
	}
	if (n)
		cs_free(insn, n);
}

static void test_far(void)
{
	/* beyond +-2 GiB of the executable position: through r11 */
	static const uint64_t far[] = { EXEC + 5 + 0x80000000ull, EXEC - 0x80000100ull, 0x1234, 0xffffffff12345678ull };
	for (unsigned i = 0; i < 4; i++) {
		E0();
		emit_call(&E, X(far[i]));
		cs_insn *insn;
		size_t n = cs_disasm(cs, buf, emit_size(&E), EXEC, 0, &insn);
		CHECK_EQ(n, 2);
		CHECK_EQ(emit_size(&E), 13);
		if (n == 2) {
			CHECK(strcmp(insn[0].mnemonic, "movabs") == 0);
			CHECK(strcmp(insn[0].op_str, fmt("r11, 0x%" PRIx64, far[i])) == 0);
			CHECK(strcmp(insn[1].mnemonic, "call") == 0 && strcmp(insn[1].op_str, "r11") == 0);
		}
		if (n)
			cs_free(insn, n);
		E0();
		emit_jmp_abs(&E, X(far[i]));
		n = cs_disasm(cs, buf, emit_size(&E), EXEC, 0, &insn);
		CHECK_EQ(n, 2);
		if (n == 2)
			CHECK(strcmp(insn[1].mnemonic, "jmp") == 0 && strcmp(insn[1].op_str, "r11") == 0);
		if (n)
			cs_free(insn, n);
	}
	/* the edge: the displacement is exactly INT32_MAX / INT32_MIN */
	emit_call(E0(), X(EXEC + 5 + 0x7fffffffull));
	expect_len(fmt("call 0x%" PRIx64, EXEC + 5 + 0x7fffffffull), 5);
	emit_call(E0(), X(EXEC + 5 - 0x80000000ull));
	expect_len(fmt("call 0x%" PRIx64, EXEC + 5 - 0x80000000ull), 5);
	emit_call(E0(), X(EXEC + 5 + 0x80000000ull));
	CHECK_EQ(emit_size(&E), 13);
	for (unsigned r = 0; r < 16; r++) {
		emit_jmp_r(E0(), r);
		expect_len(fmt("jmp %s", R(8, r)), 2 + (r >= 8));
		emit_call_r(E0(), r);
		expect_len(fmt("call %s", R(8, r)), 2 + (r >= 8));
	}
	for (unsigned k = 0; k < nmems; k++) {
		emit_jmp_m(E0(), mems[k]);
		expect_len(fmt("jmp %s", MP(8, mems[k])), 1 + mem_rex(mems[k]) + mem_len(mems[k]));
	}
}

/* the predicted addend's load: rip-relative from the executable address,
 * and nothing at all when the slot is out of reach */
static void test_rip_load(void)
{
	static const int64_t disps[] = { 0, 8, -8, 0x1000, -0x12345, 0x7fffffff, -0x80000000ll };
	for (unsigned r = 0; r < 16; r++) {
		for (unsigned i = 0; i < sizeof disps / sizeof disps[0]; i++) {
			/* the displacement counts from the instruction's end */
			uint64_t src = EXEC + 7 + (uint64_t)disps[i];
			CHECK(emit_mov_r_rip(E0(), r, X(src)));
			int64_t d = disps[i];
			expect_len(d == 0 ? fmt("mov %s, qword ptr [rip]", R(8, r))
					  : fmt("mov %s, qword ptr [rip %c %s]", R(8, r), d < 0 ? '-' : '+',
						num(d < 0 ? -d : d)),
				   7);
		}
		CHECK(!emit_mov_r_rip(E0(), r, X(EXEC + 7 + 0x80000000ull)));
		CHECK(!emit_mov_r_rip(E0(), r, X(EXEC + 7 - 0x80000001ull)));
		CHECK_EQ(emit_size(&E), 0);
	}
}

static void test_short_jumps(void)
{
	for (unsigned gap = 0; gap <= 127; gap += 1) {
		for (unsigned cc = 0; cc <= 16; cc++) {	/* 16: jmp8 */
			E0();
			uint8_t *f = cc == 16 ? emit_jmp8(&E) : emit_jcc8(&E, cc);
			CHECK(f == buf + 1);
			emit_nop(&E, gap);
			emit_bind8(&E, f);
			size_t end = emit_size(&E);
			cs_insn *insn;
			size_t n = cs_disasm(cs, buf, 2, EXEC, 1, &insn);
			CHECK_EQ(n, 1);
			if (n) {
				CHECK(strcmp(insn->mnemonic, cc == 16 ? "jmp" : fmt("j%s", ccs[cc])) == 0);
				CHECK(strcmp(insn->op_str, fmt("0x%" PRIx64, EXEC + end)) == 0);
				CHECK_EQ(insn->size, 2);
				cs_free(insn, n);
			}
			if (cc != 4 && gap % 8)
				break;	/* all conditions at a few gaps */
		}
		if (gap > 60 && gap < 120)
			gap += 10;
	}
}

/* after emit_align_rel32_jmp/_jcc the next field is 4-byte aligned, and the
 * padding is nops that fall through to it */
static void test_align(void)
{
	for (unsigned pre = 0; pre < 8; pre++) {
		for (unsigned jcc = 0; jcc < 2; jcc++) {
			E0();
			emit_nop(&E, pre);
			if (jcc)
				emit_align_rel32_jcc(&E);
			else
				emit_align_rel32_jmp(&E);
			CHECK(emit_size(&E) - pre < 4);
			uint8_t *f = jcc ? emit_jcc32(&E, 5, X(EXEC)) : emit_jmp32(&E, X(EXEC));
			CHECK_EQ((uintptr_t)f & 3, 0);
			/* and the patch is then a single aligned store */
			emit_patch_rel32(f, (const uint8_t *)X(emit_exec_addr(&E, f)), X(EXEC + 0x40));
			cs_insn *insn;
			size_t n = cs_disasm(cs, buf, emit_size(&E), EXEC, 0, &insn);
			CHECK(n >= 1);
			if (n) {
				CHECK(strcmp(insn[n - 1].op_str, fmt("0x%" PRIx64, EXEC + 0x40)) == 0);
				for (size_t i = 0; i + 1 < n; i++)
					CHECK(strcmp(insn[i].mnemonic, "nop") == 0);
				cs_free(insn, n);
			}
		}
	}
}

/* a sequence emitted into every buffer size up to its length: nothing is
 * written past the end (guard bytes), full is set exactly when it did not
 * fit, and the fields that did not fit come back NULL */
static void emit_sequence(struct emit *e, uint8_t **fields)
{
	emit_mov_ri(e, 8, H_R12, 0x123456789ull);
	emit_alu_mi(e, ALU_ADD, 8, hmx(H_R13, H_R14, 8, 0x1000), 0x12345);
	fields[0] = emit_jcc8(e, 4);
	emit_push_r(e, H_R15);
	fields[1] = emit_jcc32(e, 5, NULL);
	emit_call(e, X(0x1234));
	emit_bind8(e, fields[0]);
	emit_bind32(e, fields[1]);
	fields[2] = emit_jmp32(e, X(EXEC));
	emit_nop(e, 11);
}

static void test_full(void)
{
	static uint8_t big[128];
	uint8_t *fields[3];
	struct emit e;
	emit_init(&e, big, sizeof big);
	emit_set_exec(&e, X(EXEC));	/* both runs at one exec address: same bytes */
	emit_sequence(&e, fields);
	size_t need = emit_size(&e);
	CHECK(!e.full);
	CHECK(fields[0] && fields[1] && fields[2]);
	size_t fend[3];	/* where each field ends */
	for (unsigned i = 0; i < 3; i++)
		fend[i] = (size_t)(fields[i] - big) + (i ? 4 : 1);
	for (size_t size = 0; size <= need; size++) {
		uint8_t *mem = malloc(size + 8);
		memset(mem, 0xa5, size + 8);
		emit_init(&e, mem, size);
		emit_set_exec(&e, X(EXEC));
		emit_sequence(&e, fields);
		CHECK_EQ(e.full, size < need);
		CHECK(emit_size(&e) <= size);
		for (size_t i = size; i < size + 8; i++)
			CHECK_EQ(mem[i], 0xa5);
		for (unsigned i = 0; i < 3; i++)
			CHECK_EQ(fields[i] == NULL, size < fend[i]);
		if (size == need)
			CHECK(memcmp(mem, big, need) == 0);
		free(mem);
	}
}

int main(void)
{
	CHECK_SUITE("bt_emit");
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		printf("SKIP bt_emit: capstone cannot open x86-64\n");
		return 0;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	build_mems();
	RUN(test_modrm_exhaustive);
	RUN(test_mov);
	RUN(test_mov_ri);
	RUN(test_movx);
	RUN(test_alu);
	RUN(test_test);
	RUN(test_unary_incdec);
	RUN(test_shift);
	RUN(test_lea_imul);
	RUN(test_xchg_bswap_cmov_setcc);
	RUN(test_stack_misc);
	RUN(test_bits_locked);
	RUN(test_sse);
	RUN(test_nop);
	RUN(test_rel32);
	RUN(test_far);
	RUN(test_rip_load);
	RUN(test_short_jumps);
	RUN(test_align);
	RUN(test_full);
	cs_close(&cs);
	return CHECK_EXIT();
}
#endif
