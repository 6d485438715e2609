/* Unit tests of the interpreter's system architecture: segment loads and
 * their faults, interrupt delivery in real and protected mode, privilege
 * changes, #DF and triple fault, call gates, IRET, task switches, v86 and
 * the I/O bitmap, on a hand-built CPU with GDT/IDT/TSS in a small RAM. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/system.h"

#include <setjmp.h>
#include <string.h>
#include <time.h>
#include "cpu/interp/flags.h"
#include "cpu/interp/sysarch.h"
#include "testsuite/unit/check.h"

#define RAM (4u << 20)
#define GDT 0x1000u
#define IDT 0x2000u
#define TSS_A 0x3000u
#define TSS_B 0x3400u

/* selectors of the test GDT */
enum {
	SEL_CODE0 = 0x08, SEL_DATA0 = 0x10, SEL_CODE3 = 0x1b, SEL_DATA3 = 0x23,
	SEL_TSS_A = 0x28, SEL_TSS_B = 0x30, SEL_NP = 0x38, SEL_CALLGATE = 0x43,
	SEL_XONLY = 0x48, SEL_DATA0_RO = 0x50,
};

static struct physmap pm;
static struct cpu_state st;
static struct icpu cpu;
static struct icpu *const c = &cpu;

static void w8(uint32_t a, uint8_t v) { pm.ram[a] = v; }
static void w16(uint32_t a, uint16_t v) { memcpy(pm.ram + a, &v, 2); }
static void w32(uint32_t a, uint32_t v) { memcpy(pm.ram + a, &v, 4); }
static void w64(uint32_t a, uint64_t v) { memcpy(pm.ram + a, &v, 8); }
static uint16_t r16(uint32_t a) { uint16_t v; memcpy(&v, pm.ram + a, 2); return v; }
static uint32_t r32(uint32_t a) { uint32_t v; memcpy(&v, pm.ram + a, 4); return v; }

static uint64_t mkdesc(uint32_t base, uint32_t limit, unsigned type, unsigned s, unsigned dpl,
		       unsigned p, unsigned db, unsigned g)
{
	return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)type << 40) |
	       ((uint64_t)s << 44) | ((uint64_t)dpl << 45) | ((uint64_t)p << 47) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)db << 54) |
	       ((uint64_t)g << 55) | ((uint64_t)(base >> 24) << 56);
}

static uint64_t mkgate(uint16_t sel, uint32_t off, unsigned type, unsigned dpl, unsigned p,
		       unsigned params)
{
	return (off & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)params << 32) |
	       ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | ((uint64_t)p << 47) |
	       ((uint64_t)(off >> 16) << 48);
}

static void set_gdt(unsigned idx, uint64_t d) { w64(GDT + idx * 8, d); }
static void set_idt(unsigned vec, uint64_t d) { w64(IDT + vec * 8, d); }

static void load_seg(int sg, uint16_t sel)
{
	struct desc d = { r32(GDT + (sel & ~7u)), r32(GDT + (sel & ~7u) + 4) };
	seg_from_desc(&st.seg[sg], sel, d);
}

