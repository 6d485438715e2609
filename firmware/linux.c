/* Direct boot of a Linux bzImage by the x86 boot protocol (2.06 and later),
 * entering the kernel's 32-bit or 64-bit entry point with a zero page. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#include <stdlib.h>
#include "hw/log.h"

/* where things go in low RAM (the e820 map leaves it all usable) */
#define LX_GDT 0x5000ull
#define LX_STACK 0x7000ull		/* a scratch stack below the zero page */
#define LX_ZERO_PAGE 0x7000ull
#define LX_PML4 0x9000ull
#define LX_PDPT 0xa000ull
#define LX_PD 0xb000ull			/* 4 pages: 4 GiB of 2 MiB pages */
#define LX_CMDLINE 0x20000ull
#define LX_CMDLINE_AREA 0x10000ull

/* boot_params (the zero page) and its setup_header, by offset */
enum {
	BP_EXT_MEM_K = 0x002, BP_VIDEO_MODE = 0x006, BP_VIDEO_COLS = 0x007,
	BP_VIDEO_EGA_BX = 0x00a, BP_VIDEO_LINES = 0x00e, BP_VIDEO_ISVGA = 0x00f,
	BP_VIDEO_POINTS = 0x010, BP_ACPI_RSDP = 0x070, BP_ALT_MEM_K = 0x1e0,
	BP_E820_ENTRIES = 0x1e8, BP_E820_TABLE = 0x2d0,
	HDR_START = 0x1f1, HDR_END_MAX = 0x290,	/* the header is copied from here */
	HDR_SETUP_SECTS = 0x1f1, HDR_SYSSIZE = 0x1f4, HDR_JUMP = 0x200, HDR_MAGIC = 0x202,
	HDR_VERSION = 0x206, HDR_TYPE_OF_LOADER = 0x210, HDR_LOADFLAGS = 0x211,
	HDR_CODE32_START = 0x214, HDR_RAMDISK_IMAGE = 0x218, HDR_RAMDISK_SIZE = 0x21c,
	HDR_HEAP_END_PTR = 0x224, HDR_CMD_LINE_PTR = 0x228, HDR_INITRD_ADDR_MAX = 0x22c,
	HDR_XLOADFLAGS = 0x236, HDR_CMDLINE_SIZE = 0x238, HDR_SETUP_DATA = 0x250,
	HDR_INIT_SIZE = 0x260,
};
#define BP_E820_MAX 128
#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define XLF_KERNEL_64 0x01
#define LOADER_UNDEFINED 0xff
/* the protocol's default when initrd_addr_max is 0 (before 2.03) */
#define INITRD_MAX_DEFAULT 0x37ffffffull

bool linux_probe(const struct boot_file *k)
{
	return k->size >= HDR_MAGIC + 4 && !memcmp(k->data + HDR_MAGIC, "HdrS", 4);
}

static int put_page_tables(struct physmap *pm, const char *file)
{
	uint8_t t[4096] = { 0 };
	/* present, writable; PS for 2 MiB pages */
	st64(t, LX_PDPT | 3);
	if (loader_put(pm, file, "PML4", LX_PML4, t, sizeof(t)) < 0)
		return -1;
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 4; i++)
		st64(t + 8 * i, (LX_PD + 0x1000ull * i) | 3);
	if (loader_put(pm, file, "page directory pointer table", LX_PDPT, t, sizeof(t)) < 0)
		return -1;
	for (int d = 0; d < 4; d++) {
		for (int i = 0; i < 512; i++)
			st64(t + 8 * i, ((uint64_t)d << 30 | (uint64_t)i << 21) | 0x83);
		if (loader_put(pm, file, "page directory", LX_PD + 0x1000ull * d, t, sizeof(t)) < 0)
			return -1;
	}
	return 0;
}

/* the kernel skips its real-mode setup code, which would have asked the
 * BIOS for the video mode: say an 80x25 colour text screen */
static void put_screen_info(uint8_t *zp)
{
	st8(zp + BP_VIDEO_MODE, 3);
	st8(zp + BP_VIDEO_COLS, 80);
	st16(zp + BP_VIDEO_EGA_BX, 3);
	st8(zp + BP_VIDEO_LINES, 25);
	st8(zp + BP_VIDEO_ISVGA, 1);
	st16(zp + BP_VIDEO_POINTS, 16);
}

