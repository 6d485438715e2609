/* Unit tests of the board's wiring: ISA IRQs through the PIC to LINT0 and
 * through the IOAPIC to any LAPIC, reset and exit lines, CMOS sizes. */
// SPDX-License-Identifier: MIT
#include "hw/board.h"

#include <string.h>
#include "hw/pit8254.h"
#include "hw/rtc146818.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

struct host_log {
	int resets, exits, exit_status, kicks;
};

static void h_reset(void *o) { ((struct host_log *)o)->resets++; }
static void h_exit(void *o, int st) { ((struct host_log *)o)->exits++; ((struct host_log *)o)->exit_status = st; }
static void h_event(void *o, int cpu, enum apic_event ev, uint8_t v)
{
	(void)cpu; (void)v;
	if (ev == APIC_EV_KICK)
		((struct host_log *)o)->kicks++;
}

/* the guest memory of the one board a test has at a time */
static struct physmap board_pm;

static void make_board(struct board *b, struct host_log *hl, int ncpus, uint64_t ram)
{
	CHECK_EQ(physmap_init(&board_pm, ram, NULL), 0);
	struct board_config cfg = {
		.ncpus = ncpus, .ram_size = ram, .pm = &board_pm, .clock_mode = CLOCK_MANUAL,
		.rtc_base = 1700000000, .debugexit_iobase = 0xf4, .debugexit_size = 1,
		.boot_order = { 3, 2, 1 },
	};
	struct board_host host = { h_reset, h_exit, h_event, hl, NULL, NULL };
	memset(hl, 0, sizeof(*hl));
	CHECK_EQ(board_create(b, &cfg, &host), 0);
}

static void drop_board(struct board *b)
{
	board_destroy(b);
	physmap_destroy(&board_pm);
}

static void out8(struct board *b, uint16_t port, uint8_t v) { bus_write(&b->io, port, v, 1); }

static void pic_init(struct board *b)
{
	out8(b, 0x20, 0x11); out8(b, 0x21, 0x20); out8(b, 0x21, 0x04); out8(b, 0x21, 0x01);
	out8(b, 0xa0, 0x11); out8(b, 0xa1, 0x28); out8(b, 0xa1, 0x02); out8(b, 0xa1, 0x01);
	out8(b, 0x21, 0xfe);	/* only IRQ 0 */
	out8(b, 0xa1, 0xff);
}

static void test_pit_through_pic_to_lint0(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 1, 64 << 20);
	pic_init(&b);
	CHECK_EQ(lapic_pending(b.lapic[0]), -1);
	out8(&b, 0x43, 0x34);		/* channel 0, lo/hi, mode 2 */
	out8(&b, 0x40, 0x9c);
	out8(&b, 0x40, 0x2e);		/* 11932: ~100 Hz */
	clock_set(&b.clock, 20 * 1000 * 1000);
	CHECK(lapic_pending(b.lapic[0]) >= 0);
	CHECK(hl.kicks > 0);
	CHECK_EQ(lapic_ack(b.lapic[0]), 0x20);
	out8(&b, 0x20, 0x20);		/* EOI */
	drop_board(&b);
}

static void test_ioapic_routes_rtc_to_cpu1(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 2, 64 << 20);
	/* the PIC masked, as an OS that uses the IOAPIC leaves it */
	pic_init(&b);
	out8(&b, 0x21, 0xff);
	/* CPU 1's APIC software-enabled */
	lapic_mmio_write(b.lapic[1], 0xf0, 0x1ff);
	/* IOAPIC pin 8: vector 0x38, physical dest APIC 1, edge, unmasked */
	bus_write(&b.mmio, 0xfec00000, 0x10 + 2 * 8 + 1, 4);
	bus_write(&b.mmio, 0xfec00010, 1u << 24, 4);
	bus_write(&b.mmio, 0xfec00000, 0x10 + 2 * 8, 4);
	bus_write(&b.mmio, 0xfec00010, 0x38, 4);
	/* RTC periodic interrupt, 1024 Hz */
	out8(&b, 0x70, 0x0b);
	out8(&b, 0x71, 0x42);
	clock_set(&b.clock, 2 * 1000 * 1000);
	CHECK_EQ(lapic_pending(b.lapic[1]), 0x38);
	CHECK_EQ(lapic_pending(b.lapic[0]), -1);
	drop_board(&b);
}

