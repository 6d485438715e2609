/* Unit tests for the fw_cfg device, driven through its ports and DMA as SeaBIOS does. */
// SPDX-License-Identifier: MIT
#include "hw/fwcfg.h"

#include <string.h>
#include "firmware/pcfw.h"
#include "firmware/smbios.h"
#include "mmu/physmap.h"
#include "testsuite/unit/check.h"

#define SEL 0x510
#define DATA 0x511
#define DMA_HI 0x514
#define DMA_LO 0x518
#define RAM_SIZE (16u << 20)
#define DESC 0x1000u
#define BUF 0x2000u

enum { CTL_ERROR = 1, CTL_READ = 2, CTL_SKIP = 4, CTL_SELECT = 8, CTL_WRITE = 16 };

struct rig {
	struct bus io, mmio;
	struct physmap pm;
	struct fwcfg *fw;
	struct device dev;
};

static void rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	bus_init(&g->io, "io");
	bus_init(&g->mmio, "mmio");
	CHECK_EQ(physmap_init(&g->pm, RAM_SIZE, &g->mmio), 0);
	g->fw = fwcfg_new(&g->io, &g->pm, &g->dev);
	CHECK(g->fw != NULL);
}

static void rig_fini(struct rig *g)
{
	fwcfg_free(g->fw);
	physmap_destroy(&g->pm);
	bus_destroy(&g->mmio);
	bus_destroy(&g->io);
}

static void select_key(struct rig *g, uint16_t key)
{
	bus_write(&g->io, SEL, key, 2);
}

static uint8_t inb_data(struct rig *g)
{
	return (uint8_t)bus_read(&g->io, DATA, 1);
}

static uint32_t bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	v = bswap32(v);
	memcpy(p, &v, 4);
}

static uint32_t get_be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return bswap32(v);
}

/* write a descriptor at desc and start it as SeaBIOS does: one outl of the
 * big-endian low half; returns the control word left behind */
static uint32_t dma(struct rig *g, uint64_t desc, uint32_t control, uint32_t len, uint64_t addr)
{
	uint8_t d[16];
	put_be32(d, control);
	put_be32(d + 4, len);
	put_be32(d + 8, (uint32_t)(addr >> 32));
	put_be32(d + 12, (uint32_t)addr);
	phys_write(&g->pm, desc, d, sizeof(d));
	if (desc >> 32)
		bus_write(&g->io, DMA_HI, bswap32((uint32_t)(desc >> 32)), 4);
	bus_write(&g->io, DMA_LO, bswap32((uint32_t)desc), 4);
	phys_read(&g->pm, desc, d, 4);
	return get_be32(d);
}

static void test_signature_and_id(void)
{
	struct rig g;
	rig_init(&g);
	select_key(&g, 0x0000);
	char sig[6] = { 0 };
	for (int i = 0; i < 5; i++)
		sig[i] = (char)inb_data(&g);
	CHECK(memcmp(sig, "QEMU", 5) == 0);	/* the fifth byte is past the end: 0 */
	select_key(&g, 0x0001);
	uint32_t id = 0;
	for (int i = 0; i < 4; i++)
		id |= (uint32_t)inb_data(&g) << (8 * i);
	CHECK_EQ(id, 3);			/* traditional and DMA */
	/* the DMA register reads "QEMU CFG" in port order */
	uint32_t lo = (uint32_t)bus_read(&g.io, DMA_HI, 4), hi = (uint32_t)bus_read(&g.io, DMA_LO, 4);
	CHECK(memcmp(&lo, "QEMU", 4) == 0);
	CHECK(memcmp(&hi, " CFG", 4) == 0);
	CHECK_EQ(bus_read(&g.io, DMA_HI + 1, 1), 'E');
	/* bit 14 (the old write channel) selects the same item */
	select_key(&g, 0x4000);
	CHECK_EQ(inb_data(&g), 'Q');
	/* a byte write to the selector is not decoded */
	bus_write(&g.io, SEL, 0x01, 1);
	CHECK_EQ(inb_data(&g), 'E');
	rig_fini(&g);
}

