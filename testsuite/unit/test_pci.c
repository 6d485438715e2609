/* Unit tests of PCI bus 0: configuration mechanism #1 through its ports,
 * config masks, BAR sizing and decoding, the expansion ROM, INTx -> PIRQ. */
// SPDX-License-Identifier: MIT
#include "hw/pci.h"

#include <string.h>
#include <sys/mman.h>
#include "hw/device.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define RAM (16u << 20)
#define DEV_A PCI_DEVFN(3, 0)
#define DEV_B PCI_DEVFN(4, 0)

struct rig {
	struct bus io, mmio;
	struct physmap pm;
	struct pci_bus *pci;
	struct pci_dev a, b;
	uint8_t fb[0x2000];		/* host memory behind A's BAR 2 */
	uint64_t last_off;
	int writes;
	int pirq[4];
};

static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
	struct rig *g = opaque;
	(void)size;
	g->last_off = off;
	return 0x5a00 + off;
}

static void regs_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct rig *g = opaque;
	(void)v; (void)size;
	g->last_off = off;
	g->writes++;
}

static const struct bus_ops regs_ops = { regs_read, regs_write, 1, 4 };

static void pirq_rec(void *opaque, int n, int level)
{
	((struct rig *)opaque)->pirq[n] = level;
}

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	bus_init(&g->mmio, "mmio");
	CHECK_EQ(physmap_init(&g->pm, RAM, &g->mmio), 0);
	g->pci = pci_bus_new(&g->io, &g->mmio, &g->pm);
	CHECK(g->pci != NULL);
	for (int n = 0; n < 4; n++)
		irq_connect(pci_pirq(g->pci, n), pirq_rec, g, n);

	/* A: I/O BAR 0 (16 bytes), MMIO BAR 1 (4 KiB), 64-bit host memory
	 * BAR 2-3 (8 KiB, prefetchable), an expansion ROM, interrupt pin A */
	pci_config_init(&g->a, 0x1234, 0x5678, 0x01, 0x020000, 0);
	g->a.config[PCI_INTERRUPT_PIN] = 1;
	pci_bar_io(&g->a, 0, 16, &regs_ops, g);
	pci_bar_mmio(&g->a, 1, 0x1000, false, false, &regs_ops, g);
	pci_bar_hostmem(&g->a, 2, sizeof(g->fb), true, true, g->fb);
	uint8_t rom[5000];
	memset(rom, 0xaa, sizeof(rom));
	rom[0] = 0x55;
	CHECK_EQ(pci_rom(&g->a, rom, sizeof(rom)), 0);
	CHECK_EQ(pci_register(g->pci, &g->a, DEV_A, "dev-a"), 0);
	/* B: no BARs, interrupt pin D */
	pci_config_init(&g->b, 0x1234, 0x9abc, 0x00, 0x0c0300, 0);
	g->b.config[PCI_INTERRUPT_PIN] = 4;
	CHECK_EQ(pci_register(g->pci, &g->b, DEV_B, "dev-b"), 0);
}

static void rig_fini(struct rig *g)
{
	pci_bus_free(g->pci);
	physmap_destroy(&g->pm);
	bus_destroy(&g->io);
	bus_destroy(&g->mmio);
}