/* a flat protected-mode machine at ring `ring`, GDT/IDT/TSS A in place */
static void pm_setup(unsigned ring)
{
	memset(pm.ram, 0, RAM);
	cpu_state_reset(&st, false);
	memset(c, 0, sizeof(*c));
	c->s = &st;
	c->delivering = -1;
	tlb_init(&c->tlb, &pm, NULL);

	set_gdt(1, mkdesc(0, 0xfffff, 0xb, 1, 0, 1, 1, 1));
	set_gdt(2, mkdesc(0, 0xfffff, 0x2, 1, 0, 1, 1, 1));	/* not yet accessed */
	set_gdt(3, mkdesc(0, 0xfffff, 0xb, 1, 3, 1, 1, 1));
	set_gdt(4, mkdesc(0, 0xfffff, 0x3, 1, 3, 1, 1, 1));
	set_gdt(5, mkdesc(TSS_A, 0x88, SYS_TSS32_BUSY, 0, 0, 1, 0, 0));
	set_gdt(6, mkdesc(TSS_B, 0x67, SYS_TSS32, 0, 0, 1, 0, 0));
	set_gdt(7, mkdesc(0, 0xfffff, 0x3, 1, 0, 0, 1, 1));		/* not present */
	set_gdt(8, mkgate(SEL_CODE0, 0x5100, SYS_CALL32, 3, 1, 2));
	set_gdt(9, mkdesc(0, 0xfffff, 0x8, 1, 0, 1, 1, 1));		/* execute-only */
	set_gdt(10, mkdesc(0, 0xfffff, 0x0, 1, 0, 1, 1, 1));		/* read-only data */
	st.gdt.base = GDT;
	st.gdt.limit = 11 * 8 - 1;
	st.idt.base = IDT;
	st.idt.limit = 0x100 * 8 - 1;

	/* TSS A: ring-0 stack, an I/O bitmap at 0x68 allowing port 0x80 and
	 * denying 0x81 */
	w32(TSS_A + 4, 0x9000);
	w16(TSS_A + 8, SEL_DATA0);
	w16(TSS_A + 0x66, 0x68);
	w8(TSS_A + 0x68 + 0x10, 0x02);
	seg_from_desc(&st.tr, SEL_TSS_A, (struct desc){ r32(GDT + 0x28), r32(GDT + 0x2c) });

	st.cr0 = CR0_PE | CR0_ET;
	st.rflags = FL_FIXED | FL_IF;
	if (ring == 0) {
		load_seg(S_CS, SEL_CODE0);
		for (int sg = 0; sg < CPU_NR_SEGS; sg++)
			if (sg != S_CS)
				load_seg(sg, SEL_DATA0);
	} else {
		load_seg(S_CS, SEL_CODE3);
		for (int sg = 0; sg < CPU_NR_SEGS; sg++)
			if (sg != S_CS)
				load_seg(sg, SEL_DATA3);
	}
	st.gpr[R_ESP] = 0x8000;
	st.rip = 0x4000;
	c->next_rip = 0x4002;
	icpu_mode_changed(c);
}

/* -- running code that may fault -- */

static int fault_vec;
static uint32_t fault_err;

typedef void step_fn(void);

static bool faults(step_fn *fn)
{
	jmp_buf jb;
	c->fault_jmp = &jb;
	fault_vec = -1;
	if (setjmp(jb)) {
		fault_vec = c->fault_vector;
		fault_err = c->fault_error;
		c->fault_jmp = NULL;
		return true;
	}
	fn();
	c->fault_jmp = NULL;
	return false;
}

/* the run loop's part: deliver an exception; faults during delivery come
 * back to icpu_exception, as interp.c does */
static int nfaults;
static int fvec[8];
static uint32_t ferr[8];

static void raise_exc(int vec, bool has, uint32_t err)
{
	jmp_buf jb;
	volatile int v = vec;
	volatile bool h = has;
	volatile uint32_t e = err;
	nfaults = 0;
	c->fault_jmp = &jb;
	if (setjmp(jb)) {
		v = c->fault_vector;
		h = c->fault_has_error;
		e = c->fault_error;
		fvec[nfaults] = v;
		ferr[nfaults] = e;
		if (++nfaults >= 8) {
			c->fault_jmp = NULL;
			return;
		}
	}
	icpu_exception(c, v, h, e);
	c->fault_jmp = NULL;
}

/* -- segment loads -- */

static int g_seg;
static uint16_t g_sel;
static void do_seg_load(void) { seg_load(c, g_seg, g_sel); }

static void check_load(int seg, uint16_t sel, int vec, uint32_t err)
{
	g_seg = seg;
	g_sel = sel;
	bool f = faults(do_seg_load);
	if (vec < 0) {
		CHECK(!f);
	} else {
		CHECK(f);
		CHECK_EQ(fault_vec, vec);
		CHECK_EQ(fault_err, err);
	}
}

