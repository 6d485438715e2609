/* PCI bus 0 behind configuration mechanism #1 (port 0xcf8 address, ports
 * 0xcfc-0xcff data), as on the i440FX. A PCI function is a struct pci_dev
 * that its device model embeds. Its 256-byte configuration space is plain
 * bytes with a per-byte write mask and write-1-to-clear mask, so most
 * registers need no code; config_write sees what changed after the fact.
 *
 * BARs are declared once with pci_bar_*(); the bus maps a BAR on the io or
 * mmio bus (or, for host-memory BARs and the expansion ROM, in the physical
 * map) while the command register enables that space and the BAR holds an
 * address, and unmaps it when either changes. Sizing (write all ones, read
 * back the mask) falls out of the write mask.
 *
 * INTx: a function drives the pin its config byte 0x3d names with
 * pci_set_irq(); the bus ORs every function's pin onto one of four PIRQ lines,
 * PIRQ = (slot + pin - 1) & 3 with pin A = 0 (the i440FX/PIIX3 board wiring),
 * and the ISA bridge routes each PIRQ to an ISA IRQ.
 * Everything here runs with the board lock held. */
#ifndef HW_PCI_H
#define HW_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hw/bus.h"
#include "hw/irq.h"

struct physmap;
struct device;

#define PCI_DEVFN(slot, fn) ((unsigned)(slot) << 3 | (unsigned)(fn))
#define PCI_SLOT(devfn) ((devfn) >> 3)
#define PCI_FUNC(devfn) ((devfn) & 7)

/* standard config registers */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x08

#define PCI_NUM_BARS 7		/* BAR0-5, then the expansion ROM */
#define PCI_ROM_SLOT 6
#define PCI_BAR_UNMAPPED UINT64_MAX

enum pci_bar_kind {
	PCI_BAR_NONE,
	PCI_BAR_IO,		/* on the io bus through ops */
	PCI_BAR_MMIO,		/* on the mmio bus through ops */
	PCI_BAR_HOSTMEM,	/* host memory in the physical map (a framebuffer) */
	PCI_BAR_ROM,		/* expansion ROM: host memory, read-only */
};

struct pci_bar {
	enum pci_bar_kind kind;
	uint64_t size;			/* power of two */
	bool mem64, prefetch;
	const struct bus_ops *ops;	/* IO, MMIO */
	void *opaque;
	uint8_t *host;			/* HOSTMEM, ROM */
	uint64_t mapped;		/* where it is mapped now, or PCI_BAR_UNMAPPED */
};

struct pci_bus;

struct pci_dev {
	uint8_t config[256];
	uint8_t wmask[256];		/* bits the guest may write */
	uint8_t w1cmask[256];		/* bits a written 1 clears (status) */
	uint8_t reset_config[256];	/* config as registered: the reset value */
	struct pci_bar bar[PCI_NUM_BARS];
	struct pci_bus *bus;
	unsigned devfn;
	const char *name;
	int irq_level;
	/* optional: after a guest write of size bytes at off has been applied */
	void (*config_write)(struct pci_dev *d, unsigned off, unsigned size, uint32_t old);
	/* optional: the value of a read (for registers that are not plain bytes) */
	uint32_t (*config_read)(struct pci_dev *d, unsigned off, unsigned size);
	void *opaque;
};

/* registers ports 0xcf8-0xcff on io; host-memory BARs go into pm */
struct pci_bus *pci_bus_new(struct bus *io, struct bus *mmio, struct physmap *pm);
void pci_bus_free(struct pci_bus *b);
/* every function back to its registered config (BARs unmapped, command 0) */
void pci_bus_reset(struct pci_bus *b);
/* fills dev with the bus's reset (pci_bus_reset) and save/load of every
 * function's config space; the board lists it before the functions' own
 * devices, so theirs run after the config is back */
void pci_bus_device(struct pci_bus *b, struct device *dev);
/* Port 0xcf9 shares the address register's dword; only dword accesses at
 * 0xcf8 reach the address register, and byte accesses at 0xcf9 go to this
 * handler (the PIIX reset control register). */
void pci_bus_set_cf9(struct pci_bus *b, uint8_t (*read)(void *opaque),
		     void (*write)(void *opaque, uint8_t v), void *opaque);

/* Fill the header (type 0 unless header_type says otherwise); call it
 * first: it also clears the BAR declarations. class_code is
 * class << 16 | subclass << 8 | prog-if. Sets the command/status/BAR/ROM
 * /interrupt-line write masks a type-0 function has. */
void pci_config_init(struct pci_dev *d, uint16_t vendor, uint16_t device, uint8_t revision,
		     uint32_t class_code, uint8_t header_type);
/* add d at devfn; 0, or -1 and one error line if taken. Snapshots d->config
 * as the reset value, so set every register first. */
int pci_register(struct pci_bus *b, struct pci_dev *d, unsigned devfn, const char *name);

/* declare BAR n before pci_register; size is a power of two */
void pci_bar_io(struct pci_dev *d, int n, uint32_t size, const struct bus_ops *ops, void *opaque);
void pci_bar_mmio(struct pci_dev *d, int n, uint64_t size, bool mem64, bool prefetch,
		  const struct bus_ops *ops, void *opaque);
void pci_bar_hostmem(struct pci_dev *d, int n, uint64_t size, bool mem64, bool prefetch,
		     uint8_t *host);
/* the expansion ROM BAR: image (len bytes, rounded up to a power of two,
 * padded with 0xff) is copied and kept by the bus */
int pci_rom(struct pci_dev *d, const uint8_t *image, size_t len);

/* INTx level of the function (honours PCI_COMMAND_INTX_DISABLE, sets the
 * status bit) */
void pci_set_irq(struct pci_dev *d, int level);
/* PIRQA-D, driven by the bus; the ISA bridge connects them */
struct irq_line *pci_pirq(struct pci_bus *b, int n);

/* configuration access as mechanism #1 does it, for firmware and tests */
uint32_t pci_config_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size);
void pci_config_write(struct pci_bus *b, unsigned devfn, unsigned off, uint32_t v, unsigned size);
struct pci_dev *pci_find(struct pci_bus *b, unsigned devfn);

#endif
