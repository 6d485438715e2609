/* The two cascaded Intel 8259A interrupt controllers of the PC and the ELCR. */
// SPDX-License-Identifier: MIT
#include "hw/pic8259.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

#define PORT_MASTER 0x20
#define PORT_SLAVE 0xa0
#define PORT_ELCR 0x4d0
#define CASCADE_IR 2	/* the slave's INT goes to master IR2 */

/* ELCR bits that exist: IRQ 0, 1, 2, 8 and 13 are wired edge on a PC */
static const uint8_t elcr_writable[2] = { 0xf8, 0xde };

enum {
	ICW1_IC4 = 1 << 0,
	ICW1_SNGL = 1 << 1,
	ICW1_LTIM = 1 << 3,
	ICW1_INIT = 1 << 4,
	ICW4_UPM = 1 << 0,
	ICW4_AEOI = 1 << 1,
	ICW4_BUF = 1 << 3,
	ICW4_SFNM = 1 << 4,
	OCW3_SEL = 1 << 3,
	OCW3_POLL = 1 << 2,
	OCW3_RR = 1 << 1,
	OCW3_RIS = 1 << 0,
	OCW3_ESMM = 1 << 6,
	OCW3_SMM = 1 << 5,
};

/* where the next write to the odd port goes */
enum init_step { INIT_DONE, INIT_ICW2, INIT_ICW3, INIT_ICW4 };

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t in;		/* input levels as last driven */
	uint8_t elcr;
	uint8_t base;		/* ICW2: vector of IR0 */
	uint8_t icw3;
	uint8_t step;		/* enum init_step */
	uint8_t need_icw4, single, ltim;
	uint8_t aeoi, rotate_aeoi, sfnm;
	uint8_t read_isr;	/* OCW3 RIS: reads of the even port return ISR */
	uint8_t poll;		/* the next read is a poll */
	uint8_t smm;		/* special mask mode */
	uint8_t top;		/* the IR with highest priority (rotation) */
};

struct pic8259 {
	struct pic_chip c[2];	/* master, slave */
	struct irq_line intr;
};

/* ---- priority logic of one chip ---- */

