/* Unit tests for the human monitor (fed lines, its output and callbacks
 * checked) and for the terminal's Ctrl-A C switch between console and monitor. */
// SPDX-License-Identifier: MIT
#include "ui/monitor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mmu/mmu.h"
#include "mmu/physmap.h"
#include "ui/chardev.h"
#include "ui/screendump.h"
#include "testsuite/unit/check.h"

struct fake {
	char out[8192];
	size_t outlen;
	uint8_t keys[256];
	size_t nkeys;
	int sends;
	int resets, powerdowns, quits, stops, conts, dumps;
	char dump_path[256];
	const char *dump_error;
	int64_t now;
};

static void f_write(void *opaque, const char *text, size_t len)
{
	struct fake *f = opaque;
	if (f->outlen + len < sizeof(f->out)) {
		memcpy(f->out + f->outlen, text, len);
		f->outlen += len;
		f->out[f->outlen] = 0;
	}
}

static void f_send(void *opaque, const uint8_t *bytes, size_t n)
{
	struct fake *f = opaque;
	f->sends++;
	if (f->nkeys + n <= sizeof(f->keys)) {
		memcpy(f->keys + f->nkeys, bytes, n);
		f->nkeys += n;
	}
}

static const char *f_dump(void *opaque, const char *path)
{
	struct fake *f = opaque;
	f->dumps++;
	snprintf(f->dump_path, sizeof(f->dump_path), "%s", path);
	return f->dump_error;
}

static void f_reset(void *opaque) { ((struct fake *)opaque)->resets++; }
static void f_powerdown(void *opaque) { ((struct fake *)opaque)->powerdowns++; }
static void f_quit(void *opaque) { ((struct fake *)opaque)->quits++; }
static void f_stop(void *opaque) { ((struct fake *)opaque)->stops++; }
static void f_cont(void *opaque) { ((struct fake *)opaque)->conts++; }
static int64_t f_now(void *opaque) { return ((struct fake *)opaque)->now; }

static struct monitor *fake_monitor(struct fake *f, bool echo)
{
	memset(f, 0, sizeof(*f));
	f->now = 1000000000;
	struct monitor_host h = {
		.write = f_write, .screendump = f_dump, .send_scancodes = f_send,
		.reset = f_reset, .powerdown = f_powerdown, .quit = f_quit,
		.stop = f_stop, .cont = f_cont, .now_ns = f_now, .version = "9.9",
		.opaque = f,
	};
	return monitor_new(&h, echo);
}

static void clear_out(struct fake *f)
{
	f->outlen = 0;
	f->out[0] = 0;
}

static void feed(struct monitor *m, const char *s)
{
	monitor_input(m, (const uint8_t *)s, strlen(s));
}

#define KEYS_ARE(f, ...) do {                                                  \
		static const uint8_t want_[] = { __VA_ARGS__ };                \
		CHECK_EQ((f)->nkeys, sizeof(want_));                           \
		CHECK((f)->nkeys == sizeof(want_) &&                           \
		      !memcmp((f)->keys, want_, sizeof(want_)));               \
	} while (0)

static void test_banner_prompt_help(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	monitor_show_prompt(m);
	CHECK(strstr(f.out, "monitor - type 'help'") != NULL);
	CHECK(strstr(f.out, "(trivisor) ") != NULL);
	clear_out(&f);
	monitor_show_prompt(m);		/* the banner only once */
	CHECK(!strcmp(f.out, "(trivisor) "));
	clear_out(&f);
	feed(m, "help\n");
	CHECK(strstr(f.out, "sendkey keys [hold_ms] -- ") != NULL);
	CHECK(strstr(f.out, "screendump filename -- ") != NULL);
	CHECK(strstr(f.out, "quit|q -- quit the emulator\n") != NULL);
	/* every output ends with a fresh prompt */
	size_t pl = strlen(MONITOR_PROMPT);
	CHECK(f.outlen >= pl && !strcmp(f.out + f.outlen - pl, MONITOR_PROMPT));
	clear_out(&f);
	monitor_command(m, "help sendkey");
	CHECK(!strncmp(f.out, "sendkey keys", 12));
	CHECK(strchr(f.out, '\n') == f.out + f.outlen - 1);	/* one line */
	clear_out(&f);
	monitor_command(m, "info");
	CHECK(strstr(f.out, "info status -- ") != NULL);
	CHECK(strstr(f.out, "info version -- ") != NULL);
	monitor_free(m);
}