static void cfg_addr(struct rig *g, unsigned devfn, unsigned reg)
{
	bus_write(&g->io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
}

static uint32_t cfg_rd(struct rig *g, unsigned devfn, unsigned reg, unsigned size)
{
	cfg_addr(g, devfn, reg);
	return (uint32_t)bus_read(&g->io, 0xcfc + (reg & 3), size);
}

static void cfg_wr(struct rig *g, unsigned devfn, unsigned reg, uint32_t v, unsigned size)
{
	cfg_addr(g, devfn, reg);
	bus_write(&g->io, 0xcfc + (reg & 3), v, size);
}

static void test_mechanism1(void)
{
	struct rig g;
	rig_init(&g);
	/* the address register: dword only, reserved bits read 0 */
	bus_write(&g.io, 0xcf8, 0xfffffffful, 4);
	CHECK_EQ(bus_read(&g.io, 0xcf8, 4), 0x80fffffc);
	bus_write(&g.io, 0xcf8, 0x80001800, 4);
	bus_write(&g.io, 0xcf8, 0x12, 1);		/* not a config address write */
	bus_write(&g.io, 0xcfa, 0x3456, 2);
	CHECK_EQ(bus_read(&g.io, 0xcf8, 4), 0x80001800);
	CHECK_EQ(bus_read(&g.io, 0xcf8, 1), 0xff);
	/* byte lanes of the data port */
	CHECK_EQ(cfg_rd(&g, DEV_A, 0, 4), 0x56781234);
	CHECK_EQ(cfg_rd(&g, DEV_A, 2, 2), 0x5678);
	CHECK_EQ(cfg_rd(&g, DEV_A, 1, 1), 0x12);
	CHECK_EQ(cfg_rd(&g, DEV_A, 3, 1), 0x56);
	CHECK_EQ(cfg_rd(&g, DEV_A, 8, 4), 0x02000001);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x2c, 4), 0x11001af4);	/* QEMU's subsystem ids */
	/* nothing there: all ones; another bus: all ones; enable clear: all ones */
	CHECK_EQ(cfg_rd(&g, PCI_DEVFN(7, 0), 0, 4), 0xffffffff);
	CHECK_EQ(cfg_rd(&g, PCI_DEVFN(3, 1), 0, 2), 0xffff);
	bus_write(&g.io, 0xcf8, 0x80011800, 4);
	CHECK_EQ(bus_read(&g.io, 0xcfc, 4), 0xffffffff);
	bus_write(&g.io, 0xcf8, 0x00001800, 4);
	CHECK_EQ(bus_read(&g.io, 0xcfc, 4), 0xffffffff);
	bus_write(&g.io, 0xcfc, 0, 4);			/* dropped */
	/* read-only registers stay; writable ones take the value */
	cfg_wr(&g, DEV_A, 0, 0, 4);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0, 4), 0x56781234);
	cfg_wr(&g, DEV_A, 0x3c, 0xab, 1);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x3c, 1), 0xab);
	cfg_wr(&g, DEV_A, 0x3d, 0x03, 1);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x3d, 1), 0x01);
	cfg_wr(&g, DEV_A, 0x40, 0x11223344, 4);	/* device-specific: plain bytes */
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x42, 2), 0x1122);
	/* status: write 1 to clear */
	g.a.config[PCI_STATUS + 1] = 0xf9;
	cfg_wr(&g, DEV_A, PCI_STATUS, 0x0100, 2);
	CHECK_EQ(cfg_rd(&g, DEV_A, PCI_STATUS, 2), 0xf800);
	CHECK(pci_find(g.pci, DEV_A) == &g.a);
	CHECK(pci_find(g.pci, PCI_DEVFN(9, 0)) == NULL);
	rig_fini(&g);
}

static void test_bar_sizing_and_io_mmio(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x10, 4), 0x1);
	cfg_wr(&g, DEV_A, 0x10, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x10, 4), 0xfffffff1);
	cfg_wr(&g, DEV_A, 0x14, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x14, 4), 0xfffff000);
	cfg_wr(&g, DEV_A, 0x10, 0xc000, 4);
	cfg_wr(&g, DEV_A, 0x14, 0xe0000000, 4);
	/* not decoded until the command register enables the space */
	CHECK_EQ(bus_read(&g.io, 0xc004, 2), 0xffff);
	cfg_wr(&g, DEV_A, PCI_COMMAND, PCI_COMMAND_IO, 2);
	CHECK_EQ(bus_read(&g.io, 0xc004, 2), 0x5a04);
	CHECK_EQ(bus_read(&g.mmio, 0xe0000010, 4), 0xffffffff);
	cfg_wr(&g, DEV_A, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	CHECK_EQ(bus_read(&g.mmio, 0xe0000010, 4), 0x5a10);
	uint32_t v = 0;
	phys_read(&g.pm, 0xe0000020, &v, 1);
	CHECK_EQ(v, 0x20);
	/* moving the BAR frees the old place */
	cfg_wr(&g, DEV_A, 0x10, 0xd010, 4);
	CHECK_EQ(bus_read(&g.io, 0xc004, 2), 0xffff);
	bus_read(&g.io, 0xd01f, 1);
	CHECK_EQ(g.last_off, 0xf);
	CHECK_EQ(g.a.bar[0].mapped, 0xd010);
	/* an I/O BAR past 64 KiB decodes nothing */
	cfg_wr(&g, DEV_A, 0x10, 0x10000, 4);
	CHECK_EQ(g.a.bar[0].mapped, PCI_BAR_UNMAPPED);
	/* an MMIO BAR over RAM stays unmapped; RAM wins */
	cfg_wr(&g, DEV_A, 0x14, 0x200000, 4);
	CHECK_EQ(g.a.bar[1].mapped, PCI_BAR_UNMAPPED);
	g.pm.ram[0x200000] = 0x77;
	phys_read(&g.pm, 0x200000, &v, 1);
	CHECK_EQ(v & 0xff, 0x77);
	/* decode off: everything goes */
	cfg_wr(&g, DEV_A, 0x14, 0xe0000000, 4);
	CHECK_EQ(g.a.bar[1].mapped, 0xe0000000);
	cfg_wr(&g, DEV_A, PCI_COMMAND, 0, 2);
	CHECK_EQ(g.a.bar[1].mapped, PCI_BAR_UNMAPPED);
	CHECK(bus_find(&g.mmio, 0xe0000000) == NULL);
	rig_fini(&g);
}

