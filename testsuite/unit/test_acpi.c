/* Unit tests for the ACPI tables: the table-loader script is run here as
 * SeaBIOS runs it, then every table is checked where it landed. */
// SPDX-License-Identifier: MIT
#include "firmware/acpi.h"
#include "hw/piix4_pm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testsuite/unit/check.h"

/* where our pretend BIOS puts the two files */
#define FSEG_ADDR 0xf5a10u
#define HIGH_ADDR 0x07fe0000u

struct lfile {
	const char *name;
	uint8_t *data;
	size_t len;
	uint64_t addr;
	bool allocated;
};

struct loaded {
	struct lfile f[2];	/* rsdp, tables */
	int errors;		/* commands SeaBIOS would refuse */
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

static struct lfile *lfind(struct loaded *L, const char *name, bool need_alloc)
{
	if (memchr(name, 0, ACPI_LOADER_FILESZ) == NULL)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (!strcmp(L->f[i].name, name) && (L->f[i].allocated || !need_alloc))
			return &L->f[i];
	return NULL;
}

/* the checks of SeaBIOS's romfile_loader.c, applied to copies of the blobs */
static void run_loader(struct loaded *L, const struct acpi_blobs *b)
{
	memset(L, 0, sizeof(*L));
	L->f[0] = (struct lfile){ ACPI_FILE_RSDP, malloc(b->rsdp_len), b->rsdp_len, 0, false };
	L->f[1] = (struct lfile){ ACPI_FILE_TABLES, malloc(b->tables_len), b->tables_len, 0, false };
	memcpy(L->f[0].data, b->rsdp, b->rsdp_len);
	memcpy(L->f[1].data, b->tables, b->tables_len);
	CHECK_EQ(b->loader_len % ACPI_LOADER_ENTRY_SIZE, 0);
	for (size_t off = 0; off + ACPI_LOADER_ENTRY_SIZE <= b->loader_len; off += ACPI_LOADER_ENTRY_SIZE) {
		const uint8_t *e = b->loader + off;
		const char *n1 = (const char *)e + 4, *n2 = (const char *)e + 60;
		switch (ld(e, 4)) {
		case ACPI_LOADER_ALLOCATE: {
			struct lfile *f = lfind(L, n1, false);
			uint32_t align = (uint32_t)ld(e + 60, 4);
			if (!f || f->allocated || (align & (align - 1))) {
				L->errors++;
				break;
			}
			f->addr = e[64] == ACPI_ZONE_FSEG ? FSEG_ADDR & ~(uint64_t)(align - 1)
							 : HIGH_ADDR & ~(uint64_t)(align - 1);
			if (e[64] != ACPI_ZONE_FSEG && e[64] != ACPI_ZONE_HIGH)
				L->errors++;
			CHECK_EQ(e[64], f == &L->f[0] ? ACPI_ZONE_FSEG : ACPI_ZONE_HIGH);
			f->allocated = true;
			break;
		}
		case ACPI_LOADER_ADD_POINTER: {
			struct lfile *d = lfind(L, n1, true), *s = lfind(L, n2, true);
			uint32_t at = (uint32_t)ld(e + 116, 4);
			uint8_t size = e[120];
			if (!d || !s || (size != 1 && size != 2 && size != 4 && size != 8) ||
			    at + (uint64_t)size > d->len) {
				L->errors++;
				break;
			}
			uint64_t v = ld(d->data + at, size) + s->addr;
			for (int i = 0; i < size; i++)
				d->data[at + i] = (uint8_t)(v >> (8 * i));
			break;
		}
		case ACPI_LOADER_ADD_CHECKSUM: {
			struct lfile *f = lfind(L, n1, true);
			uint32_t at = (uint32_t)ld(e + 60, 4), start = (uint32_t)ld(e + 64, 4),
				 len = (uint32_t)ld(e + 68, 4);
			if (!f || at >= f->len || (uint64_t)start + len > f->len) {
				L->errors++;
				break;
			}
			f->data[at] = (uint8_t)(f->data[at] - sum(f->data + start, len));
			break;
		}
		default:
			L->errors++;
		}
	}
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
	RUN(test_iasl_disassembles);
	return CHECK_EXIT();
}
