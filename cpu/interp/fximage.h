/* The FXSAVE image that cpu_state.fxsave holds for every tier (SDM vol. 1
 * table 10-2): its field offsets and little-endian accessors, shared by
 * the x87 (x87.c), the state-image instructions (fxsave.c) and SSE (sse.c). */
#ifndef CPU_INTERP_FXIMAGE_H
#define CPU_INTERP_FXIMAGE_H

#include <stdint.h>
#include <string.h>
#include "cpu/interp/icpu.h"

enum {
	FX_FCW = 0, FX_FSW = 2, FX_FTW = 4 /* abridged: bit p, register Rp not empty */,
	FX_FOP = 6, FX_FIP = 8, FX_FCS = 12, FX_FDP = 16, FX_FDS = 20,
	FX_MXCSR = 24, FX_MXCSR_MASK = 28,
	FX_ST = 32,		/* ST(0)..ST(7), 16 bytes each, in stack order */
	FX_X87_END = 160,	/* FCW .. ST7 */
	FX_XMM = 160,		/* XMM0..XMM15, 16 bytes each */
};

static inline uint16_t fx16(const struct icpu *c, unsigned off)
{
	uint16_t v;
	memcpy(&v, c->s->fxsave + off, 2);
	return v;
}

static inline uint32_t fx32(const struct icpu *c, unsigned off)
{
	uint32_t v;
	memcpy(&v, c->s->fxsave + off, 4);
	return v;
}

static inline void fx16_set(struct icpu *c, unsigned off, uint16_t v)
{
	memcpy(c->s->fxsave + off, &v, 2);
}

static inline void fx32_set(struct icpu *c, unsigned off, uint32_t v)
{
	memcpy(c->s->fxsave + off, &v, 4);
}

/* XMM0-15 in 64-bit mode, XMM0-7 elsewhere */
static inline unsigned fx_xmm_count(const struct icpu *c)
{
	return c->code_size == 64 ? 16 : 8;
}

/* a value for MXCSR (LDMXCSR, FXRSTOR, XRSTOR): #GP(0) if it sets a bit
 * MXCSR_MASK does not allow */
static inline uint32_t mxcsr_checked(struct icpu *c, uint32_t v)
{
	if (v & ~fx32(c, FX_MXCSR_MASK))
		cpu_gp(c, 0);
	return v;
}

#endif
