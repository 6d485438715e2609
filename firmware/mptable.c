/* Intel MultiProcessor Specification 1.4 tables: how a kernel without ACPI
 * finds the CPUs, the IOAPIC and the ISA interrupt routing. */
// SPDX-License-Identifier: MIT
#include "firmware/loader.h"

#include <stdlib.h>
#include "hw/log.h"

#define MP_TABLE_ADDR (MP_FLOAT_ADDR + 16)
#define MP_LAPIC_ADDR 0xfee00000u
#define MP_IOAPIC_ADDR 0xfec00000u
#define MP_LAPIC_VERSION 0x14		/* integrated xAPIC */
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_SIGNATURE 0x600		/* family 6, as EDX after reset */
/* CPUID.1 EDX: FPU, TSC, MSR, CX8, APIC */
#define MP_CPU_FEATURES ((1u << 0) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 9))

enum { MP_PROC, MP_BUS, MP_IOAPIC, MP_IOINT, MP_LINT };
enum { MP_INT_INT, MP_INT_NMI, MP_INT_SMI, MP_INT_EXTINT };

#define BDA_EBDA_SEG 0x40e
#define BDA_BASE_KIB 0x413

static uint8_t mp_checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return (uint8_t)-s;
}

static uint8_t *put_int(uint8_t *p, uint8_t kind, uint8_t type, uint8_t bus_irq,
			uint8_t dst_id, uint8_t dst_pin)
{
	p[0] = kind;
	p[1] = type;
	st16(p + 2, 0);		/* polarity and trigger conform to the bus */
	p[4] = 0;		/* source bus: ISA */
	p[5] = bus_irq;
	p[6] = dst_id;
	p[7] = dst_pin;
	return p + 8;
}

/* header, processors, the ISA bus, the IOAPIC, 15 ISA interrupts, 2 local */
static size_t mp_len(int ncpus)
{
	return 44 + 20 * (size_t)ncpus + 8 + 8 + 15 * 8 + 2 * 8;
}

uint64_t mptable_end(int ncpus)
{
	return MP_TABLE_ADDR + mp_len(ncpus);
}

int mptable_setup(struct physmap *pm, int ncpus)
{
	if (ncpus < 1 || ncpus > MP_MAX_CPUS) {
		log_error("MP table: %d CPUs (1 to %d possible)", ncpus, MP_MAX_CPUS);
		return -1;
	}
	size_t len = mp_len(ncpus);
	if (!physmap_host(pm, MP_FLOAT_ADDR, 16 + len)) {
		log_error("MP table: no memory at 0x%llx with %llu MiB of RAM",
			  (unsigned long long)MP_FLOAT_ADDR, (unsigned long long)(pm->ram_size >> 20));
		return -1;
	}
	uint8_t *t = calloc(1, len);
	if (!t) {
		log_error("MP table: out of host memory");
		return -1;
	}
	uint8_t *p = t + 44;
	int entries = 0;
	for (int i = 0; i < ncpus; i++, entries++) {
		p[0] = MP_PROC;
		p[1] = (uint8_t)i;
		p[2] = MP_LAPIC_VERSION;
		p[3] = 1 | (i == 0 ? 2 : 0);	/* enabled, boot processor */
		st32(p + 4, MP_CPU_SIGNATURE);
		st32(p + 8, MP_CPU_FEATURES);
		p += 20;
	}
	p[0] = MP_BUS;
	p[1] = 0;
	memcpy(p + 2, "ISA   ", 6);
	p += 8;
	entries++;
	uint8_t ioapic_id = (uint8_t)ncpus;
	p[0] = MP_IOAPIC;
	p[1] = ioapic_id;
	p[2] = MP_IOAPIC_VERSION;
	p[3] = 1;			/* enabled */
	st32(p + 4, MP_IOAPIC_ADDR);
	p += 8;
	entries++;
	/* the PIT's IRQ 0 is wired to pin 2 of the IOAPIC; pin 0 takes the
	 * 8259's output, so IRQ 2 (the cascade) has no entry */
	for (int irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		p = put_int(p, MP_IOINT, MP_INT_INT, (uint8_t)irq, ioapic_id,
			    (uint8_t)(irq == 0 ? 2 : irq));
		entries++;
	}
	p = put_int(p, MP_LINT, MP_INT_EXTINT, 0, 0xff, 0);
	p = put_int(p, MP_LINT, MP_INT_NMI, 0, 0xff, 1);
	entries += 2;

	memcpy(t, "PCMP", 4);
	st16(t + 4, (uint16_t)len);
	t[6] = 4;			/* spec revision 1.4 */
	memcpy(t + 8, "TRIVISOR", 8);
	memcpy(t + 16, "PC          ", 12);
	st16(t + 34, (uint16_t)entries);
	st32(t + 36, MP_LAPIC_ADDR);
	t[7] = mp_checksum(t, len);

	uint8_t fp[16] = { '_', 'M', 'P', '_' };
	st32(fp + 4, (uint32_t)MP_TABLE_ADDR);
	fp[8] = 1;			/* length in 16-byte units */
	fp[9] = 4;
	/* feature bytes 0: a configuration table is present; no IMCR, so
	 * virtual wire mode */
	fp[10] = mp_checksum(fp, 16);

	phys_write_force(pm, MP_FLOAT_ADDR, fp, sizeof(fp));
	phys_write_force(pm, MP_TABLE_ADDR, t, len);
	free(t);

	/* Linux also scans the first KiB of the EBDA the BDA points at */
	if (physmap_is_ram(pm, 0x400, 0x100)) {
		uint8_t w[2];
		st16(w, 0x9fc0);
		phys_write(pm, BDA_EBDA_SEG, w, 2);
		st16(w, 639);
		phys_write(pm, BDA_BASE_KIB, w, 2);
	}
	return 0;
}
