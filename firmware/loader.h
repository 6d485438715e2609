/* Internal to firmware/: what the kernel loaders (Linux, multiboot, ELF/PVH),
 * the BIOS mapper and the table builders (e820, MP) share. Not for other rooms:
 * they call boot_setup() (firmware/boot.h). */
#ifndef FIRMWARE_LOADER_H
#define FIRMWARE_LOADER_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "firmware/boot.h"

/* a file read whole into host memory */
struct boot_file {
	const char *path;
	uint8_t *data;
	uint64_t size;
	bool mapped;			/* data is the file mapped (loader_free) */
};

/* Reads path whole. Refuses (one error line "PATH: problem", -1) a missing or
 * unreadable file, one smaller than min bytes or larger than max bytes
 * (limit_what finishes "too large ..." e.g. "for 64 MiB of RAM"). */
int loader_read(struct boot_file *f, const char *path, uint64_t min, uint64_t max,
		const char *limit_what);
void loader_free(struct boot_file *f);

/* little-endian fields in byte buffers (file images and guest tables) */
static inline uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t ld32(const uint8_t *p) { return (uint32_t)ld16(p) | (uint32_t)ld16(p + 2) << 16; }
static inline uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static inline void st8(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st32(uint8_t *p, uint32_t v) { st16(p, (uint16_t)v); st16(p + 2, (uint16_t)(v >> 16)); }
static inline void st64(uint8_t *p, uint64_t v) { st32(p, (uint32_t)v); st32(p + 4, (uint32_t)(v >> 32)); }

/* [off, off+len) lies inside a buffer of size bytes, without overflow */
static inline bool span_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#define PAGE_SIZE_4K 0x1000ull
static inline uint64_t page_up(uint64_t v) { return (v + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1); }

/* Copy len bytes (or zeros, when src is NULL) to guest RAM at gpa. When
 * [gpa, gpa+len) is not all RAM: one error line "FILE: WHAT at 0x..-0x.. is
 * outside RAM", -1, nothing written. */
int loader_put(struct physmap *pm, const char *file, const char *what,
	       uint64_t gpa, const void *src, uint64_t len);

/* Bump allocator in guest RAM for the tables and modules a loader places
 * above the kernel: [next, end) must be RAM. */
struct loader_arena {
	struct physmap *pm;
	const char *file;	/* for error lines */
	uint64_t next, end;
};
void arena_init(struct loader_arena *a, struct physmap *pm, const char *file, uint64_t start);
/* guest address of len zeroed bytes aligned to align (a power of two);
 * 0 after an error line when RAM runs out */
uint64_t arena_alloc(struct loader_arena *a, uint64_t len, uint64_t align, const char *what);

/* GDT of the boot protocols: null, null, flat code at 0x10 (64-bit when
 * code64), flat data at 0x18 */
#define BOOT_CS 0x10
#define BOOT_DS 0x18
#define BOOT_GDT_SIZE 32
void boot_gdt_write(struct physmap *pm, uint64_t gpa, bool code64);
/* 32-bit flat protected mode, paging off, interrupts off, all GPRs zero */
void boot_enter32(struct cpu_state *s, uint64_t gdt, uint32_t eip);
/* 64-bit mode with the page tables at cr3, interrupts off, all GPRs zero */
void boot_enter64(struct cpu_state *s, uint64_t gdt, uint64_t cr3, uint64_t rip);

/* e820 map of the board (RAM, the EBDA, the BIOS area, the APIC pages) */
enum { E820_RAM = 1, E820_RESERVED = 2 };
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};
#define E820_MAX_ENTRIES 12
/* low RAM above 1 MiB is usable up to ram_top (pm->lowmem, or where the
 * ACPI tables' zone starts: reserved from there to pm->lowmem) */
int e820_build(const struct physmap *pm, uint64_t ram_top, struct e820_entry *e);

/* MP floating pointer and configuration table for ncpus CPUs and the IOAPIC,
 * plus the BDA's EBDA pointer; -1 after an error line */
#define MP_FLOAT_ADDR 0xf0000ull
#define MP_MAX_CPUS 254
int mptable_setup(struct physmap *pm, int ncpus);
/* the first byte after the MP table of ncpus CPUs */
uint64_t mptable_end(int ncpus);

/* ACPI for a kernel booted directly (boot_config.acpi): the board's tables
 * where SeaBIOS would put them, the RSDP in the F segment after the MP
 * table, the rest in the top BOOT_ACPI_HIGH_SIZE bytes of low RAM (SeaBIOS's
 * high zone, reserved in its e820 map); and the PIIX4 PM block at the
 * PMBASE the FADT names (when boot_config.io is set). Call it after
 * mptable_setup. Less than 1.25 MiB of RAM: no tables. */
#define BOOT_ACPI_HIGH_SIZE 0x20000ull
struct boot_acpi {
	uint64_t rsdp;		/* 0: no ACPI tables */
	uint64_t ram_top;	/* RAM for the kernel ends here (pm->lowmem without ACPI) */
};
/* 0, or -1 after one error line */
int boot_acpi_setup(struct physmap *pm, const struct boot_config *cfg, struct boot_acpi *a);

/* the loaders; each returns 0, or -1 after one error line */
bool linux_probe(const struct boot_file *k);
int linux_load(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
	       const struct boot_file *k);

/* offset of a valid multiboot v1 header, -1 if none. *bad_at is set to the
 * offset of a header whose checksum is wrong (or -1) */
int64_t multiboot_find(const struct boot_file *k, int64_t *bad_at);
int multiboot_load(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
		   const struct boot_file *k, uint64_t hdr_off);

struct elf_image {
	bool is64;
	uint64_t entry;		/* e_entry turned into a physical address when it
				 * falls in a segment loaded elsewhere */
	uint64_t lo, hi;	/* physical span of the loaded segments */
	bool has_pvh;
	uint32_t pvh_entry;
};
bool elf_probe(const struct boot_file *k);
/* check every header, then load the PT_LOAD segments at their physical addresses */
int elf_load(struct physmap *pm, const struct boot_file *k, struct elf_image *img);
int elf_boot(struct physmap *pm, const struct boot_config *cfg, struct cpu_state *bsp,
	     const struct boot_file *k);

int bios_setup(struct physmap *pm, const char *path);

#endif
