/* Unit tests for the 8237A DMA pair, programmed through its ports as a BIOS
 * or Linux's floppy driver does, with transfers asked for by a device. */
// SPDX-License-Identifier: MIT
#include "hw/dma8237.h"

#include <string.h>
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define RAM (1u << 20)

enum {
	DMA1_STATUS = 0x08, DMA1_REQ = 0x09, DMA1_MASK = 0x0a, DMA1_MODE = 0x0b,
	DMA1_CLEAR_FF = 0x0c, DMA1_MASTER_CLEAR = 0x0d, DMA1_CLEAR_MASK = 0x0e,
	DMA1_ALL_MASK = 0x0f,
	DMA2_STATUS = 0xd0, DMA2_MASK = 0xd4, DMA2_MODE = 0xd6, DMA2_CLEAR_FF = 0xd8,
	DMA2_MASTER_CLEAR = 0xda,
	/* mode bits */
	M_VERIFY = 0x00, M_WRITE = 0x04, M_READ = 0x08, M_AUTO = 0x10, M_DEC = 0x20,
	M_SINGLE = 0x40, M_CASCADE = 0xc0,
};

struct rig {
	struct bus io;
	struct physmap pm;
	struct dma8237 *d;
	struct device dev;
	int runs;
};

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	physmap_init(&g->pm, RAM, NULL);
	g->d = dma8237_new(&g->io, &g->pm, &g->dev);
}

static void rig_fini(struct rig *g)
{
	dma8237_free(g->d);
	physmap_destroy(&g->pm);
	bus_destroy(&g->io);
}

static uint8_t in(struct rig *g, uint16_t port) { return (uint8_t)bus_read(&g->io, port, 1); }
static void out(struct rig *g, uint16_t port, uint8_t v) { bus_write(&g->io, port, v, 1); }

/* channel 0-3 as SeaBIOS's floppy code sets channel 2 up */
static void setup8(struct rig *g, unsigned ch, uint32_t addr, uint16_t count, uint8_t mode)
{
	static const uint16_t page_port[4] = { 0x87, 0x83, 0x81, 0x82 };
	out(g, DMA1_MASK, (uint8_t)(4 | ch));
	out(g, DMA1_CLEAR_FF, 0);
	out(g, (uint16_t)(ch * 2), (uint8_t)addr);
	out(g, (uint16_t)(ch * 2), (uint8_t)(addr >> 8));
	out(g, DMA1_CLEAR_FF, 0);
	out(g, (uint16_t)(ch * 2 + 1), (uint8_t)count);
	out(g, (uint16_t)(ch * 2 + 1), (uint8_t)(count >> 8));
	out(g, DMA1_MODE, (uint8_t)(mode | ch));
	out(g, page_port[ch], (uint8_t)(addr >> 16));
	out(g, DMA1_MASK, (uint8_t)ch);
}

static uint16_t read16(struct rig *g, uint16_t port, uint16_t ff_port)
{
	out(g, ff_port, 0);
	uint8_t lo = in(g, port);
	return (uint16_t)(lo | in(g, port) << 8);
}

static void test_flipflop_roundtrip(void)
{
	struct rig g;
	rig_init(&g);
	CHECK(g.d != NULL);
	out(&g, DMA1_CLEAR_FF, 0);
	out(&g, 0x04, 0x34);
	out(&g, 0x04, 0x12);
	out(&g, 0x05, 0xff);	/* flip-flop now low again: low byte of count */
	out(&g, 0x05, 0x01);
	CHECK_EQ(read16(&g, 0x04, DMA1_CLEAR_FF), 0x1234);
	CHECK_EQ(read16(&g, 0x05, DMA1_CLEAR_FF), 0x01ff);
	/* without a clear the flip-flop goes on toggling */
	out(&g, DMA1_CLEAR_FF, 0);
	CHECK_EQ(in(&g, 0x04), 0x34);
	CHECK_EQ(in(&g, 0x05), 0x01);	/* high byte: the flip-flop is shared */
	/* the second controller: ports at even addresses, odd ones undecoded */
	out(&g, DMA2_CLEAR_FF, 0);
	out(&g, 0xc4, 0x78);		/* channel 5 address */
	out(&g, 0xc4, 0x56);
	CHECK_EQ(read16(&g, 0xc4, DMA2_CLEAR_FF), 0x5678);
	CHECK_EQ(in(&g, 0xc5), 0xff);
	rig_fini(&g);
}

