"""Boot an image headless in QEMU or Bochs and look at it while it runs.

    with Qemu(Spec(image, media="floppy"), logdir) as m:
        m.wait_for("Hello", source="screen")
        assert m.screen().colour_of("Hello") == ("light grey", "black")

Every wait has a timeout and polls for a condition; nothing sleeps and hopes.
Every boot has a hard time limit after which the emulator is killed. On a
failure the exception says what was expected, what was seen, and where the
full output of that boot was saved (`logdir`).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .rfb import RfbError, RfbKeyboard, listening_ports
from .emulators import (Spec, bochs_binary, bochs_config, bochs_slirp_config, disk_format,
                        fresh_ovmf_vars, qemu_command)
from .screen import VGA_TEXT_BASE, VGA_TEXT_BYTES, Picture, Screen
from .serial_pipe import SerialPipe

# Slow machines can stretch every timeout: BOOTCAMP_TIMEOUT_SCALE=2 make test
TIMEOUT_SCALE = float(os.environ.get("BOOTCAMP_TIMEOUT_SCALE", "1"))
POLL_SECONDS = 0.02
EFLAGS_IF = 1 << 9             # interrupt enable flag
BIOS_ROM = range(0xC0000, 0x100000)   # option ROMs and the BIOS, below 1 MiB
SOURCES = ("debug", "serial", "screen")
# A SIGINT that reaches Bochs between reading `c` and entering its simulation
# loop is lost; one that reaches it at its prompt is ignored. So the harness
# sends it again until the prompt shows.
BOCHS_BREAK_RETRY_SECONDS = 0.05
# A lab stub (bootcamp.lab) says `LAB TODO: <part>` where the chapter's output
# goes. Every wait watches for it on the debug port and the serial port, and
# stops the test at once, naming the part: a fresh handout fails in seconds,
# never by timeout. The plugin sets LAB_PART to the part the running test
# grades; a stub of another part (one this test runs through) is only fatal
# when no part is known, or when the wait itself fails.
LAB_TODO = re.compile(r"LAB TODO: ([a-z][a-z0-9_]*)")
LAB_PART: str | None = None


# Every machine started and not yet stopped. A Ctrl-C can end the harness
# anywhere (in a test, between a test and its teardown); at exit whatever is
# left is stopped, so no emulator outlives the harness and no Bochs leaves its
# disk image locked.
_running: set["Machine"] = set()


@atexit.register
def _stop_every_machine() -> None:
    for machine in list(_running):
        try:
            machine.stop(save=False)
        except Exception:       # at exit, one machine's trouble must not keep the others running
            pass


class BootError(AssertionError):
    """A boot did not do what the test expected. The message says what and where to look."""


class HarnessError(RuntimeError):
    """The harness could not understand what an emulator said: a bug to fix, never a pass."""


# What a test may need that not every emulator offers (Machine.require).
CAPABILITIES = {
    "keys": "press keys on the emulated PS/2 keyboard (sendkey)",
    "screenshot": "take a screenshot of the display (screendump)",
    "serial-input": "type into the serial port (serial_write)",
}
# Characters type_text sends under another key name than themselves (QEMU's names).
KEY_NAMES = {" ": "spc", ".": "dot", "-": "minus", ",": "comma", "/": "slash", "=": "equal",
             ";": "semicolon", "'": "apostrophe", "\\": "backslash", "[": "bracket_left",
             "]": "bracket_right", "`": "grave_accent", "\n": "ret", "\t": "tab"}
SHIFTED = {"_": "minus", ":": "semicolon", '"': "apostrophe", "?": "slash", "+": "equal",
           "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
           "(": "9", ")": "0", "<": "comma", ">": "dot", "{": "bracket_left",
           "}": "bracket_right", "|": "backslash", "~": "grave_accent"}


def key_name(ch: str) -> str:
    """The key (in QEMU's names) that types character ch on a US keyboard."""
    if ch in KEY_NAMES:
        return KEY_NAMES[ch]
    if ch in SHIFTED:
        return "shift-" + SHIFTED[ch]
    if ch.isascii() and ch.isupper():
        return "shift-" + ch.lower()
    if ch.isascii() and ch.isalnum():
        return ch
    raise ValueError(f"no key types {ch!r}")


def parse_hex(pattern: str, text: str, what: str, raw_file: Path | None = None) -> int:
    """The hex number `pattern`'s first group finds in `text`; an error if it is not there.

    A register the harness cannot read must never read as 0: "interrupts are
    off" would then pass whatever the CPU did."""
    match = re.search(pattern, text, re.M)
    if not match:
        where = f" (saved in {raw_file})" if raw_file else ""
        raise HarnessError(f"could not find {what} in the emulator's answer{where}:\n"
                           f"{text[:2000]}")
    return int(match.group(1).replace("_", ""), 16)


class LabTodo(BootError):
    """A lab stub ran: the part it names is not written yet."""

    def __init__(self, message: str, part: str):
        super().__init__(message)
        self.part = part


def lab_todo_in_output(text: str, where: str) -> None:
    """Raise LabTodo if a program the test ran on the host (a host build of the
    chapter's freestanding code) printed a lab stub's `LAB TODO: <part>`: the
    part this test grades first, else the first one printed. Host programs
    run to their end, so a stub's report is final (their output is not what
    the test expects)."""
    seen = LAB_TODO.findall(text)
    if not seen:
        return
    own = LAB_PART if LAB_PART in seen else seen[0]
    graded = f"; this test grades {LAB_PART}" if LAB_PART and LAB_PART != own else ""
    raise LabTodo(f"LAB TODO: {own}: the lab stub of part {own} ran{graded}: write that "
                  f"part to pass.\nIt said so in the output of {where}", own)


def lab_todo_in_file(path: Path) -> None:
    """Raise LabTodo if a built file holds the `LAB TODO: <part>` message of the
    part this test grades, as text or as UTF-16 (a UEFI program's L"..."). Some
    stubs cannot run to say it: GRUB refuses a kernel whose header checksum is
    a stub, and a stub that runs after another part's halts is never reached.
    A file holding the message holds the stub, so the test fails before it
    boots, naming the part. Other parts' stubs are left to the boot: this test
    may not run through them."""
    if LAB_PART is None:
        return
    message = f"LAB TODO: {LAB_PART}"
    try:
        data = path.read_bytes()
    except OSError:
        return
    # Not followed by more of a name: part `select` is not part `select_all`.
    ascii_form = re.escape(message.encode()) + rb"(?![a-z0-9_])"
    wide_form = re.escape(message.encode("utf-16-le")) + rb"(?![a-z0-9_]\0)"
    if re.search(ascii_form, data) or re.search(wide_form, data):
        raise LabTodo(f"{message}: {path.name} holds the lab stub of part {LAB_PART}: "
                      f"write that part to pass.\nBuilt file: {path}", LAB_PART)


GENERAL_REGISTERS = ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp")


@dataclasses.dataclass
class Registers:
    """CPU state in a form both emulators can give."""

    rip: int
    eflags: int
    cs_selector: int
    cs_base: int
    cr0: int
    cr4: int
    efer: int
    halted: bool
    raw: str
    # The general-purpose registers, by their 16-bit names ("ax" ... "sp"),
    # at their full width: what a routine that "clobbers nothing" must keep.
    general: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def interrupts_enabled(self) -> bool:
        return bool(self.eflags & EFLAGS_IF)

    @property
    def linear_ip(self) -> int:
        """Where the CPU is, as a linear address (CS base + IP)."""
        return self.cs_base + self.rip


@dataclasses.dataclass
class Exit:
    """How a boot ended.

    kind: "debug-exit" (isa-debug-exit port, `code` is the value written),
          "shutdown" (the guest powered off), "reset" (the guest reset itself),
          "triple-fault" (a reset caused by an exception during exception handling),
          "killed" (the harness stopped it).
    """

    kind: str
    code: int | None = None
    last_exception: str | None = None
    detail: str = ""


# Media an emulator opens for writing, and so locks: QEMU takes a write lock on
# the image, Bochs makes IMAGE.lock for a hard disk. A CD is opened read-only.
WRITABLE_MEDIA = ("floppy", "hd", "efi")


def own_copy(spec: Spec, logdir: Path) -> Spec:
    """The spec with a copy of its image in logdir, if the emulator would lock it.

    Two boots of one build image at once (two test workers, or a test beside
    `make debug`, which boots the chapter's own) would refuse each other with
    QEMU's "Failed to get "write" lock". So each machine boots a copy of its
    own (a few MiB at most); an overlay (.qcow2, bootcamp.snapshot) already is
    one, and so is an image made in logdir."""
    image = spec.image
    if spec.media not in WRITABLE_MEDIA or disk_format(image) != "raw" or not image.is_file() \
            or image.resolve().is_relative_to(logdir.resolve()):
        return spec
    copy = logdir / image.name
    shutil.copyfile(image, copy)
    return dataclasses.replace(spec, image=copy)


class Machine:
    """What the two emulators have in common."""

    name = "machine"
    capabilities: frozenset[str] = frozenset()

    def __init__(self, spec: Spec, logdir: Path, *, limit: float = 60.0):
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.spec = own_copy(spec, self.logdir)
        self.limit = limit * TIMEOUT_SCALE
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self._watchdog: threading.Timer | None = None
        self._killed_by_watchdog = False

    # -- life cycle ---------------------------------------------------------
    def __enter__(self) -> "Machine":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        raise NotImplementedError

    def _arm_watchdog(self) -> None:
        _running.add(self)
        def kill() -> None:
            if self.proc and self.proc.poll() is None:
                self._killed_by_watchdog = True
                self.proc.kill()
        self._watchdog = threading.Timer(self.limit, kill)
        self._watchdog.daemon = True
        self._watchdog.start()

    def stop(self, save: bool = True) -> None:
        """Stop the emulator; save=True first saves what can still be read (the screen)."""
        _running.discard(self)
        if self._watchdog:
            self._watchdog.cancel()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- what this emulator can do -------------------------------------------
    def can(self, capability: str) -> bool:
        """Whether this emulator offers `capability` (see CAPABILITIES)."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r}; known: {sorted(CAPABILITIES)}")
        return capability in self.capabilities

    def require(self, capability: str) -> None:
        """Skip the calling test, with the reason, if this emulator lacks `capability`."""
        if not self.can(capability):
            import pytest
            pytest.skip(f"{self.name} cannot {CAPABILITIES[capability]}")

    def sendkey(self, keys: str) -> None:
        """Press a key combination, in QEMU's names: "a", "ret", "up", "esc", "ctrl-c"."""
        raise NotImplementedError

    def type_text(self, text: str) -> None:
        """Type `text` on the emulated keyboard, one key at a time ("\\n" is Enter)."""
        for ch in text:
            self.sendkey(key_name(ch))

    def _save_raw(self, name: str, text: str) -> Path:
        path = self.logdir / name
        path.write_text(text)
        return path

    # -- what the guest printed ---------------------------------------------
    def debug_output(self) -> str:
        """Everything written to the debug port (0xE9) so far."""
        raise NotImplementedError

    def serial_output(self) -> str:
        """Everything written to the first serial port (COM1) so far."""
        raise NotImplementedError

    def screen(self) -> Screen:
        raise NotImplementedError

    def registers(self) -> Registers:
        raise NotImplementedError

    def read_memory(self, address: int, length: int) -> bytes:
        raise NotImplementedError

    def _read(self, source: str) -> str:
        if source == "debug":
            return self.debug_output()
        if source == "serial":
            return self.serial_output()
        if source == "screen":
            return self.screen().text
        raise ValueError(f"source must be one of {SOURCES}")

    # -- waiting --------------------------------------------------------------
    def wait_until(self, condition: Callable[[], object], what: str, timeout: float,
                   seen: Callable[[], str] | None = None) -> object:
        """Poll `condition` until it returns something true, or fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while True:
            exited = not self.running
            result = condition()
            # After the condition: a stub may report and then do what the
            # condition waits for (halt) between two polls.
            self.check_lab_todo()
            if result:
                return result
            if exited:
                self.check_lab_todo(final=True)
                self.fail(f"the emulator ended before {what}", seen)
            if time.monotonic() > deadline:
                self.check_lab_todo(final=True)
                self.fail(f"waited {timeout * TIMEOUT_SCALE:.1f} s for {what}", seen)
            time.sleep(POLL_SECONDS)

    def check_lab_todo(self, final: bool = False) -> None:
        """Raise LabTodo if a lab stub has reported: its own part's at once, another
        part's when no part is known or when the wait is failing anyway (final)."""
        try:
            text = self.debug_output() + self.serial_output()
        except OSError:
            return
        if "LAB TODO: " not in text:
            return
        seen = LAB_TODO.findall(text)
        own = LAB_PART if LAB_PART in seen else None
        if own is None and (LAB_PART is None or final) and seen:
            own = seen[0]
        if own is None:
            return
        self.save_outputs()
        also = sorted(set(seen) - {own})
        note = f" (stubs of {', '.join(also)} ran too)" if also else ""
        graded = f"; this test grades {LAB_PART}" if LAB_PART and LAB_PART != own else ""
        raise LabTodo(f"LAB TODO: {own}: the lab stub of part {own} ran{note}{graded}: "
                      f"write that part to pass.\nFull output of this boot: {self.logdir}", own)

    def wait_for(self, pattern: str | re.Pattern, source: str = "debug",
                 timeout: float = 10.0) -> re.Match:
        """Wait until `pattern` (text or compiled regex) appears in the debug port,
        serial or screen output, and return the match."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        label = {"debug": "the debug port (0xE9)", "serial": "the serial port",
                 "screen": "the screen"}[source]
        return self.wait_until(lambda: regex.search(self._read(source)),
                               f"{regex.pattern!r} on {label}", timeout,
                               seen=lambda: self._read(source))

    def wait_halted(self, timeout: float = 10.0) -> Registers:
        """Wait until the CPU sits in HLT in the guest's code, and return its registers.

        A BIOS halts too, with interrupts on, while it waits for the timer or a
        disk (Bochs's BIOS in its boot menu's pause, SeaBIOS for the floppy
        drive): a HLT in the BIOS's ROM is passed over, not taken for the
        guest's own."""
        def halted() -> Registers | None:
            regs = self.registers()
            if self.spec.media != "efi" and regs.linear_ip in BIOS_ROM:
                return None
            return regs if regs.halted else None
        return self.wait_until(halted, "the CPU to halt outside the BIOS", timeout,
                               seen=lambda: self.registers().raw)

    def wait_exit(self, timeout: float = 30.0) -> Exit:
        """Wait until the emulator ends by itself, and say how it ended."""
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while self.proc.poll() is None:
            self.check_lab_todo()
            if time.monotonic() > deadline:
                self.check_lab_todo(final=True)
                self.fail(f"waited {timeout * TIMEOUT_SCALE:.1f} s for the machine to power off "
                          "or exit", None)
            time.sleep(POLL_SECONDS)
        return self._exit_info()

    def _exit_info(self) -> Exit:
        raise NotImplementedError

    # -- failing well -----------------------------------------------------------
    def save_outputs(self) -> None:
        """Write what can still be read into the log folder (the screen, mostly)."""
        if self.running:
            try:
                (self.logdir / "screen.txt").write_text(self.screen().framed() + "\n")
            except Exception as err:  # the machine may be in any state; the failure matters more
                (self.logdir / "screen.txt").write_text(f"(could not read the screen: {err})\n")

    def save_processors(self) -> Path | None:
        """Write where each processor is, when the emulator can say: for a wait
        that ran out, what the guest was doing then. The file, or None."""
        return None

    def fail(self, message: str, seen: Callable[[], str] | None) -> None:
        shown = ""
        if seen is not None:
            try:
                text = seen()
                shown = text if len(text) < 3000 else "..." + text[-3000:]
            except Exception as err:
                shown = f"(could not read it: {err})"
        processors = self.save_processors()
        self.save_outputs()
        limit_note = ""
        if self._killed_by_watchdog:
            limit_note = f" (the harness killed it at its {self.limit:.0f} s limit)"
        raise BootError(f"{self.name}: {message}{limit_note}.\n"
                        + (f"Seen:\n{shown}\n" if seen is not None else "")
                        + (f"Each processor's registers then: {processors}\n" if processors else "")
                        + f"Full output of this boot: {self.logdir}")


class Qemu(Machine):
    """QEMU, headless, with its QMP monitor on a private socket."""

    name = "QEMU"
    capabilities = frozenset({"keys", "screenshot", "serial-input"})

    def __init__(self, spec: Spec, logdir: Path, *, limit: float = 60.0,
                 trace_interrupts: bool = False, gdb_port: int | None = None,
                 paused: bool = False, log_items: str = ""):
        super().__init__(spec, logdir, limit=limit)
        self.trace_interrupts = trace_interrupts
        self.log_items = log_items          # more -d items, e.g. "in_asm"
        self.gdb_port = gdb_port
        self.paused = paused
        self.sockdir = Path(tempfile.mkdtemp(prefix="bootcamp-"))
        self.debug_file = self.logdir / "debugcon.txt"
        self.serial_file = self.logdir / "serial.txt"
        self.qemu_log = self.logdir / "qemu.log"
        self.events: list[dict] = []
        self._replies: queue.Queue = queue.Queue()
        self._qmp: socket.socket | None = None
        self._qmp_thread: threading.Thread | None = None
        self.serial = SerialPipe(self.sockdir / "serial", self.serial_file)
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        vars_copy = fresh_ovmf_vars(self.logdir) if self.spec.media == "efi" else None
        # guest_errors would log OVMF's probe for a TPM at 0xFED40000 some
        # 3.7 MB a boot; UEFI boots leave it out.
        items = "cpu_reset" + (",guest_errors" if self.spec.media != "efi" else "") \
            + (",int" if self.trace_interrupts else "") \
            + (f",{self.log_items}" if self.log_items else "")
        return qemu_command(self.spec, display="none", vars_copy=vars_copy,
                            debugcon=f"file:{self.debug_file}", serial=self.serial.serial,
                            qmp=f"unix:{self.sockdir / 'qmp.sock'},server=on,wait=off",
                            gdb_port=self.gdb_port, paused=self.paused,
                            log=self.qemu_log, log_items=items) + self.serial.arguments()

    def start(self) -> None:
        for f in (self.debug_file, self.serial_file, self.qemu_log):
            f.write_bytes(b"")
        cmd = self.command()
        (self.logdir / "command.txt").write_text(" ".join(cmd) + "\n")
        self.serial.open()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(self.logdir / "qemu.stdout.txt", "wb"),
                                     stderr=subprocess.STDOUT)
        self._arm_watchdog()
        if not self._connect_monitor():
            self._ended_at_start()
            return
        self._qmp_thread = threading.Thread(target=self._qmp_reader, daemon=True)
        self._qmp_thread.start()
        try:
            self._replies.get(timeout=10)             # the greeting
            self.qmp("qmp_capabilities")
        except (OSError, BootError) as error:
            # A guest that exits at once can end QEMU during the handshake.
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                raise error from None       # QEMU is still there: a real failure
            self._qmp = None
            self._ended_at_start()

    def _ended_at_start(self) -> None:
        """QEMU ended before its monitor answered. A guest may exit that fast,
        but a paused one cannot, and QEMU names its own failures (an image
        another QEMU holds, a bad option) with its program name: those are
        failures to start, said as QEMU said them."""
        said = (self.logdir / "qemu.stdout.txt").read_text(errors="replace")
        own = [line for line in said.splitlines()
               if line.startswith("qemu-system-") and ": warning:" not in line]
        if self.paused or own:
            raise BootError(f"QEMU did not start (status {self.proc.returncode}): "
                            f"{' '.join(said.split()) or 'it said nothing'} "
                            f"(command: {self.logdir / 'command.txt'})")

    def _connect_monitor(self) -> bool:
        """Connect to QMP; False if QEMU ended first (a guest may exit at once)."""
        sock_path = self.sockdir / "qmp.sock"

        def connected() -> bool | str:
            if self.proc.poll() is not None:
                return "ended"
            # QEMU creates the socket file before it listens on it: until then
            # a connection is refused, so keep trying.
            sock = socket.socket(socket.AF_UNIX)
            try:
                sock.connect(str(sock_path))
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                return False                              # not listening yet
            self._qmp = sock
            return True

        outcome = self.wait_until(connected, "QEMU's monitor socket", 10,
                                  seen=lambda: (self.logdir / "qemu.stdout.txt").read_text(
                                      errors="replace"))
        return outcome is True

    def _qmp_reader(self) -> None:
        stream = self._qmp.makefile("r")
        try:
            for line in stream:
                message = json.loads(line)
                if "event" in message:
                    self.events.append(message)
                else:
                    self._replies.put(message)
        except OSError:
            pass            # QEMU went away (killed or exited): that is reported elsewhere
        self._replies.put({"error": {"desc": "QEMU closed its monitor"}})

    def qmp(self, command: str, **arguments) -> object:
        """Run a QMP command and return its result."""
        if self._qmp is None:
            self.fail(f"QEMU had ended before the monitor command {command}", None)
        with self._lock:
            message = {"execute": command}
            if arguments:
                message["arguments"] = arguments
            self._qmp.sendall((json.dumps(message) + "\n").encode())
            reply = self._replies.get(timeout=30)
        if "error" in reply:
            raise BootError(f"QEMU monitor command {command} failed: {reply['error'].get('desc')}. "
                            f"Full output of this boot: {self.logdir}")
        return reply["return"]

    def hmp(self, command_line: str) -> str:
        """Run a human monitor command (the `(qemu)` prompt's language)."""
        return self.qmp("human-monitor-command", **{"command-line": command_line})

    def save_processors(self) -> Path | None:
        if not self.running or self._qmp is None:
            return None
        try:
            # Every processor's registers, and which ones were halted.
            text = self.hmp("info cpus") + "\n" + self.hmp("info registers -a")
        except Exception as err:  # the machine may be in any state; the failure matters more
            text = f"(could not read the registers: {err})\n"
        path = self.logdir / "processors.txt"
        path.write_text(text)
        return path

    def stop(self, save: bool = True) -> None:
        if self.running and save:
            try:
                self.save_outputs()
            finally:
                super().stop()
        else:
            super().stop()
        if self._qmp:
            self._qmp.close()
        self.serial.close()
        shutil.rmtree(self.sockdir, ignore_errors=True)

    # -- output ---------------------------------------------------------------
    def debug_output(self) -> str:
        return self.debug_file.read_bytes().decode("latin-1")

    def serial_output(self) -> str:
        self.serial.drain()
        return self.serial_file.read_bytes().decode("latin-1")

    def serial_write(self, data: bytes | str) -> None:
        """Type into the first serial port."""
        self.serial.write(data.encode() if isinstance(data, str) else data)

    def read_memory(self, address: int, length: int) -> bytes:
        dump = self.logdir / f"mem-{address:x}.bin"
        self.qmp("pmemsave", val=address, size=length, filename=str(dump))
        return dump.read_bytes()

    def screen(self) -> Screen:
        return Screen(self.read_memory(VGA_TEXT_BASE, VGA_TEXT_BYTES))

    def screendump(self, name: str = "screendump.ppm") -> Picture:
        path = self.logdir / name
        self.qmp("screendump", filename=str(path))
        return Picture(path)

    def sendkey(self, keys: str) -> None:
        """Press a key combination, in QEMU's names: "a", "ret", "up", "esc", "ctrl-c"."""
        self.hmp(f"sendkey {keys}")

    def registers(self) -> Registers:
        return parse_qemu_registers(self.hmp("info registers"), self.logdir)

    # -- the end ----------------------------------------------------------------
    def _exit_info(self) -> Exit:
        code = self.proc.returncode
        if self._qmp_thread:
            self._qmp_thread.join(timeout=5)    # the monitor's last events (SHUTDOWN)
        log = self.qemu_log.read_text(errors="replace") if self.qemu_log.exists() else ""
        last = last_exception(log)
        reasons = [e.get("data", {}).get("reason") for e in self.events if e["event"] == "SHUTDOWN"]
        if self._killed_by_watchdog:
            return Exit("killed", detail=f"killed at the {self.limit:.0f} s limit")
        if "Triple fault" in log:
            return Exit("triple-fault", last_exception=last, detail="QEMU logged a triple fault")
        if code and code % 2 == 1 and not reasons:
            return Exit("debug-exit", code=(code - 1) // 2)
        if "guest-reset" in reasons:
            return Exit("reset", last_exception=last)
        return Exit("shutdown", code=code, detail=",".join(r for r in reasons if r))


def parse_qemu_registers(text: str, logdir: Path | None = None) -> Registers:
    """QEMU's `info registers` as Registers; HarnessError if a field is missing.

    In 64-bit mode QEMU prints RIP and RFL, otherwise EIP and EFL; CS, CR0, CR4,
    EFER and HLT are always there."""
    raw_file = None
    if logdir is not None:
        raw_file = Path(logdir) / "registers.txt"
        raw_file.write_text(text)

    def field(*names: str) -> int:
        for name in names:
            if re.search(rf"\b{name}=", text):
                return parse_hex(rf"\b{name}=([0-9a-fA-F]+)", text, name, raw_file)
        return parse_hex(rf"\b{names[0]}=([0-9a-fA-F]+)", text, " or ".join(names), raw_file)

    halted = re.search(r"\bHLT=([01])\b", text)
    if not halted:
        parse_hex(r"\bHLT=([01])\b", text, "HLT", raw_file)     # raises, naming it
    return Registers(rip=field("RIP", "EIP"), eflags=field("RFL", "EFL"),
                     cs_selector=parse_hex(r"^CS =([0-9a-f]{4}) ", text, "the CS selector", raw_file),
                     cs_base=parse_hex(r"^CS =[0-9a-f]{4} ([0-9a-f]+)", text, "the CS base", raw_file),
                     cr0=field("CR0"), cr4=field("CR4"), efer=field("EFER"),
                     halted=halted.group(1) == "1", raw=text,
                     general={name: field("R" + name.upper(), "E" + name.upper())
                              for name in GENERAL_REGISTERS})


# QEMU's -d int log names exceptions two ways: a line per delivered interrupt
# ("   12: v=0e e=0002 i=0 cpl=0 IP=0008:..."), and, when one cannot be
# delivered, "check_exception old: 0x8 new 0xd" (a #GP while delivering a #DF).
QEMU_DELIVERED = re.compile(r"^\s*\d+: v=([0-9a-f]{2}) e=([0-9a-f]{4})")
QEMU_UNDELIVERED = re.compile(r"^check_exception old: 0x([0-9a-f]+) new 0x([0-9a-f]+)")


def last_exception(log: str) -> str | None:
    """The last exception in a QEMU -d int log, in words, or None."""
    last = None
    for line in log.splitlines():
        delivered = QEMU_DELIVERED.match(line)
        if delivered:
            vector, error = (int(x, 16) for x in delivered.groups())
            last = f"vector {vector} error code {error:#x}"
            continue
        failed = QEMU_UNDELIVERED.match(line)
        if failed:
            old, new = (int(x, 16) for x in failed.groups())
            last = (f"vector {new}" if old == 0xFFFFFFFF
                    else f"vector {new} while delivering vector {old}")
    return last


# Bochs's VNC server takes the first free port of 5900-5949, but not safely
# when two Bochs start at once: it binds with SO_REUSEADDR, so both may bind
# the same port; the second's listen() then fails, and its loop goes on with
# the socket already bound, which no later bind() accepts: "RFB could not bind
# any port between 5900 and 5949", and that Bochs ends. So on this machine one
# Bochs at a time starts, until its VNC server listens: a lock on a file every
# user can open (flock needs only read access).
BOCHS_RFB_PORTS = range(5900, 5950)
BOCHS_START_LOCK = Path("/tmp/bootcamp-bochs-start.lock")


@contextlib.contextmanager
def one_bochs_starting():
    try:
        try:
            # Open before create: a sticky /tmp refuses O_CREAT on another user's file.
            fd = os.open(BOCHS_START_LOCK, os.O_RDONLY)
        except FileNotFoundError:
            fd = os.open(BOCHS_START_LOCK, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:         # no shared /tmp: nothing to coordinate with
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)        # and with it the lock


class Bochs(Machine):
    """Bochs, headless (its VNC display with nobody watching), driven through its debugger.

    Bochs as Debian builds it stops at a debugger prompt before the first
    instruction. The harness types `c` to run, and to look at the machine it
    interrupts it (SIGINT), asks the debugger, and types `c` again. While the
    machine runs, everything on Bochs's standard output is what the guest wrote
    to port 0xE9.
    """

    name = "Bochs"
    capabilities = frozenset({"keys"})
    ACTIVITY = "activity_state"       # the processor's state, in Bochs's parameter tree
    ACTIVITY_HLT = 1
    PROMPT = re.compile(rb"<bochs:\d+> ")
    BREAK = re.compile(rb"\n?Next at t=\d+\n")

    def __init__(self, spec: Spec, logdir: Path, *, limit: float = 60.0):
        super().__init__(spec, logdir, limit=limit)
        self.serial_file = self.logdir / "serial.txt"
        self.raw = bytearray()
        self._debug = bytearray()          # port 0xE9 bytes, debugger chatter removed
        self._run_from = 0                 # where the current stretch of running began in raw
        self._stopped = True
        self._lock = threading.Lock()
        self._image_lock: Path | None = None    # the disk image lock file this Bochs made
        self._keyboard = None                   # an RfbKeyboard, from the first sendkey

    def start(self) -> None:
        self.serial_file.write_bytes(b"")
        config = self.logdir / "bochsrc.txt"
        slirp = self.logdir / "slirp.conf"
        if self.spec.network:
            slirp.write_text(bochs_slirp_config(self.spec))
        config.write_text(bochs_config(self.spec, serial_file=self.serial_file,
                                       log_file=self.logdir / "bochs.log", slirp_file=slirp))
        # Bochs writes its prompt through stdio, which buffers a pipe: unbuffer it.
        cmd = ["stdbuf", "-o0", bochs_binary(), "-q", "-f", str(config)]
        (self.logdir / "command.txt").write_text(" ".join(cmd) + "\n")
        with one_bochs_starting():
            self.started = time.monotonic()
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=open(self.logdir / "bochs.stderr.txt", "wb"))
            self._arm_watchdog()
            threading.Thread(target=self._reader, daemon=True).start()
            self._wait_prompt(0)
            self.wait_until(lambda: any(port in BOCHS_RFB_PORTS
                                        for port in listening_ports(self.proc.pid)),
                            "Bochs's VNC display to listen", 30, seen=self._exit_message)
        # Bochs has opened its disks: a hard-disk image is now locked (IMAGE.lock) by this Bochs.
        lock = Path(f"{self.spec.image}.lock")
        if self.spec.media in ("hd", "efi") and lock.exists():
            self._image_lock = lock
        self._continue()

    def sendkey(self, keys: str) -> None:
        """Press a key combination (QEMU's names) through Bochs's VNC display."""
        if self._keyboard is None:
            ports = self.wait_until(lambda: listening_ports(self.proc.pid),
                                    "Bochs's VNC display to listen", 10)
            try:
                self._keyboard = RfbKeyboard(ports[0])
            except (OSError, RfbError) as error:
                self.fail(f"could not connect to Bochs's VNC display on port {ports[0]}: {error}",
                          None)
        self._keyboard.press(keys)

    def stop(self, save: bool = True) -> None:
        if self._keyboard is not None:
            self._keyboard.close()
            self._keyboard = None
        super().stop(save)
        # Bochs removes its IMAGE.lock when it exits by itself, but not when it
        # is killed; left behind, the lock makes the next boot of the image
        # fail ("could not open hard drive image file"). Remove this boot's own.
        if self._image_lock is not None:
            self._image_lock.unlink(missing_ok=True)
            self._image_lock = None

    def _reader(self) -> None:
        with open(self.logdir / "bochs.stdout.txt", "wb") as copy:
            while True:
                chunk = self.proc.stdout.read1(65536)
                if not chunk:
                    break
                copy.write(chunk)
                copy.flush()
                with self._lock:
                    self.raw.extend(chunk)

    def _wait_prompt(self, start: int) -> int:
        """Wait for the debugger's prompt after raw[start]; return where the prompt ends."""
        def prompt() -> int | None:
            with self._lock:
                match = self.PROMPT.search(self.raw, start)
            return match.end() if match else None
        return self.wait_until(prompt, "the Bochs debugger prompt", 30,
                               seen=lambda: self.raw[start:].decode("latin-1")
                               + self._exit_message())

    def _exit_message(self) -> str:
        """What Bochs said on its way out, if it is ending ("Bochs is exiting with
        the following message" and the message, on its standard error)."""
        said = (self.logdir / "bochs.stderr.txt").read_text(errors="replace")
        at = said.find("Bochs is exiting")
        return "" if at < 0 else "\n" + said[at:].strip()

    def _interrupt(self, mark: int) -> int:
        """Break into the debugger; return where its prompt ends in raw."""
        deadline = time.monotonic() + 30 * TIMEOUT_SCALE
        while True:
            self.proc.send_signal(signal.SIGINT)
            retry = time.monotonic() + BOCHS_BREAK_RETRY_SECONDS
            while time.monotonic() < retry:
                with self._lock:
                    match = self.PROMPT.search(self.raw, mark)
                if match:
                    return match.end()
                if not self.running:
                    self.fail("Bochs ended while the harness was breaking in", None)
                time.sleep(POLL_SECONDS)
            if time.monotonic() > deadline:
                self.fail("Bochs did not stop for its debugger",
                          lambda: self.raw[mark:].decode("latin-1"))

    def _continue(self) -> None:
        with self._lock:
            self._run_from = len(self.raw)
        self.proc.stdin.write(b"c\n")
        self.proc.stdin.flush()
        self._stopped = False
        # Bochs echoes the command when it reads it: from then on it runs.
        self.wait_until(lambda: self._running_output().startswith(b"c\n"),
                        "Bochs to take the continue command", 10,
                        seen=lambda: self._running_output().decode("latin-1"))

    def _running_output(self) -> bytes:
        with self._lock:
            return bytes(self.raw[self._run_from:])

    def debug_output(self) -> str:
        tail = b"" if self._stopped else self._running_output()
        # The echo of "c\n" opens each stretch of running.
        if tail.startswith(b"c\n"):
            tail = tail[2:]
        return (self._debug + tail).decode("latin-1")

    def serial_output(self) -> str:
        return self.serial_file.read_bytes().decode("latin-1")

    def debugger(self, *commands: str) -> list[str]:
        """Stop the machine, run debugger commands, let it run on; return each command's output."""
        if not self.running:
            self.fail("the emulator ended before the debugger could be asked", None)
        with self._lock:
            mark = len(self.raw)
        end = self._interrupt(mark)
        with self._lock:
            stretch = bytes(self.raw[self._run_from:end])
        if stretch.startswith(b"c\n"):
            stretch = stretch[2:]
        brk = self.BREAK.search(stretch)
        self._debug.extend(stretch[:brk.start()] if brk else b"")
        self._stopped = True
        outputs = []
        for command in commands:
            with self._lock:
                mark = len(self.raw)
            self.proc.stdin.write(command.encode() + b"\n")
            self.proc.stdin.flush()
            end = self._wait_prompt(mark)
            with self._lock:
                text = self.PROMPT.sub(b"", bytes(self.raw[mark:end]))
            outputs.append(text.decode("latin-1").strip())
        self._continue()
        return outputs

    def read_memory(self, address: int, length: int) -> bytes:
        (text,) = self.debugger(f"xp /{length}bx {address:#x}")
        values = re.findall(r"\t0x([0-9a-f]{2})", text)
        if len(values) != length:
            self.fail(f"the debugger gave {len(values)} of {length} bytes at {address:#x}",
                      lambda: text)
        return bytes(int(v, 16) for v in values)

    def screen(self) -> Screen:
        return Screen(self.read_memory(VGA_TEXT_BASE, VGA_TEXT_BYTES))

    def registers(self) -> Registers:
        return self._parse_registers(*self.debugger("r", "sreg", "creg", f'show "{self.ACTIVITY}"'))

    def _parse_registers(self, regs: str, sregs: str, cregs: str, activity: str) -> Registers:
        raw = "\n".join((regs, sregs, cregs, activity))
        raw_file = self._save_raw("registers.txt", raw)

        def value(pattern: str, text: str, what: str) -> int:
            return parse_hex(pattern, text, what, raw_file)

        rip = value(r"rip: ([0-9a-f_]+)", regs, "rip")
        eflags = value(r"eflags 0x([0-9a-f]+)", regs, "eflags")
        cs_selector = value(r"cs:0x([0-9a-f]{4})", sregs, "the CS selector")
        cs_base = value(r"cs:0x[0-9a-f]{4}.*?base=0x([0-9a-f]+)", sregs.replace("\n", " "),
                        "the CS base")
        # The `r` command has no "halted" flag; the processor's state among
        # Bochs's parameters has: 0 running, 1 in HLT, 2 shut down, 3 waiting
        # for a start-up IPI.
        halted = value(rf"{self.ACTIVITY} = 0x([0-9a-f]+)", activity,
                       "the processor's activity state") == self.ACTIVITY_HLT
        # Bochs's `r`: "rbx: 00000000_0000b0b0", high and low halves.
        general = {name: value(rf"^r{name}: ([0-9a-f]{{8}}_[0-9a-f]{{8}})", regs, f"r{name}")
                   for name in GENERAL_REGISTERS}
        return Registers(rip=rip, eflags=eflags, cs_selector=cs_selector, cs_base=cs_base,
                         cr0=value(r"CR0=0x([0-9a-f]+)", cregs, "CR0"),
                         cr4=value(r"CR4=0x([0-9a-f]+)", cregs, "CR4"),
                         efer=value(r"EFER=0x([0-9a-f]+)", cregs, "EFER"),
                         halted=halted, raw=raw, general=general)

    def save_outputs(self) -> None:
        if self.running and not self._stopped:
            super().save_outputs()

    TRIPLE_FAULT = re.compile(r"exception\(\): 3rd \((\d+)\) exception with no resolution")

    def wait_exit(self, timeout: float = 30.0) -> Exit:
        """As Machine.wait_exit; and a triple fault ends the boot too.

        QEMU stops on a triple fault (-no-reboot); Bochs resets the machine and
        runs on, so the harness watches Bochs's log and stops it there. Bochs
        logs only the exception it could not deliver (the third): it is in
        `detail`, and `last_exception` stays None."""
        log = self.logdir / "bochs.log"

        def ended() -> Exit | None:
            text = log.read_text(errors="replace") if log.exists() else ""
            fault = self.TRIPLE_FAULT.search(text)
            if fault:
                self.stop()
                return Exit("triple-fault", detail=f"Bochs logged a third exception (vector "
                            f"{fault.group(1)}) with no resolution, and reset the machine")
            return None if self.running else self._exit_info()
        return self.wait_until(ended, "the machine to power off, reset or exit", timeout,
                               seen=lambda: log.read_text(errors="replace")[-2000:]
                               if log.exists() else "")

    def _exit_info(self) -> Exit:
        if self._killed_by_watchdog:
            return Exit("killed", detail=f"killed at the {self.limit:.0f} s limit")
        log = self.logdir / "bochs.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        if "3rd (" in text and "exception with no resolution" in text:
            return Exit("triple-fault", detail="Bochs logged a third exception with no resolution")
        # Bochs explains a fatal stop in a banner on stderr, e.g. its BIOS's
        # "[BIOS  ] No bootable device.", which it always treats as fatal.
        stderr = (self.logdir / "bochs.stderr.txt").read_text(errors="replace")
        banner = re.search(r"Bochs is exiting with the following message:\n(.*?)\n=+", stderr, re.S)
        return Exit("shutdown", code=self.proc.returncode,
                    detail=banner.group(1).strip() if banner else "")
