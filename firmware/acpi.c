/* The board's ACPI tables and the table-loader script that installs them. */
// SPDX-License-Identifier: MIT
#include "firmware/acpi.h"


#include <stdlib.h>
#include <string.h>
#include "firmware/bytebuf.h"
#include "firmware/dsdt_aml.h"	/* dsdt_aml[]: generated from firmware/dsdt.asl */
#include "hw/hpet.h"		/* HPET_BASE, HPET_TIMERS */
#include "hw/log.h"

#define OEM_ID "TRIVSR"
#define OEM_TABLE_ID "TRIVPC  "
#define CREATOR_ID "TRIV"

#define HDR_LEN 36
#define HDR_CHECKSUM 9

#define LAPIC_BASE 0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define RTC_CENTURY 0x32	/* the CMOS byte holding the century */

/* HPET event timer block id: the low half of its capabilities register
 * (vendor 8086, legacy routing, 64-bit counter, revision 1) */
#define HPET_BLOCK_ID (0x8086a001u | (uint32_t)(HPET_TIMERS - 1) << 8)

static void st8(struct bytebuf *b, size_t off, uint8_t v) { bytebuf_put(b, off, v, 1); }
static void stn(struct bytebuf *b, size_t off, uint64_t v, int n) { bytebuf_put(b, off, v, n); }
static void stmem(struct bytebuf *b, size_t off, const void *s, size_t n) { bytebuf_mem(b, off, s, n); }

/* ---- the loader script ---- */

static size_t loader_cmd(struct bytebuf *l, uint32_t cmd)
{
	size_t e = bytebuf_grow(l, ACPI_LOADER_ENTRY_SIZE);
	stn(l, e, cmd, 4);
	return e;
}

static void loader_name(struct bytebuf *l, size_t at, const char *name)
{
	stmem(l, at, name, strlen(name));	/* the rest stays NUL */
}

static void loader_allocate(struct bytebuf *l, const char *file, uint32_t align, uint8_t zone)
{
	size_t e = loader_cmd(l, ACPI_LOADER_ALLOCATE);
	loader_name(l, e + 4, file);
	stn(l, e + 60, align, 4);
	st8(l, e + 64, zone);
}

/* dest[off..off+size) += address of src */
static void loader_pointer(struct bytebuf *l, const char *dest, const char *src, uint32_t off,
			   uint8_t size)
{
	size_t e = loader_cmd(l, ACPI_LOADER_ADD_POINTER);
	loader_name(l, e + 4, dest);
	loader_name(l, e + 60, src);
	stn(l, e + 116, off, 4);
	st8(l, e + 120, size);
}

/* file[at] -= sum of file[start..start+len) */
static void loader_checksum(struct bytebuf *l, const char *file, uint32_t at, uint32_t start,
			    uint32_t len)
{
	size_t e = loader_cmd(l, ACPI_LOADER_ADD_CHECKSUM);
	loader_name(l, e + 4, file);
	stn(l, e + 60, at, 4);
	stn(l, e + 64, start, 4);
	stn(l, e + 68, len, 4);
}

/* ---- tables ---- */

struct builder {
	struct bytebuf t, l;	/* etc/acpi/tables and the loader script */
	const struct acpi_config *cfg;
};

static size_t table_begin(struct builder *b, const char *sig, uint8_t rev)
{
	size_t h = bytebuf_grow(&b->t, HDR_LEN);
	stmem(&b->t, h, sig, 4);
	st8(&b->t, h + 8, rev);
	stmem(&b->t, h + 10, OEM_ID, 6);
	stmem(&b->t, h + 16, OEM_TABLE_ID, 8);
	stn(&b->t, h + 24, 1, 4);		/* OEM revision */
	stmem(&b->t, h + 28, CREATOR_ID, 4);
	stn(&b->t, h + 32, 1, 4);		/* creator revision */
	return h;
}

