/* The PC board: creates the devices and wires their lines together. */
// SPDX-License-Identifier: MIT
#include "hw/board.h"

#include <string.h>
#include "hw/dma8237.h"
#include "hw/fdc.h"
#include "hw/fwcfg.h"
#include "hw/hpet.h"
#include "hw/i440fx.h"
#include "hw/ide.h"
#include "hw/testdev.h"
#include "hw/vga.h"
#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/log.h"
#include "hw/pci.h"
#include "hw/pic8259.h"
#include "hw/piix3.h"
#include "hw/piix4_pm.h"
#include "hw/pit8254.h"
#include "hw/rtc146818.h"
#include "mmu/physmap.h"

static const uint16_t uart_base[BOARD_UARTS] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const int uart_isa_irq[BOARD_UARTS] = { 4, 3, 4, 3 };

static void board_reset_line(void *opaque)
{
	struct board *b = opaque;
	if (b->host.reset)
		b->host.reset(b->host.opaque);
}

static void board_a20_changed(struct board *b)
{
	if (b->host.set_a20)
		b->host.set_a20(b->host.opaque, b->a20_kbc || b->a20_port92);
}

static void board_a20_kbc(void *opaque, int on)
{
	struct board *b = opaque;
	b->a20_kbc = on;
	board_a20_changed(b);
}

static void board_a20_port92(void *opaque, int on)
{
	struct board *b = opaque;
	b->a20_port92 = on;
	board_a20_changed(b);
}

static void board_poweroff(void *opaque)
{
	struct board *b = opaque;
	if (b->host.poweroff)
		b->host.poweroff(b->host.opaque);
}

static void board_exit(void *opaque, int status)
{
	struct board *b = opaque;
	if (b->host.exit)
		b->host.exit(b->host.opaque, status);
}

static void board_apic_event(void *opaque, int cpu, enum apic_event ev, uint8_t vector)
{
	struct board *b = opaque;
	if (b->host.cpu_event)
		b->host.cpu_event(b->host.opaque, cpu, ev, vector);
}

static uint8_t board_extint_ack(void *opaque)
{
	struct board *b = opaque;
	return pic_ack(b->pic);
}

static struct device *board_new_dev(struct board *b)
{
	if (b->ndev == BOARD_MAX_DEVICES)
		return NULL;
	struct device *d = &b->dev[b->ndev++];
	memset(d, 0, sizeof(*d));
	return d;
}

enum { ISA_DRV_DEVICE, ISA_DRV_PCI, ISA_DRV_SCI, ISA_DRV_FREE };

void board_connect_isa(struct board *b, struct irq_line *line, int n, int drv)
{
	irq_connect(line, irq_or_handler, &b->isa_in[n & 15], drv);
}

/* an ISA device's own line onto ISA IRQ n */
static void board_wire_isa(struct board *b, struct irq_line *line, int n)
{
	board_connect_isa(b, line, n, ISA_DRV_DEVICE);
}

/* bus 0 and the chipset functions on it */
static int board_pci(struct board *b)
{
	b->pci = pci_bus_new(&b->io, &b->mmio, b->cfg.pm);
	if (!b->pci)
		return -1;
	struct device *d[4];
	for (int i = 0; i < 4; i++)
		if (!(d[i] = board_new_dev(b)))
			return -1;
	pci_bus_device(b->pci, d[0]);	/* before the functions: config first */
	b->i440fx = i440fx_new(b->pci, b->cfg.pm, b->cfg.ram_size, d[1]);
	b->piix3 = piix3_new(b->pci, board_reset_line, b, d[2]);
	b->pm = piix4_pm_new(b->pci, &b->io, &b->clock, board_poweroff, b, d[3]);
	if (!b->i440fx || !b->piix3 || !b->pm)
		return -1;
	for (int n = 0; n < 16; n++)
		board_connect_isa(b, piix3_isa_irq(b->piix3, n), n, ISA_DRV_PCI);
	board_connect_isa(b, piix4_pm_sci(b->pm), PIIX4_SCI_IRQ, ISA_DRV_SCI);
	return 0;
}

/* what a PC has beyond the chipset: fw_cfg, the disks, the floppy with its
 * DMA, the VGA, the test devices */