static void test_unknown_command(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	feed(m, "frobnicate now\n");
	CHECK(!strcmp(f.out, "unknown command: 'frobnicate'\n(trivisor) "));
	clear_out(&f);
	feed(m, "info nothing\n");
	CHECK(!strncmp(f.out, "info: unknown subcommand: 'nothing'", 35));
	clear_out(&f);
	/* empty and blank lines: just the prompt */
	feed(m, "\n   \t \n");
	CHECK(!strcmp(f.out, "(trivisor) (trivisor) "));
	CHECK_EQ(f.resets + f.quits + f.stops + f.sends, 0);
	monitor_free(m);
}

static void test_info(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	monitor_command(m, "info status");
	CHECK(!strcmp(f.out, "VM status: running\n"));
	clear_out(&f);
	monitor_command(m, "stop");
	CHECK_EQ(f.stops, 1);
	monitor_command(m, "info status");
	CHECK(!strcmp(f.out, "VM status: paused\n"));
	clear_out(&f);
	monitor_command(m, "c");	/* cont's alias */
	CHECK_EQ(f.conts, 1);
	monitor_command(m, "info status");
	CHECK(!strcmp(f.out, "VM status: running\n"));
	clear_out(&f);
	monitor_set_running(m, false);
	monitor_command(m, "info status");
	CHECK(!strcmp(f.out, "VM status: paused\n"));
	clear_out(&f);
	monitor_command(m, "info version");
	CHECK(!strcmp(f.out, "9.9\n"));
	monitor_free(m);
}

static void test_machine_commands(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	monitor_command(m, "system_reset");
	monitor_command(m, "system_powerdown");
	CHECK_EQ(f.resets, 1);
	CHECK_EQ(f.powerdowns, 1);
	CHECK_EQ(f.outlen, 0);
	/* quit: the callback, no prompt, nothing read after it */
	feed(m, "quit\nsystem_reset\n");
	CHECK_EQ(f.quits, 1);
	CHECK_EQ(f.resets, 1);
	CHECK_EQ(f.outlen, 0);
	monitor_free(m);

	/* a host without the callbacks says so */
	struct monitor_host bare = { .write = f_write, .opaque = &f };
	m = monitor_new(&bare, false);
	monitor_command(m, "system_powerdown");
	CHECK(!strcmp(f.out, "system_powerdown: not available on this machine\n"));
	clear_out(&f);
	monitor_command(m, "screendump /tmp/x.png");
	CHECK(!strcmp(f.out, "screendump: no display device on this machine\n"));
	clear_out(&f);
	monitor_command(m, "info version");
	CHECK(!strcmp(f.out, "0.1\n"));
	monitor_free(m);
}

static void test_sendkey_ctrl_alt_delete(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	CHECK_EQ(monitor_poll(m), -1);
	feed(m, "sendkey ctrl-alt-delete\n");
	CHECK(!strcmp(f.out, "(trivisor) "));
	/* pressed in order at once */
	KEYS_ARE(&f, 0x14, 0x11, 0xe0, 0x71);
	CHECK_EQ(f.sends, 1);
	/* held 100 ms, then released in reverse order */
	f.now += 40000000;
	CHECK_EQ(monitor_poll(m), 60000000);
	CHECK_EQ(f.sends, 1);
	f.now += 60000000;
	CHECK_EQ(monitor_poll(m), -1);
	KEYS_ARE(&f, 0x14, 0x11, 0xe0, 0x71, 0xe0, 0xf0, 0x71, 0xf0, 0x11, 0xf0, 0x14);
	CHECK_EQ(f.sends, 2);
	CHECK_EQ(monitor_poll(m), -1);
	monitor_free(m);
}

