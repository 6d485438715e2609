/* The ATA command set: what a disk (and, for the few commands it shares, an
 * ATAPI drive) does with a byte written to the command register. */
// SPDX-License-Identifier: MIT
#include "hw/ide_internal.h"

#include <string.h>
#include "hw/log.h"

#define SECTOR 512u
#define DMA_CHUNK_SECTORS (IDE_BUF_SIZE / SECTOR)
#define LBA28_MAX 0x0fffffffull

struct ata_cmd;
typedef void ata_fn(struct ide_drive *d, const struct ata_cmd *c);

enum {
	F_DISK = 1 << 0,	/* a disk takes it */
	F_CD = 1 << 1,		/* an ATAPI drive takes it */
	F_CD_SIG = 1 << 2,	/* an ATAPI drive aborts it with its signature */
	F_LBA48 = 1 << 3,
	F_MULT = 1 << 4,	/* blocks of the SET MULTIPLE size */
	F_DMA = 1 << 5,
	F_WRITE = 1 << 6,
};

struct ata_cmd {
	ata_fn *fn;
	uint8_t flags;
};

static const struct ata_cmd ata_cmds[256];

static uint64_t disk_sectors(const struct ide_drive *d)
{
	return d->bd ? blockdev_size(d->bd) / SECTOR : 0;
}

/* ---- completion ---- */

static void ata_ok(struct ide_drive *d)
{
	d->status = ST_DRDY | ST_DSC;
	ide_raise(d);
}

static void ata_fail(struct ide_drive *d, uint8_t err)
{
	d->status = ST_DRDY | ST_DSC | ST_ERR;
	d->error = err;
	ide_raise(d);
}

static void ata_abort(struct ide_drive *d)
{
	ata_fail(d, ER_ABRT);
}

/* ---- geometry and addresses ---- */

/* The translation old OSes see: 16 heads and 63 sectors per track, as many
 * cylinders as fit (at most 16383, the ATA limit for words 1/54); tiny
 * images get fewer heads and sectors so they still have a cylinder. */
static void default_geometry(struct ide_drive *d)
{
	uint64_t total = disk_sectors(d);
	uint16_t heads = 16, spt = 63;
	if (total < (uint64_t)heads * spt) {
		heads = 1;
		spt = total < 63 ? (uint16_t)total : 63;
	}
	uint64_t cyls = total / ((uint64_t)heads * spt);
	if (cyls > 16383)
		cyls = 16383;
	d->cyls = (uint16_t)cyls;
	d->heads = heads;
	d->spt = spt;
	d->cur_cyls = d->cyls;
	d->cur_heads = heads;
	d->cur_spt = spt;
}

void ata_power_on(struct ide_drive *d)
{
	default_geometry(d);
	d->mult = 0;
	d->xfer_mode = 0x22;	/* multiword DMA 2: what the PIIX3 runs */
	d->wcache = true;
	d->standby = false;
}

static uint32_t ata_count(const struct ide_drive *d, bool lba48)
{
	if (lba48) {
		uint32_t n = (uint32_t)d->hob_nsect << 8 | d->nsect;
		return n ? n : 65536;
	}
	return d->nsect ? d->nsect : 256;
}

/* the addressed sector, or false for a CHS address outside the geometry */
static bool ata_lba(const struct ide_drive *d, bool lba48, uint64_t *lba)
{
	if (lba48) {
		*lba = (uint64_t)d->hob_lbah << 40 | (uint64_t)d->hob_lbam << 32 |
		       (uint64_t)d->hob_lbal << 24 | (uint64_t)d->lbah << 16 |
		       (uint64_t)d->lbam << 8 | d->lbal;
		return true;
	}
	if (d->select & 0x40) {
		*lba = (uint64_t)(d->select & 0x0f) << 24 | (uint64_t)d->lbah << 16 |
		       (uint64_t)d->lbam << 8 | d->lbal;
		return true;
	}
	unsigned cyl = (unsigned)d->lbah << 8 | d->lbam, head = d->select & 0x0f, sec = d->lbal;
	if (!d->cur_spt || sec < 1 || sec > d->cur_spt || head >= d->cur_heads)
		return false;
	*lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + sec - 1;
	return true;
}

