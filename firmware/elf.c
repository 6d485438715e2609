/* ELF32/ELF64 kernels: PT_LOAD segments at their physical addresses, entered
 * in 32-bit flat protected mode, or at the PVH entry (Xen note 18) with an
 * hvm_start_info as QEMU gives it. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#include <stdlib.h>
#include "hw/log.h"

#define PT_LOAD 1
#define PT_NOTE 4
#define EM_386 3
#define EM_X86_64 62
#define ET_EXEC 2
#define ET_DYN 3
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PVH_MAGIC 0x336ec578u
#define PVH_INFO_SIZE 56
#define PVH_MOD_SIZE 32
#define PVH_MMAP_SIZE 24

/* one program header, widened */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct ehdr {
	bool is64;
	uint16_t type, machine;
	uint64_t entry, phoff;
	uint16_t phentsize, phnum;
};

bool elf_probe(const struct boot_file *k)
{
	return k->size >= 4 && !memcmp(k->data, "\x7f" "ELF", 4);
}

static int parse_ehdr(const struct boot_file *k, struct ehdr *h)
{
	const uint8_t *d = k->data;
	if (k->size < 52 || (d[4] != 1 && d[4] != 2)) {
		log_error("%s: truncated or unknown-class ELF header", k->path);
		return -1;
	}
	h->is64 = d[4] == 2;
	if (h->is64 && k->size < 64) {
		log_error("%s: truncated ELF header", k->path);
		return -1;
	}
	if (d[5] != 1) {
		log_error("%s: big-endian ELF is not an x86 kernel", k->path);
		return -1;
	}
	h->type = ld16(d + 0x10);
	h->machine = ld16(d + 0x12);
	if (h->is64) {
		h->entry = ld64(d + 0x18);
		h->phoff = ld64(d + 0x20);
		h->phentsize = ld16(d + 0x36);
		h->phnum = ld16(d + 0x38);
	} else {
		h->entry = ld32(d + 0x18);
		h->phoff = ld32(d + 0x1c);
		h->phentsize = ld16(d + 0x2a);
		h->phnum = ld16(d + 0x2c);
	}
	if (h->machine != EM_386 && h->machine != EM_X86_64) {
		log_error("%s: ELF for machine %u, not x86", k->path, h->machine);
		return -1;
	}
	if (h->type != ET_EXEC && h->type != ET_DYN) {
		log_error("%s: ELF type %u is not an executable", k->path, h->type);
		return -1;
	}
	uint64_t want = h->is64 ? 56 : 32;
	if (h->phnum == 0 || h->phentsize < want ||
	    !span_ok(h->phoff, (uint64_t)h->phentsize * h->phnum, k->size)) {
		log_error("%s: ELF program headers missing or outside the file", k->path);
		return -1;
	}
	return 0;
}

static void get_phdr(const struct boot_file *k, const struct ehdr *h, int i, struct phdr *p)
{
	const uint8_t *d = k->data + h->phoff + (uint64_t)h->phentsize * (uint64_t)i;
	p->type = ld32(d);
	if (h->is64) {
		p->offset = ld64(d + 8);
		p->vaddr = ld64(d + 16);
		p->paddr = ld64(d + 24);
		p->filesz = ld64(d + 32);
		p->memsz = ld64(d + 40);
	} else {
		p->offset = ld32(d + 4);
		p->vaddr = ld32(d + 8);
		p->paddr = ld32(d + 12);
		p->filesz = ld32(d + 16);
		p->memsz = ld32(d + 20);
	}
}

