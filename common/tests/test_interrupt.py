"""Ctrl-C during `make test` ends with make's one line: no traceback, no emulator left running."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bootcamp.machine import TIMEOUT_SCALE
from bootcamp.pty_session import outside_make

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "ch01-bootsector"        # the quickest chapter whose tests boot QEMU and Bochs
START_SECONDS = 120                # to build and reach the first boot
STOP_SECONDS = 60                  # from the Ctrl-C to the last process gone
POLL_SECONDS = 0.05
MAKE_INTERRUPTED = re.compile(r"^make: \*\*\* \[[^]]+\] Interrupt$")


def session_processes(session: int) -> dict[int, str]:
    """The processes of a session, by pid: their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue                    # it ended while being read
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == session:   # field 6 of /proc/PID/stat: the session id
            found[int(entry.name)] = command
    return found


def is_booting_emulator(command: str) -> bool:
    # A boot, not the doctor's `qemu-system-x86_64 --version`.
    return bool(re.search(r"qemu-system-\S+ .*-drive |bochs -q -f ", command))


def default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition, what: str, seconds: float):
    deadline = time.monotonic() + seconds * TIMEOUT_SCALE
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds * TIMEOUT_SCALE:.0f} s for {what}")
        time.sleep(POLL_SECONDS)
    return result


@pytest.mark.parametrize("target", [["-C", CHAPTER, "test"], ["test", "CH=1"]],
                         ids=["chapter make test", "top-level make test"])
def test_ctrl_c_during_make_test(target, first_chapter_to_ourselves):
    # A terminal's Ctrl-C sends SIGINT to the whole foreground job: here, the
    # process group of a make started in a session of its own.
    # A terminal's make takes Ctrl-C; a make these tests run from a background
    # job would inherit an ignored SIGINT (the shell ignores it for `cmd &`).
    # The make a learner types is the outermost one: not a sub-make of the
    # make that may be running these tests.
    env = outside_make()
    make = subprocess.Popen(["make", "--no-print-directory", *target], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=default_ctrl_c)
    try:
        wait_for(lambda: any(is_booting_emulator(c) for c in session_processes(make.pid).values()),
                 "a test to boot an emulator", START_SECONDS)
        os.killpg(make.pid, signal.SIGINT)
        output = make.communicate(timeout=STOP_SECONDS * TIMEOUT_SCALE)[0].decode(errors="replace")
        try:
            wait_for(lambda: not session_processes(make.pid), "the processes to end",
                     STOP_SECONDS)
        except AssertionError:
            raise AssertionError(f"still running after the Ctrl-C: {session_processes(make.pid)}")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        for pid in session_processes(make.pid):
            os.kill(pid, signal.SIGKILL)
    assert make.returncode == -signal.SIGINT, f"make ended with {make.returncode}:\n{output}"
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    lines = output.rstrip("\n").splitlines()
    assert MAKE_INTERRUPTED.match(lines[-1]), f"the last line is not make's:\n{output}"
    said = [line for line in lines if re.search(r"interrupt|!!!", line, re.I)]
    assert said == [lines[-1]], f"more than one line about the interrupt:\n{output}"
    locks = sorted((ROOT / CHAPTER / "build").rglob("*.lock"))
    assert not locks, f"Bochs left its disk image locked: {locks}"
