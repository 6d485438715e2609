/* The x86 opcode maps as data: the SDM's one-, two- and three-byte tables. */
// SPDX-License-Identifier: MIT
#include "cpu/optable.h"

#include "cpu/decode.h"		/* enum insn_op */
#include "cpu/state.h"		/* enum cpu_seg */

/* The operand letters of SDM appendix A.2, so rows read like the manual. */
#define OPN(a, s, x) { AM_##a, SZ_##s, x }
#define Eb OPN(E, B, 0)
#define Ew OPN(E, W, 0)
#define Ed OPN(E, D, 0)
#define Ev OPN(E, V, 0)
#define Ey OPN(E, Y, 0)
#define RvMw OPN(E, V, SZ_W)	/* register of the operand size, or a word in memory */
#define RzMw OPN(E, Z, SZ_W)	/* LAR/LSL: r32 with a 64-bit destination */
#define RdMw OPN(E, D, SZ_W)
#define RdMb OPN(E, D, SZ_B)
#define Gb OPN(G, B, 0)
#define Gw OPN(G, W, 0)
#define Gd OPN(G, D, 0)
#define Gv OPN(G, V, 0)
#define Gy OPN(G, Y, 0)
#define Gz OPN(G, Z, 0)
#define Ib OPN(I, B, 0)
#define Iw OPN(I, W, 0)
#define Iz OPN(I, Z, 0)
#define Iv OPN(I, V, 0)
#define Ibs OPN(IS, V, 0)	/* the SDM's Ib that is sign-extended to the operand size */
#define Ib2 OPN(I2, B, 0)
#define Jb OPN(J, B, 0)
#define Jz OPN(J, Z, 0)
#define M0 OPN(M, NONE, 0)
#define Mb OPN(M, B, 0)
#define Mw OPN(M, W, 0)
#define Md OPN(M, D, 0)
#define Mq OPN(M, Q, 0)
#define Mv OPN(M, V, 0)
#define My OPN(M, Y, 0)
#define Mdq OPN(M, DQ, 0)
#define Mp OPN(M, P, 0)
#define Ms OPN(M, S, 0)
#define Ma OPN(M, A, 0)
#define Rrc OPN(R, CR, 0)	/* MOV CR/DR: 32 bits, 64 in 64-bit mode */
#define Crc OPN(C, CR, 0)
#define Drc OPN(D, CR, 0)
#define Rv OPN(R, V, 0)
#define Ob OPN(O, B, 0)
#define Ov OPN(O, V, 0)
#define Ap OPN(A, P, 0)
#define Sw OPN(S, W, 0)
#define Xb OPN(X, B, 0)
#define Xv OPN(X, V, 0)
#define Xz OPN(X, Z, 0)
#define Yb OPN(Y, B, 0)
#define Yv OPN(Y, V, 0)
#define Yz OPN(Y, Z, 0)
#define Zb OPN(Z, B, 0)
#define Zv OPN(Z, V, 0)
#define AL OPN(REG, B, 0)
#define CL OPN(REG, B, 1)
#define DX OPN(REG, W, 2)
#define rAX OPN(REG, V, 0)
#define eAX OPN(REG, Z, 0)
#define One OPN(ONE, B, 0)
#define sES OPN(SEG, W, S_ES)
#define sCS OPN(SEG, W, S_CS)
#define sSS OPN(SEG, W, S_SS)
#define sDS OPN(SEG, W, S_DS)
#define sFS OPN(SEG, W, S_FS)
#define sGS OPN(SEG, W, S_GS)
/* SSE/MMX: XMM registers are 16 bytes; x is the memory size when narrower */
#define Vx OPN(V, DQ, 0)
#define Wx OPN(W, DQ, 0)
#define Wq OPN(W, DQ, SZ_Q)
#define Wd OPN(W, DQ, SZ_D)
#define Ww OPN(W, DQ, SZ_W)
#define Ux OPN(U, DQ, 0)
#define Mx OPN(M, DQ, 0)
#define Pq OPN(P, Q, 0)
#define Qq OPN(Q, Q, 0)
#define Qd OPN(Q, Q, SZ_D)
#define Nq OPN(N, Q, 0)
#define X0 OPN(XMM0, DQ, 0)

enum {
	M = OF_MODRM, L = OF_LOCK, I64 = OF_I64, O64 = OF_O64, D64 = OF_D64, F64 = OF_F64,
};

#define R(o, f, ...) { OP_##o, (f), 0, { __VA_ARGS__ } }
#define UD { OP_INVALID, 0, 0, { { 0 } } }
#define GRP(g) { OP_INVALID, OF_MODRM | OF_GRP, (g), { { 0 } } }
#define GRPM(g) { OP_INVALID, OF_MODRM | OF_GRP | OF_GRPMOD, (g), { { 0 } } }
#define RMG(g) { OP_INVALID, OF_MODRM | OF_RM, (g), { { 0 } } }
#define PFX(p) { OP_INVALID, OF_MODRM | OF_PFX, (p), { { 0 } } }
#define PFXN(p) { OP_INVALID, OF_PFX, (p), { { 0 } } }	/* no ModRM */
#define ESC { OP_INVALID, OF_ESC, 0, { { 0 } } }
#define X87(n) { OP_X87, OF_MODRM | OF_X87, (n), { { 0 } } }

/* ModRM.reg groups (SDM table A-6); *_R are the mod=3 halves of OF_GRPMOD */
enum {
	G1_80, G1_81, G1_82, G1_83, G1A, G2_C0, G2_C1, G2_D0, G2_D1, G2_D2, G2_D3,
	G3_F6, G3_F7, G4, G5, G6, G7, G7_R, G8, G9, G9_R, G10, G11_C6, G11_C7,
	G12, G12_R, G13, G13_R, G14, G14_R, G15, G15_R, G16, G16_R, GNOP,
};

