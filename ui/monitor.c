/* The human monitor: line editing, the command table, and its commands. */
// SPDX-License-Identifier: MIT
#include "ui/monitor.h"

#include <capstone/capstone.h>	/* types only: the library is loaded on first use */
#include <dlfcn.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ui/keymap.h"

#define LINE_MAX_LEN 1024
#define MAX_ARGS 16
#define SENDKEY_MAX_KEYS 16
#define SENDKEY_HOLD_MS 100	/* QEMU's default hold time */

struct monitor {
	struct monitor_host host;
	bool echo;
	bool greeted;		/* banner printed */
	bool running;		/* for info status */
	bool quitting;		/* quit ran: nothing more is read */
	char line[LINE_MAX_LEN];
	size_t len;
	bool last_cr;		/* a CR ended the last line: a following LF is its pair */
	int esc;		/* 0, or where in an escape sequence typed input is */
	/* keys pressed by sendkey and released after the hold time */
	uint8_t release[SENDKEY_MAX_KEYS * KEYMAP_MAX_BYTES];
	size_t nrelease;
	int64_t release_at;
	/* x and xp: the format and unit size used last, QEMU's defaults first */
	char x_format;
	unsigned x_size;
};

/* ---- output ---- */

static void mon_write(struct monitor *m, const char *s, size_t n)
{
	if (m->host.write && n)
		m->host.write(m->host.opaque, s, n);
}

static void mon_puts(struct monitor *m, const char *s)
{
	mon_write(m, s, strlen(s));
}

void monitor_printf(struct monitor *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(buf)) {
		mon_write(m, buf, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mon_write(m, big, (size_t)n);
	free(big);
}

/* ---- commands ---- */

struct monitor_cmd {
	const char *name;	/* "quit|q": the name and its aliases */
	const char *params;	/* for help */
	const char *help;
	void (*run)(struct monitor *m, int argc, char **argv);
};

static void cmd_help(struct monitor *m, int argc, char **argv);
static void cmd_info(struct monitor *m, int argc, char **argv);
static void cmd_screendump(struct monitor *m, int argc, char **argv);
static void cmd_sendkey(struct monitor *m, int argc, char **argv);
static void cmd_system_reset(struct monitor *m, int argc, char **argv);
static void cmd_system_powerdown(struct monitor *m, int argc, char **argv);
static void cmd_stop(struct monitor *m, int argc, char **argv);
static void cmd_cont(struct monitor *m, int argc, char **argv);
static void cmd_quit(struct monitor *m, int argc, char **argv);
static void info_status(struct monitor *m, int argc, char **argv);
static void info_version(struct monitor *m, int argc, char **argv);
static void info_registers(struct monitor *m, int argc, char **argv);
static void cmd_x(struct monitor *m, int argc, char **argv);
static void info_tlb(struct monitor *m, int argc, char **argv);
static void info_mem(struct monitor *m, int argc, char **argv);
static void info_pic(struct monitor *m, int argc, char **argv);
static void info_irq(struct monitor *m, int argc, char **argv);
static void info_tiers(struct monitor *m, int argc, char **argv);
static void cmd_catch(struct monitor *m, int argc, char **argv);
static void info_catch(struct monitor *m, int argc, char **argv);

/* a new command is one row here and its function above */
static const struct monitor_cmd commands[] = {
	{ "help|?", "[cmd]", "show the help", cmd_help },
	{ "info", "[subcommand]", "show various information about the system state", cmd_info },
	{ "screendump", "filename", "save the screen into a PNG image 'filename'", cmd_screendump },
	{ "sendkey", "keys [hold_ms]",
	  "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)", cmd_sendkey },
	{ "system_reset", "", "reset the system", cmd_system_reset },
	{ "system_powerdown", "", "send system power down event", cmd_system_powerdown },
	{ "stop", "", "stop emulation", cmd_stop },
	{ "cont|c", "", "resume emulation", cmd_cont },
	{ "x", "/fmt addr", "virtual memory dump starting at 'addr' (fmt: count, format x d u o c i, size b h w g)", cmd_x },
	{ "xp", "/fmt addr", "physical memory dump starting at 'addr'", cmd_x },
	{ "catch", "vector N|all [off] | io PORT[-PORT]|off | triple on|off",
	  "stop the VM for the debugger before an exception vector is delivered, after a port access, or at a triple fault", cmd_catch },
	{ "quit|q", "", "quit the emulator", cmd_quit },
};

/* info subcommands, the same shape */
static const struct monitor_cmd info_commands[] = {
	{ "status", "", "show the current VM status (running|paused)", info_status },
	{ "version", "", "show the version of trivisor", info_version },
	{ "registers", "", "show the boot CPU's registers", info_registers },
	{ "tlb", "", "show the boot CPU's page mappings (virtual: physical flags)", info_tlb },
	{ "mem", "", "show the boot CPU's mapped virtual memory ranges", info_mem },
	{ "pic", "", "show the 8259 PICs' state", info_pic },
	{ "irq", "", "show the ISA IRQ line levels and the IOAPIC redirection table", info_irq },
	{ "tiers", "", "show each vCPU's tier and its counters", info_tiers },
	{ "catch", "", "show the events the VM stops on (see catch)", info_catch },
};

#define NCOMMANDS(t) (sizeof(t) / sizeof((t)[0]))

/* does word name this row (a name or an alias)? The word ends at a '/'
 * too, for commands with a format suffix (QEMU's x/10i) */
static bool cmd_matches(const struct monitor_cmd *c, const char *word)
{
	size_t wl = strcspn(word, "/");
	for (const char *p = c->name; *p;) {
		size_t l = strcspn(p, "|");
		if (l == wl && !strncmp(p, word, l))
			return true;
		p += l;
		if (*p == '|')
			p++;
	}
	return false;
}

static const struct monitor_cmd *cmd_find(const struct monitor_cmd *t, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (cmd_matches(&t[i], word))
			return &t[i];
	return NULL;
}

static void cmd_print_help(struct monitor *m, const char *prefix, const struct monitor_cmd *c)
{
	monitor_printf(m, "%s%s%s%s -- %s\n", prefix, c->name, c->params[0] ? " " : "",
		       c->params, c->help);
}

static void cmd_help(struct monitor *m, int argc, char **argv)
{
	if (argc > 1) {
		const struct monitor_cmd *c = cmd_find(commands, NCOMMANDS(commands), argv[1]);
		if (c && strcmp(argv[1], "info")) {
			cmd_print_help(m, "", c);
			return;
		}
		if (c) {
			for (size_t i = 0; i < NCOMMANDS(info_commands); i++)
				cmd_print_help(m, "info ", &info_commands[i]);
			return;
		}
		monitor_printf(m, "unknown command: '%s'\n", argv[1]);
		return;
	}
	for (size_t i = 0; i < NCOMMANDS(commands); i++)
		cmd_print_help(m, "", &commands[i]);
}

static void cmd_info(struct monitor *m, int argc, char **argv)
{
	if (argc < 2) {
		for (size_t i = 0; i < NCOMMANDS(info_commands); i++)
			cmd_print_help(m, "info ", &info_commands[i]);
		return;
	}
	const struct monitor_cmd *c = cmd_find(info_commands, NCOMMANDS(info_commands), argv[1]);
	if (!c) {
		monitor_printf(m, "info: unknown subcommand: '%s' (see 'info')\n", argv[1]);
		return;
	}
	c->run(m, argc - 1, argv + 1);
}

static void info_status(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	monitor_printf(m, "VM status: %s\n", m->running ? "running" : "paused");
}

static void info_version(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	monitor_printf(m, "%s\n", m->host.version ? m->host.version : "0.1");
}

static bool need_host(struct monitor *m, const char *cmd, bool have)
{
	if (!have)
		monitor_printf(m, "%s: not available on this machine\n", cmd);
	return have;
}

static void cmd_screendump(struct monitor *m, int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") && i + 1 < argc) {
			/* QEMU's format option: only PNG is written here */
			if (strcmp(argv[++i], "png")) {
				monitor_printf(m, "screendump: format '%s' not supported (png only)\n", argv[i]);
				return;
			}
		} else if (!path) {
			path = argv[i];
		}
	}
	if (!path) {
		monitor_printf(m, "screendump: needs a filename\n");
		return;
	}
	if (!m->host.screendump) {
		monitor_printf(m, "screendump: no display device on this machine\n");
		return;
	}
	const char *err = m->host.screendump(m->host.opaque, path);
	if (err)
		monitor_printf(m, "screendump: %s\n", err);
}

