/* The PIIX3 PCI-to-ISA bridge, PCI 00:01.0 (8086:7000, class 0601,
 * multi-function: the IDE function 00:01.1 is another model's).
 * PIRQ route registers 0x60-0x63 (PIRQA-D): bit 7 set disables the route,
 * bits 3:0 name the ISA IRQ; reset value 0x80. The bridge drives one line
 * per ISA IRQ, the OR of every PIRQ routed there; the board ORs that with
 * the ISA devices' own lines into the PIC and IOAPIC inputs. (The ELCR at
 * 0x4d0 is the PIC model's.) Port 0xcf9 is the reset control register:
 * writing bit 2 resets the system. Other registers are plain bytes. */
#ifndef HW_PIIX3_H
#define HW_PIIX3_H

#include "hw/device.h"
#include "hw/irq.h"
#include "hw/pci.h"

#define PIIX3_DEVFN PCI_DEVFN(1, 0)
#define PIIX3_PIRQ_ROUTE 0x60

struct piix3;

/* registers at 00:01.0, takes PIRQA-D of the bus and port 0xcf9;
 * reset is called when the guest resets through port 0xcf9 */
struct piix3 *piix3_new(struct pci_bus *bus, void (*reset)(void *opaque), void *opaque,
			struct device *dev);
void piix3_free(struct piix3 *p);
/* the line for ISA IRQ n (0-15): connect it before use */
struct irq_line *piix3_isa_irq(struct piix3 *p, int n);

#endif
