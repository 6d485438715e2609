/* The PC board: the device lock, the virtual clock, the two buses, and every
 * device of issue one wired together (ISA IRQs to the PIC pair and the
 * IOAPIC, the PIC's INTR to the boot CPU's LINT0). The board knows nothing of
 * CPU tiers: what it needs from the CPU side comes through board_host. */
#ifndef HW_BOARD_H
#define HW_BOARD_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/irq.h"
#include "hw/lapic.h"
#include "hw/sysports.h"
#include "hw/uart16550.h"

#define BOARD_MAX_DEVICES 32
#define BOARD_UARTS 4
#define BOARD_MAX_DEBUGCONS 4

struct board_host {
	void (*reset)(void *opaque);			/* reset line pulsed */
	void (*exit)(void *opaque, int status);		/* isa-debug-exit */
	void (*cpu_event)(void *opaque, int cpu, enum apic_event ev, uint8_t vector);
	void *opaque;
};

struct board_debugcon {
	uint16_t iobase;
	struct debugcon_chr chr;
};

struct board_config {
	int ncpus;
	uint64_t ram_size;
	enum clock_mode clock_mode;
	time_t rtc_base;			/* wall-clock time at power-on */
	struct uart_chr serial[BOARD_UARTS];	/* write NULL: nothing attached */
	struct board_debugcon debugcon[BOARD_MAX_DEBUGCONS];
	int ndebugcons;
	uint16_t debugexit_iobase;		/* 0: none */
	unsigned debugexit_size;
	uint8_t boot_order[3];			/* CMOS 0x3d/0x38: 1 fd, 2 hd, 3 cd */
};

struct pic8259;
struct pit8254;
struct rtc146818;
struct i8042;
struct sysports;
struct ioapic;

struct board {
	pthread_mutex_t lock;
	struct vclock clock;
	struct bus io, mmio;
	struct apic_bus apic_bus;
	struct board_host host;
	struct board_config cfg;

	struct pic8259 *pic;
	struct pit8254 *pit;
	struct rtc146818 *rtc;
	struct uart16550 *uart[BOARD_UARTS];
	struct i8042 *kbd;
	struct sysports *sys;
	struct ioapic *ioapic;
	struct lapic *lapic[APIC_MAX_CPUS];

	struct irq_split isa[16];
	struct irq_or uart_or[2];		/* COM1|COM3 -> IRQ 4, COM2|COM4 -> IRQ 3 */		/* ISA IRQ n -> PIC input n, IOAPIC pin */
	struct device dev[BOARD_MAX_DEVICES];
	int ndev;
};

/* 0, or -1 after one error line */
int board_create(struct board *b, const struct board_config *cfg, const struct board_host *host);
void board_destroy(struct board *b);
/* every device to its reset state (with the lock held) */
void board_reset(struct board *b);
/* a CPU asserted FERR# (with the lock held): IRQ 13 until port 0xf0 */
void board_ferr(struct board *b);

#endif
