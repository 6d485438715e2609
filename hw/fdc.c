/* The Intel 82077AA floppy disk controller and its drives. */
// SPDX-License-Identifier: MIT
#include "hw/fdc.h"

#include <stdlib.h>
#include <string.h>
#include "hw/blockdev.h"
#include "hw/dma8237.h"
#include "hw/log.h"

/* What is not modelled: rotation and step timing (commands finish after a
 * short fixed delay), the data rate (a mismatch between the DSR/CCR rate and
 * the medium never fails a command), overrun and underrun (the host is never
 * too slow), gaps, CRCs and deleted data marks (images hold none).
 * A drive with no disk answers MA (missing address mark) at once rather than
 * hanging for want of index pulses, as QEMU does. */

#define PORT_FDC 0x3f0
#define SECTOR 512
#define SECTOR_N 2		/* size code of a 512-byte sector */
#define NDRIVES 4		/* drive selects; only 0 and 1 can hold a drive */
#define NREAL 2
#define RECAL_STEPS 79		/* RECALIBRATE gives up after this many steps */

#define CMD_DELAY_NS 20000LL	/* command to execution / result interrupt */
#define SEEK_DELAY_NS 100000LL
#define RESET_DELAY_NS 10000LL

enum fdc_reg { R_SRA, R_SRB, R_DOR, R_TDR, R_MSR_DSR, R_FIFO, R_IDE, R_DIR_CCR };

enum {
	SRA_NDRV2 = 0x40, SRA_INTPEND = 0x80,
	SRB_MOT0 = 0x01, SRB_MOT1 = 0x02, SRB_DS0 = 0x20, SRB_ONES = 0xc0,

	DOR_SEL = 0x03, DOR_NRESET = 0x04, DOR_DMAGATE = 0x08, DOR_MOT0 = 0x10,
	DOR_MOT1 = 0x20,

	DSR_RATE = 0x03, DSR_PWRDOWN = 0x40, DSR_SWRESET = 0x80,

	MSR_BUSY_DRV = 0x0f, MSR_CB = 0x10, MSR_NDMA = 0x20, MSR_DIO = 0x40,
	MSR_RQM = 0x80,

	DIR_DSKCHG = 0x80,

	ST0_HD = 0x04, ST0_EC = 0x10, ST0_SE = 0x20, ST0_ABNORMAL = 0x40,
	ST0_INVALID = 0x80, ST0_POLL = 0xc0,
	ST1_MA = 0x01, ST1_NW = 0x02, ST1_ND = 0x04, ST1_OR = 0x10, ST1_DE = 0x20,
	ST1_EN = 0x80,
	ST2_BC = 0x02, ST2_WC = 0x10,
	ST3_HD = 0x04, ST3_TS = 0x08, ST3_T0 = 0x10, ST3_RY = 0x20, ST3_WP = 0x40,

	CMD_MT = 0x80, CMD_SK = 0x20, CMD_RSEEK_IN = 0x40, CMD_LOCK = 0x80,

	CFG_EIS = 0x40, CFG_EFIFO = 0x20, CFG_POLL = 0x10, CFG_FIFOTHR = 0x0f,
	CFG_DEFAULT = CFG_EFIFO,

	SPEC_ND = 0x01,
};

enum phase { PH_COMMAND, PH_EXEC, PH_RESULT };

/* what the execution phase is doing */
enum xop { X_NONE, X_READ, X_WRITE, X_VERIFY, X_READ_TRACK, X_FORMAT, X_READ_ID };

/* what the one controller timer fires for */
enum pending { P_NONE, P_RESET, P_EXEC };

struct media_format {
	uint32_t size;
	uint8_t heads, tracks, spt;
	uint8_t cmos;		/* the drive it needs */
};

static const struct media_format formats[] = {
	{ 163840, 1, 40, 8, 1 },	/* 160K */
	{ 184320, 1, 40, 9, 1 },	/* 180K */
	{ 327680, 2, 40, 8, 1 },	/* 320K */
	{ 368640, 2, 40, 9, 1 },	/* 360K */
	{ 737280, 2, 80, 9, 3 },	/* 720K */
	{ 1228800, 2, 80, 15, 2 },	/* 1.2M */
	{ 1474560, 2, 80, 18, 4 },	/* 1.44M */
	{ 1720320, 2, 80, 21, 4 },	/* 1.68M DMF */
	{ 2949120, 2, 80, 36, 5 },	/* 2.88M */
};

struct fd_drive {
	struct blockdev *bd;
	uint8_t heads, tracks, spt;	/* the medium; 0 with no disk */
	bool ro;
};

/* drive state the guest can see and that is saved */
struct fd_pos {
	uint8_t cyl;		/* where the head physically is */
	uint8_t sect;		/* last sector ID that passed (READ ID) */
	uint8_t changed;	/* disk-change line */
	uint8_t kind;		/* CMOS type of the drive, 0 none */
};

struct fdc_state {
	uint8_t dor, tdr, dsr;
	uint8_t phase;
	uint8_t cmd[10], ncmd, cmdlen;
	uint8_t res[10], nres, respos;
	uint8_t pcn[NDRIVES];		/* the controller's idea of each cylinder */
	uint8_t seek_st0[NDRIVES];	/* status for SENSE INTERRUPT, per drive */
	uint8_t seek_pending;		/* a seek finished: status waiting */
	uint8_t seeking;		/* a seek in progress: MSR DxB */
	uint8_t poll_left;		/* post-reset polling statuses left */
	uint8_t result_int;		/* INT for a result phase */
	uint8_t pio_int;		/* INT for non-DMA data transfer */
	uint8_t spec1, spec2;		/* SPECIFY bytes */
	uint8_t config, pretrk, lock, perp;
	uint8_t last_eot;		/* DUMPREG's SC/EOT */
	uint8_t pending;		/* timer action */
	int64_t deadline;
	int64_t seek_deadline[NDRIVES];

