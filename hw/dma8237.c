/* The PC/AT's pair of Intel 8237A DMA controllers and their page registers. */
// SPDX-License-Identifier: MIT
#include "hw/dma8237.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"
#include "mmu/physmap.h"	/* physmap_find: DMA reaches guest RAM only */

/* Timing is not modelled: a transfer happens as one burst when the device
 * asks for it. The cascade channel 4 does not gate channels 0-3 either: a
 * kernel booted without a BIOS never programs it, and QEMU does not gate. */

#define PORT_DMA1 0x00
#define PORT_DMA2 0xc0
#define NCHAN 8

enum dma_reg {
	REG_STATUS_CMD = 8, REG_REQUEST = 9, REG_SINGLE_MASK = 10, REG_MODE = 11,
	REG_CLEAR_FF = 12, REG_TEMP_MASTER_CLEAR = 13, REG_CLEAR_MASK = 14,
	REG_ALL_MASK = 15,
};

enum {
	MODE_TYPE_SHIFT = 2, MODE_TYPE_MASK = 0x0c,
	MODE_AUTOINIT = 0x10, MODE_DECREMENT = 0x20,
	MODE_SELECT_MASK = 0xc0, MODE_CASCADE = 0xc0,

	CMD_MEM_TO_MEM = 0x01, CMD_DISABLE = 0x04,
};

/* transfer types, mode bits 3-2 */
enum dma_type { TYPE_VERIFY = 0, TYPE_WRITE = 1, TYPE_READ = 2, TYPE_ILLEGAL = 3 };

struct dma_chan {
	uint16_t base_addr, base_count;
	uint16_t cur_addr, cur_count;
	uint8_t mode;		/* bits 7-2 of the mode register */
	uint8_t page;
	bool dreq;
	dma8237_run_fn *run;
	void *opaque;
};

struct dma_ctl {
	uint8_t command;
	uint8_t tc;		/* status bits 3-0, cleared by reading status */
	uint8_t sw_request;	/* request register bits, one per channel */
	uint8_t mask;
	uint8_t flipflop;
	uint8_t temp;
};

struct dma8237 {
	struct physmap *pm;
	struct dma_ctl ctl[2];
	struct dma_chan ch[NCHAN];
	bool running;		/* inside a run hook: kicks do not nest */
};

/* page register port - 0x80 -> channel, -1 for ports that are not ours */
static const int8_t page_port_chan[16] = {
	-1, 2, 3, 1, -1, -1, -1, 0, -1, 6, 7, 5, -1, -1, -1, 4,
};

static struct dma_ctl *chan_ctl(struct dma8237 *d, unsigned ch)
{
	return &d->ctl[ch >> 2];
}

bool dma8237_ready(const struct dma8237 *d, unsigned ch)
{
	if (ch >= NCHAN)
		return false;
	const struct dma_ctl *c = &d->ctl[ch >> 2];
	return !(c->mask & (1u << (ch & 3))) && !(c->command & CMD_DISABLE);
}

/* run every device whose DREQ is up on a channel that can now run */
static void dma_kick(struct dma8237 *d)
{
	if (d->running)
		return;
	d->running = true;
	for (unsigned ch = 0; ch < NCHAN; ch++) {
		struct dma_chan *c = &d->ch[ch];
		if (c->dreq && c->run && dma8237_ready(d, ch))
			c->run(c->opaque);
	}
	d->running = false;
}

/* ---- registers ---- */

static uint8_t ff_byte(struct dma_ctl *c, uint16_t v)
{
	uint8_t b = c->flipflop ? v >> 8 : v & 0xff;
	c->flipflop ^= 1;
	return b;
}

static void ff_write(struct dma_ctl *c, uint16_t *base, uint16_t *cur, uint8_t v)
{
	if (c->flipflop)
		*base = (*base & 0x00ff) | (uint16_t)(v << 8);
	else
		*base = (*base & 0xff00) | v;
	*cur = *base;
	c->flipflop ^= 1;
}

static uint8_t status_read(struct dma8237 *d, unsigned ctl)
{
	struct dma_ctl *c = &d->ctl[ctl];
	uint8_t req = c->sw_request;
	for (unsigned i = 0; i < 4; i++)
		if (d->ch[ctl * 4 + i].dreq)
			req |= 1u << i;
	uint8_t v = (uint8_t)(c->tc | req << 4);
	c->tc = 0;
	return v;
}

