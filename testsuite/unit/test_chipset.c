/* Unit tests of the i440FX/PIIX3/PIIX4 chipset as the board wires it: PAM
 * shadowing through the physical map, PIRQ routing shared with ISA lines,
 * the ACPI PM timer, SCI, S5 power-off, the reset control port. */
// SPDX-License-Identifier: MIT
#include "hw/board.h"

#include <string.h>
#include <sys/mman.h>
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "hw/piix3.h"
#include "hw/piix4_pm.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define RAM (32u << 20)
#define FLASH (256u << 10)

struct rig {
	struct board b;
	struct physmap pm;
	uint8_t *flash;
	int resets, poweroffs;
};

static void h_reset(void *o) { ((struct rig *)o)->resets++; }
static void h_exit(void *o, int st) { (void)o; (void)st; }
static void h_event(void *o, int cpu, enum apic_event ev, uint8_t v) { (void)o; (void)cpu; (void)ev; (void)v; }
static void h_poweroff(void *o) { ((struct rig *)o)->poweroffs++; }

/* with_flash: a BIOS image at the top of 4 GiB, as firmware/bios.c maps it
 * (each byte: its offset's bits 8-15, so every 256 bytes differ) */
static void rig_init(struct rig *g, bool with_flash)
{
	memset(g, 0, sizeof(*g));
	CHECK_EQ(physmap_init(&g->pm, RAM, NULL), 0);
	struct board_config cfg = {
		.ncpus = 1, .ram_size = RAM, .pm = &g->pm, .clock_mode = CLOCK_MANUAL,
		.rtc_base = 1700000000, .boot_order = { 3, 2, 1 },
	};
	struct board_host host = { h_reset, h_exit, h_event, g, h_poweroff, NULL };
	CHECK_EQ(board_create(&g->b, &cfg, &host), 0);
	if (with_flash) {
		g->flash = mmap(NULL, FLASH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (unsigned i = 0; i < FLASH; i++)
			g->flash[i] = (uint8_t)(i >> 8) | 1;
		CHECK_EQ(physmap_add(&g->pm, 0x100000000ull - FLASH, FLASH, PM_ROM, g->flash, "bios"), 0);
		board_reset(&g->b);	/* the chipset now sees the flash under E0000-FFFFF */
	}
}

static void rig_fini(struct rig *g)
{
	board_destroy(&g->b);
	physmap_destroy(&g->pm);
	if (g->flash)
		munmap(g->flash, FLASH);
}

static uint32_t cfg_rd(struct rig *g, unsigned devfn, unsigned reg, unsigned size)
{
	bus_write(&g->b.io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
	return (uint32_t)bus_read(&g->b.io, 0xcfc + (reg & 3), size);
}

static void cfg_wr(struct rig *g, unsigned devfn, unsigned reg, uint32_t v, unsigned size)
{
	bus_write(&g->b.io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
	bus_write(&g->b.io, 0xcfc + (reg & 3), v, size);
}

static uint8_t peek(struct rig *g, uint64_t gpa)
{
	uint8_t v = 0;
	phys_read(&g->pm, gpa, &v, 1);
	return v;
}

static void poke(struct rig *g, uint64_t gpa, uint8_t v)
{
	phys_write(&g->pm, gpa, &v, 1);
}

static void test_identity(void)
{
	struct rig g;
	rig_init(&g, false);
	CHECK_EQ(cfg_rd(&g, I440FX_DEVFN, 0, 4), 0x12378086);
	CHECK_EQ(cfg_rd(&g, I440FX_DEVFN, 8, 4), 0x06000002);
	CHECK_EQ(cfg_rd(&g, I440FX_DEVFN, 0x2c, 4), 0x11001af4);
	CHECK_EQ(cfg_rd(&g, I440FX_DEVFN, I440FX_SMRAM, 1), 0x02);
	CHECK_EQ(cfg_rd(&g, PIIX3_DEVFN, 0, 4), 0x70008086);
	CHECK_EQ(cfg_rd(&g, PIIX3_DEVFN, 0x0a, 2), 0x0601);
	CHECK_EQ(cfg_rd(&g, PIIX3_DEVFN, PCI_HEADER_TYPE, 1) & 0x80, 0x80);
	CHECK_EQ(cfg_rd(&g, PIIX3_DEVFN, 0x60, 4), 0x80808080);
	CHECK_EQ(cfg_rd(&g, PIIX4_PM_DEVFN, 0, 4), 0x71138086);
	CHECK_EQ(cfg_rd(&g, PIIX4_PM_DEVFN, 8, 4), 0x06800003);
	CHECK_EQ(cfg_rd(&g, PIIX4_PM_DEVFN, PCI_INTERRUPT_PIN, 1), 1);
	CHECK_EQ(cfg_rd(&g, PIIX4_PM_DEVFN, 0x58, 4), 0x02000000);	/* APMC_EN */
	rig_fini(&g);
}

static void test_pam_modes(void)
{
	struct rig g;
	rig_init(&g, true);
	/* PAM 0: reads come from the flash, writes go nowhere */
	CHECK_EQ(peek(&g, 0xf0000), g.flash[FLASH - 0x10000]);
	CHECK_EQ(peek(&g, 0xfff00), g.flash[FLASH - 0x100]);
	CHECK_EQ(peek(&g, 0xe4100), g.flash[FLASH - 0x20000 + 0x4100]);
	CHECK_EQ(peek(&g, 0xc0000), 0xff);		/* nothing under C0000 */
	poke(&g, 0xf0000, 0x00);
	CHECK_EQ(peek(&g, 0xf0000), g.flash[FLASH - 0x10000]);
	CHECK_EQ(g.pm.ram[0xf0000], 0);

	/* write-only: reads still see the flash, writes land in RAM */
	uint64_t gen = physmap_generation(&g.pm);
	cfg_wr(&g, I440FX_DEVFN, I440FX_PAM0, 0x20, 1);
	CHECK(physmap_generation(&g.pm) != gen);
	poke(&g, 0xf0010, 0x5e);
	CHECK_EQ(peek(&g, 0xf0010), g.flash[FLASH - 0x10000 + 0x10]);
	CHECK_EQ(g.pm.ram[0xf0010], 0x5e);

	/* RAM: what was written shows, writes stick */
	cfg_wr(&g, I440FX_DEVFN, I440FX_PAM0, 0x30, 1);
	CHECK_EQ(peek(&g, 0xf0010), 0x5e);
	poke(&g, 0xf0020, 0x77);
	CHECK_EQ(peek(&g, 0xf0020), 0x77);
	CHECK(physmap_is_ram(&g.pm, 0xf0000, 0x10000));

	/* read-only: RAM seen, writes dropped */
	cfg_wr(&g, I440FX_DEVFN, I440FX_PAM0, 0x10, 1);
	poke(&g, 0xf0020, 0x11);
	CHECK_EQ(peek(&g, 0xf0020), 0x77);
	CHECK(!physmap_is_ram(&g.pm, 0xf0000, 0x1000));

	/* the C segments by nibble, as SeaBIOS writes them: dwords */
	cfg_wr(&g, I440FX_DEVFN, 0x58, 0x00331000, 4);	/* 0x59 = 0x10, 0x5a = 0x33 */
	poke(&g, 0xc0000, 0xc0);
	poke(&g, 0xc4000, 0xc4);
	CHECK_EQ(peek(&g, 0xc0000), 0xc0);
	CHECK_EQ(peek(&g, 0xc4000), 0xc4);
	CHECK_EQ(peek(&g, 0xc8000), 0xff);		/* 0x5b still 0 */
	cfg_wr(&g, I440FX_DEVFN, 0x5a, 0x03, 1);	/* C4000 back to PCI */
	CHECK_EQ(peek(&g, 0xc4000), 0xff);
	CHECK_EQ(peek(&g, 0xc0000), 0xc0);

	/* reset: everything back to the flash and nothing */
	board_reset(&g.b);
	CHECK_EQ(cfg_rd(&g, I440FX_DEVFN, I440FX_PAM0, 1), 0);
	CHECK_EQ(peek(&g, 0xf0020), g.flash[FLASH - 0x10000 + 0x20]);
	CHECK_EQ(peek(&g, 0xc0000), 0xff);
	rig_fini(&g);
}

/* no flash at the top (direct kernel boot): C0000-FFFFF stays RAM */
static void test_pam_without_firmware(void)
{
	struct rig g;
	rig_init(&g, false);
	CHECK(physmap_is_ram(&g.pm, 0xc0000, 0x40000));
	poke(&g, 0xf0000, 0x12);
	CHECK_EQ(peek(&g, 0xf0000), 0x12);
	cfg_wr(&g, I440FX_DEVFN, I440FX_PAM0, 0x10, 1);	/* read-only still holds */
	poke(&g, 0xf0000, 0x34);
	CHECK_EQ(peek(&g, 0xf0000), 0x12);
	rig_fini(&g);
}

static void test_pirq_routing_shared_with_isa(void)
{
	struct rig g;
	rig_init(&g, false);
	struct pci_dev nic;
	memset(&nic, 0, sizeof(nic));
	pci_config_init(&nic, 0x10ec, 0x8139, 0x20, 0x020000, 0);
	nic.config[PCI_INTERRUPT_PIN] = 1;		/* slot 3 pin A: PIRQC */
	CHECK_EQ(pci_register(g.b.pci, &nic, PCI_DEVFN(3, 0), "nic"), 0);
	struct irq_line *irq4 = &g.b.isa[4].out[0], *irq11 = &g.b.isa[11].out[0];

	pci_set_irq(&nic, 1);
	CHECK_EQ(irq11->level, 0);			/* routing disabled at reset */
	cfg_wr(&g, PIIX3_DEVFN, 0x62, 11, 1);
	CHECK_EQ(irq11->level, 1);
	cfg_wr(&g, PIIX3_DEVFN, 0x62, 0x8b, 1);		/* bit 7: off again */
	CHECK_EQ(irq11->level, 0);
	/* routed onto IRQ 4, shared with COM1 */
	cfg_wr(&g, PIIX3_DEVFN, 0x62, 4, 1);
	CHECK_EQ(irq4->level, 1);
	bus_write(&g.b.io, 0x3f9, 0x02, 1);		/* COM1 THRE interrupt */
	bus_write(&g.b.io, 0x3fc, 0x08, 1);		/* OUT2 */
	pci_set_irq(&nic, 0);
	CHECK_EQ(irq4->level, 1);			/* the UART holds it */
	bus_write(&g.b.io, 0x3f9, 0x00, 1);
	CHECK_EQ(irq4->level, 0);
	/* two PIRQs onto one IRQ */
	pci_set_irq(&nic, 1);
	cfg_wr(&g, PIIX3_DEVFN, 0x60, 4, 1);
	CHECK_EQ(irq4->level, 1);
	pci_set_irq(&nic, 0);
	CHECK_EQ(irq4->level, 0);
	board_destroy(&g.b);
	physmap_destroy(&g.pm);
}

static void pm_setup(struct rig *g)
{
	cfg_wr(g, PIIX4_PM_DEVFN, 0x40, PIIX4_PM_BASE | 1, 4);
	cfg_wr(g, PIIX4_PM_DEVFN, 0x80, 1, 1);
}

static uint32_t pm_in(struct rig *g, unsigned off, unsigned size)
{
	return (uint32_t)bus_read(&g->b.io, PIIX4_PM_BASE + off, size);
}

static void pm_out(struct rig *g, unsigned off, uint32_t v, unsigned size)
{
	bus_write(&g->b.io, PIIX4_PM_BASE + off, v, size);
}

static void test_pm_timer(void)
{
	struct rig g;
	rig_init(&g, false);
	CHECK_EQ(pm_in(&g, 8, 4), 0xffffffff);		/* not decoded yet */
	pm_setup(&g);
	CHECK_EQ(cfg_rd(&g, PIIX4_PM_DEVFN, 0x40, 4), PIIX4_PM_BASE | 1);
	uint32_t t0 = pm_in(&g, 8, 4);
	clock_set(&g.b.clock, NS_PER_SEC);
	uint32_t t1 = pm_in(&g, 8, 4);
	CHECK_EQ((t1 - t0) & 0xffffff, PIIX4_PM_TIMER_HZ);
	CHECK_EQ(t1 >> 24, 0);
	CHECK_EQ(pm_in(&g, 0, 2) & 1, 0);		/* bit 23 has not toggled */
	/* 2^23 ticks: 2.343 s */
	clock_set(&g.b.clock, 2400 * 1000 * 1000LL);
	CHECK_EQ(pm_in(&g, 0, 2) & 1, 1);
	pm_out(&g, 0, 1, 2);				/* write 1 to clear */
	CHECK_EQ(pm_in(&g, 0, 2) & 1, 0);
	/* with TMR_EN the next toggle raises the SCI on IRQ 9 by itself */
	struct irq_line *irq9 = &g.b.isa[9].out[0];
	pm_out(&g, 2, 1, 2);
	CHECK_EQ(irq9->level, 0);
	clock_set(&g.b.clock, 4600 * 1000 * 1000LL);
	CHECK_EQ(irq9->level, 0);
	clock_set(&g.b.clock, 4700 * 1000 * 1000LL);	/* 2^24 ticks at 4.687 s */
	CHECK_EQ(irq9->level, 1);
	pm_out(&g, 0, 1, 2);
	CHECK_EQ(irq9->level, 0);
	/* moving PMBASE moves the block */
	cfg_wr(&g, PIIX4_PM_DEVFN, 0x40, 0xc001, 4);
	CHECK_EQ(pm_in(&g, 8, 4), 0xffffffff);
	CHECK(bus_read(&g.b.io, 0xc008, 4) != 0xffffffff);
	rig_fini(&g);
}

static void test_pm_sleep_powerbutton_apm(void)
{
	struct rig g;
	rig_init(&g, false);
	pm_setup(&g);
	struct irq_line *irq9 = &g.b.isa[9].out[0];
	/* ACPI enable through the SMI command port, as the FADT says */
	CHECK_EQ(pm_in(&g, 4, 2) & 1, 0);
	bus_write(&g.b.io, PIIX4_SMI_CMD, PIIX4_ACPI_ENABLE, 1);
	CHECK_EQ(pm_in(&g, 4, 2) & 1, 1);
	bus_write(&g.b.io, 0xb3, 0x5a, 1);
	CHECK_EQ(bus_read(&g.b.io, 0xb3, 1), 0x5a);
	/* power button: status always, SCI only when enabled */
	piix4_pm_powerbutton(g.b.pm);
	CHECK_EQ(pm_in(&g, 0, 2) & 0x100, 0x100);
	CHECK_EQ(irq9->level, 0);
	pm_out(&g, 2, 0x100, 2);
	CHECK_EQ(irq9->level, 1);
	pm_out(&g, 0, 0x100, 2);
	CHECK_EQ(irq9->level, 0);
	/* GPE0: enable without status, no SCI */
	pm_out(&g, 0x0e, 0xffff, 2);
	CHECK_EQ(pm_in(&g, 0x0e, 2), 0xffff);
	CHECK_EQ(irq9->level, 0);
	/* S1 (type 1) is not an power-off; S5 (type 0) is, and SLP_EN reads 0 */
	pm_out(&g, 4, 1 | 1 << 10 | 1 << 13, 2);
	CHECK_EQ(g.poweroffs, 0);
	pm_out(&g, 4, 1 | PIIX4_SLP_TYP_S5 << 10 | 1 << 13, 2);
	CHECK_EQ(g.poweroffs, 1);
	CHECK_EQ(pm_in(&g, 4, 2) & (1 << 13), 0);
	rig_fini(&g);
}

static void test_smbus_and_reset_port(void)
{
	struct rig g;
	rig_init(&g, false);
	/* the SMBus as SeaBIOS enables it: a transaction finds no device */
	cfg_wr(&g, PIIX4_PM_DEVFN, 0x90, PIIX4_SMB_BASE | 1, 4);
	cfg_wr(&g, PIIX4_PM_DEVFN, 0xd2, 0x09, 1);
	bus_write(&g.b.io, PIIX4_SMB_BASE + 4, 0xa1, 1);	/* read from 0x50 */
	bus_write(&g.b.io, PIIX4_SMB_BASE + 2, 0x48, 1);	/* byte data, start */
	CHECK_EQ(bus_read(&g.b.io, PIIX4_SMB_BASE, 1) & 0x05, 0x04);
	bus_write(&g.b.io, PIIX4_SMB_BASE, 0xff, 1);
	CHECK_EQ(bus_read(&g.b.io, PIIX4_SMB_BASE, 1), 0);
	/* port 0xcf9: bit 2 resets; the dword at 0xcf8 stays the address */
	bus_write(&g.b.io, 0xcf8, 0x80000800, 4);
	bus_write(&g.b.io, 0xcf9, 0x02, 1);
	CHECK_EQ(g.resets, 0);
	CHECK_EQ(bus_read(&g.b.io, 0xcf9, 1), 0x02);
	CHECK_EQ(bus_read(&g.b.io, 0xcf8, 4), 0x80000800);
	bus_write(&g.b.io, 0xcf9, 0x06, 1);
	CHECK_EQ(g.resets, 1);
	rig_fini(&g);
}

int main(void)
{
	CHECK_SUITE("unit/chipset");
	RUN(test_identity);
	RUN(test_pam_modes);
	RUN(test_pam_without_firmware);
	RUN(test_pirq_routing_shared_with_isa);
	RUN(test_pm_timer);
	RUN(test_pm_sleep_powerbutton_apm);
	RUN(test_smbus_and_reset_port);
	return CHECK_EXIT();
}
