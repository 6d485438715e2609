// The interpreter's integer semantics and lazy flags compared with the host CPU on edge and random inputs.
// SPDX-License-Identifier: MIT
/* Each instruction runs natively (generated code: popf, the instruction,
 * pushf) and through its interpreter handler on a bare struct icpu with
 * the same registers and flags. Results and the flags the SDM defines for
 * that input (per instruction and, for shifts, per count) must match the
 * host on any host: a difference is a FAIL. Flags (and the few results)
 * the SDM leaves undefined are modelled on Intel (flags.c has the table):
 * on a GenuineIntel host a difference there is a FAIL too; on any other
 * host the differences are counted and reported on the PASS line. The BCD
 * adjusts and SALC, which 64-bit mode lacks, are test_alu_bcd's. The
 * memory and fault entry points are stubs (alurig.h). */
#include <cpuid.h>
#include <signal.h>
#undef REG_RIP		/* <sys/ucontext.h>'s; decode.h has its own */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "testsuite/unit/alurig.h"
#include "testsuite/unit/check.h"

static bool cc_of_flags(uint64_t f, unsigned cc)
{
	bool cf = f & FL_CF, zf = f & FL_ZF, sf = f & FL_SF, of = f & FL_OF, pf = f & FL_PF;
	bool r;
	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return r ^ (cc & 1);
}

/* -- the native side: generated code over struct nctx -- */

struct nctx {
	uint64_t rax, rcx, rdx, rbx, fl;
};

static uint8_t *code;
static sigjmp_buf fpe_jb;

static void on_fpe(int sig)
{
	(void)sig;
	siglongjmp(fpe_jb, 1);
}

/* push rbx; load rax rcx rdx rbx from [rdi]; push [rdi+32]; popfq;
 * <insn>; pushfq; pop [rdi+32]; store the four; pop rbx; ret */
static void emit(const uint8_t *insn, unsigned n)
{
	static const uint8_t pro[] = {0x53, 0x48, 0x8b, 0x07, 0x48, 0x8b, 0x4f, 0x08,
		0x48, 0x8b, 0x57, 0x10, 0x48, 0x8b, 0x5f, 0x18, 0xff, 0x77, 0x20, 0x9d};
	static const uint8_t epi[] = {0x9c, 0x8f, 0x47, 0x20, 0x48, 0x89, 0x07,
		0x48, 0x89, 0x4f, 0x08, 0x48, 0x89, 0x57, 0x10, 0x48, 0x89, 0x5f, 0x18, 0x5b, 0xc3};
	memcpy(code, pro, sizeof pro);
	memcpy(code + sizeof pro, insn, n);
	memcpy(code + sizeof pro + n, epi, sizeof epi);
}

/* false when the instruction raised #DE (SIGFPE) */
static bool native_run(struct nctx *x)
{
	if (sigsetjmp(fpe_jb, 1))
		return false;
	((void (*)(struct nctx *))code)(x);
	return true;
}

/* -- the host's vendor: undefined flags are checked on Intel only -- */

static char host_vendor[13];
static bool host_intel;

static void detect_vendor(void)
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	__get_cpuid(0, &a, &b, &c, &d);
	memcpy(host_vendor, &b, 4);
	memcpy(host_vendor + 4, &d, 4);
	memcpy(host_vendor + 8, &c, 4);
	host_intel = !strcmp(host_vendor, "GenuineIntel");
}

static const char *vendor_short(void)
{
	return !strcmp(host_vendor, "AuthenticAMD") ? "AMD" : host_vendor;
}

/* -- the instructions compared -- */

enum form {
	F_BIN,		/* op r/m, r: rbx, rcx */
	F_UN,		/* group F6/F7 or FE/FF /ext on rbx */
	F_SH,		/* group D2/D3 /ext: rbx by cl */
	F_SHD,		/* SHLD/SHRD rbx, rdx, cl */
	F_RMR,		/* op r/m, r without a byte form: rbx, rcx */
	F_RRM,		/* op r, r/m: rbx, rcx */
	F_IMUL3,	/* IMUL rbx, rcx, imm */
	F_SETCC,	/* SETcc bl */
	F_CMOV,		/* CMOVcc rbx, rcx */
	F_BSWAP,	/* BSWAP rbx */
	F_ACC,		/* no explicit operand */
};

enum { S1 = 1, S2 = 2, S4 = 4, S8 = 8, S_ALL = 15, S_WIDE = 14 };

struct tdef {
	const char *name;
	uint16_t op;
	uint8_t form, ext, sizes;
	bool byteform;		/* the last opcode byte +1 for 16/32/64-bit */
	uint8_t opc[2], nopc;
	uint32_t defined;	/* flags the SDM defines for every input (see case_defined) */
};

