/* The x87 FPU: every D8-DF instruction of the P6 and WAIT, computed on the host's x87. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/ops.h"

#include <string.h>
#include "cpu/interp/flags.h"
#include "cpu/interp/fximage.h"
#include "cpu/interp/icpu.h"
#include "cpu/interp/sse.h"
#include "cpu/interp/x87_transc.h"
#include "cpu/vcpu.h"
#include "hw/log.h"

/*
 * Where the state lives: c->s->fxsave, the FXSAVE image, always (nothing
 * to sync with other tiers): FCW at 0, FSW (with TOP) at 2, the abridged
 * tag byte at 4 (bit p = physical register Rp not empty), FOP at 6,
 * FIP/FCS at 8/12, FDP/FDS at 16/20, and ST(i) -- stack order, as FXSAVE
 * stores them -- at 32 + 16*i. A push or pop therefore rotates the eight
 * slots; the tag bits, being physical, do not move.
 *
 * Exactness: the host is x86-64 and its x87 is the same machine, so every
 * computing instruction (loads, stores, arithmetic, compares, FXAM,
 * stack and tag handling, FCOMI's EFLAGS, FCMOV) is run as itself on the
 * host: the guest state goes in with FRSTOR (with the
 * guest's FCW: its precision, rounding and exception masks), the very
 * instruction executes (ModRM rewritten to address a host buffer for a
 * memory operand), and FNSAVE brings the state back. That is bit-exact,
 * unmasked-exception behaviour included (bias-adjusted results, untouched
 * destinations, no pop), because FNSAVE does not wait: a pending
 * exception is carried to the guest, never raised on the host. The host's
 * own x87 state is saved and restored around it.
 *
 * Not the transcendentals: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1,
 * FYL2X and FYL2XP1 differ in last bits between Intel and AMD hosts, so
 * x87_transc.c computes them (MPFR), the same on every host, with
 * Intel's documented reduction and special cases, correctly rounded.
 *
 * What the host cannot do for us is done here: the mode-dependent
 * environment formats (FLDENV/FNSTENV/FRSTOR/FNSAVE, 16/32-bit, real and
 * protected), FLDCW/FNSTCW/FNSTSW/FNCLEX/FNINIT, the instruction and data
 * pointers (guest addresses), #NM from CR0.EM/TS/MP and #MF for a pending
 * unmasked exception at the next waiting instruction (FERR#, IRQ 13
 * through the board, with CR0.NE=0).
 */

enum {
	FSW_IE = 1 << 0, FSW_OE = 1 << 3, FSW_UE = 1 << 4, FSW_SF = 1 << 6,
	FSW_ES = 1 << 7, FSW_B = 1 << 15, FSW_EXC = 0x3f,
};

/* the 32-bit protected-mode FSAVE image: what the host's FNSAVE/FRSTOR use */
struct fsave32 {
	uint16_t fcw, fcw_hi, fsw, fsw_hi, ftw, ftw_hi;
	uint32_t fip;
	uint16_t fcs, fop;
	uint32_t fdp;
	uint16_t fds, fds_hi;
	uint8_t st[8][10];
} __attribute__((packed));

_Static_assert(sizeof(struct fsave32) == 108, "FSAVE image");

/* -- the host side --
 * x87_host_run(img, mem, rflags, stub): FRSTOR img, load the arithmetic
 * flags (FCMOV reads them), run stub number `stub`, read EFLAGS (FCOMI
 * writes them), FNSAVE to img; returns the EFLAGS. The host's own x87 needs
 * no save: the psABI has its register stack empty at a call and only the
 * control word callee-saved, and FNSAVE leaves the FPU initialised, so
 * putting the caller's FCW back restores all a caller may rely on (and
 * spares an FNSAVE/FRSTOR pair, most of this path's cost). Stubs are 8
 * bytes: ENDBR64, the instruction, RET. 0-511: register forms, (escape - 0xD8) * 64 + ModRM low six bits;
 * 512-575: memory forms, 512 + (escape - 0xD8) * 8 + reg, addressing
 * (%rsi) (mod 00, rm 110). Not static only because gcc cannot see a
 * definition in asm; the symbol itself is local (no .globl). */
uint64_t x87_host_run(struct fsave32 *img, void *mem, uint64_t rflags, unsigned stub)
	__asm__("trivisor_x87_host_run");

