/* GDB's view of the x86 registers: the target descriptions the stub offers
 * and struct cpu_state to and from GDB's register numbers. Pure functions,
 * no I/O.
 *
 * Two layouts. Both start with GDB's own features, in GDB's order, so GDB
 * knows every register by name ("org.gnu.gdb.i386.core", ".sse", and for
 * x86-64 ".segments"); our system registers follow in a feature of our own
 * ("org.trivisor.x86.sys"), which GDB shows in `info registers` and `p $cr0`.
 * - GDB_ARCH_I386 ("i386"): eax ecx edx ebx esp ebp esi edi eip eflags
 *   cs ss ds es fs gs (4 bytes), st0-st7 (10), fctrl fstat ftag fiseg
 *   fioff foseg fooff fop (4), xmm0-xmm7 (16), mxcsr (4), then the sys
 *   feature, which here begins with fs_base gs_base (4): GDB 13 asserts
 *   on the segments feature in a plain i386 description.
 * - GDB_ARCH_X86_64 ("i386:x86-64"): rax rbx rcx rdx rsi rdi rbp rsp
 *   r8-r15 rip (8), eflags cs ss ds es fs gs (4), st0-st7, fctrl..fop,
 *   xmm0-xmm15, mxcsr, fs_base gs_base (8, the segments feature), then
 *   the sys feature.
 * - sys (8 bytes each in both): cr0 cr2 cr3 cr4 cr8 efer, dr0 dr1 dr2 dr3
 *   dr6 dr7, k_gs_base, es_base cs_base ss_base ds_base, gdtr_base
 *   gdtr_limit idtr_base idtr_limit, ldtr tr (the selectors).
 * Values are little-endian, as GDB wants x86 registers. The x87 registers
 * come from the FXSAVE image (st(i) in stack order; ftag as the full
 * 16-bit tag word GDB expects, made from the abridged one and the
 * registers' contents, and back). In the i386 layout a register wider than
 * 32 bits shows its low half, and a write replaces only the low half. A
 * selector write in real or v86 mode also sets the base (sel * 16), else
 * changes only the selector. */
#ifndef UI_GDBREGS_H
#define UI_GDBREGS_H

#include <stddef.h>
#include <stdint.h>
#include "cpu/state.h"

enum gdb_arch { GDB_ARCH_I386, GDB_ARCH_X86_64 };

/* "target.xml" for the layout: static, NUL-terminated, names every
 * register above with its GDB type (i387_ext, vec128, i386_eflags, ...) */
const char *gdbregs_target_xml(enum gdb_arch a);
/* how many registers the layout has, and register n's size in bytes (0
 * when there is no register n) */
int gdbregs_count(enum gdb_arch a);
unsigned gdbregs_size(enum gdb_arch a, int n);
/* GDB's name for register n ("eip", "cr0"), or NULL */
const char *gdbregs_name(enum gdb_arch a, int n);
/* register n of s into buf (at least 16 bytes): its size, 0 if no such */
unsigned gdbregs_read(enum gdb_arch a, const struct cpu_state *s, int n, uint8_t *buf);
/* register n from buf (gdbregs_size bytes): 0, or -1 if no such register */
int gdbregs_write(enum gdb_arch a, struct cpu_state *s, int n, const uint8_t *buf);
/* every register in order, as the 'g' packet carries them: bytes written
 * (0 if cap is too small) */
size_t gdbregs_read_all(enum gdb_arch a, const struct cpu_state *s, uint8_t *buf, size_t cap);
/* the 'G' packet: len bytes of registers in order (a shorter packet
 * writes the registers it covers whole); 0, or -1 if len is not a whole
 * number of registers */
int gdbregs_write_all(enum gdb_arch a, struct cpu_state *s, const uint8_t *buf, size_t len);

#endif
