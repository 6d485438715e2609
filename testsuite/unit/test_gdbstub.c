/* Unit tests for the GDB stub: a fake host (two vCPUs, 64 KiB of memory),
 * the stub on a free port, and a client socket in the test speaking the
 * remote protocol to it; then real gdb against the same fake, if present. */
// SPDX-License-Identifier: MIT
#include "ui/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testsuite/unit/check.h"

#define POLL_MS 10000		/* only so that a broken stub cannot hang the test */
#define MEM_SIZE 0x10000
#define NCPUS 2

struct point_call {
	bool insert;
	int kind;
	uint64_t addr, len;
};

struct fake {
	struct cpu_state cpu[NCPUS];
	uint8_t mem[MEM_SIZE];
	enum gdb_arch arch;
	int stops, resumes, detaches, kills, removes_all;
	struct gdb_stop stop_says;	/* what stop() reports */
	int step_cpu;
	bool others_run;
	struct point_call calls[16];
	int ncalls;
	bool refuse_points;
	unsigned sstep;
	bool last_phys;
	int last_mem_cpu;
	char mon_line[256];
	int mon_out_len;		/* 0: "VM status: paused\n"; > 0: that many 'x' */
};

static int f_ncpus(void *o) { (void)o; return NCPUS; }
static enum gdb_arch f_arch(void *o) { return ((struct fake *)o)->arch; }

static void f_stop(void *o, struct gdb_stop *why)
{
	struct fake *f = o;
	f->stops++;
	if (f->stop_says.signal)
		*why = f->stop_says;
}

static void f_resume(void *o, int step_cpu, bool others_run)
{
	struct fake *f = o;
	f->resumes++;
	f->step_cpu = step_cpu;
	f->others_run = others_run;
}

static struct cpu_state *f_cpu_state(void *o, int cpu)
{
	struct fake *f = o;
	return cpu >= 0 && cpu < NCPUS ? &f->cpu[cpu] : NULL;
}

static void f_cpu_info(void *o, int cpu, char *buf, size_t len)
{
	(void)o;
	snprintf(buf, len, "CPU#%d fake", cpu);
}

static size_t f_read(void *o, int cpu, bool phys, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = o;
	f->last_phys = phys;
	f->last_mem_cpu = cpu;
	if (addr >= MEM_SIZE)
		return 0;
	if (len > MEM_SIZE - addr)
		len = MEM_SIZE - addr;
	memcpy(buf, f->mem + addr, len);
	return len;
}

static size_t f_write(void *o, int cpu, bool phys, uint64_t addr, const void *buf, size_t len)
{
	struct fake *f = o;
	f->last_phys = phys;
	f->last_mem_cpu = cpu;
	if (addr >= MEM_SIZE)
		return 0;
	if (len > MEM_SIZE - addr)
		len = MEM_SIZE - addr;
	memcpy(f->mem + addr, buf, len);
	return len;
}

static int f_point(struct fake *f, bool insert, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	if (f->ncalls < 16)
		f->calls[f->ncalls++] = (struct point_call){ insert, kind, addr, len };
	return f->refuse_points ? -1 : 0;
}

static int f_insert(void *o, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	return f_point(o, true, kind, addr, len);
}

static int f_remove(void *o, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	return f_point(o, false, kind, addr, len);
}

static void f_remove_all(void *o) { ((struct fake *)o)->removes_all++; }
static void f_set_sstep(void *o, unsigned v) { ((struct fake *)o)->sstep = v; }
static unsigned f_get_sstep(void *o) { return ((struct fake *)o)->sstep; }
static void f_detach(void *o) { ((struct fake *)o)->detaches++; }
static void f_kill(void *o) { ((struct fake *)o)->kills++; }

static void f_monitor(void *o, const char *line, void (*out)(void *ctx, const char *text, size_t len),
		      void *ctx)
{
	struct fake *f = o;
	snprintf(f->mon_line, sizeof(f->mon_line), "%s", line);
	if (!f->mon_out_len) {
		out(ctx, "VM status: ", 11);	/* in two pieces, as the monitor does */
		out(ctx, "paused\n", 7);
		return;
	}
	for (int k = 0; k < f->mon_out_len; k++)	/* < 0: nothing */
		out(ctx, "x", 1);
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->arch = GDB_ARCH_X86_64;
	for (int c = 0; c < NCPUS; c++) {
		f->cpu[c].rip = 0x1000 + 0x100 * (uint64_t)c;
		f->cpu[c].rflags = 0x2;
		f->cpu[c].gpr[R_ESP] = 0x8000;
		f->cpu[c].gpr[R_EAX] = 0x1111222233334444ull;
		f->cpu[c].cr0 = 0x80000011;
	}
	for (int k = 0; k < MEM_SIZE; k++)
		f->mem[k] = (uint8_t)(k * 7 + 3);
	f->step_cpu = -99;
}

