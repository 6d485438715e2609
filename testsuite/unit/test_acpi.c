/* Unit tests for the ACPI tables: the table-loader script is run as SeaBIOS
 * runs it (firmware/acpi_load.c, which also installs the tables for a kernel
 * booted directly), then every table is checked where it landed. */
// SPDX-License-Identifier: MIT
#include "firmware/acpi.h"
#include "firmware/loader.h"	/* boot_acpi_setup, mptable_setup, e820_build */
#include "hw/piix4_pm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testsuite/unit/check.h"

/* where our pretend BIOS has room for the two files */
#define FSEG_ADDR 0xf5a10u
#define HIGH_ADDR 0x07fe0000u
#define HIGH_SIZE 0x20000u

struct lfile {
	uint8_t *data;
	size_t len;
	uint64_t addr;
};

struct loaded {
	struct lfile f[2];	/* rsdp, tables */
	int errors;		/* the script did not run through */
};

static uint64_t ld(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* the script run by firmware/acpi_load.c, as SeaBIOS runs it; when it
 * refuses, the unpatched blobs at address 0 (the checks then fail) */
static void run_loader(struct loaded *L, const struct acpi_blobs *b)
{
	memset(L, 0, sizeof(*L));
	struct acpi_zone high = { HIGH_ADDR, HIGH_ADDR + HIGH_SIZE }, fseg = { FSEG_ADDR, 0x100000 };
	struct acpi_loaded l;
	CHECK_EQ(b->loader_len % ACPI_LOADER_ENTRY_SIZE, 0);
	if (acpi_loader_run(b, &high, &fseg, &l) == 0) {
		L->f[0] = (struct lfile){ l.rsdp, l.rsdp_len, l.rsdp_addr };
		L->f[1] = (struct lfile){ l.tables, l.tables_len, l.tables_addr };
		/* each file in its zone: the RSDP in the F segment */
		CHECK(l.rsdp_addr >= FSEG_ADDR && l.rsdp_addr + l.rsdp_len <= 0x100000);
		CHECK(l.tables_addr >= HIGH_ADDR && l.tables_addr + l.tables_len <= HIGH_ADDR + HIGH_SIZE);
		return;
	}
	L->errors++;
	L->f[0] = (struct lfile){ malloc(b->rsdp_len), b->rsdp_len, 0 };
	L->f[1] = (struct lfile){ malloc(b->tables_len), b->tables_len, 0 };
	memcpy(L->f[0].data, b->rsdp, b->rsdp_len);
	memcpy(L->f[1].data, b->tables, b->tables_len);
}

static void loaded_free(struct loaded *L)
{
	free(L->f[0].data);
	free(L->f[1].data);
}

/* the table at guest address a, checked: inside the blob, length and checksum */
static const uint8_t *table_at(struct loaded *L, uint64_t a, const char *sig)
{
	struct lfile *t = &L->f[1];
	if (a < t->addr || a - t->addr + 36 > t->len) {
		printf("  %s at 0x%llx is outside the tables\n", sig, (unsigned long long)a);
		CHECK(0);
		return NULL;
	}
	const uint8_t *p = t->data + (a - t->addr);
	uint32_t len = (uint32_t)ld(p + 4, 4);
	CHECK(memcmp(p, sig, 4) == 0);
	CHECK(len >= 36 && a - t->addr + len <= t->len);
	if (strcmp(sig, "FACS") && len >= 36 && a - t->addr + len <= t->len)
		CHECK_EQ(sum(p, len), 0);
	return p;
}

static struct acpi_config base_config(void)
{
	return (struct acpi_config){
		.ncpus = 4, .lowmem = 0x08000000, .ioapic_id = 0, .hpet = true, .floppy = true,
		.ncom = 2, .smi_cmd = ACPI_SMI_CMD, .reset_reg = true,
	};
}

/* the DWord that "Name (NAME, ...)" holds in the AML */
static int64_t aml_name_dword(const uint8_t *aml, size_t len, const char *name)
{
	for (size_t i = 0; i + 10 <= len; i++)
		if (aml[i] == 0x08 && !memcmp(aml + i + 1, name, 4) && aml[i + 5] == 0x0c)
			return (int64_t)ld(aml + i + 6, 4);
	return -1;
}

static void test_rsdp_and_roots(void)
{
	struct acpi_config c = base_config();
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	struct loaded L;
	run_loader(&L, &b);
	CHECK_EQ(L.errors, 0);
	const uint8_t *r = L.f[0].data;
	CHECK_EQ(L.f[0].len, 36);
	CHECK(memcmp(r, "RSD PTR ", 8) == 0);
	CHECK_EQ(sum(r, 20), 0);
	CHECK_EQ(sum(r, 36), 0);
	CHECK_EQ(r[15], 2);
	CHECK_EQ(ld(r + 20, 4), 36);
	CHECK_EQ(L.f[0].addr % 16, 0);
	CHECK(L.f[0].addr >= 0xf0000 && L.f[0].addr < 0x100000);

	const uint8_t *rsdt = table_at(&L, ld(r + 16, 4), "RSDT");
	const uint8_t *xsdt = table_at(&L, ld(r + 24, 8), "XSDT");
	CHECK(rsdt && xsdt);
	if (rsdt && xsdt) {
		unsigned n = ((unsigned)ld(rsdt + 4, 4) - 36) / 4;
		CHECK_EQ(n, 4);
		CHECK_EQ(ld(xsdt + 4, 4), 36 + 8 * n);
		static const char *sigs[] = { "FACP", "APIC", "HPET", "SSDT" };
		for (unsigned i = 0; i < n && i < 4; i++) {
			uint64_t a = ld(rsdt + 36 + 4 * i, 4);
			CHECK_EQ(ld(xsdt + 36 + 8 * i, 8), a);
			CHECK(table_at(&L, a, sigs[i]) != NULL);
		}
	}
	loaded_free(&L);
	acpi_blobs_free(&b);
}

static const uint8_t *find_table(struct loaded *L, const char *sig)
{
	const uint8_t *rsdt = L->f[1].data + (ld(L->f[0].data + 16, 4) - L->f[1].addr);
	unsigned n = ((unsigned)ld(rsdt + 4, 4) - 36) / 4;
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = ld(rsdt + 36 + 4 * i, 4);
		const uint8_t *p = L->f[1].data + (a - L->f[1].addr);
		if (!memcmp(p, sig, 4))
			return table_at(L, a, sig);
	}
	return NULL;
}