__asm__(
	".pushsection .text\n"
	".p2align 4\n"
	"trivisor_x87_host_run:\n"
	"	sub $24, %rsp\n"
	"	fnstcw (%rsp)\n"
	"	frstor (%rdi)\n"
	"	lea trivisor_x87_stubs(%rip), %rax\n"
	"	lea (%rax,%rcx,8), %rax\n"
	"	push %rdx\n"
	"	popfq\n"
	"	call *%rax\n"
	"	pushfq\n"
	"	pop %rax\n"
	"	fnsave (%rdi)\n"
	"	fldcw (%rsp)\n"
	"	add $24, %rsp\n"
	"	ret\n"
	".p2align 3\n"
	"trivisor_x87_stubs:\n"
	".irp e,0,1,2,3,4,5,6,7\n"
	".irp m,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,"
	"32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
	".byte 0xf3,0x0f,0x1e,0xfa,0xd8+\\e,0xc0+\\m,0xc3,0xcc\n"
	".endr\n"
	".endr\n"
	".irp e,0,1,2,3,4,5,6,7\n"
	".irp g,0,1,2,3,4,5,6,7\n"
	".byte 0xf3,0x0f,0x1e,0xfa,0xd8+\\e,(\\g<<3)|6,0xc3,0xcc\n"
	".endr\n"
	".endr\n"
	".popsection\n");

/* -- the canonical state -- */

static inline uint8_t *fx_st(struct icpu *c, unsigned i)
{
	return c->s->fxsave + FX_ST + 16 * i;
}

/* ES and B follow the unmasked exception flags whenever FCW or FSW is
 * loaded (the host does the same: FLDCW, FLDENV, FNSTENV's masking) */
static inline uint16_t fsw_with_es(uint16_t fsw, uint16_t fcw)
{
	fsw &= (uint16_t)~(FSW_ES | FSW_B);
	if (fsw & ~fcw & FSW_EXC)
		fsw |= FSW_ES | FSW_B;
	return fsw;
}

/* the only writable FCW bits; bit 6 reads as one */
static inline uint16_t fcw_load(uint16_t v)
{
	return (uint16_t)((v & 0x1f3f) | 0x40);
}

/* a register's full tag from its contents: 0 valid, 1 zero, 2 special */
static unsigned tag_of(const uint8_t *r)
{
	uint64_t m;
	uint16_t se;
	memcpy(&m, r, 8);
	memcpy(&se, r + 8, 2);
	unsigned e = se & 0x7fff;
	if (e == 0x7fff)
		return 2;
	if (e == 0)
		return m ? 2 : 1;
	return (m >> 63) ? 0 : 2;
}

static uint16_t ftw_full(struct icpu *c)
{
	unsigned top = (fx16(c, FX_FSW) >> 11) & 7, ab = c->s->fxsave[FX_FTW];
	uint16_t ftw = 0;
	for (unsigned p = 0; p < 8; p++) {
		unsigned t = (ab >> p) & 1 ? tag_of(fx_st(c, (p - top) & 7)) : 3;
		ftw |= (uint16_t)(t << (2 * p));
	}
	return ftw;
}

/* FRSTOR/FLDENV use a tag only to tell empty from not (SDM 8.1.7) */
static uint8_t ftw_abridge(uint16_t ftw)
{
	uint8_t ab = 0;
	for (unsigned p = 0; p < 8; p++)
		if (((ftw >> (2 * p)) & 3) != 3)
			ab |= (uint8_t)(1 << p);
	return ab;
}

static void st_set(struct icpu *c, unsigned i, const uint8_t *v10)
{
	uint8_t *r = fx_st(c, i);
	memcpy(r, v10, 10);
	memset(r + 10, 0, 6);
}

/* a new FSW whose TOP may differ: the slots are in stack order, so
 * they rotate to keep each physical register's contents where it is */
static void fsw_set(struct icpu *c, uint16_t fsw)
{
	unsigned old = (fx16(c, FX_FSW) >> 11) & 7, top = (fsw >> 11) & 7;
	if (old != top) {
		uint8_t st[8][16];
		memcpy(st, c->s->fxsave + FX_ST, sizeof(st));
		for (unsigned i = 0; i < 8; i++)
			memcpy(fx_st(c, i), st[(top + i - old) & 7], 16);
	}
	fx16_set(c, FX_FSW, fsw);
}

