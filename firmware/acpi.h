/* The ACPI tables of the PC board, delivered as QEMU delivers them: three
 * fw_cfg files that SeaBIOS's table loader installs.
 *   "etc/acpi/rsdp"    the RSDP (v2: RSDT and XSDT), for the F segment
 *   "etc/acpi/tables"  FACS, DSDT, FADT, MADT, HPET (if any), SSDT, RSDT,
 *                      XSDT, one after another, pointers as offsets
 *   "etc/table-loader" 128-byte commands: ALLOCATE each file, ADD_POINTER
 *                      to turn offsets into addresses, ADD_CHECKSUM
 * The DSDT is firmware/dsdt.asl, compiled by iasl at build time; the PCI
 * hole start and which devices exist are patched into it here.
 * A kernel booted without a BIOS gets the same tables: firmware/acpi_load.c
 * runs the loader script as SeaBIOS does and writes them into guest RAM. */
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

/* The configuration of trivisor's PC board for acpi_build: what SeaBIOS
 * gets through fw_cfg (firmware/pcfw.c) and what a kernel booted without a
 * BIOS gets (firmware/boot.c) are the same tables. lowmem: RAM below 4 GiB;
 * floppies: drives on the FDC (0: no FDC in the DSDT). */
void acpi_board_config(struct acpi_config *a, int ncpus, uint64_t lowmem, bool hpet,
		       int floppies, int ncom);

/* ---- running the loader script, as SeaBIOS's romfile_loader does ---- */

/* guest RAM [start, end) that ALLOCATE takes from, bottom up */
struct acpi_zone {
	uint64_t start, end;
};

/* the two files after the script ran: patched copies and where they go */
struct acpi_loaded {
	uint8_t *rsdp, *tables;
	size_t rsdp_len, tables_len;
	uint64_t rsdp_addr, tables_addr;
};

/* Runs b->loader over copies of b's files: ALLOCATE places a file in its
 * zone (aligned; each file once), ADD_POINTER adds a file's address to a
 * field of another, ADD_CHECKSUM fixes a checksum byte. Stops at the first
 * command SeaBIOS would refuse (unknown command or file, a pointer or
 * checksum outside its file, a file used before its ALLOCATE) or a zone
 * too small: one error line, -1, nothing in out. Both files must end up
 * allocated. */
int acpi_loader_run(const struct acpi_blobs *b, const struct acpi_zone *high,
		    const struct acpi_zone *fseg, struct acpi_loaded *out);
void acpi_loaded_free(struct acpi_loaded *l);

/* where acpi_install put the tables */
struct acpi_placed {
	uint64_t rsdp;			/* the RSDP (36 bytes) */
	uint64_t tables, tables_len;	/* everything it points to */
};

struct physmap;
/* acpi_loader_run, then both files written into guest RAM where it put
 * them (they must land in RAM). 0, or -1 after one error line. */
int acpi_install(struct physmap *pm, const struct acpi_blobs *b, const struct acpi_zone *high,
		 const struct acpi_zone *fseg, struct acpi_placed *where);

#endif
