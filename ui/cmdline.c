/* Command-line parsing, QEMU-compatible where QEMU has the same flag. */
// SPDX-License-Identifier: MIT
#include "ui/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

#define MAX_RAM (1ull << 40)		/* 1 TiB */
#define MAX_CPUS 64

struct named_chr {
	const char *id;
	struct chr_spec spec;
};

struct parse {
	struct machine_config *cfg;
	struct named_chr chardev[CFG_MAX_CHARDEVS];
	int nchardev;
};

static const char usage[] =
	"usage: trivisor [options]\n"
	"  -m SIZE            guest RAM (MiB, or with suffix K/M/G; default 128M)\n"
	"  -smp N             number of vCPUs (default 1)\n"
	"  -kernel FILE       Linux bzImage, multiboot or ELF kernel to boot directly\n"
	"  -initrd FILE       Linux initrd, or multiboot modules \"file args,file args\"\n"
	"  -append STR        kernel command line\n"
	"  -bios FILE         firmware image mapped at the top of 1 MiB and 4 GiB\n"
	"                     (default: SeaBIOS, /usr/share/seabios/bios-256k.bin)\n"
	"  -hda/-hdb/-hdc/-hdd FILE  raw disk image on IDE primary/secondary master/slave\n"
	"  -cdrom FILE        ISO image in the CD-ROM drive (IDE secondary master)\n"
	"  -fda/-fdb FILE     floppy image (160K to 2.88M) in drive A/B\n"
	"  -drive file=FILE[,if=ide|floppy][,index=N][,media=disk|cdrom][,format=raw]\n"
	"         [,snapshot=on][,readonly=on]\n"
	"  -snapshot          writes to every disk go to a temporary overlay\n"
	"  -boot [order=]DRIVES[,menu=on][,reboot-timeout=MS]  boot order: a floppy,\n"
	"                     c hard disk, d CD-ROM; with nothing to boot, reboot after\n"
	"                     MS (default -1: wait)\n"
	"  -vga std|none      the VGA card (std: Bochs VBE, QEMU's default)\n"
	"  -serial DEV        next COM port: stdio, file:PATH, null, none, chardev:ID\n"
	"  -debugcon DEV      port 0xe9 debug console: stdio, file:PATH, null\n"
	"  -chardev BACKEND,id=ID[,path=PATH]   backends: stdio, file, null\n"
	"  -device isa-debugcon,iobase=PORT,chardev=ID\n"
	"  -device isa-debug-exit[,iobase=PORT][,iosize=N]\n"
	"  -device pc-testdev QEMU's test device for kvm-unit-tests\n"
	"  -device port-log,chardev=ID[,iobase=PORT]  bytes written to a port (default\n"
	"                     0x80, the POST codes), one line each\n"
	"  -no-hpet           no HPET (-machine hpet=off)\n"
	"  -nographic         no window; serial and monitor on stdio (Ctrl-A C switches,\n"
	"                     Ctrl-A X quits)\n"
	"  -display sdl|none  a window showing the screen (default when the host has\n"
	"                     one), or none\n"
	"  -monitor DEV       the monitor: stdio, chardev:ID, none\n"
	"  -no-reboot         exit instead of rebooting\n"
	"  -no-shutdown       a triple fault stops the VM (state shown) instead of a reset\n"
	"  -gdb tcp::PORT[,arch=i386|x86-64]  wait for GDB on PORT (tcp:HOST:PORT, or\n"
	"                     PORT alone); registers as x86-64 (default) or i386\n"
	"  -s                 -gdb tcp::1234\n"
	"  -S                 start with the CPUs stopped (cont in the monitor or GDB)\n"
	"  -accel kvm|auto|interp|bt   execution tier (-enable-kvm = -accel kvm)\n"
	"  -perfmap           write /tmp/perf-PID.map naming each translated block by\n"
	"                     its guest address, for perf report\n"
	"  -d ITEM,...        log: unimp, guest_errors, int, ioport, cpu, exec, in_asm, stats,\n"
	"                     mmu, out_asm (the translator's host code per block)\n"
	"  -dfilter RANGE,... trace only instructions at these linear addresses:\n"
	"                     START..END, START+SIZE, END-SIZE (as QEMU)\n"
	"  -D FILE            write the log to FILE\n"
	"  -lockstep-gdb 127.0.0.1:PORT   compare each instruction with a reference's gdbstub\n"
	"                     (e.g. qemu-system-i386 -S -gdb tcp:127.0.0.1:PORT, same guest)\n"
	"  -lockstep-max N    instructions to compare (default 1000000)\n"
	"  -lockstep-sync EIP run both sides to linear EIP first, then copy the reference\n";