static void test_integers_and_unknown_keys(void)
{
	struct rig g;
	rig_init(&g);
	CHECK_EQ(fwcfg_add_i16(g.fw, FWCFG_NB_CPUS, 0x0203), 0);
	CHECK_EQ(fwcfg_add_i64(g.fw, FWCFG_RAM_SIZE, 0x1122334455667788ull), 0);
	CHECK_EQ(fwcfg_add_i32(g.fw, FWCFG_IRQ0_OVERRIDE, 1), 0);
	CHECK(fwcfg_add_i32(g.fw, 0x3fff, 1) < 0);	/* out of the table */
	select_key(&g, FWCFG_NB_CPUS);
	CHECK_EQ(inb_data(&g), 0x03);
	CHECK_EQ(inb_data(&g), 0x02);
	CHECK_EQ(inb_data(&g), 0x00);
	select_key(&g, FWCFG_RAM_SIZE);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)inb_data(&g) << (8 * i);
	CHECK_EQ(v, 0x1122334455667788ull);
	select_key(&g, 0x8002);
	CHECK_EQ(inb_data(&g), 1);
	/* nothing there: reads are 0, by port and by DMA, with no error */
	select_key(&g, 0x3000);
	CHECK_EQ(inb_data(&g), 0);
	select_key(&g, 0x8003);
	CHECK_EQ(inb_data(&g), 0);
	uint8_t junk[8];
	memset(junk, 0xaa, sizeof(junk));
	phys_write(&g.pm, BUF, junk, sizeof(junk));
	CHECK_EQ(dma(&g, DESC, 0x3000u << 16 | CTL_SELECT | CTL_READ, 8, BUF), 0);
	phys_read(&g.pm, BUF, junk, sizeof(junk));
	CHECK_EQ(junk[0] | junk[7], 0);
	/* other widths at the port pair read 0 */
	CHECK_EQ(bus_read(&g.io, SEL, 2), 0);
	rig_fini(&g);
}

static void test_directory_and_port_read(void)
{
	struct rig g;
	rig_init(&g);
	static const char a[] = "first file", b[] = "second, longer file";
	int ka = fwcfg_add_file(g.fw, "etc/a", a, sizeof(a));
	int kb = fwcfg_add_file(g.fw, "etc/b", b, sizeof(b));
	CHECK_EQ(ka, 0x20);
	CHECK_EQ(kb, 0x21);
	/* replacing keeps the key; a name of 56 characters does not fit */
	CHECK_EQ(fwcfg_add_file(g.fw, "etc/a", "x", 1), 0x20);
	CHECK_EQ(fwcfg_add_file(g.fw, "etc/a", a, sizeof(a)), 0x20);
	char longname[60];
	memset(longname, 'n', 56);
	longname[56] = 0;
	CHECK(fwcfg_add_file(g.fw, longname, a, 1) < 0);

	/* the guest's way: count (big-endian), then 64-byte entries */
	select_key(&g, FWCFG_FILE_DIR);
	uint8_t cnt[4], e[64];
	for (int i = 0; i < 4; i++)
		cnt[i] = inb_data(&g);
	CHECK_EQ(get_be32(cnt), 2);
	int found_sel = -1;
	uint32_t found_size = 0;
	for (unsigned n = 0; n < get_be32(cnt); n++) {
		for (int i = 0; i < 64; i++)
			e[i] = inb_data(&g);
		CHECK_EQ(e[6] | e[7], 0);		/* reserved */
		if (!strcmp((char *)e + 8, "etc/b")) {
			found_sel = e[4] << 8 | e[5];
			found_size = get_be32(e);
		}
	}
	CHECK_EQ(found_sel, kb);
	CHECK_EQ(found_size, sizeof(b));
	select_key(&g, (uint16_t)found_sel);
	char got[sizeof(b) + 2];
	for (size_t i = 0; i < sizeof(got); i++)
		got[i] = (char)inb_data(&g);
	CHECK(memcmp(got, b, sizeof(b)) == 0);
	CHECK_EQ(got[sizeof(b)], 0);
	CHECK_EQ(got[sizeof(b) + 1], 0);
	size_t len = 0;
	CHECK(fwcfg_file(g.fw, "etc/b", &len) != NULL);
	CHECK_EQ(len, sizeof(b));
	CHECK(fwcfg_file(g.fw, "etc/c", NULL) == NULL);
	rig_fini(&g);
}

