/* The hardware tier on Intel: probing VMX, EPT and unrestricted guest; the "kvm-intel" tier. */
// SPDX-License-Identifier: MIT
#include "cpu/kvm.h"

#include <cpuid.h>	/* __get_cpuid: the host's CPUID */
#include <stdio.h>

void vmx_host_probe(struct tier_probe *p)
{
	unsigned a, b, c, d;
	/* CPUID.1:ECX bit 5 is VMX */
	p->vmx = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5));
	if (!p->vmx)
		return;
	/* kvm_intel reports what it turned on, which may be less than the CPU has */
	p->ept = kvm_module_param("kvm_intel", "ept");
	p->unrestricted = p->ept && kvm_module_param("kvm_intel", "unrestricted_guest");
}

void vmx_describe(struct tier_probe *p)
{
	snprintf(p->desc, sizeof(p->desc), "KVM on Intel VMX, %s, %s",
		 p->ept ? "EPT" : "no EPT (shadow page tables: slower)",
		 p->unrestricted ? "unrestricted guest"
				 : "no unrestricted guest (KVM emulates real mode)");
}

static void vmx_probe(struct tier_probe *p)
{
	kvm_probe_host(p);
	if (p->usable && !(p->vmx && p->hw_backed)) {
		p->usable = false;
		snprintf(p->desc, sizeof(p->desc), "kvm-intel: no VMX beneath /dev/kvm on this host");
	}
}

const struct tier vmx_tier = {
	.name = "kvm-intel",
	.id = TIER_KVM,
	.probe = vmx_probe,
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