static struct gdbstub *fake_stub(struct fake *f)
{
	struct gdbstub_host h = {
		.ncpus = f_ncpus, .arch = f_arch, .stop = f_stop, .resume = f_resume,
		.cpu_state = f_cpu_state, .cpu_info = f_cpu_info, .read_mem = f_read,
		.write_mem = f_write, .insert_point = f_insert, .remove_point = f_remove,
		.remove_all_points = f_remove_all, .set_sstep = f_set_sstep,
		.get_sstep = f_get_sstep, .monitor = f_monitor, .detach = f_detach,
		.kill = f_kill, .opaque = f,
	};
	return gdbstub_new("tcp::0", &h);
}

/* ---- the test's client ---- */

struct client {
	struct gdbstub *g;
	int fd;
	bool noack;		/* no '+' sent any more */
	int acks, nacks;	/* '+' and '-' received */
	char in[1 << 17];
	size_t len;
	char pkt[1 << 16];	/* the last packet's payload, NUL-terminated */
	size_t plen;
};

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	/* as GDB does: our '+' and the next packet must not wait for each other */
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* wait for the client or the stub to have input and serve it: false on a
 * timeout or the stub closing the connection */
static bool pump(struct client *c)
{
	struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { gdbstub_fd(c->g), POLLIN, 0 } };
	if (poll(p, 2, POLL_MS) <= 0)
		return false;
	if (p[1].revents)
		gdbstub_handle(c->g);
	if (p[0].revents) {
		ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return false;
		if (n > 0)
			c->len += (size_t)n;
	}
	return true;
}

static void client_open(struct client *c, struct gdbstub *g)
{
	memset(c, 0, sizeof(*c));
	c->g = g;
	c->fd = connect_to(gdbstub_port(g));
	CHECK(c->fd >= 0);
	/* the stub accepts on its next turn */
	struct pollfd p = { gdbstub_fd(g), POLLIN, 0 };
	CHECK(poll(&p, 1, POLL_MS) == 1);
	gdbstub_handle(g);
	CHECK(gdbstub_connected(g));
}

static void send_raw(struct client *c, const void *p, size_t n)
{
	CHECK_EQ(send(c->fd, p, n, MSG_NOSIGNAL), n);
}

static void send_pkt_n(struct client *c, const char *payload, size_t n)
{
	static char buf[1 << 16];
	uint8_t sum = 0;
	for (size_t k = 0; k < n; k++)
		sum += (uint8_t)payload[k];
	buf[0] = '$';
	memcpy(buf + 1, payload, n);
	snprintf(buf + 1 + n, 4, "#%02x", sum);
	send_raw(c, buf, n + 4);
}

static void send_pkt(struct client *c, const char *payload)
{
	send_pkt_n(c, payload, strlen(payload));
}

static void consume(struct client *c, size_t n)
{
	memmove(c->in, c->in + n, c->len - n);
	c->len -= n;
}

/* the next packet from the stub (acks before it counted), or NULL */
static const char *get_reply(struct client *c)
{
	for (;;) {
		while (c->len && (c->in[0] == '+' || c->in[0] == '-')) {
			*(c->in[0] == '+' ? &c->acks : &c->nacks) += 1;
			consume(c, 1);
		}
		char *hash = c->len && c->in[0] == '$' ? memchr(c->in, '#', c->len) : NULL;
		if (c->len && c->in[0] != '$') {
			printf("  stray byte 0x%02x from the stub\n", (uint8_t)c->in[0]);
			CHECK(0);
			consume(c, 1);
			continue;
		}
		if (hash && hash + 3 <= c->in + c->len) {
			uint8_t sum = 0;
			c->plen = (size_t)(hash - c->in - 1);
			for (size_t k = 0; k < c->plen; k++)
				sum += (uint8_t)c->in[1 + k];
			CHECK_EQ(strtoul((char[3]){ hash[1], hash[2], 0 }, NULL, 16), sum);
			memcpy(c->pkt, c->in + 1, c->plen);
			c->pkt[c->plen] = 0;
			consume(c, c->plen + 4);
			if (!c->noack)
				send_raw(c, "+", 1);
			return c->pkt;
		}
		if (!pump(c)) {
			CHECK(!"a reply from the stub");
			return NULL;
		}
	}
}

static const char *cmd(struct client *c, const char *payload)
{
	send_pkt(c, payload);
	const char *r = get_reply(c);
	return r ? r : "(none)";
}

#define CMD_IS(c, payload, want) do {                                           \
		const char *got_ = cmd((c), (payload));                         \
		if (strcmp(got_, (want)))                                       \
			printf("  %s: got '%.200s', want '%s'\n", (payload), got_, (want)); \
		CHECK(!strcmp(got_, (want)));                                   \
	} while (0)

/* serve until *counter reaches want (a packet that gets no reply) */
static void wait_count(struct client *c, const int *counter, int want)
{
	while (*counter < want)
		if (!pump(c)) {
			CHECK(!"the host callback");
			return;
		}
}

