/* boot_setup: pick the BIOS or a kernel loader; the helpers loaders share. */
// SPDX-License-Identifier: MIT
#include "firmware/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "firmware/acpi.h"
#include "firmware/loader.h"
#include "hw/log.h"

/* size bytes of fd into buf; -1 after one error line */
static int read_all(int fd, const char *path, uint8_t *buf, uint64_t size)
{
	uint64_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s: %s", path, strerror(errno));
			return -1;
		}
		if (n == 0) {
			log_error("%s: file shrank while being read", path);
			return -1;
		}
		got += (uint64_t)n;
	}
	return 0;
}

int loader_read(struct boot_file *f, const char *path, uint64_t min, uint64_t max,
		const char *limit_what)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	/* O_NONBLOCK: opening a FIFO would wait for a writer; it is then
	 * refused as not a regular file */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		log_error("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s: not a regular file", path);
		goto fail;
	}
	uint64_t size = (uint64_t)st.st_size;
	if (size == 0 && min > 0) {
		log_error("%s: empty file", path);
		goto fail;
	}
	if (size < min) {
		log_error("%s: too small (%llu bytes)", path, (unsigned long long)size);
		goto fail;
	}
	if (size > max) {
		log_error("%s: too large (%llu bytes) %s", path, (unsigned long long)size, limit_what);
		goto fail;
	}
	/* mapped rather than read: a read into fresh memory faulted its pages
	 * in one by one, 30 ms of a boot's start for an 8 MiB kernel on a
	 * host whose page faults are slow; the page cache's pages are mapped
	 * in one go. The loaders only read it. An empty file, or one mmap
	 * refuses, is read. */
	void *m = size > 0 ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
			   : MAP_FAILED;
	if (m != MAP_FAILED) {
		f->data = m;
		f->mapped = true;
	} else {
		/* +1 so an empty file still gets a buffer */
		f->data = malloc(size + 1);
		if (!f->data) {
			log_error("%s: out of host memory for %llu bytes", path,
				  (unsigned long long)size);
			goto fail;
		}
		if (read_all(fd, path, f->data, size) < 0)
			goto fail;
	}
	f->size = size;
	close(fd);
	return 0;
fail:
	free(f->data);
	f->data = NULL;
	close(fd);
	return -1;
}

void loader_free(struct boot_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		free(f->data);
	f->mapped = false;
	f->data = NULL;
	f->size = 0;
}

int loader_put(struct physmap *pm, const char *file, const char *what,
	       uint64_t gpa, const void *src, uint64_t len)
{
	if (len == 0)
		return 0;
	if (gpa + len < gpa || !physmap_is_ram(pm, gpa, len)) {
		log_error("%s: %s at 0x%llx-0x%llx is outside RAM", file, what,
			  (unsigned long long)gpa, (unsigned long long)(gpa + len - 1));
		return -1;
	}
	/* region by region: RAM below 1 MiB is split around the VGA window */
	const uint8_t *s = src;
	while (len) {
		const struct physmap_region *r = physmap_find(pm, gpa);
		uint64_t n = r->gpa + r->size - gpa;
		if (n > len)
			n = len;
		uint8_t *h = r->host + (gpa - r->gpa);
		if (s) {
			memcpy(h, s, n);
			s += n;
		} else {
			memset(h, 0, n);
		}
		gpa += n;
		len -= n;
	}
	return 0;
}

void arena_init(struct loader_arena *a, struct physmap *pm, const char *file, uint64_t start)
{
	a->pm = pm;
	a->file = file;
	a->next = page_up(start < 0x100000 ? 0x100000 : start);
	a->end = pm->lowmem;
}

uint64_t arena_alloc(struct loader_arena *a, uint64_t len, uint64_t align, const char *what)
{
	uint64_t at = (a->next + align - 1) & ~(align - 1);
	if (at < a->next || at > a->end || len > a->end - at) {
		log_error("%s: no room in RAM for the %s (%llu bytes above 0x%llx)", a->file, what,
			  (unsigned long long)len, (unsigned long long)a->next);
		return 0;
	}
	if (loader_put(a->pm, a->file, what, at, NULL, len) < 0)
		return 0;
	a->next = at + len;
	return at;
}

/* descriptor: base 0, limit 0xfffff pages; access byte and flags nibble */
static uint64_t gdt_flat(uint8_t access, uint8_t flags)
{
	return 0xffffull | 0xfull << 48 | (uint64_t)access << 40 | (uint64_t)flags << 52;
}

void boot_gdt_write(struct physmap *pm, uint64_t gpa, bool code64)
{
	uint8_t g[BOOT_GDT_SIZE] = { 0 };
	/* accessed bits set: the CPU would set them on the first load anyway */
	st64(g + BOOT_CS, gdt_flat(0x9b, code64 ? 0xa : 0xc));
	st64(g + BOOT_DS, gdt_flat(0x93, 0xc));
	phys_write(pm, gpa, g, sizeof(g));
}

#define ATTR_CODE32 (0xbu | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)
#define ATTR_CODE64 (0xbu | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_L | SEG_ATTR_G)
#define ATTR_DATA   (0x3u | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G)

