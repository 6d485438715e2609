/* The fw_cfg items of the PC board: what SeaBIOS reads to set the machine up. */
// SPDX-License-Identifier: MIT
#include "firmware/pcfw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firmware/acpi.h"
#include "firmware/smbios.h"
#include "hw/log.h"
#include "mmu/physmap.h"	/* PHYSMAP_LOWMEM_MAX, PHYSMAP_HIGHMEM_BASE */

#define E820_ENTRY_SIZE 20	/* u64 address, u64 length, u32 type, packed */
#define E820_RAM 1
#define E820_RESERVED 2

/* SeaBIOS's device paths (src/boot.c): the PIIX3 sits at 00:01.0, its IDE
 * function at 00:01.1 */
#define IDE_PATH "/pci@i0cf8/ide@1,1/drive@%x/disk@%x"
#define FDC_PATH "/pci@i0cf8/isa@1/fdc@03f0/floppy@%x"

static void st_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int add_e820(struct fwcfg *fw, const struct pcfw_config *c, uint64_t low, uint64_t high)
{
	uint8_t t[(2 + PCFW_MAX_RESERVED) * E820_ENTRY_SIZE];
	int n = 0;
	/* QEMU lists the RAM only; SeaBIOS adds the BIOS and EBDA itself */
	st_le(t, 0, 8);
	st_le(t + 8, low, 8);
	st_le(t + 16, E820_RAM, 4);
	n++;
	if (high) {
		st_le(t + 20, PHYSMAP_HIGHMEM_BASE, 8);
		st_le(t + 28, high, 8);
		st_le(t + 36, E820_RAM, 4);
		n++;
	}
	if (c->nreserved < 0 || c->nreserved > PCFW_MAX_RESERVED) {
		log_error("fw_cfg: %d reserved ranges (at most %d)", c->nreserved, PCFW_MAX_RESERVED);
		return -1;
	}
	for (int i = 0; i < c->nreserved; i++, n++) {
		uint8_t *e = t + n * E820_ENTRY_SIZE;
		st_le(e, c->reserved[i].addr, 8);
		st_le(e + 8, c->reserved[i].size, 8);
		st_le(e + 16, E820_RESERVED, 4);
	}
	return fwcfg_add_file(fw, "etc/e820", t, (size_t)n * E820_ENTRY_SIZE) < 0 ? -1 : 0;
}

/* one path per line, NUL at the end, as QEMU writes it */
static int add_bootorder(struct fwcfg *fw, const struct pcfw_config *c)
{
	const char *o = c->boot_order;
	if (!o || !*o)
		return 0;
	char text[1024] = "", line[80];
	bool used_ide[PCFW_IDE_DRIVES] = { false }, used_fd[2] = { false };
	for (; *o; o++) {
		switch (*o) {
		case 'a':
		case 'b':
			for (int d = 0; d < c->floppies && d < 2; d++) {
				if (used_fd[d])
					continue;
				used_fd[d] = true;
				snprintf(line, sizeof(line), FDC_PATH "\n", d);
				strcat(text, line);
			}
			break;
		case 'c':
		case 'd':
			for (int i = 0; i < PCFW_IDE_DRIVES; i++) {
				enum pcfw_drive want = *o == 'c' ? PCFW_DISK : PCFW_CDROM;
				if (c->ide[i] != want || used_ide[i])
					continue;
				used_ide[i] = true;
				snprintf(line, sizeof(line), IDE_PATH "\n", i / 2, i % 2);
				strcat(text, line);
			}
			break;
		case 'n':
			break;		/* no network card to name */
		default:
			log_error("boot order '%s': unknown device letter '%c' (a, c, d or n)",
				  c->boot_order, *o);
			return -1;
		}
	}
	size_t len = strlen(text);
	if (len)
		text[len - 1] = 0;	/* lines are separated, not terminated */
	else
		return 0;
	return fwcfg_add_file(fw, "bootorder", text, len) < 0 ? -1 : 0;
}

