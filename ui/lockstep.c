/* Lockstep against QEMU's gdbstub (i386 or x86_64): one instruction, or one batch, on each side, compare, stop at the first difference. */
// SPDX-License-Identifier: MIT
#include "ui/lockstep.h"

#include <arpa/inet.h>
#include <capstone/capstone.h>	/* types only: the library is loaded when a difference is printed */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "cpu/state.h"
#include "cpu/tier.h"
#include "cpu/vcpu.h"
#include "firmware/loader.h"
#include "hw/log.h"
#include "mmu/mmu.h"
#include "mmu/physmap.h"

/* The registers compared, in our numbering: the GPRs in enum cpu_reg
 * order, then RIP, RFLAGS, the six selectors (cs ss ds es fs gs), and what
 * QEMU's x86_64 target description adds: the FS/GS bases, KernelGSbase and
 * CR0, CR2, CR3, CR4, EFER. Which of them a reply carries, and where, is
 * the layout's business (struct layout); which are compared, the mode's. */
enum {
	RX_GPR0 = 0, RX_RIP = 16, RX_FLAGS, RX_SEG0, RX_FS_BASE = RX_SEG0 + 6, RX_GS_BASE, RX_KGS_BASE,
	RX_CR0, RX_CR2, RX_CR3, RX_CR4, RX_EFER, NRX
};
static const char *const rx_names[NRX] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags", "cs", "ss", "ds", "es", "fs", "gs",
	"fs_base", "gs_base", "k_gs_base", "cr0", "cr2", "cr3", "cr4", "efer",
};
static const char *const rx_names32[RX_SEG0] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	[RX_RIP] = "eip", [RX_FLAGS] = "eflags",
};
static const enum cpu_seg seg_of[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };

/* Where the registers sit in a 'g' reply: hex-digit offset and byte width
 * (0: not in this layout), both facts of QEMU's target descriptions.
 * i386 (gdb-xml/i386-32bit.xml): eax ecx edx ebx esp ebp esi edi, eip,
 * eflags, cs ss ds es fs gs, 4 bytes each, then fs_base gs_base
 * k_gs_base, cr0 cr2 cr3 cr4 cr8 efer (4 bytes), x87, xmm0-7, mxcsr: 688
 * hex digits. x86_64 (gdb-xml/i386-64bit.xml): rax rbx rcx rdx rsi rdi rbp
 * rsp r8-r15 and rip (8 bytes), eflags and the selectors (4), fs_base
 * gs_base k_gs_base cr0 cr2 cr3 cr4 cr8 efer (8), x87, xmm0-15, mxcsr:
 * 1216 hex digits. The x86_64 stub sends that layout in every mode; out
 * of 64-bit code its GPRs and RIP carry the low 32 bits only (r8-r15 as 0)
 * and the rest stays 64 bits wide. */
struct layout {
	const char *name;
	size_t len;		/* hex digits of a whole reply, at least */
	uint16_t off[NRX];
	uint8_t width[NRX];
};

static const struct layout layout_i386 = {
	.name = "i386", .len = 688,
	.off = { 0, 8, 16, 24, 32, 40, 48, 56, [RX_RIP] = 64, [RX_FLAGS] = 72,
		 [RX_SEG0] = 80, 88, 96, 104, 112, 120 },
	.width = { 4, 4, 4, 4, 4, 4, 4, 4, [RX_RIP] = 4, [RX_FLAGS] = 4,
		   [RX_SEG0] = 4, 4, 4, 4, 4, 4 },
};

static const struct layout layout_x86_64 = {
	.name = "x86_64", .len = 1216,
	/* rax rbx rcx rdx rsi rdi rbp rsp in our order */
	.off = { 0, 32, 48, 16, 112, 96, 64, 80, 128, 144, 160, 176, 192, 208, 224, 240,
		 [RX_RIP] = 256, [RX_FLAGS] = 272, [RX_SEG0] = 280, 288, 296, 304, 312, 320,
		 [RX_FS_BASE] = 328, [RX_GS_BASE] = 344, [RX_KGS_BASE] = 360,
		 [RX_CR0] = 376, [RX_CR2] = 392, [RX_CR3] = 408, [RX_CR4] = 424,
		 [RX_EFER] = 456 },	/* cr8 at 440: the TPR, not compared */
	.width = { 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
		   [RX_RIP] = 8, [RX_FLAGS] = 4, [RX_SEG0] = 4, 4, 4, 4, 4, 4,
		   [RX_FS_BASE] = 8, 8, 8, 8, 8, 8, 8, 8 },
};

#define OSZAPC (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)
#define MAX_PACKET 8192
#define COPY_CHUNK 1024		/* bytes per 'm' request: QEMU's replies stay small */
#define NOTES_SHOWN 10		/* copied values reported one by one */

struct gdb {
	int fd;
	bool noack;
	int timeout_ms;		/* > 0: a read waits this long at most */
	bool timed_out;
	char in[4096];
	size_t inpos, inlen;
};

/* what the reference gives that must not be compared but copied */
enum copy_kind { COPY_RDTSC, COPY_CPUID, COPY_RDMSR, COPY_IN, COPY_KINDS };
static const char *const copy_names[COPY_KINDS] = { "rdtsc", "cpuid", "rdmsr", "in" };

/* Batches (TRIVISOR_LOCKSTEP_BATCH=N, N > 1; the default is single steps):
 * our side runs alone, at least N instructions and then on to the first
 * address it had not reached yet in the batch (at most BATCH_MAX in all);
 * the reference follows with 'c' to a breakpoint there (stepping off it
 * and continuing as often as ours passed it), then the registers are
 * compared: two round trips per instruction become a few per batch. A
 * difference is known to the batch only, and registers in between are not
 * compared; the arithmetic flags some instruction of the batch left
 * undefined are masked. The single-step window
 * TRIVISOR_LOCKSTEP_EXACT=FROM:TO (instruction counts, which the report of
 * a batch difference names) finds the instruction on a second run.
 * Interrupts enabled, the trap flag, code with a CS base, and the
 * instructions whose results are taken from the reference go one step at
 * a time as before. */
