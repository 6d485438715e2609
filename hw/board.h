/* The PC board, QEMU's "pc" machine: the device lock, the virtual clock, the
 * two buses, the i440FX host bridge with PCI bus 0 (PIIX3 ISA bridge at
 * 00:01.0, PIIX4 power management at 00:01.3), and the ISA devices wired
 * together: each ISA IRQ is the OR of its ISA device, the PCI interrupts the
 * PIIX3 routes there (and the SCI on IRQ 9), into the PIC pair and the
 * IOAPIC; the PIC's INTR goes to the boot CPU's LINT0. The board knows
 * nothing of CPU tiers: what it needs from the CPU side comes through
 * board_host. Guest memory (the physical map) is made by the caller before
 * the board, which decodes it (PAM, PCI BARs) and gives it its MMIO bus. */
#ifndef HW_BOARD_H
#define HW_BOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/irq.h"
#include "hw/lapic.h"
#include "hw/sysports.h"
#include "hw/uart16550.h"

#define BOARD_MAX_DEVICES 48
#define BOARD_UARTS 4
#define BOARD_MAX_DEBUGCONS 4
#define BOARD_MAX_PORTLOGS 4
#define BOARD_IDE_DRIVES 4			/* channel * 2 + unit */
#define BOARD_FLOPPIES 2

struct board_host {
	void (*reset)(void *opaque);			/* reset line pulsed */
	void (*exit)(void *opaque, int status);		/* isa-debug-exit */
	void (*cpu_event)(void *opaque, int cpu, enum apic_event ev, uint8_t vector);
	void *opaque;
	void (*poweroff)(void *opaque);			/* ACPI S5: the guest is off */
	/* the A20 gate moved (port 0x92 or the 8042's output port): on is
	 * the OR of the two, as the chipset combines them */
	void (*set_a20)(void *opaque, int on);
};

struct board_debugcon {
	uint16_t iobase;
	struct debugcon_chr chr;
};

struct physmap;

struct board_config {
	int ncpus;
	uint64_t ram_size;
	struct physmap *pm;			/* physmap_init'ed guest memory, ram_size of it */
	enum clock_mode clock_mode;
	time_t rtc_base;			/* wall-clock time at power-on */
	struct uart_chr serial[BOARD_UARTS];	/* write NULL: nothing attached */
	struct board_debugcon debugcon[BOARD_MAX_DEBUGCONS];
	int ndebugcons;
	uint16_t debugexit_iobase;		/* 0: none */
	unsigned debugexit_size;
	uint8_t boot_order[3];			/* CMOS 0x3d/0x38: 1 fd, 2 hd, 3 cd */
	/* drives; the board does not own the images */
	struct blockdev *ide[BOARD_IDE_DRIVES];
	bool ide_cdrom[BOARD_IDE_DRIVES];	/* a CD drive, which may be empty */
	struct blockdev *floppy[BOARD_FLOPPIES];
	bool vga;				/* the standard VGA at 00:02.0 */
	const uint8_t *vga_rom;			/* its option ROM (copied), or NULL */
	size_t vga_romlen;
	bool hpet;
	bool testdev;				/* pc-testdev */
	/* POST codes (port 0x80) and other ports logged as lines */
	struct board_debugcon portlog[BOARD_MAX_PORTLOGS];
	int nportlogs;
};

struct pic8259;
struct pit8254;
struct rtc146818;
struct i8042;
struct sysports;
struct ioapic;
struct pci_bus;
struct fwcfg;
struct ide;
struct dma8237;
struct fdc;
struct vga;
struct hpet;
struct testdev;
struct portlog;
struct i440fx;
struct piix3;
struct piix4_pm;

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
	struct pci_bus *pci;			/* bus 0: more functions may be added */
	struct i440fx *i440fx;
	struct piix3 *piix3;
	struct piix4_pm *pm;
	struct fwcfg *fwcfg;			/* filled by firmware/ before the guest runs */
	struct ide *ide;
	struct dma8237 *dma;
	struct fdc *fdc;
	struct vga *vga;			/* NULL with -vga none */
	struct hpet *hpet;			/* NULL without */
	struct testdev *testdev;
	struct portlog *portlog[BOARD_MAX_PORTLOGS];
	bool a20_kbc, a20_port92;		/* the two A20 gate inputs */
	struct irq_or gsi2;			/* IOAPIC pin 2: ISA IRQ 0 | HPET */

	/* ISA IRQ n: drivers or-ed in isa_in[n] (0 the ISA device, 1 the
	 * PIIX3's PCI routing, 2 the SCI, 3+ free for later devices), then
	 * split to PIC input n and the IOAPIC pin */
	struct irq_or isa_in[16];
	struct irq_split isa[16];
	struct irq_or uart_or[2];		/* COM1|COM3 -> IRQ 4, COM2|COM4 -> IRQ 3 */
	struct device dev[BOARD_MAX_DEVICES];
	int ndev;
};

/* 0, or -1 after one error line */
int board_create(struct board *b, const struct board_config *cfg, const struct board_host *host);
void board_destroy(struct board *b);
/* every device to its reset state (with the lock held) */
void board_reset(struct board *b);
/* line (driver number drv, see isa_in) onto ISA IRQ n, for devices added later */
void board_connect_isa(struct board *b, struct irq_line *line, int n, int drv);
/* a CPU asserted FERR# (with the lock held): IRQ 13 until port 0xf0 */
void board_ferr(struct board *b);

#endif