static int add_acpi(struct fwcfg *fw, const struct pcfw_config *c, uint64_t low)
{
	struct acpi_config a;
	acpi_board_config(&a, c->ncpus, low, c->hpet, c->floppies, c->ncom);
	struct acpi_blobs b;
	if (acpi_build(&a, &b) < 0)
		return -1;
	int r = 0;
	if (fwcfg_add_file(fw, ACPI_FILE_RSDP, b.rsdp, b.rsdp_len) < 0 ||
	    fwcfg_add_file(fw, ACPI_FILE_TABLES, b.tables, b.tables_len) < 0 ||
	    fwcfg_add_file(fw, ACPI_FILE_LOADER, b.loader, b.loader_len) < 0)
		r = -1;
	acpi_blobs_free(&b);
	return r;
}

static int add_smbios(struct fwcfg *fw, const struct pcfw_config *c, uint64_t low, uint64_t high)
{
	struct smbios_config s = {
		.ncpus = c->ncpus,
		.lowmem = low,
		.highmem = high,
		.cpuid_eax = c->cpuid_eax,
		.cpuid_edx = c->cpuid_edx,
	};
	memcpy(s.uuid, c->uuid, sizeof(s.uuid));
	struct smbios_blobs b;
	if (smbios_build(&s, &b) < 0)
		return -1;
	int r = 0;
	if (fwcfg_add_file(fw, SMBIOS_FILE_ANCHOR, b.anchor, sizeof(b.anchor)) < 0 ||
	    fwcfg_add_file(fw, SMBIOS_FILE_TABLES, b.tables, b.tables_len) < 0)
		r = -1;
	smbios_blobs_free(&b);
	return r;
}

int pcfw_setup(struct fwcfg *fw, const struct pcfw_config *c)
{
	uint64_t low = c->ram_size < PHYSMAP_LOWMEM_MAX ? c->ram_size : PHYSMAP_LOWMEM_MAX;
	uint64_t high = c->ram_size - low;
	if (c->ncpus < 1 || c->ncpus > ACPI_MAX_CPUS) {
		log_error("fw_cfg: %d CPUs (1 to %d)", c->ncpus, ACPI_MAX_CPUS);
		return -1;
	}
	int r = 0;
	r |= fwcfg_add_i64(fw, FWCFG_RAM_SIZE, c->ram_size);
	r |= fwcfg_add_i16(fw, FWCFG_NB_CPUS, (uint16_t)c->ncpus);
	r |= fwcfg_add_i16(fw, FWCFG_MAX_CPUS, (uint16_t)c->ncpus);
	r |= fwcfg_add_bytes(fw, FWCFG_UUID, c->uuid, sizeof(c->uuid));
	r |= fwcfg_add_i16(fw, FWCFG_NOGRAPHIC, c->nographic);
	r |= fwcfg_add_i16(fw, FWCFG_BOOT_MENU, c->boot_menu);
	/* the PIT's IRQ 0 reaches the IOAPIC on pin 2 */
	r |= fwcfg_add_i32(fw, FWCFG_IRQ0_OVERRIDE, 1);
	/* NUMA: no nodes; then a node number per CPU, all zero */
	size_t numa_len = 8 * (1 + (size_t)c->ncpus);
	uint8_t *numa = calloc(1, numa_len);
	if (!numa)
		r = -1;
	else
		r |= fwcfg_add_bytes(fw, FWCFG_NUMA, numa, numa_len);
	free(numa);
	if (r) {
		log_error("fw_cfg: out of memory");
		return -1;
	}
	uint8_t wait[4];
	st_le(wait, c->reboot_on_boot_fail ? c->boot_fail_wait_ms : 0xffffffffu, 4);
	if (fwcfg_add_file(fw, "etc/boot-fail-wait", wait, sizeof(wait)) < 0)
		return -1;
	if (add_e820(fw, c, low, high) < 0 || add_bootorder(fw, c) < 0 ||
	    add_smbios(fw, c, low, high) < 0 || add_acpi(fw, c, low) < 0)
		return -1;
	return 0;
}
