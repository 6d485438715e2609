// The BCD adjusts and SALC against a reference recorded on real CPUs and, where 32-bit programs run, the host itself.
// SPDX-License-Identifier: MIT
/* DAA DAS AAA AAS AAM AAD and SALC exist in 32-bit mode only, so this
 * 64-bit test cannot run them in-process. Two sources instead:
 *   - the reference files testsuite/alu-host/alu32-VENDOR.txt.gz, made by
 *     `make alu32-reference` on a real CPU of that vendor (the header says
 *     which), checked on every host;
 *   - the 32-bit helper (testsuite/alu-host/alu_host32.c) run live, where
 *     the host runs 32-bit programs: the interpreter against its full case
 *     set, and its reference set against the file of the host's vendor,
 *     which must agree to the last flag.
 * Results and the flags the SDM defines must match every source. The flags
 * it leaves undefined are Intel's in the interpreter (cpu/interp/flags.c):
 * they must match a GenuineIntel source too; against other vendors the
 * differences are counted and named on the PASS line. */
#include <cpuid.h>
#include <glob.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include "testsuite/hostcaps/hostcaps.h"
#include "testsuite/unit/alurig.h"
#include "testsuite/unit/check.h"

/* the helper's record, the same in alu_host32.c */
struct alu32_rec {
	uint8_t opcode, imm;
	uint16_t ax_in, fl_in, ax_out, fl_out;
} __attribute__((packed));

static const struct {
	uint8_t opcode;
	const char *name;
	uint16_t op;
	uint32_t defined;	/* the flags the SDM defines */
} bcd_ops[] = {
	{0x27, "daa", OP_DAA, FL_CF | FL_AF | FL_SF | FL_ZF | FL_PF},
	{0x2f, "das", OP_DAS, FL_CF | FL_AF | FL_SF | FL_ZF | FL_PF},
	{0x37, "aaa", OP_AAA, FL_CF | FL_AF},
	{0x3f, "aas", OP_AAS, FL_CF | FL_AF},
	{0xd4, "aam", OP_AAM, FL_SF | FL_ZF | FL_PF},
	{0xd5, "aad", OP_AAD, FL_SF | FL_ZF | FL_PF},
	{0xd6, "salc", OP_SALC, FL_ARITH},
};
#define NOPS (sizeof bcd_ops / sizeof bcd_ops[0])

static struct hostcaps host;
static char host_vendor[13];
static char helper[4096];
static const char *ref_dir = "testsuite/alu-host";

static int op_index(uint8_t opcode)
{
	for (unsigned k = 0; k < NOPS; k++)
		if (bcd_ops[k].opcode == opcode)
			return (int)k;
	return -1;
}

/* "CF OF" for a flags mask */
static const char *flag_names(uint32_t m)
{
	static char buf[32];
	static const struct { uint32_t f; const char *n; } names[] = {
		{FL_CF, "CF"}, {FL_PF, "PF"}, {FL_AF, "AF"}, {FL_ZF, "ZF"}, {FL_SF, "SF"}, {FL_OF, "OF"},
	};
	buf[0] = 0;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (m & names[i].f)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? " " : "",
				 names[i].n);
	return buf;
}

/* -- the interpreter against a source, op by op -- */

struct tally {
	unsigned cases, res, def, undef, shown;
	uint32_t undef_flags;	/* the undefined flags that differed */
};

/* run r's inputs through the interpreter; count where it differs from r's
 * outputs. strict: the undefined flags must match too. */
static void check_rec(const struct alu32_rec *r, struct tally *t, bool strict, const char *src)
{
	int k = op_index(r->opcode);
	struct insn in = {.op = bcd_ops[k].op, .len = 1, .mode = 32, .osize = 4, .asize = 4,
			  .opcode = r->opcode, .imm = r->imm, .base = REG_NONE, .index = REG_NONE};
	if (r->opcode == 0xd4 || r->opcode == 0xd5)
		in.nopnd = 1, in.opnd[0] = (struct opnd){OPK_IMM, 1, 0}, in.len = 2;
	icpu_reset(r->fl_in);
	st.gpr[R_EAX] = 0x12340000u | r->ax_in;
	int vec = interp_run(handler(in.op), &in);
	uint32_t fl = (uint32_t)flags_get(&ic) & FL_ARITH;
	uint32_t eax = (uint32_t)st.gpr[R_EAX];
	const char *bad = NULL;
	t->cases++;
	if (vec >= 0)
		t->res++, bad = "fault";
	else if (eax != (0x12340000u | r->ax_out))
		t->res++, bad = "result";
	else if ((fl ^ r->fl_out) & bcd_ops[k].defined)
		t->def++, bad = "defined flags";
	else if (fl != r->fl_out) {
		t->undef++;
		t->undef_flags |= fl ^ r->fl_out;
		if (strict)
			bad = "undefined flags";
	}
	if (bad && t->shown++ < 4)
		printf("  %s imm %u: ax %04x fl %03x: %s ax %04x fl %03x, interp ax %04x fl %03x (%s)\n",
		       bcd_ops[k].name, r->imm, r->ax_in, r->fl_in, src, r->ax_out, r->fl_out,
		       eax & 0xffff, fl, vec >= 0 ? "fault" : bad);
}

