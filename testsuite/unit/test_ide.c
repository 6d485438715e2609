/* Unit tests for the PIIX3 IDE controller with ATA disks and an ATAPI
 * CD-ROM, driven through the ports and PRD tables as a driver would. */
// SPDX-License-Identifier: MIT
#include "hw/ide.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mmu/mmu.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define RAM_SIZE (2u << 20)
#define BMBASE 0xc000
#define PRD_AT 0x1000
#define DEVFN IDE_PIIX3_DEVFN

enum { DATA = 0, ERR = 1, FEAT = 1, NSECT = 2, LBAL = 3, LBAM = 4, LBAH = 5, SEL = 6,
       STAT = 7, CMD = 7 };

static const uint16_t cmdbase[2] = { 0x1f0, 0x170 }, ctlbase[2] = { 0x3f6, 0x376 };

struct rig {
	struct bus io, mmio;
	struct physmap pm;
	struct pci_bus *pci;
	struct ide *ide;
	struct device dev;
	int edges[2];
	struct blockdev *bd[4];
	char path[4][64];
	int nimg;
};

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 13 + (i >> 9) * 5 + 1);
}

static const char *make_image(struct rig *g, uint64_t size, bool sparse)
{
	char *name = g->path[g->nimg++];
	strcpy(name, "/tmp/trivisor-ide-XXXXXX");
	int fd = mkstemp(name);
	if (fd < 0)
		return NULL;
	if (sparse) {
		if (ftruncate(fd, (off_t)size)) {
			close(fd);
			return NULL;
		}
	} else {
		uint8_t *buf = malloc(size);
		for (uint64_t i = 0; i < size; i++)
			buf[i] = pattern(i);
		ssize_t n = write(fd, buf, size);
		free(buf);
		if (n != (ssize_t)size) {
			close(fd);
			return NULL;
		}
	}
	close(fd);
	return name;
}

static void rig_irq(void *opaque, int n, int level)
{
	struct rig *g = opaque;
	if (level)
		g->edges[n]++;
}

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	bus_init(&g->mmio, "mmio");
	physmap_init(&g->pm, RAM_SIZE, &g->mmio);
	g->pci = pci_bus_new(&g->io, &g->mmio, &g->pm);
	g->ide = ide_new(g->pci, &g->io, &g->pm, &g->dev);
	irq_connect(ide_irq(g->ide, 0), rig_irq, g, 0);
	irq_connect(ide_irq(g->ide, 1), rig_irq, g, 1);
	/* what the BIOS does: BAR4, I/O and bus mastering on, decode enable */
	pci_config_write(g->pci, DEVFN, 0x20, BMBASE, 4);
	pci_config_write(g->pci, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
	pci_config_write(g->pci, DEVFN, 0x40, 0x8000, 2);
	pci_config_write(g->pci, DEVFN, 0x42, 0x8000, 2);
}

/* attach a disk (or CD) of size bytes at channel/unit */
static struct blockdev *rig_disk(struct rig *g, int ch, int unit, uint64_t size, bool cd,
				 bool snapshot)
{
	const char *p = make_image(g, size, false);
	struct blockdev *bd = blockdev_open(p, cd ? BLOCKDEV_CDROM : BLOCKDEV_DISK, cd, snapshot);
	g->bd[g->nimg - 1] = bd;
	CHECK(bd != NULL);
	CHECK_EQ(ide_attach(g->ide, ch, unit, bd, cd), 0);
	return bd;
}

static void rig_fini(struct rig *g)
{
	pci_bus_free(g->pci);
	ide_free(g->ide);
	for (int i = 0; i < g->nimg; i++) {
		blockdev_close(g->bd[i]);
		unlink(g->path[i]);
	}
	physmap_destroy(&g->pm);
	bus_destroy(&g->io);
	bus_destroy(&g->mmio);
}

static uint8_t in(struct rig *g, int ch, unsigned reg)
{
	return (uint8_t)bus_read(&g->io, cmdbase[ch] + reg, 1);
}

static void out(struct rig *g, int ch, unsigned reg, uint8_t v)
{
	bus_write(&g->io, cmdbase[ch] + reg, v, 1);
}

static uint8_t altstat(struct rig *g, int ch)
{
	return (uint8_t)bus_read(&g->io, ctlbase[ch], 1);
}

static void devctl(struct rig *g, int ch, uint8_t v)
{
	bus_write(&g->io, ctlbase[ch], v, 1);
}

static uint16_t inw(struct rig *g, int ch)
{
	return (uint16_t)bus_read(&g->io, cmdbase[ch], 2);
}

static void outw(struct rig *g, int ch, uint16_t v)
{
	bus_write(&g->io, cmdbase[ch], v, 2);
}

static uint8_t bm_in(struct rig *g, int ch, unsigned reg)
{
	return (uint8_t)bus_read(&g->io, BMBASE + 8 * ch + reg, 1);
}

static void bm_out(struct rig *g, int ch, unsigned reg, uint32_t v, unsigned size)
{
	bus_write(&g->io, BMBASE + 8 * ch + reg, v, size);
}

/* LBA28 task file and command */
static void ata_lba28(struct rig *g, int ch, int unit, uint32_t lba, uint8_t count, uint8_t cmd)
{
	out(g, ch, SEL, (uint8_t)(0xe0 | unit << 4 | ((lba >> 24) & 0xf)));
	out(g, ch, NSECT, count);
	out(g, ch, LBAL, (uint8_t)lba);
	out(g, ch, LBAM, (uint8_t)(lba >> 8));
	out(g, ch, LBAH, (uint8_t)(lba >> 16));
	out(g, ch, CMD, cmd);
}