/* set the length; the loader sums it once every pointer is in */
static void table_end(struct builder *b, size_t h)
{
	uint32_t len = (uint32_t)(b->t.len - h);
	stn(&b->t, h + 4, len, 4);
	loader_checksum(&b->l, ACPI_FILE_TABLES, (uint32_t)(h + HDR_CHECKSUM), (uint32_t)h, len);
}

/* a pointer inside the tables blob to another place in it */
static void table_pointer(struct builder *b, size_t at, size_t target, uint8_t size)
{
	stn(&b->t, at, target, size);
	loader_pointer(&b->l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, (uint32_t)at, size);
}

static size_t build_facs(struct builder *b)
{
	/* the FACS has no checksum and must be 64-byte aligned: it opens the
	 * blob, which the loader allocates 64-byte aligned */
	size_t f = bytebuf_grow(&b->t, 64);
	stmem(&b->t, f, "FACS", 4);
	stn(&b->t, f + 4, 64, 4);
	st8(&b->t, f + 32, 1);			/* version */
	return f;
}

/* find "Name (NAME, 0xC0FFEEnn)" in the AML: NameOp, the name, DWordPrefix,
 * the placeholder; patch in v. The AML must hold it exactly once. */
static int dsdt_patch(uint8_t *aml, size_t len, const char *name, uint32_t placeholder, uint32_t v)
{
	uint8_t pat[10] = { 0x08, (uint8_t)name[0], (uint8_t)name[1], (uint8_t)name[2],
			    (uint8_t)name[3], 0x0c, (uint8_t)placeholder,
			    (uint8_t)(placeholder >> 8), (uint8_t)(placeholder >> 16),
			    (uint8_t)(placeholder >> 24) };
	uint8_t *hit = NULL;
	for (size_t i = 0; i + sizeof(pat) <= len; i++) {
		if (!memcmp(aml + i, pat, sizeof(pat))) {
			if (hit)
				hit = aml;	/* twice: refuse below */
			else
				hit = aml + i;
		}
	}
	if (!hit || hit == aml) {
		log_error("acpi: the DSDT does not hold Name (%s, 0x%08x) once", name, placeholder);
		return -1;
	}
	for (int k = 0; k < 4; k++)
		hit[6 + k] = (uint8_t)(v >> (8 * k));
	return 0;
}

static int build_dsdt(struct builder *b, size_t *at)
{
	const struct acpi_config *c = b->cfg;
	size_t len = sizeof(dsdt_aml);
	uint8_t *aml = malloc(len);
	if (!aml) {
		log_error("acpi: out of memory");
		return -1;
	}
	memcpy(aml, dsdt_aml, len);
	int r = dsdt_patch(aml, len, "PHLO", 0xc0ffee01, (uint32_t)c->lowmem);
	r |= dsdt_patch(aml, len, "FDEN", 0xc0ffee02, c->floppy);
	r |= dsdt_patch(aml, len, "HPEN", 0xc0ffee03, c->hpet);
	r |= dsdt_patch(aml, len, "NCOM", 0xc0ffee04, (uint32_t)c->ncom);
	if (r) {
		free(aml);
		return -1;
	}
	aml[HDR_CHECKSUM] = 0;
	size_t h = bytebuf_grow(&b->t, len);
	stmem(&b->t, h, aml, len);
	free(aml);
	loader_checksum(&b->l, ACPI_FILE_TABLES, (uint32_t)(h + HDR_CHECKSUM), (uint32_t)h,
			(uint32_t)len);
	*at = h;
	return 0;
}

/* Generic Address Structure: system I/O, len bytes */
static void gas_io(struct builder *b, size_t at, uint16_t port, unsigned len)
{
	st8(&b->t, at, 1);
	st8(&b->t, at + 1, (uint8_t)(len * 8));
	stn(&b->t, at + 4, port, 8);
}