static int board_pc_devices(struct board *b)
{
	const struct board_config *cfg = &b->cfg;
	b->fwcfg = fwcfg_new(&b->io, cfg->pm, board_new_dev(b));
	b->ide = ide_new(b->pci, &b->io, cfg->pm, board_new_dev(b));
	b->dma = dma8237_new(&b->io, cfg->pm, board_new_dev(b));
	if (!b->fwcfg || !b->ide || !b->dma)
		return -1;
	b->fdc = fdc_new(&b->io, b->dma, &b->clock, board_new_dev(b));
	if (!b->fdc)
		return -1;
	for (int i = 0; i < BOARD_IDE_DRIVES; i++)
		if ((cfg->ide[i] || cfg->ide_cdrom[i]) &&
		    ide_attach(b->ide, i / 2, i % 2, cfg->ide[i], cfg->ide_cdrom[i]) < 0)
			return -1;
	board_wire_isa(b, ide_irq(b->ide, 0), 14);
	board_wire_isa(b, ide_irq(b->ide, 1), 15);
	for (int i = 0; i < BOARD_FLOPPIES; i++)
		if (cfg->floppy[i] && fdc_attach(b->fdc, i, cfg->floppy[i]) < 0)
			return -1;
	board_wire_isa(b, fdc_irq(b->fdc), FDC_ISA_IRQ);
	if (cfg->vga) {
		b->vga = vga_new(b->pci, &b->io, &b->mmio, &b->clock, cfg->vga_rom, cfg->vga_romlen,
				 board_new_dev(b));
		if (!b->vga)
			return -1;
	}
	if (cfg->testdev) {
		b->testdev = testdev_new(&b->io, &b->mmio, cfg->pm, board_new_dev(b));
		if (!b->testdev)
			return -1;
		for (int n = 0; n < TESTDEV_LINES; n++) {
			if (n < 16)
				board_connect_isa(b, testdev_irq(b->testdev, n), n, ISA_DRV_FREE);
			else
				irq_connect(testdev_irq(b->testdev, n), ioapic_set_irq, b->ioapic, n);
		}
	}
	for (int i = 0; i < cfg->nportlogs; i++) {
		const struct board_debugcon *pl = &cfg->portlog[i];
		b->portlog[i] = portlog_new(pl->iobase == 0x80 ? "post" : "port", &pl->chr);
		if (!b->portlog[i])
			return -1;
		if (pl->iobase == 0x80)
			sysports_set_post_listener(b->sys, portlog_byte, b->portlog[i]);
		else if (portlog_add(&b->io, pl->iobase, b->portlog[i]) < 0)
			return -1;
	}
	return 0;
}

/* the CMOS bytes a BIOS or an OS reads for memory size and CPU count */
static void board_fill_cmos(struct board *b)
{
	uint64_t ram = b->cfg.ram_size;
	uint64_t low = ram < 0xc0000000ull ? ram : 0xc0000000ull;
	uint64_t ext_kb = low > (1 << 20) ? (low - (1 << 20)) >> 10 : 0;
	if (ext_kb > 0xffff)
		ext_kb = 0xffff;
	uint64_t above16m = low > (16 << 20) ? (low - (16 << 20)) >> 16 : 0;
	if (above16m > 0xffff)
		above16m = 0xffff;
	uint64_t above4g = ram > low ? (ram - low) >> 16 : 0;

	rtc_cmos_set(b->rtc, 0x15, 640 & 0xff);		/* base memory, KiB */
	rtc_cmos_set(b->rtc, 0x16, 640 >> 8);
	rtc_cmos_set(b->rtc, 0x17, ext_kb & 0xff);
	rtc_cmos_set(b->rtc, 0x18, ext_kb >> 8);
	rtc_cmos_set(b->rtc, 0x30, ext_kb & 0xff);
	rtc_cmos_set(b->rtc, 0x31, ext_kb >> 8);
	rtc_cmos_set(b->rtc, 0x34, above16m & 0xff);
	rtc_cmos_set(b->rtc, 0x35, above16m >> 8);
	rtc_cmos_set(b->rtc, 0x5b, above4g & 0xff);
	rtc_cmos_set(b->rtc, 0x5c, (above4g >> 8) & 0xff);
	rtc_cmos_set(b->rtc, 0x5d, (above4g >> 16) & 0xff);
	rtc_cmos_set(b->rtc, 0x5f, (uint8_t)(b->cfg.ncpus - 1));
	/* equipment: floppies present and their count - 1 (bits 0, 7-6), the
	 * FPU (bit 1), video EGA/VGA (bits 5-4 zero) */
	int nfd = (b->cfg.floppy[0] != NULL) + (b->cfg.floppy[1] != NULL);
	rtc_cmos_set(b->rtc, 0x14, (uint8_t)(0x02 | (nfd ? 0x01 | (nfd - 1) << 6 : 0)));
	rtc_cmos_set(b->rtc, 0x10, (uint8_t)(fdc_cmos_type(b->fdc, 0) << 4 | fdc_cmos_type(b->fdc, 1)));
	/* boot order: 0x3d low nibble first device, high nibble second;
	 * 0x38 high nibble third */
	rtc_cmos_set(b->rtc, 0x3d, (uint8_t)(b->cfg.boot_order[0] | b->cfg.boot_order[1] << 4));
	rtc_cmos_set(b->rtc, 0x38, (uint8_t)(b->cfg.boot_order[2] << 4));
}

