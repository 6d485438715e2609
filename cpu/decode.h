/* The x86 decoder: bytes -> struct insn, for every mode (16/32/64-bit code),
 * every prefix, the one-, two- and three-byte maps, ModRM/SIB/displacement/
 * immediates and the 15-byte limit. One decoder for the interpreter, the
 * translator, the debugger and the trace printer. It is pure: it reads only
 * the bytes it is given and never faults; fetching (and its page faults)
 * is the caller's business. The tables it follows are data shaped like the
 * SDM's opcode maps (cpu/optable.c). */
#ifndef CPU_DECODE_H
#define CPU_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum insn_op {
#define OP(x) OP_##x,
#include "cpu/ops.def"
#undef OP
	OP_COUNT
};
extern const char *const insn_op_name[OP_COUNT];

/* register numbers in struct opnd.reg and insn.base/index */
#define REG_AH 16	/* AH, CH, DH, BH: byte registers 4-7 without REX */
#define REG_RIP 32	/* base of a RIP-relative address */
#define REG_NONE 0xff

enum opnd_kind {
	OPK_NONE,
	OPK_REG,	/* general register: reg 0-15, or REG_AH+0..3 */
	OPK_MEM,	/* the memory operand: insn.base/index/scale/disp/seg */
	OPK_IMM,	/* insn.imm (already sign- or zero-extended to size) */
	OPK_REL,	/* branch target: insn.imm is the signed displacement */
	OPK_FAR,	/* far pointer immediate: insn.imm offset, insn.imm2 selector */
	OPK_SEG,	/* segment register: reg = enum cpu_seg */
	OPK_CR,		/* control register number */
	OPK_DR,		/* debug register number */
	OPK_STR_SRC,	/* string source seg:rSI (seg may be overridden) */
	OPK_STR_DST,	/* string destination ES:rDI */
	OPK_ONE,	/* the constant 1 (shifts) */
	OPK_XMM,	/* SSE register */
	OPK_MMX,	/* MMX register */
	OPK_ST,		/* x87 stack register st(reg) */
};

struct opnd {
	uint8_t kind;	/* enum opnd_kind */
	uint8_t size;	/* bytes: 1, 2, 4, 8, 10, 16; far pointers 4/6/10 */
	uint8_t reg;
};

enum insn_prefix {
	PFX_LOCK = 1 << 0,
	PFX_REP = 1 << 1,	/* F3 */
	PFX_REPNE = 1 << 2,	/* F2 */
	PFX_OPSIZE = 1 << 3,	/* 66 */
	PFX_ADSIZE = 1 << 4,	/* 67 */
	PFX_SEG = 1 << 5,	/* a segment override was given */
};

enum insn_map { MAP_ONE, MAP_0F, MAP_0F38, MAP_0F3A };

struct icpu;
struct insn;
/* a semantic function, bound by the tier that runs the instruction */
typedef void insn_fn(struct icpu *c, const struct insn *i);

struct insn {
	insn_fn *fn;		/* NULL from the decoder; set by the binding tier */
	uint16_t op;		/* enum insn_op */
	uint8_t len;		/* bytes, 1-15 */
	uint8_t mode;		/* code size: 16, 32 or 64 */
	uint8_t osize;		/* operand size in bytes: 2, 4 or 8 (byte forms say so in opnd) */
	uint8_t asize;		/* address size in bytes: 2, 4 or 8 */
	uint8_t seg;		/* segment of the memory/string-source operand: enum cpu_seg */
	uint8_t prefixes;	/* enum insn_prefix */
	uint8_t rex;		/* the REX byte (0x40-0x4f) or 0 */
	uint8_t map;		/* enum insn_map */
	uint8_t opcode;		/* the last opcode byte */
	uint8_t modrm;		/* valid when has_modrm */
	uint8_t has_modrm;
	uint8_t cond;		/* Jcc/SETcc/CMOVcc condition 0-15 (opcode low nibble) */
	uint8_t nopnd;
	uint8_t mpfx;		/* the 0F maps' mandatory-prefix column: 0 none, 1 66, 2 F3, 3 F2 */
	struct opnd opnd[3];	/* destination first, as the SDM writes them */
	uint8_t base, index;	/* REG_NONE when absent; base may be REG_RIP */
	uint8_t scale;		/* shift 0-3 */
	int32_t disp;		/* moffs (A0-A3): the low 32 bits of the offset in imm */
	uint64_t imm;		/* moffs (A0-A3): the whole offset (8 bytes with 64-bit addressing) */
	uint16_t imm2;		/* ENTER's nesting level; far pointer selector */
};

enum decode_result {
	DECODE_OK,
	DECODE_MORE,		/* avail ran out before the instruction ended */
	DECODE_UD,		/* no such instruction, or a prefix it cannot take (#UD) */
	DECODE_TOO_LONG,	/* over 15 bytes (#GP(0)) */
};

/* decode one instruction of `mode` (16, 32, 64) code from code[0..avail).
 * On DECODE_UD, in->len is the length consumed so far and in->op OP_INVALID. */
enum decode_result decode(struct insn *in, const uint8_t *code, size_t avail, int mode);

/* the byte register or register name for traces: "eax", "r8w", "ah", ... */
const char *decode_reg_name(unsigned reg, unsigned size);

#endif
