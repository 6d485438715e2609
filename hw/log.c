/* Error lines, the -d trace mask and the -D log file. */
// SPDX-License-Identifier: MIT
#include "hw/log.h"

#include <stdarg.h>
#include <string.h>

unsigned log_mask;
FILE *log_file;
unsigned log_nranges;
struct log_range log_ranges[LOG_MAX_RANGES];

void log_set_ranges(const struct log_range *r, unsigned n)
{
	if (n > LOG_MAX_RANGES)
		n = LOG_MAX_RANGES;
	for (unsigned k = 0; k < n; k++)
		log_ranges[k] = r[k];
	log_nranges = n;
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("trivisor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void log_msg(const char *fmt, ...)
{
	FILE *f = log_file ? log_file : stderr;
	va_list ap;
	va_start(ap, fmt);
	fputs("trivisor: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	va_end(ap);
	fflush(f);
}

static const struct {
	const char *name;
	unsigned flag;
} log_names[] = {
	{ "unimp", LOG_UNIMP }, { "guest_errors", LOG_GUEST_ERROR },
	{ "int", LOG_INT }, { "ioport", LOG_IOPORT }, { "cpu", LOG_CPU },
	{ "exec", LOG_EXEC }, { "in_asm", LOG_IN_ASM }, { "stats", LOG_STATS },
	{ "mmu", LOG_MMU }, { "out_asm", LOG_OUT_ASM },
};

int log_parse_mask(const char *list, unsigned *mask)
{
	char buf[256];
	*mask = 0;
	if (strlen(list) >= sizeof(buf)) {
		log_error("-d: list too long");
		return -1;
	}
	strcpy(buf, list);
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
			if (!strcmp(tok, log_names[i].name))
				break;
		if (i == sizeof(log_names) / sizeof(log_names[0])) {
			log_error("-d: unknown log item '%s' (known: unimp, guest_errors, int, ioport, cpu, exec, in_asm, stats, mmu)", tok);
			return -1;
		}
		*mask |= log_names[i].flag;
	}
	return 0;
}
