/* The hardware tier on AMD: probing SVM and NPT; the "kvm-amd" tier. */
// SPDX-License-Identifier: MIT
#include "cpu/kvm.h"

#include <cpuid.h>	/* __get_cpuid: the host's CPUID */
#include <stdio.h>

void svm_host_probe(struct tier_probe *p)
{
	unsigned a, b, c, d;
	/* CPUID.80000001h:ECX bit 2 is SVM */
	p->svm = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 2));
	if (!p->svm)
		return;
	/* kvm_amd reports whether it uses nested paging */
	p->npt = kvm_module_param("kvm_amd", "npt");
	/* SVM runs real mode natively: nothing like VMX's missing
	 * unrestricted guest to work around */
	p->unrestricted = true;
}

void svm_describe(struct tier_probe *p)
{
	snprintf(p->desc, sizeof(p->desc), "KVM on AMD SVM, %s",
		 p->npt ? "NPT" : "no NPT (shadow page tables: slower)");
}

static void svm_probe(struct tier_probe *p)
{
	kvm_probe_host(p);
	if (p->usable && !(p->svm && p->hw_backed)) {
		p->usable = false;
		snprintf(p->desc, sizeof(p->desc), "kvm-amd: no SVM beneath /dev/kvm on this host");
	}
}

const struct tier svm_tier = {
	.name = "kvm-amd",
	.id = TIER_KVM,
	.probe = svm_probe,
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
