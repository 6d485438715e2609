/* Turning the VGA's registers and memory into an XRGB8888 frame. */
// SPDX-License-Identifier: MIT
#include "hw/vga_render.h"

#include <stdlib.h>
#include <string.h>
#include "hw/clock.h"
#include "hw/log.h"

/* The CRTC model. Each scan line the CRTC walks its memory address counter
 * MA across the character clocks of the row; at the end of a character row
 * (max scan line + 1 scan lines, each shown twice under double scan) MA
 * steps on by twice the offset register. The counter reaches memory through
 * the byte / word / doubleword shifts of CR17 and CR14, and CR17's CGA and
 * Hercules bits put row-scan bits on address lines 13 and 14. The line
 * compare register restarts the walk at address 0 (the split screen).
 * Per character clock the attribute controller then makes 8 (or 9) dots of
 * colour indices; the sequencer's half dot clock shows each dot twice. */

#define MAX_CHARS 257		/* 256 character clocks and one for panning */
#define MAX_DOTS (MAX_CHARS * 9)
#define FRAME_NS (NS_PER_SEC / 70)	/* the 70 Hz of the 400-line modes */

enum {
	SR_CLOCK = 1, SR_CHARMAP = 3,
	GR_MODE = 5, GR_MISC = 6,
	AR_MODE = 0x10, AR_PLANE_ENABLE = 0x12, AR_PAN = 0x13, AR_COLOR_SELECT = 0x14,
	CR_PRESET_ROW = 0x08, CR_MAX_SCAN = 0x09, CR_CURSOR_START = 0x0a,
	CR_CURSOR_END = 0x0b, CR_UNDERLINE = 0x14, CR_MODE = 0x17,
};

struct rctx {
	const struct vga_state *s;
	uint32_t pal[256];		/* DAC index (after the pel mask) to XRGB */
	uint8_t attr[16];		/* 4-bit colour to DAC index, through the AC */
	uint8_t dots[MAX_DOTS + 16];
};

/* a 6-bit DAC value on an 8-bit channel the way QEMU widens it (the low
 * bit repeated), so our screenshots match its pixel for pixel */
static uint32_t c6_to_8(uint8_t v)
{
	v &= 0x3f;
	return (uint32_t)v << 2 | (v & 1u) << 1 | (v & 1u);
}

static uint32_t dac_rgb(const struct vga_state *s, unsigned i)
{
	const uint8_t *c = s->dac[i];
	if (s->vbe[VBE_ENABLE] & VBE_8BIT_DAC)
		return (uint32_t)c[0] << 16 | c[1] << 8 | c[2];
	return c6_to_8(c[0]) << 16 | c6_to_8(c[1]) << 8 | c6_to_8(c[2]);
}

static void rctx_init(struct rctx *r, const struct vga_state *s)
{
	const uint8_t *ar = s->ar;
	r->s = s;
	for (unsigned i = 0; i < 256; i++)
		r->pal[i] = dac_rgb(s, i & s->pel_mask);
	for (unsigned c = 0; c < 16; c++) {
		uint8_t p = ar[c & ar[AR_PLANE_ENABLE] & 0x0f];
		if (ar[AR_MODE] & 0x80)
			r->attr[c] = (uint8_t)((ar[AR_COLOR_SELECT] & 0x0f) << 4 | (p & 0x0f));
		else
			r->attr[c] = (uint8_t)((ar[AR_COLOR_SELECT] & 0x0c) << 4 | (p & 0x3f));
	}
}

/* ---- frame buffer ---- */

static bool frame_resize(struct vga_frame *f, unsigned w, unsigned h, bool *changed)
{
	size_t need = (size_t)w * h;
	*changed = false;
	if (need > f->cap) {
		uint32_t *p = realloc(f->pixels, need * sizeof(*p));
		if (!p) {
			log_once("vga: cannot allocate a %ux%u frame", w, h);
			return false;
		}
		f->pixels = p;
		f->cap = need;
	}
	*changed = f->width != w || f->height != h;
	f->width = w;
	f->height = h;
	f->stride = w;
	return true;
}

void vga_frame_free(struct vga_frame *f)
{
	free(f->pixels);
	memset(f, 0, sizeof(*f));
}