static void fninit(struct icpu *c)
{
	fsw_set(c, 0);
	memset(c->s->fxsave + FX_FTW, 0, 20);	/* tags, FOP, FIP, FCS, FDP, FDS */
	fx16_set(c, FX_FCW, 0x37f);
}

/* -- guest memory -- */

static void mem_read_bytes(struct icpu *c, const struct insn *i, uint64_t ea, uint8_t *b, unsigned n)
{
	uint64_t am = size_mask(i->asize);
	for (unsigned k = 0; k < n;) {
		unsigned w = n - k >= 8 ? 8 : n - k >= 4 ? 4 : n - k >= 2 ? 2 : 1;
		uint64_t v = vmem_read(c, i->seg, (ea + k) & am, w);
		memcpy(b + k, &v, w);
		k += w;
	}
}

/* checks the whole range first: a fault leaves memory and the FPU as they were */
static void mem_write_bytes(struct icpu *c, const struct insn *i, uint64_t ea, const uint8_t *b, unsigned n)
{
	uint64_t am = size_mask(i->asize);
	vmem_probe(c, i->seg, ea, 1, MMU_WRITE);
	vmem_probe(c, i->seg, (ea + n - 1) & am, 1, MMU_WRITE);
	for (unsigned k = 0; k < n;) {
		unsigned w = n - k >= 8 ? 8 : n - k >= 4 ? 4 : n - k >= 2 ? 2 : 1;
		uint64_t v = 0;
		memcpy(&v, b + k, w);
		vmem_write(c, i->seg, (ea + k) & am, v, w);
		k += w;
	}
}

/* -- exceptions -- */

static void check_nm(struct icpu *c)
{
	if (c->s->cr0 & (CR0_EM | CR0_TS))
		cpu_fault_noerr(c, EXC_NM);
}

/* a waiting instruction with an unmasked exception pending: #MF; with
 * CR0.NE=0 (DOS-era error reporting), FERR# instead: the board latches
 * it into IRQ 13 through the PIC, and the instruction goes on as it does
 * once the handler's write to port 0xf0 asserts IGNNE# (the pending
 * flags stay set; host_exec keeps them from the host's FPU). A VM
 * without FERR# wiring gets #MF, said once. */
void x87_check_pending(struct icpu *c)
{
	/* the flags count too: a state from elsewhere may lack ES */
	if (!(fsw_with_es(fx16(c, FX_FSW), fx16(c, FX_FCW)) & FSW_ES))
		return;
	if (!(c->s->cr0 & CR0_NE)) {
		if (vcpu_ferr(c->v))
			return;
		log_once("interp: x87 exception with CR0.NE=0 and no FERR# wiring: #MF");
	}
	cpu_fault_noerr(c, EXC_MF);
}

/* -- the environment: FLDENV/FNSTENV and the first part of FRSTOR/FNSAVE -- */

static bool env_real(const struct icpu *c)
{
	return !cpu_protected(c->s) || c->v86;
}

/* the image for the current mode and operand size; returns its size */
static unsigned env_store(struct icpu *c, bool o32, uint8_t *b)
{
	uint16_t fcw = fx16(c, FX_FCW), fsw = fx16(c, FX_FSW), ftw = ftw_full(c);
	uint16_t fop = fx16(c, FX_FOP) & 0x7ff, fcs = fx16(c, FX_FCS), fds = fx16(c, FX_FDS);
	uint32_t fip = fx32(c, FX_FIP), fdp = fx32(c, FX_FDP);
	bool real = env_real(c);
	if (real) {
		/* real and v86 modes store 20/32-bit linear addresses */
		fip += (uint32_t)fcs << 4;
		fdp += (uint32_t)fds << 4;
	}
	if (o32) {
		uint32_t d[7] = { 0xffff0000u | fcw, 0xffff0000u | fsw, 0xffff0000u | ftw };
		if (real) {
			d[3] = 0xffff0000u | (fip & 0xffff);
			d[4] = fop | ((fip >> 16) << 12);
			d[5] = 0xffff0000u | (fdp & 0xffff);
			d[6] = (fdp >> 16) << 12;
		} else {
			d[3] = fip;
			d[4] = fcs | ((uint32_t)fop << 16);
			d[5] = fdp;
			d[6] = 0xffff0000u | fds;
		}
		memcpy(b, d, 28);
		return 28;
	}
	uint16_t w[7] = { fcw, fsw, ftw };
	if (real) {
		w[3] = (uint16_t)fip;
		w[4] = (uint16_t)(fop | ((fip >> 16) & 0xf) << 12);
		w[5] = (uint16_t)fdp;
		w[6] = (uint16_t)(((fdp >> 16) & 0xf) << 12);
	} else {
		w[3] = (uint16_t)fip;
		w[4] = fcs;
		w[5] = (uint16_t)fdp;
		w[6] = fds;
	}
	memcpy(b, w, 14);
	return 14;
}

