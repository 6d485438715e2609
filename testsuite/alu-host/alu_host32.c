// Runs the instructions 64-bit mode lacks (DAA DAS AAA AAS AAM AAD SALC) natively and prints binary records for test_alu_host.
// SPDX-License-Identifier: MIT
/* Built with gcc -m32 by testsuite/alu-host/alu-host.mk. Each record is
 * struct alu32_rec (below, the same in test_alu_host.c): the opcode byte,
 * its immediate, AX and the arithmetic flags before and after.
 *   alu_host32               the full case set, binary records
 *   alu_host32 --reference   the reference set as the text file committed
 *                            in testsuite/alu-host (with its header)
 *   alu_host32 --vendor      the CPUID vendor string */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct alu32_rec {
	uint8_t opcode, imm;
	uint16_t ax_in, fl_in, ax_out, fl_out;
} __attribute__((packed));

struct ctx {
	uint32_t eax, fl;
};

enum { CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, ARITH = 0x8d5 };

static uint8_t *code;

/* push ebx; mov ebx,[esp+8]; mov eax,[ebx]; push dword [ebx+4]; popfd;
 * <insn>; pushfd; pop dword [ebx+4]; mov [ebx],eax; pop ebx; ret */
static void emit(uint8_t op, uint8_t imm, int has_imm)
{
	static const uint8_t pro[] = {0x53, 0x8b, 0x5c, 0x24, 0x08, 0x8b, 0x03, 0xff, 0x73, 0x04, 0x9d};
	static const uint8_t epi[] = {0x9c, 0x8f, 0x43, 0x04, 0x89, 0x03, 0x5b, 0xc3};
	unsigned n = 0;
	memcpy(code, pro, sizeof pro);
	n = sizeof pro;
	code[n++] = op;
	if (has_imm)
		code[n++] = imm;
	memcpy(code + n, epi, sizeof epi);
}

/* one case: binary record (the live comparison) or text line (the
 * reference file) */
static int text;

static void run(uint8_t op, uint8_t imm, uint16_t ax, uint16_t fl)
{
	struct ctx x = {0x12340000u | ax, 0x2u | fl};
	((void (*)(struct ctx *))code)(&x);
	struct alu32_rec r = {op, imm, ax, fl, (uint16_t)x.eax, (uint16_t)(x.fl & ARITH)};
	if (text)
		printf("%02x %02x %04x %04x %04x %04x\n", r.opcode, r.imm, r.ax_in, r.fl_in, r.ax_out,
		       r.fl_out);
	else
		fwrite(&r, sizeof r, 1, stdout);
}

/* The cases. The full set (live runs) has every AL with several AH and
 * flag inputs, and every AX for AAD; the reference set keeps the inputs
 * that decide the outputs (every AL, the flags, the AH carries that
 * overflow) and samples the rest, to keep the committed file small. */
