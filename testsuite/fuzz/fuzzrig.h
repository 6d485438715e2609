/* The shared half of every device fuzz harness (libFuzzer).
 *
 * A harness builds its device(s) on a small board of its own: an io and an
 * mmio bus, 1 MiB of guest RAM in a physmap, a manual virtual clock. It says
 * which port and MMIO ranges the guest may touch, and the input is read as a
 * program of operations on them:
 *   write / read  a register of one of those ranges (any offset, width 1-8),
 *   advance the clock (timers fire), poke bytes into guest RAM (so DMA
 *   descriptors and buffers can be whatever the fuzzer makes them),
 *   a device-specific event (insert a disk, press a key, ...).
 * Every input starts from a freshly built board, so a crash replays from the
 * input alone. The device sees what a guest could make it see, nothing more;
 * ASan and UBSan judge.
 *
 * A harness file defines fuzz_setup() and fuzz_teardown() and includes this
 * header once. */
#ifndef TESTSUITE_FUZZ_FUZZRIG_H
#define TESTSUITE_FUZZ_FUZZRIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/log.h"
#include "mmu/physmap.h"

#define FUZZ_RAM (1u << 20)
#define FUZZ_MAX_RANGES 24
#define FUZZ_MAX_DEVICES 8

struct fuzz_range {
	struct bus *bus;
	uint64_t base, len;
};

struct fuzzrig {
	struct bus io, mmio;
	struct physmap pm;
	struct vclock clock;
	struct fuzz_range r[FUZZ_MAX_RANGES];
	int nr;
	struct device dev[FUZZ_MAX_DEVICES];
	int ndev;
	/* a device-specific event: arg is one input byte */
	void (*event)(struct fuzzrig *rig, uint8_t arg);
	void *opaque;			/* the harness's own state */
};

/* the harness's part: build the devices (0, or -1 to skip this input) and
 * free them */
static int fuzz_setup(struct fuzzrig *rig);
static void fuzz_teardown(struct fuzzrig *rig);

static inline void fuzz_range(struct fuzzrig *rig, struct bus *bus, uint64_t base, uint64_t len)
{
	if (rig->nr < FUZZ_MAX_RANGES)
		rig->r[rig->nr++] = (struct fuzz_range){ bus, base, len };
}

static inline struct device *fuzz_new_dev(struct fuzzrig *rig)
{
	if (rig->ndev == FUZZ_MAX_DEVICES)
		abort();
	struct device *d = &rig->dev[rig->ndev++];
	memset(d, 0, sizeof(*d));
	return d;
}

struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static inline void fuzz_run(struct fuzzrig *rig, struct fuzz_input *in)
{
	while (in->n) {
		uint8_t op = (uint8_t)fuzz_take(in, 1);
		switch (op & 7) {
		case 0: case 1: case 2: {	/* write (twice as likely as a read) */
			if (!rig->nr)
				break;
			const struct fuzz_range *r = &rig->r[fuzz_take(in, 1) % (unsigned)rig->nr];
			uint64_t off = fuzz_take(in, 2) % r->len;
			unsigned size = 1u << ((op >> 3) & 3);
			bus_write(r->bus, r->base + off, fuzz_take(in, size), size);
			break;
		}
		case 3: case 4: {		/* read */
			if (!rig->nr)
				break;
			const struct fuzz_range *r = &rig->r[fuzz_take(in, 1) % (unsigned)rig->nr];
			uint64_t off = fuzz_take(in, 2) % r->len;
			unsigned size = 1u << ((op >> 3) & 3);
			(void)bus_read(r->bus, r->base + off, size);
			break;
		}
		case 5: {			/* time passes: up to 65 ms */
			int64_t ns = (int64_t)fuzz_take(in, 2) * 1000;
			clock_set(&rig->clock, clock_ns(&rig->clock) + ns);
			break;
		}
		case 6: {			/* bytes into guest RAM */
			uint64_t at = (fuzz_take(in, 2) << 4) % FUZZ_RAM;
			size_t len = (size_t)fuzz_take(in, 1);
			if (len > in->n)
				len = in->n;
			if (at + len > FUZZ_RAM)
				len = FUZZ_RAM - at;
			memcpy(rig->pm.ram + at, in->p, len);
			in->p += len;
			in->n -= len;
			break;
		}
		case 7:
			if (rig->event)
				rig->event(rig, (uint8_t)fuzz_take(in, 1));
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzzrig rig;
	memset(&rig, 0, sizeof(rig));
	bus_init(&rig.io, "io");
	bus_init(&rig.mmio, "mmio");
	clock_init(&rig.clock, CLOCK_MANUAL);
	if (physmap_init(&rig.pm, FUZZ_RAM, &rig.mmio) < 0)
		abort();
	if (fuzz_setup(&rig) == 0) {
		for (int i = 0; i < rig.ndev; i++)
			if (rig.dev[i].reset)
				rig.dev[i].reset(rig.dev[i].opaque);
		struct fuzz_input in = { data, size };
		fuzz_run(&rig, &in);
		fuzz_teardown(&rig);
	}
	physmap_destroy(&rig.pm);
	bus_destroy(&rig.io);
	bus_destroy(&rig.mmio);
	return 0;
}

/* quiet: the devices' log_once lines would flood the fuzzer's output */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_file = fopen("/dev/null", "w");
	return 0;
}

#endif
