/* Test guest: 16550A UART on COM1 from the guest side: scratch, divisor latch, FIFO, loopback. */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define COM1 0x3f8
#define RBR 0	/* read; THR on write; DLL with DLAB */
#define IER 1	/* DLM with DLAB */
#define IIR 2	/* read; FCR on write */
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint8_t rd(int reg) { return inb((uint16_t)(COM1 + reg)); }
static void wr(int reg, uint8_t v) { outb((uint16_t)(COM1 + reg), v); }

static void check_scratch(void)
{
	static const uint8_t pat[] = { 0x00, 0x5a, 0xa5, 0xff };
	for (unsigned i = 0; i < sizeof(pat); i++) {
		wr(SCR, pat[i]);
		expect_eq("scratch register read back", rd(SCR), pat[i]);
	}
}

/* Nothing may be printed while DLAB is set (it would land in DLL), so values
 * are gathered first and checked once LCR is back to normal. */
static void check_divisor(void)
{
	uint8_t got[9];
	wr(IER, 0x00);
	wr(LCR, 0x83);		/* DLAB, 8N1 */
	got[0] = rd(LCR);
	wr(RBR, 0x0c);		/* 9600 baud */
	wr(IER, 0x00);
	got[1] = rd(RBR);
	got[2] = rd(IER);
	wr(RBR, 0x34);
	wr(IER, 0x12);
	got[3] = rd(RBR);
	got[4] = rd(IER);
	wr(LCR, 0x03);		/* DLAB off: offset 1 is IER again, not DLM */
	got[5] = rd(LCR);
	got[6] = rd(IER);
	wr(LCR, 0x83);
	got[7] = rd(RBR);
	got[8] = rd(IER);
	wr(RBR, 0x01);		/* back to 115200 */
	wr(IER, 0x00);
	wr(LCR, 0x03);

	expect_eq("LCR with DLAB read back", got[0], 0x83);
	expect_eq("DLL read back", got[1], 0x0c);
	expect_eq("DLM read back", got[2], 0x00);
	expect_eq("DLL read back", got[3], 0x34);
	expect_eq("DLM read back", got[4], 0x12);
	expect_eq("LCR without DLAB read back", got[5], 0x03);
	expect_eq("IER after DLAB cleared (DLM must not show through)", got[6], 0x00);
	expect_eq("DLL kept across DLAB toggle", got[7], 0x34);
	expect_eq("DLM kept across DLAB toggle", got[8], 0x12);
}

static void check_fifo(void)
{
	wr(IIR, 0x00);
	expect_eq("IIR with FIFOs off and no interrupt", rd(IIR), 0x01);
	wr(IIR, 0x07);		/* enable, clear RX and TX */
	expect_eq("IIR bits 7:6 with FIFOs on", rd(IIR) & 0xc0, 0xc0);
	expect_eq("IIR bits 3:0 with no interrupt pending", rd(IIR) & 0x0f, 0x01);
}

static void drain_rx(void)
{
	for (int i = 0; i < 64 && (rd(LSR) & LSR_DR); i++)
		(void)rd(RBR);
}

/* -1 if nothing arrives; the caller reports it once loopback is off. */
static int loop_receive(void)
{
	for (int i = 0; i < 1000000; i++)
		if (rd(LSR) & LSR_DR)
			return rd(RBR);
	return -1;
}

static void check_loopback(void)
{
	static const char msg[] = "Tv!";
	/* Loopback routes the modem outputs to the inputs: DTR->DSR, RTS->CTS,
	 * OUT1->RI, OUT2->DCD. */
	wr(MCR, 0x10);
	uint8_t msr_off = rd(MSR) & 0xf0;
	wr(MCR, 0x1f);
	uint8_t msr_on = rd(MSR) & 0xf0;
	wr(MCR, 0x10 | 0x01);	/* DTR only */
	uint8_t msr_dtr = rd(MSR) & 0xf0;
	drain_rx();
	uint8_t lsr_before = rd(LSR);
	wr(RBR, 0xae);
	int echo = loop_receive();
	for (const char *p = msg; *p; p++)
		wr(RBR, (uint8_t)*p);
	int got[sizeof(msg)];
	for (unsigned i = 0; i + 1 < sizeof(msg); i++)
		got[i] = loop_receive();
	uint8_t lsr_after = rd(LSR);
	wr(MCR, 0x03);		/* loopback off before printing anything */

	expect_eq("MSR modem inputs in loopback with MCR outputs off", msr_off, 0x00);
	expect_eq("MSR modem inputs in loopback with DTR RTS OUT1 OUT2", msr_on, 0xf0);
	expect_eq("MSR modem inputs in loopback with DTR only (DSR)", msr_dtr, 0x20);
	expect_eq("LSR DR after draining the receiver", lsr_before & LSR_DR, 0);
	expect_eq("loopback echo of 0xae (-1: nothing received)", (uint32_t)echo, 0xae);
	for (unsigned i = 0; i + 1 < sizeof(msg); i++)
		expect_eq("loopback bytes in FIFO order (-1: nothing received)", (uint32_t)got[i], (uint8_t)msg[i]);
	expect_eq("LSR DR after reading every looped byte", lsr_after & LSR_DR, 0);
}

int guest_main(void)
{
	gprintf("serial: start\n");
	check_scratch();
	check_divisor();
	check_fifo();
	check_loopback();
	/* Idle transmitter: THR and shift register both empty once output drains. */
	uint8_t lsr = 0;
	for (int i = 0; i < 1000000; i++) {
		lsr = rd(LSR);
		if ((lsr & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT))
			break;
	}
	expect_eq("LSR THRE|TEMT when idle", lsr & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
	gprintf("serial ok\n");
	return EXIT_PASS;
}