static void test_seg_load_faults(void)
{
	pm_setup(0);
	check_load(S_DS, 0, -1, 0);
	CHECK(st.seg[S_DS].attr & SEG_ATTR_UNUSABLE);
	check_load(S_DS, 3, -1, 0);			/* null with RPL 3: fine for DS */
	check_load(S_SS, 0, EXC_GP, 0);
	check_load(S_DS, 0x58, EXC_GP, 0x58);		/* beyond the GDT limit */
	check_load(S_DS, 0x0c, EXC_GP, 0x0c);		/* TI=1 with no LDT */
	check_load(S_SS, SEL_DATA0 | 3, EXC_GP, SEL_DATA0);	/* RPL != CPL */
	check_load(S_SS, SEL_DATA3 & ~3, EXC_GP, SEL_DATA3 & ~3);	/* DPL != CPL */
	check_load(S_SS, SEL_NP, EXC_SS, SEL_NP);	/* not present */
	check_load(S_SS, SEL_DATA0_RO, EXC_GP, SEL_DATA0_RO);	/* not writable */
	check_load(S_SS, SEL_CODE0, EXC_GP, SEL_CODE0);	/* code */
	check_load(S_DS, SEL_NP, EXC_NP, SEL_NP);
	check_load(S_DS, SEL_XONLY, EXC_GP, SEL_XONLY);	/* execute-only code */
	check_load(S_DS, SEL_TSS_B, EXC_GP, SEL_TSS_B & ~3);	/* system descriptor */
	check_load(S_DS, SEL_CODE0, -1, 0);		/* readable code is fine */

	/* a successful load sets the accessed bit in the GDT */
	CHECK_EQ((r32(GDT + 0x14) >> 8) & 1, 0);
	check_load(S_ES, SEL_DATA0, -1, 0);
	CHECK_EQ((r32(GDT + 0x14) >> 8) & 1, 1);
	CHECK_EQ(st.seg[S_ES].limit, 0xffffffff);
	CHECK_EQ(st.seg[S_ES].attr & 0xf0ff, 0xc093);

	/* at CPL 3: DPL 0 data refused, also with RPL 0 */
	pm_setup(3);
	check_load(S_DS, SEL_DATA0, EXC_GP, SEL_DATA0);
	check_load(S_DS, SEL_DATA3, -1, 0);
	check_load(S_DS, SEL_DATA3 & ~3, -1, 0);	/* RPL 0 <= DPL 3 */
}

/* -- interrupt delivery -- */

static void test_real_mode_int(void)
{
	pm_setup(0);
	cpu_state_reset(&st, false);
	st.idt.base = 0;
	st.idt.limit = 0x3ff;
	st.seg[S_CS].base = 0;
	cpu_seg_real(&st.seg[S_CS], 0x1000, true);
	cpu_seg_real(&st.seg[S_SS], 0x2000, false);
	st.gpr[R_ESP] = 0x100;
	st.rip = 0x50;
	st.rflags = FL_FIXED | FL_IF | FL_TF | FL_CF;
	icpu_mode_changed(c);
	w16(0x21 * 4, 0x1234);
	w16(0x21 * 4 + 2, 0xabcd);
	c->next_rip = 0x52;
	icpu_deliver(c, 0x21, EV_SOFTINT, false, 0);
	CHECK_EQ(st.seg[S_CS].selector, 0xabcd);
	CHECK_EQ(st.seg[S_CS].base, 0xabcd0);
	CHECK_EQ(st.rip, 0x1234);
	CHECK_EQ(c->next_rip, 0x1234);
	CHECK_EQ(st.gpr[R_ESP], 0xfa);
	CHECK_EQ(r16(0x200fa), 0x52);		/* IP */
	CHECK_EQ(r16(0x200fc), 0x1000);		/* CS */
	CHECK_EQ(r16(0x200fe), FL_FIXED | FL_IF | FL_TF | FL_CF);
	CHECK_EQ(flags_get(c) & (FL_IF | FL_TF | FL_CF), FL_CF);

	/* an exception in real mode pushes no error code, returns to rip */
	w16(13 * 4, 0x10);
	w16(13 * 4 + 2, 0x20);
	st.rip = 0x77;
	raise_exc(EXC_GP, true, 0);
	CHECK_EQ(st.gpr[R_ESP], 0xf4);
	CHECK_EQ(r16(0x200f4), 0x77);
	CHECK_EQ(st.rip, 0x10);
}