	/* execution phase */
	uint8_t xop, xdrive, hds, mt, sk;
	uint8_t c, h, r, n, eot, sc, fill;
	uint8_t st0, st1, st2;
	uint8_t count;			/* sectors done (format, read track) */
	uint8_t dma;			/* this transfer uses DMA */
	uint8_t loaded;			/* buf holds the sector located for DMA */
	uint16_t pos;			/* PIO byte position in buf */
	uint8_t buf[SECTOR];
	uint32_t lba;
	struct fd_pos drv[NREAL];
};

struct fdc {
	struct dma8237 *dma;
	struct vclock *clk;
	struct irq_line irq;
	struct timer timer;
	struct timer seek_timer[NDRIVES];
	struct fd_drive drive[NREAL];
	struct fdc_state s;
};


static void fdc_dreq(struct fdc *f, bool level)
{
	if (f->dma)
		dma8237_dreq(f->dma, FDC_DMA_CHANNEL, level);
}

/* ---- interrupt ---- */

static bool fdc_int(const struct fdc *f)
{
	const struct fdc_state *s = &f->s;
	return s->poll_left || s->seek_pending || s->result_int || s->pio_int;
}

/* in AT mode the DMA gate also gates INT */
static void fdc_update_irq(struct fdc *f)
{
	irq_set(&f->irq, fdc_int(f) && (f->s.dor & DOR_DMAGATE));
}

/* ---- drives ---- */

static bool drive_present(const struct fdc *f, unsigned d)
{
	return d < NREAL && f->s.drv[d].kind;
}

static struct fd_drive *media(struct fdc *f, unsigned d)
{
	if (d >= NREAL || !f->drive[d].bd)
		return NULL;
	return &f->drive[d];
}

/* the last cylinder the head can reach: a few past the drive's tracks,
 * where the mechanical stop is */
static unsigned drive_max_cyl(const struct fdc *f, unsigned d)
{
	return f->s.drv[d].kind == 1 ? 41 : 82;
}

/* the cylinder under the head of the drive the command selected */
static uint8_t head_cyl(const struct fdc *f)
{
	return f->s.xdrive < NREAL ? f->s.drv[f->s.xdrive].cyl : 0;
}

/* step the head of drive d by delta; steps clear the disk-change line when
 * a disk is in */
static void drive_step(struct fdc *f, unsigned d, int delta)
{
	if (!drive_present(f, d) || delta == 0)
		return;
	struct fd_pos *p = &f->s.drv[d];
	int cyl = p->cyl + delta;
	if (cyl < 0)
		cyl = 0;
	if (cyl > (int)drive_max_cyl(f, d))
		cyl = (int)drive_max_cyl(f, d);
	p->cyl = (uint8_t)cyl;
	if (media(f, d))
		p->changed = 0;
}

/* ---- phases ---- */

static void to_command(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	s->phase = PH_COMMAND;
	s->ncmd = 0;
	s->cmdlen = 0;
	s->xop = X_NONE;
	s->pio_int = 0;
	fdc_dreq(f, false);
}

static void to_result(struct fdc *f, const uint8_t *res, unsigned n, bool interrupt)
{
	struct fdc_state *s = &f->s;
	s->xop = X_NONE;
	/* the last data byte took INT down; the result raises it anew */
	s->pio_int = 0;
	fdc_update_irq(f);
	fdc_dreq(f, false);
	memcpy(s->res, res, n);
	s->nres = (uint8_t)n;
	s->respos = 0;
	s->phase = PH_RESULT;
	if (interrupt)
		s->result_int = 1;
	fdc_update_irq(f);
}

static uint8_t st0_of(const struct fdc_state *s, uint8_t ic)
{
	return (uint8_t)(ic | (s->hds ? ST0_HD : 0) | s->xdrive);
}

/* the seven-byte result of a data command */
static void finish(struct fdc *f, uint8_t ic, uint8_t st1, uint8_t st2)
{
	struct fdc_state *s = &f->s;
	uint8_t res[7] = {
		(uint8_t)(st0_of(s, ic) | s->st0), (uint8_t)(s->st1 | st1), (uint8_t)(s->st2 | st2),
		s->c, s->h, s->r, s->n,
	};
	to_result(f, res, 7, true);
}

/* the ID after the last sector moved, as the 82077AA reports it */
static void next_id(struct fdc_state *s)
{
	if (s->r != s->eot) {
		s->r++;
		return;
	}
	s->r = 1;
	if (!s->mt) {
		s->c++;
	} else {
		if (s->hds)
			s->c++;
		s->h ^= 1;
	}
}

/* ---- sectors ---- */

/* find sector r of the track under drive xdrive's head hds, checking its ID
 * against c/h/n; 0 and the lba, or -1 after finishing with the error */
static int locate(struct fdc *f, uint8_t c, uint8_t h, uint8_t r, uint8_t n)
{
	struct fdc_state *s = &f->s;
	struct fd_drive *m = media(f, s->xdrive);
	uint8_t cyl = head_cyl(f);
	if (!m || !drive_present(f, s->xdrive) || cyl >= m->tracks || s->hds >= m->heads) {
		/* no formatted track under the head: no ID at all */
		finish(f, ST0_ABNORMAL, ST1_MA, 0);
		return -1;
	}
	/* every sector ID on our media is (cyl, head, 1..spt, 2) */
	if (c != cyl) {
		finish(f, ST0_ABNORMAL, ST1_ND, c == 0xff ? ST2_BC : ST2_WC);
		return -1;
	}
	if (h != s->hds || n != SECTOR_N || r == 0 || r > m->spt) {
		finish(f, ST0_ABNORMAL, ST1_ND, 0);
		return -1;
	}
	s->lba = ((uint32_t)cyl * m->heads + s->hds) * m->spt + r - 1;
	return 0;
}

