/* The hardware tier through /dev/kvm: VM, memory slots, vCPUs, state sync, the run loop. */
// SPDX-License-Identifier: MIT
#include "cpu/kvm.h"
#include "cpu/kvm_debug.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "cpu/cpuid.h"
#include "cpu/vcpu.h"
#include "cpu/vm.h"
#include "hw/lapic.h"
#include "hw/log.h"

#define KVM_API 12
#define KVM_SLOTS 64
/* where VMX keeps its real-mode TSS (3 pages) and the identity page table
 * for unrestricted-guest-less CPUs: just below the 256K BIOS at 4G-256K */
#define KVM_TSS_ADDR 0xfffbd000ul
#define KVM_IDMAP_ADDR 0xfffbc000ull
/* the kick: interrupts KVM_RUN; blocked in vCPU threads outside KVM_RUN */
#define KVM_KICK_SIGNAL SIGUSR1

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ull << 10)

/* MSRs of struct cpu_msrs kept by KVM; synced when KVM lists them */
static const struct {
	uint32_t index;
	size_t off;
} msr_map[] = {
	{ 0x10, offsetof(struct cpu_msrs, tsc) },
	{ 0x174, offsetof(struct cpu_msrs, sysenter_cs) },
	{ 0x175, offsetof(struct cpu_msrs, sysenter_esp) },
	{ 0x176, offsetof(struct cpu_msrs, sysenter_eip) },
	{ 0x1a0, offsetof(struct cpu_msrs, misc_enable) },
	{ 0x277, offsetof(struct cpu_msrs, pat) },
	{ 0xc0000081, offsetof(struct cpu_msrs, star) },
	{ 0xc0000082, offsetof(struct cpu_msrs, lstar) },
	{ 0xc0000083, offsetof(struct cpu_msrs, cstar) },
	{ 0xc0000084, offsetof(struct cpu_msrs, fmask) },
	{ 0xc0000102, offsetof(struct cpu_msrs, kernel_gs_base) },
	{ 0xc0000103, offsetof(struct cpu_msrs, tsc_aux) },
	{ 0x2ff, offsetof(struct cpu_msrs, mtrr_def_type) },
#define MTRR_VAR(n) { 0x200 + (n), offsetof(struct cpu_msrs, mtrr_var[n]) }
	MTRR_VAR(0), MTRR_VAR(1), MTRR_VAR(2), MTRR_VAR(3), MTRR_VAR(4), MTRR_VAR(5),
	MTRR_VAR(6), MTRR_VAR(7), MTRR_VAR(8), MTRR_VAR(9), MTRR_VAR(10), MTRR_VAR(11),
	MTRR_VAR(12), MTRR_VAR(13), MTRR_VAR(14), MTRR_VAR(15),
#undef MTRR_VAR
	{ 0x250, offsetof(struct cpu_msrs, mtrr_fixed[0]) },
	{ 0x258, offsetof(struct cpu_msrs, mtrr_fixed[1]) },
	{ 0x259, offsetof(struct cpu_msrs, mtrr_fixed[2]) },
#define MTRR_FIX4K(n) { 0x268 + (n), offsetof(struct cpu_msrs, mtrr_fixed[3 + (n)]) }
	MTRR_FIX4K(0), MTRR_FIX4K(1), MTRR_FIX4K(2), MTRR_FIX4K(3),
	MTRR_FIX4K(4), MTRR_FIX4K(5), MTRR_FIX4K(6), MTRR_FIX4K(7),
#undef MTRR_FIX4K
};
#define MSR_MAP_N (sizeof(msr_map) / sizeof(msr_map[0]))
#define MSR_TSC_SLOT 0		/* msr_map[0] is the TSC */

/* struct kvm_regs field of each of our GPRs */
static const size_t kvm_gpr_off[CPU_NR_GPRS] = {
	[R_EAX] = offsetof(struct kvm_regs, rax), [R_ECX] = offsetof(struct kvm_regs, rcx),
	[R_EDX] = offsetof(struct kvm_regs, rdx), [R_EBX] = offsetof(struct kvm_regs, rbx),
	[R_ESP] = offsetof(struct kvm_regs, rsp), [R_EBP] = offsetof(struct kvm_regs, rbp),
	[R_ESI] = offsetof(struct kvm_regs, rsi), [R_EDI] = offsetof(struct kvm_regs, rdi),
	[R_R8] = offsetof(struct kvm_regs, r8), [R_R9] = offsetof(struct kvm_regs, r9),
	[R_R10] = offsetof(struct kvm_regs, r10), [R_R11] = offsetof(struct kvm_regs, r11),
	[R_R12] = offsetof(struct kvm_regs, r12), [R_R13] = offsetof(struct kvm_regs, r13),
	[R_R14] = offsetof(struct kvm_regs, r14), [R_R15] = offsetof(struct kvm_regs, r15),
};

struct kvm_slot {
	uint64_t gpa, size;
	bool used;
};

struct kvm_cpu;

/* per VM: vm->tier_vm[TIER_KVM] */
struct kvm_machine {
	struct vm *vm;
	int sys_fd, fd;
	size_t run_size;
	bool readonly_mem, xcrs, debugregs, msr_filter, immediate_exit;
	size_t xsave_size;		/* 0: no XSAVE, use KVM_GET_FPU */
	bool xsave2;
	uint32_t msr_slot[MSR_MAP_N];	/* msr_map entries KVM has */
	int nmsrs;
	struct kvm_cpuid2 *supported;
	struct kvm_slot slot[KVM_SLOTS];
	struct kvm_cpu *cpu[VM_MAX_CPUS];
};

/* per vCPU: v->tier_priv[TIER_KVM] while attached; lives until the VM goes */
struct kvm_cpu {
	struct kvm_machine *km;
	int fd;
	struct kvm_run *run;
	void *xsave;			/* KVM's last full image: what FXSAVE lacks */
	bool io_pending;		/* an I/O exit not yet completed by KVM_RUN */
	bool sigmask_set;
	uint8_t cr8;			/* TPR as KVM has it */
	uint64_t apic_base;		/* as KVM / our LAPIC last agreed */
	uint64_t tsc_out;		/* TSC read by the last sync_out */
	bool tsc_valid;
	/* the debugger's demands as last given to KVM_SET_GUEST_DEBUG */
	struct kvm_debug_plan dbg;
	uint32_t dbg_control;
	/* the thread inside run(), for the kick's signal */
	pthread_mutex_t kick_lock;
	bool in_run;
	pthread_t thread;
};

