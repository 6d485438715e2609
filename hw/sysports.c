/* Port 0x80 (POST code), port 0x92 (system control port A), port 0xf0 (FERR#), isa-debug-exit and debugcon. */
// SPDX-License-Identifier: MIT
#include "hw/sysports.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>	/* __lsan_ignore_object */
#endif

#define PORT_POST 0x80
#define PORT_SYSCTL_A 0x92
#define PORT_FERR 0xf0

enum {
	SYSCTL_A_RESET = 1 << 0,
	SYSCTL_A_A20 = 1 << 1,
};

struct sysports {
	struct sysports_host host;
	uint8_t post;		/* last byte written to port 0x80 */
	void (*post_listener)(void *opaque, uint8_t value);	/* may be NULL */
	void *post_listener_opaque;
	uint8_t sysctl_a;	/* port 0x92 as last written */
	struct irq_line ferr;	/* the FERR latch, to IRQ 13 */
};

/* ---- port 0x80 ---- */

static uint64_t post_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return ((struct sysports *)opaque)->post;
}

static void post_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct sysports *s = opaque;
	(void)offset;
	(void)size;
	s->post = (uint8_t)value;
	if (s->post_listener)
		s->post_listener(s->post_listener_opaque, (uint8_t)value);
}

void sysports_set_post_listener(struct sysports *s, void (*fn)(void *opaque, uint8_t value),
				void *opaque)
{
	s->post_listener = fn;
	s->post_listener_opaque = opaque;
}

static const struct bus_ops post_ops = {
	.read = post_read, .write = post_write, .min_size = 1, .max_size = 1,
};

/* ---- port 0x92 ---- */

static uint64_t sysctl_a_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return ((struct sysports *)opaque)->sysctl_a;
}

static void sysctl_a_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct sysports *s = opaque;
	uint8_t old = s->sysctl_a;
	(void)offset;
	(void)size;
	s->sysctl_a = (uint8_t)value;
	/* every write, not just changes: the i8042 output port drives the same
	 * gate, and the last writer of either wins */
	if (s->host.set_a20)
		s->host.set_a20(s->host.opaque, !!(value & SYSCTL_A_A20));
	/* fast reset fires on the 0 -> 1 transition only, so a guest that leaves
	 * the bit set and rewrites A20 does not reset again; last, because the
	 * host may reset this device from inside the callback */
	if ((value & SYSCTL_A_RESET) && !(old & SYSCTL_A_RESET) && s->host.reset)
		s->host.reset(s->host.opaque);
}

static const struct bus_ops sysctl_a_ops = {
	.read = sysctl_a_read, .write = sysctl_a_write, .min_size = 1, .max_size = 1,
};

/* ---- port 0xf0 and the FERR latch ----
 * On a PC the CPU's FERR# output (an unmasked x87 exception met by a
 * waiting instruction with CR0.NE=0) is latched by the chipset into IRQ
 * 13; the handler writes port 0xf0 to clear the latch (and assert IGNNE#,
 * which lets the FPU go on: the CPU side models that by going on). */

static uint64_t ferr_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xff;
}

static void ferr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)offset;
	(void)value;
	(void)size;
	irq_set(&((struct sysports *)opaque)->ferr, 0);
}

static const struct bus_ops ferr_ops = {
	.read = ferr_read, .write = ferr_write, .min_size = 1, .max_size = 1,
};

struct irq_line *sysports_ferr_irq(struct sysports *s)
{
	return &s->ferr;
}

void sysports_ferr(struct sysports *s)
{
	irq_set(&s->ferr, 1);
}

/* ---- device ---- */

static void sysports_reset(void *opaque)
{
	struct sysports *s = opaque;
	s->post = 0;
	/* a reset (port 0x92's own included) ends the reset pulse but does not
	 * move the A20 gate, which the board owns across resets */
	s->sysctl_a &= SYSCTL_A_A20;
	irq_set(&s->ferr, 0);
}