static void test_dma_read_skip(void)
{
	struct rig g;
	rig_init(&g);
	static const char data[] = "0123456789abcdef";
	int k = fwcfg_add_file(g.fw, "etc/data", data, 16);
	uint8_t buf[32];
	memset(buf, 0xee, sizeof(buf));
	phys_write(&g.pm, BUF, buf, sizeof(buf));
	/* select and read in one go, 4 bytes past the end: zeros there */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 20, BUF), 0);
	phys_read(&g.pm, BUF, buf, sizeof(buf));
	CHECK(memcmp(buf, data, 16) == 0);
	CHECK_EQ(buf[16] | buf[17] | buf[18] | buf[19], 0);
	CHECK_EQ(buf[20], 0xee);
	/* skip 3 then read 2, as SeaBIOS reads a file at an offset */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_SKIP, 3, 0), 0);
	CHECK_EQ(dma(&g, DESC, CTL_READ, 2, BUF + 0x100), 0);
	phys_read(&g.pm, BUF + 0x100, buf, 2);
	CHECK(memcmp(buf, "34", 2) == 0);
	/* the port continues where DMA left off */
	CHECK_EQ(inb_data(&g), '5');
	/* a skip past the end stops at the end */
	CHECK_EQ(dma(&g, DESC, CTL_SKIP, 100, 0), 0);
	CHECK_EQ(inb_data(&g), 0);
	/* no operation bit: nothing moves, success */
	select_key(&g, (uint16_t)k);
	CHECK_EQ(dma(&g, DESC, 0, 5, BUF), 0);
	CHECK_EQ(inb_data(&g), '0');
	rig_fini(&g);
}

static void test_dma_errors(void)
{
	struct rig g;
	rig_init(&g);
	static const char data[] = "0123456789abcdef";
	int k = fwcfg_add_file(g.fw, "etc/data", data, 16);
	uint8_t buf[16];
	/* items are read-only: a write sets the error bit and changes nothing */
	memset(buf, 'W', sizeof(buf));
	phys_write(&g.pm, BUF, buf, sizeof(buf));
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_WRITE, 4, BUF), CTL_ERROR);
	CHECK_EQ(fwcfg_file(g.fw, "etc/data", NULL)[0], '0');
	/* ... also for a key that holds nothing */
	CHECK_EQ(dma(&g, DESC, 0x2fffu << 16 | CTL_SELECT | CTL_WRITE, 4, BUF), CTL_ERROR);
	/* a zero-length write moves nothing and succeeds */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_WRITE, 0, BUF), 0);

	/* a read to where there is no RAM and no device: the error bit */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 16, 0xe0000000ull), CTL_ERROR);
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 16, 1ull << 40), CTL_ERROR);
	/* one straddling the end of RAM fills what is RAM, then fails */
	memset(buf, 0xee, sizeof(buf));
	phys_write(&g.pm, RAM_SIZE - 4, buf, 4);
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 16, RAM_SIZE - 4), CTL_ERROR);
	phys_read(&g.pm, RAM_SIZE - 4, buf, 4);
	CHECK(memcmp(buf, "0123", 4) == 0);
	/* a huge zero fill past the item runs into the end of RAM and stops */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 0xffffffffu,
		     RAM_SIZE - 0x10000), CTL_ERROR);
	phys_read(&g.pm, RAM_SIZE - 0x10000, buf, 16);
	CHECK(memcmp(buf, data, 16) == 0);
	phys_read(&g.pm, RAM_SIZE - 4, buf, 4);
	CHECK_EQ(buf[0] | buf[3], 0);
	/* a read into the 64-bit address space that wraps around */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 16, ~0ull - 7), CTL_ERROR);

	/* a descriptor outside memory: nothing to write back, nothing breaks */
	bus_write(&g.io, DMA_LO, bswap32(0xf0000000u), 4);
	bus_write(&g.io, DMA_HI, bswap32(0x12345678u), 4);
	bus_write(&g.io, DMA_LO, bswap32(0x1000u), 4);
	/* the high half was written and then cleared by the transfer: a low
	 * write alone now runs the descriptor at DESC */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 1, BUF), 0);
	rig_fini(&g);
}

