/* Unit tests for the 82093AA I/O APIC, delivering to real LAPICs. */
// SPDX-License-Identifier: MIT
#include "hw/ioapic.h"

#include <string.h>
#include "hw/clock.h"
#include "hw/lapic.h"
#include "testsuite/unit/check.h"

#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0

struct rig {
	struct bus mmio;
	struct vclock clk;
	struct apic_bus ab;
	struct lapic *cpu[2];
	struct ioapic *io;
	struct device dev;
	int nmis;
};

static void h_event(void *opaque, int cpu, enum apic_event ev, uint8_t vector)
{
	struct rig *r = opaque;
	(void)cpu;
	(void)vector;
	if (ev == APIC_EV_NMI)
		r->nmis++;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->mmio, "mmio");
	clock_init(&r->clk, CLOCK_MANUAL);
	struct apic_bus_host host = { .event = h_event, .opaque = r };
	apic_bus_init(&r->ab, &host);
	for (int i = 0; i < 2; i++) {
		r->cpu[i] = lapic_new(&r->ab, &r->clk, i);
		/* software enable, spurious vector 0xff */
		lapic_mmio_write(r->cpu[i], LAPIC_SVR, 0x1ff);
	}
	r->io = ioapic_new(&r->mmio, &r->ab, &r->dev);
}

static void rig_fini(struct rig *r)
{
	ioapic_free(r->io);
	for (int i = 0; i < 2; i++)
		lapic_free(r->cpu[i]);
	bus_destroy(&r->mmio);
}

static uint32_t reg_read(struct rig *r, uint8_t index)
{
	bus_write(&r->mmio, IOAPIC_BASE, index, 4);
	return (uint32_t)bus_read(&r->mmio, IOAPIC_BASE + 0x10, 4);
}

static void reg_write(struct rig *r, uint8_t index, uint32_t v)
{
	bus_write(&r->mmio, IOAPIC_BASE, index, 4);
	bus_write(&r->mmio, IOAPIC_BASE + 0x10, v, 4);
}

