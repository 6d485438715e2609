/* FXSAVE and FXRSTOR: the x87 (and, once SSE is there, MXCSR and XMM)
 * state image to and from memory. cpu_state.fxsave already is that image,
 * so this is its checks and its three formats (SDM Vol. 2, FXSAVE). */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include <string.h>
#include "cpu/interp/icpu.h"

enum {
	FX_FTW = 4, FX_FIP = 8, FX_FCS = 12, FX_FDP = 16, FX_FDS = 20,
	FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_XMM = 160,
	FX_X87_END = 160,	/* FCW .. ST7 */
};

/* CR0.EM: #UD; CR0.TS: #NM; a misaligned image: #GP(0) */
static uint64_t fx_checks(struct icpu *c, const struct insn *i)
{
	if (i->opnd[0].kind != OPK_MEM || (c->s->cr0 & CR0_EM))
		cpu_ud(c);
	if (c->s->cr0 & CR0_TS)
		cpu_fault_noerr(c, EXC_NM);
	uint64_t ea = insn_ea(c, i);
	if ((seg_base_of(c, i->seg) + ea) & 15)
		cpu_gp(c, 0);
	return ea;
}

/* how many XMM registers the image carries: none unless CR4.OSFXSR (the
 * SDM leaves that case to the implementation; ours saves x87 state only),
 * 16 in 64-bit mode */
static unsigned fx_nxmm(const struct icpu *c)
{
	if (!(c->s->cr4 & CR4_OSFXSR))
		return 0;
	return c->code_size == 64 ? 16 : 8;
}

/* the bytes of the image FXSAVE writes and FXRSTOR reads */
static unsigned fx_bytes(const struct icpu *c)
{
	return fx_nxmm(c) ? FX_XMM + 16 * fx_nxmm(c) : FX_X87_END;
}

/* the image as memory sees it: FXSAVE64 (REX.W) has 64-bit FIP and FDP
 * and no selectors; the others 32-bit offsets with FCS and FDS */
static void fx_image(const struct icpu *c, const struct insn *i, uint8_t *img)
{
	memcpy(img, c->s->fxsave, 512);
	if (i->osize == 8) {
		uint32_t ip, dp;
		memcpy(&ip, img + FX_FIP, 4);
		memcpy(&dp, img + FX_FDP, 4);
		uint64_t ip64 = ip, dp64 = dp;
		memcpy(img + FX_FIP, &ip64, 8);
		memcpy(img + FX_FDP, &dp64, 8);
	} else {
		memset(img + FX_FCS + 2, 0, 2);
		memset(img + FX_FDS + 2, 0, 2);
	}
	img[FX_FTW + 1] = 0;
}

static void op_fxsave(struct icpu *c, const struct insn *i)
{
	uint64_t ea = fx_checks(c, i), m = size_mask(i->asize);
	unsigned end = fx_bytes(c);
	/* all of it writable first, so a fault leaves memory untouched */
	for (unsigned off = 0; off < end; off += 8)
		vmem_probe(c, i->seg, (ea + off) & m, 8, MMU_WRITE);
	uint8_t img[512];
	fx_image(c, i, img);
	if (!fx_nxmm(c))
		memset(img + FX_MXCSR, 0, 8);
	/* only what the image holds; bytes 464-511 are the software's */
	for (unsigned off = 0; off < end; off += 8) {
		uint64_t q;
		memcpy(&q, img + off, 8);
		vmem_write(c, i->seg, (ea + off) & m, q, 8);
	}
}

static void op_fxrstor(struct icpu *c, const struct insn *i)
{
	uint64_t ea = fx_checks(c, i), m = size_mask(i->asize);
	unsigned nxmm = fx_nxmm(c), end = fx_bytes(c);
	uint8_t img[512];
	for (unsigned off = 0; off < end; off += 8) {
		uint64_t q = vmem_read(c, i->seg, (ea + off) & m, 8);
		memcpy(img + off, &q, 8);
	}
	uint8_t *fx = c->s->fxsave;
	if (nxmm) {
		uint32_t mxcsr, mask;
		memcpy(&mxcsr, img + FX_MXCSR, 4);
		memcpy(&mask, fx + FX_MXCSR_MASK, 4);
		if (mxcsr & ~mask)
			cpu_gp(c, 0);
		memcpy(fx + FX_MXCSR, &mxcsr, 4);
		memcpy(fx + FX_XMM, img + FX_XMM, 16 * nxmm);
	}
	if (i->osize == 8) {
		/* 64-bit pointers: the state keeps their low halves */
		memset(img + FX_FCS, 0, 4);
		memset(img + FX_FDS, 0, 4);
	}
	/* FCW FSW, the abridged tags, FOP, the pointers, ST0-7 (in stack
	 * order, as kept); bytes 10-15 of each register slot are ignored */
	memcpy(fx, img, FX_MXCSR);
	fx[FX_FTW + 1] = 0;
	for (unsigned r = 0; r < 8; r++) {
		memcpy(fx + 32 + 16 * r, img + 32 + 16 * r, 10);
		memset(fx + 32 + 16 * r + 10, 0, 6);
	}
}

const struct interp_op interp_ops_fxsave[] = {
	{ OP_FXSAVE, op_fxsave }, { OP_FXRSTOR, op_fxrstor },
	{ OP_INVALID, NULL },
};