static void sysports_save(void *opaque, struct snap *sn)
{
	struct sysports *s = opaque;
	snap_section_put(sn, "sysports", 2);
	SNAP_PUT(sn, s->post);
	SNAP_PUT(sn, s->sysctl_a);
	uint8_t ferr = (uint8_t)s->ferr.level;
	SNAP_PUT(sn, ferr);		/* version 2 */
}

static int sysports_load(void *opaque, struct snap *sn)
{
	struct sysports *s = opaque;
	uint8_t post, sysctl_a, ferr = 0;
	uint32_t version = snap_section_get(sn, "sysports", 2);
	SNAP_GET(sn, post);
	SNAP_GET(sn, sysctl_a);
	if (version >= 2)
		SNAP_GET(sn, ferr);
	if (sn->error)
		return -1;
	s->post = post;
	s->sysctl_a = sysctl_a;
	/* the receiver (the PIC) restores its own side: only the level */
	s->ferr.level = !!ferr;
	return 0;
}

struct sysports *sysports_new(struct bus *io, const struct sysports_host *host, struct device *dev)
{
	struct sysports *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (host)
		s->host = *host;
	/* all ports free before any is taken: the bus cannot unregister */
	if (bus_find(io, PORT_SYSCTL_A) || bus_find(io, PORT_FERR) ||
	    bus_register(io, PORT_POST, 1, &post_ops, s, "post") ||
	    bus_register(io, PORT_SYSCTL_A, 1, &sysctl_a_ops, s, "sysctl-a") ||
	    bus_register(io, PORT_FERR, 1, &ferr_ops, s, "ferr")) {
		free(s);
		return NULL;
	}
	if (dev) {
		dev->name = "sysports";
		dev->opaque = s;
		dev->reset = sysports_reset;
		dev->save = sysports_save;
		dev->load = sysports_load;
	}
	return s;
}

void sysports_free(struct sysports *s)
{
	free(s);
}

int sysports_a20(struct sysports *s)
{
	return !!(s->sysctl_a & SYSCTL_A_A20);
}

/* ---- isa-debug-exit ---- */

static uint64_t debugexit_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

static void debugexit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	const struct sysports_host *h = opaque;
	(void)offset;
	(void)size;
	if (h->exit)
		h->exit(h->opaque, (int)((value << 1) | 1));
}

static const struct bus_ops debugexit_ops = {
	.read = debugexit_read, .write = debugexit_write, .min_size = 1, .max_size = 4,
};

int debugexit_add(struct bus *io, uint16_t iobase, unsigned width, const struct sysports_host *host)
{
	if (width != 1 && width != 2 && width != 4) {
		log_error("isa-debug-exit: width %u is not 1, 2 or 4", width);
		return -1;
	}
	if (!host)
		return -1;
	/* Callers pass a temporary, so the bus gets a copy. The bus cannot
	 * unregister a range, so the copy lives as long as the process: tell
	 * LeakSanitizer it is meant to. */
	struct sysports_host *h = malloc(sizeof(*h));
	if (!h)
		return -1;
	*h = *host;
	if (bus_register(io, iobase, width, &debugexit_ops, h, "isa-debug-exit")) {
		free(h);
		return -1;
	}
#ifdef __SANITIZE_ADDRESS__
	__lsan_ignore_object(h);
#endif
	return 0;
}

/* ---- debugcon ---- */

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	/* Bochs's answer, so a guest can detect the port */
	return 0xe9;
}

static void debugcon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	const struct debugcon_chr *chr = opaque;
	uint8_t b = (uint8_t)value;
	(void)offset;
	(void)size;
	if (chr->write)
		chr->write(chr->opaque, &b, 1);
}

static const struct bus_ops debugcon_ops = {
	.read = debugcon_read, .write = debugcon_write, .min_size = 1, .max_size = 1,
};

int debugcon_add(struct bus *io, uint16_t iobase, const struct debugcon_chr *chr)
{
	if (!chr)
		return -1;
	return bus_register(io, iobase, 1, &debugcon_ops, (void *)chr, "debugcon");
}