static void env_load(struct icpu *c, bool o32, const uint8_t *b)
{
	uint16_t fcw, fsw, ftw, fop = 0, fcs = 0, fds = 0;
	uint32_t fip, fdp;
	bool real = env_real(c);
	if (o32) {
		uint32_t d[7];
		memcpy(d, b, 28);
		fcw = (uint16_t)d[0];
		fsw = (uint16_t)d[1];
		ftw = (uint16_t)d[2];
		if (real) {
			fip = (d[3] & 0xffff) | ((d[4] >> 12) & 0xffff) << 16;
			fop = d[4] & 0x7ff;
			fdp = (d[5] & 0xffff) | ((d[6] >> 12) & 0xffff) << 16;
		} else {
			fip = d[3];
			fcs = (uint16_t)d[4];
			fop = (d[4] >> 16) & 0x7ff;
			fdp = d[5];
			fds = (uint16_t)d[6];
		}
	} else {
		uint16_t w[7];
		memcpy(w, b, 14);
		fcw = w[0];
		fsw = w[1];
		ftw = w[2];
		if (real) {
			fip = w[3] | (uint32_t)(w[4] >> 12) << 16;
			fop = w[4] & 0x7ff;
			fdp = w[5] | (uint32_t)(w[6] >> 12) << 16;
		} else {
			fip = w[3];
			fcs = w[4];
			fdp = w[5];
			fds = w[6];
		}
	}
	fcw = fcw_load(fcw);
	fx16_set(c, FX_FCW, fcw);
	fsw_set(c, fsw_with_es(fsw, fcw));
	c->s->fxsave[FX_FTW] = ftw_abridge(ftw);
	fx16_set(c, FX_FOP, fop);
	fx32_set(c, FX_FIP, fip);
	fx16_set(c, FX_FCS, fcs);
	fx32_set(c, FX_FDP, fdp);
	fx16_set(c, FX_FDS, fds);
}

/* -- the control instructions (no FIP/FDP/FOP update) -- */

static void do_fldenv(struct icpu *c, const struct insn *i, uint64_t ea, bool regs)
{
	bool o32 = i->osize != 2;
	unsigned n = (o32 ? 28 : 14) + (regs ? 80 : 0);
	uint8_t b[108];
	mem_read_bytes(c, i, ea, b, n);
	env_load(c, o32, b);
	if (regs)
		for (unsigned k = 0; k < 8; k++)
			st_set(c, k, b + (o32 ? 28 : 14) + 10 * k);
}

static void do_fnstenv(struct icpu *c, const struct insn *i, uint64_t ea, bool regs)
{
	bool o32 = i->osize != 2;
	uint8_t b[108];
	unsigned n = env_store(c, o32, b);
	if (regs)
		for (unsigned k = 0; k < 8; k++)
			memcpy(b + n + 10 * k, fx_st(c, k), 10);
	mem_write_bytes(c, i, ea, b, n + (regs ? 80 : 0));
	if (regs) {
		fninit(c);
	} else {
		/* FNSTENV then masks every exception */
		uint16_t fcw = fx16(c, FX_FCW) | FSW_EXC;
		fx16_set(c, FX_FCW, fcw);
		fx16_set(c, FX_FSW, fsw_with_es(fx16(c, FX_FSW), fcw));
	}
}

static void do_store16(struct icpu *c, const struct insn *i, uint64_t ea, uint16_t v)
{
	uint8_t b[2];
	memcpy(b, &v, 2);
	mem_write_bytes(c, i, ea, b, 2);
}