static void master_clear(struct dma_ctl *c)
{
	c->command = 0;
	c->tc = 0;
	c->sw_request = 0;
	c->temp = 0;
	c->flipflop = 0;
	c->mask = 0x0f;
}

static uint8_t ctl_read(struct dma8237 *d, unsigned ctl, unsigned reg)
{
	struct dma_ctl *c = &d->ctl[ctl];
	if (reg < 8) {
		struct dma_chan *ch = &d->ch[ctl * 4 + reg / 2];
		return ff_byte(c, reg & 1 ? ch->cur_count : ch->cur_addr);
	}
	switch (reg) {
	case REG_STATUS_CMD:
		return status_read(d, ctl);
	case REG_TEMP_MASTER_CLEAR:
		return c->temp;
	case REG_ALL_MASK:
		/* the PIIX reads the mask back here; the upper nibble floats */
		return 0xf0 | c->mask;
	default:
		/* write-only registers: nothing drives the bus */
		return 0xff;
	}
}

static void ctl_write(struct dma8237 *d, unsigned ctl, unsigned reg, uint8_t v)
{
	struct dma_ctl *c = &d->ctl[ctl];
	if (reg < 8) {
		struct dma_chan *ch = &d->ch[ctl * 4 + reg / 2];
		if (reg & 1)
			ff_write(c, &ch->base_count, &ch->cur_count, v);
		else
			ff_write(c, &ch->base_addr, &ch->cur_addr, v);
		return;
	}
	switch (reg) {
	case REG_STATUS_CMD:
		if (v & CMD_MEM_TO_MEM)
			log_once("dma8237: memory-to-memory transfers not modelled");
		c->command = v;
		dma_kick(d);
		return;
	case REG_REQUEST:
		/* software DREQ: only memory-to-memory transfers use it and
		 * those are not modelled; it shows in the status register */
		if (v & 4)
			c->sw_request |= 1u << (v & 3);
		else
			c->sw_request &= ~(1u << (v & 3));
		return;
	case REG_SINGLE_MASK:
		if (v & 4)
			c->mask |= 1u << (v & 3);
		else
			c->mask &= ~(1u << (v & 3));
		dma_kick(d);
		return;
	case REG_MODE:
		d->ch[ctl * 4 + (v & 3)].mode = v & 0xfc;
		return;
	case REG_CLEAR_FF:
		c->flipflop = 0;
		return;
	case REG_TEMP_MASTER_CLEAR:
		master_clear(c);
		return;
	case REG_CLEAR_MASK:
		c->mask = 0;
		dma_kick(d);
		return;
	case REG_ALL_MASK:
		c->mask = v & 0x0f;
		dma_kick(d);
		return;
	}
}

static uint64_t dma1_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return ctl_read(opaque, 0, (unsigned)offset);
}

static void dma1_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)size;
	ctl_write(opaque, 0, (unsigned)offset, (uint8_t)value);
}

/* the second controller's A0 is wired to address line 1: odd ports are not
 * decoded and behave as nothing there */
static uint64_t dma2_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	if (offset & 1)
		return 0xff;
	return ctl_read(opaque, 1, (unsigned)offset >> 1);
}

static void dma2_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)size;
	if (!(offset & 1))
		ctl_write(opaque, 1, (unsigned)offset >> 1, (uint8_t)value);
}

/* page registers: the opaque's offsets are relative to 0x80 */
static uint64_t page_read(void *opaque, uint64_t offset, unsigned size)
{
	struct dma8237 *d = opaque;
	(void)size;
	int ch = page_port_chan[offset & 15];
	return ch < 0 ? 0xff : d->ch[ch].page;
}

static void page_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct dma8237 *d = opaque;
	(void)size;
	int ch = page_port_chan[offset & 15];
	if (ch >= 0)
		d->ch[ch].page = (uint8_t)value;
}

static const struct bus_ops dma1_ops = {
	.read = dma1_read, .write = dma1_write, .min_size = 1, .max_size = 1,
};
static const struct bus_ops dma2_ops = {
	.read = dma2_read, .write = dma2_write, .min_size = 1, .max_size = 1,
};