static void rte_write(struct rig *r, int pin, uint64_t e)
{
	reg_write(r, (uint8_t)(0x11 + 2 * pin), (uint32_t)(e >> 32));
	reg_write(r, (uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

static uint64_t rte_read(struct rig *r, int pin)
{
	return reg_read(r, (uint8_t)(0x10 + 2 * pin)) |
	       (uint64_t)reg_read(r, (uint8_t)(0x11 + 2 * pin)) << 32;
}

static void eoi(struct rig *r, int cpu)
{
	lapic_mmio_write(r->cpu[cpu], LAPIC_EOI, 0);
}

#define RTE_LEVEL (1u << 15)
#define RTE_MASK (1u << 16)
#define RTE_RIRR (1u << 14)

/* ---- registers ---- */

static void test_ioregsel(void)
{
	struct rig r;
	rig_init(&r);
	CHECK(r.io != NULL);
	CHECK(r.ab.ioapic == r.io);
	bus_write(&r.mmio, IOAPIC_BASE, 0x12345633, 4);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE, 4), 0x33);
	rig_fini(&r);
}

static void test_version(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(reg_read(&r, 1), 0x00170011);
	reg_write(&r, 1, 0);
	CHECK_EQ(reg_read(&r, 1), 0x00170011);
	CHECK_EQ((reg_read(&r, 1) >> 16) + 1, IOAPIC_PINS);
	rig_fini(&r);
}

static void test_id_and_arbitration(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(reg_read(&r, 0), 0);
	CHECK_EQ(reg_read(&r, 2), 0);
	reg_write(&r, 0, 0xffffffff);
	CHECK_EQ(reg_read(&r, 0), 0x0f000000);
	/* the arbitration ID follows a write of the ID and is itself read only */
	CHECK_EQ(reg_read(&r, 2), 0x0f000000);
	reg_write(&r, 2, 0x03000000);
	CHECK_EQ(reg_read(&r, 2), 0x0f000000);
	reg_write(&r, 0, 0x02000000);
	CHECK_EQ(reg_read(&r, 0), 0x02000000);
	CHECK_EQ(reg_read(&r, 2), 0x02000000);
	rig_fini(&r);
}

static void test_redirection_reset_and_rw(void)
{
	struct rig r;
	rig_init(&r);
	for (int pin = 0; pin < IOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(&r, pin), 0x10000);
	/* every bit written: delivery status, remote IRR, reserved stay 0 */
	reg_write(&r, 0x10 + 2 * 5, 0xffffffff);
	reg_write(&r, 0x11 + 2 * 5, 0xffffffff);
	CHECK_EQ(reg_read(&r, 0x10 + 2 * 5), 0x0001afff);
	CHECK_EQ(reg_read(&r, 0x11 + 2 * 5), 0xff000000);
	/* the halves are independent */
	reg_write(&r, 0x10 + 2 * 5, 0x00010020);
	CHECK_EQ(rte_read(&r, 5), 0xff00000000010020ull);
	/* last entry, and beyond it */
	rte_write(&r, 23, 0x0300000000018977ull);
	CHECK_EQ(rte_read(&r, 23), 0x0300000000018977ull);
	CHECK_EQ(reg_read(&r, 0x40), 0);
	reg_write(&r, 0x40, 0x1234);
	CHECK_EQ(reg_read(&r, 0x40), 0);
	CHECK_EQ(reg_read(&r, 0x03), 0);
	CHECK_EQ(reg_read(&r, 0xff), 0);
	rig_fini(&r);
}

static void test_odd_accesses(void)
{
	struct rig r;
	rig_init(&r);
	bus_write(&r.mmio, IOAPIC_BASE, 1, 4);
	/* byte and 64-bit accesses do nothing and read 0 */
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0x10, 1), 0);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0x10, 8), 0);
	bus_write(&r.mmio, IOAPIC_BASE, 0, 1);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE, 4), 1);
	bus_write(&r.mmio, IOAPIC_BASE + 0x10, 0, 2);
	CHECK_EQ(reg_read(&r, 1), 0x00170011);
	/* other offsets in the page */
	bus_write(&r.mmio, IOAPIC_BASE + 0x20, 0x12, 4);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0x20, 4), 0);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0x04, 4), 0);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0xffc, 4), 0);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE, 4), 0x01);
	/* the page ends where it should */
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE + 0x1000, 1), 0xff);
	rig_fini(&r);
}

/* ---- delivery ---- */

static void test_masked_at_reset(void)
{
	struct rig r;
	rig_init(&r);
	for (int pin = 0; pin < IOAPIC_PINS; pin++)
		ioapic_set_irq(r.io, pin, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	CHECK_EQ(lapic_pending(r.cpu[1]), -1);
	/* out-of-range pins are ignored */
	ioapic_set_irq(r.io, 24, 1);
	ioapic_set_irq(r.io, -1, 1);
	rig_fini(&r);
}

static void test_edge(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 1, 0x31);	/* fixed, physical dest 0, edge, unmasked */
	ioapic_set_irq(r.io, 1, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x31);
	CHECK_EQ(lapic_pending(r.cpu[1]), -1);
	CHECK_EQ(lapic_ack(r.cpu[0]), 0x31);
	eoi(&r, 0);
	/* staying high is no new edge */
	ioapic_set_irq(r.io, 1, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	ioapic_set_irq(r.io, 1, 0);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	ioapic_set_irq(r.io, 1, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x31);
	CHECK_EQ(rte_read(&r, 1) & RTE_RIRR, 0);
	rig_fini(&r);
}

static void test_edge_masked_is_lost(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 4, RTE_MASK | 0x34);
	ioapic_set_irq(r.io, 4, 1);
	ioapic_set_irq(r.io, 4, 0);
	rte_write(&r, 4, 0x34);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	/* unmasking an edge entry with the line high sends nothing either */
	rte_write(&r, 4, RTE_MASK | 0x34);
	ioapic_set_irq(r.io, 4, 1);
	rte_write(&r, 4, 0x34);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	rig_fini(&r);
}