/* QEMU's size syntax: a number, default unit MiB, suffix K, M, G, T */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!strncmp(s, "size=", 5))
		s += 5;
	if (*s < '0' || *s > '9')
		return -1;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	uint64_t unit = 1ull << 20;
	switch (*end) {
	case 0: break;
	case 'b': case 'B': unit = 1; end++; break;
	case 'k': case 'K': unit = 1ull << 10; end++; break;
	case 'm': case 'M': unit = 1ull << 20; end++; break;
	case 'g': case 'G': unit = 1ull << 30; end++; break;
	case 't': case 'T': unit = 1ull << 40; end++; break;
	default: return -1;
	}
	if ((*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (*end == 'B' && unit != 1)
		end++;
	if (*end || v < 0 || v * (double)unit >= 18e18)
		return -1;
	*out = (uint64_t)(v * (double)unit);
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "key=value" inside a comma list: the value (up to the next comma) or NULL */
static const char *opt_get(const char *list, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t n = strcspn(v, ",");
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = 0;
			return buf;
		}
	}
	return NULL;
}

static int parse_chr(struct parse *p, const char *flag, const char *s, struct chr_spec *out)
{
	if (!strcmp(s, "stdio") || !strcmp(s, "mon:stdio")) {
		out->kind = CHR_STDIO;
	} else if (!strcmp(s, "none")) {
		out->kind = CHR_NONE;
	} else if (!strcmp(s, "null")) {
		out->kind = CHR_NULL;
	} else if (!strncmp(s, "file:", 5) && s[5]) {
		out->kind = CHR_FILE;
		out->path = s + 5;
	} else if (!strncmp(s, "chardev:", 8)) {
		for (int i = 0; i < p->nchardev; i++) {
			if (!strcmp(p->chardev[i].id, s + 8)) {
				*out = p->chardev[i].spec;
				return 0;
			}
		}
		log_error("%s %s: no -chardev with that id", flag, s);
		return -1;
	} else {
		log_error("%s %s: unknown character device (use stdio, file:PATH, null or none)", flag, s);
		return -1;
	}
	return 0;
}

static int parse_chardev(struct parse *p, const char *s)
{
	char id[64], path[4096];
	if (p->nchardev == CFG_MAX_CHARDEVS) {
		log_error("-chardev: too many (at most %d)", CFG_MAX_CHARDEVS);
		return -1;
	}
	if (!opt_get(s, "id", id, sizeof(id))) {
		log_error("-chardev %s: needs id=", s);
		return -1;
	}
	struct named_chr *c = &p->chardev[p->nchardev];
	size_t bl = strcspn(s, ",");
	if (!strncmp(s, "stdio", bl) && bl == 5) {
		c->spec.kind = CHR_STDIO;
	} else if (!strncmp(s, "null", bl) && bl == 4) {
		c->spec.kind = CHR_NULL;
	} else if (!strncmp(s, "file", bl) && bl == 4) {
		if (!opt_get(s, "path", path, sizeof(path))) {
			log_error("-chardev %s: file needs path=", s);
			return -1;
		}
		c->spec.kind = CHR_FILE;
		c->spec.path = strdup(path);
	} else {
		log_error("-chardev %s: unknown backend (use stdio, file or null)", s);
		return -1;
	}
	c->id = strdup(id);
	p->nchardev++;
	return 0;
}

/* "iobase=PORT" of a -device, or dflt */
static int device_iobase(const char *s, uint16_t dflt, uint16_t *out)
{
	char buf[64];
	unsigned long v;
	*out = dflt;
	if (!opt_get(s, "iobase", buf, sizeof(buf)))
		return 0;
	if (parse_uint(buf, 0xffff, &v) < 0) {
		log_error("-device %s: bad iobase", s);
		return -1;
	}
	*out = (uint16_t)v;
	return 0;
}

/* a device that writes to a chardev at a port (isa-debugcon, port-log):
 * "iobase=PORT,chardev=ID" into *iobase and *chr */
