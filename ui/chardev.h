/* Host ends of the guest's character devices (serial ports, debugcon):
 * stdio, a file, or nothing. The stdio console puts a terminal in raw mode
 * and takes QEMU's Ctrl-A escapes (Ctrl-A X quits, Ctrl-A A sends Ctrl-A). */
#ifndef UI_CHARDEV_H
#define UI_CHARDEV_H

#include <stddef.h>
#include <stdint.h>
#include "ui/cmdline.h"

struct chardev {
	enum chr_kind kind;
	int fd;				/* output; -1 discards */
};

/* 0, or -1 after one error line naming the file */
int chardev_open(struct chardev *c, const struct chr_spec *spec);
void chardev_close(struct chardev *c);
/* the uart_chr / debugcon_chr write shape; opaque is the struct chardev */
void chardev_write(void *opaque, const uint8_t *buf, size_t len);

enum console_action { CONSOLE_NONE, CONSOLE_QUIT };

/* the terminal on stdin: raw mode while the guest runs, restored at exit */
void console_raw(void);
void console_restore(void);
/* filter bytes read from stdin through the Ctrl-A escapes; bytes meant for
 * the guest are left in buf, their count returned in *len */
enum console_action console_filter(uint8_t *buf, size_t *len);

#endif
