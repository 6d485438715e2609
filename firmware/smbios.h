/* SMBIOS 2.8 tables of the PC board, as QEMU hands them to SeaBIOS:
 *   "etc/smbios/smbios-anchor"  the 31-byte 2.1-style entry point ("_SM_"),
 *                               table address 0: SeaBIOS places the tables
 *                               and fills the address and checksums in
 *   "etc/smbios/smbios-tables"  the structures: 0 (only when bios_vendor is
 *                               set; otherwise SeaBIOS adds its own, as with
 *                               QEMU), 1, 3, 4 per CPU, 16, 17 per 16 GiB of
 *                               RAM, 19 per RAM range, 32, 127 */
#ifndef FIRMWARE_SMBIOS_H
#define FIRMWARE_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_FILE_ANCHOR "etc/smbios/smbios-anchor"
#define SMBIOS_FILE_TABLES "etc/smbios/smbios-tables"
#define SMBIOS_ANCHOR_LEN 31
#define SMBIOS_MAX_CPUS 255

struct smbios_config {
	int ncpus;
	uint64_t lowmem, highmem;	/* RAM at 0 and at 4 GiB, bytes */
	uint8_t uuid[16];
	uint32_t cpuid_eax, cpuid_edx;	/* leaf 1: the processor ID of type 4 */
	const char *manufacturer;	/* types 1, 3, 4, 17; NULL: "trivisor" */
	const char *product;		/* type 1; NULL: the board's name */
	const char *bios_vendor, *bios_version, *bios_date;	/* type 0 if vendor */
};

struct smbios_blobs {
	uint8_t anchor[SMBIOS_ANCHOR_LEN];
	uint8_t *tables;
	size_t tables_len;
};

/* 0, or -1 after one error line */
int smbios_build(const struct smbios_config *cfg, struct smbios_blobs *out);
void smbios_blobs_free(struct smbios_blobs *b);

#endif