/* the stub closed the connection */
static bool wait_eof(struct client *c)
{
	for (;;) {
		struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { gdbstub_fd(c->g), POLLIN, 0 } };
		if (poll(p, 2, POLL_MS) <= 0)
			return false;
		if (p[1].revents)
			gdbstub_handle(c->g);
		if (p[0].revents) {
			char b[4096];
			ssize_t n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return true;
		}
	}
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
}

static void hex_of(const void *data, size_t n, char *out)
{
	const uint8_t *b = data;
	for (size_t k = 0; k < n; k++)
		sprintf(out + 2 * k, "%02x", b[k]);
	out[2 * n] = 0;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;
	while (n < cap && s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int reg_number(enum gdb_arch a, const char *name)
{
	for (int n = 0; n < gdbregs_count(a); n++)
		if (gdbregs_name(a, n) && !strcmp(gdbregs_name(a, n), name))
			return n;
	return -1;
}

/* ---- the tests ---- */

static void test_framing_and_acks(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	CHECK(g != NULL);
	if (!g)
		return;
	CHECK(gdbstub_port(g) > 0);
	CHECK(!gdbstub_connected(g));
	struct client c;
	client_open(&c, g);
	CHECK_EQ(f.stops, 1);		/* a client arriving stops the VM */

	CMD_IS(&c, "?", "T02thread:01;");
	CHECK_EQ(c.acks, 1);
	/* a bad checksum: '-', and nothing served */
	send_raw(&c, "$?#00", 5);
	CMD_IS(&c, "qC", "QC1");
	CHECK_EQ(c.nacks, 1);
	CHECK_EQ(c.acks, 2);
	/* our '-' gets the last packet again */
	send_raw(&c, "-", 1);
	CHECK(!strcmp(get_reply(&c) ?: "", "QC1"));

	const char *r = cmd(&c, "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+");
	CHECK(strstr(r, "PacketSize=4000") != NULL);
	CHECK(strstr(r, "qXfer:features:read+") != NULL);
	CHECK(strstr(r, "swbreak+") != NULL);
	CHECK(strstr(r, "vContSupported+") != NULL);
	CHECK(strstr(r, "QStartNoAckMode+") != NULL);

	CMD_IS(&c, "QStartNoAckMode", "OK");
	c.noack = true;
	int acks = c.acks;
	CMD_IS(&c, "qAttached", "1");
	send_raw(&c, "$qC#ff", 6);	/* checksums are not checked without acks */
	CHECK(!strcmp(get_reply(&c) ?: "", "QC1"));
	CHECK_EQ(c.acks, acks);

	/* a second client is refused while this one is connected */
	int fd2 = connect_to(gdbstub_port(g));
	CHECK(fd2 >= 0);
	CMD_IS(&c, "qOffsets", "Text=0;Data=0;Bss=0");
	struct pollfd p = { fd2, POLLIN, 0 };
	CHECK(poll(&p, 1, POLL_MS) == 1);
	char b;
	CHECK(recv(fd2, &b, 1, 0) <= 0);
	close(fd2);
	CHECK(gdbstub_connected(g));
	CMD_IS(&c, "qSymbol::", "OK");
	client_close(&c);
	gdbstub_free(g);
}

/* qXfer replies, unescaped */
static size_t unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t k = 0; k < n; k++)
		out[o++] = s[k] == '}' && k + 1 < n ? s[++k] ^ 0x20 : s[k];
	return o;
}

static void test_target_xml(void)
{
	for (int a = GDB_ARCH_I386; a <= GDB_ARCH_X86_64; a++) {
		struct fake f;
		fake_init(&f);
		f.arch = (enum gdb_arch)a;
		struct gdbstub *g = fake_stub(&f);
		struct client c;
		client_open(&c, g);
		static char got[1 << 16];
		size_t len = 0;
		int pieces = 0;
		for (;;) {
			char q[96];
			snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,%x", len, 200);
			const char *r = cmd(&c, q);
			if (r[0] != 'm' && r[0] != 'l') {
				CHECK(!"an m or l reply");
				break;
			}
			CHECK(c.plen - 1 <= 200);
			len += unescape(r + 1, c.plen - 1, got + len);
			pieces++;
			if (r[0] == 'l' || len > sizeof(got) - 400)
				break;
		}
		const char *xml = gdbregs_target_xml((enum gdb_arch)a);
		CHECK_EQ(len, strlen(xml));
		CHECK(len == strlen(xml) && !memcmp(got, xml, len));
		CHECK(pieces > 2);
		CHECK(strstr(xml, a == GDB_ARCH_X86_64 ? "i386:x86-64" : "i386") != NULL);
		char q[96];
		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,100", strlen(xml) + 10);
		CMD_IS(&c, q, "l");
		CMD_IS(&c, "qXfer:features:read:other.xml:0,100", "E00");
		CMD_IS(&c, "qXfer:features:read:target.xml:zz", "E22");
		client_close(&c);
		gdbstub_free(g);
	}
}

