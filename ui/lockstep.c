/* Lockstep against QEMU's gdbstub: one instruction on each side, compare, stop at the first difference. */
// SPDX-License-Identifier: MIT
#include "ui/lockstep.h"

#include <arpa/inet.h>
#include <capstone/capstone.h>	/* types only: the library is loaded when a difference is printed */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include "hw/log.h"
#include "mmu/mmu.h"
#include "mmu/physmap.h"

/* The registers compared, in the order of QEMU's i386 'g' packet (its
 * 32-bit target description: eax..edi, eip, eflags, cs ss ds es fs gs,
 * then x87 and SSE, which are not compared). */
enum { NREGS = 16, REG_EIP = 8, REG_EFLAGS = 9, REG_SEG0 = 10 };
static const char *const reg_names[NREGS] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
};
static const enum cpu_seg seg_of[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };

#define OSZAPC (FL_OF | FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)
#define MAX_PACKET 8192
#define COPY_CHUNK 1024		/* bytes per 'm' request: QEMU's replies stay small */
#define NOTES_SHOWN 10		/* copied values reported one by one */

struct gdb {
	int fd;
	bool noack;
	char in[4096];
	size_t inpos, inlen;
};

/* what the reference gives that must not be compared but copied */
enum copy_kind { COPY_RDTSC, COPY_CPUID, COPY_RDMSR, COPY_IN, COPY_KINDS };
static const char *const copy_names[COPY_KINDS] = { "rdtsc", "cpuid", "rdmsr", "in" };

struct lockstep {
	struct vcpu *v;
	struct gdb g;
	uint64_t copies[COPY_KINDS];
	uint64_t notes;
	uint64_t empty_steps;		/* reference steps that executed nothing */
};

/* ---- the GDB remote protocol, just what lockstep needs ---- */

