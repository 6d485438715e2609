/* The PIIX3 IDE function (PCI 00:01.1, 8086:7010) in legacy mode: the
 * primary channel at ports 0x1f0-0x1f7 + 0x3f6 drives ISA IRQ 14, the
 * secondary at 0x170-0x177 + 0x376 ISA IRQ 15 (ide_irq; not INTx). BAR4 is
 * the 16-byte bus-master DMA block; DMA reaches guest RAM only, through pm.
 * Each channel takes up to two drives: ATA disks and ATAPI CD-ROMs.
 * Commands complete synchronously under the board lock; FLUSH CACHE returns
 * only after blockdev_flush. Blockdevs stay the caller's: ide never closes
 * one (close it after ide_free, or after ide_cd_change swapped it out). */
#ifndef HW_IDE_H
#define HW_IDE_H

#include <stdbool.h>
#include "hw/blockdev.h"
#include "hw/bus.h"
#include "hw/device.h"
#include "hw/irq.h"
#include "hw/pci.h"

#define IDE_PIIX3_DEVFN PCI_DEVFN(1, 1)

struct ide;
struct physmap;

/* registers the PCI function at IDE_PIIX3_DEVFN and the legacy ports on io;
 * NULL after one error line */
struct ide *ide_new(struct pci_bus *pci, struct bus *io, struct physmap *pm,
		    struct device *dev);
void ide_free(struct ide *ide);
/* put a drive at channel 0/1, unit 0 (master) / 1 (slave), before the guest
 * runs. A CD-ROM may start empty (bd NULL). 0, or -1 after one error line. */
int ide_attach(struct ide *ide, int channel, int unit, struct blockdev *bd, bool cdrom);
/* the channel's interrupt line, for ISA IRQ 14 (channel 0) / 15 (channel 1) */
struct irq_line *ide_irq(struct ide *ide, int channel);
/* the host changed the CD in an ATAPI drive (bd NULL: took it out); the
 * guest sees NOT READY, then UNIT ATTENTION 28h for the new medium.
 * Returns the blockdev that was in the drive, for the caller to close. */
struct blockdev *ide_cd_change(struct ide *ide, int channel, int unit, struct blockdev *bd);

#endif