static void ata_lba48(struct rig *g, int ch, uint64_t lba, uint16_t count, uint8_t cmd)
{
	out(g, ch, SEL, 0x40);
	out(g, ch, NSECT, (uint8_t)(count >> 8));
	out(g, ch, LBAL, (uint8_t)(lba >> 24));
	out(g, ch, LBAM, (uint8_t)(lba >> 32));
	out(g, ch, LBAH, (uint8_t)(lba >> 40));
	out(g, ch, NSECT, (uint8_t)count);
	out(g, ch, LBAL, (uint8_t)lba);
	out(g, ch, LBAM, (uint8_t)(lba >> 8));
	out(g, ch, LBAH, (uint8_t)(lba >> 16));
	out(g, ch, CMD, cmd);
}

static void read_words(struct rig *g, int ch, uint16_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		w[i] = inw(g, ch);
}

static bool file_matches(const char *path, uint64_t off, const uint8_t *buf, size_t len)
{
	uint8_t *f = malloc(len);
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, f, len, (off_t)off) == (ssize_t)len &&
		  memcmp(f, buf, len) == 0;
	if (fd >= 0)
		close(fd);
	free(f);
	return ok;
}

static bool pattern_at(const uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(off + i))
			return false;
	return true;
}

/* ---- PCI function ---- */

static void test_pci_function(void)
{
	struct rig g;
	rig_init(&g);
	CHECK(g.ide != NULL);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x00, 4), 0x70108086);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x08, 4) >> 8, 0x010180);
	/* BAR4 sizes as 16 bytes of I/O */
	pci_config_write(g.pci, DEVFN, 0x20, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x20, 4), 0xfffffff1);
	pci_config_write(g.pci, DEVFN, 0x20, BMBASE, 4);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x20, 4), BMBASE | 1);
	/* the other BARs do not exist in legacy mode */
	pci_config_write(g.pci, DEVFN, 0x10, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x10, 4), 0);
	/* timing registers take what the BIOS writes */
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x40, 4), 0x80008000);
	pci_config_write(g.pci, DEVFN, 0x44, 0x5a, 1);
	CHECK_EQ(pci_config_read(g.pci, DEVFN, 0x44, 1), 0x5a);
	/* bus-master registers: PRD pointer dword aligned, status w1c */
	bm_out(&g, 1, 4, 0x12345677, 4);
	CHECK_EQ(bus_read(&g.io, BMBASE + 12, 4), 0x12345674);
	bm_out(&g, 0, 2, 0x60, 1);
	CHECK_EQ(bm_in(&g, 0, 2), 0x60);
	rig_fini(&g);
}

/* ---- ATA ---- */

static void test_identify(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 20000 * 512, false, false);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	out(&g, 0, SEL, 0xa0);
	out(&g, 0, CMD, 0xec);
	CHECK_EQ(g.edges[0], 1);
	CHECK_EQ(altstat(&g, 0), 0x58);
	CHECK_EQ(ide_irq(g.ide, 0)->level, 1);
	CHECK_EQ(in(&g, 0, STAT), 0x58);
	CHECK_EQ(ide_irq(g.ide, 0)->level, 0);	/* status read acknowledges */
	uint16_t w[256];
	read_words(&g, 0, w, 256);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK_EQ(w[0], 0x0040);
	/* 20000 sectors: 19 cylinders of 16 heads * 63 sectors */
	CHECK_EQ(w[1], 19);
	CHECK_EQ(w[3], 16);
	CHECK_EQ(w[6], 63);
	CHECK_EQ(w[54], 19);
	CHECK_EQ(w[55], 16);
	CHECK_EQ(w[56], 63);
	CHECK_EQ(w[57] | (uint32_t)w[58] << 16, 19 * 16 * 63);
	CHECK_EQ(w[60] | (uint32_t)w[61] << 16, 20000);
	CHECK_EQ(w[100], 20000);
	CHECK_EQ(w[101] | w[102] | w[103], 0);
	/* strings: first character in the high byte */
	CHECK_EQ(w[27], 'T' << 8 | 'R');
	CHECK_EQ(w[28], 'I' << 8 | 'V');
	CHECK_EQ(w[46], ' ' << 8 | ' ');
	CHECK_EQ(w[23], '1' << 8 | '.');
	CHECK(w[49] & (1 << 9));		/* LBA */
	CHECK(w[49] & (1 << 8));		/* DMA */
	CHECK(w[83] & (1 << 10));		/* LBA48 */
	CHECK(w[83] & (1 << 12));		/* FLUSH CACHE */
	CHECK(w[85] & (1 << 5));		/* write cache on */
	CHECK_EQ(w[47] & 0xff, 16);
	CHECK_EQ(w[63] & 0x707, 0x407);		/* MWDMA 0-2, 2 selected */
	/* SeaBIOS's "device 0 answers for an absent device 1" test */
	CHECK_EQ(w[93] & 0xdf61, 0x4041);

	/* SET FEATURES: UDMA 2, write cache off; IDENTIFY shows both */
	out(&g, 0, FEAT, 0x03);
	out(&g, 0, NSECT, 0x42);
	out(&g, 0, CMD, 0xef);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	out(&g, 0, FEAT, 0x82);
	out(&g, 0, CMD, 0xef);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	out(&g, 0, FEAT, 0x03);
	out(&g, 0, NSECT, 0x47);		/* no UDMA 7 */
	out(&g, 0, CMD, 0xef);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x04);
	out(&g, 0, CMD, 0xec);
	read_words(&g, 0, w, 256);
	CHECK_EQ(w[88], 0x043f);
	CHECK_EQ(w[63] & 0x700, 0);
	CHECK(!(w[85] & (1 << 5)));

	/* INITIALIZE DEVICE PARAMETERS: 8 heads, 32 sectors */
	out(&g, 0, SEL, 0xa7);
	out(&g, 0, NSECT, 32);
	out(&g, 0, CMD, 0x91);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	out(&g, 0, CMD, 0xec);
	read_words(&g, 0, w, 256);
	CHECK_EQ(w[54], 20000 / (8 * 32));
	CHECK_EQ(w[55], 8);
	CHECK_EQ(w[56], 32);
	CHECK_EQ(w[1], 19);			/* the default stays */
	rig_fini(&g);
}

