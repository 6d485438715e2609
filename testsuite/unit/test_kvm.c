/* Unit tests for the KVM tier (cpu/kvm.c) and the guest CPUID (cpu/cpuid.c). */
// SPDX-License-Identifier: MIT
#include "cpu/kvm.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "cpu/cpuid.h"
#include "cpu/vcpu.h"
#include "hw/lapic.h"
#include "testsuite/hostcaps/hostcaps.h"
#include "testsuite/unit/check.h"
#include "testsuite/unit/vmrig.h"

/* ---- the guest CPUID, no /dev/kvm needed ---- */

static void intel_table(struct cpuid_table *t)
{
	memset(t, 0, sizeof(*t));
	cpuid_set(t, 0, 0, false, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	cpuid_set(t, 1, 0, false, 0x000906ea, 0x00010800,
		  (1u << 0) | (1u << 3) | (1u << 5) | (1u << 21) | (1u << 24) | (1u << 31),
		  0x078bfbff | (1u << 28));
	cpuid_set(t, 4, 0, true, 0x121, 0, 0x3f, 0);		/* L1d */
	cpuid_set(t, 4, 1, true, 0x163, 0, 0x3fff, 0);	/* L3 */
	cpuid_set(t, 4, 2, true, 0, 0, 0, 0);
	cpuid_set(t, 5, 0, false, 0x40, 0x40, 3, 0x11);
	cpuid_set(t, 0xa, 0, false, 0x07300404, 0, 0, 0x603);
	cpuid_set(t, 0xb, 0, true, 1, 2, 0x100, 7);
	cpuid_set(t, 0xd, 0, true, 7, 0x340, 0x340, 0);
	cpuid_set(t, 0x40000000, 0, false, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d);
	cpuid_set(t, 0x40000001, 0, false, 0x01007efb, 0, 0, 0);
	cpuid_set(t, 0x80000000, 0, false, 0x80000008, 0, 0, 0);
	cpuid_set(t, 0x80000001, 0, false, 0, 0, (1u << 2) | 1, 0x2c100800);
	cpuid_set(t, 0x80000008, 0, false, 0x3027, 0, 0, 0);
}

static void test_cpuid_leaf1(void)
{
	static struct cpuid_table t;
	uint32_t r[4];
	intel_table(&t);
	cpuid_filter(&t, 2, 4);
	CHECK(cpuid_lookup(&t, 1, 0, r));
	CHECK_EQ(r[CPUID_EBX] >> 24, 2);		/* APIC ID */
	CHECK_EQ((r[CPUID_EBX] >> 16) & 0xff, 4);	/* logical CPUs */
	CHECK_EQ(r[CPUID_EBX] & 0xffff, 0x0800);	/* CLFLUSH size kept */
	CHECK(r[CPUID_EDX] & (1u << 28));		/* HTT */
	CHECK_EQ(r[CPUID_ECX], (1u << 0) | (1u << 31));	/* SSE3 and hypervisor stay */
	cpuid_filter(&t, 0, 1);
	cpuid_lookup(&t, 1, 0, r);
	CHECK_EQ(r[CPUID_EBX] >> 16, 0);
	CHECK(!(r[CPUID_EDX] & (1u << 28)));
}

static void test_cpuid_topology(void)
{
	static struct cpuid_table t;
	uint32_t r[4];
	intel_table(&t);
	cpuid_filter(&t, 3, 4);
	cpuid_lookup(&t, 4, 0, r);
	CHECK_EQ(r[CPUID_EAX], (3u << 26) | 0x121);	/* 4 cores, L1 per core */
	cpuid_lookup(&t, 4, 1, r);
	CHECK_EQ(r[CPUID_EAX], (3u << 26) | (3u << 14) | 0x163);	/* L3 shared */
	cpuid_lookup(&t, 0xb, 0, r);
	CHECK_EQ(r[CPUID_EAX], 0);
	CHECK_EQ(r[CPUID_EBX], 1);
	CHECK_EQ(r[CPUID_ECX], 0x100);
	CHECK_EQ(r[CPUID_EDX], 3);
	cpuid_lookup(&t, 0xb, 1, r);
	CHECK_EQ(r[CPUID_EAX], 2);
	CHECK_EQ(r[CPUID_EBX], 4);
	CHECK_EQ(r[CPUID_ECX], 0x201);
	CHECK_EQ(r[CPUID_EDX], 3);
	/* past the last level: ECX echoes the level, EDX the x2APIC ID */
	CHECK(!cpuid_lookup(&t, 0xb, 5, r));
	CHECK_EQ(r[CPUID_EBX], 0);
	CHECK_EQ(r[CPUID_ECX], 5);
	CHECK_EQ(r[CPUID_EDX], 3);
	cpuid_lookup(&t, 0x80000008, 0, r);
	CHECK_EQ(r[CPUID_ECX], 0x2003);
}

static void test_cpuid_masked(void)
{
	static struct cpuid_table t;
	uint32_t r[4];
	intel_table(&t);
	cpuid_filter(&t, 0, 1);
	cpuid_lookup(&t, 5, 0, r);
	CHECK_EQ(r[CPUID_EAX] | r[CPUID_EBX] | r[CPUID_ECX] | r[CPUID_EDX], 0);
	cpuid_lookup(&t, 0xa, 0, r);
	CHECK_EQ(r[CPUID_EAX], 0);
	cpuid_lookup(&t, 0x40000001, 0, r);
	/* clocksource, nop-io-delay, clocksource2, steal time, PV TLB
	 * flush, poll control, stable bit stay; async PF, PV EOI, unhalt,
	 * send IPI, sched yield go */
	CHECK_EQ(r[CPUID_EAX], 0x0100122b);
	cpuid_lookup(&t, 0x80000001, 0, r);
	CHECK_EQ(r[CPUID_ECX], 1);			/* SVM gone */
	cpuid_lookup(&t, 0xd, 0, r);
	CHECK_EQ(r[CPUID_EAX], 7);			/* untouched */
}

static void test_cpuid_out_of_range(void)
{
	static struct cpuid_table t;
	uint32_t r[4];
	intel_table(&t);
	cpuid_filter(&t, 0, 1);
	/* Intel: a leaf above the maximum reads as the highest basic leaf */
	CHECK(!cpuid_lookup(&t, 0x20, 0, r));
	CHECK_EQ(r[CPUID_EAX], 7);
	CHECK(!cpuid_lookup(&t, 0x80000009, 0, r));
	CHECK_EQ(r[CPUID_EBX], 0x340);
	/* a hole below the maximum reads as zeros */
	CHECK(!cpuid_lookup(&t, 3, 0, r));
	CHECK_EQ(r[CPUID_EAX], 0);
	/* AMD: zeros */
	cpuid_set(&t, 0, 0, false, 0xd, 0x68747541, 0x444d4163, 0x69746e65);
	cpuid_lookup(&t, 0x20, 0, r);
	CHECK_EQ(r[CPUID_EAX] | r[CPUID_EBX], 0);
}

/* ---- a VM on /dev/kvm ---- */

struct rec {
	uint64_t last, addr;
	unsigned size;
	int writes;
	uint8_t bytes[16];
	int nbytes;
	uint64_t read_val;
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
	struct rec *r = opaque;
	(void)size;
	return r->read_val + off;
}

static void rec_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct rec *r = opaque;
	r->last = val;
	r->addr = off;
	r->size = size;
	r->writes++;
	if (r->nbytes < (int)sizeof(r->bytes))
		r->bytes[r->nbytes++] = (uint8_t)val;
}

