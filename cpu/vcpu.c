/* The vCPU loop common to every tier: HLT, INIT/SIPI, stops, and the
 * doorways (port, MMIO, MSR, interrupts) from a tier to the board. */
// SPDX-License-Identifier: MIT
#include "cpu/vcpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/policy.h"
#include "hw/lapic.h"
#include "hw/log.h"

void vm_request_stop(struct vm *vm, enum vm_stop why, int status)
{
	int cur = atomic_load(&vm->stop);
	/* an exit outranks a reset, a reset a pause; the first exit's status wins */
	for (;;) {
		if (cur == VM_STOP_EXIT || (cur == VM_STOP_RESET && why != VM_STOP_EXIT) ||
		    (cur == VM_STOP_PAUSE && why == VM_STOP_PAUSE))
			break;
		if (atomic_compare_exchange_weak(&vm->stop, &cur, (int)why)) {
			if (why == VM_STOP_EXIT)
				vm->exit_status = status;
			break;
		}
	}
	for (int i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i])
			vcpu_kick(vm->vcpu[i]);
	if (vm->notify_stop)
		vm->notify_stop(vm->notify_opaque);
}

void vm_set_a20(struct vm *vm, bool on)
{
	if (atomic_exchange(&vm->a20m, !on) == !on)
		return;
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		if (!v)
			continue;
		/* QEMU too leaves the gate to its software MMU and ignores it
		 * under KVM */
		if (!on && v->tier && v->tier->id == TIER_KVM)
			log_once("A20 gate turned off under KVM: not modelled there, "
				 "addresses stay unwrapped");
		/* the kick sends a software tier through its careful step,
		 * which takes the new gate before the next instruction */
		vcpu_kick(v);
	}
}

void vcpu_kick(struct vcpu *v)
{
	atomic_store(&v->wake, 1);
	pthread_mutex_lock(&v->wait_lock);
	pthread_cond_signal(&v->wait_cond);
	pthread_mutex_unlock(&v->wait_lock);
	if (v->tier && v->tier->kick)
		v->tier->kick(v);
}

void vcpu_post_event(struct vcpu *v, unsigned ev, uint8_t sipi_vector)
{
	if (ev & VCPU_EV_SIPI)
		atomic_store(&v->sipi_vector, sipi_vector);
	atomic_fetch_or(&v->events, ev);
	vcpu_kick(v);
}

int vcpu_irq_pending(struct vcpu *v)
{
	pthread_mutex_lock(v->vm->lock);
	int r = lapic_pending(v->apic);
	atomic_store_explicit(&v->irq_maybe, r >= 0, memory_order_relaxed);
	pthread_mutex_unlock(v->vm->lock);
	return r;
}

void vcpu_irq_kick(struct vcpu *v)
{
	atomic_store(&v->irq_maybe, 1);
	vcpu_kick(v);
}

int vcpu_irq_ack(struct vcpu *v)
{
	pthread_mutex_lock(v->vm->lock);
	int r = lapic_ack(v->apic);
	pthread_mutex_unlock(v->vm->lock);
	return r;
}

bool vcpu_take_nmi(struct vcpu *v)
{
	return (atomic_fetch_and(&v->events, ~(unsigned)VCPU_EV_NMI) & VCPU_EV_NMI) != 0;
}

static uint64_t load_le(const void *p, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, p, size);	/* the host is little-endian, as the guest */
	return v;
}

bool vcpu_ferr(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (!vm->ferr)
		return false;
	pthread_mutex_lock(vm->lock);
	vm->ferr(vm->ferr_opaque);
	pthread_mutex_unlock(vm->lock);
	return true;
}

void vcpu_pio(struct vcpu *v, uint16_t port, void *data, unsigned size, bool write)
{
	pthread_mutex_lock(v->vm->lock);
	if (write) {
		uint64_t val = load_le(data, size);
		if (log_enabled(LOG_IOPORT))
			log_msg("cpu%d out 0x%04x <- 0x%llx (%u)", v->index, port, (unsigned long long)val, size);
		bus_write(v->vm->io, port, val, size);
	} else {
		uint64_t val = bus_read(v->vm->io, port, size);
		if (log_enabled(LOG_IOPORT))
			log_msg("cpu%d in  0x%04x -> 0x%llx (%u)", v->index, port, (unsigned long long)val, size);
		memcpy(data, &val, size);
	}
	pthread_mutex_unlock(v->vm->lock);
}