enum {
	FADT_WBINVD = 1 << 0,
	FADT_PROC_C1 = 1 << 2,
	FADT_SLP_BUTTON = 1 << 5,	/* no fixed-feature sleep button */
	FADT_RTC_S4 = 1 << 7,
	FADT_RESET_REG_SUP = 1 << 10,
	BOOT_ARCH_LEGACY_DEVICES = 1 << 0,
	BOOT_ARCH_8042 = 1 << 1,
};

/* revision 3 (ACPI 2.0), 244 bytes */
static size_t build_fadt(struct builder *b, size_t facs, size_t dsdt)
{
	const struct acpi_config *c = b->cfg;
	struct bytebuf *t = &b->t;
	size_t h = table_begin(b, "FACP", 3);
	bytebuf_grow(t, 244 - HDR_LEN);
	table_pointer(b, h + 36, facs, 4);		/* FIRMWARE_CTRL */
	table_pointer(b, h + 40, dsdt, 4);		/* DSDT */
	st8(t, h + 44, 1);				/* INT_MODEL in 1.0: APIC */
	stn(t, h + 46, ACPI_SCI_IRQ, 2);
	stn(t, h + 48, c->smi_cmd, 4);
	if (c->smi_cmd) {
		st8(t, h + 52, ACPI_ENABLE_CMD);
		st8(t, h + 53, ACPI_DISABLE_CMD);
	}
	stn(t, h + 56, ACPI_PM1A_EVT, 4);
	stn(t, h + 64, ACPI_PM1A_CNT, 4);
	stn(t, h + 76, ACPI_PM_TMR, 4);
	stn(t, h + 80, ACPI_GPE0, 4);
	st8(t, h + 88, 4);				/* PM1_EVT_LEN */
	st8(t, h + 89, 2);				/* PM1_CNT_LEN */
	st8(t, h + 91, 4);				/* PM_TMR_LEN */
	st8(t, h + 92, ACPI_GPE0_LEN);
	stn(t, h + 96, 0x0fff, 2);			/* no C2 */
	stn(t, h + 98, 0x0fff, 2);			/* no C3 */
	st8(t, h + 108, RTC_CENTURY);
	stn(t, h + 109, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042, 2);
	uint32_t flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RTC_S4;
	if (c->reset_reg) {
		flags |= FADT_RESET_REG_SUP;
		gas_io(b, h + 116, ACPI_RESET_PORT, 1);
		st8(t, h + 128, ACPI_RESET_VALUE);
	}
	stn(t, h + 112, flags, 4);
	/* X_FIRMWARE_CTRL stays 0: the FACS is below 4 GiB */
	table_pointer(b, h + 140, dsdt, 8);		/* X_DSDT */
	gas_io(b, h + 148, ACPI_PM1A_EVT, 4);
	gas_io(b, h + 172, ACPI_PM1A_CNT, 2);
	gas_io(b, h + 208, ACPI_PM_TMR, 4);
	gas_io(b, h + 220, ACPI_GPE0, ACPI_GPE0_LEN);
	table_end(b, h);
	return h;
}

/* ISA IRQs that are not edge/high: IRQ 0 is on pin 2, the PCI link
 * interrupts (5, 9, 10, 11) are level, active high, as QEMU's */
static const struct {
	uint8_t irq, gsi;
	uint16_t flags;		/* polarity bits 1:0, trigger bits 3:2 */
} madt_overrides[] = {
	{ 0, 2, 0x0000 },	/* conforming */
	{ 5, 5, 0x000d },
	{ 9, 9, 0x000d },
	{ 10, 10, 0x000d },
	{ 11, 11, 0x000d },
};