static void run_all(int full)
{
	static const uint8_t adjusts[] = {0x27, 0x2f, 0x37, 0x3f};	/* DAA DAS AAA AAS */
	static const uint8_t ahs_full[] = {0x00, 0x01, 0x12, 0x7f, 0x80, 0xfe, 0xff};
	/* DAA and DAS leave AH alone; AAA and AAS carry into it, and AMD parts
	 * set OF where that carry overflows (7f->80, 80->7f) */
	static const uint8_t ahs_ref_da[] = {0x00};
	static const uint8_t ahs_ref_aa[] = {0x00, 0x7f, 0x80, 0xff};
	static const uint16_t fls[] = {0, CF, AF, CF | AF, ARITH, ARITH & ~CF, ARITH & ~AF,
				       ARITH & ~(CF | AF)};
	for (unsigned o = 0; o < sizeof adjusts; o++) {
		const uint8_t *ahs = full ? ahs_full : o < 2 ? ahs_ref_da : ahs_ref_aa;
		unsigned nah = full ? sizeof ahs_full : o < 2 ? sizeof ahs_ref_da : sizeof ahs_ref_aa;
		emit(adjusts[o], 0, 0);
		for (unsigned al = 0; al < 256; al++)
			for (unsigned h = 0; h < nah; h++)
				for (unsigned f = 0; f < sizeof fls / sizeof fls[0]; f++)
					run(adjusts[o], 0, (uint16_t)(ahs[h] << 8 | al), fls[f]);
	}
	static const uint8_t aam_imm[] = {1, 2, 3, 7, 10, 16, 100, 255};	/* 0 is #DE */
	for (unsigned k = 0; k < sizeof aam_imm; k++) {
		emit(0xd4, aam_imm[k], 1);
		for (unsigned al = 0; al < 256; al++) {
			run(0xd4, aam_imm[k], (uint16_t)al, 0);
			run(0xd4, aam_imm[k], (uint16_t)(0x5a00 | al), ARITH);
		}
	}
	static const uint8_t aad_imm[] = {0, 1, 7, 10, 16, 255};
	static const uint8_t aad_ah_ref[] = {0x00, 0x01, 0x80, 0xff};
	for (unsigned k = 0; k < sizeof aad_imm; k++) {
		emit(0xd5, aad_imm[k], 1);
		for (unsigned ax = 0; ax < 65536; ax++) {
			if (!full) {
				unsigned h = 0;
				while (h < sizeof aad_ah_ref && aad_ah_ref[h] != ax >> 8)
					h++;
				if (h == sizeof aad_ah_ref)
					continue;
			}
			run(0xd5, aad_imm[k], (uint16_t)ax, (ax & 1) ? ARITH : 0);
		}
	}
	emit(0xd6, 0, 0);	/* SALC */
	for (unsigned f = 0; f < sizeof fls / sizeof fls[0]; f++) {
		run(0xd6, 0, 0x0000, fls[f]);
		run(0xd6, 0, 0x5a5a, fls[f]);
	}
}

/* the reference file's header: what made it and on which CPU */
static void header(void)
{
	unsigned a, b, c, d, v[3], brand[12] = {0};
	__cpuid(0, a, v[0], v[2], v[1]);
	char vendor[13];
	memcpy(vendor, v, 12);
	vendor[12] = 0;
	__cpuid(1, a, b, c, d);
	unsigned sig = a, fam = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (fam == 0xf)
		fam += (sig >> 20) & 0xff;
	if (fam >= 6)
		model |= ((sig >> 16) & 0xf) << 4;
	__cpuid(0x80000000, a, b, c, d);
	if (a >= 0x80000004)
		for (unsigned i = 0; i < 3; i++)
			__cpuid(0x80000002 + i, brand[4 * i], brand[4 * i + 1], brand[4 * i + 2],
				brand[4 * i + 3]);
	char date[32];
	time_t now = time(NULL);
	strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
	printf("# BCD adjusts and SALC as a real CPU computes them: the reference of test_alu_bcd.\n");
	printf("# made by: make alu32-reference (%s --reference, gzip -9n), %s\n", "alu_host32", date);
	printf("# vendor: %s\n", vendor);
	printf("# cpu: %.48s (family 0x%x model 0x%x stepping %u)\n", (const char *)brand, fam, model,
	       sig & 0xf);
	printf("# columns, hex: opcode imm ax_in flags_in ax_out flags_out;"
	       " flags are CF PF AF ZF SF OF (mask 0x8d5)\n");
}

int main(int argc, char **argv)
{
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	if (argc > 1 && !strcmp(argv[1], "--vendor")) {
		unsigned a, v[3];
		__cpuid(0, a, v[0], v[2], v[1]);
		printf("%.12s\n", (const char *)v);
		return 0;
	}
	text = argc > 1 && !strcmp(argv[1], "--reference");
	if (argc > 1 && !text) {
		fprintf(stderr, "usage: alu_host32 [--reference | --vendor]\n");
		return 2;
	}
	if (text)
		header();
	run_all(!text);
	return fflush(stdout) != 0;
}
