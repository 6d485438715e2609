/* The x86 decoder: prefixes, a walk down the opcode tables, then ModRM/SIB, displacement and immediates. */
// SPDX-License-Identifier: MIT
#include "cpu/decode.h"

#include <stdbool.h>
#include <string.h>

#include "cpu/optable.h"
#include "cpu/state.h"		/* enum cpu_seg */

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "immediates are read with memcpy");

const char *const insn_op_name[OP_COUNT] = {
#define OP(x) #x,
#include "cpu/ops.def"
#undef OP
};

#define MAX_LEN 15
#define SEG_NONE 0xff

enum prefix_kind { PK_NONE, PK_SEG, PK_OPSIZE, PK_ADSIZE, PK_LOCK, PK_REPNE, PK_REP, PK_REX };

static const uint8_t prefix_kind[256] = {
	[0x26] = PK_SEG, [0x2e] = PK_SEG, [0x36] = PK_SEG, [0x3e] = PK_SEG,
	[0x64] = PK_SEG, [0x65] = PK_SEG, [0x66] = PK_OPSIZE, [0x67] = PK_ADSIZE,
	[0xf0] = PK_LOCK, [0xf2] = PK_REPNE, [0xf3] = PK_REP,
	[0x40 ... 0x4f] = PK_REX,
};

static const uint8_t prefix_seg[256] = {
	[0x26] = S_ES, [0x2e] = S_CS, [0x36] = S_SS, [0x3e] = S_DS, [0x64] = S_FS, [0x65] = S_GS,
};

/* 16-bit addressing (SDM table 2-1): base and index per ModRM.rm */
enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI };
static const uint8_t ea16_base[8] = { R_BX, R_BX, R_BP, R_BP, R_SI, R_DI, R_BP, R_BX };
static const uint8_t ea16_index[8] = { R_SI, R_DI, R_SI, R_DI, REG_NONE, REG_NONE, REG_NONE, REG_NONE };

/* what the walk through the tables found, beside struct insn */
struct dstate {
	const uint8_t *code;
	size_t avail;
	unsigned pos;
	int mode;
	unsigned os, as;	/* operand and address size, bytes */
	unsigned mod, reg, rm;
	uint8_t segovr;		/* SEG_NONE or enum cpu_seg */
	bool mem;		/* the ModRM r/m is a memory operand */
};

/* the caller is short of bytes: more may come, unless the limit is passed */
static enum decode_result short_of(struct insn *in, const struct dstate *d, unsigned n)
{
	in->len = d->pos < MAX_LEN ? d->pos : MAX_LEN;
	in->op = OP_INVALID;
	return d->pos + n > MAX_LEN ? DECODE_TOO_LONG : DECODE_MORE;
}

static inline bool have(const struct dstate *d, unsigned n)
{
	return d->pos + n <= d->avail && d->pos + n <= MAX_LEN;
}

static inline uint64_t take(struct dstate *d, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, d->code + d->pos, n);
	d->pos += n;
	return v;
}