/* ModRM.rm tables (mod=3 rows of group 7) */
enum { RM_01_0, RM_01_1, RM_01_2, RM_01_3, RM_01_5, RM_01_7 };

/* mandatory-prefix rows: none, 66, F3, F2 */
enum {
	P_10, P_11, P_12, P_13, P_14, P_15, P_16, P_17, P_28, P_29, P_2A, P_2B, P_2C, P_2D,
	P_2E, P_2F, P_50, P_51, P_52, P_53, P_54, P_55, P_56, P_57, P_58, P_59, P_5A, P_5B,
	P_5C, P_5D, P_5E, P_5F, P_MMX, P_MMX2, P_6C, P_6D, P_6E, P_6F, P_70, P_7C, P_7D,
	P_77, P_7E, P_7F, P_B8, P_BC, P_BD, P_C2, P_C3, P_C4, P_C5, P_C6, P_D0, P_D6, P_D7, P_E6,
	P_E7, P_F0, P_F7, P_G12, P_G13, P_G14_2, P_G14_3, P_G14_6, P_G14_7, P_AE0, P_AE1, P_AE2, P_AE3, P_AE4, P_AE5, P_AE7, P_AE_R5, P_AE_R6, P_AE_R7,
	P_C7_R6, P_C7_R7, P_38SSSE3, P_38SSE41, P_38_PMOVX_Q, P_38_PMOVX_D, P_38_PMOVX_W,
	P_38_BLENDV, P_38_2A, P_38_F0, P_38_F1, P_3A_SSE41, P_3A_0A, P_3A_0B, P_3A_0F, P_3A_14,
	P_3A_15, P_3A_16, P_3A_17, P_3A_20, P_3A_21, P_3A_22,
};

