/* Raw disk images behind drives, with an optional in-memory write overlay. */
// SPDX-License-Identifier: MIT
#include "hw/blockdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hw/log.h"

/* The snapshot overlay keeps written data in 512-byte granules keyed by
 * granule index, in an open-addressing hash table; a read takes each granule
 * from the overlay when it is there and from the file otherwise. */
#define GRAN 512u

struct gran {
	uint64_t idx;
	uint8_t *data;		/* NULL: empty slot */
};

struct blockdev {
	int fd;
	char *path;
	uint64_t size;
	enum blockdev_media media;
	bool readonly, snapshot;
	struct gran *tab;
	size_t tab_cap, tab_used;	/* cap is a power of two */
};

/* Image sizes a PC floppy drive takes (bytes = cylinders * heads * sectors
 * per track * 512):
 *   160K  40*1*8    5.25" SS/DD      180K  40*1*9    5.25" SS/DD
 *   320K  40*2*8    5.25" DS/DD      360K  40*2*9    5.25" DS/DD
 *   720K  80*2*9    3.5"  DD         1.2M  80*2*15   5.25" HD
 *   1.44M 80*2*18   3.5"  HD         1.68M 80*2*21   3.5"  DMF
 *   2.88M 80*2*36   3.5"  ED */
static const uint32_t floppy_sizes[] = {
	163840, 184320, 327680, 368640, 737280, 1228800, 1474560, 1720320, 2949120,
};

static bool size_fits(enum blockdev_media media, uint64_t size, const char **why)
{
	if (size == 0) {
		*why = "the image is empty";
		return false;
	}
	switch (media) {
	case BLOCKDEV_DISK:
		*why = "a disk image must be a multiple of 512 bytes";
		return size % 512 == 0;
	case BLOCKDEV_CDROM:
		*why = "a CD image must be a multiple of 2048 bytes";
		return size % 2048 == 0;
	case BLOCKDEV_FLOPPY:
		*why = "not a floppy size (160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M, 1.68M, 2.88M)";
		for (size_t i = 0; i < sizeof(floppy_sizes) / sizeof(floppy_sizes[0]); i++)
			if (size == floppy_sizes[i])
				return true;
		return false;
	}
	*why = "unknown media";
	return false;
}

