/* SMBIOS 2.8 structures and entry point for the PC board, in QEMU's layout. */
// SPDX-License-Identifier: MIT
#include "firmware/smbios.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/bytebuf.h"
#include "hw/log.h"

#define DEFAULT_MANUFACTURER "trivisor"
#define DEFAULT_PRODUCT "Standard PC (i440FX + PIIX, 1996)"
#define CPU_MHZ 2000			/* what QEMU reports too */
#define DIMM_MAX (16ull << 30)		/* QEMU splits RAM into 16 GiB devices */
#define HANDLE_NONE 0xfffe		/* "not provided" */
#define HANDLE_UNKNOWN 0xffff

enum {
	H_T0 = 0x0000, H_T1 = 0x0100, H_T3 = 0x0300, H_T4 = 0x0400, H_T16 = 0x1000,
	H_T17 = 0x1100, H_T19 = 0x1300, H_T32 = 0x2000, H_T127 = 0x7f00,
};

struct sb {
	struct bytebuf bb;	/* the structure table */
	size_t cur;		/* the structure being built */
	int nstr;		/* its strings so far */
	unsigned count, max_size;
};

static void put(struct sb *b, size_t at, uint64_t v, int n)
{
	bytebuf_put(&b->bb, b->cur + at, v, n);
}

static void begin(struct sb *b, uint8_t type, uint8_t len, uint16_t handle)
{
	b->cur = bytebuf_grow(&b->bb, len);
	b->nstr = 0;
	put(b, 0, type, 1);
	put(b, 1, len, 1);
	put(b, 2, handle, 2);
}

/* append a string to the current structure and put its number at field
 * 'at'; an empty or missing string is number 0 and takes no room */
static void str(struct sb *b, size_t at, const char *s)
{
	if (!s || !*s)
		return;
	size_t n = strlen(s) + 1;
	bytebuf_mem(&b->bb, bytebuf_grow(&b->bb, n), s, n);
	put(b, at, (uint64_t)++b->nstr, 1);
}

/* the string set ends with an extra NUL; with no strings, two NULs */
static void end(struct sb *b)
{
	bytebuf_grow(&b->bb, b->nstr ? 1 : 2);
	size_t size = b->bb.len - b->cur;
	b->count++;
	if (size > b->max_size)
		b->max_size = (unsigned)size;
}

static void type0(struct sb *b, const struct smbios_config *c)
{
	begin(b, 0, 0x18, H_T0);
	str(b, 4, c->bios_vendor);
	str(b, 5, c->bios_version);
	put(b, 6, 0xe800, 2);			/* starting segment */
	str(b, 8, c->bios_date);
	put(b, 10, 0x08, 8);			/* characteristics not supported */
	put(b, 19, 0x04, 1);			/* targeted content distribution */
	put(b, 22, 0xff, 1);			/* no embedded controller */
	put(b, 23, 0xff, 1);
	end(b);
}

static void type1(struct sb *b, const struct smbios_config *c, const char *mfr)
{
	begin(b, 1, 0x1b, H_T1);
	str(b, 4, mfr);
	str(b, 5, c->product ? c->product : DEFAULT_PRODUCT);
	bytebuf_mem(&b->bb, b->cur + 8, c->uuid, 16);
	put(b, 24, 0x06, 1);			/* wake-up: power switch */
	end(b);
}

static void type3(struct sb *b, const char *mfr)
{
	begin(b, 3, 0x16, H_T3);
	str(b, 4, mfr);
	put(b, 5, 0x01, 1);			/* chassis type: other */
	put(b, 9, 0x03, 1);			/* boot-up state: safe */
	put(b, 10, 0x03, 1);			/* power supply: safe */
	put(b, 11, 0x03, 1);			/* thermal: safe */
	put(b, 12, 0x02, 1);			/* security: unknown */
	end(b);
}

static void type4(struct sb *b, const struct smbios_config *c, const char *mfr, int cpu)
{
	char socket[16];
	snprintf(socket, sizeof(socket), "CPU %d", cpu);
	begin(b, 4, 0x2a, (uint16_t)(H_T4 + cpu));
	str(b, 4, socket);
	put(b, 5, 0x03, 1);			/* central processor */
	put(b, 6, 0x01, 1);			/* family: other */
	str(b, 7, mfr);
	put(b, 8, c->cpuid_eax, 4);
	put(b, 12, c->cpuid_edx, 4);
	put(b, 20, CPU_MHZ, 2);			/* max speed */
	put(b, 22, CPU_MHZ, 2);			/* current speed */
	put(b, 24, 0x41, 1);			/* socket populated, CPU enabled */
	put(b, 25, 0x01, 1);			/* upgrade: other */
	put(b, 26, HANDLE_UNKNOWN, 2);		/* no cache structures */
	put(b, 28, HANDLE_UNKNOWN, 2);
	put(b, 30, HANDLE_UNKNOWN, 2);
	put(b, 35, 1, 1);			/* cores, enabled, threads */
	put(b, 36, 1, 1);
	put(b, 37, 1, 1);
	put(b, 38, 0x02, 2);			/* characteristics: unknown */
	put(b, 40, 0x01, 2);			/* family 2: other */
	end(b);
}

