/* Unit tests for the local APIC and the APIC bus. */
// SPDX-License-Identifier: MIT
#include "hw/lapic.h"

#include <string.h>
#include "hw/bus.h"
#include "hw/ioapic.h"		/* the EOI broadcast test uses the real IOAPIC */
#include "testsuite/unit/check.h"

enum {
	ID = 0x20, VER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0,
	RRD = 0xc0, LDR = 0xd0, DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180,
	IRR = 0x200, ESR = 0x280, ICR = 0x300, ICR2 = 0x310, LVTT = 0x320,
	LVTTHM = 0x330, LVTPC = 0x340, LVT0 = 0x350, LVT1 = 0x360, LVTERR = 0x370,
	TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3e0,
};

#define MASKED 0x10000u
#define NCPU 4

struct ev { int cpu; enum apic_event ev; uint8_t vector; };

struct rig {
	struct vclock clk;
	struct apic_bus ab;
	struct lapic *a[NCPU];
	struct bus mmio[NCPU];	/* each CPU sees its own APIC page */
	struct ev ev[64];
	int nev;
	int extint_acks;
	uint8_t extint_vector;
};

static struct rig R;

static void h_event(void *opaque, int cpu, enum apic_event ev, uint8_t vector)
{
	struct rig *r = opaque;
	if (r->nev < 64)
		r->ev[r->nev++] = (struct ev){ cpu, ev, vector };
}

static uint8_t h_extint_ack(void *opaque)
{
	struct rig *r = opaque;
	r->extint_acks++;
	return r->extint_vector;
}

/* cpu/ routes the APIC page of its CPU to lapic_mmio_*; this stands in */
static uint64_t page_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return lapic_mmio_read(opaque, (uint32_t)offset);
}

static void page_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)size;
	lapic_mmio_write(opaque, (uint32_t)offset, (uint32_t)value);
}

static const struct bus_ops page_ops = {
	.read = page_read, .write = page_write, .min_size = 4, .max_size = 4,
};

static void rig_init(int ncpu)
{
	memset(&R, 0, sizeof(R));
	clock_init(&R.clk, CLOCK_MANUAL);
	struct apic_bus_host host = { h_event, h_extint_ack, &R };
	apic_bus_init(&R.ab, &host);
	for (int i = 0; i < ncpu; i++) {
		R.a[i] = lapic_new(&R.ab, &R.clk, i);
		bus_init(&R.mmio[i], "mmio");
		bus_register(&R.mmio[i], APIC_DEFAULT_BASE, 0x1000, &page_ops, R.a[i], "lapic");
	}
	R.extint_vector = 0x20;
}

static void rig_fini(void)
{
	for (int i = 0; i < NCPU; i++) {
		if (R.a[i]) {
			lapic_free(R.a[i]);
			bus_destroy(&R.mmio[i]);
		}
	}
}

static uint32_t rd(int cpu, uint32_t off)
{
	return (uint32_t)bus_read(&R.mmio[cpu], APIC_DEFAULT_BASE + off, 4);
}

static void wr(int cpu, uint32_t off, uint32_t v)
{
	bus_write(&R.mmio[cpu], APIC_DEFAULT_BASE + off, v, 4);
}

static void enable(int cpu)
{
	wr(cpu, SVR, 0x1ff);
}

/* bit n of the 256-bit ISR/TMR/IRR at base */
static int bit(int cpu, uint32_t base, int n)
{
	return (rd(cpu, base + (uint32_t)(n / 32) * 0x10) >> (n % 32)) & 1;
}

static int count_ev(int cpu, enum apic_event ev)
{
	int n = 0;
	for (int i = 0; i < R.nev; i++)
		if (R.ev[i].cpu == cpu && R.ev[i].ev == ev)
			n++;
	return n;
}

static void ipi(int from, uint32_t dest, uint32_t lo)
{
	wr(from, ICR2, dest << 24);
	wr(from, ICR, lo);
}

/* ---- reset and identification ---- */

static void test_reset_values(void)
{
	rig_init(2);
	CHECK_EQ(lapic_get_base(R.a[0]), 0xfee00900u);
	CHECK_EQ(lapic_get_base(R.a[1]), 0xfee00800u);
	for (int c = 0; c < 2; c++) {
		CHECK_EQ(rd(c, TPR), 0);
		CHECK_EQ(rd(c, APR), 0);
		CHECK_EQ(rd(c, PPR), 0);
		CHECK_EQ(rd(c, LDR), 0);
		CHECK_EQ(rd(c, DFR), 0xffffffffu);
		CHECK_EQ(rd(c, SVR), 0xff);
		CHECK_EQ(rd(c, ESR), 0);
		CHECK_EQ(rd(c, ICR), 0);
		CHECK_EQ(rd(c, ICR2), 0);
		for (uint32_t o = LVTT; o <= LVTERR; o += 0x10)
			CHECK_EQ(rd(c, o), MASKED);
		CHECK_EQ(rd(c, TMICT), 0);
		CHECK_EQ(rd(c, TMCCT), 0);
		CHECK_EQ(rd(c, TDCR), 0);
		for (uint32_t i = 0; i < 8; i++) {
			CHECK_EQ(rd(c, ISR + i * 0x10), 0);
			CHECK_EQ(rd(c, TMR + i * 0x10), 0);
			CHECK_EQ(rd(c, IRR + i * 0x10), 0);
		}
		CHECK_EQ(rd(c, RRD), 0);
		CHECK_EQ(lapic_pending(R.a[c]), -1);
	}
	rig_fini();
}

static void test_id_version(void)
{
	rig_init(3);
	CHECK_EQ(rd(0, ID), 0);
	CHECK_EQ(rd(1, ID), 0x01000000u);
	CHECK_EQ(rd(2, ID), 0x02000000u);
	CHECK_EQ(rd(0, VER), 0x00050014u);
	wr(0, VER, 0);
	CHECK_EQ(rd(0, VER), 0x00050014u);
	/* xAPIC ID is writable (bits 31:24); messages follow the new ID */
	wr(2, ID, 0x07abcdefu);
	CHECK_EQ(rd(2, ID), 0x07000000u);
	enable(2);
	ipi(0, 7, 0x40);
	CHECK_EQ(bit(2, IRR, 0x40), 1);
	/* power-on reset gives the index back */
	lapic_reset(R.a[2]);
	CHECK_EQ(rd(2, ID), 0x02000000u);
	rig_fini();
}

