/* The National 16550A UART: FIFOs, interrupt priorities, modem lines and loopback. */
// SPDX-License-Identifier: MIT
#include "hw/uart16550.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

/* Transmission is instantaneous: a byte written to THR goes straight to the
 * host (or, in loopback, to the receiver), so the transmitter is always idle
 * again by the time the guest looks and LSR always shows THRE and TEMT. The
 * receiver's character timeout is the one place baud timing shows: a timer
 * four character times after the last receive or RBR read. */

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 115200	/* 1.8432 MHz / 16 */

enum uart_reg {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

enum {
	IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08,
	IER_MASK = 0x0f,

	IIR_NONE = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04,
	IIR_LSI = 0x06, IIR_CTI = 0x0c, IIR_FIFO = 0xc0,

	FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04, FCR_DMA = 0x08,
	FCR_TRIGGER_SHIFT = 6,

	LCR_WLEN_MASK = 0x03, LCR_STOP = 0x04, LCR_PARITY = 0x08, LCR_BREAK = 0x40,
	LCR_DLAB = 0x80,

	MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08,
	MCR_LOOP = 0x10, MCR_MASK = 0x1f,

	LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
	LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFO_ERR = 0x80,
	LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI,

	MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08,
	MSR_DELTAS = 0x0f,
	MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80,
};

/* what the host end presents on the modem inputs outside loopback: a
 * connected, ready peer */
#define MSR_HOST_LINES (MSR_DCD | MSR_DSR | MSR_CTS)

static const uint8_t uart_trigger_levels[4] = { 1, 4, 8, 14 };

struct uart16550 {
	struct vclock *clk;
	struct uart_chr chr;
	struct irq_line irq;
	struct timer timeout_timer;

	uint8_t rx[UART_FIFO_SIZE];
	uint8_t rx_head, rx_count;

	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	uint8_t thr_ipending;		/* THRE interrupt latched */
	uint8_t timeout_pending;	/* character timeout latched */
	int64_t rx_activity_ns;		/* last receive or RBR read */
};

/* ---- timing ---- */

/* one character on the wire, in ns: start bit, data, parity and stop bits */
static int64_t uart_char_ns(const struct uart16550 *u)
{
	unsigned divisor = u->dll | (u->dlm << 8);
	unsigned data = 5 + (u->lcr & LCR_WLEN_MASK);
	unsigned half_bits = 2 * (1 + data + !!(u->lcr & LCR_PARITY));
	if (!(u->lcr & LCR_STOP))
		half_bits += 2;
	else
		half_bits += data == 5 ? 3 : 4;		/* 1.5 or 2 stop bits */
	if (divisor == 0)
		divisor = 0x10000;
	return muldiv64((int64_t)half_bits * divisor, NS_PER_SEC, 2 * UART_CLOCK_HZ);
}

/* ---- interrupts ---- */

static bool uart_fifo_on(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned uart_rx_capacity(const struct uart16550 *u)
{
	return uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
}

static bool uart_rx_ready(const struct uart16550 *u)
{
	if (!uart_fifo_on(u))
		return u->rx_count > 0;
	return u->rx_count >= uart_trigger_levels[u->fcr >> FCR_TRIGGER_SHIFT];
}

/* the highest-priority pending interrupt, as IIR bits 3-0 */
static uint8_t uart_iid(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr & LSR_ERRORS))
		return IIR_LSI;
	if ((u->ier & IER_ERBFI) && uart_rx_ready(u))
		return IIR_RDI;
	if ((u->ier & IER_ERBFI) && u->timeout_pending)
		return IIR_CTI;
	if ((u->ier & IER_ETBEI) && u->thr_ipending)
		return IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NONE;
}

/* the PC wires OUT2 to the enable of the IRQ line's tri-state driver */
static void uart_update_irq(struct uart16550 *u)
{
	irq_set(&u->irq, uart_iid(u) != IIR_NONE && (u->mcr & MCR_OUT2));
}

static void uart_timeout_rearm(struct uart16550 *u)
{
	if (uart_fifo_on(u) && u->rx_count > 0 && !u->timeout_pending)
		timer_mod(&u->timeout_timer, u->rx_activity_ns + 4 * uart_char_ns(u));
	else
		timer_del(&u->timeout_timer);
}

static void uart_timeout_cb(void *opaque)
{
	struct uart16550 *u = opaque;
	if (uart_fifo_on(u) && u->rx_count > 0)
		u->timeout_pending = 1;
	uart_update_irq(u);
}

/* ---- receiver ---- */

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->lsr &= ~LSR_DR;
	u->timeout_pending = 0;
	timer_del(&u->timeout_timer);
}

static void uart_rx_push(struct uart16550 *u, uint8_t b)
{
	if (u->rx_count >= uart_rx_capacity(u)) {
		u->lsr |= LSR_OE;
		/* the 16450 holding register is overwritten; a full FIFO keeps
		 * its contents and the new character is lost */
		if (!uart_fifo_on(u))
			u->rx[u->rx_head] = b;
	} else {
		u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = b;
		u->rx_count++;
	}
	u->lsr |= LSR_DR;
	u->rx_activity_ns = clock_ns(u->clk);
	uart_timeout_rearm(u);
}

