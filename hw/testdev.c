/* pc-testdev (QEMU's device for kvm-unit-tests) and the port logger. */
// SPDX-License-Identifier: MIT
#include "hw/testdev.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>		/* madvise: the flush-page port */
#include "hw/log.h"

#define PORT_DATA 0xe0
#define PORT_FLUSH 0xe4
#define PORT_DATA_BYTE 0xe8
#define PORT_IRQ 0x2000

struct testdev {
	uint32_t data;		/* the scratch register of 0xe0 and 0xe8 */
	struct physmap *pm;
	struct irq_line line[TESTDEV_LINES];
	uint8_t iomem[TESTDEV_IOMEM_LEN];
};

/* ---- 0xe0 / 0xe8: the scratch register, byte by byte ---- */

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
	const struct testdev *t = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size && offset + i < 4; i++)
		v |= (uint64_t)((t->data >> (8 * (offset + i))) & 0xff) << (8 * i);
	return v;
}

static void data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	for (unsigned i = 0; i < size && offset + i < 4; i++) {
		unsigned sh = 8 * (unsigned)(offset + i);
		t->data = (t->data & ~(0xffu << sh)) | (uint32_t)((value >> (8 * i)) & 0xff) << sh;
	}
}

static const struct bus_ops data_ops = {
	.read = data_read, .write = data_write, .min_size = 1, .max_size = 4,
};

/* ---- 0xe4: flush a page ---- */

static uint64_t zero_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

/* Dropping the page-table entries of the RAM mapping makes KVM's MMU
 * notifier zap its own mapping of the page, which is what the test wants
 * to provoke. RAM is a shared memfd mapping, so MADV_DONTNEED keeps the
 * contents, and no thread ever sees the page inaccessible (QEMU's
 * PROT_NONE window could fault a concurrent access). The software tiers
 * keep their host pointers, which stay valid. */
static void flush_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	/* private RAM (a VM started for the software tiers): MADV_DONTNEED
	 * would drop its bytes, and the flush is KVM's business */
	if (offset != 0 || size != 4 || !t->pm || !t->pm->shared)
		return;
	uint64_t gpa = (uint32_t)value & ~0xfffull;
	uint8_t *host = physmap_host(t->pm, gpa, 4096);
	if (!host || host < t->pm->ram || host + 4096 > t->pm->ram + t->pm->ram_size)
		return;
	if (madvise(host, 4096, MADV_DONTNEED) < 0)
		log_once("pc-testdev: flush page: madvise failed; nothing flushed");
}

static const struct bus_ops flush_ops = {
	.read = zero_read, .write = flush_write, .min_size = 1, .max_size = 4,
};

/* ---- 0x2000: interrupt lines ---- */

static void irq_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	if (size != 1 || offset >= TESTDEV_LINES)
		return;
	irq_set(&t->line[offset], (value & 0xff) != 0);
}

static const struct bus_ops irq_ops = {
	.read = zero_read, .write = irq_port_write, .min_size = 1, .max_size = 4,
};

struct irq_line *testdev_irq(struct testdev *t, int n)
{
	if (n < 0 || n >= TESTDEV_LINES)
		return NULL;
	return &t->line[n];
}

/* ---- 0xff000000: memory behind the MMIO bus ---- */

static uint64_t iomem_read(void *opaque, uint64_t offset, unsigned size)
{
	const struct testdev *t = opaque;
	uint64_t v = 0;
	if (offset + size <= TESTDEV_IOMEM_LEN)
		memcpy(&v, &t->iomem[offset], size);	/* little-endian host */
	return v;
}

static void iomem_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	if (offset + size <= TESTDEV_IOMEM_LEN)
		memcpy(&t->iomem[offset], &value, size);
}

static const struct bus_ops iomem_ops = {
	.read = iomem_read, .write = iomem_write, .min_size = 1, .max_size = 8,
};

/* ---- device ---- */

static bool bus_free(const struct bus *b, uint64_t base, uint64_t len)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->r[i].base < base + len && base < b->r[i].base + b->r[i].len)
			return false;
	return true;
}

/* as QEMU's, the register and the memory survive a reset; the lines drop
 * with the interrupt controllers' inputs */