static void test_unaligned_and_reserved(void)
{
	rig_init(1);
	wr(0, TPR, 0x20);
	/* the hole after a register reads 0 and is not an illegal address */
	CHECK_EQ(bus_read(&R.mmio[0], APIC_DEFAULT_BASE + TPR + 4, 4), 0);
	wr(0, TPR + 8, 0x55);
	CHECK_EQ(rd(0, TPR), 0x20);
	wr(0, ESR, 0);
	CHECK_EQ(rd(0, ESR), 0);
	wr(0, 0x40, 0x1234);	/* reserved offset */
	CHECK_EQ(rd(0, 0x40), 0);
	CHECK_EQ(rd(0, TPR), 0x20);
	wr(0, ESR, 0);
	CHECK_EQ(rd(0, ESR), 0x80);
	/* the x2APIC-only SELF IPI offset is reserved in xAPIC mode */
	enable(0);
	wr(0, 0x3f0, 0x55);
	CHECK_EQ(bit(0, IRR, 0x55), 0);
	rig_fini();
}

/* ---- priorities ---- */

static void test_tpr_ppr(void)
{
	rig_init(1);
	enable(0);
	wr(0, TPR, 0x1235);
	CHECK_EQ(rd(0, TPR), 0x35);
	CHECK_EQ(rd(0, PPR), 0x35);
	CHECK_EQ(lapic_get_cr8(R.a[0]), 3);
	/* a vector of class 5 in service raises PPR to 0x50 */
	wr(0, TPR, 0);
	ipi(0, 0, 0x40000 | 0x51);
	CHECK_EQ(lapic_ack(R.a[0]), 0x51);
	wr(0, TPR, 0x35);
	CHECK_EQ(rd(0, PPR), 0x50);
	wr(0, TPR, 0x5a);	/* same class: TPR wins, low nibble kept */
	CHECK_EQ(rd(0, PPR), 0x5a);
	wr(0, TPR, 0x65);
	CHECK_EQ(rd(0, PPR), 0x65);
	/* CR8 is TPR[7:4] */
	lapic_set_cr8(R.a[0], 0x12);
	CHECK_EQ(rd(0, TPR), 0x20);
	CHECK_EQ(lapic_get_cr8(R.a[0]), 2);
	CHECK_EQ(rd(0, PPR), 0x50);
	wr(0, EOI, 0);
	CHECK_EQ(rd(0, PPR), 0x20);
	rig_fini();
}

static void test_apr(void)
{
	rig_init(1);
	enable(0);
	wr(0, TPR, 0x31);
	CHECK_EQ(rd(0, APR), 0x31);
	wr(0, TPR, 0x60);	/* block delivery so IRR holds 0x71 */
	ipi(0, 0, 0x40000 | 0x71);
	wr(0, TPR, 0x31);
	CHECK_EQ(rd(0, APR), 0x70);
	wr(0, TPR, 0x81);
	CHECK_EQ(rd(0, APR), 0x81);
	rig_fini();
}

/* ---- fixed IPIs, acceptance, EOI ---- */

static void test_fixed_ipi_self(void)
{
	rig_init(1);
	enable(0);
	R.nev = 0;
	ipi(0, 0, 0x40000 | 0x41);	/* shorthand self */
	CHECK_EQ(rd(0, ICR) & 0x1000, 0);	/* delivery status: idle */
	CHECK_EQ(bit(0, IRR, 0x41), 1);
	CHECK_EQ(bit(0, TMR, 0x41), 0);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK_EQ(lapic_pending(R.a[0]), 0x41);
	CHECK_EQ(lapic_ack(R.a[0]), 0x41);
	CHECK_EQ(bit(0, IRR, 0x41), 0);
	CHECK_EQ(bit(0, ISR, 0x41), 1);
	CHECK_EQ(lapic_pending(R.a[0]), -1);
	wr(0, EOI, 0);
	CHECK_EQ(bit(0, ISR, 0x41), 0);
	CHECK_EQ(rd(0, PPR), 0);
	rig_fini();
}

static void test_fixed_ipi_other(void)
{
	rig_init(2);
	enable(0);
	enable(1);
	R.nev = 0;
	ipi(0, 1, 0x000000e5);	/* physical, fixed, edge, to APIC 1 */
	CHECK_EQ(bit(1, IRR, 0xe5), 1);
	CHECK_EQ(bit(0, IRR, 0xe5), 0);
	CHECK_EQ(count_ev(1, APIC_EV_KICK), 1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 0);
	CHECK_EQ(lapic_pending(R.a[0]), -1);
	CHECK_EQ(lapic_pending(R.a[1]), 0xe5);
	CHECK_EQ(rd(0, ICR), 0xe5);
	CHECK_EQ(rd(0, ICR2), 0x01000000u);
	/* level trigger reaches the TMR */
	ipi(0, 1, 0x0000c0e6);
	CHECK_EQ(bit(1, TMR, 0xe6), 1);
	/* a second identical interrupt while one is in IRR does not kick */
	R.nev = 0;
	ipi(0, 1, 0x000000e5);
	CHECK_EQ(count_ev(1, APIC_EV_KICK), 0);
	rig_fini();
}

static void test_nesting(void)
{
	rig_init(1);
	enable(0);
	struct lapic *a = R.a[0];
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x40, 0, 0, -1);
	CHECK_EQ(lapic_ack(a), 0x40);
	/* same class does not preempt */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x4f, 0, 0, -1);
	CHECK_EQ(lapic_pending(a), -1);
	/* a higher class does */
	R.nev = 0;
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x60, 0, 0, -1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK_EQ(lapic_pending(a), 0x60);
	CHECK_EQ(lapic_ack(a), 0x60);
	/* lower than what is in service waits, and is not kicked */
	R.nev = 0;
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x50, 0, 0, -1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 0);
	CHECK_EQ(lapic_pending(a), -1);
	CHECK_EQ(rd(0, PPR), 0x60);
	/* EOI ends the highest in service first: 0x60 */
	wr(0, EOI, 0);
	CHECK_EQ(bit(0, ISR, 0x60), 0);
	CHECK_EQ(bit(0, ISR, 0x40), 1);
	CHECK_EQ(lapic_pending(a), 0x50);
	CHECK_EQ(lapic_ack(a), 0x50);
	wr(0, EOI, 0);
	CHECK_EQ(lapic_pending(a), -1);	/* 0x4f vs 0x40 still in service */
	wr(0, EOI, 0);
	CHECK_EQ(lapic_pending(a), 0x4f);
	CHECK_EQ(lapic_ack(a), 0x4f);
	wr(0, EOI, 0);
	CHECK_EQ(rd(0, ISR + 0x20), 0);
	wr(0, EOI, 0);	/* EOI with nothing in service is harmless */
	CHECK_EQ(lapic_pending(a), -1);
	/* TPR masks by class */
	wr(0, TPR, 0x70);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x75, 0, 0, -1);
	CHECK_EQ(lapic_pending(a), -1);
	R.nev = 0;
	wr(0, TPR, 0x6f);
	CHECK_EQ(lapic_pending(a), 0x75);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	rig_fini();
}

