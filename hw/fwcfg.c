/* QEMU's fw_cfg device: keyed blobs read through a selector/data port pair or by DMA. */
// SPDX-License-Identifier: MIT
#include "hw/fwcfg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hw/log.h"
#include "mmu/physmap.h"

/* Key layout (QEMU docs/specs/fw_cfg.rst): bit 15 picks the architecture
 * table, bit 14 was the write channel (ignored since QEMU 2.4), the rest
 * indexes the table. A key past the end of its table selects nothing: the
 * data port reads 0 and DMA reads fill zeros. */
#define KEY_ARCH 0x8000
#define KEY_WRITE 0x4000
#define KEY_INDEX_MASK 0x3fff
#define KEY_INVALID 0xffff
#define GENERIC_ENTRIES (FWCFG_FILE_FIRST + FWCFG_MAX_FILES)
#define ARCH_ENTRIES 0x10

#define ID_TRADITIONAL 0x1
#define ID_DMA 0x2

enum {
	DMA_CTL_ERROR = 0x01,
	DMA_CTL_READ = 0x02,
	DMA_CTL_SKIP = 0x04,
	DMA_CTL_SELECT = 0x08,
	DMA_CTL_WRITE = 0x10,
};

/* what reading the DMA address register gives: "QEMU CFG" byte by byte */
static const uint8_t dma_signature[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };

/* one directory entry: be32 size, be16 select, be16 reserved, name[56] */
#define DIR_ENTRY_SIZE 64

struct fwcfg_item {
	uint8_t *data;
	uint32_t len;
};

struct fwcfg {
	struct physmap *pm;
	struct fwcfg_item generic[GENERIC_ENTRIES];
	struct fwcfg_item arch[ARCH_ENTRIES];
	char names[FWCFG_MAX_FILES][FWCFG_FILE_NAME_MAX];
	int nfiles;

	uint16_t cur_key;	/* KEY_INVALID when the selected key is out of range */
	uint32_t cur_off;
	uint64_t dma_addr;	/* high half as written; the low write starts DMA */
};

/* ---- items ---- */

static struct fwcfg_item *item_of(struct fwcfg *fw, uint16_t key)
{
	unsigned idx = key & KEY_INDEX_MASK;
	if (key == KEY_INVALID)
		return NULL;
	if (key & KEY_ARCH)
		return idx < ARCH_ENTRIES ? &fw->arch[idx] : NULL;
	return idx < GENERIC_ENTRIES ? &fw->generic[idx] : NULL;
}

static int item_set(struct fwcfg *fw, uint16_t key, const void *data, size_t len)
{
	struct fwcfg_item *it = item_of(fw, key & ~KEY_WRITE);
	if (!it || len > UINT32_MAX)
		return -1;
	uint8_t *copy = NULL;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -1;
		memcpy(copy, data, len);
	}
	free(it->data);
	it->data = copy;
	it->len = (uint32_t)len;
	return 0;
}

int fwcfg_add_bytes(struct fwcfg *fw, uint16_t key, const void *data, size_t len)
{
	return item_set(fw, key, data, len);
}

int fwcfg_add_i16(struct fwcfg *fw, uint16_t key, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	return item_set(fw, key, b, sizeof(b));
}

int fwcfg_add_i32(struct fwcfg *fw, uint16_t key, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return item_set(fw, key, b, sizeof(b));
}

