/* The standard VGA and the Bochs VBE (DISPI) interface: registers, the
 * planar memory behind the legacy window, and the PCI function. */
// SPDX-License-Identifier: MIT
#include "hw/vga.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>	/* the framebuffer is page-aligned host memory */
#include "hw/log.h"
#include "hw/pci.h"
#include "hw/vgafont.h"

/* Addressing model. Video memory is one byte array; plane p at plane
 * address a is vram[4a + p] (vga_render.h). The CPU side follows the IBM
 * VGA: chain-4 puts a byte at plane A&3 and leaves only every fourth plane
 * address in use, odd/even puts it at plane pair A&1 with A0 replaced by
 * A16, and otherwise all enabled planes see the same address. The CRTC side
 * (hw/vga_render.c) reverses this with its byte/word/doubleword address
 * shifts, so a guest that mixes the mappings (mode X tricks) sees what a
 * real card shows. In VBE modes of 8 bits and more the window and the LFB
 * are plain linear bytes of the same memory, as on QEMU. */

enum {
	SR_RESET = 0, SR_CLOCK = 1, SR_MAP_MASK = 2, SR_CHARMAP = 3, SR_MEMMODE = 4,
	SR4_ODD_EVEN_OFF = 0x04, SR4_CHAIN4 = 0x08,

	GR_SR_VALUE = 0, GR_SR_ENABLE = 1, GR_COMPARE = 2, GR_ROTATE = 3,
	GR_READ_MAP = 4, GR_MODE = 5, GR_MISC = 6, GR_DONT_CARE = 7, GR_BIT_MASK = 8,
	GR5_READ_MODE1 = 0x08, GR5_ODD_EVEN = 0x10,

	CR_MAX_SCAN = 0x09, CR_VSYNC_END = 0x11, CR_OVERFLOW = 0x07,
	CR11_PROTECT = 0x80,

	MISC_COLOR = 0x01,

	ST1_DISP_OFF = 0x01, ST1_VRETRACE = 0x08,
};

/* bits the guest can set in each sequencer and graphics register, as on
 * QEMU's std VGA (SR7 is a scratch register there) */
static const uint8_t sr_wmask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff };
static const uint8_t gr_wmask[16] = {
	0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
};
/* attribute controller: palette, mode, overscan, plane enable, panning, colour select */
static const uint8_t ar_wmask[21] = {
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	0xef, 0xff, 0x3f, 0x0f, 0x0f,
};

#define VBE_MAX_XRES 16000	/* what QEMU answers under GETCAPS; SeaVGABIOS */
#define VBE_MAX_YRES 12000	/* filters its mode list with these */
#define VBE_MAX_BPP 32

struct vga_portwin {
	struct vga *v;
	uint16_t base;
};

struct vga {
	struct vga_state s;
	struct vclock *clk;
	struct pci_dev pci;
	bool on_pci;
	uint8_t vse;			/* 0x3c3 video subsystem enable (kept, no effect) */
	struct vga_portwin win[5];

	/* derived from registers; vga_derive() recomputes them */
	bool wfast;			/* write mode 0 with nothing but the map mask */
	bool linear;			/* VBE of 8 bpp and more: window is linear bytes */
	uint32_t amask;			/* plane address mask */
	uint32_t bank_offset;		/* VBE bank, added in the 64 KiB window */

	/* 0x3da polled with the clock standing still (a manual clock): the
	 * beam is moved on by hand so a spinning guest still sees it */
	int64_t st_last_ns, st_skew;
	unsigned st_spins;

	uint8_t font[VGAFONT_CHARS * VGAFONT_HEIGHT];
	bool have_font;
};

static bool vbe_on(const struct vga_state *s)
{
	return s->vbe[VBE_ENABLE] & VBE_ENABLED;
}

static void vga_derive(struct vga *v)
{
	struct vga_state *s = &v->s;
	v->wfast = (s->gr[GR_MODE] & 3) == 0 && s->gr[GR_ROTATE] == 0 &&
		   s->gr[GR_SR_ENABLE] == 0 && s->gr[GR_BIT_MASK] == 0xff;
	v->linear = vbe_on(s) && s->vbe[VBE_BPP] != 4;
	v->amask = vbe_on(s) ? VGA_VRAM_SIZE / 4 - 1 : VGA_PLANE_SIZE - 1;
}

/* ---- input status 1: the beam position on the virtual clock ---- */

struct vga_beam {
	int64_t line_ns, frame_ns;
	unsigned htotal, hde, vtotal, vde, vrs, vrlen;
};