/* the current sector between the image and the data-phase buffer: 0, or
 * -1 after ending the command with a data error */
static int sector_io(struct fdc *f, bool write)
{
	struct fd_drive *m = media(f, f->s.xdrive);
	uint64_t off = (uint64_t)f->s.lba * SECTOR;
	if (!m || (write ? blockdev_write(m->bd, off, f->s.buf, SECTOR)
			 : blockdev_read(m->bd, off, f->s.buf, SECTOR))) {
		finish(f, ST0_ABNORMAL, ST1_DE, 0);
		return -1;
	}
	return 0;
}

/* get the sector at the current ID ready for the data phase:
 * 0, or -1 when the command has finished */
static int sector_begin(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	if (s->xop == X_READ_TRACK) {
		/* sectors are taken in track order; an ID that differs from
		 * the one asked for is noted, not fatal */
		struct fd_drive *m = media(f, s->xdrive);
		uint8_t phys = (uint8_t)(s->count + 1);
		uint8_t cyl = head_cyl(f);
		if (!m || cyl >= m->tracks || s->hds >= m->heads) {
			finish(f, ST0_ABNORMAL, ST1_MA, 0);
			return -1;
		}
		if (phys > m->spt) {
			/* the index hole came round again */
			finish(f, ST0_ABNORMAL, ST1_EN, 0);
			return -1;
		}
		if (s->c != cyl || s->h != s->hds || s->r != phys || s->n != SECTOR_N)
			s->st1 |= ST1_ND;
		s->lba = ((uint32_t)cyl * m->heads + s->hds) * m->spt + phys - 1;
		return sector_io(f, false);
	}
	if (locate(f, s->c, s->h, s->r, s->n))
		return -1;
	if (s->xop == X_WRITE) {
		/* the old contents stand in for bytes the host never sends
		 * (a DMA channel programmed the wrong way) */
		return sector_io(f, false);
	}
	if (s->xop == X_READ)
		return sector_io(f, false);
	return 0;
}

/* a sector's data has moved (tc: the host said stop); finish it and step to
 * the next. true while the command goes on. */
static bool sector_end(struct fdc *f, bool tc)
{
	struct fdc_state *s = &f->s;
	if (s->xop == X_WRITE && sector_io(f, true))
		return false;
	s->count++;
	if (s->xop == X_VERIFY && s->sc && s->count >= s->sc) {
		/* EC=1: SC sectors verified */
		next_id(s);
		finish(f, 0, 0, 0);
		return false;
	}
	if (tc) {
		next_id(s);
		finish(f, 0, 0, 0);
		return false;
	}
	/* READ TRACK counts EOT sectors from the index; the others stop at
	 * the sector numbered EOT */
	if (s->xop == X_READ_TRACK ? s->count >= s->eot : s->r == s->eot) {
		if (s->xop != X_READ_TRACK && s->mt && !s->hds) {
			s->hds = 1;
			s->h ^= 1;
			s->r = 1;
			return true;
		}
		next_id(s);
		/* without TC the controller runs off the end of the track;
		 * VERIFY with EC=0 ends here normally */
		if (s->xop == X_VERIFY)
			finish(f, 0, 0, 0);
		else
			finish(f, ST0_ABNORMAL, ST1_EN, 0);
		return false;
	}
	s->r++;
	return true;
}

/* FORMAT: one sector's ID (C, H, R, N) has come from the host */
static bool format_sector(struct fdc *f, const uint8_t id[4])
{
	struct fdc_state *s = &f->s;
	struct fd_drive *m = media(f, s->xdrive);
	uint8_t cyl = head_cyl(f);
	s->c = id[0];
	s->h = id[1];
	s->r = id[2];
	s->n = id[3];
	if (!m || cyl >= m->tracks || s->hds >= m->heads) {
		log_once("fdc: FORMAT TRACK of a track the image does not have");
		finish(f, ST0_ABNORMAL, ST1_ND, 0);
		return false;
	}
	if (id[0] == cyl && id[1] == s->hds && id[2] >= 1 && id[2] <= m->spt &&
	    id[3] == SECTOR_N) {
		memset(s->buf, s->fill, SECTOR);
		s->lba = ((uint32_t)cyl * m->heads + s->hds) * m->spt + id[2] - 1;
		if (sector_io(f, true))
			return false;
	} else {
		/* a raw image holds only the standard layout */
		log_once("fdc: FORMAT TRACK sector ID the image cannot hold ignored");
	}
	s->count++;
	if (s->count >= s->sc) {
		finish(f, 0, 0, 0);
		return false;
	}
	return true;
}

/* ---- DMA execution ---- */

static void dma_update(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	bool want = s->phase == PH_EXEC && s->dma && s->xop != X_NONE && s->xop != X_READ_ID &&
		    s->pending != P_EXEC && (s->dor & DOR_DMAGATE);
	fdc_dreq(f, want);
}

