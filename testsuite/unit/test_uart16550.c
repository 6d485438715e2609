/* Unit tests for the 16550A UART, driven through its eight ports as a guest would. */
// SPDX-License-Identifier: MIT
#include "hw/uart16550.h"

#include <string.h>
#include "testsuite/unit/check.h"

#define BASE 0x3f8
#define US 1000LL

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct rig {
	struct bus io;
	struct vclock clk;
	struct uart16550 *u;
	struct device dev;
	struct uart_chr chr;
	uint8_t out[64];
	size_t nout;
	int edges;
};

static void rig_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct rig *g = opaque;
	for (size_t i = 0; i < len && g->nout < sizeof(g->out); i++)
		g->out[g->nout++] = buf[i];
}

static void rig_irq(void *opaque, int n, int level)
{
	struct rig *g = opaque;
	(void)n;
	if (level)
		g->edges++;
}

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	clock_init(&g->clk, CLOCK_MANUAL);
	g->chr = (struct uart_chr){ rig_write, g };
	g->u = uart_new(&g->io, BASE, &g->clk, &g->chr, &g->dev);
	irq_connect(uart_irq(g->u), rig_irq, g, 4);
}

static void rig_fini(struct rig *g)
{
	uart_free(g->u);
	bus_destroy(&g->io);
}

static uint8_t in(struct rig *g, unsigned reg)
{
	return (uint8_t)bus_read(&g->io, BASE + reg, 1);
}

static void out(struct rig *g, unsigned reg, uint8_t v)
{
	bus_write(&g->io, BASE + reg, v, 1);
}

static int irq(struct rig *g)
{
	return uart_irq(g->u)->level;
}

static void rx(struct rig *g, const char *s)
{
	uart_receive(g->u, (const uint8_t *)s, strlen(s));
}

static void test_reset_values(void)
{
	struct rig g;
	rig_init(&g);
	CHECK(g.u != NULL);
	CHECK_EQ(in(&g, IER), 0x00);
	CHECK_EQ(in(&g, IIR), 0x01);
	CHECK_EQ(in(&g, LCR), 0x00);
	CHECK_EQ(in(&g, MCR), 0x00);
	CHECK_EQ(in(&g, LSR), 0x60);
	CHECK_EQ(in(&g, MSR), 0xb0);		/* DCD, DSR, CTS from the host end */
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(uart_can_receive(g.u), 1);	/* 16450 mode: one holding register */
	/* the neighbours are not ours */
	CHECK_EQ(bus_read(&g.io, BASE + 8, 1), 0xff);
	rig_fini(&g);
}

static void test_dlab(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, LCR, 0x83);
	out(&g, 0, 0x01);
	out(&g, 1, 0x02);
	CHECK_EQ(in(&g, 0), 0x01);
	CHECK_EQ(in(&g, 1), 0x02);
	CHECK_EQ(g.nout, 0);			/* a DLL write is not a transmit */
	CHECK_EQ(in(&g, LCR), 0x83);
	out(&g, LCR, 0x03);
	CHECK_EQ(in(&g, IER), 0x00);
	out(&g, IER, 0xff);
	CHECK_EQ(in(&g, IER), 0x0f);		/* bits 7-4 are zero on a 16550A */
	out(&g, IER, 0x00);
	out(&g, 0, 'A');
	CHECK_EQ(g.nout, 1);
	CHECK_EQ(g.out[0], 'A');
	out(&g, LCR, 0x80);
	CHECK_EQ(in(&g, 0), 0x01);		/* divisor untouched */
	CHECK_EQ(in(&g, 1), 0x02);
	rig_fini(&g);
}

static void test_scratch(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, SCR, 0xa5);
	CHECK_EQ(in(&g, SCR), 0xa5);
	out(&g, LCR, 0x80);
	CHECK_EQ(in(&g, SCR), 0xa5);
	out(&g, SCR, 0x5a);
	out(&g, LCR, 0x00);
	CHECK_EQ(in(&g, SCR), 0x5a);
	rig_fini(&g);
}

static void test_tx_to_host(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, 0, 'h');
	out(&g, 0, 'i');
	CHECK_EQ(g.nout, 2);
	CHECK(memcmp(g.out, "hi", 2) == 0);
	CHECK_EQ(in(&g, LSR), 0x60);		/* THRE and TEMT: already sent */
	rig_fini(&g);
}

static void test_fifo_enable_iir(void)
{
	struct rig g;
	rig_init(&g);
	rx(&g, "x");
	out(&g, FCR, 0x01);
	CHECK_EQ(in(&g, IIR), 0xc1);
	CHECK_EQ(in(&g, LSR) & 0x01, 0);	/* turning FIFOs on empties them */
	CHECK_EQ(uart_can_receive(g.u), 16);
	/* the 64-byte bit of a 16750 does not exist here */
	out(&g, FCR, 0x21);
	CHECK_EQ(in(&g, IIR), 0xc1);
	out(&g, FCR, 0x00);
	CHECK_EQ(in(&g, IIR), 0x01);
	CHECK_EQ(uart_can_receive(g.u), 1);
	rig_fini(&g);
}

