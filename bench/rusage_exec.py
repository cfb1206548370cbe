"""Run a command and record ITS peak RSS: `python rusage_exec.py OUT.json CMD ARG...`.

Linux carries a process's peak RSS across fork and exec, so a command forked
straight from a large process (pytest, a long benchmark run) reports that
process's size.  Started from this small, freshly exec'd interpreter, the
command's `ru_maxrss` (from wait4) is its own, or its largest waited-for child's.
"""
import json
import os
import sys


def main() -> None:
    out, cmd = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            sys.stderr.write(f"cannot start {cmd[0]}: {e.strerror or e}\n")
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(out, "w") as f:
        json.dump({"maxrss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, f)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