static void vga_beam_timing(const struct vga_state *s, struct vga_beam *b)
{
	static const int64_t dot_hz[4] = { 25175000, 28322000, 25175000, 25175000 };
	const uint8_t *cr = s->cr;
	unsigned ov = cr[CR_OVERFLOW];
	unsigned dots = (s->sr[SR_CLOCK] & 1) ? 8 : 9;
	if (s->sr[SR_CLOCK] & 0x08)
		dots *= 2;
	b->htotal = cr[0x00] + 5u;
	b->hde = cr[0x01] + 1u;
	b->vtotal = (cr[0x06] | (ov & 0x01) << 8 | (ov & 0x20) << 4) + 2u;
	b->vde = (cr[0x12] | (ov & 0x02) << 7 | (ov & 0x40) << 3) + 1u;
	b->vrs = cr[0x10] | (ov & 0x04) << 6 | (ov & 0x80) << 2;
	/* the end register holds the low four bits of the line retrace stops at */
	b->vrlen = ((cr[CR_VSYNC_END] & 0x0f) - b->vrs) & 0x0f;
	if (b->vrlen == 0)
		b->vrlen = 16;
	/* whatever the guest programmed, the retrace must come round */
	if (b->vrs >= b->vtotal)
		b->vrs = b->vtotal - 1;
	b->line_ns = muldiv64(b->htotal * dots, NS_PER_SEC, dot_hz[(s->misc >> 2) & 3]);
	b->frame_ns = b->line_ns * b->vtotal;
}

static uint8_t vga_status1(struct vga *v)
{
	struct vga_beam b;
	vga_beam_timing(&v->s, &b);
	int64_t now = clock_ns(v->clk);
	if (now == v->st_last_ns) {
		if (++v->st_spins >= 16)
			v->st_skew += b.line_ns / 3 + 1;
	} else {
		v->st_spins = 0;
		v->st_last_ns = now;
	}
	int64_t pos = (now + v->st_skew) % b.frame_ns;
	unsigned line = (unsigned)(pos / b.line_ns);
	unsigned ch = (unsigned)((pos % b.line_ns) * b.htotal / b.line_ns);
	uint8_t st = 0;
	if (line >= b.vrs && line < b.vrs + b.vrlen)
		st |= ST1_VRETRACE | ST1_DISP_OFF;
	if (line >= b.vde || ch >= b.hde)
		st |= ST1_DISP_OFF;
	return st;
}

/* ---- the Bochs DISPI interface ---- */

/* Clamp the mode registers to what fits, as QEMU does: the interface has no
 * way to refuse a value, so the nearest valid one is taken. */
static void vbe_fixup(struct vga *v)
{
	uint16_t *r = v->s.vbe;
	uint32_t bits;
	if (!(r[VBE_ENABLE] & VBE_ENABLED))
		return;
	switch (r[VBE_BPP]) {
	case 4: case 8: case 16: case 24: case 32:
		bits = r[VBE_BPP];
		break;
	case 15:
		bits = 16;
		break;
	default:
		bits = r[VBE_BPP] = 8;
		break;
	}
	r[VBE_XRES] &= ~7u;
	if (r[VBE_XRES] == 0)
		r[VBE_XRES] = 8;
	if (r[VBE_XRES] > VBE_MAX_XRES)
		r[VBE_XRES] = VBE_MAX_XRES;
	r[VBE_VIRT_WIDTH] &= ~7u;
	if (r[VBE_VIRT_WIDTH] > VBE_MAX_XRES)
		r[VBE_VIRT_WIDTH] = VBE_MAX_XRES;
	if (r[VBE_VIRT_WIDTH] < r[VBE_XRES])
		r[VBE_VIRT_WIDTH] = r[VBE_XRES];

	uint32_t line = r[VBE_VIRT_WIDTH] * bits / 8;
	uint32_t maxy = VGA_VRAM_SIZE / line;
	if (r[VBE_YRES] == 0)
		r[VBE_YRES] = 1;
	if (r[VBE_YRES] > VBE_MAX_YRES)
		r[VBE_YRES] = VBE_MAX_YRES;
	if (r[VBE_YRES] > maxy)
		r[VBE_YRES] = (uint16_t)maxy;

	if (r[VBE_X_OFFSET] > VBE_MAX_XRES)
		r[VBE_X_OFFSET] = VBE_MAX_XRES;
	if (r[VBE_Y_OFFSET] > VBE_MAX_YRES)
		r[VBE_Y_OFFSET] = VBE_MAX_YRES;
	uint32_t off = r[VBE_X_OFFSET] * bits / 8 + r[VBE_Y_OFFSET] * line;
	if (off + r[VBE_YRES] * line > VGA_VRAM_SIZE) {
		r[VBE_Y_OFFSET] = 0;
		off = r[VBE_X_OFFSET] * bits / 8;
		if (off + r[VBE_YRES] * line > VGA_VRAM_SIZE) {
			r[VBE_X_OFFSET] = 0;
			off = 0;
		}
	}
	r[VBE_VIRT_HEIGHT] = maxy > 0xffff ? 0xffff : (uint16_t)maxy;
	v->s.vbe_line = line;
	v->s.vbe_start = off;
}