static void test_page_registers(void)
{
	struct rig g;
	rig_init(&g);
	static const uint16_t ports[8] = { 0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a };
	for (unsigned i = 0; i < 8; i++)
		out(&g, ports[i], (uint8_t)(0x10 + i));
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(in(&g, ports[i]), 0x10 + i);
	/* POST code port and the unused page ports are someone else's */
	CHECK(bus_find(&g.io, 0x80) == NULL);
	CHECK(bus_find(&g.io, 0x84) == NULL);
	CHECK(bus_find(&g.io, 0x85) == NULL);
	CHECK(bus_find(&g.io, 0x86) == NULL);
	CHECK(bus_find(&g.io, 0x88) == NULL);
	CHECK(bus_find(&g.io, 0x8c) == NULL);
	CHECK(bus_find(&g.io, 0x8e) == NULL);
	CHECK(bus_find(&g.io, 0x90) == NULL);
	rig_fini(&g);
}

static void test_masks(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(in(&g, DMA1_ALL_MASK) & 0x0f, 0x0f);	/* reset: all masked */
	CHECK(!dma8237_ready(g.d, 2));
	out(&g, DMA1_MASK, 2);
	CHECK(dma8237_ready(g.d, 2));
	CHECK_EQ(in(&g, DMA1_ALL_MASK) & 0x0f, 0x0b);
	out(&g, DMA1_MASK, 4 | 2);
	CHECK(!dma8237_ready(g.d, 2));
	out(&g, DMA1_CLEAR_MASK, 0);
	CHECK_EQ(in(&g, DMA1_ALL_MASK) & 0x0f, 0x00);
	out(&g, DMA1_ALL_MASK, 0x05);
	CHECK(!dma8237_ready(g.d, 0));
	CHECK(dma8237_ready(g.d, 1));
	CHECK(!dma8237_ready(g.d, 2));
	/* the command register's disable bit stops the whole controller */
	out(&g, DMA1_STATUS, 0x04);
	CHECK(!dma8237_ready(g.d, 1));
	out(&g, DMA1_STATUS, 0x00);
	CHECK(dma8237_ready(g.d, 1));
	out(&g, DMA1_MASTER_CLEAR, 0);
	CHECK_EQ(in(&g, DMA1_ALL_MASK) & 0x0f, 0x0f);
	/* channels 4-7 are masked separately */
	out(&g, DMA2_MASK, 1);
	CHECK(dma8237_ready(g.d, 5));
	CHECK(!dma8237_ready(g.d, 1));
	rig_fini(&g);
}

static void test_write_to_memory_tc(void)
{
	struct rig g;
	rig_init(&g);
	uint8_t buf[600];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	setup8(&g, 2, 0x12000, 511, M_WRITE | M_SINGLE);
	bool tc = true;
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 256, &tc), 256);
	CHECK(!tc);
	CHECK_EQ(in(&g, DMA1_STATUS) & 0x0f, 0);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf + 256, 344, &tc), 256);	/* stops at TC */
	CHECK(tc);
	CHECK(memcmp(g.pm.ram + 0x12000, buf, 512) == 0);
	CHECK_EQ(g.pm.ram[0x12200], 0);
	/* status: TC for channel 2, cleared by the read */
	CHECK_EQ(in(&g, DMA1_STATUS), 0x04);
	CHECK_EQ(in(&g, DMA1_STATUS), 0x00);
	/* without autoinit the channel masks itself; count reads 0xffff */
	CHECK(!dma8237_ready(g.d, 2));
	CHECK_EQ(read16(&g, 0x05, DMA1_CLEAR_FF), 0xffff);
	CHECK_EQ(read16(&g, 0x04, DMA1_CLEAR_FF), 0x2200);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 16, &tc), 0);
	rig_fini(&g);
}

