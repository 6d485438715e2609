/* Fuzz harness: the PIIX3 IDE function on a PCI bus, with a disk as
 * primary master, a CD as secondary master (snapshot images in memfds, so
 * writes never reach a file), the bus-master block at a fixed BAR4 and
 * guest RAM holding whatever PRD tables the fuzzer pokes there; events
 * change or eject the CD. PCI config space is fuzzed through 0xcf8/0xcfc
 * too, so BAR4 may move or vanish mid-run. */
// SPDX-License-Identifier: MIT
// fuzz-runs: 15000
#include "testsuite/fuzz/fuzzrig.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hw/blockdev.h"
#include "hw/ide.h"
#include "hw/pci.h"

#define BM_BASE 0xc000

struct iderig {
	struct pci_bus *pci;
	struct ide *ide;
	struct blockdev *disk, *cd[2];
	int cd_in;			/* which of cd[] is in the drive, -1 none */
};

static const char *image(int which, unsigned sectors, unsigned secsize)
{
	static char path[3][64];
	if (!path[which][0]) {
		int fd = memfd_create("fuzz-ide", 0);
		if (fd < 0)
			abort();
		uint8_t sec[2048];
		for (unsigned s = 0; s < sectors; s++) {
			memset(sec, (int)(s + which), secsize);
			if (write(fd, sec, secsize) != (ssize_t)secsize)
				abort();
		}
		snprintf(path[which], sizeof(path[which]), "/proc/self/fd/%d", fd);
	}
	return path[which];
}

static void ide_event(struct fuzzrig *rig, uint8_t arg)
{
	struct iderig *s = rig->opaque;
	int want = arg % 3 == 2 ? -1 : arg % 3;
	if (want == s->cd_in)
		return;
	ide_cd_change(s->ide, 1, 0, want < 0 ? NULL : s->cd[want]);
	s->cd_in = want;
}

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct iderig s;
	memset(&s, 0, sizeof(s));
	s.disk = blockdev_open(image(0, 256, 512), BLOCKDEV_DISK, false, true);
	s.cd[0] = blockdev_open(image(1, 40, 2048), BLOCKDEV_CDROM, true, true);
	s.cd[1] = blockdev_open(image(2, 3, 2048), BLOCKDEV_CDROM, true, true);
	s.pci = pci_bus_new(&rig->io, &rig->mmio, &rig->pm);
	if (!s.disk || !s.cd[0] || !s.cd[1] || !s.pci)
		abort();
	s.ide = ide_new(s.pci, &rig->io, &rig->pm, fuzz_new_dev(rig));
	if (!s.ide)
		abort();
	ide_attach(s.ide, 0, 0, s.disk, false);
	ide_attach(s.ide, 1, 0, s.cd[0], true);
	s.cd_in = 0;
	/* as a BIOS leaves it: BAR4 at BM_BASE, I/O and bus mastering on,
	 * both channels decoded */
	unsigned fn = IDE_PIIX3_DEVFN;
	pci_config_write(s.pci, fn, 0x20, BM_BASE | 1, 4);
	pci_config_write(s.pci, fn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
	pci_config_write(s.pci, fn, 0x41, 0x80, 1);
	pci_config_write(s.pci, fn, 0x43, 0x80, 1);
	fuzz_range(rig, &rig->io, 0x1f0, 8);
	fuzz_range(rig, &rig->io, 0x1f0, 1);	/* the data port, often */
	fuzz_range(rig, &rig->io, 0x3f6, 1);
	fuzz_range(rig, &rig->io, 0x170, 8);
	fuzz_range(rig, &rig->io, 0x170, 1);
	fuzz_range(rig, &rig->io, 0x376, 1);
	fuzz_range(rig, &rig->io, BM_BASE, 16);
	fuzz_range(rig, &rig->io, 0xcf8, 8);
	rig->event = ide_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct iderig *s = rig->opaque;
	pci_bus_free(s->pci);
	ide_free(s->ide);
	blockdev_close(s->disk);
	blockdev_close(s->cd[0]);
	blockdev_close(s->cd[1]);
}