static void test_fadt_facs_dsdt(void)
{
	struct acpi_config c = base_config();
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	struct loaded L;
	run_loader(&L, &b);
	const uint8_t *f = find_table(&L, "FACP");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(ld(f + 4, 4), 244);
		CHECK_EQ(f[8], 3);
		uint64_t facs = ld(f + 36, 4), dsdt = ld(f + 40, 4);
		CHECK_EQ(facs % 64, 0);
		const uint8_t *fc = table_at(&L, facs, "FACS");
		CHECK(fc && ld(fc + 4, 4) == 64);
		CHECK_EQ(ld(f + 140, 8), dsdt);			/* X_DSDT */
		const uint8_t *d = table_at(&L, dsdt, "DSDT");
		CHECK_EQ(ld(f + 46, 2), 9);			/* SCI */
		CHECK_EQ(ld(f + 48, 4), 0xb2);
		CHECK_EQ(f[52], 0xf1);
		CHECK_EQ(ld(f + 56, 4), PIIX4_PM1A_EVT_BLK);	/* PM1a_EVT */
		CHECK_EQ(ld(f + 64, 4), PIIX4_PM1A_CNT_BLK);	/* PM1a_CNT */
		CHECK_EQ(ld(f + 76, 4), PIIX4_PM_TMR_BLK);	/* PM_TMR */
		CHECK_EQ(ld(f + 80, 4), PIIX4_GPE0_BLK);	/* GPE0 */
		CHECK_EQ(f[88], 4);
		CHECK_EQ(f[89], 2);
		CHECK_EQ(f[91], 4);
		CHECK_EQ(f[92], 4);
		CHECK_EQ(ld(f + 109, 2) & 2, 2);		/* an 8042 is there */
		CHECK_EQ(ld(f + 112, 4) & (1 << 10), 1 << 10);	/* reset register */
		CHECK_EQ(f[116], 1);
		CHECK_EQ(ld(f + 120, 8), 0xcf9);
		CHECK_EQ(f[128], 6);
		/* the 64-bit blocks agree with the 32-bit ones */
		CHECK_EQ(ld(f + 148 + 4, 8), PIIX4_PM1A_EVT_BLK);
		CHECK_EQ(f[148 + 1], 32);
		CHECK_EQ(ld(f + 172 + 4, 8), PIIX4_PM1A_CNT_BLK);
		CHECK_EQ(f[172 + 1], 16);
		CHECK_EQ(ld(f + 208 + 4, 8), PIIX4_PM_TMR_BLK);
		if (d) {
			size_t len = (size_t)ld(d + 4, 4);
			CHECK_EQ(aml_name_dword(d, len, "PHLO"), 0x08000000);
			CHECK_EQ(aml_name_dword(d, len, "FDEN"), 1);
			CHECK_EQ(aml_name_dword(d, len, "HPEN"), 1);
			CHECK_EQ(aml_name_dword(d, len, "NCOM"), 2);
			/* \_S5 is Package (4) { SLP_TYP, ... } with the PM's soft-off type */
			CHECK_EQ(PIIX4_SLP_TYP_S5, 0);
			CHECK(memmem(d, len, "\x08_S5_\x12\x06\x04\x00\x00", 9) != NULL);
			CHECK(memmem(d, len, "_PRT", 4) != NULL);
		}
	}
	loaded_free(&L);
	acpi_blobs_free(&b);
}