static void type16(struct sb *b, uint64_t ram, unsigned ndimms)
{
	uint64_t kib = ram >> 10;
	begin(b, 16, 0x17, H_T16);
	put(b, 4, 0x01, 1);			/* location: other */
	put(b, 5, 0x03, 1);			/* use: system memory */
	put(b, 6, 0x06, 1);			/* error correction: multi-bit ECC */
	if (kib < 0x80000000ull) {
		put(b, 7, kib, 4);
	} else {
		put(b, 7, 0x80000000u, 4);	/* see the extended field */
		put(b, 15, ram, 8);
	}
	put(b, 11, HANDLE_NONE, 2);
	put(b, 13, ndimms, 2);
	end(b);
}

static void type17(struct sb *b, const char *mfr, unsigned i, uint64_t size)
{
	char loc[16];
	uint64_t mib = size >> 20;
	snprintf(loc, sizeof(loc), "DIMM %u", i);
	begin(b, 17, 0x28, (uint16_t)(H_T17 + i));
	put(b, 4, H_T16, 2);
	put(b, 6, HANDLE_NONE, 2);
	put(b, 8, 0xffff, 2);			/* widths unknown */
	put(b, 10, 0xffff, 2);
	if (mib < 0x7fff) {
		put(b, 12, mib, 2);
	} else {
		put(b, 12, 0x7fff, 2);		/* see the extended size */
		put(b, 28, mib, 4);
	}
	put(b, 14, 0x09, 1);			/* DIMM */
	str(b, 16, loc);
	put(b, 18, 0x07, 1);			/* RAM */
	put(b, 19, 0x02, 2);			/* type detail: other */
	str(b, 23, mfr);
	end(b);
}

static void type19(struct sb *b, unsigned i, uint64_t start, uint64_t size)
{
	uint64_t last = start + size - 1;
	begin(b, 19, 0x1f, (uint16_t)(H_T19 + i));
	if ((last >> 10) < 0xffffffffull) {
		put(b, 4, start >> 10, 4);
		put(b, 8, last >> 10, 4);
	} else {
		put(b, 4, 0xffffffffu, 4);	/* see the extended fields */
		put(b, 8, 0xffffffffu, 4);
		put(b, 15, start, 8);
		put(b, 23, last, 8);
	}
	put(b, 12, H_T16, 2);
	put(b, 14, 1, 1);			/* partition width */
	end(b);
}

int smbios_build(const struct smbios_config *c, struct smbios_blobs *out)
{
	memset(out, 0, sizeof(*out));
	if (c->ncpus < 1 || c->ncpus > SMBIOS_MAX_CPUS || c->lowmem == 0) {
		log_error("smbios: cannot describe %d CPUs with 0x%llx bytes of low RAM", c->ncpus,
			  (unsigned long long)c->lowmem);
		return -1;
	}
	const char *mfr = c->manufacturer ? c->manufacturer : DEFAULT_MANUFACTURER;
	uint64_t ram = c->lowmem + c->highmem;
	unsigned ndimms = (unsigned)((ram + DIMM_MAX - 1) / DIMM_MAX);
	if (ndimms > 0xff) {
		log_error("smbios: %llu bytes of RAM is more than it describes",
			  (unsigned long long)ram);
		return -1;
	}
	struct sb b = { 0 };
	if (c->bios_vendor)
		type0(&b, c);
	type1(&b, c, mfr);
	type3(&b, mfr);
	for (int i = 0; i < c->ncpus; i++)
		type4(&b, c, mfr, i);
	type16(&b, ram, ndimms);
	for (unsigned i = 0; i < ndimms; i++) {
		uint64_t left = ram - (uint64_t)i * DIMM_MAX;
		type17(&b, mfr, i, left < DIMM_MAX ? left : DIMM_MAX);
	}
	type19(&b, 0, 0, c->lowmem);
	if (c->highmem)
		type19(&b, 1, 1ull << 32, c->highmem);
	begin(&b, 32, 0x0b, H_T32);		/* boot status 0: no errors */
	end(&b);
	begin(&b, 127, 0x04, H_T127);
	end(&b);
	if (b.bb.oom || b.bb.len > 0xffff) {
		log_error("smbios: %s", b.bb.oom ? "out of memory" : "tables larger than 64 KiB");
		free(b.bb.p);
		return -1;
	}

	uint8_t *a = out->anchor;
	memcpy(a, "_SM_", 4);
	a[5] = SMBIOS_ANCHOR_LEN;
	a[6] = 2;				/* version 2.8 */
	a[7] = 8;
	a[8] = (uint8_t)b.max_size;
	a[9] = (uint8_t)(b.max_size >> 8);
	memcpy(a + 16, "_DMI_", 5);
	a[22] = (uint8_t)b.bb.len;
	a[23] = (uint8_t)(b.bb.len >> 8);
	/* the table address (24..27) is SeaBIOS's to fill */
	a[28] = (uint8_t)b.count;
	a[29] = (uint8_t)(b.count >> 8);
	a[30] = 0x28;				/* BCD revision */
	/* checksums as if the address stayed 0; SeaBIOS redoes both */
	uint8_t s = 0;
	for (int i = 16; i < SMBIOS_ANCHOR_LEN; i++)
		s = (uint8_t)(s + a[i]);
	a[21] = (uint8_t)-s;
	s = 0;
	for (int i = 0; i < 16; i++)
		s = (uint8_t)(s + a[i]);
	a[4] = (uint8_t)-s;
	out->tables = b.bb.p;
	out->tables_len = b.bb.len;
	return 0;
}

void smbios_blobs_free(struct smbios_blobs *b)
{
	free(b->tables);
	b->tables = NULL;
	b->tables_len = 0;
}