static void testdev_reset(void *opaque)
{
	struct testdev *t = opaque;
	for (int n = 0; n < TESTDEV_LINES; n++)
		irq_set(&t->line[n], 0);
}

static void testdev_save(void *opaque, struct snap *s)
{
	struct testdev *t = opaque;
	snap_section_put(s, "pc-testdev", 1);
	SNAP_PUT(s, t->data);
	for (int n = 0; n < TESTDEV_LINES; n++) {
		uint8_t l = (uint8_t)t->line[n].level;
		SNAP_PUT(s, l);
	}
	snap_put(s, t->iomem, sizeof(t->iomem));
}

static int testdev_load(void *opaque, struct snap *s)
{
	struct testdev *t = opaque;
	uint32_t data;
	uint8_t level[TESTDEV_LINES];
	snap_section_get(s, "pc-testdev", 1);
	SNAP_GET(s, data);
	snap_get(s, level, sizeof(level));
	if (s->error)
		return -1;
	uint8_t *mem = malloc(sizeof(t->iomem));
	if (!mem)
		return -1;
	snap_get(s, mem, sizeof(t->iomem));
	if (s->error) {
		free(mem);
		return -1;
	}
	t->data = data;
	memcpy(t->iomem, mem, sizeof(t->iomem));
	free(mem);
	/* the receivers restore their own side: only the levels */
	for (int n = 0; n < TESTDEV_LINES; n++)
		t->line[n].level = !!level[n];
	return 0;
}

struct testdev *testdev_new(struct bus *io, struct bus *mmio, struct physmap *pm,
			    struct device *dev)
{
	struct testdev *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->pm = pm;
	/* all ranges free before any is taken: the bus cannot unregister */
	if (!bus_free(io, PORT_DATA, 0xc) || !bus_free(io, PORT_IRQ, TESTDEV_LINES) ||
	    !bus_free(mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_LEN))
		goto taken;
	if (bus_register(io, PORT_DATA, 4, &data_ops, t, "pc-testdev-ioport") ||
	    bus_register(io, PORT_FLUSH, 4, &flush_ops, t, "pc-testdev-flush-page") ||
	    bus_register(io, PORT_DATA_BYTE, 4, &data_ops, t, "pc-testdev-ioport-byte") ||
	    bus_register(io, PORT_IRQ, TESTDEV_LINES, &irq_ops, t, "pc-testdev-irq-line") ||
	    bus_register(mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_LEN, &iomem_ops, t,
			 "pc-testdev-iomem"))
		goto taken;
	if (dev) {
		dev->name = "pc-testdev";
		dev->opaque = t;
		dev->reset = testdev_reset;
		dev->save = testdev_save;
		dev->load = testdev_load;
	}
	return t;
taken:
	log_error("pc-testdev: its ports or its memory at 0x%x are taken", TESTDEV_IOMEM_BASE);
	free(t);
	return NULL;
}

void testdev_free(struct testdev *t)
{
	free(t);
}

/* ---- port logger ---- */

struct portlog {
	const char *name;
	struct debugcon_chr chr;
};

struct portlog *portlog_new(const char *name, const struct debugcon_chr *chr)
{
	struct portlog *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->name = name;
	if (chr)
		l->chr = *chr;
	return l;
}

void portlog_free(struct portlog *l)
{
	free(l);
}

void portlog_byte(void *opaque, uint8_t value)
{
	const struct portlog *l = opaque;
	char line[64];
	int n = snprintf(line, sizeof(line), "%s 0x%02x\n", l->name, value);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (l->chr.write && n > 0)
		l->chr.write(l->chr.opaque, (const uint8_t *)line, (size_t)n);
}

static uint64_t portlog_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xff;	/* a listener drives nothing */
}

static void portlog_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)offset;
	(void)size;
	portlog_byte(opaque, (uint8_t)value);
}

static const struct bus_ops portlog_ops = {
	.read = portlog_read, .write = portlog_write, .min_size = 1, .max_size = 1,
};

int portlog_add(struct bus *io, uint16_t port, struct portlog *l)
{
	if (!l)
		return -1;
	return bus_register(io, port, 1, &portlog_ops, l, "portlog");
}
