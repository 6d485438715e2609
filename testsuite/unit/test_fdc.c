/* Unit tests for the 82077AA floppy controller, driven through its ports the
 * way SeaBIOS's and Linux's floppy drivers do, with DMA channel 2 of the
 * 8237 moving the data into guest RAM and temp images behind the drives. */
// SPDX-License-Identifier: MIT
#include "hw/fdc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hw/blockdev.h"
#include "hw/dma8237.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define RAM (1u << 20)
#define MS 1000000LL
#define SZ_144 1474560u
#define SZ_360 368640u
#define SZ_288 2949120u

enum {
	DOR = 0x3f2, MSR = 0x3f4, DSR = 0x3f4, FIFO = 0x3f5, DIR = 0x3f7, SRA = 0x3f0,
	SRB = 0x3f1,
	/* commands as the drivers send them */
	C_READ = 0xe6, C_READ_NOMT = 0x66, C_WRITE = 0xc5, C_READ_ID = 0x4a,
	C_FORMAT = 0x4d, C_RECAL = 0x07, C_SENSEI = 0x08, C_SEEK = 0x0f,
	C_SPECIFY = 0x03, C_SDS = 0x04, C_VERSION = 0x10, C_CONFIGURE = 0x13,
	C_DUMPREG = 0x0e, C_LOCK = 0x94, C_UNLOCK = 0x14, C_PERP = 0x12,
	C_RSEEK_IN = 0xcf, C_RSEEK_OUT = 0x8f, C_READ_TRACK = 0x42, C_VERIFY = 0x56,
	/* DMA */
	DMA_MASK = 0x0a, DMA_MODE = 0x0b, DMA_FF = 0x0c, DMA_STATUS = 0x08,
	DMA_WRITE_MEM = 0x46, DMA_READ_MEM = 0x4a,
};

struct rig {
	struct bus io;
	struct vclock clk;
	struct physmap pm;
	struct dma8237 *dma;
	struct fdc *f;
	struct device dma_dev, fdc_dev;
	struct blockdev *bd[2];
	char path[2][64];
	int edges;
};

static uint8_t pattern(uint64_t off)
{
	uint64_t s = off >> 9;
	return (uint8_t)(off * 131 + s * 7 + (s >> 8) * 3 + 1);
}

static void on_irq(void *opaque, int n, int level)
{
	struct rig *g = opaque;
	(void)n;
	if (level)
		g->edges++;
}

static void make_image(struct rig *g, int drive, uint32_t size, bool ro)
{
	snprintf(g->path[drive], sizeof(g->path[drive]), "/tmp/test_fdc.XXXXXX");
	int fd = mkstemp(g->path[drive]);
	CHECK(fd >= 0);
	uint8_t *img = malloc(size);
	for (uint32_t i = 0; i < size; i++)
		img[i] = pattern(i);
	CHECK_EQ(write(fd, img, size), size);
	free(img);
	close(fd);
	g->bd[drive] = blockdev_open(g->path[drive], BLOCKDEV_FLOPPY, ro, false);
	CHECK(g->bd[drive] != NULL);
	CHECK_EQ(fdc_attach(g->f, drive, g->bd[drive]), 0);
}

static void rig_init(struct rig *g, uint32_t size, bool ro)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	clock_init(&g->clk, CLOCK_MANUAL);
	physmap_init(&g->pm, RAM, NULL);
	g->dma = dma8237_new(&g->io, &g->pm, &g->dma_dev);
	g->f = fdc_new(&g->io, g->dma, &g->clk, &g->fdc_dev);
	CHECK(g->f != NULL);
	irq_connect(fdc_irq(g->f), on_irq, g, 6);
	if (size)
		make_image(g, 0, size, ro);
}

static void rig_fini(struct rig *g)
{
	fdc_free(g->f);
	dma8237_free(g->dma);
	for (int i = 0; i < 2; i++) {
		if (g->bd[i]) {
			blockdev_close(g->bd[i]);
			unlink(g->path[i]);
		}
	}
	physmap_destroy(&g->pm);
	bus_destroy(&g->io);
}

static uint8_t in(struct rig *g, uint16_t port) { return (uint8_t)bus_read(&g->io, port, 1); }
static void out(struct rig *g, uint16_t port, uint8_t v) { bus_write(&g->io, port, v, 1); }

static void run(struct rig *g, int64_t ns)
{
	clock_set(&g->clk, clock_ns(&g->clk) + ns);
}