int fwcfg_add_i64(struct fwcfg *fw, uint16_t key, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return item_set(fw, key, b, sizeof(b));
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* the directory is an item like any other, rebuilt whenever a file changes */
static int dir_rebuild(struct fwcfg *fw)
{
	size_t len = 4 + (size_t)fw->nfiles * DIR_ENTRY_SIZE;
	uint8_t *d = calloc(1, len);
	if (!d)
		return -1;
	put_be(d, (uint64_t)fw->nfiles, 4);
	for (int i = 0; i < fw->nfiles; i++) {
		uint8_t *e = d + 4 + (size_t)i * DIR_ENTRY_SIZE;
		put_be(e, fw->generic[FWCFG_FILE_FIRST + i].len, 4);
		put_be(e + 4, (uint64_t)(FWCFG_FILE_FIRST + i), 2);
		memcpy(e + 8, fw->names[i], FWCFG_FILE_NAME_MAX);
	}
	int r = item_set(fw, FWCFG_FILE_DIR, d, len);
	free(d);
	return r;
}

static int file_index(const struct fwcfg *fw, const char *name)
{
	for (int i = 0; i < fw->nfiles; i++)
		if (!strcmp(fw->names[i], name))
			return i;
	return -1;
}

int fwcfg_add_file(struct fwcfg *fw, const char *name, const void *data, size_t len)
{
	if (strlen(name) >= FWCFG_FILE_NAME_MAX) {
		log_error("fw_cfg: file name '%s' is longer than %d characters", name,
			  FWCFG_FILE_NAME_MAX - 1);
		return -1;
	}
	int i = file_index(fw, name);
	if (i < 0) {
		if (fw->nfiles >= FWCFG_MAX_FILES) {
			log_error("fw_cfg: no room for file '%s' (%d files at most)", name,
				  FWCFG_MAX_FILES);
			return -1;
		}
		i = fw->nfiles;
	}
	uint16_t key = (uint16_t)(FWCFG_FILE_FIRST + i);
	if (item_set(fw, key, data, len) < 0) {
		log_error("fw_cfg: cannot store file '%s' (%zu bytes)", name, len);
		return -1;
	}
	if (i == fw->nfiles) {
		memset(fw->names[i], 0, FWCFG_FILE_NAME_MAX);
		strcpy(fw->names[i], name);
		fw->nfiles++;
	}
	if (dir_rebuild(fw) < 0) {
		log_error("fw_cfg: out of memory for the file directory");
		return -1;
	}
	return key;
}

const uint8_t *fwcfg_file(const struct fwcfg *fw, const char *name, size_t *len)
{
	int i = file_index(fw, name);
	if (i < 0)
		return NULL;
	const struct fwcfg_item *it = &fw->generic[FWCFG_FILE_FIRST + i];
	if (len)
		*len = it->len;
	return it->data;
}

/* ---- selector and data port ---- */

static void fwcfg_select(struct fwcfg *fw, uint16_t key)
{
	fw->cur_off = 0;
	fw->cur_key = item_of(fw, key & ~KEY_WRITE) ? (uint16_t)(key & ~KEY_WRITE) : KEY_INVALID;
}

static uint8_t fwcfg_data_byte(struct fwcfg *fw)
{
	const struct fwcfg_item *it = item_of(fw, fw->cur_key);
	if (!it || fw->cur_off >= it->len)
		return 0;
	return it->data[fw->cur_off++];
}

/* offset 0: the 16-bit selector; offset 1: the 8-bit data register. Other
 * widths are not decoded by QEMU's port pair: reads give 0, writes vanish. */
static uint64_t fwcfg_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fwcfg *fw = opaque;
	if (offset == 1 && size == 1)
		return fwcfg_data_byte(fw);
	log_once("fw_cfg: %u-byte read at port 0x%x ignored", size,
		 (unsigned)(FWCFG_IO_BASE + offset));
	return 0;
}

static void fwcfg_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct fwcfg *fw = opaque;
	if (offset == 0 && size == 2) {
		fwcfg_select(fw, (uint16_t)value);
		return;
	}
	if (offset == 1 && size == 1)
		return;		/* data writes were dropped in QEMU 2.4 */
	log_once("fw_cfg: %u-byte write at port 0x%x ignored", size,
		 (unsigned)(FWCFG_IO_BASE + offset));
}

static const struct bus_ops fwcfg_port_ops = {
	.read = fwcfg_port_read, .write = fwcfg_port_write, .min_size = 1, .max_size = 4,
};

/* ---- DMA ---- */

#define DMA_ACCESS_SIZE 16	/* be32 control, be32 length, be64 address */

/* How many bytes from addr (at most len) lie in one RAM/ROM region or one
 * device range; 0 when addr is neither (QEMU's decode error). */