static const struct bus_ops rec_ops = { rec_read, rec_write, 1, 4 };

static struct rig R;
static struct rec port80, port500, mem;
static const char *skip_reason;

/* the shared rig (vmrig.h) on the host's KVM tier, with three recording
 * devices: ports 0x80 and 0x500, and MMIO at 0xa0000 (not RAM on a PC) */
static bool rig_up(const char *name)
{
	if (skip_reason) {
		printf("SKIP unit/kvm: %s: %s\n", name, skip_reason);
		return false;
	}
	bool ok = vmrig_up(&R, kvm_tier_for_host(), 1 << 20);
	CHECK(ok);
	if (!ok)
		return false;
	port80 = (struct rec){ .read_val = 0 };
	port500 = (struct rec){ .read_val = 0x12345678 };
	mem = (struct rec){ .read_val = 0x5a00 };
	bus_register(&R.io, 0x80, 4, &rec_ops, &port80, "port80");
	bus_register(&R.io, 0x500, 4, &rec_ops, &port500, "port500");
	bus_register(&R.mmio, 0xa0000, 0x1000, &rec_ops, &mem, "mem");
	return true;
}

static void rig_down(void)
{
	vmrig_down(&R);
}

/* real mode at 0000:7c00 with the code given, then sync_in */
static void load_real(const uint8_t *code, size_t len)
{
	struct cpu_state *s = &R.v->s;
	cpu_state_reset(s, false);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_real(&s->seg[i], 0, i == S_CS);
	s->rip = 0x7c00;
	s->gpr[R_ESP] = 0x7000;
	memcpy(R.pm.ram + 0x7c00, code, len);
	CHECK_EQ(R.t->sync_in(R.v), 0);
}

