/* Checks the x86 decoder against capstone on seeded random byte sequences in 16-, 32- and 64-bit mode. */
// SPDX-License-Identifier: MIT
//
// For each sequence: validity, length, and the operands where capstone
// reports them comparably (count; register, memory or immediate; registers;
// memory base/index/scale/displacement/segment; immediate values; sizes of
// general-purpose operands). Instructions our CPU model lacks (capstone
// groups AVX, 3DNow!, VMX, ... and a few ids) count as "unsupported by
// model". Known capstone 4 mistakes are listed in `quirks` with the SDM's
// word; everything else is a disagreement and fails the run.
//
// usage: decode_vs_capstone [-n N per mode] [-s seed] [-m 16|32|64] [-v] [-x HEX]
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/state.h"

#ifdef DVC_NO_CAPSTONE
int main(void)
{
	printf("SKIP decode-vs-capstone: all: capstone headers were not found at build time\n");
	return 0;
}
#else
#include <capstone/capstone.h>

/* ---- random sequences ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: seeded, fast, good enough to spread bytes */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const uint8_t legacy_prefixes[] = {
	0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
};

#define SEQ_LEN 16

/* 0-4 prefixes from the prefix set (REX too in 64-bit mode), an opcode
 * biased towards the 0F maps, then random bytes */
static void gen(uint8_t *b, uint64_t *s, int mode)
{
	uint64_t r = rng_next(s), r2 = rng_next(s), r3 = rng_next(s);
	int n = 0;

	memcpy(b, &r2, 8);
	memcpy(b + 8, &r3, 8);
	unsigned npfx = r % 5;
	r /= 5;
	for (unsigned i = 0; i < npfx; i++) {
		unsigned k = r % 16;
		r /= 16;
		if (mode == 64 && k >= 12)
			b[n++] = 0x40 | (rng_next(s) & 15);
		else
			b[n++] = legacy_prefixes[k % sizeof(legacy_prefixes)];
	}
	if (mode == 64 && r % 3 == 0)
		b[n++] = 0x40 | ((r >> 2) & 15);
	r >>= 6;
	switch (r % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		break;		/* one-byte map: random opcode */
	case 7: case 8: case 9: case 10: case 11:
		b[n++] = 0x0f;
		break;
	case 12: case 13:
		b[n++] = 0x0f;
		b[n++] = 0x38;
		break;
	default:
		b[n++] = 0x0f;
		b[n++] = 0x3a;
		break;
	}
}

/* ---- our operands in capstone's terms ---- */

static const x86_reg cs_gpr[4][16] = {
	{ X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL, X86_REG_BPL, X86_REG_SIL, X86_REG_DIL,
	  X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B, X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B },
	{ X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI,
	  X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W, X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W },
	{ X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI,
	  X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D, X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D },
	{ X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
	  X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11, X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 },
};
static const x86_reg cs_high[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };
static const x86_reg cs_seg[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS, X86_REG_FS, X86_REG_GS };

static x86_reg gpr_of(unsigned reg, unsigned size)
{
	unsigned s = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	if (reg == REG_NONE)
		return X86_REG_INVALID;
	if (reg >= REG_AH && reg < REG_AH + 4)
		return cs_high[reg - REG_AH];
	if (reg == REG_RIP)
		return size == 8 ? X86_REG_RIP : size == 4 ? X86_REG_EIP : X86_REG_IP;
	return cs_gpr[s][reg & 15];
}

/* one operand as capstone would show it */
struct want {
	x86_op_type type;
	int size;		/* 0: do not compare */
	x86_reg reg;
	uint64_t imm, imm_mask;
	x86_reg seg;		/* the effective segment of a memory operand */
	x86_reg base, index;
	int scale;
	int64_t disp;
	uint64_t disp_mask;
};

struct ctx {
	int mode;
	const uint8_t *code;
	struct insn in;
	enum decode_result r;
	csh h;
	const cs_insn *ci;	/* NULL: capstone says invalid */
	const cs_x86 *x;
	char why[160];		/* the disagreement */
	int what;		/* enum dis */
	int bad_op;		/* DIS_OPS: which operand */
	int bad_field;		/* DIS_OPS: enum field */
	int depth;		/* of decoding again inside quirks */
	int removed;		/* prefix bytes dropped by those decodes */
	const uint8_t *orig;	/* the sequence before any of them */
};

enum field { F_COUNT, F_KIND, F_REG, F_IMM, F_MEM, F_SEG, F_SIZE };

enum dis { DIS_NONE, DIS_OURS_UD, DIS_CS_INVALID, DIS_LEN, DIS_OPS };