static int kvm_ioctl_err(const char *what, int vcpu)
{
	int err = errno;
	if (vcpu >= 0)
		log_error("kvm: vcpu %d: %s: %s", vcpu, what, strerror(err));
	else
		log_error("kvm: %s: %s", what, strerror(err));
	return -1;
}

/* ---- the host ---- */

bool kvm_module_param(const char *module, const char *param)
{
	char path[128], c = 0;
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 1 && (c == 'Y' || c == 'y' || c == '1');
}

void kvm_probe_host(struct tier_probe *p)
{
	memset(p, 0, sizeof(*p));
	vmx_host_probe(p);
	svm_host_probe(p);
	bool pvm = access("/sys/module/kvm_pvm", F_OK) == 0;

	/* the test switch that makes this host look like a poorer one
	 * (testsuite/hostcaps reads the same): none hides /dev/kvm, pvm takes
	 * it for a software hypervisor */
	const char *shape = getenv("TRIVISOR_HOST_KVM");
	if (shape && !strcmp(shape, "none")) {
		snprintf(p->desc, sizeof(p->desc), "/dev/kvm: hidden by TRIVISOR_HOST_KVM=none");
		return;
	}
	bool pvm_shape = shape && !strcmp(shape, "pvm");
	static bool warned;
	if (shape && *shape && !pvm_shape && !warned) {
		warned = true;
		log_error("warning: TRIVISOR_HOST_KVM=%s ignored (none or pvm)", shape);
	}

	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p->desc, sizeof(p->desc), "/dev/kvm: %s", strerror(errno));
		return;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	bool usermem = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) > 0;
	close(fd);
	if (api != KVM_API) {
		snprintf(p->desc, sizeof(p->desc), "/dev/kvm: KVM API version %d, we need %d",
			 api, KVM_API);
		return;
	}
	if (!usermem) {
		snprintf(p->desc, sizeof(p->desc), "/dev/kvm: no user memory slots");
		return;
	}
	p->usable = true;
	p->hw_backed = (p->vmx || p->svm) && !pvm && !pvm_shape;
	p->slow = !p->hw_backed;
	if (pvm_shape && !pvm)
		snprintf(p->desc, sizeof(p->desc),
			 "/dev/kvm taken for a software hypervisor (TRIVISOR_HOST_KVM=pvm): "
			 "small guests only, slowly");
	else if (pvm)
		snprintf(p->desc, sizeof(p->desc),
			 "/dev/kvm is kvm_pvm, a software hypervisor (%s): small guests only, slowly",
			 p->vmx || p->svm ? "not the host's VMX/SVM" : "no VMX/SVM on this host");
	else if (!p->hw_backed)
		snprintf(p->desc, sizeof(p->desc),
			 "/dev/kvm without VMX or SVM in host CPUID: a software hypervisor, "
			 "small guests only, slowly");
	else if (p->vmx)
		vmx_describe(p);
	else
		svm_describe(p);
}

const struct tier *kvm_tier_for_host(void)
{
	struct tier_probe p;
	kvm_probe_host(&p);
	if (p.hw_backed && p.vmx)
		return &vmx_tier;
	if (p.hw_backed && p.svm)
		return &svm_tier;
	return &kvm_tier;
}

static void kvm_probe(struct tier_probe *p)
{
	kvm_probe_host(p);
}

/* ---- memory slots: the physmap listener ---- */

static void slot_add(void *opaque, const struct physmap_region *r)
{
	struct kvm_machine *km = opaque;
	int i = 0;
	while (i < KVM_SLOTS && km->slot[i].used)
		i++;
	if (i == KVM_SLOTS) {
		log_error("kvm: no free memory slot for %s at 0x%llx", r->name,
			  (unsigned long long)r->gpa);
		return;
	}
	bool rom = r->kind == PM_ROM;
	if (rom && !km->readonly_mem)
		log_once("kvm: no read-only memory slots: guest writes to ROM %s will stick\n", r->name);
	struct kvm_userspace_memory_region m = {
		.slot = (uint32_t)i,
		/* read-only: guest writes exit as MMIO, and vcpu_mmio drops them */
		.flags = rom && km->readonly_mem ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (uintptr_t)r->host,
	};
	if (ioctl(km->fd, KVM_SET_USER_MEMORY_REGION, &m) < 0) {
		log_error("kvm: memory slot for %s at 0x%llx+0x%llx: %s", r->name,
			  (unsigned long long)r->gpa, (unsigned long long)r->size, strerror(errno));
		return;
	}
	km->slot[i] = (struct kvm_slot){ r->gpa, r->size, true };
}

static void slot_del(void *opaque, const struct physmap_region *r)
{
	struct kvm_machine *km = opaque;
	for (int i = 0; i < KVM_SLOTS; i++) {
		struct kvm_slot *s = &km->slot[i];
		if (!s->used || s->gpa != r->gpa || s->size != r->size)
			continue;
		struct kvm_userspace_memory_region m = { .slot = (uint32_t)i,
							 .guest_phys_addr = r->gpa };
		if (ioctl(km->fd, KVM_SET_USER_MEMORY_REGION, &m) < 0)
			kvm_ioctl_err("removing a memory slot", -1);
		s->used = false;
		return;
	}
}

/* ---- the VM ---- */

static struct kvm_cpuid2 *get_supported_cpuid(int sys_fd)
{
	for (uint32_t n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		int err = errno;
		free(c);
		if (err != E2BIG) {
			errno = err;
			return NULL;
		}
	}
	errno = E2BIG;
	return NULL;
}

