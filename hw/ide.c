/* The PIIX3 IDE controller: two legacy channels, their registers and PIO data
 * port, and the bus-master DMA engine that walks PRD tables. */
// SPDX-License-Identifier: MIT
#include "hw/ide.h"

#include <stdlib.h>
#include <string.h>
#include "hw/ide_internal.h"
#include "hw/log.h"
#include "mmu/physmap.h"	/* DMA reaches guest memory only through the map */

/* Absent drives read as QEMU presents them, which is what SeaBIOS and
 * Linux's libata are tested against: with no drive on a channel every
 * register reads 0; with only the other drive there, the task file reads as
 * that drive latched it (both latch every write) but status and error read
 * 0, so "status zero" and the diagnostic code tell the guest nobody is home.
 *
 * Commands run to completion when the command register (or the last word
 * of a PIO block, or the bus master's start bit) is written, so BSY is
 * never seen except while SRST is held. */

enum ide_reg {
	REG_DATA = 0, REG_ERROR_FEATURE = 1, REG_NSECT = 2, REG_LBAL = 3, REG_LBAM = 4,
	REG_LBAH = 5, REG_SELECT = 6, REG_STATUS_CMD = 7,
};

enum {
	DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80,
	SEL_DEV = 0x10, SEL_OBS = 0xa0,
};

enum {
	BM_CMD_START = 0x01, BM_CMD_TOMEM = 0x08,	/* bus master writes memory */
	BM_ST_ACTIVE = 0x01, BM_ST_ERROR = 0x02, BM_ST_INT = 0x04,
	BM_ST_DMA0 = 0x20, BM_ST_DMA1 = 0x40,		/* drive DMA capable, for the BIOS */
	PRD_EOT = 0x80000000u,
};

/* the PIIX's descriptor table may not cross a 64 KiB boundary; a table
 * that runs to one without EOT has lost its end */
#define PRD_TABLE_SPAN 0x10000u

static const uint16_t legacy_cmd_base[2] = { 0x1f0, 0x170 };
static const uint16_t legacy_ctl_base[2] = { 0x3f6, 0x376 };

/* PIIX3 function 1 registers beyond the header: IDETIM primary/secondary
 * (0x40-0x43) and SIDETIM (0x44), read/write for the BIOS and drivers */
#define PIIX_IDETIM 0x40
#define PIIX_TIMING_LEN 5

struct ide {
	struct pci_dev pci;
	struct physmap *pm;
	struct ide_channel ch[2];
};

struct physmap *ide_physmap(struct ide_drive *d)
{
	return d->ch->ide->pm;
}

static struct ide_drive *sel(struct ide_channel *ch)
{
	return &ch->drive[ch->cur];
}

static bool present(const struct ide_drive *d)
{
	return d->kind != IDE_NONE;
}

/* Device 0 says how it learned who shares the cable: bit 6 "answers for
 * an absent device 1" lets SeaBIOS skip probing device 1, bit 5 "saw
 * device 1's DASP-"; device 1 reports in the high byte. Bit 13 is the
 * 80-conductor cable. */
uint16_t ide_reset_result(const struct ide_drive *d)
{
	if (d->unit == 1)
		return 0x6000 | 0x0b00;
	return (uint16_t)(0x6000 | 0x000b |
			  (d->ch->drive[1].kind != IDE_NONE ? 0x0020 : 0x0040));
}

static bool channel_empty(const struct ide_channel *ch)
{
	return !present(&ch->drive[0]) && !present(&ch->drive[1]);
}

/* ---- interrupts ---- */

static void update_irq(struct ide_channel *ch)
{
	struct ide_drive *d = sel(ch);
	int level = present(d) && d->irq_pending && !(ch->devctl & DC_NIEN);
	/* the bus master's interrupt bit follows the INTRQ pin's rising edge */
	if (level && !ch->irq.level)
		ch->bm.status |= BM_ST_INT;
	irq_set(&ch->irq, level);
}

void ide_raise(struct ide_drive *d)
{
	d->irq_pending = true;
	update_irq(d->ch);
}

/* ---- PIO ---- */

void ide_pio_begin(struct ide_drive *d, uint32_t len, enum ide_xfer then)
{
	d->pos = 0;
	d->end = len;
	d->xfer = then;
	d->status = (uint8_t)((d->status & ~ST_BSY) | ST_DRQ);
}