static void test_registers(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	const enum gdb_arch a = GDB_ARCH_X86_64;
	static uint8_t want[4096], got[4096];
	size_t wlen = gdbregs_read_all(a, &f.cpu[0], want, sizeof(want));
	CHECK(wlen > 0);

	const char *r = cmd(&c, "g");
	CHECK_EQ(strlen(r), 2 * wlen);
	CHECK_EQ(unhex(r, got, sizeof(got)), wlen);
	CHECK(!memcmp(got, want, wlen));

	int rip = reg_number(a, "rip"), rax = reg_number(a, "rax");
	CHECK(rip >= 0 && rax >= 0);
	char q[128];
	snprintf(q, sizeof(q), "p%x", rip);
	CMD_IS(&c, q, "0010000000000000");
	snprintf(q, sizeof(q), "P%x=efbeadde00000000", rip);
	CMD_IS(&c, q, "OK");
	CHECK_EQ(f.cpu[0].rip, 0xdeadbeef);
	snprintf(q, sizeof(q), "P%x=efbe", rip);		/* too short */
	CMD_IS(&c, q, "E22");
	snprintf(q, sizeof(q), "P%x=zzzzzzzzzzzzzzzz", rip);
	CMD_IS(&c, q, "E22");
	CMD_IS(&c, "p9999", "E14");
	CMD_IS(&c, "pzz", "E22");
	CMD_IS(&c, "P9999=00", "E14");

	/* G: the g image with rax changed */
	r = cmd(&c, "g");
	static char img[8192];
	snprintf(img, sizeof(img), "G%s", r);
	memcpy(img + 1 + 2 * 8 * rax, "0807060504030201", 16);	/* rax is register 0 */
	CHECK_EQ(rax, 0);
	CMD_IS(&c, img, "OK");
	CHECK_EQ(f.cpu[0].gpr[R_EAX], 0x0102030405060708ull);
	CHECK_EQ(f.cpu[0].rip, 0xdeadbeef);
	img[strlen(img) - 1] = 0;		/* odd */
	CMD_IS(&c, img, "E22");

	/* Hg picks the vCPU the registers come from */
	CMD_IS(&c, "Hg2", "OK");
	snprintf(q, sizeof(q), "p%x", rip);
	CMD_IS(&c, q, "0011000000000000");
	CMD_IS(&c, "Hg0", "OK");		/* any: stays */
	CMD_IS(&c, q, "0011000000000000");
	CMD_IS(&c, "Hg3", "E22");
	CMD_IS(&c, "Hgzz", "E22");
	CMD_IS(&c, "Hx1", "E22");
	CMD_IS(&c, "Hg1", "OK");
	CMD_IS(&c, q, "efbeadde00000000");
	client_close(&c);
	gdbstub_free(g);
}

static void test_memory(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	char want[64];
	hex_of(f.mem + 0x100, 4, want);
	CMD_IS(&c, "m100,4", want);
	CHECK(!f.last_phys);
	hex_of(f.mem + 0xfffe, 2, want);
	CMD_IS(&c, "mfffe,4", want);		/* partial */
	CMD_IS(&c, "m20000,4", "E14");
	CMD_IS(&c, "m100", "E22");
	CMD_IS(&c, "m,4", "E22");
	CMD_IS(&c, "mzz,4", "E22");
	CMD_IS(&c, "m100,4x", "E22");
	CMD_IS(&c, "m11112222333344445,4", "E22");	/* 17 digits */
	/* a huge length is cut to what a packet holds */
	const char *r = cmd(&c, "m0,ffffffffffff");
	CHECK_EQ(strlen(r), 0x4000);

	CMD_IS(&c, "M200,3:aabbcc", "OK");
	CHECK(f.mem[0x200] == 0xaa && f.mem[0x201] == 0xbb && f.mem[0x202] == 0xcc);
	CMD_IS(&c, "M200,3:aabb", "E22");
	CMD_IS(&c, "M200,1:zz", "E22");
	CMD_IS(&c, "M20000,1:00", "E14");

	/* X: binary, with '#', '$', '}' and '*' escaped, and a NUL */
	static const uint8_t bin[] = { 0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41 };
	char x[64] = "X300,6:";
	size_t n = strlen(x);
	for (size_t k = 0; k < sizeof(bin); k++) {
		if (bin[k] == 0x23 || bin[k] == 0x24 || bin[k] == 0x7d || bin[k] == 0x2a) {
			x[n++] = 0x7d;
			x[n++] = (char)(bin[k] ^ 0x20);
		} else {
			x[n++] = (char)bin[k];
		}
	}
	send_pkt_n(&c, x, n);
	CHECK(!strcmp(get_reply(&c) ?: "", "OK"));
	CHECK(!memcmp(f.mem + 0x300, bin, sizeof(bin)));
	CMD_IS(&c, "X300,0:", "OK");			/* GDB's probe */
	CMD_IS(&c, "X300,2:A", "E22");
	send_pkt_n(&c, "X300,2:A}", 9);		/* an escape at the end */
	CHECK(!strcmp(get_reply(&c) ?: "", "E22"));

	/* physical mode, and the Hg vCPU's view */
	CMD_IS(&c, "qqemu.PhyMemMode", "0");
	CMD_IS(&c, "Qqemu.PhyMemMode:1", "OK");
	CMD_IS(&c, "qqemu.PhyMemMode", "1");
	CMD_IS(&c, "Hg2", "OK");
	hex_of(f.mem + 0x10, 1, want);
	CMD_IS(&c, "m10,1", want);
	CHECK(f.last_phys);
	CHECK_EQ(f.last_mem_cpu, 1);
	CMD_IS(&c, "Qqemu.PhyMemMode:2", "E22");
	CMD_IS(&c, "Qqemu.PhyMemMode:0", "OK");
	CMD_IS(&c, "m10,1", want);
	CHECK(!f.last_phys);
	client_close(&c);
	gdbstub_free(g);
}

