// Integer arithmetic, logic, shifts, multiply/divide, BCD and bit semantics; the interp_ops_alu table.
// SPDX-License-Identifier: MIT
#include "cpu/interp/alu.h"
#include "cpu/interp/flags.h"
#include "cpu/interp/ops.h"
#include "hw/log.h"		/* log_once */

/* Where the SDM leaves a result or flag undefined we give what a modern
 * Intel Core gives (our CPUID says GenuineIntel); the table of those
 * choices and their sources is at the top of flags.c. */

static inline uint64_t sign_bit(unsigned size)
{
	return 1ull << (size * 8 - 1);
}

static inline int64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - size * 8;
	return (int64_t)(v << sh) >> sh;
}

static inline unsigned dsize(const struct insn *i)
{
	return i->opnd[0].size;
}

/* a source operand at the destination's size (immediates come sign- or
 * zero-extended already; OPK_ONE is the shifts' implicit 1) */
static inline uint64_t src_read(struct icpu *c, const struct insn *i, int n, unsigned size)
{
	if (i->opnd[n].kind == OPK_ONE)
		return 1;
	return opnd_read(c, i, n) & size_mask(size);
}

static inline uint32_t bit_if(bool b, uint32_t flag)
{
	return b ? flag : 0;
}

static inline uint32_t szp(uint64_t res, unsigned size)
{
	return bit_if(res == 0, FL_ZF) | bit_if(res & sign_bit(size), FL_SF) |
	       bit_if(!__builtin_parity((uint8_t)res), FL_PF);
}

/* set the flags in mask to bits, keep the rest (eager: for operations
 * with no lazy form) */
static void flags_put(struct icpu *c, uint32_t mask, uint32_t bits)
{
	uint64_t f = flags_get(c);
	flags_set(c, (f & ~(uint64_t)mask) | (bits & mask));
}

/* -- two-operand arithmetic and logic -- */

static void op_add(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz), r = a + b;
	dst_write(c, i, r);
	flags_lazy(c, LF_ADD, sz, a, b, r);
}

static void op_adc(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz);
	unsigned cin = flags_cf(c);
	uint64_t r = a + b + cin;
	dst_write(c, i, r);
	flags_lazy(c, LF_ADC, sz, a, b, r);
	c->lf_carry_in = cin;
}

static void op_sub(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz), r = a - b;
	dst_write(c, i, r);
	flags_lazy(c, LF_SUB, sz, a, b, r);
}

static void op_sbb(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz);
	unsigned cin = flags_cf(c);
	uint64_t r = a - b - cin;
	dst_write(c, i, r);
	flags_lazy(c, LF_SBB, sz, a, b, r);
	c->lf_carry_in = cin;
}

static void op_cmp(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = src_read(c, i, 0, sz), b = src_read(c, i, 1, sz);
	flags_lazy(c, LF_SUB, sz, a, b, a - b);
}

static void logic_done(struct icpu *c, const struct insn *i, uint64_t r)
{
	dst_write(c, i, r);
	flags_lazy(c, LF_LOGIC, dsize(i), 0, 0, r);
}

static void op_and(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i);
	logic_done(c, i, a & src_read(c, i, 1, dsize(i)));
}

static void op_or(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i);
	logic_done(c, i, a | src_read(c, i, 1, dsize(i)));
}

static void op_xor(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i);
	logic_done(c, i, a ^ src_read(c, i, 1, dsize(i)));
}

static void op_test(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t r = src_read(c, i, 0, sz) & src_read(c, i, 1, sz);
	flags_lazy(c, LF_LOGIC, sz, 0, 0, r);
}

/* -- one-operand arithmetic -- */

static void op_inc(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i), r = a + 1;
	bool cf = flags_cf(c);
	dst_write(c, i, r);
	flags_lazy(c, LF_INC, dsize(i), a, 1, r);
	c->lf_carry_in = cf;
}

static void op_dec(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i), r = a - 1;
	bool cf = flags_cf(c);
	dst_write(c, i, r);
	flags_lazy(c, LF_DEC, dsize(i), a, 1, r);
	c->lf_carry_in = cf;
}