static int irq_level(struct rig *g) { return fdc_irq(g->f)->level; }

/* send a command as SeaBIOS's floppy_pio does: RQM set and DIO clear
 * before every byte; false if the controller was not ready */
static bool cmd(struct rig *g, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++) {
		if ((in(g, MSR) & 0xc0) != 0x80)
			return false;
		out(g, FIFO, b[i]);
	}
	return true;
}

/* read result bytes while the controller offers them (RQM and DIO) */
static int result(struct rig *g, uint8_t *b, int max)
{
	int n = 0;
	while (n < max && (in(g, MSR) & 0xd0) == 0xd0)
		b[n++] = in(g, FIFO);
	return n;
}

static void sensei(struct rig *g, uint8_t *st0, uint8_t *pcn)
{
	uint8_t c = C_SENSEI, r[2] = { 0, 0 };
	CHECK(cmd(g, &c, 1));
	CHECK_EQ(result(g, r, 2), 2);
	*st0 = r[0];
	*pcn = r[1];
}

static void recal(struct rig *g, int drive)
{
	uint8_t c[2] = { C_RECAL, (uint8_t)drive }, st0, pcn;
	int e = g->edges;
	CHECK(cmd(g, c, 2));
	run(g, 1 * MS);
	CHECK_EQ(g->edges, e + 1);
	sensei(g, &st0, &pcn);
	CHECK_EQ(st0, 0x20 | drive);
	CHECK_EQ(pcn, 0);
}

static void seek(struct rig *g, int drive, int head, uint8_t cyl)
{
	uint8_t c[3] = { C_SEEK, (uint8_t)(head << 2 | drive), cyl }, st0, pcn;
	CHECK(cmd(g, c, 3));
	run(g, 1 * MS);
	sensei(g, &st0, &pcn);
	CHECK_EQ(st0, 0x20 | drive);
	CHECK_EQ(pcn, cyl);
}

/* channel 2 as SeaBIOS's floppy_cmd programs it */
static void dma_setup(struct rig *g, uint32_t addr, uint32_t len, uint8_t mode)
{
	uint16_t end = (uint16_t)(len - 1);
	out(g, DMA_MASK, 0x06);
	out(g, DMA_FF, 0);
	out(g, 0x04, (uint8_t)addr);
	out(g, 0x04, (uint8_t)(addr >> 8));
	out(g, DMA_FF, 0);
	out(g, 0x05, (uint8_t)end);
	out(g, 0x05, (uint8_t)(end >> 8));
	out(g, DMA_MODE, mode);
	out(g, 0x81, (uint8_t)(addr >> 16));
	out(g, DMA_MASK, 0x02);
}

/* a READ/WRITE-style command and its seven result bytes after the IRQ */
static int xfer(struct rig *g, uint8_t op, int drive, uint8_t c, uint8_t h, uint8_t r,
		uint8_t eot, uint8_t *res)
{
	uint8_t b[9] = { op, (uint8_t)(h << 2 | drive), c, h, r, 2, eot, 0x1b, 0xff };
	int e = g->edges;
	CHECK(cmd(g, b, 9));
	CHECK_EQ(in(g, MSR) & 0x80, 0);		/* busy executing */
	run(g, 1 * MS);
	CHECK_EQ(g->edges, e + 1);
	return result(g, res, 7);
}

static uint32_t lba_of(int heads, int spt, int c, int h, int r)
{
	return (uint32_t)((c * heads + h) * spt + r - 1);
}

static bool ram_matches_image(struct rig *g, uint32_t addr, uint32_t lba, uint32_t n)
{
	for (uint32_t i = 0; i < n * 512; i++)
		if (g->pm.ram[addr + i] != pattern((uint64_t)lba * 512 + i))
			return false;
	return true;
}

static void file_read(struct rig *g, int drive, uint32_t lba, uint8_t *buf, uint32_t n)
{
	FILE *fp = fopen(g->path[drive], "rb");
	CHECK(fp != NULL);
	fseek(fp, (long)lba * 512, SEEK_SET);
	CHECK_EQ(fread(buf, 1, n * 512, fp), n * 512);
	fclose(fp);
}

/* ---- tests ---- */