const struct opt_row opt_one[256] = {
	[0x00] = R(ADD, M | L, Eb, Gb), R(ADD, M | L, Ev, Gv), R(ADD, M, Gb, Eb), R(ADD, M, Gv, Ev),
		 R(ADD, 0, AL, Ib), R(ADD, 0, rAX, Iz),
		 R(PUSH_SEG, I64, sES), R(POP_SEG, I64, sES),
	[0x08] = R(OR, M | L, Eb, Gb), R(OR, M | L, Ev, Gv), R(OR, M, Gb, Eb), R(OR, M, Gv, Ev),
		 R(OR, 0, AL, Ib), R(OR, 0, rAX, Iz),
		 R(PUSH_SEG, I64, sCS), ESC,
	[0x10] = R(ADC, M | L, Eb, Gb), R(ADC, M | L, Ev, Gv), R(ADC, M, Gb, Eb), R(ADC, M, Gv, Ev),
		 R(ADC, 0, AL, Ib), R(ADC, 0, rAX, Iz),
		 R(PUSH_SEG, I64, sSS), R(POP_SEG, I64, sSS),
	[0x18] = R(SBB, M | L, Eb, Gb), R(SBB, M | L, Ev, Gv), R(SBB, M, Gb, Eb), R(SBB, M, Gv, Ev),
		 R(SBB, 0, AL, Ib), R(SBB, 0, rAX, Iz),
		 R(PUSH_SEG, I64, sDS), R(POP_SEG, I64, sDS),
	[0x20] = R(AND, M | L, Eb, Gb), R(AND, M | L, Ev, Gv), R(AND, M, Gb, Eb), R(AND, M, Gv, Ev),
		 R(AND, 0, AL, Ib), R(AND, 0, rAX, Iz),
		 UD /* ES: */, R(DAA, I64),
	[0x28] = R(SUB, M | L, Eb, Gb), R(SUB, M | L, Ev, Gv), R(SUB, M, Gb, Eb), R(SUB, M, Gv, Ev),
		 R(SUB, 0, AL, Ib), R(SUB, 0, rAX, Iz),
		 UD /* CS: */, R(DAS, I64),
	[0x30] = R(XOR, M | L, Eb, Gb), R(XOR, M | L, Ev, Gv), R(XOR, M, Gb, Eb), R(XOR, M, Gv, Ev),
		 R(XOR, 0, AL, Ib), R(XOR, 0, rAX, Iz),
		 UD /* SS: */, R(AAA, I64),
	[0x38] = R(CMP, M, Eb, Gb), R(CMP, M, Ev, Gv), R(CMP, M, Gb, Eb), R(CMP, M, Gv, Ev),
		 R(CMP, 0, AL, Ib), R(CMP, 0, rAX, Iz),
		 UD /* DS: */, R(AAS, I64),
	/* 40-4F are REX in 64-bit mode: the prefix loop takes them first */
	[0x40] = R(INC, 0, Zv), R(INC, 0, Zv), R(INC, 0, Zv), R(INC, 0, Zv),
		 R(INC, 0, Zv), R(INC, 0, Zv), R(INC, 0, Zv), R(INC, 0, Zv),
		 R(DEC, 0, Zv), R(DEC, 0, Zv), R(DEC, 0, Zv), R(DEC, 0, Zv),
		 R(DEC, 0, Zv), R(DEC, 0, Zv), R(DEC, 0, Zv), R(DEC, 0, Zv),
	[0x50] = R(PUSH, D64, Zv), R(PUSH, D64, Zv), R(PUSH, D64, Zv), R(PUSH, D64, Zv),
		 R(PUSH, D64, Zv), R(PUSH, D64, Zv), R(PUSH, D64, Zv), R(PUSH, D64, Zv),
		 R(POP, D64, Zv), R(POP, D64, Zv), R(POP, D64, Zv), R(POP, D64, Zv),
		 R(POP, D64, Zv), R(POP, D64, Zv), R(POP, D64, Zv), R(POP, D64, Zv),
	[0x60] = R(PUSHA, I64), R(POPA, I64), R(BOUND, M | I64, Gv, Ma), R(ARPL, M | I64, Ew, Gw),
		 UD /* FS: */, UD /* GS: */, UD /* 66 */, UD /* 67 */,
		 R(PUSH, D64, Iz), R(IMUL, M, Gv, Ev, Iz), R(PUSH, D64, Ibs), R(IMUL, M, Gv, Ev, Ibs),
		 R(INS, 0, Yb, DX), R(INS, 0, Yz, DX), R(OUTS, 0, DX, Xb), R(OUTS, 0, DX, Xz),
	[0x70] = R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb),
		 R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb),
		 R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb),
		 R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb), R(JCC, F64, Jb),
	[0x80] = GRP(G1_80), GRP(G1_81), GRP(G1_82), GRP(G1_83),
		 R(TEST, M, Eb, Gb), R(TEST, M, Ev, Gv), R(XCHG, M | L, Eb, Gb), R(XCHG, M | L, Ev, Gv),
		 R(MOV, M, Eb, Gb), R(MOV, M, Ev, Gv), R(MOV, M, Gb, Eb), R(MOV, M, Gv, Ev),
		 R(MOV_SEG_STORE, M, RvMw, Sw), R(LEA, M, Gv, M0), R(MOV_SEG_LOAD, M, Sw, RvMw), GRP(G1A),
	[0x90] = { OP_NOP, OF_NOP90, 0, { { 0 } } },
		 R(XCHG, 0, rAX, Zv), R(XCHG, 0, rAX, Zv), R(XCHG, 0, rAX, Zv),
		 R(XCHG, 0, rAX, Zv), R(XCHG, 0, rAX, Zv), R(XCHG, 0, rAX, Zv), R(XCHG, 0, rAX, Zv),
		 R(CBW, 0), R(CWD, 0), R(CALL_FAR, I64, Ap), R(FWAIT, 0),
		 R(PUSHF, D64), R(POPF, D64), R(SAHF, 0), R(LAHF, 0),
	[0xa0] = R(MOV, 0, AL, Ob), R(MOV, 0, rAX, Ov), R(MOV, 0, Ob, AL), R(MOV, 0, Ov, rAX),
		 R(MOVS, 0, Yb, Xb), R(MOVS, 0, Yv, Xv), R(CMPS, 0, Xb, Yb), R(CMPS, 0, Xv, Yv),
		 R(TEST, 0, AL, Ib), R(TEST, 0, rAX, Iz), R(STOS, 0, Yb, AL), R(STOS, 0, Yv, rAX),
		 R(LODS, 0, AL, Xb), R(LODS, 0, rAX, Xv), R(SCAS, 0, AL, Yb), R(SCAS, 0, rAX, Yv),
	[0xb0] = R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib),
		 R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib), R(MOV, 0, Zb, Ib),
		 R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv),
		 R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv), R(MOV, 0, Zv, Iv),
	/* C4/C5 with mod=3 are VEX (and always in 64-bit mode): #UD here, no AVX */
	[0xc0] = GRP(G2_C0), GRP(G2_C1), R(RET, F64, Iw), R(RET, F64),
		 R(LES, M | I64, Gz, Mp), R(LDS, M | I64, Gz, Mp), GRP(G11_C6), GRP(G11_C7),
		 R(ENTER, D64, Iw, Ib2), R(LEAVE, D64), R(RET_FAR, 0, Iw), R(RET_FAR, 0),
		 R(INT3, 0), R(INT, 0, Ib), R(INTO, I64), R(IRET, 0),
	[0xd0] = GRP(G2_D0), GRP(G2_D1), GRP(G2_D2), GRP(G2_D3),
		 R(AAM, I64, Ib), R(AAD, I64, Ib), R(SALC, I64), R(XLAT, 0),
		 X87(0), X87(1), X87(2), X87(3), X87(4), X87(5), X87(6), X87(7),
	[0xe0] = R(LOOPNE, F64, Jb), R(LOOPE, F64, Jb), R(LOOP, F64, Jb), R(JCXZ, F64, Jb),
		 R(IN, 0, AL, Ib), R(IN, 0, eAX, Ib), R(OUT, 0, Ib, AL), R(OUT, 0, Ib, eAX),
		 R(CALL, F64, Jz), R(JMP, F64, Jz), R(JMP_FAR, I64, Ap), R(JMP, F64, Jb),
		 R(IN, 0, AL, DX), R(IN, 0, eAX, DX), R(OUT, 0, DX, AL), R(OUT, 0, DX, eAX),
	[0xf0] = UD /* LOCK */, R(INT1, 0), UD /* REPNE */, UD /* REP */,
		 R(HLT, 0), R(CMC, 0), GRP(G3_F6), GRP(G3_F7),
		 R(CLC, 0), R(STC, 0), R(CLI, 0), R(STI, 0), R(CLD, 0), R(STD, 0), GRP(G4), GRP(G5),
};

/* 63 in 64-bit mode */
const struct opt_row opt_movsxd64 = R(MOVSXD, M, Gv, Ed);

