/* trivisor's entry: parse, build the machine in levels, run the host event
 * loop (timers, terminal input, stop and reset requests), tear down. */
// SPDX-License-Identifier: MIT
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "cpu/policy.h"
#include "cpu/tier.h"
#include "cpu/vcpu.h"
#include "cpu/vm.h"
#include "firmware/boot.h"
#include "hw/board.h"
#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/log.h"
#include "hw/pic8259.h"
#include "hw/piix4_pm.h"
#include "hw/rtc146818.h"	/* CMOS */
#include "hw/uart16550.h"
#include "hw/vga.h"
#include "hw/vga_render.h"
#include "mmu/physmap.h"
#include "ui/chardev.h"
#include "ui/cmdline.h"
#include "ui/debugger.h"
#include "ui/gdbstub.h"
#include "ui/lockstep.h"
#include "ui/monitor.h"
#include "ui/pcboard.h"
#include "ui/screendump.h"
#include "ui/sdl.h"

struct machine {
	struct machine_config cfg;
	struct boot_config boot;
	struct chardev serial[CFG_MAX_SERIAL];
	struct chardev debugcon[CFG_MAX_DEBUGCON];
	struct chardev portlog[CFG_MAX_PORTLOGS];
	struct pcboard_res res;		/* disk images, the VGA BIOS */
	struct board board;
	struct physmap pm;
	struct monitor *mon;		/* -monitor, or NULL */
	struct chardev monchr;
	struct sdl_display *sdl;	/* -display sdl, or NULL */
	struct vm vm;
	int wake_fd;			/* eventfd: a timer moved earlier, a stop */
	/* the loop sleeps longer than a console may hold bytes (board lock) */
	bool loop_asleep;
	int stdin_uart;			/* COM port fed from the terminal, or -1 */
	bool stdin_open;
	uint8_t inbuf[256];		/* terminal bytes waiting for FIFO room */
	size_t inlen;
	bool cpus_running;		/* the vCPU threads are started and not joined */
	bool paused;			/* the monitor's stop: no vCPU runs until cont */
	struct gdbstub *gdb;		/* -gdb/-s, or NULL */
	struct monitor *gdbmon;		/* the monitor behind GDB's `monitor CMD` */
	/* GDB's monitor output goes here while a command runs */
	void (*gdbmon_out)(void *ctx, const char *text, size_t len);
	void *gdbmon_ctx;
	bool stop_reported;		/* the last debug stop was told (GDB or stderr) */
	bool reset_on_cont;		/* stopped at a caught triple fault: cont resets */
	enum gdb_arch gdb_arch;		/* the layout GDB is given */
	char stop_msg[160];		/* the message of the stop reply gdb_stop gives */
};

static void machine_wake(void *opaque)
{
	struct machine *m = opaque;
	uint64_t one = 1;
	ssize_t r = write(m->wake_fd, &one, sizeof(one));
	(void)r;	/* a full eventfd is awake already */
}

/* a console holds bytes (its writer holds the board lock): the loop,
 * which flushes them, must not sleep past their time */
static void machine_kick_chr(void *opaque)
{
	struct machine *m = opaque;
	if (m->loop_asleep)
		machine_wake(m);
}

/* the guest's consoles: the COM ports, then the debugcons */
static struct chardev *machine_console(struct machine *m, int i)
{
	return i < m->cfg.nserial ? &m->serial[i] : &m->debugcon[i - m->cfg.nserial];
}

/* the guest's consoles, buffered; the ns until the first is due (-1:
 * none holds anything), those due (all: every one) flushed (under the
 * board lock) */
static int64_t machine_flush_chr(struct machine *m, bool all)
{
	int64_t due = -1;
	for (int i = 0; i < m->cfg.nserial + m->cfg.ndebugcon; i++) {
		struct chardev *c = machine_console(m, i);
		if (all)
			chardev_flush(c);
		int64_t d = chardev_flush_due(c);
		if (d >= 0 && (due < 0 || d < due))
			due = d;
	}
	return due;
}

/* a CPU's FERR# (the vCPU holds the board lock): to the board's IRQ 13 */
static void machine_ferr(void *opaque)
{
	board_ferr(&((struct machine *)opaque)->board);
}

static void host_reset(void *opaque)
{
	struct machine *m = opaque;
	vm_request_stop(&m->vm, VM_STOP_RESET, 0);
}

static void host_exit(void *opaque, int status)
{
	struct machine *m = opaque;
	vm_request_stop(&m->vm, VM_STOP_EXIT, status);
}

/* ACPI S5: the guest turned itself off, a clean exit */
static void host_poweroff(void *opaque)
{
	struct machine *m = opaque;
	vm_request_stop(&m->vm, VM_STOP_EXIT, 0);
}

/* the A20 gate: only the software tiers can mask the address bit */
static void host_set_a20(void *opaque, int on)
{
	struct machine *m = opaque;
	vm_set_a20(&m->vm, on);
}

/* ---- what the monitor and the window do to the machine ---- */

static void ui_write(void *opaque, const char *text, size_t len)
{
	struct machine *m = opaque;
	chardev_write(&m->monchr, (const uint8_t *)text, len);
}

static bool ui_render(void *opaque, struct vga_frame *f)
{
	struct machine *m = opaque;
	if (!m->board.vga)
		return false;
	pthread_mutex_lock(&m->board.lock);
	bool changed = vga_render(m->board.vga, f);
	pthread_mutex_unlock(&m->board.lock);
	return changed;
}