#define LOGIC_DEF (FL_ARITH & ~FL_AF)
static const struct tdef tdefs[] = {
	{"add", OP_ADD, F_BIN, 0, S_ALL, true, {0x00}, 1, FL_ARITH},
	{"or", OP_OR, F_BIN, 0, S_ALL, true, {0x08}, 1, LOGIC_DEF},
	{"adc", OP_ADC, F_BIN, 0, S_ALL, true, {0x10}, 1, FL_ARITH},
	{"sbb", OP_SBB, F_BIN, 0, S_ALL, true, {0x18}, 1, FL_ARITH},
	{"and", OP_AND, F_BIN, 0, S_ALL, true, {0x20}, 1, LOGIC_DEF},
	{"sub", OP_SUB, F_BIN, 0, S_ALL, true, {0x28}, 1, FL_ARITH},
	{"xor", OP_XOR, F_BIN, 0, S_ALL, true, {0x30}, 1, LOGIC_DEF},
	{"cmp", OP_CMP, F_BIN, 0, S_ALL, true, {0x38}, 1, FL_ARITH},
	{"test", OP_TEST, F_BIN, 0, S_ALL, true, {0x84}, 1, LOGIC_DEF},
	{"xadd", OP_XADD, F_BIN, 0, S_ALL, true, {0x0f, 0xc0}, 2, FL_ARITH},
	{"cmpxchg", OP_CMPXCHG, F_BIN, 0, S_ALL, true, {0x0f, 0xb0}, 2, FL_ARITH},
	{"inc", OP_INC, F_UN, 0, S_ALL, true, {0xfe}, 1, FL_ARITH},
	{"dec", OP_DEC, F_UN, 1, S_ALL, true, {0xfe}, 1, FL_ARITH},
	{"not", OP_NOT, F_UN, 2, S_ALL, true, {0xf6}, 1, FL_ARITH},
	{"neg", OP_NEG, F_UN, 3, S_ALL, true, {0xf6}, 1, FL_ARITH},
	{"mul", OP_MUL, F_UN, 4, S_ALL, true, {0xf6}, 1, FL_CF | FL_OF},
	{"imul", OP_IMUL, F_UN, 5, S_ALL, true, {0xf6}, 1, FL_CF | FL_OF},
	{"div", OP_DIV, F_UN, 6, S_ALL, true, {0xf6}, 1, 0},
	{"idiv", OP_IDIV, F_UN, 7, S_ALL, true, {0xf6}, 1, 0},
	{"rol", OP_ROL, F_SH, 0, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_AF | FL_PF},
	{"ror", OP_ROR, F_SH, 1, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_AF | FL_PF},
	{"rcl", OP_RCL, F_SH, 2, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_AF | FL_PF},
	{"rcr", OP_RCR, F_SH, 3, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_AF | FL_PF},
	{"shl", OP_SHL, F_SH, 4, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_PF},
	{"shr", OP_SHR, F_SH, 5, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_PF},
	{"sal", OP_SAL, F_SH, 6, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_PF},
	{"sar", OP_SAR, F_SH, 7, S_ALL, true, {0xd2}, 1, FL_SF | FL_ZF | FL_PF},
	{"shld", OP_SHLD, F_SHD, 0, S_WIDE, false, {0x0f, 0xa5}, 2, 0},
	{"shrd", OP_SHRD, F_SHD, 0, S_WIDE, false, {0x0f, 0xad}, 2, 0},
	{"bt", OP_BT, F_RMR, 0, S_WIDE, false, {0x0f, 0xa3}, 2, FL_CF | FL_ZF},
	{"bts", OP_BTS, F_RMR, 0, S_WIDE, false, {0x0f, 0xab}, 2, FL_CF | FL_ZF},
	{"btr", OP_BTR, F_RMR, 0, S_WIDE, false, {0x0f, 0xb3}, 2, FL_CF | FL_ZF},
	{"btc", OP_BTC, F_RMR, 0, S_WIDE, false, {0x0f, 0xbb}, 2, FL_CF | FL_ZF},
	{"bsf", OP_BSF, F_RRM, 0, S_WIDE, false, {0x0f, 0xbc}, 2, FL_ZF},
	{"bsr", OP_BSR, F_RRM, 0, S_WIDE, false, {0x0f, 0xbd}, 2, FL_ZF},
	{"imul2", OP_IMUL, F_RRM, 0, S_WIDE, false, {0x0f, 0xaf}, 2, FL_CF | FL_OF},
	{"imul3", OP_IMUL, F_IMUL3, 0, S_WIDE, false, {0x69}, 1, FL_CF | FL_OF},
	{"setcc", OP_SETCC, F_SETCC, 0, S1, false, {0x0f, 0x90}, 2, FL_ARITH},
	{"cmovcc", OP_CMOVCC, F_CMOV, 0, S_WIDE, false, {0x0f, 0x40}, 2, FL_ARITH},
	{"bswap", OP_BSWAP, F_BSWAP, 0, S_WIDE, false, {0x0f, 0xcb}, 2, FL_ARITH},
	{"cbw", OP_CBW, F_ACC, 0, S_WIDE, false, {0x98}, 1, FL_ARITH},
	{"cwd", OP_CWD, F_ACC, 0, S_WIDE, false, {0x99}, 1, FL_ARITH},
	{"lahf", OP_LAHF, F_ACC, 0, S4, false, {0x9f}, 1, FL_ARITH},
	{"sahf", OP_SAHF, F_ACC, 0, S4, false, {0x9e}, 1, FL_ARITH},
	{"clc", OP_CLC, F_ACC, 0, S4, false, {0xf8}, 1, FL_ARITH},
	{"stc", OP_STC, F_ACC, 0, S4, false, {0xf9}, 1, FL_ARITH},
	{"cmc", OP_CMC, F_ACC, 0, S4, false, {0xf5}, 1, FL_ARITH},
	{"xchg", OP_XCHG, F_BIN, 0, S_ALL, true, {0x86}, 1, FL_ARITH},
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* edge values of an operand size */
static unsigned edges(unsigned sz, uint64_t *e)
{
	uint64_t m = size_mask(sz), sb = 1ull << (sz * 8 - 1);
	uint64_t v[] = {0, 1, 2, 7, 9, 0xf, 0x10, 0x1f, 0x99, sb - 1, sb, sb + 1, m - 1, m,
			0x5555555555555555ull & m, 0xaaaaaaaaaaaaaaaaull & m};
	memcpy(e, v, sizeof v);
	return sizeof v / sizeof v[0];
}

/* one case's encoding (without operand size prefixes) and decoded form */
static unsigned encode(const struct tdef *t, unsigned sz, unsigned cc, uint64_t imm,
		       uint8_t *b, struct insn *in)
{
	unsigned n = 0;
	if (sz == 2)
		b[n++] = 0x66;
	if (sz == 8)
		b[n++] = 0x48;
	for (unsigned k = 0; k < t->nopc; k++)
		b[n++] = t->opc[k];
	if (t->byteform && sz != 1)
		b[n - 1]++;
	if (t->form == F_SETCC || t->form == F_CMOV)
		b[n - 1] += cc;
	static const uint8_t modrm[F_ACC + 1] = {
		[F_BIN] = 0xcb, [F_RMR] = 0xcb, [F_SHD] = 0xd3, [F_RRM] = 0xd9,
		[F_IMUL3] = 0xd9, [F_CMOV] = 0xd9, [F_SETCC] = 0xc3,
	};
	if (t->form == F_UN || t->form == F_SH)
		b[n++] = (uint8_t)(0xc3 | t->ext << 3);
	else if (modrm[t->form])
		b[n++] = modrm[t->form];
	if (t->form == F_IMUL3) {
		imm = (uint64_t)(sz == 2 ? (int64_t)(int16_t)imm : (int64_t)(int32_t)imm) & size_mask(sz);
		memcpy(b + n, &imm, sz == 2 ? 2 : 4);
		n += sz == 2 ? 2 : 4;
	}

	memset(in, 0, sizeof *in);
	in->op = t->op;
	in->len = (uint8_t)n;
	in->mode = 64;
	in->osize = (uint8_t)(sz == 1 ? 4 : sz);
	in->asize = 8;
	in->seg = S_DS;
	in->cond = (uint8_t)cc;
	in->base = in->index = REG_NONE;
	in->imm = imm;
	in->opcode = b[n - 1];
	struct opnd rbx = {OPK_REG, (uint8_t)sz, R_EBX}, rcx = {OPK_REG, (uint8_t)sz, R_ECX};
	struct opnd rdx = {OPK_REG, (uint8_t)sz, R_EDX}, cl = {OPK_REG, 1, R_ECX};
	switch (t->form) {
	case F_BIN: case F_RMR: case F_RRM: case F_CMOV:
		in->nopnd = 2, in->opnd[0] = rbx, in->opnd[1] = rcx;
		break;
	case F_UN: case F_SETCC: case F_BSWAP:
		in->nopnd = 1, in->opnd[0] = rbx;
		break;
	case F_SH:
		in->nopnd = 2, in->opnd[0] = rbx, in->opnd[1] = cl;
		break;
	case F_SHD:
		in->nopnd = 3, in->opnd[0] = rbx, in->opnd[1] = rdx, in->opnd[2] = cl;
		break;
	case F_IMUL3:
		in->nopnd = 3, in->opnd[0] = rbx, in->opnd[1] = rcx;
		in->opnd[2] = (struct opnd){OPK_IMM, (uint8_t)sz, 0};
		break;
	default:
		break;
	}
	return n;
}

struct tally {
	unsigned cases, res, def, undef, fault;
	unsigned shown[5];	/* examples printed, per kind */
};

/* The flags the SDM defines for this input; *res_def false where it
 * leaves the destination (always rbx here) undefined. Shifts and rotates
 * depend on the masked count in CL: 0 changes nothing (all defined), OF is
 * defined for 1 only, AF never after a shift, SHL/SHR's CF not for counts
 * of the width or more, SHLD/SHRD nothing at all past the width. */
static uint32_t case_defined(const struct tdef *t, unsigned sz, const struct nctx *in, bool *res_def)
{
	unsigned bits = sz * 8, n = (unsigned)in->rcx & (sz == 8 ? 63 : 31);
	uint32_t m;
	*res_def = true;
	switch (t->op) {
	case OP_SHL: case OP_SAL: case OP_SHR: case OP_SAR:
		if (n == 0)
			return FL_ARITH;
		m = FL_CF | FL_SF | FL_ZF | FL_PF | (n == 1 ? FL_OF : 0);
		if (t->op != OP_SAR && n >= bits)
			m &= ~(uint32_t)FL_CF;
		return m;
	case OP_ROL: case OP_ROR: case OP_RCL: case OP_RCR:
		if (n == 0)
			return FL_ARITH;
		return FL_CF | FL_SF | FL_ZF | FL_AF | FL_PF | (n == 1 ? FL_OF : 0);
	case OP_SHLD: case OP_SHRD:
		if (n == 0)
			return FL_ARITH;
		if (n > bits) {
			*res_def = false;
			return 0;
		}
		return FL_CF | FL_SF | FL_ZF | FL_PF | (n == 1 ? FL_OF : 0);
	case OP_BSF: case OP_BSR:
		*res_def = (in->rcx & size_mask(sz)) != 0;
		return t->defined;
	case OP_BSWAP:
		*res_def = sz != 2;
		return t->defined;
	default:
		return t->defined;
	}
}

static void show(const char *name, unsigned sz, unsigned kind, const char *what,
		 const struct nctx *in, const struct nctx *nat, const struct nctx *ip, struct tally *ty)
{
	if (ty->shown[kind]++ >= 3)
		return;
	printf("  %s/%u %s: in rax=%" PRIx64 " rcx=%" PRIx64 " rdx=%" PRIx64 " rbx=%" PRIx64
	       " fl=%03" PRIx64 "\n    host rax=%" PRIx64 " rcx=%" PRIx64 " rdx=%" PRIx64
	       " rbx=%" PRIx64 " fl=%03" PRIx64 "\n    interp rax=%" PRIx64 " rcx=%" PRIx64
	       " rdx=%" PRIx64 " rbx=%" PRIx64 " fl=%03" PRIx64 "\n",
	       name, sz, what, in->rax, in->rcx, in->rdx, in->rbx, in->fl & FL_ARITH,
	       nat->rax, nat->rcx, nat->rdx, nat->rbx, nat->fl & FL_ARITH,
	       ip->rax, ip->rcx, ip->rdx, ip->rbx, ip->fl & FL_ARITH);
}

/* run one input both ways and count the differences */
static void compare(const struct tdef *t, unsigned sz, unsigned cc, uint64_t imm,
		    const struct nctx *in, struct tally *ty)
{
	uint8_t b[16];
	struct insn ins;
	unsigned n = encode(t, sz, cc, imm, b, &ins);
	emit(b, n);
	struct nctx nat = *in;
	nat.fl = (in->fl & FL_ARITH) | FL_FIXED;
	bool ok = native_run(&nat);

	icpu_reset(in->fl & FL_ARITH);
	st.gpr[R_EAX] = in->rax, st.gpr[R_ECX] = in->rcx;
	st.gpr[R_EDX] = in->rdx, st.gpr[R_EBX] = in->rbx;
	int vec = interp_run(handler(t->op), &ins);
	/* the lazy flags read three ways must agree: cond_eval and flags_cf
	 * (before anything collapses them) with flags_get */
	bool conds[16], cf = false;
	if (vec < 0) {
		for (unsigned k = 0; k < 16; k++)
			conds[k] = cond_eval(&ic, k);
		cf = flags_cf(&ic);
	}
	struct nctx ip = {st.gpr[R_EAX], st.gpr[R_ECX], st.gpr[R_EDX], st.gpr[R_EBX], flags_get(&ic)};
	ty->cases++;
	if (!ok || vec >= 0) {
		if (ok || vec != EXC_DE || memcmp(&ip, in, 4 * sizeof(uint64_t))) {
			ty->fault++;
			show(t->name, sz, 0, ok ? "interp faulted" : "host #DE", in, &nat, &ip, ty);
		}
		return;
	}
	for (unsigned k = 0; k < 16; k++)
		if (conds[k] != cc_of_flags(ip.fl, k) || cf != !!(ip.fl & FL_CF)) {
			ty->def++;
			show(t->name, sz, 1, "cond_eval/flags_cf disagree with flags_get", in, &nat, &ip, ty);
			break;
		}
	bool res_def;
	uint32_t defined = case_defined(t, sz, in, &res_def);
	/* rax rcx rdx always; rbx (the destination) where the SDM defines it */
	bool res_bad = memcmp(&ip, &nat, 3 * sizeof(uint64_t)) != 0 || (res_def && ip.rbx != nat.rbx);
	bool undef_res = !res_def && ip.rbx != nat.rbx;
	if (res_bad) {
		ty->res++;
		show(t->name, sz, 2, "result", in, &nat, &ip, ty);
	}
	uint64_t d = (ip.fl ^ nat.fl) & FL_ARITH;
	if (d & defined) {
		ty->def++;
		show(t->name, sz, 3, "defined flags", in, &nat, &ip, ty);
	} else if (d || undef_res) {
		ty->undef++;
		if (host_intel)
			show(t->name, sz, 4, "undefined flags or result", in, &nat, &ip, ty);
	}
}

/* one PASS/FAIL line per instruction: undefined differences fail only on
 * an Intel host, elsewhere they are reported */
static void report(const char *name, const struct tally *ty)
{
	bool bad = ty->res || ty->def || ty->fault || !ty->cases || (host_intel && ty->undef);
	printf("%s alu-host: %s: %u cases", bad ? "FAIL" : "PASS", name, ty->cases);
	if (bad)
		printf(" (results %u, defined flags %u, undefined flags/results differ from this host %u, faults %u)",
		       ty->res, ty->def, ty->undef, ty->fault);
	else if (ty->undef)
		printf("; undefined flags or results differ from this %s host in %u of %u cases (Intel behaviour modelled)",
		       vendor_short(), ty->undef, ty->cases);
	printf("\n");
	check_failures_ += bad;
}

static const uint64_t flag_ins[] = {0, FL_ARITH, FL_CF, FL_AF, FL_CF | FL_AF,
				    FL_ZF | FL_SF | FL_PF | FL_OF, FL_ARITH & ~FL_CF};

static bool uses_acc(const struct tdef *t)
{
	return t->form == F_UN || t->op == OP_CMPXCHG || t->form == F_ACC;
}

static void run_def(const struct tdef *t, struct tally *ty, unsigned sz)
{
	uint64_t e[20], m = size_mask(sz);
	unsigned ne = edges(sz, e);
	unsigned ncc = (t->form == F_SETCC || t->form == F_CMOV) ? 16 : 1;
	/* the second operand: edge values, or every shift count */
	uint64_t bs[80];
	unsigned nb = 0;
	if (t->form == F_SH || t->form == F_SHD) {
		for (unsigned k = 0; k < 70; k++)
			bs[nb++] = k;
		bs[nb++] = 127, bs[nb++] = 128, bs[nb++] = 255;
	} else {
		memcpy(bs, e, ne * sizeof e[0]);
		nb = ne;
	}
	unsigned nacc = uses_acc(t) ? ne : 1;
	for (unsigned ia = 0; ia < ne; ia++)
		for (unsigned ib = 0; ib < nb; ib++)
			for (unsigned ix = 0; ix < nacc; ix++)
				for (unsigned f = 0; f < sizeof flag_ins / sizeof flag_ins[0]; f++)
					for (unsigned cc = 0; cc < ncc; cc++) {
						struct nctx in = {
							(rand64() & ~m) | (uses_acc(t) ? e[ix] : rand64() & m),
							(rand64() & ~0xffull) | bs[ib],
							rand64(), (rand64() & ~m) | e[ia], flag_ins[f]};
						if (t->form != F_SH && t->form != F_SHD)
							in.rcx = (rand64() & ~m) | bs[ib];
						if (t->op == OP_DIV || t->op == OP_IDIV)
							in.rdx = (rand64() & ~m) | (rand64() & m & (e[ia] >> 1));
						if (t->form == F_SHD)
							in.rdx = (rand64() & ~m) | e[(ia + ib) % ne];
						compare(t, sz, cc, t->form == F_IMUL3 ? e[ib] : 0, &in, ty);
					}
	for (unsigned r = 0; r < 3000; r++) {
		struct nctx in = {rand64(), rand64(), rand64(), rand64(), rand64() & FL_ARITH};
		if ((t->op == OP_DIV || t->op == OP_IDIV) && (r & 1))
			in.rdx = (in.rdx & ~m) | ((in.rdx & m) % ((in.rbx & m) | 1));
		if (r & 2)
			in.rbx = (in.rbx & ~m) | e[r % ne];
		uint64_t imm = rand64();
		imm = (uint64_t)(sz == 2 ? (int64_t)(int16_t)imm : (int64_t)(int32_t)imm) & m;
		compare(t, sz, (unsigned)(r % ncc), imm, &in, ty);
	}
}

static void test_host_ops(void)
{
	for (unsigned k = 0; k < sizeof tdefs / sizeof tdefs[0]; k++) {
		const struct tdef *t = &tdefs[k];
		struct tally ty = {0};
		CHECK(handler(t->op) != NULL);
		if (!handler(t->op))
			continue;
		for (unsigned sz = 1; sz <= 8; sz *= 2)
			if (t->sizes & sz)
				run_def(t, &ty, sz);
		report(t->name, &ty);
	}
}

/* -- memory forms, strings and faults: expected values from the SDM -- */

static struct insn mk(uint16_t op, unsigned nopnd, struct opnd o0, struct opnd o1)
{
	struct insn in = {.op = op, .len = 2, .mode = 32, .osize = 4, .asize = 4, .seg = S_DS,
			  .nopnd = (uint8_t)nopnd, .base = REG_NONE, .index = REG_NONE};
	in.opnd[0] = o0;
	in.opnd[1] = o1;
	return in;
}

static const struct opnd no_opnd = {OPK_NONE, 0, 0};

static struct opnd reg_op(unsigned r, unsigned sz)
{
	return (struct opnd){OPK_REG, (uint8_t)sz, (uint8_t)r};
}

static struct opnd mem_op(unsigned sz)
{
	return (struct opnd){OPK_MEM, (uint8_t)sz, 0};
}

static uint64_t mem_at(uint64_t a, unsigned sz)
{
	uint64_t v = 0;
	memcpy(&v, tmem + a, sz);
	return v;
}

static void test_strings(void)
{
	/* REP MOVSB, 16-bit addresses: SI wraps at 64K, the upper ESI half stays */
	icpu_reset(0);
	memset(tmem, 0, sizeof tmem);
	st.seg[S_DS].base = 0x1000, st.seg[S_ES].base = 0x2000;
	tmem[0x1000 + 0xffff] = 0x11, tmem[0x1000] = 0x22, tmem[0x1001] = 0x33;
	st.gpr[R_ESI] = 0x1234ffff, st.gpr[R_EDI] = 0x100, st.gpr[R_ECX] = 0xabcd0003;
	struct insn in = mk(OP_MOVS, 0, no_opnd, no_opnd);
	in.opcode = 0xa4, in.asize = 2, in.prefixes = PFX_REP, in.len = 3;
	CHECK_EQ(interp_run(handler(OP_MOVS), &in), -1);
	CHECK_EQ(mem_at(0x2100, 4), 0x332211);
	CHECK_EQ(st.gpr[R_ESI], 0x12340002);
	CHECK_EQ(st.gpr[R_EDI], 0x103);
	CHECK_EQ(st.gpr[R_ECX], 0xabcd0000);
	CHECK_EQ(ic.next_rip, st.rip + 3);

	/* STOSW downwards (DF) with 32-bit addresses */
	icpu_reset(FL_DF);
	st.gpr[R_EAX] = 0xbeef, st.gpr[R_EDI] = 0x10, st.gpr[R_ECX] = 2;
	in = mk(OP_STOS, 0, no_opnd, no_opnd);
	in.opcode = 0xab, in.osize = 2, in.prefixes = PFX_REP;
	CHECK_EQ(interp_run(handler(OP_STOS), &in), -1);
	CHECK_EQ(mem_at(0xe, 4), 0xbeefbeef);
	CHECK_EQ(st.gpr[R_EDI], 0xc);
	CHECK_EQ(st.gpr[R_ECX], 0);

	/* REPE CMPSB stops at the first difference, flags of that compare */
	icpu_reset(0);
	memcpy(tmem + 0x300, "abcX", 4), memcpy(tmem + 0x400, "abcY", 4);
	st.gpr[R_ESI] = 0x300, st.gpr[R_EDI] = 0x400, st.gpr[R_ECX] = 10;
	in = mk(OP_CMPS, 0, no_opnd, no_opnd);
	in.opcode = 0xa6, in.prefixes = PFX_REP;
	CHECK_EQ(interp_run(handler(OP_CMPS), &in), -1);
	CHECK_EQ(st.gpr[R_ECX], 6);
	CHECK_EQ(st.gpr[R_ESI], 0x304);
	CHECK_EQ(flags_get(&ic) & FL_ARITH, FL_CF | FL_SF | FL_AF | FL_PF);

	/* REPNE SCASB finds the byte */
	icpu_reset(0);
	memcpy(tmem + 0x500, "hello", 5);
	st.gpr[R_EAX] = 'l', st.gpr[R_EDI] = 0x500, st.gpr[R_ECX] = 10;
	in = mk(OP_SCAS, 0, no_opnd, no_opnd);
	in.opcode = 0xae, in.prefixes = PFX_REPNE;
	CHECK_EQ(interp_run(handler(OP_SCAS), &in), -1);
	CHECK_EQ(st.gpr[R_ECX], 7);
	CHECK_EQ(st.gpr[R_EDI], 0x503);
	CHECK(flags_get(&ic) & FL_ZF);

	/* LODSD without REP, source segment override */
	icpu_reset(0);
	st.seg[S_FS].base = 0x600;
	memcpy(tmem + 0x608, "\x78\x56\x34\x12", 4);
	st.gpr[R_ESI] = 8;
	in = mk(OP_LODS, 0, no_opnd, no_opnd);
	in.opcode = 0xad, in.seg = S_FS, in.prefixes = PFX_SEG;
	CHECK_EQ(interp_run(handler(OP_LODS), &in), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x12345678);
	CHECK_EQ(st.gpr[R_ESI], 12);

	/* a long REP comes back to itself between batches, then finishes */
	icpu_reset(0);
	st.rip = 0x1000;
	st.gpr[R_EAX] = 0x5a, st.gpr[R_EDI] = 0x1000, st.gpr[R_ECX] = 5000;
	in = mk(OP_STOS, 0, no_opnd, no_opnd);
	in.opcode = 0xaa, in.prefixes = PFX_REP;
	unsigned calls = 0;
	do {
		CHECK_EQ(interp_run(handler(OP_STOS), &in), -1);
		calls++;
	} while (ic.next_rip == st.rip && calls < 100);
	CHECK(calls > 1 && calls < 100);
	CHECK_EQ(st.gpr[R_ECX], 0);
	CHECK_EQ(st.gpr[R_EDI], 0x1000 + 5000);
	CHECK_EQ(tmem[0x1000 + 4999], 0x5a);
	CHECK_EQ(tmem[0x1000 + 5000], 0);

	/* a fault mid-REP leaves the registers at the faulting iteration */
	icpu_reset(0);
	st.seg[S_ES].base = sizeof tmem - 2;
	st.gpr[R_ESI] = 0, st.gpr[R_EDI] = 0, st.gpr[R_ECX] = 5;
	in = mk(OP_MOVS, 0, no_opnd, no_opnd);
	in.opcode = 0xa4, in.prefixes = PFX_REP;
	CHECK_EQ(interp_run(handler(OP_MOVS), &in), EXC_GP);
	CHECK_EQ(st.gpr[R_ECX], 3);
	CHECK_EQ(st.gpr[R_ESI], 2);
	CHECK_EQ(st.gpr[R_EDI], 2);

	/* CX = 0: nothing at all */
	icpu_reset(0);
	st.gpr[R_ESI] = 0x20, st.gpr[R_ECX] = 0;
	in = mk(OP_LODS, 0, no_opnd, no_opnd);
	in.opcode = 0xac, in.prefixes = PFX_REP;
	CHECK_EQ(interp_run(handler(OP_LODS), &in), -1);
	CHECK_EQ(st.gpr[R_ESI], 0x20);
}

static void test_memory_forms(void)
{
	memset(tmem, 0, sizeof tmem);
	/* BTS with a negative register offset reaches below the operand */
	icpu_reset(0);
	st.gpr[R_EBX] = 0x800, st.gpr[R_ECX] = (uint32_t)-1;
	struct insn in = mk(OP_BTS, 2, mem_op(4), reg_op(R_ECX, 4));
	in.base = R_EBX;
	CHECK_EQ(interp_run(handler(OP_BTS), &in), -1);
	CHECK_EQ(mem_at(0x7fc, 4), 0x80000000);
	CHECK(!(flags_get(&ic) & FL_CF));
	CHECK_EQ(interp_run(handler(OP_BTS), &in), -1);
	CHECK(flags_get(&ic) & FL_CF);
	/* BT with offset 100 from a register: dword 3 above */
	tmem[0x80c] = 0x10;
	st.gpr[R_ECX] = 100;
	in.op = OP_BT;
	CHECK_EQ(interp_run(handler(OP_BT), &in), -1);
	CHECK(flags_get(&ic) & FL_CF);
	/* an immediate offset is taken mod the operand size */
	in = mk(OP_BTC, 2, mem_op(2), (struct opnd){OPK_IMM, 1, 0});
	in.base = R_EBX, in.imm = 17, in.osize = 2;
	CHECK_EQ(interp_run(handler(OP_BTC), &in), -1);
	CHECK_EQ(mem_at(0x800, 2), 2);

	/* XADD to memory */
	icpu_reset(0);
	memcpy(tmem + 0x900, "\x05\x00\x00\x00", 4);
	st.gpr[R_EBX] = 0x900, st.gpr[R_ECX] = 3;
	in = mk(OP_XADD, 2, mem_op(4), reg_op(R_ECX, 4));
	in.base = R_EBX;
	CHECK_EQ(interp_run(handler(OP_XADD), &in), -1);
	CHECK_EQ(mem_at(0x900, 4), 8);
	CHECK_EQ(st.gpr[R_ECX], 5);

	/* CMPXCHG8B: equal stores ECX:EBX, unequal loads EDX:EAX */
	icpu_reset(0);
	uint64_t v = 0x1122334455667788ull;
	memcpy(tmem + 0xa00, &v, 8);
	st.gpr[R_ESI] = 0xa00;
	st.gpr[R_EDX] = 0x11223344, st.gpr[R_EAX] = 0x55667788;
	st.gpr[R_ECX] = 0xcafef00d, st.gpr[R_EBX] = 0xdeadbeef;
	in = mk(OP_CMPXCHG8B, 1, mem_op(8), no_opnd);
	in.base = R_ESI;
	CHECK_EQ(interp_run(handler(OP_CMPXCHG8B), &in), -1);
	CHECK_EQ(mem_at(0xa00, 8), 0xcafef00ddeadbeefull);
	CHECK(flags_get(&ic) & FL_ZF);
	CHECK_EQ(interp_run(handler(OP_CMPXCHG8B), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 0xcafef00d);
	CHECK_EQ(st.gpr[R_EAX], 0xdeadbeef);
	CHECK(!(flags_get(&ic) & FL_ZF));
	in.opnd[0] = reg_op(R_EAX, 8);
	CHECK_EQ(interp_run(handler(OP_CMPXCHG8B), &in), EXC_UD);

	/* LEA: address size wrap, then operand size cut; a register is #UD */
	icpu_reset(0);
	st.gpr[R_EBX] = 0xffff, st.gpr[R_EDX] = 0xaaaaaaaa;
	in = mk(OP_LEA, 2, reg_op(R_EDX, 4), mem_op(0));
	in.base = R_EBX, in.disp = 2, in.asize = 2;
	CHECK_EQ(interp_run(handler(OP_LEA), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 1);
	in.asize = 4, in.opnd[0].size = 2;
	CHECK_EQ(interp_run(handler(OP_LEA), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 0x0001);
	st.gpr[R_EBX] = 0x12345, in.disp = 0;
	CHECK_EQ(interp_run(handler(OP_LEA), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 0x2345);
	in.opnd[1] = reg_op(R_EBX, 4);
	CHECK_EQ(interp_run(handler(OP_LEA), &in), EXC_UD);

	/* XLAT, MOVSX, MOVZX */
	icpu_reset(0);
	tmem[0xb05] = 0x99;
	st.gpr[R_EBX] = 0xb00, st.gpr[R_EAX] = 0x1205;
	in = mk(OP_XLAT, 0, no_opnd, no_opnd);
	CHECK_EQ(interp_run(handler(OP_XLAT), &in), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x1299);
	in = mk(OP_MOVSX, 2, reg_op(R_EDX, 4), reg_op(R_EAX, 1));
	CHECK_EQ(interp_run(handler(OP_MOVSX), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 0xffffff99);
	in = mk(OP_MOVZX, 2, reg_op(R_EDX, 2), reg_op(REG_AH, 1));
	CHECK_EQ(interp_run(handler(OP_MOVZX), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 0xffff0012);

	/* #DE: AAM 0; #UD: MOVBE is not advertised */
	in = mk(OP_AAM, 1, (struct opnd){OPK_IMM, 1, 0}, no_opnd);
	in.imm = 0;
	CHECK_EQ(interp_run(handler(OP_AAM), &in), EXC_DE);
	/* POPCNT: the count, ZF only for a zero source, the rest cleared */
	flags_set(&ic, flags_get(&ic) | FL_ARITH);
	st.gpr[R_EAX] = 0xf0f00001;
	in = mk(OP_POPCNT, 2, reg_op(R_EDX, 4), reg_op(R_EAX, 4));
	CHECK_EQ(interp_run(handler(OP_POPCNT), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 9);
	CHECK_EQ(flags_get(&ic) & FL_ARITH, 0);
	st.gpr[R_EAX] = 0xffff0000;
	in = mk(OP_POPCNT, 2, reg_op(R_EDX, 2), reg_op(R_EAX, 2));
	CHECK_EQ(interp_run(handler(OP_POPCNT), &in), -1);
	CHECK_EQ(st.gpr[R_EDX] & 0xffff, 0);
	CHECK_EQ(flags_get(&ic) & FL_ARITH, FL_ZF);
	in = mk(OP_MOVBE, 2, reg_op(R_EDX, 4), mem_op(4));
	CHECK_EQ(interp_run(handler(OP_MOVBE), &in), EXC_UD);
	/* TZCNT without BMI1 is BSF */
	st.gpr[R_EAX] = 0x80;
	in = mk(OP_TZCNT, 2, reg_op(R_EDX, 4), reg_op(R_EAX, 4));
	CHECK_EQ(interp_run(handler(OP_TZCNT), &in), -1);
	CHECK_EQ(st.gpr[R_EDX], 7);

	/* shift forms: the implicit 1 and an immediate count (masked) */
	icpu_reset(0);
	st.gpr[R_EAX] = 0x40000001;
	in = mk(OP_SHL, 2, reg_op(R_EAX, 4), (struct opnd){OPK_ONE, 1, 0});
	CHECK_EQ(interp_run(handler(OP_SHL), &in), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x80000002);
	CHECK_EQ(flags_get(&ic) & (FL_CF | FL_OF), FL_OF);
	in.opnd[1] = (struct opnd){OPK_IMM, 1, 0}, in.imm = 33;
	CHECK_EQ(interp_run(handler(OP_SHL), &in), -1);
	CHECK_EQ(st.gpr[R_EAX], 4);
	CHECK_EQ(flags_get(&ic) & (FL_CF | FL_OF), FL_CF | FL_OF);

	/* a read-modify-write destination: ADD to memory */
	icpu_reset(0);
	memcpy(tmem + 0xc00, "\xff\xff", 2);
	st.gpr[R_EBX] = 0xc00;
	in = mk(OP_ADD, 2, mem_op(2), (struct opnd){OPK_IMM, 2, 0});
	in.base = R_EBX, in.imm = 1, in.osize = 2;
	CHECK_EQ(interp_run(handler(OP_ADD), &in), -1);
	CHECK_EQ(mem_at(0xc00, 2), 0);
	CHECK_EQ(flags_get(&ic) & FL_ARITH, FL_CF | FL_ZF | FL_AF | FL_PF);
}

/* -- the Intel model of undefined flags, pinned on any host: values from
 * the sources in flags.c's table, each chosen where AMD differs -- */

/* run with these arithmetic flags in; the vector or -1, and the flags out */
static int run_flags(struct insn *in, uint64_t fl_in, uint32_t *fl_out)
{
	st.rflags = fl_in | FL_FIXED;
	ic.lf_op = LF_NONE;
	int vec = interp_run(handler(in->op), in);
	*fl_out = (uint32_t)flags_get(&ic) & FL_ARITH;
	return vec;
}

static void test_intel_model(void)
{
	struct opnd imm = {OPK_IMM, 4, 0};
	uint32_t fl;

	/* IMUL r, r, 0: ZF and AF cleared, SF PF of the low half */
	icpu_reset(0);
	st.gpr[R_EAX] = 5;
	struct insn in = mk(OP_IMUL, 3, reg_op(R_EAX, 4), reg_op(R_EAX, 4));
	in.opnd[2] = imm, in.imm = 0;
	CHECK_EQ(run_flags(&in, FL_ARITH, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0);
	CHECK_EQ(fl, FL_PF);

	/* MUL BL: AX = 0x100, a zero low half still gives ZF 0 */
	st.gpr[R_EAX] = 0x80, st.gpr[R_EBX] = 2;
	in = mk(OP_MUL, 1, reg_op(R_EBX, 1), no_opnd);
	CHECK_EQ(run_flags(&in, FL_ARITH, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x100);
	CHECK_EQ(fl, FL_PF | FL_CF | FL_OF);

	/* DIV leaves every flag alone */
	st.gpr[R_EAX] = 100, st.gpr[R_EDX] = 0, st.gpr[R_EBX] = 7;
	in = mk(OP_DIV, 1, reg_op(R_EBX, 4), no_opnd);
	CHECK_EQ(run_flags(&in, FL_ZF | FL_AF | FL_CF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 14);
	CHECK_EQ(fl, FL_ZF | FL_AF | FL_CF);

	/* SHL by 3: OF of the first step, AF cleared */
	st.gpr[R_EAX] = 0x60000000, st.gpr[R_ECX] = 3;
	in = mk(OP_SHL, 2, reg_op(R_EAX, 4), reg_op(R_ECX, 1));
	CHECK_EQ(run_flags(&in, FL_AF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0);
	CHECK_EQ(fl, FL_CF | FL_OF | FL_ZF | FL_PF);

	/* SHR by 2: OF is the operand's top bit */
	st.gpr[R_EAX] = 0x80000001, st.gpr[R_ECX] = 2;
	in = mk(OP_SHR, 2, reg_op(R_EAX, 4), reg_op(R_ECX, 1));
	CHECK_EQ(run_flags(&in, FL_AF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x20000000);
	CHECK_EQ(fl, FL_OF | FL_PF);

	/* ROL AL by 2: OF of the first step (AMD: of the last) */
	st.gpr[R_EAX] = 0x81, st.gpr[R_ECX] = 2;
	in = mk(OP_ROL, 2, reg_op(R_EAX, 1), reg_op(R_ECX, 1));
	CHECK_EQ(run_flags(&in, 0, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x06);
	CHECK_EQ(fl, FL_OF);

	/* RCL AL by 9: the count mod 9 is 0, no flag changes */
	st.gpr[R_EAX] = 0x80, st.gpr[R_ECX] = 9;
	in = mk(OP_RCL, 2, reg_op(R_EAX, 1), reg_op(R_ECX, 1));
	CHECK_EQ(run_flags(&in, FL_CF | FL_OF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x80);
	CHECK_EQ(fl, FL_CF | FL_OF);

	/* SHLD/SHRD AX, BX by 20: dest:src:dest shifted, AF cleared */
	st.gpr[R_EAX] = 0x1234, st.gpr[R_EBX] = 0xabcd, st.gpr[R_ECX] = 20;
	in = mk(OP_SHLD, 3, reg_op(R_EAX, 2), reg_op(R_EBX, 2));
	in.opnd[2] = reg_op(R_ECX, 1);
	CHECK_EQ(run_flags(&in, FL_AF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0xbcd1);
	CHECK_EQ(fl, FL_SF | FL_PF);
	st.gpr[R_EAX] = 0x1234;
	in.op = OP_SHRD;
	CHECK_EQ(run_flags(&in, FL_AF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x4abc);
	CHECK_EQ(fl, FL_CF | FL_OF);

	/* AAA: SF ZF PF of the masked AL, OF cleared (AMD: of AX + 0x106) */
	st.gpr[R_EAX] = 0x000b;
	in = mk(OP_AAA, 0, no_opnd, no_opnd);
	CHECK_EQ(run_flags(&in, FL_OF, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x0101);
	CHECK_EQ(fl, FL_CF | FL_AF);

	/* DAA turning AL negative: OF cleared (AMD sets it) */
	st.gpr[R_EAX] = 0x7a;
	in = mk(OP_DAA, 0, no_opnd, no_opnd);
	CHECK_EQ(run_flags(&in, 0, &fl), -1);
	CHECK_EQ(st.gpr[R_EAX], 0x80);
	CHECK_EQ(fl, FL_SF | FL_AF);

	/* BSF of 0: destination unchanged, ZF and PF set, the rest cleared */
	st.gpr[R_EAX] = 0, st.gpr[R_EDX] = 0xdead;
	in = mk(OP_BSF, 2, reg_op(R_EDX, 4), reg_op(R_EAX, 4));
	CHECK_EQ(run_flags(&in, FL_ARITH & ~(FL_ZF | FL_PF), &fl), -1);
	CHECK_EQ(st.gpr[R_EDX], 0xdead);
	CHECK_EQ(fl, FL_ZF | FL_PF);

	/* BTS: OF SF AF PF (and ZF) unchanged */
	st.gpr[R_EAX] = 1, st.gpr[R_ECX] = 0;
	in = mk(OP_BTS, 2, reg_op(R_EAX, 4), reg_op(R_ECX, 4));
	CHECK_EQ(run_flags(&in, FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF, &fl), -1);
	CHECK_EQ(fl, FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF | FL_CF);
}

int main(void)
{
	CHECK_SUITE("alu-host");
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		printf("SKIP alu-host: all: no executable memory for the native side\n");
		return 0;
	}
	detect_vendor();
	printf("alu-host: host vendor %s: undefined flags %s\n", host_vendor,
	       host_intel ? "must match (Intel behaviour is modelled)" : "reported, not checked");
	struct sigaction sa = {.sa_handler = on_fpe};
	sigaction(SIGFPE, &sa, NULL);
	RUN(test_host_ops);
	RUN(test_intel_model);
	RUN(test_strings);
	RUN(test_memory_forms);
	return CHECK_EXIT();
}