/* the DMA controller grants the channel: run the whole execution phase */
static void fdc_dma_run(void *opaque)
{
	struct fdc *f = opaque;
	struct fdc_state *s = &f->s;
	while (s->phase == PH_EXEC && s->dma && (s->dor & DOR_DMAGATE)) {
		bool tc = false;
		size_t n;
		if (s->xop == X_FORMAT) {
			uint8_t id[4] = { 0, 0, 0, 0 };
			n = dma8237_transfer(f->dma, FDC_DMA_CHANNEL, id, 4, &tc);
			if (n < 4 && !tc)
				return;		/* the channel went away: DREQ stays */
			if (!format_sector(f, id))
				return;
			if (tc) {
				finish(f, 0, 0, 0);
				return;
			}
			continue;
		}
		if (!s->loaded && sector_begin(f))
			return;
		s->loaded = 0;
		n = dma8237_transfer(f->dma, FDC_DMA_CHANNEL, s->buf, SECTOR, &tc);
		if (n < SECTOR && !tc) {
			/* masked half-way: the 82077AA would overrun */
			finish(f, ST0_ABNORMAL, ST1_OR, 0);
			return;
		}
		if (n < SECTOR && s->xop == X_WRITE)
			memset(s->buf + n, 0, SECTOR - n);	/* TC mid-sector: zero fill */
		if (!sector_end(f, tc))
			return;
	}
}

/* ---- PIO execution ---- */

static void pio_begin_sector(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	s->pos = 0;
	if (s->xop == X_FORMAT)
		return;
	if (sector_begin(f))
		return;
	s->pio_int = 1;
	fdc_update_irq(f);
}

/* in non-DMA mode INT asks for each byte: the access takes it down, the
 * next byte's readiness raises it again (an edge per byte) */
static void pio_ack(struct fdc *f)
{
	f->s.pio_int = 0;
	fdc_update_irq(f);
}

static void pio_next(struct fdc *f)
{
	f->s.pio_int = 1;
	fdc_update_irq(f);
}

static uint8_t pio_read(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	uint8_t v = s->buf[s->pos++];
	pio_ack(f);
	if (s->pos >= SECTOR) {
		s->pos = 0;
		if (sector_end(f, false))
			pio_begin_sector(f);
	} else {
		pio_next(f);
	}
	return v;
}

static void pio_write(struct fdc *f, uint8_t v)
{
	struct fdc_state *s = &f->s;
	if (s->xop == X_FORMAT) {
		s->buf[s->pos++] = v;
		pio_ack(f);
		if (s->pos == 4) {
			uint8_t id[4];
			memcpy(id, s->buf, 4);
			s->pos = 0;
			if (!format_sector(f, id))
				return;
		}
		pio_next(f);
		return;
	}
	s->buf[s->pos++] = v;
	pio_ack(f);
	if (s->pos >= SECTOR) {
		s->pos = 0;
		if (sector_end(f, false))
			pio_begin_sector(f);
	} else {
		pio_next(f);
	}
}

/* the delay after the command bytes is over: the data phase begins */
static void fdc_exec_start(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	if (s->xop == X_READ_ID) {
		struct fd_drive *m = media(f, s->xdrive);
		struct fd_pos *p = &s->drv[s->xdrive < NREAL ? s->xdrive : 0];
		if (!m || !drive_present(f, s->xdrive) || p->cyl >= m->tracks || s->hds >= m->heads) {
			finish(f, ST0_ABNORMAL, ST1_MA, 0);
			return;
		}
		/* the disk turns under the head: the next ID each time */
		p->sect = (uint8_t)(p->sect % m->spt + 1);
		s->c = p->cyl;
		s->h = s->hds;
		s->r = p->sect;
		s->n = SECTOR_N;
		finish(f, 0, 0, 0);
		return;
	}
	if ((s->xop == X_WRITE || s->xop == X_FORMAT) && media(f, s->xdrive) &&
	    media(f, s->xdrive)->ro) {
		finish(f, ST0_ABNORMAL, ST1_NW, 0);
		return;
	}
	if (s->xop == X_VERIFY) {
		/* no data moves, so no DMA either */
		while (s->phase == PH_EXEC && !sector_begin(f) && sector_end(f, false))
			;
		return;
	}
	if (s->dma) {
		/* the ID is found before the data asks for DMA: a missing
		 * sector fails whatever the DMA channel is doing */
		if (s->xop != X_FORMAT) {
			if (sector_begin(f))
				return;
			s->loaded = 1;
		}
		dma_update(f);		/* DREQ: runs now if the channel is ready */
		return;
	}
	pio_begin_sector(f);
	if (s->xop == X_FORMAT) {
		s->pio_int = 1;
		fdc_update_irq(f);
	}
}

/* ---- commands ---- */

/* drive and head from a command's second byte */
static void select_from(struct fdc *f, uint8_t b)
{
	struct fdc_state *s = &f->s;
	s->xdrive = b & 3;
	s->hds = (b >> 2) & 1;
}

static void begin_exec(struct fdc *f, enum xop op)
{
	struct fdc_state *s = &f->s;
	s->xop = op;
	s->st0 = s->st1 = s->st2 = 0;
	s->count = 0;
	s->pos = 0;
	s->loaded = 0;
	s->dma = !(s->spec2 & SPEC_ND) && op != X_VERIFY;
	s->phase = PH_EXEC;
	s->pending = P_EXEC;
	s->deadline = clock_ns(f->clk) + CMD_DELAY_NS;
	timer_mod(&f->timer, s->deadline);
}

static void implied_seek(struct fdc *f, uint8_t c)
{
	struct fdc_state *s = &f->s;
	if (!(s->config & CFG_EIS) || s->xdrive >= NREAL || s->pcn[s->xdrive] == c)
		return;
	drive_step(f, s->xdrive, (int)c - s->pcn[s->xdrive]);
	s->pcn[s->xdrive] = c;
	s->st0 |= ST0_SE;
}