static void test_lowest_priority(void)
{
	rig_init(3);
	for (int c = 0; c < 3; c++) {
		enable(c);
		wr(c, LDR, (1u << c) << 24);
	}
	wr(0, TPR, 0x20);
	wr(1, TPR, 0x10);
	wr(2, TPR, 0x30);
	ipi(0, 0x07, 0x00000900 | 0x61);	/* lowest, logical */
	CHECK_EQ(bit(0, IRR, 0x61), 0);
	CHECK_EQ(bit(1, IRR, 0x61), 1);
	CHECK_EQ(bit(2, IRR, 0x61), 0);
	/* tie: the first matching CPU */
	wr(1, TPR, 0x20);
	ipi(0, 0x07, 0x00000900 | 0x62);
	CHECK_EQ(bit(0, IRR, 0x62), 1);
	CHECK_EQ(bit(1, IRR, 0x62), 0);
	/* only among the destination set */
	ipi(0, 0x06, 0x00000900 | 0x63);
	CHECK_EQ(bit(1, IRR, 0x63), 1);
	CHECK_EQ(bit(2, IRR, 0x63), 0);
	rig_fini();
}

/* ---- destinations ---- */

static void test_logical_flat(void)
{
	rig_init(3);
	for (int c = 0; c < 3; c++) {
		enable(c);
		wr(c, LDR, (0x10u << c) << 24 | 0x00ffffffu);
	}
	CHECK_EQ(rd(1, LDR), 0x20000000u);
	ipi(0, 0x50, 0x00000800 | 0x44);
	CHECK_EQ(bit(0, IRR, 0x44), 1);
	CHECK_EQ(bit(1, IRR, 0x44), 0);
	CHECK_EQ(bit(2, IRR, 0x44), 1);
	ipi(0, 0x0f, 0x00000800 | 0x45);	/* no one */
	for (int c = 0; c < 3; c++)
		CHECK_EQ(bit(c, IRR, 0x45), 0);
	/* physical mode ignores the LDR */
	ipi(0, 0x20, 0x00000000 | 0x46);
	for (int c = 0; c < 3; c++)
		CHECK_EQ(bit(c, IRR, 0x46), 0);
	rig_fini();
}

static void test_logical_cluster(void)
{
	rig_init(4);
	/* cluster 1 holds APICs 0 (bit 0) and 1 (bit 1); cluster 2 holds 2 and 3 */
	static const uint8_t lid[4] = { 0x11, 0x12, 0x21, 0x22 };
	for (int c = 0; c < 4; c++) {
		enable(c);
		wr(c, DFR, 0x0fffffffu);
		wr(c, LDR, (uint32_t)lid[c] << 24);
	}
	CHECK_EQ(rd(0, DFR), 0x0fffffffu);
	ipi(0, 0x13, 0x00000800 | 0x50);
	CHECK_EQ(bit(0, IRR, 0x50), 1);
	CHECK_EQ(bit(1, IRR, 0x50), 1);
	CHECK_EQ(bit(2, IRR, 0x50), 0);
	CHECK_EQ(bit(3, IRR, 0x50), 0);
	ipi(0, 0x22, 0x00000800 | 0x51);
	CHECK_EQ(bit(0, IRR, 0x51), 0);
	CHECK_EQ(bit(1, IRR, 0x51), 0);
	CHECK_EQ(bit(2, IRR, 0x51), 0);
	CHECK_EQ(bit(3, IRR, 0x51), 1);
	/* cluster 3 is empty */
	ipi(0, 0x3f, 0x00000800 | 0x52);
	for (int c = 0; c < 4; c++)
		CHECK_EQ(bit(c, IRR, 0x52), 0);
	/* 0xff reaches every cluster */
	ipi(0, 0xff, 0x00000800 | 0x53);
	for (int c = 0; c < 4; c++)
		CHECK_EQ(bit(c, IRR, 0x53), 1);
	rig_fini();
}

static void test_broadcast(void)
{
	rig_init(3);
	for (int c = 0; c < 3; c++)
		enable(c);
	ipi(1, 0xff, 0x00000070);
	for (int c = 0; c < 3; c++)
		CHECK_EQ(bit(c, IRR, 0x70), 1);
	/* from the IOAPIC side (src -1), physical broadcast too */
	apic_bus_deliver(&R.ab, 0xff, 0, 0, 0x71, 1, 0, -1);
	for (int c = 0; c < 3; c++) {
		CHECK_EQ(bit(c, IRR, 0x71), 1);
		CHECK_EQ(bit(c, TMR, 0x71), 1);
	}
	rig_fini();
}

static void test_shorthands(void)
{
	rig_init(3);
	for (int c = 0; c < 3; c++)
		enable(c);
	/* the destination field is ignored with a shorthand */
	ipi(1, 2, 0x00040000 | 0x80);	/* self */
	CHECK_EQ(bit(0, IRR, 0x80), 0);
	CHECK_EQ(bit(1, IRR, 0x80), 1);
	CHECK_EQ(bit(2, IRR, 0x80), 0);
	ipi(1, 2, 0x00080000 | 0x81);	/* all including self */
	for (int c = 0; c < 3; c++)
		CHECK_EQ(bit(c, IRR, 0x81), 1);
	ipi(1, 2, 0x000c0000 | 0x82);	/* all excluding self */
	CHECK_EQ(bit(0, IRR, 0x82), 1);
	CHECK_EQ(bit(1, IRR, 0x82), 0);
	CHECK_EQ(bit(2, IRR, 0x82), 1);
	/* self from no CPU reaches no one */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x83, 0, 1, -1);
	for (int c = 0; c < 3; c++)
		CHECK_EQ(bit(c, IRR, 0x83), 0);
	rig_fini();
}

/* ---- NMI, INIT, SIPI, SMI ---- */