static void test_points(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	CMD_IS(&c, "Z0,1000,1", "OK");
	CMD_IS(&c, "Z1,1004,1", "OK");
	CMD_IS(&c, "Z2,2000,4", "OK");
	CMD_IS(&c, "Z3,2008,8", "OK");
	CMD_IS(&c, "Z4,2010,2", "OK");
	CMD_IS(&c, "z2,2000,4", "OK");
	CMD_IS(&c, "Z0,1000,1;X1,aa", "OK");	/* conditions not taken */
	CHECK_EQ(f.ncalls, 7);
	static const struct point_call want[] = {
		{ true, 0, 0x1000, 1 }, { true, 1, 0x1004, 1 }, { true, 2, 0x2000, 4 },
		{ true, 3, 0x2008, 8 }, { true, 4, 0x2010, 2 }, { false, 2, 0x2000, 4 },
		{ true, 0, 0x1000, 1 },
	};
	for (int k = 0; k < 7; k++) {
		CHECK_EQ(f.calls[k].insert, want[k].insert);
		CHECK_EQ(f.calls[k].kind, want[k].kind);
		CHECK_EQ(f.calls[k].addr, want[k].addr);
		CHECK_EQ(f.calls[k].len, want[k].len);
	}
	f.refuse_points = true;
	CMD_IS(&c, "Z2,3000,3", "E22");
	CMD_IS(&c, "z0,3000,1", "E22");
	CMD_IS(&c, "Z5,1000,1", "");		/* not a kind we know */
	CMD_IS(&c, "Z0,zz,1", "E22");
	CMD_IS(&c, "Z0", "E22");
	CMD_IS(&c, "Z0,1000", "E22");
	CHECK_EQ(f.ncalls, 9);
	client_close(&c);
	gdbstub_free(g);
}