static int64_t mon_now(struct monitor *m)
{
	if (m->host.now_ns)
		return m->host.now_ns(m->host.opaque);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void release_pending(struct monitor *m)
{
	if (m->nrelease && m->host.send_scancodes)
		m->host.send_scancodes(m->host.opaque, m->release, m->nrelease);
	m->nrelease = 0;
}

static void cmd_sendkey(struct monitor *m, int argc, char **argv)
{
	if (argc < 2) {
		monitor_printf(m, "sendkey: needs keys (e.g. ctrl-alt-delete)\n");
		return;
	}
	long hold = SENDKEY_HOLD_MS;
	if (argc > 2) {
		char *end;
		hold = strtol(argv[2], &end, 0);
		if (*end || end == argv[2] || hold < 0 || hold > 60000) {
			monitor_printf(m, "sendkey: bad hold time '%s' (milliseconds)\n", argv[2]);
			return;
		}
	}
	uint16_t keys[SENDKEY_MAX_KEYS];
	int n = 0;
	for (char *p = argv[1]; *p;) {
		size_t l = strcspn(p, "-");
		char name[32];
		if (l == 0 || l >= sizeof(name)) {
			monitor_printf(m, "sendkey: bad key list '%s'\n", argv[1]);
			return;
		}
		memcpy(name, p, l);
		name[l] = 0;
		uint16_t k = keymap_from_name(name);
		if (!k) {
			monitor_printf(m, "sendkey: unknown key '%s'\n", name);
			return;
		}
		if (n == SENDKEY_MAX_KEYS) {
			monitor_printf(m, "sendkey: too many keys (at most %d)\n", SENDKEY_MAX_KEYS);
			return;
		}
		keys[n++] = k;
		p += l;
		if (*p == '-' && *++p == 0) {
			monitor_printf(m, "sendkey: bad key list '%s'\n", argv[1]);
			return;
		}
	}
	if (!need_host(m, "sendkey", m->host.send_scancodes != NULL))
		return;
	/* a sendkey still holding its keys lets them go first */
	release_pending(m);
	uint8_t press[SENDKEY_MAX_KEYS * KEYMAP_MAX_BYTES];
	size_t np = 0;
	for (int i = 0; i < n; i++)
		np += keymap_bytes(keys[i], true, press + np);
	m->host.send_scancodes(m->host.opaque, press, np);
	/* released in reverse order after the hold time */
	for (int i = n - 1; i >= 0; i--)
		m->nrelease += keymap_bytes(keys[i], false, m->release + m->nrelease);
	m->release_at = mon_now(m) + (int64_t)hold * 1000000;
	if (hold == 0)
		release_pending(m);
}

static void cmd_system_reset(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (need_host(m, argv[0], m->host.reset != NULL))
		m->host.reset(m->host.opaque);
}

static void cmd_system_powerdown(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (need_host(m, argv[0], m->host.powerdown != NULL))
		m->host.powerdown(m->host.opaque);
}

static void cmd_stop(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (!need_host(m, argv[0], m->host.stop != NULL))
		return;
	m->host.stop(m->host.opaque);
	m->running = false;
}

static void cmd_cont(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (!need_host(m, argv[0], m->host.cont != NULL))
		return;
	m->host.cont(m->host.opaque);
	m->running = true;
}

static void cmd_quit(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (!need_host(m, argv[0], m->host.quit != NULL))
		return;
	m->quitting = true;
	m->host.quit(m->host.opaque);
}

/* ---- catch: events that stop the VM for the debugger ---- */

static bool parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return false;
	*out = v;
	return true;
}

