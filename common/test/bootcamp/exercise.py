"""Helpers for exercise checks (`make check EX=N`, tests/exercises/check_exN.py).

A check tests the behaviour an exercise asks for, on the learner's own build.
On the unchanged course it fails, and its message says so: every failure
starts "exercise N is not done yet" and then says what was expected and what
was seen. `make test` never collects these files (they are not named test_*).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .esp import build_esp
from .terminal import lines

PROMPT = "bootcamp> "              # SHELL_PROMPT, the UEFI chapters' shell
# A UEFI check's QEMU may live this long past its wait for the script's output,
# for what the check does next (a picture, a connection from the host): without
# it the harness's own limit (60 s) would end QEMU before a slow boot got there.
AFTER_SCRIPT_S = 90


def not_done(number: int, expected: str, seen: str = "") -> None:
    pytest.fail(f"exercise {number} is not done yet: expected {expected}"
                + (f"\n--- seen ---\n{seen}" if seen else ""), pytrace=False)


def expect(condition: object, number: int, expected: str, seen: str = "") -> None:
    if not condition:
        not_done(number, expected, seen)


def shown(machine) -> str:
    """A UEFI chapter's serial console as a terminal shows it."""
    return "\n".join(lines(machine.serial_output()))


def uefi_script(chapter, boot, logdir: Path, app: str, script: list[str],
                files: dict | None = None, until: str = r"^> shutdown", timeout: float = 120,
                **spec_options):
    """Boot the chapter's application with an autorun.txt of `script` (then shutdown);
    return (machine, console text) once `until` (a regex) shows or the machine ends."""
    from . import Spec
    autorun = "\n".join(script + ["shutdown"]) + "\n"
    image = build_esp(logdir / "esp.img", chapter.image(f"{app}.efi"),
                      {"autorun.txt": autorun, **(files or {})})
    machine = boot(Spec(image, media="efi", **spec_options), limit=timeout + AFTER_SCRIPT_S)
    pattern = re.compile(until, re.M)
    machine.wait_until(lambda: pattern.search(shown(machine)) or not machine.running,
                       f"{until!r} on the console", timeout, seen=lambda: shown(machine))
    return machine, shown(machine)


def uefi_prompt(chapter, boot, logdir: Path, app: str, script: list[str],
                files: dict | None = None, timeout: float = 120, **spec_options):
    """Boot the chapter's application with an autorun.txt of `script` and no shutdown;
    return (machine, console text) once the prompt shows after the script, for the
    check to type more (machine.serial_write("command\\r")) once it has read the output."""
    from . import Spec
    image = build_esp(logdir / "esp.img", chapter.image(f"{app}.efi"),
                      {"autorun.txt": "\n".join(script) + "\n", **(files or {})})
    machine = boot(Spec(image, media="efi", **spec_options), limit=timeout + AFTER_SCRIPT_S)
    # (A terminal line shows no trailing spaces: the prompt's own is gone.)
    last = re.compile(rf"^> {re.escape(script[-1])}$(?:.*\n)*{re.escape(PROMPT.rstrip())}", re.M)
    machine.wait_until(lambda: last.search(shown(machine)), "the prompt after the script",
                       timeout, seen=lambda: shown(machine))
    return machine, shown(machine)


def halted(boot, image: Path, emulator: str = "qemu", media: str = "floppy",
           timeout: float = 60):
    """Boot a BIOS image, wait for the CPU to halt; return (machine, debug port text)."""
    from . import Spec
    machine = boot(Spec(image, media=media), emulator)
    machine.wait_halted(timeout=timeout)
    return machine, machine.debug_output()


def bytes_used(make_output: str, name: str) -> int | None:
    """N from the build's 'NAME: N of B bytes used' line, or None."""
    found = re.search(rf"^{re.escape(name)}: (\d+) of \d+ bytes used", make_output, re.M)
    return int(found.group(1)) if found else None


def boot_until(boot, image: Path, number: int, until: "re.Pattern", emulator: str = "qemu",
               media: str = "floppy", timeout: float = 60):
    """Boot a BIOS image until `until` shows on the debug port; return the port's text.
    A boot that never gets there (a hang, a reset loop) fails as exercise `number`
    not done yet, with what the machine printed."""
    from . import Spec
    from .machine import BootError
    machine = boot(Spec(image, media=media), emulator)
    try:
        machine.wait_for(until, timeout=timeout)
    except BootError:
        not_done(number, f"{until.pattern!r} on the debug port within {timeout:.0f} s "
                 f"({emulator}, {image.name})", machine.debug_output())
    return machine.debug_output()