static void test_big_disk_identify(void)
{
	struct rig g;
	rig_init(&g);
	uint64_t sectors = 1ull << 29;		/* 256 GiB, sparse */
	const char *p = make_image(&g, sectors * 512, true);
	struct blockdev *bd = p ? blockdev_open(p, BLOCKDEV_DISK, false, true) : NULL;
	g.bd[g.nimg - 1] = bd;
	if (!bd) {
		printf("  (no sparse 256 GiB file here; skipped)\n");
		rig_fini(&g);
		return;
	}
	CHECK_EQ(ide_attach(g.ide, 0, 0, bd, false), 0);
	out(&g, 0, SEL, 0xa0);
	out(&g, 0, CMD, 0xec);
	uint16_t w[256];
	read_words(&g, 0, w, 256);
	CHECK_EQ(w[1], 16383);
	CHECK_EQ(w[60] | (uint32_t)w[61] << 16, 0x0fffffff);
	CHECK_EQ(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, sectors);
	/* LBA48 reaches past 2^28: write the last sector, read it back */
	ata_lba48(&g, 0, sectors - 1, 1, 0x34);
	CHECK_EQ(in(&g, 0, STAT), 0x58);
	for (int i = 0; i < 256; i++)
		outw(&g, 0, (uint16_t)(0x4d00 + i));
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	ata_lba48(&g, 0, sectors - 1, 1, 0x24);
	read_words(&g, 0, w, 256);
	CHECK_EQ(w[0], 0x4d00);
	CHECK_EQ(w[255], 0x4dff);
	/* LBA28 addresses wrap inside 2^28: sector 0 there is the file's */
	ata_lba28(&g, 0, 0, 0x0fffffff, 1, 0x20);
	read_words(&g, 0, w, 256);
	CHECK_EQ(w[0], 0);
	/* one past the end: IDNF */
	ata_lba48(&g, 0, sectors - 1, 2, 0x24);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x10);
	rig_fini(&g);
}

static void test_pio_lba28(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 2048 * 512, false, false);
	const char *path = g.path[0];
	/* read 3 sectors at LBA 7: an interrupt per sector */
	ata_lba28(&g, 0, 0, 7, 3, 0x20);
	uint8_t buf[3 * 512];
	for (int s = 0; s < 3; s++) {
		CHECK_EQ(g.edges[0], s + 1);
		CHECK_EQ(in(&g, 0, STAT), 0x58);
		/* 32-bit and 16-bit data port accesses mixed */
		for (int i = 0; i < 512; i += 4) {
			uint32_t v = (uint32_t)bus_read(&g.io, 0x1f0, 4);
			memcpy(buf + 512 * s + i, &v, 4);
		}
	}
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK_EQ(g.edges[0], 3);
	CHECK(pattern_at(buf, 7 * 512, sizeof(buf)));
	CHECK_EQ(in(&g, 0, LBAL), 10);		/* the next sector */

	/* write 2 sectors at LBA 500: no interrupt before the first block */
	int e = g.edges[0];
	ata_lba28(&g, 0, 0, 500, 2, 0x30);
	CHECK_EQ(g.edges[0], e);
	CHECK_EQ(in(&g, 0, STAT), 0x58);
	uint8_t wr[1024];
	for (int i = 0; i < 1024; i++)
		wr[i] = (uint8_t)(i ^ 0x5a);
	for (int i = 0; i < 1024; i += 2) {
		outw(&g, 0, (uint16_t)(wr[i] | wr[i + 1] << 8));
		if (i == 510) {		/* block done: interrupt, status */
			CHECK_EQ(g.edges[0], e + 1);
			CHECK_EQ(in(&g, 0, STAT), 0x58);
		}
	}
	CHECK_EQ(g.edges[0], e + 2);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK(file_matches(path, 500 * 512, wr, sizeof(wr)));
	CHECK(file_matches(path, 499 * 512, (uint8_t[512]){ 0 }, 0));

	/* CHS: cylinder 0, head 1, sector 1 with 16 heads/63 sectors = LBA 63 */
	out(&g, 0, SEL, 0xa1);
	out(&g, 0, NSECT, 1);
	out(&g, 0, LBAL, 1);
	out(&g, 0, LBAM, 0);
	out(&g, 0, LBAH, 0);
	out(&g, 0, CMD, 0x20);
	read_words(&g, 0, (uint16_t *)buf, 256);
	CHECK(pattern_at(buf, 63 * 512, 512));
	/* sector 0 does not exist in CHS */
	out(&g, 0, LBAL, 0);
	out(&g, 0, CMD, 0x20);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x10);

	/* past the end: IDNF, nothing transferred */
	ata_lba28(&g, 0, 0, 2047, 2, 0x20);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x10);
	ata_lba28(&g, 0, 0, 2047, 1, 0x20);
	CHECK_EQ(in(&g, 0, STAT), 0x58);
	read_words(&g, 0, (uint16_t *)buf, 256);
	CHECK(pattern_at(buf, 2047 * 512, 512));

	/* unknown command: ABRT */
	out(&g, 0, CMD, 0xff);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x04);
	rig_fini(&g);
}

static void test_pio_lba48(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 0x3000 * 512, false, false);
	/* the high bytes go in first; HOB reads them back */
	ata_lba48(&g, 0, 0x1234, 2, 0x24);
	devctl(&g, 0, 0x80);
	CHECK_EQ(in(&g, 0, NSECT), 0);
	devctl(&g, 0, 0x00);
	uint8_t buf[1024];
	read_words(&g, 0, (uint16_t *)buf, 512);
	CHECK(pattern_at(buf, 0x1234 * 512, sizeof(buf)));
	CHECK_EQ(in(&g, 0, LBAL), 0x36);
	CHECK_EQ(in(&g, 0, LBAM), 0x12);
	/* WRITE MULTIPLE EXT with 8 sectors per block: 2 blocks of 8, 1 of 4 */
	out(&g, 0, NSECT, 8);
	out(&g, 0, CMD, 0xc6);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	int e = g.edges[0];
	ata_lba48(&g, 0, 0x2000, 20, 0x39);
	uint8_t wr[20 * 512];
	for (size_t i = 0; i < sizeof(wr); i++)
		wr[i] = (uint8_t)(i * 3);
	for (size_t i = 0; i < sizeof(wr); i += 2) {
		outw(&g, 0, (uint16_t)(wr[i] | wr[i + 1] << 8));
		if ((i + 2) % (8 * 512) == 0)
			CHECK_EQ(in(&g, 0, STAT), 0x58);
	}
	CHECK_EQ(g.edges[0], e + 3);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK(file_matches(g.path[0], 0x2000 * 512, wr, sizeof(wr)));
	rig_fini(&g);
}

