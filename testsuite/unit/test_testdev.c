/* Unit tests for pc-testdev (ports 0xe0/0xe4/0xe8/0x2000, memory at
 * 0xff000000) and the port logger (its own port, and port 0x80 through
 * sysports). */
// SPDX-License-Identifier: MIT
#include "hw/testdev.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct rig {
	struct bus io, mmio;
	struct physmap pm;
	struct testdev *t;
	struct device dev;
	int level[TESTDEV_LINES], changes;
};

static void on_line(void *opaque, int n, int level)
{
	struct rig *r = opaque;
	r->level[n] = level;
	r->changes++;
}

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	bus_init(&r->mmio, "mmio");
	CHECK_EQ(physmap_init(&r->pm, 2 << 20, &r->mmio), 0);
	r->t = testdev_new(&r->io, &r->mmio, &r->pm, &r->dev);
	CHECK(r->t != NULL);
	for (int n = 0; n < TESTDEV_LINES; n++)
		irq_connect(testdev_irq(r->t, n), on_line, r, n);
}

static void rig_fini(struct rig *r)
{
	testdev_free(r->t);
	physmap_destroy(&r->pm);
	bus_destroy(&r->io);
	bus_destroy(&r->mmio);
}

static void test_scratch(void)
{
	struct rig r;
	rig_init(&r);
	bus_write(&r.io, 0xe0, 0x12345678, 4);
	CHECK_EQ(bus_read(&r.io, 0xe0, 4), 0x12345678);
	CHECK_EQ(bus_read(&r.io, 0xe2, 2), 0x1234);
	CHECK_EQ(bus_read(&r.io, 0xe1, 1), 0x56);
	/* 0xe8 is the same register, taken a byte at a time */
	CHECK_EQ(bus_read(&r.io, 0xe8, 4), 0x12345678);
	bus_write(&r.io, 0xe9, 0xab, 1);
	CHECK_EQ(bus_read(&r.io, 0xe0, 4), 0x1234ab78);
	bus_write(&r.io, 0xea, 0xcdef, 2);
	CHECK_EQ(bus_read(&r.io, 0xe8, 4), 0xcdefab78);
	/* kept across a reset, and through save/load */
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(bus_read(&r.io, 0xe0, 4), 0xcdefab78);
	rig_fini(&r);
}

static void test_irq_lines(void)
{
	struct rig r;
	rig_init(&r);
	bus_write(&r.io, 0x2000 + 14, 1, 1);
	CHECK_EQ(r.level[14], 1);
	bus_write(&r.io, 0x2000 + 14, 0x80, 1);	/* any nonzero value: still up */
	CHECK_EQ(r.changes, 1);
	bus_write(&r.io, 0x2000 + 14, 0, 1);
	CHECK_EQ(r.level[14], 0);
	bus_write(&r.io, 0x2000 + 23, 1, 1);
	CHECK_EQ(r.level[23], 1);
	int before = r.changes;
	bus_write(&r.io, 0x2000 + 5, 0x0101, 2);	/* only byte writes count */
	CHECK_EQ(r.changes, before);
	CHECK_EQ(bus_read(&r.io, 0x2000, 1), 0);
	bus_write(&r.io, 0x2018, 1, 1);		/* past the lines: not ours */
	CHECK_EQ(r.changes, before);
	/* a reset lowers what is up */
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(r.level[23], 0);
	rig_fini(&r);
}

static void test_iomem(void)
{
	struct rig r;
	rig_init(&r);
	bus_write(&r.mmio, TESTDEV_IOMEM_BASE + 0x10, 0x1122334455667788ull, 8);
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0x10, 8), 0x1122334455667788ull);
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0x13, 1), 0x55);
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0x12, 4), 0x33445566);
	bus_write(&r.mmio, TESTDEV_IOMEM_BASE + 0xfffe, 0xbeef, 2);
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0xfffe, 2), 0xbeef);
	/* past the end: nobody's */
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0x10000, 1), 0xff);

	/* save/load carries the register and the memory */
	bus_write(&r.io, 0xe0, 0xfeedf00d, 4);
	struct snap s;
	snap_init(&s);
	r.dev.save(r.dev.opaque, &s);
	bus_write(&r.io, 0xe0, 0, 4);
	bus_write(&r.mmio, TESTDEV_IOMEM_BASE + 0x10, 0, 8);
	s.pos = 0;
	CHECK_EQ(r.dev.load(r.dev.opaque, &s), 0);
	CHECK_EQ(bus_read(&r.io, 0xe0, 4), 0xfeedf00d);
	CHECK_EQ(bus_read(&r.mmio, TESTDEV_IOMEM_BASE + 0x10, 8), 0x1122334455667788ull);
	struct snap bad;
	snap_init(&bad);
	snap_put(&bad, s.buf, s.len - 1);
	bad.pos = 0;
	CHECK(r.dev.load(r.dev.opaque, &bad) < 0);
	snap_free(&bad);
	snap_free(&s);
	rig_fini(&r);
}

