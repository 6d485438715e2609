/* Host ends of the guest's character devices (serial ports, debugcon):
 * stdio, a file, or nothing. The stdio console puts a terminal in raw mode
 * and takes QEMU's Ctrl-A escapes (Ctrl-A X quits, Ctrl-A A sends Ctrl-A,
 * Ctrl-A C switches between the serial console and the monitor, Ctrl-A H
 * lists them). */
#ifndef UI_CHARDEV_H
#define UI_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ui/cmdline.h"

struct chardev {
	enum chr_kind kind;
	int fd;				/* output; -1 discards */
	/* A guest's console writes a byte at a time: a system call for each
	 * was a few percent of a Linux boot. A buffered chardev holds bytes
	 * until a line ends or the buffer fills, and at most CHARDEV_HOLD_NS
	 * after the oldest: its owner calls chardev_flush_due that often
	 * (kick, when set, says bytes are held after none were) */
	bool buffered;
	void (*kick)(void *opaque);
	void *kick_opaque;
	size_t outlen;
	int64_t since;			/* CLOCK_MONOTONIC ns of the oldest held */
	uint8_t out[4096];
};

#define CHARDEV_HOLD_NS 10000000

/* 0, or -1 after one error line naming the file */
int chardev_open(struct chardev *c, const struct chr_spec *spec);
/* flushes what is held */
void chardev_close(struct chardev *c);
/* the uart_chr / debugcon_chr write shape; opaque is the struct chardev.
 * A buffered one's writes and flushes are serialised by its owner */
void chardev_write(void *opaque, const uint8_t *buf, size_t len);
void chardev_flush(struct chardev *c);
/* ns until the held bytes are due, flushing them if they are (-1:
 * nothing held) */
int64_t chardev_flush_due(struct chardev *c);

enum console_action {
	CONSOLE_NONE,
	CONSOLE_QUIT,		/* Ctrl-A X */
	CONSOLE_TO_MONITOR,	/* Ctrl-A C gave the terminal to the monitor: show its prompt */
	CONSOLE_TO_SERIAL,	/* Ctrl-A C gave it back to the serial console */
};

/* the terminal on stdin: raw mode while the guest runs, restored at exit */
void console_raw(void);
void console_restore(void);
/* filter bytes read from stdin through the Ctrl-A escapes; bytes meant for
 * the guest are left in buf, their count returned in *len */
enum console_action console_filter(uint8_t *buf, size_t *len);
/* The same with a monitor sharing the terminal (QEMU's mux): bytes typed
 * while the serial console has the terminal stay in buf (*len of them),
 * bytes typed while the monitor has it go to mon (room for *len bytes;
 * *monlen of them). Ctrl-A C switches, and the escapes work on both sides.
 * Returns CONSOLE_QUIT if Ctrl-A X came, else the last switch, if any. */
enum console_action console_filter_mux(uint8_t *buf, size_t *len, uint8_t *mon, size_t *monlen);
/* who has the terminal: the monitor (true) or the serial console; set it
 * before the first read when the monitor alone reads the terminal
 * (-monitor stdio with no serial port on stdio) */
void console_set_monitor_focus(bool monitor);
bool console_monitor_focus(void);

#endif