static void cmd_catch(struct monitor *m, int argc, char **argv)
{
	if (!need_host(m, argv[0], m->host.catch_vector && m->host.catch_io && m->host.catch_triple))
		return;
	bool off = argc == 4 && !strcmp(argv[3], "off");
	unsigned long lo, hi;
	if (argc >= 3 && !strcmp(argv[1], "vector") && (argc == 3 || off)) {
		if (!strcmp(argv[2], "all")) {
			m->host.catch_vector(m->host.opaque, -1, !off);
			return;
		}
		if (parse_num(argv[2], 255, &lo)) {
			m->host.catch_vector(m->host.opaque, (int)lo, !off);
			return;
		}
	} else if (argc == 3 && !strcmp(argv[1], "io")) {
		if (!strcmp(argv[2], "off")) {
			m->host.catch_io(m->host.opaque, 0, 0, false);
			return;
		}
		char first[32];
		const char *dash = strchr(argv[2], '-');
		size_t n = dash ? (size_t)(dash - argv[2]) : strlen(argv[2]);
		if (n < sizeof(first)) {
			memcpy(first, argv[2], n);
			first[n] = 0;
			if (parse_num(first, 0xffff, &lo) &&
			    (dash ? parse_num(dash + 1, 0xffff, &hi) : (hi = lo, true)) && lo <= hi) {
				m->host.catch_io(m->host.opaque, (uint16_t)lo, (uint16_t)hi, true);
				return;
			}
		}
	} else if (argc == 3 && !strcmp(argv[1], "triple") &&
		   (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
		m->host.catch_triple(m->host.opaque, !strcmp(argv[2], "on"));
		return;
	}
	monitor_printf(m, "usage: catch vector N|all [off] | catch io PORT[-PORT]|off | catch triple on|off\n");
}

static void info_catch(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (!need_host(m, argv[0], m->host.catch_info != NULL))
		return;
	char buf[1024];
	m->host.catch_info(m->host.opaque, buf, sizeof(buf));
	monitor_printf(m, "catching: %s\n", buf);
}

/* ---- the CPU: info registers, x, xp ---- */

/* the boot CPU's state through the host (which pauses around the read) */
static bool get_cpu(struct monitor *m, const char *cmd, struct cpu_state *s, bool *a20)
{
	if (!need_host(m, cmd, m->host.cpu_state != NULL))
		return false;
	if (m->host.cpu_state(m->host.opaque, s, a20) < 0) {
		monitor_printf(m, "%s: no CPU state to show\n", cmd);
		return false;
	}
	return true;
}

/* the CPU's privilege level: 0 in real mode, 3 in virtual-8086 mode, else
 * SS's DPL (where the hardware keeps the CPL) */
static unsigned cpu_cpl(const struct cpu_state *s)
{
	if (!cpu_protected(s))
		return 0;
	if (s->rflags & FL_VM)
		return 3;
	return SEG_ATTR_DPL(s->seg[S_SS].attr);
}

/* the code size the CPU decodes in now: 16, 32 or 64 */
static unsigned cpu_code_size(const struct cpu_state *s)
{
	const struct cpu_segment *cs = &s->seg[S_CS];
	if (cpu_long_mode(s) && (cs->attr & SEG_ATTR_L))
		return 64;
	if (cpu_protected(s) && !(s->rflags & FL_VM) && (cs->attr & SEG_ATTR_DB))
		return 32;
	return 16;
}

/* QEMU's segment line: selector, base, limit, the descriptor's flags as in
 * its high dword (bits 8-23), then in protected mode a decoding */
static void print_seg(struct monitor *m, const struct cpu_state *s, const char *name,
		      const struct cpu_segment *sg)
{
	uint32_t attr = sg->attr;
	uint32_t flags = ((attr & 0xff) << 8) | ((attr & 0xf000) << 8);
	bool cs64 = cpu_code_size(s) == 64;
	if (cs64)
		monitor_printf(m, "%-3s=%04x %016llx %08x %08x", name, sg->selector,
			       (unsigned long long)sg->base, sg->limit, flags);
	else
		monitor_printf(m, "%-3s=%04x %08x %08x %08x", name, sg->selector,
			       (uint32_t)sg->base, sg->limit, flags);
	if (!cpu_protected(s) || !(attr & SEG_ATTR_P)) {
		monitor_printf(m, "\n");
		return;
	}
	unsigned type = SEG_ATTR_TYPE(attr);
	monitor_printf(m, " DPL=%u ", SEG_ATTR_DPL(attr));
	if (attr & SEG_ATTR_S) {
		if (type & 8) {
			monitor_printf(m, "%s [%c%c", (attr & SEG_ATTR_L) ? "CS64" :
				       (attr & SEG_ATTR_DB) ? "CS32" : "CS16",
				       (type & 4) ? 'C' : '-', (type & 2) ? 'R' : '-');
		} else {
			monitor_printf(m, "%s [%c%c", (attr & SEG_ATTR_DB) || cpu_long_mode(s) ? "DS  " : "DS16",
				       (type & 4) ? 'E' : '-', (type & 2) ? 'W' : '-');
		}
		monitor_printf(m, "%c]\n", (type & 1) ? 'A' : '-');
		return;
	}
	static const char *const sys_type[2][16] = {
		{ "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
		  "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
		  "CallGate32", "Reserved", "IntGate32", "TrapGate32" },
		{ "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved",
		  "Reserved", "Reserved", "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64",
		  "Reserved", "IntGate64", "TrapGate64" },
	};
	monitor_printf(m, "%s\n", sys_type[cpu_long_mode(s)][type]);
}

/* info registers: QEMU's layout (cpu_dump_state), the x87/SSE part left out */
static uint64_t fx_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned k = n; k--;)
		v = v << 8 | p[k];
	return v;
}

