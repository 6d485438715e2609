/* Unit tests for boot_setup: bzImage, multiboot, ELF/PVH, MP table, e820,
 * BIOS mapping, every error path, and mutated images that must not crash. */
// SPDX-License-Identifier: MIT
#include "firmware/boot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testsuite/unit/check.h"

#define MIB (1ull << 20)

struct rig {
	struct bus mmio;
	struct physmap pm;
	struct cpu_state cpu;
	struct boot_config cfg;
	char err[4096];		/* stderr of the last boot */
	char *files[16];
	int nfiles;
};

static void rig_init(struct rig *r, uint64_t ram)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->mmio, "mmio");
	if (physmap_init(&r->pm, ram, &r->mmio) < 0)
		abort();
	cpu_state_reset(&r->cpu, false);
	r->cfg.ncpus = 1;
}

static void rig_done(struct rig *r)
{
	for (int i = 0; i < r->nfiles; i++) {
		unlink(r->files[i]);
		free(r->files[i]);
	}
	physmap_destroy(&r->pm);
	bus_destroy(&r->mmio);
}

/* a temp file holding buf; removed by rig_done */
static const char *tmp_file(struct rig *r, const void *buf, size_t len, const char *tmpl)
{
	char *path = strdup(tmpl ? tmpl : "/tmp/trivisor-boot-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || (len && write(fd, buf, len) != (ssize_t)len))
		abort();
	close(fd);
	r->files[r->nfiles++] = path;
	return path;
}

/* boot_setup with stderr caught in r->err */
static int boot(struct rig *r)
{
	fflush(stderr);
	int saved = dup(2);
	FILE *t = tmpfile();
	dup2(fileno(t), 2);
	int rc = boot_setup(&r->pm, &r->cfg, &r->cpu);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(t);
	size_t n = fread(r->err, 1, sizeof(r->err) - 1, t);
	r->err[n] = 0;
	fclose(t);
	return rc;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* -1 with exactly one line "trivisor: <name>: ...<what>..." */
static void expect_error(struct rig *r, const char *name, const char *what)
{
	int rc = boot(r);
	CHECK_EQ(rc, (uint64_t)-1);
	char prefix[512];
	snprintf(prefix, sizeof(prefix), "trivisor: %s: ", name);
	CHECK(!strncmp(r->err, prefix, strlen(prefix)));
	CHECK(strstr(r->err, what) != NULL);
	CHECK_EQ(count_lines(r->err), 1);
	if (strncmp(r->err, prefix, strlen(prefix)) || !strstr(r->err, what))
		printf("  got: %s", r->err);
}

static uint32_t rd32(struct rig *r, uint64_t gpa)
{
	uint8_t b[4];
	phys_read(&r->pm, gpa, b, 4);
	return (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
}
static uint64_t rd64(struct rig *r, uint64_t gpa) { return rd32(r, gpa) | (uint64_t)rd32(r, gpa + 4) << 32; }
static uint16_t rd16(struct rig *r, uint64_t gpa) { return (uint16_t)rd32(r, gpa); }
static uint8_t rd8(struct rig *r, uint64_t gpa) { return (uint8_t)rd32(r, gpa); }
static void rdstr(struct rig *r, uint64_t gpa, char *buf, size_t len)
{
	phys_read(&r->pm, gpa, buf, len);
	buf[len - 1] = 0;
}

static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, (uint16_t)v); w16(p + 2, (uint16_t)(v >> 16)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

/* ---- images ---- */

#define BZ_SETUP (5 * 512)

struct bz_opts {
	uint16_t version;
	uint16_t xloadflags;
	uint32_t prot_size, cmdline_size, initrd_max, code32_start, init_size;
};

static uint8_t *make_bzimage(const struct bz_opts *o, size_t *len)
{
	*len = BZ_SETUP + o->prot_size;
	uint8_t *b = calloc(1, *len);
	b[0x1f1] = 4;
	w32(b + 0x1f4, (o->prot_size + 15) / 16);
	w16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = 0x6a;		/* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	w16(b + 0x206, o->version);
	b[0x211] = 0x01;		/* LOADED_HIGH */
	w32(b + 0x214, o->code32_start ? o->code32_start : 0x100000);
	w32(b + 0x22c, o->initrd_max);
	w32(b + 0x230, 0x200000);
	b[0x234] = 1;
	w16(b + 0x236, o->xloadflags);
	w32(b + 0x238, o->cmdline_size);
	w32(b + 0x260, o->init_size);
	for (uint32_t i = 0; i < o->prot_size; i++)
		b[BZ_SETUP + i] = (uint8_t)(i * 7 + 1);
	return b;
}

static const struct bz_opts bz_default = {
	.version = 0x20f, .xloadflags = 1, .prot_size = 0x3000,
	.cmdline_size = 2047, .initrd_max = 0x7fffffff, .init_size = 0x8000,
};

static const char *bz_file(struct rig *r, const struct bz_opts *o)
{
	size_t len;
	uint8_t *b = make_bzimage(o, &len);
	const char *p = tmp_file(r, b, len, NULL);
	free(b);
	return p;
}

/* ELF with up to 4 segments; ELF64 when is64; an optional PVH note */
struct seg {
	uint64_t vaddr, paddr, filesz, memsz;
	uint8_t fill;
};

static uint8_t *make_elf(bool is64, uint64_t entry, const struct seg *s, int nseg,
			 int64_t pvh, const uint8_t *extra, size_t extra_len, size_t *len)
{
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	int nph = nseg + (pvh >= 0);
	size_t off = eh + ph * (size_t)nph;
	size_t note_off = off, note_len = pvh >= 0 ? 12 + 4 + 8 : 0;
	off += note_len;
	size_t extra_off = off;
	off += extra_len;
	size_t data_off = (off + 15) & ~(size_t)15;
	size_t total = data_off;
	for (int i = 0; i < nseg; i++)
		total += s[i].filesz;
	uint8_t *b = calloc(1, total);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	w16(b + 0x10, 2);
	w16(b + 0x12, is64 ? 62 : 3);
	if (is64) {
		w64(b + 0x18, entry);
		w64(b + 0x20, eh);
		w16(b + 0x34, 64);
		w16(b + 0x36, 56);
		w16(b + 0x38, (uint16_t)nph);
	} else {
		w32(b + 0x18, (uint32_t)entry);
		w32(b + 0x1c, (uint32_t)eh);
		w16(b + 0x28, 52);
		w16(b + 0x2a, 32);
		w16(b + 0x2c, (uint16_t)nph);
	}
	size_t d = data_off;
	for (int i = 0; i < nph; i++) {
		uint8_t *p = b + eh + ph * (size_t)i;
		bool note = i == nseg;
		uint32_t type = note ? 4 : 1;
		uint64_t o = note ? note_off : d;
		uint64_t va = note ? 0 : s[i].vaddr, pa = note ? 0 : s[i].paddr;
		uint64_t fs = note ? note_len : s[i].filesz, ms = note ? note_len : s[i].memsz;
		if (is64) {
			w32(p, type);
			w64(p + 8, o);
			w64(p + 16, va);
			w64(p + 24, pa);
			w64(p + 32, fs);
			w64(p + 40, ms);
		} else {
			w32(p, type);
			w32(p + 4, (uint32_t)o);
			w32(p + 8, (uint32_t)va);
			w32(p + 12, (uint32_t)pa);
			w32(p + 16, (uint32_t)fs);
			w32(p + 20, (uint32_t)ms);
		}
		if (!note) {
			memset(b + d, s[i].fill, s[i].filesz);
			d += s[i].filesz;
		}
	}
	if (pvh >= 0) {
		uint8_t *n = b + note_off;
		w32(n, 4);
		w32(n + 4, 8);
		w32(n + 8, 18);
		memcpy(n + 12, "Xen", 4);
		w64(n + 16, (uint64_t)pvh);
	}
	if (extra_len)
		memcpy(b + extra_off, extra, extra_len);
	*len = total;
	return b;
}

static void mb_header(uint8_t *h, uint32_t flags)
{
	w32(h, 0x1badb002);
	w32(h + 4, flags);
	w32(h + 8, (uint32_t)-(0x1badb002u + flags));
}

/* a.out-kludge multiboot image loaded at 0x100000, header at offset 0x40 */
static uint8_t *make_mb_aout(size_t body, uint32_t bss, size_t *len)
{
	*len = body;
	uint8_t *b = calloc(1, body);
	for (size_t i = 0; i < body; i++)
		b[i] = (uint8_t)(i ^ 0x5a);
	uint8_t *h = b + 0x40;
	mb_header(h, 0x10003);
	w32(h + 12, 0x100040);		/* header_addr */
	w32(h + 16, 0x100000);		/* load_addr */
	w32(h + 20, 0);			/* load_end_addr: the whole file */
	w32(h + 24, bss ? (uint32_t)(0x100000 + body + bss) : 0);
	w32(h + 28, 0x100080);		/* entry */
	return b;
}

/* ---- Linux ---- */

static void check_e820_std(struct rig *r, uint64_t zp, uint64_t lowmem)
{
	static const struct { uint64_t a, s; uint32_t t; } want[] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
		{ 0x100000, 0, 1 }, { 0xfec00000, 0x1000, 2 }, { 0xfee00000, 0x1000, 2 },
		{ 0xfffc0000, 0x40000, 2 },
	};
	CHECK_EQ(rd8(r, zp + 0x1e8), 7);
	for (int i = 0; i < 7; i++) {
		uint64_t e = zp + 0x2d0 + 20 * (uint64_t)i;
		CHECK_EQ(rd64(r, e), want[i].a);
		CHECK_EQ(rd64(r, e + 8), i == 3 ? lowmem - 0x100000 : want[i].s);
		CHECK_EQ(rd32(r, e + 16), want[i].t);
	}
}

static void test_bzimage_64(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	r.cfg.cmdline = "console=ttyS0 root=/dev/sda";
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.err[0], 0);

	/* the protected-mode part at 1 MiB */
	uint8_t k[0x3000];
	phys_read(&r.pm, 0x100000, k, sizeof(k));
	CHECK_EQ(k[0], 1);
	CHECK_EQ(k[0x2fff], (uint8_t)(0x2fff * 7 + 1));

	/* zero page */
	uint64_t zp = r.cpu.gpr[R_ESI];
	CHECK_EQ(zp, 0x7000);
	CHECK_EQ(rd32(&r, zp + 0x202), 0x53726448);
	CHECK_EQ(rd16(&r, zp + 0x206), 0x20f);
	CHECK_EQ(rd8(&r, zp + 0x210), 0xff);
	CHECK_EQ(rd8(&r, zp + 0x211), 0x81);
	CHECK_EQ(rd16(&r, zp + 0x224), 0xfe00);
	CHECK_EQ(rd32(&r, zp + 0x228), 0x20000);
	CHECK_EQ(rd32(&r, zp + 0x218), 0);
	CHECK_EQ(rd32(&r, zp + 0x21c), 0);
	CHECK_EQ(rd64(&r, zp + 0x70), 0);
	CHECK_EQ(rd32(&r, zp + 0x230), 0x200000);	/* copied from the image */
	CHECK_EQ(rd8(&r, zp + 0x1f1), 4);
	CHECK_EQ(rd8(&r, zp + 0x0f), 1);		/* VGA text */
	char cl[64];
	rdstr(&r, 0x20000, cl, sizeof(cl));
	CHECK(!strcmp(cl, "console=ttyS0 root=/dev/sda"));
	check_e820_std(&r, zp, 64 * MIB);

	/* long mode entry */
	struct cpu_state *c = &r.cpu;
	CHECK_EQ(c->rip, 0x100200);
	CHECK_EQ(c->seg[S_CS].selector, 0x10);
	CHECK(c->seg[S_CS].attr & SEG_ATTR_L);
	CHECK(!(c->seg[S_CS].attr & SEG_ATTR_DB));
	CHECK(c->seg[S_CS].attr & SEG_ATTR_P);
	CHECK_EQ(SEG_ATTR_TYPE(c->seg[S_CS].attr), 0xb);
	for (int s = 0; s < CPU_NR_SEGS; s++) {
		if (s == S_CS)
			continue;
		CHECK_EQ(c->seg[s].selector, 0x18);
		CHECK_EQ(c->seg[s].base, 0);
		CHECK_EQ(c->seg[s].limit, 0xffffffff);
		CHECK_EQ(SEG_ATTR_TYPE(c->seg[s].attr), 3);
	}
	CHECK_EQ(c->cr0 & (CR0_PE | CR0_PG | CR0_CD | CR0_NW), CR0_PE | CR0_PG);
	CHECK_EQ(c->cr4, CR4_PAE);
	CHECK_EQ(c->efer, EFER_LME | EFER_LMA);
	CHECK_EQ(c->rflags, 2);
	CHECK_EQ(c->gdt.limit, 31);
	/* the GDT in guest memory matches the hidden parts */
	CHECK_EQ(rd64(&r, c->gdt.base + 0x10), 0x00af9b000000ffffull);
	CHECK_EQ(rd64(&r, c->gdt.base + 0x18), 0x00cf93000000ffffull);
	/* identity map of 4 GiB in 2 MiB pages */
	uint64_t pdpt = rd64(&r, c->cr3) & ~0xfffull;
	CHECK(rd64(&r, c->cr3) & 1);
	for (int i = 0; i < 4; i++) {
		uint64_t pd = rd64(&r, pdpt + 8 * (uint64_t)i) & ~0xfffull;
		CHECK_EQ(rd64(&r, pd) & ~0xfffull, (uint64_t)i << 30);
		CHECK_EQ(rd64(&r, pd + 8 * 511), ((uint64_t)i << 30 | 511ull << 21) | 0x83);
	}
	rig_done(&r);
}

static void test_bzimage_32(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.xloadflags = 0;
	r.cfg.kernel = bz_file(&r, &o);
	r.cpu.gpr[R_EBX] = r.cpu.gpr[R_EBP] = r.cpu.gpr[R_EDI] = 0x1234;
	CHECK_EQ(boot(&r), 0);
	struct cpu_state *c = &r.cpu;
	CHECK_EQ(c->rip, 0x100000);
	CHECK_EQ(c->gpr[R_ESI], 0x7000);
	CHECK_EQ(c->gpr[R_EBX], 0);
	CHECK_EQ(c->gpr[R_EBP], 0);
	CHECK_EQ(c->gpr[R_EDI], 0);
	CHECK_EQ(c->seg[S_CS].selector, 0x10);
	CHECK_EQ(c->seg[S_CS].base, 0);
	CHECK_EQ(c->seg[S_CS].limit, 0xffffffff);
	CHECK(c->seg[S_CS].attr & SEG_ATTR_DB);
	CHECK(c->seg[S_CS].attr & SEG_ATTR_G);
	CHECK(!(c->seg[S_CS].attr & SEG_ATTR_L));
	CHECK_EQ(c->seg[S_DS].selector, 0x18);
	CHECK_EQ(c->seg[S_SS].selector, 0x18);
	CHECK_EQ(c->seg[S_ES].selector, 0x18);
	CHECK_EQ(c->cr0 & (CR0_PE | CR0_PG), CR0_PE);
	CHECK_EQ(c->efer, 0);
	CHECK_EQ(c->cr4, 0);
	CHECK_EQ(c->rflags & FL_IF, 0);
	CHECK_EQ(rd64(&r, c->gdt.base + 0x10), 0x00cf9b000000ffffull);
	/* no command line: an empty string still */
	CHECK_EQ(rd8(&r, 0x20000), 0);
	rig_done(&r);
}

/* before 2.12 the xloadflags bytes mean nothing: 32-bit entry */
static void test_bzimage_xloadflags_needs_2_12(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.version = 0x20b;
	r.cfg.kernel = bz_file(&r, &o);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.cpu.rip, 0x100000);
	CHECK_EQ(r.cpu.efer, 0);
	rig_done(&r);
}

