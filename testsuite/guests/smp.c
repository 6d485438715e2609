/* Test guest: start the APs with INIT-SIPI-SIPI through the LAPIC ICR; each must check in exactly once. */
// SPDX-License-Identifier: MIT
#include "guest.h"

/* Run with -append cpus=N (N = -smp): the guest cannot know N otherwise when
 * the loader provides no MP table or MADT. */

#define TRAMP_ADDR 0x8000	/* SIPI vector 0x08: CS=0x0800, IP=0 */
#define LAPIC_ID 0x20
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_PENDING (1u << 12)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)

volatile uint32_t ap_count;
volatile uint32_t ap_mask;	/* bit per APIC ID below 32 */
volatile uint32_t lapic_base;
extern const uint8_t tramp_start[], tramp_end[];

/* Real-mode entry of each AP, copied to TRAMP_ADDR: load a flat GDT, enter
 * protected mode, jump to ap_entry32. Addresses inside are offsets from CS. */
__asm__(
	".section .rodata\n"
	".globl tramp_start, tramp_end\n"
	".code16\n"
	"tramp_start:\n"
	"	cli\n"
	"	movw %cs, %ax\n"
	"	movw %ax, %ds\n"
	"	lgdtl (tramp_gdtr - tramp_start)\n"
	"	movl %cr0, %eax\n"
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $0x08, $ap_entry32\n"
	".balign 8\n"
	"tramp_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00CF9A000000FFFF\n"
	"	.quad 0x00CF92000000FFFF\n"
	"tramp_gdtr:\n"
	"	.word 23\n"
	"	.long 0x8000 + (tramp_gdt - tramp_start)\n"
	"tramp_end:\n"
	".code32\n"
	".text\n"
	"ap_entry32:\n"
	"	movl $0x10, %eax\n"
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	movl %eax, %ss\n"
	"	lock incl ap_count\n"
	"	movl lapic_base, %ebx\n"
	"	movl 0x20(%ebx), %eax\n"
	"	shrl $24, %eax\n"
	"	cmpl $32, %eax\n"
	"	jae 2f\n"
	"	lock btsl %eax, ap_mask\n"
	"2:	cli\n"
	"	hlt\n"
	"	jmp 2b\n");

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static uint8_t sum8(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static const uint8_t *scan(uint32_t from, uint32_t len, const char *sig, uint32_t siglen, uint32_t cklen)
{
	for (uint32_t a = from; a + cklen <= from + len; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;
		if (!memcmp(p, sig, siglen) && sum8(p, cklen) == 0)
			return p;
	}
	return NULL;
}

static const uint8_t *scan_bios(const char *sig, uint32_t siglen, uint32_t cklen)
{
	uint32_t ebda = (uint32_t)*(volatile uint16_t *)0x40e << 4;
	const uint8_t *p = NULL;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		p = scan(ebda, 1024, sig, siglen, cklen);
	if (!p)
		p = scan(0x9fc00, 1024, sig, siglen, cklen);
	if (!p)
		p = scan(0xe0000, 0x20000, sig, siglen, cklen);
	return p;
}

/* Enabled processors in the MP configuration table, -1 if there is none. */
static int mp_table_cpus(void)
{
	const uint8_t *fp = scan_bios("_MP_", 4, 16);
	if (!fp)
		return -1;
	uint32_t cfg;
	memcpy(&cfg, fp + 4, 4);
	if (!cfg)
		return -1;	/* a default configuration: no table to count */
	const uint8_t *t = (const uint8_t *)(uintptr_t)cfg;
	if (memcmp(t, "PCMP", 4))
		fail("MP floating pointer at 0x%x points to 0x%x without PCMP", (uint32_t)(uintptr_t)fp, cfg);
	uint16_t len, count;
	memcpy(&len, t + 4, 2);
	memcpy(&count, t + 0x22, 2);
	if (sum8(t, len))
		fail("MP configuration table checksum wrong");
	const uint8_t *e = t + 0x2c;
	int cpus = 0;
	for (unsigned i = 0; i < count && e < t + len; i++) {
		if (e[0] == 0) {
			cpus += e[3] & 1;
			e += 20;
		} else {
			e += 8;
		}
	}
	return cpus;
}

/* Enabled local APICs in the ACPI MADT, -1 if there is none. */
static int madt_cpus(void)
{
	const uint8_t *rsdp = scan_bios("RSD PTR ", 8, 20);
	if (!rsdp)
		return -1;
	uint32_t rsdt_addr, rsdt_len;
	memcpy(&rsdt_addr, rsdp + 16, 4);
	const uint8_t *rsdt = (const uint8_t *)(uintptr_t)rsdt_addr;
	memcpy(&rsdt_len, rsdt + 4, 4);
	if (memcmp(rsdt, "RSDT", 4) || sum8(rsdt, rsdt_len))
		fail("RSDP points to 0x%x, not a valid RSDT", rsdt_addr);
	for (uint32_t off = 36; off + 4 <= rsdt_len; off += 4) {
		uint32_t ta, tlen;
		memcpy(&ta, rsdt + off, 4);
		const uint8_t *t = (const uint8_t *)(uintptr_t)ta;
		if (memcmp(t, "APIC", 4))
			continue;
		memcpy(&tlen, t + 4, 4);
		if (sum8(t, tlen))
			fail("MADT checksum wrong");
		int cpus = 0;
		for (uint32_t e = 44; e + 2 <= tlen && t[e + 1] >= 2; e += t[e + 1])
			if (t[e] == 0)
				cpus += t[e + 4] & 1;
		return cpus;
	}
	return -1;
}

static void icr_send(uint32_t lo)
{
	mmio_write32(lapic_base + LAPIC_ICR_HI, 0);
	mmio_write32(lapic_base + LAPIC_ICR_LO, lo);
	for (int i = 0; i < 1000000; i++)
		if (!(mmio_read32(lapic_base + LAPIC_ICR_LO) & ICR_PENDING))
			return;
	fail("LAPIC ICR delivery status stuck pending after writing 0x%x", lo);
}

static void spurious(struct frame *f) { (void)f; }

static uint32_t bits_set(uint32_t v)
{
	uint32_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

int guest_main(void)
{
	uint32_t cpus = cmdline_uint("cpus", 0);
	gprintf("smp: start, cmdline \"%s\", expecting %u cpus\n", guest_cmdline(), cpus);
	if (cpus < 1 || cpus > 32)
		fail("run this guest with -append cpus=N, N in 1..32 (-smp N)");

	int mp = mp_table_cpus(), madt = madt_cpus();
	gprintf("smp: MP table %d cpus, MADT %d cpus (-1: none)\n", mp, madt);
	/* The MADT is what an OS believes. SeaBIOS under QEMU lists only the
	 * BSP in its MP table, so the MP table is held to the count only when
	 * there is no MADT. */
	if (madt >= 0 && (uint32_t)madt != cpus)
		fail("MADT lists %d enabled local APICs, want %u", madt, cpus);
	if (madt < 0 && mp >= 0 && (uint32_t)mp != cpus)
		fail("MP table lists %d enabled processors, want %u (and there is no MADT)", mp, cpus);

	uint64_t apic_msr = rdmsr(0x1b);
	if (!(apic_msr & (1u << 8)))
		fail("IA32_APIC_BASE 0x%x: BSP flag clear on the boot CPU", (uint32_t)apic_msr);
	if (!(apic_msr & (1u << 11)))
		fail("IA32_APIC_BASE 0x%x: LAPIC globally disabled", (uint32_t)apic_msr);
	lapic_base = (uint32_t)apic_msr & 0xfffff000u;
	expect_eq("LAPIC base", lapic_base, 0xfee00000u);
	uint32_t bsp_id = mmio_read32(lapic_base + LAPIC_ID) >> 24;

	idt_init();
	idt_set_handler(0xff, spurious);
	mmio_write32(lapic_base + LAPIC_SVR, 0x1ff);	/* software-enable, spurious vector 0xff */
	pit_start(1193);	/* 1 ms periods for the delays below */

	memcpy((void *)TRAMP_ADDR, tramp_start, (size_t)(tramp_end - tramp_start));
	icr_send(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
	pit_wait_periods(10);
	icr_send(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (TRAMP_ADDR >> 12));
	pit_wait_periods(1);
	icr_send(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | (TRAMP_ADDR >> 12));

	/* Up to a second for the APs; then a while longer so an AP started twice
	 * (a second SIPI must be ignored by a running AP) shows in the count. */
	for (int ms = 0; ms < 1000 && ap_count < cpus - 1; ms++)
		pit_wait_periods(1);
	pit_wait_periods(50);
	uint32_t n = ap_count, mask = ap_mask;
	gprintf("smp: %u APs checked in, APIC ID mask 0x%x, BSP APIC ID %u\n", n, mask, bsp_id);
	expect_eq("APs checked in", n, cpus - 1);
	expect_eq("distinct AP APIC IDs", bits_set(mask), cpus - 1);
	if (bsp_id < 32 && (mask & (1u << bsp_id)))
		fail("an AP reported the BSP's APIC ID %u", bsp_id);
	gprintf("smp ok\n");
	return EXIT_PASS;
}