static size_t build_madt(struct builder *b)
{
	const struct acpi_config *c = b->cfg;
	struct bytebuf *t = &b->t;
	size_t h = table_begin(b, "APIC", 1);
	size_t p = bytebuf_grow(t, 8);
	stn(t, p, LAPIC_BASE, 4);
	stn(t, p + 4, 1, 4);				/* PCAT_COMPAT: there are 8259s */
	for (int i = 0; i < c->ncpus; i++) {
		p = bytebuf_grow(t, 8);
		st8(t, p, 0);				/* processor local APIC */
		st8(t, p + 1, 8);
		st8(t, p + 2, (uint8_t)i);		/* ACPI processor UID */
		st8(t, p + 3, (uint8_t)i);		/* APIC id */
		stn(t, p + 4, 1, 4);			/* enabled */
	}
	p = bytebuf_grow(t, 12);
	st8(t, p, 1);					/* I/O APIC */
	st8(t, p + 1, 12);
	st8(t, p + 2, c->ioapic_id);
	stn(t, p + 4, IOAPIC_BASE, 4);
	stn(t, p + 8, 0, 4);				/* GSI base */
	for (size_t i = 0; i < sizeof(madt_overrides) / sizeof(madt_overrides[0]); i++) {
		p = bytebuf_grow(t, 10);
		st8(t, p, 2);				/* interrupt source override */
		st8(t, p + 1, 10);
		st8(t, p + 2, 0);			/* ISA */
		st8(t, p + 3, madt_overrides[i].irq);
		stn(t, p + 4, madt_overrides[i].gsi, 4);
		stn(t, p + 8, madt_overrides[i].flags, 2);
	}
	p = bytebuf_grow(t, 6);
	st8(t, p, 4);					/* local APIC NMI */
	st8(t, p + 1, 6);
	st8(t, p + 2, 0xff);				/* every processor */
	stn(t, p + 3, 0, 2);				/* conforming */
	st8(t, p + 5, 1);				/* LINT1 */
	table_end(b, h);
	return h;
}

static size_t build_hpet(struct builder *b)
{
	struct bytebuf *t = &b->t;
	size_t h = table_begin(b, "HPET", 1);
	size_t p = bytebuf_grow(t, 20);
	stn(t, p, HPET_BLOCK_ID, 4);
	st8(t, p + 4, 0);				/* system memory */
	st8(t, p + 5, 64);
	stn(t, p + 8, HPET_BASE, 8);
	st8(t, p + 16, 0);				/* HPET number */
	stn(t, p + 17, 0, 2);				/* minimum periodic tick */
	st8(t, p + 19, 0);				/* no page protection */
	table_end(b, h);
	return h;
}

/* one Processor object per CPU, \_SB.CPxx with processor id xx, matching
 * the MADT's UIDs (AML: ExtOp ProcessorOp PkgLength NameString ProcID
 * PblkAddr PblkLen) */
static size_t build_ssdt(struct builder *b)
{
	struct bytebuf *t = &b->t;
	size_t h = table_begin(b, "SSDT", 1);
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < b->cfg->ncpus; i++) {
		uint8_t op[19] = { 0x5b, 0x83, 17, '\\', 0x2e, '_', 'S', 'B', '_', 'C', 'P',
				   (uint8_t)hex[i >> 4], (uint8_t)hex[i & 15], (uint8_t)i };
		/* PblkAddr 0 and PblkLen 0: no processor control block */
		size_t p = bytebuf_grow(t, sizeof(op));
		stmem(t, p, op, sizeof(op));
	}
	table_end(b, h);
	return h;
}

static size_t build_rsdt_xsdt(struct builder *b, const char *sig, const size_t *tables, int n,
			      uint8_t size)
{
	size_t h = table_begin(b, sig, 1);
	size_t p = bytebuf_grow(&b->t, (size_t)n * size);
	for (int i = 0; i < n; i++)
		table_pointer(b, p + (size_t)i * size, tables[i], size);
	table_end(b, h);
	return h;
}