static void test_sendkey_forms(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	/* a hold time of 0 releases at once */
	monitor_command(m, "sendkey shift-a 0");
	KEYS_ARE(&f, 0x12, 0x1c, 0xf0, 0x1c, 0xf0, 0x12);
	CHECK_EQ(monitor_poll(m), -1);
	f.nkeys = 0;
	/* a second sendkey lets the first one's keys go first */
	monitor_command(m, "sendkey a 500");
	monitor_command(m, "sendkey kp_enter");
	KEYS_ARE(&f, 0x1c, 0xf0, 0x1c, 0xe0, 0x5a);
	f.now += 100000000;
	monitor_poll(m);
	KEYS_ARE(&f, 0x1c, 0xf0, 0x1c, 0xe0, 0x5a, 0xe0, 0xf0, 0x5a);
	f.nkeys = 0;
	/* Pause has no release */
	monitor_command(m, "sendkey pause 0");
	KEYS_ARE(&f, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	f.nkeys = 0;
	/* errors send nothing and say one line */
	int sends = f.sends;
	const char *bad[] = {
		"sendkey ctrl-alt-nope", "sendkey", "sendkey a -5", "sendkey a x",
		"sendkey ctrl--a", "sendkey ctrl-", "sendkey -a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clear_out(&f);
		monitor_command(m, bad[i]);
		CHECK(!strncmp(f.out, "sendkey: ", 9));
		CHECK(strchr(f.out, '\n') == f.out + f.outlen - 1);
	}
	CHECK_EQ(f.sends, sends);
	CHECK_EQ(f.nkeys, 0);
	CHECK_EQ(monitor_poll(m), -1);
	clear_out(&f);
	monitor_command(m, "sendkey ctrl-alt-nope");
	CHECK(!strcmp(f.out, "sendkey: unknown key 'nope'\n"));
	monitor_free(m);
}

static void test_screendump(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, false);
	monitor_command(m, "screendump /tmp/shot.png");
	CHECK_EQ(f.dumps, 1);
	CHECK(!strcmp(f.dump_path, "/tmp/shot.png"));
	CHECK_EQ(f.outlen, 0);
	monitor_command(m, "screendump -f png other.png");
	CHECK(!strcmp(f.dump_path, "other.png"));
	f.dump_error = "cannot open x: Permission denied";
	monitor_command(m, "screendump x");
	CHECK(!strcmp(f.out, "screendump: cannot open x: Permission denied\n"));
	clear_out(&f);
	monitor_command(m, "screendump");
	CHECK(!strcmp(f.out, "screendump: needs a filename\n"));
	clear_out(&f);
	monitor_command(m, "screendump -f ppm x.ppm");
	CHECK(!strncmp(f.out, "screendump: format 'ppm'", 24));
	CHECK_EQ(f.dumps, 3);
	monitor_free(m);
}

/* a host's screendump as ui/main.c does it, with a fake frame for the VGA */
static const char *png_dump(void *opaque, const char *path)
{
	(void)opaque;
	static uint32_t px[32 * 20];
	for (unsigned i = 0; i < 32 * 20; i++)
		px[i] = (i % 32 < 16) ? 0x00ff8040 : 0x00000000;
	struct vga_frame f = { .pixels = px, .width = 30, .height = 20, .stride = 32, .cap = 32 * 20 };
	return screendump_png(path, &f) < 0 ? "could not write the image" : NULL;
}

static void test_screendump_png(void)
{
	struct fake f;
	memset(&f, 0, sizeof(f));
	char path[] = "/tmp/test_monitor_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	struct monitor_host h = { .write = f_write, .screendump = png_dump, .opaque = &f };
	struct monitor *m = monitor_new(&h, false);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "screendump %s", path);
	monitor_command(m, cmd);
	CHECK_EQ(f.outlen, 0);
	/* a PNG of the frame's size: signature, then IHDR with width, height */
	uint8_t head[24] = { 0 };
	FILE *fp = fopen(path, "rb");
	CHECK(fp != NULL);
	if (fp) {
		CHECK_EQ(fread(head, 1, sizeof(head), fp), sizeof(head));
		fclose(fp);
	}
	CHECK(!memcmp(head, "\x89PNG\r\n\x1a\n", 8));
	CHECK(!memcmp(head + 12, "IHDR", 4));
	CHECK_EQ((uint32_t)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19], 30);
	CHECK_EQ((uint32_t)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23], 20);
	unlink(path);
	/* a file that cannot be made: one line from the monitor */
	monitor_command(m, "screendump /nonexistent-dir/x.png");
	CHECK(!strcmp(f.out, "screendump: could not write the image\n"));
	monitor_free(m);
}

