/* The GDB remote serial protocol server: framing, the packet table, stop replies. */
// SPDX-License-Identifier: MIT
#include "ui/gdbstub.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>		/* getaddrinfo */
#include <netinet/in.h>
#include <netinet/tcp.h>	/* TCP_NODELAY */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "hw/log.h"

/* PacketSize: the longest packet payload either side sends. GDB sizes its
 * m and X requests from it, so bigger means fewer round trips. */
#define PKT_MAX 0x4000
#define REGS_MAX 4096		/* bytes of a 'g' reply, before hex */
#define MON_LINE_MAX 1024	/* a qRcmd command line */
#define CON_MAX 1024		/* console text gathered into one 'O' packet */

enum rx_state { RX_IDLE, RX_DATA, RX_CS_HI, RX_CS_LO };

struct gdbstub {
	struct gdbstub_host host;
	int lfd;		/* listening */
	int cfd;		/* the client, or -1 */

	/* the connection's settings, reset on accept */
	enum gdb_arch arch;
	bool noack;		/* QStartNoAckMode done */
	bool swbreak, hwbreak;	/* the client takes these stop reasons */
	bool phys;		/* Qqemu.PhyMemMode */
	bool running;		/* resumed: a stop reply is owed */
	bool dead;		/* a write failed: drop the client */
	int g_cpu;		/* Hg: registers and memory */
	int c_cpu;		/* Hc: what a plain 's' steps */
	struct gdb_stop last;	/* for '?' (message not kept) */

	/* the packet being received */
	enum rx_state rx;
	char pkt[PKT_MAX + 1];
	size_t plen;
	bool overlong;
	uint8_t sum, cs;

	/* the reply being built, and the last packet sent (resent on '-') */
	char reply[PKT_MAX + 1];
	size_t rlen;
	char tx[PKT_MAX + 4];
	size_t txlen;

	/* console output waiting to go out as one 'O' packet */
	char con[CON_MAX];
	size_t conlen;

	uint8_t buf[PKT_MAX];	/* memory and registers in transit */
};

/* ---- hex ---- */

static const char hexdig[] = "0123456789abcdef";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a hex number at *p (1 to 16 digits), *p moved past it */
static bool parse_hex(const char **p, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0, d;
	while ((d = hexval((*p)[n])) >= 0) {
		if (++n > 16)
			return false;
		x = x << 4 | (unsigned)d;
	}
	*p += n;
	*v = x;
	return n > 0;
}

/* n hex digits pairs into bytes: the byte count, or -1 on a bad digit,
 * an odd count or too many */
