/* ATAPI packet commands for a CD-ROM drive (MMC subset, SFF-8020 transport):
 * the 12-byte packet, its data phase by PIO or DMA, and the sense it leaves. */
// SPDX-License-Identifier: MIT
#include "hw/ide_internal.h"

#include <stdio.h>
#include <string.h>
#include "hw/log.h"

#define CD_BLOCK 2048u

enum sense_key {
	SK_NO_SENSE = 0x0, SK_NOT_READY = 0x2, SK_MEDIUM_ERROR = 0x3,
	SK_ILLEGAL_REQUEST = 0x5, SK_UNIT_ATTENTION = 0x6, SK_ABORTED = 0xb,
};

enum asc {
	ASC_READ_ERROR = 0x11, ASC_INVALID_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21,
	ASC_INVALID_FIELD = 0x24, ASC_MEDIUM_CHANGED = 0x28, ASC_SAVING_UNSUPPORTED = 0x39,
	ASC_NO_MEDIUM = 0x3a, ASC_REMOVAL_PREVENTED = 0x53, ASC_WRONG_MODE = 0x64,
};

/* GESN media event codes */
enum { MEC_NONE = 0, MEC_EJECT_REQUEST = 1, MEC_NEW_MEDIA = 2, MEC_MEDIA_REMOVAL = 3 };

enum { ALLOW_UA = 1 << 0, CHECK_READY = 1 << 1 };

struct atapi_cmd {
	void (*fn)(struct ide_drive *d, const uint8_t *p);
	uint8_t flags;
};

/* ---- helpers ---- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put_be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* a space-padded SCSI string */
static void put_str(uint8_t *p, const char *s, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		p[i] = *s ? (uint8_t)*s++ : ' ';
}

static bool medium(const struct ide_drive *d)
{
	return d->bd && !d->tray_open;
}

static uint32_t disc_blocks(const struct ide_drive *d)
{
	uint64_t n = d->bd ? blockdev_size(d->bd) / CD_BLOCK : 0;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* a TOC address: MSF counts from the 2-second pregap, LBA as is */
static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
	if (!msf) {
		put_be32(p, lba);
		return;
	}
	uint32_t f = lba + 150;
	p[0] = 0;
	p[1] = (uint8_t)(f / 75 / 60);
	p[2] = (uint8_t)(f / 75 % 60);
	p[3] = (uint8_t)(f % 75);
}

/* ---- completion ---- */

static void set_reason(struct ide_drive *d, uint8_t reason)
{
	d->nsect = (uint8_t)((d->nsect & ~7) | reason);
}

static void atapi_ok(struct ide_drive *d)
{
	d->sense_key = d->asc = d->ascq = 0;
	d->error = 0;
	d->status = ST_DRDY | ST_DSC;
	set_reason(d, IR_IO | IR_COD);
	ide_raise(d);
}

/* CHECK CONDITION: the sense key also goes in the error register's high
 * nibble, for drivers that look there first */
static void atapi_check(struct ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
	d->sense_key = key;
	d->asc = asc;
	d->ascq = ascq;
	d->error = (uint8_t)(key << 4 | ER_ABRT);
	d->status = ST_DRDY | ST_ERR;
	set_reason(d, IR_IO | IR_COD);
	ide_raise(d);
}