static void test_reset_and_polling(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	/* out of a board reset: ready, DMA gate open, as after a BIOS POST */
	CHECK_EQ(in(&g, MSR), 0x80);
	CHECK_EQ(in(&g, DOR), 0x0c);
	CHECK_EQ(fdc_cmos_type(g.f, 0), 4);
	CHECK_EQ(fdc_cmos_type(g.f, 1), 0);
	CHECK_EQ(in(&g, SRA) & 0xc0, 0x40);	/* no second drive */
	/* SeaBIOS: DOR reset, then out of reset and wait for IRQ 6 */
	out(&g, DOR, 0x08);
	CHECK_EQ(in(&g, MSR), 0x00);
	out(&g, DOR, 0x0c);
	CHECK_EQ(irq_level(&g), 0);
	run(&g, 1 * MS);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(in(&g, SRA) & 0x80, 0x80);
	/* Linux: a SENSE INTERRUPT for each of the four polled drives */
	for (int d = 0; d < 4; d++) {
		uint8_t st0, pcn;
		sensei(&g, &st0, &pcn);
		CHECK_EQ(st0, 0xc0 | d);
		CHECK_EQ(pcn, 0);
	}
	CHECK_EQ(irq_level(&g), 0);
	uint8_t c = C_SENSEI, r[2];
	CHECK(cmd(&g, &c, 1));
	CHECK_EQ(result(&g, r, 2), 1);
	CHECK_EQ(r[0], 0x80);
	CHECK_EQ(in(&g, MSR), 0x80);
	/* the DSR software reset does the same and clears itself */
	out(&g, DSR, 0x80);
	run(&g, 1 * MS);
	CHECK_EQ(irq_level(&g), 1);
	uint8_t st0, pcn;
	sensei(&g, &st0, &pcn);
	CHECK_EQ(st0, 0xc0);
	/* the DMA gate off in DOR holds INT low */
	out(&g, DOR, 0x04);
	CHECK_EQ(irq_level(&g), 0);
	out(&g, DOR, 0x0c);
	CHECK_EQ(irq_level(&g), 1);
	/* VERSION after the remaining polling statuses were dropped */
	c = C_VERSION;
	CHECK(cmd(&g, &c, 1));
	CHECK_EQ(result(&g, r, 2), 1);
	CHECK_EQ(r[0], 0x90);
	rig_fini(&g);
}

static void test_recalibrate_and_seek(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	recal(&g, 0);
	uint8_t c[3] = { C_SEEK, 0, 10 }, st0, pcn, r[2];
	CHECK(cmd(&g, c, 3));
	/* the seek runs on: the drive is busy, commands are accepted */
	CHECK_EQ(in(&g, MSR), 0x81);
	CHECK_EQ(irq_level(&g), 0);
	run(&g, 1 * MS);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(in(&g, MSR), 0x81);
	sensei(&g, &st0, &pcn);
	CHECK_EQ(st0, 0x20);
	CHECK_EQ(pcn, 10);
	CHECK_EQ(in(&g, MSR), 0x80);
	CHECK_EQ(irq_level(&g), 0);
	/* relative seeks */
	uint8_t rin[3] = { C_RSEEK_IN, 0, 5 };
	CHECK(cmd(&g, rin, 3));
	run(&g, 1 * MS);
	sensei(&g, &st0, &pcn);
	CHECK_EQ(pcn, 15);
	uint8_t rout[3] = { C_RSEEK_OUT, 0, 3 };
	CHECK(cmd(&g, rout, 3));
	run(&g, 1 * MS);
	sensei(&g, &st0, &pcn);
	CHECK_EQ(pcn, 12);
	/* SENSE DRIVE STATUS: ready, two-sided, not at track 0 */
	uint8_t sds[2] = { C_SDS, 0x04 };
	CHECK(cmd(&g, sds, 2));
	CHECK_EQ(result(&g, r, 2), 1);
	CHECK_EQ(r[0], 0x2c);
	recal(&g, 0);
	CHECK(cmd(&g, sds, 2));
	CHECK_EQ(result(&g, r, 2), 1);
	CHECK_EQ(r[0], 0x3c);
	/* recalibrating a drive that is not there: TRK0 never comes */
	uint8_t rc[2] = { C_RECAL, 1 };
	CHECK(cmd(&g, rc, 2));
	run(&g, 1 * MS);
	sensei(&g, &st0, &pcn);
	CHECK_EQ(st0, 0x71);
	rig_fini(&g);
}