static void test_bzimage_code32_start(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.code32_start = 0x200000;
	r.cfg.kernel = bz_file(&r, &o);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.cpu.rip, 0x200200);
	CHECK_EQ(rd8(&r, 0x200000), 1);
	rig_done(&r);
}

static void test_bzimage_cmdline_truncated(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.cmdline_size = 8;
	r.cfg.kernel = bz_file(&r, &o);
	r.cfg.cmdline = "0123456789abcdef";
	CHECK_EQ(boot(&r), 0);
	char cl[32];
	rdstr(&r, 0x20000, cl, sizeof(cl));
	CHECK(!strcmp(cl, "01234567"));
	CHECK(strstr(r.err, "cut to 8 bytes") != NULL);
	rig_done(&r);
}

static void test_bzimage_initrd(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	uint8_t rd[10000];
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i * 13);
	r.cfg.initrd = tmp_file(&r, rd, sizeof(rd), NULL);
	CHECK_EQ(boot(&r), 0);
	/* as high as possible below lowmem, page aligned */
	CHECK_EQ(rd32(&r, 0x7000 + 0x218), (64 * MIB - sizeof(rd)) & ~0xfffull);
	CHECK_EQ(rd32(&r, 0x7000 + 0x21c), sizeof(rd));
	uint8_t got[sizeof(rd)];
	phys_read(&r.pm, rd32(&r, 0x7000 + 0x218), got, sizeof(got));
	CHECK(!memcmp(got, rd, sizeof(rd)));
	rig_done(&r);

	/* initrd_addr_max is the highest byte it may occupy */
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.initrd_max = 0xffffff;
	r.cfg.kernel = bz_file(&r, &o);
	r.cfg.initrd = tmp_file(&r, rd, sizeof(rd), NULL);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(rd32(&r, 0x7000 + 0x218), (0x1000000 - sizeof(rd)) & ~0xfffull);
	rig_done(&r);
}

