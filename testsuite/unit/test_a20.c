/* The A20 gate: the walker with A20M# asserted, and guest code in each
 * software tier (interpreter, translator) turning the gate off and on through port 0x92 and through
 * the i8042 output port (command 0xd1), with data and code fetches. */
// SPDX-License-Identifier: MIT
#include <string.h>
#include "cpu/interp/interp.h"
#include "hw/i8042.h"
#include "hw/sysports.h"
#include "mmu/mmu.h"
#include "testsuite/unit/check.h"
#include "testsuite/unit/vmrig.h"

static uint32_t rd32(const struct physmap *pm, uint64_t a)
{
	uint32_t v;
	memcpy(&v, pm->ram + a, 4);
	return v;
}

static void wr32(struct physmap *pm, uint64_t a, uint32_t v) { memcpy(pm->ram + a, &v, 4); }

static void test_walk(void)
{
	struct bus mmio;
	struct physmap pm;
	bus_init(&mmio, "mmio");
	CHECK_EQ(physmap_init(&pm, 8 << 20, &mmio), 0);
	/* two 32-bit page directories: one at 1 MiB, its alias at 0 */
	wr32(&pm, 0x100000 + 4, 0x101000 | 3);
	wr32(&pm, 0x101000, 0x400000 | 3);
	wr32(&pm, 0x000000 + 4, 0x002000 | 3);
	wr32(&pm, 0x002000, 0x700000 | 3);
	struct mmu_regs r = { .cr0 = (1u << 31) | 1, .cr3 = 0x100000 };
	struct mmu_walk w;
	uint32_t err;
	CHECK_EQ(mmu_walk(&pm, &r, 0x400123, MMU_READ, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x400123);
	CHECK_EQ(rd32(&pm, 4) & 0x20, 0);		/* the alias was not touched */
	/* A20M#: the tables come from the alias, the result loses bit 20 */
	r.a20m = true;
	CHECK_EQ(mmu_walk(&pm, &r, 0x400123, MMU_WRITE, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x600123);
	CHECK(rd32(&pm, 4) & 0x20);			/* A set in the alias */
	CHECK(rd32(&pm, 0x2000) & 0x40);		/* D set in the alias */
	/* without paging */
	r.cr0 = 1;
	CHECK_EQ(mmu_walk(&pm, &r, 0x123456, MMU_FETCH, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x023456);
	r.a20m = false;
	CHECK_EQ(mmu_walk(&pm, &r, 0x123456, MMU_FETCH, false, &w, &err), 0);
	CHECK_EQ(w.gpa, 0x123456);
	physmap_destroy(&pm);
	bus_destroy(&mmio);
}

/* the board's part, as ui/ wires it: both gates drive vm_set_a20 */
static void host_a20(void *opaque, int on)
{
	vm_set_a20(opaque, on);
}

static struct rig R;
static struct sysports *sys;
static struct i8042 *kbc;

static bool up(void)
{
	if (!vmrig_up(&R, vmrig_tier, 2 << 20))
		return false;
	struct sysports_host sh = { .set_a20 = host_a20, .opaque = &R.vm };
	struct i8042_host kh = { .set_a20 = host_a20, .opaque = &R.vm };
	sys = sysports_new(&R.io, &sh, NULL);
	kbc = i8042_new(&R.io, &kh, NULL);
	cpu_seg_real(&R.v->s.seg[S_CS], 0, true);
	return sys && kbc;
}

static void down(void)
{
	i8042_free(kbc);
	sysports_free(sys);
	vmrig_down(&R);
}

static int run(uint64_t at, const uint8_t *code, size_t len)
{
	memcpy(R.pm.ram + at, code, len);
	cpu_seg_real(&R.v->s.seg[S_CS], 0, true);
	return vmrig_run_at(&R, at);
}

static uint16_t rd16(uint64_t a)
{
	uint16_t v;
	memcpy(&v, R.pm.ram + a, 2);
	return v;
}

/* mov ax, 0xffff; mov ds, ax; mov word [off], v: to 0x100000 + off - 0x10 */
#define STORE_HI(off, v) 0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xc7, 0x06, (off), 0x00, (v) & 0xff, (v) >> 8
#define A20_OFF_92 0xe4, 0x92, 0x24, 0xfd, 0xe6, 0x92	/* in al, 0x92; and al, ~2; out */
#define A20_ON_92 0xe4, 0x92, 0x0c, 0x02, 0xe6, 0x92	/* in al, 0x92; or al, 2; out */
/* mov al, 0xd1; out 0x64, al; mov al, v; out 0x60, al */
#define KBC_OUTPORT(v) 0xb0, 0xd1, 0xe6, 0x64, 0xb0, (v), 0xe6, 0x60
#define HLT 0xf4

static void test_port92(void)
{
	if (!up()) {
		CHECK(0);
		return;
	}
	/* on at power-on: the store lands above 1 MiB */
	const uint8_t on0[] = { STORE_HI(0x10, 0x1111), HLT };
	CHECK_EQ(run(0x7000, on0, sizeof(on0)), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x100000), 0x1111);
	CHECK_EQ(rd16(0x0), 0);
	/* off: the very next instruction wraps; a read through 0 sees it */
	const uint8_t off[] = { A20_OFF_92, STORE_HI(0x10, 0xaaaa),
				0x31, 0xc0, 0x8e, 0xc0,			/* xor ax, ax; mov es, ax */
				0x26, 0x8b, 0x1e, 0x00, 0x00,		/* mov bx, [es:0] */
				HLT };
	CHECK_EQ(run(0x7000, off, sizeof(off)), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x0), 0xaaaa);
	CHECK_EQ(rd16(0x100000), 0x1111);
	CHECK_EQ(R.v->s.gpr[R_EBX] & 0xffff, 0xaaaa);
	CHECK(atomic_load(&R.vm.a20m));
	/* on again */
	const uint8_t on[] = { A20_ON_92, STORE_HI(0x10, 0xbbbb), HLT };
	CHECK_EQ(run(0x7000, on, sizeof(on)), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x100000), 0xbbbb);
	CHECK_EQ(rd16(0x0), 0xaaaa);
	down();
}

