#!/bin/bash
# Boot test: Debian's i386 kernel under the translator, 1 and 2 CPUs (linux-i386.sh): its 32-bit code, flat and paged, in translated blocks.
# SPDX-License-Identifier: MIT
cd "$(dirname "$0")/../.." || exit 1
BOOT_ACCEL=bt exec bash testsuite/boot/linux-i386.sh
