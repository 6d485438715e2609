/* The board's memory map as the e820 BIOS call would report it. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#define EBDA_BASE 0x9fc00ull		/* last KiB of base memory: the EBDA */
#define BIOS_LOW_BASE 0xf0000ull
#define IOAPIC_BASE 0xfec00000ull
#define LAPIC_BASE 0xfee00000ull
#define BIOS_HIGH_SIZE 0x40000ull	/* top of 4G: where a 256 KiB BIOS sits */

static int add(struct e820_entry *e, int n, uint64_t addr, uint64_t size, uint32_t type)
{
	if (size == 0 || n >= E820_MAX_ENTRIES)
		return n;
	e[n].addr = addr;
	e[n].size = size;
	e[n].type = type;
	return n + 1;
}

/* sorted by address, never overlapping; the reserved ranges are listed even
 * without a BIOS so a kernel leaves them alone */
int e820_build(const struct physmap *pm, uint64_t ram_top, struct e820_entry *e)
{
	if (ram_top < 0x100000 || ram_top > pm->lowmem)
		ram_top = pm->lowmem;
	int n = 0;
	uint64_t base_ram = pm->lowmem < EBDA_BASE ? pm->lowmem : EBDA_BASE;
	n = add(e, n, 0, base_ram, E820_RAM);
	n = add(e, n, EBDA_BASE, 0xa0000 - EBDA_BASE, E820_RESERVED);
	n = add(e, n, BIOS_LOW_BASE, 0x100000 - BIOS_LOW_BASE, E820_RESERVED);
	if (ram_top > 0x100000)
		n = add(e, n, 0x100000, ram_top - 0x100000, E820_RAM);
	/* the ACPI tables, as SeaBIOS reports its high zone that holds them */
	n = add(e, n, ram_top, pm->lowmem - ram_top, E820_RESERVED);
	n = add(e, n, IOAPIC_BASE, 0x1000, E820_RESERVED);
	n = add(e, n, LAPIC_BASE, 0x1000, E820_RESERVED);
	n = add(e, n, PHYSMAP_HIGHMEM_BASE - BIOS_HIGH_SIZE, BIOS_HIGH_SIZE, E820_RESERVED);
	n = add(e, n, PHYSMAP_HIGHMEM_BASE, pm->highmem, E820_RAM);
	return n;
}