#define MMX(p) PFX(p)
const struct opt_row opt_0f[256] = {
	[0x00] = GRP(G6), GRPM(G7), R(LAR, M, Gv, RzMw), R(LSL, M, Gv, RzMw),
		 UD, R(SYSCALL, 0), R(CLTS, 0), R(SYSRET, 0),
		 R(INVD, 0), R(WBINVD, 0), UD, R(UD2, 0),
		 UD, UD /* 0D: PREFETCHW (3DNow!/PRFCHW) */, UD /* FEMMS */, UD /* 3DNow! */,
	[0x10] = PFX(P_10), PFX(P_11), PFX(P_12), PFX(P_13), PFX(P_14), PFX(P_15), PFX(P_16), PFX(P_17),
		 GRPM(G16), R(NOP_HINT, M, Ev), R(NOP_HINT, M, Ev), R(NOP_HINT, M, Ev),
		 R(NOP_HINT, M, Ev), R(NOP_HINT, M, Ev), R(NOP_HINT, M, Ev), GRP(GNOP),
	[0x20] = R(MOV_CR_STORE, M | OF_MOD3, Rrc, Crc), R(MOV_DR_STORE, M | OF_MOD3, Rrc, Drc),
		 R(MOV_CR_LOAD, M | OF_MOD3, Crc, Rrc), R(MOV_DR_LOAD, M | OF_MOD3, Drc, Rrc),
		 UD, UD, UD, UD,
		 PFX(P_28), PFX(P_29), PFX(P_2A), PFX(P_2B), PFX(P_2C), PFX(P_2D), PFX(P_2E), PFX(P_2F),
	[0x30] = R(WRMSR, 0), R(RDTSC, 0), R(RDMSR, 0), R(RDPMC, 0),
		 R(SYSENTER, 0), R(SYSEXIT, 0), UD, UD /* GETSEC */,
		 ESC, UD, ESC, UD, UD, UD, UD, UD,
	[0x40] = R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev),
		 R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev),
		 R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev),
		 R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev), R(CMOVCC, M, Gv, Ev),
	[0x50] = PFX(P_50), PFX(P_51), PFX(P_52), PFX(P_53), PFX(P_54), PFX(P_55), PFX(P_56), PFX(P_57),
		 PFX(P_58), PFX(P_59), PFX(P_5A), PFX(P_5B), PFX(P_5C), PFX(P_5D), PFX(P_5E), PFX(P_5F),
	[0x60] = MMX(P_MMX), MMX(P_MMX), MMX(P_MMX), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 PFX(P_6C), PFX(P_6D), PFX(P_6E), PFX(P_6F),
	[0x70] = PFX(P_70), GRPM(G12), GRPM(G13), GRPM(G14),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), PFXN(P_77),
		 UD /* VMREAD, EXTRQ */, UD /* VMWRITE, INSERTQ */, UD, UD,
		 PFX(P_7C), PFX(P_7D), PFX(P_7E), PFX(P_7F),
	[0x80] = R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz),
		 R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz),
		 R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz),
		 R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz), R(JCC, F64, Jz),
	[0x90] = R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb),
		 R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb),
		 R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb),
		 R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb), R(SETCC, M, Eb),
	[0xa0] = R(PUSH_SEG, D64, sFS), R(POP_SEG, D64, sFS), R(CPUID, 0), R(BT, M, Ev, Gv),
		 R(SHLD, M, Ev, Gv, Ib), R(SHLD, M, Ev, Gv, CL), UD, UD,
		 R(PUSH_SEG, D64, sGS), R(POP_SEG, D64, sGS), R(RSM, 0), R(BTS, M | L, Ev, Gv),
		 R(SHRD, M, Ev, Gv, Ib), R(SHRD, M, Ev, Gv, CL), GRPM(G15), R(IMUL, M, Gv, Ev),
	[0xb0] = R(CMPXCHG, M | L, Eb, Gb), R(CMPXCHG, M | L, Ev, Gv), R(LSS, M, Gv, Mp), R(BTR, M | L, Ev, Gv),
		 R(LFS, M, Gv, Mp), R(LGS, M, Gv, Mp), R(MOVZX, M, Gv, Eb), R(MOVZX, M, Gv, Ew),
		 PFX(P_B8), GRP(G10), GRP(G8), R(BTC, M | L, Ev, Gv),
		 PFX(P_BC), PFX(P_BD), R(MOVSX, M, Gv, Eb), R(MOVSX, M, Gv, Ew),
	[0xc0] = R(XADD, M | L, Eb, Gb), R(XADD, M | L, Ev, Gv), PFX(P_C2), PFX(P_C3),
		 PFX(P_C4), PFX(P_C5), PFX(P_C6), GRPM(G9),
		 R(BSWAP, 0, Zv), R(BSWAP, 0, Zv), R(BSWAP, 0, Zv), R(BSWAP, 0, Zv),
		 R(BSWAP, 0, Zv), R(BSWAP, 0, Zv), R(BSWAP, 0, Zv), R(BSWAP, 0, Zv),
	[0xd0] = PFX(P_D0), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), PFX(P_D6), PFX(P_D7),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
	[0xe0] = MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), PFX(P_E6), PFX(P_E7),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
	[0xf0] = PFX(P_F0), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), PFX(P_F7),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2),
		 MMX(P_MMX2), MMX(P_MMX2), MMX(P_MMX2), R(UD0, M, Gv, Ev),
};

/* three-byte map 0F 38 (SDM table A-4) */
const struct opt_row opt_0f38[256] = {
	[0x00] = PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3),
		 PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3),
		 PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3),
	[0x10] = PFX(P_38_BLENDV), [0x14] = PFX(P_38_BLENDV), PFX(P_38_BLENDV),
	[0x17] = PFX(P_38SSE41),
	[0x1c] = PFX(P_38SSSE3), PFX(P_38SSSE3), PFX(P_38SSSE3),
	[0x20] = PFX(P_38_PMOVX_Q), PFX(P_38_PMOVX_D), PFX(P_38_PMOVX_W),
		 PFX(P_38_PMOVX_Q), PFX(P_38_PMOVX_D), PFX(P_38_PMOVX_Q),
	[0x28] = PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38_2A), PFX(P_38SSE41),
	[0x30] = PFX(P_38_PMOVX_Q), PFX(P_38_PMOVX_D), PFX(P_38_PMOVX_W),
		 PFX(P_38_PMOVX_Q), PFX(P_38_PMOVX_D), PFX(P_38_PMOVX_Q),
	[0x37] = PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38SSE41),
		 PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38SSE41), PFX(P_38SSE41),
	[0x40] = PFX(P_38SSE41), PFX(P_38SSE41),
	[0xf0] = PFX(P_38_F0), PFX(P_38_F1),
};