static void test_pm_same_level(void)
{
	pm_setup(0);
	set_idt(0x30, mkgate(SEL_CODE0, 0x5000, SYS_INT32, 0, 1, 0));
	set_idt(0x31, mkgate(SEL_CODE0, 0x5010, SYS_TRAP32, 0, 1, 0));
	st.rflags |= FL_NT | FL_ZF;
	icpu_deliver(c, 0x30, EV_EXTINT, false, 0);
	CHECK_EQ(st.rip, 0x5000);
	CHECK_EQ(st.gpr[R_ESP], 0x8000 - 12);
	CHECK_EQ(r32(0x8000 - 12), 0x4002);		/* EIP: next_rip for interrupts */
	CHECK_EQ(r32(0x8000 - 8), SEL_CODE0);
	CHECK_EQ(r32(0x8000 - 4), FL_FIXED | FL_IF | FL_NT | FL_ZF);
	CHECK_EQ(flags_get(c) & (FL_IF | FL_NT), 0);
	CHECK_EQ(c->delivering, -1);

	/* a trap gate keeps IF; a fault pushes its own rip and error code */
	pm_setup(0);
	set_idt(13, mkgate(SEL_CODE0, 0x5010, SYS_TRAP32, 0, 1, 0));
	raise_exc(EXC_GP, true, 0x1234);
	CHECK_EQ(nfaults, 0);
	CHECK_EQ(st.rip, 0x5010);
	CHECK_EQ(st.gpr[R_ESP], 0x8000 - 16);
	CHECK_EQ(r32(0x8000 - 16), 0x1234);
	CHECK_EQ(r32(0x8000 - 12), 0x4000);
	CHECK(flags_get(c) & FL_IF);
	CHECK_EQ(r32(0x8000 - 4) & FL_RF, FL_RF);	/* faults push RF */

	/* INT n from ring 3 through a DPL 0 gate: #GP(vector*8+2) */
	pm_setup(3);
	set_idt(0x40, mkgate(SEL_CODE0, 0x5000, SYS_INT32, 0, 1, 0));
	set_idt(13, mkgate(SEL_CODE0, 0x5200, SYS_INT32, 0, 1, 0));
	jmp_buf jb;
	c->fault_jmp = &jb;
	if (!setjmp(jb)) {
		icpu_deliver(c, 0x40, EV_SOFTINT, false, 0);
		CHECK(0);
	} else {
		CHECK_EQ(c->fault_vector, EXC_GP);
		CHECK_EQ(c->fault_error, 0x40 * 8 + 2);
	}
	c->fault_jmp = NULL;
	/* the same vector as a hardware interrupt ignores the gate DPL */
	icpu_deliver(c, 0x40, EV_EXTINT, false, 0);
	CHECK_EQ(st.rip, 0x5000);
	CHECK_EQ(c->cpl, 0);
}

static void test_privilege_change(void)
{
	pm_setup(3);
	set_idt(0x80, mkgate(SEL_CODE0, 0x5000, SYS_INT32, 3, 1, 0));
	st.gpr[R_ESP] = 0x7ff0;
	icpu_deliver(c, 0x80, EV_SOFTINT, false, 0);
	CHECK_EQ(c->cpl, 0);
	CHECK_EQ(st.seg[S_CS].selector, SEL_CODE0);
	CHECK_EQ(st.seg[S_SS].selector, SEL_DATA0);
	CHECK_EQ(st.rip, 0x5000);
	CHECK_EQ(st.gpr[R_ESP], 0x9000 - 20);
	CHECK_EQ(r32(0x9000 - 20), 0x4002);
	CHECK_EQ(r32(0x9000 - 16), SEL_CODE3);
	CHECK_EQ(r32(0x9000 - 12), FL_FIXED | FL_IF);
	CHECK_EQ(r32(0x9000 - 8), 0x7ff0);
	CHECK_EQ(r32(0x9000 - 4), SEL_DATA3);

	/* a TSS whose SS0 is null: #TS(EXT) for an external interrupt */
	pm_setup(3);
	set_idt(0x80, mkgate(SEL_CODE0, 0x5000, SYS_INT32, 3, 1, 0));
	w16(TSS_A + 8, 0);
	set_idt(EXC_TS, mkgate(SEL_CODE0, 0x5300, SYS_INT32, 0, 1, 0));
	raise_exc(0x80, false, 0);	/* (uses the exception path: EXT = 1) */
	/* #TS's own delivery needs the same ring-0 stack: #TS again, which
	 * makes a #DF, whose delivery fails too: shutdown */
	CHECK_EQ(nfaults, 3);
	CHECK_EQ(fvec[0], EXC_TS);
	CHECK_EQ(ferr[0], 1);
	CHECK_EQ(fvec[1], EXC_TS);
	CHECK_EQ(fvec[2], EXC_GP);		/* no #DF gate here */
	CHECK_EQ(ferr[2], EXC_DF * 8 + 2 + 1);
	CHECK(c->shutdown);
}