static const char *ui_screendump(void *opaque, const char *path)
{
	struct machine *m = opaque;
	if (!m->board.vga)
		return "no display device on this machine (-vga none)";
	struct vga_frame f = { 0 };
	ui_render(m, &f);
	int r = screendump_png(path, &f);
	vga_frame_free(&f);
	return r < 0 ? "could not write the image" : NULL;
}

static void ui_scancodes(void *opaque, const uint8_t *bytes, size_t n)
{
	struct machine *m = opaque;
	pthread_mutex_lock(&m->board.lock);
	for (size_t i = 0; i < n; i++)
		i8042_key(m->board.kbd, bytes[i]);
	pthread_mutex_unlock(&m->board.lock);
}

static void ui_mouse(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
	struct machine *m = opaque;
	pthread_mutex_lock(&m->board.lock);
	i8042_mouse_event(m->board.kbd, dx, dy, dz, buttons);
	pthread_mutex_unlock(&m->board.lock);
}

static void ui_powerdown(void *opaque)
{
	struct machine *m = opaque;
	pthread_mutex_lock(&m->board.lock);
	piix4_pm_powerbutton(m->board.pm);
	pthread_mutex_unlock(&m->board.lock);
}

static void ui_quit(void *opaque)
{
	host_exit(opaque, 0);
}

static void host_cpu_event(void *opaque, int cpu, enum apic_event ev, uint8_t vector)
{
	struct machine *m = opaque;
	if (cpu < 0 || cpu >= m->vm.ncpus || !m->vm.vcpu[cpu])
		return;
	struct vcpu *v = m->vm.vcpu[cpu];
	switch (ev) {
	case APIC_EV_KICK: vcpu_irq_kick(v); break;
	case APIC_EV_NMI: vcpu_post_event(v, VCPU_EV_NMI, 0); break;
	case APIC_EV_INIT: vcpu_post_event(v, VCPU_EV_INIT, 0); break;
	case APIC_EV_SIPI: vcpu_post_event(v, VCPU_EV_SIPI, vector); break;
	case APIC_EV_SMI: log_once("SMI requested: SMM is not modelled, ignored"); break;
	}
}

/* the RAM the host can give: its physical memory (overcommit would let a
 * guest run the host out of memory later, far from the cause) */
static int check_host_ram(uint64_t want)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return 0;
	uint64_t have = (uint64_t)si.totalram * si.mem_unit;
	if (want > have) {
		log_error("-m %lluM: more than this host's %llu MiB of memory",
			  (unsigned long long)(want >> 20), (unsigned long long)(have >> 20));
		return -1;
	}
	return 0;
}

static void machine_cpus_to_reset_state(struct machine *m)
{
	for (int i = 0; i < m->vm.ncpus; i++) {
		struct vcpu *v = m->vm.vcpu[i];
		cpu_state_reset(&v->s, false);
		atomic_store(&v->events, 0);
		if (i != 0)
			v->s.run_state = CPU_WAIT_SIPI;
	}
}

static int machine_start_cpus(struct machine *m)
{
	atomic_store(&m->vm.stop, VM_RUNNING);
	for (int i = 0; i < m->vm.ncpus; i++) {
		if (vcpu_start(m->vm.vcpu[i]) < 0) {
			vm_request_stop(&m->vm, VM_STOP_EXIT, 1);
			for (int j = 0; j < i; j++)
				vcpu_join(m->vm.vcpu[j]);
			return -1;
		}
	}
	m->cpus_running = true;
	return 0;
}

/* wait for the vCPU threads (a stop was asked): each has written its
 * state back into its struct cpu_state when this returns */
static void machine_join_cpus(struct machine *m)
{
	if (!m->cpus_running)
		return;
	for (int i = 0; i < m->vm.ncpus; i++)
		vcpu_join(m->vm.vcpu[i]);
	m->cpus_running = false;
}

/* both monitors (the terminal's and GDB's) say what `info status` shows */
static void monitors_running(struct machine *m, bool running)
{
	if (m->mon)
		monitor_set_running(m->mon, running);
	if (m->gdbmon)
		monitor_set_running(m->gdbmon, running);
}

/* the monitor's stop: the vCPU threads end (as for a reset, without one)
 * and the loop starts them again on cont. A reset or exit asked meanwhile
 * is the loop's to handle; a reset keeps the VM paused, as QEMU's does */
static void ui_stop(void *opaque)
{
	struct machine *m = opaque;
	m->paused = true;
	monitors_running(m, false);
	if (!m->cpus_running)
		return;
	vm_request_stop(&m->vm, VM_STOP_PAUSE, 0);
	machine_join_cpus(m);
}

static void ui_cont(void *opaque)
{
	struct machine *m = opaque;
	if (!m->paused)
		return;
	m->paused = false;
	m->stop_reported = false;
	monitors_running(m, true);
	if (m->reset_on_cont) {
		/* the triple fault the VM stopped at: on, as the machine would */
		m->reset_on_cont = false;
		vm_request_stop(&m->vm, VM_STOP_RESET, 0);
		return;
	}
	/* a pending reset or exit: the loop sees it and runs on from there */
	if (!m->cpus_running && atomic_load(&m->vm.stop) == VM_STOP_PAUSE)
		machine_start_cpus(m);
}