static void test_bar_hostmem_64bit(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x18, 4), 0xc);	/* 64-bit, prefetchable */
	cfg_wr(&g, DEV_A, 0x18, 0xffffffff, 4);
	cfg_wr(&g, DEV_A, 0x1c, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x18, 4), 0xffffe00c);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x1c, 4), 0xffffffff);
	cfg_wr(&g, DEV_A, 0x18, 0x40000000, 4);
	cfg_wr(&g, DEV_A, 0x1c, 0x2, 4);
	uint64_t gen = physmap_generation(&g.pm);
	cfg_wr(&g, DEV_A, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	CHECK(physmap_generation(&g.pm) != gen);
	CHECK_EQ(g.a.bar[2].mapped, 0x240000000ull);
	g.fb[0x1234] = 0x99;
	uint8_t b = 0;
	phys_read(&g.pm, 0x240001234ull, &b, 1);
	CHECK_EQ(b, 0x99);
	b = 0x42;
	phys_write(&g.pm, 0x240000010ull, &b, 1);
	CHECK_EQ(g.fb[0x10], 0x42);
	/* host memory moved onto the MMIO BAR stays unmapped; once the MMIO
	 * BAR moves away it maps */
	cfg_wr(&g, DEV_A, 0x14, 0x40000000, 4);	/* below 4G: free */
	CHECK_EQ(g.a.bar[1].mapped, 0x40000000);
	cfg_wr(&g, DEV_A, 0x1c, 0x0, 4);		/* host memory onto the MMIO BAR */
	CHECK_EQ(g.a.bar[2].mapped, PCI_BAR_UNMAPPED);
	cfg_wr(&g, DEV_A, 0x14, 0x50000000, 4);	/* the MMIO BAR leaves: retried */
	CHECK_EQ(g.a.bar[2].mapped, 0x40000000);
	CHECK(physmap_host(&g.pm, 0x40000000, 1) == g.fb);
	/* reset: everything unmapped, registers as registered */
	pci_bus_reset(g.pci);
	CHECK_EQ(g.a.bar[2].mapped, PCI_BAR_UNMAPPED);
	CHECK(physmap_find(&g.pm, 0x40000000) == NULL);
	CHECK_EQ(cfg_rd(&g, DEV_A, 0x18, 4), 0xc);
	CHECK_EQ(cfg_rd(&g, DEV_A, PCI_COMMAND, 2), 0);
	rig_fini(&g);
}