/* a VBE mode also programs the VGA side the way the renderer and a guest
 * reading the CRTC expect: graphics, 64 KiB window, chain-4 or planar */
static void vbe_update_vga(struct vga *v)
{
	struct vga_state *s = &v->s;
	if (!vbe_on(s))
		return;
	unsigned h = s->vbe[VBE_YRES] - 1u;
	s->gr[GR_MISC] = (s->gr[GR_MISC] & ~0x0c) | 0x04 | 0x01;
	s->cr[0x17] |= 3;
	s->cr[0x13] = (uint8_t)(s->vbe_line >> 3);
	s->cr[0x01] = (uint8_t)((s->vbe[VBE_XRES] >> 3) - 1);
	s->cr[0x12] = (uint8_t)h;
	s->cr[CR_OVERFLOW] = (s->cr[CR_OVERFLOW] & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40);
	s->cr[0x18] = 0xff;		/* line compare at 1023: no split */
	s->cr[CR_OVERFLOW] |= 0x10;
	s->cr[CR_MAX_SCAN] |= 0x40;
	unsigned shift;
	if (s->vbe[VBE_BPP] == 4) {
		shift = 0;
		s->sr[SR_CLOCK] &= ~0x08;
	} else {
		shift = 2;
		s->sr[SR_MEMMODE] |= SR4_CHAIN4;
		s->sr[SR_MAP_MASK] |= 0x0f;
	}
	s->gr[GR_MODE] = (s->gr[GR_MODE] & ~0x60) | (uint8_t)(shift << 5);
	s->cr[CR_MAX_SCAN] &= ~0x9f;
}

static uint16_t vbe_read(struct vga *v, unsigned index)
{
	const uint16_t *r = v->s.vbe;
	if (index == VBE_VIDEO_MEMORY_64K)
		return VGA_VRAM_SIZE >> 16;
	if (index >= VBE_NREGS)
		return 0;
	if (r[VBE_ENABLE] & VBE_GETCAPS) {
		if (index == VBE_XRES)
			return VBE_MAX_XRES;
		if (index == VBE_YRES)
			return VBE_MAX_YRES;
		if (index == VBE_BPP)
			return VBE_MAX_BPP;
	}
	return r[index];
}

static void vbe_write(struct vga *v, unsigned index, uint16_t val)
{
	uint16_t *r = v->s.vbe;
	switch (index) {
	case VBE_ID:
		if (val >= 0xb0c0 && val <= 0xb0c5)
			r[VBE_ID] = val;
		break;
	case VBE_XRES: case VBE_YRES: case VBE_BPP:
	case VBE_VIRT_WIDTH: case VBE_X_OFFSET: case VBE_Y_OFFSET:
		r[index] = val;
		vbe_fixup(v);
		vbe_update_vga(v);
		break;
	case VBE_BANK: {
		uint16_t mask = (VGA_VRAM_SIZE >> 16) - 1;
		if (r[VBE_BPP] == 4)
			mask >>= 2;
		r[VBE_BANK] = val & mask;
		v->bank_offset = (uint32_t)r[VBE_BANK] << 16;
		break;
	}
	case VBE_ENABLE:
		if ((val & VBE_ENABLED) && !(r[VBE_ENABLE] & VBE_ENABLED)) {
			r[VBE_VIRT_WIDTH] = 0;
			r[VBE_X_OFFSET] = 0;
			r[VBE_Y_OFFSET] = 0;
			r[VBE_ENABLE] |= VBE_ENABLED;
			vbe_fixup(v);
			vbe_update_vga(v);
			if (!(val & VBE_NOCLEARMEM))
				memset(v->s.vram, 0, (size_t)r[VBE_YRES] * v->s.vbe_line);
		} else if (!(val & VBE_ENABLED)) {
			v->bank_offset = 0;
		}
		r[VBE_ENABLE] = val;
		break;
	case VBE_VIRT_HEIGHT:
	case VBE_VIDEO_MEMORY_64K:
		break;			/* computed from the memory size */
	default:
		log_once("vga: write of unknown DISPI register %#x", index);
		break;
	}
	vga_derive(v);
}

/* ---- the legacy window 0xA0000-0xBFFFF ---- */

/* the window offset as an address in video memory, or false where the
 * memory map select leaves a hole (reads float high, writes vanish) */
static bool vga_window(const struct vga *v, uint64_t off, uint32_t *a)
{
	switch ((v->s.gr[GR_MISC] >> 2) & 3) {
	case 0:
		*a = (uint32_t)off;
		return true;
	case 1:
		if (off >= 0x10000)
			return false;
		*a = (uint32_t)off + v->bank_offset;
		return true;
	case 2:
		if (off < 0x10000 || off >= 0x18000)
			return false;
		*a = (uint32_t)off - 0x10000;
		return true;
	default:
		if (off < 0x18000)
			return false;
		*a = (uint32_t)off - 0x18000;
		return true;
	}
}