static void op_neg(struct icpu *c, const struct insn *i)
{
	uint64_t a = dst_read(c, i), r = 0 - a;
	dst_write(c, i, r);
	flags_lazy(c, LF_NEG, dsize(i), 0, a, r);
}

static void op_not(struct icpu *c, const struct insn *i)
{
	dst_write(c, i, ~dst_read(c, i));
}

/* -- multiply and divide -- */

/* the one-operand forms write rDX:rAX (AX for bytes) */
static void mul_store(struct icpu *c, unsigned sz, uint64_t lo, uint64_t hi)
{
	if (sz == 1) {
		reg_write(c, R_EAX, 2, (hi << 8) | lo);
	} else {
		reg_write(c, R_EAX, sz, lo);
		reg_write(c, R_EDX, sz, hi);
	}
}

static void op_mul(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t b = src_read(c, i, 0, sz), a = reg_read(c, R_EAX, sz);
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t lo = (uint64_t)p & size_mask(sz), hi = (uint64_t)(p >> bits) & size_mask(sz);
	mul_store(c, sz, lo, hi);
	flags_lazy(c, LF_MUL, sz, a, hi != 0, lo);
}

static void op_imul(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	int64_t a, b;
	if (i->nopnd <= 1) {
		b = sext(src_read(c, i, 0, sz), sz);
		a = sext(reg_read(c, R_EAX, sz), sz);
	} else if (i->nopnd == 2) {
		b = sext(src_read(c, i, 1, sz), sz);
		a = sext(src_read(c, i, 0, sz), sz);
	} else {
		a = sext(src_read(c, i, 1, sz), sz);
		b = sext(src_read(c, i, 2, sz), sz);
	}
	__int128 p = (__int128)a * b;
	uint64_t lo = (uint64_t)p & size_mask(sz);
	bool ovf = p != (__int128)sext(lo, sz);
	if (i->nopnd <= 1)
		mul_store(c, sz, lo, (uint64_t)((unsigned __int128)p >> bits) & size_mask(sz));
	else
		opnd_write(c, i, 0, lo);
	flags_lazy(c, LF_IMUL, sz, (uint64_t)a, ovf, lo);
}

/* DIV and IDIV leave every flag undefined: Intel leaves them unchanged
 * (AMD sets AF and clears SF ZF PF) */
static void op_div(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t d = src_read(c, i, 0, sz);
	if (d == 0)
		cpu_fault_noerr(c, EXC_DE);
	unsigned __int128 n = sz == 1 ? reg_read(c, R_EAX, 2)
		: (unsigned __int128)reg_read(c, R_EDX, sz) << bits | reg_read(c, R_EAX, sz);
	unsigned __int128 q = n / d;
	if (q > size_mask(sz))
		cpu_fault_noerr(c, EXC_DE);
	mul_store(c, sz, (uint64_t)q, (uint64_t)(n % d));
}

static void op_idiv(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	int64_t d = sext(src_read(c, i, 0, sz), sz);
	if (d == 0)
		cpu_fault_noerr(c, EXC_DE);
	unsigned __int128 u = sz == 1 ? reg_read(c, R_EAX, 2)
		: (unsigned __int128)reg_read(c, R_EDX, sz) << bits | reg_read(c, R_EAX, sz);
	unsigned sh = 128 - 2 * bits;
	__int128 n = (__int128)(u << sh) >> sh;
	__int128 q, r;
	if (d == -1) {
		/* -n overflows for the most negative dividend: #DE below, via q */
		q = (__int128)(0 - (unsigned __int128)n);
		r = 0;
		if (n < 0 && q < 0)
			cpu_fault_noerr(c, EXC_DE);
	} else {
		q = n / d;
		r = n % d;
	}
	__int128 lim = (__int128)1 << (bits - 1);
	if (q < -lim || q >= lim)
		cpu_fault_noerr(c, EXC_DE);
	mul_store(c, sz, (uint64_t)q & size_mask(sz), (uint64_t)r & size_mask(sz));
}

/* -- shifts and rotates -- */

/* the masked count: 5 bits, 6 for 64-bit operands */
static unsigned shift_count(struct icpu *c, const struct insn *i, int n, unsigned sz)
{
	return (unsigned)src_read(c, i, n, 1) & (sz == 8 ? 63 : 31);
}