static void test_double_and_triple_fault(void)
{
	pm_setup(0);
	/* #NP's gate names a selector beyond the GDT: #GP(sel|EXT) while
	 * delivering #NP, contributory twice: #DF with error 0 */
	set_idt(EXC_NP, mkgate(0x400, 0x5000, SYS_INT32, 0, 1, 0));
	set_idt(EXC_DF, mkgate(SEL_CODE0, 0x5800, SYS_INT32, 0, 1, 0));
	raise_exc(EXC_NP, true, SEL_NP);
	CHECK_EQ(nfaults, 1);
	CHECK_EQ(fvec[0], EXC_GP);
	CHECK_EQ(ferr[0], 0x401);
	CHECK(!c->shutdown);
	CHECK_EQ(st.rip, 0x5800);
	CHECK_EQ(st.gpr[R_ESP], 0x8000 - 16);
	CHECK_EQ(r32(0x8000 - 16), 0);			/* #DF's error code */
	CHECK_EQ(r32(0x8000 - 12), 0x4000);

	/* a benign first exception (#UD) does not make a #DF */
	pm_setup(0);
	set_idt(EXC_UD, mkgate(0x400, 0x5000, SYS_INT32, 0, 1, 0));
	set_idt(EXC_GP, mkgate(SEL_CODE0, 0x5900, SYS_INT32, 0, 1, 0));
	raise_exc(EXC_UD, false, 0);
	CHECK_EQ(st.rip, 0x5900);
	CHECK_EQ(r32(0x8000 - 16), 0x401);

	/* #DF's own gate not present: shutdown */
	pm_setup(0);
	set_idt(EXC_NP, mkgate(0x400, 0x5000, SYS_INT32, 0, 1, 0));
	set_idt(EXC_DF, mkgate(SEL_CODE0, 0x5800, SYS_INT32, 0, 0, 0));
	raise_exc(EXC_NP, true, SEL_NP);
	CHECK_EQ(nfaults, 2);
	CHECK_EQ(fvec[1], EXC_NP);
	CHECK_EQ(ferr[1], EXC_DF * 8 + 2 + 1);
	CHECK(c->shutdown);
}

/* -- call gate and IRET -- */

static struct insn ins;

static void test_call_gate_and_iret(void)
{
	pm_setup(3);
	st.gpr[R_ESP] = 0x7ff0;
	w32(0x7ff0, 0x11111111);	/* parameter 1 (lowest) */
	w32(0x7ff4, 0x22222222);
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_CALL_FAR;
	ins.osize = 4;
	ins.asize = 4;
	ins.nopnd = 1;
	ins.opnd[0].kind = OPK_FAR;
	ins.imm = 0xdead;		/* the offset is ignored through a gate */
	ins.imm2 = SEL_CALLGATE;
	sysop_call_far(c, &ins);
	CHECK_EQ(c->cpl, 0);
	CHECK_EQ(st.seg[S_CS].selector, SEL_CODE0);
	CHECK_EQ(c->next_rip, 0x5100);
	CHECK_EQ(st.gpr[R_ESP], 0x9000 - 24);
	CHECK_EQ(r32(0x9000 - 4), SEL_DATA3);
	CHECK_EQ(r32(0x9000 - 8), 0x7ff0);
	CHECK_EQ(r32(0x9000 - 12), 0x22222222);
	CHECK_EQ(r32(0x9000 - 16), 0x11111111);
	CHECK_EQ(r32(0x9000 - 20), SEL_CODE3);
	CHECK_EQ(r32(0x9000 - 24), 0x4002);

	/* RET far 8 back out: SS:ESP from the inner stack, parameters dropped */
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_RET_FAR;
	ins.osize = 4;
	ins.nopnd = 1;
	ins.opnd[0].kind = OPK_IMM;
	ins.imm = 8;
	load_seg(S_DS, SEL_DATA0);	/* DPL 0: must be nulled on the way out */
	sysop_ret_far(c, &ins);
	CHECK_EQ(c->cpl, 3);
	CHECK_EQ(c->next_rip, 0x4002);
	CHECK_EQ(st.seg[S_SS].selector, SEL_DATA3);
	CHECK_EQ(st.gpr[R_ESP], 0x7ff0 + 8);
	CHECK(st.seg[S_DS].attr & SEG_ATTR_UNUSABLE);
	CHECK_EQ(st.seg[S_DS].selector, 0);
	CHECK(!(st.seg[S_ES].attr & SEG_ATTR_UNUSABLE));

	/* IRET from ring 0 to ring 3 */
	pm_setup(0);
	st.gpr[R_ESP] = 0x8f00;
	w32(0x8f00, 0x6000);
	w32(0x8f04, SEL_CODE3);
	w32(0x8f08, FL_FIXED | FL_IF | FL_IOPL | FL_CF);
	w32(0x8f0c, 0x7000);
	w32(0x8f10, SEL_DATA3);
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_IRET;
	ins.osize = 4;
	sysop_iret(c, &ins);
	CHECK_EQ(c->cpl, 3);
	CHECK_EQ(c->next_rip, 0x6000);
	CHECK_EQ(st.gpr[R_ESP], 0x7000);
	CHECK_EQ(st.seg[S_SS].selector, SEL_DATA3);
	CHECK_EQ(flags_get(c) & (FL_IF | FL_IOPL | FL_CF), FL_IF | FL_IOPL | FL_CF);
	CHECK(st.seg[S_DS].attr & SEG_ATTR_UNUSABLE);

	/* IRET at CPL 3 cannot change IOPL or IF (IOPL 0) */
	pm_setup(3);
	st.rflags = FL_FIXED;
	icpu_mode_changed(c);
	w32(0x8000, 0x6100);
	w32(0x8004, SEL_CODE3);
	w32(0x8008, FL_FIXED | FL_IF | FL_IOPL | FL_ZF);
	sysop_iret(c, &ins);
	CHECK_EQ(flags_get(c) & (FL_IF | FL_IOPL | FL_ZF), FL_ZF);
	CHECK_EQ(st.gpr[R_ESP], 0x800c);
}