static uint64_t dma_span(struct fwcfg *fw, uint64_t addr, uint64_t len)
{
	uint64_t room;
	const struct physmap_region *r = physmap_find(fw->pm, addr);
	if (r) {
		room = r->gpa + r->size - addr;
	} else {
		const struct bus_range *b = fw->pm->mmio ? bus_find(fw->pm->mmio, addr) : NULL;
		if (!b)
			return 0;
		room = b->base + b->len - addr;
	}
	return room < len ? room : len;
}

static bool dma_mapped(struct fwcfg *fw, uint64_t addr, uint64_t len)
{
	while (len) {
		uint64_t n = dma_span(fw, addr, len);
		if (!n)
			return false;
		addr += n;
		len -= n;
	}
	return true;
}

/* copy src (or zeros when src is NULL) to the guest; false on a decode error */
static bool dma_to_guest(struct fwcfg *fw, uint64_t addr, const uint8_t *src, uint64_t len)
{
	static const uint8_t zeros[256];
	while (len) {
		uint64_t n = dma_span(fw, addr, len);
		if (!n)
			return false;
		if (src) {
			phys_write(fw->pm, addr, src, n);
			src += n;
		} else {
			uint8_t *h = physmap_host(fw->pm, addr, n);
			const struct physmap_region *r = physmap_find(fw->pm, addr);
			if (h && r->kind == PM_RAM) {
				memset(h, 0, n);
				physmap_written(fw->pm, addr, n);
			} else if (!h) {
				for (uint64_t done = 0; done < n;) {
					uint64_t k = n - done < sizeof(zeros) ? n - done : sizeof(zeros);
					phys_write(fw->pm, addr + done, zeros, k);
					done += k;
				}
			}	/* ROM: the write is dropped */
		}
		addr += n;
		len -= n;
	}
	return true;
}

static void fwcfg_dma_run(struct fwcfg *fw, uint64_t desc)
{
	uint8_t a[DMA_ACCESS_SIZE], cb[4];
	fw->dma_addr = 0;
	if (!dma_mapped(fw, desc, DMA_ACCESS_SIZE)) {
		log_once("fw_cfg: DMA descriptor at 0x%llx is outside memory",
			 (unsigned long long)desc);
		put_be(cb, DMA_CTL_ERROR, 4);
		phys_write(fw->pm, desc, cb, 4);
		return;
	}
	phys_read(fw->pm, desc, a, sizeof(a));
	uint32_t control = (uint32_t)get_be(a, 4);
	uint64_t length = get_be(a + 4, 4);
	uint64_t addr = get_be(a + 8, 8);

	if (control & DMA_CTL_SELECT)
		fwcfg_select(fw, (uint16_t)(control >> 16));
	bool read = false, write = false;
	if (control & DMA_CTL_READ)
		read = true;
	else if (control & DMA_CTL_WRITE)
		write = true;
	else if (!(control & DMA_CTL_SKIP))
		length = 0;

	const struct fwcfg_item *it = item_of(fw, fw->cur_key);
	uint32_t status = 0;
	while (length && !(status & DMA_CTL_ERROR)) {
		uint64_t n;
		if (!it || fw->cur_off >= it->len) {
			/* past the end: reads give zeros, skips do nothing */
			n = length;
			if (read && !dma_to_guest(fw, addr, NULL, n))
				status |= DMA_CTL_ERROR;
		} else {
			n = it->len - fw->cur_off;
			if (n > length)
				n = length;
			if (read && !dma_to_guest(fw, addr, it->data + fw->cur_off, n))
				status |= DMA_CTL_ERROR;
			if (!write)
				fw->cur_off += (uint32_t)n;
		}
		/* every item is read-only: a write is refused whole */
		if (write) {
			log_once("fw_cfg: DMA write to read-only key 0x%x refused", fw->cur_key);
			status |= DMA_CTL_ERROR;
		}
		addr += n;
		length -= n;
	}
	put_be(cb, status, 4);
	phys_write(fw->pm, desc, cb, 4);
}

static uint64_t fwcfg_dma_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < size && offset + i < sizeof(dma_signature); i++)
		v |= (uint64_t)dma_signature[offset + i] << (8 * i);
	return v;
}