/* one byte expanded to all planes, or a 4-bit plane mask to bytes */
static uint32_t vga_expand(unsigned nibble)
{
	uint32_t r = 0;
	for (unsigned p = 0; p < 4; p++)
		if (nibble & (1u << p))
			r |= 0xffu << (8 * p);
	return r;
}

/* the CPU address as a plane address and the planes it may reach */
static uint32_t vga_cpu_plane_addr(const struct vga *v, uint32_t a, unsigned *planes)
{
	const struct vga_state *s = &v->s;
	if (s->sr[SR_MEMMODE] & SR4_CHAIN4) {
		*planes = 1u << (a & 3);
		return (a & ~3u) | ((a >> 14) & 3);
	}
	if (!(s->sr[SR_MEMMODE] & SR4_ODD_EVEN_OFF)) {
		*planes = (a & 1) ? 0xa : 0x5;
		return (a & ~1u) | ((a >> 16) & 1);
	}
	*planes = 0xf;
	return a;
}

static uint32_t vga_load_latch(struct vga *v, uint32_t pa)
{
	const uint8_t *m = v->s.vram;
	uint32_t l = 0;
	for (unsigned p = 0; p < 4; p++)
		l |= (uint32_t)m[vga_plane_index(pa, p, v->amask)] << (8 * p);
	return v->s.latch = l;
}

static uint8_t vga_mem_readb(struct vga *v, uint64_t off)
{
	const struct vga_state *s = &v->s;
	uint32_t a;
	unsigned planes;
	if (!vga_window(v, off, &a))
		return 0xff;
	if (v->linear)
		return s->vram[a & (VGA_VRAM_SIZE - 1)];
	uint32_t pa = vga_cpu_plane_addr(v, a, &planes);
	uint32_t l = vga_load_latch(v, pa);
	if (s->sr[SR_MEMMODE] & SR4_CHAIN4)
		return (uint8_t)(l >> (8 * (a & 3)));
	if (s->gr[GR_MODE] & GR5_READ_MODE1) {
		/* a 1 for each pixel whose colour matches in every plane that counts */
		uint32_t care = vga_expand(s->gr[GR_DONT_CARE]);
		uint32_t diff = (l ^ vga_expand(s->gr[GR_COMPARE])) & care;
		diff |= diff >> 16;
		diff |= diff >> 8;
		return (uint8_t)~diff;
	}
	unsigned plane = s->gr[GR_READ_MAP] & 3;
	if (s->gr[GR_MODE] & GR5_ODD_EVEN)
		plane = (plane & 2) | (a & 1);
	return (uint8_t)(l >> (8 * plane));
}

/* the graphics controller's write path: four plane bytes from one CPU byte */
static uint32_t vga_write_data(const struct vga_state *s, uint8_t val)
{
	const uint8_t *gr = s->gr;
	unsigned rot = gr[GR_ROTATE] & 7;
	uint8_t r = (uint8_t)((val >> rot) | (val << (8 - rot)));
	uint32_t data, mask = gr[GR_BIT_MASK];
	switch (gr[GR_MODE] & 3) {
	case 0: {
		uint32_t en = vga_expand(gr[GR_SR_ENABLE]);
		data = (r * 0x01010101u & ~en) | (vga_expand(gr[GR_SR_VALUE]) & en);
		break;
	}
	case 1:
		return s->latch;
	case 2:
		data = vga_expand(val & 0x0f);
		break;
	default:
		mask &= r;
		data = vga_expand(gr[GR_SR_VALUE]);
		break;
	}
	switch ((gr[GR_ROTATE] >> 3) & 3) {
	case 1: data &= s->latch; break;
	case 2: data |= s->latch; break;
	case 3: data ^= s->latch; break;
	default: break;
	}
	mask *= 0x01010101u;
	return (data & mask) | (s->latch & ~mask);
}

static void vga_mem_writeb(struct vga *v, uint64_t off, uint8_t val)
{
	struct vga_state *s = &v->s;
	uint32_t a;
	unsigned planes;
	if (!vga_window(v, off, &a))
		return;
	if (v->linear) {
		s->vram[a & (VGA_VRAM_SIZE - 1)] = val;
		return;
	}
	uint32_t pa = vga_cpu_plane_addr(v, a, &planes);
	planes &= s->sr[SR_MAP_MASK];
	uint32_t data = v->wfast ? val * 0x01010101u : vga_write_data(s, val);
	for (unsigned p = 0; p < 4; p++)
		if (planes & (1u << p))
			s->vram[vga_plane_index(pa, p, v->amask)] = (uint8_t)(data >> (8 * p));
}

