#!/bin/bash
# Lockstep of the first 1,000,000 instructions of the amd64 boot against qemu-system-x86_64 (testsuite/lockstep).
# SPDX-License-Identifier: MIT
cd "$(dirname "$0")/../.." || exit 1
LOCKSTEP_ARCH=amd64 exec bash testsuite/lockstep/lockstep.sh