void ide_pio_stop(struct ide_drive *d)
{
	d->pos = d->end = 0;
	d->xfer = XFER_NONE;
	d->status &= (uint8_t)~ST_DRQ;
}

static bool xfer_is_out(enum ide_xfer x)
{
	return x == XFER_ATA_WRITE || x == XFER_PACKET;
}

/* the guest moved the last byte of the window */
static void pio_window_done(struct ide_drive *d)
{
	enum ide_xfer x = d->xfer;
	/* the window's size stays in end for the command to see */
	d->xfer = XFER_NONE;
	d->status &= (uint8_t)~ST_DRQ;
	switch (x) {
	case XFER_ATA_READ:
	case XFER_ATA_WRITE:
		ata_pio_done(d);
		break;
	case XFER_PACKET:
		atapi_packet_received(d);
		break;
	case XFER_ATAPI_IN:
		atapi_pio_done(d);
		break;
	default:
		break;
	}
}

/* one data-port cycle: the ATA bus is 16 bits wide, so a byte access still
 * moves a word; a 32-bit access is two word cycles */
static uint32_t data_read(struct ide_drive *d, unsigned size)
{
	if (!(d->status & ST_DRQ) || d->xfer == XFER_NONE || xfer_is_out(d->xfer))
		return 0;
	unsigned width = size == 4 ? 4 : 2, n = d->end - d->pos;
	if (n > width)
		n = width;
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)d->buf[d->pos + i] << (8 * i);
	d->pos += n;
	if (d->pos >= d->end)
		pio_window_done(d);
	return v;
}

static void data_write(struct ide_drive *d, uint32_t v, unsigned size)
{
	if (!(d->status & ST_DRQ) || !xfer_is_out(d->xfer))
		return;
	unsigned width = size == 4 ? 4 : 2, n = d->end - d->pos;
	if (n > width)
		n = width;
	for (unsigned i = 0; i < n; i++)
		d->buf[d->pos + i] = (uint8_t)(v >> (8 * i));
	d->pos += n;
	if (d->pos >= d->end)
		pio_window_done(d);
}

/* ---- the task file ---- */

void ide_set_signature(struct ide_drive *d)
{
	d->nsect = 1;
	d->lbal = 1;
	if (d->kind == IDE_CD) {
		d->lbam = 0x14;
		d->lbah = 0xeb;
	} else {
		d->lbam = 0;
		d->lbah = 0;
	}
	d->select = (uint8_t)(SEL_OBS | (d->unit ? SEL_DEV : 0));
}

/* both drives latch every task-file write; the previous value moves to
 * the HOB half for 48-bit commands */
static void latch(struct ide_drive *d, enum ide_reg r, uint8_t v)
{
	uint8_t *cur, *hob;
	switch (r) {
	case REG_ERROR_FEATURE: cur = &d->feature; hob = &d->hob_feature; break;
	case REG_NSECT: cur = &d->nsect; hob = &d->hob_nsect; break;
	case REG_LBAL: cur = &d->lbal; hob = &d->hob_lbal; break;
	case REG_LBAM: cur = &d->lbam; hob = &d->hob_lbam; break;
	case REG_LBAH: cur = &d->lbah; hob = &d->hob_lbah; break;
	default: return;
	}
	*hob = *cur;
	*cur = v;
}

static void cancel(struct ide_drive *d)
{
	ide_pio_stop(d);
	d->dma = DMA_NONE;
}

static void command_write(struct ide_channel *ch, uint8_t cmd)
{
	struct ide_drive *d = sel(ch);
	/* a command to a drive that is not there goes nowhere */
	if (!present(d))
		return;
	/* a new command ends whatever the last one left half done */
	cancel(d);
	d->irq_pending = false;
	update_irq(ch);
	ata_command(d, cmd);
}

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	struct ide_drive *d = sel(ch);
	bool hob = ch->devctl & DC_HOB;

	if (off == REG_DATA)
		return present(d) ? data_read(d, size) : 0;
	if (size > 1) {
		/* a wide access to the byte registers: byte by byte */
		uint64_t v = 0;
		for (unsigned i = 0; i < size && off + i < 8; i++)
			v |= cmd_read(opaque, off + i, 1) << (8 * i);
		return v;
	}
	if (channel_empty(ch))
		return 0;
	switch ((enum ide_reg)off) {
	case REG_ERROR_FEATURE:
		return present(d) ? d->error : 0;
	case REG_NSECT:
		return hob ? d->hob_nsect : d->nsect;
	case REG_LBAL:
		return hob ? d->hob_lbal : d->lbal;
	case REG_LBAM:
		return hob ? d->hob_lbam : d->lbam;
	case REG_LBAH:
		return hob ? d->hob_lbah : d->lbah;
	case REG_SELECT:
		return d->select;
	case REG_STATUS_CMD:
		if (!present(d))
			return 0;
		/* reading status acknowledges the interrupt */
		d->irq_pending = false;
		update_irq(ch);
		return d->status;
	default:
		return 0;
	}
}