static void test_fcr_clear_rx(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, FCR, 0x01);
	rx(&g, "hello");
	CHECK_EQ(uart_can_receive(g.u), 11);
	CHECK_EQ(in(&g, LSR) & 0x01, 1);
	out(&g, FCR, 0x03);
	CHECK_EQ(in(&g, LSR) & 0x01, 0);
	CHECK_EQ(uart_can_receive(g.u), 16);
	CHECK_EQ(in(&g, IIR), 0xc1);		/* FIFOs still on */
	rx(&g, "ab");
	CHECK_EQ(in(&g, RBR), 'a');
	rig_fini(&g);
}

static void test_trigger_levels(void)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	for (unsigned sel = 0; sel < 4; sel++) {
		struct rig g;
		rig_init(&g);
		out(&g, FCR, (uint8_t)(0x07 | sel << 6));
		out(&g, MCR, 0x08);
		out(&g, IER, 0x01);
		for (unsigned i = 1; i < levels[sel]; i++)
			rx(&g, "z");
		CHECK_EQ(irq(&g), 0);
		CHECK_EQ(in(&g, IIR), 0xc1);
		rx(&g, "z");
		CHECK_EQ(irq(&g), 1);
		CHECK_EQ(in(&g, IIR), 0xc4);
		/* reading below the level drops the request */
		in(&g, RBR);
		CHECK_EQ(irq(&g), 0);
		CHECK_EQ(in(&g, IIR), 0xc1);
		rig_fini(&g);
	}
}

static void test_timeout(void)
{
	struct rig g;
	rig_init(&g);
	/* 9600 8N1: ten bits of 12 / 115200 s, so four characters are
	 * 4166664 ns */
	out(&g, LCR, 0x83);
	out(&g, 0, 12);
	out(&g, 1, 0);
	out(&g, LCR, 0x03);
	out(&g, FCR, 0xc1);			/* trigger at 14 */
	out(&g, MCR, 0x08);
	out(&g, IER, 0x01);
	rx(&g, "abc");
	CHECK_EQ(irq(&g), 0);
	clock_set(&g.clk, 4166663);
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IIR), 0xc1);
	clock_set(&g.clk, 4166664);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, IIR), 0xcc);
	/* a read clears it and restarts the count */
	CHECK_EQ(in(&g, RBR), 'a');
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IIR), 0xc1);
	clock_set(&g.clk, 2 * 4166664 - 1);
	CHECK_EQ(irq(&g), 0);
	/* a new character restarts it too */
	rx(&g, "d");
	clock_set(&g.clk, 2 * 4166664 + 100 * US);
	CHECK_EQ(irq(&g), 0);
	clock_set(&g.clk, 3 * 4166664);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, RBR), 'b');
	CHECK_EQ(in(&g, RBR), 'c');
	CHECK_EQ(in(&g, RBR), 'd');
	/* empty: no more timeouts */
	clock_set(&g.clk, 10 * 4166664);
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IIR), 0xc1);
	rig_fini(&g);
}

static void test_timeout_fast_7e2(void)
{
	struct rig g;
	rig_init(&g);
	/* 115200 7E2: 1 + 7 + 1 + 2 = 11 bits of 8680.5 ns; four characters
	 * are 381944 ns */
	out(&g, LCR, 0x80);
	out(&g, 0, 1);
	out(&g, LCR, 0x1e);
	out(&g, FCR, 0x81);			/* trigger at 8 */
	out(&g, MCR, 0x08);
	out(&g, IER, 0x01);
	rx(&g, "q");
	clock_set(&g.clk, 381943);
	CHECK_EQ(irq(&g), 0);
	clock_set(&g.clk, 381944);
	CHECK_EQ(irq(&g), 1);
	rig_fini(&g);
}

static void test_no_timeout_without_fifo(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, MCR, 0x08);
	rx(&g, "q");
	clock_set(&g.clk, 1000000000);
	CHECK_EQ(in(&g, IIR), 0x01);
	out(&g, IER, 0x01);
	CHECK_EQ(in(&g, IIR), 0x04);
	CHECK_EQ(irq(&g), 1);
	rig_fini(&g);
}