/* run until something other than a kick; at most a few kicks */
static enum tier_exit run_until_stop(void)
{
	enum tier_exit e = TIER_EXIT_KICK;
	for (int i = 0; i < 4 && e == TIER_EXIT_KICK; i++)
		e = R.t->run(R.v);
	return e;
}

static void test_probe(void)
{
	struct tier_probe p;
	kvm_tier.probe(&p);
	CHECK(p.desc[0] != 0);
	if (access("/sys/module/kvm_pvm", F_OK) == 0 && p.usable) {
		CHECK(!p.hw_backed);
		CHECK(p.slow);
		CHECK(strstr(p.desc, "kvm_pvm") != NULL);
	}
	const char *shape = getenv("TRIVISOR_HOST_KVM");
	bool pvm_shape = shape && !strcmp(shape, "pvm");
	if (p.usable)
		CHECK_EQ(p.hw_backed, (p.vmx || p.svm) && !pvm_shape &&
					      access("/sys/module/kvm_pvm", F_OK) != 0);
	CHECK(tier_by_name("kvm") != NULL);
	CHECK_EQ(tier_by_name("kvm")->id, TIER_KVM);
	CHECK(tier_by_name("kvm-intel") == &vmx_tier);
	CHECK(tier_by_name("kvm-amd") == &svm_tier);
	CHECK(tier_by_name("interp") == tier_table[TIER_INTERP]);
	CHECK(tier_by_name("nonsense") == NULL);
	CHECK(tier_table[TIER_KVM] == &kvm_tier);
	/* a flavour the host lacks is not usable */
	struct tier_probe q;
	if (!p.vmx) {
		vmx_tier.probe(&q);
		CHECK(!q.usable);
	}
	if (!p.svm) {
		svm_tier.probe(&q);
		CHECK(!q.usable);
	}
}

static void test_out_hlt(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0xb0, 0x42,		/* mov al, 0x42 */
		0xe6, 0x80,		/* out 0x80, al */
		0xb8, 0x34, 0x12,	/* mov ax, 0x1234 */
		0xf4,			/* hlt */
	};
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(port80.writes, 1);
	CHECK_EQ(port80.last, 0x42);
	CHECK_EQ(port80.size, 1);
	CHECK_EQ(R.v->s.run_state, CPU_HALTED);
	CHECK(!(R.v->s.rflags & FL_IF));
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EAX] & 0xffff, 0x1234);
	CHECK_EQ(R.v->s.rip, 0x7c08);
	CHECK(R.v->stats[TIER_KVM].exits_io >= 1);
	rig_down();
}

static void test_in_string_out(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0xba, 0x00, 0x05,	/* mov dx, 0x500 */
		0x66, 0xed,		/* in eax, dx */
		0xbe, 0x00, 0x7d,	/* mov si, 0x7d00 */
		0xb9, 0x03, 0x00,	/* mov cx, 3 */
		0xba, 0x80, 0x00,	/* mov dx, 0x80 */
		0xf3, 0x6e,		/* rep outsb */
		0xf4,			/* hlt */
	};
	memcpy(R.pm.ram + 0x7d00, "abc", 3);
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EAX], 0x12345678);
	CHECK_EQ(port80.nbytes, 3);
	CHECK_EQ(port80.bytes[0], 'a');
	CHECK_EQ(port80.bytes[2], 'c');
	CHECK_EQ(R.v->s.gpr[R_ESI] & 0xffff, 0x7d03);
	CHECK_EQ(R.v->s.gpr[R_ECX] & 0xffff, 0);
	rig_down();
}