static void test_exit_and_reset_lines(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 1, 64 << 20);
	out8(&b, 0xf4, 0x10);
	CHECK_EQ(hl.exits, 1);
	CHECK_EQ(hl.exit_status, 0x21);
	out8(&b, 0x92, 0x03);		/* fast reset, A20 kept on */
	CHECK_EQ(hl.resets, 1);
	out8(&b, 0x64, 0xfe);		/* keyboard controller reset pulse */
	CHECK_EQ(hl.resets, 2);
	drop_board(&b);
}

static void test_cmos_memory_size(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 2, 512ull << 20);
	uint16_t ext = (uint16_t)(rtc_cmos_get(b.rtc, 0x30) | rtc_cmos_get(b.rtc, 0x31) << 8);
	CHECK_EQ(ext, 0xffff);		/* capped: 511 MiB above 1 MiB */
	uint16_t a16 = (uint16_t)(rtc_cmos_get(b.rtc, 0x34) | rtc_cmos_get(b.rtc, 0x35) << 8);
	CHECK_EQ(a16, (512 - 16) * 16);
	CHECK_EQ(rtc_cmos_get(b.rtc, 0x5f), 1);
	CHECK_EQ(rtc_cmos_get(b.rtc, 0x15) | rtc_cmos_get(b.rtc, 0x16) << 8, 640);
	drop_board(&b);
}

static void test_uart_irq_to_pic(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 1, 64 << 20);
	pic_init(&b);
	out8(&b, 0x21, 0xef);		/* only IRQ 4 */
	out8(&b, 0x3f9, 0x02);		/* THRE interrupt */
	out8(&b, 0x3fc, 0x08);		/* OUT2 */
	CHECK(lapic_pending(b.lapic[0]) >= 0);
	CHECK_EQ(lapic_ack(b.lapic[0]), 0x24);
	drop_board(&b);
}

/* FERR# from a CPU: IRQ 13 through the slave PIC (vector 0x2d here);
 * port 0xf0 lowers it, so the next FERR# is a new edge */
static void test_ferr_irq13(void)
{
	struct board b;
	struct host_log hl;
	make_board(&b, &hl, 1, 64 << 20);
	pic_init(&b);
	out8(&b, 0x21, 0xfb);		/* the cascade only */
	out8(&b, 0xa1, 0xdf);		/* IRQ 13 only */
	CHECK_EQ(lapic_pending(b.lapic[0]), -1);
	board_ferr(&b);
	CHECK(lapic_pending(b.lapic[0]) >= 0);
	CHECK_EQ(lapic_ack(b.lapic[0]), 0x2d);
	out8(&b, 0xf0, 0);		/* the handler: clear FERR#, EOI both */
	out8(&b, 0xa0, 0x20);
	out8(&b, 0x20, 0x20);
	CHECK_EQ(lapic_pending(b.lapic[0]), -1);
	board_ferr(&b);
	CHECK_EQ(lapic_ack(b.lapic[0]), 0x2d);
	out8(&b, 0xa0, 0x20);
	out8(&b, 0x20, 0x20);
	/* still up (no write to 0xf0): no new edge, nothing more */
	board_ferr(&b);
	CHECK_EQ(lapic_pending(b.lapic[0]), -1);
	drop_board(&b);
}

int main(void)
{
	CHECK_SUITE("unit/board");
	RUN(test_pit_through_pic_to_lint0);
	RUN(test_ioapic_routes_rtc_to_cpu1);
	RUN(test_exit_and_reset_lines);
	RUN(test_cmos_memory_size);
	RUN(test_uart_irq_to_pic);
	RUN(test_ferr_irq13);
	return CHECK_EXIT();
}
