# The benchmark's workloads, sourced by /test/run inside the guest (busybox
# sh) and by bench.sh on the host (/bin/sh), which first set:
#   T         the directory of benchcpu, benchfp and benchos
#   BB        the busybox binary (the initramfs's, or the cached copy of it)
#   S         a scratch directory on tmpfs
#   CPU_N X87_N SSE_N DATA_MIB SYS_N FORK_N FAULT_N FAULT_MIB   the sizes
#   WL        the workloads to run, space-separated (empty or unset: all)
# Each workload is timed by benchos with the monotonic clock of the system
# it runs on: "BENCH name ns"; its checksum follows: "BENCHSUM name value".
# SPDX-License-Identifier: MIT

want() {
	case " ${WL:-$1} " in *" $1 "*) return 0 ;; esac
	return 1
}
bench() {
	want "$1" || return 1
	"$T/benchos" time "$@" || echo "BENCH-FAIL $1 (see above)"
}
sum_of() {
	# first word of a file (md5sum's hash), as a checksum line
	read -r _h _rest < "$2" && echo "BENCHSUM $1 $_h"
}

echo "BENCH-BEGIN"
if want md5sum || want gzip; then
	"$T/benchos" gen "$S/data" "$DATA_MIB" || echo "BENCH-FAIL gen"
fi

bench cpu "$S/cpu.out" "$T/benchcpu" "$CPU_N" && cat "$S/cpu.out"
bench x87 "$S/x87.out" "$T/benchfp" "$X87_N" x87 && cat "$S/x87.out"
bench sse "$S/sse.out" "$T/benchfp" "$SSE_N" sse && cat "$S/sse.out"
bench md5sum "$S/md5.out" "$BB" md5sum "$S/data" && sum_of md5sum "$S/md5.out"
if bench gzip "$S/data.gz" "$BB" gzip -c "$S/data"; then
	"$BB" md5sum "$S/data.gz" > "$S/gz.md5" && sum_of gzip "$S/gz.md5"
fi
bench fork "$S/fork.out" "$T/benchos" fork "$FORK_N" && cat "$S/fork.out"
bench syscall "$S/syscall.out" "$T/benchos" syscall "$SYS_N" && cat "$S/syscall.out"
bench fault "$S/fault.out" "$T/benchos" fault "$FAULT_N" "$FAULT_MIB" && cat "$S/fault.out"
"$BB" rm -f "$S/data" "$S/data.gz"
echo "BENCH-END"
