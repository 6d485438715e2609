/* Fuzz harness: the PCI bus with the board's chipset functions, the i440FX
 * (PAM shadowing of C0000-FFFFF over a BIOS flash at the top of 4 GiB), the
 * PIIX3 (PIRQ routing, the reset control port 0xcf9) and the PIIX4 PM
 * function (PMBASE and SMBus base moved through config space, PM1, the PM
 * timer, GPE0, SMBus host registers, APM 0xb2/0xb3), plus a plain PCI
 * function with every kind of BAR (I/O, MMIO, host memory, expansion ROM)
 * and an INTx pin, so BARs land over the chipset's ranges and PIRQs move.
 *
 * Config space is reached through 0xcf8/0xcfc and, so that the fuzzer
 * need not learn mechanism #1 first, through a window of the harness's own
 * beyond the 64 KiB port space (one range per function). The guest's
 * memory view of C0000-FFFFF and of the flash is reached through another
 * such window (phys_read/phys_write, as a CPU access would go). The flash
 * is mapped read-only on the host: a write that reached it would fault.
 * The reset port's request is carried out at the next event (the board
 * does it between instructions). Events also save every device's state and
 * load it back, and check that each ISA IRQ line is what the PIRQ routing
 * says. */
// SPDX-License-Identifier: MIT
// fuzz-runs: 15000
#include "testsuite/fuzz/fuzzrig.h"

#include <sys/mman.h>
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "hw/piix3.h"
#include "hw/piix4_pm.h"

#define FLASH (256u << 10)
#define FLASH_BASE (0x100000000ull - FLASH)
#define DUMMY_DEVFN PCI_DEVFN(2, 0)
#define DUMMY_PIRQ 1			/* slot 2, pin A: (2 + 1 + 2) & 3 */
#define CFG_WINDOW 0x20000		/* on io, past the port space */
#define PHYS_WINDOW 0x40000		/* on io: C0000-FFFFF as the CPU sees it */
#define FLASH_WINDOW 0x80000		/* on io: the flash at the top of 4 GiB */

static const unsigned fn_devfn[4] = { I440FX_DEVFN, PIIX3_DEVFN, PIIX4_PM_DEVFN, DUMMY_DEVFN };

struct chipset {
	struct pci_bus *pci;
	struct i440fx *host;
	struct piix3 *isa;
	struct piix4_pm *pm;
	struct pci_dev dummy;
	uint8_t regs[16];		/* the dummy's I/O and MMIO registers */
	uint8_t isa_level[16], sci;
	int reset_pending, poweroffs;
	struct fuzzrig *rig;
};

static uint8_t *flash;
static uint8_t fb[0x2000];		/* the dummy's host-memory BAR */

/* -- the dummy function's registers -- */

static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
	struct chipset *s = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)s->regs[(off + i) & 15] << (8 * i);
	return v;
}

static void regs_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct chipset *s = opaque;
	for (unsigned i = 0; i < size; i++)
		s->regs[(off + i) & 15] = (uint8_t)(v >> (8 * i));
}

static const struct bus_ops regs_ops = { regs_read, regs_write, 1, 4 };

/* -- the harness's windows -- */

static uint64_t cfg_read(void *opaque, uint64_t off, unsigned size)
{
	struct chipset *s = opaque;
	return pci_config_read(s->pci, fn_devfn[(off >> 8) & 3], off & 0xff, size);
}

static void cfg_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct chipset *s = opaque;
	pci_config_write(s->pci, fn_devfn[(off >> 8) & 3], off & 0xff, (uint32_t)v, size);
}

static const struct bus_ops cfg_ops = { cfg_read, cfg_write, 1, 4 };

static uint64_t phys_win_read(void *opaque, uint64_t off, unsigned size)
{
	struct chipset *s = opaque;
	uint64_t v = 0;
	phys_read(&s->rig->pm, 0xc0000 + off, &v, size);
	return v;
}

static void phys_win_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct chipset *s = opaque;
	phys_write(&s->rig->pm, 0xc0000 + off, &v, size);
}

static const struct bus_ops phys_ops = { phys_win_read, phys_win_write, 1, 8 };

static uint64_t flash_win_read(void *opaque, uint64_t off, unsigned size)
{
	struct chipset *s = opaque;
	uint64_t v = 0;
	phys_read(&s->rig->pm, FLASH_BASE + off, &v, size);
	return v;
}

static void flash_win_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct chipset *s = opaque;
	phys_write(&s->rig->pm, FLASH_BASE + off, &v, size);
}