static void test_resume_and_stops(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	cmd(&c, "qSupported:swbreak+");
	CMD_IS(&c, "vCont?", "vCont;c;C;s;S");

	/* step vCPU 1 alone */
	send_pkt(&c, "vCont;s:2");
	wait_count(&c, &f.resumes, 1);
	CHECK_EQ(f.step_cpu, 1);
	CHECK(!f.others_run);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 1, .signal = 5, .why = DBG_STOP_STEP });
	CHECK(!strcmp(get_reply(&c) ?: "", "T05thread:02;"));
	CMD_IS(&c, "qC", "QC2");		/* the stop moved the current thread */

	/* step vCPU 0 while the others run; a watchpoint with a message */
	send_pkt(&c, "vCont;s:1;c");
	wait_count(&c, &f.resumes, 2);
	CHECK_EQ(f.step_cpu, 0);
	CHECK(f.others_run);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 0, .signal = 5, .why = DBG_STOP_WATCH,
					       .kind = DBG_WATCH_READ, .addr = 0x4000,
					       .message = "read at 4000" });
	char want[64];
	strcpy(want, "O");
	hex_of("read at 4000\n", 13, want + 1);
	CHECK(!strcmp(get_reply(&c) ?: "", want));
	CHECK(!strcmp(get_reply(&c) ?: "", "T05thread:01;rwatch:4000;"));
	CMD_IS(&c, "?", "T05thread:01;rwatch:4000;");	/* no message again */

	/* continue, then Ctrl-C */
	send_pkt(&c, "vCont;c");
	wait_count(&c, &f.resumes, 3);
	CHECK_EQ(f.step_cpu, -1);
	int stops = f.stops;
	send_raw(&c, "\x03", 1);
	CHECK(!strcmp(get_reply(&c) ?: "", "T02thread:01;"));
	CHECK_EQ(f.stops, stops + 1);
	/* while stopped, Ctrl-C is nothing */
	send_raw(&c, "\x03", 1);
	CMD_IS(&c, "?", "T02thread:01;");
	CHECK_EQ(f.stops, stops + 1);

	/* a Ctrl-C whose stop found a breakpoint first */
	send_pkt(&c, "c");
	wait_count(&c, &f.resumes, 4);
	CHECK_EQ(f.step_cpu, -1);
	f.stop_says = (struct gdb_stop){ .cpu = 1, .signal = 5, .why = DBG_STOP_BREAK,
					 .kind = DBG_BP_SW, .addr = 0x1100 };
	send_raw(&c, "\x03", 1);
	CHECK(!strcmp(get_reply(&c) ?: "", "T05thread:02;swbreak:;"));
	f.stop_says.signal = 0;
	/* hwbreak only to a client that asked */
	send_pkt(&c, "C05");
	wait_count(&c, &f.resumes, 5);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 0, .signal = 5, .why = DBG_STOP_BREAK,
					       .kind = DBG_BP_HW, .addr = 0x1000 });
	CHECK(!strcmp(get_reply(&c) ?: "", "T05thread:01;"));

	/* plain s: the Hc thread, the others stay */
	CMD_IS(&c, "Hc2", "OK");
	send_pkt(&c, "s");
	wait_count(&c, &f.resumes, 6);
	CHECK_EQ(f.step_cpu, 1);
	CHECK(!f.others_run);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 1, .signal = 5, .why = DBG_STOP_STEP });
	CHECK(!strcmp(get_reply(&c) ?: "", "T05thread:02;"));
	CMD_IS(&c, "Hc-1", "OK");		/* all: stays */
	send_pkt(&c, "S05");
	wait_count(&c, &f.resumes, 7);
	CHECK_EQ(f.step_cpu, 1);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 1, .signal = 5, .why = DBG_STOP_STEP });
	get_reply(&c);

	/* vCont forms: signals dropped, a thread-less step is the current one,
	 * the leftmost action for a thread wins */
	send_pkt(&c, "vCont;S05:1;C05");
	wait_count(&c, &f.resumes, 8);
	CHECK_EQ(f.step_cpu, 0);
	CHECK(f.others_run);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 0, .signal = 5, .why = DBG_STOP_STEP });
	get_reply(&c);
	send_pkt(&c, "vCont;s");
	wait_count(&c, &f.resumes, 9);
	CHECK_EQ(f.step_cpu, 0);
	CHECK(!f.others_run);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 0, .signal = 5, .why = DBG_STOP_STEP });
	get_reply(&c);
	send_pkt(&c, "vCont;c;s:2");
	wait_count(&c, &f.resumes, 10);
	CHECK_EQ(f.step_cpu, -1);
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 0, .signal = 2 });
	CHECK(!strcmp(get_reply(&c) ?: "", "T02thread:01;"));

	/* bad vCont: an error, nothing resumed */
	CMD_IS(&c, "vCont;s:9", "E22");
	CMD_IS(&c, "vCont;x", "E22");
	CMD_IS(&c, "vCont;", "E22");
	CMD_IS(&c, "vCont;s:1c", "E22");
	CMD_IS(&c, "vCont;Czz", "E22");
	CHECK_EQ(f.resumes, 10);
	/* a stop the client did not wait for only changes '?' */
	gdbstub_stopped(g, &(struct gdb_stop){ .cpu = 1, .signal = 5, .why = DBG_STOP_STEP });
	CMD_IS(&c, "?", "T05thread:02;");
	client_close(&c);
	gdbstub_free(g);
}

static void test_threads_and_queries(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	CMD_IS(&c, "qfThreadInfo", "m1,2");
	CMD_IS(&c, "qsThreadInfo", "l");
	CMD_IS(&c, "qC", "QC1");
	CMD_IS(&c, "T1", "OK");
	CMD_IS(&c, "T2", "OK");
	CMD_IS(&c, "T3", "E22");
	CMD_IS(&c, "T0", "E22");
	char want[64];
	hex_of("CPU#1 fake", 10, want);
	CMD_IS(&c, "qThreadExtraInfo,2", want);
	CMD_IS(&c, "qThreadExtraInfo,5", "E22");
	CMD_IS(&c, "qqemu.sstepbits", "ENABLE=1,NOIRQ=2,NOTIMER=4");
	CMD_IS(&c, "qqemu.sstep", "0x0");
	CMD_IS(&c, "Qqemu.sstep=5", "OK");
	CHECK_EQ(f.sstep, 5);
	CMD_IS(&c, "qqemu.sstep", "0x5");
	CMD_IS(&c, "Qqemu.sstep=100", "E22");
	CMD_IS(&c, "Qqemu.sstep=", "E22");
	CMD_IS(&c, "Qqemu.sstep=0x", "E22");
	CHECK_EQ(f.sstep, 5);
	CMD_IS(&c, "Qqemu.sstep=0x3", "OK");	/* as qqemu.sstep writes it */
	CHECK_EQ(f.sstep, 3);
	client_close(&c);
	gdbstub_free(g);
}

