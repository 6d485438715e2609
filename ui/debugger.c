/* The debugger's operations on a paused VM: points, catches, memory by
 * linear or physical address, stop and resume bookkeeping. */
// SPDX-License-Identifier: MIT
#include "ui/debugger.h"

#include <stdio.h>
#include <string.h>
#include "cpu/vcpu.h"
#include "mmu/mmu.h"

static void changed(struct vm *vm)
{
	struct vm_debug *d = &vm->dbg;
	d->active = d->npoints > 0 || dbg_has_catches(d);
	d->gen++;
}

static int find(const struct vm_debug *d, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	for (int k = 0; k < d->npoints; k++)
		if (d->p[k].kind == kind && d->p[k].addr == addr &&
		    (kind <= DBG_BP_HW || d->p[k].len == len))
			return k;
	return -1;
}

int debugger_insert(struct vm *vm, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = &vm->dbg;
	if (kind <= DBG_BP_HW)
		len = 1;
	if (!len || kind > DBG_WATCH_ACCESS || addr + len - 1 < addr)
		return -1;
	if (find(d, kind, addr, len) >= 0)
		return 0;	/* GDB may insert the same point twice */
	if (d->npoints >= DBG_MAX_POINTS)
		return -1;
	d->p[d->npoints++] = (struct dbg_point){ (uint8_t)kind, addr, len };
	changed(vm);
	return 0;
}

int debugger_remove(struct vm *vm, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	struct vm_debug *d = &vm->dbg;
	int k = find(d, kind, addr, len);
	if (k < 0)
		return -1;
	d->p[k] = d->p[--d->npoints];
	changed(vm);
	return 0;
}

void debugger_remove_all(struct vm *vm)
{
	vm->dbg.npoints = 0;
	changed(vm);
}

void debugger_catch_vector(struct vm *vm, int vector, bool on)
{
	uint64_t *m = vm->dbg.catch_vectors;
	for (int v = vector < 0 ? 0 : vector; v <= (vector < 0 ? 255 : vector) && v < 256; v++) {
		if (on)
			m[v >> 6] |= 1ull << (v & 63);
		else
			m[v >> 6] &= ~(1ull << (v & 63));
	}
	changed(vm);
}

void debugger_catch_io(struct vm *vm, uint16_t lo, uint16_t hi, bool on)
{
	vm->dbg.catch_io = on;
	vm->dbg.io_lo = lo;
	vm->dbg.io_hi = hi;
	changed(vm);
}

void debugger_catch_triple(struct vm *vm, bool on)
{
	vm->dbg.catch_triple = on;
	changed(vm);
}

void debugger_describe_catches(const struct vm *vm, char *buf, size_t len)
{
	const struct vm_debug *d = &vm->dbg;
	size_t n = 0;
	buf[0] = 0;
	bool any = false;
	for (int v = 0; v < 256; v++) {
		if (!dbg_catches_vector(d, (unsigned)v))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%d", any ? " " : "vectors ", v);
		any = true;
	}
	if (d->catch_io)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%sports 0x%x-0x%x",
				      n ? ", " : "", d->io_lo, d->io_hi);
	if (d->catch_triple)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%striple fault", n ? ", " : "");
	if (!n)
		snprintf(buf, len, "nothing");
}

/* vCPU cpu's memory at linear addr (through its page tables), or
 * physical when phys; buf is written to the guest when write */
static size_t access(struct vm *vm, int cpu, bool phys, uint64_t addr, void *buf, size_t len,
		     bool write)
{
	if (cpu < 0 || cpu >= vm->ncpus || !vm->vcpu[cpu])
		return 0;
	const struct cpu_state *s = &vm->vcpu[cpu]->s;
	struct mmu_regs r = { s->cr0, s->cr3, s->cr4, s->efer, atomic_load(&vm->a20m) };
	size_t done = len;
	pthread_mutex_lock(vm->lock);
	if (!phys)
		done = mmu_debug_access(vm->pm, &r, addr, buf, len, write);
	else if (write)
		phys_write(vm->pm, addr, buf, len);
	else
		phys_read(vm->pm, addr, buf, len);
	pthread_mutex_unlock(vm->lock);
	return done;
}

size_t debugger_read(struct vm *vm, int cpu, bool phys, uint64_t addr, void *buf, size_t len)
{
	return access(vm, cpu, phys, addr, buf, len, false);
}

/* The tiers drop what they decoded when they run on (sync_in), so a
 * patched instruction is seen. */
size_t debugger_write(struct vm *vm, int cpu, bool phys, uint64_t addr, const void *buf,
		      size_t len)
{
	return access(vm, cpu, phys, addr, (void *)(uintptr_t)buf, len, true);
}

void debugger_prepare_resume(struct vm *vm, int step_cpu, bool others_run)
{
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu_debug *vd = &vm->vcpu[i]->dbg;
		vd->step = i == step_cpu;
		vd->hold = step_cpu >= 0 && i != step_cpu && !others_run;
		vd->step_through = false;
		vd->why = DBG_STOP_NONE;
	}
	atomic_store(&vm->debug_stop_cpu, 0);
}

int debugger_stopped_cpu(const struct vm *vm)
{
	return atomic_load(&vm->debug_stop_cpu) - 1;
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL, "#TS", "#NP",
	"#SS", "#GP", "#PF", NULL, "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void debugger_describe_stop(const struct vm *vm, int cpu, char *buf, size_t len)
{
	if (cpu < 0 || cpu >= vm->ncpus) {
		snprintf(buf, len, "stopped");
		return;
	}
	const struct vcpu_debug *vd = &vm->vcpu[cpu]->dbg;
	static const char *const watch[] = { "", "", "write", "read", "access" };
	switch (vd->why) {
	case DBG_STOP_STEP:
		snprintf(buf, len, "cpu%d: step", cpu);
		break;
	case DBG_STOP_BREAK:
		snprintf(buf, len, "cpu%d: breakpoint at 0x%llx", cpu, (unsigned long long)vd->addr);
		break;
	case DBG_STOP_WATCH:
		snprintf(buf, len, "cpu%d: %s watchpoint at 0x%llx", cpu, watch[vd->kind % 5],
			 (unsigned long long)vd->addr);
		break;
	case DBG_STOP_VECTOR: {
		const char *n = vd->vector < 32 ? exc_names[vd->vector] : NULL;
		int k = snprintf(buf, len, "cpu%d: vector %u%s%s%s", cpu, vd->vector, n ? " (" : "",
				 n ? n : "", n ? ")" : "");
		if (vd->has_error && k >= 0 && (size_t)k < len)
			snprintf(buf + k, len - (size_t)k, " error 0x%x", vd->error);
		break;
	}
	case DBG_STOP_IO:
		snprintf(buf, len, "cpu%d: port 0x%x accessed", cpu, vd->port);
		break;
	case DBG_STOP_TRIPLE:
		snprintf(buf, len, "cpu%d: triple fault", cpu);
		break;
	default:
		snprintf(buf, len, "cpu%d: stopped", cpu);
		break;
	}
}