static void test_bzimage_initrd_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	r.cfg.initrd = "/nonexistent/initrd.img";
	expect_error(&r, "/nonexistent/initrd.img", "No such file");
	rig_done(&r);

	/* below initrd_addr_max there is only the kernel's own room */
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.initrd_max = 0x108fff;
	r.cfg.kernel = bz_file(&r, &o);
	uint8_t rd[8192] = { 0 };
	r.cfg.initrd = tmp_file(&r, rd, sizeof(rd), NULL);
	expect_error(&r, r.cfg.initrd, "does not fit");
	rig_done(&r);

	/* bigger than RAM */
	rig_init(&r, 4 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	r.cfg.initrd = tmp_file(&r, NULL, 0, NULL);
	CHECK_EQ(truncate(r.cfg.initrd, 5 * MIB), 0);
	expect_error(&r, r.cfg.initrd, "too large");
	rig_done(&r);
}

static void test_bzimage_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct bz_opts o = bz_default;
	o.version = 0x205;
	r.cfg.kernel = bz_file(&r, &o);
	expect_error(&r, r.cfg.kernel, "2.05 is too old");
	rig_done(&r);

	/* syssize says more than the file holds */
	rig_init(&r, 64 * MIB);
	size_t len;
	uint8_t *b = make_bzimage(&bz_default, &len);
	r.cfg.kernel = tmp_file(&r, b, len - 0x1000, NULL);
	expect_error(&r, r.cfg.kernel, "truncated bzImage");
	/* cut inside the setup sectors */
	r.cfg.kernel = tmp_file(&r, b, 0x300, NULL);
	expect_error(&r, r.cfg.kernel, "truncated");
	/* not loaded high: a zImage */
	b[0x211] = 0;
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "zImage");
	free(b);
	rig_done(&r);

	/* asks to be loaded outside RAM */
	rig_init(&r, 64 * MIB);
	o = bz_default;
	o.code32_start = 0x10000000;
	r.cfg.kernel = bz_file(&r, &o);
	expect_error(&r, r.cfg.kernel, "not all RAM");
	rig_done(&r);

	/* needs more room to decompress than RAM has */
	rig_init(&r, 4 * MIB);
	o = bz_default;
	o.init_size = 0x800000;
	r.cfg.kernel = bz_file(&r, &o);
	expect_error(&r, r.cfg.kernel, "not all RAM");
	rig_done(&r);
}