static void test_monitor(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	char q[128] = "qRcmd,", want[128] = "O";
	hex_of("info status", 11, q + 6);
	hex_of("VM status: paused\n", 18, want + 1);
	CMD_IS(&c, q, want);
	CHECK(!strcmp(get_reply(&c) ?: "", "OK"));
	CHECK(!strcmp(f.mon_line, "info status"));

	/* long output comes in several packets */
	f.mon_out_len = 5000;
	size_t total = 0;
	int packets = 0;
	send_pkt(&c, q);
	for (;;) {
		const char *r = get_reply(&c);
		if (!r || r[0] != 'O' || !strcmp(r, "OK"))
			break;
		packets++;
		for (const char *p = r + 1; p[0] && p[1]; p += 2, total++)
			CHECK(p[0] == '7' && p[1] == '8');	/* 'x' */
	}
	CHECK(!strcmp(c.pkt, "OK"));
	CHECK_EQ(total, 5000);
	CHECK(packets > 1);
	f.mon_out_len = -1;			/* silent */
	CMD_IS(&c, "qRcmd,", "OK");
	CHECK(!strcmp(f.mon_line, ""));
	CMD_IS(&c, "qRcmd,6", "E22");
	CMD_IS(&c, "qRcmd,zz", "E22");
	client_close(&c);
	gdbstub_free(g);
}

static void test_detach_kill_eof(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	CMD_IS(&c, "Z0,1000,1", "OK");
	CMD_IS(&c, "D", "OK");
	CHECK(wait_eof(&c));
	CHECK(!gdbstub_connected(g));
	CHECK_EQ(f.removes_all, 1);
	CHECK_EQ(f.detaches, 1);
	client_close(&c);

	/* listening again; a client that goes away while the VM runs */
	client_open(&c, g);
	CHECK_EQ(f.stops, 2);
	CMD_IS(&c, "D;1", "OK");
	CHECK(wait_eof(&c));
	CHECK_EQ(f.detaches, 2);
	client_close(&c);
	client_open(&c, g);
	send_pkt(&c, "c");
	wait_count(&c, &f.resumes, 1);
	client_close(&c);
	struct pollfd p = { gdbstub_fd(g), POLLIN, 0 };
	CHECK(poll(&p, 1, POLL_MS) == 1);
	gdbstub_handle(g);
	CHECK(!gdbstub_connected(g));
	CHECK_EQ(f.stops, 4);		/* paused for the points' sake */
	CHECK_EQ(f.removes_all, 3);
	CHECK_EQ(f.detaches, 3);

	/* k */
	client_open(&c, g);
	send_pkt(&c, "k");
	CHECK(wait_eof(&c));
	CHECK_EQ(f.kills, 1);
	CHECK(!gdbstub_connected(g));
	client_close(&c);
	gdbstub_free(g);
}

static void test_malformed(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub *g = fake_stub(&f);
	struct client c;
	client_open(&c, g);
	CMD_IS(&c, "qFooBar", "");
	CMD_IS(&c, "vMustReplyEmpty", "");
	CMD_IS(&c, "", "");
	CMD_IS(&c, "qCRC:0,4", "");		/* not qC */
	CMD_IS(&c, "p", "E22");
	CMD_IS(&c, "P", "E22");
	CMD_IS(&c, "H", "E22");
	CMD_IS(&c, "T", "E22");
	CMD_IS(&c, "M", "E22");
	CMD_IS(&c, "X", "E22");
	CMD_IS(&c, "z", "E22");
	CMD_IS(&c, "G1", "E22");
	CMD_IS(&c, "Gzz", "E22");
	CMD_IS(&c, "qThreadExtraInfo,", "E22");
	/* noise between packets, a NUL inside one */
	send_raw(&c, "xyz\r\n+++", 8);
	send_pkt_n(&c, "m1\0,4", 5);
	CHECK(!strcmp(get_reply(&c) ?: "", "E22"));
	/* a packet longer than PacketSize */
	static char big[0x5000];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = 'M';
	CMD_IS(&c, big, "E22");
	/* a packet cut short by a new one */
	send_raw(&c, "$m10", 4);
	char want[16];
	hex_of(f.mem + 0x20, 1, want);
	CMD_IS(&c, "m20,1", want);
	/* bad checksum digits */
	int nacks = c.nacks;
	send_raw(&c, "$?#zz", 5);
	CMD_IS(&c, "?", "T02thread:01;");
	CHECK_EQ(c.nacks, nacks + 1);
	/* the packets one byte at a time */
	const char *pk = "$qC#b4";
	for (const char *p = pk; *p; p++) {
		send_raw(&c, p, 1);
		struct pollfd pf = { gdbstub_fd(g), POLLIN, 0 };
		CHECK(poll(&pf, 1, POLL_MS) == 1);
		gdbstub_handle(g);
	}
	CHECK(!strcmp(get_reply(&c) ?: "", "QC1"));
	CHECK(gdbstub_connected(g));
	client_close(&c);
	gdbstub_free(g);
}

static void test_bad_spec(void)
{
	struct fake f;
	fake_init(&f);
	struct gdbstub_host h = { .opaque = &f };
	CHECK(gdbstub_new("tcp:nonsense", &h) == NULL);
	CHECK(gdbstub_new("tcp::99999", &h) == NULL);
	CHECK(gdbstub_new("tcp::12x", &h) == NULL);
	CHECK(gdbstub_new("", &h) == NULL);
	struct gdbstub *g = fake_stub(&f);
	char spec[64];
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", gdbstub_port(g));
	CHECK(gdbstub_new(spec, &h) == NULL);	/* in use */
	gdbstub_free(g);
	g = gdbstub_new("tcp:127.0.0.1:0,server,nowait", &h);
	CHECK(g != NULL);
	gdbstub_free(g);
}