static void test_i8042(void)
{
	if (!up()) {
		CHECK(0);
		return;
	}
	/* output port 0xdd: A20 (bit 1) off, reset line (bit 0) high */
	const uint8_t off[] = { KBC_OUTPORT(0xdd), STORE_HI(0x20, 0xcccc), HLT };
	CHECK_EQ(run(0x7000, off, sizeof(off)), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x10), 0xcccc);
	CHECK_EQ(rd16(0x100010), 0);
	const uint8_t on[] = { KBC_OUTPORT(0xdf), STORE_HI(0x30, 0xdddd), HLT };
	CHECK_EQ(run(0x7000, on, sizeof(on)), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x100020), 0xdddd);
	CHECK_EQ(rd16(0x20), 0);
	down();
}

static void test_fetch(void)
{
	if (!up()) {
		CHECK(0);
		return;
	}
	/* mov cx, 1 at 0x500 and mov cx, 2 at 0x100500; jmp far ffff:0510
	 * reaches one or the other as the gate says */
	const uint8_t low[] = { 0xb9, 0x01, 0x00, HLT };
	const uint8_t high[] = { 0xb9, 0x02, 0x00, HLT };
	memcpy(R.pm.ram + 0x500, low, sizeof(low));
	memcpy(R.pm.ram + 0x100500, high, sizeof(high));
	const uint8_t on[] = { 0xea, 0x10, 0x05, 0xff, 0xff };
	CHECK_EQ(run(0x7000, on, sizeof(on)), TIER_EXIT_HLT);
	CHECK_EQ(R.v->s.gpr[R_ECX] & 0xffff, 2);
	const uint8_t off[] = { A20_OFF_92, 0xea, 0x10, 0x05, 0xff, 0xff };
	CHECK_EQ(run(0x7000, off, sizeof(off)), TIER_EXIT_HLT);
	CHECK_EQ(R.v->s.gpr[R_ECX] & 0xffff, 1);
	/* and back: the decoded code of the low page is not taken for the
	 * high one */
	const uint8_t back[] = { A20_ON_92, 0xea, 0x10, 0x05, 0xff, 0xff };
	CHECK_EQ(run(0x7000, back, sizeof(back)), TIER_EXIT_HLT);
	CHECK_EQ(R.v->s.gpr[R_ECX] & 0xffff, 2);
	down();
}

int main(void)
{
	CHECK_SUITE("a20");
	RUN(test_walk);			/* the MMU's walker alone: no tier */
	VMRIG_FOR_EACH_SOFT_TIER {
		RUN_TIER(test_port92);
		RUN_TIER(test_i8042);
		RUN_TIER(test_fetch);
	}
	return CHECK_EXIT();
}