/* x87 and SSE from the FXSAVE image, in QEMU's layout: the control and
 * status words, TOP, the abridged tag byte (1: not empty), each stack
 * register as mantissa and sign+exponent, each XMM register high to low */
static void print_fpu(struct monitor *m, const struct cpu_state *s, unsigned nxmm)
{
	const uint8_t *fx = s->fxsave;
	unsigned fsw = (unsigned)fx_le(fx + 2, 2);
	monitor_printf(m, "FCW=%04x FSW=%04x [ST=%u] FTW=%02x MXCSR=%08x\n", (unsigned)fx_le(fx, 2),
		       fsw, (fsw >> 11) & 7, fx[4], (unsigned)fx_le(fx + 24, 4));
	for (unsigned k = 0; k < 8; k++)
		monitor_printf(m, "FPR%u=%016llx %04x%c", k, (unsigned long long)fx_le(fx + 32 + 16 * k, 8),
			       (unsigned)fx_le(fx + 40 + 16 * k, 2), k & 1 ? '\n' : ' ');
	for (unsigned k = 0; k < nxmm; k++) {
		const uint8_t *x = fx + 160 + 16 * k;
		monitor_printf(m, "XMM%02u=%016llx%016llx%c", k, (unsigned long long)fx_le(x + 8, 8),
			       (unsigned long long)fx_le(x, 8), k & 1 ? '\n' : ' ');
	}
}

static void info_registers(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	struct cpu_state s;
	bool a20 = true;
	if (!get_cpu(m, argv[0], &s, &a20))
		return;
	uint64_t fl = s.rflags;
	char fs[8];
	snprintf(fs, sizeof(fs), "%c%c%c%c%c%c%c", (fl & FL_DF) ? 'D' : '-', (fl & FL_OF) ? 'O' : '-',
		 (fl & FL_SF) ? 'S' : '-', (fl & FL_ZF) ? 'Z' : '-', (fl & FL_AF) ? 'A' : '-',
		 (fl & FL_PF) ? 'P' : '-', (fl & FL_CF) ? 'C' : '-');
	bool cs64 = cpu_code_size(&s) == 64;
	unsigned ii = s.ev.interrupt_shadow != 0, hlt = s.run_state == CPU_HALTED;
	if (cs64) {
		static const char *const names[16] = {
			"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
			"R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
		};
		static const uint8_t order[16] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
						   8, 9, 10, 11, 12, 13, 14, 15 };
		for (unsigned k = 0; k < 16; k++)
			monitor_printf(m, "%s=%016llx%c", names[k], (unsigned long long)s.gpr[order[k]],
				       k % 4 == 3 ? '\n' : ' ');
		monitor_printf(m, "RIP=%016llx RFL=%08x [%s] CPL=%u II=%u A20=%d SMM=0 HLT=%u\n",
			       (unsigned long long)s.rip, (uint32_t)fl, fs, cpu_cpl(&s), ii, a20, hlt);
	} else {
		monitor_printf(m, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
			       "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"
			       "EIP=%08x EFL=%08x [%s] CPL=%u II=%u A20=%d SMM=0 HLT=%u\n",
			       (uint32_t)s.gpr[R_EAX], (uint32_t)s.gpr[R_EBX], (uint32_t)s.gpr[R_ECX],
			       (uint32_t)s.gpr[R_EDX], (uint32_t)s.gpr[R_ESI], (uint32_t)s.gpr[R_EDI],
			       (uint32_t)s.gpr[R_EBP], (uint32_t)s.gpr[R_ESP], (uint32_t)s.rip,
			       (uint32_t)fl, fs, cpu_cpl(&s), ii, a20, hlt);
	}
	static const char *const segs[CPU_NR_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
	for (int k = 0; k < CPU_NR_SEGS; k++)
		print_seg(m, &s, segs[k], &s.seg[k]);
	print_seg(m, &s, "LDT", &s.ldt);
	print_seg(m, &s, "TR", &s.tr);
	if (cs64) {
		monitor_printf(m, "GDT=     %016llx %08x\nIDT=     %016llx %08x\n",
			       (unsigned long long)s.gdt.base, s.gdt.limit,
			       (unsigned long long)s.idt.base, s.idt.limit);
		monitor_printf(m, "CR0=%08x CR2=%016llx CR3=%016llx CR4=%08x\n", (uint32_t)s.cr0,
			       (unsigned long long)s.cr2, (unsigned long long)s.cr3, (uint32_t)s.cr4);
		for (int k = 0; k < 4; k++)
			monitor_printf(m, "DR%d=%016llx ", k, (unsigned long long)s.dr[k]);
		monitor_printf(m, "\nDR6=%016llx DR7=%016llx\n", (unsigned long long)s.dr[6],
			       (unsigned long long)s.dr[7]);
	} else {
		monitor_printf(m, "GDT=     %08x %08x\nIDT=     %08x %08x\n", (uint32_t)s.gdt.base,
			       s.gdt.limit, (uint32_t)s.idt.base, s.idt.limit);
		monitor_printf(m, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", (uint32_t)s.cr0,
			       (uint32_t)s.cr2, (uint32_t)s.cr3, (uint32_t)s.cr4);
		for (int k = 0; k < 4; k++)
			monitor_printf(m, "DR%d=%08x ", k, (uint32_t)s.dr[k]);
		monitor_printf(m, "\nDR6=%08x DR7=%08x\n", (uint32_t)s.dr[6], (uint32_t)s.dr[7]);
	}
	monitor_printf(m, "EFER=%016llx\n", (unsigned long long)s.efer);
	print_fpu(m, &s, cs64 ? 16 : 8);
}