/* the boot CPU's state, its thread stopped while it is copied */
static int ui_cpu_state(void *opaque, struct cpu_state *out, bool *a20)
{
	struct machine *m = opaque;
	if (m->vm.ncpus < 1 || !m->vm.vcpu[0])
		return -1;
	bool was_paused = m->paused;
	if (!was_paused)
		ui_stop(m);
	*out = m->vm.vcpu[0]->s;
	*a20 = !atomic_load(&m->vm.a20m);
	if (!was_paused)
		ui_cont(m);
	return 0;
}

static void ui_read_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct machine *m = opaque;
	pthread_mutex_lock(&m->board.lock);
	phys_read(&m->pm, gpa, buf, len);
	pthread_mutex_unlock(&m->board.lock);
}

static int ui_pic_info(void *opaque, struct monitor_pic_info *out)
{
	struct machine *m = opaque;
	if (!m->board.pic)
		return -1;
	struct pic_info pi;
	pthread_mutex_lock(&m->board.lock);
	pic_get_info(m->board.pic, &pi);
	pthread_mutex_unlock(&m->board.lock);
	for (int i = 0; i < 2; i++) {
		out->chip[i].irr = pi.chip[i].irr;
		out->chip[i].imr = pi.chip[i].imr;
		out->chip[i].isr = pi.chip[i].isr;
		out->chip[i].elcr = pi.chip[i].elcr;
		out->chip[i].base = pi.chip[i].base;
		out->chip[i].hprio = pi.chip[i].top;
		out->chip[i].rr_sel = pi.chip[i].read_isr;
		out->chip[i].fnm = pi.chip[i].sfnm;
	}
	return 0;
}

/* the ISA lines as the board ORs them, and the IOAPIC */
static int ui_irq_info(void *opaque, struct monitor_irq_info *out)
{
	struct machine *m = opaque;
	struct ioapic_info ii;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&m->board.lock);
	for (int n = 0; n < 16; n++)
		if (m->board.isa_in[n].out.level)
			out->isa_levels |= (uint16_t)(1u << n);
	if (m->board.ioapic)
		ioapic_get_info(m->board.ioapic, &ii);
	pthread_mutex_unlock(&m->board.lock);
	if (m->board.ioapic) {
		out->have_ioapic = true;
		out->ioapic_id = (uint8_t)(ii.id >> 24);
		out->ioapic_sel = ii.regsel;
		out->ioapic_lines = ii.lines;
		for (int i = 0; i < MONITOR_IOAPIC_PINS && i < IOAPIC_PINS; i++)
			out->rte[i] = ii.rte[i];
	}
	return 0;
}

static void tier_stats_copy(struct monitor_tier_stats *o, int t, const struct tier_stats *s)
{
	*o = (struct monitor_tier_stats){
		.tier = tier_table[t] ? tier_table[t]->name : "?",
		.runs = s->runs, .insns = s->insns, .exits_io = s->exits_io,
		.exits_mmio = s->exits_mmio, .exits_hlt = s->exits_hlt,
		.exits_irq_window = s->exits_irq_window, .exits_intr = s->exits_intr,
		.exits_other = s->exits_other, .irqs_injected = s->irqs_injected,
		.nmis_injected = s->nmis_injected,
		.bt_blocks = s->bt_blocks, .bt_code_bytes = s->bt_code_bytes,
		.bt_flushes = s->bt_flushes, .bt_chains = s->bt_chains,
		.bt_invalidated = s->bt_invalidated, .bt_ns_translate = s->bt_ns_translate,
	};
}

/* a vCPU's tiers and their counters, its thread stopped while they are
 * copied (the counters are the thread's, not the board's) */
static int ui_cpu_tiers(void *opaque, int cpu, const char **current, struct monitor_tier_stats *out,
			int max)
{
	struct machine *m = opaque;
	if (cpu < 0 || cpu >= m->vm.ncpus || !m->vm.vcpu[cpu])
		return -1;
	bool was_paused = m->paused;
	if (!was_paused)
		ui_stop(m);
	const struct vcpu *v = m->vm.vcpu[cpu];
	*current = v->tier ? v->tier->name : "?";
	int n = 0;
	for (int t = 0; t < TIER_COUNT && n < max; t++)
		tier_stats_copy(&out[n++], t, &v->stats[t]);
	if (!was_paused)
		ui_cont(m);
	return n;
}

/* terminal bytes into the COM port, as fast as its FIFO takes them */
static void machine_feed_uart(struct machine *m)
{
	if (m->stdin_uart < 0 || !m->inlen)
		return;
	struct uart16550 *u = m->board.uart[m->stdin_uart];
	size_t room = uart_can_receive(u);
	size_t n = m->inlen < room ? m->inlen : room;
	if (!n)
		return;
	uart_receive(u, m->inbuf, n);
	memmove(m->inbuf, m->inbuf + n, m->inlen - n);
	m->inlen -= n;
}

