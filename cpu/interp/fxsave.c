/* The state images: FXSAVE and FXRSTOR, the x87, MXCSR and XMM image to
 * and from memory (cpu_state.fxsave already is that image, so this is its
 * checks and its three formats, SDM Vol. 2 FXSAVE), and XSAVE/XRSTOR with
 * XGETBV/XSETBV for the two components there are: x87 and SSE (the
 * standard format only; no XSAVEOPT, XSAVEC or XSAVES). */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include <string.h>
#include "cpu/interp/fximage.h"
#include "cpu/interp/icpu.h"
#include "cpu/interp/sysarch.h"

/* the checks of a state-image instruction: not memory or `ud`: #UD;
 * CR0.TS: #NM; an image not aligned to `align` bytes: #GP(0) */
static uint64_t image_checks(struct icpu *c, const struct insn *i, bool ud, unsigned align)
{
	if (i->opnd[0].kind != OPK_MEM || ud)
		cpu_ud(c);
	if (c->s->cr0 & CR0_TS)
		cpu_fault_noerr(c, EXC_NM);
	uint64_t ea = insn_ea(c, i);
	need_aligned(c, i->seg, ea, align);
	return ea;
}

/* FXSAVE/FXRSTOR: #UD with CR0.EM, a 16-byte aligned image */
static uint64_t fx_checks(struct icpu *c, const struct insn *i)
{
	return image_checks(c, i, c->s->cr0 & CR0_EM, 16);
}

/* how many XMM registers the image carries: none unless CR4.OSFXSR (the
 * SDM leaves that case to the implementation; ours saves x87 state only),
 * 16 in 64-bit mode */
static unsigned fx_nxmm(const struct icpu *c)
{
	return (c->s->cr4 & CR4_OSFXSR) ? fx_xmm_count(c) : 0;
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

/* the x87 part of an image (bytes 0-23 and 32-159) into the state */
static void x87_load(struct icpu *c, const struct insn *i, uint8_t *img)
{
	uint8_t *fx = c->s->fxsave;
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
		uint32_t mxcsr;
		memcpy(&mxcsr, img + FX_MXCSR, 4);
		fx32_set(c, FX_MXCSR, mxcsr_checked(c, mxcsr));
		memcpy(fx + FX_XMM, img + FX_XMM, 16 * nxmm);
	}
	x87_load(c, i, img);
}

/* -- XSAVE -- */

enum {
	XCR0_X87 = 1, XCR0_SSE = 2, XCR0_SUPPORTED = XCR0_X87 | XCR0_SSE,
	XS_HEADER = 512, XS_SIZE = 576,	/* the legacy area, then the 64-byte header */
};

/* XSAVE/XRSTOR: #UD without CR4.OSXSAVE, a 64-byte aligned area */
static uint64_t xs_checks(struct icpu *c, const struct insn *i)
{
	return image_checks(c, i, !(c->s->cr4 & CR4_OSXSAVE), 64);
}

/* the requested-feature bitmap: XCR0 AND EDX:EAX */
static uint64_t xs_rfbm(const struct icpu *c)
{
	uint64_t edx_eax = (c->s->gpr[R_EDX] << 32) | (uint32_t)c->s->gpr[R_EAX];
	return c->s->xcr0 & edx_eax;
}

/* write bytes [from, to) of img to the area at ea */
static void xs_put(struct icpu *c, const struct insn *i, uint64_t ea, const uint8_t *img,
		   unsigned from, unsigned to)
{
	uint64_t m = size_mask(i->asize);
	for (unsigned off = from; off < to; off += 8) {
		uint64_t q;
		memcpy(&q, img + off, 8);
		vmem_write(c, i->seg, (ea + off) & m, q, 8);
	}
}

/* XSAVE: the components of RFBM, and XSTATE_BV's bits for them; every
 * component is counted in use (the SDM allows a 1 for one in its
 * initial state) */