static void test_destination(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 3, (1ull << 56) | 0x43);
	ioapic_set_irq(r.io, 3, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	CHECK_EQ(lapic_pending(r.cpu[1]), 0x43);
	/* physical broadcast */
	rte_write(&r, 6, (0xffull << 56) | 0x46);
	ioapic_set_irq(r.io, 6, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x46);
	CHECK_EQ(lapic_pending(r.cpu[1]), 0x46);
	rig_fini(&r);
}

static void test_level_remote_irr_eoi(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 9, RTE_LEVEL | 0x49);
	ioapic_set_irq(r.io, 9, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x49);
	CHECK_EQ(rte_read(&r, 9), RTE_LEVEL | RTE_RIRR | 0x49);
	CHECK_EQ(lapic_ack(r.cpu[0]), 0x49);
	/* no new message while remote IRR is set */
	ioapic_set_irq(r.io, 9, 0);
	ioapic_set_irq(r.io, 9, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	/* EOI with the line still high: sent again */
	eoi(&r, 0);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x49);
	CHECK_EQ(rte_read(&r, 9) & RTE_RIRR, RTE_RIRR);
	CHECK_EQ(lapic_ack(r.cpu[0]), 0x49);
	/* the device drops the line, then the EOI: remote IRR clears, quiet */
	ioapic_set_irq(r.io, 9, 0);
	eoi(&r, 0);
	CHECK_EQ(rte_read(&r, 9) & RTE_RIRR, 0);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	rig_fini(&r);
}

static void test_eoi_vector_match(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 10, RTE_LEVEL | 0x50);
	rte_write(&r, 11, RTE_LEVEL | 0x51);
	ioapic_set_irq(r.io, 10, 1);
	ioapic_set_irq(r.io, 11, 1);
	CHECK_EQ(rte_read(&r, 10) & RTE_RIRR, RTE_RIRR);
	CHECK_EQ(rte_read(&r, 11) & RTE_RIRR, RTE_RIRR);
	ioapic_set_irq(r.io, 10, 0);
	ioapic_set_irq(r.io, 11, 0);
	ioapic_eoi(r.io, 0x51);
	CHECK_EQ(rte_read(&r, 10) & RTE_RIRR, RTE_RIRR);
	CHECK_EQ(rte_read(&r, 11) & RTE_RIRR, 0);
	ioapic_eoi(r.io, 0x52);
	CHECK_EQ(rte_read(&r, 10) & RTE_RIRR, RTE_RIRR);
	ioapic_eoi(r.io, 0x50);
	CHECK_EQ(rte_read(&r, 10) & RTE_RIRR, 0);
	rig_fini(&r);
}

static void test_unmask_level_asserted(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 12, RTE_MASK | RTE_LEVEL | 0x5c);
	ioapic_set_irq(r.io, 12, 1);
	CHECK_EQ(lapic_pending(r.cpu[0]), -1);
	CHECK_EQ(rte_read(&r, 12) & RTE_RIRR, 0);
	rte_write(&r, 12, RTE_LEVEL | 0x5c);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x5c);
	CHECK_EQ(rte_read(&r, 12) & RTE_RIRR, RTE_RIRR);
	rig_fini(&r);
}