static void test_read_multiple(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 1, 0, 100 * 512, false, false);
	/* without SET MULTIPLE it is refused */
	ata_lba28(&g, 1, 0, 0, 10, 0xc4);
	CHECK_EQ(in(&g, 1, STAT), 0x51);
	CHECK_EQ(in(&g, 1, ERR), 0x04);
	/* not a power of two */
	out(&g, 1, NSECT, 3);
	out(&g, 1, CMD, 0xc6);
	CHECK_EQ(in(&g, 1, STAT), 0x51);
	out(&g, 1, NSECT, 4);
	out(&g, 1, CMD, 0xc6);
	CHECK_EQ(in(&g, 1, STAT), 0x50);
	int e = g.edges[1];
	ata_lba28(&g, 1, 0, 20, 10, 0xc4);
	uint8_t buf[10 * 512];
	unsigned got = 0;
	while (in(&g, 1, STAT) & 0x08)
		for (int i = 0; i < 256; i++, got += 2) {
			uint16_t v = inw(&g, 1);
			if (got < sizeof(buf)) {
				buf[got] = (uint8_t)v;
				buf[got + 1] = (uint8_t)(v >> 8);
			}
		}
	CHECK_EQ(got, sizeof(buf));
	CHECK_EQ(g.edges[1], e + 3);		/* blocks of 4, 4 and 2 */
	CHECK(pattern_at(buf, 20 * 512, sizeof(buf)));
	CHECK_EQ(g.edges[0], 0);		/* the other channel stayed quiet */
	rig_fini(&g);
}

/* ---- DMA ---- */

static void put_prd(struct rig *g, uint32_t at, uint32_t addr, uint32_t count, bool eot)
{
	uint32_t e[2] = { addr, (count & 0xffff) | (eot ? 0x80000000u : 0) };
	phys_write(&g->pm, at, e, 8);
}

static void test_dma(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 1000 * 512, false, false);
	uint8_t *ram = g.pm.ram;
	/* READ DMA of 3 sectors into two buffers: 1024 and 512 bytes */
	put_prd(&g, PRD_AT, 0x10000, 1024, false);
	put_prd(&g, PRD_AT + 8, 0x20000, 512, true);
	bm_out(&g, 0, 4, PRD_AT, 4);
	ata_lba28(&g, 0, 0, 40, 3, 0xc8);
	CHECK_EQ(g.edges[0], 0);		/* waits for the bus master */
	CHECK(altstat(&g, 0) & 0x08);
	bm_out(&g, 0, 0, 0x09, 1);		/* start, to memory */
	CHECK_EQ(g.edges[0], 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x04);	/* interrupt, not active */
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK(pattern_at(ram + 0x10000, 40 * 512, 1024));
	CHECK(pattern_at(ram + 0x20000, 42 * 512, 512));
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x04, 1);		/* clear the interrupt bit */
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0);

	/* WRITE DMA EXT from RAM; bus master started before the command */
	for (int i = 0; i < 2048; i++)
		ram[0x30000 + i] = (uint8_t)(i * 11);
	put_prd(&g, PRD_AT, 0x30000, 2048, true);
	bm_out(&g, 0, 0, 0x01, 1);		/* start, from memory */
	ata_lba48(&g, 0, 600, 4, 0x35);
	CHECK_EQ(g.edges[0], 2);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x04);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK(file_matches(g.path[0], 600 * 512, ram + 0x30000, 2048));
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);

	/* a table longer than the transfer: done, but the engine stays active */
	put_prd(&g, PRD_AT, 0x10000, 4096, true);
	ata_lba28(&g, 0, 0, 1, 1, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x05);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	bm_out(&g, 0, 0, 0x00, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x04);
	bm_out(&g, 0, 2, 0x04, 1);

	/* a table shorter than the transfer: no interrupt, engine stopped */
	int e = g.edges[0];
	put_prd(&g, PRD_AT, 0x10000, 512, true);
	ata_lba28(&g, 0, 0, 1, 2, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(g.edges[0], e);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x00);
	bm_out(&g, 0, 0, 0x00, 1);

	/* direction wrong: nothing moves, nothing breaks */
	memset(ram + 0x10000, 0xee, 512);
	put_prd(&g, PRD_AT, 0x10000, 512, true);
	ata_lba28(&g, 0, 0, 1, 1, 0xc8);
	bm_out(&g, 0, 0, 0x01, 1);
	CHECK_EQ(ram[0x10000], 0xee);
	CHECK(altstat(&g, 0) & 0x08);
	bm_out(&g, 0, 0, 0x00, 1);
	rig_fini(&g);
}

static uint64_t dropped[8];
static int ndropped;

static bool note_drop(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	(void)len;
	if (ndropped < 8)
		dropped[ndropped++] = gpa & ~0xfffull;
	return false;
}

/* a DMA into a page the CPUs ran code from drops what they derived from
 * it, as a CPU's write would: else a program read from disk into a page
 * that held another's code runs the old translation */