/* the initrd as high as it may go below ram_top */
static int put_initrd(struct physmap *pm, const char *path, uint8_t *zp, uint64_t kernel_end,
		      uint64_t ram_top)
{
	struct boot_file f;
	char limit[64];
	snprintf(limit, sizeof(limit), "for %llu MiB of RAM", (unsigned long long)(pm->ram_size >> 20));
	if (loader_read(&f, path, 0, pm->lowmem, limit) < 0)
		return -1;
	uint64_t max = ld32(zp + HDR_INITRD_ADDR_MAX);
	if (max == 0)
		max = INITRD_MAX_DEFAULT;
	/* as high as allowed: initrd_addr_max is its last byte's address */
	uint64_t top = max + 1 < ram_top ? max + 1 : ram_top;
	uint64_t at = f.size <= top ? (top - f.size) & ~(PAGE_SIZE_4K - 1) : 0;
	if (f.size > top || at < kernel_end) {
		log_error("%s: initrd of %llu bytes does not fit between the kernel (ends 0x%llx) and 0x%llx",
			  path, (unsigned long long)f.size, (unsigned long long)kernel_end,
			  (unsigned long long)top);
		loader_free(&f);
		return -1;
	}
	int rc = loader_put(pm, path, "initrd", at, f.data, f.size);
	st32(zp + HDR_RAMDISK_IMAGE, f.size ? (uint32_t)at : 0);
	st32(zp + HDR_RAMDISK_SIZE, (uint32_t)f.size);
	loader_free(&f);
	return rc;
}