/* three-byte map 0F 3A (SDM table A-5) */
const struct opt_row opt_0f3a[256] = {
	[0x08] = PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_0A), PFX(P_3A_0B),
		 PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_0F),
	[0x14] = PFX(P_3A_14), PFX(P_3A_15), PFX(P_3A_16), PFX(P_3A_17),
	[0x20] = PFX(P_3A_20), PFX(P_3A_21), PFX(P_3A_22),
	[0x40] = PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_SSE41),
	[0x60] = PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_SSE41), PFX(P_3A_SSE41),
};

#define S(f, ...) R(SSE, (f) | M, __VA_ARGS__)
#define Vx_Wx S(0, Vx, Wx)
#define Vx_Wd S(0, Vx, Wd)
#define Vx_Wq S(0, Vx, Wq)

const struct opt_row opt_pfx[][4] = {
	[P_10] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_11] = { S(0, Wx, Vx), S(0, Wx, Vx), S(0, Wd, Vx), S(0, Wq, Vx) },
	[P_12] = { Vx_Wq, S(0, Vx, Mq), Vx_Wx, Vx_Wq },	/* MOVLPS/MOVHLPS, MOVLPD, MOVSLDUP, MOVDDUP */
	[P_13] = { S(0, Mq, Vx), S(0, Mq, Vx), UD, UD },
	[P_14] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_15] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_16] = { Vx_Wq, S(0, Vx, Mq), Vx_Wx, UD },	/* MOVHPS/MOVLHPS, MOVHPD, MOVSHDUP */
	[P_17] = { S(0, Mq, Vx), S(0, Mq, Vx), UD, UD },
	[P_28] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_29] = { S(0, Wx, Vx), S(0, Wx, Vx), UD, UD },
	[P_2A] = { S(0, Vx, Qq), S(0, Vx, Qq), S(0, Vx, Ey), S(0, Vx, Ey) },
	[P_2B] = { S(0, Mx, Vx), S(0, Mx, Vx), UD, UD },
	[P_2C] = { S(0, Pq, Wq), S(0, Pq, Wx), S(0, Gy, Wd), S(0, Gy, Wq) },
	[P_2D] = { S(0, Pq, Wq), S(0, Pq, Wx), S(0, Gy, Wd), S(0, Gy, Wq) },
	[P_2E] = { Vx_Wd, Vx_Wq, UD, UD },
	[P_2F] = { Vx_Wd, Vx_Wq, UD, UD },
	[P_50] = { S(0, Gd, Ux), S(0, Gd, Ux), UD, UD },
	[P_51] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_52] = { Vx_Wx, UD, Vx_Wd, UD },
	[P_53] = { Vx_Wx, UD, Vx_Wd, UD },
	[P_54] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_55] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_56] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_57] = { Vx_Wx, Vx_Wx, UD, UD },
	[P_58] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_59] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_5A] = { Vx_Wq, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_5B] = { Vx_Wx, Vx_Wx, Vx_Wx, UD },
	[P_5C] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_5D] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_5E] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	[P_5F] = { Vx_Wx, Vx_Wx, Vx_Wd, Vx_Wq },
	/* MMX rows with an SSE2 twin under 66; the unpack-low rows read a dword */
	[P_MMX] = { S(0, Pq, Qd), Vx_Wx, UD, UD },
	[P_MMX2] = { S(0, Pq, Qq), Vx_Wx, UD, UD },
	[P_6C] = { UD, Vx_Wx, UD, UD },
	[P_6D] = { UD, Vx_Wx, UD, UD },
	[P_6E] = { S(0, Pq, Ey), S(0, Vx, Ey), UD, UD },
	[P_6F] = { S(0, Pq, Qq), Vx_Wx, Vx_Wx, UD },
	[P_70] = { S(0, Pq, Qq, Ib), S(0, Vx, Wx, Ib), S(0, Vx, Wx, Ib), S(0, Vx, Wx, Ib) },
	/* 66/F2/F3 EMMS is #UD (as the host CPU shows) */
	[P_77] = { R(EMMS, 0), UD, UD, UD },
	[P_7C] = { UD, Vx_Wx, UD, Vx_Wx },
	[P_7D] = { UD, Vx_Wx, UD, Vx_Wx },
	[P_7E] = { S(0, Ey, Pq), S(0, Ey, Vx), Vx_Wq, UD },
	[P_7F] = { S(0, Qq, Pq), S(0, Wx, Vx), S(0, Wx, Vx), UD },
	[P_B8] = { UD /* JMPE */, UD, R(POPCNT, M, Gv, Ev), UD },
	/* BSF/BSR take 66 as the operand size; F3 makes them TZCNT/LZCNT */
	[P_BC] = { R(BSF, M, Gv, Ev), R(BSF, M, Gv, Ev), R(TZCNT, M, Gv, Ev), R(BSF, M, Gv, Ev) },
	[P_BD] = { R(BSR, M, Gv, Ev), R(BSR, M, Gv, Ev), R(LZCNT, M, Gv, Ev), R(BSR, M, Gv, Ev) },
	[P_C2] = { S(0, Vx, Wx, Ib), S(0, Vx, Wx, Ib), S(0, Vx, Wd, Ib), S(0, Vx, Wq, Ib) },
	[P_C3] = { S(0, My, Gy), UD, UD, UD },
	[P_C4] = { S(0, Pq, RdMw, Ib), S(0, Vx, RdMw, Ib), UD, UD },
	[P_C5] = { S(0, Gd, Nq, Ib), S(0, Gd, Ux, Ib), UD, UD },
	[P_C6] = { S(0, Vx, Wx, Ib), S(0, Vx, Wx, Ib), UD, UD },
	[P_D0] = { UD, Vx_Wx, UD, Vx_Wx },
	[P_D6] = { UD, S(0, Wq, Vx), S(0, Vx, Nq), S(0, Pq, Ux) },
	[P_D7] = { S(0, Gd, Nq), S(0, Gd, Ux), UD, UD },
	[P_E6] = { UD, Vx_Wx, Vx_Wq, Vx_Wx },
	[P_E7] = { S(0, Mq, Pq), S(0, Mx, Vx), UD, UD },
	[P_F0] = { UD, UD, UD, S(0, Vx, Mx) },
	[P_F7] = { S(0, Pq, Nq), S(0, Vx, Ux), UD, UD },
	/* groups 12-14: shifts by an immediate, register forms only */
	[P_G12] = { S(0, Nq, Ib), S(0, Ux, Ib), UD, UD },
	[P_G13] = { S(0, Nq, Ib), S(0, Ux, Ib), UD, UD },
	[P_G14_2] = { S(0, Nq, Ib), S(0, Ux, Ib), UD, UD },
	[P_G14_3] = { UD, S(0, Ux, Ib), UD, UD },
	[P_G14_6] = { S(0, Nq, Ib), S(0, Ux, Ib), UD, UD },
	[P_G14_7] = { UD, S(0, Ux, Ib), UD, UD },
	[P_AE0] = { R(FXSAVE, M, M0), UD, UD, UD },
	[P_AE1] = { R(FXRSTOR, M, M0), UD, UD, UD },
	[P_AE2] = { R(LDMXCSR, M, Md), UD, UD, UD },
	[P_AE3] = { R(STMXCSR, M, Md), UD, UD, UD },
	[P_AE4] = { R(XSAVE, M, M0), UD, UD, UD },
	[P_AE5] = { R(XRSTOR, M, M0), UD, UD, UD },
	[P_AE7] = { R(CLFLUSH, M, Mb), UD, UD, UD },
	[P_AE_R5] = { R(LFENCE, M), UD, UD, UD },
	[P_AE_R6] = { R(MFENCE, M), UD, UD, UD },
	[P_AE_R7] = { R(SFENCE, M), UD, UD, UD },
	[P_C7_R6] = { R(RDRAND, M, Rv), R(RDRAND, M, Rv), UD, UD },
	[P_C7_R7] = { R(RDSEED, M, Rv), R(RDSEED, M, Rv), UD /* RDPID */, UD },
	[P_38SSSE3] = { S(0, Pq, Qq), Vx_Wx, UD, UD },
	[P_38SSE41] = { UD, Vx_Wx, UD, UD },
	[P_38_PMOVX_Q] = { UD, Vx_Wq, UD, UD },
	[P_38_PMOVX_D] = { UD, Vx_Wd, UD, UD },
	[P_38_PMOVX_W] = { UD, S(0, Vx, Ww), UD, UD },
	[P_38_BLENDV] = { UD, S(0, Vx, Wx, X0), UD, UD },
	[P_38_2A] = { UD, S(0, Vx, Mx), UD, UD },
	/* MOVBE (66 is its operand size) and CRC32 */
	[P_38_F0] = { R(MOVBE, M, Gv, Mv), R(MOVBE, M, Gv, Mv), UD, R(SSE, M, Gy, Eb) },
	[P_38_F1] = { R(MOVBE, M, Mv, Gv), R(MOVBE, M, Mv, Gv), UD, R(SSE, M, Gy, Ev) },
	[P_3A_SSE41] = { UD, S(0, Vx, Wx, Ib), UD, UD },
	[P_3A_0A] = { UD, S(0, Vx, Wd, Ib), UD, UD },
	[P_3A_0B] = { UD, S(0, Vx, Wq, Ib), UD, UD },
	[P_3A_0F] = { S(0, Pq, Qq, Ib), S(0, Vx, Wx, Ib), UD, UD },
	[P_3A_14] = { UD, S(0, RdMb, Vx, Ib), UD, UD },
	[P_3A_15] = { UD, S(0, RdMw, Vx, Ib), UD, UD },
	[P_3A_16] = { UD, S(0, Ey, Vx, Ib), UD, UD },
	[P_3A_17] = { UD, S(0, Ed, Vx, Ib), UD, UD },
	[P_3A_20] = { UD, S(0, Vx, RdMb, Ib), UD, UD },
	[P_3A_21] = { UD, S(0, Vx, Wd, Ib), UD, UD },
	[P_3A_22] = { UD, S(0, Vx, Ey, Ib), UD, UD },
};