static void test_thre_rules(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, MCR, 0x08);
	CHECK_EQ(in(&g, IIR), 0x01);
	/* enabling ETBEI with THR empty raises it */
	out(&g, IER, 0x02);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(g.edges, 1);
	/* reading IIR when it reports THRE clears it */
	CHECK_EQ(in(&g, IIR), 0x02);
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IIR), 0x01);
	/* rewriting IER with ETBEI still set does not raise it again */
	out(&g, IER, 0x02);
	CHECK_EQ(in(&g, IIR), 0x01);
	/* off and on again does */
	out(&g, IER, 0x00);
	out(&g, IER, 0x02);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(g.edges, 2);
	/* writing THR clears it; the byte leaves at once and THR empty
	 * re-arms it, which an edge-triggered PIC sees as a new edge */
	out(&g, 0, 'x');
	CHECK_EQ(g.edges, 3);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, IIR), 0x02);
	CHECK_EQ(in(&g, IIR), 0x01);
	out(&g, 0, 'y');
	CHECK_EQ(g.edges, 4);
	/* disabling ETBEI hides it */
	out(&g, IER, 0x00);
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IIR), 0x01);
	rig_fini(&g);
}

static void test_priorities(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, MCR, 0x08);
	out(&g, IER, 0x0f);
	/* THRE came up with ETBEI */
	CHECK_EQ(irq(&g), 1);
	/* two bytes into the 16450 holding register: overrun */
	rx(&g, "ab");
	/* a modem-line change: in loopback CTS and DSR follow the (clear)
	 * RTS and DTR bits instead of the host end */
	out(&g, MCR, 0x18);
	out(&g, MCR, 0x08);
	CHECK_EQ(in(&g, IIR), 0x06);		/* line status first */
	CHECK_EQ(in(&g, LSR), 0x63);		/* DR, OE, THRE, TEMT */
	CHECK_EQ(in(&g, LSR), 0x61);		/* OE cleared by the read */
	CHECK_EQ(in(&g, IIR), 0x04);		/* then received data */
	CHECK_EQ(in(&g, RBR), 'b');		/* the overrun overwrote 'a' */
	CHECK_EQ(in(&g, IIR), 0x02);		/* then THR empty */
	CHECK_EQ(in(&g, IIR), 0x00);		/* then modem status */
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, MSR), 0xb3);		/* DCTS, DDSR */
	CHECK_EQ(in(&g, IIR), 0x01);
	CHECK_EQ(irq(&g), 0);
	rig_fini(&g);
}

static void test_overrun_fifo(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, FCR, 0x01);
	rx(&g, "0123456789abcdef");
	CHECK_EQ(uart_can_receive(g.u), 0);
	CHECK_EQ(in(&g, LSR), 0x61);
	rx(&g, "X");
	CHECK_EQ(in(&g, LSR), 0x63);
	CHECK_EQ(in(&g, LSR), 0x61);
	char got[17] = { 0 };
	for (int i = 0; i < 16; i++)
		got[i] = (char)in(&g, RBR);
	CHECK(strcmp(got, "0123456789abcdef") == 0);	/* 'X' was lost */
	CHECK_EQ(in(&g, LSR), 0x60);
	CHECK_EQ(uart_can_receive(g.u), 16);
	rig_fini(&g);
}

static void test_loopback(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, MCR, 0x10);
	CHECK_EQ(uart_can_receive(g.u), 0);
	out(&g, 0, 'x');
	CHECK_EQ(g.nout, 0);			/* not to the host */
	CHECK_EQ(in(&g, LSR), 0x61);
	CHECK_EQ(in(&g, RBR), 'x');
	/* host input is cut off */
	rx(&g, "h");
	CHECK_EQ(in(&g, LSR), 0x60);
	/* Linux's probe: RTS and OUT2 must read back as CTS and DCD */
	out(&g, MCR, 0x1a);
	CHECK_EQ(in(&g, MSR) & 0xf0, 0x90);
	out(&g, MCR, 0x10);
	in(&g, MSR);
	static const uint8_t map[4][2] = {
		{ 0x01, 0x20 }, { 0x02, 0x10 }, { 0x04, 0x40 }, { 0x08, 0x80 },
	};
	for (int i = 0; i < 4; i++) {
		out(&g, MCR, 0x10 | map[i][0]);
		CHECK_EQ(in(&g, MSR) & 0xf0, map[i][1]);
		out(&g, MCR, 0x10);
		in(&g, MSR);
	}
	/* delta bits: DSR rises then CTS rises and DSR falls */
	out(&g, MCR, 0x11);
	CHECK_EQ(in(&g, MSR), 0x22);
	CHECK_EQ(in(&g, MSR), 0x20);
	out(&g, MCR, 0x12);
	CHECK_EQ(in(&g, MSR), 0x13);
	/* RI: only the trailing edge sets TERI */
	out(&g, MCR, 0x14);
	CHECK_EQ(in(&g, MSR) & 0x0f, 0x01);
	out(&g, MCR, 0x10);
	CHECK_EQ(in(&g, MSR), 0x04);
	/* back to the host line, transmit goes out again */
	out(&g, MCR, 0x00);
	out(&g, 0, 'y');
	CHECK_EQ(g.nout, 1);
	CHECK_EQ(uart_can_receive(g.u), 1);
	rig_fini(&g);
}