static int device_port_chardev(struct parse *p, const char *s, uint16_t dflt, uint16_t *iobase,
			       struct chr_spec *chr)
{
	char buf[64], ref[80];
	if (device_iobase(s, dflt, iobase) < 0)
		return -1;
	if (!opt_get(s, "chardev", buf, sizeof(buf))) {
		log_error("-device %s: needs chardev=", s);
		return -1;
	}
	snprintf(ref, sizeof(ref), "chardev:%s", buf);
	return parse_chr(p, "-device", ref, chr);
}

static int parse_device(struct parse *p, const char *s)
{
	struct machine_config *cfg = p->cfg;
	char buf[64];
	unsigned long v;
	size_t nl = strcspn(s, ",");
	if (nl == 12 && !strncmp(s, "isa-debugcon", nl)) {
		if (cfg->ndebugcon == CFG_MAX_DEBUGCON) {
			log_error("-device isa-debugcon: too many");
			return -1;
		}
		if (device_port_chardev(p, s, 0xe9, &cfg->debugcon[cfg->ndebugcon].iobase,
					&cfg->debugcon[cfg->ndebugcon].chr) < 0)
			return -1;
		cfg->ndebugcon++;
		return 0;
	}
	if (nl == 14 && !strncmp(s, "isa-debug-exit", nl)) {
		if (device_iobase(s, cfg->debugexit_iobase, &cfg->debugexit_iobase) < 0)
			return -1;
		if (opt_get(s, "iosize", buf, sizeof(buf))) {
			if (parse_uint(buf, 4, &v) < 0 || (v != 1 && v != 2 && v != 4)) {
				log_error("-device %s: iosize must be 1, 2 or 4", s);
				return -1;
			}
			cfg->debugexit_size = (unsigned)v;
		}
		return 0;
	}
	if (nl == 10 && !strncmp(s, "pc-testdev", nl)) {
		cfg->testdev = true;
		return 0;
	}
	if (nl == 8 && !strncmp(s, "port-log", nl)) {
		if (cfg->nportlog == CFG_MAX_PORTLOGS) {
			log_error("-device port-log: at most %d", CFG_MAX_PORTLOGS);
			return -1;
		}
		if (device_port_chardev(p, s, 0x80, &cfg->portlog[cfg->nportlog].iobase,
					&cfg->portlog[cfg->nportlog].chr) < 0)
			return -1;
		cfg->nportlog++;
		return 0;
	}
	log_error("-device %s: unknown device (known: isa-debugcon, isa-debug-exit, pc-testdev, port-log)", s);
	return -1;
}

/* one number of a -dfilter range: digits first (strtoull would take a sign
 * or blanks), QEMU's bases (0x hex, 0 octal) */
static const char *dfilter_number(const char *s, uint64_t *v)
{
	char *end;
	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno ? NULL : end;
}

/* QEMU's -dfilter: START..END (inclusive), START+SIZE, END-SIZE. Stored
 * straight into hw/log's per-process ranges, as the mask is a per-process
 * setting; they replace those of an earlier -dfilter. */
static int parse_dfilter(const char *arg)
{
	struct log_range r[LOG_MAX_RANGES];
	unsigned n = 0;
	const char *p = arg;
	for (;;) {
		uint64_t a, b;
		const char *q = dfilter_number(p, &a);
		char op = q ? *q : 0;
		if (op == '.' && q[1] != '.')
			op = 0;
		if (op != '.' && op != '+' && op != '-')
			goto bad;
		q = dfilter_number(q + (op == '.' ? 2 : 1), &b);
		if (!q || (*q && *q != ','))
			goto bad;
		if (n == LOG_MAX_RANGES) {
			log_error("-dfilter %s: more than %d ranges", arg, LOG_MAX_RANGES);
			return -1;
		}
		if (op == '.' ? b < a : b == 0 || (op == '+' ? b - 1 > UINT64_MAX - a : b - 1 > a))
			goto bad;
		r[n].lo = op == '-' ? a - (b - 1) : a;
		r[n].hi = op == '.' ? b : op == '+' ? a + (b - 1) : a;
		n++;
		if (!*q)
			break;
		p = q + 1;
	}
	log_set_ranges(r, n);
	return 0;
bad:
	log_error("-dfilter %s: want ranges START..END, START+SIZE or END-SIZE, comma "
		  "separated (SIZE above 0, END not below START, 64 bits)", arg);
	return -1;
}