static void test_madt(void)
{
	for (int ncpus = 1; ncpus <= 255; ncpus += 127) {
		struct acpi_config c = base_config();
		c.ncpus = ncpus;
		c.ioapic_id = (uint8_t)ncpus;
		struct acpi_blobs b;
		CHECK_EQ(acpi_build(&c, &b), 0);
		struct loaded L;
		run_loader(&L, &b);
		CHECK_EQ(L.errors, 0);
		const uint8_t *m = find_table(&L, "APIC");
		CHECK(m != NULL);
		if (!m) {
			loaded_free(&L);
			acpi_blobs_free(&b);
			continue;
		}
		uint32_t len = (uint32_t)ld(m + 4, 4);
		CHECK_EQ(ld(m + 36, 4), 0xfee00000);
		CHECK_EQ(ld(m + 40, 4), 1);
		int lapics = 0, ioapics = 0, isos = 0, nmis = 0;
		uint32_t off = 44;
		uint16_t iso_flags[16] = { 0 };
		int iso_gsi[16];
		for (int i = 0; i < 16; i++)
			iso_gsi[i] = -1;
		while (off + 2 <= len) {
			const uint8_t *e = m + off;
			CHECK(e[1] >= 2);
			if (e[1] < 2)
				break;
			switch (e[0]) {
			case 0:
				CHECK_EQ(e[1], 8);
				CHECK_EQ(e[3], lapics);		/* APIC ids 0..n-1 in order */
				CHECK_EQ(e[2], lapics);
				CHECK_EQ(ld(e + 4, 4), 1);
				lapics++;
				break;
			case 1:
				CHECK_EQ(e[1], 12);
				CHECK_EQ(e[2], ncpus);
				CHECK_EQ(ld(e + 4, 4), 0xfec00000);
				CHECK_EQ(ld(e + 8, 4), 0);
				ioapics++;
				break;
			case 2:
				CHECK_EQ(e[1], 10);
				CHECK_EQ(e[2], 0);
				if (e[3] < 16) {
					iso_gsi[e[3]] = (int)ld(e + 4, 4);
					iso_flags[e[3]] = (uint16_t)ld(e + 8, 2);
				}
				isos++;
				break;
			case 4:
				CHECK_EQ(e[1], 6);
				CHECK_EQ(e[2], 0xff);
				CHECK_EQ(e[5], 1);		/* LINT1 */
				nmis++;
				break;
			default:
				CHECK(0);
			}
			off += e[1];
		}
		CHECK_EQ(off, len);			/* entries fill the table exactly */
		CHECK_EQ(lapics, ncpus);
		CHECK_EQ(ioapics, 1);
		CHECK_EQ(isos, 5);
		CHECK_EQ(nmis, 1);
		CHECK_EQ(iso_gsi[0], 2);
		CHECK_EQ(iso_flags[0], 0);
		static const int level[] = { 5, 9, 10, 11 };
		for (int i = 0; i < 4; i++) {
			CHECK_EQ(iso_gsi[level[i]], level[i]);
			CHECK_EQ(iso_flags[level[i]], 0xd);
		}
		/* one Processor object per CPU in the SSDT */
		const uint8_t *s = find_table(&L, "SSDT");
		CHECK(s != NULL);
		if (s)
			CHECK_EQ(ld(s + 4, 4), 36 + 19 * (uint32_t)ncpus);
		loaded_free(&L);
		acpi_blobs_free(&b);
	}
}