static void test_nmi_init_sipi_smi(void)
{
	rig_init(3);
	enable(0);
	enable(1);
	wr(1, TPR, 0x40);
	wr(1, LDR, 0x02000000u);
	R.nev = 0;
	ipi(0, 1, 0x00000400);	/* NMI */
	CHECK_EQ(R.nev, 1);
	CHECK_EQ(R.ev[0].cpu, 1);
	CHECK_EQ(R.ev[0].ev, APIC_EV_NMI);
	ipi(0, 1, 0x00000200);	/* SMI */
	CHECK_EQ(count_ev(1, APIC_EV_SMI), 1);
	/* INIT level assert: event and the target back to its INIT state,
	 * keeping ID and base */
	R.nev = 0;
	ipi(0, 1, 0x0000c500);
	CHECK_EQ(R.nev, 1);
	CHECK_EQ(R.ev[0].ev, APIC_EV_INIT);
	CHECK_EQ(R.ev[0].cpu, 1);
	CHECK_EQ(rd(1, TPR), 0);
	CHECK_EQ(rd(1, LDR), 0);
	CHECK_EQ(rd(1, SVR), 0xff);
	CHECK_EQ(rd(1, ID), 0x01000000u);
	CHECK_EQ(lapic_get_base(R.a[1]), 0xfee00800u);
	/* INIT level de-assert does nothing */
	enable(1);
	R.nev = 0;
	ipi(0, 0, 0x00088500);	/* all incl self, level, de-assert */
	CHECK_EQ(R.nev, 0);
	CHECK_EQ(rd(1, SVR), 0x1ff);
	/* SIPI to all but self carries the start page */
	ipi(0, 0, 0x000c069a);
	CHECK_EQ(R.nev, 2);
	CHECK_EQ(count_ev(1, APIC_EV_SIPI), 1);
	CHECK_EQ(count_ev(2, APIC_EV_SIPI), 1);
	CHECK_EQ(count_ev(0, APIC_EV_SIPI), 0);
	CHECK_EQ(R.ev[0].vector, 0x9a);
	CHECK_EQ(R.ev[1].vector, 0x9a);
	/* a software-disabled APIC still takes NMI/INIT/SIPI */
	R.nev = 0;
	ipi(0, 2, 0x00000400);
	CHECK_EQ(count_ev(2, APIC_EV_NMI), 1);
	rig_fini();
}

/* ---- timer ---- */

static const struct { uint32_t dcr; unsigned div; } divides[8] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

static void test_timer_oneshot_divides(void)
{
	for (int d = 0; d < 8; d++) {
		rig_init(1);
		enable(0);
		int64_t t0 = 1000 + d;
		clock_set(&R.clk, t0);
		wr(0, TDCR, divides[d].dcr);
		CHECK_EQ(rd(0, TDCR), divides[d].dcr);
		wr(0, LVTT, 0x30);
		R.nev = 0;
		wr(0, TMICT, 1000);
		CHECK_EQ(rd(0, TMCCT), 1000);
		int64_t period = 1000LL * divides[d].div;
		clock_set(&R.clk, t0 + period / 4);
		CHECK_EQ(rd(0, TMCCT), 750);
		clock_set(&R.clk, t0 + period - 1);
		CHECK_EQ(rd(0, TMCCT), 1);
		CHECK_EQ(bit(0, IRR, 0x30), 0);
		clock_set(&R.clk, t0 + period);
		CHECK_EQ(bit(0, IRR, 0x30), 1);
		CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
		CHECK_EQ(rd(0, TMCCT), 0);
		CHECK_EQ(rd(0, TMICT), 1000);
		CHECK_EQ(lapic_ack(R.a[0]), 0x30);
		wr(0, EOI, 0);
		/* one shot: nothing more */
		clock_set(&R.clk, t0 + 5 * period);
		CHECK_EQ(bit(0, IRR, 0x30), 0);
		CHECK_EQ(rd(0, TMCCT), 0);
		rig_fini();
	}
}

static void test_timer_periodic(void)
{
	for (int d = 0; d < 8; d += 3) {
		rig_init(1);
		enable(0);
		wr(0, TDCR, divides[d].dcr);
		wr(0, LVTT, 0x20000 | 0x31);
		wr(0, TMICT, 1000);
		int64_t period = 1000LL * divides[d].div;
		for (int k = 1; k <= 3; k++) {
			clock_set(&R.clk, k * period - 1);
			CHECK_EQ(bit(0, IRR, 0x31), 0);
			CHECK_EQ(rd(0, TMCCT), 1);
			clock_set(&R.clk, k * period);
			CHECK_EQ(bit(0, IRR, 0x31), 1);
			CHECK_EQ(rd(0, TMCCT), 1000);	/* reloaded */
			CHECK_EQ(lapic_ack(R.a[0]), 0x31);
			wr(0, EOI, 0);
		}
		clock_set(&R.clk, 3 * period + 30LL * divides[d].div);
		CHECK_EQ(rd(0, TMCCT), 970);
		/* writing 0 to the initial count stops it */
		wr(0, TMICT, 0);
		CHECK_EQ(rd(0, TMCCT), 0);
		clock_set(&R.clk, 10 * period);
		CHECK_EQ(bit(0, IRR, 0x31), 0);
		rig_fini();
	}
}

static void test_timer_late_periodic(void)
{
	rig_init(1);
	enable(0);
	wr(0, TDCR, 0xb);	/* divide by 1 */
	wr(0, LVTT, 0x20000 | 0x32);
	wr(0, TMICT, 2000);
	/* a callback 3.5 periods late gives one interrupt and stays in phase */
	clock_set(&R.clk, 7000);
	CHECK_EQ(bit(0, IRR, 0x32), 1);
	CHECK_EQ(rd(0, TMCCT), 1000);
	CHECK_EQ(clock_next_deadline(&R.clk), 8000);
	rig_fini();
}

static void test_timer_min_period(void)
{
	rig_init(1);
	enable(0);
	wr(0, TDCR, 0xb);
	wr(0, LVTT, 0x20000 | 0x36);
	wr(0, TMICT, 5);	/* a 5 ns period is stretched to 1 us */
	clock_set(&R.clk, 999);
	CHECK_EQ(bit(0, IRR, 0x36), 0);
	clock_set(&R.clk, 1000);
	CHECK_EQ(bit(0, IRR, 0x36), 1);
	CHECK_EQ(clock_next_deadline(&R.clk), 2000);
	/* one-shot is not stretched */
	wr(0, LVTT, 0x36);
	wr(0, TMICT, 5);
	CHECK_EQ(clock_next_deadline(&R.clk), 1005);
	rig_fini();
}

static void test_timer_masked(void)
{
	rig_init(1);
	enable(0);
	wr(0, TDCR, 0xb);
	wr(0, LVTT, MASKED | 0x33);
	R.nev = 0;
	wr(0, TMICT, 50);
	clock_set(&R.clk, 25);
	CHECK_EQ(rd(0, TMCCT), 25);
	clock_set(&R.clk, 60);
	CHECK_EQ(rd(0, TMCCT), 0);
	CHECK_EQ(bit(0, IRR, 0x33), 0);
	CHECK_EQ(R.nev, 0);
	rig_fini();
}

