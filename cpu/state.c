/* Reset and helper states of struct cpu_state. */
// SPDX-License-Identifier: MIT
#include "cpu/state.h"

#include <string.h>

void cpu_seg_real(struct cpu_segment *sg, uint16_t sel, bool code)
{
	sg->selector = sel;
	sg->base = (uint64_t)sel << 4;
	sg->limit = 0xffff;
	/* present, S, read/write data (3) or execute/read code accessed (0xb) */
	sg->attr = SEG_ATTR_P | SEG_ATTR_S | (code ? 0xb : 0x3);
}

void cpu_seg_flat(struct cpu_segment *sg, uint16_t sel, uint32_t attr)
{
	sg->selector = sel;
	sg->base = 0;
	sg->limit = 0xffffffff;
	sg->attr = attr;
}

void cpu_state_reset(struct cpu_state *s, bool init)
{
	/* INIT keeps x87/SSE state, MSRs and the caches; RESET clears all */
	struct cpu_msrs keep_msr = s->msr;
	uint8_t keep_fx[512];
	if (init)
		memcpy(keep_fx, s->fxsave, sizeof(keep_fx));

	memset(s, 0, sizeof(*s));
	s->rip = 0xfff0;
	s->rflags = FL_FIXED;
	s->cr0 = CR0_ET | CR0_CD | CR0_NW;
	/* EDX after reset: the processor signature (family 6) */
	s->gpr[R_EDX] = 0x600;
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_real(&s->seg[i], 0, false);
	/* CS is F000 with its base at FFFF0000, so the first fetch is at
	 * FFFFFFF0, the top of the 4 GiB space */
	cpu_seg_real(&s->seg[S_CS], 0xf000, true);
	s->seg[S_CS].base = 0xffff0000;
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->ldt.limit = 0xffff;
	s->ldt.attr = SEG_ATTR_P | 0x2;		/* LDT */
	s->tr.limit = 0xffff;
	s->tr.attr = SEG_ATTR_P | 0xb;		/* busy 32-bit TSS */
	s->dr[6] = 0xffff0ff0;
	s->dr[7] = 0x400;
	s->xcr0 = 1;
	s->run_state = CPU_RUNNING;

	if (init) {
		s->msr = keep_msr;
		memcpy(s->fxsave, keep_fx, sizeof(keep_fx));
	} else {
		s->msr.pat = 0x0007040600070406ull;
		s->msr.misc_enable = 1;		/* fast strings */
		/* FXSAVE image of the x87 reset state: FCW 0x37f, MXCSR 0x1f80 */
		s->fxsave[0] = 0x7f;
		s->fxsave[1] = 0x03;
		s->fxsave[24] = 0x80;
		s->fxsave[25] = 0x1f;
		s->fxsave[28] = 0xff;		/* MXCSR_MASK 0xffff */
		s->fxsave[29] = 0xff;
	}
}

void cpu_state_sipi(struct cpu_state *s, uint8_t vector)
{
	cpu_seg_real(&s->seg[S_CS], (uint16_t)vector << 8, true);
	s->rip = 0;
	s->run_state = CPU_RUNNING;
}
