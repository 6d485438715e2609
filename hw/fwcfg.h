/* QEMU's firmware configuration device (fw_cfg) on the PC's ports:
 * selector at 0x510 (16-bit write), data at 0x511 (byte reads advance the
 * offset; past the end they read 0; writes are ignored, as in QEMU >= 2.4),
 * DMA address at 0x514 (big-endian: high half at 0x514, low half at 0x518,
 * whose write starts the transfer; reading it gives "QEMU CFG").
 * An item is a key (bit 15: architecture-specific; bit 14, the old write
 * channel, is ignored) and a byte blob. Named files get keys from 0x20 on
 * and an entry in the directory at key 0x19. The device owns copies of all
 * blobs. DMA reaches guest memory only through the physical map: an address
 * that is neither memory nor a device sets the error bit, as QEMU's decode
 * error does. The board fills the items once before the guest runs. */
#ifndef HW_FWCFG_H
#define HW_FWCFG_H

#include <stddef.h>
#include <stdint.h>
#include "hw/bus.h"
#include "hw/device.h"

#define FWCFG_IO_BASE 0x510

enum fwcfg_key {
	FWCFG_SIGNATURE = 0x00,
	FWCFG_ID = 0x01,
	FWCFG_UUID = 0x02,
	FWCFG_RAM_SIZE = 0x03,
	FWCFG_NOGRAPHIC = 0x04,
	FWCFG_NB_CPUS = 0x05,
	FWCFG_NUMA = 0x0d,
	FWCFG_BOOT_MENU = 0x0e,
	FWCFG_MAX_CPUS = 0x0f,
	FWCFG_FILE_DIR = 0x19,
	FWCFG_FILE_FIRST = 0x20,
	FWCFG_ARCH_LOCAL = 0x8000,
	FWCFG_IRQ0_OVERRIDE = FWCFG_ARCH_LOCAL + 2,
};

#define FWCFG_MAX_FILES 64		/* keys 0x20 .. 0x5f */
#define FWCFG_FILE_NAME_MAX 56		/* including the NUL */

struct physmap;
struct fwcfg;

/* registers ports 0x510-0x519 on io; NULL after one error line */
struct fwcfg *fwcfg_new(struct bus *io, struct physmap *pm, struct device *dev);
void fwcfg_free(struct fwcfg *fw);

/* set (or replace) the item at key; 0, or -1 for a key out of range */
int fwcfg_add_bytes(struct fwcfg *fw, uint16_t key, const void *data, size_t len);
/* little-endian integers, as QEMU stores them */
int fwcfg_add_i16(struct fwcfg *fw, uint16_t key, uint16_t v);
int fwcfg_add_i32(struct fwcfg *fw, uint16_t key, uint32_t v);
int fwcfg_add_i64(struct fwcfg *fw, uint16_t key, uint64_t v);
/* a named file (replacing one of that name); returns its key, or -1 after
 * one error line (name too long, directory full) */
int fwcfg_add_file(struct fwcfg *fw, const char *name, const void *data, size_t len);
/* the blob of a file, for tests and the board; NULL if there is none */
const uint8_t *fwcfg_file(const struct fwcfg *fw, const char *name, size_t *len);

#endif