static void test_line_editing(void)
{
	struct fake f;
	struct monitor *m = fake_monitor(&f, true);
	/* a raw terminal: echo, backspace, CR as Enter, CR LF as one line */
	feed(m, "sytem\x7f\x7f\x7fstem_rest\x08\x08set\r\n");
	CHECK_EQ(f.resets, 1);
	CHECK(!strcmp(f.out, "sytem\b \b\b \b\b \bstem_rest\b \b\b \bset\n(trivisor) "));
	clear_out(&f);
	/* cursor keys are swallowed, Ctrl-U clears the line */
	feed(m, "st\x1b[Aop\x15" "stop\r");
	CHECK_EQ(f.stops, 1);
	/* a line in pieces runs once it is whole */
	feed(m, "system_");
	CHECK_EQ(f.powerdowns, 0);
	feed(m, "powerdown");
	feed(m, "\r");
	CHECK_EQ(f.powerdowns, 1);
	/* the prompt shown again after a switch away repeats the typed part */
	feed(m, "sys");
	clear_out(&f);
	monitor_show_prompt(m);
	CHECK(f.outlen >= 14 && !strcmp(f.out + f.outlen - 14, "(trivisor) sys"));
	monitor_free(m);
}

static void test_console_mux(void)
{
	uint8_t buf[64], mon[64];
	size_t len, mlen;
	console_set_monitor_focus(false);
	/* serial bytes, Ctrl-A C, monitor bytes, Ctrl-A C, serial bytes */
	memcpy(buf, "ab\x01" "cinfo\r\x01" "cxy", 13);
	len = 13;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_TO_SERIAL);
	CHECK(len == 4 && !memcmp(buf, "abxy", 4));
	CHECK(mlen == 5 && !memcmp(mon, "info\r", 5));
	CHECK(!console_monitor_focus());
	/* to the monitor, and stays there across reads */
	memcpy(buf, "\x01" "c", 2);
	len = 2;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_TO_MONITOR);
	CHECK_EQ(len, 0);
	CHECK_EQ(mlen, 0);
	CHECK(console_monitor_focus());
	memcpy(buf, "q\x01\x01", 3);	/* Ctrl-A Ctrl-A: a literal Ctrl-A to the monitor */
	len = 3;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_NONE);
	CHECK_EQ(len, 0);
	CHECK(mlen == 2 && mon[0] == 'q' && mon[1] == 0x01);
	/* an escape split across two reads */
	buf[0] = 0x01;
	len = 1;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_NONE);
	CHECK_EQ(len + mlen, 0);
	memcpy(buf, "cz", 2);
	len = 2;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_TO_SERIAL);
	CHECK(len == 1 && buf[0] == 'z');
	/* Ctrl-A X quits from either side */
	memcpy(buf, "k\x01x", 3);
	len = 3;
	CHECK_EQ(console_filter_mux(buf, &len, mon, &mlen), CONSOLE_QUIT);
	CHECK(len == 1 && buf[0] == 'k');
	/* without a monitor, Ctrl-A C does nothing */
	memcpy(buf, "\x01" "cq", 3);
	len = 3;
	CHECK_EQ(console_filter(buf, &len), CONSOLE_NONE);
	CHECK(len == 1 && buf[0] == 'q');
	CHECK(!console_monitor_focus());
}

/* ---- info registers, x, xp: a CPU state and 8 MiB of guest memory ---- */

#define GMEM (8u << 20)
static struct physmap gpm;		/* the guest RAM; gmem points at it */
static uint8_t *gmem;
static struct cpu_state gcpu;
static int cpu_reads;

static int f_cpu(void *opaque, struct cpu_state *out, bool *a20)
{
	(void)opaque;
	cpu_reads++;
	*out = gcpu;
	*a20 = true;
	return 0;
}

static void f_phys(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque;
	for (size_t k = 0; k < len; k++)
		((uint8_t *)buf)[k] = gpa + k < GMEM ? gmem[gpa + k] : 0xff;
}

/* the machine's read_virt is the debugger's walk: the same here */
static size_t f_virt(void *opaque, uint64_t lin, void *buf, size_t len)
{
	(void)opaque;
	struct mmu_regs r = { gcpu.cr0, gcpu.cr3, gcpu.cr4, gcpu.efer, false };
	return mmu_debug_access(&gpm, &r, lin, buf, len, false);
}