static void test_mmio(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0xb8, 0x00, 0xa0,			/* mov ax, 0xa000 */
		0x8e, 0xc0,				/* mov es, ax */
		0x26, 0xc7, 0x06, 0x10, 0x00, 0xef, 0xbe,	/* mov word [es:0x10], 0xbeef */
		0x26, 0x8b, 0x1e, 0x20, 0x00,		/* mov bx, [es:0x20] */
		0xf4,					/* hlt */
	};
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(mem.writes, 1);
	CHECK_EQ(mem.addr, 0x10);
	CHECK_EQ(mem.last, 0xbeef);
	CHECK_EQ(mem.size, 2);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EBX] & 0xffff, 0x5a20);
	CHECK(R.v->stats[TIER_KVM].exits_mmio >= 2);
	rig_down();
}

static void test_rom_readonly(void)
{
	if (!rig_up(__func__))
		return;
	uint8_t *rom = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(rom != MAP_FAILED);
	rom[0] = 0x11;
	/* added after vm_init: the listener splits the RAM slot around it */
	CHECK_EQ(physmap_add(&R.pm, 0xe0000, 0x1000, PM_ROM, rom, "rom"), 0);
	static const uint8_t code[] = {
		0xb8, 0x00, 0xe0,		/* mov ax, 0xe000 */
		0x8e, 0xd8,			/* mov ds, ax */
		0xc6, 0x06, 0x00, 0x00, 0x99,	/* mov byte [0], 0x99 */
		0xa0, 0x00, 0x00,		/* mov al, [0] */
		0x8a, 0x1e, 0x00, 0x10,		/* mov bl, [0x1000]: RAM above the ROM */
		0xf4,				/* hlt */
	};
	R.pm.ram[0xe1000] = 0x77;
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EAX] & 0xff, 0x11);
	CHECK_EQ(R.v->s.gpr[R_EBX] & 0xff, 0x77);
	CHECK_EQ(rom[0], 0x11);
	rig_down();
	munmap(rom, 0x1000);
}

static void test_protected_mode(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov eax, 0x12345678 */
		0xe7, 0x80,			/* out 0x80, eax */
		0x8d, 0x48, 0x01,		/* lea ecx, [eax + 1] */
		0xf4,				/* hlt */
	};
	struct cpu_state *s = &R.v->s;
	cpu_state_reset(s, false);
	s->cr0 = CR0_PE | CR0_ET | CR0_NE;
	uint32_t code_attr = SEG_ATTR_P | SEG_ATTR_S | 0xb | SEG_ATTR_DB | SEG_ATTR_G;
	uint32_t data_attr = SEG_ATTR_P | SEG_ATTR_S | 0x3 | SEG_ATTR_DB | SEG_ATTR_G;
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_flat(&s->seg[i], 0x10, data_attr);
	cpu_seg_flat(&s->seg[S_CS], 0x08, code_attr);
	/* a GDT matching the caches, should anything reload them */
	static const uint64_t gdt[] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull };
	memcpy(R.pm.ram + 0x6000, gdt, sizeof(gdt));
	s->gdt = (struct cpu_dtable){ 0x6000, sizeof(gdt) - 1 };
	s->rip = 0x8000;
	s->gpr[R_ESP] = 0x7000;
	memcpy(R.pm.ram + 0x8000, code, sizeof(code));
	CHECK_EQ(R.t->sync_in(R.v), 0);
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(port80.last, 0x12345678);
	CHECK_EQ(port80.size, 4);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_ECX], 0x12345679);
	CHECK_EQ(R.v->s.rip, 0x800b);
	CHECK_EQ(R.v->s.seg[S_CS].attr & 0xffff, code_attr);
	CHECK_EQ(R.v->s.seg[S_CS].limit, 0xffffffff);
	rig_down();
}