static void test_timer_divide_change(void)
{
	rig_init(1);
	enable(0);
	wr(0, TDCR, 0xb);	/* 1 ns per count */
	wr(0, LVTT, 0x34);
	wr(0, TMICT, 1000);
	clock_set(&R.clk, 400);
	CHECK_EQ(rd(0, TMCCT), 600);
	wr(0, TDCR, 0x0);	/* 2 ns per count: 600 counts left = 1200 ns */
	CHECK_EQ(rd(0, TMCCT), 600);
	clock_set(&R.clk, 600);
	CHECK_EQ(rd(0, TMCCT), 500);
	clock_set(&R.clk, 1599);
	CHECK_EQ(bit(0, IRR, 0x34), 0);
	clock_set(&R.clk, 1600);
	CHECK_EQ(bit(0, IRR, 0x34), 1);
	rig_fini();
}

static void test_timer_restart(void)
{
	rig_init(1);
	enable(0);
	wr(0, TDCR, 0xb);
	wr(0, LVTT, 0x35);
	wr(0, TMICT, 100);
	clock_set(&R.clk, 80);
	wr(0, TMICT, 100);	/* reload restarts the count */
	CHECK_EQ(rd(0, TMCCT), 100);
	clock_set(&R.clk, 179);
	CHECK_EQ(bit(0, IRR, 0x35), 0);
	clock_set(&R.clk, 180);
	CHECK_EQ(bit(0, IRR, 0x35), 1);
	rig_fini();
}

/* ---- LINT0 / LINT1 ---- */

static void test_extint_lint0(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	enable(0);
	wr(0, LVT0, 0x700);	/* ExtINT, unmasked */
	CHECK_EQ(rd(0, LVT0), 0x700);
	R.nev = 0;
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK(lapic_pending(a) >= 0);
	R.extint_vector = 0x08;
	CHECK_EQ(lapic_ack(a), 0x08);
	CHECK_EQ(R.extint_acks, 1);
	for (uint32_t i = 0; i < 8; i++) {
		CHECK_EQ(rd(0, IRR + i * 0x10), 0);
		CHECK_EQ(rd(0, ISR + i * 0x10), 0);
	}
	/* ExtINT ignores TPR */
	wr(0, TPR, 0xff);
	CHECK(lapic_pending(a) >= 0);
	lapic_set_lint(a, 0, 0);
	CHECK_EQ(lapic_pending(a), -1);
	/* masked: INTR goes nowhere */
	wr(0, LVT0, MASKED | 0x700);
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(lapic_pending(a), -1);
	/* unmasking with the line high makes it pending */
	R.nev = 0;
	wr(0, LVT0, 0x700);
	CHECK(lapic_pending(a) >= 0);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	rig_fini();
}

static void test_virtual_wire(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	/* software-disabled at reset: INTR passes through as ExtINT */
	R.nev = 0;
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK(lapic_pending(a) >= 0);
	CHECK_EQ(lapic_ack(a), 0x20);
	CHECK_EQ(R.extint_acks, 1);
	lapic_set_lint(a, 0, 0);
	CHECK_EQ(lapic_pending(a), -1);
	/* LINT1 is NMI */
	lapic_set_lint(a, 1, 1);
	CHECK_EQ(count_ev(0, APIC_EV_NMI), 1);
	lapic_set_lint(a, 1, 0);
	/* globally disabled: the same, and INTA always goes to the PIC */
	lapic_set_base(a, APIC_DEFAULT_BASE);
	CHECK_EQ(lapic_pending(a), -1);
	R.nev = 0;
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK(lapic_pending(a) >= 0);
	R.extint_vector = 0x0f;
	CHECK_EQ(lapic_ack(a), 0x0f);
	CHECK_EQ(R.extint_acks, 2);
	rig_fini();
}

static void test_lint1_nmi(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	enable(0);
	wr(0, LVT1, 0x400);
	R.nev = 0;
	lapic_set_lint(a, 1, 1);
	CHECK_EQ(count_ev(0, APIC_EV_NMI), 1);
	lapic_set_lint(a, 1, 1);	/* no edge, no NMI */
	CHECK_EQ(count_ev(0, APIC_EV_NMI), 1);
	lapic_set_lint(a, 1, 0);
	wr(0, LVT1, MASKED | 0x400);
	lapic_set_lint(a, 1, 1);
	CHECK_EQ(count_ev(0, APIC_EV_NMI), 1);
	rig_fini();
}

static void test_lint0_fixed_level(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	enable(0);
	wr(0, LVT0, 0x8000 | 0x90);	/* fixed, level */
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(rd(0, LVT0), 0xc000 | 0x90);	/* remote IRR */
	CHECK_EQ(bit(0, TMR, 0x90), 1);
	CHECK_EQ(lapic_ack(a), 0x90);
	wr(0, EOI, 0);
	/* still high at EOI: delivered again */
	CHECK_EQ(bit(0, IRR, 0x90), 1);
	CHECK_EQ(rd(0, LVT0), 0xc000 | 0x90);
	CHECK_EQ(lapic_ack(a), 0x90);
	lapic_set_lint(a, 0, 0);
	wr(0, EOI, 0);
	CHECK_EQ(rd(0, LVT0), 0x8000 | 0x90);
	CHECK_EQ(bit(0, IRR, 0x90), 0);
	/* fixed edge */
	wr(0, LVT0, 0x91);
	lapic_set_lint(a, 0, 1);
	CHECK_EQ(bit(0, IRR, 0x91), 1);
	CHECK_EQ(bit(0, TMR, 0x91), 0);
	rig_fini();
}

/* ---- spurious, ESR, software disable ---- */

static void test_spurious(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	wr(0, SVR, 0x1ef);
	CHECK_EQ(rd(0, SVR), 0x1ef);
	CHECK_EQ(lapic_ack(a), 0xef);	/* nothing pending */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x40, 0, 0, -1);
	CHECK_EQ(lapic_pending(a), 0x40);
	wr(0, TPR, 0x50);	/* it vanished between pending and ack */
	CHECK_EQ(lapic_ack(a), 0xef);
	CHECK_EQ(bit(0, ISR, 0x40), 0);
	CHECK_EQ(bit(0, IRR, 0x40), 1);
	/* SVR keeps bits 9:0 */
	wr(0, SVR, 0xfffff3ffu);
	CHECK_EQ(rd(0, SVR), 0x3ff);
	rig_fini();
}

static void test_esr(void)
{
	rig_init(1);
	enable(0);
	ipi(0, 0, 0x00040005);	/* fixed vector 5: illegal */
	CHECK_EQ(bit(0, IRR, 5), 0);
	CHECK_EQ(rd(0, ESR), 0);	/* not latched until written */
	wr(0, ESR, 0);
	CHECK_EQ(rd(0, ESR), 0x20);
	wr(0, ESR, 0);
	CHECK_EQ(rd(0, ESR), 0);
	/* receive illegal vector (from the bus), and an illegal register */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x0e, 0, 0, -1);
	rd(0, 0x3a0);
	wr(0, ESR, 0xffffffffu);
	CHECK_EQ(rd(0, ESR), 0xc0);
	/* the error LVT raises its vector */
	wr(0, LVTERR, 0xfe);
	CHECK_EQ(rd(0, LVTERR), 0xfe);
	ipi(0, 0, 0x00040001);
	CHECK_EQ(bit(0, IRR, 0xfe), 1);
	wr(0, ESR, 0);
	CHECK_EQ(rd(0, ESR), 0x20);
	rig_fini();
}

