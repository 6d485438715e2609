// Runs the instructions 64-bit mode lacks (DAA DAS AAA AAS AAM AAD SALC) natively and prints binary records for test_alu_host.
// SPDX-License-Identifier: MIT
/* Built with gcc -m32 by testsuite/alu-host/alu-host.mk. Each record is
 * struct alu32_rec (below, the same in test_alu_host.c): the opcode byte,
 * its immediate, AX and the arithmetic flags before and after. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

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

static void run(uint8_t op, uint8_t imm, uint16_t ax, uint16_t fl)
{
	struct ctx x = {0x12340000u | ax, 0x2u | fl};
	((void (*)(struct ctx *))code)(&x);
	struct alu32_rec r = {op, imm, ax, fl, (uint16_t)x.eax, (uint16_t)(x.fl & ARITH)};
	fwrite(&r, sizeof r, 1, stdout);
}

int main(void)
{
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	static const uint8_t adjusts[] = {0x27, 0x2f, 0x37, 0x3f};	/* DAA DAS AAA AAS */
	static const uint8_t ahs[] = {0x00, 0x01, 0x12, 0x7f, 0x80, 0xfe, 0xff};
	static const uint16_t fls[] = {0, CF, AF, CF | AF, ARITH, ARITH & ~CF, ARITH & ~AF,
				       ARITH & ~(CF | AF)};
	for (unsigned o = 0; o < sizeof adjusts; o++) {
		emit(adjusts[o], 0, 0);
		for (unsigned al = 0; al < 256; al++)
			for (unsigned h = 0; h < sizeof ahs; h++)
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
	for (unsigned k = 0; k < sizeof aad_imm; k++) {
		emit(0xd5, aad_imm[k], 1);
		for (unsigned ax = 0; ax < 65536; ax++)
			run(0xd5, aad_imm[k], (uint16_t)ax, (ax & 1) ? ARITH : 0);
	}
	emit(0xd6, 0, 0);	/* SALC */
	for (unsigned f = 0; f < sizeof fls / sizeof fls[0]; f++) {
		run(0xd6, 0, 0x0000, fls[f]);
		run(0xd6, 0, 0x5a5a, fls[f]);
	}
	return fflush(stdout) != 0;
}