static void test_read_dma(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t res[7];
	recal(&g, 0);
	/* sector 1, as SeaBIOS reads the boot sector */
	dma_setup(&g, 0x7c00, 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 0, 0, 1, 1, res), 7);
	CHECK(ram_matches_image(&g, 0x7c00, 0, 1));
	CHECK_EQ(res[0], 0x00);
	CHECK_EQ(res[1], 0x00);
	CHECK_EQ(res[2], 0x00);
	/* MT at EOT on head 0: the next ID is head 1 sector 1 */
	CHECK_EQ(res[3], 0);
	CHECK_EQ(res[4], 1);
	CHECK_EQ(res[5], 1);
	CHECK_EQ(res[6], 2);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(in(&g, MSR), 0x80);
	CHECK_EQ(in(&g, DMA_STATUS) & 0x04, 0x04);	/* TC on channel 2 */
	/* three sectors from cylinder 5 head 1 sector 7: TC ends it */
	seek(&g, 0, 1, 5);
	dma_setup(&g, 0x20000, 3 * 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 5, 1, 7, 18, res), 7);
	CHECK(ram_matches_image(&g, 0x20000, lba_of(2, 18, 5, 1, 7), 3));
	CHECK_EQ(res[0], 0x04);		/* head 1 */
	CHECK_EQ(res[3], 5);
	CHECK_EQ(res[4], 1);
	CHECK_EQ(res[5], 10);
	/* multi-track: head 0's last two sectors, then head 1's first two */
	seek(&g, 0, 0, 2);
	dma_setup(&g, 0x30000, 4 * 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 2, 0, 17, 18, res), 7);
	CHECK(ram_matches_image(&g, 0x30000, lba_of(2, 18, 2, 0, 17), 4));
	CHECK_EQ(res[0] & 0xc0, 0x00);
	CHECK_EQ(res[3], 2);
	CHECK_EQ(res[4], 1);
	CHECK_EQ(res[5], 3);
	/* no MT and no TC by EOT: the controller runs off the track end */
	dma_setup(&g, 0x40000, 4 * 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ_NOMT, 0, 2, 0, 17, 18, res), 7);
	CHECK(ram_matches_image(&g, 0x40000, lba_of(2, 18, 2, 0, 17), 2));
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x80);		/* EN */
	CHECK_EQ(res[3], 3);
	CHECK_EQ(res[5], 1);
	rig_fini(&g);
}

static void test_read_errors(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t res[7];
	recal(&g, 0);
	/* a sector past the track: no data */
	dma_setup(&g, 0x10000, 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 0, 0, 19, 19, res), 7);
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x04);
	/* the head is on cylinder 0 but the command says 3: wrong cylinder */
	CHECK_EQ(xfer(&g, C_READ, 0, 3, 0, 1, 18, res), 7);
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x04);
	CHECK_EQ(res[2], 0x10);
	/* past the last track of the medium: no address marks at all */
	seek(&g, 0, 0, 81);
	CHECK_EQ(xfer(&g, C_READ, 0, 81, 0, 1, 18, res), 7);
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x01);
	/* the second drive holds no disk */
	CHECK_EQ(xfer(&g, C_READ, 1, 0, 0, 1, 18, res), 7);
	CHECK_EQ(res[0], 0x41);
	/* from cylinder 81 one RECALIBRATE's 79 steps are not enough */
	uint8_t rc[2] = { C_RECAL, 0 }, st0, pcn;
	CHECK(cmd(&g, rc, 2));
	run(&g, 1 * MS);
	sensei(&g, &st0, &pcn);
	CHECK_EQ(st0, 0x70);
	recal(&g, 0);
	/* DMA pointed past guest RAM: the command completes, RAM untouched */
	uint8_t before[256];
	memcpy(before, g.pm.ram + RAM - 256, 256);
	dma_setup(&g, 0xff0000, 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 0, 0, 1, 1, res), 7);
	CHECK_EQ(res[0] & 0xc0, 0x00);
	CHECK(memcmp(before, g.pm.ram + RAM - 256, 256) == 0);
	rig_fini(&g);
}

