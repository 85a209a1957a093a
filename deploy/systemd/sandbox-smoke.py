#!/usr/bin/python3
"""Run a command under the seccomp rules that freeze-relay.service asks systemd for.

Emulates, without a running systemd, the two unit settings that could break a Swift
binary at run time rather than at start:

  SystemCallFilter=@system-service   allow-list from `systemd-analyze syscall-filter`
  SystemCallFilter=~@privileged
                                     (groups expanded recursively; the second line takes
                                     its groups out of the allow-list, as systemd does);
                                     anything else kills the process with SIGSYS, which is
                                     stricter than the unit's SystemCallErrorNumber=EPERM
                                     and so shows every violation
  MemoryDenyWriteExecute=yes         systemd's seccomp form (the strict one systemd 252
                                     uses): mmap with PROT_WRITE|PROT_EXEC, any mprotect/
                                     pkey_mprotect adding PROT_EXEC, shmat with SHM_EXEC
                                     fail with EPERM

plus SystemCallArchitectures=native (other ABIs are killed) and NoNewPrivileges.
The other sandbox settings (ProtectSystem, PrivateTmp, ...) are mount namespaces and
capability sets that this script does not reproduce.

Usage (as root or not; needs python3-seccomp and systemd's systemd-analyze):
    deploy/systemd/sandbox-smoke.py .build/release/freeze-relay demo --duration 20s
Exit status: the command's; 128+31 (SIGSYS) means a forbidden system call.
"""
import errno
import os
import re
import subprocess
import sys

import seccomp  # Debian: python3-seccomp

PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000


def expand(group, seen=None):
    """Syscall names of a systemd filter group, nested groups included."""
    seen = set() if seen is None else seen
    if group in seen:
        return set()
    seen.add(group)
    text = subprocess.run(["systemd-analyze", "syscall-filter", group],
                          check=True, capture_output=True, text=True).stdout
    names = set()
    for line in text.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        if item.startswith("@"):
            names |= expand(item, seen)
        elif re.fullmatch(r"[a-z0-9_]+", item):
            names.add(item)
    return names


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    allowed = expand("@system-service") - expand("@privileged")
    flt = seccomp.SyscallFilter(defaction=seccomp.KILL_PROCESS)
    added = 0
    for name in sorted(allowed):
        if name in ("mmap", "mmap2", "mprotect", "pkey_mprotect", "shmat"):
            continue  # conditional rules below
        try:
            flt.add_rule(seccomp.ALLOW, name)
            added += 1
        except (RuntimeError, ValueError, OSError):
            pass  # not a syscall on this architecture (e.g. arm_fadvise64_64 on x86_64)

    # MemoryDenyWriteExecute=yes, as systemd's seccomp_memory_deny_write_execute().
    for name in ("mmap", "mmap2"):
        try:
            flt.add_rule(seccomp.ERRNO(errno.EPERM), name,
                         seccomp.Arg(2, seccomp.MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC))
            flt.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, PROT_WRITE | PROT_EXEC, 0))
            flt.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_WRITE))
            flt.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, PROT_WRITE | PROT_EXEC, PROT_EXEC))
        except (RuntimeError, ValueError, OSError):
            pass
    for name in ("mprotect", "pkey_mprotect"):
        try:
            flt.add_rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
            flt.add_rule(seccomp.ALLOW, name, seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, 0))
        except (RuntimeError, ValueError, OSError):
            pass
    flt.add_rule(seccomp.ERRNO(errno.EPERM), "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, SHM_EXEC))
    flt.add_rule(seccomp.ALLOW, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, 0))
    # execve must stay allowed for the exec below; it is in @system-service (via @process).

    print(f"sandbox-smoke: {added} syscalls allowed (@system-service minus @privileged), "
          "MemoryDenyWriteExecute rules on mmap/mprotect/pkey_mprotect/shmat, default kill",
          file=sys.stderr, flush=True)
    flt.load()  # sets no_new_privs, as NoNewPrivileges=yes does
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
