/* Hand-written decoder cases: prefixes, addressing forms, immediates, limits and the odd corners. */
// SPDX-License-Identifier: MIT
#include "check.h"

#include <string.h>

#include "cpu/decode.h"
#include "cpu/state.h"

static struct insn in;

/* decode hex bytes (spaces allowed) in a mode, with exactly those bytes available */
static enum decode_result dec(int mode, const char *hex)
{
	uint8_t buf[32];
	size_t n = 0;

	while (*hex && n < sizeof(buf)) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2hhx", &buf[n++]);
		hex += 2;
	}
	return decode(&in, buf, n, mode);
}

static void test_prefixes(void)
{
	CHECK_EQ(dec(32, "66 01 c0"), DECODE_OK);
	CHECK_EQ(in.osize, 2);
	CHECK_EQ(in.opnd[0].size, 2);
	CHECK_EQ(in.prefixes, PFX_OPSIZE);
	CHECK_EQ(dec(16, "66 01 c0"), DECODE_OK);
	CHECK_EQ(in.osize, 4);
	CHECK_EQ(dec(16, "67 8b 00"), DECODE_OK);
	CHECK_EQ(in.asize, 4);
	CHECK_EQ(in.base, 0);
	CHECK_EQ(dec(64, "67 8b 00"), DECODE_OK);
	CHECK_EQ(in.asize, 4);
	/* the last of F2/F3 decides */
	CHECK_EQ(dec(32, "f3 a4"), DECODE_OK);
	CHECK_EQ(in.op, OP_MOVS);
	CHECK_EQ(in.prefixes, PFX_REP);
	CHECK_EQ(dec(32, "f3 f2 a6"), DECODE_OK);
	CHECK_EQ(in.prefixes, PFX_REPNE);
	/* 66 with REX.W: REX.W wins */
	CHECK_EQ(dec(64, "66 48 01 c0"), DECODE_OK);
	CHECK_EQ(in.osize, 8);
	/* REX counts only right before the opcode */
	CHECK_EQ(dec(64, "48 66 01 c0"), DECODE_OK);
	CHECK_EQ(in.osize, 2);
	CHECK_EQ(in.rex, 0);
	CHECK_EQ(dec(64, "41 48 01 c0"), DECODE_OK);
	CHECK_EQ(in.rex, 0x48);
	CHECK_EQ(in.opnd[0].reg, 0);
	/* 40-4F are INC/DEC outside 64-bit mode */
	CHECK_EQ(dec(32, "40"), DECODE_OK);
	CHECK_EQ(in.op, OP_INC);
	CHECK_EQ(in.opnd[0].reg, 0);
	CHECK_EQ(dec(16, "4f"), DECODE_OK);
	CHECK_EQ(in.op, OP_DEC);
	CHECK_EQ(in.opnd[0].reg, 7);
	CHECK_EQ(in.opnd[0].size, 2);
	CHECK_EQ(dec(64, "40 90"), DECODE_OK);
	CHECK_EQ(in.op, OP_NOP);
	CHECK_EQ(in.len, 2);
	/* byte registers: AH without REX, SPL with one */
	CHECK_EQ(dec(64, "88 e0"), DECODE_OK);	/* mov al, ah */
	CHECK_EQ(in.opnd[0].reg, 0);
	CHECK_EQ(in.opnd[1].reg, REG_AH + 0);
	CHECK_EQ(dec(64, "40 88 e0"), DECODE_OK);	/* mov al, spl */
	CHECK_EQ(in.opnd[0].reg, 0);
	CHECK_EQ(in.opnd[1].reg, 4);
}