/* -- task switch -- */

static void jmp_busy_tss_step(void) { sysop_jmp_far(c, &ins); }

static void test_task_switch(void)
{
	pm_setup(0);
	/* TSS B: a ring-0 task at 0x6000 */
	w32(TSS_B + 0x20, 0x6000);
	w32(TSS_B + 0x24, FL_FIXED | FL_CF);
	w32(TSS_B + 0x28, 0xaaaa);		/* EAX */
	w32(TSS_B + 0x38, 0x7000);		/* ESP */
	for (int sg = 0; sg < CPU_NR_SEGS; sg++)
		w16(TSS_B + 0x48 + 4 * sg, sg == S_CS ? SEL_CODE0 : SEL_DATA0);
	st.gpr[R_EAX] = 0x1111;
	st.rflags = FL_FIXED | FL_ZF;
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_CALL_FAR;
	ins.osize = 4;
	ins.nopnd = 1;
	ins.opnd[0].kind = OPK_FAR;
	ins.imm2 = SEL_TSS_B;
	sysop_call_far(c, &ins);
	CHECK_EQ(st.tr.selector, SEL_TSS_B);
	CHECK_EQ(c->next_rip, 0x6000);
	CHECK_EQ(st.gpr[R_EAX], 0xaaaa);
	CHECK_EQ(st.gpr[R_ESP], 0x7000);
	CHECK(flags_get(c) & FL_NT);
	CHECK(flags_get(c) & FL_CF);
	CHECK(st.cr0 & CR0_TS);
	CHECK_EQ(r16(TSS_B), SEL_TSS_A);			/* back link */
	CHECK_EQ((r32(GDT + 0x34) >> 8) & 0xf, SYS_TSS32_BUSY);
	CHECK_EQ((r32(GDT + 0x2c) >> 8) & 0xf, SYS_TSS32_BUSY);	/* CALL keeps A busy */
	CHECK_EQ(r32(TSS_A + 0x20), 0x4002);		/* old EIP saved */
	CHECK_EQ(r32(TSS_A + 0x28), 0x1111);

	/* IRET with NT returns to A and frees B */
	st.gpr[R_EAX] = 0xbbbb;
	c->s->rip = 0x6010;
	c->next_rip = 0x6011;
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_IRET;
	ins.osize = 4;
	sysop_iret(c, &ins);
	CHECK_EQ(st.tr.selector, SEL_TSS_A);
	CHECK_EQ(c->next_rip, 0x4002);
	CHECK_EQ(st.gpr[R_EAX], 0x1111);
	CHECK_EQ(flags_get(c) & (FL_NT | FL_ZF), FL_ZF);
	CHECK_EQ((r32(GDT + 0x34) >> 8) & 0xf, SYS_TSS32);
	CHECK_EQ(r32(TSS_B + 0x28), 0xbbbb);
	CHECK_EQ(r32(TSS_B + 0x24) & FL_NT, 0);		/* IRET saves NT clear */

	/* JMP: A becomes available, B busy, no back link or NT */
	w16(TSS_B, 0);
	ins.op = OP_JMP_FAR;
	ins.nopnd = 1;
	ins.opnd[0].kind = OPK_FAR;
	ins.imm2 = SEL_TSS_B;
	sysop_jmp_far(c, &ins);
	CHECK_EQ(st.tr.selector, SEL_TSS_B);
	CHECK_EQ((r32(GDT + 0x2c) >> 8) & 0xf, SYS_TSS32);
	CHECK_EQ((r32(GDT + 0x34) >> 8) & 0xf, SYS_TSS32_BUSY);
	CHECK_EQ(r16(TSS_B), 0);
	CHECK_EQ(flags_get(c) & FL_NT, 0);

	/* JMP to a busy TSS: #GP(sel) */
	g_sel = SEL_TSS_B;
	CHECK(faults(jmp_busy_tss_step));
	CHECK_EQ(fault_vec, EXC_GP);
	CHECK_EQ(fault_err, SEL_TSS_B);
}

