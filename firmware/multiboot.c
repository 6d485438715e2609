/* Multiboot v1 (specification 0.6.96): the kernel, its modules and the
 * multiboot information structure, entered with EAX = 0x2BADB002. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#include <stdlib.h>
#include "hw/log.h"

#define MB_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH 8192
#define MB_FLAG_AOUT_KLUDGE (1u << 16)
/* requirement bits 0-15 we honour: page-aligned modules (we always do),
 * memory information (always given), video mode (left as it is) */
#define MB_FLAGS_KNOWN 0x7u

/* multiboot information structure, by offset */
enum {
	MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_CMDLINE = 16,
	MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48,
	MBI_BOOT_LOADER_NAME = 64, MBI_SIZE = 88,
};
#define MBI_HAS_MEM (1u << 0)
#define MBI_HAS_CMDLINE (1u << 2)
#define MBI_HAS_MODS (1u << 3)
#define MBI_HAS_MMAP (1u << 6)
#define MBI_HAS_LOADER_NAME (1u << 9)

int64_t multiboot_find(const struct boot_file *k, int64_t *bad_at)
{
	*bad_at = -1;
	uint64_t lim = k->size < MB_SEARCH ? k->size : MB_SEARCH;
	for (uint64_t off = 0; off + 12 <= lim; off += 4) {
		const uint8_t *h = k->data + off;
		if (ld32(h) != MB_MAGIC)
			continue;
		if ((uint32_t)(ld32(h) + ld32(h + 4) + ld32(h + 8)) == 0)
			return (int64_t)off;
		if (*bad_at < 0)
			*bad_at = (int64_t)off;
	}
	return -1;
}

/* the a.out kludge: the header says where the file goes */
static int load_aout(struct physmap *pm, const struct boot_file *k, uint64_t off,
		     uint64_t *entry, uint64_t *end)
{
	const char *file = k->path;
	if (!span_ok(off, 32, k->size)) {
		log_error("%s: truncated multiboot header at 0x%llx", file, (unsigned long long)off);
		return -1;
	}
	const uint8_t *h = k->data + off;
	uint64_t header_addr = ld32(h + 12), load_addr = ld32(h + 16);
	uint64_t load_end = ld32(h + 20), bss_end = ld32(h + 24);
	*entry = ld32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > off) {
		log_error("%s: multiboot header_addr 0x%llx and load_addr 0x%llx do not match its place in the file",
			  file, (unsigned long long)header_addr, (unsigned long long)load_addr);
		return -1;
	}
	uint64_t file_off = off - (header_addr - load_addr);
	uint64_t len = k->size - file_off;
	if (load_end) {
		if (load_end < load_addr || load_end - load_addr > len) {
			log_error("%s: multiboot load_end_addr 0x%llx is outside the file", file,
				  (unsigned long long)load_end);
			return -1;
		}
		len = load_end - load_addr;
	}
	uint64_t bss = 0;
	if (bss_end) {
		if (bss_end < load_addr + len) {
			log_error("%s: multiboot bss_end_addr 0x%llx is below the end of the image", file,
				  (unsigned long long)bss_end);
			return -1;
		}
		bss = bss_end - (load_addr + len);
	}
	if (!physmap_is_ram(pm, load_addr, len + bss)) {
		log_error("%s: multiboot image at 0x%llx-0x%llx is outside RAM", file,
			  (unsigned long long)load_addr, (unsigned long long)(load_addr + len + bss - 1));
		return -1;
	}
	if (loader_put(pm, file, "image", load_addr, k->data + file_off, len) < 0 ||
	    loader_put(pm, file, "bss", load_addr + len, NULL, bss) < 0)
		return -1;
	*end = load_addr + len + bss;
	return 0;
}

/* QEMU's syntax: "file args,file args", a doubled comma stands for a comma */
static char *next_module(const char **s)
{
	const char *p = *s;
	char *out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	while (*p) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		out[n++] = *p++;
	}
	out[n] = 0;
	*s = *p ? p + 1 : p;
	return out;
}

static uint64_t put_string(struct loader_arena *a, const char *s, const char *what)
{
	uint64_t len = strlen(s) + 1;
	uint64_t at = arena_alloc(a, len, 1, what);
	if (at && loader_put(a->pm, a->file, what, at, s, len) < 0)
		return 0;
	return at;
}

static int count_modules(const char *list)
{
	int n = 0;
	const char *s = list;
	while (*s) {
		char *m = next_module(&s);
		if (!m)
			return -1;
		free(m);
		n++;
	}
	return n;
}

/* each module: its file loaded page aligned, its string (path and args),
 * and its entry {start, end, string, 0} in the list at mods */