/* one ops per page-register run, each told its offset from 0x80 */
static uint64_t page81_read(void *o, uint64_t off, unsigned s) { return page_read(o, off + 0x1, s); }
static uint64_t page87_read(void *o, uint64_t off, unsigned s) { return page_read(o, off + 0x7, s); }
static uint64_t page89_read(void *o, uint64_t off, unsigned s) { return page_read(o, off + 0x9, s); }
static uint64_t page8f_read(void *o, uint64_t off, unsigned s) { return page_read(o, off + 0xf, s); }
static void page81_write(void *o, uint64_t off, uint64_t v, unsigned s) { page_write(o, off + 0x1, v, s); }
static void page87_write(void *o, uint64_t off, uint64_t v, unsigned s) { page_write(o, off + 0x7, v, s); }
static void page89_write(void *o, uint64_t off, uint64_t v, unsigned s) { page_write(o, off + 0x9, v, s); }
static void page8f_write(void *o, uint64_t off, uint64_t v, unsigned s) { page_write(o, off + 0xf, v, s); }

static const struct {
	uint16_t port, len;
	struct bus_ops ops;
} page_ranges[] = {
	{ 0x81, 3, { page81_read, page81_write, 1, 1 } },
	{ 0x87, 1, { page87_read, page87_write, 1, 1 } },
	{ 0x89, 3, { page89_read, page89_write, 1, 1 } },
	{ 0x8f, 1, { page8f_read, page8f_write, 1, 1 } },
};

/* ---- transfers ---- */

/* guest memory for one run of bytes: RAM both ways, ROM read only,
 * anything else reads as ones and swallows writes */
static void dma_mem(struct dma8237 *d, uint64_t gpa, uint8_t *buf, size_t len, bool to_mem)
{
	while (len) {
		const struct physmap_region *r = d->pm ? physmap_find(d->pm, gpa) : NULL;
		size_t n = 1;
		if (r) {
			n = r->gpa + r->size - gpa;
			if (n > len)
				n = len;
			uint8_t *h = r->host + (gpa - r->gpa);
			if (!to_mem) {
				memcpy(buf, h, n);
			} else if (r->kind == PM_RAM) {
				memcpy(h, buf, n);
				physmap_written(d->pm, gpa, n);
			}
		} else if (!to_mem) {
			*buf = 0xff;
		}
		gpa += n;
		buf += n;
		len -= n;
	}
}

/* the bus address of the channel's current unit */
static uint64_t chan_addr(const struct dma_chan *c, unsigned ch)
{
	if (ch < 4)
		return (uint64_t)c->page << 16 | c->cur_addr;
	/* word addressing: the page's low bit is not used */
	return (uint64_t)(c->page & 0xfe) << 16 | (uint64_t)c->cur_addr << 1;
}

size_t dma8237_transfer(struct dma8237 *d, unsigned ch, void *buf, size_t len, bool *tc)
{
	if (tc)
		*tc = false;
	if (ch >= NCHAN || !dma8237_ready(d, ch))
		return 0;
	struct dma_chan *c = &d->ch[ch];
	struct dma_ctl *ctl = chan_ctl(d, ch);
	if ((c->mode & MODE_SELECT_MASK) == MODE_CASCADE)
		return 0;
	enum dma_type type = (c->mode & MODE_TYPE_MASK) >> MODE_TYPE_SHIFT;
	if (type == TYPE_ILLEGAL)
		log_once("dma8237: illegal transfer type 3 on channel %u", ch);
	unsigned unit = ch < 4 ? 1 : 2;
	bool dec = c->mode & MODE_DECREMENT;
	uint8_t *p = buf;
	size_t done = 0;

	while (done + unit <= len) {
		/* a run of units up to terminal count, the end of the buffer
		 * or the address wrapping inside its page */
		uint32_t units = (uint32_t)((len - done) / unit);
		uint32_t to_tc = (uint32_t)c->cur_count + 1;
		if (units > to_tc)
			units = to_tc;
		if (dec)
			units = 1;
		else if (units > 0x10000u - c->cur_addr)
			units = 0x10000u - c->cur_addr;
		if (type == TYPE_WRITE || type == TYPE_READ)
			dma_mem(d, chan_addr(c, ch), p + done, (size_t)units * unit,
				type == TYPE_WRITE);
		done += (size_t)units * unit;
		c->cur_addr = (uint16_t)(dec ? c->cur_addr - 1u : c->cur_addr + units);
		bool at_tc = units == to_tc;
		c->cur_count = (uint16_t)(c->cur_count - units);
		if (at_tc) {
			ctl->tc |= 1u << (ch & 3);
			ctl->sw_request &= ~(1u << (ch & 3));
			if (c->mode & MODE_AUTOINIT) {
				c->cur_addr = c->base_addr;
				c->cur_count = c->base_count;
			} else {
				ctl->mask |= 1u << (ch & 3);
			}
			if (tc)
				*tc = true;
			break;
		}
	}
	return done;
}

