/* MMX and SSE to SSE4.2 inside the interpreter: what sse.c (the plumbing:
 * checks, operands, MXCSR, the MMX/x87 aliasing) shares with the files that
 * compute (sse_int.c, sse_fp.c, sse_str.c).
 *
 * A computing function sees one struct sse: operand 0 read into d (unless
 * it is a memory destination), operand 1 into s, operand 2 (XMM0 of the
 * blends, or nothing) into s2, and the immediate. It leaves the result in
 * d; sse.c writes d back to operand 0 at operand 0's size unless the row
 * says SR_NOWB. Rows with SR_FP run with the guest's MXCSR (rounding, DAZ,
 * FTZ; exceptions masked) loaded into the host's, which is how the host's
 * IEEE arithmetic gives the guest's result and flags bit for bit; sse.c
 * then merges the flags and raises #XM (or #UD) for an unmasked one. */
#ifndef CPU_INTERP_SSE_H
#define CPU_INTERP_SSE_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/decode.h"

typedef float v4sf __attribute__((vector_size(16)));
typedef double v2df __attribute__((vector_size(16)));
typedef uint64_t v2du __attribute__((vector_size(16)));

union vec {
	uint8_t b[16];
	int8_t sb[16];
	uint16_t w[8];
	int16_t sw[8];
	uint32_t d[4];
	int32_t sd[4];
	uint64_t q[2];
	int64_t sq[2];
	float f[4];
	double df[2];
	v4sf ps;
	v2df pd;
	v2du x;
};

struct icpu;

struct sse {
	struct icpu *c;
	const struct insn *i;
	union vec d, s, s2;
	unsigned n;		/* vector bytes: 8 (MMX) or 16 (XMM) */
	unsigned dsize;		/* operand 0's size in bytes (register or memory) */
	unsigned ssize;		/* operand 1's */
	bool smem;		/* operand 1 is memory */
	bool dmem;		/* operand 0 is memory */
	uint8_t imm;
	uint32_t mxcsr;		/* the guest's MXCSR on entry */
	bool set_eflags;	/* sse_set_flags() was called: eflags replaces CF PF AF ZF SF OF */
	uint64_t eflags;
};

typedef void sse_fn(struct sse *x);

enum sse_row_flag {
	SR_FP = 1 << 0,		/* IEEE arithmetic: runs under the guest's MXCSR */
	SR_UNALIGNED = 1 << 1,	/* a 16-byte memory operand may be misaligned */
	SR_NOWB = 1 << 2,	/* the function writes its own results */
	SR_MEMONLY = 1 << 3,	/* (used with SR_NOWB) no register operands at all */
};

/* one row: the operation at (map, opcode, mandatory prefix) */
struct sse_op {
	uint16_t key;		/* SSE_KEY() or SSE_GRP() */
	uint8_t flags;		/* enum sse_row_flag */
	sse_fn *fn;
};

/* key of map (MAP_0F, MAP_0F38, MAP_0F3A), opcode, prefix column (insn.mpfx) */
#define SSE_KEY(map, opc, pfx) ((uint16_t)((map) << 10 | (opc) << 2 | (pfx)))
/* the shift-by-immediate groups 0F 71-73, ModRM.reg r (they live in MAP_ONE's space) */
#define SSE_GRP(opc, r, pfx) ((uint16_t)(((opc) - 0x70) * 8 + (r)) << 2 | (pfx))
enum { NP = 0, P66 = 1, PF3 = 2, PF2 = 3 };

/* each computing file's rows, ending with fn == NULL */
extern const struct sse_op sse_ops_int[];
extern const struct sse_op sse_ops_fp[];
extern const struct sse_op sse_ops_str[];

/* the arithmetic EFLAGS an instruction sets (COMISS, PTEST, PCMPxSTRx):
 * the others (OF SF AF, or as given) are cleared */
void sse_set_flags(struct sse *x, uint64_t arith);
/* general register r (0-15) of the guest, for the implicit ones */
uint64_t sse_gpr(struct sse *x, unsigned r);
void sse_set_gpr(struct sse *x, unsigned r, unsigned size, uint64_t v);
/* XMM register r */
union vec *sse_xmm(struct sse *x, unsigned r);
/* from x87.c: #MF if an unmasked x87 exception is pending */
void x87_check_pending(struct icpu *c);
/* a byte of guest memory at DS:rDI + k (MASKMOVQ/MASKMOVDQU) */
void sse_store_rdi(struct sse *x, const uint8_t *bytes, const uint8_t *mask, unsigned n);

#endif
