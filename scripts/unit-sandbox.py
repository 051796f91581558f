#!/usr/bin/env python3
"""Runs a command under the seccomp sandbox packaging/dexter.service asks systemd for, where systemd cannot be asked
(a container, a CI runner): NoNewPrivileges, SystemCallFilter=@system-service minus @privileged @resources (EPERM
otherwise), and MemoryDenyWriteExecute as systemd 252 enforces it (no W+X mapping, no mprotect to PROT_EXEC).

    scripts/unit-sandbox.py .build/debug/dexter run --seconds 2

The syscall groups come from the installed systemd-analyze; seccomp from libseccomp2 (Debian's libseccomp2)."""
import ctypes
import os
import subprocess
import sys


def syscalls(group, seen):
    text = subprocess.run(["systemd-analyze", "syscall-filter", group], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in text.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        if item.startswith("@"):
            if item not in seen:
                seen.add(item)
                names |= syscalls(item, seen)
        else:
            names.add(item)
    return names


class Comparison(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


ALLOW, EPERM = 0x7FFF0000, 0x00050000 | 1
MASKED_EQ = 7
PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000
PR_SET_NO_NEW_PRIVS = 38

seccomp = ctypes.CDLL("libseccomp.so.2")
seccomp.seccomp_init.restype = ctypes.c_void_p
seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
seccomp.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(Comparison)]
seccomp.seccomp_load.argtypes = [ctypes.c_void_p]


def number(name):
    return seccomp.seccomp_syscall_resolve_name(name.encode())


def memory_deny_write_execute():
    filter = seccomp.seccomp_init(ALLOW)
    for name, mask, value in [("mmap", PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC), ("mprotect", PROT_EXEC, PROT_EXEC),
                              ("pkey_mprotect", PROT_EXEC, PROT_EXEC)]:
        rule = (Comparison * 1)(Comparison(2, MASKED_EQ, mask, value))
        assert seccomp.seccomp_rule_add_array(filter, EPERM, number(name), 1, rule) == 0, name
    rule = (Comparison * 1)(Comparison(2, MASKED_EQ, SHM_EXEC, SHM_EXEC))
    assert seccomp.seccomp_rule_add_array(filter, EPERM, number("shmat"), 1, rule) == 0, "shmat"
    assert seccomp.seccomp_load(filter) == 0, "loading the MemoryDenyWriteExecute filter"


def system_call_filter():
    allowed = syscalls("@system-service", set()) - syscalls("@privileged", set()) - syscalls("@resources", set())
    filter = seccomp.seccomp_init(EPERM)
    for name in sorted(allowed):
        if number(name) >= 0:  # a name this architecture does not have
            assert seccomp.seccomp_rule_add_array(filter, ALLOW, number(name), 0, None) == 0, name
    assert seccomp.seccomp_load(filter) == 0, "loading the SystemCallFilter"


if len(sys.argv) < 2:
    sys.exit(__doc__)
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
# The filter last: it denies seccomp(2) itself.
memory_deny_write_execute()
system_call_filter()
os.execv(sys.argv[1], sys.argv[1:])