static void test_dma_drops_code(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 1000 * 512, false, false);
	struct codepages cp;
	CHECK_EQ(codepages_init(&cp, &g.pm), 0);
	cp.invalidate = note_drop;
	ndropped = 0;
	codepages_mark(&cp, 0x10000);
	codepages_mark(&cp, 0x11000);
	codepages_mark(&cp, 0x40000);
	/* 1.5 KiB from 0x10c00: the pages at 0x10000 and 0x11000 */
	put_prd(&g, PRD_AT, 0x10c00, 1536, true);
	bm_out(&g, 0, 4, PRD_AT, 4);
	ata_lba28(&g, 0, 0, 7, 3, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x04);
	CHECK(pattern_at(g.pm.ram + 0x10c00, 7 * 512, 1536));
	CHECK_EQ(ndropped, 2);
	CHECK_EQ(dropped[0], 0x10000);
	CHECK_EQ(dropped[1], 0x11000);
	CHECK(!codepages_is_marked(&cp, 0x10000));
	CHECK(codepages_is_marked(&cp, 0x40000));
	/* a WRITE DMA only reads guest memory */
	put_prd(&g, PRD_AT, 0x40000, 512, true);
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);
	bm_out(&g, 0, 0, 0x01, 1);
	ata_lba28(&g, 0, 0, 9, 1, 0xca);
	CHECK_EQ(ndropped, 2);
	CHECK(codepages_is_marked(&cp, 0x40000));
	codepages_destroy(&cp);
	CHECK(g.pm.code == NULL);
	rig_fini(&g);
}

static void test_dma_bad_tables(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 1000 * 512, false, false);
	uint8_t *ram = g.pm.ram;

	/* a buffer past the end of RAM: error, the disk aborts */
	put_prd(&g, PRD_AT, RAM_SIZE - 512, 4096, true);
	ata_lba28(&g, 0, 0, 0, 8, 0xc8);
	bm_out(&g, 0, 4, PRD_AT, 4);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x06);	/* error and interrupt */
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(in(&g, 0, ERR), 0x04);
	CHECK(pattern_at(ram + RAM_SIZE - 512, 0, 512));	/* what fit, moved */
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);

	/* the table itself outside RAM */
	bm_out(&g, 0, 4, 0xf0000000u, 4);
	ata_lba28(&g, 0, 0, 0, 1, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x06);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);

	/* a table with no end: 64 KiB of 2-byte descriptors, all at one
	 * buffer, for a transfer that would need 65536 of them */
	uint32_t table = 0x100000;
	for (uint32_t i = 0; i < 0x10000; i += 8)
		put_prd(&g, table + i, 0x30000, 2, false);
	/* descriptors past the 64 KiB span must not be followed */
	for (uint32_t i = 0x10000; i < 0x20000; i += 8)
		put_prd(&g, table + i, 0x50000, 2, false);
	memset(ram + 0x50000, 0x77, 64);
	bm_out(&g, 0, 4, table, 4);
	ata_lba28(&g, 0, 0, 0, 0, 0xc8);	/* 256 sectors */
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x06);
	CHECK_EQ(in(&g, 0, STAT), 0x51);
	CHECK_EQ(ram[0x50000], 0x77);
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);

	/* near the top of the 32-bit space: no wrap, no high RAM */
	put_prd(&g, PRD_AT, 0xffffff00u, 0x1000, true);
	bm_out(&g, 0, 4, PRD_AT, 4);
	ata_lba28(&g, 0, 0, 0, 8, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(bm_in(&g, 0, 2) & 7, 0x06);
	bm_out(&g, 0, 0, 0x00, 1);
	bm_out(&g, 0, 2, 0x06, 1);

	/* bus mastering off in PCI: nothing happens */
	pci_config_write(g.pci, DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
	memset(ram + 0x10000, 0xee, 512);
	put_prd(&g, PRD_AT, 0x10000, 512, true);
	ata_lba28(&g, 0, 0, 0, 1, 0xc8);
	bm_out(&g, 0, 0, 0x09, 1);
	CHECK_EQ(ram[0x10000], 0xee);
	rig_fini(&g);
}

/* ---- flush, write cache, snapshot ---- */

static void test_flush_and_snapshot(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 64 * 512, false, false);
	rig_disk(&g, 1, 0, 64 * 512, false, true);
	uint8_t wr[512];
	for (int i = 0; i < 512; i++)
		wr[i] = (uint8_t)(255 - i);
	for (int ch = 0; ch < 2; ch++) {
		ata_lba28(&g, ch, 0, 9, 1, 0x30);
		for (int i = 0; i < 512; i += 2)
			outw(&g, ch, (uint16_t)(wr[i] | wr[i + 1] << 8));
		out(&g, ch, CMD, 0xe7);		/* FLUSH CACHE */
		CHECK_EQ(in(&g, ch, STAT), 0x50);
		out(&g, ch, CMD, 0xea);		/* FLUSH CACHE EXT */
		CHECK_EQ(in(&g, ch, STAT), 0x50);
		/* the guest reads its own write back either way */
		ata_lba28(&g, ch, 0, 9, 1, 0x20);
		uint8_t rd[512];
		read_words(&g, ch, (uint16_t *)rd, 256);
		CHECK(memcmp(rd, wr, 512) == 0);
	}
	CHECK(file_matches(g.path[0], 9 * 512, wr, 512));
	/* the snapshot disk's file is untouched */
	uint8_t orig[512];
	for (int i = 0; i < 512; i++)
		orig[i] = pattern(9 * 512 + i);
	CHECK(file_matches(g.path[1], 9 * 512, orig, 512));

	/* CHECK POWER MODE after STANDBY IMMEDIATE, and back */
	out(&g, 0, CMD, 0xe0);
	out(&g, 0, CMD, 0xe5);
	CHECK_EQ(in(&g, 0, NSECT), 0x00);
	out(&g, 0, CMD, 0xe1);
	out(&g, 0, CMD, 0xe5);
	CHECK_EQ(in(&g, 0, NSECT), 0xff);
	rig_fini(&g);
}

/* ---- reset, signatures, absent drives ---- */