const struct opt_row opt_grp[][8] = {
	[G1_80] = { R(ADD, L, Eb, Ib), R(OR, L, Eb, Ib), R(ADC, L, Eb, Ib), R(SBB, L, Eb, Ib),
		    R(AND, L, Eb, Ib), R(SUB, L, Eb, Ib), R(XOR, L, Eb, Ib), R(CMP, 0, Eb, Ib) },
	[G1_81] = { R(ADD, L, Ev, Iz), R(OR, L, Ev, Iz), R(ADC, L, Ev, Iz), R(SBB, L, Ev, Iz),
		    R(AND, L, Ev, Iz), R(SUB, L, Ev, Iz), R(XOR, L, Ev, Iz), R(CMP, 0, Ev, Iz) },
	[G1_82] = { R(ADD, L | I64, Eb, Ib), R(OR, L | I64, Eb, Ib), R(ADC, L | I64, Eb, Ib),
		    R(SBB, L | I64, Eb, Ib), R(AND, L | I64, Eb, Ib), R(SUB, L | I64, Eb, Ib),
		    R(XOR, L | I64, Eb, Ib), R(CMP, I64, Eb, Ib) },
	[G1_83] = { R(ADD, L, Ev, Ibs), R(OR, L, Ev, Ibs), R(ADC, L, Ev, Ibs), R(SBB, L, Ev, Ibs),
		    R(AND, L, Ev, Ibs), R(SUB, L, Ev, Ibs), R(XOR, L, Ev, Ibs), R(CMP, 0, Ev, Ibs) },
	[G1A] = { R(POP, D64, Ev), UD, UD, UD, UD, UD, UD, UD },	/* /1-7: XOP */
	/* group 2: /6 is the undocumented alias of SHL (SAL) */
	[G2_C0] = { R(ROL, 0, Eb, Ib), R(ROR, 0, Eb, Ib), R(RCL, 0, Eb, Ib), R(RCR, 0, Eb, Ib),
		    R(SHL, 0, Eb, Ib), R(SHR, 0, Eb, Ib), R(SAL, 0, Eb, Ib), R(SAR, 0, Eb, Ib) },
	[G2_C1] = { R(ROL, 0, Ev, Ib), R(ROR, 0, Ev, Ib), R(RCL, 0, Ev, Ib), R(RCR, 0, Ev, Ib),
		    R(SHL, 0, Ev, Ib), R(SHR, 0, Ev, Ib), R(SAL, 0, Ev, Ib), R(SAR, 0, Ev, Ib) },
	[G2_D0] = { R(ROL, 0, Eb, One), R(ROR, 0, Eb, One), R(RCL, 0, Eb, One), R(RCR, 0, Eb, One),
		    R(SHL, 0, Eb, One), R(SHR, 0, Eb, One), R(SAL, 0, Eb, One), R(SAR, 0, Eb, One) },
	[G2_D1] = { R(ROL, 0, Ev, One), R(ROR, 0, Ev, One), R(RCL, 0, Ev, One), R(RCR, 0, Ev, One),
		    R(SHL, 0, Ev, One), R(SHR, 0, Ev, One), R(SAL, 0, Ev, One), R(SAR, 0, Ev, One) },
	[G2_D2] = { R(ROL, 0, Eb, CL), R(ROR, 0, Eb, CL), R(RCL, 0, Eb, CL), R(RCR, 0, Eb, CL),
		    R(SHL, 0, Eb, CL), R(SHR, 0, Eb, CL), R(SAL, 0, Eb, CL), R(SAR, 0, Eb, CL) },
	[G2_D3] = { R(ROL, 0, Ev, CL), R(ROR, 0, Ev, CL), R(RCL, 0, Ev, CL), R(RCR, 0, Ev, CL),
		    R(SHL, 0, Ev, CL), R(SHR, 0, Ev, CL), R(SAL, 0, Ev, CL), R(SAR, 0, Ev, CL) },
	/* group 3: /1 is the undocumented alias of TEST */
	[G3_F6] = { R(TEST, 0, Eb, Ib), R(TEST, 0, Eb, Ib), R(NOT, L, Eb), R(NEG, L, Eb),
		    R(MUL, 0, Eb), R(IMUL, 0, Eb), R(DIV, 0, Eb), R(IDIV, 0, Eb) },
	[G3_F7] = { R(TEST, 0, Ev, Iz), R(TEST, 0, Ev, Iz), R(NOT, L, Ev), R(NEG, L, Ev),
		    R(MUL, 0, Ev), R(IMUL, 0, Ev), R(DIV, 0, Ev), R(IDIV, 0, Ev) },
	[G4] = { R(INC, L, Eb), R(DEC, L, Eb), UD, UD, UD, UD, UD, UD },
	[G5] = { R(INC, L, Ev), R(DEC, L, Ev), R(CALL, F64, Ev), R(CALL_FAR, 0, Mp),
		 R(JMP, F64, Ev), R(JMP_FAR, 0, Mp), R(PUSH, D64, Ev), UD },
	[G6] = { R(SLDT, 0, RvMw), R(STR, 0, RvMw), R(LLDT, 0, Ew), R(LTR, 0, Ew),
		 R(VERR, 0, Ew), R(VERW, 0, Ew), UD, UD },
	[G7] = { R(SGDT, 0, Ms), R(SIDT, 0, Ms), R(LGDT, 0, Ms), R(LIDT, 0, Ms),
		 R(SMSW, 0, RvMw), UD, R(LMSW, 0, Ew), R(INVLPG, 0, Mb) },
	[G7_R] = { RMG(RM_01_0), RMG(RM_01_1), RMG(RM_01_2), RMG(RM_01_3),
		   R(SMSW, 0, RvMw), RMG(RM_01_5), R(LMSW, 0, Ew), RMG(RM_01_7) },
	[G8] = { UD, UD, UD, UD, R(BT, 0, Ev, Ib), R(BTS, L, Ev, Ib), R(BTR, L, Ev, Ib), R(BTC, L, Ev, Ib) },
	/* group 9 memory forms: /1 CMPXCHG8B (CMPXCHG16B with REX.W, sized by the decoder);
	 * XRSTORS/XSAVEC/XSAVES and the VMX forms are not in our CPUID */
	[G9] = { UD, R(CMPXCHG8B, L, Mq), UD, UD, UD, UD, UD, UD },
	[G9_R] = { UD, UD, UD, UD, UD, UD, PFX(P_C7_R6), PFX(P_C7_R7) },
	[G10] = { R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev),
		  R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev), R(UD1, 0, Gv, Ev) },
	[G11_C6] = { R(MOV, 0, Eb, Ib), UD, UD, UD, UD, UD, UD, UD },	/* C6 F8: XABORT (RTM) */
	[G11_C7] = { R(MOV, 0, Ev, Iz), UD, UD, UD, UD, UD, UD, UD },	/* C7 F8: XBEGIN (RTM) */
	[G12] = { UD }, [G12_R] = { UD, UD, PFX(P_G12), UD, PFX(P_G12), UD, PFX(P_G12), UD },
	[G13] = { UD }, [G13_R] = { UD, UD, PFX(P_G13), UD, PFX(P_G13), UD, PFX(P_G13), UD },
	[G14] = { UD }, [G14_R] = { UD, UD, PFX(P_G14_2), PFX(P_G14_3), UD, UD, PFX(P_G14_6), PFX(P_G14_7) },
	/* group 15: every form is NP (66/F2/F3 select CLFLUSHOPT, CLWB, PTWRITE,
	 * RDFSBASE..., INCSSP, UMONITOR..., none of them in our CPUID); XSAVEOPT
	 * is not in it either. The fences ignore ModRM.rm (SDM LFENCE) */
	[G15] = { PFX(P_AE0), PFX(P_AE1), PFX(P_AE2), PFX(P_AE3), PFX(P_AE4), PFX(P_AE5), UD, PFX(P_AE7) },
	[G15_R] = { UD, UD, UD, UD, UD, PFX(P_AE_R5), PFX(P_AE_R6), PFX(P_AE_R7) },
	/* group 16: prefetches; the reserved forms are hint NOPs */
	[G16] = { R(PREFETCH, 0, Mb), R(PREFETCH, 0, Mb), R(PREFETCH, 0, Mb), R(PREFETCH, 0, Mb),
		  R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev) },
	[G16_R] = { R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev),
		    R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev) },
	/* 0F 1F: /0 is the recommended multi-byte NOP, the rest hint NOPs */
	[GNOP] = { R(NOP, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev),
		   R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev), R(NOP_HINT, 0, Ev) },
};