static void test_without_hpet_floppy(void)
{
	struct acpi_config c = base_config();
	c.hpet = false;
	c.floppy = false;
	c.ncom = 1;
	c.smi_cmd = 0;
	c.reset_reg = false;
	c.lowmem = 0xc0000000;
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	struct loaded L;
	run_loader(&L, &b);
	CHECK_EQ(L.errors, 0);
	CHECK(find_table(&L, "HPET") == NULL);
	const uint8_t *f = find_table(&L, "FACP");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(ld(f + 48, 4), 0);			/* no SMI_CMD: ACPI mode is on */
		CHECK_EQ(f[52], 0);
		CHECK_EQ(ld(f + 112, 4) & (1 << 10), 0);
		const uint8_t *d = table_at(&L, ld(f + 40, 4), "DSDT");
		if (d) {
			size_t len = (size_t)ld(d + 4, 4);
			CHECK_EQ(aml_name_dword(d, len, "PHLO"), 0xc0000000);
			CHECK_EQ(aml_name_dword(d, len, "FDEN"), 0);
			CHECK_EQ(aml_name_dword(d, len, "HPEN"), 0);
			CHECK_EQ(aml_name_dword(d, len, "NCOM"), 1);
		}
	}
	loaded_free(&L);
	acpi_blobs_free(&b);
}

static void test_refuses(void)
{
	struct acpi_config c = base_config();
	struct acpi_blobs b;
	c.ncpus = 0;
	CHECK_EQ(acpi_build(&c, &b), -1);
	c.ncpus = 256;
	CHECK_EQ(acpi_build(&c, &b), -1);
	c = base_config();
	c.lowmem = 0xfff00000;
	CHECK_EQ(acpi_build(&c, &b), -1);
	c = base_config();
	c.ncom = 3;
	CHECK_EQ(acpi_build(&c, &b), -1);
}

/* the offset of the first loader command cmd */
static size_t first_cmd(const struct acpi_blobs *b, uint32_t cmd)
{
	for (size_t off = 0; off + ACPI_LOADER_ENTRY_SIZE <= b->loader_len; off += ACPI_LOADER_ENTRY_SIZE)
		if (ld(b->loader + off, 4) == cmd)
			return off;
	CHECK(0);
	return 0;
}

