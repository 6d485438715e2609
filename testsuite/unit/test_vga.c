/* Unit tests for the VGA and Bochs VBE, driven through ports and the legacy
 * window as a guest would, checked on the rendered frame. */
// SPDX-License-Identifier: MIT
#include "hw/vga.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hw/pci.h"
#include "hw/vgafont.h"
#include "ui/screendump.h"
#include "testsuite/unit/check.h"

#define FRAME_NS (NS_PER_SEC / 70)

struct rig {
	struct bus io, mmio;
	struct vclock clk;
	struct pci_bus *pci;
	struct vga *v;
	struct device dev;
	struct vga_frame f;
};

static void rig_init_rom(struct rig *g, bool pci, const uint8_t *rom, size_t len)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	bus_init(&g->mmio, "mmio");
	clock_init(&g->clk, CLOCK_MANUAL);
	if (pci)
		g->pci = pci_bus_new(&g->io, &g->mmio, NULL);
	g->v = vga_new(g->pci, &g->io, &g->mmio, &g->clk, rom, len, &g->dev);
}

static void rig_init(struct rig *g)
{
	rig_init_rom(g, false, NULL, 0);
}

static void rig_fini(struct rig *g)
{
	vga_frame_free(&g->f);
	/* the bus goes first: it still points at the function inside the VGA */
	if (g->pci)
		pci_bus_free(g->pci);
	vga_free(g->v);
	bus_destroy(&g->io);
	bus_destroy(&g->mmio);
}

static uint8_t in(struct rig *g, unsigned port) { return (uint8_t)bus_read(&g->io, port, 1); }
static void out(struct rig *g, unsigned port, uint8_t v) { bus_write(&g->io, port, v, 1); }
static uint8_t rd(struct rig *g, uint32_t a) { return (uint8_t)bus_read(&g->mmio, a, 1); }
static void wr(struct rig *g, uint32_t a, uint8_t v) { bus_write(&g->mmio, a, v, 1); }
static void sr(struct rig *g, unsigned i, uint8_t v) { out(g, 0x3c4, (uint8_t)i); out(g, 0x3c5, v); }
static void gr(struct rig *g, unsigned i, uint8_t v) { out(g, 0x3ce, (uint8_t)i); out(g, 0x3cf, v); }
static void cr(struct rig *g, unsigned i, uint8_t v) { out(g, 0x3d4, (uint8_t)i); out(g, 0x3d5, v); }

static void vbe(struct rig *g, unsigned i, uint16_t v)
{
	bus_write(&g->io, 0x1ce, i, 2);
	bus_write(&g->io, 0x1cf, v, 2);
}

static uint16_t vbe_get(struct rig *g, unsigned i)
{
	bus_write(&g->io, 0x1ce, i, 2);
	return (uint16_t)bus_read(&g->io, 0x1cf, 2);
}

static void dac_set(struct rig *g, uint8_t i, uint8_t r, uint8_t gg, uint8_t b)
{
	out(g, 0x3c8, i);
	out(g, 0x3c9, r);
	out(g, 0x3c9, gg);
	out(g, 0x3c9, b);
}

/* a mode set as a BIOS does it: sequencer in reset, misc, the tables, the
 * CRTC unlocked first, the attribute controller last with PAS set */
struct mode_regs {
	uint8_t misc, sr[5], cr[25], ar[21], gr[9];
};

static void set_mode(struct rig *g, const struct mode_regs *m)
{
	sr(g, 0, 0x01);
	out(g, 0x3c2, m->misc);
	for (unsigned i = 1; i < 5; i++)
		sr(g, i, m->sr[i]);
	sr(g, 0, 0x03);
	cr(g, 0x11, 0x00);
	for (unsigned i = 0; i < 25; i++)
		cr(g, i, m->cr[i]);
	for (unsigned i = 0; i < 9; i++)
		gr(g, i, m->gr[i]);
	in(g, 0x3da);
	for (unsigned i = 0; i < 21; i++) {
		out(g, 0x3c0, (uint8_t)i);
		out(g, 0x3c0, m->ar[i]);
	}
	out(g, 0x3c0, 0x20);
}

static const struct mode_regs mode13 = {
	0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
	{ 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x41, 0x00, 0x0f, 0x00, 0x00 },
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
};

