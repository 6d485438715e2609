#!/bin/bash
# Lockstep of the first 1,000,000 instructions of the i386 boot against QEMU (testsuite/lockstep).
# SPDX-License-Identifier: MIT
cd "$(dirname "$0")/../.." || exit 1
LOCKSTEP_ARCH=i386 exec bash testsuite/lockstep/lockstep.sh