/* leave the address of the next sector in the task file */
static void ata_set_lba(struct ide_drive *d, bool lba48, uint64_t lba)
{
	if (lba48) {
		d->lbal = (uint8_t)lba;
		d->lbam = (uint8_t)(lba >> 8);
		d->lbah = (uint8_t)(lba >> 16);
		d->hob_lbal = (uint8_t)(lba >> 24);
		d->hob_lbam = (uint8_t)(lba >> 32);
		d->hob_lbah = (uint8_t)(lba >> 40);
	} else if (d->select & 0x40) {
		d->lbal = (uint8_t)lba;
		d->lbam = (uint8_t)(lba >> 8);
		d->lbah = (uint8_t)(lba >> 16);
		d->select = (uint8_t)((d->select & 0xf0) | ((lba >> 24) & 0x0f));
	} else if (d->cur_spt && d->cur_heads) {
		uint64_t track = lba / d->cur_spt, cyl = track / d->cur_heads;
		d->lbal = (uint8_t)(lba % d->cur_spt + 1);
		d->select = (uint8_t)((d->select & 0xf0) | (track % d->cur_heads));
		d->lbam = (uint8_t)cyl;
		d->lbah = (uint8_t)(cyl >> 8);
	}
}

/* the address and count of a media-access command; false (after an IDNF
 * error) when any of it lies outside the disk */
static bool ata_range(struct ide_drive *d, bool lba48, uint64_t *lba, uint32_t *count)
{
	*count = ata_count(d, lba48);
	if (!ata_lba(d, lba48, lba) || *lba >= disk_sectors(d) ||
	    *count > disk_sectors(d) - *lba) {
		ata_fail(d, ER_IDNF);
		return false;
	}
	return true;
}

/* ---- IDENTIFY DEVICE ---- */

static void ata_identify(struct ide_drive *d, uint16_t *w)
{
	uint64_t total = disk_sectors(d);
	uint64_t lba28 = total < LBA28_MAX ? total : LBA28_MAX;
	uint32_t cur_cap = (uint32_t)d->cur_cyls * d->cur_heads * d->cur_spt;
	char serial[21];

	memset(w, 0, 512);
	w[0] = 0x0040;				/* fixed disk */
	w[1] = d->cyls;
	w[3] = d->heads;
	w[6] = d->spt;
	snprintf(serial, sizeof(serial), "TV%d%d0000000000000001", d->ch->index, d->unit);
	ide_id_string(&w[10], serial, 10);
	w[20] = 3;				/* dual-ported buffer with cache */
	w[21] = 512;				/* buffer size in sectors */
	w[22] = 4;				/* ECC bytes for READ LONG */
	ide_id_string(&w[23], "1.0", 4);
	ide_id_string(&w[27], "TRIVISOR HARDDISK", 20);
	w[47] = 0x8000 | ATA_MAX_MULT;
	w[49] = 1 << 11 | 1 << 10 | 1 << 9 | 1 << 8;	/* IORDY, LBA, DMA */
	w[50] = 0x4000;
	w[51] = 0x200;				/* PIO mode 2 timing */
	w[52] = 0x200;
	w[53] = 1 << 0 | 1 << 1 | 1 << 2;	/* words 54-58, 64-70, 88 valid */
	w[54] = d->cur_cyls;
	w[55] = d->cur_heads;
	w[56] = d->cur_spt;
	w[57] = (uint16_t)cur_cap;
	w[58] = (uint16_t)(cur_cap >> 16);
	if (d->mult)
		w[59] = 0x100 | d->mult;
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[63] = 0x07;				/* multiword DMA 0-2 */
	if ((d->xfer_mode & 0xf8) == 0x20)
		w[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
	w[64] = 0x03;				/* PIO 3 and 4 */
	w[65] = 120;
	w[66] = 120;
	w[67] = 120;
	w[68] = 120;
	w[80] = 0x7e;				/* ATA-1 to ATA-6 */
	w[82] = 1 << 14 | 1 << 6 | 1 << 5;	/* NOP, look-ahead, write cache */
	w[83] = 1 << 14 | 1 << 13 | 1 << 12 | 1 << 10;	/* FLUSH EXT, FLUSH, LBA48 */
	w[84] = 1 << 14;
	w[85] = (uint16_t)(1 << 14 | 1 << 6 | (d->wcache ? 1 << 5 : 0));
	w[86] = 1 << 13 | 1 << 12 | 1 << 10;
	w[87] = 1 << 14;
	w[88] = 0x3f;				/* UDMA 0-5 */
	if ((d->xfer_mode & 0xf8) == 0x40)
		w[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
	w[93] = ide_reset_result(d);
	w[100] = (uint16_t)total;
	w[101] = (uint16_t)(total >> 16);
	w[102] = (uint16_t)(total >> 32);
	w[103] = (uint16_t)(total >> 48);
}

static void put_words(struct ide_drive *d, const uint16_t *w)
{
	for (int i = 0; i < 256; i++) {
		d->buf[2 * i] = (uint8_t)w[i];
		d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
}

static void cmd_identify(struct ide_drive *d, const struct ata_cmd *c)
{
	uint16_t w[256];
	(void)c;
	ata_identify(d, w);
	put_words(d, w);
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, 512, XFER_LAST);
	ide_raise(d);
}

static void cmd_identify_packet(struct ide_drive *d, const struct ata_cmd *c)
{
	uint16_t w[256];
	(void)c;
	atapi_identify(d, w);
	put_words(d, w);
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, 512, XFER_LAST);
	ide_raise(d);
}

/* ---- reads and writes ---- */

static uint32_t block_sectors(const struct ide_drive *d)
{
	return (ata_cmds[d->cmd].flags & F_MULT) ? d->mult : 1;
}

static void write_done(struct ide_drive *d)
{
	/* with the write cache off the data is on the host disk before the
	 * drive reports the write done */
	if (!d->wcache && blockdev_flush(d->bd)) {
		ata_fail(d, ER_ABRT);
		return;
	}
	ata_ok(d);
}

static void read_block(struct ide_drive *d)
{
	uint32_t n = block_sectors(d);
	if (n > d->left)
		n = d->left;
	if (blockdev_read(d->bd, d->lba * SECTOR, d->buf, n * SECTOR)) {
		ata_set_lba(d, d->lba48, d->lba);
		ata_fail(d, ER_UNC);
		return;
	}
	d->lba += n;
	d->left -= n;
	ata_set_lba(d, d->lba48, d->lba);
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, n * SECTOR, XFER_ATA_READ);
	ide_raise(d);
}