static void test_sync_roundtrip(void)
{
	if (!rig_up(__func__))
		return;
	struct cpu_state *s = &R.v->s;
	cpu_state_reset(s, false);
	for (int i = 0; i < CPU_NR_GPRS; i++)
		s->gpr[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
	s->rip = 0x1234;
	s->rflags = FL_FIXED | FL_CF | FL_ZF | FL_DF | FL_OF;
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_real(&s->seg[i], (uint16_t)(0x100 * (i + 1)), i == S_CS);
	s->gdt = (struct cpu_dtable){ 0x5000, 0x27 };
	s->idt = (struct cpu_dtable){ 0x400, 0x3ff };
	s->cr2 = 0xdead000;
	s->dr[0] = 0x1000;
	s->dr[3] = 0x4000;
	s->dr[7] = 0x400 | 0x3;
	s->msr.sysenter_cs = 0x10;
	s->msr.sysenter_esp = 0x7000;
	s->msr.sysenter_eip = 0xc0001000;
	s->msr.star = 0x0023001000000000ull;
	s->msr.lstar = 0xffffffff81000000ull;
	s->msr.fmask = 0x47700;
	s->msr.kernel_gs_base = 0xffff888000000000ull;
	s->msr.pat = 0x0007040600070106ull;
	s->fxsave[0] = 0x7f;			/* FCW 0x27f */
	s->fxsave[1] = 0x02;
	for (int i = 0; i < 16; i++)
		s->fxsave[160 + i] = (uint8_t)(0xa0 + i);	/* XMM0 */
	s->fxsave[160 + 16 * 15] = 0x5f;		/* XMM15 byte 0 */
	s->ev.interrupt_shadow = 2;			/* after STI */
	s->ev.nmi_masked = true;

	struct cpu_state want = *s;
	CHECK_EQ(R.t->sync_in(R.v), 0);
	memset(s, 0, sizeof(*s));
	CHECK_EQ(R.t->sync_out(R.v), 0);
	for (int i = 0; i < CPU_NR_GPRS; i++)
		CHECK_EQ(s->gpr[i], want.gpr[i]);
	CHECK_EQ(s->rip, want.rip);
	CHECK_EQ(s->rflags, want.rflags);
	for (int i = 0; i < CPU_NR_SEGS; i++) {
		CHECK_EQ(s->seg[i].selector, want.seg[i].selector);
		CHECK_EQ(s->seg[i].base, want.seg[i].base);
		CHECK_EQ(s->seg[i].limit, want.seg[i].limit);
	}
	CHECK_EQ(s->gdt.base, 0x5000);
	CHECK_EQ(s->gdt.limit, 0x27);
	CHECK_EQ(s->idt.base, 0x400);
	CHECK_EQ(s->idt.limit, 0x3ff);
	CHECK_EQ(s->cr0, want.cr0);
	CHECK_EQ(s->cr2, want.cr2);
	CHECK_EQ(s->dr[0], want.dr[0]);
	CHECK_EQ(s->dr[3], want.dr[3]);
	CHECK_EQ(s->dr[7], want.dr[7]);
	CHECK_EQ(s->msr.sysenter_cs, want.msr.sysenter_cs);
	CHECK_EQ(s->msr.sysenter_esp, want.msr.sysenter_esp);
	CHECK_EQ(s->msr.sysenter_eip, want.msr.sysenter_eip);
	CHECK_EQ(s->msr.star, want.msr.star);
	CHECK_EQ(s->msr.lstar, want.msr.lstar);
	CHECK_EQ(s->msr.fmask, want.msr.fmask);
	CHECK_EQ(s->msr.kernel_gs_base, want.msr.kernel_gs_base);
	CHECK_EQ(s->msr.pat, want.msr.pat);
	CHECK_EQ(s->msr.apic_base, lapic_get_base(R.apic));
	CHECK(memcmp(s->fxsave, want.fxsave, 32) == 0);
	CHECK(memcmp(s->fxsave + 160, want.fxsave + 160, 256) == 0);
	CHECK_EQ(s->ev.interrupt_shadow, 2);
	CHECK(s->ev.nmi_masked);
	CHECK_EQ(s->xcr0 & 1, 1);
	/* and back in, unchanged: the second trip is the identity */
	struct cpu_state once = *s;
	CHECK_EQ(R.t->sync_in(R.v), 0);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK(memcmp(&once.gpr, &s->gpr, sizeof(s->gpr)) == 0);
	CHECK(memcmp(&once.seg, &s->seg, sizeof(s->seg)) == 0);
	/* the TSC runs on, but a round trip must not set it back */
	CHECK(s->msr.tsc >= once.msr.tsc);
	once.msr.tsc = s->msr.tsc;
	CHECK(memcmp(&once.msr, &s->msr, sizeof(s->msr)) == 0);
	rig_down();
}

static void test_guest_cpuid(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0x66, 0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 */
		0x0f, 0xa2,				/* cpuid */
		0xf4,					/* hlt */
	};
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EBX] >> 24, 0);			/* APIC ID 0 */
	CHECK(!(R.v->s.gpr[R_ECX] & (1u << 21)));		/* no x2APIC */
	CHECK(!(R.v->s.gpr[R_ECX] & (1u << 24)));		/* no TSC-deadline */
	CHECK(!(R.v->s.gpr[R_ECX] & (1u << 3)));		/* no MONITOR */
	CHECK(R.v->s.gpr[R_EDX] & (1u << 9));			/* an APIC */
	rig_down();
}