static uint8_t chip_level_mask(const struct pic_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* index 0..7 in priority order of the highest-priority bit set, 8 if none */
static int chip_rank(const struct pic_chip *c, uint8_t bits)
{
	for (int r = 0; r < 8; r++)
		if (bits & (1u << ((c->top + r) & 7)))
			return r;
	return 8;
}

static int rank_to_ir(const struct pic_chip *c, int r)
{
	return (c->top + r) & 7;
}

/* the IR the chip would interrupt for now, or -1 */
static int chip_pending(const struct pic_chip *c, bool master)
{
	uint8_t req = c->irr & ~c->imr;
	if (c->smm) {
		/* special mask mode: every unmasked level not itself in service
		 * may interrupt, lower priorities included */
		req &= ~c->isr;
		int r = chip_rank(c, req);
		return r < 8 ? rank_to_ir(c, r) : -1;
	}
	int r = chip_rank(c, req);
	if (r == 8)
		return -1;
	uint8_t busy = c->isr;
	/* special fully nested: a slave request may nest inside another one
	 * from the same slave, so IR2 in service does not block IR2 */
	if (master && c->sfnm)
		busy &= ~(1u << CASCADE_IR);
	return r < chip_rank(c, busy) ? rank_to_ir(c, r) : -1;
}

static void chip_set_input(struct pic_chip *c, int ir, int level);

/* the slave's INT output drives master IR2 like any other input (so the
 * master can latch an IR2 edge the slave no longer backs: spurious IRQ 15),
 * and the master's INT is INTR; recompute both after any change */
static void pic_update(struct pic8259 *p)
{
	struct pic_chip *m = &p->c[0];
	chip_set_input(m, CASCADE_IR, chip_pending(&p->c[1], false) >= 0);
	irq_set(&p->intr, chip_pending(m, true) >= 0);
}

static void chip_eoi(struct pic_chip *c, int ir, bool rotate)
{
	c->isr &= ~(1u << ir);
	if (rotate)
		c->top = (ir + 1) & 7;
}

/* the second INTA pulse (or a poll read): in service, request consumed */
static void chip_ack(struct pic_chip *c, int ir)
{
	uint8_t bit = 1u << ir;
	c->isr |= bit;
	if (!(chip_level_mask(c) & bit))
		c->irr &= ~bit;
	if (c->aeoi)
		chip_eoi(c, ir, c->rotate_aeoi);
}

static void chip_set_input(struct pic_chip *c, int ir, int level)
{
	uint8_t bit = 1u << ir;
	if (level) {
		/* edge mode latches the rising edge and keeps it until INTA, so a
		 * short pulse (irq_pulse) is not lost */
		if (!(c->in & bit) || (chip_level_mask(c) & bit))
			c->irr |= bit;
		c->in |= bit;
	} else {
		c->in &= ~bit;
		if (chip_level_mask(c) & bit)
			c->irr &= ~bit;
	}
}

/* ---- public entry points ---- */

void pic_set_irq(void *opaque, int n, int level)
{
	struct pic8259 *p = opaque;
	/* IR2 belongs to the slave's INT; the board may still wire an ISA
	 * IRQ 2 line here, which nothing drives */
	if (n == CASCADE_IR)
		return;
	if (n < 0 || n > 15) {
		log_once("pic8259: input %d is not a board IRQ; ignored\n", n);
		return;
	}
	chip_set_input(&p->c[n >> 3], n & 7, level);
	pic_update(p);
}

struct irq_line *pic_intr(struct pic8259 *p)
{
	return &p->intr;
}

static bool master_cascades(const struct pic_chip *m)
{
	return !m->single && (m->icw3 & (1u << CASCADE_IR));
}

uint8_t pic_ack(struct pic8259 *p)
{
	struct pic_chip *m = &p->c[0], *s = &p->c[1];
	uint8_t vec;
	int ir = chip_pending(m, true);
	if (ir < 0) {
		/* the request went away between INTR and INTA: the chip answers
		 * with its lowest-priority vector and sets no ISR bit */
		vec = m->base + 7;
	} else if (ir == CASCADE_IR && master_cascades(m)) {
		int sir = chip_pending(s, false);
		if (sir < 0) {
			/* the master still sets IR2 in service; the OS must EOI it */
			vec = s->base + 7;
		} else {
			vec = s->base + sir;
			chip_ack(s, sir);
		}
		chip_ack(m, ir);
		/* INTA ends the slave's INT pulse: if it is still asserting
		 * (another request it may give now), the master sees a new edge */
		m->in &= ~(1u << CASCADE_IR);
	} else {
		vec = m->base + ir;
		chip_ack(m, ir);
	}
	pic_update(p);
	return vec;
}

void pic_get_info(const struct pic8259 *p, struct pic_info *out)
{
	for (int i = 0; i < 2; i++) {
		const struct pic_chip *c = &p->c[i];
		out->chip[i].irr = c->irr;
		out->chip[i].imr = c->imr;
		out->chip[i].isr = c->isr;
		out->chip[i].elcr = c->elcr;
		out->chip[i].base = c->base;
		out->chip[i].top = c->top;
		out->chip[i].read_isr = c->read_isr;
		out->chip[i].sfnm = c->sfnm;
		out->chip[i].in = c->in;
	}
}

/* ---- the command/data ports ---- */

static void chip_icw1(struct pic_chip *c, uint8_t v)
{
	if (v & 0xe4)
		log_once("pic8259: ICW1 MCS-80 bits 0x%02x ignored\n", v & 0xe4);
	c->need_icw4 = v & ICW1_IC4;
	c->single = !!(v & ICW1_SNGL);
	c->ltim = !!(v & ICW1_LTIM);
	/* what ICW1 resets, per the datasheet: masks, rotation, SMM, read
	 * select, edge sense (a held-high edge input needs a new edge), and
	 * the ICW4 functions when no ICW4 follows */
	c->imr = 0;
	c->isr = 0;
	c->irr = c->in & chip_level_mask(c);
	c->top = 0;
	c->smm = 0;
	c->read_isr = 0;
	c->poll = 0;
	c->aeoi = 0;
	c->rotate_aeoi = 0;
	c->sfnm = 0;
	c->step = INIT_ICW2;
}

static void chip_icw4(struct pic_chip *c, uint8_t v)
{
	if (!(v & ICW4_UPM))
		log_once("pic8259: MCS-80/85 mode (ICW4 uPM=0) not modelled; using 8086 mode\n");
	c->aeoi = !!(v & ICW4_AEOI);
	c->sfnm = !!(v & ICW4_SFNM);
	/* buffered mode and M/S only change pins we do not have */
	(void)ICW4_BUF;
}

static void chip_write_data(struct pic_chip *c, uint8_t v, bool master)
{
	switch (c->step) {
	case INIT_ICW2:
		c->base = v & 0xf8;
		c->step = c->single ? (c->need_icw4 ? INIT_ICW4 : INIT_DONE) : INIT_ICW3;
		return;
	case INIT_ICW3:
		c->icw3 = v;
		if (master ? v != 1u << CASCADE_IR : (v & 7) != CASCADE_IR)
			log_once("pic8259: ICW3 0x%02x differs from the PC wiring; wiring kept\n", v);
		c->step = c->need_icw4 ? INIT_ICW4 : INIT_DONE;
		return;
	case INIT_ICW4:
		chip_icw4(c, v);
		c->step = INIT_DONE;
		return;
	default:
		c->imr = v;	/* OCW1 */
		return;
	}
}

static void chip_ocw2(struct pic_chip *c, uint8_t v)
{
	int level = v & 7;
	switch (v >> 5) {
	case 0:		/* rotate in AEOI mode: clear */
		c->rotate_aeoi = 0;
		break;
	case 4:		/* rotate in AEOI mode: set */
		c->rotate_aeoi = 1;
		break;
	case 1:		/* non-specific EOI */
	case 5: {	/* rotate on non-specific EOI */
		/* in special mask mode an in-service level that is masked is
		 * not the one a non-specific EOI clears */
		uint8_t in = c->smm ? c->isr & ~c->imr : c->isr;
		int r = chip_rank(c, in);
		if (r < 8)
			chip_eoi(c, rank_to_ir(c, r), v >> 5 == 5);
		break;
	}
	case 3:		/* specific EOI */
		chip_eoi(c, level, false);
		break;
	case 7:		/* rotate on specific EOI */
		chip_eoi(c, level, true);
		break;
	case 6:		/* set priority: level becomes the lowest */
		c->top = (level + 1) & 7;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void chip_ocw3(struct pic_chip *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->smm = !!(v & OCW3_SMM);
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	c->poll = !!(v & OCW3_POLL);
}

/* a poll read is an INTA through the data bus: bit 7 says whether anything
 * was pending, bits 2-0 which level */
static uint8_t chip_poll(struct pic_chip *c, bool master)
{
	c->poll = 0;
	int ir = chip_pending(c, master);
	if (ir < 0)
		return 0;
	chip_ack(c, ir);
	return 0x80 | ir;
}

static uint64_t pic_read(void *opaque, uint64_t offset, unsigned size, int which)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->c[which];
	uint8_t v;
	(void)size;
	if (c->poll) {
		v = chip_poll(c, which == 0);
		pic_update(p);
	} else if (offset & 1) {
		v = c->imr;
	} else {
		v = c->read_isr ? c->isr : c->irr;
	}
	return v;
}

static void pic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size, int which)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->c[which];
	uint8_t v = (uint8_t)value;
	(void)size;
	if (offset & 1)
		chip_write_data(c, v, which == 0);
	else if (v & ICW1_INIT)
		chip_icw1(c, v);
	else if (v & OCW3_SEL)
		chip_ocw3(c, v);
	else
		chip_ocw2(c, v);
	pic_update(p);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size) { return pic_read(o, off, size, 0); }