/* ---- CRTC addressing ---- */

struct crtc {
	unsigned cols;			/* character clocks displayed */
	unsigned height;		/* scan lines displayed */
	unsigned max_scan, dbl, line_compare;
	uint16_t start, offset;		/* in MA units */
	unsigned preset_rs;
};

static void crtc_init(const struct vga_state *s, struct crtc *c)
{
	const uint8_t *cr = s->cr;
	unsigned ov = cr[0x07];
	c->cols = cr[0x01] + 1u;
	c->height = (cr[0x12] | (ov & 0x02) << 7 | (ov & 0x40) << 3) + 1u;
	c->max_scan = cr[CR_MAX_SCAN] & 0x1f;
	c->dbl = cr[CR_MAX_SCAN] >> 7;
	c->line_compare = cr[0x18] | (ov & 0x10) << 4 | (cr[CR_MAX_SCAN] & 0x40) << 3;
	/* byte panning (CR8 bits 5-6) moves the start by whole character clocks */
	c->start = (uint16_t)((cr[0x0c] << 8 | cr[0x0d]) + ((cr[CR_PRESET_ROW] >> 5) & 3));
	c->offset = (uint16_t)(cr[0x13] * 2);
	c->preset_rs = cr[CR_PRESET_ROW] & 0x1f;
}

/* the plane address the CRTC reads for counter value ma in row scan rs */
static uint32_t crtc_addr(const struct vga_state *s, uint16_t ma, unsigned rs)
{
	uint8_t mode = s->cr[CR_MODE];
	uint32_t a;
	if (s->cr[0x14] & 0x40)
		a = (uint32_t)ma << 2 | ((ma >> 12) & 3);
	else if (!(mode & 0x40))
		a = (uint32_t)ma << 1 | ((mode & 0x20) ? (ma >> 15) & 1 : (ma >> 13) & 1);
	else
		a = ma;
	if (!(mode & 0x01))
		a = (a & ~(1u << 13)) | (rs & 1) << 13;
	if (!(mode & 0x02))
		a = (a & ~(1u << 14)) | ((rs >> 1) & 1) << 14;
	return a & (VGA_PLANE_SIZE - 1);
}

static inline uint8_t plane(const struct vga_state *s, uint32_t a, unsigned p)
{
	return s->vram[vga_plane_index(a, p, VGA_PLANE_SIZE - 1)];
}

struct scan {
	uint16_t ma;
	unsigned rs, rep;
};

static void scan_start(const struct crtc *c, struct scan *sc)
{
	sc->ma = c->start;
	sc->rs = c->preset_rs;
	sc->rep = 0;
}

/* after scan line y has been shown */
static void scan_next(const struct crtc *c, struct scan *sc, unsigned y)
{
	if (y == c->line_compare) {
		sc->ma = 0;
		sc->rs = 0;
		sc->rep = 0;
		return;
	}
	if (c->dbl && !sc->rep) {
		sc->rep = 1;
		return;
	}
	sc->rep = 0;
	if (sc->rs == c->max_scan) {
		sc->rs = 0;
		sc->ma = (uint16_t)(sc->ma + c->offset);
	} else {
		sc->rs = (sc->rs + 1) & 0x1f;
	}
}

/* dots[pan .. pan + n) to one frame row, each dot shown 'rep' times */
static void emit_row(const struct rctx *r, uint32_t *out, unsigned pan, unsigned n, unsigned rep)
{
	const uint8_t *d = r->dots + pan;
	if (rep == 1) {
		for (unsigned i = 0; i < n; i++)
			out[i] = r->pal[d[i]];
	} else {
		for (unsigned i = 0; i < n; i++)
			out[2 * i] = out[2 * i + 1] = r->pal[d[i]];
	}
}

/* ---- text ---- */

static unsigned text_char_width(const struct vga_state *s)
{
	return (s->sr[SR_CLOCK] & 1) ? 8 : 9;
}

