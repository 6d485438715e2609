/* The policy that picks a tier: at start from -accel, and while the guest
 * runs, the tier that takes over an instruction the current one cannot
 * run (kvm_pvm's emulator lacks protected-mode IRET; a VMX host without
 * unrestricted guest cannot run real mode). */
#ifndef CPU_POLICY_H
#define CPU_POLICY_H

#include "cpu/tier.h"

struct vcpu;

/* the tier for -accel NAME (kvm, auto, interp, bt); NULL after one error
 * line. A usable-but-slow choice prints one warning line. */
const struct tier *policy_choose(const char *accel);
/* the tier to run one instruction that v->tier could not, or NULL */
const struct tier *policy_fallback(const struct vcpu *v);

#endif