#define PTE_P (1ull << 0)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

/* copy len bytes at addr (linear through the boot CPU's page tables when
 * virt) into buf: how many could be read before an unmapped page */
static size_t mem_read(struct monitor *m, bool virt, uint64_t addr, uint8_t *buf, size_t len)
{
	if (virt)
		return m->host.read_virt(m->host.opaque, addr, buf, len);
	m->host.read_phys(m->host.opaque, addr, buf, len);
	return len;
}

/* capstone, loaded on the first x/i (as the interpreter's trace does):
 * one handle per code size, AT&T syntax as QEMU's monitor prints */
struct mon_disasm {
	void *lib;
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	void (*free)(cs_insn *, size_t);
	csh h[3];
	bool tried, ok;
};
static struct mon_disasm mdis;

static bool disasm_ready(void)
{
	if (mdis.tried)
		return mdis.ok;
	mdis.tried = true;
	static const char *const names[] = { "libcapstone.so.5", "libcapstone.so.4", "libcapstone.so" };
	for (unsigned k = 0; k < 3 && !mdis.lib; k++)
		mdis.lib = dlopen(names[k], RTLD_NOW | RTLD_LOCAL);
	if (!mdis.lib)
		return false;
	cs_err (*open)(cs_arch, cs_mode, csh *) = (cs_err (*)(cs_arch, cs_mode, csh *))dlsym(mdis.lib, "cs_open");
	cs_err (*option)(csh, cs_opt_type, size_t) = (cs_err (*)(csh, cs_opt_type, size_t))
		dlsym(mdis.lib, "cs_option");
	mdis.disasm = (size_t (*)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **))
		dlsym(mdis.lib, "cs_disasm");
	mdis.free = (void (*)(cs_insn *, size_t))dlsym(mdis.lib, "cs_free");
	if (!open || !mdis.disasm || !mdis.free)
		return false;
	static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
	for (unsigned k = 0; k < 3; k++) {
		if (open(CS_ARCH_X86, modes[k], &mdis.h[k]) != CS_ERR_OK)
			return false;
		if (option)
			option(mdis.h[k], CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	}
	mdis.ok = true;
	return true;
}

/* count instructions from addr, decoded in the CPU's current code size */
static void dump_insns(struct monitor *m, const struct cpu_state *s, bool virt, uint64_t addr,
		       long count)
{
	if (!disasm_ready()) {
		monitor_printf(m, "x/i: capstone (libcapstone.so) is not available\n");
		return;
	}
	unsigned size = cpu_code_size(s);
	csh h = mdis.h[size == 64 ? 2 : size == 32 ? 1 : 0];
	for (long k = 0; k < count; k++) {
		uint8_t buf[16];
		size_t got = mem_read(m, virt, addr, buf, 15);
		if (!got) {
			monitor_printf(m, "0x%016llx: Cannot access memory\n", (unsigned long long)addr);
			return;
		}
		cs_insn *ci = NULL;
		size_t n = mdis.disasm(h, buf, got, addr, 1, &ci);
		if (!n) {
			monitor_printf(m, "0x%016llx:  %02x       (bad)\n", (unsigned long long)addr, buf[0]);
			addr++;
			continue;
		}
		char hex[3 * 16 + 1] = "";
		size_t hl = 0;
		for (unsigned b = 0; b < ci[0].size && b < 15; b++)
			hl += (size_t)snprintf(hex + hl, sizeof(hex) - hl, "%02x", ci[0].bytes[b]);
		monitor_printf(m, "0x%016llx:  %-16s %-8s %s\n", (unsigned long long)addr, hex,
			       ci[0].mnemonic, ci[0].op_str);
		addr += ci[0].size;
		mdis.free(ci, n);
	}
}

/* QEMU's memory_dump: a line holds 8 bytes (size b) or 16 */
static void dump_mem(struct monitor *m, bool virt, uint64_t addr, long count, char format,
		     unsigned wsize)
{
	if (format == 'c')
		wsize = 1;
	unsigned line = wsize == 1 ? 8 : 16;
	int digits = format == 'x' ? (int)wsize * 2 : format == 'o' ? ((int)wsize * 8 + 2) / 3 :
		     ((int)wsize * 80 + 32) / 33;
	uint64_t len = (uint64_t)count * wsize;
	while (len > 0) {
		unsigned l = len > line ? line : (unsigned)len;
		uint8_t buf[16];
		monitor_printf(m, "%016llx:", (unsigned long long)addr);
		if (mem_read(m, virt, addr, buf, l) < l) {
			monitor_printf(m, " Cannot access memory\n");
			return;
		}
		for (unsigned i = 0; i < l; i += wsize) {
			uint64_t v = 0;
			for (unsigned k = wsize; k--;)
				v = v << 8 | buf[i + k];
			int64_t sv = wsize == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * wsize)) >> (64 - 8 * wsize);
			switch (format) {
			case 'x': monitor_printf(m, " 0x%0*llx", digits, (unsigned long long)v); break;
			case 'o': monitor_printf(m, " %#*llo", digits, (unsigned long long)v); break;
			case 'u': monitor_printf(m, " %*llu", digits, (unsigned long long)v); break;
			case 'd': monitor_printf(m, " %*lld", digits, (long long)sv); break;
			case 'c':
				if (v == '\'' || v == '\\')
					monitor_printf(m, " '\\%c'", (char)v);
				else if (v == '\n')
					monitor_printf(m, " '\\n'");
				else if (v == '\r')
					monitor_printf(m, " '\\r'");
				else if (v >= 32 && v <= 126)
					monitor_printf(m, " '%c'", (char)v);
				else
					monitor_printf(m, " '\\x%02x'", (unsigned)v);
				break;
			}
		}
		monitor_printf(m, "\n");
		addr += l;
		len -= l;
	}
}