static void machine_read_stdin(struct machine *m)
{
	ssize_t n = read(STDIN_FILENO, m->inbuf + m->inlen, sizeof(m->inbuf) - m->inlen);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		m->stdin_open = false;	/* EOF: nothing more will come */
		return;
	}
	size_t len = (size_t)n;
	enum console_action a;
	if (m->mon) {
		uint8_t monbuf[sizeof(m->inbuf)];
		size_t mlen = sizeof(monbuf);
		a = console_filter_mux(m->inbuf + m->inlen, &len, monbuf, &mlen);
		if (a == CONSOLE_TO_MONITOR || mlen) {
			/* on the shared terminal, what the guest printed
			 * comes before the monitor's prompt and answers */
			pthread_mutex_lock(&m->board.lock);
			machine_flush_chr(m, true);
			pthread_mutex_unlock(&m->board.lock);
		}
		if (a == CONSOLE_TO_MONITOR)
			monitor_show_prompt(m->mon);
		if (mlen)
			monitor_input(m->mon, monbuf, mlen);
	} else {
		a = console_filter(m->inbuf + m->inlen, &len);
	}
	/* bytes for a serial console nobody has on stdio go nowhere */
	if (m->stdin_uart < 0)
		len = 0;
	m->inlen += len;
	if (a == CONSOLE_QUIT)
		vm_request_stop(&m->vm, VM_STOP_EXIT, 0);
}

/* a kernel booted without a BIOS finds the screen as the BIOS would have
 * left it: 80x25 text (the zero page says so) */
static void machine_direct_boot_screen(struct machine *m)
{
	if (m->cfg.kernel && m->board.vga)
		vga_set_text_mode3(m->board.vga);
}

/* the board and the vCPUs (their threads ended) to their reset state */
static int machine_reset(struct machine *m)
{
	pthread_mutex_lock(&m->board.lock);
	board_reset(&m->board);
	machine_direct_boot_screen(m);
	pthread_mutex_unlock(&m->board.lock);
	machine_cpus_to_reset_state(m);
	return boot_setup(&m->pm, &m->boot, &m->vm.vcpu[0]->s);
}

/* system_reset: while paused (no vCPU thread runs) at once, so what the
 * monitor shows next is the reset state; else through the loop */
static void ui_reset(void *opaque)
{
	struct machine *m = opaque;
	if (m->paused && !m->cpus_running && !m->cfg.no_reboot &&
	    atomic_load(&m->vm.stop) == VM_STOP_PAUSE) {
		if (machine_reset(m) < 0)
			vm_request_stop(&m->vm, VM_STOP_EXIT, 1);
		return;
	}
	host_reset(opaque);
}

/* ---- the debugger: GDB's stub and the monitor's catch ---- */


/* the reason the VM stopped for the debugger, for a stop reply */
static void machine_stop_reason(struct machine *m, struct gdb_stop *why, char *msg, size_t len)
{
	int cpu = debugger_stopped_cpu(&m->vm);
	*why = (struct gdb_stop){ .cpu = cpu < 0 ? 0 : cpu, .signal = 2 };
	msg[0] = 0;
	if (cpu < 0)
		return;
	const struct vcpu_debug *vd = &m->vm.vcpu[cpu]->dbg;
	why->signal = 5;
	why->why = vd->why;
	why->kind = vd->kind;
	why->addr = vd->addr;
	if (vd->why != DBG_STOP_STEP && vd->why != DBG_STOP_BREAK && vd->why != DBG_STOP_WATCH)
		debugger_describe_stop(&m->vm, cpu, msg, len);
	why->message = msg;
	m->reset_on_cont = vd->why == DBG_STOP_TRIPLE;
}

/* a vCPU stopped the VM for the debugger: tell GDB, or the terminal */
static void machine_report_stop(struct machine *m)
{
	if (m->stop_reported)
		return;
	m->stop_reported = true;
	struct gdb_stop why;
	char msg[160];
	machine_stop_reason(m, &why, msg, sizeof(msg));
	monitors_running(m, false);
	if (m->gdb && gdbstub_connected(m->gdb)) {
		gdbstub_stopped(m->gdb, &why);
		return;
	}
	char line[160];
	debugger_describe_stop(&m->vm, why.cpu, line, sizeof(line));
	const struct cpu_state *s = &m->vm.vcpu[why.cpu]->s;
	log_msg("stopped: %s; cont (monitor) or GDB resumes", line);
	log_msg("  cs:rip %04x:%016llx ss:rsp %04x:%016llx rflags %08llx", s->seg[S_CS].selector,
		(unsigned long long)s->rip, s->seg[S_SS].selector,
		(unsigned long long)s->gpr[R_ESP], (unsigned long long)s->rflags);
	log_msg("  cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx",
		(unsigned long long)s->cr0, (unsigned long long)s->cr2, (unsigned long long)s->cr3,
		(unsigned long long)s->cr4, (unsigned long long)s->efer);
	log_msg("  gdt %016llx/%04x idt %016llx/%04x tr %04x ldt %04x", (unsigned long long)s->gdt.base,
		s->gdt.limit, (unsigned long long)s->idt.base, s->idt.limit, s->tr.selector,
		s->ldt.selector);
}

/* a change to the points or catches: made with the vCPUs stopped */
#define WHILE_PAUSED(m, stmt)                      \
	do {                                       \
		bool was_paused_ = (m)->paused;    \
		if (!was_paused_)                  \
			ui_stop(m);                \
		stmt;                              \
		if (!was_paused_)                  \
			ui_cont(m);                \
	} while (0)

static void ui_catch_vector(void *opaque, int vector, bool on)
{
	struct machine *m = opaque;
	WHILE_PAUSED(m, debugger_catch_vector(&m->vm, vector, on));
}

static void ui_catch_io(void *opaque, uint16_t lo, uint16_t hi, bool on)
{
	struct machine *m = opaque;
	WHILE_PAUSED(m, debugger_catch_io(&m->vm, lo, hi, on));
}

static void ui_catch_triple(void *opaque, bool on)
{
	struct machine *m = opaque;
	WHILE_PAUSED(m, debugger_catch_triple(&m->vm, on));
}