static void report(unsigned k, const char *src, const struct tally *t, bool strict)
{
	bool bad = t->res || t->def || !t->cases || (strict && t->undef);
	printf("%s alu-bcd: %s vs %s: %u cases", bad ? "FAIL" : "PASS", bcd_ops[k].name, src, t->cases);
	if (bad)
		printf(" (results %u, defined flags %u, undefined flags %u differ)", t->res, t->def,
		       t->undef);
	else if (t->undef)
		printf("; undefined flags differ in %u (%s): the interpreter gives Intel's", t->undef,
		       flag_names(t->undef_flags));
	printf("\n");
	check_failures_ += bad;
}

/* -- reading a source: the text of alu_host32 --reference, gzipped or not -- */

struct ref {
	char vendor[16], cpu[128];
	struct alu32_rec *r;
	size_t n;
};

/* false (after saying why) if the text is not a reference */
static bool ref_read(gzFile g, const char *what, struct ref *f)
{
	memset(f, 0, sizeof *f);
	size_t cap = 0;
	char line[256];
	unsigned lineno = 0;
	while (gzgets(g, line, sizeof line)) {
		lineno++;
		if (line[0] == '#') {
			sscanf(line, "# vendor: %15s", f->vendor);
			if (!strncmp(line, "# cpu: ", 7))
				snprintf(f->cpu, sizeof f->cpu, "%.*s", (int)strcspn(line + 7, "\n"), line + 7);
			continue;
		}
		unsigned v[6];
		char extra;
		if (sscanf(line, "%x %x %x %x %x %x %c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &extra) != 6 || v[0] > 0xff || v[1] > 0xff || v[2] > 0xffff ||
		    v[3] > 0xffff || v[4] > 0xffff || v[5] > 0xffff || op_index((uint8_t)v[0]) < 0) {
			printf("  %s:%u: not a reference record: %.60s\n", what, lineno, line);
			free(f->r);
			return false;
		}
		if (f->n == cap) {
			cap = cap ? 2 * cap : 32768;
			f->r = realloc(f->r, cap * sizeof *f->r);
			if (!f->r) {
				printf("  %s: out of memory\n", what);
				return false;
			}
		}
		f->r[f->n++] = (struct alu32_rec){(uint8_t)v[0], (uint8_t)v[1], (uint16_t)v[2],
						  (uint16_t)v[3], (uint16_t)v[4], (uint16_t)v[5]};
	}
	if (!f->vendor[0] || !f->n) {
		printf("  %s: %s\n", what, f->n ? "no '# vendor:' line" : "no records");
		free(f->r);
		f->r = NULL;
		return false;
	}
	return true;
}

static bool ref_load(const char *path, struct ref *f)
{
	gzFile g = gzopen(path, "rb");
	if (!g) {
		printf("  %s: cannot open\n", path);
		return false;
	}
	bool ok = ref_read(g, path, f);
	gzclose(g);
	return ok;
}

static bool intel(const char *vendor)
{
	return !strcmp(vendor, "GenuineIntel");
}

/* the interpreter against each recorded file */
static void test_reference(void)
{
	char pat[4200];
	snprintf(pat, sizeof pat, "%s/alu32-*.txt.gz", ref_dir);
	glob_t gl;
	if (glob(pat, 0, NULL, &gl) != 0) {
		printf("  no reference file matches %s\n", pat);
		CHECK(0);
		return;
	}
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		struct ref f;
		bool ok = ref_load(gl.gl_pathv[i], &f);
		CHECK(ok);
		if (!ok)
			continue;
		char src[64];
		snprintf(src, sizeof src, "the %s reference", f.vendor);
		printf("alu-bcd: %s: %zu records from %s\n", gl.gl_pathv[i], f.n, f.cpu);
		struct tally t[NOPS] = {{0}};
		for (size_t j = 0; j < f.n; j++)
			check_rec(&f.r[j], &t[op_index(f.r[j].opcode)], intel(f.vendor), src);
		for (unsigned k = 0; k < NOPS; k++)
			report(k, src, &t[k], intel(f.vendor));
		free(f.r);
	}
	globfree(&gl);
}

