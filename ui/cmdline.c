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
	"  -serial DEV        next COM port: stdio, file:PATH, null, none, chardev:ID\n"
	"  -debugcon DEV      port 0xe9 debug console: stdio, file:PATH, null\n"
	"  -chardev BACKEND,id=ID[,path=PATH]   backends: stdio, file, null\n"
	"  -device isa-debugcon,iobase=PORT,chardev=ID\n"
	"  -device isa-debug-exit[,iobase=PORT][,iosize=N]\n"
	"  -nographic         no window; serial on stdio (Ctrl-A X quits)\n"
	"  -display none      no window\n"
	"  -no-reboot         exit instead of rebooting\n"
	"  -accel kvm|auto|interp|bt   execution tier (-enable-kvm = -accel kvm)\n"
	"  -d ITEM,...        log: unimp, guest_errors, int, ioport, cpu, exec, in_asm, stats\n"
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
		uint16_t iobase = 0xe9;
		if (opt_get(s, "iobase", buf, sizeof(buf))) {
			if (parse_uint(buf, 0xffff, &v) < 0) {
				log_error("-device %s: bad iobase", s);
				return -1;
			}
			iobase = (uint16_t)v;
		}
		if (!opt_get(s, "chardev", buf, sizeof(buf))) {
			log_error("-device %s: needs chardev=", s);
			return -1;
		}
		char ref[80];
		snprintf(ref, sizeof(ref), "chardev:%s", buf);
		cfg->debugcon[cfg->ndebugcon].iobase = iobase;
		if (parse_chr(p, "-device", ref, &cfg->debugcon[cfg->ndebugcon].chr) < 0)
			return -1;
		cfg->ndebugcon++;
		return 0;
	}
	if (nl == 14 && !strncmp(s, "isa-debug-exit", nl)) {
		if (opt_get(s, "iobase", buf, sizeof(buf))) {
			if (parse_uint(buf, 0xffff, &v) < 0) {
				log_error("-device %s: bad iobase", s);
				return -1;
			}
			cfg->debugexit_iobase = (uint16_t)v;
		}
		if (opt_get(s, "iosize", buf, sizeof(buf))) {
			if (parse_uint(buf, 4, &v) < 0 || (v != 1 && v != 2 && v != 4)) {
				log_error("-device %s: iosize must be 1, 2 or 4", s);
				return -1;
			}
			cfg->debugexit_size = (unsigned)v;
		}
		return 0;
	}
	log_error("-device %s: unknown device (known: isa-debugcon, isa-debug-exit)", s);
	return -1;
}

static int parse_accel(struct machine_config *cfg, const char *s)
{
	static const char *const known[] = { "kvm", "auto", "interp", "bt", "tcg" };
	size_t n = strcspn(s, ",:");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i]) == n && !strncmp(s, known[i], n)) {
			/* QEMU's software tier is tcg; ours is the translator */
			cfg->accel = !strcmp(known[i], "tcg") ? "bt" : known[i];
			return 0;
		}
	}
	log_error("-accel %s: unknown accelerator (use kvm, auto, interp or bt)", s);
	return -1;
}

/* flags QEMU has that this board has nothing behind yet */
static const char *const not_yet[] = {
	"-hda", "-hdb", "-hdc", "-hdd", "-cdrom", "-fda", "-fdb", "-boot",
	"-s", "-S", "-gdb", "-monitor", "-drive", "-netdev", "-vga",
};

int cmdline_parse(int argc, char **argv, struct machine_config *cfg)
{
	struct parse p = { .cfg = cfg };
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = 128ull << 20;
	cfg->ncpus = 1;
	cfg->accel = "auto";
	cfg->lockstep_max = 1000000;
	cfg->display = "none";
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
			if (strncmp(arg, "none", 4) || (arg[4] && arg[4] != ',')) {
				log_error("-display %s: only 'none' is available (no display device is emulated yet)", arg);
				return -1;
			}
		} else if (!strcmp(a, "-no-reboot")) {
			cfg->no_reboot = true;
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
		} else if (!strcmp(a, "-d")) {
			NEED_ARG();
			if (log_parse_mask(arg, &cfg->log_mask) < 0)
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
	if ((cfg->initrd || cfg->append) && !cfg->kernel) {
		log_error("%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
		return -1;
	}
	/* no window exists yet, so COM1 goes to the terminal unless told
	 * otherwise, as with QEMU's -nographic */
	if (cfg->nserial == 0) {
		cfg->serial[0].kind = CHR_STDIO;
		cfg->nserial = 1;
	}
	return 0;
}
