/* The PC/AT's two Intel 8237A DMA controllers: the 8-bit one at ports
 * 0x00-0x0f (channels 0-3) and the 16-bit one at 0xc0-0xde, even ports only
 * (channels 4-7, word addressing; channel 4 cascades the first), with the
 * page registers 0x81-0x83, 0x87 (channels 2, 3, 1, 0) and 0x89-0x8b, 0x8f
 * (6, 7, 5, 4). Port 0x80 and the other 0x8x ports are not ours.
 *
 * The device side is a simplified DREQ/DACK: a device with data to move
 * raises DREQ on its channel; whenever DREQ is up and the channel can run
 * (unmasked, controller enabled) the controller calls the device's run hook,
 * at once or later when the guest unmasks the channel. The hook moves bytes
 * with dma8237_transfer(), which applies the channel's mode (direction,
 * decrement, autoinit) and stops at terminal count, then lowers DREQ.
 * Memory goes through the physical map and only guest RAM is written (ROM
 * and RAM are read; anything else reads as ones). */
#ifndef HW_DMA8237_H
#define HW_DMA8237_H

#include <stdbool.h>
#include <stddef.h>
#include "hw/bus.h"
#include "hw/device.h"

struct physmap;
struct dma8237;

typedef void dma8237_run_fn(void *opaque);

struct dma8237 *dma8237_new(struct bus *io, struct physmap *pm, struct device *dev);
void dma8237_free(struct dma8237 *d);

/* the device on channel ch (0-7): run is called while its DREQ is up and
 * the channel is ready */
void dma8237_connect(struct dma8237 *d, unsigned ch, dma8237_run_fn *run, void *opaque);
/* DREQ; raising it on a ready channel calls run before returning */
void dma8237_dreq(struct dma8237 *d, unsigned ch, bool level);
/* unmasked and its controller enabled */
bool dma8237_ready(const struct dma8237 *d, unsigned ch);
/* Move up to len bytes between buf (the device's side) and memory at the
 * channel's current address, in the direction its mode says (verify moves
 * nothing but counts). 16-bit channels move whole words. Returns the bytes
 * counted; *tc (may be NULL) says terminal count was reached, which ends the
 * transfer. A masked channel moves nothing. */
size_t dma8237_transfer(struct dma8237 *d, unsigned ch, void *buf, size_t len, bool *tc);

#endif