static void cmd_rw(struct fdc *f, enum xop op)
{
	struct fdc_state *s = &f->s;
	const uint8_t *b = s->cmd;
	select_from(f, b[1]);
	s->mt = (b[0] & CMD_MT) && op != X_READ_TRACK;
	s->sk = !!(b[0] & CMD_SK);
	s->c = b[2];
	s->h = b[3];
	s->r = b[4];
	s->n = b[5];
	s->eot = b[6];
	s->last_eot = b[6];
	/* VERIFY's EC bit turns the DTL byte into a sector count */
	s->sc = (op == X_VERIFY && (b[1] & 0x80)) ? b[8] : 0;
	begin_exec(f, op);
	implied_seek(f, s->c);
}

static void cmd_read(struct fdc *f) { cmd_rw(f, X_READ); }
static void cmd_write(struct fdc *f) { cmd_rw(f, X_WRITE); }
static void cmd_verify(struct fdc *f) { cmd_rw(f, X_VERIFY); }
static void cmd_read_track(struct fdc *f) { cmd_rw(f, X_READ_TRACK); }

static void cmd_read_id(struct fdc *f)
{
	select_from(f, f->s.cmd[1]);
	begin_exec(f, X_READ_ID);
}

static void cmd_format(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	select_from(f, s->cmd[1]);
	s->n = s->cmd[2];
	s->sc = s->cmd[3];
	s->fill = s->cmd[5];
	s->last_eot = s->sc;
	s->c = s->pcn[s->xdrive];
	s->h = s->hds;
	s->r = 1;
	s->mt = 0;
	if (s->sc == 0) {
		log_once("fdc: FORMAT TRACK of zero sectors");
		s->sc = 1;
	}
	begin_exec(f, X_FORMAT);
}

static void cmd_specify(struct fdc *f)
{
	f->s.spec1 = f->s.cmd[1];
	f->s.spec2 = f->s.cmd[2];
	to_command(f);
}

static void cmd_sense_drive(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	unsigned d = s->cmd[1] & 3;
	uint8_t st3 = (uint8_t)(ST3_RY | ST3_TS | (s->cmd[1] & 7));
	struct fd_drive *m = media(f, d);
	if (m && m->ro)
		st3 |= ST3_WP;
	if (drive_present(f, d) && s->drv[d].cyl == 0)
		st3 |= ST3_T0;
	to_result(f, &st3, 1, false);
}

/* SEEK, RELATIVE SEEK and RECALIBRATE end with an interrupt after the
 * head has moved; the controller takes commands meanwhile (DxB busy) */
static void start_seek(struct fdc *f, unsigned d, uint8_t st0)
{
	struct fdc_state *s = &f->s;
	s->seek_st0[d] = st0;
	s->seeking |= 1u << d;
	s->seek_pending &= ~(1u << d);
	s->seek_deadline[d] = clock_ns(f->clk) + SEEK_DELAY_NS;
	timer_mod(&f->seek_timer[d], s->seek_deadline[d]);
	to_command(f);
	fdc_update_irq(f);
}

static void cmd_seek(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	unsigned d = s->cmd[1] & 3;
	uint8_t ncn = s->cmd[2];
	drive_step(f, d, (int)ncn - s->pcn[d]);
	s->pcn[d] = ncn;
	start_seek(f, d, (uint8_t)(ST0_SE | d));
}

static void cmd_relative_seek(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	unsigned d = s->cmd[1] & 3;
	int delta = s->cmd[0] & CMD_RSEEK_IN ? s->cmd[2] : -(int)s->cmd[2];
	int pcn = s->pcn[d] + delta;
	/* the PCN register wraps; the head stops where the drive stops it */
	drive_step(f, d, delta);
	s->pcn[d] = (uint8_t)pcn;
	start_seek(f, d, (uint8_t)(ST0_SE | d));
}

static void cmd_recalibrate(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	unsigned d = s->cmd[1] & 3;
	uint8_t st0 = (uint8_t)(ST0_SE | d);
	if (!drive_present(f, d)) {
		/* TRK0 never comes */
		st0 |= ST0_ABNORMAL | ST0_EC;
		s->pcn[d] = 0;
	} else if (s->drv[d].cyl > RECAL_STEPS) {
		drive_step(f, d, -RECAL_STEPS);
		st0 |= ST0_ABNORMAL | ST0_EC;
		s->pcn[d] = 0;
	} else {
		drive_step(f, d, -(int)s->drv[d].cyl);
		s->pcn[d] = 0;
	}
	start_seek(f, d, st0);
}

static void cmd_sense_int(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	uint8_t res[2];
	if (s->poll_left) {
		unsigned d = 4u - s->poll_left;
		s->poll_left--;
		res[0] = (uint8_t)(ST0_POLL | d);
		res[1] = s->pcn[d];
		to_result(f, res, 2, false);
		return;
	}
	for (unsigned d = 0; d < NDRIVES; d++) {
		if (s->seek_pending & (1u << d)) {
			s->seek_pending &= ~(1u << d);
			s->seeking &= ~(1u << d);
			res[0] = s->seek_st0[d];
			res[1] = s->pcn[d];
			to_result(f, res, 2, false);
			return;
		}
	}
	res[0] = ST0_INVALID;
	to_result(f, res, 1, false);
}

static void cmd_version(struct fdc *f)
{
	uint8_t v = 0x90;
	to_result(f, &v, 1, false);
}