static void test_sw_disable(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	enable(0);
	wr(0, LVTT, 0x30);
	wr(0, LVT0, 0x700);
	wr(0, LVT1, 0x400);
	wr(0, LVTERR, 0xf0);
	wr(0, LVTTHM, 0x31);
	wr(0, LVTPC, 0x32);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x40, 0, 0, -1);
	wr(0, SVR, 0xff);
	for (uint32_t o = LVTT; o <= LVTERR; o += 0x10)
		CHECK_EQ(rd(0, o) & MASKED, MASKED);
	CHECK_EQ(rd(0, LVTT), MASKED | 0x30);
	/* the mask cannot be cleared while disabled */
	wr(0, LVTT, 0x30);
	CHECK_EQ(rd(0, LVTT), MASKED | 0x30);
	/* IRR held, not delivered; new fixed interrupts refused */
	CHECK_EQ(bit(0, IRR, 0x40), 1);
	CHECK_EQ(lapic_pending(a), -1);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x41, 0, 0, -1);
	CHECK_EQ(bit(0, IRR, 0x41), 0);
	/* the timer still counts, without interrupting */
	wr(0, TDCR, 0xb);
	wr(0, TMICT, 10);
	clock_set(&R.clk, 5);
	CHECK_EQ(rd(0, TMCCT), 5);
	clock_set(&R.clk, 20);
	CHECK_EQ(bit(0, IRR, 0x30), 0);
	/* re-enabling: LVTs stay masked, the held IRR is delivered */
	R.nev = 0;
	enable(0);
	CHECK_EQ(rd(0, LVTT), MASKED | 0x30);
	CHECK_EQ(lapic_pending(a), 0x40);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	rig_fini();
}

/* ---- x2APIC ---- */