static void cmd_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct ide_channel *ch = opaque;
	if (off == REG_DATA) {
		if (present(sel(ch)))
			data_write(sel(ch), (uint32_t)v, size);
		return;
	}
	if (size > 1) {
		for (unsigned i = 0; i < size && off + i < 8; i++)
			cmd_write(opaque, off + i, v >> (8 * i), 1);
		return;
	}
	/* while SRST holds the drives busy they take no task-file writes */
	if (sel(ch)->status & ST_BSY)
		return;
	uint8_t b = (uint8_t)v;
	if (off == REG_STATUS_CMD) {
		command_write(ch, b);
		return;
	}
	/* writing any command block register drops HOB */
	ch->devctl &= (uint8_t)~DC_HOB;
	if (off == REG_SELECT) {
		ch->drive[0].select = (uint8_t)((b & ~SEL_DEV) | SEL_OBS);
		ch->drive[1].select = (uint8_t)(b | SEL_DEV | SEL_OBS);
		ch->cur = (b & SEL_DEV) ? 1 : 0;
		update_irq(ch);
		return;
	}
	latch(&ch->drive[0], (enum ide_reg)off, b);
	latch(&ch->drive[1], (enum ide_reg)off, b);
}

static const struct bus_ops cmd_ops = {
	.read = cmd_read, .write = cmd_write, .min_size = 1, .max_size = 4,
};

/* ---- device control / alternate status ---- */

static void drive_reset_begin(struct ide_drive *d)
{
	cancel(d);
	d->irq_pending = false;
	d->status = ST_BSY;
}

/* the end of SRST: the signature, diagnostics passed, settings kept */
static void drive_reset_end(struct ide_drive *d)
{
	ide_set_signature(d);
	d->error = 0x01;
	/* a packet device leaves DRDY clear until it is spoken to */
	d->status = d->kind == IDE_DISK ? ST_DRDY | ST_DSC : 0;
	d->standby = false;
}

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	struct ide_drive *d = sel(ch);
	(void)off;
	(void)size;
	if (channel_empty(ch) || !present(d))
		return 0;
	return d->status;
}

static void ctl_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct ide_channel *ch = opaque;
	uint8_t old = ch->devctl, b = (uint8_t)v;
	(void)off;
	(void)size;
	ch->devctl = b;
	if ((b & DC_SRST) && !(old & DC_SRST)) {
		for (int u = 0; u < 2; u++)
			if (present(&ch->drive[u]))
				drive_reset_begin(&ch->drive[u]);
	} else if (!(b & DC_SRST) && (old & DC_SRST)) {
		for (int u = 0; u < 2; u++)
			if (present(&ch->drive[u]))
				drive_reset_end(&ch->drive[u]);
		ch->cur = 0;
	}
	update_irq(ch);
}

static const struct bus_ops ctl_ops = {
	.read = ctl_read, .write = ctl_write, .min_size = 1, .max_size = 1,
};

/* ---- bus-master DMA ---- */

/* copy between buf and guest memory: RAM both ways, ROM reads (writes to
 * it are dropped, as the chipset drops them); anything else is a master
 * abort. Never past 4 GiB: the PIIX drives 32-bit addresses. */
static bool dma_mem(struct physmap *pm, uint32_t gpa, uint8_t *buf, uint32_t len, bool to_mem)
{
	if ((uint64_t)gpa + len > 0x100000000ull)
		return false;
	while (len) {
		const struct physmap_region *r = physmap_find(pm, gpa);
		if (!r || (r->kind != PM_RAM && r->kind != PM_ROM))
			return false;
		uint64_t n = r->gpa + r->size - gpa;
		if (n > len)
			n = len;
		uint8_t *host = r->host + (gpa - r->gpa);
		if (!to_mem) {
			memcpy(buf, host, n);
		} else if (r->kind == PM_RAM) {
			memcpy(host, buf, n);
			physmap_written(pm, gpa, n);
		}
		gpa += (uint32_t)n;
		buf += n;
		len -= (uint32_t)n;
	}
	return true;
}