/* the script with one change; what acpi_loader_run says of it */
static int run_changed(const struct acpi_blobs *b, size_t at, const void *bytes, size_t n,
		       size_t cut, const struct acpi_zone *high)
{
	struct acpi_blobs c = *b;
	c.loader = malloc(b->loader_len);
	memcpy(c.loader, b->loader, b->loader_len);
	if (bytes)
		memcpy(c.loader + at, bytes, n);
	c.loader_len -= cut;
	struct acpi_zone h = { HIGH_ADDR, HIGH_ADDR + HIGH_SIZE }, f = { FSEG_ADDR, 0x100000 };
	struct acpi_loaded l;
	int rc = acpi_loader_run(&c, high ? high : &h, &f, &l);
	if (rc == 0)
		acpi_loaded_free(&l);
	free(c.loader);
	return rc;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* what SeaBIOS would refuse, refused; nothing handed back */
static void test_loader_refuses(void)
{
	struct acpi_config c = base_config();
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	uint8_t v[4], name[ACPI_LOADER_FILESZ];
	CHECK_EQ(run_changed(&b, 0, NULL, 0, 0, NULL), 0);
	printf("  (error lines expected)\n");
	fflush(stdout);
	CHECK_EQ(run_changed(&b, 0, NULL, 0, 1, NULL), -1);			/* not whole commands */
	le32(v, 7);
	CHECK_EQ(run_changed(&b, 2 * ACPI_LOADER_ENTRY_SIZE, v, 4, 0, NULL), -1);	/* unknown */
	/* a pointer into a file before its ALLOCATE */
	size_t p = first_cmd(&b, ACPI_LOADER_ADD_POINTER);
	CHECK_EQ(run_changed(&b, 0, b.loader + p, ACPI_LOADER_ENTRY_SIZE, 0, NULL), -1);
	le32(v, (uint32_t)b.tables_len - 2);					/* past the end */
	CHECK_EQ(run_changed(&b, p + 116, v, 4, 0, NULL), -1);
	size_t k = first_cmd(&b, ACPI_LOADER_ADD_CHECKSUM);
	le32(v, (uint32_t)b.tables_len + 1);					/* sum past the end */
	CHECK_EQ(run_changed(&b, k + 68, v, 4, 0, NULL), -1);
	le32(v, (uint32_t)b.tables_len);					/* byte past the end */
	CHECK_EQ(run_changed(&b, k + 60, v, 4, 0, NULL), -1);
	memset(name, 'a', sizeof(name));					/* no NUL in the name */
	CHECK_EQ(run_changed(&b, 4, name, sizeof(name), 0, NULL), -1);
	v[0] = 3;								/* no such zone */
	CHECK_EQ(run_changed(&b, 64, v, 1, 0, NULL), -1);
	le32(v, 3);								/* not a power of two */
	CHECK_EQ(run_changed(&b, 60, v, 4, 0, NULL), -1);
	/* the same file twice */
	CHECK_EQ(run_changed(&b, ACPI_LOADER_ENTRY_SIZE, b.loader, ACPI_LOADER_ENTRY_SIZE, 0, NULL), -1);
	/* a zone too small for the tables */
	struct acpi_zone tiny = { HIGH_ADDR, HIGH_ADDR + 64 };
	CHECK_EQ(run_changed(&b, 0, NULL, 0, 0, &tiny), -1);
	/* only the RSDP placed */
	CHECK_EQ(run_changed(&b, ACPI_LOADER_ENTRY_SIZE, NULL, 0, b.loader_len - ACPI_LOADER_ENTRY_SIZE, NULL), -1);
	acpi_blobs_free(&b);
}

#define MIB (1ull << 20)

/* the RSDP as Linux finds it without a pointer: 16-byte steps through
 * 0xe0000-0xfffff, signature and ACPI 1.0 checksum; 0 if none */
static uint64_t scan_rsdp(struct physmap *pm)
{
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16) {
		uint8_t r[20];
		phys_read(pm, a, r, sizeof(r));
		if (!memcmp(r, "RSD PTR ", 8) && sum(r, 20) == 0)
			return a;
	}
	return 0;
}

/* a table in guest memory: signature, checksum over its length */
static bool table_ok(struct physmap *pm, uint64_t a, const char *sig)
{
	uint8_t h[36];
	phys_read(pm, a, h, sizeof(h));
	uint32_t len = (uint32_t)ld(h + 4, 4);
	if (memcmp(h, sig, 4) || len < 36 || len > 65536)
		return false;
	uint8_t *t = malloc(len);
	phys_read(pm, a, t, len);
	bool ok = sum(t, len) == 0;
	free(t);
	return ok;
}

