/* The standard VGA with the Bochs VBE (DISPI) extensions, as QEMU's "VGA"
 * PCI function 1234:1111 rev 2 (class 0x030000, subsystem 1af4:1100).
 * Ports 0x3b4/5, 0x3ba, 0x3c0-0x3cf, 0x3d4/5, 0x3da (the CRTC and status
 * answer at 0x3bx or 0x3dx as the misc output register's bit 0 says), the
 * VBE index/data ports 0x1ce/0x1cf, the legacy window 0xA0000-0xBFFFF on the
 * mmio bus. PCI BAR0 is the 16 MiB linear framebuffer (host memory in the
 * physical map, whose first 256 KiB also hold the four VGA planes), BAR2 the
 * 4 KiB register page (VGA ports at 0x400, DISPI registers at 0x500 + 2 *
 * index, QEMU's extended registers at 0x600), the expansion ROM the image
 * given to vga_new. Everything runs with the board lock held. */
#ifndef HW_VGA_H
#define HW_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/vga_render.h"

struct vga;
struct pci_bus;

#define VGA_PCI_DEVFN 0x10		/* slot 2, where QEMU's i440FX board puts it */

/* pci may be NULL: then an ISA VGA without BARs (the LFB is not mapped).
 * rom (romlen bytes) is the VGA BIOS for the expansion ROM BAR, or NULL; the
 * 8x16 font for vga_set_text_mode3 is taken from it (hw/vgafont.h).
 * Returns NULL after one error line. */
struct vga *vga_new(struct pci_bus *pci, struct bus *io, struct bus *mmio,
		    struct vclock *clk, const uint8_t *rom, size_t romlen,
		    struct device *dev);
void vga_free(struct vga *v);

/* the state after a BIOS's INT 10h mode 3 (80x25 colour text, 8x16 font in
 * plane 2, the screen cleared to grey on black, cursor at 0,0), for a direct
 * kernel boot without a BIOS */
void vga_set_text_mode3(struct vga *v);

/* render the screen now (the UI about 60 times a second, screendump) */
bool vga_render(struct vga *v, struct vga_frame *f);
/* the characters and attributes on screen (see vga_text_cells) */
int vga_text_snapshot(struct vga *v, uint16_t *cells, int max_cells, int *cols, int *rows);

/* the video memory (VGA_VRAM_SIZE bytes), for tests and the monitor */
uint8_t *vga_vram(struct vga *v);

#endif
