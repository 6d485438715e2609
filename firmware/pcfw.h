/* What the PC board tells SeaBIOS through fw_cfg, filled in one call, as
 * QEMU's "pc" machine does: the signature keys (by fwcfg_new), RAM size,
 * CPU counts, UUID, NUMA (none), boot menu, IRQ0 override, "etc/e820",
 * "bootorder", "etc/boot-fail-wait", the SMBIOS files (firmware/smbios.h)
 * and the ACPI files with their loader script (firmware/acpi.h). */
#ifndef FIRMWARE_PCFW_H
#define FIRMWARE_PCFW_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/fwcfg.h"

#define PCFW_IDE_DRIVES 4	/* index = channel * 2 + unit (0 master, 1 slave) */
#define PCFW_MAX_RESERVED 4

enum pcfw_drive { PCFW_NONE, PCFW_DISK, PCFW_CDROM };

struct pcfw_config {
	uint64_t ram_size;		/* all of it: split at 3 GiB as mmu/physmap.h does */
	int ncpus;
	/* QEMU's -boot letters in order: a/b floppy, c disks, d CD-ROMs,
	 * n network (nothing to name); NULL or "" writes no "bootorder" */
	const char *boot_order;
	bool boot_menu;
	bool nographic;			/* SeaBIOS then also talks on COM1 */
	bool reboot_on_boot_fail;	/* else SeaBIOS waits when nothing boots */
	uint32_t boot_fail_wait_ms;
	enum pcfw_drive ide[PCFW_IDE_DRIVES];	/* on the PIIX3 IDE, 00:01.1 */
	int floppies;			/* drives on the FDC at 0x3f0 (0: no FDC in ACPI) */
	bool hpet;
	int ncom;			/* COM1 and COM2 present: 0, 1 or 2 */
	uint8_t uuid[16];
	uint32_t cpuid_eax, cpuid_edx;	/* CPUID leaf 1, for SMBIOS type 4 */
	/* extra reserved e820 ranges (the pages a hardware tier keeps for
	 * itself below the BIOS, say) */
	struct {
		uint64_t addr, size;
	} reserved[PCFW_MAX_RESERVED];
	int nreserved;
};

/* 0, or -1 after one error line (a config the tables cannot describe, an
 * unknown boot letter) */
int pcfw_setup(struct fwcfg *fw, const struct pcfw_config *cfg);

#endif
