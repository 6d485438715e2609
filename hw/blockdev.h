/* A disk image behind a drive: a raw file opened once, read and written in
 * whole bytes at byte offsets (drives work in sectors; the image does not
 * care). With snapshot, writes go to an in-memory overlay and the file is
 * only read, so tests never change an image. Writes reach the file with
 * pwrite; blockdev_flush() returns only after fdatasync, so a guest that sees
 * its FLUSH CACHE complete has its data on the host's disk. Never truncates. */
#ifndef HW_BLOCKDEV_H
#define HW_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum blockdev_media { BLOCKDEV_DISK, BLOCKDEV_CDROM, BLOCKDEV_FLOPPY };

struct blockdev;

/* Open path for a drive of that media. Refuses, with one error line naming
 * the file and the problem, and NULL: a file that cannot be opened or read,
 * an empty one, or one of a size that media cannot have (a disk not a
 * multiple of 512, a CD not a multiple of 2048, a floppy of no size a
 * 3.5"/5.25" drive takes). readonly: writes fail (a CD is always readonly). */
struct blockdev *blockdev_open(const char *path, enum blockdev_media media, bool readonly,
			       bool snapshot);
void blockdev_close(struct blockdev *bd);

uint64_t blockdev_size(const struct blockdev *bd);	/* bytes */
bool blockdev_readonly(const struct blockdev *bd);
const char *blockdev_path(const struct blockdev *bd);
/* 0, or -1 on an I/O error or a range past the end (nothing transferred) */
int blockdev_read(struct blockdev *bd, uint64_t off, void *buf, size_t len);
int blockdev_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len);
int blockdev_flush(struct blockdev *bd);

#endif
