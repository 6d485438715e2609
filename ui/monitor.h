/* QEMU's human monitor: lines in, text out, commands from a table (help,
 * info [status|version|registers|tlb|mem|pic|irq|tiers|catch], screendump, sendkey,
 * system_reset, system_powerdown, stop, cont, x, xp, catch, quit). It knows no device: what a command does to the machine goes
 * through the callbacks of struct monitor_host, which ui/main.c fills. It
 * runs in the main thread; callbacks take the board lock as they need. */
#ifndef UI_MONITOR_H
#define UI_MONITOR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/state.h"

#define MONITOR_PROMPT "(trivisor) "

struct monitor;

/* info pic: the two 8259s, plain data (0 the master, 1 the slave) */
struct monitor_pic_info {
	struct {
		uint8_t irr, imr, isr, elcr, base;
		uint8_t hprio;		/* the IR with highest priority */
		uint8_t rr_sel;		/* OCW3 RIS: the even port reads ISR */
		uint8_t fnm;		/* special fully nested mode */
	} chip[2];
};

#define MONITOR_IOAPIC_PINS 24

/* info irq: no interrupt counts are kept, so the lines' levels now and the
 * IOAPIC's redirection table */
struct monitor_irq_info {
	uint16_t isa_levels;		/* bit n: ISA IRQ n is asserted */
	bool have_ioapic;
	uint8_t ioapic_id, ioapic_sel;
	uint32_t ioapic_lines;		/* input levels, bit per pin */
	uint64_t rte[MONITOR_IOAPIC_PINS];
};

/* info tiers (and -d stats): one tier's counters on one vCPU */
struct monitor_tier_stats {
	const char *tier;		/* its name */
	uint64_t runs, insns;
	uint64_t exits_io, exits_mmio, exits_hlt, exits_irq_window, exits_intr, exits_other;
	uint64_t irqs_injected, nmis_injected;
	/* the translator's (0 for the other tiers) */
	uint64_t bt_blocks, bt_code_bytes, bt_flushes, bt_chains, bt_invalidated, bt_ns_translate;
};

/* "cpuN TIER: runs ... nmis N" (no newline) into buf: info tiers and -d
 * stats print the same line. Returns what snprintf returns. */
int monitor_format_tier_stats(char *buf, size_t len, int cpu, const struct monitor_tier_stats *t);

/* Every callback may be NULL: its commands then say they are not
 * available. Strings returned are the callee's and read at once. */
struct monitor_host {
	/* the monitor's output (the terminal, a test's buffer) */
	void (*write)(void *opaque, const char *text, size_t len);
	/* a PNG of the screen at path: NULL, or why not (no display device,
	 * a file error) */
	const char *(*screendump)(void *opaque, const char *path);
	/* bytes for the PS/2 keyboard, scan code set 2 (i8042_key each) */
	void (*send_scancodes)(void *opaque, const uint8_t *bytes, size_t n);
	void (*reset)(void *opaque);		/* system_reset */
	void (*powerdown)(void *opaque);	/* system_powerdown: the ACPI power button */
	void (*quit)(void *opaque);		/* quit: exit 0 */
	void (*stop)(void *opaque);		/* pause the vCPUs */
	void (*cont)(void *opaque);		/* resume them */
	/* the boot CPU's architectural state, read with the vCPUs stopped (a
	 * running VM is paused around the copy and runs on); *a20: the A20
	 * gate is on. 0, or -1 when there is none to give */
	int (*cpu_state)(void *opaque, struct cpu_state *out, bool *a20);
	/* guest-physical memory as phys_read sees it (RAM, ROM, else the bus) */
	void (*read_phys)(void *opaque, uint64_t gpa, void *buf, size_t len);
	/* the boot CPU's linear memory through its page tables, without
	 * setting A/D bits (mmu_debug_access): bytes read before a page that
	 * is not mapped */
	size_t (*read_virt)(void *opaque, uint64_t lin, void *buf, size_t len);
	/* info pic: the 8259s' registers. 0, or -1 when there is no PIC */
	int (*pic_info)(void *opaque, struct monitor_pic_info *out);
	/* info irq: ISA line levels and the IOAPIC. 0, or -1 */
	int (*irq_info)(void *opaque, struct monitor_irq_info *out);
	/* info tiers: vCPU cpu's tier now (*current, its name) and up to max
	 * tiers' counters into out; how many, or -1 when there is no such vCPU */
	int (*cpu_tiers)(void *opaque, int cpu, const char **current, struct monitor_tier_stats *out,
			 int max);
	/* catch: the VM stops for the debugger before vector is delivered
	 * (vector -1: every one), after an access to ports lo..hi, or on a
	 * triple fault; catch_info describes what is caught */
	void (*catch_vector)(void *opaque, int vector, bool on);
	void (*catch_io)(void *opaque, uint16_t lo, uint16_t hi, bool on);
	void (*catch_triple)(void *opaque, bool on);
	void (*catch_info)(void *opaque, char *buf, size_t len);
	/* monotonic nanoseconds, for sendkey's hold time; NULL: CLOCK_MONOTONIC */
	int64_t (*now_ns)(void *opaque);
	const char *version;			/* info version; NULL: "0.1" */
	void *opaque;
};

/* echo: the monitor echoes typed characters and handles backspace itself
 * (a terminal in raw mode); false for pipes and tests. NULL if out of memory. */
struct monitor *monitor_new(const struct monitor_host *host, bool echo);
void monitor_free(struct monitor *m);

/* the banner and the first prompt (once), else a fresh prompt: when the
 * monitor gets the terminal (start-up, Ctrl-A C) */
void monitor_show_prompt(struct monitor *m);
/* bytes from the terminal or pipe: each complete line runs, then a prompt */
void monitor_input(struct monitor *m, const uint8_t *buf, size_t len);
/* run one command line (no prompt printed) */
void monitor_command(struct monitor *m, const char *line);
/* release keys whose sendkey hold time has passed; returns nanoseconds
 * until the next release, or -1 when none waits. The host loop calls it
 * each iteration and sleeps no longer than it says. */
int64_t monitor_poll(struct monitor *m);

/* the VM runs (true after monitor_new); the host tells the monitor when it
 * stops or runs on for another reason, for "info status" */
void monitor_set_running(struct monitor *m, bool running);

/* output for commands */
void monitor_printf(struct monitor *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
