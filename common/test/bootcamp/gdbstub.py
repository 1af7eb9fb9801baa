"""Drive QEMU's gdb stub from a test: gdb in batch mode, and addresses from an ELF twin.

A test boots QEMU paused with its gdb stub (`boot(spec, "qemu", gdb_port=port,
paused=True)`), then runs gdb once: breakpoints, register changes that make a
BIOS call or a check fail, `continue`. When the batch ends gdb detaches and the
machine runs on, so the test can wait for what the learner would see.
"""

import subprocess
from pathlib import Path

from .machine import TIMEOUT_SCALE

GDB_TIMEOUT_S = 120


def gdb_batch(port: int, *commands: str, script: Path | None = None) -> str:
    """Run gdb in batch mode against QEMU's gdb stub: the script, then each command.
    Returns everything gdb printed."""
    args = ["gdb", "-q", "-nx", "-batch", "-ex", f"target remote 127.0.0.1:{port}"]
    if script:
        args += ["-x", str(script)]
    for command in commands:
        args += ["-ex", command]
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=GDB_TIMEOUT_S * TIMEOUT_SCALE)
    return out.stdout


def elf_symbols(elf: Path) -> dict[str, int]:
    """Every symbol of an ELF file and its value, as `nm` lists them. NASM's local
    labels appear under their full name: `enable_a20.done`."""
    out = subprocess.run(["nm", str(elf)], stdout=subprocess.PIPE, text=True, check=True).stdout
    return {name: int(value, 16) for value, _, name in
            (line.split() for line in out.splitlines() if len(line.split()) == 3)}