static void test_segments(void)
{
	CHECK_EQ(dec(32, "2e 8b 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_CS);
	CHECK(in.prefixes & PFX_SEG);
	CHECK_EQ(dec(32, "8b 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_DS);
	/* 64-bit mode ignores ES/CS/SS/DS overrides, honours FS/GS */
	CHECK_EQ(dec(64, "2e 8b 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_DS);
	CHECK(!(in.prefixes & PFX_SEG));
	CHECK_EQ(dec(64, "64 8b 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_FS);
	CHECK_EQ(dec(64, "65 2e 8b 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_GS);
	CHECK_EQ(dec(64, "36 8b 45 00"), DECODE_OK);
	CHECK_EQ(in.seg, S_SS);	/* the rBP default, not the override */
	/* string source takes the override, destination stays ES */
	CHECK_EQ(dec(32, "26 a5"), DECODE_OK);
	CHECK_EQ(in.seg, S_ES);
	CHECK_EQ(in.opnd[0].kind, OPK_STR_DST);
	CHECK_EQ(in.opnd[1].kind, OPK_STR_SRC);
	CHECK_EQ(in.opnd[0].size, 4);
}

static void test_modrm16(void)
{
	CHECK_EQ(dec(16, "8b 00"), DECODE_OK);	/* [bx+si] */
	CHECK_EQ(in.base, 3);
	CHECK_EQ(in.index, 6);
	CHECK_EQ(in.seg, S_DS);
	CHECK_EQ(dec(16, "8b 02"), DECODE_OK);	/* [bp+si] */
	CHECK_EQ(in.base, 5);
	CHECK_EQ(in.index, 6);
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(16, "8b 46 08"), DECODE_OK);	/* [bp+8] */
	CHECK_EQ(in.base, 5);
	CHECK_EQ(in.index, REG_NONE);
	CHECK_EQ(in.disp, 8);
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(16, "8b 86 fe ff"), DECODE_OK);	/* [bp-2] */
	CHECK_EQ(in.disp, -2);
	CHECK_EQ(in.len, 4);
	CHECK_EQ(dec(16, "8b 06 34 12"), DECODE_OK);	/* [0x1234] */
	CHECK_EQ(in.base, REG_NONE);
	CHECK_EQ(in.disp, 0x1234);
	CHECK_EQ(in.seg, S_DS);
	CHECK_EQ(dec(16, "8b 07"), DECODE_OK);	/* [bx] */
	CHECK_EQ(in.base, 3);
	CHECK_EQ(dec(16, "3e 8b 46 00"), DECODE_OK);	/* ds:[bp] */
	CHECK_EQ(in.seg, S_DS);
}

static void test_modrm32(void)
{
	CHECK_EQ(dec(32, "8b 04 24"), DECODE_OK);	/* [esp] */
	CHECK_EQ(in.base, 4);
	CHECK_EQ(in.index, REG_NONE);
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(32, "8b 45 00"), DECODE_OK);	/* [ebp+0] */
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(32, "8b 04 8d 78 56 34 12"), DECODE_OK);	/* [ecx*4+0x12345678] */
	CHECK_EQ(in.base, REG_NONE);
	CHECK_EQ(in.index, 1);
	CHECK_EQ(in.scale, 2);
	CHECK_EQ(in.disp, 0x12345678);
	CHECK_EQ(in.seg, S_DS);
	CHECK_EQ(in.len, 7);
	CHECK_EQ(dec(32, "8b 44 6d f0"), DECODE_OK);	/* [ebp+ebp*2-16] */
	CHECK_EQ(in.base, 5);
	CHECK_EQ(in.index, 5);
	CHECK_EQ(in.scale, 1);
	CHECK_EQ(in.disp, -16);
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(32, "8b 05 00 10 00 00"), DECODE_OK);	/* [0x1000] */
	CHECK_EQ(in.base, REG_NONE);
	CHECK_EQ(in.disp, 0x1000);
	CHECK_EQ(dec(32, "8b c1"), DECODE_OK);
	CHECK_EQ(in.opnd[1].kind, OPK_REG);
	CHECK_EQ(in.opnd[1].reg, 1);
}

static void test_modrm64(void)
{
	CHECK_EQ(dec(64, "8b 05 10 00 00 00"), DECODE_OK);	/* [rip+0x10] */
	CHECK_EQ(in.base, REG_RIP);
	CHECK_EQ(in.disp, 0x10);
	CHECK_EQ(in.asize, 8);
	CHECK_EQ(dec(64, "67 8b 05 10 00 00 00"), DECODE_OK);	/* [eip+0x10] */
	CHECK_EQ(in.base, REG_RIP);
	CHECK_EQ(in.asize, 4);
	CHECK_EQ(dec(64, "8b 04 25 00 10 00 00"), DECODE_OK);	/* [0x1000], no RIP */
	CHECK_EQ(in.base, REG_NONE);
	CHECK_EQ(in.index, REG_NONE);
	CHECK_EQ(dec(64, "41 8b 04 24"), DECODE_OK);	/* [r12]: DS, not SS */
	CHECK_EQ(in.base, 12);
	CHECK_EQ(in.seg, S_DS);
	CHECK_EQ(dec(64, "42 8b 04 20"), DECODE_OK);	/* [rax+r12] */
	CHECK_EQ(in.base, 0);
	CHECK_EQ(in.index, 12);
	CHECK_EQ(dec(64, "4c 8b 04 24"), DECODE_OK);	/* mov r8, [rsp] */
	CHECK_EQ(in.opnd[0].reg, 8);
	CHECK_EQ(in.opnd[0].size, 8);
	CHECK_EQ(in.seg, S_SS);
	CHECK_EQ(dec(64, "41 8b 45 00"), DECODE_OK);	/* [r13+0] needs the disp8 */
	CHECK_EQ(in.base, 13);
	CHECK_EQ(in.len, 4);
}

static void test_immediates(void)
{
	CHECK_EQ(dec(64, "48 05 ff ff ff ff"), DECODE_OK);	/* Iz sign-extended */
	CHECK_EQ(in.imm, 0xffffffffffffffffull);
	CHECK_EQ(in.opnd[1].size, 8);
	CHECK_EQ(dec(64, "05 00 00 00 80"), DECODE_OK);
	CHECK_EQ(in.imm, 0x80000000u);
	CHECK_EQ(dec(64, "48 b8 88 77 66 55 44 33 22 11"), DECODE_OK);	/* MOV r64, imm64 */
	CHECK_EQ(in.imm, 0x1122334455667788ull);
	CHECK_EQ(in.len, 10);
	CHECK_EQ(dec(32, "66 83 c0 ff"), DECODE_OK);
	CHECK_EQ(in.imm, 0xffff);
	CHECK_EQ(dec(64, "6a ff"), DECODE_OK);
	CHECK_EQ(in.osize, 8);
	CHECK_EQ(in.imm, 0xffffffffffffffffull);
	CHECK_EQ(dec(32, "c8 34 12 05"), DECODE_OK);	/* ENTER Iw, Ib */
	CHECK_EQ(in.op, OP_ENTER);
	CHECK_EQ(in.imm, 0x1234);
	CHECK_EQ(in.imm2, 5);
	CHECK_EQ(in.len, 4);
	CHECK_EQ(dec(32, "ea 78 56 34 12 08 00"), DECODE_OK);	/* JMP 0008:12345678 */
	CHECK_EQ(in.op, OP_JMP_FAR);
	CHECK_EQ(in.opnd[0].kind, OPK_FAR);
	CHECK_EQ(in.opnd[0].size, 6);
	CHECK_EQ(in.imm, 0x12345678);
	CHECK_EQ(in.imm2, 8);
	CHECK_EQ(dec(16, "9a 34 12 00 f0"), DECODE_OK);	/* CALL F000:1234 */
	CHECK_EQ(in.imm, 0x1234);
	CHECK_EQ(in.imm2, 0xf000);
	CHECK_EQ(in.opnd[0].size, 4);
	CHECK_EQ(dec(64, "ea 00 00 00 00 00 00"), DECODE_UD);
	/* moffs takes the address size */
	CHECK_EQ(dec(32, "a1 78 56 34 12"), DECODE_OK);
	CHECK_EQ(in.imm, 0x12345678);
	CHECK_EQ(in.opnd[1].kind, OPK_MEM);
	CHECK_EQ(dec(32, "67 a1 34 12"), DECODE_OK);
	CHECK_EQ(in.imm, 0x1234);
	CHECK_EQ(in.len, 4);
	CHECK_EQ(dec(64, "a1 88 77 66 55 44 33 22 11"), DECODE_OK);
	CHECK_EQ(in.imm, 0x1122334455667788ull);
	CHECK_EQ(in.len, 9);
	CHECK_EQ(dec(64, "67 a0 44 33 22 11"), DECODE_OK);
	CHECK_EQ(in.imm, 0x11223344);
	/* branches */
	CHECK_EQ(dec(32, "74 fe"), DECODE_OK);
	CHECK_EQ(in.op, OP_JCC);
	CHECK_EQ(in.cond, 4);
	CHECK_EQ(in.imm, (uint64_t)-2);
	CHECK_EQ(dec(32, "0f 8f 00 01 00 00"), DECODE_OK);
	CHECK_EQ(in.cond, 15);
	CHECK_EQ(in.imm, 0x100);
	CHECK_EQ(dec(32, "66 e9 00 80"), DECODE_OK);	/* rel16 */
	CHECK_EQ(in.imm, (uint64_t)-0x8000);
	CHECK_EQ(dec(64, "66 e8 00 00 00 00"), DECODE_OK);	/* 66 ignored: rel32 */
	CHECK_EQ(in.len, 6);
	CHECK_EQ(in.osize, 8);
}

static void test_limits(void)
{
	/* 14 prefixes + opcode = 15 bytes: fine; one more is #GP */
	CHECK_EQ(dec(32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"), DECODE_OK);
	CHECK_EQ(in.len, 15);
	CHECK_EQ(dec(32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90"), DECODE_TOO_LONG);
	CHECK_EQ(dec(32, "26 26 26 26 26 26 26 26 81 84 24 00 00 00 00 01 00 00 00"), DECODE_TOO_LONG);
	CHECK_EQ(dec(32, "26 26 26 26 26 26 26 81 84 24 00 00 00 00 01 00 00 00"), DECODE_TOO_LONG);
	CHECK_EQ(dec(32, "26 26 26 26 81 84 24 00 00 00 00 01 00 00 00"), DECODE_OK);
	CHECK_EQ(in.len, 15);
	/* short of bytes */
	CHECK_EQ(dec(32, "0f"), DECODE_MORE);
	CHECK_EQ(dec(32, "66"), DECODE_MORE);
	CHECK_EQ(dec(32, "8b"), DECODE_MORE);
	CHECK_EQ(dec(32, "8b 84"), DECODE_MORE);
	CHECK_EQ(dec(32, "8b 84 24 00 00"), DECODE_MORE);
	CHECK_EQ(dec(32, "b8 01 02"), DECODE_MORE);
	CHECK_EQ(dec(32, "0f 38"), DECODE_MORE);
	CHECK_EQ(dec(64, "48"), DECODE_MORE);
	CHECK_EQ(dec(32, ""), DECODE_MORE);
}

static void test_lock(void)
{
	CHECK_EQ(dec(32, "f0 01 00"), DECODE_OK);
	CHECK(in.prefixes & PFX_LOCK);
	CHECK_EQ(dec(32, "f0 01 c0"), DECODE_UD);	/* register destination */
	CHECK_EQ(in.op, OP_INVALID);
	CHECK_EQ(dec(32, "f0 3b 00"), DECODE_UD);	/* CMP is not lockable */
	CHECK_EQ(dec(32, "f0 39 00"), DECODE_UD);
	CHECK_EQ(dec(32, "f0 8b 00"), DECODE_UD);	/* MOV */
	CHECK_EQ(dec(32, "f0 90"), DECODE_UD);
	CHECK_EQ(dec(32, "f0 0f a3 00"), DECODE_UD);	/* BT */
	CHECK_EQ(dec(32, "f0 0f ab 00"), DECODE_OK);	/* BTS */
	CHECK_EQ(dec(32, "f0 0f ba 28 01"), DECODE_OK);	/* BTS m, imm */
	CHECK_EQ(dec(32, "f0 87 00"), DECODE_OK);	/* XCHG */
	CHECK_EQ(dec(32, "f0 0f c7 08"), DECODE_OK);	/* CMPXCHG8B */
	CHECK_EQ(dec(32, "f0 0f c7 c8"), DECODE_UD);
	CHECK_EQ(dec(32, "f0 f7 18"), DECODE_OK);	/* NEG */
	CHECK_EQ(dec(32, "f0 f7 00 01 00 00 00"), DECODE_UD);	/* TEST */
	CHECK_EQ(dec(32, "f0 0f 20 c0"), DECODE_UD);	/* MOV CR8 alias (AMD): not ours */
}

static void test_mandatory_prefixes(void)
{
	CHECK_EQ(dec(32, "f3 0f 10 00"), DECODE_OK);	/* MOVSS xmm0, m32 */
	CHECK_EQ(in.op, OP_SSE);
	CHECK_EQ(in.opnd[0].kind, OPK_XMM);
	CHECK_EQ(in.opnd[1].size, 4);
	CHECK_EQ(dec(32, "f2 0f 10 00"), DECODE_OK);	/* MOVSD */
	CHECK_EQ(in.opnd[1].size, 8);
	CHECK_EQ(dec(32, "66 0f 10 00"), DECODE_OK);	/* MOVUPD */
	CHECK_EQ(in.opnd[1].size, 16);
	CHECK_EQ(dec(32, "0f ef c1"), DECODE_OK);	/* PXOR mm0, mm1 */
	CHECK_EQ(in.opnd[0].kind, OPK_MMX);
	CHECK_EQ(dec(32, "66 0f ef c1"), DECODE_OK);	/* PXOR xmm0, xmm1 */
	CHECK_EQ(in.opnd[0].kind, OPK_XMM);
	CHECK_EQ(dec(32, "f3 0f ef c1"), DECODE_UD);	/* reserved: #UD as on the host */
	CHECK_EQ(dec(32, "66 3e 0f ef c1"), DECODE_OK);	/* 66 need not be last */
	CHECK_EQ(in.opnd[0].kind, OPK_XMM);
	CHECK_EQ(dec(32, "f3 0f b8 c1"), DECODE_OK);
	CHECK_EQ(in.op, OP_POPCNT);
	CHECK_EQ(dec(32, "0f b8 c1"), DECODE_UD);
	CHECK_EQ(dec(32, "f3 0f bc c1"), DECODE_OK);
	CHECK_EQ(in.op, OP_TZCNT);
	CHECK_EQ(dec(32, "66 0f bc c1"), DECODE_OK);	/* 66 BSF is BSF r16 */
	CHECK_EQ(in.op, OP_BSF);
	CHECK_EQ(in.osize, 2);
	CHECK_EQ(dec(32, "f2 0f af c1"), DECODE_OK);	/* F2 ignored on IMUL */
	CHECK_EQ(in.op, OP_IMUL);
	CHECK_EQ(dec(32, "f3 90"), DECODE_OK);
	CHECK_EQ(in.op, OP_PAUSE);
	CHECK_EQ(dec(64, "41 90"), DECODE_OK);
	CHECK_EQ(in.op, OP_XCHG);
	CHECK_EQ(in.opnd[1].reg, 8);
	CHECK_EQ(dec(32, "f2 0f 38 f1 c1"), DECODE_OK);	/* CRC32 */
	CHECK_EQ(in.op, OP_SSE);
	CHECK_EQ(dec(32, "0f 38 f1 c1"), DECODE_UD);	/* MOVBE wants memory */
	CHECK_EQ(dec(32, "0f 38 f1 01"), DECODE_OK);
	CHECK_EQ(in.op, OP_MOVBE);
	CHECK_EQ(dec(32, "66 0f 3a 0f c1 08"), DECODE_OK);	/* PALIGNR xmm */
	CHECK_EQ(in.imm, 8);
	CHECK_EQ(in.len, 6);
	CHECK_EQ(dec(32, "0f 77"), DECODE_OK);
	CHECK_EQ(in.op, OP_EMMS);
	CHECK_EQ(in.len, 2);
	CHECK_EQ(dec(32, "66 0f ae e8"), DECODE_UD);	/* LFENCE is NP */
	CHECK_EQ(dec(32, "0f ae ef"), DECODE_OK);	/* rm ignored */
	CHECK_EQ(in.op, OP_LFENCE);
}

static void test_odd_corners(void)
{
	CHECK_EQ(dec(32, "0f 0f c1 b4"), DECODE_UD);	/* 3DNow! */
	CHECK_EQ(dec(32, "d6"), DECODE_OK);
	CHECK_EQ(in.op, OP_SALC);
	CHECK_EQ(dec(64, "d6"), DECODE_UD);
	CHECK_EQ(dec(32, "f1"), DECODE_OK);
	CHECK_EQ(in.op, OP_INT1);
	CHECK_EQ(dec(32, "0f 0b"), DECODE_OK);
	CHECK_EQ(in.op, OP_UD2);
	CHECK_EQ(dec(32, "0f b9 c0"), DECODE_OK);
	CHECK_EQ(in.op, OP_UD1);
	CHECK_EQ(in.len, 3);
	CHECK_EQ(dec(32, "0f ff 40 01"), DECODE_OK);
	CHECK_EQ(in.op, OP_UD0);
	CHECK_EQ(in.len, 4);
	/* NOP forms */
	CHECK_EQ(dec(32, "0f 1f 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_NOP);
	CHECK_EQ(dec(32, "66 0f 1f 84 00 00 00 00 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_NOP);
	CHECK_EQ(in.len, 9);
	CHECK_EQ(dec(32, "0f 18 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_PREFETCH);
	CHECK_EQ(dec(32, "0f 18 c0"), DECODE_OK);
	CHECK_EQ(in.op, OP_NOP_HINT);
	CHECK_EQ(dec(32, "0f 1c 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_NOP_HINT);
	CHECK_EQ(dec(64, "f3 0f 1e fa"), DECODE_OK);	/* ENDBR64 is a hint NOP to us */
	CHECK_EQ(in.op, OP_NOP_HINT);
	/* x87 */
	CHECK_EQ(dec(32, "d9 00"), DECODE_OK);	/* FLD m32 */
	CHECK_EQ(in.op, OP_X87);
	CHECK_EQ(in.opnd[0].kind, OPK_MEM);
	CHECK_EQ(in.opnd[0].size, 4);
	CHECK_EQ(dec(32, "db 28"), DECODE_OK);	/* FLD m80 */
	CHECK_EQ(in.opnd[0].size, 10);
	CHECK_EQ(dec(32, "dd 30"), DECODE_OK);	/* FNSAVE */
	CHECK_EQ(in.opnd[0].size, 108);
	CHECK_EQ(dec(32, "66 d9 30"), DECODE_OK);	/* FNSTENV, 16-bit */
	CHECK_EQ(in.opnd[0].size, 14);
	CHECK_EQ(dec(32, "d8 c1"), DECODE_OK);	/* FADD st0, st1 */
	CHECK_EQ(in.nopnd, 2);
	CHECK_EQ(in.opnd[0].kind, OPK_ST);
	CHECK_EQ(in.opnd[1].reg, 1);
	CHECK_EQ(dec(32, "d9 d1"), DECODE_UD);
	CHECK_EQ(dec(32, "d9 08"), DECODE_UD);
	CHECK_EQ(dec(32, "df e0"), DECODE_OK);	/* FNSTSW AX */
	CHECK_EQ(in.opnd[0].kind, OPK_REG);
	CHECK_EQ(in.opnd[0].size, 2);
	CHECK_EQ(dec(32, "de d9"), DECODE_OK);	/* FCOMPP */
	CHECK_EQ(in.nopnd, 0);
	CHECK_EQ(dec(32, "f0 d8 00"), DECODE_UD);
	/* C4/C5: LES/LDS with memory outside 64-bit mode, VEX otherwise */
	CHECK_EQ(dec(32, "c4 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_LES);
	CHECK_EQ(in.opnd[1].size, 6);
	CHECK_EQ(dec(16, "c5 00"), DECODE_OK);
	CHECK_EQ(in.op, OP_LDS);
	CHECK_EQ(in.opnd[1].size, 4);
	CHECK_EQ(dec(32, "c5 f8 77"), DECODE_UD);	/* VZEROUPPER */
	CHECK_EQ(dec(64, "c4 00 00"), DECODE_UD);
	CHECK_EQ(dec(64, "c5 f8 77"), DECODE_UD);
	/* system forms */
	CHECK_EQ(dec(32, "0f 20 c0"), DECODE_OK);
	CHECK_EQ(in.op, OP_MOV_CR_STORE);
	CHECK_EQ(in.opnd[1].kind, OPK_CR);
	CHECK_EQ(in.opnd[0].size, 4);
	CHECK_EQ(dec(32, "0f 22 18"), DECODE_OK);	/* mod ignored: MOV CR3, EAX */
	CHECK_EQ(in.opnd[0].reg, 3);
	CHECK_EQ(in.opnd[1].kind, OPK_REG);
	CHECK_EQ(in.len, 3);
	CHECK_EQ(dec(32, "0f 20 c8"), DECODE_UD);	/* CR1 */
	CHECK_EQ(dec(64, "44 0f 20 c0"), DECODE_OK);	/* CR8 */
	CHECK_EQ(in.opnd[1].reg, 8);
	CHECK_EQ(in.opnd[0].size, 8);
	CHECK_EQ(dec(64, "44 0f 21 c0"), DECODE_UD);	/* DR8 */
	CHECK_EQ(dec(32, "8e c8"), DECODE_UD);	/* MOV CS, r */
	CHECK_EQ(dec(32, "8e d8"), DECODE_OK);
	CHECK_EQ(in.op, OP_MOV_SEG_LOAD);
	CHECK_EQ(in.opnd[0].reg, S_DS);
	CHECK_EQ(dec(32, "8c 38"), DECODE_UD);	/* Sreg 7 */
	CHECK_EQ(dec(64, "48 0f c7 08"), DECODE_OK);	/* CMPXCHG16B */
	CHECK_EQ(in.opnd[0].size, 16);
	CHECK_EQ(dec(64, "48 63 c1"), DECODE_OK);
	CHECK_EQ(in.op, OP_MOVSXD);
	CHECK_EQ(in.opnd[0].size, 8);
	CHECK_EQ(in.opnd[1].size, 4);
	CHECK_EQ(dec(32, "63 c1"), DECODE_OK);
	CHECK_EQ(in.op, OP_ARPL);
	CHECK_EQ(dec(32, "82 c0 01"), DECODE_OK);
	CHECK_EQ(in.op, OP_ADD);
	CHECK_EQ(dec(64, "82 c0 01"), DECODE_UD);
	CHECK_EQ(dec(64, "0f 01 f8"), DECODE_OK);
	CHECK_EQ(in.op, OP_SWAPGS);
	CHECK_EQ(dec(32, "0f 01 f8"), DECODE_UD);
	CHECK_EQ(dec(64, "50"), DECODE_OK);	/* PUSH defaults to 64 bits */
	CHECK_EQ(in.opnd[0].size, 8);
	CHECK_EQ(dec(64, "66 50"), DECODE_OK);
	CHECK_EQ(in.opnd[0].size, 2);
	CHECK_EQ(dec(32, "0f 02 c1"), DECODE_OK);	/* LAR r32, r32 */
	CHECK_EQ(in.opnd[1].size, 4);
	CHECK_EQ(dec(32, "0f 02 01"), DECODE_OK);	/* LAR r32, m16 */
	CHECK_EQ(in.opnd[1].size, 2);
	CHECK_EQ(dec(32, "62 c0"), DECODE_UD);	/* BOUND needs memory (EVEX) */
	CHECK_EQ(dec(32, "62 00"), DECODE_OK);
	CHECK_EQ(in.opnd[1].size, 8);
	CHECK_EQ(dec(32, "8d c0"), DECODE_UD);	/* LEA reg */
	CHECK_EQ(dec(32, "ff 38"), DECODE_UD);	/* FF /7 */
	CHECK_EQ(dec(32, "ff 18"), DECODE_OK);	/* CALL m16:32 */
	CHECK_EQ(in.op, OP_CALL_FAR);
	CHECK_EQ(in.opnd[0].size, 6);
	CHECK_EQ(dec(32, "d4 0a"), DECODE_OK);
	CHECK_EQ(in.op, OP_AAM);
	CHECK_EQ(in.imm, 10);
}

static void test_names(void)
{
	CHECK(!strcmp(decode_reg_name(0, 8), "rax"));
	CHECK(!strcmp(decode_reg_name(0, 4), "eax"));
	CHECK(!strcmp(decode_reg_name(REG_AH + 3, 1), "bh"));
	CHECK(!strcmp(decode_reg_name(4, 1), "spl"));
	CHECK(!strcmp(decode_reg_name(9, 2), "r9w"));
	CHECK(!strcmp(decode_reg_name(15, 1), "r15b"));
	CHECK(!strcmp(decode_reg_name(REG_RIP, 8), "rip"));
	CHECK(!strcmp(decode_reg_name(3, 3), "?"));
	CHECK(!strcmp(insn_op_name[OP_ADD], "ADD"));
	CHECK(!strcmp(insn_op_name[OP_INVALID], "INVALID"));
}

int main(void)
{
	CHECK_SUITE("decode");
	RUN(test_prefixes);
	RUN(test_segments);
	RUN(test_modrm16);
	RUN(test_modrm32);
	RUN(test_modrm64);
	RUN(test_immediates);
	RUN(test_limits);
	RUN(test_lock);
	RUN(test_mandatory_prefixes);
	RUN(test_odd_corners);
	RUN(test_names);
	return CHECK_EXIT();
}
