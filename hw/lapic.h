/* The local APIC of each CPU (xAPIC, MMIO at IA32_APIC_BASE, default
 * 0xfee00000; also x2APIC MSRs 0x800-0x8ff) and the APIC bus joining them
 * and the IOAPIC. The LAPIC belongs to its CPU: cpu/ routes accesses to the
 * APIC page and the APIC MSRs here, asks lapic_pending() before taking an
 * interrupt and calls lapic_ack() when it does.
 * The timer runs on the virtual clock. LINT0 takes the PIC's INTR (ExtINT
 * through the LVT, or straight through when the APIC is disabled, the
 * virtual-wire mode of a PC at reset); LINT1 is NMI.
 * Events a LAPIC cannot handle itself (NMI, INIT, SIPI, and a new interrupt
 * for a CPU that may be sleeping) go to the board through apic_bus_host. */
#ifndef HW_LAPIC_H
#define HW_LAPIC_H

#include <stdint.h>
#include <stdbool.h>
#include "hw/clock.h"
#include "hw/snap.h"

#define APIC_DEFAULT_BASE 0xfee00000u
#define APIC_MAX_CPUS 64

enum apic_event {
	APIC_EV_KICK,		/* an interrupt became pending: wake and look */
	APIC_EV_NMI,
	APIC_EV_INIT,
	APIC_EV_SIPI,		/* vector = start page */
	APIC_EV_SMI,
};

struct apic_bus_host {
	void (*event)(void *opaque, int cpu, enum apic_event ev, uint8_t vector);
	/* the INTA cycle to the PIC for an ExtINT interrupt */
	uint8_t (*extint_ack)(void *opaque);
	void *opaque;
};

struct lapic;
struct ioapic;

struct apic_bus {
	struct lapic *cpu[APIC_MAX_CPUS];
	int ncpus;
	struct ioapic *ioapic;		/* for EOI broadcast of level interrupts */
	struct apic_bus_host host;
};

void apic_bus_init(struct apic_bus *ab, const struct apic_bus_host *host);
/* an interrupt message (from the IOAPIC, an MSI, or an IPI):
 * dest/dest_mode (0 physical, 1 logical), delivery mode (0 fixed, 1 lowest,
 * 2 SMI, 4 NMI, 5 INIT, 6 SIPI, 7 ExtINT), vector, trigger (0 edge, 1 level),
 * shorthand (0 none, 1 self, 2 all incl self, 3 all excl self), src = cpu index
 * of the sender or -1 */
void apic_bus_deliver(struct apic_bus *ab, uint32_t dest, int dest_mode,
		      int delivery, uint8_t vector, int trigger, int shorthand, int src);

/* cpu index i gets APIC ID i; the BSP (index 0) has BSP set in its base MSR */
struct lapic *lapic_new(struct apic_bus *ab, struct vclock *clk, int cpu);
void lapic_free(struct lapic *a);
void lapic_reset(struct lapic *a);	/* power-on / INIT state */
void lapic_save(struct lapic *a, struct snap *s);
int lapic_load(struct lapic *a, struct snap *s);

uint64_t lapic_get_base(struct lapic *a);		/* IA32_APIC_BASE */
void lapic_set_base(struct lapic *a, uint64_t v);
/* the APIC page is active: base enabled and gpa within it */
bool lapic_claims(struct lapic *a, uint64_t gpa);
uint32_t lapic_mmio_read(struct lapic *a, uint32_t offset);	/* 32-bit, aligned */
void lapic_mmio_write(struct lapic *a, uint32_t offset, uint32_t value);
/* x2APIC MSRs: 0 ok, -1 #GP */
int lapic_msr_read(struct lapic *a, uint32_t msr, uint64_t *v);
int lapic_msr_write(struct lapic *a, uint32_t msr, uint64_t v);
/* TPR as CR8 (bits 7:4 of TPR) */
uint8_t lapic_get_cr8(struct lapic *a);
void lapic_set_cr8(struct lapic *a, uint8_t v);

/* LINT0/LINT1 inputs: irq_handler_fn with opaque = lapic, n = 0 or 1 */
void lapic_set_lint(void *opaque, int n, int level);
/* an interrupt the CPU would take now if IF allowed, or -1. Any value >= 0
 * means "pending"; for an ExtINT (the PIC's) it is 0, and the real vector
 * comes from lapic_ack(), which runs the PIC's INTA cycle */
int lapic_pending(struct lapic *a);
/* the CPU takes it: returns the vector (IRR -> ISR, or the PIC's INTA) */
int lapic_ack(struct lapic *a);

#endif