static uint64_t vga_mem_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	return vga_mem_readb(opaque, off);
}

static void vga_mem_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	(void)size;
	vga_mem_writeb(opaque, off, (uint8_t)val);
}

static const struct bus_ops vga_mem_ops = {
	.read = vga_mem_read, .write = vga_mem_write, .min_size = 1, .max_size = 1,
};

/* ---- the register ports ---- */

/* the CRTC and status ports answer only at the address the misc output
 * register selects (0x3bx mono, 0x3dx colour) */
static bool vga_port_decoded(const struct vga *v, unsigned port)
{
	if ((port & 0xfff0) == 0x3b0)
		return !(v->s.misc & MISC_COLOR);
	if ((port & 0xfff0) == 0x3d0)
		return v->s.misc & MISC_COLOR;
	return true;
}

static uint8_t vga_port_read(struct vga *v, unsigned port)
{
	struct vga_state *s = &v->s;
	uint8_t val;
	if (!vga_port_decoded(v, port))
		return 0xff;
	switch (port) {
	case 0x3c0:
		return s->ar_index;
	case 0x3c1: {
		unsigned i = s->ar_index & 0x1f;
		return i < sizeof(s->ar) ? s->ar[i] : 0;
	}
	case 0x3c2:
		return 0;		/* input status 0: no switch sense, no interrupt */
	case 0x3c3:
		return v->vse;
	case 0x3c4:
		return s->sr_index;
	case 0x3c5:
		return s->sr[s->sr_index];
	case 0x3c6:
		return s->pel_mask;
	case 0x3c7:
		return s->dac_state;
	case 0x3c8:
		return s->dac_write;
	case 0x3c9:
		val = s->dac[s->dac_read][s->dac_sub];
		if (++s->dac_sub == 3) {
			s->dac_sub = 0;
			s->dac_read++;
		}
		return val;
	case 0x3ca:
		return s->fcr;
	case 0x3cc:
		return s->misc;
	case 0x3ce:
		return s->gr_index;
	case 0x3cf:
		return s->gr[s->gr_index];
	case 0x3b4: case 0x3d4:
		return s->cr_index;
	case 0x3b5: case 0x3d5:
		return s->cr[s->cr_index];
	case 0x3ba: case 0x3da:
		s->ar_flip = 0;
		return vga_status1(v);
	default:
		return 0xff;
	}
}

static void vga_crtc_write(struct vga_state *s, uint8_t val)
{
	unsigned i = s->cr_index;
	if ((s->cr[CR_VSYNC_END] & CR11_PROTECT) && i <= CR_OVERFLOW) {
		/* the line compare bit 8 in the overflow stays writable */
		if (i == CR_OVERFLOW)
			s->cr[i] = (s->cr[i] & ~0x10) | (val & 0x10);
		return;
	}
	s->cr[i] = val;
}

static void vga_port_write(struct vga *v, unsigned port, uint8_t val)
{
	struct vga_state *s = &v->s;
	if (!vga_port_decoded(v, port))
		return;
	switch (port) {
	case 0x3c0:
		if (!s->ar_flip) {
			s->ar_index = val & 0x3f;
		} else {
			unsigned i = s->ar_index & 0x1f;
			if (i < sizeof(s->ar))
				s->ar[i] = val & ar_wmask[i];
		}
		s->ar_flip ^= 1;
		break;
	case 0x3c2:
		s->misc = val & ~0x10;
		break;
	case 0x3c3:
		v->vse = val & 1;
		break;
	case 0x3c4:
		s->sr_index = val & 7;
		break;
	case 0x3c5:
		s->sr[s->sr_index] = val & sr_wmask[s->sr_index];
		break;
	case 0x3c6:
		s->pel_mask = val;
		break;
	case 0x3c7:
		s->dac_read = val;
		s->dac_sub = 0;
		s->dac_state = 3;
		break;
	case 0x3c8:
		s->dac_write = val;
		s->dac_sub = 0;
		s->dac_state = 0;
		break;
	case 0x3c9:
		s->dac_latch[s->dac_sub] = (s->vbe[VBE_ENABLE] & VBE_8BIT_DAC) ? val : val & 0x3f;
		if (++s->dac_sub == 3) {
			memcpy(s->dac[s->dac_write], s->dac_latch, 3);
			s->dac_sub = 0;
			s->dac_write++;
		}
		break;
	case 0x3ce:
		s->gr_index = val & 0x0f;
		break;
	case 0x3cf:
		s->gr[s->gr_index] = val & gr_wmask[s->gr_index];
		vga_derive(v);
		break;
	case 0x3b4: case 0x3d4:
		s->cr_index = val;
		break;
	case 0x3b5: case 0x3d5:
		vga_crtc_write(s, val);
		break;
	case 0x3ba: case 0x3da:
		s->fcr = val & 0x0b;
		break;
	default:
		break;			/* read-only or unassigned: the write is lost */
	}
}

