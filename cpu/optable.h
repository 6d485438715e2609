/* The opcode tables the decoder follows, private to cpu/decode.c: rows shaped
 * like the SDM's opcode maps (Intel SDM vol. 2, appendix A), with its
 * operand letters (addressing method + size) and the row attributes the
 * maps give as superscripts (i64, o64, d64, f64, group, mandatory prefix). */
#ifndef CPU_OPTABLE_H
#define CPU_OPTABLE_H

#include <stdint.h>

/* addressing method: the SDM's operand letter (A.2.1) */
enum opt_am {
	AM_NONE,
	AM_E,		/* ModRM r/m: general register or memory */
	AM_G,		/* ModRM reg: general register */
	AM_M,		/* ModRM r/m: memory only (mod=3 is #UD) */
	AM_R,		/* ModRM r/m: general register only */
	AM_I,		/* immediate of the operand's size */
	AM_IS,		/* immediate byte, sign-extended to the operand size */
	AM_I2,		/* ENTER's second immediate (into insn.imm2) */
	AM_J,		/* relative branch offset */
	AM_O,		/* moffs: an address-size offset, no ModRM */
	AM_A,		/* direct far pointer */
	AM_S,		/* ModRM reg: segment register */
	AM_C,		/* ModRM reg: control register */
	AM_D,		/* ModRM reg: debug register */
	AM_X,		/* string source seg:rSI */
	AM_Y,		/* string destination ES:rDI */
	AM_Z,		/* general register in the opcode's low 3 bits (+REX.B) */
	AM_REG,		/* a fixed general register: opt_opnd.x */
	AM_SEG,		/* a fixed segment register: opt_opnd.x */
	AM_ONE,		/* the constant 1 */
	AM_V,		/* ModRM reg: XMM */
	AM_W,		/* ModRM r/m: XMM or memory */
	AM_U,		/* ModRM r/m: XMM only */
	AM_P,		/* ModRM reg: MMX */
	AM_Q,		/* ModRM r/m: MMX or memory */
	AM_N,		/* ModRM r/m: MMX only */
	AM_XMM0,	/* the implicit <XMM0> of the SSE4.1 blends */
};

/* operand size: the SDM's size letter (A.2.2) */
enum opt_sz {
	SZ_NONE,
	SZ_B, SZ_W, SZ_D, SZ_Q, SZ_DQ, SZ_T,	/* 1, 2, 4, 8, 16, 10 bytes */
	SZ_V,		/* operand size: 2, 4 or 8 */
	SZ_Z,		/* 2 with a 16-bit operand size, else 4 */
	SZ_Y,		/* 8 with a 64-bit operand size, else 4 */
	SZ_P,		/* far pointer: 2 + operand size */
	SZ_S,		/* pseudo-descriptor: 6, or 10 in 64-bit mode */
	SZ_A,		/* BOUND's pair: 2 x operand size */
	SZ_CR,		/* MOV CR/DR: 4, or 8 in 64-bit mode */
};

/* one operand of a row. x is the register number of AM_REG/AM_SEG; for
 * ModRM r/m operands a nonzero x is the size (enum opt_sz) of the memory
 * form when it differs from the register form (the SDM's "Rv/Mw"). */
struct opt_opnd {
	uint8_t am;	/* enum opt_am */
	uint8_t sz;	/* enum opt_sz */
	uint8_t x;
};

enum opt_flag {
	OF_MODRM = 1 << 0,	/* has a ModRM byte */
	OF_LOCK = 1 << 1,	/* takes LOCK with a memory destination */
	OF_I64 = 1 << 2,	/* invalid in 64-bit mode */
	OF_O64 = 1 << 3,	/* valid only in 64-bit mode */
	OF_D64 = 1 << 4,	/* 64-bit mode: operand size defaults to 64 */
	OF_F64 = 1 << 5,	/* 64-bit mode: operand size is 64 whatever 66 says */
	OF_GRP = 1 << 6,	/* ModRM.reg picks the row: opt_grp[ext][reg] */
	OF_GRPMOD = 1 << 7,	/* with OF_GRP: mod=3 rows are in opt_grp[ext + 1] */
	OF_RM = 1 << 8,		/* ModRM.rm picks the row: opt_rm[ext][rm] */
	OF_PFX = 1 << 9,	/* the mandatory prefix picks: opt_pfx[ext][none, 66, F3, F2] */
	OF_MOD3 = 1 << 10,	/* ModRM.mod is ignored: r/m is always a register */
	OF_X87 = 1 << 11,	/* x87 escape: the rest is in the x87 tables */
	OF_NOP90 = 1 << 12,	/* 90: NOP, PAUSE with F3, XCHG with REX.B */
	OF_ESC = 1 << 13,	/* 0F, 0F 38, 0F 3A: another map follows */
};

struct opt_row {
	uint16_t op;		/* enum insn_op */
	uint16_t flags;		/* enum opt_flag */
	uint8_t ext;		/* index for OF_GRP / OF_RM / OF_PFX / OF_X87 */
	struct opt_opnd o[3];
};

/* x87 escapes D8-DF, by (opcode - 0xD8) * 8 + ModRM.reg */
struct opt_x87 {
	uint8_t msz;		/* memory form: operand bytes (0 = #UD), 0xff = env/state size */
	uint8_t regform;	/* register form: enum opt_x87_form */
	uint8_t rmvalid;	/* register form: bit rm set = valid */
};

enum opt_x87_form {
	X87_NONE,	/* no operands */
	X87_STI,	/* st(i) */
	X87_ST0_STI,	/* st(0), st(i) */
	X87_STI_ST0,	/* st(i), st(0) */
	X87_AX,		/* AX (FNSTSW AX) */
};

extern const struct opt_row opt_one[256];
extern const struct opt_row opt_0f[256];
extern const struct opt_row opt_0f38[256];
extern const struct opt_row opt_0f3a[256];
extern const struct opt_row opt_movsxd64;
extern const struct opt_row opt_grp[][8];
extern const struct opt_row opt_rm[][8];
extern const struct opt_row opt_pfx[][4];
extern const struct opt_x87 opt_x87[64];

#endif