struct blockdev *blockdev_open(const char *path, enum blockdev_media media, bool readonly,
			       bool snapshot)
{
	if (media == BLOCKDEV_CDROM)
		readonly = true;
	/* with the overlay the file is only ever read */
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
	int fd = open(path, (readonly || snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		log_error("%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" :
			  !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) ? "not a file or a block device" :
			  strerror(errno));
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* lseek rather than st_size, so host block devices work too */
	off_t end = lseek(fd, 0, SEEK_END);
	const char *why;
	if (end < 0) {
		log_error("%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!size_fits(media, (uint64_t)end, &why)) {
		log_error("%s: %s (%lld bytes)", path, why, (long long)end);
		close(fd);
		return NULL;
	}
	/* a file we may open but not read (a write-only device node) */
	uint8_t probe;
	if (pread(fd, &probe, 1, 0) != 1) {
		log_error("%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	struct blockdev *bd = calloc(1, sizeof(*bd));
	char *p = strdup(path);
	if (!bd || !p) {
		log_error("%s: out of memory", path);
		free(bd);
		free(p);
		close(fd);
		return NULL;
	}
	bd->fd = fd;
	bd->path = p;
	bd->size = (uint64_t)end;
	bd->media = media;
	bd->readonly = readonly;
	bd->snapshot = snapshot;
	return bd;
}

void blockdev_close(struct blockdev *bd)
{
	if (!bd)
		return;
	for (size_t i = 0; i < bd->tab_cap; i++)
		free(bd->tab[i].data);
	free(bd->tab);
	close(bd->fd);
	free(bd->path);
	free(bd);
}

uint64_t blockdev_size(const struct blockdev *bd) { return bd->size; }
bool blockdev_readonly(const struct blockdev *bd) { return bd->readonly; }
const char *blockdev_path(const struct blockdev *bd) { return bd->path; }

static bool range_ok(const struct blockdev *bd, uint64_t off, size_t len)
{
	return off <= bd->size && len <= bd->size - off;
}

static int file_read(struct blockdev *bd, uint64_t off, uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = pread(bd->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)	/* an error, or the file shrank under us */
			return -1;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int file_write(struct blockdev *bd, uint64_t off, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = pwrite(bd->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- overlay ---- */

static size_t gran_hash(uint64_t idx, size_t cap)
{
	return (size_t)((idx * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

static struct gran *gran_find(const struct blockdev *bd, uint64_t idx)
{
	if (!bd->tab_cap)
		return NULL;
	for (size_t i = gran_hash(idx, bd->tab_cap);; i = (i + 1) & (bd->tab_cap - 1)) {
		struct gran *g = &bd->tab[i];
		if (!g->data)
			return NULL;
		if (g->idx == idx)
			return g;
	}
}

static int gran_grow(struct blockdev *bd)
{
	size_t cap = bd->tab_cap ? bd->tab_cap * 2 : 1024;
	struct gran *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < bd->tab_cap; i++) {
		if (!bd->tab[i].data)
			continue;
		size_t j = gran_hash(bd->tab[i].idx, cap);
		while (t[j].data)
			j = (j + 1) & (cap - 1);
		t[j] = bd->tab[i];
	}
	free(bd->tab);
	bd->tab = t;
	bd->tab_cap = cap;
	return 0;
}

/* the overlay granule idx, created from the file's contents if new */
static uint8_t *gran_get(struct blockdev *bd, uint64_t idx)
{
	struct gran *g = gran_find(bd, idx);
	if (g)
		return g->data;
	if ((bd->tab_used + 1) * 2 > bd->tab_cap && gran_grow(bd))
		return NULL;
	uint8_t *d = malloc(GRAN);
	if (!d)
		return NULL;
	/* every size blockdev_open takes is whole granules; still, never
	 * read past the end */
	uint64_t off = idx * GRAN, n = bd->size - off < GRAN ? bd->size - off : GRAN;
	memset(d, 0, GRAN);
	if (file_read(bd, off, d, (size_t)n)) {
		free(d);
		return NULL;
	}
	size_t i = gran_hash(idx, bd->tab_cap);
	while (bd->tab[i].data)
		i = (i + 1) & (bd->tab_cap - 1);
	bd->tab[i] = (struct gran){ idx, d };
	bd->tab_used++;
	return d;
}

/* ---- access ---- */

int blockdev_read(struct blockdev *bd, uint64_t off, void *buf, size_t len)
{
	if (!range_ok(bd, off, len))
		return -1;
	uint8_t *p = buf;
	if (!bd->tab_used)
		return file_read(bd, off, p, len);
	while (len) {
		uint64_t idx = off / GRAN;
		size_t in = (size_t)(off % GRAN), n = GRAN - in;
		if (n > len)
			n = len;
		struct gran *g = gran_find(bd, idx);
		if (g)
			memcpy(p, g->data + in, n);
		else if (file_read(bd, off, p, n))
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int blockdev_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len)
{
	if (bd->readonly || !range_ok(bd, off, len))
		return -1;
	const uint8_t *p = buf;
	if (!bd->snapshot)
		return file_write(bd, off, p, len);
	while (len) {
		uint64_t idx = off / GRAN;
		size_t in = (size_t)(off % GRAN), n = GRAN - in;
		if (n > len)
			n = len;
		uint8_t *d = gran_get(bd, idx);
		if (!d)
			return -1;
		memcpy(d + in, p, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int blockdev_flush(struct blockdev *bd)
{
	if (bd->readonly || bd->snapshot)
		return 0;
	while (fdatasync(bd->fd) < 0) {
		if (errno != EINTR) {
			log_error("%s: flush failed: %s", bd->path, strerror(errno));
			return -1;
		}
	}
	return 0;
}