/* which of msr_map KVM keeps (KVM_GET_MSR_INDEX_LIST) */
static int find_msrs(struct kvm_machine *km)
{
	struct kvm_msr_list probe = { 0 };
	if (ioctl(km->sys_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
		return kvm_ioctl_err("KVM_GET_MSR_INDEX_LIST", -1);
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(uint32_t));
	if (!l)
		return -1;
	l->nmsrs = probe.nmsrs;
	if (ioctl(km->sys_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		free(l);
		return kvm_ioctl_err("KVM_GET_MSR_INDEX_LIST", -1);
	}
	for (size_t i = 0; i < MSR_MAP_N; i++)
		for (uint32_t j = 0; j < l->nmsrs; j++)
			if (l->indices[j] == msr_map[i].index) {
				km->msr_slot[km->nmsrs++] = (uint32_t)i;
				break;
			}
	free(l);
	return 0;
}

/* IA32_APIC_BASE belongs to our LAPIC: make the guest's RDMSR/WRMSR of it
 * exit to us, so a relocated or disabled APIC page is known at once */
static void apic_base_filter(struct kvm_machine *km)
{
	if (ioctl(km->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
	    ioctl(km->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0)
		return;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR,
				      .args = { KVM_MSR_EXIT_REASON_FILTER } };
	if (ioctl(km->fd, KVM_ENABLE_CAP, &cap) < 0)
		return;
	uint8_t deny = 0;
	struct kvm_msr_filter f = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	f.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
		.nmsrs = 1, .base = MSR_IA32_APIC_BASE, .bitmap = &deny,
	};
	km->msr_filter = ioctl(km->fd, KVM_X86_SET_MSR_FILTER, &f) == 0;
}

int kvm_vm_init(struct vm *vm)
{
	struct kvm_machine *km = calloc(1, sizeof(*km));
	if (!km) {
		log_error("kvm: out of memory");
		return -1;
	}
	km->vm = vm;
	km->fd = -1;
	km->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (km->sys_fd < 0) {
		log_error("kvm: /dev/kvm: %s", strerror(errno));
		free(km);
		return -1;
	}
	if (ioctl(km->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API) {
		log_error("kvm: /dev/kvm speaks another KVM API than version %d", KVM_API);
		goto fail;
	}
	km->fd = ioctl(km->sys_fd, KVM_CREATE_VM, 0);
	if (km->fd < 0) {
		kvm_ioctl_err("KVM_CREATE_VM", -1);
		goto fail;
	}
	int sz = ioctl(km->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run)) {
		kvm_ioctl_err("KVM_GET_VCPU_MMAP_SIZE", -1);
		goto fail;
	}
	km->run_size = (size_t)sz;
	km->readonly_mem = ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	km->xcrs = ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
	km->debugregs = ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) > 0;
	km->immediate_exit = ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
	int xs2 = ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (xs2 > 0) {
		km->xsave_size = (size_t)xs2;
		km->xsave2 = true;
	} else if (ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) {
		km->xsave_size = sizeof(struct kvm_xsave);
	}

	/* VMX without unrestricted guest runs real mode in vm86 and needs a
	 * TSS and (without EPT) an identity page table; elsewhere KVM takes
	 * these as no-ops, so set them everywhere and insist only on VMX */
	struct tier_probe hp;
	memset(&hp, 0, sizeof(hp));
	vmx_host_probe(&hp);
	if (ioctl(km->fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0 && hp.vmx) {
		kvm_ioctl_err("KVM_SET_TSS_ADDR", -1);
		goto fail;
	}
	uint64_t idmap = KVM_IDMAP_ADDR;
	if (ioctl(km->fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(km->fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0 && hp.vmx) {
		kvm_ioctl_err("KVM_SET_IDENTITY_MAP_ADDR", -1);
		goto fail;
	}
	km->supported = get_supported_cpuid(km->sys_fd);
	if (!km->supported) {
		kvm_ioctl_err("KVM_GET_SUPPORTED_CPUID", -1);
		goto fail;
	}
	if (find_msrs(km) < 0)
		goto fail;
	apic_base_filter(km);

	vm->tier_vm[TIER_KVM] = km;
	struct physmap_listener l = { slot_add, slot_del, km };
	physmap_set_listener(vm->pm, &l);
	return 0;
fail:
	if (km->fd >= 0)
		close(km->fd);
	close(km->sys_fd);
	free(km->supported);
	free(km);
	return -1;
}

static void cpu_free(struct kvm_machine *km, struct kvm_cpu *c)
{
	if (c->run)
		munmap(c->run, km->run_size);
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_destroy(&c->kick_lock);
	free(c->xsave);
	free(c);
}

void kvm_vm_destroy(struct vm *vm)
{
	struct kvm_machine *km = vm->tier_vm[TIER_KVM];
	if (!km)
		return;
	struct physmap_listener none = { 0 };
	physmap_set_listener(vm->pm, &none);
	for (int i = 0; i < VM_MAX_CPUS; i++)
		if (km->cpu[i])
			cpu_free(km, km->cpu[i]);
	close(km->fd);
	close(km->sys_fd);
	free(km->supported);
	free(km);
	vm->tier_vm[TIER_KVM] = NULL;
}

/* ---- vCPUs ---- */

static void kick_handler(int sig)
{
	(void)sig;	/* its only job is to exist, so KVM_RUN returns EINTR */
}

static int install_kick_handler(void)
{
	struct sigaction old;
	if (sigaction(KVM_KICK_SIGNAL, NULL, &old) < 0)
		return -1;
	if (old.sa_handler == kick_handler)
		return 0;
	if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
		log_error("kvm: signal %d already has a handler; cannot kick vCPUs with it",
			  KVM_KICK_SIGNAL);
		return -1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	return sigaction(KVM_KICK_SIGNAL, &sa, NULL);
}

static int set_cpuid(struct kvm_machine *km, struct kvm_cpu *c, int index)
{
	struct cpuid_table *t = calloc(1, sizeof(*t));
	struct kvm_cpuid2 *k = calloc(1, sizeof(*k) + CPUID_MAX_ENTRIES * sizeof(k->entries[0]));
	int r = -1;
	if (!t || !k) {
		log_error("kvm: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < km->supported->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &km->supported->entries[i];
		if (cpuid_set(t, e->function, e->index,
			      (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0,
			      e->eax, e->ebx, e->ecx, e->edx) < 0) {
			log_once("kvm: more CPUID leaves than we keep; the rest are hidden\n");
			break;
		}
	}
	cpuid_filter(t, index, km->vm->ncpus);
	k->nent = (uint32_t)t->n;
	for (int i = 0; i < t->n; i++) {
		const struct cpuid_entry *e = &t->e[i];
		k->entries[i] = (struct kvm_cpuid_entry2){
			.function = e->leaf, .index = e->subleaf,
			.flags = e->indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e->r[CPUID_EAX], .ebx = e->r[CPUID_EBX],
			.ecx = e->r[CPUID_ECX], .edx = e->r[CPUID_EDX],
		};
	}
	r = ioctl(c->fd, KVM_SET_CPUID2, k);
	if (r < 0)
		kvm_ioctl_err("KVM_SET_CPUID2", index);
out:
	free(t);
	free(k);
	return r < 0 ? -1 : 0;
}

static struct kvm_cpu *cpu_create(struct kvm_machine *km, int index)
{
	struct kvm_cpu *c = calloc(1, sizeof(*c));
	if (!c) {
		log_error("kvm: out of memory");
		return NULL;
	}
	c->km = km;
	pthread_mutex_init(&c->kick_lock, NULL);
	c->fd = ioctl(km->fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (c->fd < 0) {
		kvm_ioctl_err("KVM_CREATE_VCPU", index);
		goto fail;
	}
	c->run = mmap(NULL, km->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		kvm_ioctl_err("mapping kvm_run", index);
		goto fail;
	}
	if (set_cpuid(km, c, index) < 0)
		goto fail;
	if (km->xsave_size) {
		/* KVM's own image is the template: it keeps what FXSAVE lacks */
		c->xsave = calloc(1, km->xsave_size < sizeof(struct kvm_xsave) ?
				  sizeof(struct kvm_xsave) : km->xsave_size);
		if (!c->xsave ||
		    ioctl(c->fd, km->xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, c->xsave) < 0) {
			kvm_ioctl_err("KVM_GET_XSAVE", index);
			goto fail;
		}
	}
	return c;
fail:
	cpu_free(km, c);
	return NULL;
}

int kvm_attach(struct vcpu *v)
{
	struct kvm_machine *km = v->vm->tier_vm[TIER_KVM];
	if (!km || v->index < 0 || v->index >= VM_MAX_CPUS) {
		log_error("kvm: vcpu %d: attach before the VM was set up", v->index);
		return -1;
	}
	if (install_kick_handler() < 0)
		return -1;
	if (!km->cpu[v->index]) {
		km->cpu[v->index] = cpu_create(km, v->index);
		if (!km->cpu[v->index])
			return -1;
	}
	v->tier_priv[TIER_KVM] = km->cpu[v->index];
	return 0;
}

void kvm_detach(struct vcpu *v)
{
	/* the vCPU fd stays with the VM: KVM cannot create the same one twice */
	v->tier_priv[TIER_KVM] = NULL;
}

/* ---- state ---- */

static void seg_to_kvm(struct kvm_segment *k, const struct cpu_segment *s)
{
	uint32_t a = s->attr;
	*k = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = (uint8_t)SEG_ATTR_TYPE(a), .s = !!(a & SEG_ATTR_S),
		.dpl = (uint8_t)SEG_ATTR_DPL(a), .present = !!(a & SEG_ATTR_P),
		.avl = !!(a & SEG_ATTR_AVL), .l = !!(a & SEG_ATTR_L),
		.db = !!(a & SEG_ATTR_DB), .g = !!(a & SEG_ATTR_G),
		.unusable = !!(a & SEG_ATTR_UNUSABLE),
	};
}

static void seg_from_kvm(struct cpu_segment *s, const struct kvm_segment *k)
{
	s->selector = k->selector;
	s->base = k->base;
	s->limit = k->limit;
	s->attr = (k->type & 0xfu) | (k->s ? SEG_ATTR_S : 0) | ((uint32_t)(k->dpl & 3) << 5) |
		  (k->present ? SEG_ATTR_P : 0) | (k->avl ? SEG_ATTR_AVL : 0) |
		  (k->l ? SEG_ATTR_L : 0) | (k->db ? SEG_ATTR_DB : 0) | (k->g ? SEG_ATTR_G : 0) |
		  (k->unusable ? SEG_ATTR_UNUSABLE : 0);
}

/* kvm_sregs segment of each of ours */
static struct kvm_segment *sregs_seg(struct kvm_sregs *k, int i)
{
	static const size_t off[CPU_NR_SEGS] = {
		[S_ES] = offsetof(struct kvm_sregs, es), [S_CS] = offsetof(struct kvm_sregs, cs),
		[S_SS] = offsetof(struct kvm_sregs, ss), [S_DS] = offsetof(struct kvm_sregs, ds),
		[S_FS] = offsetof(struct kvm_sregs, fs), [S_GS] = offsetof(struct kvm_sregs, gs),
	};
	return (struct kvm_segment *)((char *)k + off[i]);
}

/* without XSAVE: struct kvm_fpu <-> the FXSAVE image */
static void fpu_to_fxsave(uint8_t *fx, const struct kvm_fpu *f)
{
	memset(fx, 0, 512);
	memcpy(fx + 0, &f->fcw, 2);
	memcpy(fx + 2, &f->fsw, 2);
	fx[4] = f->ftwx;
	memcpy(fx + 6, &f->last_opcode, 2);
	memcpy(fx + 8, &f->last_ip, 8);
	memcpy(fx + 16, &f->last_dp, 8);
	memcpy(fx + 24, &f->mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(fx + 28, &mask, 4);
	memcpy(fx + 32, f->fpr, sizeof(f->fpr));
	memcpy(fx + 160, f->xmm, sizeof(f->xmm));
}

static void fxsave_to_fpu(struct kvm_fpu *f, const uint8_t *fx)
{
	memset(f, 0, sizeof(*f));
	memcpy(&f->fcw, fx + 0, 2);
	memcpy(&f->fsw, fx + 2, 2);
	f->ftwx = fx[4];
	memcpy(&f->last_opcode, fx + 6, 2);
	memcpy(&f->last_ip, fx + 8, 8);
	memcpy(&f->last_dp, fx + 16, 8);
	memcpy(&f->mxcsr, fx + 24, 4);
	memcpy(f->fpr, fx + 32, sizeof(f->fpr));
	memcpy(f->xmm, fx + 160, sizeof(f->xmm));
}

/* an I/O or MMIO exit is finished (RIP moved on, IN data stored) only by the
 * next KVM_RUN; with immediate_exit set that runs no guest code */
static int complete_io(struct vcpu *v, struct kvm_cpu *c)
{
	if (!c->io_pending)
		return 0;
	__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	int r = ioctl(c->fd, KVM_RUN, 0);
	int err = errno;
	__atomic_store_n(&c->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	c->io_pending = false;
	if (r < 0 && err != EINTR && err != EAGAIN) {
		errno = err;
		return kvm_ioctl_err("completing an I/O exit", v->index);
	}
	return 0;
}

static uint64_t lapic_base_locked(struct vcpu *v)
{
	pthread_mutex_lock(v->vm->lock);
	uint64_t b = lapic_get_base(v->apic);
	pthread_mutex_unlock(v->vm->lock);
	return b;
}

/* the guest wrote IA32_APIC_BASE behind our back (no MSR filter) */
static void apic_base_from_kvm(struct vcpu *v, struct kvm_cpu *c, uint64_t base)
{
	if (base == c->apic_base)
		return;
	pthread_mutex_lock(v->vm->lock);
	lapic_set_base(v->apic, base);
	c->apic_base = lapic_get_base(v->apic);
	pthread_mutex_unlock(v->vm->lock);
}

int kvm_sync_in(struct vcpu *v)
{
	struct kvm_cpu *c = v->tier_priv[TIER_KVM];
	if (!c) {
		log_error("kvm: vcpu %d: state sync without attach", v->index);
		return -1;
	}
	struct kvm_machine *km = c->km;
	const struct cpu_state *s = &v->s;
	if (complete_io(v, c) < 0)
		return -1;

	struct kvm_regs regs;
	memset(&regs, 0, sizeof(regs));
	for (int i = 0; i < CPU_NR_GPRS; i++)
		*(uint64_t *)((char *)&regs + kvm_gpr_off[i]) = s->gpr[i];
	regs.rip = s->rip;
	regs.rflags = s->rflags | FL_FIXED;
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return kvm_ioctl_err("KVM_SET_REGS", v->index);

	pthread_mutex_lock(v->vm->lock);
	c->apic_base = lapic_get_base(v->apic);
	c->cr8 = lapic_get_cr8(v->apic);
	pthread_mutex_unlock(v->vm->lock);

	struct kvm_sregs sr;
	memset(&sr, 0, sizeof(sr));
	for (int i = 0; i < CPU_NR_SEGS; i++)
		seg_to_kvm(sregs_seg(&sr, i), &s->seg[i]);
	seg_to_kvm(&sr.ldt, &s->ldt);
	seg_to_kvm(&sr.tr, &s->tr);
	sr.gdt = (struct kvm_dtable){ .base = s->gdt.base, .limit = s->gdt.limit };
	sr.idt = (struct kvm_dtable){ .base = s->idt.base, .limit = s->idt.limit };
	sr.cr0 = s->cr0;
	sr.cr2 = s->cr2;
	sr.cr3 = s->cr3;
	sr.cr4 = s->cr4;
	sr.cr8 = c->cr8;
	sr.efer = s->efer;
	/* KVM's copy is only a mirror; it refuses x2APIC mode when CPUID hides
	 * x2APIC, and addresses beyond the guest's physical width: keep those
	 * to our LAPIC, which the MSR filter makes the only one the guest sees */
	sr.apic_base = c->apic_base & ~APIC_BASE_EXTD;
	if (km->msr_filter && (sr.apic_base >> 36))
		sr.apic_base = (sr.apic_base & 0xfff) | APIC_DEFAULT_BASE;
	if (ioctl(c->fd, KVM_SET_SREGS, &sr) < 0)
		return kvm_ioctl_err("KVM_SET_SREGS", v->index);

	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[MSR_MAP_N];
	} m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < km->nmsrs; i++) {
		uint32_t k = km->msr_slot[i];
		/* writing the TSC moves KVM's offset: only when it changed
		 * since we read it, so a round trip does not make time jump */
		uint64_t val = *(const uint64_t *)((const char *)&s->msr + msr_map[k].off);
		if (k == MSR_TSC_SLOT && c->tsc_valid && val == c->tsc_out)
			continue;
		m.e[m.h.nmsrs++] = (struct kvm_msr_entry){ .index = msr_map[k].index, .data = val };
	}
	int n = ioctl(c->fd, KVM_SET_MSRS, &m);
	if (n < 0)
		return kvm_ioctl_err("KVM_SET_MSRS", v->index);
	if ((uint32_t)n < m.h.nmsrs)
		log_once("kvm: KVM refused MSR 0x%x\n", m.e[n].index);

	if (km->xsave_size) {
		/* the legacy area is the FXSAVE image; mark x87 and SSE present
		 * in XSTATE_BV so KVM loads them */
		memcpy(c->xsave, s->fxsave, 512);
		uint64_t bv;
		memcpy(&bv, (uint8_t *)c->xsave + 512, 8);
		bv |= 3;
		memcpy((uint8_t *)c->xsave + 512, &bv, 8);
		if (ioctl(c->fd, KVM_SET_XSAVE, c->xsave) < 0)
			return kvm_ioctl_err("KVM_SET_XSAVE", v->index);
	} else {
		struct kvm_fpu f;
		fxsave_to_fpu(&f, s->fxsave);
		if (ioctl(c->fd, KVM_SET_FPU, &f) < 0)
			return kvm_ioctl_err("KVM_SET_FPU", v->index);
	}
	if (km->xcrs) {
		struct kvm_xcrs x;
		memset(&x, 0, sizeof(x));
		x.nr_xcrs = 1;
		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = s->xcr0 | 1;	/* x87 is always enabled */
		if (ioctl(c->fd, KVM_SET_XCRS, &x) < 0)
			return kvm_ioctl_err("KVM_SET_XCRS", v->index);
	}
	if (km->debugregs) {
		struct kvm_debugregs d;
		memset(&d, 0, sizeof(d));
		for (int i = 0; i < 4; i++)
			d.db[i] = s->dr[i];
		d.dr6 = s->dr[6];
		d.dr7 = s->dr[7];
		if (ioctl(c->fd, KVM_SET_DEBUGREGS, &d) < 0)
			return kvm_ioctl_err("KVM_SET_DEBUGREGS", v->index);
	}

	const struct cpu_events *ev = &s->ev;
	struct kvm_vcpu_events e;
	memset(&e, 0, sizeof(e));
	e.exception.injected = ev->exception_pending;
	e.exception.nr = ev->exception_nr;
	e.exception.has_error_code = ev->exception_has_error;
	e.exception.error_code = ev->exception_error;
	e.interrupt.injected = ev->interrupt_injected;
	e.interrupt.nr = ev->interrupt_nr;
	e.interrupt.shadow = ev->interrupt_shadow;	/* 1 MOV SS, 2 STI, as KVM */
	e.nmi.injected = ev->nmi_injected;
	e.nmi.pending = ev->nmi_pending;
	e.nmi.masked = ev->nmi_masked;
	e.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	if (ioctl(c->fd, KVM_SET_VCPU_EVENTS, &e) < 0)
		return kvm_ioctl_err("KVM_SET_VCPU_EVENTS", v->index);

	/* what the last exit said about IF no longer holds: ask for a window
	 * rather than inject into a state we just replaced */
	c->run->ready_for_interrupt_injection = 0;
	c->run->if_flag = 0;
	return 0;
}

int kvm_sync_out(struct vcpu *v)
{
	struct kvm_cpu *c = v->tier_priv[TIER_KVM];
	if (!c) {
		log_error("kvm: vcpu %d: state sync without attach", v->index);
		return -1;
	}
	struct kvm_machine *km = c->km;
	struct cpu_state *s = &v->s;
	if (complete_io(v, c) < 0)
		return -1;

	struct kvm_regs regs;
	if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0)
		return kvm_ioctl_err("KVM_GET_REGS", v->index);
	for (int i = 0; i < CPU_NR_GPRS; i++)
		s->gpr[i] = *(const uint64_t *)((const char *)&regs + kvm_gpr_off[i]);
	s->rip = regs.rip;
	s->rflags = regs.rflags;

	struct kvm_sregs sr;
	if (ioctl(c->fd, KVM_GET_SREGS, &sr) < 0)
		return kvm_ioctl_err("KVM_GET_SREGS", v->index);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		seg_from_kvm(&s->seg[i], sregs_seg(&sr, i));
	seg_from_kvm(&s->ldt, &sr.ldt);
	seg_from_kvm(&s->tr, &sr.tr);
	s->gdt = (struct cpu_dtable){ sr.gdt.base, sr.gdt.limit };
	s->idt = (struct cpu_dtable){ sr.idt.base, sr.idt.limit };
	s->cr0 = sr.cr0;
	s->cr2 = sr.cr2;
	s->cr3 = sr.cr3;
	s->cr4 = sr.cr4;
	s->efer = sr.efer;
	s->cr8 = c->cr8;
	if (!km->msr_filter)
		apic_base_from_kvm(v, c, sr.apic_base);
	s->msr.apic_base = lapic_base_locked(v);

	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[MSR_MAP_N];
	} m;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < km->nmsrs; i++)
		m.e[m.h.nmsrs++].index = msr_map[km->msr_slot[i]].index;
	int n = ioctl(c->fd, KVM_GET_MSRS, &m);
	if (n < 0)
		return kvm_ioctl_err("KVM_GET_MSRS", v->index);
	for (int i = 0; i < n; i++) {
		uint32_t k = km->msr_slot[i];
		*(uint64_t *)((char *)&s->msr + msr_map[k].off) = m.e[i].data;
		if (k == MSR_TSC_SLOT) {
			c->tsc_out = m.e[i].data;
			c->tsc_valid = true;
		}
	}

	if (km->xsave_size) {
		if (ioctl(c->fd, km->xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, c->xsave) < 0)
			return kvm_ioctl_err("KVM_GET_XSAVE", v->index);
		memcpy(s->fxsave, c->xsave, 512);
	} else {
		struct kvm_fpu f;
		if (ioctl(c->fd, KVM_GET_FPU, &f) < 0)
			return kvm_ioctl_err("KVM_GET_FPU", v->index);
		fpu_to_fxsave(s->fxsave, &f);
	}
	if (km->xcrs) {
		struct kvm_xcrs x;
		if (ioctl(c->fd, KVM_GET_XCRS, &x) < 0)
			return kvm_ioctl_err("KVM_GET_XCRS", v->index);
		for (uint32_t i = 0; i < x.nr_xcrs; i++)
			if (x.xcrs[i].xcr == 0)
				s->xcr0 = x.xcrs[i].value;
	}
	if (km->debugregs) {
		struct kvm_debugregs d;
		if (ioctl(c->fd, KVM_GET_DEBUGREGS, &d) < 0)
			return kvm_ioctl_err("KVM_GET_DEBUGREGS", v->index);
		for (int i = 0; i < 4; i++)
			s->dr[i] = d.db[i];
		s->dr[6] = d.dr6;
		s->dr[7] = d.dr7;
	}

	struct kvm_vcpu_events e;
	if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &e) < 0)
		return kvm_ioctl_err("KVM_GET_VCPU_EVENTS", v->index);
	struct cpu_events *ev = &s->ev;
	ev->exception_pending = e.exception.injected || e.exception.pending;
	ev->exception_nr = e.exception.nr;
	ev->exception_has_error = e.exception.has_error_code;
	ev->exception_error = e.exception.error_code;
	ev->interrupt_injected = e.interrupt.injected;
	ev->interrupt_nr = e.interrupt.nr;
	ev->interrupt_shadow = e.interrupt.shadow;
	ev->nmi_injected = e.nmi.injected;
	ev->nmi_pending = e.nmi.pending;
	ev->nmi_masked = e.nmi.masked;
	return 0;
}

bool kvm_can_run(const struct vm *vm, const struct cpu_state *s)
{
	/* KVM emulates what VMX cannot enter (real mode without unrestricted
	 * guest); kvm_pvm fails on some mode switches, which run() reports */
	(void)vm;
	(void)s;
	return true;
}

/* ---- running ---- */

void kvm_kick(struct vcpu *v)
{
	struct kvm_cpu *c = v->tier_priv[TIER_KVM];
	if (!c)
		return;
	/* immediate_exit catches a kick just before KVM_RUN; the signal one
	 * during it. A kick from the vCPU's own thread happens outside
	 * KVM_RUN, and run() looks at events before every entry anyway. */
	pthread_mutex_lock(&c->kick_lock);
	if (!c->in_run || !pthread_equal(c->thread, pthread_self())) {
		__atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (c->in_run)
			pthread_kill(c->thread, KVM_KICK_SIGNAL);
	}
	pthread_mutex_unlock(&c->kick_lock);
}

/* the kick signal stays blocked in this thread except inside KVM_RUN, so it
 * interrupts nothing else the thread does (device code, host I/O) */
static int thread_enter(struct vcpu *v, struct kvm_cpu *c)
{
	sigset_t blk, cur;
	sigemptyset(&blk);
	sigaddset(&blk, KVM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &blk, &cur);
	if (!c->sigmask_set) {
		sigdelset(&cur, KVM_KICK_SIGNAL);
		struct {
			struct kvm_signal_mask h;
			uint8_t set[8];		/* the kernel's sigset_t */
		} m;
		m.h.len = 8;
		memcpy(m.set, &cur, 8);
		if (ioctl(c->fd, KVM_SET_SIGNAL_MASK, &m) < 0)
			return kvm_ioctl_err("KVM_SET_SIGNAL_MASK", v->index);
		c->sigmask_set = true;
	}
	pthread_mutex_lock(&c->kick_lock);
	c->thread = pthread_self();
	c->in_run = true;
	pthread_mutex_unlock(&c->kick_lock);
	return 0;
}

static enum tier_exit thread_leave(struct kvm_cpu *c, enum tier_exit e)
{
	pthread_mutex_lock(&c->kick_lock);
	c->in_run = false;
	pthread_mutex_unlock(&c->kick_lock);
	return e;
}

/* a kick signal left pending (blocked) by an interrupted KVM_RUN would make
 * every later KVM_RUN return at once: take it */
static void eat_kick_signal(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, KVM_KICK_SIGNAL);
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&set, NULL, &zero) == KVM_KICK_SIGNAL)
		;
}