static void shift(struct icpu *c, const struct insn *i, enum lf_op op)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i);
	unsigned n = shift_count(c, i, 1, sz);
	uint64_t r;
	if (op == LF_SHL)
		r = a << n;
	else if (op == LF_SHR)
		r = a >> n;
	else
		r = (uint64_t)(sext(a, sz) >> n);
	dst_write(c, i, r);
	if (n == 0)
		return;		/* flags unchanged */
	flags_lazy(c, op, sz, a, 0, r);
	c->lf_carry_in = n;
}

static void op_shl(struct icpu *c, const struct insn *i) { shift(c, i, LF_SHL); }
static void op_shr(struct icpu *c, const struct insn *i) { shift(c, i, LF_SHR); }
static void op_sar(struct icpu *c, const struct insn *i) { shift(c, i, LF_SAR); }

/* Rotates change only CF and OF. OF, defined for a count of one, is for
 * larger counts (undefined) what Intel gives: that of the first one-bit
 * step, from the operand (AMD takes the last step's). */

/* OF of a one-bit left step of a: the top two bits differ */
static inline bool of_left1(uint64_t a, unsigned sz)
{
	uint64_t sb = sign_bit(sz);
	return !(a & sb) != !(a & (sb >> 1));
}

static void op_rol(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t a = dst_read(c, i), mask = size_mask(sz);
	unsigned n = shift_count(c, i, 1, sz), m = n % bits;
	uint64_t r = m ? ((a << m) | (a >> (bits - m))) & mask : a;
	dst_write(c, i, r);
	if (n == 0)
		return;
	flags_put(c, FL_CF | FL_OF, bit_if(r & 1, FL_CF) | bit_if(of_left1(a, sz), FL_OF));
}

static void op_ror(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t a = dst_read(c, i), mask = size_mask(sz);
	unsigned n = shift_count(c, i, 1, sz), m = n % bits;
	uint64_t r = m ? ((a >> m) | (a << (bits - m))) & mask : a;
	dst_write(c, i, r);
	if (n == 0)
		return;
	/* one step right: the new top bit is bit 0 */
	bool of = !(a & sign_bit(sz)) != !(a & 1);
	flags_put(c, FL_CF | FL_OF, bit_if(r & sign_bit(sz), FL_CF) | bit_if(of, FL_OF));
}

/* RCL/RCR rotate the (size+1)-bit value CF:dest; 8/16-bit counts are
 * taken mod 9/17 after masking, and when that leaves 0 Intel changes no
 * flag (CF stays as the SDM says; OF is undefined) */
static void rotate_carry(struct icpu *c, const struct insn *i, bool left)
{
	unsigned sz = dsize(i), bits = sz * 8, w = bits + 1;
	uint64_t a = dst_read(c, i);
	unsigned n = shift_count(c, i, 1, sz), m = sz <= 2 ? n % w : n;
	unsigned __int128 wmask = ((unsigned __int128)1 << w) - 1;
	bool cin = flags_cf(c);
	unsigned __int128 v = a | (unsigned __int128)cin << bits;
	if (m)
		v = (left ? (v << m) | (v >> (w - m)) : (v >> m) | (v << (w - m))) & wmask;
	uint64_t r = (uint64_t)v & size_mask(sz);
	dst_write(c, i, r);
	if (m == 0)
		return;
	bool cf = (v >> bits) & 1;
	bool of = left ? of_left1(a, sz) : !!(a & sign_bit(sz)) != cin;
	flags_put(c, FL_CF | FL_OF, bit_if(cf, FL_CF) | bit_if(of, FL_OF));
}

static void op_rcl(struct icpu *c, const struct insn *i) { rotate_carry(c, i, true); }
static void op_rcr(struct icpu *c, const struct insn *i) { rotate_carry(c, i, false); }

/* SHLD/SHRD. A 16-bit count above 16 is undefined: Intel shifts the
 * 48-bit dest:src:dest and CF is the last bit out of it (AMD uses
 * dest:src:src or src:src:dest and gives CF 0). OF, defined for a count of
 * one (sign change), is for larger counts that of the first one-bit step;
 * AF (undefined) is 0. */