/* ---- MP table ---- */

static uint8_t sum(struct rig *r, uint64_t gpa, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + rd8(r, gpa + i));
	return s;
}

static void check_mptable(int ncpus)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	r.cfg.ncpus = ncpus;
	CHECK_EQ(boot(&r), 0);
	/* find the floating pointer where Linux looks for it */
	uint64_t fp = 0;
	for (uint64_t a = 0xf0000; a < 0x100000; a += 16)
		if (rd32(&r, a) == 0x5f504d5f) {
			fp = a;
			break;
		}
	CHECK(fp != 0);
	CHECK_EQ(sum(&r, fp, 16), 0);
	CHECK_EQ(rd8(&r, fp + 8), 1);
	CHECK_EQ(rd8(&r, fp + 9), 4);
	CHECK_EQ(rd8(&r, fp + 11), 0);	/* feature byte 1: table present */
	uint64_t t = rd32(&r, fp + 4);
	CHECK_EQ(rd32(&r, t), 0x504d4350);	/* "PCMP" */
	uint16_t len = rd16(&r, t + 4);
	CHECK_EQ(sum(&r, t, len), 0);
	CHECK_EQ(rd8(&r, t + 6), 4);
	CHECK_EQ(rd32(&r, t + 36), 0xfee00000);
	int count = rd16(&r, t + 34);
	CHECK_EQ(count, ncpus + 1 + 1 + 15 + 2);
	int procs = 0, buses = 0, ioapics = 0, ints = 0, lints = 0, bsps = 0;
	uint64_t p = t + 44;
	bool irq2 = false, irq0_pin2 = false;
	for (int i = 0; i < count && p < t + len; i++) {
		switch (rd8(&r, p)) {
		case 0:
			CHECK_EQ(rd8(&r, p + 1), procs);
			CHECK(rd8(&r, p + 3) & 1);
			if (rd8(&r, p + 3) & 2) {
				bsps++;
				CHECK_EQ(rd8(&r, p + 1), 0);
			}
			CHECK_EQ((rd32(&r, p + 4) >> 8) & 0xf, 6);
			procs++;
			p += 20;
			break;
		case 1:
			CHECK_EQ(rd32(&r, p + 2), 0x20415349);	/* "ISA " */
			buses++;
			p += 8;
			break;
		case 2:
			CHECK_EQ(rd8(&r, p + 1), ncpus);
			CHECK_EQ(rd8(&r, p + 2), 0x11);
			CHECK_EQ(rd8(&r, p + 3) & 1, 1);
			CHECK_EQ(rd32(&r, p + 4), 0xfec00000);
			ioapics++;
			p += 8;
			break;
		case 3: {
			uint8_t irq = rd8(&r, p + 5), pin = rd8(&r, p + 7);
			CHECK_EQ(rd8(&r, p + 1), 0);
			CHECK_EQ(rd8(&r, p + 6), ncpus);
			if (irq == 2)
				irq2 = true;
			if (irq == 0)
				irq0_pin2 = pin == 2;
			else
				CHECK_EQ(pin, irq);
			ints++;
			p += 8;
			break;
		}
		case 4:
			CHECK_EQ(rd8(&r, p + 1), lints == 0 ? 3 : 1);	/* ExtINT, then NMI */
			CHECK_EQ(rd8(&r, p + 6), 0xff);
			CHECK_EQ(rd8(&r, p + 7), lints);
			lints++;
			p += 8;
			break;
		default:
			CHECK(0);
			p = t + len;
		}
	}
	CHECK_EQ(p, t + len);
	CHECK_EQ(procs, ncpus);
	CHECK_EQ(bsps, 1);
	CHECK_EQ(buses, 1);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(ints, 15);
	CHECK_EQ(lints, 2);
	CHECK(!irq2);
	CHECK(irq0_pin2);
	/* the BDA points at the EBDA */
	CHECK_EQ(rd16(&r, 0x40e), 0x9fc0);
	rig_done(&r);
}

static void test_mptable_1cpu(void) { check_mptable(1); }
static void test_mptable_2cpus(void) { check_mptable(2); }
static void test_mptable_many_cpus(void) { check_mptable(64); }

static void test_mptable_bad_ncpus(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	r.cfg.ncpus = 0;
	CHECK_EQ(boot(&r), (uint64_t)-1);
	CHECK_EQ(count_lines(r.err), 1);
	r.cfg.ncpus = 1000;
	CHECK_EQ(boot(&r), (uint64_t)-1);
	CHECK_EQ(count_lines(r.err), 1);
	rig_done(&r);
}