int board_create(struct board *b, const struct board_config *cfg, const struct board_host *host)
{
	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	b->host = *host;
	if (!cfg->pm) {
		log_error("board: no guest memory");
		return -1;
	}
	/* what neither RAM nor ROM claims goes to the board's MMIO bus */
	cfg->pm->mmio = &b->mmio;
	pthread_mutex_init(&b->lock, NULL);
	clock_init(&b->clock, cfg->clock_mode);
	bus_init(&b->io, "io");
	bus_init(&b->mmio, "mmio");

	struct apic_bus_host ah = { board_apic_event, board_extint_ack, b };
	apic_bus_init(&b->apic_bus, &ah);
	for (int i = 0; i < cfg->ncpus; i++) {
		b->lapic[i] = lapic_new(&b->apic_bus, &b->clock, i);
		if (!b->lapic[i])
			goto fail;
	}

	b->pic = pic_new(&b->io, board_new_dev(b));
	b->ioapic = ioapic_new(&b->mmio, &b->apic_bus, board_new_dev(b));
	if (!b->pic || !b->ioapic)
		goto fail;
	b->apic_bus.ioapic = b->ioapic;
	for (int n = 0; n < 16; n++) {
		irq_connect(&b->isa_in[n].out, irq_split_handler, &b->isa[n], n);
		irq_connect(&b->isa[n].out[0], pic_set_irq, b->pic, n);
		irq_connect(&b->isa[n].out[1], ioapic_set_irq, b->ioapic, n);
	}
	/* ISA IRQ 0 is IOAPIC pin 2 (the MADT's override), shared with
	 * whatever HPET timer is routed there */
	irq_connect(&b->isa[0].out[1], irq_or_handler, &b->gsi2, 0);
	irq_connect(&b->gsi2.out, ioapic_set_irq, b->ioapic, 2);
	/* virtual wire: the PIC's INTR reaches the boot CPU through LINT0 */
	irq_connect(pic_intr(b->pic), lapic_set_lint, b->lapic[0], 0);

	b->pit = pit_new(&b->io, &b->clock, board_new_dev(b));
	b->rtc = rtc_new(&b->io, &b->clock, cfg->rtc_base, board_new_dev(b));
	if (!b->pit || !b->rtc)
		goto fail;
	if (cfg->hpet) {
		/* the HPET sits between the PIT/RTC and IRQ 0/8: in legacy
		 * replacement mode its timers 0 and 1 take those inputs over */
		b->hpet = hpet_new(&b->mmio, &b->clock, board_new_dev(b));
		if (!b->hpet)
			goto fail;
		irq_connect(pit_irq0(b->pit), hpet_legacy_in, b->hpet, HPET_IN_PIT);
		irq_connect(rtc_irq(b->rtc), hpet_legacy_in, b->hpet, HPET_IN_RTC);
		board_wire_isa(b, hpet_irq(b->hpet, 0), 0);
		board_wire_isa(b, hpet_irq(b->hpet, 8), 8);
		irq_connect(hpet_irq(b->hpet, 2), irq_or_handler, &b->gsi2, 1);
	} else {
		board_wire_isa(b, pit_irq0(b->pit), 0);
		board_wire_isa(b, rtc_irq(b->rtc), 8);
	}

	for (int i = 0; i < BOARD_UARTS; i++) {
		b->uart[i] = uart_new(&b->io, uart_base[i], &b->clock, &cfg->serial[i], board_new_dev(b));
		if (!b->uart[i])
			goto fail;
	}
	/* COM1/COM3 share IRQ 4 and COM2/COM4 IRQ 3: each pair is or-ed, as
	 * the OUT2-gated drivers of a PC leave the line to whichever is enabled */
	for (int i = 0; i < BOARD_UARTS; i++) {
		struct irq_or *o = &b->uart_or[i & 1];
		irq_connect(uart_irq(b->uart[i]), irq_or_handler, o, i >> 1);
		if (i < 2)
			board_wire_isa(b, &o->out, uart_isa_irq[i]);
	}

	struct i8042_host kh = { board_reset_line, board_a20_kbc, b };
	b->kbd = i8042_new(&b->io, &kh, board_new_dev(b));
	struct sysports_host sh = { board_reset_line, board_a20_port92, board_exit, b };
	b->sys = sysports_new(&b->io, &sh, board_new_dev(b));
	if (!b->kbd || !b->sys)
		goto fail;
	board_wire_isa(b, i8042_kbd_irq(b->kbd), 1);
	board_wire_isa(b, i8042_aux_irq(b->kbd), 12);
	board_wire_isa(b, sysports_ferr_irq(b->sys), 13);	/* FERR# */

	if (cfg->debugexit_iobase &&
	    debugexit_add(&b->io, cfg->debugexit_iobase, cfg->debugexit_size, &sh) < 0)
		goto fail;
	for (int i = 0; i < cfg->ndebugcons; i++)
		if (debugcon_add(&b->io, cfg->debugcon[i].iobase, &b->cfg.debugcon[i].chr) < 0)
			goto fail;

	if (board_pci(b) < 0 || board_pc_devices(b) < 0)
		goto fail;

	board_fill_cmos(b);
	board_reset(b);
	return 0;
fail:
	log_error("cannot build the board");
	board_destroy(b);
	return -1;
}

