/* The PC board: creates the devices and wires their lines together. */
// SPDX-License-Identifier: MIT
#include "hw/board.h"

#include <string.h>
#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/log.h"
#include "hw/pic8259.h"
#include "hw/pit8254.h"
#include "hw/rtc146818.h"

static const uint16_t uart_base[BOARD_UARTS] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const int uart_isa_irq[BOARD_UARTS] = { 4, 3, 4, 3 };

static void board_reset_line(void *opaque)
{
	struct board *b = opaque;
	if (b->host.reset)
		b->host.reset(b->host.opaque);
}

/* A20 gating is not modelled: the hardware tier cannot mask an address bit,
 * and every OS of interest turns A20 on and leaves it on */
static void board_set_a20(void *opaque, int on)
{
	(void)opaque;
	if (!on)
		log_once("A20 disabled by the guest: not modelled, addresses stay unwrapped");
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

/* ISA IRQ n: to PIC input n and to the IOAPIC pin the MP table names */
static void board_wire_isa(struct board *b, struct irq_line *line, int n)
{
	irq_connect(line, irq_split_handler, &b->isa[n], n);
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
	rtc_cmos_set(b->rtc, 0x14, 0x06);	/* equipment: FPU, no floppy, video EGA/VGA */
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
		irq_connect(&b->isa[n].out[0], pic_set_irq, b->pic, n);
		irq_connect(&b->isa[n].out[1], ioapic_set_irq, b->ioapic, n == 0 ? 2 : n);
	}
	/* virtual wire: the PIC's INTR reaches the boot CPU through LINT0 */
	irq_connect(pic_intr(b->pic), lapic_set_lint, b->lapic[0], 0);

	b->pit = pit_new(&b->io, &b->clock, board_new_dev(b));
	b->rtc = rtc_new(&b->io, &b->clock, cfg->rtc_base, board_new_dev(b));
	if (!b->pit || !b->rtc)
		goto fail;
	board_wire_isa(b, pit_irq0(b->pit), 0);
	board_wire_isa(b, rtc_irq(b->rtc), 8);

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

	struct i8042_host kh = { board_reset_line, board_set_a20, b };
	b->kbd = i8042_new(&b->io, &kh, board_new_dev(b));
	struct sysports_host sh = { board_reset_line, board_set_a20, board_exit, b };
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
}

void board_ferr(struct board *b)
{
	sysports_ferr(b->sys);
}

void board_destroy(struct board *b)
{
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
