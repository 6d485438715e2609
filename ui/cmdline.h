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
#define CFG_MAX_PORTLOGS 4
#define CFG_MAX_DRIVES 6		/* four IDE, two floppy */

enum drive_if { DRIVE_IDE, DRIVE_FLOPPY };

/* -hda/-cdrom/-fda/-drive: index is the IDE position (0 primary master,
 * 1 primary slave, 2 secondary master, 3 secondary slave) or the floppy unit */
struct drive_spec {
	const char *file;
	enum drive_if iface;
	int index;
	bool cdrom, readonly, snapshot;
};

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
	struct drive_spec drive[CFG_MAX_DRIVES];
	int ndrive;
	char boot_order[8];		/* QEMU's letters: a floppy, c disk, d CD */
	bool boot_menu;
	int boot_reboot_timeout;	/* ms, or -1: SeaBIOS waits when nothing boots */
	const char *vga;		/* std, none */
	bool hpet;			/* on unless -no-hpet / -machine hpet=off */
	bool testdev;			/* -device pc-testdev */
	struct {
		uint16_t iobase;
		struct chr_spec chr;
	} portlog[CFG_MAX_PORTLOGS];	/* -device port-log: POST codes and others */
	int nportlog;
	bool nographic, no_reboot;
	bool no_shutdown;		/* a triple fault stops the VM */
	const char *gdb;		/* -gdb/-s: where the GDB stub listens, or NULL */
	bool gdb_i386;			/* -gdb ...,arch=i386: the i386 register layout */
	bool start_stopped;		/* -S */
	const char *accel;		/* kvm, auto, interp, bt */
	unsigned tb_size_mb;		/* -accel ...,tb-size=MiB: the translator's code cache */
	int bt_hot;			/* ,hot=N: the interpreter runs a block N times
					 * before it is translated (-1: the default) */
	uint64_t bt_lockstep;		/* -accel bt,lockstep=N: check blocks against the
					 * interpreter from instruction N on (0: off) */
	bool bt_lockstep_on;
	bool bt_lockstep_inject;	/* ,lockstep-inject: a wrong ADD, for the check's test */
	uint64_t tier_storm;		/* ,storm=N: switch software tiers every ~N instructions */
	bool perfmap;			/* -perfmap: /tmp/perf-PID.map names translated blocks */
	const char *display;		/* sdl, none; NULL: sdl when the host has a screen */
	struct chr_spec monitor;	/* -monitor; CHR_NONE: none */
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