static const struct bus_ops flash_ops = { flash_win_read, flash_win_write, 1, 8 };

/* -- the board's side -- */

static void isa_line(void *opaque, int n, int level)
{
	((struct chipset *)opaque)->isa_level[n] = (uint8_t)level;
}

static void sci_line(void *opaque, int n, int level)
{
	(void)n;
	((struct chipset *)opaque)->sci = (uint8_t)level;
}

static void want_reset(void *opaque) { ((struct chipset *)opaque)->reset_pending = 1; }
static void poweroff(void *opaque) { ((struct chipset *)opaque)->poweroffs++; }

/* what a BIOS's POST leaves (the last device's reset): the PM block at
 * 0x600 and decoded, the dummy's BARs assigned and enabled; PAM stays at
 * its reset value */
static void firmware_post(void *opaque)
{
	struct chipset *s = opaque;
	pci_config_write(s->pci, PIIX4_PM_DEVFN, 0x40, PIIX4_PM_BASE | 1, 4);
	pci_config_write(s->pci, PIIX4_PM_DEVFN, 0x80, 1, 1);
	pci_config_write(s->pci, DUMMY_DEVFN, PCI_BASE_ADDRESS_0, 0xc001, 4);
	pci_config_write(s->pci, DUMMY_DEVFN, PCI_BASE_ADDRESS_0 + 4, 0xfebf0000, 4);
	pci_config_write(s->pci, DUMMY_DEVFN, PCI_BASE_ADDRESS_0 + 8, 0xfe000000, 4);
	pci_config_write(s->pci, DUMMY_DEVFN, PCI_ROM_ADDRESS, 0xfebe0001, 4);
	pci_config_write(s->pci, DUMMY_DEVFN, PCI_COMMAND,
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static void board_reset(struct fuzzrig *rig)
{
	for (int i = 0; i < rig->ndev; i++)
		if (rig->dev[i].reset)
			rig->dev[i].reset(rig->dev[i].opaque);
}

/* a snapshot of every device, loaded back (into a board reset first when
 * fresh is set): what tier switches and snapshot restores do */
static void save_load(struct fuzzrig *rig, int fresh)
{
	struct snap sn;
	snap_init(&sn);
	for (int i = 0; i < rig->ndev; i++)
		if (rig->dev[i].save)
			rig->dev[i].save(rig->dev[i].opaque, &sn);
	if (fresh)
		board_reset(rig);
	for (int i = 0; i < rig->ndev; i++)
		if (rig->dev[i].load && rig->dev[i].load(rig->dev[i].opaque, &sn) < 0)
			abort();
	if (sn.pos != sn.len)
		abort();
	snap_free(&sn);
}

/* only the dummy drives INTx: each ISA line is up iff its PIRQ is routed
 * there and the dummy's pin is up */
static void check_routing(struct chipset *s)
{
	const struct pci_dev *d = &s->dummy;
	uint16_t cmd = (uint16_t)(d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8);
	int up = d->irq_level && !(cmd & PCI_COMMAND_INTX_DISABLE);
	uint8_t r = (uint8_t)pci_config_read(s->pci, PIIX3_DEVFN, PIIX3_PIRQ_ROUTE + DUMMY_PIRQ, 1);
	for (int i = 0; i < 16; i++) {
		int want = up && !(r & 0x80) && (r & 0xf) == i;
		if (s->isa_level[i] != want)
			abort();
	}
}

static void chipset_event(struct fuzzrig *rig, uint8_t arg)
{
	struct chipset *s = rig->opaque;
	if (s->reset_pending) {
		s->reset_pending = 0;
		board_reset(rig);
	}
	switch (arg & 7) {
	case 0: board_reset(rig); break;
	case 1: piix4_pm_powerbutton(s->pm); break;
	case 2: case 3: pci_set_irq(&s->dummy, (arg >> 3) & 1); break;
	case 4: {	/* a long wait: PM timer half-periods are 2.3 s */
		int64_t ns = (int64_t)(arg >> 3) * 200000000;
		clock_set(&rig->clock, clock_ns(&rig->clock) + ns);
		break;
	}
	case 5: save_load(rig, 0); break;
	case 6: save_load(rig, 1); break;
	default: break;
	}
	check_routing(s);
}

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct chipset s;
	memset(&s, 0, sizeof(s));
	s.rig = rig;
	if (!flash) {
		flash = mmap(NULL, FLASH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (flash == MAP_FAILED)
			abort();
		for (unsigned i = 0; i < FLASH; i++)
			flash[i] = (uint8_t)((i >> 8) | 1);
		mprotect(flash, FLASH, PROT_READ);
	}
	if (physmap_add(&rig->pm, FLASH_BASE, FLASH, PM_ROM, flash, "bios") < 0)
		abort();
	s.pci = pci_bus_new(&rig->io, &rig->mmio, &rig->pm);
	if (!s.pci)
		abort();
	pci_bus_device(s.pci, fuzz_new_dev(rig));	/* config first, as the board */
	s.host = i440fx_new(s.pci, &rig->pm, FUZZ_RAM, fuzz_new_dev(rig));
	s.isa = piix3_new(s.pci, want_reset, &s, fuzz_new_dev(rig));
	s.pm = piix4_pm_new(s.pci, &rig->io, &rig->clock, poweroff, &s, fuzz_new_dev(rig));
	if (!s.host || !s.isa || !s.pm)
		abort();
	for (int n = 0; n < 16; n++)
		irq_connect(piix3_isa_irq(s.isa, n), isa_line, &s, n);
	irq_connect(piix4_pm_sci(s.pm), sci_line, &s, PIIX4_SCI_IRQ);

	static const uint8_t rom[3000] = { 0x55, 0xaa, 6 };
	pci_config_init(&s.dummy, 0x1234, 0x5678, 1, 0x020000, 0);
	s.dummy.config[PCI_INTERRUPT_PIN] = 1;
	pci_bar_io(&s.dummy, 0, 16, &regs_ops, &s);
	pci_bar_mmio(&s.dummy, 1, 0x1000, false, false, &regs_ops, &s);
	pci_bar_hostmem(&s.dummy, 2, sizeof(fb), true, true, fb);
	if (pci_rom(&s.dummy, rom, sizeof(rom)) < 0 ||
	    pci_register(s.pci, &s.dummy, DUMMY_DEVFN, "dummy") < 0)
		abort();

	struct device *fw = fuzz_new_dev(rig);	/* last: after every reset */
	fw->name = "post";
	fw->opaque = &s;
	fw->reset = firmware_post;

	bus_register(&rig->io, CFG_WINDOW, 4 * 256, &cfg_ops, &s, "fuzz-config");
	bus_register(&rig->io, PHYS_WINDOW, 0x40000, &phys_ops, &s, "fuzz-phys");
	bus_register(&rig->io, FLASH_WINDOW, FLASH, &flash_ops, &s, "fuzz-flash");
	fuzz_range(rig, &rig->io, 0xcf8, 8);
	fuzz_range(rig, &rig->io, 0xcf8, 4);
	fuzz_range(rig, &rig->io, 0xcfc, 4);
	fuzz_range(rig, &rig->io, 0xcf9, 1);
	fuzz_range(rig, &rig->io, CFG_WINDOW, 4 * 256);
	fuzz_range(rig, &rig->io, CFG_WINDOW, 256);		/* the i440FX's PAMs */
	fuzz_range(rig, &rig->io, CFG_WINDOW + 2 * 256, 256);	/* the PM's bases */
	fuzz_range(rig, &rig->io, PHYS_WINDOW, 0x40000);
	fuzz_range(rig, &rig->io, PHYS_WINDOW + 0x30000, 0x10000);	/* F0000 */
	fuzz_range(rig, &rig->io, FLASH_WINDOW, FLASH);
	fuzz_range(rig, &rig->mmio, 0xc0000, 0x40000);		/* write-only runs */
	fuzz_range(rig, &rig->io, PIIX4_PM_BASE, PIIX4_PM_LEN);
	fuzz_range(rig, &rig->io, PIIX4_SMB_BASE, 16);
	fuzz_range(rig, &rig->io, 0xb000, PIIX4_PM_LEN);	/* SeaBIOS's default */
	fuzz_range(rig, &rig->io, 0xb100, 16);
	fuzz_range(rig, &rig->io, PIIX4_SMI_CMD, 2);
	fuzz_range(rig, &rig->io, 0xc000, 16);			/* where a BIOS puts I/O BARs */
	fuzz_range(rig, &rig->mmio, 0xfebf0000, 0x10000);	/* ... and MMIO BARs */
	fuzz_range(rig, &rig->io, 0, 0x10000);			/* the whole port space */
	rig->event = chipset_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct chipset *s = rig->opaque;
	pci_bus_free(s->pci);
	i440fx_free(s->host);
	piix3_free(s->isa);
	piix4_pm_free(s->pm);
}