static void test_apic_base_msr(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, 0x1b */
		0x0f, 0x32,				/* rdmsr */
		0x66, 0x89, 0xc3,			/* mov ebx, eax */
		0x66, 0xb8, 0x00, 0x09, 0xd0, 0xfe,	/* mov eax, 0xfed00900 */
		0x66, 0x31, 0xd2,			/* xor edx, edx */
		0x0f, 0x30,				/* wrmsr */
		0xf4,					/* hlt */
	};
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	/* the LAPIC owns the MSR: it knows the move before any sync_out */
	CHECK_EQ(lapic_get_base(R.apic), 0xfed00900);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.gpr[R_EBX], 0xfee00900);
	CHECK_EQ(R.v->s.msr.apic_base, 0xfed00900);
	rig_down();
}

static void *kicker(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	R.t->kick(arg);
	return NULL;
}

static void test_kick(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = { 0xeb, 0xfe };	/* jmp $ */
	load_real(code, sizeof(code));
	/* a kick before run: immediate_exit */
	R.t->kick(R.v);
	CHECK_EQ(R.t->run(R.v), TIER_EXIT_KICK);
	/* a kick from another thread while the guest spins: the signal */
	pthread_t th;
	pthread_create(&th, NULL, kicker, R.v);
	alarm(20);	/* a lost kick must fail the test, not hang it */
	CHECK_EQ(R.t->run(R.v), TIER_EXIT_KICK);
	alarm(0);
	pthread_join(th, NULL);
	CHECK_EQ(R.t->sync_out(R.v), 0);
	CHECK_EQ(R.v->s.rip, 0x7c00);
	/* a stop request: no guest code at all */
	atomic_store(&R.vm.stop, VM_STOP_EXIT);
	CHECK_EQ(R.t->run(R.v), TIER_EXIT_KICK);
	atomic_store(&R.vm.stop, VM_RUNNING);
	CHECK(R.v->stats[TIER_KVM].exits_intr >= 2);
	rig_down();
}

static void test_nmi(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = { 0xeb, 0xfe };	/* jmp $ */
	static const uint8_t handler[] = {
		0xb0, 0x77, 0xe6, 0x80,	/* mov al, 0x77; out 0x80, al */
		0xf4,			/* hlt */
	};
	memcpy(R.pm.ram + 0x7e00, handler, sizeof(handler));
	uint32_t vec = 0x7e00;		/* IVT[2] = 0000:7e00 */
	memcpy(R.pm.ram + 2 * 4, &vec, 4);
	load_real(code, sizeof(code));
	vcpu_post_event(R.v, VCPU_EV_NMI, 0);
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(port80.last, 0x77);
	CHECK_EQ(R.v->stats[TIER_KVM].nmis_injected, 1);
	rig_down();
}

