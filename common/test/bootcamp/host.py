"""Running host programs that tests build: 64-bit, and 32-bit like the i386 kernels.

A 32-bit x86 program runs directly on a Linux kernel built with IA32 emulation.
Some kernels (container hosts, often) are built without it and refuse the file
("Exec format error"); such a program then runs under qemu-i386, QEMU's user
mode (package qemu-user), which executes it instruction by instruction and
turns its system calls into the host's. common/mk/run_i386.sh makes the same
choice for make.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

# common/: its include/ and lib/ are what host programs are built from.
COMMON = Path(__file__).resolve().parents[2]
QEMU_USER_I386 = "qemu-i386"
# LeakSanitizer stops the program's threads with ptrace, which qemu-user does
# not emulate: it would hang. The programs run here allocate nothing to leak.
QEMU_USER_ENV = {"ASAN_OPTIONS": "detect_leaks=0"}

_native_i386: bool | None = None       # None: not known until a 32-bit program is tried


def _qemu_user(program: Path, arguments: list[str]) -> tuple[list[str], dict[str, str]]:
    if shutil.which(QEMU_USER_I386) is None:
        raise AssertionError(f"{program} is a 32-bit program, this kernel cannot run those, "
                             f"and {QEMU_USER_I386} is missing: run `make doctor` "
                             "(package qemu-user)")
    return [QEMU_USER_I386, str(program), *arguments], dict(os.environ, **QEMU_USER_ENV)


def run(program: Path, arguments: list[str], bits: int, timeout: float = 120,
        ) -> subprocess.CompletedProcess:
    """Run a host program built for `bits` (64 or 32); stdout and stderr together, as text."""
    global _native_i386
    options = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                   timeout=timeout)
    if bits == 32 and _native_i386 is False:
        argv, env = _qemu_user(program, arguments)
        return subprocess.run(argv, env=env, **options)
    try:
        result = subprocess.run([str(program), *arguments], **options)
    except OSError as error:
        # ENOEXEC: the kernel refused the file before it ran a single instruction.
        if bits != 32 or error.errno != errno.ENOEXEC:
            raise
        _native_i386 = False
        argv, env = _qemu_user(program, arguments)
        return subprocess.run(argv, env=env, **options)
    if bits == 32:
        _native_i386 = True
    return result
