// What the test host offers: /dev/kvm and what is beneath it, 32-bit user programs, QEMU.
// SPDX-License-Identifier: MIT
#include "testsuite/hostcaps/hostcaps.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *const hostcaps_need_names[HC_NR_NEEDS] = {
	[HC_KVM] = "kvm", [HC_KVM_HW] = "kvm-hw", [HC_32BIT] = "32bit", [HC_QEMU] = "qemu",
	[HC_QEMU64] = "qemu64",
};

/* the status run32 exits with when it really ran as a 32-bit program */
#define RUN32_OK 42

int hostcaps_need(const char *name)
{
	for (int i = 0; i < HC_NR_NEEDS; i++)
		if (!strcmp(name, hostcaps_need_names[i]))
			return i;
	return -1;
}

static bool switch_is(const char *var, const char *val)
{
	const char *v = getenv(var);
	return v && !strcmp(v, val);
}

static void set(struct hostcaps *h, enum hc_need n, bool has, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct hostcaps *h, enum hc_need n, bool has, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->why[n], sizeof h->why[n], fmt, ap);
	va_end(ap);
	h->has[n] = has;
}

static bool module_loaded(const char *name)
{
	char path[96];
	snprintf(path, sizeof path, "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static void probe_kvm(struct hostcaps *h)
{
	if (switch_is("TRIVISOR_HOST_KVM", "none")) {
		set(h, HC_KVM, false, "no /dev/kvm (simulated: TRIVISOR_HOST_KVM=none)");
		return;
	}
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			set(h, HC_KVM, false, "no /dev/kvm on this host");
		else
			set(h, HC_KVM, false, "/dev/kvm cannot be opened read-write: %s", strerror(errno));
		return;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		set(h, HC_KVM, false, "/dev/kvm speaks KVM API %d, not %d", api, KVM_API_VERSION);
		close(fd);
		return;
	}
	int vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		set(h, HC_KVM, false, "/dev/kvm cannot create a VM: %s", strerror(errno));
		close(fd);
		return;
	}
	close(vm);
	close(fd);

	unsigned a, b, c, d;
	h->vmx = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5));
	h->svm = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 2));
	bool pvm = module_loaded("kvm_pvm");
	set(h, HC_KVM, true, "/dev/kvm%s", pvm ? " (kvm_pvm)" : "");
	if (switch_is("TRIVISOR_HOST_KVM", "pvm"))
		set(h, HC_KVM_HW, false, "no VMX/SVM beneath /dev/kvm (simulated: TRIVISOR_HOST_KVM=pvm)");
	else if (pvm)
		set(h, HC_KVM_HW, false,
		    "no VMX/SVM on this host (/dev/kvm is kvm_pvm, a software hypervisor)");
	else if (!h->vmx && !h->svm)
		set(h, HC_KVM_HW, false,
		    "no VMX/SVM on this host (neither in CPUID: /dev/kvm is a software hypervisor)");
	else
		set(h, HC_KVM_HW, true, "%s beneath /dev/kvm", h->vmx ? "VMX" : "SVM");
	if (!h->has[HC_KVM_HW])
		h->vmx = h->svm = false;
}

/* run the 32-bit probe program: the kernel says ENOEXEC where it has no
 * IA-32 emulation, and the program itself checks it is 32-bit code */
static void probe_32bit(struct hostcaps *h, const char *run32)
{
	if (switch_is("TRIVISOR_HOST_32BIT", "no")) {
		set(h, HC_32BIT, false, "no 32-bit user programs (simulated: TRIVISOR_HOST_32BIT=no)");
		return;
	}
	if (access(run32, X_OK) != 0) {
		set(h, HC_32BIT, false, "%s not built (gcc -m32: is gcc-multilib installed?)", run32);
		return;
	}
	char *argv[] = {(char *)run32, NULL};
	pid_t pid;
	int err = posix_spawn(&pid, run32, NULL, NULL, argv, environ);
	if (err) {
		set(h, HC_32BIT, false, "this kernel cannot run 32-bit programs (%s: %s)", run32,
		    strerror(err));
		return;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			set(h, HC_32BIT, false, "waitpid for %s: %s", run32, strerror(errno));
			return;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == RUN32_OK)
		set(h, HC_32BIT, true, "32-bit programs run");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		set(h, HC_32BIT, false, "this kernel cannot run 32-bit programs (%s did not start)",
		    run32);
	else
		set(h, HC_32BIT, false, "%s did not run as a 32-bit program (status 0x%x)", run32, st);
}

static bool on_path(const char *prog, char *where, size_t n)
{
	const char *p = getenv("PATH");
	if (!p)
		p = "/usr/bin:/bin";
	while (*p) {
		size_t len = strcspn(p, ":");
		snprintf(where, n, "%.*s/%s", (int)len, p, prog);
		struct stat sb;
		if (len && stat(where, &sb) == 0 && S_ISREG(sb.st_mode) && access(where, X_OK) == 0)
			return true;
		p += len + (p[len] == ':');
	}
	return false;
}

static void probe_qemu(struct hostcaps *h, enum hc_need need, const char *prog)
{
	char where[4096];
	if (switch_is("TRIVISOR_HOST_QEMU", "no"))
		set(h, need, false, "no %s (simulated: TRIVISOR_HOST_QEMU=no)", prog);
	else if (on_path(prog, where, sizeof where))
		set(h, need, true, "%s", where);
	else
		set(h, need, false, "%s not installed (apt-get install qemu-system-x86)", prog);
}

static void check_switch(struct hostcaps *h, const char *var, const char *v1, const char *v2)
{
	const char *v = getenv(var);
	if (v && *v && strcmp(v, v1) && (!v2 || strcmp(v, v2)))
		snprintf(h->bad_switch, sizeof h->bad_switch, "%s=%s: the probe knows %s%s%s", var,
			 v, v1, v2 ? " and " : "", v2 ? v2 : "");
}

void hostcaps_probe(struct hostcaps *h, const char *run32)
{
	memset(h, 0, sizeof *h);
	check_switch(h, "TRIVISOR_HOST_KVM", "none", "pvm");
	check_switch(h, "TRIVISOR_HOST_32BIT", "no", NULL);
	check_switch(h, "TRIVISOR_HOST_QEMU", "no", NULL);
	probe_kvm(h);
	if (!h->has[HC_KVM])
		set(h, HC_KVM_HW, false, "%s", h->why[HC_KVM]);
	probe_32bit(h, run32);
	probe_qemu(h, HC_QEMU, "qemu-system-i386");
	probe_qemu(h, HC_QEMU64, "qemu-system-x86_64");
}

void hostcaps_probe_unit(struct hostcaps *h, const char *argv0)
{
	char run32[4096];
	const char *slash = strrchr(argv0, '/');
	int dirlen = slash ? (int)(slash - argv0) : 1;
	snprintf(run32, sizeof run32, "%.*s/../hostcaps/run32", dirlen, slash ? argv0 : ".");
	hostcaps_probe(h, run32);
}
