/* GDB's register layouts for x86: target.xml, and struct cpu_state to and from GDB's numbers. */
// SPDX-License-Identifier: MIT
#include "ui/gdbregs.h"

#include <pthread.h>	/* pthread_once: each target.xml is built once */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The FXSAVE image's fields (32-bit format) */
enum {
	FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FCS = 12,
	FX_FDP = 16, FX_FDS = 20, FX_MXCSR = 24, FX_ST0 = 32, FX_XMM0 = 160,
};

/* ---- little-endian bytes, whatever the host */

static uint64_t le_get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void le_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* ---- how to reach each kind of register. A scalar register has get/set
 * on a 64-bit value; a register GDB sees narrower than its field only ever
 * replaces the low bytes (see reg_write). A register without get is bytes
 * of the FXSAVE image at offset arg (st, xmm). */

struct reg_ops {
	uint64_t (*get)(const struct cpu_state *s, unsigned arg);
	void (*set)(struct cpu_state *s, unsigned arg, uint64_t v);
};

static uint64_t gpr_get(const struct cpu_state *s, unsigned i) { return s->gpr[i]; }
static void gpr_set(struct cpu_state *s, unsigned i, uint64_t v) { s->gpr[i] = v; }
static uint64_t rip_get(const struct cpu_state *s, unsigned i) { (void)i; return s->rip; }
static void rip_set(struct cpu_state *s, unsigned i, uint64_t v) { (void)i; s->rip = v; }
static uint64_t flags_get(const struct cpu_state *s, unsigned i) { (void)i; return s->rflags; }
static void flags_set(struct cpu_state *s, unsigned i, uint64_t v) { (void)i; s->rflags = v; }
static uint64_t sel_get(const struct cpu_state *s, unsigned i) { return s->seg[i].selector; }
static uint64_t base_get(const struct cpu_state *s, unsigned i) { return s->seg[i].base; }
static void base_set(struct cpu_state *s, unsigned i, uint64_t v) { s->seg[i].base = v; }

/* In real and v86 mode the base is the selector times 16, so a debugger
 * that moves a segment expects the base to follow; in protected mode the
 * base comes from a descriptor we must not load behind the guest's back. */
static void sel_set(struct cpu_state *s, unsigned i, uint64_t v)
{
	s->seg[i].selector = (uint16_t)v;
	if (!cpu_protected(s) || (s->rflags & FL_VM))
		s->seg[i].base = (uint64_t)(uint16_t)v << 4;
}