/* ---- multiboot ---- */

static void test_multiboot_aout(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	size_t len;
	uint8_t *b = make_mb_aout(0x2000, 0x3000, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	r.cfg.cmdline = "hello world";
	uint8_t m1[5000], m2[100];
	memset(m1, 0x11, sizeof(m1));
	memset(m2, 0x22, sizeof(m2));
	const char *p1 = tmp_file(&r, m1, sizeof(m1), NULL);
	/* a comma in a path is written doubled */
	const char *p2 = tmp_file(&r, m2, sizeof(m2), "/tmp/trivisor,boot-XXXXXX");
	char list[256], p2esc[128], s2[128];
	size_t j = 0;
	for (const char *s = p2; *s; s++) {
		if (*s == ',')
			p2esc[j++] = ',';
		p2esc[j++] = *s;
	}
	p2esc[j] = 0;
	snprintf(list, sizeof(list), "%s arg1 arg2,%s", p1, p2esc);
	r.cfg.initrd = list;
	/* stale bytes where the bss goes must be cleared */
	uint8_t junk[0x3000];
	memset(junk, 0xaa, sizeof(junk));
	phys_write(&r.pm, 0x102000, junk, sizeof(junk));

	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.err[0], 0);
	struct cpu_state *c = &r.cpu;
	CHECK_EQ(c->gpr[R_EAX], 0x2badb002);
	CHECK_EQ(c->rip, 0x100080);
	CHECK_EQ(c->cr0 & (CR0_PE | CR0_PG), CR0_PE);
	CHECK_EQ(c->rflags, 2);
	CHECK(c->seg[S_CS].attr & SEG_ATTR_DB);
	CHECK_EQ(c->seg[S_FS].limit, 0xffffffff);
	CHECK_EQ(c->seg[S_GS].base, 0);

	uint8_t img[0x2000];
	phys_read(&r.pm, 0x100000, img, sizeof(img));
	CHECK(!memcmp(img, b, sizeof(img)));
	uint8_t bss[0x3000], zero[0x3000] = { 0 };
	phys_read(&r.pm, 0x102000, bss, sizeof(bss));
	CHECK(!memcmp(bss, zero, sizeof(bss)));

	uint64_t mbi = c->gpr[R_EBX];
	CHECK(mbi >= 0x105000);		/* above the kernel's bss */
	uint32_t flags = rd32(&r, mbi);
	CHECK_EQ(flags, 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
	CHECK_EQ(rd32(&r, mbi + 4), 639);
	CHECK_EQ(rd32(&r, mbi + 8), (64 * MIB - MIB) / 1024);
	char s[256], want[256];
	rdstr(&r, rd32(&r, mbi + 16), s, sizeof(s));
	snprintf(want, sizeof(want), "%s hello world", r.cfg.kernel);
	CHECK(!strcmp(s, want));
	rdstr(&r, rd32(&r, mbi + 64), s, sizeof(s));
	CHECK(!strcmp(s, "trivisor"));

	/* mmap: size-prefixed e820 entries */
	CHECK_EQ(rd32(&r, mbi + 44), 7 * 24);
	uint64_t mm = rd32(&r, mbi + 48);
	CHECK_EQ(rd32(&r, mm), 20);
	CHECK_EQ(rd64(&r, mm + 4), 0);
	CHECK_EQ(rd64(&r, mm + 12), 0x9fc00);
	CHECK_EQ(rd32(&r, mm + 20), 1);
	CHECK_EQ(rd64(&r, mm + 3 * 24 + 4), 0x100000);
	CHECK_EQ(rd64(&r, mm + 3 * 24 + 12), 63 * MIB);
	CHECK_EQ(rd32(&r, mm + 3 * 24 + 20), 1);
	CHECK_EQ(rd32(&r, mm + 6 * 24 + 20), 2);

	/* modules */
	CHECK_EQ(rd32(&r, mbi + 20), 2);
	uint64_t mods = rd32(&r, mbi + 24);
	uint32_t st = rd32(&r, mods), en = rd32(&r, mods + 4);
	CHECK_EQ(st & 0xfff, 0);
	CHECK_EQ(en - st, sizeof(m1));
	CHECK_EQ(rd8(&r, st), 0x11);
	CHECK_EQ(rd8(&r, en - 1), 0x11);
	rdstr(&r, rd32(&r, mods + 8), s, sizeof(s));
	snprintf(want, sizeof(want), "%s arg1 arg2", p1);
	CHECK(!strcmp(s, want));
	st = rd32(&r, mods + 16);
	en = rd32(&r, mods + 20);
	CHECK_EQ(st & 0xfff, 0);
	CHECK_EQ(en - st, sizeof(m2));
	CHECK_EQ(rd8(&r, st), 0x22);
	rdstr(&r, rd32(&r, mods + 24), s2, sizeof(s2));
	CHECK(!strcmp(s2, p2));
	/* everything the kernel is told of lies in RAM below lowmem */
	CHECK(en <= 64 * MIB);
	free(b);
	rig_done(&r);
}

static void test_multiboot_elf(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	uint8_t hdr[12];
	mb_header(hdr, 0x3);
	struct seg s[] = { { 0x200000, 0x200000, 0x800, 0x1000, 0xcc } };
	size_t len;
	uint8_t *b = make_elf(false, 0x200010, s, 1, -1, hdr, sizeof(hdr), &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.cpu.gpr[R_EAX], 0x2badb002);
	CHECK_EQ(r.cpu.rip, 0x200010);
	CHECK_EQ(rd8(&r, 0x200000), 0xcc);
	CHECK_EQ(rd8(&r, 0x2007ff), 0xcc);
	CHECK_EQ(rd8(&r, 0x200800), 0);
	uint64_t mbi = r.cpu.gpr[R_EBX];
	CHECK(mbi >= 0x201000);
	CHECK_EQ(rd32(&r, mbi + 20), 0);	/* no modules */
	char cl[256];
	rdstr(&r, rd32(&r, mbi + 16), cl, sizeof(cl));
	CHECK(!strcmp(cl, r.cfg.kernel));
	free(b);
	rig_done(&r);
}

static void test_multiboot_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	size_t len;
	uint8_t *b = make_mb_aout(0x1000, 0, &len);
	w32(b + 0x48, 0x12345678);		/* checksum */
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "bad checksum");
	free(b);

	/* a requirement we do not know */
	b = make_mb_aout(0x1000, 0, &len);
	mb_header(b + 0x40, 0x10000 | 0x8);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "features");
	free(b);

	/* loads outside RAM */
	b = make_mb_aout(0x1000, 0, &len);
	w32(b + 0x40 + 12, 0x10000040);
	w32(b + 0x40 + 16, 0x10000000);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "outside RAM");
	free(b);

	/* load_end past the file */
	b = make_mb_aout(0x1000, 0, &len);
	w32(b + 0x40 + 20, 0x100000 + 0x2000);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "load_end_addr");
	free(b);

	/* header_addr that would put the image before the file start */
	b = make_mb_aout(0x1000, 0, &len);
	w32(b + 0x40 + 12, 0x100100);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "header_addr");
	free(b);

	/* no address fields and not ELF */
	b = make_mb_aout(0x1000, 0, &len);
	mb_header(b + 0x40, 0x3);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "not ELF");
	free(b);

	/* a missing module */
	b = make_mb_aout(0x1000, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	r.cfg.initrd = "/nonexistent/mod args";
	expect_error(&r, "/nonexistent/mod", "No such file");
	free(b);
	rig_done(&r);
}

