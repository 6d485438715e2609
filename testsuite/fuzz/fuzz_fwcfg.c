/* Fuzz harness: fw_cfg's ports and its DMA interface, with items of several
 * sizes (empty, small, a page and more) so selects, offsets and DMA lengths
 * meet every boundary; DMA descriptors come from fuzzed guest RAM. */
// SPDX-License-Identifier: MIT
#include "testsuite/fuzz/fuzzrig.h"

#include "hw/fwcfg.h"

static int fuzz_setup(struct fuzzrig *rig)
{
	static uint8_t big[5000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	struct fwcfg *fw = fwcfg_new(&rig->io, &rig->pm, fuzz_new_dev(rig));
	if (!fw)
		abort();
	fwcfg_add_i64(fw, FWCFG_RAM_SIZE, FUZZ_RAM);
	fwcfg_add_i16(fw, FWCFG_NB_CPUS, 2);
	fwcfg_add_file(fw, "etc/empty", big, 0);
	fwcfg_add_file(fw, "etc/small", big, 3);
	fwcfg_add_file(fw, "etc/page", big, 4096);
	fwcfg_add_file(fw, "etc/big", big, sizeof(big));
	fuzz_range(rig, &rig->io, FWCFG_IO_BASE, 12);
	rig->opaque = fw;
	return 0;
}

static void fuzz_teardown(struct fuzzrig *rig)
{
	fwcfg_free(rig->opaque);
}
