/* The tiers linked into this binary, and finding one by name. */
// SPDX-License-Identifier: MIT
#include "cpu/tier.h"

#include <string.h>
#include "cpu/interp/interp.h"
#include "cpu/kvm.h"

extern const struct tier bt_tier;

const struct tier *const tier_table[TIER_COUNT] = {
	[TIER_INTERP] = &interp_tier,
	[TIER_BT] = &bt_tier,
	[TIER_KVM] = &kvm_tier,
};

const struct tier *tier_by_name(const char *name)
{
	/* "kvm" is the host's flavour; all of them share one implementation */
	if (!strcmp(name, "kvm"))
		return kvm_tier_for_host();
	if (!strcmp(name, vmx_tier.name))
		return &vmx_tier;
	if (!strcmp(name, svm_tier.name))
		return &svm_tier;
	for (int i = 0; i < TIER_COUNT; i++)
		if (tier_table[i] && !strcmp(tier_table[i]->name, name))
			return tier_table[i];
	return NULL;
}