/* ,tb-size=MiB (QEMU's name for the code cache), ,hot=N, ,lockstep=N */
static int parse_accel_options(struct machine_config *cfg, const char *arg, const char *p)
{
	while (*p == ',') {
		p++;
		size_t n = strcspn(p, ",");
		char *end;
		if (!strncmp(p, "tb-size=", 8)) {
			unsigned long v = strtoul(p + 8, &end, 10);
			if (end != p + n || end == p + 8 || v < 1 || v > 4096) {
				log_error("-accel %s: tb-size wants MiB from 1 to 4096", arg);
				return -1;
			}
			cfg->tb_size_mb = (unsigned)v;
		} else if (!strncmp(p, "hot=", 4)) {
			unsigned long v = strtoul(p + 4, &end, 10);
			if (end != p + n || end == p + 4 || v > 255) {
				log_error("-accel %s: hot wants the interpreter's runs of a block "
					  "before it is translated, 0 to 255", arg);
				return -1;
			}
			cfg->bt_hot = (int)v;
		} else if (!strncmp(p, "lockstep=", 9)) {
			unsigned long long v = strtoull(p + 9, &end, 0);
			if (end != p + n || end == p + 9) {
				log_error("-accel %s: lockstep wants the instruction count to start at", arg);
				return -1;
			}
			cfg->bt_lockstep = v;
			cfg->bt_lockstep_on = true;
		} else if (!strncmp(p, "storm=", 6)) {
			unsigned long long v = strtoull(p + 6, &end, 0);
			if (end != p + n || end == p + 6 || v < 1 || v > (1ull << 40)) {
				log_error("-accel %s: storm wants the mean instructions between switches", arg);
				return -1;
			}
			cfg->tier_storm = v;
		} else if (n == 15 && !strncmp(p, "lockstep-inject", 15)) {
			/* the lockstep check's self-test: the translator gets ADD wrong */
			cfg->bt_lockstep_inject = true;
		} else {
			log_error("-accel %s: unknown option \"%.*s\" (tb-size=MiB, hot=N, lockstep=N, storm=N)", arg,
				  (int)n, p);
			return -1;
		}
		p += n;
	}
	if (*p) {
		log_error("-accel %s: want NAME[,tb-size=MiB][,hot=N][,lockstep=N]", arg);
		return -1;
	}
	return 0;
}

static int parse_accel(struct machine_config *cfg, const char *s)
{
	static const char *const known[] = { "kvm", "auto", "interp", "bt", "tcg" };
	size_t n = strcspn(s, ",:");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i]) == n && !strncmp(s, known[i], n)) {
			/* QEMU's software tier is tcg; ours is the translator */
			cfg->accel = !strcmp(known[i], "tcg") ? "bt" : known[i];
			return parse_accel_options(cfg, s, s + n);
		}
	}
	log_error("-accel %s: unknown accelerator (use kvm, auto, interp or bt)", s);
	return -1;
}

static bool on_off(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true"))
		*out = true;
	else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false"))
		*out = false;
	else
		return false;
	return true;
}

static int drive_slots(enum drive_if iface) { return iface == DRIVE_IDE ? 4 : 2; }

static const struct drive_spec *drive_at(const struct machine_config *cfg, enum drive_if iface,
					 int index)
{
	for (int i = 0; i < cfg->ndrive; i++)
		if (cfg->drive[i].iface == iface && cfg->drive[i].index == index)
			return &cfg->drive[i];
	return NULL;
}

/* index < 0: the first free slot, as QEMU gives -drive without index= */
static int add_drive(struct machine_config *cfg, const char *flag, struct drive_spec d)
{
	if (!d.file || !*d.file) {
		log_error("%s: needs a file name", flag);
		return -1;
	}
	if (d.index < 0) {
		for (d.index = 0; d.index < drive_slots(d.iface); d.index++)
			if (!drive_at(cfg, d.iface, d.index))
				break;
	}
	if (d.index >= drive_slots(d.iface)) {
		log_error("%s %s: no free %s position (there are %d)", flag, d.file,
			  d.iface == DRIVE_IDE ? "IDE" : "floppy", drive_slots(d.iface));
		return -1;
	}
	const struct drive_spec *o = drive_at(cfg, d.iface, d.index);
	if (o) {
		log_error("%s %s: that drive already holds %s", flag, d.file, o->file);
		return -1;
	}
	if (d.cdrom)
		d.readonly = true;
	cfg->drive[cfg->ndrive++] = d;
	return 0;
}