/* x/FMT ADDR and xp/FMT ADDR: FMT is [count][format][size] in any order
 * after the count, as QEMU's; what was given last time is the default */
static void cmd_x(struct monitor *m, int argc, char **argv)
{
	bool virt = argv[0][1] != 'p';
	const char *name = virt ? "x" : "xp";
	const char *fmt = strchr(argv[0], '/');
	long count = 1;
	char format = m->x_format;
	unsigned size = m->x_size;
	if (fmt) {
		fmt++;
		char *end;
		if (*fmt >= '0' && *fmt <= '9') {
			count = strtol(fmt, &end, 10);
			fmt = end;
		}
		for (; *fmt; fmt++) {
			switch (*fmt) {
			case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
				format = *fmt;
				break;
			case 'b': size = 1; break;
			case 'h': size = 2; break;
			case 'w': size = 4; break;
			case 'g': size = 8; break;
			default:
				monitor_printf(m, "%s: invalid char in format: '%c'\n", name, *fmt);
				return;
			}
		}
	}
	if (count <= 0 || count > 4096) {
		monitor_printf(m, "%s: count must be 1 to 4096\n", name);
		return;
	}
	if (argc < 2) {
		monitor_printf(m, "%s: needs an address\n", name);
		return;
	}
	if (!need_host(m, name, virt ? m->host.read_virt != NULL : m->host.read_phys != NULL))
		return;
	struct cpu_state s;
	bool a20 = true;
	bool need_cpu = virt || format == 'i' || argv[1][0] == '$';
	if (need_cpu && !get_cpu(m, name, &s, &a20))
		return;
	if (!need_cpu)
		memset(&s, 0, sizeof(s));
	uint64_t addr;
	const char *a = argv[1];
	if (!strcmp(a, "$pc"))
		addr = s.seg[S_CS].base + s.rip;
	else if (!strcmp(a, "$rip") || !strcmp(a, "$eip"))
		addr = s.rip;
	else if (!strcmp(a, "$sp") || !strcmp(a, "$rsp") || !strcmp(a, "$esp"))
		addr = s.gpr[R_ESP];
	else {
		char *end;
		addr = strtoull(a, &end, 0);
		if (*end || end == a) {
			monitor_printf(m, "%s: bad address '%s'\n", name, a);
			return;
		}
	}
	m->x_format = format;
	m->x_size = size;
	if (format == 'i')
		dump_insns(m, &s, virt, addr, count);
	else
		dump_mem(m, virt, addr, count, format, size);
}

/* ---- info tlb, info mem: every mapping of the current page tables ---- */

#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)

/* one present leaf of the tables */
struct page_ent {
	uint64_t lin, phys, size;
	uint64_t pte;		/* the leaf entry */
	uint64_t prot;		/* PTE_U | PTE_W as every level allows them */
	bool large;
};

typedef void page_fn(struct monitor *m, const struct page_ent *e, void *opaque);

struct page_walk {
	struct monitor *m;
	page_fn *fn;
	void *opaque;
	bool legacy;		/* 32-bit paging: 4-byte entries, 1024 a table */
	bool pse;		/* CR4.PSE (32-bit paging's 4M pages) */
	bool lm;		/* 4-level paging */
};

/* the n entries of the table at gpa (a level: 1 PT, 2 PD, 3 PDPT, 4 PML4)
 * mapping from base; read only, so no accessed or dirty bit is set */
static void walk_table(struct page_walk *w, uint64_t gpa, int level, unsigned n, uint64_t base,
		       uint64_t prot)
{
	uint8_t buf[4096];
	unsigned esz = w->legacy ? 4 : 8;
	unsigned shift = w->legacy ? (level == 2 ? 22 : 12) : 12 + 9 * (unsigned)(level - 1);
	w->m->host.read_phys(w->m->host.opaque, gpa, buf, (size_t)n * esz);
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = 0;
		memcpy(&e, buf + (size_t)i * esz, esz);
		if (!(e & PTE_P))
			continue;
		uint64_t lin = base + ((uint64_t)i << shift);
		if (w->lm)
			lin = (uint64_t)((int64_t)(lin << 16) >> 16);
		/* legacy PAE's PDPT entries have no U and W bits */
		uint64_t p = (!w->legacy && !w->lm && level == 3) ? prot : prot & e & (PTE_U | PTE_W);
		bool large = (e & PTE_PS) && (w->legacy ? level == 2 && w->pse :
					      level == 2 || (level == 3 && w->lm));
		if (level == 1 || large) {
			struct page_ent pe = { .lin = lin, .size = 1ull << shift, .pte = e, .prot = p,
					       .large = large };
			if (w->legacy && large)
				pe.phys = (e & 0xffc00000u) | (((e >> 13) & 0xff) << 32);
			else if (w->legacy)
				pe.phys = e & 0xfffff000u;
			else
				pe.phys = e & PTE_ADDR & ~(pe.size - 1);
			w->fn(w->m, &pe, w->opaque);
			continue;
		}
		uint64_t next = w->legacy ? e & 0xfffff000u : e & PTE_ADDR;
		walk_table(w, next, level - 1, w->legacy ? 1024 : 512, lin, p);
	}
}

/* every present leaf of the CPU's current tables, in address order:
 * 0, or -1 with paging off */
static int walk_pages(struct monitor *m, const struct cpu_state *s, page_fn *fn, void *opaque)
{
	if (!(s->cr0 & CR0_PG))
		return -1;
	struct page_walk w = { .m = m, .fn = fn, .opaque = opaque, .legacy = !(s->cr4 & CR4_PAE),
			       .pse = (s->cr4 & CR4_PSE) != 0, .lm = cpu_long_mode(s) };
	uint64_t all = PTE_U | PTE_W;
	if (w.legacy)
		walk_table(&w, s->cr3 & 0xfffff000u, 2, 1024, 0, all);
	else if (w.lm)
		walk_table(&w, s->cr3 & PTE_ADDR, 4, 512, 0, all);
	else
		walk_table(&w, s->cr3 & 0xffffffe0u, 3, 4, 0, all);
	return 0;
}