/* ---- real gdb ---- */

struct served {
	struct gdbstub *g;
	struct fake *f;
	int quit;
};

/* the host loop: serve the stub; a resume ends at once, a step one byte
 * on, a continue at the breakpoint the test set */
static void *serve_thread(void *arg)
{
	struct served *s = arg;
	while (!__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { gdbstub_fd(s->g), POLLIN, 0 };
		int resumes = s->f->resumes;
		if (poll(&p, 1, 50) > 0)
			gdbstub_handle(s->g);
		if (s->f->resumes == resumes)
			continue;
		struct gdb_stop st = { .signal = 5, .why = DBG_STOP_STEP };
		if (s->f->step_cpu >= 0) {
			st.cpu = s->f->step_cpu;
			s->f->cpu[st.cpu].rip++;
		} else {
			st.why = DBG_STOP_BREAK;
			st.kind = DBG_BP_SW;
			st.addr = s->f->cpu[0].rip = 0x1010;
		}
		gdbstub_stopped(s->g, &st);
	}
	return NULL;
}

static bool has(const char *out, const char *what)
{
	if (strstr(out, what))
		return true;
	printf("  gdb's output lacks '%s'\n", what);
	return false;
}

static void test_vs_gdb(void)
{
	static struct fake f;
	fake_init(&f);
	f.mem[0x100] = 0x11;
	f.mem[0x101] = 0x22;
	f.mem[0x102] = 0x33;
	f.mem[0x103] = 0x44;
	struct served s = { .g = fake_stub(&f), .f = &f };
	CHECK(s.g != NULL);
	if (!s.g)
		return;
	char script[] = "/tmp/test_gdbstub_XXXXXX";
	int fd = mkstemp(script);
	CHECK(fd >= 0);
	FILE *sf = fdopen(fd, "w");
	fprintf(sf,
		"set pagination off\n"
		"set confirm off\n"
		"set breakpoint always-inserted on\n"
		"target remote 127.0.0.1:%d\n"
		"info registers rip\n"
		"x/4xb 0x100\n"
		"set {int}0x200 = 0x1234\n"
		"stepi\n"
		"info registers rip\n"
		"break *0x1010\n"
		"continue\n"
		"info threads\n"
		"monitor info status\n"
		"detach\n", gdbstub_port(s.g));
	fclose(sf);
	pthread_t t;
	pthread_create(&t, NULL, serve_thread, &s);
	char command[256];
	/* timeout: only so that a hung gdb cannot hang the suite */
	snprintf(command, sizeof(command), "timeout 120 gdb -nx -batch -x %s 2>&1", script);
	FILE *p = popen(command, "r");
	static char out[1 << 16];
	size_t n = 0;
	if (p) {
		n = fread(out, 1, sizeof(out) - 1, p);
		pclose(p);
	}
	out[n] = 0;
	__atomic_store_n(&s.quit, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	unlink(script);

	bool ok = true;
	ok &= has(out, "rip            0x1000");
	ok &= has(out, "0x100:\t0x11\t0x22\t0x33\t0x44");
	ok &= has(out, "rip            0x1001");
	ok &= has(out, "Breakpoint 1 at 0x1010");
	ok &= has(out, "Breakpoint 1, 0x0000000000001010 in ?? ()");
	ok &= has(out, "Thread 1 (CPU#0 fake)");
	ok &= has(out, "Thread 2 (CPU#1 fake)");
	ok &= has(out, "VM status: paused");
	ok &= has(out, "detached");
	CHECK(ok);
	if (!ok)
		printf("---- gdb said:\n%s----\n", out);
	CHECK(f.mem[0x200] == 0x34 && f.mem[0x201] == 0x12 && f.mem[0x202] == 0 && f.mem[0x203] == 0);
	bool inserted = false;
	for (int k = 0; k < f.ncalls; k++)
		inserted |= f.calls[k].insert && f.calls[k].kind == DBG_BP_SW && f.calls[k].addr == 0x1010;
	CHECK(inserted);
	CHECK(!strcmp(f.mon_line, "info status"));
	CHECK_EQ(f.detaches, 1);
	CHECK_EQ(f.removes_all, 1);
	CHECK_EQ(f.resumes, 2);
	gdbstub_free(s.g);
}

int main(void)
{
	CHECK_SUITE("unit");
	RUN(test_framing_and_acks);
	RUN(test_target_xml);
	RUN(test_registers);
	RUN(test_memory);
	RUN(test_points);
	RUN(test_resume_and_stops);
	RUN(test_threads_and_queries);
	RUN(test_monitor);
	RUN(test_detach_kill_eof);
	RUN(test_malformed);
	RUN(test_bad_spec);
	if (access("/usr/bin/gdb", X_OK))
		printf("SKIP unit: gdbstub-vs-gdb: no gdb\n");
	else
		RUN(test_vs_gdb);
	return CHECK_EXIT();
}