/* -drive file=F,if=ide|floppy,index=N,media=disk|cdrom,format=raw,
 * snapshot=on|off,readonly=on|off; the file name is the only value that may
 * hold a comma, doubled as in QEMU */
static int parse_drive(struct machine_config *cfg, const char *s)
{
	struct drive_spec d = { .iface = DRIVE_IDE, .index = -1 };
	char file[4096] = "";
	size_t fl = 0;
	const char *p = s;
	while (*p) {
		size_t kl = strcspn(p, "=,");
		if (p[kl] != '=') {
			log_error("-drive %s: '%.*s' is not key=value", s, (int)kl, p);
			return -1;
		}
		const char *v = p + kl + 1;
		char val[4096];
		size_t vl = 0;
		while (*v && !(*v == ',' && v[1] != ',')) {
			if (*v == ',')
				v++;	/* ",," is a comma */
			if (vl + 1 < sizeof(val))
				val[vl++] = *v;
			v++;
		}
		val[vl] = 0;
		unsigned long n;
		bool b;
		if (kl == 4 && !strncmp(p, "file", 4)) {
			memcpy(file, val, vl + 1);
			fl = vl;
		} else if (kl == 2 && !strncmp(p, "if", 2)) {
			if (!strcmp(val, "ide")) {
				d.iface = DRIVE_IDE;
			} else if (!strcmp(val, "floppy")) {
				d.iface = DRIVE_FLOPPY;
			} else {
				log_error("-drive %s: if=%s is not available (ide or floppy)", s, val);
				return -1;
			}
		} else if (kl == 5 && !strncmp(p, "index", 5)) {
			if (parse_uint(val, 3, &n) < 0) {
				log_error("-drive %s: index must be 0 to 3", s);
				return -1;
			}
			d.index = (int)n;
		} else if (kl == 5 && !strncmp(p, "media", 5)) {
			if (!strcmp(val, "cdrom")) {
				d.cdrom = true;
			} else if (!strcmp(val, "disk")) {
				d.cdrom = false;
			} else {
				log_error("-drive %s: media must be disk or cdrom", s);
				return -1;
			}
		} else if (kl == 6 && !strncmp(p, "format", 6)) {
			if (strcmp(val, "raw")) {
				log_error("-drive %s: format %s is not supported (only raw)", s, val);
				return -1;
			}
		} else if (kl == 8 && !strncmp(p, "snapshot", 8)) {
			if (!on_off(val, &b)) {
				log_error("-drive %s: snapshot must be on or off", s);
				return -1;
			}
			d.snapshot = b;
		} else if (kl == 8 && !strncmp(p, "readonly", 8)) {
			if (!on_off(val, &b)) {
				log_error("-drive %s: readonly must be on or off", s);
				return -1;
			}
			d.readonly = b;
		} else if ((kl == 2 && !strncmp(p, "id", 2)) || (kl == 5 && !strncmp(p, "cache", 5)) ||
			   (kl == 3 && !strncmp(p, "aio", 3))) {
			/* names and host caching hints: nothing for us to do */
		} else {
			log_error("-drive %s: unknown key '%.*s'", s, (int)kl, p);
			return -1;
		}
		p = *v ? v + 1 : v;
	}
	if (!fl) {
		log_error("-drive %s: needs file=", s);
		return -1;
	}
	if (d.iface == DRIVE_FLOPPY && (d.cdrom || d.index > 1)) {
		log_error("-drive %s: a floppy is unit 0 or 1 and not a CD", s);
		return -1;
	}
	d.file = strdup(file);
	return add_drive(cfg, "-drive", d);
}

