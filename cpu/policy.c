/* Tier choice: at start from -accel, and the fallback while running. */
// SPDX-License-Identifier: MIT
#include "cpu/policy.h"

#include <string.h>
#include "cpu/vcpu.h"
#include "hw/log.h"

const struct tier *policy_choose(const char *accel)
{
	const struct tier *kvm = tier_by_name("kvm");
	struct tier_probe p;
	memset(&p, 0, sizeof(p));
	if (kvm)
		kvm->probe(&p);

	if (!strcmp(accel, "kvm")) {
		if (!kvm || !p.usable) {
			log_error("-accel kvm: %s", kvm ? p.desc : "the KVM tier is not built");
			return NULL;
		}
		if (p.slow)
			log_error("warning: -accel kvm: %s", p.desc);
		return kvm;
	}
	if (!strcmp(accel, "auto")) {
		/* never a /dev/kvm without VMX or SVM beneath: it is slower than
		 * a software tier and cannot run most guests */
		if (kvm && p.usable && p.hw_backed)
			return kvm;
		/* the fastest software tier built: the translator, then the
		 * interpreter */
		if (tier_table[TIER_BT])
			return tier_table[TIER_BT];
		if (tier_table[TIER_INTERP])
			return tier_table[TIER_INTERP];
		log_error("-accel auto: no tier can run here: %s; and the interpreter "
			  "and translator tiers are not built yet",
			  kvm ? p.desc : "the KVM tier is not built");
		return NULL;
	}
	const struct tier *t = tier_by_name(accel);
	if (!t) {
		log_error("-accel %s: this tier is not built yet", accel);
		return NULL;
	}
	return t;
}

const struct tier *policy_fallback(const struct vcpu *v)
{
	/* the interpreter is the reference: it runs every state */
	const struct tier *t = tier_table[TIER_INTERP];
	if (t && t != v->tier && t->step)
		return t;
	return NULL;
}