static void test_read_autoinit_decrement_verify(void)
{
	struct rig g;
	rig_init(&g);
	for (unsigned i = 0; i < 16; i++)
		g.pm.ram[0x3000 + i] = (uint8_t)(0xa0 + i);
	uint8_t buf[16];
	bool tc;
	/* read from memory, autoinit: after TC the channel starts over */
	setup8(&g, 1, 0x3000, 7, M_READ | M_AUTO | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 1, buf, 16, &tc), 8);
	CHECK(tc);
	CHECK_EQ(buf[0], 0xa0);
	CHECK_EQ(buf[7], 0xa7);
	CHECK(dma8237_ready(g.d, 1));
	CHECK_EQ(read16(&g, 0x02, DMA1_CLEAR_FF), 0x3000);
	CHECK_EQ(read16(&g, 0x03, DMA1_CLEAR_FF), 7);
	CHECK_EQ(dma8237_transfer(g.d, 1, buf, 4, &tc), 4);
	CHECK_EQ(buf[3], 0xa3);
	/* decrement: the device's bytes go downwards from the address */
	uint8_t src[4] = { 1, 2, 3, 4 };
	setup8(&g, 3, 0x4003, 3, M_WRITE | M_DEC | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 3, src, 4, &tc), 4);
	CHECK(tc);
	CHECK_EQ(g.pm.ram[0x4003], 1);
	CHECK_EQ(g.pm.ram[0x4000], 4);
	/* verify: counts, touches nothing */
	setup8(&g, 0, 0x5000, 3, M_VERIFY | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 0, src, 4, &tc), 4);
	CHECK(tc);
	CHECK_EQ(g.pm.ram[0x5000], 0);
	rig_fini(&g);
}

static void test_wrap_in_page(void)
{
	struct rig g;
	rig_init(&g);
	uint8_t buf[32];
	bool tc;
	memset(buf, 0x5a, sizeof(buf));
	/* an 8-bit channel wraps within its 64 KiB page, never carrying into
	 * the page register */
	setup8(&g, 2, 0x1fff0, 31, M_WRITE | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 32, &tc), 32);
	CHECK(tc);
	CHECK_EQ(g.pm.ram[0x1ffff], 0x5a);
	CHECK_EQ(g.pm.ram[0x10000], 0x5a);
	CHECK_EQ(g.pm.ram[0x1000f], 0x5a);
	CHECK_EQ(g.pm.ram[0x20000], 0);
	rig_fini(&g);
}

static void test_16bit_channel(void)
{
	struct rig g;
	rig_init(&g);
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	bool tc;
	/* channel 5: word address 0x100 in page 0x03 (bit 0 unused) = 0x20200 */
	out(&g, DMA2_MASK, 4 | 1);
	out(&g, DMA2_CLEAR_FF, 0);
	out(&g, 0xc4, 0x00);
	out(&g, 0xc4, 0x01);
	out(&g, 0xc6, 3);		/* four words */
	out(&g, 0xc6, 0);
	out(&g, DMA2_MODE, M_WRITE | M_SINGLE | 1);
	out(&g, 0x8b, 0x03);
	out(&g, DMA2_MASK, 1);
	CHECK_EQ(dma8237_transfer(g.d, 5, buf, 7, &tc), 6);	/* whole words */
	CHECK(!tc);
	CHECK_EQ(dma8237_transfer(g.d, 5, buf + 6, 2, &tc), 2);
	CHECK(tc);
	CHECK(memcmp(g.pm.ram + 0x20200, buf, 8) == 0);
	CHECK_EQ(in(&g, DMA2_STATUS) & 0x0f, 0x02);
	/* the word address wraps within 128 KiB */
	out(&g, DMA2_CLEAR_FF, 0);
	out(&g, 0xc4, 0xff);
	out(&g, 0xc4, 0xff);
	out(&g, 0xc6, 1);
	out(&g, 0xc6, 0);
	out(&g, DMA2_MODE, M_WRITE | M_SINGLE | 1);
	out(&g, 0x8b, 0x02);
	out(&g, DMA2_MASK, 1);
	CHECK_EQ(dma8237_transfer(g.d, 5, buf, 4, &tc), 4);
	CHECK_EQ(g.pm.ram[0x3fffe], 1);
	CHECK_EQ(g.pm.ram[0x20000], 3);
	/* the cascade channel moves nothing */
	out(&g, DMA2_MODE, M_CASCADE);
	out(&g, DMA2_MASK, 0);
	CHECK_EQ(dma8237_transfer(g.d, 4, buf, 4, &tc), 0);
	rig_fini(&g);
}

