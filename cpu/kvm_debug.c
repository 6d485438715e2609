/* The debugger under KVM (cpu/debug.h): KVM_SET_GUEST_DEBUG with the
 * debugger's breakpoints and watchpoints in the four debug registers
 * (GDB's software breakpoints too: no guest memory is patched, so a
 * breakpoint survives the guest rewriting or remapping its code, and
 * memory reads never show an INT3), single-step with KVM_GUESTDBG_SINGLESTEP
 * (BLOCKIRQ when interrupts are to be masked), and KVM_EXIT_DEBUG decoded
 * into a stop. What the registers cannot hold (a fifth point, catches of
 * vectors or ports, which KVM cannot intercept) makes the tier say it
 * cannot run: the loop then runs the vCPU in the interpreter, an
 * instruction at a time, for as long as the debugger asks for them.
 * While the debugger uses the registers, the guest's own DR7 is KVM's
 * to shadow: the guest's breakpoints do not fire meanwhile (as under
 * QEMU with KVM). */
// SPDX-License-Identifier: MIT
#include "cpu/kvm_debug.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include "cpu/vcpu.h"
#include "hw/log.h"

#define DR6_BS (1u << 14)

/* DR7 R/W and LEN encodings for point p; -1 if the registers cannot
 * hold it (a watch longer than 8 bytes or not aligned to its length) */
static int dr7_bits(const struct dbg_point *p, uint32_t *rw, uint32_t *len)
{
	if (p->kind <= DBG_BP_HW) {
		*rw = 0;
		*len = 0;
		return 0;
	}
	*rw = p->kind == DBG_WATCH_WRITE ? 1 : 3;	/* no read-only kind on x86 */
	switch (p->len) {
	case 1: *len = 0; break;
	case 2: *len = 1; break;
	case 4: *len = 3; break;
	case 8: *len = 2; break;
	default: return -1;
	}
	return (p->addr & (p->len - 1)) ? -1 : 0;
}

int kvm_debug_plan(struct vcpu *v, struct kvm_debug_plan *plan)
{
	const struct vm_debug *d = &v->vm->dbg;
	memset(plan, 0, sizeof(*plan));
	if (dbg_has_catches(d)) {
		snprintf(v->cannot_run_why, sizeof(v->cannot_run_why),
			 "the debugger catches vectors or ports, which KVM cannot intercept");
		return -1;
	}
	if (d->npoints > 4) {
		snprintf(v->cannot_run_why, sizeof(v->cannot_run_why),
			 "the debugger has %d breakpoints and watchpoints; KVM holds 4", d->npoints);
		return -1;
	}
	uint64_t dr7 = 0;
	for (int k = 0; k < d->npoints; k++) {
		uint32_t rw, len;
		if (dr7_bits(&d->p[k], &rw, &len) < 0) {
			snprintf(v->cannot_run_why, sizeof(v->cannot_run_why),
				 "a watchpoint of %llu bytes at 0x%llx does not fit a debug register",
				 (unsigned long long)d->p[k].len, (unsigned long long)d->p[k].addr);
			return -1;
		}
		plan->addr[k] = d->p[k].addr;
		plan->point[k] = k;
		dr7 |= (2ull << (2 * k)) | ((uint64_t)(rw | (len << 2)) << (16 + 4 * k));
	}
	plan->n = d->npoints;
	plan->dr7 = dr7 | (d->npoints ? 0x600 : 0);	/* GE, and bit 10 reads as 1 */
	if (d->npoints || v->dbg.step)
		plan->control = KVM_GUESTDBG_ENABLE | (d->npoints ? KVM_GUESTDBG_USE_HW_BP : 0);
	if (v->dbg.step) {
		plan->control |= KVM_GUESTDBG_SINGLESTEP;
		if (d->sstep & (DBG_SSTEP_NOIRQ | DBG_SSTEP_NOTIMER))
			plan->control |= KVM_GUESTDBG_BLOCKIRQ;
	}
	return 0;
}

int kvm_debug_apply(int fd, int vcpu, const struct kvm_debug_plan *plan, uint32_t *last_control)
{
	/* nothing asked now and nothing asked before: no call at all, so a
	 * VM without a debugger pays nothing */
	if (!plan->control && !*last_control)
		return 0;
	struct kvm_guest_debug g;
	memset(&g, 0, sizeof(g));
	g.control = plan->control;
	for (int k = 0; k < 4; k++)
		g.arch.debugreg[k] = plan->addr[k];
	g.arch.debugreg[7] = plan->dr7;
	if (ioctl(fd, KVM_SET_GUEST_DEBUG, &g) < 0) {
		int err = errno;
		/* an older kernel without BLOCKIRQ: step with interrupts */
		if (err == EINVAL && (g.control & KVM_GUESTDBG_BLOCKIRQ)) {
			log_once("kvm: KVM_GUESTDBG_BLOCKIRQ refused: steps take interrupts");
			g.control &= ~(uint32_t)KVM_GUESTDBG_BLOCKIRQ;
			if (ioctl(fd, KVM_SET_GUEST_DEBUG, &g) == 0)
				goto done;
			err = errno;
		}
		log_error("kvm: vcpu %d: KVM_SET_GUEST_DEBUG: %s", vcpu, strerror(err));
		return -1;
	}
done:
	*last_control = plan->control;
	return 0;
}

void kvm_debug_exit(struct vcpu *v, const struct kvm_debug_plan *plan,
		    const struct kvm_debug_exit_arch *a)
{
	const struct vm_debug *d = &v->vm->dbg;
	struct vcpu_debug *vd = &v->dbg;
	if (a->exception == 1) {
		for (int k = 0; k < plan->n; k++) {
			if (!(a->dr6 & (1u << k)))
				continue;
			const struct dbg_point *p = &d->p[plan->point[k]];
			vd->why = p->kind <= DBG_BP_HW ? DBG_STOP_BREAK : DBG_STOP_WATCH;
			vd->kind = p->kind;
			vd->addr = p->addr;
			return;
		}
		if ((a->dr6 & DR6_BS) && vd->step) {
			vd->why = DBG_STOP_STEP;
			return;
		}
	}
	/* nothing of ours: say what KVM saw */
	vd->why = DBG_STOP_VECTOR;
	vd->vector = (uint8_t)a->exception;
	vd->has_error = false;
}