static void test_interrupt_after_hlt(void)
{
	if (!rig_up(__func__))
		return;
	static const uint8_t code[] = {
		0xfb,		/* sti */
		0xf4,		/* hlt */
		0xeb, 0xfe,	/* jmp $ */
	};
	static const uint8_t handler[] = {
		0xb0, 0x30, 0xe6, 0x80,	/* mov al, 0x30; out 0x80, al */
		0xf4,			/* hlt */
	};
	memcpy(R.pm.ram + 0x7e00, handler, sizeof(handler));
	uint32_t vec = 0x7e00;
	memcpy(R.pm.ram + 0x30 * 4, &vec, 4);
	load_real(code, sizeof(code));
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK(R.v->s.rflags & FL_IF);
	CHECK_EQ(port80.writes, 0);
	/* an interrupt arrives at the (software-enabled) LAPIC */
	pthread_mutex_lock(&R.lock);
	lapic_mmio_write(R.apic, 0xf0, 0x1ff);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x30, 0, 0, -1);
	pthread_mutex_unlock(&R.lock);
	CHECK_EQ(vcpu_irq_pending(R.v), 0x30);
	R.v->s.run_state = CPU_RUNNING;		/* as the vCPU loop does on wake */
	CHECK_EQ(run_until_stop(), TIER_EXIT_HLT);
	CHECK_EQ(port80.last, 0x30);
	CHECK_EQ(R.v->stats[TIER_KVM].irqs_injected, 1);
	CHECK_EQ(vcpu_irq_pending(R.v), -1);
	rig_down();
}

static struct hostcaps host;

/* the tier's own probe agrees with the test suite's (testsuite/hostcaps),
 * switches included: both read TRIVISOR_HOST_KVM */
static void test_probe_agrees(void)
{
	struct tier_probe p;
	kvm_tier.probe(&p);
	CHECK_EQ(p.usable, host.has[HC_KVM]);
	CHECK_EQ(p.usable && p.hw_backed, host.has[HC_KVM_HW]);
	if (p.usable != host.has[HC_KVM] || (p.usable && p.hw_backed) != host.has[HC_KVM_HW])
		printf("  tier: %s\n  hostcaps: kvm %s, kvm-hw %s\n", p.desc, host.why[HC_KVM],
		       host.why[HC_KVM_HW]);
	const char *shape = getenv("TRIVISOR_HOST_KVM");
	if (shape && !strcmp(shape, "none"))
		CHECK(strstr(p.desc, "TRIVISOR_HOST_KVM=none") != NULL);
	if (shape && !strcmp(shape, "pvm") && p.usable)
		CHECK(!p.hw_backed && p.slow);
}

int main(int argc, char **argv)
{
	(void)argc;
	CHECK_SUITE("unit/kvm");
	hostcaps_probe_unit(&host, argv[0]);
	RUN(test_cpuid_leaf1);
	RUN(test_cpuid_topology);
	RUN(test_cpuid_masked);
	RUN(test_cpuid_out_of_range);

	if (!host.has[HC_KVM])
		skip_reason = host.why[HC_KVM];
	RUN(test_probe);
	RUN(test_probe_agrees);
	if (skip_reason) {
		/* each /dev/kvm test says why it did not run */
		rig_up("test_out_hlt");
		rig_up("test_in_string_out");
		rig_up("test_mmio");
		rig_up("test_rom_readonly");
		rig_up("test_protected_mode");
		rig_up("test_sync_roundtrip");
		rig_up("test_guest_cpuid");
		rig_up("test_apic_base_msr");
		rig_up("test_kick");
		rig_up("test_nmi");
		rig_up("test_interrupt_after_hlt");
		return CHECK_EXIT();
	}
	RUN(test_out_hlt);
	RUN(test_in_string_out);
	RUN(test_mmio);
	RUN(test_rom_readonly);
	RUN(test_protected_mode);
	RUN(test_sync_roundtrip);
	RUN(test_guest_cpuid);
	RUN(test_apic_base_msr);
	RUN(test_kick);
	RUN(test_nmi);
	RUN(test_interrupt_after_hlt);
	return CHECK_EXIT();
}