static void enter_common(struct cpu_state *s, uint64_t gdt, uint32_t code_attr)
{
	memset(s->gpr, 0, sizeof(s->gpr));
	s->rflags = FL_FIXED;
	cpu_seg_flat(&s->seg[S_CS], BOOT_CS, code_attr);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		if (i != S_CS)
			cpu_seg_flat(&s->seg[i], BOOT_DS, ATTR_DATA);
	s->gdt.base = gdt;
	s->gdt.limit = BOOT_GDT_SIZE - 1;
	/* a busy 32-bit TSS at 0 as PVH asks; VMX needs a usable TR anyway */
	s->tr.selector = 0;
	s->tr.base = 0;
	s->tr.limit = 0x67;
	s->tr.attr = SEG_ATTR_P | 0xb;
	/* caches on: CD/NW left from reset would make KVM map memory uncached */
	s->cr0 = CR0_PE | CR0_ET;
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	s->run_state = CPU_RUNNING;
}

void boot_enter32(struct cpu_state *s, uint64_t gdt, uint32_t eip)
{
	enter_common(s, gdt, ATTR_CODE32);
	s->rip = eip;
}

void boot_enter64(struct cpu_state *s, uint64_t gdt, uint64_t cr3, uint64_t rip)
{
	enter_common(s, gdt, ATTR_CODE64);
	s->cr0 |= CR0_PG;
	s->cr3 = cr3;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
	s->rip = rip;
}

/* PCI configuration mechanism #1, as a BIOS uses it */
#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PIIX4_PMBA 0x40
#define PIIX4_PMREGMISC 0x80		/* bit 0: the PM I/O block is decoded */

static void pci_conf_write(struct bus *io, unsigned devfn, unsigned reg, uint32_t v, unsigned size)
{
	bus_write(io, PCI_CONF_ADDR, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
	bus_write(io, PCI_CONF_DATA + (reg & 3), v, size);
}

int boot_acpi_setup(struct physmap *pm, const struct boot_config *cfg, struct boot_acpi *a)
{
	a->rsdp = 0;
	a->ram_top = pm->lowmem;
	if (!cfg->acpi)
		return 0;
	/* SeaBIOS's piix4_pm_setup: the PM block at 0x600, where the FADT
	 * says it is (the SMBus is where it stays from reset) */
	if (cfg->io) {
		uint32_t saved = (uint32_t)bus_read(cfg->io, PCI_CONF_ADDR, 4);
		pci_conf_write(cfg->io, PIIX4_PM_DEVFN, PIIX4_PMBA, PIIX4_PM_BASE | 1, 4);
		pci_conf_write(cfg->io, PIIX4_PM_DEVFN, PIIX4_PMREGMISC, 1, 1);
		bus_write(cfg->io, PCI_CONF_ADDR, saved, 4);
	}
	/* a machine too small for them gets none */
	if (pm->lowmem < 0x100000 + 2 * BOOT_ACPI_HIGH_SIZE)
		return 0;
	struct acpi_config c;
	acpi_board_config(&c, cfg->ncpus, pm->lowmem, cfg->hpet, cfg->floppies, cfg->ncom);
	struct acpi_blobs b;
	if (acpi_build(&c, &b) < 0)
		return -1;
	struct acpi_zone high = { pm->lowmem - BOOT_ACPI_HIGH_SIZE, pm->lowmem };
	/* in the F segment after the MP table, which is there already */
	struct acpi_zone fseg = { (mptable_end(cfg->ncpus) + 15) & ~15ull, 0x100000 };
	struct acpi_placed where;
	int rc = acpi_install(pm, &b, &high, &fseg, &where);
	acpi_blobs_free(&b);
	if (rc < 0)
		return -1;
	a->rsdp = where.rsdp;
	a->ram_top = high.start;
	return 0;
}

int boot_setup(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp)
{
	if (!cfg->kernel)
		return bios_setup(pm, cfg->bios ? cfg->bios : BOOT_DEFAULT_BIOS);

	if (cfg->ncpus < 1 || cfg->ncpus > MP_MAX_CPUS) {
		log_error("%d CPUs: the MP table takes 1 to %d", cfg->ncpus, MP_MAX_CPUS);
		return -1;
	}
	char limit[64];
	snprintf(limit, sizeof(limit), "for %llu MiB of RAM", (unsigned long long)(pm->ram_size >> 20));
	struct boot_file k;
	/* 12 bytes: the smallest thing we could load, a multiboot header */
	if (loader_read(&k, cfg->kernel, 12, pm->ram_size, limit) < 0)
		return -1;

	int rc;
	int64_t bad_mb = -1, mb;
	if (linux_probe(&k)) {
		rc = linux_load(pm, cfg, bsp, &k);
	} else if ((mb = multiboot_find(&k, &bad_mb)) >= 0) {
		rc = multiboot_load(pm, cfg, bsp, &k, (uint64_t)mb);
	} else if (elf_probe(&k)) {
		rc = elf_boot(pm, cfg, bsp, &k);
	} else if (bad_mb >= 0) {
		log_error("%s: multiboot header at 0x%llx has a bad checksum", k.path,
			  (unsigned long long)bad_mb);
		rc = -1;
	} else {
		log_error("%s: not a Linux bzImage, multiboot or ELF kernel", k.path);
		rc = -1;
	}
	loader_free(&k);
	return rc;
}