static void test_install(void)
{
	struct bus mmio;
	struct physmap pm;
	bus_init(&mmio, "mmio");
	CHECK_EQ(physmap_init(&pm, 64 * MIB, &mmio), 0);
	struct acpi_config c = base_config();
	c.lowmem = 64 * MIB;
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	struct acpi_zone high = { 64 * MIB - 0x20000, 64 * MIB }, fseg = { 0xf0108, 0x100000 };
	struct acpi_placed w;
	CHECK_EQ(acpi_install(&pm, &b, &high, &fseg, &w), 0);
	CHECK_EQ(w.rsdp, 0xf0110);				/* aligned up to 16 */
	CHECK_EQ(w.tables, high.start);
	CHECK_EQ(w.tables_len, b.tables_len);
	CHECK_EQ(scan_rsdp(&pm), w.rsdp);
	uint8_t r[36];
	phys_read(&pm, w.rsdp, r, sizeof(r));
	CHECK_EQ(sum(r, 36), 0);
	CHECK(table_ok(&pm, ld(r + 16, 4), "RSDT"));
	CHECK(table_ok(&pm, ld(r + 24, 8), "XSDT"));
	CHECK(ld(r + 16, 4) >= w.tables && ld(r + 16, 4) < w.tables + w.tables_len);
	/* zones that are not RAM: refused */
	printf("  (error lines expected)\n");
	fflush(stdout);
	struct acpi_zone mmio_zone = { 0xfec00000, 0xfec20000 };
	CHECK_EQ(acpi_install(&pm, &b, &mmio_zone, &fseg, &w), -1);
	struct acpi_zone above = { 64 * MIB, 64 * MIB + 0x20000 };
	CHECK_EQ(acpi_install(&pm, &b, &above, &fseg, &w), -1);
	acpi_blobs_free(&b);
	physmap_destroy(&pm);
	bus_destroy(&mmio);
}

/* a kernel booted directly: the tables beside the MP table, the memory
 * they take out of the e820 map */
static void test_direct_boot(void)
{
	static const int cpus[] = { 1, 4, MP_MAX_CPUS };
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		struct bus mmio;
		struct physmap pm;
		bus_init(&mmio, "mmio");
		CHECK_EQ(physmap_init(&pm, 64 * MIB, &mmio), 0);
		int n = cpus[i];
		struct boot_config cfg = { .ncpus = n, .acpi = true, .hpet = true, .floppies = 1, .ncom = 2 };
		struct boot_acpi a;
		CHECK_EQ(mptable_setup(&pm, n), 0);
		CHECK_EQ(boot_acpi_setup(&pm, &cfg, &a), 0);
		CHECK_EQ(a.ram_top, 64 * MIB - BOOT_ACPI_HIGH_SIZE);
		CHECK(a.rsdp >= mptable_end(n) && a.rsdp + 36 <= 0x100000 && a.rsdp % 16 == 0);
		CHECK_EQ(scan_rsdp(&pm), a.rsdp);
		/* the MP table is whole still */
		uint8_t fp[16], mph[8];
		phys_read(&pm, MP_FLOAT_ADDR, fp, sizeof(fp));
		CHECK(!memcmp(fp, "_MP_", 4) && sum(fp, 16) == 0);
		uint64_t mpt = ld(fp + 4, 4);
		phys_read(&pm, mpt, mph, sizeof(mph));
		uint32_t mplen = (uint32_t)ld(mph + 4, 2);
		CHECK_EQ(mpt + mplen, mptable_end(n));
		uint8_t *t = malloc(mplen);
		phys_read(&pm, mpt, t, mplen);
		CHECK(!memcmp(t, "PCMP", 4) && sum(t, mplen) == 0);
		free(t);
		/* the tables in the reserved top of low RAM */
		uint8_t r[36];
		phys_read(&pm, a.rsdp, r, sizeof(r));
		uint64_t xsdt = ld(r + 24, 8);
		CHECK(xsdt >= a.ram_top && xsdt < 64 * MIB);
		CHECK(table_ok(&pm, xsdt, "XSDT"));
		uint8_t x[36 + 8];
		phys_read(&pm, xsdt, x, sizeof(x));
		CHECK(table_ok(&pm, ld(x + 36, 8), "FACP"));
		struct e820_entry e[E820_MAX_ENTRIES];
		int ne = e820_build(&pm, a.ram_top, e), ram = 0, res = 0;
		for (int j = 0; j < ne; j++) {
			if (e[j].addr == 0x100000 && e[j].type == E820_RAM && e[j].size == a.ram_top - MIB)
				ram++;
			if (e[j].addr == a.ram_top && e[j].type == E820_RESERVED &&
			    e[j].size == BOOT_ACPI_HIGH_SIZE)
				res++;
			if (j)
				CHECK(e[j].addr >= e[j - 1].addr + e[j - 1].size);
		}
		CHECK_EQ(ram, 1);
		CHECK_EQ(res, 1);
		physmap_destroy(&pm);
		bus_destroy(&mmio);
	}
	/* without: nothing taken */
	struct bus mmio;
	struct physmap pm;
	bus_init(&mmio, "mmio");
	CHECK_EQ(physmap_init(&pm, 64 * MIB, &mmio), 0);
	struct boot_config cfg = { .ncpus = 1 };
	struct boot_acpi a;
	CHECK_EQ(boot_acpi_setup(&pm, &cfg, &a), 0);
	CHECK_EQ(a.rsdp, 0);
	CHECK_EQ(a.ram_top, 64 * MIB);
	CHECK_EQ(scan_rsdp(&pm), 0);
	physmap_destroy(&pm);
	bus_destroy(&mmio);
}