static uint8_t uart_rx_pop(struct uart16550 *u)
{
	uint8_t b = u->rx[u->rx_head];
	if (u->rx_count) {
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	if (!u->rx_count)
		u->lsr &= ~LSR_DR;
	u->timeout_pending = 0;
	u->rx_activity_ns = clock_ns(u->clk);
	uart_timeout_rearm(u);
	return b;
}

/* ---- transmitter ---- */

static void uart_tx(struct uart16550 *u, uint8_t b)
{
	/* the guest just filled THR: the THRE interrupt drops */
	u->thr_ipending = 0;
	u->lsr &= ~(LSR_THRE | LSR_TEMT);
	uart_update_irq(u);

	if (u->mcr & MCR_LOOP)
		uart_rx_push(u, b);
	else if (u->chr.write)
		u->chr.write(u->chr.opaque, &b, 1);

	/* ... and the byte has left at once: THR is empty again, which raises
	 * a fresh THRE interrupt (an edge for an edge-triggered PIC) */
	u->lsr |= LSR_THRE | LSR_TEMT;
	u->thr_ipending = 1;
	uart_update_irq(u);
}

/* ---- modem lines ---- */

static uint8_t uart_msr_lines(const struct uart16550 *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_HOST_LINES;
	uint8_t m = 0;
	if (u->mcr & MCR_DTR)
		m |= MSR_DSR;
	if (u->mcr & MCR_RTS)
		m |= MSR_CTS;
	if (u->mcr & MCR_OUT1)
		m |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		m |= MSR_DCD;
	return m;
}

/* set the status bits from the lines, latching the delta bits */
static void uart_msr_update(struct uart16550 *u)
{
	uint8_t old = u->msr, now = uart_msr_lines(u), chg = old ^ now;
	uint8_t d = 0;
	if (chg & MSR_CTS)
		d |= MSR_DCTS;
	if (chg & MSR_DSR)
		d |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI))
		d |= MSR_TERI;		/* trailing edge only */
	if (chg & MSR_DCD)
		d |= MSR_DDCD;
	u->msr = now | (old & MSR_DELTAS) | d;
}

/* ---- registers ---- */

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart16550 *u = opaque;
	uint8_t v;
	(void)size;
	switch (offset) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = uart_rx_pop(u);
		uart_update_irq(u);
		return v;
	case UART_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR_FCR: {
		uint8_t iid = uart_iid(u);
		/* reading IIR is the acknowledgement of a THRE interrupt */
		if (iid == IIR_THRI) {
			u->thr_ipending = 0;
			uart_update_irq(u);
		}
		return iid | (uart_fifo_on(u) ? IIR_FIFO : 0);
	}
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr;
		u->lsr &= ~(LSR_ERRORS | LSR_FIFO_ERR);
		uart_update_irq(u);
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		uart_update_irq(u);
		return v;
	default:
		return u->scr;
	}
}

static void uart_fcr_write(struct uart16550 *u, uint8_t v)
{
	/* the other bits are only taken while the FIFOs are enabled; turning
	 * them on or off empties both */
	if ((v ^ u->fcr) & FCR_ENABLE) {
		uart_rx_clear(u);
		u->fcr = v & FCR_ENABLE;
	}
	if (!(v & FCR_ENABLE)) {
		u->fcr = 0;
		uart_timeout_rearm(u);
		uart_update_irq(u);
		return;
	}
	if (v & FCR_CLEAR_RX)
		uart_rx_clear(u);
	/* FCR_CLEAR_TX: the transmit FIFO is always empty here */
	if (v & FCR_DMA)
		log_once("uart: FCR DMA mode select ignored (no DMA on the PC's UART)");
	u->fcr = v & (FCR_ENABLE | FCR_DMA | (3 << FCR_TRIGGER_SHIFT));
	uart_timeout_rearm(u);
	uart_update_irq(u);
}

static void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct uart16550 *u = opaque;
	uint8_t v = (uint8_t)value;
	(void)size;
	switch (offset) {
	case UART_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			uart_timeout_rearm(u);
		} else {
			uart_tx(u, v);
		}
		return;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			uart_timeout_rearm(u);
			return;
		}
		/* enabling ETBEI with THR empty raises THRE at once; Linux's
		 * 8250 driver probes for exactly this */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI) && (u->lsr & LSR_THRE))
			u->thr_ipending = 1;
		u->ier = v & IER_MASK;
		uart_update_irq(u);
		return;
	case UART_IIR_FCR:
		uart_fcr_write(u, v);
		return;
	case UART_LCR:
		if ((v & LCR_BREAK) && !(u->lcr & LCR_BREAK))
			log_once("uart: break not modelled");
		u->lcr = v;
		uart_timeout_rearm(u);
		return;
	case UART_MCR:
		u->mcr = v & MCR_MASK;
		uart_msr_update(u);
		uart_update_irq(u);
		return;
	case UART_LSR:
		/* writable only in factory test mode */
		log_once("uart: write to LSR ignored");
		return;
	case UART_MSR:
		return;
	default:
		u->scr = v;
		return;
	}
}