static void test_beyond_ram(void)
{
	struct rig g;
	rig_init(&g);
	uint8_t buf[512];
	bool tc;
	uint8_t before[64];
	memcpy(before, g.pm.ram + RAM - 64, 64);
	memset(buf, 0xcc, sizeof(buf));
	/* page 0xff is 16 MiB - 64 KiB: no RAM there in a 1 MiB guest */
	setup8(&g, 2, 0xff0000, 511, M_WRITE | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 512, &tc), 512);
	CHECK(tc);
	CHECK(memcmp(before, g.pm.ram + RAM - 64, 64) == 0);
	/* a run that starts in RAM and leaves it stops writing at its end */
	setup8(&g, 2, RAM - 16, 31, M_WRITE | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 32, &tc), 32);
	CHECK_EQ(g.pm.ram[RAM - 1], 0xcc);
	/* reading nothing gives ones */
	setup8(&g, 2, 0xff0000, 15, M_READ | M_SINGLE);
	CHECK_EQ(dma8237_transfer(g.d, 2, buf, 16, &tc), 16);
	CHECK_EQ(buf[0], 0xff);
	CHECK_EQ(buf[15], 0xff);
	rig_fini(&g);
}

static void on_run(void *opaque)
{
	struct rig *g = opaque;
	g->runs++;
	dma8237_dreq(g->d, 2, false);
}

static void test_dreq_runs_device(void)
{
	struct rig g;
	rig_init(&g);
	dma8237_connect(g.d, 2, on_run, &g);
	setup8(&g, 2, 0x1000, 511, M_WRITE | M_SINGLE);
	out(&g, DMA1_MASK, 4 | 2);
	dma8237_dreq(g.d, 2, true);
	CHECK_EQ(g.runs, 0);		/* masked: DREQ waits */
	CHECK_EQ(in(&g, DMA1_STATUS), 0x40);	/* request bit for channel 2 */
	out(&g, DMA1_MASK, 2);
	CHECK_EQ(g.runs, 1);
	CHECK_EQ(in(&g, DMA1_STATUS), 0x00);
	dma8237_dreq(g.d, 2, true);	/* ready: runs at once */
	CHECK_EQ(g.runs, 2);
	/* software request shows in status */
	out(&g, DMA1_REQ, 4 | 1);
	CHECK_EQ(in(&g, DMA1_STATUS) & 0xf0, 0x20);
	out(&g, DMA1_REQ, 1);
	CHECK_EQ(in(&g, DMA1_STATUS) & 0xf0, 0x00);
	rig_fini(&g);
}

static void test_save_load(void)
{
	struct rig g, h;
	rig_init(&g);
	rig_init(&h);
	setup8(&g, 2, 0x23456, 0x1ff, M_WRITE | M_SINGLE);
	out(&g, 0x04, 0x99);		/* leaves the flip-flop high */
	struct snap s;
	snap_init(&s);
	g.dev.save(g.dev.opaque, &s);
	s.pos = 0;
	CHECK_EQ(h.dev.load(h.dev.opaque, &s), 0);
	CHECK_EQ(in(&h, 0x04), 0x34);	/* flip-flop restored: high byte next */
	CHECK_EQ(read16(&h, 0x05, DMA1_CLEAR_FF), 0x1ff);
	CHECK_EQ(in(&h, 0x81), 0x02);
	CHECK(dma8237_ready(h.d, 2));
	/* a truncated state is refused */
	s.pos = 0;
	s.len = 10;
	CHECK_EQ(h.dev.load(h.dev.opaque, &s), -1);
	snap_free(&s);
	rig_fini(&g);
	rig_fini(&h);
}

int main(void)
{
	CHECK_SUITE("dma8237");
	RUN(test_flipflop_roundtrip);
	RUN(test_page_registers);
	RUN(test_masks);
	RUN(test_write_to_memory_tc);
	RUN(test_read_autoinit_decrement_verify);
	RUN(test_wrap_in_page);
	RUN(test_16bit_channel);
	RUN(test_beyond_ram);
	RUN(test_dreq_runs_device);
	RUN(test_save_load);
	return CHECK_EXIT();
}