/* a DMA target on the MMIO bus is what the bus gives: writes reach the device */
struct sink {
	uint8_t bytes[16];
};

static uint64_t sink_read(void *o, uint64_t off, unsigned size)
{
	(void)size;
	return ((struct sink *)o)->bytes[off];
}

static void sink_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
	(void)size;
	((struct sink *)o)->bytes[off] = (uint8_t)v;
}

static const struct bus_ops sink_ops = { sink_read, sink_write, 1, 1 };

static void test_dma_to_device(void)
{
	struct rig g;
	rig_init(&g);
	struct sink s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(bus_register(&g.mmio, 0xfe000000u, 16, &sink_ops, &s, "sink"), 0);
	int k = fwcfg_add_file(g.fw, "etc/data", "ABCDEFGH", 8);
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 12, 0xfe000000u), 0);
	CHECK(memcmp(s.bytes, "ABCDEFGH\0\0\0\0", 12) == 0);
	/* running past the device's range is a decode error */
	CHECK_EQ(dma(&g, DESC, (uint32_t)k << 16 | CTL_SELECT | CTL_READ, 20, 0xfe000000u), CTL_ERROR);
	rig_fini(&g);
}

static void test_reset_and_snapshot(void)
{
	struct rig g;
	rig_init(&g);
	int k = fwcfg_add_file(g.fw, "etc/data", "ABCDEFGH", 8);
	select_key(&g, (uint16_t)k);
	CHECK_EQ(inb_data(&g), 'A');
	CHECK_EQ(inb_data(&g), 'B');
	struct snap s;
	snap_init(&s);
	g.dev.save(g.dev.opaque, &s);
	CHECK_EQ(inb_data(&g), 'C');
	CHECK_EQ(inb_data(&g), 'D');
	s.pos = 0;
	CHECK_EQ(g.dev.load(g.dev.opaque, &s), 0);
	CHECK_EQ(inb_data(&g), 'C');
	/* a truncated image is refused */
	struct snap bad = s;
	bad.len = 4;
	bad.pos = 0;
	bad.error = false;
	CHECK(g.dev.load(g.dev.opaque, &bad) < 0);
	snap_free(&s);
	g.dev.reset(g.dev.opaque);
	CHECK_EQ(inb_data(&g), 'Q');		/* back to the signature */
	rig_fini(&g);
}

static void test_ports_taken(void)
{
	struct rig g;
	rig_init(&g);
	/* a second device on the same ports is refused, with no half-registration */
	struct fwcfg *again = fwcfg_new(&g.io, &g.pm, NULL);
	CHECK(again == NULL);
	rig_fini(&g);
}

/* a file read as SeaBIOS reads it: directory by DMA, then the file by DMA */
static size_t read_file(struct rig *g, const char *name, uint8_t *out, size_t max)
{
	uint8_t cnt[4];
	CHECK_EQ(dma(g, DESC, FWCFG_FILE_DIR << 16 | CTL_SELECT | CTL_READ, 4, BUF), 0);
	phys_read(&g->pm, BUF, cnt, 4);
	for (uint32_t i = 0; i < get_be32(cnt); i++) {
		uint8_t e[64];
		CHECK_EQ(dma(g, DESC, CTL_READ, 64, BUF), 0);
		phys_read(&g->pm, BUF, e, 64);
		if (strcmp((char *)e + 8, name))
			continue;
		uint32_t size = get_be32(e);
		CHECK(size <= max);
		if (size > max)
			return 0;
		CHECK_EQ(dma(g, DESC, (uint32_t)(e[4] << 8 | e[5]) << 16 | CTL_SELECT | CTL_READ,
			     size, BUF), 0);
		phys_read(&g->pm, BUF, out, size);
		return size;
	}
	return 0;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t key_int(struct rig *g, uint16_t key, int n)
{
	select_key(g, key);
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)inb_data(g) << (8 * i);
	return v;
}

