/* The tiny runtime of the test guests: port I/O, COM1 output, exit, IDT, PIC, PIT. */
// SPDX-License-Identifier: MIT
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Exit values written to port 0xf4; trivisor and QEMU exit with (v << 1) | 1. */
enum {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_UNEXPECTED_IRQ = 2,
	EXIT_BAD_BOOT = 3,
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti;hlt: the one-instruction interrupt shadow of STI closes the race
 * between checking a condition and halting. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* The register frame entry.asm builds before calling isr_dispatch. */
struct frame {
	uint32_t es, ds;
	uint32_t edi, esi, ebp, esp_pushad, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void isr_fn(struct frame *f);

/* Output on COM1 (0x3f8), 115200 8N1, polled. */
void serial_init(void);
void serial_putc(char c);
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write v to the isa-debug-exit port; does not return. */
__attribute__((noreturn)) void guest_exit(int v);
/* Print "FAIL: ..." and exit with EXIT_FAIL. */
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);
/* Fail unless got == want; `what` names the value. */
void expect_eq(const char *what, uint32_t got, uint32_t want);

/* Multiboot command line, "" if the loader gave none. */
const char *guest_cmdline(void);
/* Value of "key=N" on the command line, or dflt. */
uint32_t cmdline_uint(const char *key, uint32_t dflt);

/* Load an IDT with every vector routed to isr_dispatch; vectors without a
 * handler fail the test with EXIT_UNEXPECTED_IRQ. */
void idt_init(void);
void idt_set_handler(int vector, isr_fn *fn);

/* 8259 pair remapped to vectors 0x20 (master) and 0x28 (slave). */
void pic_init(uint8_t master_mask, uint8_t slave_mask);
void pic_eoi(int irq);
uint8_t pic_read_irr(int slave);
uint8_t pic_read_isr(int slave);

/* PIT channel 0, mode 2 (rate generator), binary, lobyte/hibyte. */
#define PIT_HZ 1193182u
void pit_start(uint16_t divisor);
uint16_t pit_latch_read(void);
/* Busy-wait n periods of channel 0 by counting counter wrap-arounds. */
void pit_wait_periods(uint32_t n);

size_t gstrlen(const char *s);
bool gstrstr(const char *hay, const char *needle);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Each guest defines this; its return value is written to port 0xf4. */
int guest_main(void);

#endif