static void ask_block(struct ide_drive *d)
{
	uint32_t n = block_sectors(d);
	if (n > d->left)
		n = d->left;
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, n * SECTOR, XFER_ATA_WRITE);
}

static void cmd_rw(struct ide_drive *d, const struct ata_cmd *c)
{
	bool lba48 = c->flags & F_LBA48, write = c->flags & F_WRITE;
	uint64_t lba;
	uint32_t count;
	if ((c->flags & F_MULT) && !d->mult) {
		ata_abort(d);
		return;
	}
	if (write && blockdev_readonly(d->bd)) {
		ata_abort(d);
		return;
	}
	if (!ata_range(d, lba48, &lba, &count))
		return;
	d->standby = false;
	d->lba48 = lba48;
	d->lba = lba;
	d->left = count;
	if (c->flags & F_DMA)
		ide_dma_begin(d, write ? DMA_ATA_WRITE : DMA_ATA_READ);
	else if (write)
		ask_block(d);	/* the first block comes without an interrupt */
	else
		read_block(d);
}

void ata_pio_done(struct ide_drive *d)
{
	if (!(ata_cmds[d->cmd].flags & F_WRITE)) {
		if (d->left)
			read_block(d);
		else
			d->status = ST_DRDY | ST_DSC;
		return;
	}
	uint32_t n = d->end / SECTOR;
	if (blockdev_write(d->bd, d->lba * SECTOR, d->buf, n * SECTOR)) {
		ata_set_lba(d, d->lba48, d->lba);
		ata_fail(d, ER_ABRT);
		return;
	}
	d->lba += n;
	d->left -= n;
	ata_set_lba(d, d->lba48, d->lba);
	if (!d->left) {
		write_done(d);
		return;
	}
	ask_block(d);
	ide_raise(d);
}

void ata_dma_run(struct ide_drive *d)
{
	bool write = ata_cmds[d->cmd].flags & F_WRITE;
	while (d->left) {
		uint32_t n = d->left < DMA_CHUNK_SECTORS ? d->left : DMA_CHUNK_SECTORS;
		enum ide_dma_result r = DMA_OK;
		if (!write) {
			if (blockdev_read(d->bd, d->lba * SECTOR, d->buf, n * SECTOR)) {
				ata_set_lba(d, d->lba48, d->lba);
				ata_fail(d, ER_UNC);
				return;
			}
			r = ide_dma_rw(d, d->buf, n * SECTOR, true);
		} else {
			r = ide_dma_rw(d, d->buf, n * SECTOR, false);
			if (r == DMA_OK && blockdev_write(d->bd, d->lba * SECTOR, d->buf, n * SECTOR)) {
				ata_set_lba(d, d->lba48, d->lba);
				ata_fail(d, ER_ABRT);
				return;
			}
		}
		if (r == DMA_FAULT) {
			ata_set_lba(d, d->lba48, d->lba);
			ata_abort(d);
			return;
		}
		if (r == DMA_SHORT) {
			/* the table ran out before the data: the drive is left
			 * waiting and raises no interrupt (SFF-8038i's
			 * "PRD smaller than the transfer") */
			ata_set_lba(d, d->lba48, d->lba);
			d->status = ST_DRDY | ST_DSC;
			return;
		}
		d->lba += n;
		d->left -= n;
	}
	ata_set_lba(d, d->lba48, d->lba);
	if (write)
		write_done(d);
	else
		ata_ok(d);
}