/* the monitor's x: the boot CPU's memory through its page tables */
static size_t ui_read_virt(void *opaque, uint64_t lin, void *buf, size_t len)
{
	struct machine *m = opaque;
	size_t n;
	WHILE_PAUSED(m, n = debugger_read(&m->vm, 0, false, lin, buf, len));
	return n;
}

static void ui_catch_info(void *opaque, char *buf, size_t len)
{
	struct machine *m = opaque;
	debugger_describe_catches(&m->vm, buf, len);
}

static int gdb_ncpus(void *opaque)
{
	return ((struct machine *)opaque)->vm.ncpus;
}

/* The layout GDB gets (it reads a target description once per
 * connection): x86-64 by default, as qemu-system-x86_64 gives, since its
 * registers hold every mode's values and so survive the guest's moves
 * from real to protected to long mode; -gdb ...,arch=i386 for a 32-bit
 * guest, whose DWARF register numbers only the i386 layout matches. */
static enum gdb_arch gdb_arch(void *opaque)
{
	struct machine *m = opaque;
	return m->gdb_arch;
}

static void gdb_stop(void *opaque, struct gdb_stop *why)
{
	struct machine *m = opaque;
	bool interrupted = !m->paused;
	ui_stop(m);
	m->stop_reported = true;
	machine_stop_reason(m, why, m->stop_msg, sizeof(m->stop_msg));
	/* SIGINT for a VM Ctrl-C stopped; one already stopped (-S, the
	 * monitor's stop) is reported as QEMU does, a SIGTRAP */
	if (why->signal == 2 && !interrupted)
		why->signal = 5;
	monitors_running(m, false);
}

static void gdb_resume(void *opaque, int step_cpu, bool others_run)
{
	struct machine *m = opaque;
	if (!m->paused)
		return;
	debugger_prepare_resume(&m->vm, step_cpu, others_run);
	monitors_running(m, true);
	ui_cont(m);
}

static struct cpu_state *gdb_cpu_state(void *opaque, int cpu)
{
	struct machine *m = opaque;
	if (cpu < 0 || cpu >= m->vm.ncpus)
		return NULL;
	return &m->vm.vcpu[cpu]->s;
}

static void gdb_cpu_info(void *opaque, int cpu, char *buf, size_t len)
{
	struct machine *m = opaque;
	const struct vcpu *v = m->vm.vcpu[cpu];
	const char *st = v->s.run_state == CPU_HALTED ? " halted"
			 : v->s.run_state == CPU_WAIT_SIPI ? " waiting for SIPI" : "";
	snprintf(buf, len, "CPU#%d %s%s", cpu, v->tier ? v->tier->name : "?", st);
}

static size_t gdb_read_mem(void *opaque, int cpu, bool phys, uint64_t addr, void *buf, size_t len)
{
	struct machine *m = opaque;
	return debugger_read(&m->vm, cpu, phys, addr, buf, len);
}

static size_t gdb_write_mem(void *opaque, int cpu, bool phys, uint64_t addr, const void *buf,
			    size_t len)
{
	struct machine *m = opaque;
	return debugger_write(&m->vm, cpu, phys, addr, buf, len);
}

static int gdb_insert(void *opaque, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	struct machine *m = opaque;
	int r;
	WHILE_PAUSED(m, r = debugger_insert(&m->vm, kind, addr, len));
	return r;
}

static int gdb_remove(void *opaque, enum dbg_point_kind kind, uint64_t addr, uint64_t len)
{
	struct machine *m = opaque;
	int r;
	WHILE_PAUSED(m, r = debugger_remove(&m->vm, kind, addr, len));
	return r;
}

static void gdb_remove_all(void *opaque)
{
	struct machine *m = opaque;
	WHILE_PAUSED(m, debugger_remove_all(&m->vm));
}

static void gdb_set_sstep(void *opaque, unsigned flags)
{
	struct machine *m = opaque;
	WHILE_PAUSED(m, m->vm.dbg.sstep = flags);
}

static unsigned gdb_get_sstep(void *opaque)
{
	return ((struct machine *)opaque)->vm.dbg.sstep;
}

static void gdbmon_write(void *opaque, const char *text, size_t len)
{
	struct machine *m = opaque;
	if (m->gdbmon_out)
		m->gdbmon_out(m->gdbmon_ctx, text, len);
}

static void gdb_monitor(void *opaque, const char *line,
			void (*out)(void *ctx, const char *text, size_t len), void *ctx)
{
	struct machine *m = opaque;
	if (!m->gdbmon) {
		out(ctx, "no monitor\n", 11);
		return;
	}
	m->gdbmon_out = out;
	m->gdbmon_ctx = ctx;
	monitor_command(m->gdbmon, line);
	m->gdbmon_out = NULL;
}

static void gdb_detach(void *opaque)
{
	gdb_resume(opaque, -1, true);
}

static void gdb_kill(void *opaque)
{
	host_exit(opaque, 0);
}

/* what a monitor does to this machine; write: where its output goes */
static struct monitor_host machine_monitor_host(struct machine *m,
						void (*write)(void *, const char *, size_t))
{
	return (struct monitor_host){
		.write = write, .screendump = ui_screendump, .send_scancodes = ui_scancodes,
		.reset = ui_reset, .powerdown = ui_powerdown, .quit = ui_quit,
		.stop = ui_stop, .cont = ui_cont, .cpu_state = ui_cpu_state,
		.read_phys = ui_read_phys, .read_virt = ui_read_virt, .pic_info = ui_pic_info,
		.irq_info = ui_irq_info, .cpu_tiers = ui_cpu_tiers, .catch_vector = ui_catch_vector,
		.catch_io = ui_catch_io, .catch_triple = ui_catch_triple,
		.catch_info = ui_catch_info, .opaque = m,
	};
}

