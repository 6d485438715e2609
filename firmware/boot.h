/* Getting the guest to its first instruction: a firmware image at the reset
 * vector (-bios), or a kernel loaded directly (-kernel: Linux bzImage per the
 * x86 boot protocol, multiboot v1, or a plain ELF), with the tables a kernel
 * without a BIOS needs (e820 map / multiboot info, MP table for the CPUs and
 * the IOAPIC, and with boot_config.acpi the board's ACPI tables). Called at
 * power-on and again at every reset. */
#ifndef FIRMWARE_BOOT_H
#define FIRMWARE_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/state.h"
#include "mmu/physmap.h"

struct boot_config {
	const char *kernel;		/* -kernel, or NULL */
	const char *initrd;		/* -initrd (Linux) or multiboot modules, comma separated */
	const char *cmdline;		/* -append, or NULL */
	const char *bios;		/* -bios, or NULL for the default */
	int ncpus;
	/* a kernel gets the board's ACPI tables (firmware/acpi.h) as SeaBIOS
	 * would have installed them: the RSDP in the F segment, the rest in
	 * the top 128 KiB of low RAM (reserved in the e820 map); the board's
	 * devices the DSDT describes: */
	bool acpi;
	bool hpet;
	int floppies, ncom;		/* drives on the FDC; COM ports (0 to 2) */
	/* port I/O of the board: when set, the PIIX4 PM function gets its
	 * PMBASE (the I/O block the FADT names) as SeaBIOS programs it */
	struct bus *io;
};

/* the BIOS used when neither -kernel nor -bios is given */
#define BOOT_DEFAULT_BIOS "/usr/share/seabios/bios-256k.bin"

/* Load and set the boot CPU's entry state (bsp must be in reset state).
 * 0 on success; -1 after one error line naming the file and the problem. */
int boot_setup(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp);

#endif
