/* Fuzz harness: the HPET's MMIO page, with time passing so its comparators
 * fire, and the PIT/RTC inputs it gates toggled by events. */
// SPDX-License-Identifier: MIT
#include "testsuite/fuzz/fuzzrig.h"

#include "hw/hpet.h"

static void hpet_event(struct fuzzrig *rig, uint8_t arg)
{
	hpet_legacy_in(rig->opaque, arg & 1 ? HPET_IN_RTC : HPET_IN_PIT, (arg >> 1) & 1);
}

static int fuzz_setup(struct fuzzrig *rig)
{
	struct hpet *h = hpet_new(&rig->mmio, &rig->clock, fuzz_new_dev(rig));
	if (!h)
		abort();
	fuzz_range(rig, &rig->mmio, HPET_BASE, HPET_LEN);
	rig->event = hpet_event;
	rig->opaque = h;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	hpet_free(rig->opaque);
}