/* fetch the next descriptor; false on a fault */
static bool bm_next(struct ide_channel *ch)
{
	struct ide_bm *bm = &ch->bm;
	uint8_t e[8];
	if ((bm->next & ~(PRD_TABLE_SPAN - 1)) != (bm->prd & ~(PRD_TABLE_SPAN - 1)) ||
	    !dma_mem(ch->ide->pm, bm->next, e, 8, false))
		return false;
	uint32_t addr = (uint32_t)e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;
	uint32_t cnt = (uint32_t)e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24;
	bm->next += 8;
	/* bit 0 of address and count are wired to zero; a count of 0 is 64K */
	bm->addr = addr & ~1u;
	bm->left = cnt & 0xfffe;
	if (!bm->left)
		bm->left = 0x10000;
	bm->last = cnt & PRD_EOT;
	return true;
}

enum ide_dma_result ide_dma_rw(struct ide_drive *d, uint8_t *buf, uint32_t len, bool to_mem)
{
	struct ide_channel *ch = d->ch;
	struct ide_bm *bm = &ch->bm;
	if (bm->fault)
		return DMA_FAULT;
	while (len) {
		if (!bm->left) {
			if (bm->last)
				return DMA_SHORT;
			if (!bm_next(ch)) {
				bm->fault = true;
				return DMA_FAULT;
			}
		}
		uint32_t n = bm->left < len ? bm->left : len;
		if (!dma_mem(ch->ide->pm, bm->addr, buf, n, to_mem)) {
			bm->fault = true;
			return DMA_FAULT;
		}
		bm->addr += n;
		bm->left -= n;
		buf += n;
		len -= n;
	}
	return DMA_OK;
}

static bool dma_op_to_mem(enum ide_dma_op op)
{
	return op != DMA_ATA_WRITE;
}

/* run the drive's waiting DMA command if the engine can go */
static void bm_run(struct ide_channel *ch)
{
	struct ide_bm *bm = &ch->bm;
	struct ide_drive *d = NULL;
	for (int u = 0; u < 2; u++)
		if (ch->drive[u].dma != DMA_NONE)
			d = &ch->drive[u];
	if (!d || !(bm->status & BM_ST_ACTIVE))
		return;
	/* with the direction wrong or bus mastering off the engine and the
	 * drive wait on each other: nothing moves until the guest resets */
	if (dma_op_to_mem(d->dma) != !!(bm->cmd & BM_CMD_TOMEM)) {
		log_once("ide: bus master direction does not match the DMA command");
		return;
	}
	if (!(ch->ide->pci.config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
		log_once("ide: DMA with PCI bus mastering disabled");
		return;
	}
	enum ide_dma_op op = d->dma;
	d->dma = DMA_NONE;
	if (op == DMA_ATAPI_IN)
		atapi_dma_run(d);
	else
		ata_dma_run(d);
	if (bm->fault)
		bm->status = (uint8_t)((bm->status | BM_ST_ERROR | BM_ST_INT) & ~BM_ST_ACTIVE);
	else if (bm->last && !bm->left)
		bm->status &= (uint8_t)~BM_ST_ACTIVE;
	/* else the table is longer than the transfer: active stays set */
}

void ide_dma_begin(struct ide_drive *d, enum ide_dma_op op)
{
	d->dma = op;
	d->status = ST_DRDY | ST_DSC | ST_DRQ;
	bm_run(d->ch);
}

static void bm_cmd_write(struct ide_channel *ch, uint8_t v)
{
	struct ide_bm *bm = &ch->bm;
	bool was = bm->cmd & BM_CMD_START, start = v & BM_CMD_START;
	if (start && !was) {
		bm->cmd = v & (BM_CMD_START | BM_CMD_TOMEM);
		bm->status |= BM_ST_ACTIVE;
		bm->next = bm->prd;
		bm->left = 0;
		bm->last = false;
		bm->fault = false;
		bm_run(ch);
	} else if (!start && was) {
		/* stopping aborts what is left of the table */
		bm->cmd = v & BM_CMD_TOMEM;
		bm->status &= (uint8_t)~BM_ST_ACTIVE;
	} else if (!start) {
		bm->cmd = v & BM_CMD_TOMEM;
	}
	/* the direction cannot change while the engine runs */
}

static uint8_t bm_readb(struct ide_channel *ch, unsigned off)
{
	switch (off) {
	case 0: return ch->bm.cmd;
	case 2: return ch->bm.status;
	case 4: case 5: case 6: case 7: return (uint8_t)(ch->bm.prd >> (8 * (off - 4)));
	default: return 0;
	}
}

static void bm_writeb(struct ide_channel *ch, unsigned off, uint8_t v)
{
	struct ide_bm *bm = &ch->bm;
	switch (off) {
	case 0:
		bm_cmd_write(ch, v);
		break;
	case 2:
		/* error and interrupt are write-1-to-clear; the DMA-capable
		 * bits are plain storage; active and simplex read only */
		bm->status = (uint8_t)((bm->status & ~(BM_ST_DMA0 | BM_ST_DMA1)) |
				       (v & (BM_ST_DMA0 | BM_ST_DMA1)));
		bm->status &= (uint8_t)~(v & (BM_ST_ERROR | BM_ST_INT));
		break;
	case 4: case 5: case 6: case 7: {
		unsigned sh = 8 * (off - 4);
		bm->prd = (bm->prd & ~(0xffu << sh)) | (uint32_t)v << sh;
		bm->prd &= ~3u;
		break;
	}
	default:
		break;
	}
}

static uint64_t bm_read(void *opaque, uint64_t off, unsigned size)
{
	struct ide *ide = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size && off + i < 16; i++) {
		unsigned o = (unsigned)off + i;
		v |= (uint64_t)bm_readb(&ide->ch[o >> 3], o & 7) << (8 * i);
	}
	return v;
}