static void test_x2apic_msrs(void)
{
	rig_init(2);
	struct lapic *a = R.a[1];
	uint64_t v = 0;
	/* not in x2APIC mode: every x2APIC MSR faults */
	CHECK_EQ(lapic_msr_read(a, 0x802, &v), -1);
	CHECK_EQ(lapic_msr_write(a, 0x808, 0), -1);
	lapic_set_base(a, APIC_DEFAULT_BASE | 0xc00);
	CHECK_EQ(lapic_get_base(a), 0xfee00c00u);
	CHECK(!lapic_claims(a, APIC_DEFAULT_BASE));
	CHECK_EQ(lapic_msr_read(a, 0x802, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(lapic_msr_read(a, 0x803, &v), 0);
	CHECK_EQ(v, 0x00050014u);
	CHECK_EQ(lapic_msr_read(a, 0x80d, &v), 0);
	CHECK_EQ(v, 0x00000002u);
	CHECK_EQ(lapic_msr_read(a, 0x80f, &v), 0);
	CHECK_EQ(v, 0xff);
	CHECK_EQ(lapic_msr_write(a, 0x80f, 0x1ff), 0);
	CHECK_EQ(lapic_msr_write(a, 0x808, 0x30), 0);
	CHECK_EQ(lapic_msr_read(a, 0x808, &v), 0);
	CHECK_EQ(v, 0x30);
	CHECK_EQ(lapic_msr_read(a, 0x80a, &v), 0);
	CHECK_EQ(v, 0x30);
	CHECK_EQ(lapic_get_cr8(a), 3);
	/* #GP: absent registers, read-only and write-only ones, reserved bits */
	CHECK_EQ(lapic_msr_read(a, 0x809, &v), -1);	/* APR */
	CHECK_EQ(lapic_msr_read(a, 0x80c, &v), -1);	/* RRD */
	CHECK_EQ(lapic_msr_read(a, 0x80e, &v), -1);	/* DFR */
	CHECK_EQ(lapic_msr_read(a, 0x831, &v), -1);	/* ICR2 */
	CHECK_EQ(lapic_msr_read(a, 0x82f, &v), -1);	/* CMCI: absent */
	CHECK_EQ(lapic_msr_read(a, 0x800, &v), -1);
	CHECK_EQ(lapic_msr_read(a, 0x840, &v), -1);
	CHECK_EQ(lapic_msr_read(a, 0x8ff, &v), -1);
	CHECK_EQ(lapic_msr_read(a, 0x80b, &v), -1);	/* EOI is write-only */
	CHECK_EQ(lapic_msr_read(a, 0x83f, &v), -1);	/* SELF IPI too */
	CHECK_EQ(lapic_msr_write(a, 0x802, 5), -1);	/* ID read-only */
	CHECK_EQ(lapic_msr_write(a, 0x80d, 5), -1);	/* LDR read-only */
	CHECK_EQ(lapic_msr_write(a, 0x803, 0), -1);
	CHECK_EQ(lapic_msr_write(a, 0x80a, 0), -1);
	CHECK_EQ(lapic_msr_write(a, 0x839, 0), -1);	/* current count */
	CHECK_EQ(lapic_msr_write(a, 0x810, 0), -1);	/* ISR */
	CHECK_EQ(lapic_msr_write(a, 0x80b, 1), -1);	/* EOI non-zero */
	CHECK_EQ(lapic_msr_write(a, 0x828, 1), -1);	/* ESR non-zero */
	CHECK_EQ(lapic_msr_write(a, 0x808, 0x100), -1);
	CHECK_EQ(lapic_msr_write(a, 0x832, 1ull << 32), -1);
	CHECK_EQ(lapic_msr_write(a, 0x80b, 0), 0);
	CHECK_EQ(lapic_msr_write(a, 0x828, 0), 0);
	/* the MMIO page is gone */
	CHECK_EQ(lapic_mmio_read(a, ID), 0);
	rig_fini();
}

static void test_x2apic_ipi(void)
{
	rig_init(2);
	for (int c = 0; c < 2; c++) {
		lapic_set_base(R.a[c], lapic_get_base(R.a[c]) | 0x400);
		CHECK_EQ(lapic_msr_write(R.a[c], 0x80f, 0x1ff), 0);
	}
	uint64_t v = 0;
	/* ICR is one 64-bit MSR, destination in 63:32 */
	CHECK_EQ(lapic_msr_write(R.a[0], 0x830, (1ull << 32) | 0x4000 | 0x66), 0);
	CHECK_EQ(lapic_msr_read(R.a[0], 0x830, &v), 0);
	CHECK_EQ(v, (1ull << 32) | 0x4000 | 0x66);
	CHECK_EQ(lapic_pending(R.a[1]), 0x66);
	CHECK_EQ(lapic_pending(R.a[0]), -1);
	/* logical: cluster 0, bit 0 is x2APIC ID 0 */
	CHECK_EQ(lapic_msr_write(R.a[1], 0x830, (0x00000001ull << 32) | 0x800 | 0x67), 0);
	CHECK_EQ(lapic_pending(R.a[0]), 0x67);
	/* SELF IPI */
	CHECK_EQ(lapic_msr_write(R.a[1], 0x83f, 0x99), 0);
	CHECK_EQ(lapic_pending(R.a[1]), 0x99);
	CHECK_EQ(lapic_msr_write(R.a[1], 0x83f, 0x199), -1);
	CHECK_EQ(lapic_ack(R.a[1]), 0x99);
	CHECK_EQ(lapic_msr_read(R.a[1], 0x814, &v), 0);	/* ISR word 4 */
	CHECK_EQ(v, 1u << (0x99 - 0x80));
	CHECK_EQ(lapic_msr_write(R.a[1], 0x80b, 0), 0);
	CHECK_EQ(lapic_msr_read(R.a[1], 0x814, &v), 0);
	CHECK_EQ(v, 0);
	/* broadcast */
	CHECK_EQ(lapic_msr_write(R.a[0], 0x830, (0xffffffffull << 32) | 0x77), 0);
	CHECK_EQ(lapic_msr_read(R.a[0], 0x823, &v), 0);	/* IRR word 3 */
	CHECK_EQ(v, 1u << (0x77 - 0x60) | 1u << (0x67 - 0x60));
	CHECK_EQ(lapic_msr_read(R.a[1], 0x823, &v), 0);
	CHECK_EQ(v, 1u << (0x77 - 0x60) | 1u << (0x66 - 0x60));
	rig_fini();
}

static void test_x2apic_transitions(void)
{
	rig_init(1);
	struct lapic *a = R.a[0];
	/* x2APIC -> xAPIC directly is invalid and ignored */
	lapic_set_base(a, APIC_DEFAULT_BASE | 0xc00);
	lapic_set_base(a, APIC_DEFAULT_BASE | 0x800);
	CHECK_EQ(lapic_get_base(a), 0xfee00d00u);
	/* x2APIC set while disabled: invalid */
	lapic_set_base(a, APIC_DEFAULT_BASE | 0x400);
	CHECK_EQ(lapic_get_base(a), 0xfee00d00u);
	/* INIT keeps x2APIC mode */
	apic_bus_deliver(&R.ab, 0, 0, 5, 0, 0, 1, 0);
	CHECK_EQ(lapic_get_base(a), 0xfee00d00u);
	/* disable, then xAPIC again */
	lapic_set_base(a, APIC_DEFAULT_BASE);
	CHECK_EQ(lapic_get_base(a), 0xfee00100u);
	lapic_set_base(a, APIC_DEFAULT_BASE | 0x800);
	CHECK_EQ(lapic_get_base(a), 0xfee00900u);
	CHECK(lapic_claims(a, APIC_DEFAULT_BASE + 0x300));
	rig_fini();
}

/* ---- base MSR ---- */

static void test_base_relocation(void)
{
	rig_init(2);
	struct lapic *a = R.a[0];
	CHECK(lapic_claims(a, 0xfee00000u));
	CHECK(lapic_claims(a, 0xfee00fffu));
	CHECK(!lapic_claims(a, 0xfee01000u));
	CHECK(!lapic_claims(a, 0xfedfffffu));
	lapic_set_base(a, 0xfec80000u | 0x800 | 0x100);
	CHECK_EQ(lapic_get_base(a), 0xfec80900u);
	CHECK(lapic_claims(a, 0xfec80020u));
	CHECK(!lapic_claims(a, 0xfee00020u));
	/* the BSP bit belongs to the CPU, not to the guest */
	lapic_set_base(R.a[1], 0xfee00000u | 0x900);
	CHECK_EQ(lapic_get_base(R.a[1]), 0xfee00800u);
	lapic_set_base(a, 0xfee00000u | 0x800);
	CHECK_EQ(lapic_get_base(a), 0xfee00900u);
	rig_fini();
}

static void test_global_disable(void)
{
	rig_init(2);
	struct lapic *a = R.a[1];
	enable(1);
	wr(1, TPR, 0x40);
	wr(1, LVTT, 0x30);
	wr(1, TMICT, 100);
	apic_bus_deliver(&R.ab, 1, 0, 0, 0x50, 0, 0, -1);
	lapic_set_base(a, APIC_DEFAULT_BASE);
	CHECK(!lapic_claims(a, APIC_DEFAULT_BASE));
	CHECK_EQ(lapic_mmio_read(a, SVR), 0);
	/* a globally disabled APIC hears nothing */
	R.nev = 0;
	apic_bus_deliver(&R.ab, 1, 0, 4, 0, 0, 0, -1);
	CHECK_EQ(R.nev, 0);
	CHECK_EQ(clock_next_deadline(&R.clk), CLOCK_NEVER);
	/* state was lost */
	lapic_set_base(a, APIC_DEFAULT_BASE | 0x800);
	CHECK_EQ(rd(1, TPR), 0);
	CHECK_EQ(rd(1, SVR), 0xff);
	CHECK_EQ(rd(1, LVTT), MASKED);
	CHECK_EQ(rd(1, TMICT), 0);
	CHECK_EQ(bit(1, IRR, 0x50), 0);
	CHECK_EQ(rd(1, ID), 0x01000000u);
	rig_fini();
}

/* ---- the IOAPIC side ---- */

static void test_level_eoi_to_ioapic(void)
{
	rig_init(1);
	struct bus iomem;
	struct device dev;
	bus_init(&iomem, "mmio");
	struct ioapic *io = ioapic_new(&iomem, &R.ab, &dev);
	R.ab.ioapic = io;
	enable(0);
	/* pin 5: vector 0x55, level, physical dest 0 */
	bus_write(&iomem, IOAPIC_BASE, 0x10 + 2 * 5, 4);
	bus_write(&iomem, IOAPIC_BASE + 0x10, 0x8000 | 0x55, 4);
	bus_write(&iomem, IOAPIC_BASE, 0x11 + 2 * 5, 4);
	bus_write(&iomem, IOAPIC_BASE + 0x10, 0, 4);
	ioapic_set_irq(io, 5, 1);
	CHECK_EQ(bit(0, TMR, 0x55), 1);
	CHECK_EQ(lapic_ack(R.a[0]), 0x55);
	bus_write(&iomem, IOAPIC_BASE, 0x10 + 2 * 5, 4);
	CHECK_EQ(bus_read(&iomem, IOAPIC_BASE + 0x10, 4) & 0x4000, 0x4000);
	ioapic_set_irq(io, 5, 0);
	wr(0, EOI, 0);
	CHECK_EQ(bus_read(&iomem, IOAPIC_BASE + 0x10, 4) & 0x4000, 0);
	/* an edge vector's EOI leaves the IOAPIC alone: TMR clear */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x56, 0, 0, -1);
	CHECK_EQ(bit(0, TMR, 0x56), 0);
	ioapic_free(io);
	bus_destroy(&iomem);
	rig_fini();
}

static void test_extint_message(void)
{
	rig_init(1);
	enable(0);
	R.nev = 0;
	apic_bus_deliver(&R.ab, 0, 0, 7, 0, 0, 0, -1);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);
	CHECK(lapic_pending(R.a[0]) >= 0);
	R.extint_vector = 0x21;
	CHECK_EQ(lapic_ack(R.a[0]), 0x21);
	CHECK_EQ(R.extint_acks, 1);
	CHECK_EQ(lapic_pending(R.a[0]), -1);
	rig_fini();
}