static void test_write_dma(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t res[7], back[1024];
	recal(&g, 0);
	seek(&g, 0, 0, 1);
	for (int i = 0; i < 1024; i++)
		g.pm.ram[0x50000 + i] = (uint8_t)(i ^ 0x5a);
	dma_setup(&g, 0x50000, 1024, DMA_READ_MEM);
	CHECK_EQ(xfer(&g, C_WRITE, 0, 1, 0, 3, 4, res), 7);
	CHECK_EQ(res[0], 0x00);
	CHECK_EQ(res[1], 0x00);
	/* MT at EOT on head 0: on to head 1 sector 1 */
	CHECK_EQ(res[3], 1);
	CHECK_EQ(res[4], 1);
	CHECK_EQ(res[5], 1);
	/* the bytes are in the file when the result is read */
	file_read(&g, 0, lba_of(2, 18, 1, 0, 3), back, 2);
	CHECK(memcmp(back, g.pm.ram + 0x50000, 1024) == 0);
	/* and the sectors around are untouched */
	file_read(&g, 0, lba_of(2, 18, 1, 0, 5), back, 1);
	CHECK_EQ(back[0], pattern((uint64_t)lba_of(2, 18, 1, 0, 5) * 512));
	/* read back through the controller */
	dma_setup(&g, 0x60000, 1024, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 1, 0, 3, 18, res), 7);
	CHECK(memcmp(g.pm.ram + 0x60000, g.pm.ram + 0x50000, 1024) == 0);
	rig_fini(&g);
}

static void test_write_protect(void)
{
	struct rig g;
	rig_init(&g, SZ_144, true);
	uint8_t res[7], back[512], r[1];
	recal(&g, 0);
	memset(g.pm.ram + 0x50000, 0xee, 512);
	dma_setup(&g, 0x50000, 512, DMA_READ_MEM);
	CHECK_EQ(xfer(&g, C_WRITE, 0, 0, 0, 1, 18, res), 7);
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x02);		/* NW */
	file_read(&g, 0, 0, back, 1);
	CHECK_EQ(back[0], pattern(0));
	CHECK_EQ(back[511], pattern(511));
	uint8_t sds[2] = { C_SDS, 0 };
	CHECK(cmd(&g, sds, 2));
	CHECK_EQ(result(&g, r, 1), 1);
	CHECK_EQ(r[0] & 0x40, 0x40);
	rig_fini(&g);
}

static void test_read_id(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	recal(&g, 0);
	seek(&g, 0, 1, 7);
	uint8_t b[2] = { C_READ_ID, 0x04 }, res[7];
	CHECK(cmd(&g, b, 2));
	int e = g.edges;
	run(&g, 1 * MS);
	CHECK_EQ(g.edges, e + 1);
	CHECK_EQ(result(&g, res, 7), 7);
	CHECK_EQ(res[0], 0x04);
	CHECK_EQ(res[3], 7);
	CHECK_EQ(res[4], 1);
	CHECK(res[5] >= 1 && res[5] <= 18);
	CHECK_EQ(res[6], 2);
	rig_fini(&g);
}

static void test_format_track(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	recal(&g, 0);
	seek(&g, 0, 1, 3);
	/* the host's ID table: C, H, R, N per sector, as SeaBIOS int 13h/05 */
	for (int s = 0; s < 18; s++) {
		uint8_t *id = g.pm.ram + 0x8000 + s * 4;
		id[0] = 3;
		id[1] = 1;
		id[2] = (uint8_t)(s + 1);
		id[3] = 2;
	}
	dma_setup(&g, 0x8000, 18 * 4, DMA_READ_MEM);
	uint8_t b[6] = { C_FORMAT, 0x04, 2, 18, 0x6c, 0xf6 }, res[7];
	CHECK(cmd(&g, b, 6));
	run(&g, 1 * MS);
	CHECK_EQ(result(&g, res, 7), 7);
	CHECK_EQ(res[0], 0x04);
	CHECK_EQ(res[1], 0);
	uint8_t back[18 * 512];
	file_read(&g, 0, lba_of(2, 18, 3, 1, 1), back, 18);
	bool all = true;
	for (unsigned i = 0; i < sizeof(back); i++)
		all &= back[i] == 0xf6;
	CHECK(all);
	/* the neighbouring track is untouched */
	file_read(&g, 0, lba_of(2, 18, 3, 0, 18), back, 1);
	CHECK_EQ(back[0], pattern((uint64_t)lba_of(2, 18, 3, 0, 18) * 512));
	rig_fini(&g);
}