static const struct mode_regs mode12 = {
	0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
	{ 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
	  0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
	{ 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c,
	  0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
};

static uint32_t px(const struct vga_frame *f, unsigned x, unsigned y)
{
	return f->pixels[(size_t)y * f->stride + x];
}

/* ---- mode 13h and mode X ---- */

static void test_mode13h(void)
{
	struct rig g;
	rig_init(&g);
	set_mode(&g, &mode13);
	dac_set(&g, 5, 63, 0, 0);
	dac_set(&g, 9, 0, 32, 63);
	wr(&g, 0xa0000 + 20 * 320 + 10, 5);
	wr(&g, 0xa0000 + 199 * 320 + 319, 9);
	CHECK_EQ(rd(&g, 0xa0000 + 20 * 320 + 10), 5);
	CHECK(vga_render(g.v, &g.f));
	CHECK_EQ(g.f.width, 640);
	CHECK_EQ(g.f.height, 400);
	/* each pixel is two dots wide and two lines high */
	CHECK_EQ(px(&g.f, 20, 40), 0xff0000);
	CHECK_EQ(px(&g.f, 21, 41), 0xff0000);
	CHECK_EQ(px(&g.f, 22, 40), 0x000000);
	CHECK_EQ(px(&g.f, 638, 398), 0x0080ff);	/* 6-bit 32 widens to 0x80 */
	CHECK_EQ(px(&g.f, 639, 399), 0x0080ff);
	CHECK(!vga_render(g.v, &g.f));		/* same size: no change reported */
	/* the pel mask hides bits of the index */
	out(&g, 0x3c6, 0x01);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 20, 40), 0x000000);	/* 5 & 1 = 1: DAC 1 is black */
	rig_fini(&g);
}

static void test_chain4_is_every_fourth_byte(void)
{
	struct rig g;
	rig_init(&g);
	set_mode(&g, &mode13);
	wr(&g, 0xa0006, 0x77);
	/* unchained, plane 2 at plane address 4 holds the byte, as on a real VGA */
	sr(&g, 4, 0x06);
	gr(&g, 4, 2);
	CHECK_EQ(rd(&g, 0xa0004), 0x77);
	gr(&g, 4, 1);
	CHECK_EQ(rd(&g, 0xa0004), 0x00);
	rig_fini(&g);
}

static void test_mode_x(void)
{
	struct rig g;
	rig_init(&g);
	set_mode(&g, &mode13);
	/* unchain and go to 240 lines (the usual mode X recipe) */
	sr(&g, 4, 0x06);
	cr(&g, 0x14, 0x00);
	cr(&g, 0x17, 0xe3);
	out(&g, 0x3c2, 0xe3);
	cr(&g, 0x11, 0x2c);
	cr(&g, 0x06, 0x0d);
	cr(&g, 0x07, 0x3e);
	cr(&g, 0x10, 0xea);
	cr(&g, 0x11, 0xac);
	cr(&g, 0x12, 0xdf);
	cr(&g, 0x15, 0xe7);
	cr(&g, 0x16, 0x06);
	dac_set(&g, 9, 0, 0, 63);
	dac_set(&g, 3, 63, 63, 63);
	/* pixel (5, 7): plane 5 & 3, address 7 * 80 + 5 / 4 */
	sr(&g, 2, 1 << (5 & 3));
	wr(&g, 0xa0000 + 7 * 80 + 1, 9);
	/* all four planes at once: four pixels (316..319, 239) */
	sr(&g, 2, 0x0f);
	wr(&g, 0xa0000 + 239 * 80 + 79, 3);
	vga_render(g.v, &g.f);
	CHECK_EQ(g.f.width, 640);
	CHECK_EQ(g.f.height, 480);
	CHECK_EQ(px(&g.f, 10, 14), 0x0000ff);
	CHECK_EQ(px(&g.f, 11, 15), 0x0000ff);
	CHECK_EQ(px(&g.f, 12, 14), 0x000000);
	CHECK_EQ(px(&g.f, 632, 478), 0xffffff);
	CHECK_EQ(px(&g.f, 639, 479), 0xffffff);
	/* page flip by the start address: 320*240/4 plane bytes further on */
	cr(&g, 0x0c, (19200 >> 8) & 0xff);
	cr(&g, 0x0d, 19200 & 0xff);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 10, 14), 0x000000);
	rig_fini(&g);
}

/* ---- planar write and read modes (mode 12h) ---- */

