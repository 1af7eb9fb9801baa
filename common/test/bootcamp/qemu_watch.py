"""QEMU for a person (`make run`, `make debug`): why it stopped, and screenshots.

A learner whose boot sector triple-faults sees QEMU vanish: -no-reboot turns
the reset into an exit, with status 0, as if nothing happened. So the launcher
starts QEMU with two monitors and a reset log:

  - a QMP socket the launcher listens on, for the SHUTDOWN event and its
    reason (the guest reset the machine, powered it off, the learner quit);
  - `-d cpu_reset`, whose log says "Triple fault" when that caused the reset;
  - a second QMP socket for `make screenshot` (screendump to a PNG file), whose
    path is written to build/run/monitor.txt for the screenshot command to find
    (tests also ask it whether the guest runs: `status`).

and, once QEMU has ended, prints one line that says why (`why_stopped`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .emulators import DEBUG_EXIT_PORT

# How long the listener tries to reach QMP while QEMU starts.
CONNECT_TIMEOUT_S = 10.0
CONNECT_RETRY_S = 0.05
MONITOR_FILE = "monitor.txt"          # in build/run/: where the screenshot socket is
SCREENSHOT_FILE = "screen.png"        # in build/
MONITOR_TIMEOUT_S = 10.0


class QemuWatch:
    def __init__(self, cmd: list[str], build: Path):
        self.build = build
        self.sockdir = Path(tempfile.mkdtemp(prefix="bootcamp-run-"))
        self.events_sock = self.sockdir / "events.sock"
        self.monitor_sock = self.sockdir / "monitor.sock"
        self.log = build / "qemu.log"
        self.command = cmd + [
            "-qmp", f"unix:{self.events_sock},server=on,wait=off",
            "-qmp", f"unix:{self.monitor_sock},server=on,wait=off",
            "-d", "cpu_reset", "-D", str(self.log)]
        # Any -qmp turns off QEMU's default human monitor; a screen that had it
        # (Esc 2 in curses, a tab in a window) gets it back.
        display = cmd[cmd.index("-display") + 1] if "-display" in cmd else "none"
        if display != "none" and not any(a.startswith("mon:") for a in cmd):
            self.command += ["-monitor", "vc"]
        self.reasons: list[str] = []
        self.proc: subprocess.Popen | None = None

    def start(self, **popen) -> subprocess.Popen:
        self.log.write_bytes(b"")
        self.proc = subprocess.Popen(self.command, **popen)
        (self.build / "run").mkdir(parents=True, exist_ok=True)
        (self.build / "run" / MONITOR_FILE).write_text(f"{self.monitor_sock}\n")
        threading.Thread(target=self._listen, daemon=True).start()
        return self.proc

    def _listen(self) -> None:
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                sock.connect(str(self.events_sock))
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    return
                time.sleep(CONNECT_RETRY_S)
        with sock, sock.makefile("rwb") as stream:
            stream.write(b'{"execute": "qmp_capabilities"}\n')
            stream.flush()
            for line in stream:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if message.get("event") == "SHUTDOWN":
                    self.reasons.append(message.get("data", {}).get("reason", ""))

    def why_stopped(self) -> str:
        """One line: why QEMU ended (call after it has)."""
        code = self.proc.returncode
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        if "Triple fault" in log:
            return ("QEMU stopped: the CPU triple-faulted (an exception while it was delivering a "
                    "double fault) and reset; -no-reboot makes a reset end QEMU. CPU state at the "
                    f"reset: {self.log}")
        if "guest-reset" in self.reasons:
            return ("QEMU stopped: the guest reset the machine (-no-reboot makes a reset end "
                    "QEMU).")
        if "guest-shutdown" in self.reasons:
            return "QEMU stopped: the guest powered the machine off."
        if code and code % 2 == 1 and not self.reasons:
            return (f"QEMU stopped: the guest wrote {(code - 1) // 2} to the debug-exit port "
                    f"{DEBUG_EXIT_PORT:#x} (exit status {code}).")
        if code and code < 0:
            return f"QEMU stopped: it was killed by signal {-code}."
        if code:
            return f"QEMU stopped with exit status {code}: its own message is above."
        return "QEMU stopped: you quit it."

    def forget(self) -> None:
        """Remove the sockets and the note that points to them."""
        (self.build / "run" / MONITOR_FILE).unlink(missing_ok=True)
        for path in (self.events_sock, self.monitor_sock):
            path.unlink(missing_ok=True)
        try:
            self.sockdir.rmdir()
        except OSError:
            pass


@contextlib.contextmanager
def monitor(build: Path, purpose: str):
    """The QMP monitor of the QEMU that `make run` or `make debug` started for
    this chapter, as a function that sends one command and returns its reply."""
    note = build / "run" / MONITOR_FILE
    if not note.exists():
        raise RuntimeError(f"no QEMU is running for this chapter: start `make run` (or "
                           f"`make debug`) in another terminal first, then {purpose}")
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(MONITOR_TIMEOUT_S)
    try:
        sock.connect(note.read_text().strip())
    except OSError as error:
        raise RuntimeError(f"QEMU's monitor does not answer ({error}): has `make run` "
                           "ended?") from None
    with sock, sock.makefile("rwb") as stream:
        def ask(command: str, **arguments) -> dict:
            stream.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
            stream.flush()
            for line in stream:
                reply = json.loads(line)
                if "return" in reply or "error" in reply:
                    return reply
            raise RuntimeError("QEMU closed its monitor")

        stream.readline()                                   # the greeting
        ask("qmp_capabilities")
        yield ask


def screenshot(build: Path) -> Path:
    """Ask the QEMU that `make run` or `make debug` started to save its screen as a PNG."""
    target = build / SCREENSHOT_FILE
    target.unlink(missing_ok=True)
    with monitor(build, "take the screenshot") as ask:
        reply = ask("screendump", filename=str(target), format="png")
    if "error" in reply:
        raise RuntimeError(f"QEMU could not save the screen: {reply['error'].get('desc')}")
    return target


def status(build: Path) -> str:
    """What QEMU's run state is: "running", "paused", "debug" (stopped by gdb)..."""
    with monitor(build, "ask again") as ask:
        reply = ask("query-status")
    if "error" in reply:
        raise RuntimeError(f"QEMU did not say its state: {reply['error'].get('desc')}")
    return reply["return"]["status"]