static void cmd_configure(struct fdc *f)
{
	f->s.config = f->s.cmd[2] & 0x7f;
	f->s.pretrk = f->s.cmd[3];
	to_command(f);
}

static void cmd_lock(struct fdc *f)
{
	uint8_t v;
	f->s.lock = !!(f->s.cmd[0] & CMD_LOCK);
	v = (uint8_t)(f->s.lock << 4);
	to_result(f, &v, 1, false);
}

static void cmd_dumpreg(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	uint8_t res[10] = {
		s->pcn[0], s->pcn[1], s->pcn[2], s->pcn[3],
		s->spec1, s->spec2, s->last_eot,
		(uint8_t)(s->lock << 7 | (s->perp & 0x3f)),
		s->config, s->pretrk,
	};
	to_result(f, res, 10, false);
}

static void cmd_perpendicular(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	uint8_t v = s->cmd[1];
	/* the drive bits change only with OW set; GAP and WGATE always */
	if (v & 0x80)
		s->perp = v & 0x3f;
	else
		s->perp = (uint8_t)((s->perp & 0x3c) | (v & 0x03));
	if (s->perp & 0x03)
		log_once("fdc: perpendicular recording mode has no effect on images");
	to_command(f);
}

static void cmd_invalid(struct fdc *f)
{
	uint8_t v = ST0_INVALID;
	to_result(f, &v, 1, false);
}

/* the 82077AA's command set: code under mask, bytes with the command byte */
static const struct fdc_cmd {
	uint8_t code, mask, len;
	void (*fn)(struct fdc *f);
	const char *name;
} commands[] = {
	{ 0x06, 0x1f, 9, cmd_read, "READ DATA" },
	{ 0x05, 0x3f, 9, cmd_write, "WRITE DATA" },
	{ 0x16, 0x1f, 9, cmd_verify, "VERIFY" },
	{ 0x02, 0x9f, 9, cmd_read_track, "READ TRACK" },
	{ 0x0a, 0xbf, 2, cmd_read_id, "READ ID" },
	{ 0x0d, 0xbf, 6, cmd_format, "FORMAT TRACK" },
	{ 0x03, 0xff, 3, cmd_specify, "SPECIFY" },
	{ 0x04, 0xff, 2, cmd_sense_drive, "SENSE DRIVE STATUS" },
	{ 0x07, 0xff, 2, cmd_recalibrate, "RECALIBRATE" },
	{ 0x08, 0xff, 1, cmd_sense_int, "SENSE INTERRUPT STATUS" },
	{ 0x0f, 0xff, 3, cmd_seek, "SEEK" },
	{ 0x8f, 0xbf, 3, cmd_relative_seek, "RELATIVE SEEK" },
	{ 0x10, 0xff, 1, cmd_version, "VERSION" },
	{ 0x12, 0xff, 2, cmd_perpendicular, "PERPENDICULAR MODE" },
	{ 0x13, 0xff, 4, cmd_configure, "CONFIGURE" },
	{ 0x14, 0x7f, 1, cmd_lock, "LOCK" },
	{ 0x0e, 0xff, 1, cmd_dumpreg, "DUMPREG" },
};

static const struct fdc_cmd *cmd_lookup(uint8_t b)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if ((b & commands[i].mask) == commands[i].code)
			return &commands[i];
	return NULL;
}

static void fifo_write(struct fdc *f, uint8_t v)
{
	struct fdc_state *s = &f->s;
	if (s->phase == PH_EXEC) {
		if (!s->dma && s->pending != P_EXEC && s->xop != X_NONE &&
		    (s->xop == X_WRITE || s->xop == X_FORMAT))
			pio_write(f, v);
		return;
	}
	if (s->phase != PH_COMMAND)
		return;		/* RQM with DIO set: the write goes nowhere */
	if (s->ncmd == 0) {
		const struct fdc_cmd *c = cmd_lookup(v);
		/* a new command retires the interrupts of the last one */
		s->result_int = 0;
		if ((v & 0xff) != 0x08)
			s->poll_left = 0;
		fdc_update_irq(f);
		if (!c) {
			if ((v & 0x1f) == 0x0c || (v & 0x3f) == 0x09)
				log_once("fdc: deleted-data commands not modelled (0x%02x)", v);
			s->cmd[0] = v;
			cmd_invalid(f);
			return;
		}
		s->cmdlen = c->len;
	}
	s->cmd[s->ncmd++] = v;
	if (s->ncmd >= s->cmdlen) {
		const struct fdc_cmd *c = cmd_lookup(s->cmd[0]);
		s->ncmd = 0;
		c->fn(f);
	}
}

static uint8_t fifo_read(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	if (s->phase == PH_EXEC) {
		if (!s->dma && s->pending != P_EXEC &&
		    (s->xop == X_READ || s->xop == X_READ_TRACK))
			return pio_read(f);
		return 0;
	}
	if (s->phase != PH_RESULT)
		return 0;
	/* reading the result retires its interrupt */
	s->result_int = 0;
	fdc_update_irq(f);
	uint8_t v = s->res[s->respos++];
	if (s->respos >= s->nres)
		to_command(f);
	return v;
}

static uint8_t msr_read(const struct fdc *f)
{
	const struct fdc_state *s = &f->s;
	uint8_t busy = s->seeking & MSR_BUSY_DRV;
	if (!(s->dor & DOR_NRESET))
		return 0;
	switch (s->phase) {
	case PH_COMMAND:
		return (uint8_t)(MSR_RQM | busy | (s->ncmd ? MSR_CB : 0));
	case PH_RESULT:
		return (uint8_t)(MSR_RQM | MSR_DIO | MSR_CB | busy);
	default:
		if (s->dma || s->pending == P_EXEC || s->xop == X_VERIFY || s->xop == X_READ_ID)
			return (uint8_t)(MSR_CB | busy);
		if (s->xop == X_READ || s->xop == X_READ_TRACK)
			return (uint8_t)(MSR_RQM | MSR_DIO | MSR_NDMA | MSR_CB | busy);
		return (uint8_t)(MSR_RQM | MSR_NDMA | MSR_CB | busy);
	}
}

