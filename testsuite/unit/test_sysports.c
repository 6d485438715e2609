/* Unit tests for port 0x80, port 0x92, port 0xf0 (FERR#), isa-debug-exit and debugcon. */
// SPDX-License-Identifier: MIT
#include "hw/sysports.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct host_log {
	int resets;
	int a20_calls, a20;
	int exits, status;
	uint8_t con[64];
	size_t ncon;
};

static void h_reset(void *opaque) { ((struct host_log *)opaque)->resets++; }
static void h_a20(void *opaque, int on)
{
	struct host_log *l = opaque;
	l->a20_calls++;
	l->a20 = on;
}
static void h_exit(void *opaque, int status)
{
	struct host_log *l = opaque;
	l->exits++;
	l->status = status;
}
static void h_con(void *opaque, const uint8_t *buf, size_t len)
{
	struct host_log *l = opaque;
	for (size_t i = 0; i < len && l->ncon < sizeof(l->con); i++)
		l->con[l->ncon++] = buf[i];
}

struct rig {
	struct bus io;
	struct host_log log;
	struct sysports_host host;
	struct debugcon_chr chr;
	struct sysports *s;
	struct device dev;
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	r->host = (struct sysports_host){ h_reset, h_a20, h_exit, &r->log };
	r->chr = (struct debugcon_chr){ h_con, &r->log };
	r->s = sysports_new(&r->io, &r->host, &r->dev);
}

static void rig_fini(struct rig *r)
{
	sysports_free(r->s);
	bus_destroy(&r->io);
}

static void test_post_latch(void)
{
	struct rig r;
	rig_init(&r);
	CHECK(r.s != NULL);
	CHECK_EQ(bus_read(&r.io, 0x80, 1), 0);
	bus_write(&r.io, 0x80, 0x5a, 1);
	CHECK_EQ(bus_read(&r.io, 0x80, 1), 0x5a);
	bus_write(&r.io, 0x80, 0xc3, 1);
	CHECK_EQ(bus_read(&r.io, 0x80, 1), 0xc3);
	/* neighbours are not claimed */
	CHECK_EQ(bus_read(&r.io, 0x81, 1), 0xff);
	rig_fini(&r);
}

static void test_port92_a20(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(sysports_a20(r.s), 0);
	bus_write(&r.io, 0x92, 0x02, 1);
	CHECK_EQ(r.log.a20_calls, 1);
	CHECK_EQ(r.log.a20, 1);
	CHECK_EQ(sysports_a20(r.s), 1);
	CHECK_EQ(bus_read(&r.io, 0x92, 1), 0x02);
	CHECK_EQ(r.log.resets, 0);
	bus_write(&r.io, 0x92, 0x00, 1);
	CHECK_EQ(r.log.a20_calls, 2);
	CHECK_EQ(r.log.a20, 0);
	CHECK_EQ(sysports_a20(r.s), 0);
	CHECK_EQ(bus_read(&r.io, 0x92, 1), 0x00);
	rig_fini(&r);
}

static void test_port92_reset_edge(void)
{
	struct rig r;
	rig_init(&r);
	bus_write(&r.io, 0x92, 0x03, 1);
	CHECK_EQ(r.log.resets, 1);
	CHECK_EQ(r.log.a20, 1);
	/* bit 0 reads as written */
	CHECK_EQ(bus_read(&r.io, 0x92, 1), 0x03);
	/* still 1: no new edge */
	bus_write(&r.io, 0x92, 0x01, 1);
	CHECK_EQ(r.log.resets, 1);
	CHECK_EQ(r.log.a20, 0);
	bus_write(&r.io, 0x92, 0x00, 1);
	CHECK_EQ(r.log.resets, 1);
	bus_write(&r.io, 0x92, 0x01, 1);
	CHECK_EQ(r.log.resets, 2);
	/* device reset ends the pulse, keeps A20 */
	bus_write(&r.io, 0x92, 0x03, 1);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(bus_read(&r.io, 0x92, 1), 0x02);
	CHECK_EQ(sysports_a20(r.s), 1);
	rig_fini(&r);
}

static void test_debugexit_byte(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(debugexit_add(&r.io, 0xf4, 1, &r.host), 0);
	CHECK_EQ(bus_read(&r.io, 0xf4, 1), 0);
	CHECK_EQ(r.log.exits, 0);
	bus_write(&r.io, 0xf4, 0x10, 1);
	CHECK_EQ(r.log.exits, 1);
	CHECK_EQ(r.log.status, 0x21);
	bus_write(&r.io, 0xf4, 0, 1);
	CHECK_EQ(r.log.status, 1);
	rig_fini(&r);
}