static void test_remote_irr_read_only(void)
{
	struct rig r;
	rig_init(&r);
	/* a guest cannot set remote IRR or delivery status */
	rte_write(&r, 13, RTE_MASK | RTE_LEVEL | RTE_RIRR | (1u << 12) | 0x5d);
	CHECK_EQ(rte_read(&r, 13), RTE_MASK | RTE_LEVEL | 0x5d);
	/* nor clear it by writing 0 there... */
	rte_write(&r, 13, RTE_LEVEL | 0x5d);
	ioapic_set_irq(r.io, 13, 1);
	CHECK_EQ(rte_read(&r, 13) & RTE_RIRR, RTE_RIRR);
	rte_write(&r, 13, RTE_MASK | RTE_LEVEL | 0x5d);
	CHECK_EQ(rte_read(&r, 13) & RTE_RIRR, RTE_RIRR);
	/* ...but going edge clears it (Linux's EOI for IOAPICs before 0x20) */
	ioapic_set_irq(r.io, 13, 0);
	rte_write(&r, 13, RTE_MASK | 0x5d);
	CHECK_EQ(rte_read(&r, 13) & RTE_RIRR, 0);
	rte_write(&r, 13, RTE_MASK | RTE_LEVEL | 0x5d);
	CHECK_EQ(rte_read(&r, 13) & RTE_RIRR, 0);
	rig_fini(&r);
}

static void test_nmi_level_no_remote_irr(void)
{
	struct rig r;
	rig_init(&r);
	rte_write(&r, 14, RTE_LEVEL | (4u << 8));
	ioapic_set_irq(r.io, 14, 1);
	CHECK_EQ(r.nmis, 1);
	CHECK_EQ(rte_read(&r, 14) & RTE_RIRR, 0);
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig r;
	struct snap sn;
	uint64_t before[IOAPIC_PINS];
	rig_init(&r);
	reg_write(&r, 0, 0x05000000);
	rte_write(&r, 2, (1ull << 56) | 0x30);
	rte_write(&r, 9, RTE_LEVEL | 0x49);
	ioapic_set_irq(r.io, 9, 1);	/* remote IRR set, line high */
	bus_write(&r.mmio, IOAPIC_BASE, 0x14, 4);
	for (int i = 0; i < IOAPIC_PINS; i++)
		before[i] = rte_read(&r, i);
	bus_write(&r.mmio, IOAPIC_BASE, 0x14, 4);
	snap_init(&sn);
	r.dev.save(r.dev.opaque, &sn);
	CHECK(!sn.error);

	r.dev.reset(r.dev.opaque);
	CHECK_EQ(rte_read(&r, 9), 0x10000);
	CHECK_EQ(reg_read(&r, 0), 0);
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), 0);
	CHECK_EQ(bus_read(&r.mmio, IOAPIC_BASE, 4), 0x14);
	CHECK_EQ(reg_read(&r, 0), 0x05000000);
	CHECK_EQ(reg_read(&r, 2), 0x05000000);
	for (int i = 0; i < IOAPIC_PINS; i++)
		CHECK_EQ(rte_read(&r, i), before[i]);
	/* the line level came back too: EOI redelivers */
	CHECK_EQ(lapic_ack(r.cpu[0]), 0x49);
	eoi(&r, 0);
	CHECK_EQ(lapic_pending(r.cpu[0]), 0x49);

	/* a state of the wrong length is refused */
	sn.pos = 0;
	sn.len -= 1;
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), -1);
	CHECK_EQ(reg_read(&r, 0), 0x05000000);
	snap_free(&sn);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("ioapic");
	RUN(test_ioregsel);
	RUN(test_version);
	RUN(test_id_and_arbitration);
	RUN(test_redirection_reset_and_rw);
	RUN(test_odd_accesses);
	RUN(test_masked_at_reset);
	RUN(test_edge);
	RUN(test_edge_masked_is_lost);
	RUN(test_destination);
	RUN(test_level_remote_irr_eoi);
	RUN(test_eoi_vector_match);
	RUN(test_unmask_level_asserted);
	RUN(test_remote_irr_read_only);
	RUN(test_nmi_level_no_remote_irr);
	RUN(test_save_load);
	return CHECK_EXIT();
}
