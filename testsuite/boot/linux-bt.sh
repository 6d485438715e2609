#!/bin/bash
# Boot test: Debian's amd64 kernel under the translator, 1 and 2 CPUs, with the in-guest cpucheck program (linux-interp.sh).
# SPDX-License-Identifier: MIT
cd "$(dirname "$0")/../.." || exit 1
BOOT_ACCEL=bt exec bash testsuite/boot/linux-interp.sh