/* ---- ELF ---- */

static void test_elf32_plain(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct seg s[] = {
		{ 0xc0100000, 0x100000, 0x1000, 0x1000, 0x90 },
		{ 0xc0200000, 0x200000, 0x100, 0x2000, 0x41 },
	};
	size_t len;
	uint8_t *b = make_elf(false, 0xc0100010, s, 2, -1, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	uint8_t junk[0x2000];
	memset(junk, 0xee, sizeof(junk));
	phys_write(&r.pm, 0x200000, junk, sizeof(junk));
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(rd8(&r, 0x100000), 0x90);
	CHECK_EQ(rd8(&r, 0x100fff), 0x90);
	CHECK_EQ(rd8(&r, 0x2000ff), 0x41);
	CHECK_EQ(rd8(&r, 0x200100), 0);
	CHECK_EQ(rd8(&r, 0x201fff), 0);
	/* the virtual entry moved with its segment: paging is off */
	CHECK_EQ(r.cpu.rip, 0x100010);
	CHECK_EQ(r.cpu.cr0 & (CR0_PE | CR0_PG), CR0_PE);
	CHECK_EQ(r.cpu.seg[S_CS].selector, 0x10);
	CHECK(r.cpu.seg[S_CS].attr & SEG_ATTR_DB);
	CHECK_EQ(r.cpu.gpr[R_EBX], 0);
	free(b);
	rig_done(&r);
}

static void test_elf64_pvh(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	struct seg s[] = { { 0xffffffff81000000ull, 0x1000000, 0x2000, 0x4000, 0x55 } };
	size_t len;
	uint8_t *b = make_elf(true, 0xffffffff81000000ull, s, 1, 0x1000100, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	r.cfg.cmdline = "console=hvc0";
	uint8_t rd[3000];
	memset(rd, 0x77, sizeof(rd));
	r.cfg.initrd = tmp_file(&r, rd, sizeof(rd), NULL);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.cpu.rip, 0x1000100);
	CHECK_EQ(r.cpu.efer, 0);
	CHECK_EQ(r.cpu.cr0 & (CR0_PE | CR0_PG), CR0_PE);
	CHECK_EQ(r.cpu.tr.limit, 0x67);
	CHECK_EQ(rd8(&r, 0x1000000), 0x55);
	uint64_t si = r.cpu.gpr[R_EBX];
	CHECK(si >= 0x1004000);
	CHECK_EQ(rd32(&r, si), 0x336ec578);
	CHECK_EQ(rd32(&r, si + 4), 1);
	CHECK_EQ(rd32(&r, si + 12), 1);
	char cl[64];
	rdstr(&r, rd64(&r, si + 24), cl, sizeof(cl));
	CHECK(!strcmp(cl, "console=hvc0"));
	CHECK_EQ(rd64(&r, si + 32), 0);
	uint64_t mod = rd64(&r, si + 16);
	uint64_t at = rd64(&r, mod);
	CHECK_EQ(at & 0xfff, 0);
	CHECK_EQ(rd64(&r, mod + 8), sizeof(rd));
	CHECK_EQ(rd8(&r, at), 0x77);
	CHECK_EQ(rd8(&r, at + sizeof(rd) - 1), 0x77);
	uint64_t mm = rd64(&r, si + 40);
	CHECK_EQ(rd32(&r, si + 48), 7);
	CHECK_EQ(rd64(&r, mm + 3 * 24), 0x100000);
	CHECK_EQ(rd64(&r, mm + 3 * 24 + 8), 63 * MIB);
	CHECK_EQ(rd32(&r, mm + 3 * 24 + 16), 1);
	free(b);
	rig_done(&r);
}

static void test_elf_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	size_t len;
	struct seg s[] = { { 0x100000, 0x100000, 0x100, 0x100, 1 } };
	/* ELF64 whose entry is virtual, and no PVH note */
	struct seg s64[] = { { 0xffffffff81000000ull, 0x1000000, 0x100, 0x100, 1 } };
	uint8_t *b = make_elf(true, 0xffffffff80000000ull, s64, 1, -1, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "above 4 GiB");
	free(b);

	/* a segment outside RAM */
	struct seg out[] = { { 0x100000, 0x100000, 0x100, 0x100, 1 },
			     { 0x8000000, 0x8000000, 0x100, 0x100, 1 } };
	b = make_elf(false, 0x100000, out, 2, -1, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "outside RAM");
	free(b);
	/* one that wraps around the address space */
	struct seg wrap[] = { { 0xfffff000, 0xfffff000, 0x100, 0x2000, 1 } };
	b = make_elf(false, 0x100000, wrap, 1, -1, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "outside RAM");
	free(b);

	/* filesz beyond the file */
	b = make_elf(false, 0x100000, s, 1, -1, NULL, 0, &len);
	w32(b + 52 + 16, 0x100000);
	w32(b + 52 + 20, 0x100000);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "outside the file");
	free(b);

	/* program headers beyond the file */
	b = make_elf(false, 0x100000, s, 1, -1, NULL, 0, &len);
	w32(b + 0x1c, 0xfffffff0);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "program headers");
	free(b);

	/* another machine */
	b = make_elf(false, 0x100000, s, 1, -1, NULL, 0, &len);
	w16(b + 0x12, 40);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	expect_error(&r, r.cfg.kernel, "not x86");
	free(b);

	/* truncated header */
	b = make_elf(false, 0x100000, s, 1, -1, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, 40, NULL);
	expect_error(&r, r.cfg.kernel, "truncated");
	free(b);

	/* PVH with a missing initrd */
	b = make_elf(true, 0x100000, s, 1, 0x100000, NULL, 0, &len);
	r.cfg.kernel = tmp_file(&r, b, len, NULL);
	r.cfg.initrd = "/nonexistent/initrd";
	expect_error(&r, "/nonexistent/initrd", "No such file");
	free(b);
	rig_done(&r);
}