/* the APIC page: 32-bit registers at 16-byte strides; narrower or
 * misaligned accesses see (or change) part of the register */
static void apic_access(struct lapic *a, uint32_t off, void *data, unsigned size, bool write)
{
	uint32_t reg = off & ~3u, sh = (off & 3) * 8;
	if (write) {
		uint64_t val = load_le(data, size);
		if (size >= 4 && !(off & 3)) {
			lapic_mmio_write(a, reg, (uint32_t)val);
			return;
		}
		log_once("lapic: %u-byte write at offset 0x%x handled as 32-bit", size, off);
		lapic_mmio_write(a, reg, (uint32_t)(val << sh));
		return;
	}
	/* the upper half of an 8-byte read is the reserved hole after the
	 * register: it reads as 0 */
	uint64_t val = (uint64_t)lapic_mmio_read(a, reg) >> sh;
	memcpy(data, &val, size);
}

void vcpu_mmio(struct vcpu *v, uint64_t gpa, void *data, unsigned size, bool write)
{
	pthread_mutex_lock(v->vm->lock);
	if (lapic_claims(v->apic, gpa)) {
		apic_access(v->apic, (uint32_t)(gpa & 0xfff), data, size, write);
	} else {
		const struct physmap_region *r = physmap_find(v->vm->pm, gpa);
		if (r) {
			/* RAM or ROM: a software tier's slow path, or a write to
			 * ROM (which the ROM ignores) */
			uint8_t *h = physmap_host(v->vm->pm, gpa, size);
			if (!write && h)
				memcpy(data, h, size);
			else if (!write)
				phys_read(v->vm->pm, gpa, data, size);
			else if (r->kind == PM_RAM)
				phys_write(v->vm->pm, gpa, data, size);
		} else if (write) {
			bus_write(v->vm->mmio, gpa, load_le(data, size), size);
		} else {
			uint64_t val = bus_read(v->vm->mmio, gpa, size);
			memcpy(data, &val, size);
		}
	}
	pthread_mutex_unlock(v->vm->lock);
}

#define MSR_IA32_APIC_BASE 0x1b

int vcpu_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	int r = -1;
	pthread_mutex_lock(v->vm->lock);
	if (msr == MSR_IA32_APIC_BASE) {
		*val = lapic_get_base(v->apic);
		r = 0;
	} else if (msr >= 0x800 && msr <= 0x8ff) {
		r = lapic_msr_read(v->apic, msr, val);
	}
	pthread_mutex_unlock(v->vm->lock);
	return r;
}

int vcpu_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int r = -1;
	pthread_mutex_lock(v->vm->lock);
	if (msr == MSR_IA32_APIC_BASE) {
		lapic_set_base(v->apic, val);
		r = 0;
	} else if (msr >= 0x800 && msr <= 0x8ff) {
		r = lapic_msr_write(v->apic, msr, val);
	}
	pthread_mutex_unlock(v->vm->lock);
	return r;
}

/* sleep until someone kicks (v->wake was cleared before the caller looked) */
static void vcpu_sleep(struct vcpu *v)
{
	pthread_mutex_lock(&v->wait_lock);
	while (!atomic_load(&v->wake) && !atomic_load(&v->vm->stop))
		pthread_cond_wait(&v->wait_cond, &v->wait_lock);
	pthread_mutex_unlock(&v->wait_lock);
}