void board_reset(struct board *b)
{
	for (int i = 0; i < b->ndev; i++)
		if (b->dev[i].reset)
			b->dev[i].reset(b->dev[i].opaque);
	for (int i = 0; i < b->cfg.ncpus; i++)
		if (b->lapic[i])
			lapic_reset(b->lapic[i]);
	/* the 8042's output port comes out of reset with A20 on */
	b->a20_kbc = true;
	b->a20_port92 = b->sys && sysports_a20(b->sys);
	board_a20_changed(b);
}

void board_ferr(struct board *b)
{
	sysports_ferr(b->sys);
}

void board_destroy(struct board *b)
{
	/* the bus first: it looks at its functions' ROMs as it goes */
	pci_bus_free(b->pci);
	if (b->vga)
		vga_free(b->vga);
	if (b->ide)
		ide_free(b->ide);
	if (b->fdc)
		fdc_free(b->fdc);
	if (b->dma)
		dma8237_free(b->dma);
	if (b->fwcfg)
		fwcfg_free(b->fwcfg);
	if (b->testdev)
		testdev_free(b->testdev);
	for (int i = 0; i < BOARD_MAX_PORTLOGS; i++)
		if (b->portlog[i])
			portlog_free(b->portlog[i]);
	if (b->hpet)
		hpet_free(b->hpet);
	if (b->i440fx)
		i440fx_free(b->i440fx);
	if (b->piix3)
		piix3_free(b->piix3);
	if (b->pm)
		piix4_pm_free(b->pm);
	for (int i = 0; i < BOARD_UARTS; i++)
		if (b->uart[i])
			uart_free(b->uart[i]);
	if (b->sys)
		sysports_free(b->sys);
	if (b->kbd)
		i8042_free(b->kbd);
	if (b->rtc)
		rtc_free(b->rtc);
	if (b->pit)
		pit_free(b->pit);
	if (b->ioapic)
		ioapic_free(b->ioapic);
	if (b->pic)
		pic_free(b->pic);
	for (int i = 0; i < APIC_MAX_CPUS; i++)
		if (b->lapic[i])
			lapic_free(b->lapic[i]);
	bus_destroy(&b->io);
	bus_destroy(&b->mmio);
	pthread_mutex_destroy(&b->lock);
	memset(b, 0, sizeof(*b));
}