static uint64_t vga_win_read(void *opaque, uint64_t off, unsigned size)
{
	struct vga_portwin *w = opaque;
	(void)size;
	return vga_port_read(w->v, w->base + (unsigned)off);
}

static void vga_win_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct vga_portwin *w = opaque;
	(void)size;
	vga_port_write(w->v, w->base + (unsigned)off, (uint8_t)val);
}

static const struct bus_ops vga_port_ops = {
	.read = vga_win_read, .write = vga_win_write, .min_size = 1, .max_size = 1,
};

/* 0x1ce index, 0x1cf data (16-bit); 0x1d0 is the data port too on QEMU */
static uint64_t vbe_port_read(void *opaque, uint64_t off, unsigned size)
{
	struct vga *v = opaque;
	if (off > 2)
		return size == 1 ? 0xff : 0xffff;
	uint16_t val = off == 0 ? v->s.vbe_index : vbe_read(v, v->s.vbe_index);
	return size == 1 ? (uint8_t)val : val;
}

static void vbe_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct vga *v = opaque;
	if (size == 1)
		log_once("vga: byte access to the DISPI port %#llx", 0x1ceull + off);
	if (off == 0)
		v->s.vbe_index = (uint16_t)val;
	else if (off <= 2)
		vbe_write(v, v->s.vbe_index, (uint16_t)val);
}

static const struct bus_ops vbe_port_ops = {
	.read = vbe_port_read, .write = vbe_port_write, .min_size = 1, .max_size = 2,
};

/* ---- BAR2: the register page ---- */

enum {
	MMIO_EDID = 0x000, MMIO_VGA = 0x400, MMIO_DISPI = 0x500, MMIO_EXT = 0x600,
	MMIO_EXT_SIZE = 8,
	FB_LITTLE_ENDIAN = 0x1e1e1e1e,
};

static uint8_t vga_mmio_readb(struct vga *v, unsigned off)
{
	if (off >= MMIO_VGA && off < MMIO_VGA + 0x20)
		return vga_port_read(v, 0x3c0 + off - MMIO_VGA);
	if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * VBE_NREGS)
		return (uint8_t)(vbe_read(v, (off - MMIO_DISPI) / 2) >> (8 * (off & 1)));
	if (off >= MMIO_EXT && off < MMIO_EXT + 4)
		return (uint8_t)(MMIO_EXT_SIZE >> (8 * (off & 3)));
	if (off >= MMIO_EXT + 4 && off < MMIO_EXT + 8)
		return (uint8_t)(FB_LITTLE_ENDIAN >> (8 * (off & 3)));
	/* 0x000-0x3ff: no EDID blob (all zero: drivers fall back to their
	 * default modes); the rest is unassigned */
	return 0;
}

static uint64_t vga_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct vga *v = opaque;
	uint64_t val = 0;
	for (unsigned i = 0; i < size; i++)
		val |= (uint64_t)vga_mmio_readb(v, (unsigned)off + i) << (8 * i);
	return val;
}

static void vga_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct vga *v = opaque;
	for (unsigned i = 0; i < size; i++) {
		unsigned o = (unsigned)off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (o >= MMIO_VGA && o < MMIO_VGA + 0x20) {
			/* bytes in address order: index port first, then data */
			vga_port_write(v, 0x3c0 + o - MMIO_VGA, b);
		} else if (o >= MMIO_DISPI && o < MMIO_DISPI + 2 * VBE_NREGS) {
			unsigned index = (o - MMIO_DISPI) / 2;
			uint16_t r = vbe_read(v, index);
			if ((o & 1) == 0 && i + 1 < size) {
				r = (uint16_t)(val >> (8 * i));
				i++;
			} else if (o & 1) {
				r = (uint16_t)((r & 0x00ff) | b << 8);
			} else {
				r = (uint16_t)((r & 0xff00) | b);
			}
			vbe_write(v, index, r);
		} else if (o >= MMIO_EXT + 4 && o < MMIO_EXT + 8) {
			log_once("vga: framebuffer endianness write ignored (little endian only)");
		}
	}
}

static const struct bus_ops vga_mmio_ops = {
	.read = vga_mmio_read, .write = vga_mmio_write, .min_size = 1, .max_size = 4,
};

/* ---- device ---- */

static void vga_reset(void *opaque)
{
	struct vga *v = opaque;
	uint8_t *vram = v->s.vram;
	/* registers to zero as on QEMU (the BIOS programs a mode); the memory
	 * keeps its contents, as a card's DRAM does over a reset */
	memset(&v->s, 0, sizeof(v->s));
	v->s.vram = vram;
	v->s.pel_mask = 0xff;
	v->s.vbe[VBE_ID] = 0xb0c5;
	v->vse = 1;
	v->bank_offset = 0;
	vga_derive(v);
}