static void test_planar_modes(void)
{
	struct rig g;
	rig_init(&g);
	set_mode(&g, &mode12);
	const uint32_t A = 0xa0000;

	/* write mode 0, set/reset on all planes: colour 0xc */
	gr(&g, 1, 0x0f);
	gr(&g, 0, 0x0c);
	wr(&g, A, 0x00);
	for (unsigned p = 0; p < 4; p++) {
		gr(&g, 4, (uint8_t)p);
		CHECK_EQ(rd(&g, A), p >= 2 ? 0xff : 0x00);
	}
	gr(&g, 1, 0x00);

	/* data rotate by 1, map mask plane 0 */
	sr(&g, 2, 0x01);
	gr(&g, 3, 0x01);
	wr(&g, A + 1, 0x81);
	gr(&g, 4, 0);
	CHECK_EQ(rd(&g, A + 1), 0xc0);
	gr(&g, 3, 0x00);

	/* bit mask: only the low nibble changes; the rest comes from the latch */
	sr(&g, 2, 0x0f);
	wr(&g, A + 2, 0x33);
	rd(&g, A + 2);
	gr(&g, 8, 0x0f);
	wr(&g, A + 2, 0xff);
	CHECK_EQ(rd(&g, A + 2), 0x3f);
	gr(&g, 8, 0xff);

	/* XOR with the latch */
	rd(&g, A + 2);
	gr(&g, 3, 0x18);
	wr(&g, A + 2, 0xff);
	gr(&g, 3, 0x00);
	gr(&g, 4, 3);
	CHECK_EQ(rd(&g, A + 2), 0xc0);

	/* write mode 1: the latches from A to A + 3, all planes */
	gr(&g, 5, 0x01);
	rd(&g, A);
	wr(&g, A + 3, 0x00);
	gr(&g, 5, 0x00);
	for (unsigned p = 0; p < 4; p++) {
		gr(&g, 4, (uint8_t)p);
		CHECK_EQ(rd(&g, A + 3), p >= 2 ? 0xff : 0x00);
	}

	/* write mode 2: colour 5 in the high nibble, latch (0xc everywhere) below */
	gr(&g, 5, 0x02);
	gr(&g, 8, 0xf0);
	rd(&g, A + 3);
	wr(&g, A + 3, 0x05);
	gr(&g, 8, 0xff);
	gr(&g, 5, 0x00);
	const uint8_t want2[4] = { 0xf0, 0x00, 0xff, 0x0f };
	for (unsigned p = 0; p < 4; p++) {
		gr(&g, 4, (uint8_t)p);
		CHECK_EQ(rd(&g, A + 3), want2[p]);
	}

	/* write mode 3: set/reset colour 0xa under (rotated data & bit mask) */
	wr(&g, A + 4, 0x00);
	gr(&g, 5, 0x03);
	gr(&g, 0, 0x0a);
	rd(&g, A + 4);
	wr(&g, A + 4, 0x3c);
	gr(&g, 5, 0x00);
	const uint8_t want3[4] = { 0x00, 0x3c, 0x00, 0x3c };
	for (unsigned p = 0; p < 4; p++) {
		gr(&g, 4, (uint8_t)p);
		CHECK_EQ(rd(&g, A + 4), want3[p]);
	}

	/* read mode 1: planes 0xf0, 0xcc, 0xaa, 0x00 */
	const uint8_t pl[4] = { 0xf0, 0xcc, 0xaa, 0x00 };
	for (unsigned p = 0; p < 4; p++) {
		sr(&g, 2, (uint8_t)(1 << p));
		wr(&g, A + 5, pl[p]);
	}
	sr(&g, 2, 0x0f);
	gr(&g, 5, 0x08);
	gr(&g, 2, 0x07);
	gr(&g, 7, 0x0f);
	CHECK_EQ(rd(&g, A + 5), 0x80);
	gr(&g, 7, 0x01);		/* only plane 0 counts */
	CHECK_EQ(rd(&g, A + 5), 0xf0);
	gr(&g, 7, 0x00);		/* nothing counts: everything matches */
	CHECK_EQ(rd(&g, A + 5), 0xff);
	gr(&g, 5, 0x00);

	/* render: pixel 40 (byte 5, bit 7) has colour 7 -> AR7 = 7 -> DAC 7 */
	dac_set(&g, 7, 0x10, 0x20, 0x30);
	vga_render(g.v, &g.f);
	CHECK_EQ(g.f.width, 640);
	CHECK_EQ(g.f.height, 480);
	CHECK_EQ(px(&g.f, 40, 0), 0x4080c0);
	/* colour plane enable 0x3 leaves colour 3 -> DAC 3 (black here) */
	in(&g, 0x3da);
	out(&g, 0x3c0, 0x12);
	out(&g, 0x3c0, 0x03);
	out(&g, 0x3c0, 0x20);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 40, 0), 0x000000);
	rig_fini(&g);
}

/* ---- text mode ---- */

static const uint8_t glyph_h[16] = {
	0, 0, 0xc3, 0xc3, 0xc3, 0xc3, 0xff, 0xff, 0xc3, 0xc3, 0xc3, 0xc3, 0, 0, 0, 0,
};

