#!/bin/bash
# Boot test: `poweroff -f` in a directly booted Linux switches trivisor off through ACPI (S5 on the PIIX4 PM).
# SPDX-License-Identifier: MIT
#
# The kernel is booted with -kernel: no BIOS runs, so the ACPI tables are
# the ones firmware/ installs itself (RSDP in the F segment and in the zero
# page, the rest at the top of low RAM). The initrd is the cached busybox
# initramfs with a second archive appended whose /test/run (which /init
# runs first) prints the guest's ACPI lines and runs `poweroff -f`; there
# is no trivisor.test=1, so a poweroff that merely halted would leave the
# guest sitting there until the timeout. PASS when trivisor exits with
# status 0 after the kernel's "Preparing to enter system sleep state S5"
# on the serial console, the kernel found the RSDP, the PM timer and the
# MADT, and no ACPI error was printed.
# Not tested: the monitor's system_powerdown (the power button): busybox
# has no acpid and nothing in the initramfs loads the kernel's button
# driver, so nothing in the guest listens to it.
# Environment: O, TRIVISOR, BOOT_ACCEL (default interp), BOOT_TIMEOUT
# (seconds per boot, default 600).

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
TRIVISOR=${TRIVISOR:-$O/trivisor}
ACCEL=${BOOT_ACCEL:-interp}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
VARIANTS=("amd64 1" "amd64 2" "i386 1")

name_of() {
	local smp=""
	[ "$2" != 1 ] && smp="-smp$2"
	echo "boot/poweroff-$1$smp [$ACCEL]"
}
all() {
	local v
	for v in "${VARIANTS[@]}"; do
		# shellcheck disable=SC2086
		echo "$1 $(name_of $v): $2"
	done
}

if [ ! -x "$TRIVISOR" ]; then
	all FAIL "$TRIVISOR not built"
	exit 0
fi
if [ "$ACCEL" = kvm ]; then
	# shellcheck source=testsuite/hostcaps/lib.sh
	. testsuite/hostcaps/lib.sh
	why=$(host_lacks kvm-hw)
	if [ -n "$why" ]; then
		all SKIP "$why"
		exit 0
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/boot-poweroff.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=testsuite/boot/lib/linuxboot.bash
. testsuite/boot/lib/linuxboot.bash

mkdir -p "$tmp/extra/test"
cat > "$tmp/extra/test/run" << 'EOF'
#!/bin/sh
dmesg | grep -e 'ACPI' -e 'RSDP' | sed 's/^/guest-dmesg: /'
echo "TRIVISOR-POWEROFF-NOW"
poweroff -f
echo "TRIVISOR-POWEROFF-FAIL: poweroff -f returned"
EOF
chmod 0755 "$tmp/extra/test/run"
(cd "$tmp/extra" && find test | cpio -o -H newc --quiet -R 0:0) | gzip -1n > "$tmp/extra.cpio.gz" ||
	{ all FAIL "cannot build the test archive (cpio)"; exit 0; }

# poweroff_one ARCH NCPUS: one boot, one PASS/FAIL line
poweroff_one() {
	local arch=$1 n=$2 name rc why
	name=$(name_of "$arch" "$n")
	cat "$INITRD" "$tmp/extra.cpio.gz" > "$tmp/initrd"
	local cmd=("$TRIVISOR" -accel "$ACCEL" -m 512 -smp "$n" -kernel "$KERNEL" -initrd "$tmp/initrd"
		   -append "console=ttyS0 panic=-1" -serial stdio -display none -no-reboot)
	{ timeout -k 5 "$BOOT_TIMEOUT" "${cmd[@]}" > "$tmp/out" 2>&1 < /dev/null; rc=$?; } 2>/dev/null
	tr -d '\r' < "$tmp/out" > "$tmp/out.txt"
	why=""
	if ! grep -q 'TRIVISOR-POWEROFF-NOW' "$tmp/out.txt"; then
		why="/test/run did not run"
	elif ! grep -q 'Preparing to enter system sleep state S5' "$tmp/out.txt"; then
		why="no \"Preparing to enter system sleep state S5\" (no ACPI?)"
	elif grep -q 'RSDP was not found' "$tmp/out.txt"; then
		why="the kernel found no RSDP"
	elif ! grep -q 'ACPI: PM-Timer IO Port: 0x608' "$tmp/out.txt"; then
		why="no \"ACPI: PM-Timer IO Port: 0x608\""
	elif ! grep -q 'ACPI: Using ACPI (MADT)' "$tmp/out.txt"; then
		why="the kernel did not take the MADT"
	elif grep -qi -e 'ACPI Error' -e 'ACPI BIOS Error' -e 'ACPI Warning' "$tmp/out.txt"; then
		why="ACPI errors: $(grep -i -m1 -e 'ACPI Error' -e 'ACPI BIOS Error' -e 'ACPI Warning' "$tmp/out.txt")"
	fi
	if [ -z "$why" ] && [ "$rc" -eq 0 ]; then
		echo "PASS $name"
		return 0
	fi
	case $rc in
	0) ;;
	124|137) why="timed out after $BOOT_TIMEOUT s${why:+ ($why)}" ;;
	*) why="exit status $rc, want 0${why:+ ($why)}" ;;
	esac
	echo "command: ${cmd[*]}"
	echo "last 60 lines of output:"
	tail -n 60 "$tmp/out.txt"
	echo "FAIL $name: $why"
	return 1
}

# report VERDICT WHY: every variant of $arch (fetch_linux calls it)
# shellcheck disable=SC2317
report() {
	local n
	for n in "${mine[@]}"; do echo "$1 $(name_of "$arch" "$n"): $2"; done
}

for arch in amd64 i386; do
	mine=()
	for v in "${VARIANTS[@]}"; do
		[ "${v% *}" = "$arch" ] && mine+=("${v#* }")
	done
	fetch_linux "$arch" report || continue
	for n in "${mine[@]}"; do
		poweroff_one "$arch" "$n"
	done
done
exit 0
