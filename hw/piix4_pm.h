/* The PIIX4 power-management function, PCI 00:01.3 (8086:7113 rev 3, class
 * 0680, interrupt pin A), as QEMU's "pc" machine has it beside the PIIX3.
 *
 * Config: PMBASE at 0x40 (64 bytes of I/O, decoded while 0x80 bit 0 is
 * set), SMBus base at 0x90 (16 bytes, decoded while 0xd2 bit 0 is set; the
 * host controller finds no device on the bus), DEVACTB 0x58-0x5b with
 * APMC_EN (0x5b bit 1) preset as QEMU does without SMM, so firmware does
 * not set SMM up (there is none).
 * PM I/O block: PM1 status (+0, write 1 to clear) and enable (+2), PM1
 * control (+4: SCI_EN; SLP_EN with SLP_TYP 0 powers off), the 24-bit ACPI
 * PM timer (+8, 3.579545 MHz on the virtual clock; TMR_STS when its bit 23
 * toggles), GPE0 status (+0xc) and enable (+0xe). SCI is ISA IRQ 9, level.
 * APM ports 0xb2/0xb3 are storage, except that 0xf1/0xf0 written to 0xb2
 * set/clear SCI_EN (what QEMU does in place of the SMI handler: the ACPI
 * enable handshake of the FADT). */
#ifndef HW_PIIX4_PM_H
#define HW_PIIX4_PM_H

#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/device.h"
#include "hw/irq.h"
#include "hw/pci.h"

#define PIIX4_PM_DEVFN PCI_DEVFN(1, 3)

/* what SeaBIOS programs and the ACPI tables describe. SeaBIOS's own default
 * is 0xb000, but when fw_cfg offers "etc/table-loader" (QEMU's tables, and
 * ours) it moves PMBASE to 0x600 to match them, and SMBus to PMBASE + 0x100;
 * GPE0 is the PIIX4's own GPSTS/GPEN at PMBASE + 0xc */
#define PIIX4_PM_BASE 0x600
#define PIIX4_PM_LEN 0x40
#define PIIX4_PM1A_EVT_BLK (PIIX4_PM_BASE + 0x00)	/* 4 bytes */
#define PIIX4_PM1A_CNT_BLK (PIIX4_PM_BASE + 0x04)	/* 2 bytes */
#define PIIX4_PM_TMR_BLK (PIIX4_PM_BASE + 0x08)	/* 4 bytes, 24-bit */
#define PIIX4_GPE0_BLK (PIIX4_PM_BASE + 0x0c)
#define PIIX4_GPE0_BLK_LEN 4
#define PIIX4_SMB_BASE (PIIX4_PM_BASE + 0x100)
#define PIIX4_SCI_IRQ 9
#define PIIX4_SMI_CMD 0xb2
#define PIIX4_ACPI_ENABLE 0xf1
#define PIIX4_ACPI_DISABLE 0xf0
#define PIIX4_SLP_TYP_S5 0			/* the \_S5 package's value */
#define PIIX4_PM_TIMER_HZ 3579545

struct piix4_pm;

/* registers at 00:01.3 and the APM ports on io; poweroff is called (board
 * lock held) when the guest enters S5 */
struct piix4_pm *piix4_pm_new(struct pci_bus *bus, struct bus *io, struct vclock *clock,
			      void (*poweroff)(void *opaque), void *opaque, struct device *dev);
void piix4_pm_free(struct piix4_pm *pm);
/* the SCI line (to ISA IRQ 9): connect it before use */
struct irq_line *piix4_pm_sci(struct piix4_pm *pm);
/* the power button was pressed: PWRBTN_STS, and SCI if PWRBTN_EN */
void piix4_pm_powerbutton(struct piix4_pm *pm);

#endif