static bool want_out(struct vcpu *v)
{
	return atomic_load(&v->vm->stop) != VM_RUNNING ||
	       (atomic_load(&v->events) & (VCPU_EV_INIT | VCPU_EV_SIPI));
}

static void inject(struct vcpu *v, struct kvm_cpu *c, struct tier_stats *st)
{
	struct kvm_run *run = c->run;
	if (vcpu_take_nmi(v)) {
		if (ioctl(c->fd, KVM_NMI, 0) < 0)
			kvm_ioctl_err("KVM_NMI", v->index);
		else
			st->nmis_injected++;
	}
	run->request_interrupt_window = 0;
	if (vcpu_irq_pending(v) < 0)
		return;
	if (!run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return;
	}
	int vector = vcpu_irq_ack(v);
	if (vector >= 0) {
		struct kvm_interrupt irq = { .irq = (uint32_t)vector };
		if (ioctl(c->fd, KVM_INTERRUPT, &irq) < 0)
			kvm_ioctl_err("KVM_INTERRUPT", v->index);
		else
			st->irqs_injected++;
	}
	if (vcpu_irq_pending(v) >= 0)
		run->request_interrupt_window = 1;
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "unknown", [KVM_EXIT_EXCEPTION] = "exception",
		[KVM_EXIT_IO] = "io", [KVM_EXIT_HYPERCALL] = "hypercall",
		[KVM_EXIT_DEBUG] = "debug", [KVM_EXIT_HLT] = "hlt", [KVM_EXIT_MMIO] = "mmio",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq window", [KVM_EXIT_SHUTDOWN] = "shutdown",
		[KVM_EXIT_FAIL_ENTRY] = "entry failed", [KVM_EXIT_INTR] = "intr",
		[KVM_EXIT_SET_TPR] = "set tpr", [KVM_EXIT_TPR_ACCESS] = "tpr access",
		[KVM_EXIT_NMI] = "nmi", [KVM_EXIT_INTERNAL_ERROR] = "internal error",
		[KVM_EXIT_SYSTEM_EVENT] = "system event",
	};
	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