static void cmd_verify(struct ide_drive *d, const struct ata_cmd *c)
{
	uint64_t lba;
	uint32_t count;
	if (!ata_range(d, c->flags & F_LBA48, &lba, &count))
		return;
	d->standby = false;
	ata_ok(d);
}

static void cmd_seek(struct ide_drive *d, const struct ata_cmd *c)
{
	uint64_t lba;
	(void)c;
	if (!ata_lba(d, false, &lba) || lba >= disk_sectors(d)) {
		ata_fail(d, ER_IDNF);
		return;
	}
	d->standby = false;
	ata_ok(d);
}

/* ---- settings ---- */

static void cmd_set_multiple(struct ide_drive *d, const struct ata_cmd *c)
{
	unsigned n = d->nsect;
	(void)c;
	/* a power of two up to the block size word 47 promises; 0 turns
	 * multiple mode off */
	if (n > ATA_MAX_MULT || (n & (n - 1))) {
		ata_abort(d);
		return;
	}
	d->mult = (uint8_t)n;
	ata_ok(d);
}

static void cmd_init_params(struct ide_drive *d, const struct ata_cmd *c)
{
	unsigned heads = (d->select & 0x0f) + 1u, spt = d->nsect;
	(void)c;
	if (!spt) {
		ata_abort(d);
		return;
	}
	uint64_t cyls = disk_sectors(d) / (heads * spt);
	d->cur_heads = (uint16_t)heads;
	d->cur_spt = (uint16_t)spt;
	d->cur_cyls = (uint16_t)(cyls > 65535 ? 65535 : cyls);
	ata_ok(d);
}

static bool xfer_mode_valid(uint8_t v)
{
	switch (v & 0xf8) {
	case 0x00: return v <= 0x01;		/* PIO default */
	case 0x08: return (v & 7) <= 4;		/* PIO 0-4 */
	case 0x20: return (v & 7) <= 2;		/* multiword DMA 0-2 */
	case 0x40: return (v & 7) <= 5;		/* UDMA 0-5 */
	default: return false;
	}
}

static void cmd_set_features(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	switch (d->feature) {
	case 0x03:
		if (!xfer_mode_valid(d->nsect))
			break;
		/* a PIO mode leaves the DMA mode selected as it was */
		if (d->nsect & 0x60)
			d->xfer_mode = d->nsect;
		ata_ok(d);
		return;
	case 0x02:
	case 0x82:
		if (d->kind != IDE_DISK)
			break;
		d->wcache = d->feature == 0x02;
		/* turning the cache off puts what it held on the disk */
		if (!d->wcache && blockdev_flush(d->bd)) {
			ata_fail(d, ER_ABRT);
			return;
		}
		ata_ok(d);
		return;
	case 0x55: case 0xaa:	/* read look-ahead off/on */
	case 0x66: case 0xcc:	/* keep/revert settings across reset */
		ata_ok(d);
		return;
	default:
		log_once("ide: SET FEATURES subcommand 0x%02x not supported", d->feature);
		break;
	}
	ata_abort(d);
}

/* ---- power, diagnostics, resets ---- */

static void cmd_power(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	d->standby = d->cmd == 0xe0 || d->cmd == 0xe2;
	ata_ok(d);
}

static void cmd_check_power(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	d->nsect = d->standby ? 0x00 : 0xff;
	ata_ok(d);
}

static void cmd_flush(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	if (d->kind == IDE_DISK && blockdev_flush(d->bd)) {
		ata_fail(d, ER_ABRT);
		return;
	}
	ata_ok(d);
}

static void reset_drive(struct ide_drive *d)
{
	ide_set_signature(d);
	d->error = 0x01;
	d->status = d->kind == IDE_DISK ? ST_DRDY | ST_DSC : 0;
}

static void cmd_diagnostic(struct ide_drive *d, const struct ata_cmd *c)
{
	struct ide_channel *ch = d->ch;
	(void)c;
	/* both drives run it; device 0 reports for the pair and signals */
	for (int u = 0; u < 2; u++)
		if (ch->drive[u].kind != IDE_NONE)
			reset_drive(&ch->drive[u]);
	ch->cur = 0;
	if (d->kind == IDE_DISK)
		d->status = ST_DRDY | ST_DSC;
	ide_raise(ch->drive[0].kind != IDE_NONE ? &ch->drive[0] : d);
}