static void test_loopback_fifo_irq(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, FCR, 0x47);			/* trigger at 4 */
	out(&g, MCR, 0x18);
	out(&g, IER, 0x01);
	for (int i = 0; i < 3; i++)
		out(&g, 0, (uint8_t)('0' + i));
	CHECK_EQ(irq(&g), 0);
	out(&g, 0, '3');
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, IIR), 0xc4);
	rig_fini(&g);
}

static void test_out2_gating(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, IER, 0x01);
	rx(&g, "q");
	CHECK_EQ(in(&g, IIR), 0x04);		/* pending inside the chip */
	CHECK_EQ(irq(&g), 0);			/* but OUT2 keeps it off the bus */
	out(&g, MCR, 0x03);			/* DTR, RTS: still not */
	CHECK_EQ(irq(&g), 0);
	out(&g, MCR, 0x0b);
	CHECK_EQ(irq(&g), 1);
	out(&g, MCR, 0x03);
	CHECK_EQ(irq(&g), 0);
	out(&g, MCR, 0x0b);
	in(&g, RBR);
	CHECK_EQ(irq(&g), 0);
	rig_fini(&g);
}

static void test_reset(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, LCR, 0x80);
	out(&g, 0, 3);
	out(&g, LCR, 0x03);
	out(&g, FCR, 0x01);
	out(&g, MCR, 0x0b);
	out(&g, IER, 0x03);
	rx(&g, "abc");
	CHECK_EQ(irq(&g), 1);
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(irq(&g), 0);
	CHECK_EQ(in(&g, IER), 0);
	CHECK_EQ(in(&g, IIR), 0x01);
	CHECK_EQ(in(&g, LSR), 0x60);
	CHECK_EQ(in(&g, MCR), 0);
	out(&g, LCR, 0x80);
	CHECK_EQ(in(&g, 0), 3);			/* the divisor survives */
	rig_fini(&g);
}

static void test_save_load(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, LCR, 0x80);
	out(&g, 0, 6);
	out(&g, 1, 0);
	out(&g, LCR, 0x1b);
	out(&g, FCR, 0x81);
	out(&g, MCR, 0x0b);
	out(&g, IER, 0x05);
	out(&g, SCR, 0x77);
	rx(&g, "xyz");
	CHECK_EQ(irq(&g), 0);

	struct snap sn;
	snap_init(&sn);
	g.dev.save(g.dev.opaque, &sn);
	CHECK(!sn.error);
	g.dev.reset(g.dev.opaque);
	out(&g, SCR, 0);
	sn.pos = 0;
	CHECK_EQ(g.dev.load(g.dev.opaque, &sn), 0);

	CHECK_EQ(in(&g, LCR), 0x1b);
	CHECK_EQ(in(&g, MCR), 0x0b);
	CHECK_EQ(in(&g, IER), 0x05);
	CHECK_EQ(in(&g, SCR), 0x77);
	CHECK_EQ(in(&g, IIR), 0xc1);
	CHECK_EQ(uart_can_receive(g.u), 13);
	/* the timeout timer came back: 4 chars of 11 bits at 19200 */
	int64_t t4 = 4 * (22LL * 6 * NS_PER_SEC / 230400);
	clock_set(&g.clk, t4 - 1);
	CHECK_EQ(irq(&g), 0);
	clock_set(&g.clk, t4);
	CHECK_EQ(irq(&g), 1);
	CHECK_EQ(in(&g, IIR), 0xcc);
	CHECK_EQ(in(&g, RBR), 'x');
	CHECK_EQ(in(&g, RBR), 'y');
	CHECK_EQ(in(&g, RBR), 'z');
	out(&g, LCR, 0x80);
	CHECK_EQ(in(&g, 0), 6);

	struct snap bad;
	snap_init(&bad);
	snap_put(&bad, sn.buf, 20);
	CHECK_EQ(g.dev.load(g.dev.opaque, &bad), -1);
	snap_free(&bad);
	snap_free(&sn);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("uart16550");
	RUN(test_reset_values);
	RUN(test_dlab);
	RUN(test_scratch);
	RUN(test_tx_to_host);
	RUN(test_fifo_enable_iir);
	RUN(test_fcr_clear_rx);
	RUN(test_trigger_levels);
	RUN(test_timeout);
	RUN(test_timeout_fast_7e2);
	RUN(test_no_timeout_without_fifo);
	RUN(test_thre_rules);
	RUN(test_priorities);
	RUN(test_overrun_fifo);
	RUN(test_loopback);
	RUN(test_loopback_fifo_irq);
	RUN(test_out2_gating);
	RUN(test_reset);
	RUN(test_save_load);
	return CHECK_EXIT();
}