#define BATCH_MAX 65536
#define BATCH_SEEN (4 * BATCH_MAX)	/* open addressing, power of two */
#define BATCH_TIMEOUT_S 30

struct batch {
	uint64_t pc[BATCH_MAX];		/* linear rIP after each instruction */
	bool first[BATCH_MAX];		/* ... reached for the first time in the batch */
	uint64_t seen[BATCH_SEEN];
	uint32_t seen_gen[BATCH_SEEN], gen;
};

struct lockstep {
	struct vcpu *v;
	struct batch *b;		/* NULL: one step at a time */
	unsigned batch_len;		/* a batch ends at a new address after this many */
	uint64_t exact_from, exact_to;	/* single-step window */
	uint64_t batches, stops;	/* batches, and the reference's stops in them */
	struct gdb g;
	const struct layout *lay;	/* of the reference's 'g' replies */
	uint64_t copies[COPY_KINDS];
	uint64_t notes;
	uint64_t empty_steps;		/* reference steps that executed nothing */
};

/* ---- the GDB remote protocol, just what lockstep needs ---- */

static int gdb_getc(struct gdb *g)
{
	if (g->inpos == g->inlen) {
		ssize_t n;
		if (g->timeout_ms > 0) {
			struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
			int r;
			do
				r = poll(&pfd, 1, g->timeout_ms);
			while (r < 0 && errno == EINTR);
			if (r == 0) {
				g->timed_out = true;
				return -1;
			}
		}
		do
			n = read(g->fd, g->in, sizeof(g->in));
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			log_error("lockstep: the reference closed the connection%s%s",
				  n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -1;
		}
		g->inpos = 0;
		g->inlen = (size_t)n;
	}
	return (unsigned char)g->in[g->inpos++];
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("lockstep: writing to the reference: %s", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int gdb_send(struct gdb *g, const char *payload)
{
	char buf[MAX_PACKET];
	unsigned sum = 0;
	size_t len = strlen(payload);
	if (len + 5 > sizeof(buf))
		return -1;
	for (size_t k = 0; k < len; k++)
		sum += (unsigned char)payload[k];
	int n = snprintf(buf, sizeof(buf), "$%s#%02x", payload, sum & 0xff);
	if (write_all(g->fd, buf, (size_t)n) < 0)
		return -1;
	while (!g->noack) {
		int c = gdb_getc(g);
		if (c < 0)
			return -1;
		if (c == '+')
			break;
		if (c == '-' && write_all(g->fd, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/* one reply packet into out (NUL-terminated); console output ('O' packets)
 * is skipped */
static int gdb_recv(struct gdb *g, char *out, size_t cap)
{
	for (;;) {
		int c;
		do
			if ((c = gdb_getc(g)) < 0)
				return -1;
		while (c != '$');
		size_t len = 0;
		while ((c = gdb_getc(g)) != '#') {
			if (c < 0)
				return -1;
			if (len + 1 < cap)
				out[len++] = (char)c;
		}
		out[len] = 0;
		if (gdb_getc(g) < 0 || gdb_getc(g) < 0)	/* checksum: TCP is reliable */
			return -1;
		if (!g->noack && write_all(g->fd, "+", 1) < 0)
			return -1;
		if (out[0] == 'O' && out[1] && strcmp(out, "OK"))
			continue;
		return 0;
	}
}

static int gdb_cmd(struct gdb *g, const char *cmd, char *reply, size_t cap)
{
	if (gdb_send(g, cmd) < 0 || gdb_recv(g, reply, cap) < 0)
		return -1;
	return 0;
}

/* 127.0.0.1 only: lockstep talks to a reference on this machine */
static int gdb_connect(struct gdb *g, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	if (!colon) {
		log_error("-lockstep-gdb %s: want HOST:PORT", spec);
		return -1;
	}
	size_t hl = (size_t)(colon - spec);
	if (!(hl == 9 && !strncmp(spec, "127.0.0.1", 9)) && !(hl == 9 && !strncmp(spec, "localhost", 9))) {
		log_error("-lockstep-gdb %s: only 127.0.0.1 is allowed", spec);
		return -1;
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535) {
		log_error("-lockstep-gdb %s: bad port", spec);
		return -1;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* the reference may still be starting: retry for 20 s */
	for (int tries = 0; tries < 200; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			log_error("lockstep: socket: %s", strerror(errno));
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			g->fd = fd;
			return 0;
		}
		close(fd);
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	log_error("lockstep: cannot connect to %s: %s", spec, strerror(errno));
	return -1;
}

/* `bytes` little-endian bytes in hex at p */
static uint64_t hex_le(const char *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned b = 0; b < bytes; b++) {
		char t[3] = { p[2 * b], p[2 * b + 1], 0 };
		v |= (uint64_t)strtoul(t, NULL, 16) << (8 * b);
	}
	return v;
}

static int ref_regs(struct lockstep *ls, uint64_t r[NRX])
{
	char reply[MAX_PACKET];
	if (gdb_cmd(&ls->g, "g", reply, sizeof(reply)) < 0)
		return -1;
	size_t len = strlen(reply);
	if (!ls->lay) {
		/* no target description: the length tells the two apart */
		ls->lay = len >= layout_x86_64.len ? &layout_x86_64 : &layout_i386;
		log_msg("lockstep: the reference sends the %s register layout (%zu hex digits)",
			ls->lay->name, len);
	}
	if (len < ls->lay->len) {
		log_error("lockstep: the reference's 'g' reply is too short for its %s layout "
			  "(%zu hex digits, want %zu): %.40s", ls->lay->name, len, ls->lay->len, reply);
		return -1;
	}
	for (int k = 0; k < NRX; k++)
		r[k] = ls->lay->width[k] ? hex_le(reply + ls->lay->off[k], ls->lay->width[k]) : 0;
	return 0;
}

/* the layout from the reference's target description, where it has one */
static void ref_layout(struct lockstep *ls)
{
	char reply[MAX_PACKET];
	if (gdb_cmd(&ls->g, "qXfer:features:read:target.xml:0,ffb", reply, sizeof(reply)) < 0 ||
	    (reply[0] != 'l' && reply[0] != 'm'))
		return;
	if (strstr(reply, "<architecture>i386:x86-64</architecture>"))
		ls->lay = &layout_x86_64;
	else if (strstr(reply, "<architecture>i386</architecture>"))
		ls->lay = &layout_i386;
	if (ls->lay)
		log_msg("lockstep: the reference describes itself as %s: the %s register layout",
			ls->lay == &layout_x86_64 ? "i386:x86-64" : "i386", ls->lay->name);
}

static int ref_read(struct lockstep *ls, uint64_t addr, uint8_t *buf, size_t len)
{
	char cmd[64], reply[MAX_PACKET];
	while (len) {
		size_t n = len < COPY_CHUNK ? len : COPY_CHUNK;
		snprintf(cmd, sizeof(cmd), "m%" PRIx64 ",%zx", addr, n);
		if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
			return -1;
		if (strlen(reply) != 2 * n) {
			log_error("lockstep: reading the reference's memory at %#" PRIx64 ": %s", addr, reply);
			return -1;
		}
		for (size_t k = 0; k < n; k++) {
			char t[3] = { reply[2 * k], reply[2 * k + 1], 0 };
			buf[k] = (uint8_t)strtoul(t, NULL, 16);
		}
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* a stop reply: S or T, anything else is trouble */
static int ref_wait_stop(struct lockstep *ls, const char *what)
{
	char reply[MAX_PACKET];
	if (gdb_recv(&ls->g, reply, sizeof(reply)) < 0)
		return -1;
	if (reply[0] != 'S' && reply[0] != 'T') {
		log_error("lockstep: the reference answered '%s' to %s", reply, what);
		return -1;
	}
	return 0;
}

static int ref_step(struct lockstep *ls)
{
	return gdb_send(&ls->g, "s") < 0 ? -1 : ref_wait_stop(ls, "a single step");
}

/* run the reference to linear address `addr` (a hardware breakpoint) */
static int ref_run_to(struct lockstep *ls, uint64_t addr)
{
	char cmd[64], reply[MAX_PACKET];
	snprintf(cmd, sizeof(cmd), "Z1,%" PRIx64 ",1", addr);
	if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
		return -1;
	if (strcmp(reply, "OK")) {
		log_error("lockstep: the reference cannot set a breakpoint at %#" PRIx64 ": '%s'", addr, reply);
		return -1;
	}
	if (gdb_send(&ls->g, "c") < 0 || ref_wait_stop(ls, "continue") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "z1,%" PRIx64 ",1", addr);
	return gdb_cmd(&ls->g, cmd, reply, sizeof(reply));
}

/* 'c' to the breakpoints set; 0 at a stop, 1 when the reference did not
 * stop within `secs` (it is interrupted then), -1 on trouble */
static int ref_continue(struct lockstep *ls, int secs)
{
	if (gdb_send(&ls->g, "c") < 0)
		return -1;
	ls->g.timeout_ms = secs * 1000;
	ls->g.timed_out = false;
	int rc = ref_wait_stop(ls, "continue");
	ls->g.timeout_ms = 0;
	if (rc == 0 || !ls->g.timed_out)
		return rc;
	if (write_all(ls->g.fd, "\x03", 1) < 0 || ref_wait_stop(ls, "an interrupt") < 0)
		return -1;
	return 1;
}

static int ref_breakpoint(struct lockstep *ls, char zZ, uint64_t addr)
{
	char cmd[64], reply[MAX_PACKET];
	snprintf(cmd, sizeof(cmd), "%c1,%" PRIx64 ",1", zZ, addr);
	if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
		return -1;
	if (strcmp(reply, "OK")) {
		log_error("lockstep: the reference cannot %s a breakpoint at %#" PRIx64 ": '%s'",
			  zZ == 'Z' ? "set" : "clear", addr, reply);
		return -1;
	}
	return 0;
}

/* ---- our side ---- */

static bool mode64(const struct cpu_state *s)
{
	return (s->efer & EFER_LMA) && (s->seg[S_CS].attr & SEG_ATTR_L);
}

static unsigned code_size(const struct cpu_state *s)
{
	if (!(s->cr0 & CR0_PE) || (s->rflags & FL_VM))
		return 16;
	if (mode64(s))
		return 64;
	return (s->seg[S_CS].attr & SEG_ATTR_DB) ? 32 : 16;
}

/* the linear address of CS:rIP */
static uint64_t pc_of(const struct cpu_state *s)
{
	return mode64(s) ? s->rip : (uint32_t)(s->seg[S_CS].base + s->rip);
}

static void our_regs(const struct cpu_state *s, uint64_t r[NRX])
{
	for (int k = 0; k < 16; k++)
		r[RX_GPR0 + k] = s->gpr[k];
	r[RX_RIP] = s->rip;
	r[RX_FLAGS] = (uint32_t)s->rflags;
	for (int k = 0; k < 6; k++)
		r[RX_SEG0 + k] = s->seg[seg_of[k]].selector;
	r[RX_FS_BASE] = s->seg[S_FS].base;
	r[RX_GS_BASE] = s->seg[S_GS].base;
	r[RX_KGS_BASE] = s->msr.kernel_gs_base;
	r[RX_CR0] = s->cr0;
	r[RX_CR2] = s->cr2;
	r[RX_CR3] = s->cr3;
	r[RX_CR4] = s->cr4;
	r[RX_EFER] = s->efer;
}

/* the bits of register k compared in this layout while the guest is (is64)
 * or is not in 64-bit mode: 0 for registers not compared */
static uint64_t rx_mask(const struct layout *lay, int k, bool is64)
{
	if (!lay->width[k])
		return 0;
	if (k < RX_RIP && k >= 8 && !is64)
		return 0;		/* sent as 0 outside 64-bit code */
	if (k <= RX_RIP)
		return is64 ? ~0ull : 0xffffffffull;
	if (k < RX_FS_BASE)
		return 0xffffffffull;
	return lay->width[k] == 8 ? ~0ull : 0xffffffffull;
}

/* the first register of a and b that differs (RFLAGS under flag_mask),
 * or -1 */
static int first_difference(const struct layout *lay, const uint64_t a[NRX], const uint64_t b[NRX],
			    bool is64, uint32_t flag_mask)
{
	for (int k = 0; k < NRX; k++) {
		uint64_t m = rx_mask(lay, k, is64);
		if (k == RX_FLAGS)
			m &= flag_mask;
		if ((a[k] ^ b[k]) & m)
			return k;
	}
	return -1;
}

/* our guest's memory at a linear address, without faulting: 0 bytes where
 * it is not mapped */
static size_t our_read(struct vcpu *v, uint64_t lin, uint8_t *buf, size_t len)
{
	const struct cpu_state *s = &v->s;
	struct mmu_regs mr = { s->cr0, s->cr3, s->cr4, s->efer, atomic_load(&v->vm->a20m) };
	size_t done = 0;
	while (done < len) {
		struct mmu_walk w;
		uint32_t pfe;
		if (mmu_walk(v->vm->pm, &mr, lin + done, MMU_READ, false, &w, &pfe) < 0)
			break;
		size_t n = 4096 - ((lin + done) & 0xfff);
		if (n > len - done)
			n = len - done;
		phys_read(v->vm->pm, w.gpa, buf + done, n);
		done += n;
	}
	return done;
}

/* the instruction at CS:EIP on our side; false if it cannot be fetched
 * or decoded (the step will raise the fault) */
static bool our_insn(struct vcpu *v, struct insn *in, uint8_t bytes[15])
{
	const struct cpu_state *s = &v->s;
	size_t got = our_read(v, pc_of(s), bytes, 15);
	if (!got)
		return false;
	return decode(in, bytes, got, (int)code_size(s)) == DECODE_OK;
}

/* flags the SDM leaves undefined after this instruction */
static uint32_t undefined_flags(const struct insn *i, const struct cpu_state *before)
{
	unsigned bits = i->nopnd ? i->opnd[0].size * 8u : 32u;
	unsigned count = 1, count_mask = bits == 64 ? 0x3f : 0x1f;
	if (i->nopnd >= 2) {
		const struct opnd *o = &i->opnd[i->nopnd - 1];
		if (o->kind == OPK_IMM)
			count = (unsigned)i->imm & count_mask;
		else if (o->kind == OPK_REG && o->size == 1 && o->reg == R_ECX)
			count = (unsigned)before->gpr[R_ECX] & count_mask;
	}
	switch (i->op) {
	case OP_MUL: case OP_IMUL:
		return FL_SF | FL_ZF | FL_AF | FL_PF;
	case OP_DIV: case OP_IDIV:
		return OSZAPC;
	case OP_AND: case OP_OR: case OP_XOR: case OP_TEST:
		return FL_AF;
	case OP_SHL: case OP_SAL: case OP_SHR: case OP_SAR:
		if (!count)
			return 0;
		return FL_AF | (count != 1 ? FL_OF : 0) | (count > bits ? FL_CF : 0);
	case OP_ROL: case OP_ROR: case OP_RCL: case OP_RCR:
		return count > 1 ? FL_OF : 0;
	case OP_SHLD: case OP_SHRD:
		if (!count)
			return 0;
		return count > bits ? OSZAPC : FL_AF | (count != 1 ? FL_OF : 0);
	case OP_BSF: case OP_BSR:
		return FL_CF | FL_OF | FL_SF | FL_AF | FL_PF;
	case OP_BT: case OP_BTS: case OP_BTR: case OP_BTC:
		return FL_OF | FL_SF | FL_AF | FL_PF;
	case OP_AAA: case OP_AAS:
		return FL_OF | FL_SF | FL_ZF | FL_PF;
	case OP_DAA: case OP_DAS:
		return FL_OF;
	case OP_AAM: case OP_AAD:
		return FL_OF | FL_AF | FL_CF;
	default:
		return 0;
	}
}

/* the arithmetic flags the instruction leaves defined (0 where it writes
 * none, or for instructions not listed here) */
static uint32_t defined_flags(const struct insn *i, const struct cpu_state *before)
{
	switch (i->op) {
	case OP_ADD: case OP_ADC: case OP_SUB: case OP_SBB: case OP_CMP: case OP_NEG:
	case OP_CMPS: case OP_SCAS: case OP_CMPXCHG: case OP_XADD:
	case OP_POPF: case OP_SAHF: case OP_IRET:
		return OSZAPC;
	case OP_INC: case OP_DEC:
		return OSZAPC & ~FL_CF;
	case OP_AND: case OP_OR: case OP_XOR: case OP_TEST:
		return OSZAPC & ~FL_AF;
	case OP_SHL: case OP_SAL: case OP_SHR: case OP_SAR: {
		uint32_t u = undefined_flags(i, before);
		return u ? OSZAPC & ~u : 0;	/* a zero count writes none */
	}
	case OP_BT: case OP_BTS: case OP_BTR: case OP_BTC:
		return FL_CF;
	case OP_BSF: case OP_BSR:
		return FL_ZF;
	case OP_MUL: case OP_IMUL:
		return FL_OF | FL_CF;
	default:
		return 0;
	}
}

static bool is_rep_string(const struct insn *i)
{
	if (!(i->prefixes & (PFX_REP | PFX_REPNE)))
		return false;
	switch (i->op) {
	case OP_MOVS: case OP_CMPS: case OP_STOS: case OP_LODS:
	case OP_SCAS: case OP_INS: case OP_OUTS:
		return true;
	default:
		return false;
	}
}

/* registers the instruction reads from outside the CPU model (time,
 * identification, MSRs, devices): taken from the reference */
static int copy_kind(const struct insn *i, uint32_t *regs_mask)
{
	switch (i->op) {
	case OP_RDTSC:
		*regs_mask = 1u << R_EAX | 1u << R_EDX;
		return COPY_RDTSC;
	case OP_RDTSCP:
		*regs_mask = 1u << R_EAX | 1u << R_EDX | 1u << R_ECX;
		return COPY_RDTSC;
	case OP_CPUID:
		*regs_mask = 1u << R_EAX | 1u << R_EBX | 1u << R_ECX | 1u << R_EDX;
		return COPY_CPUID;
	case OP_RDMSR:
		*regs_mask = 1u << R_EAX | 1u << R_EDX;
		return COPY_RDMSR;
	case OP_IN:
		*regs_mask = 1u << R_EAX;
		return COPY_IN;
	default:
		return -1;
	}
}

/* ---- reporting ---- */

static void disasm(const uint8_t *bytes, size_t len, unsigned size, uint64_t addr, char *out, size_t cap)
{
	static const char *const libs[] = { "libcapstone.so.5", "libcapstone.so.4", "libcapstone.so" };
	void *lib = NULL;
	snprintf(out, cap, "(capstone not found)");
	for (unsigned k = 0; k < 3 && !lib; k++)
		lib = dlopen(libs[k], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return;
	cs_err (*op)(cs_arch, cs_mode, csh *) = (cs_err (*)(cs_arch, cs_mode, csh *))dlsym(lib, "cs_open");
	size_t (*dis)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **) =
		(size_t (*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))dlsym(lib, "cs_disasm");
	void (*fr)(cs_insn *, size_t) = (void (*)(cs_insn *, size_t))dlsym(lib, "cs_free");
	cs_err (*cl)(csh *) = (cs_err (*)(csh *))dlsym(lib, "cs_close");
	csh h;
	cs_mode mode = size == 16 ? CS_MODE_16 : size == 32 ? CS_MODE_32 : CS_MODE_64;
	if (op && dis && fr && cl && op(CS_ARCH_X86, mode, &h) == CS_ERR_OK) {
		cs_insn *ci = NULL;
		size_t n = dis(h, bytes, len, addr, 1, &ci);
		if (n) {
			snprintf(out, cap, "%.31s %.120s", ci[0].mnemonic, ci[0].op_str);
			fr(ci, n);
		} else {
			snprintf(out, cap, "(capstone: no instruction)");
		}
		cl(&h);
	}
	dlclose(lib);
}

/* the registers compared in this mode, four or eight a line, those that
 * differ from `other` marked */
static void print_regs(const struct layout *lay, bool is64, const char *who, const uint64_t r[NRX],
		       const uint64_t other[NRX], uint32_t flag_mask)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "  %-9s", who), on_line = 0;
	bool wide = lay->width[RX_RIP] == 8;
	for (int k = 0; k < NRX; k++) {
		uint64_t m = rx_mask(lay, k, is64);
		if (!m)
			continue;
		uint64_t cmp = k == RX_FLAGS ? m & flag_mask : m;
		bool full = m == ~0ull;
		const char *name = !is64 && k < RX_SEG0 && rx_names32[k] ? rx_names32[k] : rx_names[k];
		int digits = k >= RX_SEG0 && k < RX_FS_BASE ? 4 : full ? 16 : 8;
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%0*" PRIx64 "%s", name, digits,
			      r[k] & m, (r[k] ^ other[k]) & cmp ? "*" : "");
		/* a line break after each group: GPRs (4 or 8 a line), rip+flags,
		 * selectors, bases, control registers */
		bool brk = k == RX_FLAGS || k == RX_SEG0 + 5 || k == RX_KGS_BASE || k == NRX - 1 ||
			   (k < RX_RIP && ++on_line == (wide && full ? 4 : 8));
		if (brk) {
			on_line = 0;
			log_msg("%s", line);
			n = snprintf(line, sizeof(line), "  %-9s", "");
		}
	}
	if (n > 11)
		log_msg("%s", line);
}

static void print_insn(const char *what, const struct cpu_state *s, const uint8_t *bytes, size_t len)
{
	char hex[64] = "", text[160];
	size_t n = 0;
	for (size_t k = 0; k < len && k < 15; k++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02x ", bytes[k]);
	unsigned size = code_size(s);
	uint64_t ip = size == 64 ? s->rip : (uint32_t)s->rip;
	disasm(bytes, len, size, ip, text, sizeof(text));
	log_msg("  %s %04x:%0*" PRIx64 " (%u-bit): %s  %s", what, s->seg[S_CS].selector,
		size == 64 ? 16 : 8, ip, size, hex, text);
}

/* ---- batches ---- */

/* insert pc into this batch's set: true if it was not there */
static bool seen_insert(struct batch *b, uint64_t pc)
{
	uint64_t h = (pc * 0x9e3779b97f4a7c15ull) >> 40;
	for (;; h++) {
		unsigned k = (unsigned)h & (BATCH_SEEN - 1);
		if (b->seen_gen[k] != b->gen) {
			b->seen_gen[k] = b->gen;
			b->seen[k] = pc;
			return true;
		}
		if (b->seen[k] == pc)
			return false;
	}
}

static void report_stop(uint64_t n, int e, const struct cpu_state *before, const uint8_t *bytes,
			size_t len)
{
	log_msg("lockstep: after %" PRIu64 " instructions our side stopped (%s)", n,
		e == TIER_EXIT_HLT ? "HLT" : e == TIER_EXIT_SHUTDOWN ? "triple fault" : "tier exit");
	print_insn("at", before, bytes, len);
}

/* the reference's linear rIP: one register ('p'), cheaper than 'g' */
static int ref_pc(struct lockstep *ls, uint64_t *pc)
{
	char cmd[16], reply[64];
	int idx = ls->lay == &layout_x86_64 ? 16 : 8;
	snprintf(cmd, sizeof(cmd), "p%x", idx);
	if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
		return -1;
	unsigned w = ls->lay->width[RX_RIP];
	if (strlen(reply) < 2 * w) {
		log_error("lockstep: the reference answered '%s' to %s", reply, cmd);
		return -1;
	}
	*pc = hex_le(reply, w);
	return 0;
}

/* one step off the breakpoint at x; a step that executed nothing (see the
 * main loop) is repeated. The batches run in flat code (64-bit, or 32-bit
 * with CS base 0), so rIP is the linear address. */
static int ref_step_off(struct lockstep *ls, uint64_t x)
{
	uint64_t pc = x;
	for (int tries = 0; tries < 5 && pc == x; tries++) {
		if (tries)
			ls->empty_steps++;
		if (ref_step(ls) < 0 || ref_pc(ls, &pc) < 0)
			return -1;
	}
	return 0;
}

/* 1: the instruction at hand goes alone; 0: a batch ran and matched (*n
 * moved on); -1: stop (a difference, printed, or trouble) */
static int run_batch(struct lockstep *ls, uint64_t *n, uint64_t max)
{
	struct vcpu *v = ls->v;
	struct batch *b = ls->b;
	uint64_t start = pc_of(&v->s), limit = max - *n;
	if (*n < ls->exact_from && limit > ls->exact_from - *n)
		limit = ls->exact_from - *n;	/* stop short of the window */
	if (limit > BATCH_MAX)
		limit = BATCH_MAX;
	uint32_t undef = 0;
	unsigned steps = 0;
	b->gen++;
	seen_insert(b, start);
	for (; steps < limit; steps++) {
		struct insn in;
		uint8_t bytes[15] = { 0 };
		uint32_t mask;
		if ((v->s.rflags & (FL_IF | FL_TF)) || (!mode64(&v->s) && v->s.seg[S_CS].base) ||
		    !our_insn(v, &in, bytes) ||
		    copy_kind(&in, &mask) >= 0)
			break;
		bool rep = is_rep_string(&in);
		if (steps >= ls->batch_len && b->first[steps - 1] && !rep)
			break;
		undef = (undef & ~defined_flags(&in, &v->s)) | undefined_flags(&in, &v->s);
		struct cpu_state before = v->s;
		do {
			enum tier_exit e = v->tier->step(v);
			if (e != TIER_EXIT_KICK) {
				report_stop(*n + steps, (int)e, &before, bytes, in.len);
				return -1;
			}
		} while (rep && v->s.rip == before.rip);
		uint64_t pc = pc_of(&v->s);
		b->first[steps] = seen_insert(b, pc);
		b->pc[steps] = pc;
	}
	if (!steps)
		return 1;
	struct insn at_end;
	uint8_t end_bytes[15];
	bool rep_at_end = our_insn(v, &at_end, end_bytes) && is_rep_string(&at_end);

	/* the reference: to the breakpoint at X, as often as ours got there */
	uint64_t x = b->pc[steps - 1];
	int rc = 0;
	if (ref_breakpoint(ls, 'Z', x) < 0)
		return -1;
	for (unsigned pos = 0; pos < steps && rc == 0;) {
		if ((pos ? b->pc[pos - 1] : start) == x) {
			/* at X: off it first, or 'c' would stop at once */
			if (rep_at_end) {
				/* a whole REP instruction: to where it went */
				if (ref_breakpoint(ls, 'z', x) < 0 || ref_run_to(ls, b->pc[pos]) < 0 ||
				    ref_breakpoint(ls, 'Z', x) < 0)
					return -1;
			} else if (ref_step_off(ls, x) < 0) {
				return -1;
			}
			pos++;
			continue;
		}
		rc = ref_continue(ls, BATCH_TIMEOUT_S);
		ls->stops++;
		while (pos < steps && b->pc[pos] != x)
			pos++;
		pos++;
	}
	if (rc < 0 || ref_breakpoint(ls, 'z', x) < 0)
		return -1;
	uint64_t ours[NRX], ref[NRX];
	if (ref_regs(ls, ref) < 0)
		return -1;
	v->tier->sync_out(v);
	our_regs(&v->s, ours);
	bool is64 = mode64(&v->s);
	uint32_t flag_mask = ~(FL_RF | undef);
	ls->batches++;
	if (rc == 0 && first_difference(ls->lay, ours, ref, is64, flag_mask) < 0) {
		if ((ours[RX_FLAGS] ^ ref[RX_FLAGS]) & ~flag_mask & OSZAPC) {
			v->s.rflags = (v->s.rflags & ~(uint64_t)OSZAPC) | (ref[RX_FLAGS] & OSZAPC);
			v->tier->sync_in(v);
		}
		*n += steps;
		return 0;
	}
	log_msg("lockstep: batch difference after %" PRIu64 " instructions: within instructions %"
		PRIu64 "-%" PRIu64 " (%s the breakpoint at %#" PRIx64 "; the registers marked * differ)",
		*n + steps, *n + 1, *n + steps,
		rc ? "the reference did not come to" : "run to", x);
	log_msg("lockstep: to find the instruction: TRIVISOR_LOCKSTEP_EXACT=%" PRIu64 ":%" PRIu64
		" single-steps that window", *n, *n + steps);
	print_regs(ls->lay, is64, "trivisor", ours, ref, flag_mask);
	print_regs(ls->lay, is64, "reference", ref, ours, flag_mask);
	return -1;
}

/* ---- the run ---- */

/* the reference's memory [at, at+len) into ours, ROM included */
static int copy_range(struct lockstep *ls, uint32_t at, uint32_t len)
{
	if (!at || !len)
		return 0;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -1;
	int rc = ref_read(ls, at, buf, len);
	if (rc == 0)
		phys_write_force(ls->v->vm->pm, at, buf, len);
	free(buf);
	return rc;
}

static int sync_start(struct lockstep *ls, uint64_t eip)
{
	struct vcpu *v = ls->v;
	uint64_t r[NRX];
	if (ref_run_to(ls, eip) < 0 || ref_regs(ls, r) < 0)
		return -1;
	bool ref_flat32 = ls->lay->width[RX_CR0] == 8 && (r[RX_CR0] & CR0_PE) &&
			  !(r[RX_CR0] & CR0_PG) && !(r[RX_EFER] & EFER_LMA) && eip <= 0xffffffffu;
	if (pc_of(&v->s) != eip && mode64(&v->s) && ref_flat32) {
		/* a 64-bit bzImage: we booted it at its 64-bit entry, the
		 * reference (through its BIOS and the real-mode setup code)
		 * reaches its 32-bit entry in flat protected mode; the boot
		 * protocol allows both, so enter ours at the 32-bit one too */
		boot_gdt_write(v->vm->pm, v->s.gdt.base, false);
		boot_enter32(&v->s, v->s.gdt.base, (uint32_t)eip);
		log_msg("lockstep: our side enters at %#" PRIx64 " in flat 32-bit protected mode, "
			"as the reference", eip);
	}
	/* ours: step to the same place (a direct boot may already be there) */
	for (uint64_t n = 0; pc_of(&v->s) != eip; n++) {
		if (n == 100000000 || v->tier->step(v) != TIER_EXIT_KICK) {
			log_error("lockstep: our side did not reach %#" PRIx64 " (at %04x:%08" PRIx64 ")",
				  eip, v->s.seg[S_CS].selector, v->s.rip);
			return -1;
		}
	}
	v->tier->sync_out(v);
	for (int k = 0; k < 16; k++)
		if (ls->lay->width[RX_GPR0 + k])
			v->s.gpr[k] = r[RX_GPR0 + k];
	v->s.rflags = r[RX_FLAGS] | FL_FIXED;
	for (int k = 0; k < 6; k++)
		v->s.seg[seg_of[k]].selector = (uint16_t)r[RX_SEG0 + k];
	if (ls->lay->width[RX_CR0] == 8) {
		/* the x86_64 layout carries the system registers: take them too */
		v->s.seg[S_FS].base = r[RX_FS_BASE];
		v->s.seg[S_GS].base = r[RX_GS_BASE];
		v->s.msr.kernel_gs_base = r[RX_KGS_BASE];
		v->s.cr0 = r[RX_CR0];
		v->s.cr2 = r[RX_CR2];
		v->s.cr3 = r[RX_CR3];
		v->s.cr4 = r[RX_CR4];
		v->s.efer = r[RX_EFER];
	}

	/* a Linux boot: the reference's zero page (its e820 map, pointers),
	 * command line and initrd at the reference's addresses, and what its
	 * firmware left for the kernel: the BDA, the EBDA, the BIOS area, and
	 * the e820 ranges above 1 MiB that are not RAM (ACPI tables) */
	uint8_t *zp = malloc(4096);
	if (!zp)
		return -1;
	int rc = 0;
	uint32_t zpa = (uint32_t)r[RX_GPR0 + R_ESI];
	if (ref_read(ls, zpa, zp, 4096) == 0 && !memcmp(zp + 0x202, "HdrS", 4)) {
		uint32_t cmdline, rd, rd_size;
		memcpy(&cmdline, zp + 0x228, 4);
		memcpy(&rd, zp + 0x218, 4);
		memcpy(&rd_size, zp + 0x21c, 4);
		phys_write(v->vm->pm, zpa, zp, 4096);
		log_msg("lockstep: Linux zero page at %#x from the reference (command line %#x, "
			"initrd %#x+%#x)", zpa, cmdline, rd, rd_size);
		rc = copy_range(ls, cmdline, 4096);
		if (rc == 0)
			rc = copy_range(ls, rd, rd_size);
		if (rc == 0)
			rc = copy_range(ls, 0x400, 0x100);
		if (rc == 0)
			rc = copy_range(ls, 0x9fc00, 0x400);
		if (rc == 0)
			rc = copy_range(ls, 0xe0000, 0x20000);
		unsigned n = zp[0x1e8];
		for (unsigned k = 0; k < n && k < 128 && rc == 0; k++) {
			uint64_t at, len;
			uint32_t type;
			memcpy(&at, zp + 0x2d0 + 20 * k, 8);
			memcpy(&len, zp + 0x2d0 + 20 * k + 8, 8);
			memcpy(&type, zp + 0x2d0 + 20 * k + 16, 4);
			if (type != 1 && at >= 0x100000 && len <= (16u << 20) &&
			    physmap_is_ram(v->vm->pm, at, len))
				rc = copy_range(ls, (uint32_t)at, (uint32_t)len);
		}
	}
	free(zp);
	/* memory and flags changed behind the tier's back */
	if (rc == 0 && v->tier->sync_in(v) < 0)
		rc = -1;
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* our side through one whole REP string instruction; the reference runs to
 * where ours went: the instruction after it, or the handler of a fault
 * raised on the way (single-stepping would take one step per iteration
 * there) */
static int step_rep(struct lockstep *ls, uint64_t rip0)
{
	struct vcpu *v = ls->v;
	while (v->s.rip == rip0) {
		enum tier_exit e = v->tier->step(v);
		if (e != TIER_EXIT_KICK)
			return (int)e;
	}
	return ref_run_to(ls, pc_of(&v->s)) < 0 ? -2 : (int)TIER_EXIT_KICK;
}

int lockstep_run(struct vcpu *v, const struct lockstep_config *cfg)
{
	struct lockstep ls = { .v = v, .g = { .fd = -1 } };
	char reply[MAX_PACKET];
	int status = 1;

	if (!v->tier->step) {
		log_error("lockstep: the %s tier cannot single-step", v->tier->name);
		return 1;
	}
	if (gdb_connect(&ls.g, cfg->gdb) < 0)
		return 1;
	if (gdb_cmd(&ls.g, "QStartNoAckMode", reply, sizeof(reply)) == 0 && !strcmp(reply, "OK"))
		ls.g.noack = true;
	ref_layout(&ls);
	if (v->tier->sync_in(v) < 0)
		goto out;
	uint64_t ours[NRX], ref[NRX];
	if (ref_regs(&ls, ref) < 0)	/* picks the layout by length, if still open */
		goto out;
	if (cfg->sync && sync_start(&ls, cfg->sync_eip) < 0)
		goto out;

	if (ref_regs(&ls, ref) < 0)
		goto out;
	v->tier->sync_out(v);
	our_regs(&v->s, ours);
	if (first_difference(ls.lay, ours, ref, mode64(&v->s), ~0u) >= 0) {
		log_msg("lockstep: the two sides differ before the first instruction");
		print_regs(ls.lay, mode64(&v->s), "trivisor", ours, ref, ~0u);
		print_regs(ls.lay, mode64(&v->s), "reference", ref, ours, ~0u);
		goto out;
	}

	const char *env = getenv("TRIVISOR_LOCKSTEP_BATCH");
	unsigned long blen = env ? strtoul(env, NULL, 0) : 1;
	env = getenv("TRIVISOR_LOCKSTEP_EXACT");
	if (env && sscanf(env, "%" SCNu64 ":%" SCNu64, &ls.exact_from, &ls.exact_to) != 2) {
		log_error("lockstep: TRIVISOR_LOCKSTEP_EXACT=%s: want FROM:TO (instruction counts)", env);
		goto out;
	}
	if (blen > 1) {
		ls.batch_len = blen < BATCH_MAX / 2 ? (unsigned)blen : BATCH_MAX / 2;
		ls.b = calloc(1, sizeof(*ls.b));
		if (!ls.b)
			goto out;
	}
	double t0 = now_s();
	uint64_t n, in64 = 0;
	for (n = 0; n < cfg->max; n++) {
		if (ls.b && (n < ls.exact_from || n >= ls.exact_to)) {
			int rc = run_batch(&ls, &n, cfg->max);
			if (rc < 0)
				goto out;
			if (rc == 0) {
				n--;	/* the loop counts on */
				continue;
			}
		}
		struct cpu_state before = v->s;
		struct insn in;
		uint8_t bytes[15] = { 0 };
		bool decoded = our_insn(v, &in, bytes);
		bool was64 = mode64(&before);
		in64 += was64;

		int e;
		uint64_t count = v->s.gpr[R_ECX];
		if (decoded && in.asize == 2)
			count &= 0xffff;
		else if (decoded && in.asize == 4)
			count &= 0xffffffffu;
		if (decoded && is_rep_string(&in) && count > 1) {
			e = step_rep(&ls, before.rip);
		} else {
			e = (int)v->tier->step(v);
			if (e == TIER_EXIT_KICK && ref_step(&ls) < 0)
				e = -2;
		}
		if (e != TIER_EXIT_KICK) {
			if (e != -2)
				report_stop(n, e, &before, bytes, decoded ? in.len : 15);
			goto out;
		}
		v->tier->sync_out(v);
		if (ref_regs(&ls, ref) < 0)
			goto out;
		bool is64 = mode64(&v->s);
		/* QEMU's gdbstub now and then answers a step without having
		 * executed anything (the vCPU was kicked out first): nothing at
		 * all changed there while our side moved on; step it again */
		uint64_t prev[NRX];
		our_regs(&before, prev);
		our_regs(&v->s, ours);
		for (int retry = 0; retry < 5 && first_difference(ls.lay, ref, prev, was64, ~0u) < 0 &&
				    first_difference(ls.lay, ours, prev, was64, ~0u) >= 0; retry++) {
			ls.empty_steps++;
			if (ref_step(&ls) < 0 || ref_regs(&ls, ref) < 0)
				goto out;
		}

		uint32_t mask;
		int kind = decoded ? copy_kind(&in, &mask) : -1;
		if (kind >= 0) {
			for (int k = 0; k < 8; k++)
				if (mask & (1u << k))
					v->s.gpr[k] = ref[RX_GPR0 + k];
			ls.copies[kind]++;
			if (ls.notes++ < NOTES_SHOWN)
				log_msg("lockstep: instruction %" PRIu64 " at %08" PRIx64 ": %s result "
					"taken from the reference", n, pc_of(&before), copy_names[kind]);
		}
		our_regs(&v->s, ours);
		uint32_t flag_mask = ~(FL_RF | (decoded ? undefined_flags(&in, &before) : 0));
		if (first_difference(ls.lay, ours, ref, is64, flag_mask) < 0) {
			/* undefined flags: carry the reference's on, so they cannot
			 * surface later as a false difference */
			if ((ours[RX_FLAGS] ^ ref[RX_FLAGS]) & ~flag_mask & OSZAPC) {
				v->s.rflags = (v->s.rflags & ~(uint64_t)OSZAPC) | (ref[RX_FLAGS] & OSZAPC);
				v->tier->sync_in(v);
			}
			continue;
		}
		log_msg("lockstep: difference after %" PRIu64 " instructions (the registers marked * differ%s)",
			n + 1, flag_mask != ~FL_RF ? "; undefined flags of this instruction masked" : "");
		print_insn("executed", &before, bytes, decoded ? in.len : 15);
		print_regs(ls.lay, was64, "before", prev, prev, ~0u);
		print_regs(ls.lay, is64, "trivisor", ours, ref, flag_mask);
		print_regs(ls.lay, is64, "reference", ref, ours, flag_mask);
		goto out;
	}
	double dt = now_s() - t0;
	char mode_note[64] = "", batch_note[80] = "";
	if (ls.lay == &layout_x86_64)
		snprintf(mode_note, sizeof(mode_note), ", %" PRIu64 " single-stepped in 64-bit mode",
			 in64);
	if (ls.b)
		snprintf(batch_note, sizeof(batch_note), "; %" PRIu64 " batches of up to %u, %" PRIu64
			 " breakpoint stops", ls.batches, BATCH_MAX, ls.stops);
	log_msg("lockstep: %" PRIu64 " instructions matched in %.1f s (%.0f a second%s%s); taken from "
		"the reference: rdtsc %" PRIu64 ", cpuid %" PRIu64 ", rdmsr %" PRIu64 ", in %" PRIu64
		"; reference steps repeated %" PRIu64,
		n, dt, dt > 0 ? (double)n / dt : 0.0, mode_note, batch_note, ls.copies[COPY_RDTSC],
		ls.copies[COPY_CPUID], ls.copies[COPY_RDMSR], ls.copies[COPY_IN], ls.empty_steps);
	status = 0;
out:
	if (ls.g.fd >= 0) {
		gdb_send(&ls.g, "k");	/* the reference exits */
		close(ls.g.fd);
	}
	free(ls.b);
	return status;
}