/* load glyphs as a BIOS does: plane 2 alone, sequential addressing */
static void load_glyph(struct rig *g, uint8_t ch, const uint8_t rows[16])
{
	sr(g, 2, 0x04);
	sr(g, 4, 0x07);
	gr(g, 4, 0x02);
	gr(g, 5, 0x00);
	gr(g, 6, 0x04);
	for (unsigned r = 0; r < 16; r++)
		wr(g, 0xa0000 + ch * 32u + r, rows[r]);
	sr(g, 2, 0x03);
	sr(g, 4, 0x02);
	gr(g, 4, 0x00);
	gr(g, 5, 0x10);
	gr(g, 6, 0x0e);
}

static void put_text(struct rig *g, unsigned pos, const char *s, uint8_t attr)
{
	for (; *s; s++, pos++) {
		wr(g, 0xb8000 + 2 * pos, (uint8_t)*s);
		wr(g, 0xb8000 + 2 * pos + 1, attr);
	}
}

#define YELLOW 0xffff57
#define BLUE 0x0000a8

static void test_text(void)
{
	struct rig g;
	rig_init(&g);
	vga_set_text_mode3(g.v);
	const uint8_t line[16] = { [8] = 0xff };
	load_glyph(&g, 'H', glyph_h);
	load_glyph(&g, 0xc4, line);
	load_glyph(&g, 0x2d, line);
	put_text(&g, 0, "Hi", 0x1e);
	put_text(&g, 2, "\xc4-", 0x1e);
	cr(&g, 0x0a, 0x20);		/* cursor off for this test */
	CHECK(vga_render(g.v, &g.f));
	CHECK_EQ(g.f.width, 720);
	CHECK_EQ(g.f.height, 400);
	for (unsigned r = 0; r < 16; r++)
		for (unsigned x = 0; x < 9; x++) {
			bool ink = x < 8 && (glyph_h[r] & (0x80 >> x));
			CHECK_EQ(px(&g.f, x, r), ink ? YELLOW : BLUE);
		}
	/* 'i' has no glyph: background */
	CHECK_EQ(px(&g.f, 9 + 4, 6), BLUE);
	/* the ninth column: drawn for line-drawing 0xC4, not for '-' */
	CHECK_EQ(px(&g.f, 2 * 9 + 8, 8), YELLOW);
	CHECK_EQ(px(&g.f, 3 * 9 + 7, 8), YELLOW);
	CHECK_EQ(px(&g.f, 3 * 9 + 8, 8), BLUE);
	/* untouched cells are grey-on-black spaces */
	CHECK_EQ(px(&g.f, 719, 399), 0x000000);

	uint16_t cells[80 * 25];
	int cols, rows;
	CHECK_EQ(vga_text_snapshot(g.v, cells, 80 * 25, &cols, &rows), 80 * 25);
	CHECK_EQ(cols, 80);
	CHECK_EQ(rows, 25);
	CHECK_EQ(cells[0], 0x1e00 | 'H');
	CHECK_EQ(cells[1], 0x1e00 | 'i');
	CHECK_EQ(cells[4], 0x0720);

	/* 8-dot characters: 640 wide */
	sr(&g, 1, 0x01);
	CHECK(vga_render(g.v, &g.f));
	CHECK_EQ(g.f.width, 640);
	/* 50 rows: 8 scan lines a character */
	sr(&g, 1, 0x00);
	cr(&g, 0x09, 0x47);
	vga_render(g.v, &g.f);
	CHECK_EQ(vga_text_snapshot(g.v, cells, 80 * 25, &cols, &rows), 80 * 50);
	CHECK_EQ(rows, 50);
	CHECK_EQ(g.f.height, 400);
	rig_fini(&g);
}