static void invalid_field(struct ide_drive *d)
{
	atapi_check(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
}

/* ---- data phase ---- */

/* the next DRQ block of the data-in phase, or the completion */
static void next_block(struct ide_drive *d)
{
	if (!d->left) {
		atapi_ok(d);
		return;
	}
	/* the host's byte count limit; a block short of the end is even */
	uint32_t limit = d->bcl;
	if (limit == 0 || limit == 0xffff)
		limit = 0xfffe;
	uint32_t size = d->left < limit ? (uint32_t)d->left : limit & ~1u;
	if (d->from_disc) {
		if (blockdev_read(d->bd, d->lba, d->buf, size)) {
			atapi_check(d, SK_MEDIUM_ERROR, ASC_READ_ERROR, 0);
			return;
		}
		d->lba += size;
	} else {
		/* replies sit in buf; slide the unsent part to the front */
		if (d->reply_off)
			memmove(d->buf, d->buf + d->reply_off, (size_t)d->left);
		d->reply_off = size;
	}
	d->left -= size;
	d->lbam = (uint8_t)size;
	d->lbah = (uint8_t)(size >> 8);
	set_reason(d, IR_IO);
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, size, XFER_ATAPI_IN);
	ide_raise(d);
}

static void start_data(struct ide_drive *d)
{
	if (d->atapi_dma)
		ide_dma_begin(d, DMA_ATAPI_IN);
	else
		next_block(d);
}

/* send the len-byte reply now in buf, cut to the allocation length */
static void reply(struct ide_drive *d, uint32_t len, uint32_t alloc)
{
	d->from_disc = false;
	d->reply_off = 0;
	d->left = len < alloc ? len : alloc;
	start_data(d);
}

