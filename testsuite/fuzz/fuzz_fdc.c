/* Fuzz harness: the floppy controller and both 8237s, with a 1.44M disk in
 * drive A and a write-protected 360K one in B (snapshot images, so writes
 * never reach the files); events swap the disks, as a user would. */
// SPDX-License-Identifier: MIT
#include "testsuite/fuzz/fuzzrig.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hw/blockdev.h"
#include "hw/dma8237.h"
#include "hw/fdc.h"

struct fdcrig {
	struct dma8237 *dma;
	struct fdc *fdc;
	struct blockdev *bd[2];
};

/* an image in a memfd, named by /proc/self/fd, made once per process */
static const char *image(unsigned kib)
{
	static char path[2][64];
	static unsigned made[2];
	int i = kib == 1440 ? 0 : 1;
	if (!made[i]) {
		int fd = memfd_create("fuzz-floppy", 0);
		if (fd < 0)
			abort();
		uint8_t sec[512];
		for (unsigned s = 0; s < kib * 2; s++) {
			memset(sec, (int)s, sizeof(sec));
			if (write(fd, sec, sizeof(sec)) != (ssize_t)sizeof(sec))
				abort();
		}
		snprintf(path[i], sizeof(path[i]), "/proc/self/fd/%d", fd);
		made[i] = kib;
	}
	return path[i];
}

static void fdc_event(struct fuzzrig *rig, uint8_t arg)
{
	struct fdcrig *s = rig->opaque;
	int drive = arg & 1;
	fdc_attach(s->fdc, drive, (arg & 2) ? NULL : s->bd[drive]);
}

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct fdcrig s;
	s.bd[0] = blockdev_open(image(1440), BLOCKDEV_FLOPPY, false, true);
	s.bd[1] = blockdev_open(image(360), BLOCKDEV_FLOPPY, true, true);
	s.dma = dma8237_new(&rig->io, &rig->pm, fuzz_new_dev(rig));
	s.fdc = fdc_new(&rig->io, s.dma, &rig->clock, fuzz_new_dev(rig));
	if (!s.bd[0] || !s.bd[1] || !s.dma || !s.fdc)
		abort();
	fdc_attach(s.fdc, 0, s.bd[0]);
	fdc_attach(s.fdc, 1, s.bd[1]);
	fuzz_range(rig, &rig->io, 0x3f0, 6);
	fuzz_range(rig, &rig->io, 0x3f7, 1);
	fuzz_range(rig, &rig->io, 0x3f4, 2);	/* the FIFO, twice as often */
	fuzz_range(rig, &rig->io, 0x00, 16);
	fuzz_range(rig, &rig->io, 0xc0, 32);
	fuzz_range(rig, &rig->io, 0x81, 3);
	fuzz_range(rig, &rig->io, 0x87, 1);
	fuzz_range(rig, &rig->io, 0x89, 3);
	fuzz_range(rig, &rig->io, 0x8f, 1);
	rig->event = fdc_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct fdcrig *s = rig->opaque;
	fdc_free(s->fdc);
	dma8237_free(s->dma);
	blockdev_close(s->bd[0]);
	blockdev_close(s->bd[1]);
}
