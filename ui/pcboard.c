/* The machine config's drives, VGA and firmware tables onto the PC board. */
// SPDX-License-Identifier: MIT
#include "ui/pcboard.h"

#include <stdlib.h>
#include <string.h>
#include "firmware/loader.h"
#include "firmware/pcfw.h"
#include "hw/blockdev.h"
#include "hw/log.h"

#define VGA_ROM_MAX (256u << 10)

static enum blockdev_media drive_media(const struct drive_spec *d)
{
	if (d->iface == DRIVE_FLOPPY)
		return BLOCKDEV_FLOPPY;
	return d->cdrom ? BLOCKDEV_CDROM : BLOCKDEV_DISK;
}

int pcboard_open(const struct machine_config *cfg, struct board_config *bc,
		 struct pcboard_res *res)
{
	memset(res, 0, sizeof(*res));
	for (int i = 0; i < cfg->ndrive; i++) {
		const struct drive_spec *d = &cfg->drive[i];
		/* ATA has no slave without a master: the BIOS and the
		 * guest's driver would never look for it */
		if (d->iface == DRIVE_IDE && (d->index & 1)) {
			bool master = false;
			for (int j = 0; j < cfg->ndrive; j++)
				if (cfg->drive[j].iface == DRIVE_IDE && cfg->drive[j].index == d->index - 1)
					master = true;
			if (!master) {
				log_error("%s: an IDE slave needs a master on its channel (give -hd%c or index=%d first)",
					  d->file, 'a' + d->index - 1, d->index - 1);
				goto fail;
			}
		}
		struct blockdev *bd = blockdev_open(d->file, drive_media(d), d->readonly, d->snapshot);
		if (!bd)
			goto fail;
		res->drive[i] = bd;
		if (d->iface == DRIVE_FLOPPY) {
			bc->floppy[d->index] = bd;
		} else {
			bc->ide[d->index] = bd;
			bc->ide_cdrom[d->index] = d->cdrom;
		}
	}
	bc->vga = !strcmp(cfg->vga, "std");
	if (bc->vga) {
		struct boot_file *f = &res->vga_rom;
		if (loader_read(f, PCBOARD_VGA_BIOS, 512, VGA_ROM_MAX, "for a VGA BIOS (256 KiB at most)") < 0) {
			log_error("%s: the VGA BIOS is missing (it comes with Debian's seabios package; -vga none runs without a VGA)",
				  PCBOARD_VGA_BIOS);
			goto fail;
		}
		bc->vga_rom = f->data;
		bc->vga_romlen = f->size;
	}
	bc->hpet = cfg->hpet;
	bc->testdev = cfg->testdev;
	return 0;
fail:
	pcboard_close(res);
	return -1;
}

void pcboard_close(struct pcboard_res *res)
{
	for (int i = 0; i < CFG_MAX_DRIVES; i++)
		if (res->drive[i])
			blockdev_close(res->drive[i]);
	loader_free(&res->vga_rom);
	memset(res, 0, sizeof(*res));
}

int pcboard_firmware(const struct machine_config *cfg, struct board *b)
{
	struct pcfw_config pc = {
		.ram_size = cfg->ram_size,
		.ncpus = cfg->ncpus,
		.boot_order = cfg->boot_order,
		.boot_menu = cfg->boot_menu,
		.nographic = cfg->nographic,
		.reboot_on_boot_fail = cfg->boot_reboot_timeout >= 0,
		.boot_fail_wait_ms = cfg->boot_reboot_timeout >= 0 ? (uint32_t)cfg->boot_reboot_timeout : 0,
		.hpet = cfg->hpet,
		.ncom = 2,
		/* the pages the hardware tier keeps for its TSS and identity
		 * map (cpu/kvm.c), never RAM for the guest */
		.reserved = { { 0xfffbc000ull, 0x4000 } },
		.nreserved = 1,
	};
	for (int i = 0; i < cfg->ndrive; i++) {
		const struct drive_spec *d = &cfg->drive[i];
		if (d->iface == DRIVE_FLOPPY)
			pc.floppies++;
		else
			pc.ide[d->index] = d->cdrom ? PCFW_CDROM : PCFW_DISK;
	}
	return pcfw_setup(b->fwcfg, &pc);
}