int linux_load(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
	       const struct boot_file *k)
{
	const char *file = k->path;
	const uint8_t *d = k->data;
	if (k->size < HDR_VERSION + 2) {
		log_error("%s: truncated Linux setup header", file);
		return -1;
	}
	uint16_t version = ld16(d + HDR_VERSION);
	if (version < 0x206) {
		log_error("%s: Linux boot protocol %u.%02u is too old (2.06 or later needed)",
			  file, version >> 8, version & 0xff);
		return -1;
	}
	/* the header ends where its leading short jump lands */
	uint64_t hdr_end = HDR_JUMP + 2 + (uint64_t)d[HDR_JUMP + 1];
	if (hdr_end < HDR_CMDLINE_SIZE + 4)
		hdr_end = HDR_CMDLINE_SIZE + 4;
	if (hdr_end > HDR_END_MAX)
		hdr_end = HDR_END_MAX;
	if (k->size < hdr_end) {
		log_error("%s: truncated Linux setup header", file);
		return -1;
	}
	uint64_t setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	uint64_t setup_size = (setup_sects + 1) * 512;
	uint64_t syssize = (uint64_t)ld32(d + HDR_SYSSIZE) * 16;
	if (k->size <= setup_size || k->size - setup_size < syssize) {
		log_error("%s: truncated bzImage (%llu bytes; setup and kernel need %llu)", file,
			  (unsigned long long)k->size,
			  (unsigned long long)(setup_size + (syssize ? syssize : 1)));
		return -1;
	}
	if (!(d[HDR_LOADFLAGS] & LOADED_HIGH)) {
		log_error("%s: a zImage (loaded below 1 MiB) is not supported, only bzImage", file);
		return -1;
	}
	uint64_t prot_size = k->size - setup_size;
	uint64_t load = ld32(d + HDR_CODE32_START);
	uint64_t need = prot_size;
	if (version >= 0x20a && ld32(d + HDR_INIT_SIZE) > need)
		need = ld32(d + HDR_INIT_SIZE);
	if (load < 0x100000 || !physmap_is_ram(pm, load, need)) {
		log_error("%s: kernel at 0x%llx needs %llu KiB there, which is not all RAM (%llu MiB)",
			  file, (unsigned long long)load, (unsigned long long)(need >> 10),
			  (unsigned long long)(pm->ram_size >> 20));
		return -1;
	}
	struct boot_acpi acpi;
	if (mptable_setup(pm, cfg->ncpus) < 0 || boot_acpi_setup(pm, cfg, &acpi) < 0)
		return -1;
	if (load + need > acpi.ram_top) {
		log_error("%s: kernel at 0x%llx needs %llu KiB there, which reaches the ACPI tables at 0x%llx",
			  file, (unsigned long long)load, (unsigned long long)(need >> 10),
			  (unsigned long long)acpi.ram_top);
		return -1;
	}
	if (loader_put(pm, file, "kernel", load, d + setup_size, prot_size) < 0)
		return -1;

	uint8_t *zp = calloc(1, 4096);
	if (!zp) {
		log_error("%s: out of host memory", file);
		return -1;
	}
	int rc = -1;
	memcpy(zp + HDR_START, d + HDR_START, hdr_end - HDR_START);
	st8(zp + HDR_TYPE_OF_LOADER, LOADER_UNDEFINED);
	st8(zp + HDR_LOADFLAGS, zp[HDR_LOADFLAGS] | CAN_USE_HEAP);
	/* as if the setup code sat at 0x10000 with its heap up to the command line */
	st16(zp + HDR_HEAP_END_PTR, (uint16_t)(LX_CMDLINE - 0x10000 - 0x200));
	st64(zp + HDR_SETUP_DATA, 0);
	/* protocol 2.14 has the RSDP's address; older kernels find it by
	 * scanning the F segment */
	st64(zp + BP_ACPI_RSDP, version >= 0x20e ? acpi.rsdp : 0);
	st32(zp + HDR_RAMDISK_IMAGE, 0);
	st32(zp + HDR_RAMDISK_SIZE, 0);
	put_screen_info(zp);
	uint64_t ext_kib = pm->lowmem > 0x100000 ? (pm->lowmem - 0x100000) >> 10 : 0;
	st16(zp + BP_EXT_MEM_K, (uint16_t)(ext_kib > 0xfc00 ? 0xfc00 : ext_kib));
	st32(zp + BP_ALT_MEM_K, (uint32_t)ext_kib);

	struct e820_entry e[E820_MAX_ENTRIES];
	int n = e820_build(pm, acpi.ram_top, e);
	for (int i = 0; i < n && i < BP_E820_MAX; i++) {
		uint8_t *p = zp + BP_E820_TABLE + 20 * i;
		st64(p, e[i].addr);
		st64(p + 8, e[i].size);
		st32(p + 16, e[i].type);
	}
	st8(zp + BP_E820_ENTRIES, (uint8_t)n);

	/* command line, cut to what the kernel takes (cmdline_size excludes the NUL) */
	const char *cl = cfg->cmdline ? cfg->cmdline : "";
	uint64_t max = ld32(d + HDR_CMDLINE_SIZE);
	if (max > LX_CMDLINE_AREA - 1)
		max = LX_CMDLINE_AREA - 1;
	uint64_t cl_len = strnlen(cl, max + 1);
	if (cl_len > max) {
		log_msg("%s: command line cut to %llu bytes, the kernel's limit", file,
			(unsigned long long)max);
		cl_len = max;
	}
	if (loader_put(pm, file, "command line", LX_CMDLINE, cl, cl_len) < 0 ||
	    loader_put(pm, file, "command line", LX_CMDLINE + cl_len, "", 1) < 0)
		goto out;
	st32(zp + HDR_CMD_LINE_PTR, (uint32_t)LX_CMDLINE);

	if (cfg->initrd && put_initrd(pm, cfg->initrd, zp, load + need, acpi.ram_top) < 0)
		goto out;
	if (loader_put(pm, file, "zero page", LX_ZERO_PAGE, zp, 4096) < 0 ||
	    loader_put(pm, file, "GDT", LX_GDT, NULL, BOOT_GDT_SIZE) < 0)
		goto out;

	bool kernel64 = version >= 0x20c && (ld16(d + HDR_XLOADFLAGS) & XLF_KERNEL_64);
	if (kernel64) {
		if (put_page_tables(pm, file) < 0)
			goto out;
		boot_gdt_write(pm, LX_GDT, true);
		boot_enter64(bsp, LX_GDT, LX_PML4, load + 0x200);
	} else {
		boot_gdt_write(pm, LX_GDT, false);
		boot_enter32(bsp, LX_GDT, (uint32_t)load);
	}
	bsp->gpr[R_ESI] = LX_ZERO_PAGE;
	bsp->gpr[R_ESP] = LX_STACK;
	rc = 0;
out:
	free(zp);
	return rc;
}