static void test_rom_bar(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(g.a.bar[PCI_ROM_SLOT].size, 0x2000);	/* 5000 bytes: 8 KiB */
	cfg_wr(&g, DEV_A, PCI_ROM_ADDRESS, 0xfffff800, 4);
	CHECK_EQ(cfg_rd(&g, DEV_A, PCI_ROM_ADDRESS, 4), 0xffffe000);
	cfg_wr(&g, DEV_A, PCI_ROM_ADDRESS, 0xfeb00000, 4);
	cfg_wr(&g, DEV_A, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	uint8_t b[2] = { 0, 0 };
	phys_read(&g.pm, 0xfeb00000, b, 1);
	CHECK_EQ(b[0], 0xff);				/* enable bit clear */
	cfg_wr(&g, DEV_A, PCI_ROM_ADDRESS, 0xfeb00001, 4);
	phys_read(&g.pm, 0xfeb00000, b, 2);
	CHECK_EQ(b[0], 0x55);
	CHECK_EQ(b[1], 0xaa);
	phys_read(&g.pm, 0xfeb01fff, b, 1);
	CHECK_EQ(b[0], 0xff);				/* padding */
	b[0] = 0;
	phys_write(&g.pm, 0xfeb00000, b, 1);		/* read-only */
	phys_read(&g.pm, 0xfeb00000, b, 1);
	CHECK_EQ(b[0], 0x55);
	/* the ROM may not land on RAM */
	cfg_wr(&g, DEV_A, PCI_ROM_ADDRESS, 0x00100001, 4);
	CHECK_EQ(g.a.bar[PCI_ROM_SLOT].mapped, PCI_BAR_UNMAPPED);
	CHECK(physmap_is_ram(&g.pm, 0x100000, 0x2000));
	rig_fini(&g);
}

static void test_intx_pirq_sharing(void)
{
	struct rig g;
	rig_init(&g);
	/* QEMU's wiring, pin A = 0: A, slot 3 pin A -> PIRQ (3+0-1)&3 = C;
	 * B, slot 4 pin D -> (4+3-1)&3 = C */
	pci_set_irq(&g.a, 1);
	CHECK_EQ(g.pirq[2], 1);
	CHECK_EQ(cfg_rd(&g, DEV_A, PCI_STATUS, 1) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	pci_set_irq(&g.b, 1);
	pci_set_irq(&g.a, 0);
	CHECK_EQ(g.pirq[2], 1);				/* B still holds it */
	CHECK_EQ(cfg_rd(&g, DEV_A, PCI_STATUS, 1) & PCI_STATUS_INTERRUPT, 0);
	/* INTx disable masks the pin but not the status */
	cfg_wr(&g, DEV_B, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	CHECK_EQ(g.pirq[2], 0);
	CHECK_EQ(cfg_rd(&g, DEV_B, PCI_STATUS, 1) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	cfg_wr(&g, DEV_B, PCI_COMMAND, 0, 2);
	CHECK_EQ(g.pirq[2], 1);
	pci_set_irq(&g.b, 0);
	CHECK_EQ(g.pirq[2], 0);
	CHECK_EQ(g.pirq[0] | g.pirq[1] | g.pirq[3], 0);
	rig_fini(&g);
}

static void test_multifunction_and_save(void)
{
	struct rig g;
	rig_init(&g);
	struct pci_dev f0, f2;
	memset(&f0, 0, sizeof(f0));
	memset(&f2, 0, sizeof(f2));
	pci_config_init(&f0, 0x8086, 0x1111, 0, 0x060100, 0);
	pci_config_init(&f2, 0x8086, 0x2222, 0, 0x010180, 0);
	CHECK_EQ(pci_register(g.pci, &f2, PCI_DEVFN(5, 2), "f2"), 0);
	CHECK_EQ(pci_register(g.pci, &f0, PCI_DEVFN(5, 0), "f0"), 0);
	CHECK_EQ(cfg_rd(&g, PCI_DEVFN(5, 0), PCI_HEADER_TYPE, 1), 0x80);
	CHECK_EQ(cfg_rd(&g, PCI_DEVFN(5, 2), PCI_HEADER_TYPE, 1), 0x00);
	CHECK_EQ(pci_register(g.pci, &f0, PCI_DEVFN(5, 0), "again"), -1);
	pci_bus_reset(g.pci);
	CHECK_EQ(cfg_rd(&g, PCI_DEVFN(5, 0), PCI_HEADER_TYPE, 1), 0x80);

	/* save, change, load: the BAR comes back mapped */
	cfg_wr(&g, DEV_A, 0x10, 0xc100, 4);
	cfg_wr(&g, DEV_A, PCI_COMMAND, PCI_COMMAND_IO, 2);
	struct device dev;
	pci_bus_device(g.pci, &dev);
	struct snap s;
	snap_init(&s);
	dev.save(dev.opaque, &s);
	dev.reset(dev.opaque);
	CHECK_EQ(bus_read(&g.io, 0xc100, 1), 0xff);
	s.pos = 0;
	CHECK_EQ(dev.load(dev.opaque, &s), 0);
	CHECK_EQ(bus_read(&g.io, 0xc100, 1), 0x5a00);
	CHECK_EQ(g.last_off, 0);
	snap_free(&s);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("unit/pci");
	RUN(test_mechanism1);
	RUN(test_bar_sizing_and_io_mmio);
	RUN(test_bar_hostmem_64bit);
	RUN(test_rom_bar);
	RUN(test_intx_pirq_sharing);
	RUN(test_multifunction_and_save);
	return CHECK_EXIT();
}