/* Debian's iasl, when installed, takes the DSDT and SSDT back apart */
static bool have_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

static void disassemble(const uint8_t *t, size_t len, const char *what, const char *expect)
{
	char dir[] = "/tmp/test_acpi.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[128], cmd[512], dsl[128];
	snprintf(path, sizeof(path), "%s/%s.aml", dir, what);
	snprintf(dsl, sizeof(dsl), "%s/%s.dsl", dir, what);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fwrite(t, 1, len, f), len);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -vs -d %s.aml > log 2>&1", dir, what);
	int rc = system(cmd);
	CHECK_EQ(rc, 0);
	/* the disassembly names what we put there */
	snprintf(cmd, sizeof(cmd), "grep -q '%s' %s", expect, dsl);
	CHECK_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "grep -qi 'error' %s/log", dir);
	CHECK(system(cmd) != 0);
	if (rc) {
		snprintf(cmd, sizeof(cmd), "cat %s/log", dir);
		CHECK_EQ(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

static void test_iasl_disassembles(void)
{
	if (!have_iasl()) {
		printf("  iasl not installed: disassembly not checked\n");
		return;
	}
	struct acpi_config c = base_config();
	struct acpi_blobs b;
	CHECK_EQ(acpi_build(&c, &b), 0);
	struct loaded L;
	run_loader(&L, &b);
	const uint8_t *f = find_table(&L, "FACP");
	CHECK(f != NULL);
	if (f) {
		const uint8_t *d = table_at(&L, ld(f + 40, 4), "DSDT");
		if (d)
			disassemble(d, (size_t)ld(d + 4, 4), "dsdt", "PNP0A03");
	}
	const uint8_t *s = find_table(&L, "SSDT");
	if (s)
		disassemble(s, (size_t)ld(s + 4, 4), "ssdt", "Processor (._SB.CP03, 0x03");
	loaded_free(&L);
	acpi_blobs_free(&b);
}

int main(void)
{
	CHECK_SUITE("acpi");
	RUN(test_rsdp_and_roots);
	RUN(test_fadt_facs_dsdt);
	RUN(test_madt);
	RUN(test_without_hpet_floppy);
	RUN(test_refuses);
	RUN(test_loader_refuses);
	RUN(test_install);
	RUN(test_direct_boot);
	RUN(test_iasl_disassembles);
	return CHECK_EXIT();
}