static void double_shift(struct icpu *c, const struct insn *i, bool left)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz);
	unsigned n = shift_count(c, i, 2, sz);
	uint64_t r;
	bool cf, of;
	if (n == 0) {
		dst_write(c, i, a);
		return;
	}
	if (sz == 2) {
		uint64_t v = a << 32 | b << 16 | a;
		r = (left ? v >> (32 - n) : v >> n) & 0xffff;
		cf = (left ? v >> (48 - n) : v >> (n - 1)) & 1;
	} else if (left) {
		r = (a << n | b >> (bits - n)) & size_mask(sz);
		cf = (a >> (bits - n)) & 1;
	} else {
		r = (a >> n | b << (bits - n)) & size_mask(sz);
		cf = (a >> (n - 1)) & 1;
	}
	dst_write(c, i, r);
	if (left)
		of = of_left1(a, sz);
	else
		of = !(a & sign_bit(sz)) != !(b & 1);
	flags_put(c, FL_ARITH, szp(r, sz) | bit_if(cf, FL_CF) | bit_if(of, FL_OF));
}

static void op_shld(struct icpu *c, const struct insn *i) { double_shift(c, i, true); }
static void op_shrd(struct icpu *c, const struct insn *i) { double_shift(c, i, false); }

/* -- decimal adjust (not in 64-bit mode: the decoder says #UD there) -- */

static uint64_t al_of(struct icpu *c) { return reg_read(c, R_EAX, 1); }

static void op_daa(struct icpu *c, const struct insn *i)
{
	(void)i;
	uint64_t f = flags_get(c);
	unsigned al = (unsigned)al_of(c), old = al;
	bool cf = false, af = false;
	if ((al & 0xf) > 9 || (f & FL_AF)) {
		cf = (f & FL_CF) || al + 6 > 0xff;
		al = (al + 6) & 0xff;
		af = true;
	}
	if (old > 0x99 || (f & FL_CF)) {
		al = (al + 0x60) & 0xff;
		cf = true;
	} else {
		cf = false;
	}
	reg_write(c, R_EAX, 1, al);
	/* OF undefined: Intel clears it (AMD sets it when AL turns negative) */
	flags_put(c, FL_ARITH, szp(al, 1) | bit_if(cf, FL_CF) | bit_if(af, FL_AF));
}

static void op_das(struct icpu *c, const struct insn *i)
{
	(void)i;
	uint64_t f = flags_get(c);
	unsigned al = (unsigned)al_of(c), old = al;
	bool cf = false, af = false;
	if ((al & 0xf) > 9 || (f & FL_AF)) {
		cf = (f & FL_CF) || al < 6;
		al = (al - 6) & 0xff;
		af = true;
	}
	if (old > 0x99 || (f & FL_CF)) {
		al = (al - 0x60) & 0xff;
		cf = true;
	}
	reg_write(c, R_EAX, 1, al);
	flags_put(c, FL_ARITH, szp(al, 1) | bit_if(cf, FL_CF) | bit_if(af, FL_AF));
}

/* AAA/AAS: OF SF ZF PF undefined: Intel gives SF ZF PF of the masked AL
 * and clears OF (AMD gives those of AX +/- 0x106) */
static void ascii_adjust(struct icpu *c, bool add)
{
	uint64_t f = flags_get(c);
	unsigned ax = (unsigned)reg_read(c, R_EAX, 2);
	bool adj = (ax & 0xf) > 9 || (f & FL_AF);
	if (adj)
		ax = (add ? ax + 0x106 : ax - 0x106) & 0xffff;
	ax &= 0xff0f;
	reg_write(c, R_EAX, 2, ax);
	flags_put(c, FL_ARITH, szp(ax & 0xff, 1) | bit_if(adj, FL_CF | FL_AF));
}

static void op_aaa(struct icpu *c, const struct insn *i) { (void)i; ascii_adjust(c, true); }
static void op_aas(struct icpu *c, const struct insn *i) { (void)i; ascii_adjust(c, false); }

/* AAM: OF AF CF undefined: cleared (Intel and AMD alike) */
static void op_aam(struct icpu *c, const struct insn *i)
{
	unsigned base = (unsigned)i->imm & 0xff, al = (unsigned)al_of(c);
	if (base == 0)
		cpu_fault_noerr(c, EXC_DE);
	unsigned r = al % base;
	reg_write(c, R_EAX, 2, (al / base) << 8 | r);
	flags_put(c, FL_ARITH, szp(r, 1));
}