static uint32_t bswap32_(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

/* the register is big-endian: the byte the guest puts at the lowest port
 * is the most significant */
static void fwcfg_dma_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct fwcfg *fw = opaque;
	uint32_t half = bswap32_((uint32_t)value);
	if (size == 4 && offset == 0) {
		fw->dma_addr = (uint64_t)half << 32 | (uint32_t)fw->dma_addr;
		return;
	}
	if (size == 4 && offset == 4) {
		uint64_t desc = (fw->dma_addr & ~0xffffffffull) | half;
		fwcfg_dma_run(fw, desc);
		return;
	}
	log_once("fw_cfg: %u-byte write at DMA port 0x%x ignored", size,
		 (unsigned)(FWCFG_IO_BASE + 4 + offset));
}

static const struct bus_ops fwcfg_dma_ops = {
	.read = fwcfg_dma_read, .write = fwcfg_dma_write, .min_size = 1, .max_size = 4,
};

/* ---- device ---- */

static void fwcfg_reset(void *opaque)
{
	struct fwcfg *fw = opaque;
	fwcfg_select(fw, FWCFG_SIGNATURE);
	fw->dma_addr = 0;
}

static void fwcfg_save(void *opaque, struct snap *s)
{
	struct fwcfg *fw = opaque;
	snap_section_put(s, "fwcfg", 1);
	SNAP_PUT(s, fw->cur_key);
	SNAP_PUT(s, fw->cur_off);
	SNAP_PUT(s, fw->dma_addr);
}

static int fwcfg_load(void *opaque, struct snap *s)
{
	struct fwcfg *fw = opaque;
	uint16_t key;
	uint32_t off;
	uint64_t dma;
	snap_section_get(s, "fwcfg", 1);
	SNAP_GET(s, key);
	SNAP_GET(s, off);
	SNAP_GET(s, dma);
	if (s->error)
		return -1;
	/* the items are the board's, not state: only the position moves */
	fwcfg_select(fw, key);
	fw->cur_off = off;
	fw->dma_addr = dma;
	return 0;
}

struct fwcfg *fwcfg_new(struct bus *io, struct physmap *pm, struct device *dev)
{
	struct fwcfg *fw = calloc(1, sizeof(*fw));
	if (!fw) {
		log_error("fw_cfg: out of memory");
		return NULL;
	}
	fw->pm = pm;
	static const uint8_t sig[4] = { 'Q', 'E', 'M', 'U' };
	if (item_set(fw, FWCFG_SIGNATURE, sig, sizeof(sig)) ||
	    fwcfg_add_i32(fw, FWCFG_ID, ID_TRADITIONAL | ID_DMA) || dir_rebuild(fw)) {
		log_error("fw_cfg: out of memory");
		fwcfg_free(fw);
		return NULL;
	}
	/* the bus cannot take a range back: look before registering either */
	for (unsigned p = FWCFG_IO_BASE; p < FWCFG_IO_BASE + 12; p++) {
		if ((p < FWCFG_IO_BASE + 2 || p >= FWCFG_IO_BASE + 4) && bus_find(io, p)) {
			log_error("fw_cfg: port 0x%x is taken", p);
			fwcfg_free(fw);
			return NULL;
		}
	}
	bus_register(io, FWCFG_IO_BASE, 2, &fwcfg_port_ops, fw, "fw_cfg");
	bus_register(io, FWCFG_IO_BASE + 4, 8, &fwcfg_dma_ops, fw, "fw_cfg-dma");
	fwcfg_reset(fw);
	if (dev) {
		dev->name = "fw_cfg";
		dev->opaque = fw;
		dev->reset = fwcfg_reset;
		dev->save = fwcfg_save;
		dev->load = fwcfg_load;
	}
	return fw;
}

void fwcfg_free(struct fwcfg *fw)
{
	if (!fw)
		return;
	for (int i = 0; i < GENERIC_ENTRIES; i++)
		free(fw->generic[i].data);
	for (int i = 0; i < ARCH_ENTRIES; i++)
		free(fw->arch[i].data);
	free(fw);
}
