/* Host character devices and the stdio console with Ctrl-A escapes. */
// SPDX-License-Identifier: MIT
#include "ui/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "hw/log.h"

int chardev_open(struct chardev *c, const struct chr_spec *spec)
{
	c->kind = spec->kind;
	c->fd = -1;
	switch (spec->kind) {
	case CHR_STDIO:
		c->fd = STDOUT_FILENO;
		break;
	case CHR_FILE:
		c->fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->fd < 0) {
			log_error("%s: %s", spec->path, strerror(errno));
			return -1;
		}
		break;
	case CHR_NONE:
	case CHR_NULL:
		break;
	}
	return 0;
}

void chardev_close(struct chardev *c)
{
	chardev_flush(c);
	if (c->kind == CHR_FILE && c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void write_all(struct chardev *c, const uint8_t *buf, size_t len);

void chardev_flush(struct chardev *c)
{
	size_t n = c->outlen;
	c->outlen = 0;
	write_all(c, c->out, n);
}

int64_t chardev_flush_due(struct chardev *c)
{
	if (!c->outlen)
		return -1;
	int64_t left = c->since + CHARDEV_HOLD_NS - mono_ns();
	if (left > 0)
		return left;
	chardev_flush(c);
	return -1;
}

void chardev_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct chardev *c = opaque;
	if (!c->buffered || c->fd < 0) {
		write_all(c, buf, len);
		return;
	}
	bool was_empty = !c->outlen, line = memchr(buf, '\n', len) != NULL;
	while (len) {
		size_t n = sizeof(c->out) - c->outlen;
		if (n > len)
			n = len;
		memcpy(c->out + c->outlen, buf, n);
		c->outlen += n;
		buf += n;
		len -= n;
		if (c->outlen == sizeof(c->out))
			chardev_flush(c);
	}
	if (line) {
		chardev_flush(c);
	} else if (was_empty && c->outlen) {
		c->since = mono_ns();
		if (c->kick)
			c->kick(c->kick_opaque);
	}
}

static void write_all(struct chardev *c, const uint8_t *buf, size_t len)
{
	while (c->fd >= 0 && len) {
		ssize_t n = write(c->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* a closed pipe drops output, as a cable pulled out would */
		buf += n;
		len -= (size_t)n;
	}
}

static struct termios console_saved;	/* per process: there is one terminal */
static bool console_is_raw;
static bool console_escape;

void console_raw(void)
{
	if (console_is_raw || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &console_saved) < 0)
		return;
	struct termios t = console_saved;
	/* the guest gets every key, Ctrl-C included; output is left cooked so
	 * the guest's \n still returns the carriage */
	t.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		console_is_raw = true;
		atexit(console_restore);
	}
}

void console_restore(void)
{
	if (console_is_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &console_saved);
		console_is_raw = false;
	}
}

static bool console_to_monitor;	/* who has the terminal (Ctrl-A C) */

void console_set_monitor_focus(bool monitor)
{
	console_to_monitor = monitor;
}

bool console_monitor_focus(void)
{
	return console_to_monitor;
}

static const char console_help[] =
	"\r\n"
	"C-a h    print this help\r\n"
	"C-a x    exit emulator\r\n"
	"C-a c    switch between console and monitor\r\n"
	"C-a C-a  sends C-a\r\n";

enum console_action console_filter_mux(uint8_t *buf, size_t *len, uint8_t *mon, size_t *monlen)
{
	enum console_action act = CONSOLE_NONE;
	size_t out = 0, mout = 0;
	for (size_t i = 0; i < *len; i++) {
		uint8_t ch = buf[i];
		bool escaped = console_escape;
		console_escape = false;
		if (!escaped && ch == 0x01) {
			console_escape = true;
			continue;
		}
		if (escaped) {
			switch (ch) {
			case 'x':
			case 'X':
				*len = out;
				if (monlen)
					*monlen = mout;
				fputs("\r\ntrivisor: terminated by Ctrl-A X\r\n", stderr);
				return CONSOLE_QUIT;
			case 'h':
			case 'H':
			case '?':
				fputs(mon ? console_help : "\r\nC-a x    exit\r\nC-a h    this help\r\n"
				      "C-a C-a  send C-a\r\n", stderr);
				continue;
			case 'c':
			case 'C':
				if (!mon)
					continue;	/* no monitor: nothing to switch to */
				console_to_monitor = !console_to_monitor;
				act = console_to_monitor ? CONSOLE_TO_MONITOR : CONSOLE_TO_SERIAL;
				continue;
			case 0x01:
			case 'a':
				ch = 0x01;	/* a literal Ctrl-A for whoever has the terminal */
				break;
			default:
				continue;	/* unknown escapes are dropped, as QEMU does */
			}
		}
		if (mon && console_to_monitor)
			mon[mout++] = ch;
		else
			buf[out++] = ch;
	}
	*len = out;
	if (monlen)
		*monlen = mout;
	return act;
}

enum console_action console_filter(uint8_t *buf, size_t *len)
{
	return console_filter_mux(buf, len, NULL, NULL);
}