static uint64_t mask_of(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static int want_list(const struct ctx *c, struct want *w)
{
	const struct insn *in = &c->in;
	int n = 0;

	for (int i = 0; i < in->nopnd; i++) {
		const struct opnd *o = &in->opnd[i];
		struct want *p = &w[n++];
		memset(p, 0, sizeof(*p));
		p->size = o->size;
		switch (o->kind) {
		case OPK_REG:
			p->type = X86_OP_REG;
			p->reg = gpr_of(o->reg, o->size);
			break;
		case OPK_SEG:
			p->type = X86_OP_REG;
			p->reg = cs_seg[o->reg];
			break;
		case OPK_CR:
			p->type = X86_OP_REG;
			p->reg = X86_REG_CR0 + o->reg;
			break;
		case OPK_DR:
			p->type = X86_OP_REG;
			p->reg = X86_REG_DR0 + o->reg;
			break;
		case OPK_XMM:
			p->type = X86_OP_REG;
			p->reg = X86_REG_XMM0 + o->reg;
			break;
		case OPK_MMX:
			p->type = X86_OP_REG;
			p->reg = X86_REG_MM0 + o->reg;
			break;
		case OPK_ST:
			p->type = X86_OP_REG;
			p->reg = X86_REG_ST0 + o->reg;
			break;
		case OPK_MEM:
			p->type = X86_OP_MEM;
			p->seg = cs_seg[in->seg];
			p->base = gpr_of(in->base, in->asize);
			p->index = gpr_of(in->index, in->asize);
			p->scale = 1 << in->scale;
			p->disp = in->disp;
			p->disp_mask = mask_of(in->asize);
			if (in->base == REG_NONE && in->index == REG_NONE &&
			    !in->has_modrm)	/* moffs */
				p->disp = (int64_t)in->imm;
			break;
		case OPK_STR_SRC:
		case OPK_STR_DST:
			p->type = X86_OP_MEM;
			p->seg = o->kind == OPK_STR_DST ? X86_REG_ES : cs_seg[in->seg];
			p->base = gpr_of(o->kind == OPK_STR_DST ? 7 : 6, in->asize);
			p->index = X86_REG_INVALID;
			p->scale = 1;
			p->disp_mask = ~0ull;
			break;
		case OPK_IMM:
			p->type = X86_OP_IMM;
			p->imm = (in->op == OP_ENTER && i == 1) ? in->imm2 : in->imm;
			p->imm_mask = mask_of(o->size);
			p->size = 0;
			break;
		case OPK_ONE:
			p->type = X86_OP_IMM;
			p->imm = 1;
			p->imm_mask = 0xff;
			p->size = 0;
			break;
		case OPK_REL:
			/* capstone shows the target, at address 0 */
			p->type = X86_OP_IMM;
			p->imm = in->len + in->imm;
			p->imm_mask = mask_of(in->mode == 64 ? 8 : in->osize);
			p->size = 0;
			break;
		case OPK_FAR:
			/* capstone: selector, offset */
			p->type = X86_OP_IMM;
			p->imm = in->imm2;
			p->imm_mask = 0xffff;
			p->size = 0;
			p = &w[n++];
			memset(p, 0, sizeof(*p));
			p->type = X86_OP_IMM;
			p->imm = in->imm;
			p->imm_mask = mask_of(in->osize);
			break;
		default:
			p->type = X86_OP_INVALID;
			break;
		}
	}
	return n;
}

static bool segment_ok(const struct want *w, const cs_x86_op *o)
{
	x86_reg cs = o->mem.segment;

	if (cs == X86_REG_INVALID) {
		/* no override shown: ours must be the default */
		bool ss = w->base == X86_REG_BP || w->base == X86_REG_EBP || w->base == X86_REG_RBP ||
			  w->base == X86_REG_SP || w->base == X86_REG_ESP || w->base == X86_REG_RSP;
		return w->seg == (ss ? X86_REG_SS : X86_REG_DS);
	}
	return cs == w->seg;
}

static bool compare_ops(struct ctx *c)
{
	struct want w[4];
	int n = want_list(c, w);
	const cs_x86 *x = c->x;

	c->bad_op = -1;
	if (n != x->op_count) {
		c->bad_field = F_COUNT;
		snprintf(c->why, sizeof(c->why), "operand count %d, capstone %d", n, x->op_count);
		return false;
	}
	for (int i = 0; i < n; i++) {
		const cs_x86_op *o = &x->operands[i];
		const struct want *p = &w[i];
		c->bad_op = i;
		if (o->type != p->type) {
			c->bad_field = F_KIND;
			snprintf(c->why, sizeof(c->why), "operand %d: kind %d, capstone %d", i, p->type, o->type);
			return false;
		}
		switch (p->type) {
		case X86_OP_REG:
			if (o->reg != p->reg) {
				c->bad_field = F_REG;
				snprintf(c->why, sizeof(c->why), "operand %d: reg %s, capstone %s", i,
					 cs_reg_name(c->h, p->reg), cs_reg_name(c->h, o->reg));
				return false;
			}
			break;
		case X86_OP_IMM:
			if (((uint64_t)o->imm & p->imm_mask) != (p->imm & p->imm_mask)) {
				c->bad_field = F_IMM;
				snprintf(c->why, sizeof(c->why), "operand %d: imm 0x%" PRIx64 ", capstone 0x%" PRIx64,
					 i, p->imm & p->imm_mask, (uint64_t)o->imm & p->imm_mask);
				return false;
			}
			break;
		case X86_OP_MEM:
			if (o->mem.base != p->base || o->mem.index != p->index ||
			    (p->index != X86_REG_INVALID && o->mem.scale != p->scale) ||
			    (((uint64_t)o->mem.disp ^ (uint64_t)p->disp) & p->disp_mask)) {
				c->bad_field = F_MEM;
				snprintf(c->why, sizeof(c->why),
					 "operand %d: mem [%s+%s*%d+0x%" PRIx64 "], capstone [%s+%s*%d+0x%" PRIx64 "]", i,
					 cs_reg_name(c->h, p->base), cs_reg_name(c->h, p->index), p->scale,
					 (uint64_t)p->disp, cs_reg_name(c->h, o->mem.base),
					 cs_reg_name(c->h, o->mem.index), o->mem.scale, (uint64_t)o->mem.disp);
				return false;
			}
			if (!segment_ok(p, o)) {
				c->bad_field = F_SEG;
				snprintf(c->why, sizeof(c->why), "operand %d: segment %s, capstone %s", i,
					 cs_reg_name(c->h, p->seg), cs_reg_name(c->h, o->mem.segment));
				return false;
			}
			break;
		default:
			break;
		}
		if (p->size && o->size != p->size) {
			c->bad_field = F_SIZE;
			snprintf(c->why, sizeof(c->why), "operand %d: size %d, capstone %d", i, p->size, o->size);
			return false;
		}
	}
	return true;
}

/* ---- what our CPU model does not implement ---- */

static const uint8_t unsupported_groups[] = {
	X86_GRP_VM, X86_GRP_3DNOW, X86_GRP_AES, X86_GRP_ADX, X86_GRP_AVX, X86_GRP_AVX2,
	X86_GRP_AVX512, X86_GRP_BMI, X86_GRP_BMI2, X86_GRP_F16C, X86_GRP_FMA, X86_GRP_FMA4,
	X86_GRP_FSGSBASE, X86_GRP_RTM, X86_GRP_SHA, X86_GRP_SSE4A, X86_GRP_PCLMUL, X86_GRP_XOP,
	X86_GRP_CDI, X86_GRP_ERI, X86_GRP_TBM, X86_GRP_SGX, X86_GRP_DQI, X86_GRP_BWI, X86_GRP_PFI,
	X86_GRP_VLX, X86_GRP_SMAP,
};

/* instructions without such a group: CPUID features we do not expose */
static const unsigned unsupported_ids[] = {
	X86_INS_CLFLUSHOPT, X86_INS_CLWB, X86_INS_XSAVEOPT, X86_INS_XSAVEOPT64, X86_INS_XSAVEC,
	X86_INS_XSAVEC64, X86_INS_XSAVES, X86_INS_XSAVES64, X86_INS_XRSTORS, X86_INS_XRSTORS64,
	X86_INS_INVPCID, X86_INS_PREFETCHW, X86_INS_FEMMS, X86_INS_VMFUNC, X86_INS_INVLPGA,
	X86_INS_SKINIT, X86_INS_GETSEC, X86_INS_ENDBR32, X86_INS_ENDBR64, X86_INS_XTEST,
	X86_INS_CLAC, X86_INS_STAC, X86_INS_ENCLU, X86_INS_ENCLS,
	/* VIA PadLock */
	X86_INS_MONTMUL, X86_INS_XCRYPTCBC, X86_INS_XCRYPTCFB, X86_INS_XCRYPTCTR, X86_INS_XCRYPTECB,
	X86_INS_XCRYPTOFB, X86_INS_XSHA1, X86_INS_XSHA256, X86_INS_XSTORE,
};

/* VEX (C4/C5), EVEX (62) and XOP (8F) encodings: where capstone takes them
 * as such, they are AVX-class instructions whatever its groups say */
static bool vex_encoded(const struct ctx *c)
{
	int n = 0;

	while (n < 15 && (c->code[n] == 0x26 || c->code[n] == 0x2e || c->code[n] == 0x36 ||
			  c->code[n] == 0x3e || c->code[n] == 0x64 || c->code[n] == 0x65 ||
			  c->code[n] == 0x66 || c->code[n] == 0x67 || c->code[n] == 0xf0 ||
			  c->code[n] == 0xf2 || c->code[n] == 0xf3 ||
			  (c->mode == 64 && (c->code[n] & 0xf0) == 0x40)))
		n++;
	uint8_t b = c->code[n], next = c->code[n + 1];
	if (b != 0xc4 && b != 0xc5 && b != 0x62 && b != 0x8f)
		return false;
	if (b == 0x8f)
		return ((next >> 3) & 7) != 0;
	return c->mode == 64 || (next >> 6) == 3;
}

static bool unsupported(const struct ctx *c)
{
	const cs_detail *d = c->ci->detail;

	if (vex_encoded(c))
		return true;
	for (int i = 0; i < d->groups_count; i++)
		for (size_t k = 0; k < sizeof(unsupported_groups); k++)
			if (d->groups[i] == unsupported_groups[k])
				return true;
	for (size_t k = 0; k < sizeof(unsupported_ids) / sizeof(unsupported_ids[0]); k++)
		if (c->ci->id == unsupported_ids[k])
			return true;
	return false;
}

/* ---- known capstone 4.0.2 quirks, each checked against the SDM ---- */

struct quirk {
	const char *name;
	const char *why;
	bool (*match)(const struct ctx *c);
	bool redecodes;		/* match() decodes again and explains what remains */
	uint64_t count;
};

#define MAX_DEPTH 4
static void diff(struct ctx *c);
static const struct quirk *explain(const struct ctx *c, int depth);

static bool is_legacy_prefix(uint8_t b)
{
	for (size_t i = 0; i < sizeof(legacy_prefixes); i++)
		if (b == legacy_prefixes[i])
			return true;
	return false;
}

/* the prefix bytes before the opcode (REX included in 64-bit mode) */
static int prefix_len(const struct ctx *c)
{
	int n = 0;

	while (n < 15 && (is_legacy_prefix(c->code[n]) || (c->mode == 64 && (c->code[n] & 0xf0) == 0x40)))
		n++;
	return n;
}

static bool has_prefix(const struct ctx *c, uint8_t p)
{
	int n = prefix_len(c);

	for (int i = 0; i < n; i++)
		if (c->code[i] == p)
			return true;
	return false;
}

/* decode ours again from buf (n bytes), which is c's sequence less
 * `removed` prefix bytes: true when ours then agrees with what capstone
 * said, or differs only as other quirks explain */
static bool agrees_as(const struct ctx *c, const uint8_t *buf, int n, int removed)
{
	struct ctx d = *c;

	d.code = buf;
	d.removed = c->removed + removed;
	d.depth = c->depth + 1;
	d.r = decode(&d.in, buf, n, c->mode);
	if (d.r == DECODE_OK)
		d.in.len += d.removed;	/* as if the dropped bytes were there */
	diff(&d);
	return d.what == DIS_NONE || explain(&d, d.depth);
}

/* the same without the prefix bytes `drop` picks */
static bool agrees_without(const struct ctx *c, bool (*drop)(const struct ctx *c, int pos))
{
	uint8_t buf[SEQ_LEN] = { 0 };
	int n = 0, np = prefix_len(c), removed = 0;

	bool any = false;

	/* 64-bit mode: put an ignored DS override in place of a dropped byte,
	 * so a REX that a prefix cancelled stays cancelled */
	for (int i = 0; i < SEQ_LEN - c->removed; i++) {
		if (i < np && drop(c, i)) {
			any = true;
			if (c->mode == 64)
				buf[n++] = 0x3e;
			else
				removed++;
		} else {
			buf[n++] = c->code[i];
		}
	}
	return any && agrees_as(c, buf, n, removed);
}

/* where capstone looks for a mandatory prefix: the last prefix byte,
 * passing over one REX right before the opcode */
static int capstone_last(const struct ctx *c)
{
	int n = prefix_len(c);

	if (n && c->mode == 64 && (c->code[n - 1] & 0xf0) == 0x40)
		n--;
	return n - 1;
}

static bool drop_lock(const struct ctx *c, int pos)
{
	return c->code[pos] == 0xf0;
}

static bool drop_mandatory(const struct ctx *c, int pos)
{
	uint8_t b = c->code[pos];

	return b == 0x66 || b == 0xf2 || b == 0xf3;
}

static bool drop_mandatory_not_last(const struct ctx *c, int pos)
{
	return drop_mandatory(c, pos) && pos != capstone_last(c);
}

static bool drop_66(const struct ctx *c, int pos)
{
	return c->code[pos] == 0x66;
}

static bool q_lock(const struct ctx *c)
{
	return c->r == DECODE_UD && has_prefix(c, 0xf0) && agrees_without(c, drop_lock);
}

static bool drop_rep_not_last(const struct ctx *c, int pos)
{
	return (c->code[pos] == 0xf2 || c->code[pos] == 0xf3) && pos != capstone_last(c);
}

static bool q_mandatory_last(const struct ctx *c)
{
	return c->in.map != MAP_ONE &&
	       (agrees_without(c, drop_mandatory_not_last) || agrees_without(c, drop_rep_not_last));
}

static bool drop_rep(const struct ctx *c, int pos);

static bool q_unprefixed_fallback(const struct ctx *c)
{
	return c->in.map != MAP_ONE && (agrees_without(c, drop_rep) || agrees_without(c, drop_mandatory));
}

static bool q_reserved_cr(const struct ctx *c)
{
	if (c->r != DECODE_UD || !c->ci)
		return false;
	for (int i = 0; i < c->x->op_count; i++) {
		x86_reg r = c->x->operands[i].reg;
		if (c->x->operands[i].type == X86_OP_REG && r >= X86_REG_CR0 && r <= X86_REG_CR15 &&
		    r != X86_REG_CR0 && r != X86_REG_CR2 && r != X86_REG_CR3 && r != X86_REG_CR4 &&
		    r != X86_REG_CR8)
			return true;
		if (c->x->operands[i].type == X86_OP_REG && r >= X86_REG_DR8 && r <= X86_REG_DR15)
			return true;
	}
	return false;
}

static bool q_ud_no_modrm(const struct ctx *c)
{
	return c->what == DIS_LEN && (c->ci->id == X86_INS_UD0 || c->ci->id == X86_INS_UD2B) &&
	       (c->in.op == OP_UD0 || c->in.op == OP_UD1) && c->in.len > c->ci->size;
}

static bool q_branch_16(const struct ctx *c)
{
	if (c->what != DIS_OPS || c->bad_field != F_IMM || c->in.opnd[0].kind != OPK_REL)
		return false;
	if (!(c->in.prefixes & PFX_ADSIZE) && !(c->mode == 16 && c->in.osize == 4) &&
	    !(c->mode == 64 && (c->in.prefixes & PFX_OPSIZE)))
		return false;
	uint64_t target = c->in.len + c->in.imm, mask = mask_of(c->mode == 64 ? 8 : c->in.osize);
	uint64_t cs = (uint64_t)c->x->operands[0].imm;
	return ((cs ^ (uint64_t)(int64_t)(int16_t)target) & mask) == 0 || ((cs ^ (target & 0xffff)) & mask) == 0;
}

static bool q_branch_66_64(const struct ctx *c)
{
	return c->mode == 64 && (c->in.prefixes & PFX_OPSIZE) && c->what == DIS_LEN &&
	       c->in.nopnd == 1 && c->in.opnd[0].kind == OPK_REL && c->in.len == c->ci->size + 2;
}

static bool q_fence_rm(const struct ctx *c)
{
	return c->what == DIS_CS_INVALID && (c->in.modrm & 7) &&
	       (c->in.op == OP_LFENCE || c->in.op == OP_MFENCE || c->in.op == OP_SFENCE);
}

static bool drop_rep(const struct ctx *c, int pos)
{
	return c->code[pos] == 0xf2 || c->code[pos] == 0xf3;
}

static bool q_mode16_mandatory(const struct ctx *c)
{
	return c->mode == 16 && c->in.map != MAP_ONE &&
	       (agrees_without(c, drop_rep) || agrees_without(c, drop_mandatory));
}

static bool q_sreg_rex_r(const struct ctx *c)
{
	return c->mode == 64 && c->what == DIS_CS_INVALID && (c->in.rex & 4) &&
	       (c->in.op == OP_MOV_SEG_STORE || c->in.op == OP_MOV_SEG_LOAD);
}

static bool q_rexw_z(const struct ctx *c)
{
	if (c->mode != 64 || !(c->in.rex & 8) || c->what != DIS_OPS || c->bad_op < 0)
		return false;
	switch (c->in.op) {
	case OP_IN: case OP_OUT: case OP_INS: case OP_OUTS:
		break;
	default:
		return false;
	}
	const cs_x86_op *o = &c->x->operands[c->bad_op];
	return (c->bad_field == F_SIZE || c->bad_field == F_REG) && o->size == 2 &&
	       c->in.opnd[c->bad_op].size == 4;
}

static bool q_imm_zext(const struct ctx *c)
{
	if (c->what != DIS_OPS || c->bad_field != F_IMM || c->in.opnd[c->bad_op].size != 8)
		return false;
	uint64_t v = c->in.imm;
	return (uint64_t)c->x->operands[c->bad_op].imm == (v & 0xffffffffu) && v == (uint64_t)(int64_t)(int32_t)v;
}

static bool q_ret_66_rexw(const struct ctx *c)
{
	return c->mode == 64 && (c->in.op == OP_RET || c->in.op == OP_INVALID) && c->in.map == MAP_ONE &&
	       (c->in.opcode == 0xc2 || c->in.opcode == 0xc3) && (c->in.rex & 8) &&
	       (c->in.prefixes & (PFX_OPSIZE | PFX_ADSIZE)) &&
	       (c->what == DIS_LEN || c->what == DIS_CS_INVALID);
}

static bool q_branch_67_64(const struct ctx *c)
{
	return c->mode == 64 && (c->in.prefixes & PFX_ADSIZE) && c->what == DIS_LEN && c->in.nopnd == 1 &&
	       c->in.opnd[0].kind == OPK_REL && c->in.len == c->ci->size + 2;
}

static bool q_nop_90(const struct ctx *c)
{
	if (c->mode != 64 || c->in.map != MAP_ONE || c->in.opcode != 0x90 || !c->ci)
		return false;
	if (c->in.op == OP_XCHG)	/* REX.B 90 */
		return (c->ci->id == X86_INS_NOP || c->ci->id == X86_INS_PAUSE) && has_prefix(c, 0x66);
	/* REX.W 90 without REX.B */
	return (c->in.op == OP_NOP || c->in.op == OP_PAUSE) && c->ci->id == X86_INS_XCHG &&
	       c->x->op_count == 2 && c->x->operands[0].reg == X86_REG_RAX &&
	       c->x->operands[1].reg == X86_REG_RAX;
}

static bool q_swapgs(const struct ctx *c)
{
	return c->mode != 64 && c->what == DIS_OURS_UD && c->ci->id == X86_INS_SWAPGS;
}

static bool q_stack_66_rexw(const struct ctx *c)
{
	return c->mode == 64 && (c->in.op == OP_PUSH || c->in.op == OP_POP) && (c->in.rex & 8) &&
	       (c->in.prefixes & PFX_OPSIZE) && c->what == DIS_OPS && c->bad_field == F_SIZE &&
	       c->in.opnd[c->bad_op].size == 8 && c->x->operands[c->bad_op].size == 2;
}

static bool q_mov_cs(const struct ctx *c)
{
	return c->what == DIS_OURS_UD && c->in.map == MAP_ONE && c->in.opcode == 0x8e &&
	       ((c->in.modrm >> 3) & 7) == S_CS;
}

static bool q_lsl_r64(const struct ctx *c)
{
	return c->in.op == OP_LSL && c->what == DIS_OPS && c->bad_field == F_REG && c->bad_op == 1 &&
	       c->in.opnd[1].size == 4 && c->x->operands[1].reg == gpr_of(c->in.opnd[1].reg, 8);
}

static bool q_seg_64(const struct ctx *c)
{
	if (c->mode != 64 || c->what != DIS_OPS || c->bad_field != F_SEG)
		return false;
	x86_reg cs = c->x->operands[c->bad_op].mem.segment;
	if (cs == X86_REG_ES || cs == X86_REG_CS || cs == X86_REG_SS || cs == X86_REG_DS)
		return true;
	return cs == X86_REG_INVALID && c->in.opnd[c->bad_op].kind == OPK_STR_DST;
}

static bool q_movsxd_32(const struct ctx *c)
{
	return c->in.op == OP_MOVSXD && c->what == DIS_OPS && c->bad_field == F_REG && c->bad_op == 0 &&
	       c->x->operands[0].reg == gpr_of(c->in.opnd[0].reg, 8);
}

static bool q_xchg_acc(const struct ctx *c)
{
	return c->mode == 64 && c->in.op == OP_XCHG && !c->in.has_modrm && c->what == DIS_OPS &&
	       c->bad_field == F_REG && c->bad_op == 0 && c->in.opnd[0].size == 2 &&
	       c->x->operands[0].reg == X86_REG_EAX;
}

/* capstone reads 67 with REX.W as if 66 were there too: decode with a 66 added */
static bool q_67_rexw(const struct ctx *c)
{
	int n = prefix_len(c);
	uint8_t buf[SEQ_LEN + 1];

	if (c->mode != 64 || !has_prefix(c, 0x67) || !(c->in.rex & 8))
		return false;
	/* and drops REX.W: a 16-bit operand size in the one-byte map, PINSRD for PINSRQ */
	if (c->what == DIS_OPS && c->bad_field == F_SIZE && c->in.opnd[c->bad_op].size == 8 &&
	    c->x->operands[c->bad_op].size < 8)
		return true;
	if (c->what == DIS_OPS && c->bad_field == F_REG && c->in.opnd[c->bad_op].kind == OPK_REG &&
	    c->in.opnd[c->bad_op].size == 8 &&
	    c->x->operands[c->bad_op].reg == gpr_of(c->in.opnd[c->bad_op].reg, 4))
		return true;
	if (c->in.map == MAP_ONE || has_prefix(c, 0x66) || c->depth >= MAX_DEPTH)
		return false;
	/* an ignored segment override or an overridden REX can become the 66 */
	memcpy(buf, c->code, SEQ_LEN);
	for (int i = 0; i < n; i++)
		if (buf[i] == 0x26 || buf[i] == 0x2e || buf[i] == 0x36 || buf[i] == 0x3e ||
		    ((buf[i] & 0xf0) == 0x40 && i < n - 1)) {
			buf[i] = 0x66;
			return agrees_as(c, buf, SEQ_LEN, 0);
		}
	buf[n] = 0x66;
	memcpy(buf + n + 1, c->code + n, SEQ_LEN - n);
	/* the 66 goes before the REX */
	buf[n] = buf[n - 1];
	buf[n - 1] = 0x66;
	return agrees_as(c, buf, SEQ_LEN, -1);
}

static bool q_cmp_pseudo(const struct ctx *c)
{
	return c->what == DIS_OPS && c->bad_field == F_COUNT && c->in.map == MAP_0F &&
	       c->in.opcode == 0xc2 && c->in.nopnd == 3 && c->x->op_count == 2 && c->in.imm < 8;
}

static bool q_x87_regs(const struct ctx *c)
{
	return c->what == DIS_OPS && c->in.op == OP_X87 && (c->in.modrm >> 6) == 3;
}

static bool q_hint_nop(const struct ctx *c)
{
	if (c->in.op != OP_NOP_HINT && c->in.op != OP_NOP)
		return false;
	return c->what == DIS_CS_INVALID || (c->what == DIS_OPS && c->bad_field == F_SIZE) ||
	       (c->what == DIS_OPS && c->bad_field == F_COUNT && c->x->op_count == 2 && c->in.nopnd == 1);
}

static bool mem_size_is(const struct ctx *c, unsigned cs_size)
{
	return c->what == DIS_OPS && c->bad_field == F_SIZE && c->in.opnd[c->bad_op].kind == OPK_MEM &&
	       c->x->operands[c->bad_op].size == cs_size;
}

static bool q_lar_lsl_m16(const struct ctx *c)
{
	return (c->in.op == OP_LAR || c->in.op == OP_LSL) && mem_size_is(c, c->in.osize);
}

static bool q_far_ptr_size(const struct ctx *c)
{
	switch (c->in.op) {
	case OP_LDS: case OP_LES: case OP_LSS: case OP_LFS: case OP_LGS:
	case OP_CALL_FAR: case OP_JMP_FAR:
		return c->what == DIS_OPS && c->bad_field == F_SIZE && c->in.opnd[c->bad_op].kind == OPK_MEM;
	default:
		return false;
	}
}

static bool q_fpu_env(const struct ctx *c)
{
	unsigned reg = (c->in.modrm >> 3) & 7;
	return c->in.op == OP_X87 && (c->in.opcode == 0xd9 || c->in.opcode == 0xdd) &&
	       (reg == 4 || reg == 6) && c->what == DIS_OPS && c->bad_field == F_SIZE;
}

static bool q_mmx_unpack_m32(const struct ctx *c)
{
	return c->in.op == OP_SSE && c->in.map == MAP_0F && c->in.opcode >= 0x60 && c->in.opcode <= 0x62 &&
	       c->in.opnd[0].kind == OPK_MMX && mem_size_is(c, 8);
}

static bool q_opsize_then_rep(const struct ctx *c)
{
	int seen66 = 0, rep_after = 0;

	/* capstone saw the prefixes of the original sequence */
	for (int i = 0; i < 15 && (is_legacy_prefix(c->orig[i]) ||
				   (c->mode == 64 && (c->orig[i] & 0xf0) == 0x40)); i++) {
		if (c->orig[i] == 0x66)
			seen66 = 1;
		else if ((c->orig[i] == 0xf2 || c->orig[i] == 0xf3) && seen66)
			rep_after = 1;
	}
	if (!rep_after || c->in.osize != 2 || c->mode == 16)
		return false;
	if (c->what == DIS_CS_INVALID)
		return c->in.map == MAP_ONE && c->in.opcode >= 0xa0 && c->in.opcode <= 0xa3;
	if (c->what == DIS_OPS && c->bad_op >= 0) {
		const struct opnd *o = &c->in.opnd[c->bad_op];
		if (c->bad_field == F_SIZE && c->x->operands[c->bad_op].size == 4 &&
		    (o->kind == OPK_MEM || o->kind == OPK_STR_SRC || o->kind == OPK_STR_DST))
			return true;
		if (c->bad_field == F_REG && o->kind == OPK_REG && o->size == 2 &&
		    c->x->operands[c->bad_op].reg == gpr_of(o->reg, 4))
			return true;
	}
	return c->depth < MAX_DEPTH && agrees_without(c, drop_66);
}

static bool q_aad_10(const struct ctx *c)
{
	return (c->in.op == OP_AAM || c->in.op == OP_AAD) && c->in.imm == 10 && c->what == DIS_OPS &&
	       c->x->op_count == 0;
}

static bool q_sse_mem_m128(const struct ctx *c)
{
	return c->in.op == OP_SSE && mem_size_is(c, 16) && c->in.opnd[c->bad_op].size < 16;
}

static bool q_x87_m2(const struct ctx *c)
{
	return c->in.op == OP_X87 && c->in.opnd[0].size == 2 && mem_size_is(c, 4);
}

static bool q_ud_invalid(const struct ctx *c)
{
	return c->what == DIS_CS_INVALID && (c->in.op == OP_UD0 || c->in.op == OP_UD1);
}

static bool q_implicit_xmm0(const struct ctx *c)
{
	return c->what == DIS_OPS && c->bad_field == F_COUNT && c->in.nopnd == 3 &&
	       c->in.opnd[2].kind == OPK_XMM && c->x->op_count == 2 && c->in.map == MAP_0F38;
}

static struct quirk quirks[] = {
	{ "lock-accepted",
	  "capstone accepts LOCK on instructions that cannot take it or with a register destination; "
	  "SDM vol. 2 LOCK: #UD unless one of the listed instructions with a memory destination",
	  q_lock, true, 0 },
	{ "mandatory-prefix-last",
	  "capstone takes 66/F2/F3 as the mandatory prefix only when it is the last legacy prefix; "
	  "SDM 2.1.1 puts no order on legacy prefixes (only REX must come last)",
	  q_mandatory_last, true, 0 },
	{ "unprefixed-fallback",
	  "capstone decodes the unprefixed row when 66/F2/F3 select no row (or when 66 and F2/F3 "
	  "are both given) of a 0F-map opcode; "
	  "SDM 2.1.1: such use is reserved, and the host CPU raises #UD (F3 0F EF C0, F2 0F 57 C0)",
	  q_unprefixed_fallback, true, 0 },
	{ "reserved-cr",
	  "capstone decodes MOV to/from CR1, CR5-CR7, CR9-CR15 and DR8-DR15; SDM MOV (control "
	  "registers): #UD for those, MOV (debug registers): #UD if REX.R is used",
	  q_reserved_cr, false, 0 },
	{ "ud-without-modrm",
	  "capstone decodes UD0 (0F FF) and UD1 (0F B9) without a ModRM; SDM: UD0 r32, r/m32 and "
	  "UD1 r32, r/m32 both take ModRM (only some older CPUs decode UD0 without one)",
	  q_ud_no_modrm, false, 0 },
	{ "branch-target-16",
	  "capstone truncates a relative branch target to 16 bits under 67, in 16-bit mode whatever "
	  "66 says, and in 64-bit mode under 66; SDM Jcc/JMP/CALL: the operand size truncates EIP, "
	  "and 64-bit mode has a 64-bit operand size for near branches",
	  q_branch_16, false, 0 },
	{ "branch-66-64",
	  "capstone takes 66 on a near branch in 64-bit mode as a rel16 (AMD's behaviour); Intel "
	  "SDM Jcc/JMP/CALL: 64-bit operand size, 66 ignored, rel32",
	  q_branch_66_64, false, 0 },
	{ "fence-rm",
	  "capstone decodes LFENCE/MFENCE/SFENCE only with ModRM.rm = 0; SDM LFENCE: the processor "
	  "ignores r/m, 0F AE E8-EF is LFENCE (F0-F7 MFENCE, F8-FF SFENCE)",
	  q_fence_rm, false, 0 },
	{ "mode16-mandatory",
	  "capstone in 16-bit mode does not take 66/F2/F3 as mandatory prefixes (66 0F EF is PXOR "
	  "mm there); SDM: the same encodings in every mode (66 0F EF is PXOR xmm)",
	  q_mode16_mandatory, true, 0 },
	{ "sreg-rex-r",
	  "capstone rejects MOV to/from a segment register with REX.R; SDM MOV: REX.R does not "
	  "extend Sreg (the host CPU runs 44 8C D8 as MOV EAX, DS)",
	  q_sreg_rex_r, false, 0 },
	{ "rexw-z-size",
	  "capstone lets 66 win over REX.W for IN/OUT/INS/OUTS (66 REX.W ED is IN AX, DX there); "
	  "SDM 2.2.1.2: REX.W overrides 66, and these instructions cap at 32 bits",
	  q_rexw_z, false, 0 },
	{ "imm-zero-extended",
	  "capstone zero-extends a 32-bit immediate of a 64-bit operation (PUSH imm32 with REX.W "
	  "and 66); SDM PUSH: imm32 sign-extended to 64 bits",
	  q_imm_zext, false, 0 },
	{ "ret-66-rexw",
	  "capstone mis-decodes near RET with 66 and REX.W in 64-bit mode (66 4E C2 01 00 is "
	  "invalid, 66 4E C2 59 D9 3D 3B seven bytes); SDM RET: C2 iw is three bytes",
	  q_ret_66_rexw, false, 0 },
	{ "branch-67-64",
	  "capstone takes 67 on a near branch in 64-bit mode as a rel16; SDM: 67 changes the "
	  "address size only, the branch stays rel32",
	  q_branch_67_64, false, 0 },
	{ "nop-rex-b",
	  "capstone decodes 66 REX.B 90 as NOP and REX.W 90 as XCHG RAX, RAX; SDM XCHG: REX.B 90 "
	  "is XCHG r8, rAX, and 90 without REX.B is NOP (PAUSE with F3)",
	  q_nop_90, false, 0 },
	{ "swapgs-legacy",
	  "capstone decodes SWAPGS outside 64-bit mode; SDM SWAPGS: #UD if not in 64-bit mode",
	  q_swapgs, false, 0 },
	{ "stack-66-rexw",
	  "capstone lets 66 win over REX.W for PUSH/POP r/m (66 REX.W 8F /0 is POP m16 there); SDM "
	  "2.2.1.2: REX.W overrides 66",
	  q_stack_66_rexw, false, 0 },
	{ "mov-cs",
	  "capstone decodes MOV CS, r/m; SDM MOV: #UD if an attempt is made to load CS",
	  q_mov_cs, false, 0 },
	{ "lsl-r64-source",
	  "capstone shows a 64-bit source register for LSL with REX.W (but a 32-bit one for LAR); "
	  "SDM LSL: REX.W 0F 03 /r is LSL r64, r32/m16",
	  q_lsl_r64, false, 0 },
	{ "segment-64",
	  "capstone shows ES/CS/SS/DS overrides in 64-bit mode and drops ES from string "
	  "destinations there; SDM 3.3.7.1: those overrides are ignored, and STOS/MOVS write ES:rDI",
	  q_seg_64, false, 0 },
	{ "movsxd-32",
	  "capstone shows MOVSXD without REX.W with a 64-bit destination; SDM: 63 /r is MOVSXD "
	  "r32, r/m32 (r16 with 66), REX.W 63 /r is MOVSXD r64, r/m32",
	  q_movsxd_32, false, 0 },
	{ "xchg-accumulator",
	  "capstone shows EAX for XCHG AX, r16 when a cancelled REX comes before 66 (66 46 2E 94); "
	  "SDM XCHG: 66 90+rw is XCHG AX, r16",
	  q_xchg_acc, false, 0 },
	{ "67-rexw-as-66",
	  "capstone acts as if 66 were given when 67 and REX.W are (67 48 0F F4 is PMULUDQ xmm, "
	  "67 48 8F /0 POP m16 there); SDM: only 66 selects either",
	  q_67_rexw, true, 0 },
	{ "cmp-pseudo-op",
	  "capstone folds CMPPS/CMPPD/CMPSS/CMPSD predicates 0-7 into the mnemonic and drops the "
	  "immediate operand; SDM: CMPPS xmm1, xmm2/m128, imm8",
	  q_cmp_pseudo, false, 0 },
	{ "x87-register-operands",
	  "capstone lists x87 register operands inconsistently (FADD st(i) with one operand, "
	  "FSTP aliases with three); SDM: FADD ST(0), ST(i) and FADD ST(i), ST(0)",
	  q_x87_regs, false, 0 },
	{ "hint-nop",
	  "capstone rejects some reserved-NOP forms (0F 18 with mod=3 or /4-7, 0F 1A-1E) and shows "
	  "ModRM.reg as a second NOP operand, sized without REX.W; SDM table A-3: 0F 18 group 16, 0F 19-1F NOP Ev",
	  q_hint_nop, false, 0 },
	{ "lar-lsl-m16",
	  "capstone sizes the LAR/LSL memory source by the operand size; SDM: r/m16 (m16)",
	  q_lar_lsl_m16, false, 0 },
	{ "far-pointer-size",
	  "capstone sizes an m16:16/m16:32/m16:64 far pointer as 2/4/8 (JMP/CALL FAR: 6 whatever 66 "
	  "says) bytes; SDM: 4/6/10 bytes",
	  q_far_ptr_size, false, 0 },
	{ "fpu-env-size",
	  "capstone sizes FLDENV/FNSTENV/FRSTOR/FNSAVE memory without the operand size; SDM 8.1.10: "
	  "14/28 and 94/108 bytes for 16/32-bit operand size",
	  q_fpu_env, false, 0 },
	{ "mmx-unpack-low-m32",
	  "capstone sizes the memory source of MMX PUNPCKLBW/WD/DQ as m64; SDM: mm/m32",
	  q_mmx_unpack_m32, false, 0 },
	{ "opsize-then-rep",
	  "capstone ignores a 66 followed by F2/F3 for some operand sizes, branch offsets and "
	  "moffs forms (it rejects 66 F2 A1); SDM 2.1: 66 selects the 16-bit operand size (the host "
	  "CPU runs 66 F2 A1 as MOV AX, moffs)",
	  q_opsize_then_rep, true, 0 },
	{ "sse-mem-m128",
	  "capstone sizes the memory operand of scalar and half-register SSE forms as m128; SDM: "
	  "e.g. COMISS xmm1, xmm2/m32, COMISD xmm1, xmm2/m64, CVTPS2PD xmm1, xmm2/m64",
	  q_sse_mem_m128, false, 0 },
	{ "x87-m2byte",
	  "capstone sizes FNSTSW/FNSTCW/FLDCW memory as 4 bytes; SDM: m2byte",
	  q_x87_m2, false, 0 },
	{ "ud-prefixed",
	  "capstone rejects UD0/UD1 after some prefixes; the SDM defines them as #UD whatever the "
	  "prefixes, so both raise #UD",
	  q_ud_invalid, false, 0 },
	{ "implicit-xmm0",
	  "capstone omits the implicit XMM0 of BLENDVPS/BLENDVPD/PBLENDVB; SDM: BLENDVPS xmm1, "
	  "xmm2/m128, <XMM0>",
	  q_implicit_xmm0, false, 0 },
	{ "aam-aad-10",
	  "capstone omits the AAM/AAD immediate when it is 10; SDM: AAD imm8 (D5 0A is AAD)",
	  q_aad_10, false, 0 },
	{ NULL, NULL, NULL, false, 0 },
};

/* ---- the run ---- */

struct bucket {
	char key[200];
	uint64_t count;
	char sample[400];
};

#define NBUCKETS 4096
static struct bucket buckets[NBUCKETS];
static int nbuckets;

static void note(const struct ctx *c, const char *key, const char *detail)
{
	int i;

	for (i = 0; i < nbuckets; i++)
		if (!strcmp(buckets[i].key, key))
			break;
	if (i == nbuckets) {
		if (nbuckets == NBUCKETS)
			return;
		nbuckets++;
		snprintf(buckets[i].key, sizeof(buckets[i].key), "%s", key);
		char hex[64] = "";
		for (int k = 0; k < 15; k++)
			sprintf(hex + 2 * k, "%02x", c->code[k]);
		snprintf(buckets[i].sample, sizeof(buckets[i].sample), "mode%d %s: %s | ours: %s len %d | cs: %s %s len %d",
			 c->mode, hex, detail, c->r == DECODE_OK ? insn_op_name[c->in.op] : "UD", c->in.len,
			 c->ci ? c->ci->mnemonic : "invalid", c->ci ? c->ci->op_str : "", c->ci ? c->ci->size : 0);
	}
	buckets[i].count++;
}

/* what differs between ours and capstone, into c->what and c->why */
static void diff(struct ctx *c)
{
	bool ours = c->r == DECODE_OK;

	c->what = DIS_NONE;
	c->why[0] = 0;
	if (!ours && !c->ci)
		return;
	if (!ours) {
		c->what = DIS_OURS_UD;
		snprintf(c->why, sizeof(c->why), "ours %s, capstone valid",
			 c->r == DECODE_TOO_LONG ? "too long" : c->r == DECODE_MORE ? "more" : "UD");
	} else if (!c->ci) {
		c->what = DIS_CS_INVALID;
		snprintf(c->why, sizeof(c->why), "ours valid, capstone invalid");
	} else if (c->ci->size != c->in.len) {
		c->what = DIS_LEN;
		snprintf(c->why, sizeof(c->why), "length %d, capstone %d", c->in.len, c->ci->size);
	} else if (!compare_ops(c)) {
		c->what = DIS_OPS;
	}
}

/* the quirk that explains c's disagreement; a quirk that decodes again
 * explains what remains by the others, MAX_DEPTH levels deep at most */
static const struct quirk *explain(const struct ctx *c, int depth)
{
	for (const struct quirk *q = quirks; q->name; q++)
		if (!(depth >= MAX_DEPTH && q->redecodes) && q->match(c))
			return q;
	return NULL;
}

/* classify one sequence: 0 agree, 1 unsupported, 2 quirk, 3 disagreement */
static int check_one(struct ctx *c)
{
	if (c->ci && unsupported(c))
		return 1;
	diff(c);
	if (c->what == DIS_NONE)
		return 0;
	const struct quirk *q = explain(c, 0);
	if (q) {
		quirks[q - quirks].count++;
		return 2;
	}
	return 3;
}

static int run_mode(int mode, uint64_t n, uint64_t seed, bool verbose)
{
	struct ctx c = { .mode = mode };
	uint64_t s = seed ^ (uint64_t)mode * 0x1000193u;
	uint64_t nunsup = 0, nquirk = 0, nfail = 0;
	uint8_t buf[SEQ_LEN];
	cs_insn *ci;

	if (cs_open(CS_ARCH_X86, mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64, &c.h) != CS_ERR_OK) {
		printf("SKIP decode-vs-capstone: mode%d: cs_open failed\n", mode);
		return 0;
	}
	cs_option(c.h, CS_OPT_DETAIL, CS_OPT_ON);
	ci = cs_malloc(c.h);
	nbuckets = 0;
	for (struct quirk *q = quirks; q->name; q++)
		q->count = 0;
	c.code = c.orig = buf;
	for (uint64_t i = 0; i < n; i++) {
		gen(buf, &s, mode);
		c.r = decode(&c.in, buf, sizeof(buf), mode);
		const uint8_t *p = buf;
		size_t left = 15;
		uint64_t addr = 0;
		c.ci = cs_disasm_iter(c.h, &p, &left, &addr, ci) ? ci : NULL;
		c.x = c.ci ? &ci->detail->x86 : NULL;
		switch (check_one(&c)) {
		case 1:
			nunsup++;
			break;
		case 2:
			nquirk++;
			break;
		case 3: {
			char key[200];
			nfail++;
			snprintf(key, sizeof(key), "mode%d what%d map%d op%02x %s", mode, c.what, c.in.map,
				 c.in.opcode, c.what == DIS_OPS ? c.why : "");
			note(&c, key, c.why);
			break;
		}
		default:
			break;
		}
	}
	printf("%s decode-vs-capstone: mode%d: %" PRIu64 " sequences, %" PRIu64
	       " disagreements (%" PRIu64 " unsupported by model, %" PRIu64 " known capstone quirks)\n",
	       nfail ? "FAIL" : "PASS", mode, n, nfail, nunsup, nquirk);
	if (nfail) {
		int shown = 0;
		for (int i = 0; i < nbuckets && (verbose || shown < 20); i++, shown++)
			printf("  %" PRIu64 "x %s\n", buckets[i].count, buckets[i].sample);
		if (nbuckets > shown)
			printf("  ... %d kinds in all (-v shows every one)\n", nbuckets);
	}
	if (verbose)
		for (struct quirk *q = quirks; q->name; q++)
			if (q->count)
				printf("  quirk %s: %" PRIu64 "\n", q->name, q->count);
	cs_free(ci, 1);
	cs_close(&c.h);
	fflush(stdout);
	return nfail ? 1 : 0;
}

/* decode one hex string in one mode with both and print what each says */
static void show_one(int mode, const char *hex)
{
	uint8_t buf[SEQ_LEN] = { 0 };
	size_t n = 0;
	struct insn in;
	csh h;
	cs_insn *ci;

	for (; hex[0] && hex[1] && n < sizeof(buf); hex += 2)
		sscanf(hex, "%2hhx", &buf[n++]);
	enum decode_result r = decode(&in, buf, n, mode);
	printf("ours: r=%d op=%s len=%d osize=%d asize=%d seg=%d nopnd=%d", r, insn_op_name[in.op], in.len,
	       in.osize, in.asize, in.seg, in.nopnd);
	for (int i = 0; i < in.nopnd; i++)
		printf(" [k%d s%d r%d]", in.opnd[i].kind, in.opnd[i].size, in.opnd[i].reg);
	printf(" base=%d index=%d scale=%d disp=%d imm=0x%" PRIx64 " imm2=0x%x\n", in.base, in.index, in.scale,
	       in.disp, in.imm, in.imm2);
	cs_open(CS_ARCH_X86, mode == 16 ? CS_MODE_16 : mode == 32 ? CS_MODE_32 : CS_MODE_64, &h);
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (cs_disasm(h, buf, n, 0, 1, &ci) == 1) {
		printf("capstone: %s %s len=%d ops=%d\n", ci->mnemonic, ci->op_str, ci->size,
		       ci->detail->x86.op_count);
		cs_free(ci, 1);
	} else {
		printf("capstone: invalid\n");
	}
	cs_close(&h);
}

int main(int argc, char **argv)
{
	uint64_t n = 10000000, seed = 0x7269766973;
	int only = 0, fails = 0;
	bool verbose = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			only = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-x") && i + 1 < argc) {
			show_one(only ? only : 32, argv[++i]);
			return 0;
		} else {
			fprintf(stderr, "usage: %s [-n N] [-s seed] [-m 16|32|64] [-v] [-x HEX]\n", argv[0]);
			return 2;
		}
	}
	for (int mode = 16; mode <= 64; mode *= 2)
		if (!only || only == mode)
			fails += run_mode(mode, n, seed, verbose);
	return fails ? 1 : 0;
}
#endif