/* plane-2 offsets of character maps A (attribute bit 3 set) and B */
static uint32_t font_base(const struct vga_state *s, bool map_a)
{
	uint8_t v = s->sr[SR_CHARMAP];
	unsigned sel = map_a ? ((v >> 3) & 4) | ((v >> 2) & 3) : ((v >> 2) & 4) | (v & 3);
	return (sel & 3) * 0x4000u + (sel >> 2) * 0x2000u;
}

static unsigned text_pan(const struct vga_state *s, unsigned cw)
{
	unsigned p = s->ar[AR_PAN] & 0x0f;
	if (cw == 9)
		return p >= 8 ? 0 : p + 1;
	return p & 7;
}

static void text_line(struct rctx *r, const struct crtc *c, const struct scan *sc,
		      unsigned cw, int64_t now_ns)
{
	const struct vga_state *s = r->s;
	const uint8_t *cr = s->cr;
	int64_t frame = now_ns / FRAME_NS;
	bool cursor_phase = !((frame >> 3) & 1);	/* 8 frames on, 8 off */
	bool blink_phase = !((frame >> 4) & 1);	/* characters: 16 and 16 */
	bool blink = s->ar[AR_MODE] & 0x08;
	bool line_gfx = s->ar[AR_MODE] & 0x04;
	unsigned cs = cr[CR_CURSOR_START] & 0x1f, ce = cr[CR_CURSOR_END] & 0x1f;
	bool cursor_row = !(cr[CR_CURSOR_START] & 0x20) && cursor_phase &&
			  sc->rs >= cs && sc->rs <= ce;
	uint16_t cursor = (uint16_t)((cr[0x0e] << 8 | cr[0x0f]) + ((cr[CR_CURSOR_END] >> 5) & 3));
	uint32_t fonts[2] = { font_base(s, false), font_base(s, true) };
	uint8_t *d = r->dots;

	for (unsigned i = 0; i <= c->cols; i++) {
		uint16_t ma = (uint16_t)(sc->ma + i);
		uint32_t a = crtc_addr(s, ma, sc->rs);
		uint8_t ch = plane(s, a, 0), at = plane(s, a, 1);
		uint8_t bits = plane(s, fonts[(at >> 3) & 1] + ch * 32u + sc->rs, 2);
		unsigned fg = at & 0x0f, bg = at >> 4;
		if (blink) {
			bg &= 7;
			if ((at & 0x80) && !blink_phase)
				fg = bg;
		}
		if ((at & 0x77) == 0x01 && sc->rs == (cr[CR_UNDERLINE] & 0x1f))
			bits = 0xff;
		if (cursor_row && ma == cursor)
			bits = 0xff;
		uint8_t f = r->attr[fg], b = r->attr[bg];
		for (unsigned x = 0; x < 8; x++)
			*d++ = (bits & (0x80 >> x)) ? f : b;
		if (cw == 9)
			/* line-drawing characters extend into the ninth column */
			*d++ = (line_gfx && ch >= 0xc0 && ch <= 0xdf && (bits & 1)) ? f : b;
	}
}

static void render_text(struct rctx *r, struct vga_frame *f, int64_t now_ns)
{
	const struct vga_state *s = r->s;
	struct crtc c;
	struct scan sc;
	crtc_init(s, &c);
	unsigned cw = text_char_width(s), rep = (s->sr[SR_CLOCK] & 0x08) ? 2 : 1;
	unsigned cell_h = (c.max_scan + 1) << c.dbl;
	unsigned rows = c.height / cell_h;
	unsigned h = rows * cell_h, w = c.cols * cw;
	unsigned pan = text_pan(s, cw);
	scan_start(&c, &sc);
	for (unsigned y = 0; y < h; y++) {
		text_line(r, &c, &sc, cw, now_ns);
		emit_row(r, f->pixels + (size_t)y * f->stride, pan, w, rep);
		scan_next(&c, &sc, y);
	}
}

/* ---- graphics ---- */

