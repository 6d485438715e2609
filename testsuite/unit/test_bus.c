/* Unit tests of the bus: registration, overlap refusal, width splitting. */
// SPDX-License-Identifier: MIT
#include "hw/bus.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct fake {
	uint8_t reg[16];
	int reads, writes;
	unsigned last_size;
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake *f = opaque;
	uint64_t v = 0;
	f->reads++;
	f->last_size = size;
	memcpy(&v, &f->reg[off], size);
	return v;
}

static void fake_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct fake *f = opaque;
	f->writes++;
	f->last_size = size;
	memcpy(&f->reg[off], &v, size);
}

static const struct bus_ops byte_ops = { fake_read, fake_write, 1, 1 };
static const struct bus_ops dword_ops = { fake_read, fake_write, 4, 4 };

static void test_overlap_refused(void)
{
	struct bus b;
	struct fake f = { 0 };
	bus_init(&b, "io");
	CHECK_EQ(bus_register(&b, 0x100, 8, &byte_ops, &f, "a"), 0);
	CHECK_EQ(bus_register(&b, 0x107, 2, &byte_ops, &f, "b"), -1);
	CHECK_EQ(bus_register(&b, 0xff, 2, &byte_ops, &f, "c"), -1);
	CHECK_EQ(bus_register(&b, 0x108, 8, &byte_ops, &f, "d"), 0);
	CHECK_EQ(bus_register(&b, 0xf8, 8, &byte_ops, &f, "e"), 0);
	CHECK_EQ(bus_register(&b, 0x0, 0, &byte_ops, &f, "empty"), -1);
	CHECK(bus_find(&b, 0x107) && !strcmp(bus_find(&b, 0x107)->name, "a"));
	CHECK(bus_find(&b, 0x108) && !strcmp(bus_find(&b, 0x108)->name, "d"));
	CHECK(bus_find(&b, 0xf8) && !strcmp(bus_find(&b, 0xf8)->name, "e"));
	CHECK(bus_find(&b, 0x110) == NULL);
	bus_destroy(&b);
}

static void test_unclaimed(void)
{
	struct bus b;
	bus_init(&b, "io");
	CHECK_EQ(bus_read(&b, 0x1234, 1), 0xff);
	CHECK_EQ(bus_read(&b, 0x1234, 2), 0xffff);
	CHECK_EQ(bus_read(&b, 0x1234, 4), 0xffffffff);
	bus_write(&b, 0x1234, 0, 4);	/* dropped, no crash */
	bus_destroy(&b);
}

static void test_wide_access_split(void)
{
	struct bus b;
	struct fake f = { 0 };
	bus_init(&b, "io");
	bus_register(&b, 0x60, 4, &byte_ops, &f, "bytes");
	bus_write(&b, 0x60, 0x44332211, 4);
	CHECK_EQ(f.writes, 4);
	CHECK_EQ(f.last_size, 1);
	CHECK_EQ(f.reg[0], 0x11);
	CHECK_EQ(f.reg[3], 0x44);
	CHECK_EQ(bus_read(&b, 0x61, 2), 0x3322);
	CHECK_EQ(f.last_size, 1);
	bus_destroy(&b);
}

static void test_narrow_access_widened(void)
{
	struct bus b;
	struct fake f = { 0 };
	bus_init(&b, "mmio");
	bus_register(&b, 0x1000, 16, &dword_ops, &f, "dwords");
	bus_write(&b, 0x1000, 0xaabbccdd, 4);
	CHECK_EQ(bus_read(&b, 0x1001, 1), 0xcc);
	CHECK_EQ(f.last_size, 4);
	bus_write(&b, 0x1002, 0x55, 1);	/* read-modify-write of the dword */
	CHECK_EQ(bus_read(&b, 0x1000, 4), 0xaa55ccdd);
	CHECK_EQ(bus_read(&b, 0x1000, 8) & 0xffffffff, 0xaa55ccdd);
	bus_destroy(&b);
}

static void test_straddling_ranges(void)
{
	struct bus b;
	struct fake f1 = { 0 }, f2 = { 0 };
	bus_init(&b, "io");
	bus_register(&b, 0x70, 1, &byte_ops, &f1, "lo");
	bus_register(&b, 0x71, 1, &byte_ops, &f2, "hi");
	bus_write(&b, 0x70, 0xbeef, 2);
	CHECK_EQ(f1.reg[0], 0xef);
	CHECK_EQ(f2.reg[0], 0xbe);
	CHECK_EQ(bus_read(&b, 0x70, 2), 0xbeef);
	/* half claimed, half not: the unclaimed byte reads 0xff */
	CHECK_EQ(bus_read(&b, 0x71, 2), 0xffbe);
	bus_destroy(&b);
}

static void test_many_ranges_sorted(void)
{
	struct bus b;
	struct fake f = { 0 };
	bus_init(&b, "io");
	for (int i = 63; i >= 0; i--)
		CHECK_EQ(bus_register(&b, (uint64_t)i * 16, 8, &byte_ops, &f, "r"), 0);
	for (int i = 0; i < 64; i++) {
		CHECK(bus_find(&b, (uint64_t)i * 16 + 7) != NULL);
		CHECK(bus_find(&b, (uint64_t)i * 16 + 8) == NULL);
	}
	bus_destroy(&b);
}

int main(void)
{
	CHECK_SUITE("unit/bus");
	RUN(test_overlap_refused);
	RUN(test_unclaimed);
	RUN(test_wide_access_split);
	RUN(test_narrow_access_widened);
	RUN(test_straddling_ranges);
	RUN(test_many_ranges_sorted);
	return CHECK_EXIT();
}