static void test_cursor_and_blink(void)
{
	struct rig g;
	rig_init(&g);
	vga_set_text_mode3(g.v);
	put_text(&g, 81, "  ", 0x9e);	/* blinking yellow on blue */
	load_glyph(&g, 'X', glyph_h);
	put_text(&g, 82, "X", 0x9e);
	cr(&g, 0x0a, 0x0e);
	cr(&g, 0x0b, 0x0f);
	cr(&g, 0x0e, 0);
	cr(&g, 0x0f, 81);		/* row 1, column 1 */
	vga_render(g.v, &g.f);
	/* frame 0: cursor on, in the foreground colour, lines 14-15 only */
	CHECK_EQ(px(&g.f, 9 + 3, 16 + 14), YELLOW);
	CHECK_EQ(px(&g.f, 9 + 3, 16 + 15), YELLOW);
	CHECK_EQ(px(&g.f, 9 + 3, 16 + 13), BLUE);
	CHECK_EQ(px(&g.f, 18 + 0, 16 + 6), YELLOW);	/* blinking 'X' shown */
	/* 8 frames later the cursor is off; the character still on */
	clock_set(&g.clk, 9 * FRAME_NS);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 9 + 3, 16 + 14), BLUE);
	CHECK_EQ(px(&g.f, 18 + 0, 16 + 6), YELLOW);
	/* 16 frames on: the blinking character is hidden */
	clock_set(&g.clk, 17 * FRAME_NS);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 18 + 0, 16 + 6), BLUE);
	/* without blink enable, bit 7 is background intensity: bright blue */
	in(&g, 0x3da);
	out(&g, 0x3c0, 0x10);
	out(&g, 0x3c0, 0x04);
	out(&g, 0x3c0, 0x20);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 18 + 0, 16 + 6), YELLOW);
	CHECK_EQ(px(&g.f, 18 + 2, 16 + 0), 0x5757ff);
	/* the cursor moves with its location register; start > end hides it */
	clock_set(&g.clk, 33 * FRAME_NS);
	cr(&g, 0x0f, 0);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 3, 15), 0xa8a8a8);
	cr(&g, 0x0a, 0x0f);
	cr(&g, 0x0b, 0x0e);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 3, 15), 0x000000);
	rig_fini(&g);
}

static void test_line_compare_split(void)
{
	struct rig g;
	rig_init(&g);
	vga_set_text_mode3(g.v);
	load_glyph(&g, 'H', glyph_h);
	put_text(&g, 0, "H", 0x1e);	/* address 0: shown under the split */
	cr(&g, 0x0a, 0x20);
	cr(&g, 0x0c, 0x00);
	cr(&g, 0x0d, 80);		/* the top starts at row 1 */
	cr(&g, 0x18, 199);		/* split after line 199 (bits 8, 9 clear) */
	cr(&g, 0x07, 0x0f);
	cr(&g, 0x09, 0x0f);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 0, 6), 0x000000);
	CHECK_EQ(px(&g.f, 0, 200 + 6), YELLOW);
	rig_fini(&g);
}

/* ---- ports ---- */

static void test_status_toggles_on_the_clock(void)
{
	struct rig g;
	rig_init(&g);
	vga_set_text_mode3(g.v);
	/* mode 3: 100 characters of 9 dots a line at 28.322 MHz, 449 lines,
	 * 400 displayed, retrace at lines 412-413 */
	int64_t line = muldiv64(900, NS_PER_SEC, 28322000);
	clock_set(&g.clk, line * 10 + line / 10);
	CHECK_EQ(in(&g, 0x3da) & 0x09, 0x00);
	clock_set(&g.clk, line * 10 + line * 9 / 10);	/* horizontal blank */
	CHECK_EQ(in(&g, 0x3da) & 0x09, 0x01);
	clock_set(&g.clk, line * 405);			/* vertical blank */
	CHECK_EQ(in(&g, 0x3da) & 0x09, 0x01);
	clock_set(&g.clk, line * 412 + line / 2);	/* vertical retrace */
	CHECK_EQ(in(&g, 0x3da) & 0x09, 0x09);
	clock_set(&g.clk, line * 449 + line * 412 + line / 2);	/* next frame */
	CHECK_EQ(in(&g, 0x3da) & 0x09, 0x09);
	/* the mono port floats in a colour mode */
	CHECK_EQ(in(&g, 0x3ba), 0xff);

	/* a guest spinning with the clock standing still still sees both */
	unsigned seen_retrace = 0, seen_active = 0;
	for (int i = 0; i < 20000; i++) {
		uint8_t st = in(&g, 0x3da);
		seen_retrace += (st & 0x08) != 0;
		seen_active += (st & 0x01) == 0;
	}
	CHECK(seen_retrace > 0);
	CHECK(seen_active > 0);
	rig_fini(&g);
}

