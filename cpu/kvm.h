/* The hardware tier through Linux KVM: what the Intel (cpu/vmx/) and AMD
 * (cpu/svm/) flavours share. One VM fd per VM, memory slots that follow the
 * physmap, one vCPU fd per vCPU kept for the life of the VM (KVM cannot
 * destroy a vCPU, so detach only parks it). No in-kernel irqchip: PIC,
 * IOAPIC, PIT and LAPIC are our models, and run() injects with
 * KVM_INTERRUPT / KVM_NMI.
 * The flavours differ only in how they probe the host; all three tier
 * structs (kvm_tier for /dev/kvm with neither VMX nor SVM beneath, e.g.
 * kvm_pvm) run the same functions below, so the generic one in tier_table
 * and the host's flavour from tier_by_name("kvm") are interchangeable.
 * sync_in/sync_out take vm->lock for the LAPIC: call them without it. */
#ifndef CPU_KVM_H
#define CPU_KVM_H

#include <stdbool.h>
#include "cpu/tier.h"

struct vm;
struct vcpu;

extern const struct tier kvm_tier;	/* any /dev/kvm ("kvm") */
extern const struct tier vmx_tier;	/* Intel VMX ("kvm-intel"), cpu/vmx/vmx.c */
extern const struct tier svm_tier;	/* AMD SVM ("kvm-amd"), cpu/svm/svm.c */

/* the flavour for this host: Intel, AMD, or the generic one when /dev/kvm
 * has no VMX/SVM beneath */
const struct tier *kvm_tier_for_host(void);

/* everything a probe reports: host CPUID, module parameters, /dev/kvm */
void kvm_probe_host(struct tier_probe *p);
/* flavour parts of the probe: read VMX/EPT/unrestricted guest, SVM/NPT */
void vmx_host_probe(struct tier_probe *p);
void svm_host_probe(struct tier_probe *p);
/* one description line of a hardware-backed KVM */
void vmx_describe(struct tier_probe *p);
void svm_describe(struct tier_probe *p);
/* a /sys/module parameter read as a boolean (Y/y/1); false if absent */
bool kvm_module_param(const char *module, const char *param);

/* the shared tier functions (see struct tier in cpu/tier.h) */
int kvm_vm_init(struct vm *vm);
void kvm_vm_destroy(struct vm *vm);
int kvm_attach(struct vcpu *v);
void kvm_detach(struct vcpu *v);
int kvm_sync_in(struct vcpu *v);
int kvm_sync_out(struct vcpu *v);
enum tier_exit kvm_run(struct vcpu *v);
bool kvm_can_run(const struct vm *vm, const struct cpu_state *s);
void kvm_kick(struct vcpu *v);

#endif