static void bm_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct ide *ide = opaque;
	for (unsigned i = 0; i < size && off + i < 16; i++) {
		unsigned o = (unsigned)off + i;
		bm_writeb(&ide->ch[o >> 3], o & 7, (uint8_t)(v >> (8 * i)));
	}
}

static const struct bus_ops bm_ops = {
	.read = bm_read, .write = bm_write, .min_size = 1, .max_size = 4,
};

/* ---- device ---- */

static void drive_power_on(struct ide_drive *d)
{
	cancel(d);
	d->irq_pending = false;
	d->feature = d->hob_feature = d->hob_nsect = d->hob_lbal = 0;
	d->hob_lbam = d->hob_lbah = 0;
	d->error = 0x01;
	ide_set_signature(d);
	if (d->kind == IDE_DISK) {
		ata_power_on(d);
		d->status = ST_DRDY | ST_DSC;
	} else {
		d->status = 0;
		d->sense_key = d->asc = d->ascq = 0;
		d->tray_open = false;
		d->locked = false;
		d->unit_attention = false;
		d->media_event = 0;
		d->xfer_mode = 0x22;	/* multiword DMA 2 */
	}
}

static void ide_reset(void *opaque)
{
	struct ide *ide = opaque;
	for (int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		memset(&ch->bm, 0, sizeof(ch->bm));
		ch->devctl = 0;
		ch->cur = 0;
		for (int u = 0; u < 2; u++)
			if (present(&ch->drive[u]))
				drive_power_on(&ch->drive[u]);
		update_irq(ch);
	}
}

static void drive_save(struct snap *s, struct ide_drive *d)
{
	uint8_t kind = (uint8_t)d->kind, xfer = (uint8_t)d->xfer, dma = (uint8_t)d->dma;
	SNAP_PUT(s, kind);
	SNAP_PUT(s, d->feature); SNAP_PUT(s, d->nsect); SNAP_PUT(s, d->lbal);
	SNAP_PUT(s, d->lbam); SNAP_PUT(s, d->lbah); SNAP_PUT(s, d->select);
	SNAP_PUT(s, d->hob_feature); SNAP_PUT(s, d->hob_nsect); SNAP_PUT(s, d->hob_lbal);
	SNAP_PUT(s, d->hob_lbam); SNAP_PUT(s, d->hob_lbah);
	SNAP_PUT(s, d->status); SNAP_PUT(s, d->error); SNAP_PUT(s, d->irq_pending);
	SNAP_PUT(s, d->cur_cyls); SNAP_PUT(s, d->cur_heads); SNAP_PUT(s, d->cur_spt);
	SNAP_PUT(s, d->mult); SNAP_PUT(s, d->xfer_mode); SNAP_PUT(s, d->wcache);
	SNAP_PUT(s, d->standby);
	SNAP_PUT(s, xfer); SNAP_PUT(s, d->pos); SNAP_PUT(s, d->end); SNAP_PUT(s, dma);
	SNAP_PUT(s, d->cmd); SNAP_PUT(s, d->lba48); SNAP_PUT(s, d->lba); SNAP_PUT(s, d->left);
	SNAP_PUT(s, d->packet); SNAP_PUT(s, d->bcl); SNAP_PUT(s, d->atapi_dma); SNAP_PUT(s, d->from_disc);
	SNAP_PUT(s, d->reply_off); SNAP_PUT(s, d->sense_key); SNAP_PUT(s, d->asc);
	SNAP_PUT(s, d->ascq); SNAP_PUT(s, d->unit_attention); SNAP_PUT(s, d->media_event);
	SNAP_PUT(s, d->tray_open); SNAP_PUT(s, d->locked);
	/* the buffer matters only while a transfer holds data in it */
	if (d->xfer != XFER_NONE || d->dma != DMA_NONE)
		snap_put(s, d->buf, sizeof(d->buf));
}

