/* The debugger's operations on a VM, shared by the GDB stub and the
 * monitor: points and catches (cpu/debug.h) kept in vm->dbg, memory by
 * linear address through a vCPU's page tables (no A/D bits set) or by
 * physical address, and the bookkeeping of a stop and of a resume. Every
 * function here is called with the VM paused (no vCPU thread runs); the
 * memory functions take the board lock for device memory. */
#ifndef UI_DEBUGGER_H
#define UI_DEBUGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/debug.h"
#include "cpu/vm.h"

/* 0, or -1: no room, or a length of 0 */
int debugger_insert(struct vm *vm, enum dbg_point_kind kind, uint64_t addr, uint64_t len);
/* 0, or -1 when there was no such point */
int debugger_remove(struct vm *vm, enum dbg_point_kind kind, uint64_t addr, uint64_t len);
void debugger_remove_all(struct vm *vm);
/* catch vector (0-255), or every vector when vector < 0 */
void debugger_catch_vector(struct vm *vm, int vector, bool on);
void debugger_catch_io(struct vm *vm, uint16_t lo, uint16_t hi, bool on);
void debugger_catch_triple(struct vm *vm, bool on);
/* "vectors 3 14, ports 0x60-0x64, triple fault" or "nothing" */
void debugger_describe_catches(const struct vm *vm, char *buf, size_t len);

/* memory as vCPU cpu sees it at linear addr, or physical when phys:
 * bytes done, fewer where a page is not mapped */
size_t debugger_read(struct vm *vm, int cpu, bool phys, uint64_t addr, void *buf, size_t len);
size_t debugger_write(struct vm *vm, int cpu, bool phys, uint64_t addr, const void *buf,
		      size_t len);

/* before running on: step_cpu >= 0 steps that vCPU (the others run if
 * others_run, else wait); forgets the last stop */
void debugger_prepare_resume(struct vm *vm, int step_cpu, bool others_run);
/* the vCPU whose stop paused the VM (0-based), or -1 */
int debugger_stopped_cpu(const struct vm *vm);
/* one line on why vCPU cpu stopped ("breakpoint at 0x...", "vector 14
 * (#PF) error 0x2", "triple fault") */
void debugger_describe_stop(const struct vm *vm, int cpu, char *buf, size_t len);

#endif