/* the PVH entry from a Xen note in a PT_NOTE segment; notes are 4-aligned */
static void find_pvh(const struct boot_file *k, const struct phdr *p, struct elf_image *img)
{
	if (!span_ok(p->offset, p->filesz, k->size))
		return;
	const uint8_t *d = k->data + p->offset;
	uint64_t left = p->filesz;
	while (left >= 12) {
		uint64_t namesz = ld32(d), descsz = ld32(d + 4);
		uint32_t type = ld32(d + 8);
		uint64_t name_pad = (namesz + 3) & ~3ull, desc_pad = (descsz + 3) & ~3ull;
		if (name_pad > left - 12 || desc_pad > left - 12 - name_pad)
			return;
		const uint8_t *name = d + 12, *desc = name + name_pad;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && !memcmp(name, "Xen", 4) &&
		    (descsz == 4 || descsz == 8)) {
			uint64_t v = descsz == 4 ? ld32(desc) : ld64(desc);
			if (v <= UINT32_MAX) {
				img->has_pvh = true;
				img->pvh_entry = (uint32_t)v;
			}
			return;
		}
		d = desc + desc_pad;
		left -= 12 + name_pad + desc_pad;
	}
}

int elf_load(struct physmap *pm, const struct boot_file *k, struct elf_image *img)
{
	struct ehdr h;
	if (parse_ehdr(k, &h) < 0)
		return -1;
	memset(img, 0, sizeof(*img));
	img->is64 = h.is64;
	img->entry = h.entry;
	img->lo = UINT64_MAX;
	/* check everything before writing anything */
	int nload = 0;
	for (int i = 0; i < h.phnum; i++) {
		struct phdr p;
		get_phdr(k, &h, i, &p);
		if (p.type == PT_NOTE)
			find_pvh(k, &p, img);
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		if (p.filesz > p.memsz || !span_ok(p.offset, p.filesz, k->size)) {
			log_error("%s: ELF segment %d lies outside the file", k->path, i);
			return -1;
		}
		if (p.paddr + p.memsz < p.paddr || !physmap_is_ram(pm, p.paddr, p.memsz)) {
			log_error("%s: ELF segment %d at 0x%llx-0x%llx is outside RAM", k->path, i,
				  (unsigned long long)p.paddr, (unsigned long long)(p.paddr + p.memsz - 1));
			return -1;
		}
		if (p.paddr < img->lo)
			img->lo = p.paddr;
		if (p.paddr + p.memsz > img->hi)
			img->hi = p.paddr + p.memsz;
		/* with paging off the entry is physical: move it as its segment moved */
		if (h.entry >= p.vaddr && h.entry - p.vaddr < p.memsz)
			img->entry = p.paddr + (h.entry - p.vaddr);
		nload++;
	}
	if (nload == 0) {
		log_error("%s: ELF has no loadable segment", k->path);
		return -1;
	}
	for (int i = 0; i < h.phnum; i++) {
		struct phdr p;
		get_phdr(k, &h, i, &p);
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		if (loader_put(pm, k->path, "ELF segment", p.paddr, k->data + p.offset, p.filesz) < 0 ||
		    loader_put(pm, k->path, "ELF segment", p.paddr + p.filesz, NULL, p.memsz - p.filesz) < 0)
			return -1;
	}
	return 0;
}