/* ---- reset ---- */

/* the chip's own reset (DOR or DSR): the command in flight is dropped,
 * and the polling interrupts follow once it runs again */
static void fdc_soft_reset(struct fdc *f)
{
	struct fdc_state *s = &f->s;
	to_command(f);
	s->phase = PH_COMMAND;
	s->result_int = 0;
	s->poll_left = 0;
	s->seek_pending = 0;
	s->seeking = 0;
	for (unsigned d = 0; d < NDRIVES; d++) {
		timer_del(&f->seek_timer[d]);
		s->seek_deadline[d] = CLOCK_NEVER;
		s->pcn[d] = 0;
	}
	/* LOCK keeps EFIFO, FIFOTHR and PRETRK; EIS and POLL always reset */
	if (s->lock) {
		s->config = (uint8_t)((s->config & (CFG_EFIFO | CFG_FIFOTHR)) | 0);
	} else {
		s->config = CFG_DEFAULT;
		s->pretrk = 0;
	}
	s->perp &= 0x3c;
	s->pending = P_NONE;
	timer_del(&f->timer);
	fdc_update_irq(f);
}

static void fdc_leave_reset(struct fdc *f)
{
	f->s.pending = P_RESET;
	f->s.deadline = clock_ns(f->clk) + RESET_DELAY_NS;
	timer_mod(&f->timer, f->s.deadline);
}

static void fdc_timer_cb(void *opaque)
{
	struct fdc *f = opaque;
	struct fdc_state *s = &f->s;
	enum pending p = s->pending;
	s->pending = P_NONE;
	s->deadline = CLOCK_NEVER;
	if (p == P_RESET) {
		/* polling finds all four drives "became ready" */
		s->poll_left = 4;
		fdc_update_irq(f);
	} else if (p == P_EXEC && s->phase == PH_EXEC) {
		fdc_exec_start(f);
	}
}

static void seek_done(struct fdc *f, unsigned d)
{
	f->s.seek_deadline[d] = CLOCK_NEVER;
	f->s.seek_pending |= 1u << d;
	fdc_update_irq(f);
}

static void seek_cb0(void *o) { seek_done(o, 0); }
static void seek_cb1(void *o) { seek_done(o, 1); }
static void seek_cb2(void *o) { seek_done(o, 2); }
static void seek_cb3(void *o) { seek_done(o, 3); }
static void (*const seek_cbs[NDRIVES])(void *) = { seek_cb0, seek_cb1, seek_cb2, seek_cb3 };

/* ---- registers ---- */

static void dor_write(struct fdc *f, uint8_t v)
{
	struct fdc_state *s = &f->s;
	uint8_t old = s->dor;
	s->dor = v;
	if (!(v & DOR_NRESET)) {
		if (old & DOR_NRESET)
			fdc_soft_reset(f);
	} else if (!(old & DOR_NRESET)) {
		fdc_leave_reset(f);
	}
	if ((old ^ v) & DOR_DMAGATE) {
		fdc_update_irq(f);
		dma_update(f);
	}
}

static uint64_t fdc_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fdc *f = opaque;
	struct fdc_state *s = &f->s;
	(void)size;
	switch (offset) {
	case R_SRA:
		return (fdc_int(f) ? SRA_INTPEND : 0) | (drive_present(f, 1) ? 0 : SRA_NDRV2);
	case R_SRB:
		return SRB_ONES | (s->dor & DOR_MOT0 ? SRB_MOT0 : 0) |
		       (s->dor & DOR_MOT1 ? SRB_MOT1 : 0) | (s->dor & 1 ? SRB_DS0 : 0);
	case R_DOR:
		return s->dor;
	case R_TDR:
		return s->tdr;
	case R_MSR_DSR:
		return msr_read(f);
	case R_FIFO:
		if (!(s->dor & DOR_NRESET))
			return 0;
		return fifo_read(f);
	case R_DIR_CCR: {
		unsigned d = s->dor & DOR_SEL;
		/* the change line of the selected drive, seen with its motor on
		 * on real drives; a drive that is not there shows none */
		return d < NREAL && drive_present(f, d) && s->drv[d].changed ? DIR_DSKCHG : 0;
	}
	default:
		return 0xff;
	}
}

static void fdc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct fdc *f = opaque;
	struct fdc_state *s = &f->s;
	uint8_t v = (uint8_t)value;
	(void)size;
	switch (offset) {
	case R_DOR:
		dor_write(f, v);
		return;
	case R_TDR:
		s->tdr = v & 3;
		return;
	case R_MSR_DSR:
		if (!(s->dor & DOR_NRESET))
			return;
		if (v & DSR_SWRESET) {
			/* self-clearing */
			fdc_soft_reset(f);
			fdc_leave_reset(f);
		}
		if (v & DSR_PWRDOWN)
			log_once("fdc: power-down mode not modelled");
		s->dsr = v & 0x1f;
		return;
	case R_FIFO:
		if (s->dor & DOR_NRESET)
			fifo_write(f, v);
		return;
	case R_DIR_CCR:
		/* data rate only; it does not have to match the medium here */
		s->dsr = (uint8_t)((s->dsr & ~DSR_RATE) | (v & DSR_RATE));
		return;
	default:
		return;
	}
}