static int drive_load(struct snap *s, struct ide_drive *d)
{
	struct ide_drive *t = malloc(sizeof(*t));
	if (!t)
		return -1;
	*t = *d;
	uint8_t kind, xfer, dma;
	SNAP_GET(s, kind);
	SNAP_GET(s, t->feature); SNAP_GET(s, t->nsect); SNAP_GET(s, t->lbal);
	SNAP_GET(s, t->lbam); SNAP_GET(s, t->lbah); SNAP_GET(s, t->select);
	SNAP_GET(s, t->hob_feature); SNAP_GET(s, t->hob_nsect); SNAP_GET(s, t->hob_lbal);
	SNAP_GET(s, t->hob_lbam); SNAP_GET(s, t->hob_lbah);
	SNAP_GET(s, t->status); SNAP_GET(s, t->error); SNAP_GET(s, t->irq_pending);
	SNAP_GET(s, t->cur_cyls); SNAP_GET(s, t->cur_heads); SNAP_GET(s, t->cur_spt);
	SNAP_GET(s, t->mult); SNAP_GET(s, t->xfer_mode); SNAP_GET(s, t->wcache);
	SNAP_GET(s, t->standby);
	SNAP_GET(s, xfer); SNAP_GET(s, t->pos); SNAP_GET(s, t->end); SNAP_GET(s, dma);
	SNAP_GET(s, t->cmd); SNAP_GET(s, t->lba48); SNAP_GET(s, t->lba); SNAP_GET(s, t->left);
	SNAP_GET(s, t->packet); SNAP_GET(s, t->bcl); SNAP_GET(s, t->atapi_dma); SNAP_GET(s, t->from_disc);
	SNAP_GET(s, t->reply_off); SNAP_GET(s, t->sense_key); SNAP_GET(s, t->asc);
	SNAP_GET(s, t->ascq); SNAP_GET(s, t->unit_attention); SNAP_GET(s, t->media_event);
	SNAP_GET(s, t->tray_open); SNAP_GET(s, t->locked);
	if (xfer != XFER_NONE || dma != DMA_NONE)
		snap_get(s, t->buf, sizeof(t->buf));
	/* the drives are configuration: a state for other drives is refused,
	 * and nothing in it may index outside the buffer */
	bool bad = s->error || kind != (uint8_t)d->kind || xfer > XFER_ATAPI_IN ||
		   dma > DMA_ATAPI_IN || t->end > IDE_BUF_SIZE || t->pos > t->end ||
		   t->reply_off > IDE_BUF_SIZE || t->mult > ATA_MAX_MULT;
	if (!bad) {
		t->xfer = (enum ide_xfer)xfer;
		t->dma = (enum ide_dma_op)dma;
		memcpy(d, t, sizeof(*d));
	}
	free(t);
	return bad ? -1 : 0;
}

static void ide_save(void *opaque, struct snap *s)
{
	struct ide *ide = opaque;
	snap_section_put(s, "ide", 1);
	for (int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		SNAP_PUT(s, ch->devctl);
		SNAP_PUT(s, ch->cur);
		SNAP_PUT(s, ch->bm.cmd); SNAP_PUT(s, ch->bm.status); SNAP_PUT(s, ch->bm.prd);
		SNAP_PUT(s, ch->bm.next); SNAP_PUT(s, ch->bm.addr); SNAP_PUT(s, ch->bm.left);
		SNAP_PUT(s, ch->bm.last); SNAP_PUT(s, ch->bm.fault);
		for (int u = 0; u < 2; u++)
			drive_save(s, &ch->drive[u]);
	}
}