/* hvm_start_info (version 1), the initrd as its one module, the memory map */
static int put_pvh_info(struct loader_arena *a, const struct boot_config *cfg,
			const struct boot_acpi *acpi, uint64_t *info_at)
{
	struct physmap *pm = a->pm;
	uint8_t info[PVH_INFO_SIZE] = { 0 };
	uint64_t info_gpa = arena_alloc(a, PVH_INFO_SIZE, 8, "PVH start info");
	if (!info_gpa)
		return -1;

	const char *cl = cfg->cmdline ? cfg->cmdline : "";
	uint64_t cl_len = strlen(cl) + 1;
	uint64_t cl_at = arena_alloc(a, cl_len, 1, "command line");
	if (!cl_at || loader_put(pm, a->file, "command line", cl_at, cl, cl_len) < 0)
		return -1;

	struct e820_entry e[E820_MAX_ENTRIES];
	int n = e820_build(pm, acpi->ram_top, e);
	uint8_t mm[E820_MAX_ENTRIES * PVH_MMAP_SIZE] = { 0 };
	for (int i = 0; i < n; i++) {
		st64(mm + PVH_MMAP_SIZE * i, e[i].addr);
		st64(mm + PVH_MMAP_SIZE * i + 8, e[i].size);
		st32(mm + PVH_MMAP_SIZE * i + 16, e[i].type);
	}
	uint64_t mm_len = (uint64_t)PVH_MMAP_SIZE * (uint64_t)n;
	uint64_t mm_at = arena_alloc(a, mm_len, 8, "memory map");
	if (!mm_at || loader_put(pm, a->file, "memory map", mm_at, mm, mm_len) < 0)
		return -1;

	uint32_t nmods = 0;
	uint64_t mod_at = 0;
	if (cfg->initrd) {
		struct boot_file f;
		char limit[64];
		snprintf(limit, sizeof(limit), "for %llu MiB of RAM", (unsigned long long)(pm->ram_size >> 20));
		if (loader_read(&f, cfg->initrd, 0, pm->lowmem, limit) < 0)
			return -1;
		uint8_t mod[PVH_MOD_SIZE] = { 0 };
		mod_at = arena_alloc(a, PVH_MOD_SIZE, 8, "module list");
		uint64_t at = mod_at ? arena_alloc(a, f.size ? f.size : 1, PAGE_SIZE_4K, "initrd") : 0;
		int rc = at ? loader_put(pm, cfg->initrd, "initrd", at, f.data, f.size) : -1;
		st64(mod, at);
		st64(mod + 8, f.size);
		loader_free(&f);
		if (rc < 0 || loader_put(pm, a->file, "module list", mod_at, mod, sizeof(mod)) < 0)
			return -1;
		nmods = 1;
	}

	st32(info, PVH_MAGIC);
	st32(info + 4, 1);		/* version 1: has the memory map */
	st32(info + 12, nmods);
	st64(info + 16, mod_at);
	st64(info + 24, cl_at);
	st64(info + 32, acpi->rsdp);	/* 0: no ACPI tables */
	st64(info + 40, mm_at);
	st32(info + 48, (uint32_t)n);
	*info_at = info_gpa;
	return loader_put(pm, a->file, "PVH start info", info_gpa, info, sizeof(info));
}

int elf_boot(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
	     const struct boot_file *k)
{
	if (mptable_setup(pm, cfg->ncpus) < 0)
		return -1;
	struct elf_image img;
	if (elf_load(pm, k, &img) < 0)
		return -1;
	uint64_t entry = img.has_pvh ? img.pvh_entry : img.entry;
	if (entry > UINT32_MAX) {
		log_error("%s: entry point 0x%llx is above 4 GiB (a 64-bit kernel without a PVH entry note)",
			  k->path, (unsigned long long)entry);
		return -1;
	}
	/* the ACPI tables at the top of low RAM, below them the arena */
	struct boot_acpi acpi;
	if (boot_acpi_setup(pm, cfg, &acpi) < 0)
		return -1;
	if (img.hi > acpi.ram_top && img.lo < pm->lowmem) {
		log_error("%s: the kernel (0x%llx-0x%llx) reaches the ACPI tables at 0x%llx", k->path,
			  (unsigned long long)img.lo, (unsigned long long)img.hi,
			  (unsigned long long)acpi.ram_top);
		return -1;
	}
	struct loader_arena a;
	arena_init(&a, pm, k->path, img.hi);
	a.end = acpi.ram_top;
	uint64_t gdt = arena_alloc(&a, BOOT_GDT_SIZE, 8, "GDT");
	if (!gdt)
		return -1;
	uint64_t info = 0;
	if (img.has_pvh && put_pvh_info(&a, cfg, &acpi, &info) < 0)
		return -1;
	boot_gdt_write(pm, gdt, false);
	boot_enter32(bsp, gdt, (uint32_t)entry);
	bsp->gpr[R_EBX] = info;
	return 0;
}