static const struct bus_ops fdc_ops = {
	.read = fdc_read, .write = fdc_write, .min_size = 1, .max_size = 1,
};

/* 0x3f7 sits apart, past the IDE controller's 0x3f6 */
static uint64_t fdc_dir_read(void *opaque, uint64_t offset, unsigned size)
{
	return fdc_read(opaque, offset + R_DIR_CCR, size);
}

static void fdc_ccr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	fdc_write(opaque, offset + R_DIR_CCR, value, size);
}

static const struct bus_ops fdc_dir_ops = {
	.read = fdc_dir_read, .write = fdc_ccr_write, .min_size = 1, .max_size = 1,
};

/* ---- host side ---- */

static const struct media_format *format_of(uint64_t size)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].size == size)
			return &formats[i];
	return NULL;
}

int fdc_attach(struct fdc *f, int drive, struct blockdev *bd)
{
	if (drive < 0 || drive >= NREAL) {
		log_error("fdc: no floppy drive %d (there are fda and fdb)", drive);
		return -1;
	}
	struct fd_drive *m = &f->drive[drive];
	struct fd_pos *p = &f->s.drv[drive];
	if (!bd) {
		memset(m, 0, sizeof(*m));
		p->changed = 1;
		return 0;
	}
	const struct media_format *fmt = format_of(blockdev_size(bd));
	if (!fmt) {
		log_error("fdc: %s: %llu bytes is no floppy size", blockdev_path(bd),
			  (unsigned long long)blockdev_size(bd));
		return -1;
	}
	m->bd = bd;
	m->heads = fmt->heads;
	m->tracks = fmt->tracks;
	m->spt = fmt->spt;
	m->ro = blockdev_readonly(bd);
	if (!p->kind)
		p->kind = fmt->cmos;
	p->changed = 1;
	return 0;
}

int fdc_cmos_type(struct fdc *f, int drive)
{
	if (drive < 0 || drive >= NREAL)
		return 0;
	return f->s.drv[drive].kind;
}

struct irq_line *fdc_irq(struct fdc *f)
{
	return &f->irq;
}

/* ---- device ---- */

static void fdc_reset(void *opaque)
{
	struct fdc *f = opaque;
	struct fdc_state *s = &f->s;
	s->lock = 0;
	fdc_soft_reset(f);
	s->dor = DOR_NRESET | DOR_DMAGATE;
	s->tdr = 0;
	s->dsr = 0;
	s->spec1 = s->spec2 = 0;
	s->perp = 0;
	s->last_eot = 0;
	s->deadline = CLOCK_NEVER;
	fdc_update_irq(f);
}

static void fdc_save(void *opaque, struct snap *snp)
{
	struct fdc *f = opaque;
	snap_section_put(snp, "fdc", 1);
	SNAP_PUT(snp, f->s);
}

static int fdc_load(void *opaque, struct snap *snp)
{
	struct fdc *f = opaque;
	struct fdc_state t;
	snap_section_get(snp, "fdc", 1);
	SNAP_GET(snp, t);
	if (snp->error)
		return -1;
	/* keep a corrupt image from indexing outside the buffers */
	if (t.phase > PH_RESULT || t.nres > sizeof(t.res) || t.respos > t.nres ||
	    t.pos >= SECTOR || t.xdrive >= NDRIVES || t.xop > X_READ_ID || t.pending > P_EXEC)
		return -1;
	if (t.ncmd && (!cmd_lookup(t.cmd[0]) || t.cmdlen != cmd_lookup(t.cmd[0])->len ||
		       t.ncmd >= t.cmdlen))
		return -1;
	for (unsigned d = 0; d < NREAL; d++)
		t.drv[d].kind = f->s.drv[d].kind;	/* the drives are the board's */
	f->s = t;
	if (f->s.pending != P_NONE)
		timer_mod(&f->timer, f->s.deadline);
	else
		timer_del(&f->timer);
	for (unsigned d = 0; d < NDRIVES; d++) {
		if (f->s.seek_deadline[d] != CLOCK_NEVER)
			timer_mod(&f->seek_timer[d], f->s.seek_deadline[d]);
		else
			timer_del(&f->seek_timer[d]);
	}
	fdc_update_irq(f);
	dma_update(f);
	return 0;
}

struct fdc *fdc_new(struct bus *io, struct dma8237 *dma, struct vclock *clk, struct device *dev)
{
	struct fdc *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->dma = dma;
	f->clk = clk;
	timer_init(&f->timer, clk, fdc_timer_cb, f);
	for (unsigned d = 0; d < NDRIVES; d++)
		timer_init(&f->seek_timer[d], clk, seek_cbs[d], f);
	if (bus_register(io, PORT_FDC, 6, &fdc_ops, f, "fdc") ||
	    bus_register(io, PORT_FDC + R_DIR_CCR, 1, &fdc_dir_ops, f, "fdc-dir")) {
		free(f);
		return NULL;
	}
	if (dma)
		dma8237_connect(dma, FDC_DMA_CHANNEL, fdc_dma_run, f);
	fdc_reset(f);
	if (dev) {
		dev->name = "fdc";
		dev->opaque = f;
		dev->reset = fdc_reset;
		dev->save = fdc_save;
		dev->load = fdc_load;
	}
	return f;
}

void fdc_free(struct fdc *f)
{
	if (!f)
		return;
	timer_del(&f->timer);
	for (unsigned d = 0; d < NDRIVES; d++)
		timer_del(&f->seek_timer[d]);
	free(f);
}
