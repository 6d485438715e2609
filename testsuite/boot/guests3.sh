#!/bin/bash
# The system-architecture test guests (testsuite/guests3) on the tiers their manifest names.
# SPDX-License-Identifier: MIT
#
# Builds nothing: `make check` builds $(O)/guests3 first. TIERS3 picks the
# tiers (default: interp kvm).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck disable=SC2086
exec bash testsuite/guests3/run.sh ${TIERS3:-interp bt kvm}