/* one scan line's dots from c->cols + 1 character clocks */
static void graphics_line(struct rctx *r, const struct crtc *c, const struct scan *sc)
{
	const struct vga_state *s = r->s;
	unsigned shift = (s->gr[GR_MODE] >> 5) & 3;
	uint8_t *d = r->dots;
	for (unsigned i = 0; i <= c->cols; i++) {
		uint32_t a = crtc_addr(s, (uint16_t)(sc->ma + i), sc->rs);
		uint8_t p0 = plane(s, a, 0), p1 = plane(s, a, 1), p2 = plane(s, a, 2), p3 = plane(s, a, 3);
		if (shift >= 2) {
			/* 256 colours: one byte a pixel, each pixel two dots */
			const uint8_t px[4] = { p0, p1, p2, p3 };
			for (unsigned k = 0; k < 4; k++)
				*d++ = px[k], *d++ = px[k];
		} else if (shift == 1) {
			/* CGA interleave: 2 bits a pixel, planes 0/1 then 2/3 pairs */
			for (unsigned x = 0; x < 8; x++) {
				uint8_t lo = x < 4 ? p0 : p1, hi = x < 4 ? p2 : p3;
				unsigned sh = 6 - 2 * (x & 3);
				unsigned v = ((lo >> sh) & 3) | ((hi >> sh) & 3) << 2;
				*d++ = r->attr[v];
			}
		} else {
			for (unsigned x = 0; x < 8; x++) {
				unsigned b = 7 - x;
				unsigned v = ((p0 >> b) & 1) | ((p1 >> b) & 1) << 1 |
					     ((p2 >> b) & 1) << 2 | ((p3 >> b) & 1) << 3;
				*d++ = r->attr[v];
			}
		}
	}
}

static void render_graphics(struct rctx *r, struct vga_frame *f)
{
	const struct vga_state *s = r->s;
	struct crtc c;
	struct scan sc;
	crtc_init(s, &c);
	unsigned rep = (s->sr[SR_CLOCK] & 0x08) ? 2 : 1;
	unsigned w = c.cols * 8;
	bool c256 = ((s->gr[GR_MODE] >> 5) & 3) >= 2;
	unsigned pan = s->ar[AR_PAN] & (c256 ? 6 : 7);
	scan_start(&c, &sc);
	for (unsigned y = 0; y < c.height; y++) {
		/* the attribute controller may drop panning below the split */
		unsigned p = (y > c.line_compare && (s->ar[AR_MODE] & 0x20)) ? 0 : pan;
		graphics_line(r, &c, &sc);
		emit_row(r, f->pixels + (size_t)y * f->stride, p, w, rep);
		scan_next(&c, &sc, y);
	}
}

/* ---- VBE ---- */

