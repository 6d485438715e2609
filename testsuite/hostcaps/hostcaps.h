/* What the test host offers, asked once by the test scripts (through the
 * hostcaps program) and the unit tests (by linking hostcaps.c) alike.
 *
 * Needs, by name:
 *   kvm      /dev/kvm is there, opens read-write and creates a VM
 *   kvm-hw   ... and real VMX or SVM is beneath it (not kvm_pvm)
 *   32bit    this kernel runs 32-bit x86 user programs
 *   qemu     qemu-system-i386 is on PATH (the lockstep reference)
 *   qemu64   qemu-system-x86_64 is on PATH (the reference for 64-bit guests)
 *
 * Environment switches make the host look poorer than it is, so every
 * shape of host can be tried on one machine:
 *   TRIVISOR_HOST_KVM=none   as if there were no /dev/kvm (trivisor's own
 *                            KVM probe reads it too)
 *   TRIVISOR_HOST_KVM=pvm    as if /dev/kvm were kvm_pvm: no VMX/SVM beneath
 *   TRIVISOR_HOST_32BIT=no   as if 32-bit programs could not run
 *   TRIVISOR_HOST_QEMU=no    as if neither qemu-system-i386 nor
 *                            qemu-system-x86_64 were installed
 * A switch never makes the host look richer than it is. */
#ifndef TESTSUITE_HOSTCAPS_H
#define TESTSUITE_HOSTCAPS_H

#include <stdbool.h>

enum hc_need { HC_KVM, HC_KVM_HW, HC_32BIT, HC_QEMU, HC_QEMU64, HC_NR_NEEDS };

struct hostcaps {
	bool has[HC_NR_NEEDS];
	char why[HC_NR_NEEDS][200];	/* what is missing, where !has; else what is there */
	bool vmx, svm;			/* beneath /dev/kvm, where has[HC_KVM_HW] */
	char bad_switch[200];		/* non-empty: a switch set to a value not above */
};

/* Look at the host. run32 is the path of the 32-bit probe program
 * ($(O)/hostcaps/run32), which must exist for 32bit to be had. */
void hostcaps_probe(struct hostcaps *h, const char *run32);

/* The same from a unit test in $(O)/unit: argv0 is its argv[0]. */
void hostcaps_probe_unit(struct hostcaps *h, const char *argv0);

/* The need's index for its name above, or -1. */
int hostcaps_need(const char *name);

extern const char *const hostcaps_need_names[HC_NR_NEEDS];

#endif