static void test_pio_read_write(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	recal(&g, 0);
	/* SPECIFY with ND: non-DMA mode */
	uint8_t sp[3] = { C_SPECIFY, 0xaf, 0x03 }, res[7];
	CHECK(cmd(&g, sp, 3));
	CHECK_EQ(in(&g, MSR), 0x80);
	uint8_t b[9] = { C_READ_NOMT, 0, 0, 0, 2, 2, 3, 0x1b, 0xff };
	CHECK(cmd(&g, b, 9));
	run(&g, 1 * MS);
	CHECK_EQ(irq_level(&g), 1);
	bool ok = true;
	int e = g.edges;
	for (int i = 0; i < 1024; i++) {
		if (in(&g, MSR) != 0xf0) {
			ok = false;
			break;
		}
		ok &= in(&g, FIFO) == pattern(512 + (uint64_t)i);
	}
	CHECK(ok);
	/* no TC in PIO mode: EN at the end of the track (Linux expects it) */
	CHECK_EQ(in(&g, MSR), 0xd0);
	/* an interrupt per byte (the first was raised before the loop), and
	 * one more for the result */
	CHECK_EQ(g.edges - e, 1024);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(result(&g, res, 7), 7);
	CHECK_EQ(irq_level(&g), 0);
	CHECK_EQ(res[0], 0x40);
	CHECK_EQ(res[1], 0x80);
	/* a PIO write */
	uint8_t w[9] = { 0x45, 0, 0, 0, 5, 2, 5, 0x1b, 0xff };
	CHECK(cmd(&g, w, 9));
	run(&g, 1 * MS);
	CHECK_EQ(in(&g, MSR), 0xb0);
	for (int i = 0; i < 512; i++)
		out(&g, FIFO, (uint8_t)(255 - i));
	CHECK_EQ(result(&g, res, 7), 7);
	uint8_t back[512];
	file_read(&g, 0, 4, back, 1);
	CHECK_EQ(back[0], 255);
	CHECK_EQ(back[511], 0);
	rig_fini(&g);
}

static void test_invalid_and_registers(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t r[10];
	static const uint8_t bad[] = { 0x00, 0x01, 0x18, 0x1f, 0xff, 0x0c, 0x09 };
	for (unsigned i = 0; i < sizeof(bad); i++) {
		CHECK(cmd(&g, &bad[i], 1));
		CHECK_EQ(in(&g, MSR), 0xd0);
		CHECK_EQ(result(&g, r, 10), 1);
		CHECK_EQ(r[0], 0x80);
		CHECK_EQ(in(&g, MSR), 0x80);
	}
	/* CONFIGURE, LOCK, PERPENDICULAR and SPECIFY show in DUMPREG */
	uint8_t cf[4] = { C_CONFIGURE, 0, 0x57, 0x03 };
	CHECK(cmd(&g, cf, 4));
	CHECK_EQ(in(&g, MSR), 0x80);
	uint8_t lk = C_LOCK;
	CHECK(cmd(&g, &lk, 1));
	CHECK_EQ(result(&g, r, 10), 1);
	CHECK_EQ(r[0], 0x10);
	uint8_t pm[2] = { C_PERP, 0x84 };
	CHECK(cmd(&g, pm, 2));
	uint8_t sp[3] = { C_SPECIFY, 0xdf, 0x02 };
	CHECK(cmd(&g, sp, 3));
	recal(&g, 0);
	seek(&g, 0, 0, 9);
	uint8_t dr = C_DUMPREG;
	CHECK(cmd(&g, &dr, 1));
	CHECK_EQ(result(&g, r, 10), 10);
	CHECK_EQ(r[0], 9);
	CHECK_EQ(r[4], 0xdf);
	CHECK_EQ(r[5], 0x02);
	CHECK_EQ(r[7], 0x84);		/* LOCK, drive 0 perpendicular */
	CHECK_EQ(r[8], 0x57);
	CHECK_EQ(r[9], 0x03);
	/* a software reset keeps the locked FIFO settings, drops EIS/POLL */
	out(&g, DSR, 0x80);
	run(&g, 1 * MS);
	CHECK(cmd(&g, &dr, 1));
	CHECK_EQ(result(&g, r, 10), 10);
	CHECK_EQ(r[0], 0);
	CHECK_EQ(r[8], 0x07 | 0x00);	/* EFIFO was 0 in 0x57, FIFOTHR 7 */
	CHECK_EQ(r[9], 0x03);
	uint8_t ul = C_UNLOCK;
	CHECK(cmd(&g, &ul, 1));
	CHECK_EQ(result(&g, r, 10), 1);
	CHECK_EQ(r[0], 0x00);
	/* writes to the FIFO during a result are ignored */
	CHECK(cmd(&g, &dr, 1));
	out(&g, FIFO, 0x08);
	CHECK_EQ(result(&g, r, 10), 10);
	CHECK_EQ(in(&g, MSR), 0x80);
	/* port 0x3f6 is not ours */
	CHECK(bus_find(&g.io, 0x3f6) == NULL);
	rig_fini(&g);
}

