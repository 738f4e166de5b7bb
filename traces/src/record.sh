#!/bin/sh
# Re-record every trace in traces/ from the programs in traces/src/ (run as root from the
# repository root: perf tracepoints and tracefs need it). Each step is one of the commands
# listed in traces/README.md; outputs are gzipped with `gzip -9 -n` (no name or time stamp).
set -eu
cd "$(dirname "$0")/.."            # traces/
B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT

gcc -O1 -g -pthread -o "$B/mtwork" src/mtwork.c
gcc -O1 -g -o "$B/lackey_demo" src/lackey_demo.c

# 1. perf tracepoints: faults with error codes, mm syscalls, clone, mmap_lock, task/sched events.
EVENTS="-e exceptions:page_fault_user \
  -e syscalls:sys_enter_mmap -e syscalls:sys_exit_mmap -e syscalls:sys_enter_munmap \
  -e syscalls:sys_enter_mprotect -e syscalls:sys_enter_madvise -e syscalls:sys_enter_move_pages \
  -e syscalls:sys_enter_clone -e syscalls:sys_exit_clone -e syscalls:sys_enter_clone3 -e syscalls:sys_exit_clone3 \
  -e mmap_lock:mmap_lock_start_locking -e mmap_lock:mmap_lock_acquire_returned -e mmap_lock:mmap_lock_released \
  -e lock:contention_begin -e lock:contention_end -e migrate:mm_migrate_pages \
  -e task:task_newtask -e sched:sched_process_fork -e sched:sched_process_exit"
(cd "$B" && perf record $EVENTS -o tp.data -- ./mtwork)
perf script -i "$B/tp.data" | gzip -9 -n > mtwork.perf.txt.gz
perf script -i "$B/tp.data" -F comm,pid,tid,cpu,time,event,trace | gzip -9 -n > mtwork.pid.perf.txt.gz

# 2. perf software page faults with the faulting address.
(cd "$B" && perf record -e page-faults -c 1 -d -o pf.data -- ./mtwork)
perf script -i "$B/pf.data" -F comm,pid,tid,time,event,addr,ip,sym | gzip -9 -n > mtwork.pagefaults.perf.txt.gz

# 3. raw ftrace from a private tracefs instance, only the program's events (set_event_pid +
#    event-fork), and 4. trace-cmd report of a second run recorded the same way.
T=/sys/kernel/tracing/instances/mmreplay
ftrace_run() {
  mkdir -p $T
  echo 0 > $T/tracing_on
  echo > $T/trace
  echo 1 > $T/options/event-fork
  for e in exceptions/page_fault_user syscalls/sys_enter_mmap syscalls/sys_exit_mmap \
           syscalls/sys_enter_munmap syscalls/sys_enter_mprotect syscalls/sys_enter_madvise \
           syscalls/sys_enter_move_pages syscalls/sys_enter_clone syscalls/sys_exit_clone \
           syscalls/sys_enter_clone3 syscalls/sys_exit_clone3 \
           mmap_lock/mmap_lock_start_locking mmap_lock/mmap_lock_acquire_returned mmap_lock/mmap_lock_released \
           task/task_newtask sched/sched_process_fork sched/sched_process_exit; do
    echo 1 > $T/events/$e/enable
  done
  # the shell writes its own pid to set_event_pid, starts tracing and execs the program
  (cd "$B" && sh -c "echo \$\$ > $T/set_event_pid; echo 1 > $T/tracing_on; exec ./mtwork")
  echo 0 > $T/tracing_on
}
ftrace_run
gzip -9 -n < $T/trace > mtwork.ftrace.txt.gz
rmdir $T
if command -v trace-cmd > /dev/null; then
  ftrace_run
  # `trace-cmd record` needs to write /proc/sys/kernel/ftrace_enabled; where that is not
  # permitted, `trace-cmd extract` reads the instance's buffer instead
  trace-cmd extract -B mmreplay -o "$B/tc.dat"
  trace-cmd report -i "$B/tc.dat" | gzip -9 -n > mtwork.trace-cmd.txt.gz
  [ -d $T ] && rmdir $T
fi

# 5. valgrind lackey memory trace of a tiny matrix multiply.
(cd "$B" && valgrind --tool=lackey --trace-mem=yes --log-file=lackey.txt ./lackey_demo)
gzip -9 -n < "$B/lackey.txt" > lackey_demo.lackey.txt.gz
ls -l ./*.gz