static const char *internal_error_name(uint32_t sub)
{
	switch (sub) {
	case KVM_INTERNAL_ERROR_EMULATION: return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV: return "exit while delivering an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected exit reason";
	default: return "?";
	}
}

/* one line: why KVM gave up, and where the guest was.
 * An instruction KVM's emulator cannot do (kvm_pvm emulates everything,
 * and KVM's emulator lacks e.g. protected-mode IRET) is not an error of
 * the guest: the vCPU loop can run it in another tier, so say
 * TIER_EXIT_CANNOT_RUN with the reason kept for when no tier can. */
static enum tier_exit report_error(struct vcpu *v, struct kvm_cpu *c)
{
	struct kvm_run *run = c->run;
	char why[160];
	bool cannot_emulate = run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
			      run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION;
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		snprintf(why, sizeof(why), "VM entry failed, hardware reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
		 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		 run->emulation_failure.ndata >= 2 &&
		 (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		/* the bytes KVM could not emulate */
		int n = snprintf(why, sizeof(why), "KVM could not emulate the instruction");
		unsigned len = run->emulation_failure.insn_size;
		for (unsigned i = 0; i < len && i < 15 && n < (int)sizeof(why) - 4; i++)
			n += snprintf(why + n, sizeof(why) - (size_t)n, " %02x",
				      run->emulation_failure.insn_bytes[i]);
	} else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(why, sizeof(why), "internal error %u (%s), data %llx %llx",
			 run->internal.suberror, internal_error_name(run->internal.suberror),
			 (unsigned long long)(run->internal.ndata > 0 ? run->internal.data[0] : 0),
			 (unsigned long long)(run->internal.ndata > 1 ? run->internal.data[1] : 0));
	else
		snprintf(why, sizeof(why), "unhandled exit %u (%s)", run->exit_reason,
			 exit_name(run->exit_reason));
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(c->fd, KVM_GET_REGS, &r) < 0 || ioctl(c->fd, KVM_GET_SREGS, &s) < 0) {
		log_error("kvm: vcpu %d: %s", v->index, why);
		return TIER_EXIT_ERROR;
	}
	if (cannot_emulate) {
		snprintf(v->cannot_run_why, sizeof(v->cannot_run_why), "kvm: %s at %04x:%llx",
			 why, s.cs.selector, (unsigned long long)r.rip);
		return TIER_EXIT_CANNOT_RUN;
	}
	log_error("kvm: vcpu %d: %s at %04x:%llx (linear %llx) rflags %llx cr0 %llx cr3 %llx "
		  "cr4 %llx efer %llx rax %llx rbx %llx rcx %llx rdx %llx rsi %llx rdi %llx "
		  "rsp %llx rbp %llx",
		  v->index, why, s.cs.selector, (unsigned long long)r.rip,
		  (unsigned long long)(s.cs.base + r.rip), (unsigned long long)r.rflags,
		  (unsigned long long)s.cr0, (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		  (unsigned long long)s.efer, (unsigned long long)r.rax, (unsigned long long)r.rbx,
		  (unsigned long long)r.rcx, (unsigned long long)r.rdx, (unsigned long long)r.rsi,
		  (unsigned long long)r.rdi, (unsigned long long)r.rsp, (unsigned long long)r.rbp);
	return TIER_EXIT_ERROR;
}

static void exit_mmio(struct vcpu *v, struct kvm_cpu *c)
{
	struct kvm_run *run = c->run;
	uint64_t gpa = run->mmio.phys_addr;
	if (!c->km->msr_filter) {
		/* KVM holds IA32_APIC_BASE: a relocated or disabled APIC page
		 * must be known before we route the access */
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} m = { .h = { .nmsrs = 1 }, .e = { .index = MSR_IA32_APIC_BASE } };
		if (ioctl(c->fd, KVM_GET_MSRS, &m) == 1)
			apic_base_from_kvm(v, c, m.e.data);
	}
	unsigned len = run->mmio.len;
	if (len == 0 || len > 8)
		len = len ? 8 : 1;
	vcpu_mmio(v, gpa, run->mmio.data, len, run->mmio.is_write);
	/* a write to the APIC's TPR changes what KVM must see as CR8 */
	if ((gpa & ~0xfffull) == (c->apic_base & ~0xfffull)) {
		pthread_mutex_lock(v->vm->lock);
		c->cr8 = lapic_get_cr8(v->apic);
		pthread_mutex_unlock(v->vm->lock);
	}
}