/* plain fields of struct cpu_state, arg being the offset */
static uint64_t f64_get(const struct cpu_state *s, unsigned off)
{
	uint64_t v;
	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

static void f64_set(struct cpu_state *s, unsigned off, uint64_t v)
{
	memcpy((char *)s + off, &v, sizeof(v));
}

static uint64_t f16_get(const struct cpu_state *s, unsigned off)
{
	uint16_t v;
	memcpy(&v, (const char *)s + off, sizeof(v));
	return v;
}

static void f16_set(struct cpu_state *s, unsigned off, uint64_t v)
{
	uint16_t w = (uint16_t)v;
	memcpy((char *)s + off, &w, sizeof(w));
}

/* FXSAVE fields, arg being the offset in the image */
static uint64_t fx16_get(const struct cpu_state *s, unsigned off)
{
	return le_get(s->fxsave + off, 2);
}

static void fx16_set(struct cpu_state *s, unsigned off, uint64_t v)
{
	le_put(s->fxsave + off, v, 2);
}

static uint64_t fx32_get(const struct cpu_state *s, unsigned off)
{
	return le_get(s->fxsave + off, 4);
}

static void fx32_set(struct cpu_state *s, unsigned off, uint64_t v)
{
	le_put(s->fxsave + off, v, 4);
}

/* the last opcode is 11 bits; the upper 5 bits of the word are reserved */
static uint64_t fop_get(const struct cpu_state *s, unsigned i)
{
	(void)i;
	return le_get(s->fxsave + FX_FOP, 2) & 0x7ff;
}

static void fop_set(struct cpu_state *s, unsigned i, uint64_t v)
{
	(void)i;
	le_put(s->fxsave + FX_FOP, v & 0x7ff, 2);
}

/* the 2-bit tag a physical register would have if it were not empty,
 * from its 80-bit contents: 0 valid, 1 zero, 2 special */
static unsigned x87_tag_of(const uint8_t *r)
{
	uint64_t mant = le_get(r, 8);
	unsigned exp = le_get(r + 8, 2) & 0x7fff;

	if (exp == 0x7fff)
		return 2;			/* infinity or NaN */
	if (exp == 0)
		return mant ? 2 : 1;		/* denormal, or zero */
	return mant >> 63 ? 0 : 2;		/* valid, or unnormal */
}

/* FXSAVE keeps one bit per physical register (1: not empty); GDB wants
 * the full tag word FSAVE would store, so the kind of each non-empty
 * register is worked out from its contents. Physical register r is
 * st((r - TOP) & 7), and the image holds the st in stack order. */
static uint64_t ftag_get(const struct cpu_state *s, unsigned i)
{
	unsigned top = (le_get(s->fxsave + FX_FSW, 2) >> 11) & 7;
	unsigned abridged = s->fxsave[FX_FTW];
	uint64_t tw = 0;

	(void)i;
	for (unsigned r = 0; r < 8; r++) {
		unsigned st = (r - top) & 7;
		unsigned tag = abridged & (1u << r) ? x87_tag_of(s->fxsave + FX_ST0 + 16 * st) : 3;
		tw |= (uint64_t)tag << (2 * r);
	}
	return tw;
}

static void ftag_set(struct cpu_state *s, unsigned i, uint64_t v)
{
	uint8_t abridged = 0;

	(void)i;
	for (unsigned r = 0; r < 8; r++)
		if (((v >> (2 * r)) & 3) != 3)
			abridged |= (uint8_t)(1u << r);
	s->fxsave[FX_FTW] = abridged;
}

static const struct reg_ops ops_gpr = { gpr_get, gpr_set };
static const struct reg_ops ops_rip = { rip_get, rip_set };
static const struct reg_ops ops_flags = { flags_get, flags_set };
static const struct reg_ops ops_sel = { sel_get, sel_set };
static const struct reg_ops ops_base = { base_get, base_set };
static const struct reg_ops ops_f64 = { f64_get, f64_set };
static const struct reg_ops ops_f16 = { f16_get, f16_set };
static const struct reg_ops ops_fx16 = { fx16_get, fx16_set };
static const struct reg_ops ops_fx32 = { fx32_get, fx32_set };
static const struct reg_ops ops_fop = { fop_get, fop_set };
static const struct reg_ops ops_ftag = { ftag_get, ftag_set };
static const struct reg_ops ops_bytes = { NULL, NULL };

/* ---- the layouts */

enum feature { F_CORE, F_SSE, F_SEGMENTS, F_SYS, F_COUNT };

struct reg_desc {
	const char *name;
	unsigned size;			/* bytes, as GDB sees the register */
	const char *type;		/* GDB type in target.xml */
	const char *group;		/* GDB register group, or NULL */
	enum feature feature;
	const struct reg_ops *ops;
	unsigned arg;
};

#define OFS(field) ((unsigned)offsetof(struct cpu_state, field))

#define GPR(n, sz, t, i) { n, sz, t, NULL, F_CORE, &ops_gpr, i }
#define SEL(n, i)        { n, 4, "int32", NULL, F_CORE, &ops_sel, i }
#define ST(n, i)         { n, 10, "i387_ext", NULL, F_CORE, &ops_bytes, FX_ST0 + 16 * (i) }
#define FPCTL(n, o, a)   { n, 4, "int", "float", F_CORE, &o, a }
#define XMM(n, i)        { n, 16, "vec128", NULL, F_SSE, &ops_bytes, FX_XMM0 + 16 * (i) }
#define SYS(n, o, a)     { n, 8, "uint64", "system", F_SYS, &o, a }

/* from eflags to fop the two layouts agree */
#define CORE_TAIL(ip, ipsz)                                                    \
	{ ip, ipsz, "code_ptr", NULL, F_CORE, &ops_rip, 0 },                   \
	{ "eflags", 4, "i386_eflags", NULL, F_CORE, &ops_flags, 0 },           \
	SEL("cs", S_CS), SEL("ss", S_SS), SEL("ds", S_DS),                     \
	SEL("es", S_ES), SEL("fs", S_FS), SEL("gs", S_GS),                     \
	ST("st0", 0), ST("st1", 1), ST("st2", 2), ST("st3", 3),                \
	ST("st4", 4), ST("st5", 5), ST("st6", 6), ST("st7", 7),                \
	FPCTL("fctrl", ops_fx16, FX_FCW), FPCTL("fstat", ops_fx16, FX_FSW),    \
	FPCTL("ftag", ops_ftag, 0), FPCTL("fiseg", ops_fx16, FX_FCS),          \
	FPCTL("fioff", ops_fx32, FX_FIP), FPCTL("foseg", ops_fx16, FX_FDS),    \
	FPCTL("fooff", ops_fx32, FX_FDP), FPCTL("fop", ops_fop, 0)

/* GDB 13's plain i386 (no OS ABI) cannot take the segments feature: it
 * numbers fs_base past the end of its register file and trips an
 * assertion in tdesc_use_registers. So in that layout the two bases are
 * ours, in the sys feature, at the same place in the 'g' packet. */
#define SSE_TAIL(basesz, basefeat)                                             \
	{ "mxcsr", 4, "i386_mxcsr", "vector", F_SSE, &ops_fx32, FX_MXCSR },    \
	{ "fs_base", basesz, "int", NULL, basefeat, &ops_base, S_FS },         \
	{ "gs_base", basesz, "int", NULL, basefeat, &ops_base, S_GS }

/* GDB has no names for these; the same in both layouts */
#define SYS_REGS                                                               \
	SYS("cr0", ops_f64, OFS(cr0)), SYS("cr2", ops_f64, OFS(cr2)),          \
	SYS("cr3", ops_f64, OFS(cr3)), SYS("cr4", ops_f64, OFS(cr4)),          \
	SYS("cr8", ops_f64, OFS(cr8)), SYS("efer", ops_f64, OFS(efer)),        \
	SYS("dr0", ops_f64, OFS(dr[0])), SYS("dr1", ops_f64, OFS(dr[1])),      \
	SYS("dr2", ops_f64, OFS(dr[2])), SYS("dr3", ops_f64, OFS(dr[3])),      \
	SYS("dr6", ops_f64, OFS(dr[6])), SYS("dr7", ops_f64, OFS(dr[7])),      \
	SYS("k_gs_base", ops_f64, OFS(msr.kernel_gs_base)),                    \
	SYS("es_base", ops_base, S_ES), SYS("cs_base", ops_base, S_CS),        \
	SYS("ss_base", ops_base, S_SS), SYS("ds_base", ops_base, S_DS),        \
	SYS("gdtr_base", ops_f64, OFS(gdt.base)),                              \
	SYS("gdtr_limit", ops_f16, OFS(gdt.limit)),                            \
	SYS("idtr_base", ops_f64, OFS(idt.base)),                              \
	SYS("idtr_limit", ops_f16, OFS(idt.limit)),                            \
	SYS("ldtr", ops_f16, OFS(ldt.selector)),                               \
	SYS("tr", ops_f16, OFS(tr.selector))

static const struct reg_desc regs_i386[] = {
	GPR("eax", 4, "int32", R_EAX), GPR("ecx", 4, "int32", R_ECX),
	GPR("edx", 4, "int32", R_EDX), GPR("ebx", 4, "int32", R_EBX),
	GPR("esp", 4, "data_ptr", R_ESP), GPR("ebp", 4, "data_ptr", R_EBP),
	GPR("esi", 4, "int32", R_ESI), GPR("edi", 4, "int32", R_EDI),
	CORE_TAIL("eip", 4),
	XMM("xmm0", 0), XMM("xmm1", 1), XMM("xmm2", 2), XMM("xmm3", 3),
	XMM("xmm4", 4), XMM("xmm5", 5), XMM("xmm6", 6), XMM("xmm7", 7),
	SSE_TAIL(4, F_SYS),
	SYS_REGS,
};

static const struct reg_desc regs_x86_64[] = {
	GPR("rax", 8, "int64", R_EAX), GPR("rbx", 8, "int64", R_EBX),
	GPR("rcx", 8, "int64", R_ECX), GPR("rdx", 8, "int64", R_EDX),
	GPR("rsi", 8, "int64", R_ESI), GPR("rdi", 8, "int64", R_EDI),
	GPR("rbp", 8, "data_ptr", R_EBP), GPR("rsp", 8, "data_ptr", R_ESP),
	GPR("r8", 8, "int64", R_R8), GPR("r9", 8, "int64", R_R9),
	GPR("r10", 8, "int64", R_R10), GPR("r11", 8, "int64", R_R11),
	GPR("r12", 8, "int64", R_R12), GPR("r13", 8, "int64", R_R13),
	GPR("r14", 8, "int64", R_R14), GPR("r15", 8, "int64", R_R15),
	CORE_TAIL("rip", 8),
	XMM("xmm0", 0), XMM("xmm1", 1), XMM("xmm2", 2), XMM("xmm3", 3),
	XMM("xmm4", 4), XMM("xmm5", 5), XMM("xmm6", 6), XMM("xmm7", 7),
	XMM("xmm8", 8), XMM("xmm9", 9), XMM("xmm10", 10), XMM("xmm11", 11),
	XMM("xmm12", 12), XMM("xmm13", 13), XMM("xmm14", 14), XMM("xmm15", 15),
	SSE_TAIL(8, F_SEGMENTS),
	SYS_REGS,
};

struct layout {
	const char *arch;		/* <architecture> */
	const struct reg_desc *regs;
	int count;
};

#define LAYOUT(arch, regs) { arch, regs, (int)(sizeof(regs) / sizeof(regs[0])) }

static const struct layout layouts[] = {
	[GDB_ARCH_I386] = LAYOUT("i386", regs_i386),
	[GDB_ARCH_X86_64] = LAYOUT("i386:x86-64", regs_x86_64),
};

static const struct reg_desc *reg_find(enum gdb_arch a, int n)
{
	if ((unsigned)a >= sizeof(layouts) / sizeof(layouts[0]) || n < 0 || n >= layouts[a].count)
		return NULL;
	return &layouts[a].regs[n];
}

/* ---- target.xml */

/* A single-bit field of a flags type: GDB shows its name when set. */
struct flag_bit {
	unsigned bit;
	const char *name;
};

/* the same bits GDB's own 32bit-core.xml names (bit 1 is always set and
 * nameless; IOPL is two bits and shown as a number by nobody) */
static const struct flag_bit eflags_bits[] = {
	{ 0, "CF" }, { 1, "" }, { 2, "PF" }, { 4, "AF" }, { 6, "ZF" },
	{ 7, "SF" }, { 8, "TF" }, { 9, "IF" }, { 10, "DF" }, { 11, "OF" },
	{ 14, "NT" }, { 16, "RF" }, { 17, "VM" }, { 18, "AC" }, { 19, "VIF" },
	{ 20, "VIP" }, { 21, "ID" },
};

static const struct flag_bit mxcsr_bits[] = {
	{ 0, "IE" }, { 1, "DE" }, { 2, "ZE" }, { 3, "OE" }, { 4, "UE" },
	{ 5, "PE" }, { 6, "DAZ" }, { 7, "IM" }, { 8, "DM" }, { 9, "ZM" },
	{ 10, "OM" }, { 11, "UM" }, { 12, "PM" }, { 15, "FZ" },
};

/* the views of an XMM register, as GDB's sse feature offers them */
static const struct {
	const char *vector, *elem, *field;
	unsigned count;
} vec128_views[] = {
	{ "v8bf16", "bfloat16", "v8_bfloat16", 8 },
	{ "v8h", "ieee_half", "v8_half", 8 },
	{ "v4f", "ieee_single", "v4_float", 4 },
	{ "v2d", "ieee_double", "v2_double", 2 },
	{ "v16i8", "int8", "v16_int8", 16 },
	{ "v8i16", "int16", "v8_int16", 8 },
	{ "v4i32", "int32", "v4_int32", 4 },
	{ "v2i64", "int64", "v2_int64", 2 },
};

static const char *const feature_names[F_COUNT] = {
	[F_CORE] = "org.gnu.gdb.i386.core",
	[F_SSE] = "org.gnu.gdb.i386.sse",
	[F_SEGMENTS] = "org.gnu.gdb.i386.segments",
	[F_SYS] = "org.trivisor.x86.sys",
};

#define XML_MAX 16384

struct xml_buf {
	char *p;
	size_t len;
};

static void xml_add(struct xml_buf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The layouts are fixed, so running out of room is a bug in this file;
 * the unit test builds both and would trip it. */
static void xml_add(struct xml_buf *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(x->p + x->len, XML_MAX - x->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= XML_MAX - x->len) {
		fprintf(stderr, "gdbregs: target.xml does not fit in %d bytes\n", XML_MAX);
		abort();
	}
	x->len += (size_t)n;
}

static void xml_flags(struct xml_buf *x, const char *id, const struct flag_bit *b, size_t n)
{
	xml_add(x, "<flags id=\"%s\" size=\"4\">", id);
	for (size_t i = 0; i < n; i++)
		xml_add(x, "<field name=\"%s\" start=\"%u\" end=\"%u\"/>", b[i].name, b[i].bit, b[i].bit);
	xml_add(x, "</flags>");
}

/* the types a feature's registers use, ahead of the registers */
static void xml_types(struct xml_buf *x, enum feature f)
{
	size_t nviews = sizeof(vec128_views) / sizeof(vec128_views[0]);

	if (f == F_CORE)
		xml_flags(x, "i386_eflags", eflags_bits, sizeof(eflags_bits) / sizeof(eflags_bits[0]));
	if (f != F_SSE)
		return;
	for (size_t i = 0; i < nviews; i++)
		xml_add(x, "<vector id=\"%s\" type=\"%s\" count=\"%u\"/>",
			vec128_views[i].vector, vec128_views[i].elem, vec128_views[i].count);
	xml_add(x, "<union id=\"vec128\">");
	for (size_t i = 0; i < nviews; i++)
		xml_add(x, "<field name=\"%s\" type=\"%s\"/>", vec128_views[i].field, vec128_views[i].vector);
	xml_add(x, "<field name=\"uint128\" type=\"uint128\"/></union>");
	xml_flags(x, "i386_mxcsr", mxcsr_bits, sizeof(mxcsr_bits) / sizeof(mxcsr_bits[0]));
}

/* Registers are numbered in document order, which is the table's; each
 * feature's registers are contiguous in the table, so no regnum="" is
 * needed. GDB's own numbering (xmm0 at 32 or 40) falls out the same. A
 * feature without registers is left out: GDB would reject an empty
 * segments feature for want of fs_base. */
static void xml_build(struct xml_buf *x, enum gdb_arch a)
{
	const struct layout *l = &layouts[a];
	int n = 0;

	xml_add(x, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
		"<target><architecture>%s</architecture>", l->arch);
	for (enum feature f = 0; f < F_COUNT; f++) {
		if (n >= l->count || l->regs[n].feature != f)
			continue;
		xml_add(x, "<feature name=\"%s\">", feature_names[f]);
		xml_types(x, f);
		for (; n < l->count && l->regs[n].feature == f; n++) {
			const struct reg_desc *r = &l->regs[n];
			xml_add(x, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\"", r->name, r->size * 8, r->type);
			if (r->group)
				xml_add(x, " group=\"%s\"", r->group);
			xml_add(x, "/>");
		}
		xml_add(x, "</feature>");
	}
	if (n != l->count) {
		fprintf(stderr, "gdbregs: %s table not in feature order\n", l->arch);
		abort();
	}
	xml_add(x, "</target>");
}

static char xml_i386[XML_MAX], xml_x86_64[XML_MAX];
static pthread_once_t once_i386 = PTHREAD_ONCE_INIT, once_x86_64 = PTHREAD_ONCE_INIT;

static void build_i386(void) { xml_build(&(struct xml_buf){ xml_i386, 0 }, GDB_ARCH_I386); }
static void build_x86_64(void) { xml_build(&(struct xml_buf){ xml_x86_64, 0 }, GDB_ARCH_X86_64); }

const char *gdbregs_target_xml(enum gdb_arch a)
{
	if (a == GDB_ARCH_X86_64) {
		pthread_once(&once_x86_64, build_x86_64);
		return xml_x86_64;
	}
	pthread_once(&once_i386, build_i386);
	return xml_i386;
}

/* ---- registers */

int gdbregs_count(enum gdb_arch a)
{
	return (unsigned)a < sizeof(layouts) / sizeof(layouts[0]) ? layouts[a].count : 0;
}

unsigned gdbregs_size(enum gdb_arch a, int n)
{
	const struct reg_desc *r = reg_find(a, n);
	return r ? r->size : 0;
}

const char *gdbregs_name(enum gdb_arch a, int n)
{
	const struct reg_desc *r = reg_find(a, n);
	return r ? r->name : NULL;
}

static void reg_read(const struct reg_desc *r, const struct cpu_state *s, uint8_t *buf)
{
	if (r->ops->get)
		le_put(buf, r->ops->get(s, r->arg), r->size);
	else
		memcpy(buf, s->fxsave + r->arg, r->size);
}

/* A register narrower than its field (eip, the i386 bases, eflags)
 * replaces only the low bytes, keeping what GDB cannot see. */
static void reg_write(const struct reg_desc *r, struct cpu_state *s, const uint8_t *buf)
{
	if (!r->ops->get) {
		memcpy(s->fxsave + r->arg, buf, r->size);
		return;
	}
	uint64_t v = le_get(buf, r->size);
	if (r->size < 8) {
		uint64_t mask = (UINT64_C(1) << (8 * r->size)) - 1;
		v = (r->ops->get(s, r->arg) & ~mask) | (v & mask);
	}
	r->ops->set(s, r->arg, v);
}

unsigned gdbregs_read(enum gdb_arch a, const struct cpu_state *s, int n, uint8_t *buf)
{
	const struct reg_desc *r = reg_find(a, n);
	if (!r)
		return 0;
	reg_read(r, s, buf);
	return r->size;
}

int gdbregs_write(enum gdb_arch a, struct cpu_state *s, int n, const uint8_t *buf)
{
	const struct reg_desc *r = reg_find(a, n);
	if (!r)
		return -1;
	reg_write(r, s, buf);
	return 0;
}

size_t gdbregs_read_all(enum gdb_arch a, const struct cpu_state *s, uint8_t *buf, size_t cap)
{
	size_t total = 0;
	int count = gdbregs_count(a);

	for (int n = 0; n < count; n++)
		total += gdbregs_size(a, n);
	if (cap < total)
		return 0;
	size_t off = 0;
	for (int n = 0; n < count; n++) {
		reg_read(reg_find(a, n), s, buf + off);
		off += gdbregs_size(a, n);
	}
	return off;
}

/* Checks the length first, so a bad packet changes nothing. */
int gdbregs_write_all(enum gdb_arch a, struct cpu_state *s, const uint8_t *buf, size_t len)
{
	int count = gdbregs_count(a), whole = 0;
	size_t off = 0;

	while (whole < count && off + gdbregs_size(a, whole) <= len)
		off += gdbregs_size(a, whole++);
	if (off != len)
		return -1;
	off = 0;
	for (int n = 0; n < whole; n++) {
		reg_write(reg_find(a, n), s, buf + off);
		off += gdbregs_size(a, n);
	}
	return 0;
}