/* group 7, mod=3: the row is picked by ModRM.rm */
const struct opt_row opt_rm[][8] = {
	[RM_01_0] = { UD, UD /* VMCALL */, UD, UD, UD, UD, UD, UD },
	[RM_01_1] = { R(MONITOR, 0), R(MWAIT, 0), UD /* CLAC */, UD /* STAC */, UD, UD, UD, UD },
	[RM_01_2] = { R(XGETBV, 0), R(XSETBV, 0), UD, UD, UD /* VMFUNC */, UD /* XEND */, UD /* XTEST */, UD },
	[RM_01_3] = { UD, UD, UD, UD, UD, UD, UD, UD },	/* SVM */
	[RM_01_5] = { UD, UD, UD, UD, UD, UD, UD /* RDPKRU */, UD /* WRPKRU */ },
	[RM_01_7] = { R(SWAPGS, O64), R(RDTSCP, 0), UD, UD, UD, UD, UD, UD },
};

/* x87: memory operand size per (escape, reg); register forms per (escape, reg)
 * with the rm values that exist, including the aliases every x87 since the
 * 387 executes (FSTP1, FXCH4, FXCH7, FCOM2, FCOMP3, FCOMP5, FSTP8, FSTP9, FFREEP) */
#define ENV 0xff
const struct opt_x87 opt_x87[64] = {
	/* D8 */
	{ 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_STI, 0xff }, { 4, X87_STI, 0xff },
	{ 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff },
	/* D9: FLD, FXCH, FNOP, FSTP1, FCHS.., FLD1.., F2XM1.., FPREM.. */
	{ 4, X87_STI, 0xff }, { 0, X87_STI, 0xff }, { 4, X87_NONE, 0x01 }, { 4, X87_STI, 0xff },
	{ ENV, X87_NONE, 0x33 }, { 2, X87_NONE, 0x7f }, { ENV, X87_NONE, 0xff }, { 2, X87_NONE, 0xff },
	/* DA: FCMOVcc, FUCOMPP */
	{ 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff },
	{ 4, X87_NONE, 0 }, { 4, X87_NONE, 0x02 }, { 4, X87_NONE, 0 }, { 4, X87_NONE, 0 },
	/* DB: FCMOVNcc, FENI/FDISI/FNCLEX/FNINIT/FSETPM, FUCOMI, FCOMI */
	{ 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff }, { 4, X87_ST0_STI, 0xff },
	{ 0, X87_NONE, 0x1f }, { 10, X87_ST0_STI, 0xff }, { 0, X87_ST0_STI, 0xff }, { 10, X87_NONE, 0 },
	/* DC */
	{ 8, X87_STI_ST0, 0xff }, { 8, X87_STI_ST0, 0xff }, { 8, X87_STI, 0xff }, { 8, X87_STI, 0xff },
	{ 8, X87_STI_ST0, 0xff }, { 8, X87_STI_ST0, 0xff }, { 8, X87_STI_ST0, 0xff }, { 8, X87_STI_ST0, 0xff },
	/* DD: FFREE, FXCH4, FST, FSTP, FUCOM, FUCOMP */
	{ 8, X87_STI, 0xff }, { 8, X87_STI, 0xff }, { 8, X87_STI, 0xff }, { 8, X87_STI, 0xff },
	{ ENV, X87_STI, 0xff }, { 0, X87_STI, 0xff }, { ENV, X87_NONE, 0 }, { 2, X87_NONE, 0 },
	/* DE: FADDP, FMULP, FCOMP5, FCOMPP, FSUBRP, FSUBP, FDIVRP, FDIVP */
	{ 2, X87_STI_ST0, 0xff }, { 2, X87_STI_ST0, 0xff }, { 2, X87_STI, 0xff }, { 2, X87_NONE, 0x02 },
	{ 2, X87_STI_ST0, 0xff }, { 2, X87_STI_ST0, 0xff }, { 2, X87_STI_ST0, 0xff }, { 2, X87_STI_ST0, 0xff },
	/* DF: FFREEP, FXCH7, FSTP8, FSTP9, FNSTSW AX, FUCOMIP, FCOMIP */
	{ 2, X87_STI, 0xff }, { 2, X87_STI, 0xff }, { 2, X87_STI, 0xff }, { 2, X87_STI, 0xff },
	{ 10, X87_AX, 0x01 }, { 8, X87_ST0_STI, 0xff }, { 10, X87_ST0_STI, 0xff }, { 8, X87_NONE, 0 },
};