/* AAD's OF AF CF (undefined) are those of the 8-bit addition AL + AH *
 * imm8 it does, as on AMD; what modern Intel gives is disputed (flags.c) */
static void op_aad(struct icpu *c, const struct insn *i)
{
	unsigned base = (unsigned)i->imm & 0xff, ax = (unsigned)reg_read(c, R_EAX, 2);
	uint64_t a = ax & 0xff, b = ((ax >> 8) * base) & 0xff, r = (a + b) & 0xff;
	reg_write(c, R_EAX, 2, r);
	flags_lazy(c, LF_ADD, 1, a, b, r);
}

/* -- bit tests and scans -- */

enum bt_kind { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* BT with a register offset into memory reaches outside the operand: the
 * signed offset selects the operand-sized unit at ea + (offset / bits) */
static void bit_test(struct icpu *c, const struct insn *i, enum bt_kind k)
{
	unsigned sz = dsize(i), bits = sz * 8;
	uint64_t off = src_read(c, i, 1, sz), v, ea = 0;
	unsigned bit;
	bool mem = opnd_is_mem(i, 0);
	if (i->opnd[1].kind == OPK_IMM || !mem) {
		bit = off & (bits - 1);
		if (mem)
			ea = insn_ea(c, i);
	} else {
		int64_t so = sext(off, sz);
		bit = (unsigned)(so & (bits - 1));
		int64_t unit = so >> __builtin_ctz(bits);
		ea = (insn_ea(c, i) + (uint64_t)unit * sz) & size_mask(i->asize);
	}
	if (mem)
		v = k == BT_TEST ? vmem_read(c, i->seg, ea, sz) : vmem_read_rmw(c, i->seg, ea, sz);
	else
		v = src_read(c, i, 0, sz);
	bool cf = (v >> bit) & 1;
	uint64_t m = 1ull << bit;
	if (k != BT_TEST) {
		v = k == BT_SET ? v | m : k == BT_RESET ? v & ~m : v ^ m;
		if (mem)
			vmem_write_rmw(c, v);
		else
			opnd_write(c, i, 0, v);
	}
	/* OF SF AF PF undefined: unchanged on Intel and AMD; ZF unchanged */
	flags_put(c, FL_CF, bit_if(cf, FL_CF));
}

static void op_bt(struct icpu *c, const struct insn *i) { bit_test(c, i, BT_TEST); }
static void op_bts(struct icpu *c, const struct insn *i) { bit_test(c, i, BT_SET); }
static void op_btr(struct icpu *c, const struct insn *i) { bit_test(c, i, BT_RESET); }
static void op_btc(struct icpu *c, const struct insn *i) { bit_test(c, i, BT_COMPLEMENT); }

/* BSF/BSR: a zero source sets ZF and leaves the destination alone (AMD
 * documents it; Intel calls the destination undefined but does the same).
 * CF OF SF AF PF are undefined: Intel clears them except PF, the parity of
 * the index found (set for a zero source). */
static void bit_scan(struct icpu *c, const struct insn *i, bool forward)
{
	unsigned sz = dsize(i);
	uint64_t v = src_read(c, i, 1, sz);
	if (v == 0) {
		flags_put(c, FL_ARITH, FL_ZF | FL_PF);
		return;
	}
	unsigned idx = forward ? (unsigned)__builtin_ctzll(v) : 63u - (unsigned)__builtin_clzll(v);
	opnd_write(c, i, 0, idx);
	flags_put(c, FL_ARITH, bit_if(!__builtin_parity(idx), FL_PF));
}

static void op_bsf(struct icpu *c, const struct insn *i) { bit_scan(c, i, true); }
static void op_bsr(struct icpu *c, const struct insn *i) { bit_scan(c, i, false); }

/* Without CPUID's BMI1/ABM bits (the P6 has neither) the F3 prefix of
 * TZCNT/LZCNT is ignored and they run as BSF/BSR, as on hardware */
static void op_tzcnt(struct icpu *c, const struct insn *i) { bit_scan(c, i, true); }
static void op_lzcnt(struct icpu *c, const struct insn *i) { bit_scan(c, i, false); }

/* POPCNT (CPUID.1:ECX.POPCNT): ZF says the source was zero, the other
 * arithmetic flags are cleared */
static void op_popcnt(struct icpu *c, const struct insn *i)
{
	uint64_t v = opnd_read(c, i, 1);
	opnd_write(c, i, 0, (uint64_t)__builtin_popcountll(v));
	flags_put(c, FL_ARITH, bit_if(v == 0, FL_ZF));
}

/* -- sign extension of the accumulator -- */

static void op_cbw(struct icpu *c, const struct insn *i)
{
	unsigned sz = i->osize;
	reg_write(c, R_EAX, sz, (uint64_t)sext(reg_read(c, R_EAX, sz / 2), sz / 2));
}

static void op_cwd(struct icpu *c, const struct insn *i)
{
	unsigned sz = i->osize;
	bool neg = reg_read(c, R_EAX, sz) & sign_bit(sz);
	reg_write(c, R_EDX, sz, neg ? ~0ull : 0);
}

/* -- exchange and compare -- */

static void op_xadd(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t a = dst_read(c, i), b = src_read(c, i, 1, sz), r = a + b;
	if (opnd_is_mem(i, 0)) {
		dst_write(c, i, r);
		opnd_write(c, i, 1, a);
	} else {
		/* register pair: the source gets the old destination first, so
		 * XADD r, r with the same register leaves the sum */
		opnd_write(c, i, 1, a);
		opnd_write(c, i, 0, r);
	}
	flags_lazy(c, LF_ADD, sz, a, b, r);
}

static void op_cmpxchg(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t d = dst_read(c, i), acc = reg_read(c, R_EAX, sz);
	uint64_t s = src_read(c, i, 1, sz);
	if (acc == d) {
		dst_write(c, i, s);
	} else {
		/* a memory destination is written back unchanged, as the
		 * locked cycle does */
		if (opnd_is_mem(i, 0))
			dst_write(c, i, d);
		reg_write(c, R_EAX, sz, d);
	}
	flags_lazy(c, LF_SUB, sz, acc, d, acc - d);
}

/* CMPXCHG16B (REX.W): a 16-byte aligned operand, else #GP(0); both
 * halves checked writable first, so the store cannot fault half done
 * (vCPUs of the interpreter take turns, so it is atomic to the guest) */
static void op_cmpxchg16b(struct icpu *c, const struct insn *i)
{
	uint64_t ea = insn_ea(c, i);
	need_aligned(c, i->seg, ea, 16);
	vmem_probe(c, i->seg, ea, 8, MMU_WRITE);
	vmem_probe(c, i->seg, ea + 8, 8, MMU_WRITE);
	uint64_t lo = vmem_read(c, i->seg, ea, 8), hi = vmem_read(c, i->seg, ea + 8, 8);
	struct cpu_state *s = c->s;
	bool eq = lo == s->gpr[R_EAX] && hi == s->gpr[R_EDX];
	if (eq) {
		vmem_write(c, i->seg, ea, s->gpr[R_EBX], 8);
		vmem_write(c, i->seg, ea + 8, s->gpr[R_ECX], 8);
	} else {
		/* the processor writes back what it read (a locked cycle) */
		vmem_write(c, i->seg, ea, lo, 8);
		vmem_write(c, i->seg, ea + 8, hi, 8);
		s->gpr[R_EAX] = lo;
		s->gpr[R_EDX] = hi;
	}
	flags_put(c, FL_ZF, bit_if(eq, FL_ZF));
}

static void op_cmpxchg8b(struct icpu *c, const struct insn *i)
{
	if (!opnd_is_mem(i, 0))
		cpu_ud(c);	/* the register form */
	if (i->opnd[0].size == 16) {
		op_cmpxchg16b(c, i);
		return;
	}
	uint64_t m = vmem_read_rmw(c, i->seg, insn_ea(c, i), 8);
	uint64_t want = reg_read(c, R_EDX, 4) << 32 | reg_read(c, R_EAX, 4);
	bool eq = m == want;
	if (eq) {
		vmem_write_rmw(c, reg_read(c, R_ECX, 4) << 32 | reg_read(c, R_EBX, 4));
	} else {
		vmem_write_rmw(c, m);
		reg_write(c, R_EAX, 4, m & 0xffffffff);
		reg_write(c, R_EDX, 4, m >> 32);
	}
	flags_put(c, FL_ZF, bit_if(eq, FL_ZF));
}

/* BSWAP of a 16-bit register is undefined: cleared (AMD; Bochs models
 * Intel the same) */
static void op_bswap(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t v = src_read(c, i, 0, sz);
	if (sz == 8)
		v = __builtin_bswap64(v);
	else if (sz == 4)
		v = __builtin_bswap32((uint32_t)v);
	else
		v = 0;
	opnd_write(c, i, 0, v);
}

static void op_setcc(struct icpu *c, const struct insn *i)
{
	opnd_write(c, i, 0, cond_eval(c, i->cond));
}

/* the source is read (and may fault) whatever the condition; in 64-bit
 * mode a 32-bit CMOV zero-extends its destination even when false */
static void op_cmovcc(struct icpu *c, const struct insn *i)
{
	unsigned sz = dsize(i);
	uint64_t v = src_read(c, i, 1, sz);
	if (cond_eval(c, i->cond))
		opnd_write(c, i, 0, v);
	else if (sz == 4 && i->mode == 64)
		opnd_write(c, i, 0, src_read(c, i, 0, 4));
}

const struct interp_op interp_ops_alu[] = {
	{OP_ADD, op_add}, {OP_OR, op_or}, {OP_ADC, op_adc}, {OP_SBB, op_sbb},
	{OP_AND, op_and}, {OP_SUB, op_sub}, {OP_XOR, op_xor}, {OP_CMP, op_cmp},
	{OP_INC, op_inc}, {OP_DEC, op_dec}, {OP_NEG, op_neg}, {OP_NOT, op_not},
	{OP_TEST, op_test},
	{OP_MUL, op_mul}, {OP_IMUL, op_imul}, {OP_DIV, op_div}, {OP_IDIV, op_idiv},
	{OP_ROL, op_rol}, {OP_ROR, op_ror}, {OP_RCL, op_rcl}, {OP_RCR, op_rcr},
	{OP_SHL, op_shl}, {OP_SAL, op_shl}, {OP_SHR, op_shr}, {OP_SAR, op_sar},
	{OP_SHLD, op_shld}, {OP_SHRD, op_shrd},
	{OP_DAA, op_daa}, {OP_DAS, op_das}, {OP_AAA, op_aaa}, {OP_AAS, op_aas},
	{OP_AAM, op_aam}, {OP_AAD, op_aad},
	{OP_BT, op_bt}, {OP_BTS, op_bts}, {OP_BTR, op_btr}, {OP_BTC, op_btc},
	{OP_BSF, op_bsf}, {OP_BSR, op_bsr},
	{OP_CBW, op_cbw}, {OP_CWD, op_cwd},
	{OP_XADD, op_xadd}, {OP_CMPXCHG, op_cmpxchg}, {OP_CMPXCHG8B, op_cmpxchg8b},
	{OP_BSWAP, op_bswap}, {OP_SETCC, op_setcc}, {OP_CMOVCC, op_cmovcc},
	{OP_POPCNT, op_popcnt}, {OP_LZCNT, op_lzcnt}, {OP_TZCNT, op_tzcnt},
	/* datamov.c */
	{OP_MOV, dm_mov}, {OP_MOVSX, dm_movsx}, {OP_MOVZX, dm_movzx},
	{OP_MOVSXD, dm_movsxd}, {OP_XCHG, dm_xchg}, {OP_LEA, dm_lea},
	{OP_XLAT, dm_xlat}, {OP_LAHF, dm_lahf}, {OP_SAHF, dm_sahf},
	{OP_CLC, dm_clc}, {OP_STC, dm_stc}, {OP_CMC, dm_cmc},
	{OP_CLD, dm_cld}, {OP_STD, dm_std}, {OP_SALC, dm_salc}, {OP_MOVBE, dm_movbe},
	/* string.c */
	{OP_MOVS, str_movs}, {OP_CMPS, str_cmps}, {OP_STOS, str_stos},
	{OP_LODS, str_lods}, {OP_SCAS, str_scas},
	{OP_INVALID, NULL},
};