/* -- the computing instructions, run on the host -- */

enum mem_kind {
	M_LOAD,		/* operand read, then the host instruction */
	M_STORE,	/* the host instruction, then the operand written */
	M_LDENV, M_STENV, M_LDCW, M_STCW, M_RSTOR, M_SAVE, M_STSW,
};

/* memory forms by (escape - 0xD8) * 8 + reg; the decoder already
 * refused those without one (D9 /1, DB /4, DB /6, DD /5) */
static const uint8_t mem_kind[64] = {
	/* D8 */ M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD,
	/* D9 */ M_LOAD, M_LOAD, M_STORE, M_STORE, M_LDENV, M_LDCW, M_STENV, M_STCW,
	/* DA */ M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD,
	/* DB: FILD, FISTTP, FIST, FISTP, -, FLD m80, -, FSTP m80 */
	M_LOAD, M_STORE, M_STORE, M_STORE, M_LOAD, M_LOAD, M_LOAD, M_STORE,
	/* DC */ M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD,
	/* DD: FLD, FISTTP, FST, FSTP, FRSTOR, -, FNSAVE, FNSTSW */
	M_LOAD, M_STORE, M_STORE, M_STORE, M_RSTOR, M_LOAD, M_SAVE, M_STSW,
	/* DE */ M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD, M_LOAD,
	/* DF: FILD, FISTTP, FIST, FISTP, FBLD, FILD m64, FBSTP, FISTP m64 */
	M_LOAD, M_STORE, M_STORE, M_STORE, M_LOAD, M_LOAD, M_STORE, M_STORE,
};

/* the guest state through the host instruction and back */
static uint64_t host_exec(struct icpu *c, unsigned stub, void *mem, uint64_t rflags)
{
	struct fsave32 img;
	memset(&img, 0, sizeof(img));
	img.fcw = fx16(c, FX_FCW);
	img.fsw = fx16(c, FX_FSW);
	img.ftw = ftw_full(c);
	for (unsigned k = 0; k < 8; k++)
		memcpy(img.st[k], fx_st(c, k), 10);
	/* unmasked exception flags still pending (FERR# went to IRQ 13 and
	 * the instruction goes on): kept out of the host's FPU, where they
	 * would trap, and put back after */
	uint16_t pend = img.fsw & ~img.fcw & FSW_EXC;
	img.fsw &= (uint16_t)~(pend | FSW_ES | FSW_B);
	uint64_t fl = rflags;
	if (stub >= 64 && stub < 128 && x87_transc_op(0xc0 | (stub - 64))) {
		/* the transcendentals: our own, the same on every host */
		uint16_t fsw = img.fsw, ftw = img.ftw;
		x87_transc(0xc0 | (stub - 64), img.fcw, &fsw, &ftw, img.st);
		img.fsw = fsw;
		img.ftw = ftw;
	} else {	/* only the arithmetic flags go in: never TF, DF, AC */
		fl = x87_host_run(&img, mem, (rflags & FL_ARITH) | FL_FIXED, stub);
	}
	fx16_set(c, FX_FCW, img.fcw);
	fx16_set(c, FX_FSW, fsw_with_es(img.fsw | pend, img.fcw));
	c->s->fxsave[FX_FTW] = ftw_abridge(img.ftw);
	for (unsigned k = 0; k < 8; k++)
		st_set(c, k, img.st[k]);
	return fl;
}

/* FOP, FIP and FCS (and FDP/FDS for a memory operand): the last
 * non-control instruction, for an exception handler */
static void record(struct icpu *c, const struct insn *i, bool mem, uint64_t ea)
{
	fx16_set(c, FX_FOP, (uint16_t)(((i->opcode & 7) << 8) | i->modrm));
	fx32_set(c, FX_FIP, (uint32_t)c->s->rip);
	fx16_set(c, FX_FCS, c->s->seg[S_CS].selector);
	if (mem) {
		fx32_set(c, FX_FDP, (uint32_t)ea);
		fx16_set(c, FX_FDS, c->s->seg[i->seg].selector);
	}
}

