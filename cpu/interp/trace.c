/* The interpreter's traces (-d in_asm, exec, cpu, int) to log_file, with
 * capstone's disassembly of each instruction the first time it is decoded.
 * The loop calls here only when a trace is on, so off costs nothing.
 * -dfilter limits them to the instructions at linear addresses it names. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/interp.h"

#include <capstone/capstone.h>	/* types only: the library is loaded on first use */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include "cpu/interp/flags.h"
#include "hw/log.h"

/* capstone, opened once per process when in_asm is first asked for; one
 * handle per code size, used under a lock (vCPU threads share them) */
struct disasm {
	void *lib;
	cs_err (*open)(cs_arch, cs_mode, csh *);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	void (*free)(cs_insn *, size_t);
	csh h[3];
	bool ok;
};

static struct disasm dis;
static pthread_once_t dis_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t dis_lock = PTHREAD_MUTEX_INITIALIZER;

static void disasm_open(void)
{
	static const char *const names[] = { "libcapstone.so.5", "libcapstone.so.4", "libcapstone.so" };
	for (unsigned k = 0; k < 3 && !dis.lib; k++)
		dis.lib = dlopen(names[k], RTLD_NOW | RTLD_LOCAL);
	if (!dis.lib) {
		log_msg("interp: -d in_asm: capstone not found (%s); printing bytes only", dlerror());
		return;
	}
	dis.open = (cs_err (*)(cs_arch, cs_mode, csh *))dlsym(dis.lib, "cs_open");
	dis.disasm = (size_t (*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))
		dlsym(dis.lib, "cs_disasm");
	dis.free = (void (*)(cs_insn *, size_t))dlsym(dis.lib, "cs_free");
	if (!dis.open || !dis.disasm || !dis.free)
		return;
	static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
	for (unsigned k = 0; k < 3; k++)
		if (dis.open(CS_ARCH_X86, modes[k], &dis.h[k]) != CS_ERR_OK)
			return;
	dis.ok = true;
}

static FILE *out(void)
{
	return log_file ? log_file : stderr;
}

void trace_in_asm(struct icpu *c, uint64_t lin, const struct insn *i, const uint8_t *bytes)
{
	if (!log_addr_ok(lin))
		return;
	pthread_once(&dis_once, disasm_open);
	char hex[3 * 15 + 1];
	unsigned n = 0;
	for (unsigned k = 0; k < i->len && k < 15; k++)
		n += (unsigned)snprintf(hex + n, sizeof(hex) - n, "%02x ", bytes[k]);
	hex[n ? n - 1 : 0] = 0;

	char text[224] = "";
	if (dis.ok) {
		unsigned m = c->code_size == 64 ? 2 : c->code_size == 32 ? 1 : 0;
		cs_insn *ci = NULL;
		pthread_mutex_lock(&dis_lock);
		size_t got = dis.disasm(dis.h[m], bytes, i->len, c->s->rip, 1, &ci);
		if (got) {
			snprintf(text, sizeof(text), "%s %s", ci[0].mnemonic, ci[0].op_str);
			dis.free(ci, got);
		} else {
			snprintf(text, sizeof(text), "(capstone: no instruction)");
		}
		pthread_mutex_unlock(&dis_lock);
	}
	fprintf(out(), "IN: %04x:%08" PRIx64 " [%08" PRIx64 "] %-30s %-10s %s\n",
		c->s->seg[S_CS].selector, c->s->rip, lin, hex,
		i->op < OP_COUNT ? insn_op_name[i->op] : "?", text);
}

