/* The tiny runtime of the test guests: COM1 output, exit, IDT, PIC and PIT helpers. */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define MULTIBOOT_LOADER_MAGIC 0x2BADB002u

/* A guest is a tiny kernel, not emulator code: module-level state is its RAM. */
static const char *cmdline = "";
static isr_fn *handlers[256];

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(8)));
extern const uint32_t isr_stubs[256];

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t gstrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

bool gstrstr(const char *hay, const char *needle)
{
	size_t n = gstrlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] == needle[i])
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no UART interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);	/* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared, 14-byte trigger */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

void serial_putc(char c)
{
	/* Bounded: a broken LSR must not hang the guest; the byte goes out anyway
	 * and the test then fails on its output instead of timing out. */
	for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static void put_str(const char *s)
{
	while (*s) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}

static void put_uint(uint32_t v, unsigned base, int width, char pad)
{
	char buf[12];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		serial_putc(pad);
	while (n)
		serial_putc(buf[--n]);
}

static void vgprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*fmt == '\n')
				serial_putc('\r');
			serial_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': put_str(va_arg(ap, const char *)); break;
		case 'c': serial_putc((char)va_arg(ap, int)); break;
		case 'u': put_uint(va_arg(ap, unsigned), 10, width, pad); break;
		case 'x': put_uint(va_arg(ap, unsigned), 16, width, pad); break;
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				serial_putc('-');
				v = -v;
			}
			put_uint((uint32_t)v, 10, width, pad);
			break;
		}
		case '%': serial_putc('%'); break;
		case '\0': return;
		default: serial_putc('?'); break;
		}
	}
}

void gprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vgprintf(fmt, ap);
	va_end(ap);
}

void guest_exit(int v)
{
	cli();
	gprintf("guest exit %d\n", v);
	outb(DEBUG_EXIT_PORT, (uint8_t)v);
	/* Still here: no isa-debug-exit device. Stop; the runner's timeout reports it. */
	gprintf("guest: port 0xf4 did not exit; halting\n");
	for (;;)
		hlt();
}

void fail(const char *fmt, ...)
{
	va_list ap;
	cli();
	put_str("FAIL: ");
	va_start(ap, fmt);
	vgprintf(fmt, ap);
	va_end(ap);
	put_str("\n");
	guest_exit(EXIT_FAIL);
}

void expect_eq(const char *what, uint32_t got, uint32_t want)
{
	if (got != want)
		fail("%s: got 0x%x, want 0x%x", what, got, want);
}

const char *guest_cmdline(void)
{
	return cmdline;
}

uint32_t cmdline_uint(const char *key, uint32_t dflt)
{
	size_t n = gstrlen(key);
	for (const char *p = cmdline; *p; p++) {
		if ((p == cmdline || p[-1] == ' ') && !memcmp(p, key, n) && p[n] == '=') {
			uint32_t v = 0;
			for (p += n + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint32_t)(*p - '0');
			return v;
		}
	}
	return dflt;
}

void isr_dispatch(struct frame *f);
void isr_dispatch(struct frame *f)
{
	isr_fn *fn = handlers[f->vector & 0xff];
	if (fn) {
		fn(f);
		return;
	}
	gprintf("FAIL: unexpected interrupt: vector 0x%x error 0x%x eip 0x%x\n",
		f->vector, f->error, f->eip);
	guest_exit(EXIT_UNEXPECTED_IRQ);
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		idt[v].off_lo = (uint16_t)isr_stubs[v];
		idt[v].off_hi = (uint16_t)(isr_stubs[v] >> 16);
		idt[v].sel = 0x08;
		idt[v].zero = 0;
		idt[v].type = 0x8e;	/* present, DPL 0, 32-bit interrupt gate */
	}
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(desc));
}

void idt_set_handler(int vector, isr_fn *fn)
{
	handlers[vector & 0xff] = fn;
}

void pic_init(uint8_t master_mask, uint8_t slave_mask)
{
	outb(0x20, 0x11);	/* ICW1: edge, cascade, ICW4 follows */
	outb(0xa0, 0x11);
	outb(0x21, 0x20);	/* ICW2: vector base */
	outb(0xa1, 0x28);
	outb(0x21, 0x04);	/* ICW3: slave on IRQ2 */
	outb(0xa1, 0x02);	/* ICW3: slave identity 2 */
	outb(0x21, 0x01);	/* ICW4: 8086 mode, normal EOI */
	outb(0xa1, 0x01);
	outb(0x21, master_mask);
	outb(0xa1, slave_mask);
	expect_eq("master PIC IMR after init", inb(0x21), master_mask);
	expect_eq("slave PIC IMR after init", inb(0xa1), slave_mask);
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

uint8_t pic_read_irr(int slave)
{
	uint16_t port = slave ? 0xa0 : 0x20;
	outb(port, 0x0a);	/* OCW3: read IRR */
	return inb(port);
}

uint8_t pic_read_isr(int slave)
{
	uint16_t port = slave ? 0xa0 : 0x20;
	outb(port, 0x0b);	/* OCW3: read ISR */
	uint8_t v = inb(port);
	outb(port, 0x0a);	/* back to IRR, the power-on default */
	return v;
}

void pit_start(uint16_t divisor)
{
	outb(0x43, 0x34);	/* channel 0, lobyte/hibyte, mode 2, binary */
	outb(0x40, (uint8_t)divisor);
	outb(0x40, (uint8_t)(divisor >> 8));
}

uint16_t pit_latch_read(void)
{
	outb(0x43, 0x00);	/* counter latch, channel 0 */
	uint8_t lo = inb(0x40);
	uint8_t hi = inb(0x40);
	return (uint16_t)(lo | hi << 8);
}

void pit_wait_periods(uint32_t n)
{
	uint16_t last = pit_latch_read();
	uint32_t reads = 0;
	while (n) {
		uint16_t now = pit_latch_read();
		if (now > last) {	/* it counts down, so going up means it reloaded */
			n--;
			reads = 0;
		} else if (++reads > 10000000) {
			fail("PIT channel 0 did not reload in 10M latched reads (count 0x%x)", now);
		}
		last = now;
	}
}

void guest_start(uint32_t magic, uint32_t mbi);
void guest_start(uint32_t magic, uint32_t mbi)
{
	serial_init();
	if (magic != MULTIBOOT_LOADER_MAGIC) {
		gprintf("FAIL: multiboot magic in EAX is 0x%x, want 0x%x\n", magic, MULTIBOOT_LOADER_MAGIC);
		guest_exit(EXIT_BAD_BOOT);
	}
	const uint32_t *info = (const uint32_t *)(uintptr_t)mbi;
	if (info[0] & (1u << 2))	/* flags: cmdline valid */
		cmdline = (const char *)(uintptr_t)info[4];
	guest_exit(guest_main());
}