/* -boot c | order=dc | once=d | menu=on | strict=on, comma separated */
static int parse_boot(struct machine_config *cfg, const char *s)
{
	const char *p = s;
	while (*p) {
		size_t l = strcspn(p, ",");
		const char *eq = memchr(p, '=', l);
		const char *order = NULL;
		size_t ol = 0;
		if (!eq) {
			order = p;
			ol = l;
		} else if ((eq - p == 5 && !strncmp(p, "order", 5)) ||
			   (eq - p == 4 && !strncmp(p, "once", 4))) {
			order = eq + 1;
			ol = l - (size_t)(eq + 1 - p);
		} else if (eq - p == 4 && !strncmp(p, "menu", 4)) {
			char v[8];
			size_t vl = l - 5 < sizeof(v) - 1 ? l - 5 : sizeof(v) - 1;
			memcpy(v, eq + 1, vl);
			v[vl] = 0;
			if (!on_off(v, &cfg->boot_menu)) {
				log_error("-boot %s: menu must be on or off", s);
				return -1;
			}
		} else if (eq - p == 14 && !strncmp(p, "reboot-timeout", 14)) {
			/* ms SeaBIOS waits before rebooting when nothing boots;
			 * -1 (QEMU's default): it waits for ever */
			char v[16];
			size_t vl = l - 15 < sizeof(v) - 1 ? l - 15 : sizeof(v) - 1;
			memcpy(v, eq + 1, vl);
			v[vl] = 0;
			char *end;
			long ms = strtol(v, &end, 10);
			if (!vl || *end || ms < -1 || ms > 0xffff) {
				log_error("-boot %s: reboot-timeout is -1 or 0 to 65535 ms", s);
				return -1;
			}
			cfg->boot_reboot_timeout = (int)ms;
		} else if (!(eq - p == 6 && !strncmp(p, "strict", 6)) &&
			   !(eq - p == 6 && !strncmp(p, "splash", 6)) &&
			   !(eq - p == 11 && !strncmp(p, "splash-time", 11))) {
			log_error("-boot %s: unknown key '%.*s'", s, (int)(eq - p), p);
			return -1;
		}
		if (order) {
			if (ol == 0 || ol >= sizeof(cfg->boot_order)) {
				log_error("-boot %s: give one to %zu drive letters", s,
					  sizeof(cfg->boot_order) - 1);
				return -1;
			}
			for (size_t i = 0; i < ol; i++) {
				if (!strchr("acdn", order[i]) || memchr(order, order[i], i)) {
					log_error("-boot %s: '%c' is not a drive letter (a, c, d, n), or is repeated",
						  s, order[i]);
					return -1;
				}
			}
			memcpy(cfg->boot_order, order, ol);
			cfg->boot_order[ol] = 0;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* -gdb DEV[,arch=i386|x86-64]: the device as QEMU takes it, and the
 * register layout GDB is given (x86-64 unless asked) */
static int parse_gdb(struct machine_config *cfg, const char *arg)
{
	static char dev[256];
	const char *comma = strstr(arg, ",arch=");
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
	if (n >= sizeof(dev)) {
		log_error("-gdb %s: too long", arg);
		return -1;
	}
	memcpy(dev, arg, n);
	dev[n] = 0;
	cfg->gdb = dev;
	cfg->gdb_i386 = false;
	if (comma) {
		const char *a = comma + 6;
		if (!strcmp(a, "i386"))
			cfg->gdb_i386 = true;
		else if (strcmp(a, "x86-64") && strcmp(a, "x86_64")) {
			log_error("-gdb %s: arch must be i386 or x86-64", arg);
			return -1;
		}
	}
	return 0;
}

/* flags QEMU has that this board has nothing behind yet */
static const char *const not_yet[] = {
	"-netdev",
};

int cmdline_parse(int argc, char **argv, struct machine_config *cfg)
{
	struct parse p = { .cfg = cfg };
	bool snapshot_all = false, monitor_given = false;
	memset(cfg, 0, sizeof(*cfg));
	cfg->vga = "std";
	cfg->hpet = true;
	cfg->boot_reboot_timeout = -1;
	cfg->ram_size = 128ull << 20;
	cfg->ncpus = 1;
	cfg->accel = "auto";
	cfg->bt_hot = -1;
	cfg->lockstep_max = 1000000;
	cfg->display = NULL;
	cfg->debugexit_iobase = 0xf4;
	cfg->debugexit_size = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-')
			a++;	/* --flag is -flag, as in QEMU */
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long v;

#define NEED_ARG()                                                     \
	do {                                                           \
		if (!arg) {                                            \
			log_error("%s: needs an argument", a);         \
			return -1;                                     \
		}                                                      \
		i++;                                                   \
	} while (0)

		if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
			fputs(usage, stdout);
			return 1;
		} else if (!strcmp(a, "-version")) {
			puts("trivisor 0.1");
			return 1;
		} else if (!strcmp(a, "-m")) {
			NEED_ARG();
			if (parse_size(arg, &cfg->ram_size) < 0 || cfg->ram_size < (1 << 20)) {
				log_error("-m %s: not a memory size of at least 1 MiB", arg);
				return -1;
			}
			if (cfg->ram_size > MAX_RAM) {
				log_error("-m %s: more than the 1 TiB this machine supports", arg);
				return -1;
			}
			cfg->ram_size &= ~0xfffull;
		} else if (!strcmp(a, "-smp")) {
			NEED_ARG();
			char buf[32];
			const char *n = opt_get(arg, "cpus", buf, sizeof(buf));
			if (!n) {
				size_t l = strcspn(arg, ",");
				if (l >= sizeof(buf))
					l = sizeof(buf) - 1;
				memcpy(buf, arg, l);
				buf[l] = 0;
				n = buf;
			}
			if (parse_uint(n, MAX_CPUS, &v) < 0 || v == 0) {
				log_error("-smp %s: the number of CPUs must be 1 to %d", arg, MAX_CPUS);
				return -1;
			}
			cfg->ncpus = (int)v;
		} else if (!strcmp(a, "-kernel")) {
			NEED_ARG();
			cfg->kernel = arg;
		} else if (!strcmp(a, "-initrd")) {
			NEED_ARG();
			cfg->initrd = arg;
		} else if (!strcmp(a, "-append")) {
			NEED_ARG();
			cfg->append = arg;
		} else if (!strcmp(a, "-bios")) {
			NEED_ARG();
			cfg->bios = arg;
		} else if (!strcmp(a, "-hda") || !strcmp(a, "-hdb") || !strcmp(a, "-hdc") ||
			   !strcmp(a, "-hdd")) {
			NEED_ARG();
			struct drive_spec d = { .file = arg, .iface = DRIVE_IDE, .index = a[3] - 'a' };
			if (add_drive(cfg, a, d) < 0)
				return -1;
		} else if (!strcmp(a, "-cdrom")) {
			NEED_ARG();
			struct drive_spec d = { .file = arg, .iface = DRIVE_IDE, .index = 2, .cdrom = true };
			if (add_drive(cfg, a, d) < 0)
				return -1;
		} else if (!strcmp(a, "-fda") || !strcmp(a, "-fdb")) {
			NEED_ARG();
			struct drive_spec d = { .file = arg, .iface = DRIVE_FLOPPY, .index = a[3] - 'a' };
			if (add_drive(cfg, a, d) < 0)
				return -1;
		} else if (!strcmp(a, "-drive")) {
			NEED_ARG();
			if (parse_drive(cfg, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-snapshot")) {
			snapshot_all = true;
		} else if (!strcmp(a, "-boot")) {
			NEED_ARG();
			if (parse_boot(cfg, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-vga")) {
			NEED_ARG();
			if (strcmp(arg, "std") && strcmp(arg, "none")) {
				log_error("-vga %s: unknown card (use std or none)", arg);
				return -1;
			}
			cfg->vga = arg;
		} else if (!strcmp(a, "-serial")) {
			NEED_ARG();
			if (cfg->nserial == CFG_MAX_SERIAL) {
				log_error("-serial: at most %d serial ports", CFG_MAX_SERIAL);
				return -1;
			}
			if (parse_chr(&p, "-serial", arg, &cfg->serial[cfg->nserial]) < 0)
				return -1;
			cfg->nserial++;
		} else if (!strcmp(a, "-debugcon")) {
			NEED_ARG();
			if (cfg->ndebugcon == CFG_MAX_DEBUGCON) {
				log_error("-debugcon: too many");
				return -1;
			}
			cfg->debugcon[cfg->ndebugcon].iobase = 0xe9;
			if (parse_chr(&p, "-debugcon", arg, &cfg->debugcon[cfg->ndebugcon].chr) < 0)
				return -1;
			cfg->ndebugcon++;
		} else if (!strcmp(a, "-chardev")) {
			NEED_ARG();
			if (parse_chardev(&p, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-device")) {
			NEED_ARG();
			if (parse_device(&p, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-nographic")) {
			cfg->nographic = true;
		} else if (!strcmp(a, "-display")) {
			NEED_ARG();
			size_t dl = strcspn(arg, ",");
			if (dl == 4 && !strncmp(arg, "none", 4)) {
				cfg->display = "none";
			} else if ((dl == 3 && !strncmp(arg, "sdl", 3)) || (dl == 3 && !strncmp(arg, "gtk", 3))) {
				cfg->display = "sdl";	/* our one window is SDL's */
			} else {
				log_error("-display %s: unknown display (use sdl or none)", arg);
				return -1;
			}
		} else if (!strcmp(a, "-monitor")) {
			NEED_ARG();
			if (parse_chr(&p, "-monitor", arg, &cfg->monitor) < 0)
				return -1;
			if (cfg->monitor.kind == CHR_FILE) {
				log_error("-monitor %s: a monitor needs input; use stdio", arg);
				return -1;
			}
			monitor_given = true;
		} else if (!strcmp(a, "-no-hpet")) {
			cfg->hpet = false;
		} else if (!strcmp(a, "-perfmap")) {
			cfg->perfmap = true;
		} else if (!strcmp(a, "-no-reboot")) {
			cfg->no_reboot = true;
		} else if (!strcmp(a, "-no-shutdown")) {
			cfg->no_shutdown = true;
		} else if (!strcmp(a, "-s")) {
			cfg->gdb = "tcp::1234";
		} else if (!strcmp(a, "-gdb")) {
			NEED_ARG();
			if (parse_gdb(cfg, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-S")) {
			cfg->start_stopped = true;
		} else if (!strcmp(a, "-accel")) {
			NEED_ARG();
			if (parse_accel(cfg, arg) < 0)
				return -1;
		} else if (!strcmp(a, "-enable-kvm")) {
			cfg->accel = "kvm";
		} else if (!strcmp(a, "-machine") || !strcmp(a, "-M")) {
			NEED_ARG();
			char buf[32];
			if (opt_get(arg, "accel", buf, sizeof(buf)) && parse_accel(cfg, buf) < 0)
				return -1;
			if (opt_get(arg, "hpet", buf, sizeof(buf)) && !on_off(buf, &cfg->hpet)) {
				log_error("-machine %s: hpet must be on or off", arg);
				return -1;
			}
		} else if (!strcmp(a, "-d")) {
			NEED_ARG();
			if (log_parse_mask(arg, &cfg->log_mask) < 0)
				return -1;
		} else if (!strcmp(a, "-dfilter")) {
			NEED_ARG();
			if (parse_dfilter(arg) < 0)
				return -1;
		} else if (!strcmp(a, "-D")) {
			NEED_ARG();
			cfg->log_file = arg;
		} else if (!strcmp(a, "-lockstep-gdb")) {
			NEED_ARG();
			cfg->lockstep_gdb = arg;
		} else if (!strcmp(a, "-lockstep-max") || !strcmp(a, "-lockstep-sync")) {
			NEED_ARG();
			char *end;
			errno = 0;
			unsigned long long n = strtoull(arg, &end, 0);
			if (errno || end == arg || *end) {
				log_error("%s %s: not a number", a, arg);
				return -1;
			}
			if (a[10] == 'm') {
				cfg->lockstep_max = n;
			} else {
				cfg->lockstep_sync = true;
				cfg->lockstep_sync_eip = n;
			}
		} else {
			for (size_t k = 0; k < sizeof(not_yet) / sizeof(not_yet[0]); k++) {
				if (!strcmp(a, not_yet[k])) {
					log_error("%s: not supported yet (this board has no device behind it)", a);
					return -1;
				}
			}
			log_error("%s: unknown option (see trivisor -help)", argv[i]);
			return -1;
		}
#undef NEED_ARG
	}
	if (cfg->bios && cfg->kernel) {
		/* QEMU runs its BIOS and hands it the kernel; our -kernel boots
		 * the kernel directly, so a BIOS would never run */
		log_error("-bios %s with -kernel: direct kernel boot runs no BIOS; give one of them", cfg->bios);
		return -1;
	}
	if (snapshot_all)
		for (int i = 0; i < cfg->ndrive; i++)
			cfg->drive[i].snapshot = true;
	if (!cfg->boot_order[0]) {
		/* SeaBIOS's own default when nothing is said: disk, CD, floppy */
		strcpy(cfg->boot_order, "cda");
	}
	if ((cfg->initrd || cfg->append) && !cfg->kernel) {
		log_error("%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
		return -1;
	}
	if (cfg->nographic)
		cfg->display = "none";
	/* COM1 goes to the terminal unless told otherwise: with -nographic as
	 * in QEMU, and here also with a window, since the window shows only
	 * the VGA and a serial console is how most of our guests talk */
	if (cfg->nserial == 0) {
		cfg->serial[0].kind = CHR_STDIO;
		cfg->nserial = 1;
	}
	/* -nographic: the monitor shares the terminal (QEMU's mon:stdio) */
	if (cfg->nographic && !monitor_given)
		cfg->monitor.kind = CHR_STDIO;
	return 0;
}
