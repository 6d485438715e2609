// The host probe for test scripts: prints what the host offers, or why a need is missing.
// SPDX-License-Identifier: MIT
/* usage: hostcaps             one line per need: "NAME: yes|no: detail"
 *        hostcaps why NEED... nothing if the host has every NEED, else the
 *                             reason the first missing one is missing
 * Exit status 0, or 2 for a usage error or a switch (hostcaps.h) set to
 * a value it does not know. The 32-bit probe program is
 * looked for beside this one. */
#include "testsuite/hostcaps/hostcaps.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char self[PATH_MAX], run32[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) {
		fprintf(stderr, "hostcaps: /proc/self/exe: cannot read\n");
		return 2;
	}
	self[n] = 0;
	snprintf(run32, sizeof run32, "%s/run32", dirname(self));

	if (argc > 1 && strcmp(argv[1], "why")) {
		fprintf(stderr, "usage: hostcaps [why NEED...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (hostcaps_need(argv[i]) < 0) {
			fprintf(stderr, "hostcaps: unknown need '%s' (kvm, kvm-hw, 32bit, qemu, qemu64)\n",
				argv[i]);
			return 2;
		}

	struct hostcaps h;
	hostcaps_probe(&h, run32);
	if (h.bad_switch[0]) {
		fprintf(stderr, "hostcaps: %s\n", h.bad_switch);
		return 2;
	}
	if (argc == 1) {
		for (int i = 0; i < HC_NR_NEEDS; i++)
			printf("%s: %s: %s\n", hostcaps_need_names[i], h.has[i] ? "yes" : "no", h.why[i]);
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		int k = hostcaps_need(argv[i]);
		if (!h.has[k]) {
			printf("%s\n", h.why[k]);
			break;
		}
	}
	return 0;
}