static void vga_save(void *opaque, struct snap *s)
{
	struct vga *v = opaque;
	struct vga_state *st = &v->s;
	snap_section_put(s, "vga", 1);
	SNAP_PUT(s, st->misc);
	SNAP_PUT(s, st->fcr);
	SNAP_PUT(s, st->sr_index);
	SNAP_PUT(s, st->sr);
	SNAP_PUT(s, st->gr_index);
	SNAP_PUT(s, st->gr);
	SNAP_PUT(s, st->ar_index);
	SNAP_PUT(s, st->ar);
	SNAP_PUT(s, st->ar_flip);
	SNAP_PUT(s, st->cr_index);
	SNAP_PUT(s, st->cr);
	SNAP_PUT(s, st->dac);
	SNAP_PUT(s, st->pel_mask);
	SNAP_PUT(s, st->dac_read);
	SNAP_PUT(s, st->dac_write);
	SNAP_PUT(s, st->dac_sub);
	SNAP_PUT(s, st->dac_state);
	SNAP_PUT(s, st->dac_latch);
	SNAP_PUT(s, st->latch);
	SNAP_PUT(s, st->vbe_index);
	SNAP_PUT(s, st->vbe);
	SNAP_PUT(s, st->vbe_line);
	SNAP_PUT(s, st->vbe_start);
	SNAP_PUT(s, v->vse);
	SNAP_PUT(s, v->bank_offset);
	SNAP_PUT(s, v->st_skew);
	snap_put(s, st->vram, VGA_VRAM_SIZE);
}

static int vga_load(void *opaque, struct snap *s)
{
	struct vga *v = opaque;
	struct vga_state st = { .vram = v->s.vram };
	uint8_t vse;
	uint32_t bank_offset;
	int64_t skew;
	snap_section_get(s, "vga", 1);
	SNAP_GET(s, st.misc);
	SNAP_GET(s, st.fcr);
	SNAP_GET(s, st.sr_index);
	SNAP_GET(s, st.sr);
	SNAP_GET(s, st.gr_index);
	SNAP_GET(s, st.gr);
	SNAP_GET(s, st.ar_index);
	SNAP_GET(s, st.ar);
	SNAP_GET(s, st.ar_flip);
	SNAP_GET(s, st.cr_index);
	SNAP_GET(s, st.cr);
	SNAP_GET(s, st.dac);
	SNAP_GET(s, st.pel_mask);
	SNAP_GET(s, st.dac_read);
	SNAP_GET(s, st.dac_write);
	SNAP_GET(s, st.dac_sub);
	SNAP_GET(s, st.dac_state);
	SNAP_GET(s, st.dac_latch);
	SNAP_GET(s, st.latch);
	SNAP_GET(s, st.vbe_index);
	SNAP_GET(s, st.vbe);
	SNAP_GET(s, st.vbe_line);
	SNAP_GET(s, st.vbe_start);
	SNAP_GET(s, vse);
	SNAP_GET(s, bank_offset);
	SNAP_GET(s, skew);
	if (s->error || s->pos + VGA_VRAM_SIZE > s->len)
		return -1;
	/* indices the ports could never have produced */
	if (st.sr_index > 7 || st.gr_index > 15 || st.ar_index > 0x3f || st.dac_sub > 2 ||
	    bank_offset >= VGA_VRAM_SIZE || skew < 0)
		return -1;
	snap_get(s, v->s.vram, VGA_VRAM_SIZE);
	v->s = st;
	v->vse = vse;
	v->bank_offset = bank_offset;
	v->st_skew = skew;
	/* the derived mode values are recomputed, not trusted */
	if (vbe_on(&v->s))
		vbe_fixup(v);
	vga_derive(v);
	return 0;
}

/* the register values a BIOS loads for mode 3 (IBM VGA technical reference) */
static const uint8_t mode3_sr[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t mode3_cr[25] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e,
	0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t mode3_ar[21] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0x0c, 0x00, 0x0f, 0x08, 0x00,
};
static const uint8_t mode3_gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };

void vga_set_text_mode3(struct vga *v)
{
	struct vga_state *s = &v->s;
	vga_reset(v);
	s->misc = 0x67;
	memcpy(s->sr, mode3_sr, sizeof(mode3_sr));
	memcpy(s->cr, mode3_cr, sizeof(mode3_cr));
	memcpy(s->ar, mode3_ar, sizeof(mode3_ar));
	memcpy(s->gr, mode3_gr, sizeof(mode3_gr));
	s->ar_index = 0x20;		/* palette address source: display on */
	/* the EGA's 64 colours (2 bits of each of red, green, blue: rgbRGB) */
	for (unsigned i = 0; i < 64; i++) {
		s->dac[i][0] = (uint8_t)(((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15);
		s->dac[i][1] = (uint8_t)(((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15);
		s->dac[i][2] = (uint8_t)((i & 1) * 0x2a + ((i >> 3) & 1) * 0x15);
	}
	/* font: plane 2, 32 bytes a character */
	for (unsigned c = 0; c < VGAFONT_CHARS; c++)
		for (unsigned r = 0; r < 32; r++)
			s->vram[vga_plane_index(c * 32 + r, 2, VGA_PLANE_SIZE - 1)] =
				r < VGAFONT_HEIGHT ? v->font[c * VGAFONT_HEIGHT + r] : 0;
	if (!v->have_font)
		log_msg("vga: no 8x16 font in the VGA BIOS image; text mode 3 starts with a blank font");
	/* the text page at 0xB8000: odd/even, so character i is at plane
	 * address 2i of planes 0 (character) and 1 (attribute) */
	for (unsigned i = 0; i < 0x4000; i++) {
		s->vram[vga_plane_index(2 * i, 0, VGA_PLANE_SIZE - 1)] = ' ';
		s->vram[vga_plane_index(2 * i, 1, VGA_PLANE_SIZE - 1)] = 0x07;
	}
	vga_derive(v);
}

bool vga_render(struct vga *v, struct vga_frame *f)
{
	return vga_render_state(&v->s, clock_ns(v->clk), f);
}

int vga_text_snapshot(struct vga *v, uint16_t *cells, int max_cells, int *cols, int *rows)
{
	return vga_text_cells(&v->s, cells, max_cells, cols, rows);
}

uint8_t *vga_vram(struct vga *v)
{
	return v->s.vram;
}

static int vga_pci_init(struct vga *v, struct pci_bus *pci, const uint8_t *rom, size_t romlen)
{
	struct pci_dev *d = &v->pci;
	pci_config_init(d, 0x1234, 0x1111, 2, 0x030000, 0);
	d->config[PCI_SUBSYSTEM_VENDOR_ID] = 0xf4;
	d->config[PCI_SUBSYSTEM_VENDOR_ID + 1] = 0x1a;
	d->config[PCI_SUBSYSTEM_ID] = 0x00;
	d->config[PCI_SUBSYSTEM_ID + 1] = 0x11;
	d->opaque = v;
	pci_bar_hostmem(d, 0, VGA_VRAM_SIZE, false, true, v->s.vram);
	pci_bar_mmio(d, 2, 0x1000, false, false, &vga_mmio_ops, v);
	if (rom && romlen && pci_rom(d, rom, romlen))
		return -1;
	if (pci_register(pci, d, VGA_PCI_DEVFN, "vga"))
		return -1;
	v->on_pci = true;
	return 0;
}

struct vga *vga_new(struct pci_bus *pci, struct bus *io, struct bus *mmio,
		    struct vclock *clk, const uint8_t *rom, size_t romlen,
		    struct device *dev)
{
	static const struct { uint16_t base, len; } wins[5] = {
		{ 0x3b4, 2 }, { 0x3ba, 1 }, { 0x3c0, 16 }, { 0x3d4, 2 }, { 0x3da, 1 },
	};
	struct vga *v = calloc(1, sizeof(*v));
	if (!v) {
		log_error("vga: out of memory");
		return NULL;
	}
	/* page-aligned and zeroed: it becomes a memory slot behind BAR0 */
	void *vram = mmap(NULL, VGA_VRAM_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vram == MAP_FAILED) {
		log_error("vga: cannot allocate %u MiB of video memory", VGA_VRAM_SIZE >> 20);
		free(v);
		return NULL;
	}
	v->s.vram = vram;
	v->clk = clk;
	v->have_font = vgafont_find(rom, romlen, v->font);
	vga_reset(v);

	int err = 0;
	for (int i = 0; i < 5; i++) {
		v->win[i] = (struct vga_portwin){ v, wins[i].base };
		err |= bus_register(io, wins[i].base, wins[i].len, &vga_port_ops, &v->win[i], "vga");
	}
	err |= bus_register(io, 0x1ce, 4, &vbe_port_ops, v, "vga-vbe");
	err |= bus_register(mmio, 0xa0000, 0x20000, &vga_mem_ops, v, "vga-window");
	if (!err && pci)
		err = vga_pci_init(v, pci, rom, romlen);
	if (err) {
		log_error("vga: cannot register its ports, window or PCI function");
		munmap(vram, VGA_VRAM_SIZE);
		free(v);
		return NULL;
	}
	*dev = (struct device){
		.name = "vga", .opaque = v,
		.reset = vga_reset, .save = vga_save, .load = vga_load,
	};
	return v;
}

void vga_free(struct vga *v)
{
	if (!v)
		return;
	munmap(v->s.vram, VGA_VRAM_SIZE);
	free(v);
}
