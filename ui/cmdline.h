/* The command line, QEMU's flags where QEMU has the same thing, parsed into
 * a machine configuration. Nothing here opens files or touches the host. */
#ifndef UI_CMDLINE_H
#define UI_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

enum chr_kind { CHR_NONE, CHR_STDIO, CHR_FILE, CHR_NULL };

struct chr_spec {
	enum chr_kind kind;
	const char *path;		/* CHR_FILE */
};

#define CFG_MAX_SERIAL 4
#define CFG_MAX_DEBUGCON 4
#define CFG_MAX_CHARDEVS 8

struct machine_config {
	uint64_t ram_size;
	int ncpus;
	const char *kernel, *initrd, *append, *bios;
	struct chr_spec serial[CFG_MAX_SERIAL];
	int nserial;			/* -serial given this many times */
	struct {
		uint16_t iobase;
		struct chr_spec chr;
	} debugcon[CFG_MAX_DEBUGCON];
	int ndebugcon;
	uint16_t debugexit_iobase;
	unsigned debugexit_size;
	bool nographic, no_reboot;
	const char *accel;		/* kvm, auto, interp, bt */
	const char *display;		/* none (only choice so far) */
	unsigned log_mask;
	const char *log_file;
	/* lockstep against a reference's gdbstub (ui/lockstep.h) */
	const char *lockstep_gdb;	/* HOST:PORT, or NULL: a normal run */
	uint64_t lockstep_max;
	bool lockstep_sync;
	uint64_t lockstep_sync_eip;
};

/* 0: run; 1: done, exit 0 (-help, -version); -1: bad command line (one
 * error line printed) */
int cmdline_parse(int argc, char **argv, struct machine_config *cfg);

#endif