static void test_flush_page(void)
{
	struct rig r;
	rig_init(&r);
	uint32_t v = 0xa5a5a5a5;
	phys_write(&r.pm, 0x3000, &v, 4);
	bus_write(&r.io, 0xe4, 0x3123, 4);	/* the page is dropped, not its bytes */
	uint32_t got = 0;
	phys_read(&r.pm, 0x3000, &got, 4);
	CHECK_EQ(got, 0xa5a5a5a5);
	/* outside RAM, and odd widths, do nothing and break nothing */
	bus_write(&r.io, 0xe4, 0xfee00000, 4);
	bus_write(&r.io, 0xe4, 0x3000, 2);
	bus_write(&r.io, 0xe4, 0xfffff000u, 4);
	phys_read(&r.pm, 0x3000, &got, 4);
	CHECK_EQ(got, 0xa5a5a5a5);
	rig_fini(&r);
}

static void test_ports_taken(void)
{
	struct bus io, mmio;
	bus_init(&io, "io");
	bus_init(&mmio, "mmio");
	struct portlog *l = portlog_new("x", NULL);
	CHECK_EQ(portlog_add(&io, 0x2010, l), 0);
	CHECK(testdev_new(&io, &mmio, NULL, NULL) == NULL);	/* 0x2010 is taken */
	CHECK(bus_find(&io, 0xe0) == NULL);			/* and nothing was claimed */
	portlog_free(l);
	bus_destroy(&io);
	bus_destroy(&mmio);
}

struct sink {
	char buf[256];
	size_t len;
};

static void sink_write(void *opaque, const uint8_t *b, size_t n)
{
	struct sink *s = opaque;
	if (s->len + n < sizeof(s->buf)) {
		memcpy(s->buf + s->len, b, n);
		s->len += n;
		s->buf[s->len] = 0;
	}
}

static void test_portlog(void)
{
	struct bus io;
	bus_init(&io, "io");
	struct sink sink = { .len = 0 };
	struct debugcon_chr chr = { sink_write, &sink };
	/* port 0x80 through sysports, which still keeps the byte */
	struct sysports *sp = sysports_new(&io, NULL, NULL);
	struct portlog *post = portlog_new("post", &chr);
	sysports_set_post_listener(sp, portlog_byte, post);
	bus_write(&io, 0x80, 0x12, 1);
	bus_write(&io, 0x80, 0xab, 1);
	CHECK(strcmp(sink.buf, "post 0x12\npost 0xab\n") == 0);
	CHECK_EQ(bus_read(&io, 0x80, 1), 0xab);
	/* another port, registered by the logger itself */
	struct portlog *p = portlog_new("port-0x300", &chr);
	CHECK_EQ(portlog_add(&io, 0x300, p), 0);
	CHECK(portlog_add(&io, 0x300, p) < 0);	/* once */
	sink.len = 0;
	bus_write(&io, 0x300, 0x7, 1);
	bus_write(&io, 0x300, 0x2a01, 2);	/* the byte at 0x300 only */
	CHECK(strcmp(sink.buf, "port-0x300 0x07\nport-0x300 0x01\n") == 0);
	CHECK_EQ(bus_read(&io, 0x300, 1), 0xff);
	/* listener removed: quiet again */
	sysports_set_post_listener(sp, NULL, NULL);
	sink.len = 0;
	sink.buf[0] = 0;
	bus_write(&io, 0x80, 0x55, 1);
	CHECK_EQ(sink.len, 0);
	portlog_free(p);
	portlog_free(post);
	sysports_free(sp);
	bus_destroy(&io);
}

int main(void)
{
	CHECK_SUITE("testdev");
	RUN(test_scratch);
	RUN(test_irq_lines);
	RUN(test_iomem);
	RUN(test_flush_page);
	RUN(test_ports_taken);
	RUN(test_portlog);
	return CHECK_EXIT();
}