static void exit_msr(struct vcpu *v, struct kvm_cpu *c)
{
	struct kvm_run *run = c->run;
	int r;
	if (run->exit_reason == KVM_EXIT_X86_RDMSR) {
		uint64_t val = 0;
		r = vcpu_msr_read(v, run->msr.index, &val);
		run->msr.data = val;
	} else {
		r = vcpu_msr_write(v, run->msr.index, run->msr.data);
		c->apic_base = lapic_base_locked(v);
	}
	run->msr.error = r < 0;		/* KVM injects #GP */
}

/* serve one exit; true (and *how) when run() returns */
static bool handle_exit(struct vcpu *v, struct kvm_cpu *c, struct tier_stats *st,
			enum tier_exit *how)
{
	struct kvm_run *run = c->run;
	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		st->exits_io++;
		uint8_t *data = (uint8_t *)run + run->io.data_offset;
		for (uint32_t i = 0; i < run->io.count; i++)
			vcpu_pio(v, run->io.port, data + i * run->io.size, run->io.size,
				 run->io.direction == KVM_EXIT_IO_OUT);
		c->io_pending = true;
		return false;
	}
	case KVM_EXIT_MMIO:
		st->exits_mmio++;
		exit_mmio(v, c);
		c->io_pending = true;
		return false;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		st->exits_other++;
		exit_msr(v, c);
		c->io_pending = true;
		return false;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		st->exits_irq_window++;
		return false;
	case KVM_EXIT_SET_TPR:		/* CR8 lowered: a masked interrupt may be due */
		st->exits_other++;
		return false;
	case KVM_EXIT_HLT:
		/* RIP is past the HLT; the loop sleeps until an interrupt
		 * (exits_hlt and runs are counted by the loop) */
		v->s.rflags = (v->s.rflags & ~(uint64_t)FL_IF) | (run->if_flag ? FL_IF : 0);
		v->s.run_state = CPU_HALTED;
		*how = TIER_EXIT_HLT;
		return true;
	case KVM_EXIT_SHUTDOWN:
		st->exits_other++;
		*how = TIER_EXIT_SHUTDOWN;
		return true;
	case KVM_EXIT_DEBUG:
		st->exits_other++;
		kvm_debug_exit(v, &c->dbg, &run->debug.arch);
		*how = TIER_EXIT_DEBUG;
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		st->exits_other++;
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ||
		    run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			*how = TIER_EXIT_SHUTDOWN;
			return true;
		}
		log_once("kvm: system event %u ignored\n", run->system_event.type);
		return false;
	default:
		st->exits_other++;
		*how = report_error(v, c);
		return true;
	}
}

