/* Fuzz harness: pc-testdev (the scratch register through both windows, the
 * flush-page port over fuzzed addresses, the interrupt-line ports, the
 * MMIO memory) and port loggers on two ports; events log a byte as the
 * POST-code listener would, reset the device, or flush a page of RAM and
 * check that it kept its contents. Every line a logger writes must be one
 * whole "<name> 0xNN\n". */
// SPDX-License-Identifier: MIT
// fuzz-runs: 10000
#include "testsuite/fuzz/fuzzrig.h"

#include "hw/testdev.h"

struct tdrig {
	struct testdev *t;
	struct portlog *post, *dbg;
	uint8_t level[TESTDEV_LINES];
};

static void line(void *opaque, int n, int level)
{
	((struct tdrig *)opaque)->level[n] = (uint8_t)level;
}

static void sink(void *opaque, const uint8_t *buf, size_t len)
{
	size_t name = strlen(opaque);
	if (len != name + 6 || memcmp(buf, opaque, name) || memcmp(buf + name, " 0x", 3) ||
	    buf[len - 1] != '\n')
		abort();
}

static void testdev_event(struct fuzzrig *rig, uint8_t arg)
{
	struct tdrig *s = rig->opaque;
	switch (arg & 3) {
	case 0:
		rig->dev[0].reset(rig->dev[0].opaque);
		for (int n = 0; n < TESTDEV_LINES; n++)
			if (s->level[n])
				abort();	/* a reset lowers every line */
		break;
	case 1: portlog_byte(s->post, arg); break;
	case 2: portlog_byte(s->dbg, arg); break;
	default: {	/* a flushed page keeps what it held */
		uint64_t gpa = ((uint64_t)arg << 12) % FUZZ_RAM;
		uint8_t *p = rig->pm.ram + gpa;
		p[0] = arg;
		p[4095] = (uint8_t)~arg;
		bus_write(&rig->io, 0xe4, gpa | arg, 4);
		if (p[0] != arg || p[4095] != (uint8_t)~arg)
			abort();
		break;
	}
	}
}

static int fuzz_setup(struct fuzzrig *rig)
{
	static struct tdrig s;
	static struct debugcon_chr post_chr = { sink, "post" }, dbg_chr = { sink, "debug-port" };
	memset(&s, 0, sizeof(s));
	s.t = testdev_new(&rig->io, &rig->mmio, &rig->pm, fuzz_new_dev(rig));
	s.post = portlog_new("post", &post_chr);
	s.dbg = portlog_new("debug-port", &dbg_chr);
	if (!s.t || !s.post || !s.dbg || portlog_add(&rig->io, 0x80, s.post) ||
	    portlog_add(&rig->io, 0x402, s.dbg))
		abort();
	for (int n = 0; n < TESTDEV_LINES; n++)
		irq_connect(testdev_irq(s.t, n), line, &s, n);
	if (testdev_irq(s.t, -1) || testdev_irq(s.t, TESTDEV_LINES))
		abort();
	fuzz_range(rig, &rig->io, 0xe0, 4);
	fuzz_range(rig, &rig->io, 0xe4, 4);
	fuzz_range(rig, &rig->io, 0xe8, 4);
	fuzz_range(rig, &rig->io, 0xe0, 0x10);
	fuzz_range(rig, &rig->io, 0x2000, 0x20);
	fuzz_range(rig, &rig->io, 0x80, 1);
	fuzz_range(rig, &rig->io, 0x400, 4);
	fuzz_range(rig, &rig->mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_LEN);
	fuzz_range(rig, &rig->mmio, TESTDEV_IOMEM_BASE + TESTDEV_IOMEM_LEN - 8, 16);
	rig->event = testdev_event;
	rig->opaque = &s;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	struct tdrig *s = rig->opaque;
	portlog_free(s->post);
	portlog_free(s->dbg);
	testdev_free(s->t);
}