static void test_attribute_flip_flop(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, 0x3c2, 0x01);		/* colour: CRTC and status at 0x3dx */
	in(&g, 0x3da);
	out(&g, 0x3c0, 0x05);		/* index */
	out(&g, 0x3c0, 0x2a);		/* data */
	CHECK_EQ(in(&g, 0x3c1), 0x2a);
	out(&g, 0x3c0, 0x06);		/* index again */
	in(&g, 0x3da);			/* reset: the next write is an index */
	out(&g, 0x3c0, 0x12);
	CHECK_EQ(in(&g, 0x3c0), 0x12);
	out(&g, 0x3c0, 0xff);		/* data, masked to 6 bits */
	CHECK_EQ(in(&g, 0x3c1), 0x3f);
	out(&g, 0x3c0, 0x05);
	CHECK_EQ(in(&g, 0x3c1), 0x2a);
	/* CRTC write protect: CR0-7 locked except the line compare bit */
	cr(&g, 0x11, 0x80);
	cr(&g, 0x01, 0x55);
	cr(&g, 0x07, 0xff);
	out(&g, 0x3d4, 0x01);
	CHECK_EQ(in(&g, 0x3d5), 0x00);
	out(&g, 0x3d4, 0x07);
	CHECK_EQ(in(&g, 0x3d5), 0x10);
	cr(&g, 0x11, 0x00);
	cr(&g, 0x01, 0x55);
	out(&g, 0x3d4, 0x01);
	CHECK_EQ(in(&g, 0x3d5), 0x55);
	rig_fini(&g);
}

static void test_dac_cycles(void)
{
	struct rig g;
	rig_init(&g);
	out(&g, 0x3c8, 5);
	const uint8_t vals[6] = { 10, 20, 30, 40, 50, 0xff };
	for (int i = 0; i < 6; i++)
		out(&g, 0x3c9, vals[i]);
	CHECK_EQ(in(&g, 0x3c8), 7);
	CHECK_EQ(in(&g, 0x3c7), 0);
	out(&g, 0x3c7, 5);
	CHECK_EQ(in(&g, 0x3c7), 3);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(in(&g, 0x3c9), i == 5 ? 0x3f : vals[i]);
	/* a new read index restarts the three-step cycle */
	out(&g, 0x3c7, 6);
	in(&g, 0x3c9);
	out(&g, 0x3c7, 5);
	CHECK_EQ(in(&g, 0x3c9), 10);
	/* an interrupted write cycle is thrown away by a new write index */
	out(&g, 0x3c8, 5);
	out(&g, 0x3c9, 1);
	out(&g, 0x3c8, 5);
	out(&g, 0x3c7, 5);
	CHECK_EQ(in(&g, 0x3c9), 10);
	rig_fini(&g);
}

/* ---- VBE ---- */

static void test_vbe_800x600x32(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(vbe_get(&g, 0), 0xb0c5);
	CHECK_EQ(vbe_get(&g, 10), 256);
	vbe(&g, 4, 0x02);		/* GETCAPS */
	CHECK_EQ(vbe_get(&g, 1), 16000);
	CHECK_EQ(vbe_get(&g, 3), 32);
	vbe(&g, 4, 0x00);
	vbe(&g, 1, 800);
	vbe(&g, 2, 600);
	vbe(&g, 3, 32);
	vbe(&g, 4, 0x41);
	CHECK_EQ(vbe_get(&g, 6), 800);
	CHECK_EQ(vbe_get(&g, 7), (16u << 20) / 3200);
	uint8_t *lfb = vga_vram(g.v);
	uint32_t *p = (uint32_t *)lfb;
	p[599 * 800 + 799] = 0x00123456;
	p[10 * 800 + 20] = 0x00abcdef;
	CHECK(vga_render(g.v, &g.f));
	CHECK_EQ(g.f.width, 800);
	CHECK_EQ(g.f.height, 600);
	CHECK_EQ(px(&g.f, 799, 599), 0x123456);
	CHECK_EQ(px(&g.f, 20, 10), 0xabcdef);
	CHECK_EQ(px(&g.f, 0, 0), 0);
	/* panning: a virtual screen twice as wide, offset by 20, 10 */
	vbe(&g, 6, 1600);
	vbe(&g, 8, 20);
	vbe(&g, 9, 10);
	p[10 * 1600 + 20] = 0x00fedcba;
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 0, 0), 0xfedcba);
	/* the banked window: bank 3 at 0xA0000 */
	vbe(&g, 5, 3);
	wr(&g, 0xa0000 + 5, 0x99);
	CHECK_EQ(lfb[3 * 0x10000 + 5], 0x99);
	CHECK_EQ(rd(&g, 0xa0000 + 5), 0x99);
	/* 16 bpp and 8 bpp through the DAC */
	vbe(&g, 4, 0);
	vbe(&g, 3, 16);
	vbe(&g, 4, 0x41);
	CHECK_EQ(lfb[3 * 0x10000 + 5], 0);	/* enable cleared the memory */
	lfb[0] = 0x1f;
	lfb[1] = 0xf8;		/* red 31, green 0, blue 31 */
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 0, 0), 0xf800f8);
	vbe(&g, 4, 0);
	vbe(&g, 3, 8);
	vbe(&g, 4, 0x41 | 0x80);	/* NOCLEARMEM */
	dac_set(&g, 0x1f, 63, 63, 0);
	vga_render(g.v, &g.f);
	CHECK_EQ(px(&g.f, 0, 0), 0xffff00);
	/* disabling goes back to the VGA */
	vbe(&g, 4, 0);
	CHECK_EQ(vbe_get(&g, 5), 3);
	rig_fini(&g);
}