static void build_rsdp(struct builder *b, struct bytebuf *r, size_t rsdt, size_t xsdt)
{
	size_t p = bytebuf_grow(r, 36);
	stmem(r, p, "RSD PTR ", 8);
	stmem(r, p + 9, OEM_ID, 6);
	st8(r, p + 15, 2);				/* revision: ACPI 2.0+ */
	stn(r, p + 16, rsdt, 4);
	stn(r, p + 20, 36, 4);
	stn(r, p + 24, xsdt, 8);
	loader_pointer(&b->l, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 16, 4);
	loader_pointer(&b->l, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 24, 8);
	loader_checksum(&b->l, ACPI_FILE_RSDP, 8, 0, 20);
	loader_checksum(&b->l, ACPI_FILE_RSDP, 32, 0, 36);
}

int acpi_build(const struct acpi_config *cfg, struct acpi_blobs *out)
{
	memset(out, 0, sizeof(*out));
	if (cfg->ncpus < 1 || cfg->ncpus > ACPI_MAX_CPUS) {
		log_error("acpi: %d CPUs do not fit the MADT (1 to %d)", cfg->ncpus, ACPI_MAX_CPUS);
		return -1;
	}
	if (cfg->lowmem == 0 || cfg->lowmem > IOAPIC_BASE || cfg->ncom < 0 || cfg->ncom > 2) {
		log_error("acpi: bad board description (low RAM 0x%llx, %d COM ports)",
			  (unsigned long long)cfg->lowmem, cfg->ncom);
		return -1;
	}
	struct builder b = { .cfg = cfg };
	struct bytebuf rsdp = { 0 };
	/* the RSDP goes where SeaBIOS looks for it, the rest high in RAM */
	loader_allocate(&b.l, ACPI_FILE_RSDP, 16, ACPI_ZONE_FSEG);
	loader_allocate(&b.l, ACPI_FILE_TABLES, 64, ACPI_ZONE_HIGH);

	size_t facs = build_facs(&b), dsdt;
	if (build_dsdt(&b, &dsdt) < 0) {
		free(b.t.p);
		free(b.l.p);
		return -1;
	}
	size_t list[4];
	int n = 0;
	bytebuf_align(&b.t, 8);
	list[n++] = build_fadt(&b, facs, dsdt);
	bytebuf_align(&b.t, 8);
	list[n++] = build_madt(&b);
	if (cfg->hpet) {
		bytebuf_align(&b.t, 8);
		list[n++] = build_hpet(&b);
	}
	bytebuf_align(&b.t, 8);
	list[n++] = build_ssdt(&b);
	bytebuf_align(&b.t, 8);
	size_t rsdt = build_rsdt_xsdt(&b, "RSDT", list, n, 4);
	bytebuf_align(&b.t, 8);
	size_t xsdt = build_rsdt_xsdt(&b, "XSDT", list, n, 8);
	build_rsdp(&b, &rsdp, rsdt, xsdt);

	if (b.t.oom || b.l.oom || rsdp.oom) {
		log_error("acpi: out of memory");
		free(b.t.p);
		free(b.l.p);
		free(rsdp.p);
		return -1;
	}
	out->rsdp = rsdp.p;
	out->rsdp_len = rsdp.len;
	out->tables = b.t.p;
	out->tables_len = b.t.len;
	out->loader = b.l.p;
	out->loader_len = b.l.len;
	return 0;
}

void acpi_board_config(struct acpi_config *a, int ncpus, uint64_t lowmem, bool hpet,
		       int floppies, int ncom)
{
	*a = (struct acpi_config){
		.ncpus = ncpus,
		.lowmem = lowmem,
		.ioapic_id = 0,		/* the IOAPIC's reset value, and SeaBIOS's MP table */
		.hpet = hpet,
		.floppy = floppies > 0,
		.ncom = ncom,
		/* the OS turns ACPI mode on through the APM port (hw/piix4_pm.h) */
		.smi_cmd = ACPI_SMI_CMD,
		.reset_reg = true,
	};
}

void acpi_blobs_free(struct acpi_blobs *b)
{
	free(b->rsdp);
	free(b->tables);
	free(b->loader);
	memset(b, 0, sizeof(*b));
}
