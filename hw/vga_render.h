/* Turning the VGA's state into pixels. The renderer is a pure function of
 * the register file and video memory below (struct vga_state, owned by
 * hw/vga.c) and the virtual time (for cursor and character blink): it fills
 * a caller-owned XRGB8888 frame. Frame sizes are the ones QEMU's std VGA
 * reports, so screenshots compare: 720x400 for text mode 3, 640x480 for mode
 * 12h, 640x400 for modes 13h and 0Dh (a 320-pixel mode is drawn with every
 * pixel doubled, as the 640-dot monitor shows it), XRESxYRES under VBE.
 * Any register values are safe: reads of video memory wrap as the hardware's
 * address counters do and never leave it. */
#ifndef HW_VGA_RENDER_H
#define HW_VGA_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGA_VRAM_SIZE (16u << 20)	/* the VBE framebuffer; planes in its first 256 KiB */
#define VGA_PLANE_SIZE 0x10000u		/* 64 KiB per plane in VGA modes */

/* Plane p at plane address a is vram[a * 4 + p], as in QEMU, so a VBE
 * mode's linear bytes and the planes are the same memory. VGA modes address
 * 64 KiB per plane; a 4-bit VBE mode addresses all of video memory. */
static inline uint32_t vga_plane_index(uint32_t a, unsigned p, uint32_t amask)
{
	return (a & amask) << 2 | p;
}

enum vbe_index {
	VBE_ID, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK,
	VBE_VIRT_WIDTH, VBE_VIRT_HEIGHT, VBE_X_OFFSET, VBE_Y_OFFSET,
	VBE_VIDEO_MEMORY_64K, VBE_NREGS,
};

enum {
	VBE_ENABLED = 0x01, VBE_GETCAPS = 0x02, VBE_8BIT_DAC = 0x20,
	VBE_LFB_ENABLED = 0x40, VBE_NOCLEARMEM = 0x80,
};

/* the register file: what the guest programmed */
struct vga_state {
	uint8_t *vram;			/* VGA_VRAM_SIZE bytes */
	uint8_t misc;			/* 0x3c2 / 0x3cc */
	uint8_t fcr;			/* feature control */
	uint8_t sr_index, sr[8];	/* sequencer */
	uint8_t gr_index, gr[16];	/* graphics controller */
	uint8_t ar_index, ar[21];	/* attribute controller; index bit 5 = PAS */
	uint8_t ar_flip;		/* 0: next 0x3c0 write is the index */
	uint8_t cr_index, cr[256];	/* CRTC (0x00-0x18 defined, the rest keep what is written) */
	uint8_t dac[256][3];		/* 6-bit entries, 8-bit with VBE_8BIT_DAC */
	uint8_t pel_mask;		/* 0x3c6 */
	uint8_t dac_read, dac_write, dac_sub, dac_state, dac_latch[3];
	uint32_t latch;			/* the four plane latches, plane p in byte p */
	uint16_t vbe_index, vbe[VBE_NREGS];
	uint32_t vbe_line;		/* bytes per scan line in VBE modes */
	uint32_t vbe_start;		/* first displayed byte in VBE modes */
};

struct vga_frame {
	uint32_t *pixels;		/* XRGB8888; row y at pixels + y * stride */
	unsigned width, height, stride;	/* stride in pixels */
	size_t cap;			/* pixels allocated; vga_render grows it */
};

/* Fill f from s at virtual time now_ns. Returns true when the frame's width
 * or height changed (the UI resizes its window). If the buffer cannot grow,
 * the frame keeps its old size and content (one log line). */
bool vga_render_state(const struct vga_state *s, int64_t now_ns, struct vga_frame *f);
void vga_frame_free(struct vga_frame *f);

/* The visible text screen: cells[i] = character | attribute << 8, row by
 * row. Returns cols * rows (at most max_cells are written), or -1 when not in
 * a text mode. */
int vga_text_cells(const struct vga_state *s, uint16_t *cells, int max_cells,
		   int *cols, int *rows);

#endif