static void cmd_device_reset(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	reset_drive(d);
}

static void cmd_packet(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	atapi_packet_start(d);
}

static void cmd_recalibrate(struct ide_drive *d, const struct ata_cmd *c)
{
	(void)c;
	d->standby = false;
	ata_ok(d);
}

/* ---- the table ---- */

#define RW(fl) { cmd_rw, F_DISK | F_CD_SIG | (fl) }

static const struct ata_cmd ata_cmds[256] = {
	[0x08] = { cmd_device_reset, F_CD },
	[0x10 ... 0x1f] = { cmd_recalibrate, F_DISK },
	[0x20] = RW(0),					/* READ SECTOR(S) */
	[0x21] = RW(0),					/* ... without retries */
	[0x24] = RW(F_LBA48),				/* READ SECTOR(S) EXT */
	[0x25] = RW(F_LBA48 | F_DMA),			/* READ DMA EXT */
	[0x29] = RW(F_LBA48 | F_MULT),			/* READ MULTIPLE EXT */
	[0x30] = RW(F_WRITE),				/* WRITE SECTOR(S) */
	[0x31] = RW(F_WRITE),
	[0x34] = RW(F_WRITE | F_LBA48),			/* WRITE SECTOR(S) EXT */
	[0x35] = RW(F_WRITE | F_LBA48 | F_DMA),		/* WRITE DMA EXT */
	[0x39] = RW(F_WRITE | F_LBA48 | F_MULT),	/* WRITE MULTIPLE EXT */
	[0x40] = { cmd_verify, F_DISK },		/* READ VERIFY SECTOR(S) */
	[0x41] = { cmd_verify, F_DISK },
	[0x42] = { cmd_verify, F_DISK | F_LBA48 },	/* READ VERIFY SECTOR(S) EXT */
	[0x70 ... 0x7f] = { cmd_seek, F_DISK },
	[0x90] = { cmd_diagnostic, F_DISK | F_CD },	/* EXECUTE DEVICE DIAGNOSTIC */
	[0x91] = { cmd_init_params, F_DISK },		/* INITIALIZE DEVICE PARAMETERS */
	[0xa0] = { cmd_packet, F_CD },			/* PACKET */
	[0xa1] = { cmd_identify_packet, F_CD },		/* IDENTIFY PACKET DEVICE */
	[0xc4] = RW(F_MULT),				/* READ MULTIPLE */
	[0xc5] = RW(F_WRITE | F_MULT),			/* WRITE MULTIPLE */
	[0xc6] = { cmd_set_multiple, F_DISK },		/* SET MULTIPLE MODE */
	[0xc8] = RW(F_DMA),				/* READ DMA */
	[0xc9] = RW(F_DMA),
	[0xca] = RW(F_WRITE | F_DMA),			/* WRITE DMA */
	[0xcb] = RW(F_WRITE | F_DMA),
	[0xe0] = { cmd_power, F_DISK | F_CD },		/* STANDBY IMMEDIATE */
	[0xe1] = { cmd_power, F_DISK | F_CD },		/* IDLE IMMEDIATE */
	[0xe2] = { cmd_power, F_DISK | F_CD },		/* STANDBY */
	[0xe3] = { cmd_power, F_DISK | F_CD },		/* IDLE */
	[0xe5] = { cmd_check_power, F_DISK | F_CD },	/* CHECK POWER MODE */
	[0xe7] = { cmd_flush, F_DISK | F_CD },		/* FLUSH CACHE */
	[0xea] = { cmd_flush, F_DISK },			/* FLUSH CACHE EXT */
	[0xec] = { cmd_identify, F_DISK | F_CD_SIG },	/* IDENTIFY DEVICE */
	[0xef] = { cmd_set_features, F_DISK | F_CD },	/* SET FEATURES */
};

void ata_command(struct ide_drive *d, uint8_t cmd)
{
	const struct ata_cmd *c = &ata_cmds[cmd];
	d->cmd = cmd;
	d->error = 0;
	if (d->kind == IDE_CD && (c->flags & F_CD_SIG)) {
		/* how a packet device tells a driver probing with ATA
		 * commands what it is (ATA-4 8.27.5.2 and friends) */
		ide_set_signature(d);
		ata_abort(d);
		return;
	}
	if (!c->fn || !(c->flags & (d->kind == IDE_CD ? F_CD : F_DISK))) {
		if (!c->fn)
			log_once("ide: unknown ATA command 0x%02x", cmd);
		ata_abort(d);
		return;
	}
	c->fn(d, c);
}
