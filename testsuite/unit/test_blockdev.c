/* Unit tests for the block layer: size checks per media, reads and writes at
 * byte offsets, flush, and the snapshot overlay that leaves the file alone. */
// SPDX-License-Identifier: MIT
#include "hw/blockdev.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testsuite/unit/check.h"

/* a temporary file of size bytes, byte i = pattern(i) */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

static char *make_image(uint64_t size)
{
	static char name[64];
	strcpy(name, "/tmp/trivisor-bd-XXXXXX");
	int fd = mkstemp(name);
	if (fd < 0)
		return NULL;
	uint8_t buf[4096];
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return NULL;
		}
	}
	close(fd);
	return name;
}

static bool file_bytes(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, buf, len, (off_t)off) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	return ok;
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

static void test_sizes_refused(void)
{
	char *p = make_image(0);
	CHECK(blockdev_open(p, BLOCKDEV_DISK, false, false) == NULL);	/* empty */
	unlink(p);
	p = make_image(1000);
	CHECK(blockdev_open(p, BLOCKDEV_DISK, false, false) == NULL);	/* not 512s */
	unlink(p);
	p = make_image(512 * 3);
	CHECK(blockdev_open(p, BLOCKDEV_CDROM, true, false) == NULL);	/* not 2048s */
	CHECK(blockdev_open(p, BLOCKDEV_FLOPPY, false, false) == NULL);
	struct blockdev *bd = blockdev_open(p, BLOCKDEV_DISK, false, false);
	CHECK(bd != NULL);
	blockdev_close(bd);
	unlink(p);
	p = make_image(1474560 + 512);
	CHECK(blockdev_open(p, BLOCKDEV_FLOPPY, false, false) == NULL);
	unlink(p);
	CHECK(blockdev_open("/nonexistent/trivisor.img", BLOCKDEV_DISK, true, false) == NULL);
	CHECK(blockdev_open("/tmp", BLOCKDEV_DISK, true, false) == NULL);	/* a directory */
}

static void test_floppy_sizes(void)
{
	static const uint32_t ok[] = { 163840, 184320, 327680, 368640, 737280, 1228800,
				       1474560, 1720320, 2949120 };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *p = make_image(ok[i]);
		struct blockdev *bd = blockdev_open(p, BLOCKDEV_FLOPPY, false, false);
		CHECK(bd != NULL);
		if (bd)
			CHECK_EQ(blockdev_size(bd), ok[i]);
		blockdev_close(bd);
		unlink(p);
	}
}

static void test_unreadable(void)
{
	char *p = make_image(4096);
	chmod(p, 0);
	/* root reads anything; the check only means something for others */
	if (geteuid() != 0)
		CHECK(blockdev_open(p, BLOCKDEV_DISK, true, false) == NULL);
	unlink(p);
}

static void test_read_write_flush(void)
{
	char *p = make_image(64 * 512);
	struct blockdev *bd = blockdev_open(p, BLOCKDEV_DISK, false, false);
	CHECK(bd != NULL);
	if (!bd)
		return;
	CHECK_EQ(blockdev_size(bd), 64 * 512);
	CHECK(!blockdev_readonly(bd));
	CHECK(strcmp(blockdev_path(bd), p) == 0);
	uint8_t b[1500], f[1500];
	CHECK_EQ(blockdev_read(bd, 1000, b, sizeof(b)), 0);
	bool same = true;
	for (size_t i = 0; i < sizeof(b); i++)
		same &= b[i] == pattern(1000 + i);
	CHECK(same);
	/* past the end: refused, nothing moved */
	CHECK_EQ(blockdev_read(bd, 64 * 512 - 10, b, 11), (uint64_t)-1);
	CHECK_EQ(blockdev_write(bd, 64 * 512 - 10, b, 11), (uint64_t)-1);
	CHECK_EQ(blockdev_read(bd, UINT64_MAX - 4, b, 8), (uint64_t)-1);
	memset(b, 0xa5, sizeof(b));
	CHECK_EQ(blockdev_write(bd, 700, b, sizeof(b)), 0);
	CHECK_EQ(blockdev_flush(bd), 0);
	CHECK(file_bytes(p, 700, f, sizeof(f)));
	CHECK(memcmp(b, f, sizeof(b)) == 0);
	CHECK_EQ(file_size(p), 64 * 512);	/* never grows or shrinks */
	blockdev_close(bd);
	unlink(p);
}

static void test_readonly(void)
{
	char *p = make_image(4 * 2048);
	struct blockdev *bd = blockdev_open(p, BLOCKDEV_CDROM, false, false);
	CHECK(bd != NULL);
	if (!bd)
		return;
	CHECK(blockdev_readonly(bd));		/* a CD always is */
	uint8_t b[16] = { 0 };
	CHECK_EQ(blockdev_write(bd, 0, b, sizeof(b)), (uint64_t)-1);
	CHECK_EQ(blockdev_flush(bd), 0);
	CHECK(file_bytes(p, 0, b, sizeof(b)));
	CHECK_EQ(b[1], pattern(1));
	blockdev_close(bd);
	unlink(p);
}

static void test_snapshot(void)
{
	char *p = make_image(4096 * 512);
	struct blockdev *bd = blockdev_open(p, BLOCKDEV_DISK, false, true);
	CHECK(bd != NULL);
	if (!bd)
		return;
	CHECK(!blockdev_readonly(bd));
	/* unaligned writes over granule edges, and many granules so the
	 * overlay table grows */
	uint8_t b[777], r[2000];
	memset(b, 0x3c, sizeof(b));
	CHECK_EQ(blockdev_write(bd, 500, b, sizeof(b)), 0);
	for (int i = 0; i < 3000; i++) {
		uint8_t v = (uint8_t)i;
		CHECK_EQ(blockdev_write(bd, (uint64_t)i * 512 + 100 + 4096, &v, 1), 0);
	}
	CHECK_EQ(blockdev_flush(bd), 0);
	CHECK_EQ(blockdev_read(bd, 0, r, sizeof(r)), 0);
	bool ok = true;
	for (size_t i = 0; i < sizeof(r); i++)
		ok &= r[i] == (i >= 500 && i < 500 + sizeof(b) ? 0x3c : pattern(i));
	CHECK(ok);
	ok = true;
	for (int i = 0; i < 3000; i++) {
		uint8_t two[2];
		CHECK_EQ(blockdev_read(bd, (uint64_t)i * 512 + 100 + 4096, two, 2), 0);
		ok &= two[0] == (uint8_t)i && two[1] == pattern((uint64_t)i * 512 + 101 + 4096);
	}
	CHECK(ok);
	blockdev_close(bd);
	/* the file is as it was */
	CHECK(file_bytes(p, 0, r, sizeof(r)));
	ok = true;
	for (size_t i = 0; i < sizeof(r); i++)
		ok &= r[i] == pattern(i);
	CHECK(ok);
	unlink(p);
}

int main(void)
{
	CHECK_SUITE("blockdev");
	RUN(test_sizes_refused);
	RUN(test_floppy_sizes);
	RUN(test_unreadable);
	RUN(test_read_write_flush);
	RUN(test_readonly);
	RUN(test_snapshot);
	return CHECK_EXIT();
}
