/* Unit tests of guest RAM and the physical address map. */
// SPDX-License-Identifier: MIT
#include "mmu/physmap.h"

#include <string.h>
#include <sys/mman.h>
#include "testsuite/unit/check.h"

struct log {
	int adds, dels;
};

static void on_add(void *o, const struct physmap_region *r) { (void)r; ((struct log *)o)->adds++; }
static void on_del(void *o, const struct physmap_region *r) { (void)r; ((struct log *)o)->dels++; }

static void test_layout_small(void)
{
	struct physmap pm;
	CHECK_EQ(physmap_init(&pm, 64 << 20, NULL), 0);
	CHECK_EQ(pm.lowmem, 64 << 20);
	CHECK_EQ(pm.highmem, 0);
	CHECK(physmap_is_ram(&pm, 0, 0xa0000));
	CHECK(!physmap_is_ram(&pm, 0x9f000, 0x2000));	/* runs into the VGA hole */
	CHECK(physmap_find(&pm, 0xb8000) == NULL);
	CHECK(physmap_is_ram(&pm, 0x100000, 63 << 20));
	CHECK(!physmap_is_ram(&pm, (64 << 20) - 4096, 8192));
	CHECK(physmap_host(&pm, 0x1000, 16) == pm.ram + 0x1000);
	CHECK(physmap_host(&pm, 0xc0000, 16) == pm.ram + 0xc0000);
	physmap_destroy(&pm);
}

static void test_layout_above_4g(void)
{
	struct physmap pm;
	CHECK_EQ(physmap_init(&pm, 4ull << 30, NULL), 0);
	CHECK_EQ(pm.lowmem, PHYSMAP_LOWMEM_MAX);
	CHECK_EQ(pm.highmem, (4ull << 30) - PHYSMAP_LOWMEM_MAX);
	CHECK(physmap_find(&pm, 0xfee00000) == NULL);
	CHECK(physmap_host(&pm, PHYSMAP_HIGHMEM_BASE, 8) == pm.ram + PHYSMAP_LOWMEM_MAX);
	physmap_destroy(&pm);
}

static void test_rom_overlay_and_listener(void)
{
	struct physmap pm;
	struct log l = { 0, 0 };
	CHECK_EQ(physmap_init(&pm, 16 << 20, NULL), 0);
	struct physmap_listener lis = { on_add, on_del, &l };
	physmap_set_listener(&pm, &lis);
	CHECK_EQ(l.adds, 2);	/* replay of the two low RAM regions */
	uint8_t *rom = mmap(NULL, 0x20000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(rom, 0xea, 0x20000);
	CHECK_EQ(physmap_add(&pm, 0xe0000, 0x20000, PM_ROM, rom, "bios"), 0);
	CHECK_EQ(l.dels, 1);	/* the RAM above C0000 was split around it */
	const struct physmap_region *r = physmap_find(&pm, 0xf0000);
	CHECK(r && r->kind == PM_ROM);
	CHECK(physmap_find(&pm, 0x100000)->kind == PM_RAM);
	CHECK(physmap_find(&pm, 0xd0000)->kind == PM_RAM);
	/* writes to ROM are dropped, forced writes land */
	uint8_t b = 0x11;
	phys_write(&pm, 0xffff0, &b, 1);
	CHECK_EQ(rom[0x1fff0], 0xea);
	phys_write_force(&pm, 0xffff0, &b, 1);
	CHECK_EQ(rom[0x1fff0], 0x11);
	/* a read across the ROM/RAM boundary */
	uint8_t two[2];
	pm.ram[0x100000] = 0x22;
	phys_read(&pm, 0xfffff, two, 2);
	CHECK_EQ(two[0], 0xea);
	CHECK_EQ(two[1], 0x22);
	CHECK_EQ(physmap_add(&pm, 0x1234, 0x1000, PM_ROM, rom, "unaligned"), -1);
	munmap(rom, 0x20000);
	physmap_destroy(&pm);
}

static void test_unmapped_reads_ff(void)
{
	struct physmap pm;
	struct bus mmio;
	bus_init(&mmio, "mmio");
	CHECK_EQ(physmap_init(&pm, 2 << 20, &mmio), 0);
	uint32_t v = 0;
	phys_read(&pm, 0xfec00000, &v, 4);
	CHECK_EQ(v, 0xffffffff);
	phys_write(&pm, 0xfec00000, &v, 4);	/* dropped */
	physmap_destroy(&pm);
	bus_destroy(&mmio);
}

int main(void)
{
	CHECK_SUITE("unit/physmap");
	RUN(test_layout_small);
	RUN(test_layout_above_4g);
	RUN(test_rom_overlay_and_listener);
	RUN(test_unmapped_reads_ff);
	return CHECK_EXIT();
}