/* ---- save state ---- */

static void test_save_load(void)
{
	rig_init(2);
	struct lapic *a = R.a[0];
	enable(0);
	wr(0, TPR, 0x23);
	wr(0, LDR, 0x04000000u);
	wr(0, DFR, 0x0fffffffu);
	wr(0, LVT0, 0x700);
	wr(0, LVTERR, 0xf3);
	wr(0, ICR2, 0x01000000u);
	wr(0, TDCR, 0x3);
	wr(0, LVTT, 0x20000 | 0x38);
	wr(0, TMICT, 100);	/* period 1600 ns */
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x61, 1, 0, -1);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x92, 0, 0, -1);
	CHECK_EQ(lapic_ack(a), 0x92);
	wr(0, ICR, 0x00040003);	/* an error pending in the ESR */
	lapic_set_base(a, 0xfed00000u | 0x800);
	clock_set(&R.clk, 400);

	struct snap s;
	snap_init(&s);
	lapic_save(a, &s);
	CHECK(!s.error);
	lapic_reset(a);
	CHECK_EQ(lapic_get_base(a), 0xfee00900u);
	CHECK_EQ(clock_next_deadline(&R.clk), CLOCK_NEVER);
	CHECK_EQ(lapic_load(a, &s), 0);
	snap_free(&s);

	CHECK_EQ(lapic_get_base(a), 0xfed00900u);
	CHECK_EQ(lapic_mmio_read(a, TPR), 0x23);
	CHECK_EQ(lapic_mmio_read(a, LDR), 0x04000000u);
	CHECK_EQ(lapic_mmio_read(a, DFR), 0x0fffffffu);
	CHECK_EQ(lapic_mmio_read(a, SVR), 0x1ff);
	CHECK_EQ(lapic_mmio_read(a, LVT0), 0x700);
	CHECK_EQ(lapic_mmio_read(a, LVTERR), 0xf3);
	CHECK_EQ(lapic_mmio_read(a, ICR2), 0x01000000u);
	CHECK_EQ(lapic_mmio_read(a, ICR), 0x00040003u);
	CHECK_EQ(lapic_mmio_read(a, TDCR), 0x3);
	CHECK_EQ(lapic_mmio_read(a, TMICT), 100);
	CHECK_EQ(lapic_mmio_read(a, TMCCT), 75);
	CHECK_EQ(lapic_mmio_read(a, IRR + 0x30), 1u << 1);
	CHECK_EQ(lapic_mmio_read(a, TMR + 0x30), 1u << 1);
	CHECK_EQ(lapic_mmio_read(a, ISR + 0x40), 1u << 0x12);
	CHECK_EQ(lapic_mmio_read(a, PPR), 0x90);
	lapic_mmio_write(a, ESR, 0);
	CHECK_EQ(lapic_mmio_read(a, ESR), 0x20);
	/* the timer runs on from where it was */
	clock_set(&R.clk, 1599);
	CHECK_EQ(lapic_mmio_read(a, IRR + 0x10), 0);
	clock_set(&R.clk, 1600);
	CHECK_EQ(lapic_mmio_read(a, IRR + 0x10), 1u << 0x18);
	CHECK_EQ(clock_next_deadline(&R.clk), 3200);

	/* one it held that the CPU can take (0x61, once 0x92 is done):
	 * loaded, it kicks the CPU */
	lapic_mmio_write(a, EOI, 0);
	snap_init(&s);
	lapic_save(a, &s);
	lapic_reset(a);
	R.nev = 0;
	CHECK_EQ(lapic_load(a, &s), 0);
	snap_free(&s);
	CHECK_EQ(count_ev(0, APIC_EV_KICK), 1);

	/* a bad section is refused and leaves the APIC alone */
	snap_init(&s);
	snap_section_put(&s, "lapic", 99);
	CHECK_EQ(lapic_load(a, &s), -1);
	snap_free(&s);
	CHECK_EQ(lapic_mmio_read(a, TPR), 0x23);
	rig_fini();
}

int main(void)
{
	CHECK_SUITE("lapic");
	RUN(test_reset_values);
	RUN(test_id_version);
	RUN(test_unaligned_and_reserved);
	RUN(test_tpr_ppr);
	RUN(test_apr);
	RUN(test_fixed_ipi_self);
	RUN(test_fixed_ipi_other);
	RUN(test_nesting);
	RUN(test_lowest_priority);
	RUN(test_logical_flat);
	RUN(test_logical_cluster);
	RUN(test_broadcast);
	RUN(test_shorthands);
	RUN(test_nmi_init_sipi_smi);
	RUN(test_timer_oneshot_divides);
	RUN(test_timer_periodic);
	RUN(test_timer_late_periodic);
	RUN(test_timer_min_period);
	RUN(test_timer_masked);
	RUN(test_timer_divide_change);
	RUN(test_timer_restart);
	RUN(test_extint_lint0);
	RUN(test_virtual_wire);
	RUN(test_lint1_nmi);
	RUN(test_lint0_fixed_level);
	RUN(test_spurious);
	RUN(test_esr);
	RUN(test_sw_disable);
	RUN(test_x2apic_msrs);
	RUN(test_x2apic_ipi);
	RUN(test_x2apic_transitions);
	RUN(test_base_relocation);
	RUN(test_global_disable);
	RUN(test_level_eoi_to_ioapic);
	RUN(test_extint_message);
	RUN(test_save_load);
	return CHECK_EXIT();
}
