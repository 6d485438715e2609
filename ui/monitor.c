/* The human monitor: line editing, the command table, and its commands. */
// SPDX-License-Identifier: MIT
#include "ui/monitor.h"

#include <stdio.h>
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
	{ "quit|q", "", "quit the emulator", cmd_quit },
};

/* info subcommands, the same shape */
static const struct monitor_cmd info_commands[] = {
	{ "status", "", "show the current VM status (running|paused)", info_status },
	{ "version", "", "show the version of trivisor", info_version },
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
	return m;
}

void monitor_free(struct monitor *m)
{
	free(m);
}