static inline uint64_t sext(uint64_t v, unsigned bytes)
{
	unsigned sh = 64 - 8 * bytes;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

static inline uint64_t trunc_to(uint64_t v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((1ull << (8 * bytes)) - 1);
}

static enum decode_result ud(struct insn *in, const struct dstate *d)
{
	in->len = d->pos;
	in->op = OP_INVALID;
	in->nopnd = 0;
	return DECODE_UD;
}

static unsigned size_of(unsigned sz, const struct dstate *d)
{
	switch (sz) {
	case SZ_B: return 1;
	case SZ_W: return 2;
	case SZ_D: return 4;
	case SZ_Q: return 8;
	case SZ_DQ: return 16;
	case SZ_T: return 10;
	case SZ_V: return d->os;
	case SZ_Z: return d->os == 2 ? 2 : 4;
	case SZ_Y: return d->os == 8 ? 8 : 4;
	case SZ_P: return 2 + d->os;
	case SZ_S: return d->mode == 64 ? 10 : 6;
	case SZ_A: return 2 * d->os;
	case SZ_CR: return d->mode == 64 ? 8 : 4;
	default: return 0;
	}
}

/* the memory form of ModRM (and SIB, displacement) */
static enum decode_result decode_mem(struct insn *in, struct dstate *d)
{
	bool ss = false;

	if (d->as == 2) {
		in->base = ea16_base[d->rm];
		in->index = ea16_index[d->rm];
		if (d->mod == 0 && d->rm == 6) {
			in->base = REG_NONE;
			if (!have(d, 2))
				return short_of(in, d, 2);
			in->disp = (int16_t)take(d, 2);
			return DECODE_OK;
		}
		ss = in->base == R_BP;
		if (d->mod == 1 || d->mod == 2) {
			unsigned n = d->mod == 1 ? 1 : 2;
			if (!have(d, n))
				return short_of(in, d, n);
			in->disp = (int32_t)sext(take(d, n), n);
		}
		if (ss)
			in->seg = S_SS;
		return DECODE_OK;
	}

	unsigned b = (in->rex & 1) << 3;
	unsigned n = d->mod == 1 ? 1 : d->mod == 2 ? 4 : 0;
	if (d->rm == 4) {
		if (!have(d, 1))
			return short_of(in, d, 1);
		unsigned sib = d->code[d->pos++];
		unsigned idx = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
		in->scale = sib >> 6;
		if (idx != 4)
			in->index = idx;
		if ((sib & 7) == 5 && d->mod == 0)
			n = 4;
		else
			in->base = (sib & 7) | b;
	} else if (d->rm == 5 && d->mod == 0) {
		n = 4;
		if (d->mode == 64)
			in->base = REG_RIP;
	} else {
		in->base = d->rm | b;
	}
	if (n) {
		if (!have(d, n))
			return short_of(in, d, n);
		in->disp = (int32_t)sext(take(d, n), n);
	}
	/* rBP and rSP bases address the stack segment (not r12/r13) */
	if (in->base == R_BP || in->base == R_SP)
		in->seg = S_SS;
	return DECODE_OK;
}

static inline unsigned gpr(const struct insn *in, unsigned n, unsigned size)
{
	if (size == 1 && !in->rex && n >= 4 && n < 8)
		return REG_AH + n - 4;
	return n;
}

/* one operand from its row letter; immediates were read in order already */
static bool make_opnd(struct insn *in, struct dstate *d, const struct opt_opnd *o,
		      unsigned opcode, struct opnd *out)
{
	unsigned size = size_of(o->sz, d);
	unsigned rexr = (in->rex & 4) << 1, rexb = (in->rex & 1) << 3;

	out->size = size;
	switch (o->am) {
	case AM_E:
	case AM_W:
	case AM_Q:
	case AM_M:
		if (d->mem) {
			out->kind = OPK_MEM;
			if (o->x)
				out->size = size_of(o->x, d);
			return true;
		}
		if (o->am == AM_M)
			return false;
		if (o->am == AM_W) {
			out->kind = OPK_XMM;
			out->reg = d->rm | rexb;
		} else if (o->am == AM_Q) {
			out->kind = OPK_MMX;
			out->reg = d->rm;
		} else {
			out->kind = OPK_REG;
			out->reg = gpr(in, d->rm | rexb, size);
		}
		return true;
	case AM_R:
	case AM_U:
	case AM_N:
		if (d->mem)
			return false;
		out->kind = o->am == AM_R ? OPK_REG : o->am == AM_U ? OPK_XMM : OPK_MMX;
		out->reg = o->am == AM_N ? d->rm : d->rm | rexb;
		return true;
	case AM_G:
		out->kind = OPK_REG;
		out->reg = gpr(in, d->reg | rexr, size);
		return true;
	case AM_V:
		out->kind = OPK_XMM;
		out->reg = d->reg | rexr;
		return true;
	case AM_P:
		out->kind = OPK_MMX;
		out->reg = d->reg;
		return true;
	case AM_Z:
		out->kind = OPK_REG;
		out->reg = gpr(in, (opcode & 7) | rexb, size);
		return true;
	case AM_REG:
		out->kind = OPK_REG;
		out->reg = o->x;
		return true;
	case AM_SEG:
		out->kind = OPK_SEG;
		out->reg = o->x;
		return true;
	case AM_S:
		out->kind = OPK_SEG;
		out->reg = d->reg;
		return d->reg < CPU_NR_SEGS;
	case AM_C:
		/* CR0, CR2-CR4 and (64-bit) CR8 exist; the rest are #UD */
		out->kind = OPK_CR;
		out->reg = d->reg | rexr;
		return (0x11du >> out->reg) & 1;
	case AM_D:
		out->kind = OPK_DR;
		out->reg = d->reg | rexr;
		return out->reg < 8;
	case AM_I:
		out->kind = OPK_IMM;
		if (o->sz == SZ_Z)
			out->size = d->os;
		return true;
	case AM_IS:
		out->kind = OPK_IMM;
		return true;
	case AM_I2:
		out->kind = OPK_IMM;
		return true;
	case AM_J:
		out->kind = OPK_REL;
		out->size = d->os;
		return true;
	case AM_O:
		out->kind = OPK_MEM;
		return true;
	case AM_A:
		out->kind = OPK_FAR;
		return true;
	case AM_X:
		out->kind = OPK_STR_SRC;
		return true;
	case AM_Y:
		out->kind = OPK_STR_DST;
		return true;
	case AM_ONE:
		out->kind = OPK_ONE;
		return true;
	case AM_XMM0:
		out->kind = OPK_XMM;
		out->reg = 0;
		return true;
	default:
		return false;
	}
}

/* the immediate-like fields of a row, in encoding order */
static enum decode_result read_imms(struct insn *in, struct dstate *d, const struct opt_row *row)
{
	for (int i = 0; i < 3; i++) {
		const struct opt_opnd *o = &row->o[i];
		unsigned n, size;

		switch (o->am) {
		case AM_I:
			/* Iz is 4 bytes at most, sign-extended to a 64-bit operand */
			size = o->sz == SZ_Z ? d->os : size_of(o->sz, d);
			n = o->sz == SZ_Z && size == 8 ? 4 : size;
			if (!have(d, n))
				return short_of(in, d, n);
			in->imm = trunc_to(sext(take(d, n), n), size);
			break;
		case AM_IS:
			if (!have(d, 1))
				return short_of(in, d, 1);
			in->imm = trunc_to(sext(take(d, 1), 1), d->os);
			break;
		case AM_I2:
			if (!have(d, 1))
				return short_of(in, d, 1);
			in->imm2 = take(d, 1);
			break;
		case AM_J:
			n = o->sz == SZ_B ? 1 : d->os == 2 ? 2 : 4;
			if (!have(d, n))
				return short_of(in, d, n);
			in->imm = sext(take(d, n), n);
			break;
		case AM_O:
			if (!have(d, d->as))
				return short_of(in, d, d->as);
			in->imm = take(d, d->as);
			in->disp = (int32_t)in->imm;
			break;
		case AM_A:
			n = d->os == 2 ? 2 : 4;
			if (!have(d, n + 2))
				return short_of(in, d, n + 2);
			in->imm = take(d, n);
			in->imm2 = take(d, 2);
			break;
		default:
			break;
		}
	}
	return DECODE_OK;
}

/* D8-DF: the x87 tables give the memory size or the register form */
static enum decode_result decode_x87(struct insn *in, struct dstate *d, unsigned opcode)
{
	const struct opt_x87 *x = &opt_x87[(opcode - 0xd8) * 8 + d->reg];

	in->op = OP_X87;
	if (d->mem) {
		if (!x->msz)
			return ud(in, d);
		unsigned size = x->msz;
		if (size == 0xff)	/* FLDENV/FNSTENV, FRSTOR/FNSAVE */
			size = opcode == 0xd9 ? (d->os == 2 ? 14 : 28) : (d->os == 2 ? 94 : 108);
		in->nopnd = 1;
		in->opnd[0] = (struct opnd){ OPK_MEM, size, 0 };
		return DECODE_OK;
	}
	if (!((x->rmvalid >> d->rm) & 1))
		return ud(in, d);
	struct opnd st0 = { OPK_ST, 10, 0 }, sti = { OPK_ST, 10, d->rm };
	switch (x->regform) {
	case X87_STI:
		in->nopnd = 1;
		in->opnd[0] = sti;
		break;
	case X87_ST0_STI:
		in->nopnd = 2;
		in->opnd[0] = st0;
		in->opnd[1] = sti;
		break;
	case X87_STI_ST0:
		in->nopnd = 2;
		in->opnd[0] = sti;
		in->opnd[1] = st0;
		break;
	case X87_AX:
		in->nopnd = 1;
		in->opnd[0] = (struct opnd){ OPK_REG, 2, R_AX };
		break;
	default:
		break;
	}
	return DECODE_OK;
}

enum decode_result decode(struct insn *in, const uint8_t *code, size_t avail, int mode)
{
	struct dstate d = { .code = code, .avail = avail, .mode = mode, .segovr = SEG_NONE };
	bool opsize = false, adsize = false;
	unsigned rep = 0;	/* the last of F2/F3 */
	unsigned b;

	memset(in, 0, sizeof(*in));
	in->mode = mode;
	in->base = in->index = REG_NONE;
	in->seg = S_DS;

	/* prefixes; a REX counts only right before the opcode */
	for (;;) {
		if (!have(&d, 1))
			return short_of(in, &d, 1);
		b = code[d.pos];
		unsigned k = prefix_kind[b];
		if (k == PK_NONE || (k == PK_REX && mode != 64))
			break;
		d.pos++;
		if (k == PK_REX) {
			in->rex = b;
			continue;
		}
		in->rex = 0;
		switch (k) {
		case PK_SEG:
			/* 64-bit mode ignores ES/CS/SS/DS overrides: they do not
			 * even cancel an earlier FS/GS (Intel) */
			if (mode != 64 || prefix_seg[b] >= S_FS)
				d.segovr = prefix_seg[b];
			break;
		case PK_OPSIZE: opsize = true; break;
		case PK_ADSIZE: adsize = true; break;
		case PK_LOCK: in->prefixes |= PFX_LOCK; break;
		default: rep = b; break;
		}
	}
	d.pos++;
	if (opsize)
		in->prefixes |= PFX_OPSIZE;
	if (adsize)
		in->prefixes |= PFX_ADSIZE;
	if (rep)
		in->prefixes |= rep == 0xf3 ? PFX_REP : PFX_REPNE;

	/* the opcode, through the escapes */
	const struct opt_row *row = &opt_one[b];
	if (b == 0x0f) {
		if (!have(&d, 1))
			return short_of(in, &d, 1);
		b = code[d.pos++];
		in->map = MAP_0F;
		row = &opt_0f[b];
		if (b == 0x38 || b == 0x3a) {
			if (!have(&d, 1))
				return short_of(in, &d, 1);
			in->map = b == 0x38 ? MAP_0F38 : MAP_0F3A;
			b = code[d.pos++];
			row = in->map == MAP_0F38 ? &opt_0f38[b] : &opt_0f3a[b];
		}
	} else if (b == 0x63 && mode == 64) {
		row = &opt_movsxd64;
	}
	in->opcode = b;

	/* the mandatory prefix of the 0F maps: the last F2/F3, else 66 */
	unsigned col = rep == 0xf3 ? 2 : rep == 0xf2 ? 3 : opsize ? 1 : 0;
	in->mpfx = (uint8_t)col;
	for (;;) {
		uint16_t f = row->flags;
		if ((f & OF_MODRM) && !in->has_modrm) {
			if (!have(&d, 1))
				return short_of(in, &d, 1);
			in->modrm = code[d.pos++];
			in->has_modrm = 1;
			d.mod = in->modrm >> 6;
			d.reg = (in->modrm >> 3) & 7;
			d.rm = in->modrm & 7;
		}
		if (f & OF_PFX)
			row = &opt_pfx[row->ext][col];
		else if (f & OF_GRP)
			row = &opt_grp[row->ext + ((f & OF_GRPMOD) && d.mod == 3)][d.reg];
		else if (f & OF_RM)
			row = &opt_rm[row->ext][d.rm];
		else
			break;
	}
	uint16_t f = row->flags;
	if (row->op == OP_INVALID)
		return ud(in, &d);
	if (mode == 64 ? (f & OF_I64) : (f & OF_O64))
		return ud(in, &d);

	if (mode == 64) {
		if (f & OF_F64)
			d.os = 8;
		else if (in->rex & 8)
			d.os = 8;
		else
			d.os = opsize ? 2 : (f & OF_D64) ? 8 : 4;
		d.as = adsize ? 4 : 8;
	} else {
		d.os = (mode == 16) != opsize ? 2 : 4;
		d.as = (mode == 16) != adsize ? 2 : 4;
	}
	in->osize = d.os;
	in->asize = d.as;

	if (in->has_modrm && d.mod != 3 && !(f & OF_MOD3)) {
		d.mem = true;
		enum decode_result r = decode_mem(in, &d);
		if (r != DECODE_OK)
			return r;
	}

	if (f & OF_X87) {
		enum decode_result r = decode_x87(in, &d, b);
		if (r != DECODE_OK)
			return r;
	} else if (f & OF_NOP90) {
		if (in->rex & 1) {
			row = &opt_one[0x91];	/* XCHG r8, rAX */
			in->op = OP_XCHG;
		} else {
			in->op = rep == 0xf3 ? OP_PAUSE : OP_NOP;
		}
	} else {
		in->op = row->op;
		enum decode_result r = read_imms(in, &d, row);
		if (r != DECODE_OK)
			return r;
	}
	if (!(f & OF_X87)) {
		unsigned n = 0;
		for (; n < 3 && row->o[n].am != AM_NONE; n++)
			if (!make_opnd(in, &d, &row->o[n], b, &in->opnd[n]))
				return ud(in, &d);
		in->nopnd = n;
	}

	/* LOCK needs a lockable operation writing memory */
	if ((in->prefixes & PFX_LOCK) && (!(f & OF_LOCK) || in->opnd[0].kind != OPK_MEM))
		return ud(in, &d);
	switch (in->op) {
	case OP_MOV_SEG_LOAD:
		if (in->opnd[0].reg == S_CS)
			return ud(in, &d);
		break;
	case OP_CMPXCHG8B:
		if (in->rex & 8)
			in->opnd[0].size = 16;	/* CMPXCHG16B */
		break;
	case OP_JCC:
	case OP_SETCC:
	case OP_CMOVCC:
		in->cond = b & 15;
		break;
	default:
		break;
	}
	if (d.segovr != SEG_NONE) {
		in->seg = d.segovr;
		in->prefixes |= PFX_SEG;
	}
	in->len = d.pos;
	return DECODE_OK;
}

static const char *const reg_names[4][16] = {
	{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	  "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
	{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
	{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
	{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
};

const char *decode_reg_name(unsigned reg, unsigned size)
{
	static const char *const high[4] = { "ah", "ch", "dh", "bh" };
	static const char *const ip[4] = { "?", "ip", "eip", "rip" };
	unsigned s = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : 4;

	if (s == 4)
		return "?";
	if (reg < 16)
		return reg_names[s][reg];
	if (reg >= REG_AH && reg < REG_AH + 4)
		return high[reg - REG_AH];
	if (reg == REG_RIP)
		return ip[s];
	return "?";
}
