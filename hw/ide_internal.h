/* What the IDE controller (ide.c), the ATA command set (ata.c) and the ATAPI
 * packet commands (atapi.c) share: the drive and channel state, and the
 * controller services a command uses (PIO data windows, interrupts, the
 * bus-master DMA engine). Not for other devices. */
#ifndef HW_IDE_INTERNAL_H
#define HW_IDE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/ide.h"

/* 64 KiB: the largest ATAPI PIO block (byte count limit 0xfffe) and the
 * chunk DMA moves at a time */
#define IDE_BUF_SIZE 0x10000u
#define ATA_MAX_MULT 16		/* sectors per block READ/WRITE MULTIPLE takes */

enum ide_status {
	ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DF = 0x20, ST_DRDY = 0x40,
	ST_BSY = 0x80,
};

enum ide_error {
	ER_AMNF = 0x01, ER_ABRT = 0x04, ER_MCR = 0x08, ER_IDNF = 0x10, ER_MC = 0x20,
	ER_UNC = 0x40,
};

/* ATAPI interrupt reason, in the sector count register */
enum { IR_COD = 0x01, IR_IO = 0x02 };

enum ide_kind { IDE_NONE, IDE_DISK, IDE_CD };

/* what to do when the guest has moved the whole PIO window */
enum ide_xfer {
	XFER_NONE,
	XFER_LAST,		/* a single data-in block (IDENTIFY): complete */
	XFER_ATA_READ,		/* next block of READ SECTOR(S)/MULTIPLE */
	XFER_ATA_WRITE,		/* write the block, ask for the next */
	XFER_PACKET,		/* the 12 command bytes of PACKET arrived */
	XFER_ATAPI_IN,		/* next block of a packet command's data */
};

/* a command waiting for the bus master to start */
enum ide_dma_op { DMA_NONE, DMA_ATA_READ, DMA_ATA_WRITE, DMA_ATAPI_IN };

enum ide_dma_result {
	DMA_OK,			/* all bytes moved */
	DMA_SHORT,		/* the PRD table ended first */
	DMA_FAULT,		/* a PRD or buffer outside RAM, or a runaway table */
};

struct ide_channel;

struct ide_drive {
	struct ide_channel *ch;
	int unit;
	enum ide_kind kind;
	struct blockdev *bd;		/* NULL: no disc in a CD drive */

	/* the task file as this drive latched it; hob_* are the previous
	 * writes, for 48-bit commands */
	uint8_t feature, nsect, lbal, lbam, lbah, select;
	uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;
	uint8_t status, error;
	bool irq_pending;		/* INTRQ, until status is read */

	/* ATA settings */
	uint16_t cyls, heads, spt;		/* default translation */
	uint16_t cur_cyls, cur_heads, cur_spt;	/* INITIALIZE DEVICE PARAMETERS */
	uint8_t mult;				/* block size of READ MULTIPLE; 0 off */
	uint8_t xfer_mode;			/* SET FEATURES 03h value */
	bool wcache, standby;

	/* the transfer in progress */
	enum ide_xfer xfer;
	uint32_t pos, end;		/* PIO window in buf */
	enum ide_dma_op dma;
	uint8_t cmd;
	bool lba48;
	uint64_t lba;			/* ATA: next sector; ATAPI: next byte */
	uint64_t left;			/* ATA: sectors; ATAPI: bytes, after this block */

	/* ATAPI */
	uint8_t packet[12];
	uint16_t bcl;			/* byte count limit of this command */
	bool atapi_dma;			/* PACKET asked for DMA (features bit 0) */
	bool from_disc;			/* data from the disc at lba, else from buf */
	uint32_t reply_off;		/* next byte of a reply in buf */
	uint8_t sense_key, asc, ascq;
	bool unit_attention;		/* medium changed, not yet reported */
	uint8_t media_event;		/* GESN media event code to report */
	bool tray_open, locked;

	uint8_t buf[IDE_BUF_SIZE];
};

/* the bus-master half of one channel (BAR4 + 8 * channel) */
struct ide_bm {
	uint8_t cmd, status;
	uint32_t prd;			/* descriptor table address */
	/* the engine */
	uint32_t next;			/* address of the next descriptor */
	uint32_t addr, left;		/* the current descriptor's remainder */
	bool last;			/* the current descriptor had EOT */
	bool fault;
};

struct ide_channel {
	struct ide *ide;
	int index;
	struct ide_drive drive[2];
	uint8_t devctl;
	uint8_t cur;			/* selected unit */
	struct irq_line irq;
	struct ide_bm bm;
};

/* ---- ide.c: controller services ---- */
void ide_raise(struct ide_drive *d);
/* offer buf[0, len) to the guest (data in) or take it (data out); 'then'
 * says what follows once it has all moved */
void ide_pio_begin(struct ide_drive *d, uint32_t len, enum ide_xfer then);
void ide_pio_stop(struct ide_drive *d);
/* the command waits for the bus master (runs at once if it is started) */
void ide_dma_begin(struct ide_drive *d, enum ide_dma_op op);
/* move len bytes between buf and the PRD-described memory */
enum ide_dma_result ide_dma_rw(struct ide_drive *d, uint8_t *buf, uint32_t len, bool to_mem);
/* the reset signature: ATA 01/01/00/00, ATAPI 01/01/14/EB */
void ide_set_signature(struct ide_drive *d);
struct physmap *ide_physmap(struct ide_drive *d);
/* IDENTIFY word 93, the hardware reset result */
uint16_t ide_reset_result(const struct ide_drive *d);

/* ---- ata.c ---- */
void ata_power_on(struct ide_drive *d);
void ata_command(struct ide_drive *d, uint8_t cmd);
void ata_pio_done(struct ide_drive *d);
void ata_dma_run(struct ide_drive *d);

/* ---- atapi.c ---- */
void atapi_identify(struct ide_drive *d, uint16_t *w);
void atapi_packet_start(struct ide_drive *d);	/* PACKET: ask for the 12 bytes */
void atapi_packet_received(struct ide_drive *d);
void atapi_pio_done(struct ide_drive *d);
void atapi_dma_run(struct ide_drive *d);
void atapi_media_changed(struct ide_drive *d);

/* ---- strings and big-endian fields shared by both command sets ---- */
/* an ATA IDENTIFY string: space padded, two characters per word, first in
 * the high byte */
static inline void ide_id_string(uint16_t *w, const char *s, unsigned words)
{
	for (unsigned i = 0; i < words; i++) {
		uint8_t hi = *s ? (uint8_t)*s++ : ' ';
		uint8_t lo = *s ? (uint8_t)*s++ : ' ';
		w[i] = (uint16_t)(hi << 8 | lo);
	}
}

#endif