static void test_disk_change(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x80);
	recal(&g, 0);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x80);	/* no step: still set */
	seek(&g, 0, 0, 1);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x00);
	CHECK_EQ(fdc_attach(g.f, 0, NULL), 0);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x80);
	seek(&g, 0, 0, 2);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x80);	/* no disk: stays set */
	CHECK_EQ(fdc_attach(g.f, 0, g.bd[0]), 0);
	seek(&g, 0, 0, 3);
	CHECK_EQ(in(&g, DIR) & 0x80, 0x00);
	CHECK_EQ(fdc_attach(g.f, 2, g.bd[0]), -1);
	rig_fini(&g);
}

static void test_dma_unmasked_late(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t res[7];
	recal(&g, 0);
	dma_setup(&g, 0x9000, 512, DMA_WRITE_MEM);
	out(&g, DMA_MASK, 0x06);
	uint8_t b[9] = { C_READ, 0, 0, 0, 4, 2, 4, 0x1b, 0xff };
	CHECK(cmd(&g, b, 9));
	run(&g, 1 * MS);
	CHECK_EQ(in(&g, MSR), 0x10);		/* waiting for DMA */
	CHECK_EQ(in(&g, DMA_STATUS) & 0x40, 0x40);	/* DREQ 2 */
	out(&g, DMA_MASK, 0x02);
	CHECK_EQ(irq_level(&g), 1);
	CHECK_EQ(result(&g, res, 7), 7);
	CHECK_EQ(res[0], 0x00);
	CHECK(ram_matches_image(&g, 0x9000, 3, 1));
	rig_fini(&g);
}

static void test_other_geometries(void)
{
	struct rig g;
	uint8_t res[7];
	/* 360K: 40 cylinders, 9 sectors, a 360K drive */
	rig_init(&g, SZ_360, false);
	CHECK_EQ(fdc_cmos_type(g.f, 0), 1);
	recal(&g, 0);
	seek(&g, 0, 1, 39);
	dma_setup(&g, 0x10000, 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 39, 1, 9, 9, res), 7);
	CHECK_EQ(res[0] & 0xc0, 0);
	CHECK(ram_matches_image(&g, 0x10000, SZ_360 / 512 - 1, 1));
	/* sector 10 does not exist there */
	CHECK_EQ(xfer(&g, C_READ, 0, 39, 1, 10, 10, res), 7);
	CHECK_EQ(res[1], 0x04);
	/* the drive's head stops at its mechanical end */
	seek(&g, 0, 0, 60);
	CHECK_EQ(xfer(&g, C_READ, 0, 60, 0, 1, 9, res), 7);
	CHECK_EQ(res[1], 0x01);
	rig_fini(&g);

	/* 2.88M: 36 sectors per track */
	rig_init(&g, SZ_288, false);
	CHECK_EQ(fdc_cmos_type(g.f, 0), 5);
	recal(&g, 0);
	seek(&g, 0, 1, 79);
	dma_setup(&g, 0x10000, 2 * 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 0, 79, 1, 35, 36, res), 7);
	CHECK_EQ(res[0] & 0xc0, 0);
	CHECK(ram_matches_image(&g, 0x10000, SZ_288 / 512 - 2, 2));
	rig_fini(&g);

	/* the second drive with a 720K disk */
	rig_init(&g, SZ_144, false);
	make_image(&g, 1, 737280, false);
	CHECK_EQ(fdc_cmos_type(g.f, 1), 3);
	CHECK_EQ(in(&g, SRA) & 0x40, 0);
	recal(&g, 1);
	seek(&g, 1, 0, 79);
	dma_setup(&g, 0x10000, 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ, 1, 79, 0, 9, 9, res), 7);
	CHECK_EQ(res[0] & 0xc3, 0x01);
	CHECK(ram_matches_image(&g, 0x10000, lba_of(2, 9, 79, 0, 9), 1));
	rig_fini(&g);
}

