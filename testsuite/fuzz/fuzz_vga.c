/* Fuzz harness: the VGA and its Bochs VBE registers through every way in
 * (the legacy ports, the 0xA0000 window, the BAR2 register page) with a
 * render after each event, so any register state the fuzzer reaches is
 * also drawn: the renderer must never read outside video memory. */
// SPDX-License-Identifier: MIT
// fuzz-runs: 4000
#include "testsuite/fuzz/fuzzrig.h"

#include "hw/pci.h"
#include "hw/vga.h"
#include "hw/vga_render.h"

#define BAR0 0xe0000000u
#define BAR2 0xe1000000u

struct vgarig {
	struct pci_bus *pci;
	struct vga *vga;
	struct vga_frame frame;
};

static void vga_event(struct fuzzrig *rig, uint8_t arg)
{
	struct vgarig *s = rig->opaque;
	if (arg & 1) {
		(void)vga_render(s->vga, &s->frame);
	} else {
		uint16_t cells[132 * 60];
		int cols, rows;
		(void)vga_text_snapshot(s->vga, cells, (int)(sizeof(cells) / sizeof(cells[0])), &cols, &rows);
	}
}

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct vgarig s;
	memset(&s, 0, sizeof(s));
	s.pci = pci_bus_new(&rig->io, &rig->mmio, &rig->pm);
	if (!s.pci)
		abort();
	s.vga = vga_new(s.pci, &rig->io, &rig->mmio, &rig->clock, NULL, 0, fuzz_new_dev(rig));
	if (!s.vga)
		abort();
	unsigned fn = PCI_DEVFN(2, 0);
	pci_config_write(s.pci, fn, 0x10, BAR0, 4);
	pci_config_write(s.pci, fn, 0x18, BAR2, 4);
	pci_config_write(s.pci, fn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	fuzz_range(rig, &rig->io, 0x3c0, 16);
	fuzz_range(rig, &rig->io, 0x3d4, 2);
	fuzz_range(rig, &rig->io, 0x3da, 1);
	fuzz_range(rig, &rig->io, 0x3b4, 2);
	fuzz_range(rig, &rig->io, 0x1ce, 4);
	fuzz_range(rig, &rig->io, 0x1ce, 2);	/* DISPI, often */
	fuzz_range(rig, &rig->mmio, 0xa0000, 0x20000);
	fuzz_range(rig, &rig->mmio, BAR2, 0x1000);
	fuzz_range(rig, &rig->io, 0xcf8, 8);
	rig->event = vga_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct vgarig *s = rig->opaque;
	(void)vga_render(s->vga, &s->frame);
	pci_bus_free(s->pci);
	vga_free(s->vga);
	vga_frame_free(&s->frame);
}