static void test_srst_signature(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 64 * 512, false, false);
	rig_disk(&g, 0, 1, 16 * 2048, true, false);
	out(&g, 0, NSECT, 0x55);
	out(&g, 0, LBAM, 0x99);
	devctl(&g, 0, 0x06);			/* SRST, nIEN */
	CHECK_EQ(altstat(&g, 0) & 0x80, 0x80);
	devctl(&g, 0, 0x02);
	CHECK_EQ(in(&g, 0, SEL) & 0x10, 0);	/* device 0 selected */
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	CHECK_EQ(in(&g, 0, ERR), 0x01);
	CHECK_EQ(in(&g, 0, NSECT), 1);
	CHECK_EQ(in(&g, 0, LBAL), 1);
	CHECK_EQ(in(&g, 0, LBAM), 0);
	CHECK_EQ(in(&g, 0, LBAH), 0);
	out(&g, 0, SEL, 0xb0);
	CHECK_EQ(in(&g, 0, SEL), 0xb0);
	CHECK_EQ(in(&g, 0, STAT), 0x00);	/* packet device: DRDY clear */
	CHECK_EQ(in(&g, 0, ERR), 0x01);
	CHECK_EQ(in(&g, 0, NSECT), 1);
	CHECK_EQ(in(&g, 0, LBAL), 1);
	CHECK_EQ(in(&g, 0, LBAM), 0x14);
	CHECK_EQ(in(&g, 0, LBAH), 0xeb);
	/* nIEN keeps the line low through a command */
	out(&g, 0, SEL, 0xa0);
	out(&g, 0, CMD, 0xec);
	CHECK_EQ(ide_irq(g.ide, 0)->level, 0);
	devctl(&g, 0, 0x00);			/* ... and lets it through after */
	CHECK_EQ(ide_irq(g.ide, 0)->level, 1);
	CHECK_EQ(in(&g, 0, STAT), 0x58);
	/* EXECUTE DEVICE DIAGNOSTIC: both signatures, device 0 signals */
	out(&g, 0, CMD, 0x90);
	CHECK_EQ(in(&g, 0, ERR), 0x01);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	/* the device reset also serves a snapshot round trip */
	struct snap s;
	snap_init(&s);
	g.dev.save(g.dev.opaque, &s);
	s.pos = 0;
	CHECK_EQ(g.dev.load(g.dev.opaque, &s), 0);
	snap_free(&s);
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	rig_fini(&g);
}

/* what SeaBIOS's ata_detect and libata's devchk/classify read */
static bool seabios_sees(struct rig *g, int ch, int unit)
{
	uint8_t dh = unit ? 0xb0 : 0xa0;
	out(g, ch, SEL, dh);
	if (in(g, ch, STAT) & 0x80)
		return false;
	uint8_t rdh = in(g, ch, SEL);
	out(g, ch, NSECT, 0x55);
	out(g, ch, LBAL, 0xaa);
	if (in(g, ch, NSECT) != 0x55 || in(g, ch, LBAL) != 0xaa || rdh != dh)
		return false;
	/* ATAPI first, then ATA: each needs DRQ after the command */
	out(g, ch, CMD, 0xa1);
	if (altstat(g, ch) & 0x08) {
		for (int i = 0; i < 256; i++)
			inw(g, ch);
		return true;
	}
	if (!in(g, ch, STAT))
		return false;			/* "status not set: no drive" */
	out(g, ch, CMD, 0xec);
	if (!(altstat(g, ch) & 0x08))
		return false;
	for (int i = 0; i < 256; i++)
		inw(g, ch);
	return true;
}

static void test_absent_drives(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 64 * 512, false, false);
	/* channel 1 empty: everything reads zero, SeaBIOS finds nobody */
	CHECK_EQ(in(&g, 1, STAT), 0);
	CHECK_EQ(altstat(&g, 1), 0);
	CHECK(!seabios_sees(&g, 1, 0));
	CHECK(!seabios_sees(&g, 1, 1));
	CHECK_EQ(g.edges[1], 0);
	/* channel 0: the master is found, the slave is not */
	CHECK(seabios_sees(&g, 0, 0));
	CHECK(!seabios_sees(&g, 0, 1));
	/* libata: after SRST the absent slave shows error 0 and status 0 */
	devctl(&g, 0, 0x04);
	devctl(&g, 0, 0x00);
	out(&g, 0, SEL, 0xb0);
	CHECK_EQ(in(&g, 0, ERR), 0);
	CHECK_EQ(in(&g, 0, STAT), 0);
	/* a command to the absent slave goes nowhere, the master keeps its state */
	out(&g, 0, CMD, 0xec);
	CHECK_EQ(altstat(&g, 0), 0);
	out(&g, 0, SEL, 0xa0);
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	/* a data read with nothing to read is harmless */
	CHECK_EQ(inw(&g, 0), 0);
	CHECK_EQ(ide_attach(g.ide, 0, 0, g.bd[0], false), (uint64_t)-1);	/* taken */
	CHECK_EQ(ide_attach(g.ide, 2, 0, g.bd[0], false), (uint64_t)-1);
	rig_fini(&g);
}

/* ---- ATAPI ---- */

/* send a packet by PIO with byte count limit bcl (or DMA); returns the
 * bytes of data read into buf (up to max) */
static unsigned packet(struct rig *g, int ch, const uint8_t *cdb, uint16_t bcl, bool dma,
		       uint8_t *buf, unsigned max, int *blocks)
{
	out(g, ch, FEAT, dma ? 1 : 0);
	out(g, ch, LBAM, (uint8_t)bcl);
	out(g, ch, LBAH, (uint8_t)(bcl >> 8));
	out(g, ch, CMD, 0xa0);
	CHECK_EQ(altstat(g, ch) & 0x89, 0x08);
	CHECK_EQ(in(g, ch, NSECT) & 3, 1);	/* command out */
	for (int i = 0; i < 12; i += 2)
		outw(g, ch, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
	unsigned got = 0;
	int n = 0;
	while (!dma && (in(g, ch, STAT) & 0x08)) {
		CHECK_EQ(in(g, ch, NSECT) & 3, 2);	/* data in */
		unsigned len = in(g, ch, LBAM) | in(g, ch, LBAH) << 8;
		CHECK(len <= bcl || bcl == 0);
		n++;
		for (unsigned i = 0; i < len; i += 2) {
			uint16_t v = inw(g, ch);
			if (got + 1 < max) {
				buf[got] = (uint8_t)v;
				buf[got + 1] = (uint8_t)(v >> 8);
			}
			got += i + 1 < len ? 2 : 1;
		}
	}
	if (blocks)
		*blocks = n;
	return got;
}

static uint8_t sense_key(struct rig *g, int ch, uint8_t *asc)
{
	uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 }, b[18] = { 0 };
	CHECK_EQ(packet(g, ch, cdb, 18, false, b, sizeof(b), NULL), 18);
	*asc = b[12];
	return b[2] & 0xf;
}

