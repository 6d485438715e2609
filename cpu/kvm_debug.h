/* The debugger under KVM (cpu/kvm_debug.c): the vCPU's debug state
 * (cpu/debug.h) turned into KVM_SET_GUEST_DEBUG, and KVM_EXIT_DEBUG back
 * into a stop. Internal to the KVM tier. */
#ifndef CPU_KVM_DEBUG_H
#define CPU_KVM_DEBUG_H

#include <stdint.h>
#include <linux/kvm.h>

struct vcpu;

struct kvm_debug_plan {
	uint32_t control;		/* KVM_GUESTDBG_* */
	uint64_t addr[4], dr7;
	int n;				/* debug registers used */
	int point[4];			/* the vm_debug point each one holds */
};

/* what v's debugger wants of KVM; -1 (v->cannot_run_why set) when KVM
 * cannot give it */
int kvm_debug_plan(struct vcpu *v, struct kvm_debug_plan *plan);
/* set it on the vCPU fd; *last_control remembers what was set, so a VM
 * nobody debugs never makes the call. 0, or -1 after an error line */
int kvm_debug_apply(int fd, int vcpu, const struct kvm_debug_plan *plan, uint32_t *last_control);
/* a KVM_EXIT_DEBUG: fill v->dbg with why */
void kvm_debug_exit(struct vcpu *v, const struct kvm_debug_plan *plan,
		    const struct kvm_debug_exit_arch *a);

#endif
