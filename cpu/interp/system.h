/* The system architecture as the interpreter's core sees it: event
 * delivery (exceptions, interrupts, software INTs) through the IVT, IDT
 * gates and task gates, with double-fault and triple-fault rules; segment
 * register loads with every protected-mode check; the I/O permission
 * check. Implemented in cpu/interp/intr.c, seg.c, task.c, io.c. */
#ifndef CPU_INTERP_SYSTEM_H
#define CPU_INTERP_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/interp/icpu.h"

enum ev_kind {
	EV_EXTINT,	/* external interrupt (PIC/APIC); IF was checked by the caller */
	EV_NMI,
	EV_EXCEPTION,	/* raised by the CPU (fault or trap) */
	EV_SOFTINT,	/* INT n: gate DPL checked against CPL; v86 IOPL/VME rules */
	EV_SOFTEXC,	/* INT3, INTO: like INT n for the DPL check */
	EV_ICEBP,	/* INT1 (F1): like a hardware #DB, no DPL check */
};

/* Deliver an event. The return address pushed is c->s->rip for faults and
 * c->next_rip for traps, software interrupts and external interrupts: the
 * caller sets both before calling. Faults during delivery longjmp through
 * cpu_fault as usual; the loop then calls icpu_exception again, which uses
 * c->delivering to turn the pair into #DF, or into a shutdown (c->shutdown)
 * for a fault while delivering #DF. On return, c->s is at the handler's
 * first instruction. */
void icpu_deliver(struct icpu *c, int vector, enum ev_kind kind, bool has_error, uint32_t error);

/* the debugger catches vector (cpu/debug.h): the event is left pending
 * in cpu_state.ev (an INT n unexecuted) and vcpu->dbg filled; true means
 * the caller stops for the debugger (debug.c) */
bool idbg_catch_vector(struct icpu *c, int vector, int kind, bool has_error, uint32_t error);

/* the loop's entry for a fault caught by its setjmp: applies the
 * double-fault rules, then icpu_deliver */
void icpu_exception(struct icpu *c, int vector, bool has_error, uint32_t error);

/* load a segment register as MOV/POP/LxS do (checks, faults, hidden part) */
void seg_load(struct icpu *c, int seg, uint16_t selector);
/* real-mode and v86 load: base = sel << 4, other hidden fields as the SDM
 * says for each mode */
void seg_load_real(struct icpu *c, int seg, uint16_t selector);

/* may the current privilege access `size` ports at `port` (IOPL, TSS I/O
 * bitmap, v86)? raises #GP(0) if not */
void io_check(struct icpu *c, uint16_t port, unsigned size);

#endif
