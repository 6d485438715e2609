/* The GDB remote serial protocol server (-s, -gdb tcp::PORT): one client
 * at a time, all-stop mode, vCPUs as threads (GDB thread N is vCPU N-1).
 * It knows no machine: what it does goes through struct gdbstub_host,
 * which ui/main.c fills. It runs in the main thread; the host loop polls
 * gdbstub_fd() and calls gdbstub_handle() when it is readable.
 *
 * Packets served: ?, g, G, p, P, m, M, X, c, s, C, S, vCont (c, s, C, S,
 * with thread ids), vCont?, H, T, D, k, Z0-Z4, z0-z4, qSupported
 * (PacketSize, qXfer:features:read+, swbreak+, hwbreak+, vContSupported+),
 * qXfer:features:read:target.xml, qfThreadInfo, qsThreadInfo, qC,
 * qAttached, qThreadExtraInfo, qOffsets, qSymbol, qRcmd (monitor CMD),
 * QStartNoAckMode, qqemu.sstepbits, qqemu.sstep, Qqemu.sstep=N,
 * qqemu.PhyMemMode, Qqemu.PhyMemMode:N (m/M/X on physical addresses), and
 * the interrupt byte 0x03 (Ctrl-C). Anything else gets the empty reply. */
#ifndef UI_GDBSTUB_H
#define UI_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/debug.h"
#include "cpu/state.h"
#include "ui/gdbregs.h"

struct gdbstub;

/* why the VM stopped, for the stop reply */
struct gdb_stop {
	int cpu;			/* the vCPU that stopped (0-based) */
	int signal;			/* 5 SIGTRAP, 2 SIGINT */
	enum dbg_stop_why why;		/* WATCH adds "watch:/rwatch:/awatch:ADDR;",
					 * BREAK "swbreak:;" or "hwbreak:;" when the
					 * client said it takes them */
	uint8_t kind;			/* BREAK/WATCH: enum dbg_point_kind */
	uint64_t addr;
	/* a line for the user, sent as console output ('O') before the stop
	 * reply; NULL or "" for none. e.g. "vector 14 (#PF) error 0x2" */
	const char *message;
};

struct gdbstub_host {
	int (*ncpus)(void *opaque);
	/* the layout offered to a new client (target.xml and g/p follow it for
	 * the whole connection) */
	enum gdb_arch (*arch)(void *opaque);
	/* pause every vCPU; returns when none runs. *why: what the stop
	 * reply should say (SIGINT, or a debug stop that came first) */
	void (*stop)(void *opaque, struct gdb_stop *why);
	/* run on: step_cpu >= 0 single-steps that vCPU; others_run says
	 * whether the other vCPUs run meanwhile (vCont;s:N;c) or stay put
	 * (vCont;s:N). step_cpu -1: every vCPU continues. The host calls
	 * gdbstub_stopped() when the VM stops again. */
	void (*resume)(void *opaque, int step_cpu, bool others_run);
	/* vCPU cpu's state while the VM is paused: read and write in place */
	struct cpu_state *(*cpu_state)(void *opaque, int cpu);
	/* a short description of vCPU cpu for qThreadExtraInfo ("CPU#0 interp") */
	void (*cpu_info)(void *opaque, int cpu, char *buf, size_t len);
	/* memory as vCPU cpu sees it at linear address addr (its page tables,
	 * without setting A/D bits), or physical when phys: bytes done, fewer
	 * than len where a page is not mapped */
	size_t (*read_mem)(void *opaque, int cpu, bool phys, uint64_t addr, void *buf, size_t len);
	size_t (*write_mem)(void *opaque, int cpu, bool phys, uint64_t addr, const void *buf,
			    size_t len);
	/* Z/z: 0 done, -1 refused (no room, unsupported length): E22 */
	int (*insert_point)(void *opaque, enum dbg_point_kind kind, uint64_t addr, uint64_t len);
	int (*remove_point)(void *opaque, enum dbg_point_kind kind, uint64_t addr, uint64_t len);
	void (*remove_all_points)(void *opaque);
	/* qqemu.sstep: DBG_SSTEP_* bits */
	void (*set_sstep)(void *opaque, unsigned flags);
	unsigned (*get_sstep)(void *opaque);
	/* monitor CMD: run one monitor line; its output comes back through
	 * out(ctx, text, len), possibly in pieces, before this returns */
	void (*monitor)(void *opaque, const char *line,
			void (*out)(void *ctx, const char *text, size_t len), void *ctx);
	/* D: the client detached (points already removed): run on */
	void (*detach)(void *opaque);
	/* k: end the emulator */
	void (*kill)(void *opaque);
	void *opaque;
};

/* listen as spec says: "tcp::PORT", "tcp:HOST:PORT" or just "PORT" (QEMU's
 * forms). NULL after one error line (bad spec, port in use). */
struct gdbstub *gdbstub_new(const char *spec, const struct gdbstub_host *host);
void gdbstub_free(struct gdbstub *g);
/* the descriptor to poll for input: the listening socket, or the client */
int gdbstub_fd(const struct gdbstub *g);
/* the TCP port listened on (what "tcp::0" got), -1 if unknown */
int gdbstub_port(const struct gdbstub *g);
/* it is readable: accept a client (which stops the VM, as QEMU does), or
 * read and serve what the client sent */
void gdbstub_handle(struct gdbstub *g);
/* a client is connected */
bool gdbstub_connected(const struct gdbstub *g);
/* the VM stopped on its own (a breakpoint, a step, a catch): send the
 * stop reply if the client waits for one */
void gdbstub_stopped(struct gdbstub *g, const struct gdb_stop *why);

#endif