/* the host event loop; returns the exit status */
static int machine_loop(struct machine *m)
{
	for (;;) {
		pthread_mutex_lock(&m->board.lock);
		int64_t next = clock_next_deadline(&m->board.clock);
		int64_t now = clock_ns(&m->board.clock);
		int64_t wait = next == CLOCK_NEVER ? -1 : (next > now ? next - now : 0);
		int64_t chr = machine_flush_chr(m, false);
		if (chr >= 0 && (wait < 0 || chr < wait))
			wait = chr;
		m->loop_asleep = wait < 0 || wait > CHARDEV_HOLD_NS;
		pthread_mutex_unlock(&m->board.lock);

		if (m->inlen && (wait < 0 || wait > 1000000))
			wait = 1000000;	/* poll the FIFO for room every ms */
		if (m->sdl) {
			int64_t w = sdl_display_poll(m->sdl);
			if (wait < 0 || w < wait)
				wait = w;
		}
		if (m->mon) {
			int64_t w = monitor_poll(m->mon);
			if (w >= 0 && (wait < 0 || w < wait))
				wait = w;
		}
		struct timespec ts = { wait / NS_PER_SEC, wait % NS_PER_SEC };
		struct pollfd pfd[3] = {
			{ .fd = m->wake_fd, .events = POLLIN },
			{ .fd = m->gdb ? gdbstub_fd(m->gdb) : -1, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = POLLIN },
		};
		bool want_stdin = m->stdin_open && m->inlen < sizeof(m->inbuf);
		int r = ppoll(pfd, want_stdin ? 3 : 2, wait < 0 ? NULL : &ts, NULL);
		if (r > 0 && (pfd[0].revents & POLLIN)) {
			uint64_t cnt;
			ssize_t rd = read(m->wake_fd, &cnt, sizeof(cnt));
			(void)rd;
		}
		if (r > 0 && want_stdin && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			machine_read_stdin(m);
		if (r > 0 && m->gdb && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			gdbstub_handle(m->gdb);

		pthread_mutex_lock(&m->board.lock);
		m->loop_asleep = false;
		clock_run_timers(&m->board.clock);
		machine_feed_uart(m);
		machine_flush_chr(m, false);
		pthread_mutex_unlock(&m->board.lock);

		int stop = atomic_load(&m->vm.stop);
		if (stop == VM_RUNNING)
			continue;
		machine_join_cpus(m);
		stop = atomic_load(&m->vm.stop);
		if (stop == VM_STOP_EXIT)
			return m->vm.exit_status;
		/* a vCPU stopped for the debugger: the VM stays paused */
		if (stop == VM_STOP_PAUSE && debugger_stopped_cpu(&m->vm) >= 0) {
			m->paused = true;
			machine_report_stop(m);
		}
		/* paused: the threads are gone, nothing runs until cont */
		if (stop == VM_STOP_PAUSE) {
			if (!m->paused && machine_start_cpus(m) < 0)
				return 1;
			continue;
		}
		/* reset: with -no-reboot that is the end, as in QEMU */
		if (m->cfg.no_reboot)
			return 0;
		if (machine_reset(m) < 0)
			return 1;
		if (m->paused) {
			atomic_store(&m->vm.stop, VM_STOP_PAUSE);
			continue;
		}
		if (machine_start_cpus(m) < 0)
			return 1;
	}
}

static void print_stats(const struct machine *m)
{
	for (int i = 0; i < m->vm.ncpus; i++) {
		const struct vcpu *v = m->vm.vcpu[i];
		for (int t = 0; t < TIER_COUNT; t++) {
			if (!v->stats[t].runs)
				continue;
			struct monitor_tier_stats ms;
			char line[512];
			tier_stats_copy(&ms, t, &v->stats[t]);
			monitor_format_tier_stats(line, sizeof(line), i, &ms);
			log_msg("%s", line);
		}
	}
}

int main(int argc, char **argv)
{
	static struct machine mach;	/* large; one per process */
	struct machine *m = &mach;
	int status = 1, nvcpus = 0;
	bool board_up = false, ram_up = false, tier_up = false;

	/* a guest's output to a closed pipe must not kill us */
	signal(SIGPIPE, SIG_IGN);

	int pr = cmdline_parse(argc, argv, &m->cfg);
	if (pr != 0)
		return pr > 0 ? 0 : 1;
	log_mask = m->cfg.log_mask;
	if (m->cfg.log_file) {
		log_file = fopen(m->cfg.log_file, "w");
		if (!log_file) {
			log_error("-D %s: %s", m->cfg.log_file, strerror(errno));
			return 1;
		}
	}
	if (check_host_ram(m->cfg.ram_size) < 0)
		return 1;

	/* level 1: host character devices; the terminal is read for the
	 * COM port on stdio and for the Ctrl-A escapes */
	m->stdin_uart = -1;
	m->stdin_open = true;
	for (int i = 0; i < m->cfg.nserial; i++) {
		if (chardev_open(&m->serial[i], &m->cfg.serial[i]) < 0)
			goto out;
		if (m->cfg.serial[i].kind == CHR_STDIO && m->stdin_uart < 0)
			m->stdin_uart = i;
	}
	for (int i = 0; i < m->cfg.ndebugcon; i++)
		if (chardev_open(&m->debugcon[i], &m->cfg.debugcon[i].chr) < 0)
			goto out;
	for (int i = 0; i < m->cfg.nserial + m->cfg.ndebugcon; i++) {
		struct chardev *c = machine_console(m, i);
		c->buffered = true;
		c->kick = machine_kick_chr;
		c->kick_opaque = m;
	}
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->wake_fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		goto out;
	}

	/* level 2: guest memory and the board that decodes it */
	/* RAM that KVM may map is a shared memfd (hw/testdev's page flush
	 * relies on it); the software tiers' gets transparent huge pages */
	bool kvm_maybe = !strcmp(m->cfg.accel, "kvm") ||
			 (!strcmp(m->cfg.accel, "auto") && access("/dev/kvm", F_OK) == 0);
	if (physmap_init_ram(&m->pm, m->cfg.ram_size, NULL, kvm_maybe) < 0)
		goto out;
	ram_up = true;
	struct board_config bc = {
		.ncpus = m->cfg.ncpus,
		.ram_size = m->cfg.ram_size,
		.pm = &m->pm,
		.clock_mode = CLOCK_HOST,
		.rtc_base = time(NULL),
		.debugexit_iobase = m->cfg.debugexit_iobase,
		.debugexit_size = m->cfg.debugexit_size,
	};
	for (int i = 0; i < m->cfg.nserial; i++)
		if (m->serial[i].fd >= 0)
			bc.serial[i] = (struct uart_chr){ chardev_write, &m->serial[i] };
	for (int i = 0; i < m->cfg.ndebugcon; i++) {
		bc.debugcon[i].iobase = m->cfg.debugcon[i].iobase;
		bc.debugcon[i].chr = (struct debugcon_chr){ chardev_write, &m->debugcon[i] };
	}
	bc.ndebugcons = m->cfg.ndebugcon;
	for (int i = 0; i < m->cfg.nportlog; i++) {
		if (chardev_open(&m->portlog[i], &m->cfg.portlog[i].chr) < 0)
			goto out;
		bc.portlog[i].iobase = m->cfg.portlog[i].iobase;
		bc.portlog[i].chr = (struct debugcon_chr){ chardev_write, &m->portlog[i] };
	}
	bc.nportlogs = m->cfg.nportlog;
	for (int i = 0; i < 3 && m->cfg.boot_order[i]; i++)
		bc.boot_order[i] = m->cfg.boot_order[i] == 'a' ? 1 : m->cfg.boot_order[i] == 'c' ? 2 :
				   m->cfg.boot_order[i] == 'd' ? 3 : 4;
	if (pcboard_open(&m->cfg, &bc, &m->res) < 0)
		goto out;
	struct board_host bh = { host_reset, host_exit, host_cpu_event, m, host_poweroff, host_set_a20 };
	if (board_create(&m->board, &bc, &bh) < 0)
		goto out;
	board_up = true;
	if (pcboard_firmware(&m->cfg, &m->board) < 0)
		goto out;
	machine_direct_boot_screen(m);
	m->board.clock.notify = machine_wake;
	m->board.clock.notify_opaque = m;

	/* level 3: what boots in memory */
	m->boot = (struct boot_config){
		.kernel = m->cfg.kernel, .initrd = m->cfg.initrd, .cmdline = m->cfg.append,
		.bios = m->cfg.bios, .ncpus = m->cfg.ncpus,
		/* the ACPI tables of pcboard_firmware's, for a kernel without SeaBIOS */
		.acpi = true, .hpet = m->cfg.hpet, .ncom = 2, .io = &m->board.io,
		.floppies = (bc.floppy[0] != NULL) + (bc.floppy[1] != NULL),
	};
	struct cpu_state bsp;
	cpu_state_reset(&bsp, false);
	if (boot_setup(&m->pm, &m->boot, &bsp) < 0)
		goto out;

	/* level 4: the CPUs and their tier */
	m->vm = (struct vm){
		.pm = &m->pm, .io = &m->board.io, .mmio = &m->board.mmio,
		.lock = &m->board.lock, .ncpus = m->cfg.ncpus,
		.notify_stop = machine_wake, .notify_opaque = m,
		.ferr = machine_ferr, .ferr_opaque = m,
	};
	m->vm.tier = policy_choose(m->cfg.accel);
	m->vm.bt_cache_mb = m->cfg.tb_size_mb;
	m->vm.bt_hot = m->cfg.bt_hot;
	m->vm.bt_lockstep = m->cfg.bt_lockstep_on;
	m->vm.bt_lockstep_from = m->cfg.bt_lockstep;
	m->vm.bt_inject = m->cfg.bt_lockstep_inject;
	m->vm.bt_perfmap = m->cfg.perfmap;
	m->vm.tier_storm = m->cfg.tier_storm;
	if (!m->vm.tier)
		goto out;
	if (m->vm.tier->vm_init(&m->vm) < 0)
		goto out;
	m->vm.tier_up[m->vm.tier->id] = true;
	tier_up = true;
	/* the tier that takes over what the chosen one cannot run, set up
	 * now so a switch mid-run costs only the state copy */
	const struct tier *fb = tier_table[TIER_INTERP];
	if (fb && fb != m->vm.tier && fb->vm_init(&m->vm) == 0)
		m->vm.tier_up[fb->id] = true;
	for (int i = 0; i < m->cfg.ncpus; i++) {
		if (vcpu_create(&m->vm, i, m->board.lapic[i], &m->vm.vcpu[i]) < 0)
			goto out;
		nvcpus++;
		if (m->vm.tier->attach(m->vm.vcpu[i]) < 0)
			goto out;
		/* a switch storm moves vCPUs between the software tiers from
		 * their threads: attach them to both here, in one thread */
		if (m->vm.tier_storm && fb && fb != m->vm.tier && m->vm.tier_up[fb->id] &&
		    fb->attach(m->vm.vcpu[i]) < 0)
			goto out;
	}
	m->vm.vcpu[0]->s = bsp;

	/* level 5: run (or compare, in this thread, with a reference) */
	if (m->cfg.lockstep_gdb) {
		struct lockstep_config lc = {
			.gdb = m->cfg.lockstep_gdb, .max = m->cfg.lockstep_max,
			.sync = m->cfg.lockstep_sync, .sync_eip = m->cfg.lockstep_sync_eip,
		};
		status = lockstep_run(m->vm.vcpu[0], &lc);
		goto out;
	}
	const char *display = m->cfg.display;
	if (!display)
		display = getenv("DISPLAY") || getenv("WAYLAND_DISPLAY") ? "sdl" : "none";
	if (!strcmp(display, "sdl")) {
		struct sdl_host sh = { ui_render, ui_scancodes, ui_mouse, ui_quit, m };
		m->sdl = sdl_display_open(m->vm.tier->name, &sh);
		if (!m->sdl)
			goto out;
	}
	if (m->cfg.monitor.kind != CHR_NONE) {
		if (chardev_open(&m->monchr, &m->cfg.monitor) < 0)
			goto out;
		struct monitor_host mh = machine_monitor_host(m, ui_write);
		m->mon = monitor_new(&mh, m->cfg.monitor.kind == CHR_STDIO && isatty(STDIN_FILENO));
		if (!m->mon) {
			log_error("monitor: out of memory");
			goto out;
		}
		/* alone on the terminal, the monitor has it from the start */
		if (m->stdin_uart < 0) {
			console_set_monitor_focus(true);
			monitor_show_prompt(m->mon);
		}
	}
	if (m->cfg.no_shutdown)
		debugger_catch_triple(&m->vm, true);
	if (m->cfg.gdb) {
		struct monitor_host gm = machine_monitor_host(m, gdbmon_write);
		struct gdbstub_host gh = {
			.ncpus = gdb_ncpus, .arch = gdb_arch, .stop = gdb_stop, .resume = gdb_resume,
			.cpu_state = gdb_cpu_state, .cpu_info = gdb_cpu_info, .read_mem = gdb_read_mem,
			.write_mem = gdb_write_mem, .insert_point = gdb_insert,
			.remove_point = gdb_remove, .remove_all_points = gdb_remove_all,
			.set_sstep = gdb_set_sstep, .get_sstep = gdb_get_sstep,
			.monitor = gdb_monitor, .detach = gdb_detach, .kill = gdb_kill, .opaque = m,
		};
		m->gdbmon = monitor_new(&gm, false);
		m->gdb_arch = m->cfg.gdb_i386 ? GDB_ARCH_I386 : GDB_ARCH_X86_64;
		m->gdb = gdbstub_new(m->cfg.gdb, &gh);
		if (!m->gdbmon || !m->gdb)
			goto out;
	}
	m->vm.dbg.sstep = DBG_SSTEP_ENABLE;
	console_raw();
	if (m->cfg.start_stopped) {
		/* -S: the loop waits for cont (monitor or GDB) */
		m->paused = true;
		atomic_store(&m->vm.stop, VM_STOP_PAUSE);
		monitors_running(m, false);
	} else if (machine_start_cpus(m) < 0) {
		goto out;
	}
	status = machine_loop(m);
	console_restore();
	if (log_enabled(LOG_STATS))
		print_stats(m);

out:
	console_restore();
	for (int i = 0; i < nvcpus; i++) {
		for (int t = 0; t < TIER_COUNT; t++)
			if (m->vm.vcpu[i]->tier_priv[t] && tier_table[t])
				tier_table[t]->detach(m->vm.vcpu[i]);
		vcpu_destroy(m->vm.vcpu[i]);
	}
	for (int t = 0; tier_up && t < TIER_COUNT; t++)
		if (m->vm.tier_up[t] && tier_table[t])
			tier_table[t]->vm_destroy(&m->vm);
	if (m->sdl)
		sdl_display_close(m->sdl);
	if (m->mon)
		monitor_free(m->mon);
	if (m->gdb)
		gdbstub_free(m->gdb);
	if (m->gdbmon)
		monitor_free(m->gdbmon);
	if (m->cfg.monitor.kind != CHR_NONE)
		chardev_close(&m->monchr);
	if (board_up)
		board_destroy(&m->board);
	pcboard_close(&m->res);
	if (ram_up)
		physmap_destroy(&m->pm);
	for (int i = 0; i < m->cfg.nportlog; i++)
		chardev_close(&m->portlog[i]);
	for (int i = 0; i < m->cfg.nserial; i++)
		chardev_close(&m->serial[i]);
	for (int i = 0; i < m->cfg.ndebugcon; i++)
		chardev_close(&m->debugcon[i]);
	if (log_file)
		fclose(log_file);
	return status;
}
