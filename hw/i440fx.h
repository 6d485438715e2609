/* The i440FX host bridge, PCI 00:00.0, as in QEMU's "pc" machine (8086:1237
 * rev 2, subsystem 1af4:1100, which SeaBIOS takes as "running on QEMU").
 *
 * PAM registers 0x59-0x5f decide what the CPU sees at 0xC0000-0xFFFFF, in
 * 13 segments: F0000-FFFFF (high nibble of 0x59), then C0000-EFFFF in
 * 16 KiB steps (low, high nibble of 0x5a ... 0x5f). Per segment, bit 0 of
 * the nibble is read-enable (RE), bit 1 write-enable (WE):
 *   RE+WE   RAM
 *   RE      RAM, read-only (writes dropped)
 *   WE      reads from what lies underneath, writes to RAM
 *   neither what lies underneath
 * Underneath E0000-FFFFF is the BIOS flash: the last 128 KiB of what is
 * mapped at the top of 4 GiB. Underneath C0000-DFFFF is nothing (PCI: the
 * MMIO bus). Without a flash at the top of 4 GiB (direct kernel boot) a
 * read-disabled segment shows RAM, as a BIOS would have left it.
 * The change reaches the CPUs through the physical map.
 *
 * SMRAM (0x72) is kept as a register; SMM is not modelled, so opening it
 * is logged once and changes nothing. */
#ifndef HW_I440FX_H
#define HW_I440FX_H

#include "hw/device.h"
#include "hw/pci.h"

#define I440FX_DEVFN PCI_DEVFN(0, 0)
#define I440FX_PAM0 0x59
#define I440FX_SMRAM 0x72

struct i440fx;

/* registers at 00:00.0; the segments' write-only mode uses pm->mmio */
struct i440fx *i440fx_new(struct pci_bus *bus, struct physmap *pm, uint64_t ram_size,
			  struct device *dev);
void i440fx_free(struct i440fx *h);

#endif