static void test_debugexit_wide(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(debugexit_add(&r.io, 0x501, 2, &r.host), 0);
	CHECK_EQ(bus_read(&r.io, 0x501, 2), 0);
	bus_write(&r.io, 0x501, 0x1234, 2);
	CHECK_EQ(r.log.exits, 1);
	CHECK_EQ(r.log.status, (0x1234 << 1) | 1);
	CHECK_EQ(debugexit_add(&r.io, 0x600, 4, &r.host), 0);
	bus_write(&r.io, 0x600, 0x00012345, 4);
	CHECK_EQ(r.log.exits, 2);
	CHECK_EQ(r.log.status, (0x12345 << 1) | 1);
	CHECK_EQ(debugexit_add(&r.io, 0x700, 3, &r.host), -1);
	/* overlapping port 0x92 is refused */
	CHECK_EQ(debugexit_add(&r.io, 0x92, 1, &r.host), -1);
	rig_fini(&r);
}

static void test_debugexit_copies_host(void)
{
	struct rig r;
	struct sysports_host tmp;
	rig_init(&r);
	tmp = r.host;
	CHECK_EQ(debugexit_add(&r.io, 0xf4, 1, &tmp), 0);
	memset(&tmp, 0, sizeof(tmp));	/* the caller's struct is gone */
	bus_write(&r.io, 0xf4, 3, 1);
	CHECK_EQ(r.log.exits, 1);
	CHECK_EQ(r.log.status, 7);
	rig_fini(&r);
}

static void test_debugcon(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(debugcon_add(&r.io, 0xe9, &r.chr), 0);
	CHECK_EQ(bus_read(&r.io, 0xe9, 1), 0xe9);
	bus_write(&r.io, 0xe9, 'h', 1);
	bus_write(&r.io, 0xe9, 'i', 1);
	CHECK_EQ(r.log.ncon, 2);
	CHECK_EQ(r.log.con[0], 'h');
	CHECK_EQ(r.log.con[1], 'i');
	CHECK_EQ(debugcon_add(&r.io, 0x402, &r.chr), 0);
	bus_write(&r.io, 0x402, '\n', 1);
	CHECK_EQ(r.log.ncon, 3);
	CHECK_EQ(r.log.con[2], '\n');
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig r;
	struct snap sn;
	rig_init(&r);
	bus_write(&r.io, 0x80, 0x77, 1);
	bus_write(&r.io, 0x92, 0x02, 1);
	snap_init(&sn);
	r.dev.save(r.dev.opaque, &sn);
	bus_write(&r.io, 0x80, 0x00, 1);
	bus_write(&r.io, 0x92, 0x00, 1);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(bus_read(&r.io, 0x80, 1), 0);
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), 0);
	CHECK_EQ(bus_read(&r.io, 0x80, 1), 0x77);
	CHECK_EQ(bus_read(&r.io, 0x92, 1), 0x02);
	CHECK_EQ(sysports_a20(r.s), 1);
	/* a truncated state is refused */
	sn.pos = 0;
	sn.len -= 1;
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), -1);
	snap_free(&sn);
	rig_fini(&r);
}

/* the FERR latch: FERR# raises the line (to IRQ 13), port 0xf0 lowers it */
struct line_log {
	int calls, level;
};

static void h_line(void *opaque, int n, int level)
{
	struct line_log *l = opaque;
	(void)n;
	l->calls++;
	l->level = level;
}

static void test_ferr_latch(void)
{
	struct rig r;
	struct line_log ll = { 0, 0 };
	struct snap sn;
	rig_init(&r);
	irq_connect(sysports_ferr_irq(r.s), h_line, &ll, 13);
	sysports_ferr(r.s);
	CHECK_EQ(ll.calls, 1);
	CHECK_EQ(ll.level, 1);
	sysports_ferr(r.s);			/* a level: still up, no new edge */
	CHECK_EQ(ll.calls, 1);
	CHECK_EQ(bus_read(&r.io, 0xf0, 1), 0xff);	/* reads not decoded */
	CHECK_EQ(ll.level, 1);
	bus_write(&r.io, 0xf0, 0x00, 1);	/* clear FERR#/IGNNE# */
	CHECK_EQ(ll.calls, 2);
	CHECK_EQ(ll.level, 0);
	bus_write(&r.io, 0xf0, 0x00, 1);
	CHECK_EQ(ll.calls, 2);
	/* raised again after the clear; a reset lowers it */
	sysports_ferr(r.s);
	CHECK_EQ(ll.level, 1);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(ll.level, 0);
	/* the level survives save/load: port 0xf0 still lowers it after */
	sysports_ferr(r.s);
	snap_init(&sn);
	r.dev.save(r.dev.opaque, &sn);
	r.dev.reset(r.dev.opaque);
	ll.level = 1;				/* the receiver restores its own side */
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), 0);
	int calls = ll.calls;
	bus_write(&r.io, 0xf0, 0x00, 1);
	CHECK_EQ(ll.calls, calls + 1);
	CHECK_EQ(ll.level, 0);
	snap_free(&sn);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("sysports");
	RUN(test_post_latch);
	RUN(test_port92_a20);
	RUN(test_port92_reset_edge);
	RUN(test_debugexit_byte);
	RUN(test_debugexit_wide);
	RUN(test_debugexit_copies_host);
	RUN(test_debugcon);
	RUN(test_save_load);
	RUN(test_ferr_latch);
	return CHECK_EXIT();
}