/* whatever the guest writes, rendering stays inside video memory (ASan) */
static void test_random_registers_are_safe(void)
{
	struct rig g;
	rig_init(&g);
	uint32_t x = 12345;
	for (int round = 0; round < 300; round++) {
		for (int i = 0; i < 40; i++) {
			x = x * 1103515245 + 12345;
			unsigned port = 0x3c0 + ((x >> 8) & 0x1f);
			out(&g, port, (uint8_t)(x >> 16));
			x = x * 1103515245 + 12345;
			if ((x >> 20) % 4 == 0) {
				vbe(&g, (x >> 8) % 12, (uint16_t)(x >> 12));
			}
			x = x * 1103515245 + 12345;
			wr(&g, 0xa0000 + ((x >> 8) % 0x20000), (uint8_t)x);
			rd(&g, 0xa0000 + ((x >> 10) % 0x20000));
		}
		if (round % 3 == 0)
			vbe(&g, 4, 0);
		vga_render(g.v, &g.f);
		CHECK(g.f.width > 0 && g.f.height > 0);
		uint16_t cells[64];
		int cols, rows;
		vga_text_snapshot(g.v, cells, 64, &cols, &rows);
	}
	rig_fini(&g);
}

/* ---- PCI ---- */

static void test_pci_function(void)
{
	struct rig g;
	const uint8_t rom[512] = { 0x55, 0xaa, 1 };
	rig_init_rom(&g, true, rom, sizeof(rom));
	CHECK(g.v != NULL);
	const unsigned df = VGA_PCI_DEVFN;
	CHECK_EQ(pci_config_read(g.pci, df, 0x00, 4), 0x11111234);
	CHECK_EQ(pci_config_read(g.pci, df, 0x08, 4), 0x03000002);
	CHECK_EQ(pci_config_read(g.pci, df, 0x2c, 4), 0x11001af4);
	pci_config_write(g.pci, df, 0x10, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(g.pci, df, 0x10, 4), 0xff000008);
	pci_config_write(g.pci, df, 0x10, 0, 4);
	pci_config_write(g.pci, df, 0x18, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(g.pci, df, 0x18, 4), 0xfffff000);
	/* BAR2 at 0xfebf0000 */
	pci_config_write(g.pci, df, 0x18, 0xfebf0000, 4);
	pci_config_write(g.pci, df, 0x04, PCI_COMMAND_MEMORY, 2);
	const uint64_t M = 0xfebf0000;
	CHECK_EQ(bus_read(&g.mmio, M + 0x500, 2), 0xb0c5);
	bus_write(&g.mmio, M + 0x502, 1024, 2);
	CHECK_EQ(vbe_get(&g, 1), 1024);
	CHECK_EQ(bus_read(&g.mmio, M + 0x600, 4), 8);
	CHECK_EQ(bus_read(&g.mmio, M + 0x604, 4), 0x1e1e1e1e);
	/* one 16-bit store: index port then data port */
	bus_write(&g.mmio, M + 0x404, 0x0a02, 2);
	out(&g, 0x3c4, 2);
	CHECK_EQ(in(&g, 0x3c5), 0x0a);
	rig_fini(&g);
}

/* ---- font and mode 3 ---- */

static void test_font_search(void)
{
	uint8_t img[12288], font[4096];
	uint32_t x = 7;
	for (size_t i = 0; i < sizeof(img); i++) {
		x = x * 1103515245 + 12345;
		img[i] = (uint8_t)(x >> 16);
	}
	CHECK(!vgafont_find(img, sizeof(img), font));
	CHECK_EQ(font['A' * 16 + 5], 0);
	uint8_t *f = img + 3001;
	memset(f, 0, 256 * 16);
	memset(f + 0xdb * 16, 0xff, 16);
	memset(f + 0xb3 * 16, 0x18, 16);
	memcpy(f + 'A' * 16, glyph_h, 16);
	CHECK(vgafont_find(img, sizeof(img), font));
	CHECK(memcmp(font, f, 4096) == 0);
}