static long hex_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t k = 0; k < n / 2; k++) {
		int hi = hexval(s[2 * k]), lo = hexval(s[2 * k + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/* ---- sending ---- */

static void write_all(struct gdbstub *g, const char *p, size_t n)
{
	while (n && !g->dead) {
		ssize_t w = send(g->cfd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			g->dead = true;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* frame payload as $payload#cs and send it, kept for a resend on '-' */
static void send_packet(struct gdbstub *g, const char *payload, size_t n)
{
	uint8_t sum = 0;
	if (n > PKT_MAX)
		n = PKT_MAX;
	g->tx[0] = '$';
	for (size_t k = 0; k < n; k++)
		sum += (uint8_t)payload[k];
	memcpy(g->tx + 1, payload, n);
	g->tx[n + 1] = '#';
	g->tx[n + 2] = hexdig[sum >> 4];
	g->tx[n + 3] = hexdig[sum & 15];
	g->txlen = n + 4;
	write_all(g, g->tx, g->txlen);
}

static void reply_str(struct gdbstub *g, const char *s)
{
	size_t n = strlen(s);
	if (n > PKT_MAX - g->rlen)
		n = PKT_MAX - g->rlen;
	memcpy(g->reply + g->rlen, s, n);
	g->rlen += n;
}

static void reply_fmt(struct gdbstub *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_fmt(struct gdbstub *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(g->reply + g->rlen, sizeof(g->reply) - g->rlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->rlen += (size_t)n < PKT_MAX - g->rlen ? (size_t)n : PKT_MAX - g->rlen;
}

static void reply_hex(struct gdbstub *g, const void *data, size_t n)
{
	const uint8_t *b = data;
	for (size_t k = 0; k < n && g->rlen + 2 <= PKT_MAX; k++) {
		g->reply[g->rlen++] = hexdig[b[k] >> 4];
		g->reply[g->rlen++] = hexdig[b[k] & 15];
	}
}

/* binary data with '#', '$', '}' and '*' (which GDB would take for
 * run-length encoding) escaped, at most cap bytes of reply: how many
 * source bytes went in */
static size_t reply_bin(struct gdbstub *g, const char *data, size_t n, size_t cap)
{
	size_t k;
	if (cap > PKT_MAX - g->rlen)
		cap = PKT_MAX - g->rlen;
	for (k = 0; k < n; k++) {
		char c = data[k];
		bool esc = c == '#' || c == '$' || c == '}' || c == '*';
		if ((size_t)(1 + esc) > cap)
			break;
		if (esc)
			g->reply[g->rlen++] = '}';
		g->reply[g->rlen++] = esc ? (char)(c ^ 0x20) : c;
		cap -= 1 + esc;
	}
	return k;
}

static void con_flush(struct gdbstub *g)
{
	char pkt[1 + 2 * CON_MAX];
	if (!g->conlen)
		return;
	pkt[0] = 'O';
	for (size_t k = 0; k < g->conlen; k++) {
		pkt[1 + 2 * k] = hexdig[(uint8_t)g->con[k] >> 4];
		pkt[2 + 2 * k] = hexdig[(uint8_t)g->con[k] & 15];
	}
	send_packet(g, pkt, 1 + 2 * g->conlen);
	g->conlen = 0;
}

/* text for the user's console: gathered, sent as 'O' packets */
static void con_write(void *ctx, const char *text, size_t n)
{
	struct gdbstub *g = ctx;
	while (n) {
		size_t k = CON_MAX - g->conlen < n ? CON_MAX - g->conlen : n;
		memcpy(g->con + g->conlen, text, k);
		g->conlen += k;
		text += k;
		n -= k;
		if (g->conlen == CON_MAX)
			con_flush(g);
	}
}

/* ---- threads ---- */

static int ncpus(const struct gdbstub *g)
{
	int n = g->host.ncpus(g->host.opaque);
	return n > 0 ? n : 1;
}

enum { TID_ALL = -1, TID_ANY = 0 };

/* a thread id at *p: TID_ALL, TID_ANY or a GDB thread N (vCPU N-1) that
 * exists; false for anything else */
static bool parse_tid(struct gdbstub *g, const char **p, int *tid)
{
	uint64_t v;
	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*tid = TID_ALL;
		return true;
	}
	if (!parse_hex(p, &v) || v > (uint64_t)ncpus(g))
		return false;
	*tid = (int)v;
	return true;
}

/* ---- stops ---- */

static const char *const watch_names[] = {
	[DBG_WATCH_WRITE] = "watch", [DBG_WATCH_READ] = "rwatch", [DBG_WATCH_ACCESS] = "awatch",
};

static void stop_reply(struct gdbstub *g, const struct gdb_stop *s)
{
	reply_fmt(g, "T%02xthread:%02x;", s->signal ? s->signal & 0xff : 5, s->cpu + 1);
	if (s->why == DBG_STOP_WATCH && s->kind >= DBG_WATCH_WRITE && s->kind <= DBG_WATCH_ACCESS)
		reply_fmt(g, "%s:%" PRIx64 ";", watch_names[s->kind], s->addr);
	/* only to a client that announced them in qSupported: they also say
	 * the pc needs no adjusting after the trap */
	if (s->why == DBG_STOP_BREAK && s->kind == DBG_BP_HW && g->hwbreak)
		reply_str(g, "hwbreak:;");
	else if (s->why == DBG_STOP_BREAK && s->kind == DBG_BP_SW && g->swbreak)
		reply_str(g, "swbreak:;");
}

static void remember_stop(struct gdbstub *g, const struct gdb_stop *why)
{
	g->last = *why;
	g->last.message = NULL;	/* the host's string lives only for the call */
	if (g->last.cpu < 0 || g->last.cpu >= ncpus(g))
		g->last.cpu = 0;
	/* as QEMU: after a stop, registers and steps follow the vCPU that stopped */
	g->g_cpu = g->c_cpu = g->last.cpu;
}

/* the VM stopped while the client waited: its message, then the stop reply */
static void report_stop(struct gdbstub *g, const struct gdb_stop *why)
{
	g->running = false;
	remember_stop(g, why);
	if (why->message && why->message[0]) {
		con_write(g, why->message, strlen(why->message));
		con_write(g, "\n", 1);
		con_flush(g);
	}
	g->rlen = 0;
	stop_reply(g, &g->last);
	send_packet(g, g->reply, g->rlen);
}

static void resume(struct gdbstub *g, int step_cpu, bool others_run)
{
	g->running = true;
	g->host.resume(g->host.opaque, step_cpu, others_run);
}

/* ---- the packets: each fills g->reply and returns true, or returns
 * false when no reply goes out now ---- */

static bool reply_error(struct gdbstub *g, int code)
{
	reply_fmt(g, "E%02d", code);
	return true;
}

static bool reply_ok(struct gdbstub *g)
{
	reply_str(g, "OK");
	return true;
}

static bool p_why(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	stop_reply(g, &g->last);
	return true;
}

static struct cpu_state *gstate(struct gdbstub *g)
{
	return g->host.cpu_state(g->host.opaque, g->g_cpu);
}

static bool p_regs_read(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	struct cpu_state *s = gstate(g);
	size_t len = s ? gdbregs_read_all(g->arch, s, g->buf, REGS_MAX) : 0;
	if (!len)
		return reply_error(g, 14);
	reply_hex(g, g->buf, len);
	return true;
}

static bool p_regs_write(struct gdbstub *g, char *a, size_t n)
{
	struct cpu_state *s = gstate(g);
	long len = hex_decode(a, n, g->buf, REGS_MAX);
	if (!s)
		return reply_error(g, 14);
	if (len < 0 || gdbregs_write_all(g->arch, s, g->buf, (size_t)len) < 0)
		return reply_error(g, 22);
	return reply_ok(g);
}

static bool p_reg_read(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	uint64_t r;
	unsigned len;
	if (!parse_hex(&p, &r) || *p || r > INT32_MAX)
		return reply_error(g, 22);
	struct cpu_state *s = gstate(g);
	len = s ? gdbregs_read(g->arch, s, (int)r, g->buf) : 0;
	if (!len)
		return reply_error(g, 14);
	reply_hex(g, g->buf, len);
	return true;
}

static bool p_reg_write(struct gdbstub *g, char *a, size_t n)
{
	const char *p = a;
	uint64_t r;
	if (!parse_hex(&p, &r) || *p != '=' || r > INT32_MAX)
		return reply_error(g, 22);
	p++;
	unsigned size = gdbregs_size(g->arch, (int)r);
	if (!size)
		return reply_error(g, 14);
	if (hex_decode(p, n - (size_t)(p - a), g->buf, PKT_MAX) != (long)size)
		return reply_error(g, 22);
	struct cpu_state *s = gstate(g);
	if (!s || gdbregs_write(g->arch, s, (int)r, g->buf) < 0)
		return reply_error(g, 14);
	return reply_ok(g);
}

/* "ADDR,LEN" and what ends it */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char end)
{
	if (!parse_hex(p, addr) || **p != ',')
		return false;
	(*p)++;
	return parse_hex(p, len) && **p == end;
}

static bool p_mem_read(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	uint64_t addr, len;
	if (!parse_addr_len(&p, &addr, &len, 0))
		return reply_error(g, 22);
	if (len > PKT_MAX / 2)
		len = PKT_MAX / 2;
	size_t got = g->host.read_mem(g->host.opaque, g->g_cpu, g->phys, addr, g->buf, len);
	if (!got || got > len)
		return reply_error(g, 14);
	reply_hex(g, g->buf, got);
	return true;
}

static bool write_mem(struct gdbstub *g, uint64_t addr, size_t len)
{
	if (!len)
		return reply_ok(g);
	size_t done = g->host.write_mem(g->host.opaque, g->g_cpu, g->phys, addr, g->buf, len);
	return done == len ? reply_ok(g) : reply_error(g, 14);
}

static bool p_mem_write_hex(struct gdbstub *g, char *a, size_t n)
{
	const char *p = a;
	uint64_t addr, len;
	if (!parse_addr_len(&p, &addr, &len, ':'))
		return reply_error(g, 22);
	p++;
	if (hex_decode(p, n - (size_t)(p - a), g->buf, PKT_MAX) != (long)len)
		return reply_error(g, 22);
	return write_mem(g, addr, len);
}

static bool p_mem_write_bin(struct gdbstub *g, char *a, size_t n)
{
	const char *p = a;
	uint64_t addr, len;
	size_t k, got = 0;
	if (!parse_addr_len(&p, &addr, &len, ':'))
		return reply_error(g, 22);
	for (k = (size_t)(p + 1 - a); k < n && got < PKT_MAX; k++) {
		uint8_t c = (uint8_t)a[k];
		if (c == '}') {
			if (++k == n)
				return reply_error(g, 22);
			c = (uint8_t)a[k] ^ 0x20;
		}
		g->buf[got++] = c;
	}
	if (k < n || got != len)
		return reply_error(g, 22);
	return write_mem(g, addr, got);
}

/* c, C: every vCPU continues. An address to resume at is not taken:
 * GDB never sends one, and which of CS:IP or a linear address it would
 * mean is not clear. C's signal is dropped: a guest has no Unix signals. */
static bool p_continue(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	resume(g, -1, true);
	return false;
}

/* s, S: the Hc vCPU steps and the others stay put, as in QEMU */
static bool p_step(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	resume(g, g->c_cpu, false);
	return false;
}

static bool p_vcont_query(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_str(g, "vCont;c;C;s;S");
	return true;
}

/* vCont;ACTION[:TID]...: for each thread the leftmost action naming it
 * applies. The host takes one stepping vCPU and whether the rest run, so
 * the first step decides step_cpu, and a continue for every thread
 * (no TID, or -1) lets the others run; a continue naming one thread is
 * taken as that too (the host cannot resume some vCPUs only). */
static bool p_vcont(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	int step_cpu = -1;
	bool cont = false, all_covered = false;
	while (*p) {
		char act = *p++;
		uint64_t sig;
		int tid = TID_ALL;
		if ((act == 'C' || act == 'S') && !parse_hex(&p, &sig))
			return reply_error(g, 22);
		if (act != 'c' && act != 'C' && act != 's' && act != 'S')
			return reply_error(g, 22);
		if (*p == ':') {
			p++;
			if (!parse_tid(g, &p, &tid))
				return reply_error(g, 22);
		}
		if (*p && *p++ != ';')
			return reply_error(g, 22);
		if (act == 'c' || act == 'C') {
			cont = true;
			all_covered |= tid <= TID_ANY;
		} else if (step_cpu < 0 && !all_covered) {
			step_cpu = tid > 0 ? tid - 1 : g->c_cpu;
			all_covered |= tid == TID_ALL;
		}
	}
	if (step_cpu < 0 && !cont)
		return reply_error(g, 22);
	resume(g, step_cpu, step_cpu < 0 || cont);
	return false;
}

static bool p_set_thread(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a + 1;
	int tid;
	if ((a[0] != 'g' && a[0] != 'c') || !parse_tid(g, &p, &tid) || *p)
		return reply_error(g, 22);
	/* 0 (any) and -1 (all) keep the vCPU chosen at the last stop */
	if (tid > 0)
		*(a[0] == 'g' ? &g->g_cpu : &g->c_cpu) = tid - 1;
	return reply_ok(g);
}

static bool p_thread_alive(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	int tid;
	if (!parse_tid(g, &p, &tid) || *p || tid <= 0)
		return reply_error(g, 22);
	return reply_ok(g);
}

static void drop_client(struct gdbstub *g, bool detach);

static bool p_detach(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	send_packet(g, "OK", 2);
	drop_client(g, true);
	return false;
}

static bool p_kill(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	if (g->host.kill)
		g->host.kill(g->host.opaque);
	drop_client(g, false);
	return false;
}

static bool point(struct gdbstub *g, char *a, bool insert)
{
	const char *p = a;
	uint64_t type, addr, len;
	if (!parse_hex(&p, &type) || *p != ',')
		return reply_error(g, 22);
	p++;
	if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len))
		return reply_error(g, 22);
	/* a ";cond..." tail holds conditions we did not announce */
	if (*p && *p != ';')
		return reply_error(g, 22);
	if (type > DBG_WATCH_ACCESS)
		return true;	/* unsupported: the empty reply */
	int (*fn)(void *, enum dbg_point_kind, uint64_t, uint64_t) =
		insert ? g->host.insert_point : g->host.remove_point;
	if (!fn)
		return true;
	return fn(g->host.opaque, (enum dbg_point_kind)type, addr, len) < 0 ?
		reply_error(g, 22) : reply_ok(g);
}

static bool p_insert(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	return point(g, a, true);
}

static bool p_remove(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	return point(g, a, false);
}

static bool p_supported(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	char *save;
	for (char *f = strtok_r(a, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		if (!strcmp(f, "swbreak+"))
			g->swbreak = true;
		else if (!strcmp(f, "hwbreak+"))
			g->hwbreak = true;
	}
	reply_fmt(g, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
		  "vContSupported+;QStartNoAckMode+", PKT_MAX);
	return true;
}

/* qXfer:features:read:ANNEX:OFF,LEN -> 'm' (more follows) or 'l' (last) */
static bool p_features(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	static const char annex[] = "target.xml:";
	const char *p = a + sizeof(annex) - 1;
	uint64_t off, len;
	if (strncmp(a, annex, sizeof(annex) - 1))
		return reply_error(g, 0);
	if (!parse_addr_len(&p, &off, &len, 0))
		return reply_error(g, 22);
	const char *xml = gdbregs_target_xml(g->arch);
	size_t total = strlen(xml);
	if (off >= total) {
		reply_str(g, "l");
		return true;
	}
	reply_str(g, "m");
	size_t took = reply_bin(g, xml + off, total - off, len);
	if (off + took == total)
		g->reply[0] = 'l';
	return true;
}

static bool p_thread_first(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	for (int k = 0; k < ncpus(g); k++)
		reply_fmt(g, "%c%x", k ? ',' : 'm', k + 1);
	return true;
}

static bool p_thread_next(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_str(g, "l");
	return true;
}

static bool p_current_thread(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_fmt(g, "QC%x", g->c_cpu + 1);
	return true;
}

static bool p_thread_info(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	int tid;
	char text[128];
	if (!parse_tid(g, &p, &tid) || *p || tid <= 0)
		return reply_error(g, 22);
	snprintf(text, sizeof(text), "CPU#%d", tid - 1);
	if (g->host.cpu_info)
		g->host.cpu_info(g->host.opaque, tid - 1, text, sizeof(text));
	text[sizeof(text) - 1] = 0;
	reply_hex(g, text, strlen(text));
	return true;
}

static bool p_attached(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_str(g, "1");	/* a machine that was there before us: detach, not kill */
	return true;
}

static bool p_offsets(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_str(g, "Text=0;Data=0;Bss=0");
	return true;
}

static bool p_symbol(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	return reply_ok(g);	/* no symbols wanted */
}

static bool p_monitor(struct gdbstub *g, char *a, size_t n)
{
	char line[MON_LINE_MAX];
	long len = hex_decode(a, n, (uint8_t *)line, sizeof(line) - 1);
	if (len < 0)
		return reply_error(g, 22);
	line[len] = 0;
	if (!g->host.monitor)
		return true;
	g->host.monitor(g->host.opaque, line, con_write, g);
	con_flush(g);
	return reply_ok(g);
}

static bool p_no_ack(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	/* this OK goes out without waiting for its ack anyway */
	g->noack = true;
	return reply_ok(g);
}

static bool p_sstep_bits(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_fmt(g, "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", DBG_SSTEP_ENABLE, DBG_SSTEP_NOIRQ,
		  DBG_SSTEP_NOTIMER);
	return true;
}

static bool p_sstep_get(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_fmt(g, "0x%x", g->host.get_sstep ? g->host.get_sstep(g->host.opaque) : 0);
	return true;
}

static bool p_sstep_set(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	const char *p = a;
	uint64_t v;
	unsigned all = DBG_SSTEP_ENABLE | DBG_SSTEP_NOIRQ | DBG_SSTEP_NOTIMER;
	/* QEMU reads it with strtoul base 16, which takes "0x7" as our own
	 * qqemu.sstep reply writes it */
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!parse_hex(&p, &v) || *p || (v & ~(uint64_t)all))
		return reply_error(g, 22);
	if (g->host.set_sstep)
		g->host.set_sstep(g->host.opaque, (unsigned)v);
	return reply_ok(g);
}

static bool p_phys_get(struct gdbstub *g, char *a, size_t n)
{
	(void)a, (void)n;
	reply_str(g, g->phys ? "1" : "0");
	return true;
}

static bool p_phys_set(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	if ((a[0] != '0' && a[0] != '1') || a[1])
		return reply_error(g, 22);
	g->phys = a[0] == '1';
	return reply_ok(g);
}

/* A one-letter name takes what follows as its arguments; a longer name
 * must be the whole packet or be followed by one of ":,;=", which is
 * skipped. */
static const struct packet_kind {
	const char *name;
	bool (*serve)(struct gdbstub *g, char *args, size_t len);
} packet_kinds[] = {
	{ "?", p_why },
	{ "g", p_regs_read },
	{ "G", p_regs_write },
	{ "p", p_reg_read },
	{ "P", p_reg_write },
	{ "m", p_mem_read },
	{ "M", p_mem_write_hex },
	{ "X", p_mem_write_bin },
	{ "c", p_continue },
	{ "C", p_continue },
	{ "s", p_step },
	{ "S", p_step },
	{ "H", p_set_thread },
	{ "T", p_thread_alive },
	{ "D", p_detach },
	{ "k", p_kill },
	{ "Z", p_insert },
	{ "z", p_remove },
	{ "vCont?", p_vcont_query },
	{ "vCont", p_vcont },
	{ "qSupported", p_supported },
	{ "qXfer:features:read", p_features },
	{ "qfThreadInfo", p_thread_first },
	{ "qsThreadInfo", p_thread_next },
	{ "qC", p_current_thread },
	{ "qThreadExtraInfo", p_thread_info },
	{ "qAttached", p_attached },
	{ "qOffsets", p_offsets },
	{ "qSymbol", p_symbol },
	{ "qRcmd", p_monitor },
	{ "QStartNoAckMode", p_no_ack },
	{ "qqemu.sstepbits", p_sstep_bits },
	{ "qqemu.sstep", p_sstep_get },
	{ "Qqemu.sstep", p_sstep_set },
	{ "qqemu.PhyMemMode", p_phys_get },
	{ "Qqemu.PhyMemMode", p_phys_set },
};

static const struct packet_kind *packet_kind(const char *p, size_t len, size_t *skip)
{
	for (size_t k = 0; k < sizeof(packet_kinds) / sizeof(packet_kinds[0]); k++) {
		const char *name = packet_kinds[k].name;
		size_t n = strlen(name);
		if (len < n || memcmp(p, name, n))
			continue;
		if (n == 1 || len == n) {
			*skip = n;
			return &packet_kinds[k];
		}
		if (p[n] && strchr(":,;=", p[n])) {
			*skip = n + 1;
			return &packet_kinds[k];
		}
	}
	return NULL;
}

static void serve(struct gdbstub *g)
{
	size_t skip = 0;
	const struct packet_kind *kind = g->overlong ? NULL : packet_kind(g->pkt, g->plen, &skip);
	g->pkt[g->plen] = 0;
	g->rlen = 0;
	/* GDB waits for a stop reply in all-stop mode and sends nothing but
	 * Ctrl-C; the vCPUs' state is not ours to touch while they run */
	if (g->running)
		return;
	if (g->overlong)
		reply_error(g, 22);
	if (kind && !kind->serve(g, g->pkt + skip, g->plen - skip))
		return;
	if (g->cfd >= 0)
		send_packet(g, g->reply, g->rlen);
}

/* ---- receiving ---- */

static void interrupt(struct gdbstub *g)
{
	/* while stopped there is nothing to interrupt: the next '?' says why */
	if (!g->running)
		return;
	struct gdb_stop why = { .cpu = g->c_cpu, .signal = 2 };
	g->host.stop(g->host.opaque, &why);
	if (g->running)		/* unless the host reported the stop itself */
		report_stop(g, &why);
}

static void rx_byte(struct gdbstub *g, char c)
{
	switch (g->rx) {
	case RX_IDLE:
		if (c == '$') {
			g->rx = RX_DATA;
			g->plen = 0;
			g->sum = 0;
			g->overlong = false;
		} else if (c == 0x03) {
			interrupt(g);
		} else if (c == '-' && !g->noack && g->txlen) {
			write_all(g, g->tx, g->txlen);
		}
		break;		/* '+' and noise */
	case RX_DATA:
		if (c == '#') {
			g->rx = RX_CS_HI;
		} else if (c == '$') {
			g->plen = 0;	/* a packet cut short: take the new one */
			g->sum = 0;
			g->overlong = false;
		} else {
			g->sum += (uint8_t)c;
			if (g->plen < PKT_MAX)
				g->pkt[g->plen++] = c;
			else
				g->overlong = true;
		}
		break;
	case RX_CS_HI:
		/* a bad digit makes a high nibble that fails the checksum */
		g->cs = hexval(c) < 0 ? (uint8_t)(~g->sum & 0xf0) : (uint8_t)(hexval(c) << 4);
		g->rx = RX_CS_LO;
		break;
	case RX_CS_LO:
		g->rx = RX_IDLE;
		if (!g->noack) {
			bool good = hexval(c) >= 0 && (g->cs | hexval(c)) == g->sum;
			write_all(g, good ? "+" : "-", 1);
			if (!good)
				break;
		}
		serve(g);
		break;
	}
}

/* ---- connections ---- */

static void drop_client(struct gdbstub *g, bool detach)
{
	if (g->cfd < 0)
		return;
	if (detach) {
		if (g->running) {	/* points change only while the VM is paused */
			struct gdb_stop why = { .signal = 2 };
			g->host.stop(g->host.opaque, &why);
		}
		if (g->host.remove_all_points)
			g->host.remove_all_points(g->host.opaque);
		if (g->host.detach)
			g->host.detach(g->host.opaque);
	}
	close(g->cfd);
	g->cfd = -1;
	g->running = false;
}

/* one client at a time: any other is accepted and closed at once */
static void refuse_others(struct gdbstub *g)
{
	int fd;
	while ((fd = accept4(g->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
		close(fd);
}

static void accept_client(struct gdbstub *g)
{
	int one = 1;
	int fd = accept4(g->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->cfd = fd;
	g->arch = g->host.arch(g->host.opaque);
	g->noack = g->swbreak = g->hwbreak = g->phys = false;
	g->running = g->dead = false;
	g->rx = RX_IDLE;
	g->txlen = g->conlen = 0;
	/* as QEMU does: a debugger arriving stops the machine */
	struct gdb_stop why = { .signal = 2 };
	g->host.stop(g->host.opaque, &why);
	remember_stop(g, &why);
}

void gdbstub_handle(struct gdbstub *g)
{
	char in[4096];
	if (g->cfd < 0) {
		accept_client(g);
		return;
	}
	refuse_others(g);
	ssize_t n = recv(g->cfd, in, sizeof(in), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		drop_client(g, true);
		return;
	}
	for (ssize_t k = 0; k < n && g->cfd >= 0 && !g->dead; k++)
		rx_byte(g, in[k]);
	if (g->dead)
		drop_client(g, true);
}

void gdbstub_stopped(struct gdbstub *g, const struct gdb_stop *why)
{
	if (g->cfd < 0)
		return;
	if (!g->running) {
		remember_stop(g, why);
		return;
	}
	report_stop(g, why);
	if (g->dead)
		drop_client(g, true);
}

bool gdbstub_connected(const struct gdbstub *g)
{
	return g->cfd >= 0;
}

int gdbstub_fd(const struct gdbstub *g)
{
	return g->cfd >= 0 ? g->cfd : g->lfd;
}

int gdbstub_port(const struct gdbstub *g)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	if (getsockname(g->lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	if (sa.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	return ntohs(((struct sockaddr_in *)&sa)->sin_port);
}

/* "tcp::PORT", "tcp:HOST:PORT" or "PORT", QEMU's ",server,nowait" style
 * options ignored: host ("" for any) and port, or false */
static bool parse_spec(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
	char s[256];
	snprintf(s, sizeof(s), "%s", spec);
	s[strcspn(s, ",")] = 0;
	char *h = "", *p = s;
	if (!strncmp(s, "tcp:", 4)) {
		h = s + 4;
		p = strrchr(h, ':');
		if (!p)
			return false;
		*p++ = 0;
	}
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5 || atoi(p) > 65535)
		return false;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {	/* [::1] */
		h[strlen(h) - 1] = 0;
		h++;
	}
	if (strlen(h) >= hcap || strlen(p) >= pcap)
		return false;
	strcpy(host, h);
	strcpy(port, p);
	return true;
}

static int listen_on(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, zero = 0;
	int e = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (e) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)	/* take IPv4 clients too */
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 1))
			break;
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

struct gdbstub *gdbstub_new(const char *spec, const struct gdbstub_host *host)
{
	char h[256], p[8];
	if (!parse_spec(spec, h, sizeof(h), p, sizeof(p))) {
		log_error("gdbstub: bad address '%s' (want tcp::PORT, tcp:HOST:PORT or PORT)", spec);
		return NULL;
	}
	int fd = listen_on(h, p);
	if (fd < 0) {
		log_error("gdbstub: cannot listen on %s: %s", spec, strerror(errno));
		return NULL;
	}
	struct gdbstub *g = calloc(1, sizeof(*g));
	if (!g) {
		close(fd);
		log_error("gdbstub: out of memory");
		return NULL;
	}
	g->host = *host;
	g->lfd = fd;
	g->cfd = -1;
	return g;
}

void gdbstub_free(struct gdbstub *g)
{
	if (!g)
		return;
	if (g->cfd >= 0)
		close(g->cfd);
	close(g->lfd);
	free(g);
}