static uint64_t slave_read(void *o, uint64_t off, unsigned size) { return pic_read(o, off, size, 1); }
static void master_write(void *o, uint64_t off, uint64_t v, unsigned size) { pic_write(o, off, v, size, 0); }
static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size) { pic_write(o, off, v, size, 1); }

static const struct bus_ops master_ops = {
	.read = master_read, .write = master_write, .min_size = 1, .max_size = 1,
};
static const struct bus_ops slave_ops = {
	.read = slave_read, .write = slave_write, .min_size = 1, .max_size = 1,
};

/* ---- ELCR ---- */

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pic8259 *p = opaque;
	(void)size;
	return p->c[offset & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pic8259 *p = opaque;
	struct pic_chip *c = &p->c[offset & 1];
	(void)size;
	c->elcr = (uint8_t)value & elcr_writable[offset & 1];
	/* a level input's request is its level; an edge input keeps what it
	 * latched */
	uint8_t lv = chip_level_mask(c);
	c->irr = (c->irr & ~lv) | (c->in & lv);
	pic_update(p);
}

static const struct bus_ops elcr_ops = {
	.read = elcr_read, .write = elcr_write, .min_size = 1, .max_size = 1,
};

/* ---- device ---- */

static void chip_reset(struct pic_chip *c, bool master)
{
	uint8_t in = c->in;
	memset(c, 0, sizeof(*c));
	/* power-on: nothing masked, vector base 0, and the PC's cascade wiring
	 * already in place; firmware and OSes always run ICW1-4 before use */
	c->in = in;
	c->icw3 = master ? 1u << CASCADE_IR : CASCADE_IR;
}