static void op_xsave(struct icpu *c, const struct insn *i)
{
	uint64_t ea = xs_checks(c, i), m = size_mask(i->asize), rfbm = xs_rfbm(c);
	for (unsigned off = 0; off < XS_HEADER + 8; off += 8)
		vmem_probe(c, i->seg, (ea + off) & m, 8, MMU_WRITE);
	uint64_t bv = vmem_read(c, i->seg, (ea + XS_HEADER) & m, 8);
	uint8_t img[XS_SIZE];
	fx_image(c, i, img);
	if (rfbm & XCR0_X87) {
		xs_put(c, i, ea, img, 0, FX_MXCSR);
		xs_put(c, i, ea, img, FX_MXCSR + 8, FX_X87_END);
	}
	if (rfbm & XCR0_SSE) {
		xs_put(c, i, ea, img, FX_MXCSR, FX_MXCSR + 8);
		xs_put(c, i, ea, img, FX_XMM, FX_XMM + 16 * fx_xmm_count(c));
	}
	bv = (bv & ~rfbm) | rfbm;
	vmem_write(c, i->seg, (ea + XS_HEADER) & m, bv, 8);
}

/* XRSTOR: each component of RFBM from the area where XSTATE_BV has it,
 * else its initial state; every check before anything changes */
static void op_xrstor(struct icpu *c, const struct insn *i)
{
	uint64_t ea = xs_checks(c, i), m = size_mask(i->asize), rfbm = xs_rfbm(c);
	uint8_t img[XS_SIZE];
	for (unsigned off = 0; off < XS_SIZE; off += 8) {
		uint64_t q = vmem_read(c, i->seg, (ea + off) & m, 8);
		memcpy(img + off, &q, 8);
	}
	uint64_t bv, comp, rsvd;
	memcpy(&bv, img + XS_HEADER, 8);
	memcpy(&comp, img + XS_HEADER + 8, 8);
	memcpy(&rsvd, img + XS_HEADER + 16, 8);
	/* the compacted form needs XSAVEC, which is not there */
	if ((bv & ~c->s->xcr0) || comp || rsvd)
		cpu_gp(c, 0);
	uint8_t *fx = c->s->fxsave;
	uint32_t mxcsr = 0;
	if (rfbm & XCR0_SSE) {
		memcpy(&mxcsr, img + FX_MXCSR, 4);
		mxcsr_checked(c, mxcsr);
	}
	if (rfbm & XCR0_X87) {
		if (bv & XCR0_X87) {
			x87_load(c, i, img);
		} else {
			/* FNINIT's state, and the pointers and registers zero */
			memset(fx, 0, FX_MXCSR);
			memset(fx + FX_ST, 0, FX_X87_END - FX_ST);
			fx16_set(c, FX_FCW, 0x037f);
		}
	}
	if (rfbm & XCR0_SSE) {
		fx32_set(c, FX_MXCSR, mxcsr);
		if (bv & XCR0_SSE)
			memcpy(fx + FX_XMM, img + FX_XMM, 16 * fx_xmm_count(c));
		else
			memset(fx + FX_XMM, 0, 16 * fx_xmm_count(c));
	}
}

/* XGETBV: XCR0 only (ECX = 1, XINUSE, is not advertised) */
static void op_xgetbv(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	if (!(s->cr4 & CR4_OSXSAVE))
		cpu_ud(c);
	if ((uint32_t)s->gpr[R_ECX] != 0)
		cpu_gp(c, 0);
	s->gpr[R_EAX] = (uint32_t)s->xcr0;
	s->gpr[R_EDX] = s->xcr0 >> 32;
}

/* XSETBV: CPL 0, XCR0 with x87 always on and nothing unknown */
static void op_xsetbv(struct icpu *c, const struct insn *i)
{
	(void)i;
	struct cpu_state *s = c->s;
	if (!(s->cr4 & CR4_OSXSAVE))
		cpu_ud(c);
	need_cpl0(c);
	uint64_t v = (s->gpr[R_EDX] << 32) | (uint32_t)s->gpr[R_EAX];
	if ((uint32_t)s->gpr[R_ECX] != 0 || !(v & XCR0_X87) || (v & ~(uint64_t)XCR0_SUPPORTED))
		cpu_gp(c, 0);
	s->xcr0 = v;
}

const struct interp_op interp_ops_fxsave[] = {
	{ OP_FXSAVE, op_fxsave }, { OP_FXRSTOR, op_fxrstor },
	{ OP_XSAVE, op_xsave }, { OP_XRSTOR, op_xrstor },
	{ OP_XGETBV, op_xgetbv }, { OP_XSETBV, op_xsetbv },
	{ OP_INVALID, NULL },
};
