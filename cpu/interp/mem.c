/* Guest memory as instructions see it: segmentation, paging through the
 * software TLB, MMIO, page-crossing splits, operands and the stack. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/icpu.h"

#include "cpu/interp/fastmem.h"

#include <string.h>
#include "cpu/vcpu.h"
#include "hw/log.h"

#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)

/* -- segmentation -- */

static _Noreturn void seg_fault(struct icpu *c, int seg)
{
	cpu_fault(c, seg == S_SS ? EXC_SS : EXC_GP, 0);
}

/* the access rights a protected-mode access needs: data segments are
 * always readable and writable when W; code segments never writable and
 * readable when R; a null (unusable) register faults any access */
static inline bool seg_rights_ok(uint32_t attr, enum mmu_access acc)
{
	if (unlikely((attr & SEG_ATTR_UNUSABLE) || !(attr & SEG_ATTR_P) || !(attr & SEG_ATTR_S)))
		return false;
	unsigned type = SEG_ATTR_TYPE(attr);
	if (type & 8)		/* code */
		return acc == MMU_FETCH || (acc == MMU_READ && (type & 2));
	return acc != MMU_WRITE || (type & 2);
}

/* the limit rule, expand-up or expand-down (data type bit 2) */
static inline bool seg_limit_ok(const struct cpu_segment *sg, uint64_t off, unsigned size)
{
	uint64_t last = off + size - 1;
	uint32_t a = sg->attr;
	if (likely((a & 0xc) != 0x4))	/* not expand-down data */
		return last <= sg->limit;
	uint64_t upper = (a & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
	return off > sg->limit && last <= upper;
}

/* segment:offset -> linear, with every segmentation check; faults
 * #GP(0), or #SS(0) for accesses through SS */
static inline uint64_t seg_linear(struct icpu *c, int seg, uint64_t off, unsigned size,
				  enum mmu_access acc)
{
	const struct cpu_segment *sg = &c->s->seg[seg];
	if (unlikely(c->code_size == 64)) {
		uint64_t lin = off + seg_base_of(c, seg);
		if (unlikely(!canonical(lin) || !canonical(lin + size - 1)))
			seg_fault(c, seg);
		return lin;
	}
	/* real mode and v86 check limits (unreal mode keeps a bigger one in
	 * the hidden part) but not types: real-mode code writes through CS */
	if (unlikely(!seg_limit_ok(sg, off, size)))
		seg_fault(c, seg);
	if ((c->s->cr0 & CR0_PE) && !c->v86 && unlikely(!seg_rights_ok(sg->attr, acc)))
		seg_fault(c, seg);
	return (sg->base + off) & 0xffffffffull;
}

static inline void align_check(struct icpu *c, uint64_t lin, unsigned size)
{
	if (unlikely(lin & (size - 1)) && c->cpl == 3 && (c->s->cr0 & CR0_AM) &&
	    (c->s->rflags & FL_AC))
		cpu_fault(c, EXC_AC, 0);
}

/* -- paging -- */

/* where a linear page is: a host pointer, or NULL and *gpa for the bus;
 * raises #PF with CR2. size: the bytes accessed on this page, for the
 * data breakpoints and watchpoints, whose pages always come here; 0 for a
 * probe, which accesses nothing */
static void *xlate_slow(struct icpu *c, uint64_t lin, enum mmu_access acc, bool user,
			uint64_t *gpa, unsigned size)
{
	void *host = NULL;
	uint32_t pferr = 0;
	switch (tlb_fill_sized(&c->tlb, &c->mr, lin, acc, user, size, &host, gpa, &pferr)) {
	case TLB_HOST:
		break;
	case TLB_MMIO:
		host = NULL;
		break;
	case TLB_FAULT:
	default:
		c->s->cr2 = lin;
		cpu_fault(c, EXC_PF, pferr);
	}
	if (unlikely(c->tlb.nwatch) && size)
		idbg_data_access(c, lin, size, acc == MMU_WRITE);
	if (unlikely(c->tlb.journal != NULL) && host && acc == MMU_WRITE && size)
		c->tlb.journal(c->tlb.journal_opaque, host, size);
	return host;
}

static inline void *xlate(struct icpu *c, uint64_t lin, enum mmu_access acc, bool user,
			  uint64_t *gpa, unsigned size)
{
	void *h = tlb_lookup(&c->tlb, lin, acc, user);
	if (likely(h != NULL))
		return h;
	return xlate_slow(c, lin, acc, user, gpa, size);
}

static inline bool crosses_page(uint64_t lin, unsigned size)
{
	return (lin & 0xfff) + size > 0x1000;
}

/* an access whose bytes lie on two pages: translate both (either may
 * fault) before touching either, so a fault leaves memory unchanged */
static uint64_t split_access(struct icpu *c, uint64_t lin, uint64_t val, unsigned size,
			     enum mmu_access acc, bool user)
{
	unsigned n1 = 0x1000 - (unsigned)(lin & 0xfff);
	uint64_t lin2 = lin + n1;
	if (c->code_size != 64)
		lin2 &= 0xffffffffull;
	uint64_t gpa1 = 0, gpa2 = 0;
	uint8_t *h1 = xlate(c, lin, acc, user, &gpa1, n1);
	uint8_t *h2 = xlate(c, lin2, acc, user, &gpa2, size - n1);
	uint8_t buf[8];
	bool write = acc == MMU_WRITE;
	if (write)
		memcpy(buf, &val, sizeof(buf));
	for (unsigned k = 0; k < size; k++) {
		uint8_t *h = k < n1 ? h1 : h2;
		unsigned o = k < n1 ? k : k - n1;
		uint64_t g = (k < n1 ? gpa1 : gpa2) + o;
		if (h)
			write ? (void)(h[o] = buf[k]) : (void)(buf[k] = h[o]);
		else
			vcpu_mmio(c->v, g, &buf[k], 1, write);
	}
	uint64_t v = 0;
	memcpy(&v, buf, size);
	return v;
}

static uint64_t mmio_read(struct icpu *c, uint64_t gpa, unsigned size)
{
	uint64_t v = 0;
	vcpu_mmio(c->v, gpa, &v, size, false);
	return v;
}

static void mmio_write(struct icpu *c, uint64_t gpa, uint64_t v, unsigned size)
{
	vcpu_mmio(c->v, gpa, &v, size, true);
}

static inline uint64_t lin_read(struct icpu *c, uint64_t lin, unsigned size, bool user)
{
	if (unlikely(crosses_page(lin, size)))
		return split_access(c, lin, 0, size, MMU_READ, user);
	uint64_t gpa = 0;
	void *h = xlate(c, lin, MMU_READ, user, &gpa, size);
	if (likely(h != NULL))
		return host_load(h, size);
	return mmio_read(c, gpa, size);
}

static inline void lin_write(struct icpu *c, uint64_t lin, uint64_t v, unsigned size, bool user)
{
	if (unlikely(crosses_page(lin, size))) {
		split_access(c, lin, v, size, MMU_WRITE, user);
		return;
	}
	uint64_t gpa = 0;
	void *h = xlate(c, lin, MMU_WRITE, user, &gpa, size);
	if (likely(h != NULL))
		host_store(h, v, size);
	else
		mmio_write(c, gpa, v, size);
}

/* -- operand accesses -- */

/* the sizes vmem_host_fast() takes */
static inline bool fast_size(unsigned size)
{
	return size <= 8 && !(size & (size - 1));
}

static uint64_t vmem_read_slow(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	uint64_t lin = seg_linear(c, seg, off, size, MMU_READ);
	align_check(c, lin, size);
	return lin_read(c, lin, size, c->cpl == 3);
}

static void vmem_write_slow(struct icpu *c, int seg, uint64_t off, uint64_t val, unsigned size)
{
	uint64_t lin = seg_linear(c, seg, off, size, MMU_WRITE);
	align_check(c, lin, size);
	lin_write(c, lin, val, size, c->cpl == 3);
}

uint64_t vmem_read(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	if (likely(fast_size(size))) {
		void *h = vmem_host_fast_any(c, seg, off, size, MMU_READ);
		if (likely(h != NULL))
			return host_load(h, size);
	}
	return vmem_read_slow(c, seg, off, size);
}

void vmem_write(struct icpu *c, int seg, uint64_t off, uint64_t val, unsigned size)
{
	if (likely(fast_size(size))) {
		void *h = vmem_host_fast_any(c, seg, off, size, MMU_WRITE);
		if (likely(h != NULL)) {
			host_store(h, val, size);
			return;
		}
	}
	vmem_write_slow(c, seg, off, val, size);
}

uint64_t vmem_read_rmw(struct icpu *c, int seg, uint64_t off, unsigned size)
{
	if (likely(fast_size(size))) {
		void *h = vmem_host_fast_any(c, seg, off, size, MMU_WRITE);
		if (likely(h != NULL)) {
			c->rmw.host = h;
			c->rmw.seg = seg;
			c->rmw.off = off;
			c->rmw.size = size;
			return host_load(h, size);
		}
	}
	uint64_t lin = seg_linear(c, seg, off, size, MMU_WRITE);
	align_check(c, lin, size);
	bool user = c->cpl == 3;
	c->rmw.seg = seg;
	c->rmw.off = off;
	c->rmw.size = size;
	if (likely(!crosses_page(lin, size))) {
		uint64_t gpa = 0;
		void *h = xlate(c, lin, MMU_WRITE, user, &gpa, size);
		c->rmw.host = h;
		if (likely(h != NULL))
			return host_load(h, size);
		return mmio_read(c, gpa, size);
	}
	/* checked for writing on both pages now; the write goes the slow way */
	c->rmw.host = NULL;
	uint64_t gpa = 0;
	unsigned n1 = 0x1000 - (unsigned)(lin & 0xfff);
	xlate(c, lin, MMU_WRITE, user, &gpa, 0);
	xlate(c, c->code_size == 64 ? lin + n1 : (lin + n1) & 0xffffffffull, MMU_WRITE, user, &gpa, 0);
	return split_access(c, lin, 0, size, MMU_READ, user);
}

void vmem_write_rmw(struct icpu *c, uint64_t val)
{
	if (likely(c->rmw.host != NULL))
		host_store(c->rmw.host, val, c->rmw.size);
	else
		vmem_write(c, c->rmw.seg, c->rmw.off, val, c->rmw.size);
}

void vmem_probe(struct icpu *c, int seg, uint64_t off, unsigned size, enum mmu_access acc)
{
	uint64_t lin = seg_linear(c, seg, off, size, acc);
	align_check(c, lin, size);
	bool user = c->cpl == 3;
	uint64_t gpa = 0;
	xlate(c, lin, acc, user, &gpa, 0);
	if (crosses_page(lin, size)) {
		unsigned n1 = 0x1000 - (unsigned)(lin & 0xfff);
		uint64_t lin2 = lin + n1;
		if (c->code_size != 64)
			lin2 &= 0xffffffffull;
		xlate(c, lin2, acc, user, &gpa, 0);
	}
}

uint64_t lmem_read_sys(struct icpu *c, uint64_t lin, unsigned size)
{
	if (c->code_size != 64)
		lin &= 0xffffffffull;
	return lin_read(c, lin, size, false);
}

void lmem_write_sys(struct icpu *c, uint64_t lin, uint64_t val, unsigned size)
{
	if (c->code_size != 64)
		lin &= 0xffffffffull;
	lin_write(c, lin, val, size, false);
}

/* Instruction bytes: as many of `len` as can be fetched without a fault,
 * stopping at the CS limit or an unfetchable page; faults only when not
 * even the first byte can be fetched, so a decoder that needs more bytes
 * calls again and takes the fault at the exact byte. */
unsigned fetch_code(struct icpu *c, uint64_t rip, uint8_t *buf, unsigned len)
{
	const struct cpu_segment *cs = &c->s->seg[S_CS];
	bool user = c->cpl == 3;
	unsigned n = 0;
	while (n < len) {
		uint64_t off = rip + n, lin;
		if (c->code_size == 64) {
			lin = off;
			if (!canonical(lin))
				goto stop_gp;
		} else {
			if (off > cs->limit)
				goto stop_gp;
			lin = (cs->base + off) & 0xffffffffull;
		}
		unsigned chunk = 0x1000 - (unsigned)(lin & 0xfff);
		if (chunk > len - n)
			chunk = len - n;
		if (c->code_size != 64 && off + chunk - 1 > cs->limit)
			chunk = (unsigned)(cs->limit - off + 1);
		void *h = tlb_lookup(&c->tlb, lin, MMU_FETCH, user);
		uint64_t gpa = 0;
		if (!h) {
			uint32_t pferr = 0;
			enum tlb_fill_result r = tlb_fill(&c->tlb, &c->mr, lin, MMU_FETCH, user,
							  &h, &gpa, &pferr);
			if (r == TLB_FAULT) {
				if (n)
					return n;
				c->s->cr2 = lin;
				cpu_fault(c, EXC_PF, pferr);
			}
			if (r == TLB_MMIO)
				h = NULL;
		}
		if (h)
			memcpy(buf + n, h, chunk);
		else
			for (unsigned k = 0; k < chunk; k++)
				vcpu_mmio(c->v, gpa + k, buf + n + k, 1, false);
		n += chunk;
	}
	return n;
stop_gp:
	if (n)
		return n;
	cpu_fault(c, EXC_GP, 0);
}

uint64_t insn_ea(const struct icpu *c, const struct insn *i)
{
	/* MOV A0-A3 (moffs): the whole offset, 8 bytes with 64-bit addressing */
	if (__builtin_expect(i->base == REG_NONE && i->index == REG_NONE && i->map == MAP_ONE &&
			     (i->opcode & 0xfc) == 0xa0, 0))
		return i->imm & size_mask(i->asize);
	uint64_t ea = (uint64_t)(int64_t)i->disp;
	if (i->base != REG_NONE)
		ea += i->base == REG_RIP ? c->next_rip : c->s->gpr[i->base];
	if (i->index != REG_NONE)
		ea += c->s->gpr[i->index] << i->scale;
	return ea & size_mask(i->asize);
}

static inline uint64_t str_off(const struct icpu *c, const struct insn *i, int reg)
{
	return c->s->gpr[reg] & size_mask(i->asize);
}

uint64_t opnd_read(struct icpu *c, const struct insn *i, int n)
{
	const struct opnd *o = &i->opnd[n];
	switch (o->kind) {
	case OPK_REG:
		return reg_read(c, o->reg, o->size);
	case OPK_MEM:
		return vmem_read(c, i->seg, insn_ea(c, i), o->size);
	case OPK_IMM:
		return i->imm & size_mask(o->size);
	case OPK_REL:
		return i->imm;
	case OPK_FAR:
		return i->imm;
	case OPK_SEG:
		return c->s->seg[o->reg].selector;
	case OPK_ONE:
		return 1;
	case OPK_STR_SRC:
		return vmem_read(c, i->seg, str_off(c, i, R_ESI), o->size);
	case OPK_STR_DST:
		return vmem_read(c, S_ES, str_off(c, i, R_EDI), o->size);
	case OPK_CR:
		switch (o->reg) {
		case 0: return c->s->cr0;
		case 2: return c->s->cr2;
		case 3: return c->s->cr3;
		case 4: return c->s->cr4;
		case 8: return c->s->cr8;
		default: cpu_ud(c);
		}
	case OPK_DR:
		return c->s->dr[o->reg & 7];
	default:
		log_once("interp: operand kind %u of %s not readable here", o->kind,
			 insn_op_name[i->op]);
		cpu_ud(c);
	}
}

void opnd_write(struct icpu *c, const struct insn *i, int n, uint64_t v)
{
	const struct opnd *o = &i->opnd[n];
	switch (o->kind) {
	case OPK_REG:
		reg_write(c, o->reg, o->size, v);
		return;
	case OPK_MEM:
		vmem_write(c, i->seg, insn_ea(c, i), v, o->size);
		return;
	case OPK_STR_DST:
		vmem_write(c, S_ES, str_off(c, i, R_EDI), v, o->size);
		return;
	default:
		/* segment, control and debug registers have side effects: their
		 * instructions write them through system.h, never here */
		log_once("interp: operand kind %u of %s not writable here", o->kind,
			 insn_op_name[i->op]);
		cpu_ud(c);
	}
}

/* -- stack -- */

void stack_push(struct icpu *c, uint64_t v, unsigned size)
{
	unsigned ss = c->stack_size;
	uint64_t sp = (c->s->gpr[R_ESP] - size) & size_mask(ss);
	vmem_write(c, S_SS, sp, v, size);
	reg_write(c, R_ESP, ss, sp);
}

uint64_t stack_pop(struct icpu *c, unsigned size)
{
	unsigned ss = c->stack_size;
	uint64_t sp = c->s->gpr[R_ESP] & size_mask(ss);
	uint64_t v = vmem_read(c, S_SS, sp, size);
	reg_write(c, R_ESP, ss, sp + size);
	return v;
}

uint64_t stack_peek(struct icpu *c, unsigned depth, unsigned size)
{
	uint64_t m = size_mask(c->stack_size);
	return vmem_read(c, S_SS, (c->s->gpr[R_ESP] + depth) & m, size);
}