static void read_blocks(struct ide_drive *d, uint32_t lba, uint32_t n)
{
	if ((uint64_t)lba + n > disc_blocks(d)) {
		atapi_check(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
		return;
	}
	if (!n) {
		atapi_ok(d);
		return;
	}
	d->from_disc = true;
	d->lba = (uint64_t)lba * CD_BLOCK;
	d->left = (uint64_t)n * CD_BLOCK;
	start_data(d);
}

void atapi_pio_done(struct ide_drive *d)
{
	next_block(d);
}

void atapi_dma_run(struct ide_drive *d)
{
	while (d->left) {
		uint32_t n = d->left < IDE_BUF_SIZE ? (uint32_t)d->left : IDE_BUF_SIZE;
		uint8_t *src = d->buf + d->reply_off;
		if (d->from_disc) {
			if (blockdev_read(d->bd, d->lba, d->buf, n)) {
				atapi_check(d, SK_MEDIUM_ERROR, ASC_READ_ERROR, 0);
				return;
			}
			src = d->buf;
			d->lba += n;
		}
		enum ide_dma_result r = ide_dma_rw(d, src, n, true);
		if (r == DMA_FAULT) {
			atapi_check(d, SK_ABORTED, 0, 0);
			return;
		}
		if (r == DMA_SHORT) {
			/* the PRD table is shorter than the data: the drive
			 * waits, with no interrupt */
			d->status = ST_DRDY | ST_DSC;
			return;
		}
		d->reply_off += d->from_disc ? 0 : n;
		d->left -= n;
	}
	atapi_ok(d);
}

/* ---- IDENTIFY PACKET DEVICE ---- */

void atapi_identify(struct ide_drive *d, uint16_t *w)
{
	char serial[21];
	memset(w, 0, 512);
	/* ATAPI, CD-ROM, removable, DRQ within 50us of PACKET, 12-byte packets */
	w[0] = 0x8000 | 0x0500 | 0x0080 | 0x0040;
	snprintf(serial, sizeof(serial), "TV%d%d0000000000000002", d->ch->index, d->unit);
	ide_id_string(&w[10], serial, 10);
	ide_id_string(&w[23], "1.0", 4);
	ide_id_string(&w[27], "TRIVISOR CD-ROM", 20);
	w[49] = 1 << 9 | 1 << 8;		/* LBA, DMA */
	w[53] = 1 << 1 | 1 << 2;		/* words 64-70 and 88 valid */
	w[63] = 0x07;
	if ((d->xfer_mode & 0xf8) == 0x20)
		w[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
	w[64] = 0x03;
	w[65] = 0xb4;
	w[66] = 0xb4;
	w[67] = 0x12c;
	w[68] = 0xb4;
	w[71] = 30;
	w[72] = 30;
	w[80] = 0x1e;				/* ATA/ATAPI-1 to -4 */
	w[88] = 0x3f;
	if ((d->xfer_mode & 0xf8) == 0x40)
		w[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
	w[93] = ide_reset_result(d);
}

/* ---- the commands ---- */

static void cmd_test_unit_ready(struct ide_drive *d, const uint8_t *p)
{
	(void)p;
	atapi_ok(d);
}

static void cmd_request_sense(struct ide_drive *d, const uint8_t *p)
{
	uint8_t key = d->sense_key, asc = d->asc, ascq = d->ascq;
	/* with nothing latched, the drive reports its present condition */
	if (d->unit_attention) {
		d->unit_attention = false;
		key = SK_UNIT_ATTENTION;
		asc = ASC_MEDIUM_CHANGED;
		ascq = 0;
	} else if (key == SK_NO_SENSE && !medium(d)) {
		key = SK_NOT_READY;
		asc = ASC_NO_MEDIUM;
		ascq = 0;
	}
	uint8_t *b = d->buf;
	memset(b, 0, 18);
	b[0] = 0xf0;		/* valid, current error */
	b[2] = key;
	b[7] = 10;		/* additional sense length */
	b[12] = asc;
	b[13] = ascq;
	reply(d, 18, p[4]);
}

static void cmd_inquiry(struct ide_drive *d, const uint8_t *p)
{
	if (p[1] & 1) {		/* vital product data pages: none */
		invalid_field(d);
		return;
	}
	uint8_t *b = d->buf;
	memset(b, 0, 36);
	b[0] = 0x05;		/* CD/DVD device */
	b[1] = 0x80;		/* removable */
	b[3] = 0x21;		/* ATAPI, response data format 1 */
	b[4] = 31;
	put_str(b + 8, "TRIVISOR", 8);
	put_str(b + 16, "CD-ROM", 16);
	put_str(b + 32, "1.0", 4);
	reply(d, 36, be16(p + 3));
}

static void cmd_start_stop(struct ide_drive *d, const uint8_t *p)
{
	bool start = p[4] & 1, loej = p[4] & 2;
	/* a power-condition change moves no tray */
	if (loej && !(p[4] & 0xf0)) {
		if (!start && d->locked) {
			atapi_check(d, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 2);
			return;
		}
		if (!start && !d->tray_open) {
			d->tray_open = true;
			d->media_event = MEC_MEDIA_REMOVAL;
		} else if (start && d->tray_open) {
			d->tray_open = false;
			if (d->bd) {
				d->media_event = MEC_NEW_MEDIA;
				d->unit_attention = true;
			}
		}
	}
	atapi_ok(d);
}

static void cmd_prevent_allow(struct ide_drive *d, const uint8_t *p)
{
	d->locked = p[4] & 1;
	atapi_ok(d);
}

static void cmd_read_capacity(struct ide_drive *d, const uint8_t *p)
{
	(void)p;
	put_be32(d->buf, disc_blocks(d) - 1);
	put_be32(d->buf + 4, CD_BLOCK);
	reply(d, 8, 8);
}

static void cmd_read10(struct ide_drive *d, const uint8_t *p)
{
	read_blocks(d, be32(p + 2), be16(p + 7));
}

static void cmd_read12(struct ide_drive *d, const uint8_t *p)
{
	read_blocks(d, be32(p + 2), be32(p + 6));
}

static void cmd_read_cd(struct ide_drive *d, const uint8_t *p)
{
	unsigned type = (p[1] >> 2) & 7;
	uint32_t n = (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	/* one data track of mode 1 sectors: any type or mode 1 matches */
	if (type != 0 && type != 2) {
		atapi_check(d, SK_ILLEGAL_REQUEST, ASC_WRONG_MODE, 0);
		return;
	}
	if (p[10] & 7) {
		log_once("ide: READ CD with sub-channel data not supported");
		invalid_field(d);
		return;
	}
	switch (p[9] & 0xf8) {
	case 0x00:		/* no fields asked for: nothing to send */
		if ((uint64_t)be32(p + 2) + n > disc_blocks(d))
			atapi_check(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
		else
			atapi_ok(d);
		return;
	case 0x10:		/* user data only */
		read_blocks(d, be32(p + 2), n);
		return;
	default:
		log_once("ide: READ CD of raw sector fields not supported");
		invalid_field(d);
		return;
	}
}

static void cmd_seek(struct ide_drive *d, const uint8_t *p)
{
	if (be32(p + 2) >= disc_blocks(d))
		atapi_check(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
	else
		atapi_ok(d);
}

/* one data track starting at LBA 0, the lead-out after the last block */
static void cmd_read_toc(struct ide_drive *d, const uint8_t *p)
{
	bool msf = p[1] & 2;
	unsigned format = p[2] & 0x0f, start = p[6];
	uint8_t *b = d->buf;
	uint32_t len;
	if (!format)
		format = p[9] >> 6;	/* where SFF-8020 put it */
	memset(b, 0, 64);
	switch (format) {
	case 0: {			/* the TOC */
		if (start > 1 && start != 0xaa) {
			invalid_field(d);
			return;
		}
		uint8_t *q = b + 4;
		if (start <= 1) {
			q[1] = 0x14;	/* ADR 1, data track */
			q[2] = 1;
			put_addr(q + 4, 0, msf);
			q += 8;
		}
		q[1] = 0x14;
		q[2] = 0xaa;
		put_addr(q + 4, disc_blocks(d), msf);
		q += 8;
		len = (uint32_t)(q - b);
		break;
	}
	case 1:				/* sessions: the first track of the last one */
		b[5] = 0x14;
		b[6] = 1;
		put_addr(b + 8, 0, msf);
		len = 12;
		break;
	case 2: {			/* full TOC: A0, A1, A2 and track 1, in MSF */
		static const uint8_t points[4] = { 0xa0, 0xa1, 0xa2, 0x01 };
		for (int i = 0; i < 4; i++) {
			uint8_t *q = b + 4 + 11 * i;
			q[0] = 1;	/* session */
			q[1] = 0x14;
			q[3] = points[i];
			if (points[i] == 0xa0 || points[i] == 0xa1)
				q[8] = 1;	/* first/last track; disc type 0 */
			else
				put_addr(q + 7, points[i] == 0xa2 ? disc_blocks(d) : 0, true);
		}
		len = 4 + 4 * 11;
		break;
	}
	default:
		invalid_field(d);
		return;
	}
	put_be16(b, len - 2);
	b[2] = 1;
	b[3] = 1;
	reply(d, len, be16(p + 7));
}

/* GET CONFIGURATION: one profile (CD-ROM) and the features a read-only
 * drive with a tray has */
static uint32_t put_feature(struct ide_drive *d, uint8_t *q, uint16_t code)
{
	bool cur = medium(d);
	put_be16(q, code);
	switch (code) {
	case 0x0000:			/* profile list */
		q[2] = 0x03;
		q[3] = 4;
		put_be16(q + 4, 0x0008);
		q[6] = cur;
		return 8;
	case 0x0001:			/* core: ATAPI */
		q[2] = 0x0b;
		q[3] = 8;
		put_be32(q + 4, 2);
		q[8] = 1;
		return 12;
	case 0x0002:			/* morphing */
		q[2] = 0x07;
		q[3] = 4;
		return 8;
	case 0x0003:			/* removable medium: tray, eject, lock */
		q[2] = 0x03;
		q[3] = 4;
		q[4] = (uint8_t)(0x20 | 0x08 | 0x01 | (d->locked ? 0x04 : 0));
		return 8;
	case 0x0010:			/* random readable */
		q[2] = cur;
		q[3] = 8;
		put_be32(q + 4, CD_BLOCK);
		put_be16(q + 8, 1);
		return 12;
	case 0x001e:			/* CD read */
		q[2] = (uint8_t)(0x08 | cur);
		q[3] = 4;
		return 8;
	}
	return 0;
}

static void cmd_get_configuration(struct ide_drive *d, const uint8_t *p)
{
	static const uint16_t features[] = { 0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001e };
	unsigned rt = p[1] & 3;
	uint16_t first = be16(p + 2);
	uint8_t *b = d->buf;
	if (rt == 3) {
		invalid_field(d);
		return;
	}
	memset(b, 0, 128);
	uint32_t len = 8;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		uint16_t f = features[i];
		if (rt == 2 ? f != first : f < first)
			continue;
		uint32_t n = put_feature(d, b + len, f);
		if (rt == 1 && !(b[len + 2] & 1))
			continue;		/* only current ones */
		len += n;
	}
	put_be32(b, len - 4);
	put_be16(b + 6, medium(d) ? 0x0008 : 0);
	reply(d, len, be16(p + 7));
}

static void cmd_gesn(struct ide_drive *d, const uint8_t *p)
{
	uint8_t *b = d->buf;
	if (!(p[1] & 1)) {		/* only polled operation */
		invalid_field(d);
		return;
	}
	memset(b, 0, 8);
	b[3] = 0x10;			/* supported: media class */
	uint32_t len = 4;
	if (p[4] & 0x10) {
		b[2] = 4;		/* media class */
		b[4] = d->media_event;
		b[5] = (uint8_t)((d->tray_open ? 1 : 0) | (medium(d) ? 2 : 0));
		d->media_event = MEC_NONE;
		len = 8;
	} else {
		b[2] = 0x80;		/* no event available */
	}
	put_be16(b, len - 2);
	reply(d, len, be16(p + 7));
}

static void cmd_read_disc_info(struct ide_drive *d, const uint8_t *p)
{
	uint8_t *b = d->buf;
	if (p[1] & 7) {			/* types 1/2 are for other media */
		invalid_field(d);
		return;
	}
	memset(b, 0, 34);
	put_be16(b, 32);
	b[2] = 0x0e;			/* complete disc, complete last session */
	b[3] = 1;			/* first track */
	b[4] = 1;			/* sessions */
	b[5] = 1;			/* first and last track of the last session */
	b[6] = 1;
	b[7] = 0x20;			/* unrestricted use */
	put_be32(b + 16, 0xffffffff);	/* no next session */
	put_be32(b + 20, 0xffffffff);
	reply(d, 34, be16(p + 7));
}

/* mode pages; changeable values are all zero: nothing can be changed */
static uint32_t put_mode_page(struct ide_drive *d, uint8_t *q, unsigned page, bool changeable)
{
	switch (page) {
	case 0x01:			/* read error recovery */
		memset(q, 0, 8);
		q[0] = 0x01;
		q[1] = 6;
		if (!changeable)
			q[3] = 5;	/* read retry count */
		return 8;
	case 0x2a:			/* capabilities and mechanical status */
		memset(q, 0, 22);
		q[0] = 0x2a;
		q[1] = 20;
		if (changeable)
			return 22;
		q[2] = 0x03;		/* reads CD-R, CD-RW */
		q[4] = 0x71;		/* audio play, mode 2 forms 1/2, multisession */
		q[5] = 0x60;
		q[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0));	/* tray, eject, lock */
		put_be16(q + 8, 706);	/* 4x, KB/s */
		put_be16(q + 10, 2);	/* volume levels */
		put_be16(q + 12, 512);	/* buffer KB */
		put_be16(q + 14, 706);
		return 22;
	}
	return 0;
}

static void cmd_mode_sense10(struct ide_drive *d, const uint8_t *p)
{
	unsigned pc = p[2] >> 6, page = p[2] & 0x3f;
	uint8_t *b = d->buf;
	if (pc == 3) {
		atapi_check(d, SK_ILLEGAL_REQUEST, ASC_SAVING_UNSUPPORTED, 0);
		return;
	}
	memset(b, 0, 8);
	/* medium type: 70h door closed, no disc; 71h door open */
	b[2] = d->tray_open ? 0x71 : medium(d) ? 0x01 : 0x70;
	uint32_t len = 8;
	if (page == 0x3f) {
		len += put_mode_page(d, b + len, 0x01, pc == 1);
		len += put_mode_page(d, b + len, 0x2a, pc == 1);
	} else {
		uint32_t n = put_mode_page(d, b + len, page, pc == 1);
		if (!n) {
			invalid_field(d);
			return;
		}
		len += n;
	}
	put_be16(b, len - 2);
	reply(d, len, be16(p + 7));
}

static void cmd_set_speed(struct ide_drive *d, const uint8_t *p)
{
	(void)p;
	atapi_ok(d);
}

static void cmd_mechanism_status(struct ide_drive *d, const uint8_t *p)
{
	uint8_t *b = d->buf;
	memset(b, 0, 8);
	b[1] = d->tray_open ? 0x10 : 0;	/* door open */
	reply(d, 8, be16(p + 8));
}

static const struct atapi_cmd atapi_cmds[256] = {
	[0x00] = { cmd_test_unit_ready, CHECK_READY },
	[0x03] = { cmd_request_sense, ALLOW_UA },
	[0x12] = { cmd_inquiry, ALLOW_UA },
	[0x1b] = { cmd_start_stop, 0 },
	[0x1e] = { cmd_prevent_allow, 0 },
	[0x25] = { cmd_read_capacity, CHECK_READY },
	[0x28] = { cmd_read10, CHECK_READY },
	[0x2b] = { cmd_seek, CHECK_READY },
	[0x43] = { cmd_read_toc, CHECK_READY },
	[0x46] = { cmd_get_configuration, ALLOW_UA },
	[0x4a] = { cmd_gesn, ALLOW_UA },
	[0x51] = { cmd_read_disc_info, CHECK_READY },
	[0x5a] = { cmd_mode_sense10, 0 },
	[0xa8] = { cmd_read12, CHECK_READY },
	[0xbb] = { cmd_set_speed, 0 },
	[0xbd] = { cmd_mechanism_status, 0 },
	[0xbe] = { cmd_read_cd, CHECK_READY },
};

/* ---- PACKET ---- */

void atapi_packet_start(struct ide_drive *d)
{
	d->bcl = (uint16_t)(d->lbam | d->lbah << 8);
	d->atapi_dma = d->feature & 1;
	set_reason(d, IR_COD);
	d->status = ST_DRDY | ST_DSC;
	ide_pio_begin(d, 12, XFER_PACKET);
}

void atapi_packet_received(struct ide_drive *d)
{
	memcpy(d->packet, d->buf, sizeof(d->packet));
	const uint8_t *p = d->packet;
	const struct atapi_cmd *c = &atapi_cmds[p[0]];
	if (d->unit_attention && !(c->flags & ALLOW_UA)) {
		d->unit_attention = false;
		atapi_check(d, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
		return;
	}
	if ((c->flags & CHECK_READY) && !medium(d)) {
		atapi_check(d, SK_NOT_READY, ASC_NO_MEDIUM, 0);
		return;
	}
	if (!c->fn) {
		log_once("ide: unknown ATAPI command 0x%02x", p[0]);
		atapi_check(d, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
		return;
	}
	c->fn(d, p);
}

void atapi_media_changed(struct ide_drive *d)
{
	d->sense_key = d->asc = d->ascq = 0;
	if (d->bd) {
		d->tray_open = false;
		d->unit_attention = true;
		d->media_event = MEC_NEW_MEDIA;
	} else {
		d->unit_attention = false;
		d->media_event = MEC_MEDIA_REMOVAL;
	}
}
