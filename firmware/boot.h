/* Getting the guest to its first instruction: a firmware image at the reset
 * vector (-bios), or a kernel loaded directly (-kernel: Linux bzImage per the
 * x86 boot protocol, multiboot v1, or a plain ELF), with the tables a kernel
 * without a BIOS needs (e820 map / multiboot info, MP table for the CPUs and
 * the IOAPIC). Called at power-on and again at every reset. */
#ifndef FIRMWARE_BOOT_H
#define FIRMWARE_BOOT_H

#include <stdint.h>
#include "cpu/state.h"
#include "mmu/physmap.h"

struct boot_config {
	const char *kernel;		/* -kernel, or NULL */
	const char *initrd;		/* -initrd (Linux) or multiboot modules, comma separated */
	const char *cmdline;		/* -append, or NULL */
	const char *bios;		/* -bios, or NULL for the default */
	int ncpus;
};

/* the BIOS used when neither -kernel nor -bios is given */
#define BOOT_DEFAULT_BIOS "/usr/share/seabios/bios-256k.bin"

/* Load and set the boot CPU's entry state (bsp must be in reset state).
 * 0 on success; -1 after one error line naming the file and the problem. */
int boot_setup(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp);

#endif