/* the CPU for info tlb and info mem: false (and said why) when there is
 * nothing to walk */
static bool paging_cpu(struct monitor *m, const char *cmd, struct cpu_state *s)
{
	bool a20 = true;
	if (!need_host(m, cmd, m->host.read_phys != NULL) || !get_cpu(m, cmd, s, &a20))
		return false;
	if (!(s->cr0 & CR0_PG)) {
		monitor_printf(m, "PG disabled\n");
		return false;
	}
	return true;
}

/* QEMU's print_pte: "VIRT: PHYS XGPDACTUW" */
static void tlb_line(struct monitor *m, const struct page_ent *e, void *opaque)
{
	(void)opaque;
	uint64_t f = e->pte;
	monitor_printf(m, "%016llx: %016llx %c%c%c%c%c%c%c%c%c\n", (unsigned long long)e->lin,
		       (unsigned long long)e->phys, (f & PTE_NX) ? 'X' : '-', (f & PTE_G) ? 'G' : '-',
		       e->large ? 'P' : '-', (f & PTE_D) ? 'D' : '-', (f & PTE_A) ? 'A' : '-',
		       (f & PTE_PCD) ? 'C' : '-', (f & PTE_PWT) ? 'T' : '-', (f & PTE_U) ? 'U' : '-',
		       (f & PTE_W) ? 'W' : '-');
}

static void info_tlb(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	struct cpu_state s;
	if (paging_cpu(m, argv[0], &s))
		walk_pages(m, &s, tlb_line, NULL);
}

/* info mem: a range of pages one after the other with the same rights */
struct mem_range {
	bool open;
	uint64_t start, end, prot;
};

static void mem_flush(struct monitor *m, struct mem_range *r)
{
	if (!r->open)
		return;
	monitor_printf(m, "%016llx-%016llx %016llx %c%c%c\n", (unsigned long long)r->start,
		       (unsigned long long)r->end, (unsigned long long)(r->end - r->start),
		       (r->prot & PTE_U) ? 'u' : '-', 'r', (r->prot & PTE_W) ? 'w' : '-');
	r->open = false;
}

static void mem_page(struct monitor *m, const struct page_ent *e, void *opaque)
{
	struct mem_range *r = opaque;
	if (r->open && r->end == e->lin && r->prot == e->prot) {
		r->end += e->size;
		return;
	}
	mem_flush(m, r);
	*r = (struct mem_range){ true, e->lin, e->lin + e->size, e->prot };
}

static void info_mem(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	struct cpu_state s;
	if (!paging_cpu(m, argv[0], &s))
		return;
	struct mem_range r = { 0 };
	walk_pages(m, &s, mem_page, &r);
	mem_flush(m, &r);
}

/* ---- info pic, info irq, info tiers ---- */

static void info_pic(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	struct monitor_pic_info p;
	if (!need_host(m, argv[0], m->host.pic_info != NULL))
		return;
	if (m->host.pic_info(m->host.opaque, &p) < 0) {
		monitor_printf(m, "pic: no 8259 on this machine\n");
		return;
	}
	/* QEMU's pic_print_info */
	for (int i = 0; i < 2; i++)
		monitor_printf(m, "pic%d: irr=%02x imr=%02x isr=%02x hprio=%d irq_base=%02x rr_sel=%d "
			       "elcr=%02x fnm=%d\n", i, p.chip[i].irr, p.chip[i].imr, p.chip[i].isr,
			       p.chip[i].hprio, p.chip[i].base, p.chip[i].rr_sel, p.chip[i].elcr,
			       p.chip[i].fnm);
}

static void info_irq(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	struct monitor_irq_info q;
	if (!need_host(m, argv[0], m->host.irq_info != NULL))
		return;
	if (m->host.irq_info(m->host.opaque, &q) < 0) {
		monitor_printf(m, "irq: no interrupt lines to show\n");
		return;
	}
	monitor_printf(m, "ISA IRQ levels (no interrupt counts are kept):\n");
	for (int n = 0; n < 16; n++)
		monitor_printf(m, "%2d: %s\n", n, (q.isa_levels >> n) & 1 ? "high" : "low");
	if (!q.have_ioapic)
		return;
	/* QEMU's ioapic_print_redtbl */
	static const char *const delm[8] = { "fixed", "lowest", "SMI", "...", "NMI", "INIT", "...",
					     "extINT" };
	monitor_printf(m, "ioapic0: id=0x%02x sel=0x%02x\n", q.ioapic_id, q.ioapic_sel);
	uint32_t remote = 0;
	for (unsigned i = 0; i < MONITOR_IOAPIC_PINS; i++) {
		uint64_t e = q.rte[i];
		bool logical = (e >> 11) & 1;
		monitor_printf(m, "  pin %-2u 0x%016llx dest=%llx vec=%-3u %s %-5s %-6s %-6s %s\n", i,
			       (unsigned long long)e, (unsigned long long)((e >> 56) & (logical ? 0xff : 0xf)),
			       (unsigned)(e & 0xff), (e >> 13) & 1 ? "active-lo" : "active-hi",
			       (e >> 15) & 1 ? "level" : "edge", (e >> 16) & 1 ? "masked" : "",
			       delm[(e >> 8) & 7], logical ? "logical" : "physical");
		if (((e >> 15) & 1) && ((e >> 14) & 1))
			remote |= 1u << i;
	}
	monitor_printf(m, "  lines      ");
	for (unsigned i = 0; i < MONITOR_IOAPIC_PINS; i++)
		if ((q.ioapic_lines >> i) & 1)
			monitor_printf(m, " %u", i);
	monitor_printf(m, "%s\n  Remote IRR ", q.ioapic_lines ? "" : " (none)");
	for (unsigned i = 0; i < MONITOR_IOAPIC_PINS; i++)
		if ((remote >> i) & 1)
			monitor_printf(m, " %u", i);
	monitor_printf(m, "%s\n", remote ? "" : " (none)");
}

