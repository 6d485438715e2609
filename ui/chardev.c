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
	if (c->kind == CHR_FILE && c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void chardev_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct chardev *c = opaque;
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

enum console_action console_filter(uint8_t *buf, size_t *len)
{
	size_t out = 0;
	for (size_t i = 0; i < *len; i++) {
		uint8_t ch = buf[i];
		if (!console_escape) {
			if (ch == 0x01) {
				console_escape = true;
				continue;
			}
			buf[out++] = ch;
			continue;
		}
		console_escape = false;
		switch (ch) {
		case 'x':
		case 'X':
			*len = out;
			fputs("\r\ntrivisor: terminated by Ctrl-A X\r\n", stderr);
			return CONSOLE_QUIT;
		case 'h':
		case 'H':
		case '?':
			fputs("\r\nC-a x    exit\r\nC-a h    this help\r\nC-a C-a  send C-a\r\n", stderr);
			break;
		case 0x01:
		case 'a':
			buf[out++] = 0x01;
			break;
		default:
			break;	/* unknown escapes are dropped, as QEMU does */
		}
	}
	*len = out;
	return CONSOLE_NONE;
}
