/* The x87 transcendentals computed in software, the same on every host. */
// SPDX-License-Identifier: MIT
#ifndef CPU_INTERP_X87_TRANSC_H
#define CPU_INTERP_X87_TRANSC_H

#include <stdbool.h>
#include <stdint.h>

/* the D9 register forms done here: F2XM1 (F0), FYL2X (F1), FPTAN (F2),
 * FPATAN (F3), FYL2XP1 (F9), FSINCOS (FB), FSIN (FE), FCOS (FF) */
static inline bool x87_transc_op(unsigned modrm)
{
	switch (modrm) {
	case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf9: case 0xfb: case 0xfe: case 0xff:
		return true;
	}
	return false;
}

/* one of them on an FNSAVE-style state: FCW, FSW (with TOP), the full
 * tag word and ST(0)..ST(7) in stack order, 10 bytes each; as the x87
 * does it, with the guest's precision, rounding and exception masks */
void x87_transc(unsigned modrm, uint16_t fcw, uint16_t *fsw, uint16_t *ftw, uint8_t st[8][10]);

#endif