/* -- v86 -- */

static void do_cli(void) { sysop_cli(c, &ins); }

static void test_v86(void)
{
	pm_setup(0);
	st.gpr[R_ESP] = 0x8f00;
	w32(0x8f00, 0x0100);		/* EIP */
	w32(0x8f04, 0x2000);		/* CS */
	w32(0x8f08, FL_FIXED | FL_VM | FL_IF);	/* IOPL 0 */
	w32(0x8f0c, 0xfffe);		/* ESP */
	w32(0x8f10, 0x3000);		/* SS */
	w32(0x8f14, 0x4000);		/* ES */
	w32(0x8f18, 0x5000);		/* DS */
	w32(0x8f1c, 0x6000);		/* FS */
	w32(0x8f20, 0x7000);		/* GS */
	memset(&ins, 0, sizeof(ins));
	ins.op = OP_IRET;
	ins.osize = 4;
	sysop_iret(c, &ins);
	CHECK(c->v86);
	CHECK_EQ(c->cpl, 3);
	CHECK_EQ(c->next_rip, 0x100);
	CHECK_EQ(st.seg[S_CS].base, 0x20000);
	CHECK_EQ(st.seg[S_SS].base, 0x30000);
	CHECK_EQ(st.seg[S_GS].base, 0x70000);
	CHECK_EQ(st.gpr[R_ESP], 0xfffe);
	CHECK_EQ(c->code_size, 16);

	/* CLI with IOPL < 3 and no VME: #GP(0) */
	ins.op = OP_CLI;
	CHECK(faults(do_cli));
	CHECK_EQ(fault_vec, EXC_GP);
	CHECK_EQ(fault_err, 0);
	CHECK(flags_get(c) & FL_IF);
	/* with VME it clears VIF instead */
	st.cr4 |= CR4_VME;
	st.rflags |= FL_VIF;
	CHECK(!faults(do_cli));
	CHECK_EQ(flags_get(c) & (FL_IF | FL_VIF), FL_IF);

	/* a hardware interrupt from v86 goes to ring 0 with the v86 frame */
	st.cr4 &= ~(uint64_t)CR4_VME;
	set_idt(0x20, mkgate(SEL_CODE0, 0x5000, SYS_INT32, 0, 1, 0));
	st.rip = c->next_rip = 0x100;
	icpu_deliver(c, 0x20, EV_EXTINT, false, 0);
	CHECK(!c->v86);
	CHECK_EQ(c->cpl, 0);
	CHECK_EQ(st.gpr[R_ESP], 0x9000 - 36);
	CHECK_EQ(r32(0x9000 - 4), 0x7000);		/* GS */
	CHECK_EQ(r32(0x9000 - 16), 0x4000);		/* ES */
	CHECK_EQ(r32(0x9000 - 20), 0x3000);		/* SS */
	CHECK_EQ(r32(0x9000 - 24), 0xfffe);		/* ESP */
	CHECK(r32(0x9000 - 28) & FL_VM);		/* EFLAGS */
	CHECK_EQ(r32(0x9000 - 32), 0x2000);		/* CS */
	CHECK_EQ(r32(0x9000 - 36), 0x100);		/* EIP */
	CHECK(st.seg[S_DS].attr & SEG_ATTR_UNUSABLE);
	CHECK_EQ(flags_get(c) & FL_VM, 0);
}

/* -- I/O permission bitmap -- */

static uint16_t g_port;
static unsigned g_size;
static void do_io_check(void) { io_check(c, g_port, g_size); }

