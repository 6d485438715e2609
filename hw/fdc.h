/* The Intel 82077AA floppy disk controller at 0x3f0-0x3f5 and 0x3f7 (0x3f6
 * is the IDE controller's) with up to two drives, IRQ 6 (an ISA line) and
 * DMA channel 2. SRA/SRB read as on the PS/2-mode chip, DIR (disk change
 * only) and CCR as in AT mode, as QEMU's does. The full 82077AA command set
 * but the deleted-data commands; the VERSION is 0x90 and PARTID is invalid
 * (a post-1991 82077AA to Linux's probe).
 *
 * Media geometry comes from the image size: 160K, 180K, 320K, 360K (5.25",
 * 40 tracks), 720K, 1.2M, 1.44M, 1.68M DMF and 2.88M, all 512-byte sectors.
 * The drive's kind (the CMOS type) is fixed by the first disk put in it.
 * A board reset leaves the controller as a BIOS POST would (out of reset,
 * DMA gate open), which SeaBIOS relies on. */
#ifndef HW_FDC_H
#define HW_FDC_H

#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/irq.h"

struct dma8237;
struct blockdev;
struct fdc;

#define FDC_DMA_CHANNEL 2
#define FDC_ISA_IRQ 6

struct fdc *fdc_new(struct bus *io, struct dma8237 *dma, struct vclock *clk, struct device *dev);
void fdc_free(struct fdc *f);
/* IRQ 6; wire it to the ISA IRQ 6 split */
struct irq_line *fdc_irq(struct fdc *f);

/* Put a disk in drive 0 (fda) or 1 (fdb), or take it out with NULL; either
 * sets the drive's disk-change line. The fdc does not own bd. 0, or -1 with
 * one error line (bad drive, an image size no floppy has). */
int fdc_attach(struct fdc *f, int drive, struct blockdev *bd);
/* the drive's CMOS 0x10 type: 0 none, 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M */
int fdc_cmos_type(struct fdc *f, int drive);

#endif