static uint32_t vbe_pixel(const struct rctx *r, const uint8_t *p, unsigned bpp)
{
	uint32_t v;
	switch (bpp) {
	case 8:
		return r->pal[p[0]];
	/* high-colour channels are widened by a shift alone, as QEMU does */
	case 15:
		v = p[0] | p[1] << 8;
		return ((v >> 7) & 0xf8) << 16 | ((v >> 2) & 0xf8) << 8 | ((v << 3) & 0xf8);
	case 16:
		v = p[0] | p[1] << 8;
		return ((v >> 8) & 0xf8) << 16 | ((v >> 3) & 0xfc) << 8 | ((v << 3) & 0xf8);
	case 24:
	default:
		return (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
	}
}

static void render_vbe(struct rctx *r, struct vga_frame *f)
{
	const struct vga_state *s = r->s;
	unsigned w = f->width, h = f->height, bpp = s->vbe[VBE_BPP];
	if (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32)
		bpp = 8;		/* what the DISPI fixup makes of any other depth */
	if (bpp == 4) {
		const uint32_t amask = VGA_VRAM_SIZE / 4 - 1;
		for (unsigned y = 0; y < h; y++) {
			uint32_t pa = s->vbe_start / 4 + y * (s->vbe_line / 4);
			uint32_t *out = f->pixels + (size_t)y * f->stride;
			for (unsigned x = 0; x < w; x++) {
				uint32_t a = pa + x / 8;
				unsigned b = 7 - (x & 7), v = 0;
				for (unsigned p = 0; p < 4; p++)
					v |= ((s->vram[vga_plane_index(a, p, amask)] >> b) & 1) << p;
				out[x] = r->pal[r->attr[v]];
			}
		}
		return;
	}
	unsigned bytes = bpp == 15 ? 2 : (bpp + 7) / 8;
	for (unsigned y = 0; y < h; y++) {
		uint64_t a = (uint64_t)s->vbe_start + (uint64_t)y * s->vbe_line;
		uint32_t *out = f->pixels + (size_t)y * f->stride;
		if (a + (uint64_t)w * bytes <= VGA_VRAM_SIZE) {
			const uint8_t *p = s->vram + a;
			if (bpp == 32) {
				for (unsigned x = 0; x < w; x++, p += 4)
					out[x] = (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
			} else {
				for (unsigned x = 0; x < w; x++, p += bytes)
					out[x] = vbe_pixel(r, p, bpp);
			}
		} else {
			/* past the end of video memory the address wraps */
			for (unsigned x = 0; x < w; x++) {
				uint8_t px[4];
				for (unsigned k = 0; k < bytes; k++)
					px[k] = s->vram[(a + (uint64_t)x * bytes + k) & (VGA_VRAM_SIZE - 1)];
				out[x] = bpp == 32 ? vbe_pixel(r, px, 24) : vbe_pixel(r, px, bpp);
			}
		}
	}
}

/* ---- the frame ---- */

enum rmode { R_BLANK, R_TEXT, R_GRAPHICS, R_VBE };

static enum rmode render_mode(const struct vga_state *s, unsigned *w, unsigned *h)
{
	if (s->vbe[VBE_ENABLE] & VBE_ENABLED) {
		*w = s->vbe[VBE_XRES];
		*h = s->vbe[VBE_YRES];
		return R_VBE;
	}
	/* the attribute controller shows the picture only with PAS set, the
	 * sequencer only with the screen on */
	if (!(s->ar_index & 0x20) || (s->sr[SR_CLOCK] & 0x20))
		return R_BLANK;
	struct crtc c;
	crtc_init(s, &c);
	unsigned rep = (s->sr[SR_CLOCK] & 0x08) ? 2 : 1;
	if (s->gr[GR_MISC] & 1) {
		*w = c.cols * 8 * rep;
		*h = c.height;
		return R_GRAPHICS;
	}
	unsigned cell_h = (c.max_scan + 1) << c.dbl;
	*w = c.cols * text_char_width(s) * rep;
	*h = c.height / cell_h * cell_h;
	return R_TEXT;
}

bool vga_render_state(const struct vga_state *s, int64_t now_ns, struct vga_frame *f)
{
	unsigned w = 0, h = 0;
	bool changed;
	enum rmode m = render_mode(s, &w, &h);
	if (m == R_BLANK || w == 0 || h == 0) {
		/* a blank screen keeps its size; before any mode, QEMU's 640x480 */
		w = f->width ? f->width : 640;
		h = f->height ? f->height : 480;
		m = R_BLANK;
	}
	if (!frame_resize(f, w, h, &changed))
		return false;
	struct rctx r;
	rctx_init(&r, s);
	switch (m) {
	case R_TEXT:
		render_text(&r, f, now_ns);
		break;
	case R_GRAPHICS:
		render_graphics(&r, f);
		break;
	case R_VBE:
		render_vbe(&r, f);
		break;
	default:
		memset(f->pixels, 0, (size_t)w * h * sizeof(*f->pixels));
		break;
	}
	return changed;
}

int vga_text_cells(const struct vga_state *s, uint16_t *cells, int max_cells,
		   int *cols, int *rows)
{
	*cols = *rows = 0;
	if ((s->vbe[VBE_ENABLE] & VBE_ENABLED) || (s->gr[GR_MISC] & 1))
		return -1;
	struct crtc c;
	crtc_init(s, &c);
	unsigned cell_h = (c.max_scan + 1) << c.dbl;
	*cols = (int)c.cols;
	*rows = (int)(c.height / cell_h);
	int n = 0;
	for (int y = 0; y < *rows; y++) {
		uint16_t ma = (uint16_t)(c.start + y * c.offset);
		for (int x = 0; x < *cols; x++, n++) {
			uint32_t a = crtc_addr(s, (uint16_t)(ma + x), 0);
			if (n < max_cells)
				cells[n] = (uint16_t)(plane(s, a, 0) | plane(s, a, 1) << 8);
		}
	}
	return n;
}