static struct pcfw_config pc_config(void)
{
	struct pcfw_config c = {
		.ram_size = 5ull << 30, .ncpus = 2, .boot_order = "dca", .floppies = 1,
		.hpet = true, .ncom = 1,
		.ide = { PCFW_DISK, PCFW_NONE, PCFW_CDROM, PCFW_NONE },
		.nreserved = 1, .reserved = { { 0xfffbc000, 0x4000 } },
	};
	c.uuid[0] = 0x12;
	return c;
}

static void test_pcfw_keys_e820_bootorder(void)
{
	struct rig g;
	rig_init(&g);
	struct pcfw_config c = pc_config();
	CHECK_EQ(pcfw_setup(g.fw, &c), 0);
	CHECK_EQ(key_int(&g, FWCFG_RAM_SIZE, 8), 5ull << 30);
	CHECK_EQ(key_int(&g, FWCFG_NB_CPUS, 2), 2);
	CHECK_EQ(key_int(&g, FWCFG_MAX_CPUS, 2), 2);
	CHECK_EQ(key_int(&g, FWCFG_BOOT_MENU, 2), 0);
	CHECK_EQ(key_int(&g, FWCFG_IRQ0_OVERRIDE, 4), 1);
	CHECK_EQ(key_int(&g, FWCFG_UUID, 1), 0x12);
	CHECK_EQ(key_int(&g, FWCFG_NUMA, 8), 0);

	static uint8_t buf[16384];
	size_t n = read_file(&g, "etc/e820", buf, sizeof(buf));
	CHECK_EQ(n, 3 * 20);
	CHECK_EQ(le(buf, 8), 0);
	CHECK_EQ(le(buf + 8, 8), 0xc0000000);		/* 3 GiB below the hole */
	CHECK_EQ(le(buf + 16, 4), 1);
	CHECK_EQ(le(buf + 20, 8), 1ull << 32);
	CHECK_EQ(le(buf + 28, 8), 2ull << 30);		/* the rest above 4 GiB */
	CHECK_EQ(le(buf + 36, 4), 1);
	CHECK_EQ(le(buf + 40, 8), 0xfffbc000);
	CHECK_EQ(le(buf + 56, 4), 2);

	static const char want[] = "/pci@i0cf8/ide@1,1/drive@1/disk@0\n"
				   "/pci@i0cf8/ide@1,1/drive@0/disk@0\n"
				   "/pci@i0cf8/isa@1/fdc@03f0/floppy@0";
	n = read_file(&g, "bootorder", buf, sizeof(buf));
	CHECK_EQ(n, sizeof(want));			/* with its NUL */
	CHECK(n == sizeof(want) && memcmp(buf, want, n) == 0);
	n = read_file(&g, "etc/boot-fail-wait", buf, sizeof(buf));
	CHECK_EQ(n, 4);
	CHECK_EQ(le(buf, 4), 0xffffffffu);		/* never retry */
	CHECK(read_file(&g, "etc/acpi/rsdp", buf, sizeof(buf)) == 36);
	CHECK(read_file(&g, "etc/acpi/tables", buf, sizeof(buf)) > 1000);
	n = read_file(&g, "etc/table-loader", buf, sizeof(buf));
	CHECK(n > 0 && n % 128 == 0);
	rig_fini(&g);

	/* a small machine: no RAM above 4 GiB, no boot order, bad letters refused */
	rig_init(&g);
	c = pc_config();
	c.ram_size = 128 << 20;
	c.boot_order = NULL;
	c.nreserved = 0;
	CHECK_EQ(pcfw_setup(g.fw, &c), 0);
	n = read_file(&g, "etc/e820", buf, sizeof(buf));
	CHECK_EQ(n, 20);
	CHECK_EQ(le(buf + 8, 8), 128 << 20);
	CHECK(fwcfg_file(g.fw, "bootorder", NULL) == NULL);
	c.boot_order = "cx";
	CHECK_EQ(pcfw_setup(g.fw, &c), -1);
	c.boot_order = "c";
	c.ncpus = 0;
	CHECK_EQ(pcfw_setup(g.fw, &c), -1);
	rig_fini(&g);
}