static struct monitor *cpu_monitor(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	struct monitor_host h = { .write = f_write, .cpu_state = f_cpu, .read_phys = f_phys,
				  .read_virt = f_virt, .opaque = f };
	return monitor_new(&h, false);
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(gmem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(gmem + gpa, &v, 4);
}

static void test_info_registers(void)
{
	struct fake f;
	struct monitor *m = cpu_monitor(&f);
	cpu_state_reset(&gcpu, false);
	monitor_command(m, "info registers");
	CHECK(strstr(f.out, "EAX=00000000 EBX=") != NULL);
	CHECK(strstr(f.out, "EIP=0000fff0 EFL=00000002 [-------] CPL=0") != NULL);
	CHECK(strstr(f.out, "\nCS =f000 ffff0000 0000ffff 00009b00\n") != NULL);
	CHECK(strstr(f.out, "GDT=     00000000 ") != NULL);
	CHECK(strstr(f.out, "CR0=") && strstr(f.out, "CR4=") && strstr(f.out, "DR7=00000400"));
	CHECK(strstr(f.out, "EFER=0000000000000000\n") != NULL);
	CHECK(strstr(f.out, "RAX=") == NULL);
	/* x87 and SSE at reset (cpu_state_reset: FCW 0x37f), 8 XMM registers */
	CHECK(strstr(f.out, "FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n") != NULL);
	CHECK(strstr(f.out, "FPR7=0000000000000000 0000\n") != NULL);
	CHECK(strstr(f.out, "XMM07=") != NULL && strstr(f.out, "XMM08=") == NULL);
	/* long mode, 64-bit code */
	clear_out(&f);
	gcpu.cr0 |= CR0_PE | CR0_PG;
	gcpu.cr4 |= CR4_PAE;
	gcpu.efer = EFER_LME | EFER_LMA;
	cpu_seg_flat(&gcpu.seg[S_CS], 0x10, 0x9b | SEG_ATTR_L | SEG_ATTR_G);
	gcpu.gpr[R_R15] = 0x1122334455667788ull;
	gcpu.rip = 0xffffffff81000000ull;
	gcpu.rflags = 0x2 | FL_ZF | FL_CF | FL_DF;
	monitor_command(m, "info registers");
	CHECK(strstr(f.out, "R15=1122334455667788\n") != NULL);
	CHECK(strstr(f.out, "RIP=ffffffff81000000 RFL=00000443 [D--Z--C]") != NULL);
	CHECK(strstr(f.out, "CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n") != NULL);
	CHECK(strstr(f.out, "EFER=0000000000000500\n") != NULL);
	gcpu.fxsave[160 + 16 * 15] = 0x5a;	/* XMM15's low byte */
	gcpu.fxsave[160 + 16 * 15 + 15] = 0xa5;	/* its high byte */
	clear_out(&f);
	monitor_command(m, "info registers");
	CHECK(strstr(f.out, "XMM15=a500000000000000000000000000005a\n") != NULL);
	monitor_free(m);
	/* without the callback: one line saying so */
	m = fake_monitor(&f, false);
	monitor_command(m, "info registers");
	CHECK(!strcmp(f.out, "registers: not available on this machine\n"));
	monitor_free(m);
}

static void test_x_paging(void)
{
	struct fake f;
	struct monitor *m = cpu_monitor(&f);
	memset(gmem, 0, GMEM);
	static const uint8_t data[] = { 0x11, 0x22, 0x33, 0x44 };
	memcpy(gmem + 0x5010, data, 4);
	memcpy(gmem + 0x405010, data, 4);
	cpu_state_reset(&gcpu, false);
	/* paging off: linear is physical */
	monitor_command(m, "x/4xb 0x5010");
	CHECK(!strcmp(f.out, "0000000000005010: 0x11 0x22 0x33 0x44\n"));
	/* 32-bit paging: a 4K page, a 4M page (PSE), a hole */
	gcpu.cr0 |= CR0_PE | CR0_PG;
	gcpu.cr3 = 0x1000;
	put32(0x1000, 0x2000 | 1);
	put32(0x2000 + 7 * 4, 0x5000 | 1);
	put32(0x1000 + 4, 0x400000 | 0x81);
	gcpu.cr4 = CR4_PSE;
	clear_out(&f);
	monitor_command(m, "x/4xb 0x7010");
	CHECK(!strcmp(f.out, "0000000000007010: 0x11 0x22 0x33 0x44\n"));
	clear_out(&f);
	monitor_command(m, "x/xw 0x405010");
	CHECK(!strcmp(f.out, "0000000000405010: 0x44332211\n"));
	clear_out(&f);
	monitor_command(m, "x/4xb 0x6000");
	CHECK(!strcmp(f.out, "0000000000006000: Cannot access memory\n"));
	/* PAE: a 4K page and a 2M page */
	gcpu.cr4 = CR4_PAE;
	gcpu.cr3 = 0x10000;
	put64(0x10000, 0x11000 | 1);
	put64(0x11000, 0x12000 | 1);
	put64(0x12000 + 3 * 8, 0x5000 | 1);
	put64(0x11000 + 8, 0x400000 | 0x81);
	clear_out(&f);
	monitor_command(m, "x/xw 0x3010");
	CHECK(!strcmp(f.out, "0000000000003010: 0x44332211\n"));
	clear_out(&f);
	monitor_command(m, "x/xw 0x205010");
	CHECK(!strcmp(f.out, "0000000000205010: 0x44332211\n"));
	clear_out(&f);
	monitor_command(m, "x/xw 0x40000000");
	CHECK(strstr(f.out, "Cannot access memory") != NULL);
	/* 4-level: a 4K page, a 1G page, a non-canonical address */
	gcpu.efer = EFER_LME | EFER_LMA;
	gcpu.cr3 = 0x20000;
	put64(0x20000, 0x21000 | 1);
	put64(0x21000, 0x22000 | 1);
	put64(0x22000, 0x23000 | 1);
	put64(0x23000 + 4 * 8, 0x5000 | 1);
	put64(0x21000 + 8, 0x0 | 0x81);
	clear_out(&f);
	monitor_command(m, "x/xw 0x4010");
	CHECK(!strcmp(f.out, "0000000000004010: 0x44332211\n"));
	clear_out(&f);
	monitor_command(m, "x/xw 0x40405010");
	CHECK(!strcmp(f.out, "0000000040405010: 0x44332211\n"));
	clear_out(&f);
	monitor_command(m, "x/xw 0x0000800000000000");
	CHECK(strstr(f.out, "Cannot access memory") != NULL);
	monitor_free(m);
}

static void test_xp_formats(void)
{
	struct fake f;
	struct monitor *m = cpu_monitor(&f);
	memset(gmem, 0, GMEM);
	static const uint8_t data[] = { 0xea, 0x5b, 0xe0, 0x00, 0xf0, 'h', 'i', '\n', 0xff, 0xff };
	memcpy(gmem + 0xffff0, data, sizeof(data));
	cpu_reads = 0;
	monitor_command(m, "xp/2xw 0xffff0");
	CHECK(!strcmp(f.out, "00000000000ffff0: 0x00e05bea 0x0a6968f0\n"));
	CHECK_EQ(cpu_reads, 0);		/* physical: no CPU state needed */
	clear_out(&f);
	monitor_command(m, "xp 0xffff0");	/* the last format and size stay */
	CHECK(!strcmp(f.out, "00000000000ffff0: 0x00e05bea\n"));
	clear_out(&f);
	monitor_command(m, "xp/3c 0xffff5");
	CHECK(!strcmp(f.out, "00000000000ffff5: 'h' 'i' '\\n'\n"));
	clear_out(&f);
	monitor_command(m, "xp/dh 0xffff8");
	CHECK(!strcmp(f.out, "00000000000ffff8:    -1\n"));
	clear_out(&f);
	monitor_command(m, "xp/uh 0xffff8");
	CHECK(!strcmp(f.out, "00000000000ffff8: 65535\n"));
	clear_out(&f);
	monitor_command(m, "xp/10xb 0xffff0");	/* 8 a line */
	CHECK(strstr(f.out, "\n00000000000ffff8: 0xff 0xff\n") != NULL);
	clear_out(&f);
	monitor_command(m, "xp/2z 0");
	CHECK(!strcmp(f.out, "xp: invalid char in format: 'z'\n"));
	clear_out(&f);
	monitor_command(m, "xp/2x");
	CHECK(!strcmp(f.out, "xp: needs an address\n"));
	/* x/i in real mode at the reset vector: the far jump */
	cpu_state_reset(&gcpu, false);
	gcpu.seg[S_CS].base = 0xf0000;
	gcpu.rip = 0xfff0;
	clear_out(&f);
	monitor_command(m, "x/1i $pc");
	if (!strstr(f.out, "not available")) {
		CHECK(!strncmp(f.out, "0x00000000000ffff0:  ea5be000f0 ", 32));
		CHECK(strstr(f.out, "ljmp") != NULL);
	}
	monitor_free(m);
}

static void test_info_tlb_mem(void)
{
	struct fake f;
	struct monitor *m = cpu_monitor(&f);
	memset(gmem, 0, GMEM);
	cpu_state_reset(&gcpu, false);
	monitor_command(m, "info tlb");
	CHECK(!strcmp(f.out, "PG disabled\n"));
	clear_out(&f);
	monitor_command(m, "info mem");
	CHECK(!strcmp(f.out, "PG disabled\n"));
	/* 32-bit paging: two 4K pages (one accessed), a 4M global page */
	gcpu.cr0 |= CR0_PE | CR0_PG;
	gcpu.cr4 = CR4_PSE;
	gcpu.cr3 = 0x1000;
	put32(0x1000, 0x2000 | 7);
	put32(0x2000 + 7 * 4, 0x5000 | 0x23);
	put32(0x2000 + 8 * 4, 0x6000 | 3);
	put32(0x1000 + 4, 0x400000 | 0x181);
	clear_out(&f);
	monitor_command(m, "info tlb");
	CHECK(!strcmp(f.out, "0000000000007000: 0000000000005000 ----A---W\n"
			     "0000000000008000: 0000000000006000 --------W\n"
			     "0000000000400000: 0000000000400000 -GP------\n"));
	clear_out(&f);
	monitor_command(m, "info mem");
	CHECK(!strcmp(f.out, "0000000000007000-0000000000009000 0000000000002000 -rw\n"
			     "0000000000400000-0000000000800000 0000000000400000 -r-\n"));
	/* nothing was written: no accessed or dirty bit set by the walk */
	uint32_t pde;
	memcpy(&pde, gmem + 0x1000, 4);
	CHECK_EQ(pde, 0x2007u);
	/* PAE: a 4K page and a 2M page */
	memset(gmem, 0, 0x30000);
	gcpu.cr4 = CR4_PAE;
	gcpu.cr3 = 0x10000;
	put64(0x10000, 0x11000 | 1);
	put64(0x11000, 0x12000 | 7);
	put64(0x12000 + 3 * 8, 0x5000 | 7);
	put64(0x11000 + 8, 0x400000 | 0x83);
	clear_out(&f);
	monitor_command(m, "info tlb");
	CHECK(!strcmp(f.out, "0000000000003000: 0000000000005000 -------UW\n"
			     "0000000000200000: 0000000000400000 --P-----W\n"));
	clear_out(&f);
	monitor_command(m, "info mem");
	CHECK(!strcmp(f.out, "0000000000003000-0000000000004000 0000000000001000 urw\n"
			     "0000000000200000-0000000000400000 0000000000200000 -rw\n"));
	/* 4-level: a 4K NX page, a 1G page, the same again in the top half */
	gcpu.efer = EFER_LME | EFER_LMA;
	gcpu.cr3 = 0x20000;
	put64(0x20000, 0x21000 | 7);
	put64(0x20000 + 511 * 8, 0x21000 | 7);
	put64(0x21000, 0x22000 | 7);
	put64(0x22000, 0x23000 | 7);
	put64(0x23000 + 4 * 8, 0x5000 | 7 | (1ull << 63));
	put64(0x21000 + 8, 0x40000000 | 0x87);
	clear_out(&f);
	monitor_command(m, "info tlb");
	CHECK(!strcmp(f.out, "0000000000004000: 0000000000005000 X------UW\n"
			     "0000000040000000: 0000000040000000 --P----UW\n"
			     "ffffff8000004000: 0000000000005000 X------UW\n"
			     "ffffff8040000000: 0000000040000000 --P----UW\n"));
	clear_out(&f);
	monitor_command(m, "info mem");
	CHECK(!strcmp(f.out, "0000000000004000-0000000000005000 0000000000001000 urw\n"
			     "0000000040000000-0000000080000000 0000000040000000 urw\n"
			     "ffffff8000004000-ffffff8000005000 0000000000001000 urw\n"
			     "ffffff8040000000-ffffff8080000000 0000000040000000 urw\n"));
	monitor_free(m);
}

static int f_pic(void *opaque, struct monitor_pic_info *out)
{
	(void)opaque;
	memset(out, 0, sizeof(*out));
	out->chip[0].irr = 0x01;
	out->chip[0].imr = 0xb8;
	out->chip[0].base = 0x08;
	out->chip[1].imr = 0x8e;
	out->chip[1].base = 0x70;
	out->chip[1].elcr = 0x0c;
	out->chip[1].hprio = 3;
	return 0;
}

static int f_irq(void *opaque, struct monitor_irq_info *out)
{
	(void)opaque;
	memset(out, 0, sizeof(*out));
	out->isa_levels = 1u << 4;
	out->have_ioapic = true;
	out->ioapic_lines = 1u << 9;
	out->rte[2] = 0x30;
	out->rte[9] = (1ull << 56) | 0x10000 | 0x8000 | 0x4000 | 0x41;
	for (int i = 10; i < MONITOR_IOAPIC_PINS; i++)
		out->rte[i] = 0x10000;
	return 0;
}

static int f_tiers(void *opaque, int cpu, const char **current, struct monitor_tier_stats *out, int max)
{
	(void)opaque;
	if (cpu > 1 || max < 2)
		return -1;
	memset(out, 0, 2 * sizeof(*out));
	out[0].tier = "interp";
	out[1].tier = "kvm";
	*current = cpu ? "kvm" : "interp";
	if (cpu == 0) {
		out[0].runs = 5;
		out[0].insns = 123456;
		out[0].exits_io = 7;
		out[0].irqs_injected = 2;
	} else {
		out[1].runs = 1;
	}
	return 2;
}

static void test_info_pic_irq_tiers(void)
{
	struct fake f;
	memset(&f, 0, sizeof(f));
	struct monitor_host h = { .write = f_write, .pic_info = f_pic, .irq_info = f_irq,
				  .cpu_tiers = f_tiers, .opaque = &f };
	struct monitor *m = monitor_new(&h, false);
	monitor_command(m, "info pic");
	CHECK(!strcmp(f.out, "pic0: irr=01 imr=b8 isr=00 hprio=0 irq_base=08 rr_sel=0 elcr=00 fnm=0\n"
			     "pic1: irr=00 imr=8e isr=00 hprio=3 irq_base=70 rr_sel=0 elcr=0c fnm=0\n"));
	clear_out(&f);
	monitor_command(m, "info irq");
	CHECK(strstr(f.out, "\n 3: low\n 4: high\n 5: low\n") != NULL);
	CHECK(strstr(f.out, "\n  pin 2  0x0000000000000030 dest=0 vec=48  active-hi edge         fixed  physical\n") != NULL);
	CHECK(strstr(f.out, "\n  pin 9  0x010000000001c041 dest=1 vec=65  active-hi level masked fixed  physical\n") != NULL);
	CHECK(strstr(f.out, "\n  lines       9\n  Remote IRR  9\n") != NULL);
	clear_out(&f);
	monitor_command(m, "info tiers");
	CHECK(!strcmp(f.out, "cpu0: tier interp\n"
			     "  cpu0 interp: runs 5 insns 123456 exits io 7 mmio 0 hlt 0 irq-window 0 intr 0 "
			     "other 0; irqs 2 nmis 0\n"
			     "cpu1: tier kvm\n"
			     "  cpu1 kvm: runs 1 insns 0 exits io 0 mmio 0 hlt 0 irq-window 0 intr 0 "
			     "other 0; irqs 0 nmis 0\n"));
	/* the shared formatter, as -d stats prints it */
	char line[256];
	struct monitor_tier_stats t = { .tier = "bt", .runs = 1, .nmis_injected = 3 };
	monitor_format_tier_stats(line, sizeof(line), 2, &t);
	CHECK(!strcmp(line, "cpu2 bt: runs 1 insns 0 exits io 0 mmio 0 hlt 0 irq-window 0 intr 0 "
			    "other 0; irqs 0 nmis 3"));
	monitor_free(m);
	/* without the callbacks */
	m = fake_monitor(&f, false);
	monitor_command(m, "info pic");
	monitor_command(m, "info tiers");
	CHECK(!strcmp(f.out, "pic: not available on this machine\ntiers: not available on this machine\n"));
	monitor_free(m);
}

int main(void)
{
	CHECK_SUITE("monitor");
	if (physmap_init(&gpm, GMEM, NULL) < 0)
		return 1;
	gmem = gpm.ram;
	RUN(test_banner_prompt_help);
	RUN(test_unknown_command);
	RUN(test_info);
	RUN(test_machine_commands);
	RUN(test_sendkey_ctrl_alt_delete);
	RUN(test_sendkey_forms);
	RUN(test_screendump);
	RUN(test_screendump_png);
	RUN(test_line_editing);
	RUN(test_console_mux);
	RUN(test_info_registers);
	RUN(test_x_paging);
	RUN(test_xp_formats);
	RUN(test_info_tlb_mem);
	RUN(test_info_pic_irq_tiers);
	return CHECK_EXIT();
}