void trace_disasm(const char *tag, const uint8_t *bytes, size_t len, uint64_t addr, unsigned bits)
{
	pthread_once(&dis_once, disasm_open);
	FILE *f = out();
	cs_insn *ci = NULL;
	size_t got = 0;
	pthread_mutex_lock(&dis_lock);
	if (dis.ok)
		got = dis.disasm(dis.h[bits == 64 ? 2 : bits == 32 ? 1 : 0], bytes, len, addr, 0, &ci);
	size_t done = 0;
	for (size_t k = 0; k < got; k++) {
		fprintf(f, "%s %016" PRIx64 ": %s %s\n", tag, ci[k].address, ci[k].mnemonic,
			ci[k].op_str);
		done += ci[k].size;
	}
	if (got)
		dis.free(ci, got);
	pthread_mutex_unlock(&dis_lock);
	/* what capstone did not take (or all of it, without capstone) */
	for (size_t k = done; k < len; k += 16) {
		fprintf(f, "%s %016" PRIx64 ": .byte", tag, addr + k);
		for (size_t j = k; j < len && j < k + 16; j++)
			fprintf(f, " 0x%02x", bytes[j]);
		fputc('\n', f);
	}
}

static void dump_seg(FILE *f, const char *name, const struct cpu_segment *s)
{
	fprintf(f, "%-3s=%04x %08" PRIx64 " %08x %05x\n", name, s->selector, s->base, s->limit,
		s->attr);
}

/* long mode: all sixteen registers at full width, in QEMU's order */
static void dump_regs64(FILE *f, const struct icpu *c, uint64_t fl)
{
	static const char *const names[16] = {
		"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
		"R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	static const uint8_t order[16] = { 0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };
	const struct cpu_state *s = c->s;
	for (unsigned k = 0; k < 16; k++)
		fprintf(f, "%s=%016" PRIx64 "%c", names[order[k]], s->gpr[order[k]],
			k % 4 == 3 ? '\n' : ' ');
	fprintf(f, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " CPL=%u code%u stack%u\n",
		s->rip, fl, c->cpl, c->code_size, c->stack_size * 8);
}

static void dump_regs32(FILE *f, const struct icpu *c, uint64_t fl)
{
	const struct cpu_state *s = c->s;
	fprintf(f, "EAX=%08" PRIx64 " EBX=%08" PRIx64 " ECX=%08" PRIx64 " EDX=%08" PRIx64 "\n"
		"ESI=%08" PRIx64 " EDI=%08" PRIx64 " EBP=%08" PRIx64 " ESP=%08" PRIx64 "\n"
		"EIP=%08" PRIx64 " EFL=%08" PRIx64 " CPL=%u code%u stack%u%s\n",
		s->gpr[R_EAX], s->gpr[R_EBX], s->gpr[R_ECX], s->gpr[R_EDX],
		s->gpr[R_ESI], s->gpr[R_EDI], s->gpr[R_EBP], s->gpr[R_ESP],
		s->rip, fl, c->cpl, c->code_size, c->stack_size * 8, c->v86 ? " v86" : "");
}

void trace_insn(struct icpu *c, uint64_t lin)
{
	if (!log_addr_ok(lin))
		return;
	FILE *f = out();
	const struct cpu_state *s = c->s;
	if (log_enabled(LOG_CPU)) {
		static const char *const segs[CPU_NR_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
		if (s->efer & EFER_LMA)
			dump_regs64(f, c, flags_get(c));
		else
			dump_regs32(f, c, flags_get(c));
		for (int k = 0; k < CPU_NR_SEGS; k++)
			dump_seg(f, segs[k], &s->seg[k]);
		dump_seg(f, "LDT", &s->ldt);
		dump_seg(f, "TR", &s->tr);
		fprintf(f, "GDT=%08" PRIx64 " %04x IDT=%08" PRIx64 " %04x\n"
			"CR0=%08" PRIx64 " CR2=%08" PRIx64 " CR3=%08" PRIx64 " CR4=%08" PRIx64
			" EFER=%" PRIx64 "\n",
			s->gdt.base, s->gdt.limit, s->idt.base, s->idt.limit,
			s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
	}
	if (log_enabled(LOG_EXEC))
		fprintf(f, "exec %04x:%08" PRIx64 " [%08" PRIx64 "]\n", s->seg[S_CS].selector,
			s->rip, lin);
}