static const struct bus_ops uart_ops = {
	.read = uart_read, .write = uart_write, .min_size = 1, .max_size = 1,
};

/* ---- host side ---- */

size_t uart_can_receive(struct uart16550 *u)
{
	/* in loopback the receiver is cut off from the line */
	if (u->mcr & MCR_LOOP)
		return 0;
	return uart_rx_capacity(u) - u->rx_count;
}

void uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	if (u->mcr & MCR_LOOP)
		return;
	for (size_t i = 0; i < len; i++)
		uart_rx_push(u, buf[i]);
	uart_update_irq(u);
}

/* ---- device ---- */

/* the MR pin: the divisor and scratch survive; everything else to its
 * datasheet reset value */
static void uart_reset(void *opaque)
{
	struct uart16550 *u = opaque;
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->thr_ipending = 0;
	uart_rx_clear(u);
	u->msr = uart_msr_lines(u);
	u->rx_activity_ns = clock_ns(u->clk);
	uart_update_irq(u);
}

static void uart_save(void *opaque, struct snap *s)
{
	struct uart16550 *u = opaque;
	snap_section_put(s, "uart16550", 1);
	SNAP_PUT(s, u->rx);
	SNAP_PUT(s, u->rx_head);
	SNAP_PUT(s, u->rx_count);
	SNAP_PUT(s, u->ier);
	SNAP_PUT(s, u->fcr);
	SNAP_PUT(s, u->lcr);
	SNAP_PUT(s, u->mcr);
	SNAP_PUT(s, u->lsr);
	SNAP_PUT(s, u->msr);
	SNAP_PUT(s, u->scr);
	SNAP_PUT(s, u->dll);
	SNAP_PUT(s, u->dlm);
	SNAP_PUT(s, u->thr_ipending);
	SNAP_PUT(s, u->timeout_pending);
	SNAP_PUT(s, u->rx_activity_ns);
}

static int uart_load(void *opaque, struct snap *s)
{
	struct uart16550 *u = opaque;
	struct uart16550 t = *u;
	snap_section_get(s, "uart16550", 1);
	SNAP_GET(s, t.rx);
	SNAP_GET(s, t.rx_head);
	SNAP_GET(s, t.rx_count);
	SNAP_GET(s, t.ier);
	SNAP_GET(s, t.fcr);
	SNAP_GET(s, t.lcr);
	SNAP_GET(s, t.mcr);
	SNAP_GET(s, t.lsr);
	SNAP_GET(s, t.msr);
	SNAP_GET(s, t.scr);
	SNAP_GET(s, t.dll);
	SNAP_GET(s, t.dlm);
	SNAP_GET(s, t.thr_ipending);
	SNAP_GET(s, t.timeout_pending);
	SNAP_GET(s, t.rx_activity_ns);
	if (s->error)
		return -1;
	/* keep a corrupt image from indexing outside the FIFO */
	t.rx_head %= UART_FIFO_SIZE;
	if (t.rx_count > UART_FIFO_SIZE)
		t.rx_count = UART_FIFO_SIZE;
	t.ier &= IER_MASK;
	t.mcr &= MCR_MASK;
	/* the live parts (timer links, irq line) stay as they are */
	memcpy(u->rx, t.rx, sizeof(u->rx));
	u->rx_head = t.rx_head;
	u->rx_count = t.rx_count;
	u->ier = t.ier;
	u->fcr = t.fcr;
	u->lcr = t.lcr;
	u->mcr = t.mcr;
	u->lsr = t.lsr;
	u->msr = t.msr;
	u->scr = t.scr;
	u->dll = t.dll;
	u->dlm = t.dlm;
	u->thr_ipending = t.thr_ipending;
	u->timeout_pending = t.timeout_pending;
	u->rx_activity_ns = t.rx_activity_ns;
	uart_timeout_rearm(u);
	uart_update_irq(u);
	return 0;
}

struct uart16550 *uart_new(struct bus *io, uint16_t base, struct vclock *clk,
			   const struct uart_chr *chr, struct device *dev)
{
	struct uart16550 *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->clk = clk;
	if (chr)
		u->chr = *chr;
	timer_init(&u->timeout_timer, clk, uart_timeout_cb, u);
	if (bus_register(io, base, 8, &uart_ops, u, "uart16550")) {
		free(u);
		return NULL;
	}
	u->dll = 12;		/* 9600 baud until the guest says otherwise */
	uart_reset(u);
	if (dev) {
		dev->name = "uart16550";
		dev->opaque = u;
		dev->reset = uart_reset;
		dev->save = uart_save;
		dev->load = uart_load;
	}
	return u;
}

void uart_free(struct uart16550 *u)
{
	if (!u)
		return;
	timer_del(&u->timeout_timer);
	free(u);
}

struct irq_line *uart_irq(struct uart16550 *u)
{
	return &u->irq;
}