static void pic_reset(void *opaque)
{
	struct pic8259 *p = opaque;
	chip_reset(&p->c[0], true);
	chip_reset(&p->c[1], false);
	pic_update(p);
}

static void chip_save(const struct pic_chip *c, struct snap *s)
{
	SNAP_PUT(s, c->irr);
	SNAP_PUT(s, c->isr);
	SNAP_PUT(s, c->imr);
	SNAP_PUT(s, c->in);
	SNAP_PUT(s, c->elcr);
	SNAP_PUT(s, c->base);
	SNAP_PUT(s, c->icw3);
	SNAP_PUT(s, c->step);
	SNAP_PUT(s, c->need_icw4);
	SNAP_PUT(s, c->single);
	SNAP_PUT(s, c->ltim);
	SNAP_PUT(s, c->aeoi);
	SNAP_PUT(s, c->rotate_aeoi);
	SNAP_PUT(s, c->sfnm);
	SNAP_PUT(s, c->read_isr);
	SNAP_PUT(s, c->poll);
	SNAP_PUT(s, c->smm);
	SNAP_PUT(s, c->top);
}

static void chip_load(struct pic_chip *c, struct snap *s)
{
	SNAP_GET(s, c->irr);
	SNAP_GET(s, c->isr);
	SNAP_GET(s, c->imr);
	SNAP_GET(s, c->in);
	SNAP_GET(s, c->elcr);
	SNAP_GET(s, c->base);
	SNAP_GET(s, c->icw3);
	SNAP_GET(s, c->step);
	SNAP_GET(s, c->need_icw4);
	SNAP_GET(s, c->single);
	SNAP_GET(s, c->ltim);
	SNAP_GET(s, c->aeoi);
	SNAP_GET(s, c->rotate_aeoi);
	SNAP_GET(s, c->sfnm);
	SNAP_GET(s, c->read_isr);
	SNAP_GET(s, c->poll);
	SNAP_GET(s, c->smm);
	SNAP_GET(s, c->top);
}

static void pic_save(void *opaque, struct snap *s)
{
	struct pic8259 *p = opaque;
	snap_section_put(s, "pic8259", 1);
	chip_save(&p->c[0], s);
	chip_save(&p->c[1], s);
	SNAP_PUT(s, p->intr.level);
}

static int pic_load(void *opaque, struct snap *s)
{
	struct pic8259 *p = opaque;
	struct pic_chip c[2];
	int intr;
	snap_section_get(s, "pic8259", 1);
	chip_load(&c[0], s);
	chip_load(&c[1], s);
	SNAP_GET(s, intr);
	if (s->error)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (c[i].step > INIT_ICW4 || c[i].top > 7)
			return -1;
		c[i].elcr &= elcr_writable[i];
		c[i].base &= 0xf8;
	}
	p->c[0] = c[0];
	p->c[1] = c[1];
	/* the receiver restores its own view of INTR; only signal a change if
	 * the state loaded disagrees with the level saved */
	p->intr.level = !!intr;
	pic_update(p);
	return 0;
}

struct pic8259 *pic_new(struct bus *io, struct device *dev)
{
	struct pic8259 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (bus_register(io, PORT_MASTER, 2, &master_ops, p, "pic-master") ||
	    bus_register(io, PORT_SLAVE, 2, &slave_ops, p, "pic-slave") ||
	    bus_register(io, PORT_ELCR, 2, &elcr_ops, p, "elcr")) {
		free(p);
		return NULL;
	}
	pic_reset(p);
	if (dev) {
		dev->name = "pic8259";
		dev->opaque = p;
		dev->reset = pic_reset;
		dev->save = pic_save;
		dev->load = pic_load;
	}
	return p;
}

void pic_free(struct pic8259 *p)
{
	free(p);
}