static void test_read_track_verify(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	uint8_t res[7];
	recal(&g, 0);
	seek(&g, 0, 0, 4);
	dma_setup(&g, 0x20000, 3 * 512, DMA_WRITE_MEM);
	CHECK_EQ(xfer(&g, C_READ_TRACK, 0, 4, 0, 1, 18, res), 7);
	CHECK_EQ(res[0] & 0xc0, 0);
	CHECK(ram_matches_image(&g, 0x20000, lba_of(2, 18, 4, 0, 1), 3));
	/* VERIFY to EOT moves no data and ends normally */
	memset(g.pm.ram + 0x30000, 0, 512);
	CHECK_EQ(xfer(&g, C_VERIFY, 0, 4, 0, 16, 18, res), 7);
	CHECK_EQ(res[0] & 0xc0, 0);
	CHECK_EQ(res[5], 1);
	CHECK_EQ(g.pm.ram[0x30000], 0);
	rig_fini(&g);
}

static void test_save_load(void)
{
	struct rig g, h;
	rig_init(&g, SZ_144, false);
	rig_init(&h, 0, false);
	CHECK_EQ(fdc_attach(h.f, 0, g.bd[0]), 0);
	recal(&g, 0);
	uint8_t c[3] = { C_SEEK, 0, 20 }, st0, pcn;
	CHECK(cmd(&g, c, 3));		/* save in the middle of the seek */
	struct snap s;
	snap_init(&s);
	g.fdc_dev.save(g.fdc_dev.opaque, &s);
	s.pos = 0;
	CHECK_EQ(h.fdc_dev.load(h.fdc_dev.opaque, &s), 0);
	CHECK_EQ(in(&h, MSR), 0x81);
	run(&h, 5 * MS);		/* h's clock is behind g's */
	CHECK_EQ(irq_level(&h), 1);
	sensei(&h, &st0, &pcn);
	CHECK_EQ(st0, 0x20);
	CHECK_EQ(pcn, 20);
	s.pos = 0;
	s.len = 12;
	CHECK_EQ(h.fdc_dev.load(h.fdc_dev.opaque, &s), -1);
	snap_free(&s);
	fdc_attach(h.f, 0, NULL);
	rig_fini(&h);
	rig_fini(&g);
}

/* whatever a guest does to the ports, the controller stays sane: every
 * MSR value is one the chip can show, the image keeps its size, and the
 * sanitizers see no bad access */
static void test_random_ports(void)
{
	struct rig g;
	rig_init(&g, SZ_144, false);
	make_image(&g, 1, SZ_360, false);
	static const uint16_t ports[] = {
		0x3f0, 0x3f1, 0x3f2, 0x3f3, 0x3f4, 0x3f5, 0x3f5, 0x3f5, 0x3f5, 0x3f7,
		0x04, 0x05, 0x0a, 0x0b, 0x0c, 0x81,
	};
	uint32_t x = 12345;
	bool msr_ok = true;
	for (int i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		uint16_t port = ports[(x >> 16) % (sizeof(ports) / sizeof(ports[0]))];
		uint8_t v = (uint8_t)(x >> 8);
		if (x & 0x80000000u) {
			/* bias towards commands the controller knows */
			if (port == 0x3f5 && (x & 0x40000000u))
				v = (uint8_t)((v & 0xe0) | (0x02 + (x >> 24) % 0x14));
			if (port == 0x3f2)
				v |= 0x0c;
			out(&g, port, v);
		} else {
			uint8_t m = in(&g, port);
			if (port == 0x3f4) {
				uint8_t hi = m & 0xf0;
				msr_ok &= m == 0 || hi == 0x80 || hi == 0x90 || hi == 0xd0 ||
					  hi == 0x10 || hi == 0x30 || hi == 0xb0 || hi == 0xf0;
			}
		}
		if ((x & 0xff) == 0)
			run(&g, (x >> 8) % (2 * MS));
	}
	CHECK(msr_ok);
	CHECK_EQ(blockdev_size(g.bd[0]), SZ_144);
	CHECK_EQ(blockdev_size(g.bd[1]), SZ_360);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("fdc");
	RUN(test_reset_and_polling);
	RUN(test_recalibrate_and_seek);
	RUN(test_read_dma);
	RUN(test_read_errors);
	RUN(test_write_dma);
	RUN(test_write_protect);
	RUN(test_read_id);
	RUN(test_format_track);
	RUN(test_pio_read_write);
	RUN(test_invalid_and_registers);
	RUN(test_disk_change);
	RUN(test_dma_unmasked_late);
	RUN(test_other_geometries);
	RUN(test_read_track_verify);
	RUN(test_save_load);
	RUN(test_random_ports);
	return CHECK_EXIT();
}