static int ide_load(void *opaque, struct snap *s)
{
	struct ide *ide = opaque;
	snap_section_get(s, "ide", 1);
	for (int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		SNAP_GET(s, ch->devctl);
		SNAP_GET(s, ch->cur);
		SNAP_GET(s, ch->bm.cmd); SNAP_GET(s, ch->bm.status); SNAP_GET(s, ch->bm.prd);
		SNAP_GET(s, ch->bm.next); SNAP_GET(s, ch->bm.addr); SNAP_GET(s, ch->bm.left);
		SNAP_GET(s, ch->bm.last); SNAP_GET(s, ch->bm.fault);
		ch->cur &= 1;
		for (int u = 0; u < 2; u++)
			if (s->error || drive_load(s, &ch->drive[u]))
				return -1;
		update_irq(ch);
	}
	return s->error ? -1 : 0;
}

struct ide *ide_new(struct pci_bus *pci, struct bus *io, struct physmap *pm, struct device *dev)
{
	struct ide *ide = calloc(1, sizeof(*ide));
	if (!ide) {
		log_error("ide: out of memory");
		return NULL;
	}
	ide->pm = pm;
	for (int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		ch->ide = ide;
		ch->index = c;
		for (int u = 0; u < 2; u++) {
			ch->drive[u].ch = ch;
			ch->drive[u].unit = u;
		}
		if (bus_register(io, legacy_cmd_base[c], 8, &cmd_ops, ch, "ide") ||
		    bus_register(io, legacy_ctl_base[c], 1, &ctl_ops, ch, "ide")) {
			free(ide);
			return NULL;
		}
	}
	struct pci_dev *p = &ide->pci;
	pci_config_init(p, 0x8086, 0x7010, 0x00, 0x010180, 0);
	p->config[PCI_STATUS] = 0x80;		/* fast back-to-back */
	p->config[PCI_STATUS + 1] = 0x02;	/* DEVSEL medium */
	memset(&p->wmask[PIIX_IDETIM], 0xff, PIIX_TIMING_LEN);
	pci_bar_io(p, 4, 16, &bm_ops, ide);
	p->opaque = ide;
	if (pci_register(pci, p, IDE_PIIX3_DEVFN, "piix3-ide")) {
		free(ide);
		return NULL;
	}
	ide_reset(ide);
	if (dev) {
		dev->name = "ide";
		dev->opaque = ide;
		dev->reset = ide_reset;
		dev->save = ide_save;
		dev->load = ide_load;
	}
	return ide;
}

void ide_free(struct ide *ide)
{
	free(ide);
}

int ide_attach(struct ide *ide, int channel, int unit, struct blockdev *bd, bool cdrom)
{
	if (channel < 0 || channel > 1 || unit < 0 || unit > 1) {
		log_error("ide: no position %d:%d (channels 0-1, units 0-1)", channel, unit);
		return -1;
	}
	struct ide_drive *d = &ide->ch[channel].drive[unit];
	if (present(d)) {
		log_error("ide: position %d:%d is taken", channel, unit);
		return -1;
	}
	if (!cdrom && !bd) {
		log_error("ide: a disk at %d:%d needs an image", channel, unit);
		return -1;
	}
	d->kind = cdrom ? IDE_CD : IDE_DISK;
	d->bd = bd;
	drive_power_on(d);
	update_irq(&ide->ch[channel]);
	return 0;
}

struct irq_line *ide_irq(struct ide *ide, int channel)
{
	return &ide->ch[channel & 1].irq;
}

struct blockdev *ide_cd_change(struct ide *ide, int channel, int unit, struct blockdev *bd)
{
	struct ide_drive *d = &ide->ch[channel & 1].drive[unit & 1];
	if (d->kind != IDE_CD) {
		log_error("ide: no CD drive at %d:%d", channel & 1, unit & 1);
		return bd;
	}
	struct blockdev *old = d->bd;
	d->bd = bd;
	/* an interrupted read must not continue on the other disc */
	if (d->xfer == XFER_ATAPI_IN || d->dma == DMA_ATAPI_IN)
		cancel(d);
	atapi_media_changed(d);
	return old;
}
