/* The virtual machine as the CPU side sees it: vCPUs, guest memory, the two
 * buses, and the board lock that serialises every device access. The board
 * (hw/) is wired to it by ui/, which alone sees both. */
#ifndef CPU_VM_H
#define CPU_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "cpu/debug.h"
#include "cpu/tier.h"
#include "mmu/physmap.h"
#include "hw/bus.h"

#define VM_MAX_CPUS 64

enum vm_stop {
	VM_RUNNING,
	VM_STOP_EXIT,		/* quit with vm->exit_status */
	VM_STOP_RESET,		/* reset the board and all vCPUs, then run on */
	VM_STOP_PAUSE,		/* the vCPU threads write their state back and end;
				 * the host starts them again on `cont` (an exit or
				 * a reset outranks it) */
};

struct vcpu;

struct vm {
	struct physmap *pm;
	struct bus *io, *mmio;
	pthread_mutex_t *lock;		/* the board lock */
	int ncpus;
	struct vcpu *vcpu[VM_MAX_CPUS];
	const struct tier *tier;	/* the tier every vCPU starts in */
	void *tier_vm[TIER_COUNT];
	bool tier_up[TIER_COUNT];	/* vm_init done for this tier */
	unsigned bt_cache_mb;		/* the translator's code cache (0: its default) */
	int bt_hot;			/* runs before a block is translated (-1: default) */
	/* the translator checks each block against the interpreter from
	 * instruction bt_lockstep_from on (cpu/bt/lockstep.c) */
	bool bt_lockstep;
	uint64_t bt_lockstep_from;
	bool bt_inject;			/* the check's self-test: translate ADD wrongly */
	bool bt_perfmap;		/* -perfmap: name blocks in /tmp/perf-PID.map */
	/* a switch storm (-accel bt,storm=N): the software tiers hand each
	 * vCPU back and forth after a random 1..2N instructions */
	uint64_t tier_storm;
	_Atomic int stop;		/* enum vm_stop */
	int exit_status;
	/* told after a stop request, so the main loop can wake; may be NULL */
	void (*notify_stop)(void *opaque);
	void *notify_opaque;
	/* FERR#: a CPU met an unmasked x87 exception at a waiting instruction
	 * with CR0.NE=0; the board latches it into IRQ 13 (ui/ wires it).
	 * Called with the lock held; NULL: no FERR# wiring (then #MF) */
	void (*ferr)(void *opaque);
	void *ferr_opaque;
	/* A20M#: the board's A20 gate is off (vm_set_a20). The software
	 * tiers then force physical-address bit 20 to 0; KVM has no such
	 * input, so the hardware tier runs with addresses unwrapped */
	_Atomic bool a20m;
	/* the debugger's points and catches (cpu/debug.h); changed by ui/
	 * only while no vCPU thread runs */
	struct vm_debug dbg;
	/* index + 1 of the first vCPU that stopped for the debugger since
	 * the VM last ran (TIER_EXIT_DEBUG, a caught triple fault); 0: none */
	_Atomic int debug_stop_cpu;
	/* CPUID family/model/features the guest sees are filtered to what the
	 * models implement; tiers ask cpu/cpuid.h */
};

/* ask every vCPU to stop (exit, reset or pause); callable with or without the lock */
void vm_request_stop(struct vm *vm, enum vm_stop why, int status);
/* the A20 gate from the board (port 0x92, the i8042 output port): every
 * vCPU takes the change before its next instruction; callable with or
 * without the lock. A reset turns the gate on again (QEMU does too) */
void vm_set_a20(struct vm *vm, bool on);

#endif
