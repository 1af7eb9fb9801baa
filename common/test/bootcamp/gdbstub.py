"""Drive QEMU's gdb stub from a test: gdb in batch mode, and addresses from an ELF twin.

A test boots QEMU paused with its gdb stub (`boot(spec, "qemu", gdb_port=port,
paused=True)`), then runs gdb once: breakpoints, register changes that make a
BIOS call or a check fail, `continue`. When the batch ends gdb detaches and the
machine runs on, so the test can wait for what the learner would see.
"""

import re
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


def count_hits(port: int, script: Path, at: int, stops: list[int],
               also: tuple[str, ...] = ()) -> tuple[int, int, str]:
    """Let the machine run to the first of `stops`, counting how often it passed
    `at` (where gdb also runs the commands `also`, e.g. to make a check fail).
    The gdb script is written to `script`, next to the boot's logs.
    Returns (hits, the address it stopped at, everything gdb printed)."""
    lines = ["set $hits = 0", f"break *{at:#x}", "commands", "silent",
             "set $hits = $hits + 1", *also, "continue", "end"]
    lines += [f"break *{stop:#x}" for stop in stops]
    lines += ["continue", 'printf "hits=%d at %#x\\n", $hits, $pc']
    script.write_text("\n".join(lines) + "\n")
    out = gdb_batch(port, script=script)
    found = re.search(r"^hits=(\d+) at (0x[0-9a-f]+)$", out, re.M)
    if not found:
        raise AssertionError(f"gdb did not stop at any of {[hex(s) for s in stops]}:\n{out}")
    return int(found.group(1)), int(found.group(2), 16), out