/* INIT and SIPI change the architectural state: do it on our copy */
static int vcpu_take_init_sipi(struct vcpu *v)
{
	unsigned ev = atomic_load(&v->events);
	if (!(ev & (VCPU_EV_INIT | VCPU_EV_SIPI)))
		return 0;
	if (v->tier->sync_out(v) < 0)
		return -1;
	if (atomic_fetch_and(&v->events, ~(unsigned)VCPU_EV_INIT) & VCPU_EV_INIT) {
		pthread_mutex_lock(v->vm->lock);
		bool bsp = (lapic_get_base(v->apic) >> 8) & 1;
		pthread_mutex_unlock(v->vm->lock);
		cpu_state_reset(&v->s, true);
		/* the BSP starts over at the reset vector; APs wait for a SIPI */
		v->s.run_state = bsp ? CPU_RUNNING : CPU_WAIT_SIPI;
		if (log_enabled(LOG_INT))
			log_msg("cpu%d: INIT", v->index);
	}
	if (atomic_fetch_and(&v->events, ~(unsigned)VCPU_EV_SIPI) & VCPU_EV_SIPI) {
		/* a SIPI is ignored unless the CPU waits for one */
		if (v->s.run_state == CPU_WAIT_SIPI) {
			cpu_state_sipi(&v->s, (uint8_t)atomic_load(&v->sipi_vector));
			if (log_enabled(LOG_INT))
				log_msg("cpu%d: SIPI vector 0x%02x", v->index, v->s.seg[S_CS].selector >> 8);
		}
	}
	return v->tier->sync_in(v);
}

/* a halted CPU resumes on an NMI, or on an interrupt it can take */
static bool vcpu_should_wake(struct vcpu *v)
{
	if (atomic_load(&v->events) & (VCPU_EV_NMI | VCPU_EV_INIT | VCPU_EV_SMI))
		return true;
	return (v->s.rflags & FL_IF) && vcpu_irq_pending(v) >= 0;
}

/* Run one instruction of v in `alt` because v->tier could not: the state
 * goes out of the home tier, through one step of alt, and back. RAM and
 * devices are shared, so nothing else moves. */
static enum tier_exit vcpu_step_in(struct vcpu *v, const struct tier *alt)
{
	const struct tier *home = v->tier;
	if (!v->tier_priv[alt->id] && alt->attach(v) < 0)
		return TIER_EXIT_ERROR;
	if (home->sync_out(v) < 0)
		return TIER_EXIT_ERROR;
	v->tier = alt;
	v->stats[alt->id].switches_in++;
	enum tier_exit e = TIER_EXIT_ERROR;
	if (alt->sync_in(v) == 0) {
		e = alt->step(v);
		if (alt->sync_out(v) < 0)
			e = TIER_EXIT_ERROR;
	}
	v->tier = home;
	v->stats[home->id].switches_in++;
	if (home->sync_in(v) < 0)
		return TIER_EXIT_ERROR;
	if (e == TIER_EXIT_CANNOT_RUN) {
		/* the reference tier cannot either: report both reasons */
		log_error("cpu%d: %s; and the %s tier cannot run it either", v->index,
			  v->cannot_run_why, alt->name);
		return TIER_EXIT_ERROR;
	}
	return e;
}

/* The switch storm: the other software tier takes the vCPU over, as a
 * policy switch would (a test of the tier contract: nothing may be lost) */
static int storm_switch(struct vcpu *v)
{
	const struct tier *to = tier_table[v->tier->id == TIER_BT ? TIER_INTERP : TIER_BT];
	/* both were set up before the vCPUs started (ui/main.c) */
	if (!to || !v->vm->tier_up[to->id] || (v->tier->id != TIER_BT && v->tier->id != TIER_INTERP))
		return 0;
	if (!v->tier_priv[to->id] && to->attach(v) < 0)
		return -1;
	if (v->tier->sync_out(v) < 0)
		return -1;
	v->tier = to;
	v->stats[to->id].switches_in++;
	return to->sync_in(v);
}

/* this vCPU stopped for the debugger (its reason is in v->dbg): the
 * first to do so is the one reported, and the whole VM pauses */