/* ---- the kernel file itself ---- */

static void test_kernel_file_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = "/nonexistent/bzImage";
	expect_error(&r, "/nonexistent/bzImage", "No such file");
	r.cfg.kernel = tmp_file(&r, NULL, 0, NULL);
	expect_error(&r, r.cfg.kernel, "empty");
	r.cfg.kernel = tmp_file(&r, "abc", 3, NULL);
	expect_error(&r, r.cfg.kernel, "too small");
	r.cfg.kernel = "/tmp";
	expect_error(&r, "/tmp", "not a regular file");
	uint8_t junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 31 + 7);
	r.cfg.kernel = tmp_file(&r, junk, sizeof(junk), NULL);
	expect_error(&r, r.cfg.kernel, "not a Linux bzImage, multiboot or ELF kernel");
	rig_done(&r);

	rig_init(&r, 2 * MIB);
	r.cfg.kernel = tmp_file(&r, NULL, 0, NULL);
	CHECK_EQ(truncate(r.cfg.kernel, 3 * MIB), 0);
	expect_error(&r, r.cfg.kernel, "too large");
	rig_done(&r);
}

/* a second boot (a reset) of the same kernel gives the same state */
static void test_kernel_reboot(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.kernel = bz_file(&r, &bz_default);
	CHECK_EQ(boot(&r), 0);
	struct cpu_state first = r.cpu;
	int nregions = r.pm.n;
	cpu_state_reset(&r.cpu, false);
	CHECK_EQ(boot(&r), 0);
	CHECK(!memcmp(&first, &r.cpu, sizeof(first)));
	CHECK_EQ(r.pm.n, nregions);
	rig_done(&r);
}

/* ---- BIOS ---- */

static uint8_t *make_bios(size_t size, uint8_t seed)
{
	uint8_t *b = malloc(size);
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)(i * 3 + seed + (i >> 12));
	return b;
}

static void test_bios_mapping(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	size_t size = 256 * 1024;
	uint8_t *b = make_bios(size, 1);
	r.cfg.bios = tmp_file(&r, b, size, NULL);
	struct cpu_state reset = r.cpu;
	CHECK_EQ(boot(&r), 0);
	CHECK(!memcmp(&reset, &r.cpu, sizeof(reset)));	/* the BSP is not touched */

	const struct physmap_region *hi = physmap_find(&r.pm, 0xfffffff0);
	CHECK(hi && hi->kind == PM_ROM);
	CHECK(hi && hi->gpa == 0x100000000ull - size && hi->size == size);
	uint8_t got[16];
	phys_read(&r.pm, 0xfffffff0, got, 16);
	CHECK(!memcmp(got, b + size - 16, 16));
	phys_read(&r.pm, 0xffff0, got, 16);
	CHECK(!memcmp(got, b + size - 16, 16));
	const struct physmap_region *lo = physmap_find(&r.pm, 0xe0000);
	CHECK(lo && lo->kind == PM_ROM && lo->gpa == 0xe0000 && lo->size == 0x20000);
	/* one host memory behind both views */
	CHECK(physmap_host(&r.pm, 0xffff0, 16) == physmap_host(&r.pm, 0xfffffff0, 16));
	/* RAM below stays RAM */
	CHECK(physmap_is_ram(&r.pm, 0xc0000, 0x20000));
	/* the guest cannot write the ROM */
	uint8_t ff[4] = { 0xff, 0xff, 0xff, 0xff };
	phys_write(&r.pm, 0xffff0, ff, 4);
	phys_read(&r.pm, 0xfffffff0, got, 4);
	CHECK(!memcmp(got, b + size - 16, 4));

	/* a reset: same mapping, fresh bytes, nothing added */
	int n = r.pm.n;
	uint8_t *host = physmap_host(&r.pm, 0xfffc0000, 1);
	CHECK_EQ(boot(&r), 0);
	CHECK_EQ(r.pm.n, n);
	CHECK(physmap_host(&r.pm, 0xfffc0000, 1) == host);
	free(b);
	rig_done(&r);
}

static void test_bios_resize(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	uint8_t *big = make_bios(128 * 1024, 2), *small = make_bios(64 * 1024, 3);
	r.cfg.bios = tmp_file(&r, big, 128 * 1024, NULL);
	CHECK_EQ(boot(&r), 0);
	int n = r.pm.n;
	r.cfg.bios = tmp_file(&r, small, 64 * 1024, NULL);
	CHECK_EQ(boot(&r), 0);
	/* the old low view is RAM again */
	CHECK(physmap_is_ram(&r.pm, 0xe0000, 0x10000));
	const struct physmap_region *lo = physmap_find(&r.pm, 0xf0000);
	CHECK(lo && lo->kind == PM_ROM && lo->gpa == 0xf0000);
	CHECK(physmap_find(&r.pm, 0xfffe0000) == NULL);
	uint8_t got[16];
	phys_read(&r.pm, 0xfffffff0, got, 16);
	CHECK(!memcmp(got, small + 64 * 1024 - 16, 16));
	phys_read(&r.pm, 0xffff0, got, 16);
	CHECK(!memcmp(got, small + 64 * 1024 - 16, 16));
	CHECK(r.pm.n <= n + 1);
	free(big);
	free(small);
	rig_done(&r);
}