enum tier_exit kvm_run(struct vcpu *v)
{
	struct kvm_cpu *c = v->tier_priv[TIER_KVM];
	if (!c) {
		log_error("kvm: vcpu %d: run without attach", v->index);
		return TIER_EXIT_ERROR;
	}
	struct tier_stats *st = &v->stats[TIER_KVM];
	struct kvm_run *run = c->run;
	if (v->s.run_state == CPU_HALTED)
		return TIER_EXIT_HLT;
	if (v->s.run_state == CPU_WAIT_SIPI)
		return TIER_EXIT_KICK;
	/* the debugger's points and step: in the debug registers, or beyond
	 * what KVM can do (then the interpreter runs the vCPU) */
	if (kvm_debug_plan(v, &c->dbg) < 0)
		return TIER_EXIT_CANNOT_RUN;
	if (kvm_debug_apply(c->fd, v->index, &c->dbg, &c->dbg_control) < 0)
		return TIER_EXIT_ERROR;
	if (thread_enter(v, c) < 0)
		return TIER_EXIT_ERROR;

	for (;;) {
		if (want_out(v))
			return thread_leave(c, TIER_EXIT_KICK);
		inject(v, c, st);
		run->cr8 = c->cr8;
		int r = ioctl(c->fd, KVM_RUN, 0);
		int err = errno;
		/* clear before looking at events: a kick after this point has
		 * already posted what it wants, and we look next */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		c->io_pending = false;
		if (run->cr8 != c->cr8) {
			pthread_mutex_lock(v->vm->lock);
			lapic_set_cr8(v->apic, (uint8_t)run->cr8);
			pthread_mutex_unlock(v->vm->lock);
			c->cr8 = (uint8_t)run->cr8;
		}
		if (r < 0) {
			if (err == EINTR || err == EAGAIN) {
				eat_kick_signal();
				st->exits_intr++;
				return thread_leave(c, TIER_EXIT_KICK);
			}
			errno = err;
			kvm_ioctl_err("KVM_RUN", v->index);
			return thread_leave(c, TIER_EXIT_ERROR);
		}
		enum tier_exit how;
		if (handle_exit(v, c, st, &how))
			return thread_leave(c, how);
	}
}

const struct tier kvm_tier = {
	.name = "kvm",
	.id = TIER_KVM,
	.probe = kvm_probe,
	.vm_init = kvm_vm_init,
	.vm_destroy = kvm_vm_destroy,
	.attach = kvm_attach,
	.detach = kvm_detach,
	.sync_in = kvm_sync_in,
	.sync_out = kvm_sync_out,
	.run = kvm_run,
	.can_run = kvm_can_run,
	.kick = kvm_kick,
};