static void test_mode3_font_from_bios(void)
{
	FILE *fp = fopen("/usr/share/seabios/vgabios-stdvga.bin", "rb");
	if (!fp) {
		printf("SKIP vga: test_mode3_font_from_bios: no SeaVGABIOS image (make deps)\n");
		return;
	}
	static uint8_t rom[256 * 1024];
	size_t len = fread(rom, 1, sizeof(rom), fp);
	fclose(fp);
	struct rig g;
	rig_init_rom(&g, false, rom, len);
	vga_set_text_mode3(g.v);
	/* the glyph for 'A' in plane 2, read as a guest reads fonts */
	sr(&g, 4, 0x07);
	gr(&g, 4, 0x02);
	gr(&g, 5, 0x00);
	gr(&g, 6, 0x04);
	unsigned ink = 0;
	for (unsigned r = 0; r < 16; r++)
		ink += rd(&g, 0xa0000 + 'A' * 32 + r) != 0;
	CHECK(ink >= 6);
	gr(&g, 6, 0x0e);
	gr(&g, 5, 0x10);
	gr(&g, 4, 0x00);
	sr(&g, 4, 0x02);
	put_text(&g, 0, "A", 0x07);
	vga_render(g.v, &g.f);
	unsigned grey = 0;
	for (unsigned y = 0; y < 16; y++)
		for (unsigned x = 0; x < 9; x++)
			grey += px(&g.f, x, y) == 0xa8a8a8;
	CHECK(grey > 10);
	rig_fini(&g);
}

/* ---- PNG ---- */

static void test_png_roundtrip(void)
{
	struct rig g;
	rig_init(&g);
	set_mode(&g, &mode13);
	for (unsigned i = 0; i < 256; i++)
		dac_set(&g, (uint8_t)i, (uint8_t)(i & 63), (uint8_t)((i * 7) & 63), (uint8_t)((255 - i) & 63));
	for (unsigned i = 0; i < 64000; i++)
		wr(&g, 0xa0000 + i, (uint8_t)(i * 31 + i / 320));
	vga_render(g.v, &g.f);
	char path[] = "/tmp/test_vga_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(screendump_png(path, &g.f), 0);

	png_image img;
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	CHECK(png_image_begin_read_from_file(&img, path));
	CHECK_EQ(img.width, 640);
	CHECK_EQ(img.height, 400);
	img.format = PNG_FORMAT_RGB;
	uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
	CHECK(png_image_finish_read(&img, NULL, buf, 0, NULL));
	unsigned bad = 0;
	for (unsigned y = 0; y < 400; y++)
		for (unsigned x = 0; x < 640; x++) {
			const uint8_t *q = buf + (y * 640 + x) * 3;
			bad += ((uint32_t)q[0] << 16 | q[1] << 8 | q[2]) != px(&g.f, x, y);
		}
	CHECK_EQ(bad, 0);
	free(buf);
	png_image_free(&img);
	unlink(path);
	CHECK_EQ(screendump_png("/nonexistent-dir/x.png", &g.f), -1);
	rig_fini(&g);
}

static void test_save_load(void)
{
	struct rig g, h;
	rig_init(&g);
	rig_init(&h);
	set_mode(&g, &mode13);
	dac_set(&g, 5, 63, 0, 0);
	wr(&g, 0xa0000 + 7, 5);
	struct snap s;
	snap_init(&s);
	g.dev.save(g.dev.opaque, &s);
	s.pos = 0;
	CHECK_EQ(h.dev.load(h.dev.opaque, &s), 0);
	vga_render(h.v, &h.f);
	CHECK_EQ(h.f.width, 640);
	CHECK_EQ(px(&h.f, 14, 0), 0xff0000);
	/* a truncated state is refused */
	s.len = 100;
	s.pos = 0;
	s.error = false;
	CHECK_EQ(h.dev.load(h.dev.opaque, &s), -1);
	snap_free(&s);
	rig_fini(&g);
	rig_fini(&h);
}

int main(void)
{
	CHECK_SUITE("vga");
	RUN(test_mode13h);
	RUN(test_chain4_is_every_fourth_byte);
	RUN(test_mode_x);
	RUN(test_planar_modes);
	RUN(test_text);
	RUN(test_cursor_and_blink);
	RUN(test_line_compare_split);
	RUN(test_status_toggles_on_the_clock);
	RUN(test_attribute_flip_flop);
	RUN(test_dac_cycles);
	RUN(test_vbe_800x600x32);
	RUN(test_random_registers_are_safe);
	RUN(test_pci_function);
	RUN(test_font_search);
	RUN(test_mode3_font_from_bios);
	RUN(test_png_roundtrip);
	RUN(test_save_load);
	return CHECK_EXIT();
}