static void test_bios_errors(void)
{
	struct rig r;
	rig_init(&r, 64 * MIB);
	r.cfg.bios = "/nonexistent/bios.bin";
	expect_error(&r, "/nonexistent/bios.bin", "No such file");
	r.cfg.bios = tmp_file(&r, NULL, 0, NULL);
	expect_error(&r, r.cfg.bios, "empty");
	uint8_t b[1000] = { 0 };
	r.cfg.bios = tmp_file(&r, b, sizeof(b), NULL);
	expect_error(&r, r.cfg.bios, "multiple of 64 KiB");
	r.cfg.bios = tmp_file(&r, NULL, 0, NULL);
	CHECK_EQ(truncate(r.cfg.bios, 16 * MIB), 0);
	expect_error(&r, r.cfg.bios, "too large");
	/* nothing got mapped */
	CHECK(physmap_find(&r.pm, 0xfffffff0) == NULL);
	rig_done(&r);
}

static void test_bios_default_path(void)
{
	if (access(BOOT_DEFAULT_BIOS, R_OK) != 0)
		return;	/* not installed on this host */
	struct rig r;
	rig_init(&r, 64 * MIB);
	CHECK_EQ(boot(&r), 0);
	const struct physmap_region *hi = physmap_find(&r.pm, 0xfffffff0);
	CHECK(hi && hi->kind == PM_ROM);
	/* the reset vector holds a far jump */
	CHECK_EQ(rd8(&r, 0xfffffff0), 0xea);
	rig_done(&r);
}

/* ---- mutated images never crash ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_fuzz(void)
{
	struct rig r;
	rig_init(&r, 16 * MIB);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t *base[5];
	size_t blen[5];
	struct bz_opts o = bz_default;
	o.prot_size = 0x800;
	base[0] = make_bzimage(&o, &blen[0]);
	base[1] = make_mb_aout(0x400, 0x100, &blen[1]);
	uint8_t hdr[32];
	mb_header(hdr, 0x3);
	struct seg s[] = { { 0x100000, 0x100000, 0x200, 0x400, 1 }, { 0xc0200000, 0x200000, 0x80, 0x80, 2 } };
	base[2] = make_elf(false, 0x100000, s, 2, -1, hdr, 12, &blen[2]);
	base[3] = make_elf(true, 0x100000, s, 2, 0x100000, NULL, 0, &blen[3]);
	base[4] = make_elf(false, 0x100000, s, 2, 0x100000, NULL, 0, &blen[4]);
	uint8_t rd[64] = { 0 };
	const char *initrd = tmp_file(&r, rd, sizeof(rd), NULL);
	int ok = 0;
	for (int it = 0; it < 200; it++) {
		int k = (int)(rng_next(&seed) % 5);
		size_t len = blen[k];
		uint8_t *b = malloc(len);
		memcpy(b, base[k], len);
		int muts = 1 + (int)(rng_next(&seed) % 4);
		for (int m = 0; m < muts; m++) {
			uint64_t v = rng_next(&seed);
			/* mostly the headers, where the sizes and addresses are */
			size_t span = (v >> 60) < 12 && len > 0x280 ? 0x280 : len;
			size_t at = (size_t)(v % span);
			switch ((v >> 32) % 16) {
			case 0: case 1: case 2: case 3: case 4: case 5:
				b[at] ^= (uint8_t)(v >> 40);
				break;
			case 6: case 7: case 8: case 9: case 10:	/* a whole random field */
				if (at + 4 <= len)
					w32(b + at, (uint32_t)(v >> 16));
				break;
			case 11: case 12: case 13: case 14:	/* an edge value */
				if (at + 4 <= len)
					w32(b + at, (v >> 40) & 1 ? 0xffffffffu : 0);
				break;
			default:
				len = at ? at : 1;	/* truncate */
				break;
			}
		}
		char name[64];
		snprintf(name, sizeof(name), "/tmp/trivisor-fuzz-XXXXXX");
		int fd = mkstemp(name);
		if (fd < 0 || write(fd, b, len) != (ssize_t)len)
			abort();
		close(fd);
		r.cfg.kernel = name;
		r.cfg.initrd = (it & 1) ? initrd : NULL;
		r.cfg.cmdline = "x";
		r.cfg.ncpus = 1 + (int)(rng_next(&seed) % 4);
		cpu_state_reset(&r.cpu, false);
		int rc = boot(&r);
		/* either it loads silently (a cut command line aside), or exactly one line */
		CHECK(rc == 0 || rc == -1);
		if (rc == -1)
			CHECK_EQ(count_lines(r.err), 1);
		ok += rc == 0;
		unlink(name);
		free(b);
	}
	/* some mutations leave a loadable image */
	CHECK(ok > 0);
	for (int i = 0; i < 5; i++)
		free(base[i]);
	rig_done(&r);
}

int main(void)
{
	CHECK_SUITE("boot");
	RUN(test_bzimage_64);
	RUN(test_bzimage_32);
	RUN(test_bzimage_xloadflags_needs_2_12);
	RUN(test_bzimage_code32_start);
	RUN(test_bzimage_cmdline_truncated);
	RUN(test_bzimage_initrd);
	RUN(test_bzimage_initrd_errors);
	RUN(test_bzimage_errors);
	RUN(test_mptable_1cpu);
	RUN(test_mptable_2cpus);
	RUN(test_mptable_many_cpus);
	RUN(test_mptable_bad_ncpus);
	RUN(test_multiboot_aout);
	RUN(test_multiboot_elf);
	RUN(test_multiboot_errors);
	RUN(test_elf32_plain);
	RUN(test_elf64_pvh);
	RUN(test_elf_errors);
	RUN(test_kernel_file_errors);
	RUN(test_kernel_reboot);
	RUN(test_bios_mapping);
	RUN(test_bios_resize);
	RUN(test_bios_errors);
	RUN(test_bios_default_path);
	RUN(test_fuzz);
	return CHECK_EXIT();
}