int monitor_format_tier_stats(char *buf, size_t len, int cpu, const struct monitor_tier_stats *t)
{
	int n = snprintf(buf, len, "cpu%d %s: runs %llu insns %llu exits io %llu mmio %llu hlt %llu "
			 "irq-window %llu intr %llu other %llu; irqs %llu nmis %llu",
			 cpu, t->tier ? t->tier : "?", (unsigned long long)t->runs,
			 (unsigned long long)t->insns, (unsigned long long)t->exits_io,
			 (unsigned long long)t->exits_mmio, (unsigned long long)t->exits_hlt,
			 (unsigned long long)t->exits_irq_window, (unsigned long long)t->exits_intr,
			 (unsigned long long)t->exits_other, (unsigned long long)t->irqs_injected,
			 (unsigned long long)t->nmis_injected);
	if (t->bt_blocks && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "; blocks %llu code %llu KiB in %.3f s, "
			      "chains %llu, dropped by writes %llu, cache flushes %llu",
			      (unsigned long long)t->bt_blocks,
			      (unsigned long long)(t->bt_code_bytes >> 10),
			      (double)t->bt_ns_translate / 1e9, (unsigned long long)t->bt_chains,
			      (unsigned long long)t->bt_invalidated, (unsigned long long)t->bt_flushes);
	return n;
}

#define MONITOR_MAX_TIERS 8

static void info_tiers(struct monitor *m, int argc, char **argv)
{
	(void)argc;
	if (!need_host(m, argv[0], m->host.cpu_tiers != NULL))
		return;
	for (int cpu = 0;; cpu++) {
		struct monitor_tier_stats st[MONITOR_MAX_TIERS];
		const char *cur = NULL;
		int n = m->host.cpu_tiers(m->host.opaque, cpu, &cur, st, MONITOR_MAX_TIERS);
		if (n < 0) {
			if (cpu == 0)
				monitor_printf(m, "tiers: no vCPU to show\n");
			return;
		}
		monitor_printf(m, "cpu%d: tier %s\n", cpu, cur ? cur : "?");
		for (int k = 0; k < n && k < MONITOR_MAX_TIERS; k++) {
			char line[512];
			if (!st[k].runs)
				continue;
			monitor_format_tier_stats(line, sizeof(line), cpu, &st[k]);
			monitor_printf(m, "  %s\n", line);
		}
	}
}

/* ---- lines ---- */

void monitor_command(struct monitor *m, const char *line)
{
	char buf[LINE_MAX_LEN];
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	if (m->quitting)
		return;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = buf; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == MAX_ARGS) {
			monitor_printf(m, "too many arguments\n");
			return;
		}
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	argv[argc] = NULL;
	if (!argc)
		return;
	const struct monitor_cmd *c = cmd_find(commands, NCOMMANDS(commands), argv[0]);
	if (!c) {
		monitor_printf(m, "unknown command: '%s'\n", argv[0]);
		return;
	}
	c->run(m, argc, argv);
}

void monitor_show_prompt(struct monitor *m)
{
	if (m->quitting)
		return;
	if (!m->greeted) {
		m->greeted = true;
		mon_puts(m, "trivisor monitor - type 'help' for more information\n");
	}
	mon_puts(m, MONITOR_PROMPT);
	if (m->echo)
		mon_write(m, m->line, m->len);	/* what was typed before a switch away */
}

static void line_done(struct monitor *m)
{
	char line[LINE_MAX_LEN];
	memcpy(line, m->line, m->len);
	line[m->len] = 0;
	m->len = 0;
	if (m->echo)
		mon_puts(m, "\n");
	monitor_command(m, line);
	if (!m->quitting)
		mon_puts(m, MONITOR_PROMPT);
}

void monitor_input(struct monitor *m, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len && !m->quitting; i++) {
		uint8_t ch = buf[i];
		bool was_cr = m->last_cr;
		m->last_cr = false;
		if (m->esc) {
			/* ESC [ ... final byte, or ESC O x: cursor keys are not edited */
			if (m->esc == 1)
				m->esc = (ch == '[' || ch == 'O') ? 2 : 0;
			else if (ch >= 0x40 && ch <= 0x7e)
				m->esc = 0;
			continue;
		}
		switch (ch) {
		case '\r':
			m->last_cr = true;
			line_done(m);
			break;
		case '\n':
			if (!was_cr)
				line_done(m);
			break;
		case 0x7f:
		case 0x08:
			if (m->len) {
				m->len--;
				if (m->echo)
					mon_puts(m, "\b \b");
			}
			break;
		case 0x15:	/* Ctrl-U: the whole line */
			while (m->len) {
				m->len--;
				if (m->echo)
					mon_puts(m, "\b \b");
			}
			break;
		case 0x1b:
			m->esc = 1;
			break;
		default:
			if (ch < 0x20 || m->len == LINE_MAX_LEN - 1)
				break;	/* other control characters; an over-long line is cut */
			m->line[m->len++] = (char)ch;
			if (m->echo)
				mon_write(m, (const char *)&ch, 1);
			break;
		}
	}
}

int64_t monitor_poll(struct monitor *m)
{
	if (!m->nrelease)
		return -1;
	int64_t left = m->release_at - mon_now(m);
	if (left > 0)
		return left;
	release_pending(m);
	return -1;
}

void monitor_set_running(struct monitor *m, bool running)
{
	m->running = running;
}

struct monitor *monitor_new(const struct monitor_host *host, bool echo)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->host = *host;
	m->echo = echo;
	m->running = true;
	m->x_format = 'x';
	m->x_size = 4;
	return m;
}

void monitor_free(struct monitor *m)
{
	free(m);
}