static void test_io_bitmap(void)
{
	pm_setup(3);
	g_port = 0x80, g_size = 1;
	CHECK(!faults(do_io_check));
	g_port = 0x81;
	CHECK(faults(do_io_check));
	CHECK_EQ(fault_vec, EXC_GP);
	CHECK_EQ(fault_err, 0);
	g_port = 0x80, g_size = 2;			/* covers 0x81 */
	CHECK(faults(do_io_check));
	g_port = 0x7f, g_size = 1;
	CHECK(!faults(do_io_check));
	g_port = 0x400;					/* bitmap beyond the TSS limit */
	CHECK(faults(do_io_check));
	/* IOPL 3 lets ring 3 through without the bitmap */
	st.rflags |= FL_IOPL;
	CHECK(!faults(do_io_check));
}

/* -- CPUID and MSRs: what the guest is told of speculation flaws -- */

static void do_rdmsr(void) { sysop_rdmsr(c, NULL); }
static void do_wrmsr(void) { sysop_wrmsr(c, NULL); }

static void test_arch_capabilities(void)
{
	pm_setup(0);
	st.gpr[R_EAX] = 7;
	st.gpr[R_ECX] = 0;
	sysop_cpuid(c, NULL);
	CHECK_EQ((st.gpr[R_EDX] >> 29) & 1, 1);	/* IA32_ARCH_CAPABILITIES exists */
	st.gpr[R_EAX] = 7;
	st.gpr[R_ECX] = 1;
	sysop_cpuid(c, NULL);
	CHECK_EQ(st.gpr[R_EDX], 0);

	st.gpr[R_ECX] = 0x10a;
	CHECK(!faults(do_rdmsr));
	uint64_t caps = st.gpr[R_EDX] << 32 | (uint32_t)st.gpr[R_EAX];
	CHECK_EQ(caps & 1, 1);				/* RDCL_NO: no page table isolation */
	CHECK_EQ((caps >> 5) & 1, 1);			/* MDS_NO: no VERW on kernel exit */
	CHECK_EQ((caps >> 1) & 1, 0);			/* no IBRS_ALL: no SPEC_CTRL to back it */
	CHECK(faults(do_wrmsr));			/* read-only */
	CHECK_EQ(fault_vec, EXC_GP);

	pm_setup(3);
	st.gpr[R_ECX] = 0x10a;
	CHECK(faults(do_rdmsr));
	CHECK_EQ(fault_vec, EXC_GP);
}

/* -- CPUID leaf 0x15: the TSC's rate, which the guest then trusts -- */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rd_tsc(void)
{
	st.gpr[R_ECX] = 0x10;
	CHECK(!faults(do_rdmsr));
	return st.gpr[R_EDX] << 32 | (uint32_t)st.gpr[R_EAX];
}

static void test_tsc_rate(void)
{
	pm_setup(0);
	st.gpr[R_EAX] = 0;
	sysop_cpuid(c, NULL);
	CHECK(st.gpr[R_EAX] >= 0x15);
	st.gpr[R_EAX] = 0x15;
	st.gpr[R_ECX] = 0;
	sysop_cpuid(c, NULL);
	uint64_t den = st.gpr[R_EAX], num = st.gpr[R_EBX], crystal = st.gpr[R_ECX];
	CHECK(den != 0 && num != 0 && crystal != 0);
	uint64_t hz = crystal * num / (den ? den : 1);
	/* the TSC over a few milliseconds against the host's clock, read
	 * inside and outside the two TSC reads: the rate said, to 1%,
	 * however long the host keeps this thread from running */
	uint64_t o0 = mono_ns(), tsc0 = rd_tsc(), i0 = mono_ns();
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	nanosleep(&nap, NULL);
	uint64_t i1 = mono_ns(), tsc1 = rd_tsc(), o1 = mono_ns();
	double got = (double)(tsc1 - tsc0);
	CHECK(got >= (double)(i1 - i0) * (double)hz / 1e9 * 0.99);
	CHECK(got <= (double)(o1 - o0) * (double)hz / 1e9 * 1.01);
}

int main(void)
{
	CHECK_SUITE("system");
	if (physmap_init(&pm, RAM, NULL) != 0) {
		printf("SKIP system: all: no guest RAM\n");
		return 0;
	}
	RUN(test_tsc_rate);
	RUN(test_seg_load_faults);
	RUN(test_real_mode_int);
	RUN(test_pm_same_level);
	RUN(test_privilege_change);
	RUN(test_double_and_triple_fault);
	RUN(test_call_gate_and_iret);
	RUN(test_task_switch);
	RUN(test_v86);
	RUN(test_io_bitmap);
	RUN(test_arch_capabilities);
	physmap_destroy(&pm);
	return CHECK_EXIT();
}