static void test_atapi(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 1, 0, 8 * 512, false, false);
	struct blockdev *cd = rig_disk(&g, 1, 1, 300 * 2048, true, false);
	const char *p2 = make_image(&g, 50 * 2048, false);
	struct blockdev *cd2 = blockdev_open(p2, BLOCKDEV_CDROM, true, false);
	g.bd[g.nimg - 1] = cd2;
	uint8_t b[8192];
	uint16_t w[256];
	out(&g, 1, SEL, 0xb0);
	/* IDENTIFY DEVICE is refused with the packet signature */
	out(&g, 1, CMD, 0xec);
	CHECK_EQ(in(&g, 1, STAT) & 0x01, 1);
	CHECK_EQ(in(&g, 1, LBAM), 0x14);
	CHECK_EQ(in(&g, 1, LBAH), 0xeb);
	out(&g, 1, CMD, 0xa1);
	read_words(&g, 1, w, 256);
	CHECK_EQ(w[0], 0x85c0);
	CHECK_EQ(w[27], 'T' << 8 | 'R');
	CHECK(w[49] & (1 << 8));

	uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
	CHECK_EQ(packet(&g, 1, inq, 0x200, false, b, sizeof(b), NULL), 36);
	CHECK_EQ(b[0], 0x05);
	CHECK_EQ(b[1], 0x80);
	CHECK(memcmp(b + 8, "TRIVISOR", 8) == 0);
	CHECK_EQ(in(&g, 1, STAT), 0x50);
	CHECK_EQ(in(&g, 1, NSECT) & 3, 3);	/* status phase */
	/* the allocation length cuts the reply */
	inq[4] = 5;
	CHECK_EQ(packet(&g, 1, inq, 0x200, false, b, sizeof(b), NULL), 5);

	uint8_t tur[12] = { 0x00 };
	CHECK_EQ(packet(&g, 1, tur, 0, false, b, sizeof(b), NULL), 0);
	CHECK_EQ(in(&g, 1, STAT), 0x50);

	uint8_t cap[12] = { 0x25 };
	CHECK_EQ(packet(&g, 1, cap, 8, false, b, sizeof(b), NULL), 8);
	CHECK_EQ(b[3], 299 & 0xff);
	CHECK_EQ(b[2], 299 >> 8);
	CHECK_EQ(b[6] << 8 | b[7], 2048);

	/* READ(10) of 3 blocks at 100, byte count limit 2048: 3 DRQ blocks */
	uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 100, 0, 0, 3 };
	int blocks;
	CHECK_EQ(packet(&g, 1, rd, 2048, false, b, sizeof(b), &blocks), 3 * 2048);
	CHECK_EQ(blocks, 3);
	CHECK(pattern_at(b, 100 * 2048, 3 * 2048));
	/* an odd limit not dividing the data: blocks of 3000 and the rest */
	CHECK_EQ(packet(&g, 1, rd, 3001, false, b, sizeof(b), &blocks), 3 * 2048);
	CHECK_EQ(blocks, 3);
	CHECK(pattern_at(b, 100 * 2048, 3 * 2048));
	/* READ(12) by DMA */
	uint8_t rd12[12] = { 0xa8, 0, 0, 0, 0, 7, 0, 0, 0, 2 };
	put_prd(&g, PRD_AT, 0x40000, 4096, true);
	bm_out(&g, 1, 4, PRD_AT, 4);
	bm_out(&g, 1, 0, 0x09, 1);
	packet(&g, 1, rd12, 0, true, b, sizeof(b), NULL);
	CHECK_EQ(bm_in(&g, 1, 2) & 7, 0x04);
	CHECK_EQ(in(&g, 1, STAT), 0x50);
	CHECK_EQ(in(&g, 1, NSECT) & 3, 3);
	CHECK(pattern_at(g.pm.ram + 0x40000, 7 * 2048, 4096));
	bm_out(&g, 1, 0, 0x00, 1);
	bm_out(&g, 1, 2, 0x04, 1);

	/* out of range: 05/21 */
	uint8_t far[12] = { 0x28, 0, 0, 0, 0x01, 0x2b, 0, 0, 2 };	/* 299 + 2 */
	CHECK_EQ(packet(&g, 1, far, 2048, false, b, sizeof(b), NULL), 0);
	CHECK_EQ(in(&g, 1, STAT), 0x41);
	CHECK_EQ(in(&g, 1, ERR) >> 4, 5);
	uint8_t asc;
	CHECK_EQ(sense_key(&g, 1, &asc), 5);
	CHECK_EQ(asc, 0x21);
	/* unknown opcode: 05/20 */
	uint8_t bad[12] = { 0xff };
	packet(&g, 1, bad, 2048, false, b, sizeof(b), NULL);
	CHECK_EQ(sense_key(&g, 1, &asc), 5);
	CHECK_EQ(asc, 0x20);

	/* READ TOC: track 1 at 0, lead-out at 300; then in MSF */
	uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
	CHECK_EQ(packet(&g, 1, toc, 0x400, false, b, sizeof(b), NULL), 20);
	CHECK_EQ(b[1], 18);
	CHECK_EQ(b[2], 1);
	CHECK_EQ(b[3], 1);
	CHECK_EQ(b[5], 0x14);
	CHECK_EQ(b[6], 1);
	CHECK_EQ(b[11], 0);
	CHECK_EQ(b[14], 0xaa);
	CHECK_EQ(b[18] << 8 | b[19], 300);
	toc[1] = 2;
	packet(&g, 1, toc, 0x400, false, b, sizeof(b), NULL);
	CHECK_EQ(b[9] << 16 | b[10] << 8 | b[11], 0x000200);		/* 00:02:00 */
	CHECK_EQ(b[17] << 16 | b[18] << 8 | b[19], 0x000600);	/* 450 frames */
	toc[2] = 1;					/* sessions */
	CHECK_EQ(packet(&g, 1, toc, 0x400, false, b, sizeof(b), NULL), 12);
	CHECK_EQ(b[6], 1);
	toc[2] = 2;					/* full TOC */
	CHECK_EQ(packet(&g, 1, toc, 0x400, false, b, sizeof(b), NULL), 48);
	CHECK_EQ(b[4 + 3], 0xa0);
	CHECK_EQ(b[4 + 22 + 3], 0xa2);
	CHECK_EQ(b[4 + 22 + 8] << 16 | b[4 + 22 + 9] << 8 | b[4 + 22 + 10], 0x000600);

	/* MODE SENSE(10) page 2A */
	uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64 };
	CHECK_EQ(packet(&g, 1, ms, 0x400, false, b, sizeof(b), NULL), 30);
	CHECK_EQ(b[8], 0x2a);
	CHECK_EQ(b[1], 28);
	/* GET CONFIGURATION: current profile CD-ROM */
	uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 64 };
	CHECK(packet(&g, 1, gc, 0x400, false, b, sizeof(b), NULL) > 8);
	CHECK_EQ(b[6] << 8 | b[7], 0x0008);
	/* GESN polled, media class: nothing new yet, medium present */
	uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
	CHECK_EQ(packet(&g, 1, gesn, 0x400, false, b, sizeof(b), NULL), 8);
	CHECK_EQ(b[2], 4);
	CHECK_EQ(b[4], 0);
	CHECK_EQ(b[5], 2);

	/* the host swaps the disc: UNIT ATTENTION 28h once, then it reads */
	CHECK(ide_cd_change(g.ide, 1, 1, cd2) == cd);
	packet(&g, 1, gesn, 0x400, false, b, sizeof(b), NULL);
	CHECK_EQ(b[4], 2);				/* new media */
	packet(&g, 1, tur, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(in(&g, 1, STAT) & 1, 1);
	CHECK_EQ(in(&g, 1, ERR) >> 4, 6);
	CHECK_EQ(sense_key(&g, 1, &asc), 6);
	CHECK_EQ(asc, 0x28);
	packet(&g, 1, tur, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(in(&g, 1, STAT), 0x50);
	CHECK_EQ(packet(&g, 1, cap, 8, false, b, sizeof(b), NULL), 8);
	CHECK_EQ(b[3], 49);
	/* taken out: NOT READY 3Ah */
	CHECK(ide_cd_change(g.ide, 1, 1, NULL) == cd2);
	packet(&g, 1, tur, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(in(&g, 1, ERR) >> 4, 2);
	CHECK_EQ(sense_key(&g, 1, &asc), 2);
	CHECK_EQ(asc, 0x3a);
	CHECK_EQ(packet(&g, 1, rd, 2048, false, b, sizeof(b), NULL), 0);
	CHECK_EQ(sense_key(&g, 1, &asc), 2);
	/* back in; the guest ejects it (locked first: refused) */
	ide_cd_change(g.ide, 1, 1, cd);
	sense_key(&g, 1, &asc);				/* takes the unit attention */
	uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 }, eject[12] = { 0x1b, 0, 0, 0, 2 };
	packet(&g, 1, lock, 0, false, b, sizeof(b), NULL);
	packet(&g, 1, eject, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(in(&g, 1, STAT) & 1, 1);
	lock[4] = 0;
	packet(&g, 1, lock, 0, false, b, sizeof(b), NULL);
	packet(&g, 1, eject, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(in(&g, 1, STAT), 0x50);
	packet(&g, 1, tur, 0, false, b, sizeof(b), NULL);
	CHECK_EQ(sense_key(&g, 1, &asc), 2);
	/* the master disk on the same channel was never disturbed */
	out(&g, 1, SEL, 0xa0);
	ata_lba28(&g, 1, 0, 2, 1, 0x20);
	read_words(&g, 1, (uint16_t *)b, 256);
	CHECK(pattern_at(b, 2 * 512, 512));
	rig_fini(&g);
}

static void test_save_load_mid_transfer(void)
{
	struct rig g;
	rig_init(&g);
	rig_disk(&g, 0, 0, 100 * 512, false, false);
	ata_lba28(&g, 0, 0, 30, 2, 0x20);
	uint16_t w[512];
	read_words(&g, 0, w, 100);
	struct snap s;
	snap_init(&s);
	g.dev.save(g.dev.opaque, &s);
	/* the guest goes on to something else, then the state comes back */
	out(&g, 0, CMD, 0xec);
	read_words(&g, 0, w + 100, 256);
	s.pos = 0;
	CHECK_EQ(g.dev.load(g.dev.opaque, &s), 0);
	read_words(&g, 0, w + 100, 412);
	CHECK(pattern_at((uint8_t *)w, 30 * 512, 1024));
	CHECK_EQ(in(&g, 0, STAT), 0x50);
	/* a truncated state is refused */
	s.pos = 0;
	s.len = 40;
	CHECK_EQ(g.dev.load(g.dev.opaque, &s), (uint64_t)-1);
	snap_free(&s);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("ide");
	RUN(test_pci_function);
	RUN(test_identify);
	RUN(test_big_disk_identify);
	RUN(test_pio_lba28);
	RUN(test_pio_lba48);
	RUN(test_read_multiple);
	RUN(test_dma);
	RUN(test_dma_drops_code);
	RUN(test_dma_bad_tables);
	RUN(test_flush_and_snapshot);
	RUN(test_srst_signature);
	RUN(test_absent_drives);
	RUN(test_atapi);
	RUN(test_save_load_mid_transfer);
	return CHECK_EXIT();
}