static int gdb_getc(struct gdb *g)
{
	if (g->inpos == g->inlen) {
		ssize_t n;
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

static uint32_t hex_le32(const char *p)
{
	uint32_t v = 0;
	for (int b = 0; b < 4; b++) {
		char t[3] = { p[2 * b], p[2 * b + 1], 0 };
		v |= (uint32_t)strtoul(t, NULL, 16) << (8 * b);
	}
	return v;
}

static int ref_regs(struct lockstep *ls, uint32_t r[NREGS])
{
	char reply[MAX_PACKET];
	if (gdb_cmd(&ls->g, "g", reply, sizeof(reply)) < 0)
		return -1;
	if (strlen(reply) < NREGS * 8) {
		log_error("lockstep: the reference's 'g' reply is too short (%zu hex digits: "
			  "not qemu-system-i386?): %.40s", strlen(reply), reply);
		return -1;
	}
	for (int k = 0; k < NREGS; k++)
		r[k] = hex_le32(reply + 8 * k);
	return 0;
}

static int ref_read(struct lockstep *ls, uint32_t addr, uint8_t *buf, size_t len)
{
	char cmd[64], reply[MAX_PACKET];
	while (len) {
		size_t n = len < COPY_CHUNK ? len : COPY_CHUNK;
		snprintf(cmd, sizeof(cmd), "m%x,%zx", addr, n);
		if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
			return -1;
		if (strlen(reply) != 2 * n) {
			log_error("lockstep: reading the reference's memory at %#x: %s", addr, reply);
			return -1;
		}
		for (size_t k = 0; k < n; k++) {
			char t[3] = { reply[2 * k], reply[2 * k + 1], 0 };
			buf[k] = (uint8_t)strtoul(t, NULL, 16);
		}
		addr += (uint32_t)n;
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
static int ref_run_to(struct lockstep *ls, uint32_t addr)
{
	char cmd[64], reply[MAX_PACKET];
	snprintf(cmd, sizeof(cmd), "Z1,%x,1", addr);
	if (gdb_cmd(&ls->g, cmd, reply, sizeof(reply)) < 0)
		return -1;
	if (strcmp(reply, "OK")) {
		log_error("lockstep: the reference cannot set a breakpoint at %#x: '%s'", addr, reply);
		return -1;
	}
	if (gdb_send(&ls->g, "c") < 0 || ref_wait_stop(ls, "continue") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "z1,%x,1", addr);
	return gdb_cmd(&ls->g, cmd, reply, sizeof(reply));
}

/* ---- our side ---- */

static unsigned code_size(const struct cpu_state *s)
{
	if (!(s->cr0 & CR0_PE) || (s->rflags & FL_VM))
		return 16;
	return (s->seg[S_CS].attr & SEG_ATTR_DB) ? 32 : 16;
}

static void our_regs(const struct cpu_state *s, uint32_t r[NREGS])
{
	for (int k = 0; k < 8; k++)
		r[k] = (uint32_t)s->gpr[k];
	r[REG_EIP] = (uint32_t)s->rip;
	r[REG_EFLAGS] = (uint32_t)s->rflags;
	for (int k = 0; k < 6; k++)
		r[REG_SEG0 + k] = s->seg[seg_of[k]].selector;
}

/* our guest's memory at a linear address, without faulting: 0 bytes where
 * it is not mapped */
static size_t our_read(struct vcpu *v, uint64_t lin, uint8_t *buf, size_t len)
{
	const struct cpu_state *s = &v->s;
	struct mmu_regs mr = { s->cr0, s->cr3, s->cr4, s->efer };
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
	size_t got = our_read(v, s->seg[S_CS].base + (uint32_t)s->rip, bytes, 15);
	if (!got)
		return false;
	return decode(in, bytes, got, (int)code_size(s)) == DECODE_OK;
}

/* flags the SDM leaves undefined after this instruction */
static uint32_t undefined_flags(const struct insn *i, const struct cpu_state *before)
{
	unsigned bits = i->nopnd ? i->opnd[0].size * 8u : 32u;
	unsigned count = 1;
	if (i->nopnd >= 2) {
		const struct opnd *o = &i->opnd[i->nopnd - 1];
		if (o->kind == OPK_IMM)
			count = (unsigned)i->imm & 0x1f;
		else if (o->kind == OPK_REG && o->size == 1 && o->reg == R_ECX)
			count = (unsigned)before->gpr[R_ECX] & 0x1f;
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
	if (op && dis && fr && cl && op(CS_ARCH_X86, size == 16 ? CS_MODE_16 : CS_MODE_32, &h) == CS_ERR_OK) {
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

static void print_regs(const char *who, const uint32_t r[NREGS], const uint32_t other[NREGS],
		       uint32_t flag_mask)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "  %-9s", who);
	for (int k = 0; k < NREGS; k++) {
		uint32_t a = r[k], b = other[k];
		if (k == REG_EFLAGS) {
			a &= flag_mask;
			b &= flag_mask;
		}
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%0*x%s", reg_names[k],
			      k >= REG_SEG0 ? 4 : 8, r[k], a != b ? "*" : "");
		if (k == 7 || k == REG_EFLAGS) {
			log_msg("%s", line);
			n = snprintf(line, sizeof(line), "  %-9s", "");
		}
	}
	log_msg("%s", line);
}

static void print_insn(const char *what, const struct cpu_state *s, const uint8_t *bytes, size_t len)
{
	char hex[64] = "", text[160];
	size_t n = 0;
	for (size_t k = 0; k < len && k < 15; k++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02x ", bytes[k]);
	disasm(bytes, len, code_size(s), (uint32_t)s->rip, text, sizeof(text));
	log_msg("  %s %04x:%08" PRIx32 " (%u-bit): %s  %s", what, s->seg[S_CS].selector,
		(uint32_t)s->rip, code_size(s), hex, text);
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
	uint32_t r[NREGS];
	if (ref_run_to(ls, (uint32_t)eip) < 0 || ref_regs(ls, r) < 0)
		return -1;
	/* ours: step to the same place (a direct boot may already be there) */
	for (uint64_t n = 0; v->s.seg[S_CS].base + (uint32_t)v->s.rip != eip; n++) {
		if (n == 100000000 || v->tier->step(v) != TIER_EXIT_KICK) {
			log_error("lockstep: our side did not reach %#" PRIx64 " (at %04x:%08" PRIx64 ")",
				  eip, v->s.seg[S_CS].selector, v->s.rip);
			return -1;
		}
	}
	v->tier->sync_out(v);
	for (int k = 0; k < 8; k++)
		v->s.gpr[k] = r[k];
	v->s.rflags = r[REG_EFLAGS] | FL_FIXED;
	for (int k = 0; k < 6; k++)
		v->s.seg[seg_of[k]].selector = (uint16_t)r[REG_SEG0 + k];

	/* a Linux boot: the reference's zero page (its e820 map, pointers),
	 * command line and initrd at the reference's addresses, and what its
	 * firmware left for the kernel: the BDA, the EBDA, the BIOS area, and
	 * the e820 ranges above 1 MiB that are not RAM (ACPI tables) */
	uint8_t *zp = malloc(4096);
	if (!zp)
		return -1;
	int rc = 0;
	if (ref_read(ls, r[R_ESI], zp, 4096) == 0 && !memcmp(zp + 0x202, "HdrS", 4)) {
		uint32_t cmdline, rd, rd_size;
		memcpy(&cmdline, zp + 0x228, 4);
		memcpy(&rd, zp + 0x218, 4);
		memcpy(&rd_size, zp + 0x21c, 4);
		phys_write(v->vm->pm, r[R_ESI], zp, 4096);
		log_msg("lockstep: Linux zero page at %#x from the reference (command line %#x, "
			"initrd %#x+%#x)", r[R_ESI], cmdline, rd, rd_size);
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
 * the instruction after it (single-stepping would take one step per
 * iteration there) */
static int step_rep(struct lockstep *ls, const struct insn *i, uint32_t eip0)
{
	struct vcpu *v = ls->v;
	while ((uint32_t)v->s.rip == eip0) {
		enum tier_exit e = v->tier->step(v);
		if (e != TIER_EXIT_KICK)
			return (int)e;
	}
	uint32_t next = (uint32_t)(v->s.seg[S_CS].base + eip0 + i->len);
	if (code_size(&v->s) == 16)
		next = (uint32_t)v->s.seg[S_CS].base + ((eip0 + i->len) & 0xffff);
	return ref_run_to(ls, next) < 0 ? -2 : (int)TIER_EXIT_KICK;
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
	if (v->tier->sync_in(v) < 0)
		goto out;
	if (cfg->sync && sync_start(&ls, cfg->sync_eip) < 0)
		goto out;

	uint32_t ours[NREGS], ref[NREGS];
	if (ref_regs(&ls, ref) < 0)
		goto out;
	v->tier->sync_out(v);
	our_regs(&v->s, ours);
	if (memcmp(ours, ref, sizeof(ours))) {
		log_msg("lockstep: the two sides differ before the first instruction");
		print_regs("trivisor", ours, ref, ~0u);
		print_regs("reference", ref, ours, ~0u);
		goto out;
	}

	double t0 = now_s();
	uint64_t n;
	for (n = 0; n < cfg->max; n++) {
		struct cpu_state before = v->s;
		struct insn in;
		uint8_t bytes[15] = { 0 };
		bool decoded = our_insn(v, &in, bytes);

		int e;
		uint32_t count = (uint32_t)v->s.gpr[R_ECX];
		if (decoded && in.asize == 2)
			count &= 0xffff;
		if (decoded && is_rep_string(&in) && count > 1) {
			e = step_rep(&ls, &in, (uint32_t)before.rip);
		} else {
			e = (int)v->tier->step(v);
			if (e == TIER_EXIT_KICK && ref_step(&ls) < 0)
				e = -2;
		}
		if (e != TIER_EXIT_KICK) {
			if (e != -2) {
				log_msg("lockstep: after %" PRIu64 " instructions our side stopped (%s)", n,
					e == TIER_EXIT_HLT ? "HLT" : e == TIER_EXIT_SHUTDOWN ? "triple fault" :
					"tier exit");
				print_insn("at", &before, bytes, decoded ? in.len : 15);
			}
			goto out;
		}
		v->tier->sync_out(v);
		if (ref_regs(&ls, ref) < 0)
			goto out;
		/* QEMU's gdbstub now and then answers a step without having
		 * executed anything (the vCPU was kicked out first): nothing at
		 * all changed there while our side moved on; step it again */
		uint32_t prev[NREGS];
		our_regs(&before, prev);
		our_regs(&v->s, ours);
		for (int retry = 0; retry < 5 && !memcmp(ref, prev, sizeof(ref)) &&
				    memcmp(ours, prev, sizeof(ours)); retry++) {
			ls.empty_steps++;
			if (ref_step(&ls) < 0 || ref_regs(&ls, ref) < 0)
				goto out;
		}

		uint32_t mask;
		int kind = decoded ? copy_kind(&in, &mask) : -1;
		if (kind >= 0) {
			for (int k = 0; k < 8; k++)
				if (mask & (1u << k))
					v->s.gpr[k] = ref[k];
			ls.copies[kind]++;
			if (ls.notes++ < NOTES_SHOWN)
				log_msg("lockstep: instruction %" PRIu64 " at %08" PRIx32 ": %s result "
					"taken from the reference", n, (uint32_t)before.rip, copy_names[kind]);
		}
		our_regs(&v->s, ours);
		uint32_t flag_mask = ~(FL_RF | (decoded ? undefined_flags(&in, &before) : 0));
		bool same = (ours[REG_EFLAGS] & flag_mask) == (ref[REG_EFLAGS] & flag_mask);
		for (int k = 0; k < NREGS && same; k++)
			if (k != REG_EFLAGS && ours[k] != ref[k])
				same = false;
		if (same) {
			/* undefined flags: carry the reference's on, so they cannot
			 * surface later as a false difference */
			if ((ours[REG_EFLAGS] ^ ref[REG_EFLAGS]) & ~flag_mask & OSZAPC) {
				v->s.rflags = (v->s.rflags & ~(uint64_t)OSZAPC) | (ref[REG_EFLAGS] & OSZAPC);
				v->tier->sync_in(v);
			}
			continue;
		}
		log_msg("lockstep: difference after %" PRIu64 " instructions (the registers marked * differ%s)",
			n + 1, flag_mask != ~FL_RF ? "; undefined flags of this instruction masked" : "");
		print_insn("executed", &before, bytes, decoded ? in.len : 15);
		print_regs("before", prev, prev, ~0u);
		print_regs("trivisor", ours, ref, flag_mask);
		print_regs("reference", ref, ours, flag_mask);
		goto out;
	}
	double dt = now_s() - t0;
	log_msg("lockstep: %" PRIu64 " instructions matched in %.1f s (%.0f steps/s); taken from the "
		"reference: rdtsc %" PRIu64 ", cpuid %" PRIu64 ", rdmsr %" PRIu64 ", in %" PRIu64
		"; reference steps repeated %" PRIu64,
		n, dt, dt > 0 ? (double)n / dt : 0.0, ls.copies[COPY_RDTSC], ls.copies[COPY_CPUID],
		ls.copies[COPY_RDMSR], ls.copies[COPY_IN], ls.empty_steps);
	status = 0;
out:
	if (ls.g.fd >= 0) {
		gdb_send(&ls.g, "k");	/* the reference exits */
		close(ls.g.fd);
	}
	return status;
}