static int put_modules(struct loader_arena *a, const char *list, uint64_t mods)
{
	const char *s = list;
	for (int i = 0; *s; i++) {
		char *m = next_module(&s);
		if (!m) {
			log_error("%s: out of host memory", a->file);
			return -1;
		}
		char *path = strdup(m);
		if (!path) {
			free(m);
			log_error("%s: out of host memory", a->file);
			return -1;
		}
		path[strcspn(path, " ")] = 0;
		struct boot_file f;
		char limit[64];
		snprintf(limit, sizeof(limit), "for %llu MiB of RAM",
			 (unsigned long long)(a->pm->ram_size >> 20));
		int rc = -1;
		if (loader_read(&f, path, 0, a->pm->lowmem, limit) == 0) {
			uint64_t str = put_string(a, m, "module string");
			uint64_t at = str ? arena_alloc(a, f.size ? f.size : 1, PAGE_SIZE_4K, "module") : 0;
			if (at && loader_put(a->pm, path, "module", at, f.data, f.size) == 0) {
				uint8_t e[16] = { 0 };
				st32(e, (uint32_t)at);
				st32(e + 4, (uint32_t)(at + f.size));
				st32(e + 8, (uint32_t)str);
				phys_write(a->pm, mods + 16ull * (uint64_t)i, e, sizeof(e));
				rc = 0;
			}
			loader_free(&f);
		}
		free(path);
		free(m);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int multiboot_load(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
		   const struct boot_file *k, uint64_t off)
{
	const char *file = k->path;
	uint32_t flags = ld32(k->data + off + 4);
	if (flags & 0xffff & ~MB_FLAGS_KNOWN) {
		log_error("%s: multiboot header asks for features we lack (flags 0x%x)", file, flags);
		return -1;
	}
	if (mptable_setup(pm, cfg->ncpus) < 0)
		return -1;
	uint64_t entry, end;
	if (flags & MB_FLAG_AOUT_KLUDGE) {
		if (load_aout(pm, k, off, &entry, &end) < 0)
			return -1;
	} else if (elf_probe(k)) {
		struct elf_image img;
		if (elf_load(pm, k, &img) < 0)
			return -1;
		entry = img.entry;
		end = img.hi;
	} else {
		log_error("%s: multiboot kernel is not ELF and its header has no load addresses", file);
		return -1;
	}
	if (entry > UINT32_MAX) {
		log_error("%s: entry point 0x%llx is above 4 GiB", file, (unsigned long long)entry);
		return -1;
	}

	/* the ACPI tables at the top of low RAM, below them the arena */
	struct boot_acpi acpi;
	if (boot_acpi_setup(pm, cfg, &acpi) < 0)
		return -1;
	if (end > acpi.ram_top) {
		log_error("%s: the kernel (ends 0x%llx) reaches the ACPI tables at 0x%llx", file,
			  (unsigned long long)end, (unsigned long long)acpi.ram_top);
		return -1;
	}
	struct loader_arena a;
	arena_init(&a, pm, file, end);
	a.end = acpi.ram_top;
	uint8_t mbi[MBI_SIZE] = { 0 };
	uint64_t info = arena_alloc(&a, MBI_SIZE, 8, "multiboot information");
	uint64_t gdt = arena_alloc(&a, BOOT_GDT_SIZE, 8, "GDT");
	if (!info || !gdt)
		return -1;

	/* the kernel's path, then -append, as QEMU passes it */
	const char *append = cfg->cmdline ? cfg->cmdline : "";
	size_t cl_len = strlen(file) + 1 + strlen(append) + 1;
	char *cl = malloc(cl_len);
	if (!cl) {
		log_error("%s: out of host memory", file);
		return -1;
	}
	snprintf(cl, cl_len, "%s%s%s", file, *append ? " " : "", append);
	uint64_t cl_at = put_string(&a, cl, "command line");
	free(cl);
	uint64_t name_at = put_string(&a, "trivisor", "boot loader name");
	if (!cl_at || !name_at)
		return -1;

	struct e820_entry e[E820_MAX_ENTRIES];
	int n = e820_build(pm, acpi.ram_top, e);
	uint8_t mm[E820_MAX_ENTRIES * 24];
	for (int i = 0; i < n; i++) {
		uint8_t *p = mm + 24 * i;
		st32(p, 20);		/* size of the rest of the entry */
		st64(p + 4, e[i].addr);
		st64(p + 12, e[i].size);
		st32(p + 20, e[i].type);
	}
	uint64_t mm_at = arena_alloc(&a, 24ull * (uint64_t)n, 8, "memory map");
	if (!mm_at || loader_put(pm, file, "memory map", mm_at, mm, 24ull * (uint64_t)n) < 0)
		return -1;

	const char *list = cfg->initrd ? cfg->initrd : "";
	int nmods = count_modules(list);
	if (nmods < 0) {
		log_error("%s: out of host memory", file);
		return -1;
	}
	uint64_t mods = arena_alloc(&a, 16ull * (uint64_t)(nmods ? nmods : 1), 16, "module list");
	if (!mods || put_modules(&a, list, mods) < 0)
		return -1;

	uint64_t upper = acpi.ram_top > 0x100000 ? (acpi.ram_top - 0x100000) >> 10 : 0;
	st32(mbi + MBI_FLAGS, MBI_HAS_MEM | MBI_HAS_CMDLINE | MBI_HAS_MODS | MBI_HAS_MMAP |
			      MBI_HAS_LOADER_NAME);
	st32(mbi + MBI_MEM_LOWER, 639);
	st32(mbi + MBI_MEM_UPPER, (uint32_t)upper);
	st32(mbi + MBI_CMDLINE, (uint32_t)cl_at);
	st32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
	st32(mbi + MBI_MODS_ADDR, (uint32_t)mods);
	st32(mbi + MBI_MMAP_LENGTH, (uint32_t)(24 * n));
	st32(mbi + MBI_MMAP_ADDR, (uint32_t)mm_at);
	st32(mbi + MBI_BOOT_LOADER_NAME, (uint32_t)name_at);
	if (loader_put(pm, file, "multiboot information", info, mbi, sizeof(mbi)) < 0)
		return -1;

	boot_gdt_write(pm, gdt, false);
	boot_enter32(bsp, gdt, (uint32_t)entry);
	bsp->gpr[R_EAX] = MB_BOOT_MAGIC;
	bsp->gpr[R_EBX] = info;
	return 0;
}