static void x87_mem(struct icpu *c, const struct insn *i)
{
	unsigned esc = i->opcode & 7, reg = (i->modrm >> 3) & 7;
	uint64_t ea = insn_ea(c, i);
	unsigned size = i->opnd[0].size;
	uint8_t buf[16] __attribute__((aligned(16))) = { 0 };

	switch (mem_kind[esc * 8 + reg]) {
	case M_LDENV:
		x87_check_pending(c);
		do_fldenv(c, i, ea, false);
		return;
	case M_RSTOR:
		x87_check_pending(c);
		do_fldenv(c, i, ea, true);
		return;
	case M_STENV:
		do_fnstenv(c, i, ea, false);
		return;
	case M_SAVE:
		do_fnstenv(c, i, ea, true);
		return;
	case M_LDCW: {
		x87_check_pending(c);
		uint16_t fcw = fcw_load((uint16_t)vmem_read(c, i->seg, ea, 2));
		fx16_set(c, FX_FCW, fcw);
		fx16_set(c, FX_FSW, fsw_with_es(fx16(c, FX_FSW), fcw));
		return;
	}
	case M_STCW:
		do_store16(c, i, ea, fx16(c, FX_FCW));
		return;
	case M_STSW:
		do_store16(c, i, ea, fx16(c, FX_FSW));
		return;
	case M_LOAD:
		x87_check_pending(c);
		mem_read_bytes(c, i, ea, buf, size);
		host_exec(c, 512 + esc * 8 + reg, buf, 0);
		record(c, i, true, ea);
		return;
	case M_STORE: {
		x87_check_pending(c);
		uint64_t am = size_mask(i->asize);
		vmem_probe(c, i->seg, ea, 1, MMU_WRITE);
		vmem_probe(c, i->seg, (ea + size - 1) & am, 1, MMU_WRITE);
		uint16_t before = fx16(c, FX_FSW);
		host_exec(c, 512 + esc * 8 + reg, buf, 0);
		record(c, i, true, ea);
		/* an unmasked invalid, overflow or underflow exception leaves
		 * the memory destination unchanged (the host left buf alone) */
		uint16_t raised = fx16(c, FX_FSW) & ~before & ~fx16(c, FX_FCW);
		if (!(raised & (FSW_IE | FSW_OE | FSW_UE)))
			mem_write_bytes(c, i, ea, buf, size);
		return;
	}
	}
}

static void x87_reg(struct icpu *c, const struct insn *i)
{
	unsigned esc = i->opcode & 7, reg = (i->modrm >> 3) & 7, rm = i->modrm & 7;

	if (esc == 3 && reg == 4) {
		/* DB E0-E4: FENI and FDISI (8087) and FSETPM (287) do nothing
		 * on a 387 and later; FNCLEX; FNINIT. None waits. */
		if (rm == 2)
			fx16_set(c, FX_FSW, fx16(c, FX_FSW) & 0x7f00);
		else if (rm == 3)
			fninit(c);
		return;
	}
	if (esc == 7 && reg == 4) {		/* FNSTSW AX */
		reg_write(c, R_EAX, 2, fx16(c, FX_FSW));
		return;
	}
	x87_check_pending(c);
	bool fcmov = (esc == 2 || esc == 3) && reg < 4;
	bool fcomi = (esc == 3 || esc == 7) && (reg == 5 || reg == 6);
	uint64_t fl = host_exec(c, esc * 64 + (i->modrm & 0x3f), NULL, fcmov ? flags_get(c) : 0);
	if (fcomi)
		flags_set(c, (flags_get(c) & ~(uint64_t)FL_ARITH) | (fl & (FL_ZF | FL_PF | FL_CF)));
	record(c, i, false, 0);
}

static void x87_esc(struct icpu *c, const struct insn *i)
{
	check_nm(c);
	if (i->opnd[0].kind == OPK_MEM)
		x87_mem(c, i);
	else
		x87_reg(c, i);
}

/* WAIT: #NM only when CR0.MP and TS are both set; then any pending #MF */
static void x87_wait(struct icpu *c, const struct insn *i)
{
	(void)i;
	if ((c->s->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
		cpu_fault_noerr(c, EXC_NM);
	x87_check_pending(c);
}

const struct interp_op interp_ops_x87[] = {
	{ OP_X87, x87_esc }, { OP_WAIT, x87_wait }, { OP_FWAIT, x87_wait },
	{ OP_INVALID, NULL },
};
