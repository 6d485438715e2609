/* The ACPI tables of the PC board, delivered as QEMU delivers them: three
 * fw_cfg files that SeaBIOS's table loader installs.
 *   "etc/acpi/rsdp"    the RSDP (v2: RSDT and XSDT), for the F segment
 *   "etc/acpi/tables"  FACS, DSDT, FADT, MADT, HPET (if any), SSDT, RSDT,
 *                      XSDT, one after another, pointers as offsets
 *   "etc/table-loader" 128-byte commands: ALLOCATE each file, ADD_POINTER
 *                      to turn offsets into addresses, ADD_CHECKSUM
 * The DSDT is firmware/dsdt.asl, compiled by iasl at build time; the PCI
 * hole start and which devices exist are patched into it here. */
#ifndef FIRMWARE_ACPI_H
#define FIRMWARE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hw/piix4_pm.h"	/* the PM block the FADT describes */

/* the PIIX4 power-management block as SeaBIOS programs it when the table
 * loader is present (PMBASE 0x600); its numbers are hw/piix4_pm.h's */
#define ACPI_PM1A_EVT PIIX4_PM1A_EVT_BLK	/* 4 bytes: status, enable */
#define ACPI_PM1A_CNT PIIX4_PM1A_CNT_BLK	/* 2 bytes */
#define ACPI_PM_TMR PIIX4_PM_TMR_BLK		/* 4 bytes, 24-bit counter */
#define ACPI_GPE0 PIIX4_GPE0_BLK		/* status, enable */
#define ACPI_GPE0_LEN PIIX4_GPE0_BLK_LEN
#define ACPI_SCI_IRQ PIIX4_SCI_IRQ
#define ACPI_SMI_CMD PIIX4_SMI_CMD		/* APM control port */
#define ACPI_ENABLE_CMD PIIX4_ACPI_ENABLE
#define ACPI_DISABLE_CMD PIIX4_ACPI_DISABLE
#define ACPI_RESET_PORT 0xcf9			/* PIIX3 reset control */
#define ACPI_RESET_VALUE 0x06			/* SYS_RST | RST_CPU: hard reset */

#define ACPI_MAX_CPUS 255

#define ACPI_FILE_RSDP "etc/acpi/rsdp"
#define ACPI_FILE_TABLES "etc/acpi/tables"
#define ACPI_FILE_LOADER "etc/table-loader"

struct acpi_config {
	int ncpus;		/* local APIC ids 0 .. ncpus-1 */
	uint64_t lowmem;	/* RAM below 4 GiB: the 32-bit PCI hole starts here */
	uint8_t ioapic_id;
	bool hpet, floppy;
	int ncom;		/* COM1 and COM2 present: 0, 1 or 2 */
	/* 0: the FADT has no SMI command port, so the OS takes ACPI mode
	 * (SCI_EN) as already on; else the APM port that turns it on */
	uint16_t smi_cmd;
	bool reset_reg;		/* the FADT names the 0xcf9 reset register */
};

struct acpi_blobs {
	uint8_t *rsdp, *tables, *loader;
	size_t rsdp_len, tables_len, loader_len;
};

/* 0, or -1 after one error line (a config it cannot describe) */
int acpi_build(const struct acpi_config *cfg, struct acpi_blobs *out);
void acpi_blobs_free(struct acpi_blobs *b);

/* the table loader's commands (SeaBIOS src/fw/romfile_loader.h) */
#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILESZ 56
enum acpi_loader_cmd {
	ACPI_LOADER_ALLOCATE = 1,
	ACPI_LOADER_ADD_POINTER = 2,
	ACPI_LOADER_ADD_CHECKSUM = 3,
};
enum acpi_loader_zone { ACPI_ZONE_HIGH = 1, ACPI_ZONE_FSEG = 2 };

#endif