void dma8237_connect(struct dma8237 *d, unsigned ch, dma8237_run_fn *run, void *opaque)
{
	if (ch >= NCHAN)
		return;
	d->ch[ch].run = run;
	d->ch[ch].opaque = opaque;
}

void dma8237_dreq(struct dma8237 *d, unsigned ch, bool level)
{
	if (ch >= NCHAN)
		return;
	d->ch[ch].dreq = level;
	if (level)
		dma_kick(d);
}

/* ---- device ---- */

static void dma_reset(void *opaque)
{
	struct dma8237 *d = opaque;
	for (unsigned i = 0; i < 2; i++)
		master_clear(&d->ctl[i]);
}

static void dma_save(void *opaque, struct snap *s)
{
	struct dma8237 *d = opaque;
	snap_section_put(s, "dma8237", 1);
	for (unsigned i = 0; i < 2; i++) {
		struct dma_ctl *c = &d->ctl[i];
		SNAP_PUT(s, c->command);
		SNAP_PUT(s, c->tc);
		SNAP_PUT(s, c->sw_request);
		SNAP_PUT(s, c->mask);
		SNAP_PUT(s, c->flipflop);
		SNAP_PUT(s, c->temp);
	}
	for (unsigned i = 0; i < NCHAN; i++) {
		struct dma_chan *c = &d->ch[i];
		SNAP_PUT(s, c->base_addr);
		SNAP_PUT(s, c->base_count);
		SNAP_PUT(s, c->cur_addr);
		SNAP_PUT(s, c->cur_count);
		SNAP_PUT(s, c->mode);
		SNAP_PUT(s, c->page);
	}
}

static int dma_load(void *opaque, struct snap *s)
{
	struct dma8237 *d = opaque;
	struct dma_ctl ctl[2];
	struct dma_chan ch[NCHAN];
	memcpy(ctl, d->ctl, sizeof(ctl));
	memcpy(ch, d->ch, sizeof(ch));
	snap_section_get(s, "dma8237", 1);
	for (unsigned i = 0; i < 2; i++) {
		struct dma_ctl *c = &ctl[i];
		SNAP_GET(s, c->command);
		SNAP_GET(s, c->tc);
		SNAP_GET(s, c->sw_request);
		SNAP_GET(s, c->mask);
		SNAP_GET(s, c->flipflop);
		SNAP_GET(s, c->temp);
		c->tc &= 0x0f;
		c->sw_request &= 0x0f;
		c->mask &= 0x0f;
		c->flipflop &= 1;
	}
	for (unsigned i = 0; i < NCHAN; i++) {
		struct dma_chan *c = &ch[i];
		SNAP_GET(s, c->base_addr);
		SNAP_GET(s, c->base_count);
		SNAP_GET(s, c->cur_addr);
		SNAP_GET(s, c->cur_count);
		SNAP_GET(s, c->mode);
		SNAP_GET(s, c->page);
		c->mode &= 0xfc;
	}
	if (s->error)
		return -1;
	/* the device links and DREQ lines are live state, not saved */
	memcpy(d->ctl, ctl, sizeof(ctl));
	memcpy(d->ch, ch, sizeof(ch));
	return 0;
}

struct dma8237 *dma8237_new(struct bus *io, struct physmap *pm, struct device *dev)
{
	struct dma8237 *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->pm = pm;
	if (bus_register(io, PORT_DMA1, 16, &dma1_ops, d, "dma1") ||
	    bus_register(io, PORT_DMA2, 32, &dma2_ops, d, "dma2")) {
		free(d);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(page_ranges) / sizeof(page_ranges[0]); i++) {
		if (bus_register(io, page_ranges[i].port, page_ranges[i].len,
				 &page_ranges[i].ops, d, "dma-page")) {
			free(d);
			return NULL;
		}
	}
	dma_reset(d);
	if (dev) {
		dev->name = "dma8237";
		dev->opaque = d;
		dev->reset = dma_reset;
		dev->save = dma_save;
		dev->load = dma_load;
	}
	return d;
}

void dma8237_free(struct dma8237 *d)
{
	free(d);
}