/* the structures as SeaBIOS walks them: formatted area, strings, double NUL */
static void test_smbios(void)
{
	struct rig g;
	rig_init(&g);
	struct pcfw_config c = pc_config();
	c.ncpus = 3;
	c.ram_size = 40ull << 30;
	CHECK_EQ(pcfw_setup(g.fw, &c), 0);
	uint8_t a[64], t[8192];
	size_t na = read_file(&g, SMBIOS_FILE_ANCHOR, a, sizeof(a));
	size_t nt = read_file(&g, SMBIOS_FILE_TABLES, t, sizeof(t));
	CHECK_EQ(na, 31);
	CHECK(memcmp(a, "_SM_", 4) == 0 && memcmp(a + 16, "_DMI_", 5) == 0);
	CHECK_EQ(a[6], 2);
	CHECK_EQ(a[7], 8);
	uint8_t s = 0;
	for (int i = 0; i < 31; i++)
		s = (uint8_t)(s + a[i]);
	CHECK_EQ(s, 0);
	s = 0;
	for (int i = 16; i < 31; i++)
		s = (uint8_t)(s + a[i]);
	CHECK_EQ(s, 0);
	CHECK_EQ(le(a + 22, 2), nt);			/* SeaBIOS insists on this */
	int count[128] = { 0 };
	unsigned n = 0, maxsz = 0;
	size_t off = 0;
	bool ended = false;
	uint64_t mem_kib = 0, dimm_mib = 0;
	while (off + 4 <= nt && !ended) {
		const uint8_t *h = t + off;
		CHECK(h[1] >= 4 && off + h[1] + 2 <= nt);
		if (h[1] < 4 || off + h[1] + 2 > nt)
			break;
		size_t e = off + h[1];
		/* strings: up to the double NUL */
		while (e + 1 < nt && !(t[e] == 0 && t[e + 1] == 0))
			e++;
		e += 2;
		count[h[0] & 127]++;
		if (h[0] == 4)
			CHECK_EQ(h[1], 0x2a);
		if (h[0] == 17)
			dimm_mib += le(h + 12, 2) == 0x7fff ? le(h + 28, 4) : le(h + 12, 2);
		if (h[0] == 19)
			mem_kib += le(h + 8, 4) - le(h + 4, 4) + 1;
		if (h[0] == 1)
			CHECK(memcmp(t + off + h[1], "trivisor", 9) == 0);
		if (e - off > maxsz)
			maxsz = (unsigned)(e - off);
		ended = h[0] == 127;
		n++;
		off = e;
	}
	CHECK(ended);
	CHECK_EQ(off, nt);
	CHECK_EQ(n, le(a + 28, 2));
	CHECK_EQ(maxsz, le(a + 8, 2));
	CHECK_EQ(count[0], 0);			/* SeaBIOS adds its own type 0 */
	CHECK_EQ(count[1], 1);
	CHECK_EQ(count[3], 1);
	CHECK_EQ(count[4], 3);
	CHECK_EQ(count[16], 1);
	CHECK_EQ(count[17], 3);			/* 40 GiB: 16 + 16 + 8 */
	CHECK_EQ(count[19], 2);
	CHECK_EQ(count[32], 1);
	CHECK_EQ(dimm_mib, 40 << 10);
	CHECK_EQ(mem_kib, 40ull << 20);
	rig_fini(&g);

	/* a type 0 when the board names its BIOS */
	struct smbios_config sc = { .ncpus = 1, .lowmem = 64 << 20, .bios_vendor = "v",
				    .bios_version = "1", .bios_date = "01/01/2024" };
	struct smbios_blobs b;
	CHECK_EQ(smbios_build(&sc, &b), 0);
	CHECK_EQ(b.tables[0], 0);
	CHECK_EQ(b.tables[1], 0x18);
	smbios_blobs_free(&b);
	sc.ncpus = 0;
	CHECK_EQ(smbios_build(&sc, &b), -1);
}

int main(void)
{
	CHECK_SUITE("fwcfg");
	RUN(test_signature_and_id);
	RUN(test_integers_and_unknown_keys);
	RUN(test_directory_and_port_read);
	RUN(test_dma_read_skip);
	RUN(test_dma_errors);
	RUN(test_dma_to_device);
	RUN(test_reset_and_snapshot);
	RUN(test_ports_taken);
	RUN(test_pcfw_keys_e820_bootorder);
	RUN(test_smbios);
	return CHECK_EXIT();
}