static void vcpu_debug_stop(struct vcpu *v)
{
	int none = 0;
	atomic_compare_exchange_strong(&v->vm->debug_stop_cpu, &none, v->index + 1);
	vm_request_stop(v->vm, VM_STOP_PAUSE, 0);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;

	if (v->tier->sync_in(v) < 0) {
		vm_request_stop(vm, VM_STOP_EXIT, 2);
		return NULL;
	}
	while (!atomic_load(&vm->stop)) {
		atomic_store(&v->wake, 0);
		if (vcpu_take_init_sipi(v) < 0) {
			vm_request_stop(vm, VM_STOP_EXIT, 2);
			break;
		}
		if (v->dbg.hold) {
			/* the debugger steps another vCPU alone */
			vcpu_sleep(v);
			continue;
		}
		if (v->s.run_state == CPU_WAIT_SIPI) {
			if (!(atomic_load(&v->events) & (VCPU_EV_INIT | VCPU_EV_SIPI)))
				vcpu_sleep(v);
			continue;
		}
		if (v->s.run_state == CPU_HALTED) {
			if (!vcpu_should_wake(v)) {
				vcpu_sleep(v);
				continue;
			}
			v->s.run_state = CPU_RUNNING;
		}
		v->stats[v->tier->id].runs++;
		enum tier_exit e = v->tier->run(v);
		if (e == TIER_EXIT_CANNOT_RUN) {
			const struct tier *alt = policy_fallback(v);
			if (alt) {
				if (log_enabled(LOG_CPU))
					log_msg("cpu%d: %s: one instruction in the %s tier",
						v->index, v->cannot_run_why, alt->name);
				e = vcpu_step_in(v, alt);
			}
		}
		if (e == TIER_EXIT_KICK && v->storm_due) {
			v->storm_due = false;
			if (storm_switch(v) < 0)
				e = TIER_EXIT_ERROR;
		}
		switch (e) {
		case TIER_EXIT_KICK:
			break;
		case TIER_EXIT_DEBUG:
			vcpu_debug_stop(v);
			break;
		case TIER_EXIT_HLT:
			v->stats[v->tier->id].exits_hlt++;
			v->s.run_state = CPU_HALTED;
			break;
		case TIER_EXIT_SHUTDOWN:
			if (vm->dbg.catch_triple) {
				v->dbg.why = DBG_STOP_TRIPLE;
				vcpu_debug_stop(v);
				break;
			}
			if (log_enabled(LOG_INT) || log_enabled(LOG_GUEST_ERROR))
				log_msg("cpu%d: triple fault, resetting", v->index);
			vm_request_stop(vm, VM_STOP_RESET, 0);
			break;
		case TIER_EXIT_CANNOT_RUN:
			log_error("cpu%d: %s; no other tier is built to run it", v->index,
				  v->cannot_run_why[0] ? v->cannot_run_why : "the tier cannot run this state");
			vm_request_stop(vm, VM_STOP_EXIT, 2);
			break;
		case TIER_EXIT_ERROR:
			vm_request_stop(vm, VM_STOP_EXIT, 2);
			break;
		}
	}
	v->tier->sync_out(v);
	return NULL;
}

int vcpu_create(struct vm *vm, int index, struct lapic *apic, struct vcpu **out)
{
	struct vcpu *v = NULL;
	/* cache-line aligned: the atomics kicked from other threads sit here */
	if (posix_memalign((void **)&v, 64, sizeof(*v)) != 0) {
		log_error("out of memory for vCPU %d", index);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->index = index;
	v->vm = vm;
	v->apic = apic;
	v->tier = vm->tier;
	atomic_store(&v->irq_maybe, 1);
	pthread_mutex_init(&v->wait_lock, NULL);
	pthread_cond_init(&v->wait_cond, NULL);
	cpu_state_reset(&v->s, false);
	if (index != 0)
		v->s.run_state = CPU_WAIT_SIPI;
	*out = v;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	pthread_mutex_destroy(&v->wait_lock);
	pthread_cond_destroy(&v->wait_cond);
	free(v);
}

int vcpu_start(struct vcpu *v)
{
	int err = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (err) {
		log_error("cannot start the thread of vCPU %d: %s", v->index, strerror(err));
		return -1;
	}
	return 0;
}

void vcpu_join(struct vcpu *v)
{
	pthread_join(v->thread, NULL);
}