/* the interpreter against the host, on the helper's full case set */
static void test_live(void)
{
	FILE *p = popen(helper, "r");
	CHECK(p != NULL);
	if (!p)
		return;
	struct tally t[NOPS] = {{0}};
	struct alu32_rec r;
	bool known = true;
	while (known && fread(&r, sizeof r, 1, p) == 1) {
		known = op_index(r.opcode) >= 0;
		CHECK(known);
		if (known)
			check_rec(&r, &t[op_index(r.opcode)], intel(host_vendor), "host");
	}
	CHECK_EQ(pclose(p), 0);
	char src[64];
	snprintf(src, sizeof src, "this %s host", host_vendor);
	for (unsigned k = 0; k < NOPS; k++)
		report(k, src, &t[k], intel(host_vendor));
}

/* the host's reference set against the recorded file of its vendor: the
 * same inputs, the same outputs to the last flag; against another
 * vendor's file, the results and defined flags */
static void test_live_reference(void)
{
	char cmd[4200], path[4200];
	snprintf(cmd, sizeof cmd, "%s --reference", helper);
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	if (!p)
		return;
	gzFile g = gzdopen(dup(fileno(p)), "rb");
	struct ref live;
	bool ok = g && ref_read(g, cmd, &live);
	if (g)
		gzclose(g);
	CHECK_EQ(pclose(p), 0);
	CHECK(ok);
	if (!ok)
		return;

	snprintf(path, sizeof path, "%s/alu32-%s.txt.gz", ref_dir, host_vendor);
	bool same = access(path, F_OK) == 0;
	if (!same) {
		printf("  no %s reference yet (make alu32-reference records one on this host; commit it);"
		       " comparing results and defined flags with the AuthenticAMD one\n", host_vendor);
		snprintf(path, sizeof path, "%s/alu32-AuthenticAMD.txt.gz", ref_dir);
	}
	struct ref f;
	ok = ref_load(path, &f);
	CHECK(ok);
	if (!ok) {
		free(live.r);
		return;
	}
	CHECK_EQ(live.n, f.n);
	unsigned diff = 0;
	for (size_t j = 0; j < live.n && j < f.n; j++) {
		const struct alu32_rec *a = &live.r[j], *b = &f.r[j];
		uint32_t mask = same ? FL_ARITH : bcd_ops[op_index(a->opcode)].defined;
		bool eq = a->opcode == b->opcode && a->imm == b->imm && a->ax_in == b->ax_in &&
			  a->fl_in == b->fl_in && a->ax_out == b->ax_out &&
			  !((a->fl_out ^ b->fl_out) & mask);
		if (!eq && diff++ < 4)
			printf("  record %zu: host %02x %02x %04x %04x -> %04x %04x, file %02x %02x %04x %04x"
			       " -> %04x %04x\n", j, a->opcode, a->imm, a->ax_in, a->fl_in, a->ax_out,
			       a->fl_out, b->opcode, b->imm, b->ax_in, b->fl_in, b->ax_out, b->fl_out);
	}
	CHECK_EQ(diff, 0);
	printf("alu-bcd: this host (%s) and %s: %zu records, %u differ%s\n", host_vendor, path, live.n,
	       diff, same ? "" : " in results or defined flags");
	free(live.r);
	free(f.r);
}

int main(int argc, char **argv)
{
	(void)argc;
	CHECK_SUITE("alu-bcd");
	unsigned a, v[3];
	__cpuid(0, a, v[0], v[2], v[1]);
	memcpy(host_vendor, v, 12);
	const char *d = getenv("ALU32_REF_DIR");
	if (d && *d)
		ref_dir = d;
	const char *slash = strrchr(argv[0], '/');
	snprintf(helper, sizeof helper, "%.*s/../alu-host/alu_host32",
		 slash ? (int)(slash - argv[0]) : 1, slash ? argv[0] : ".");
	hostcaps_probe_unit(&host, argv[0]);

	RUN(test_reference);
	if (!host.has[HC_32BIT]) {
		printf("SKIP alu-bcd: test_live: %s\n", host.why[HC_32BIT]);
		printf("SKIP alu-bcd: test_live_reference: %s\n", host.why[HC_32BIT]);
	} else if (access(helper, X_OK) != 0) {
		printf("FAIL alu-bcd: test_live: %s not built (make unit builds it)\n", helper);
		return 1;
	} else {
		RUN(test_live);
		RUN(test_live_reference);
	}
	return CHECK_EXIT();
}
