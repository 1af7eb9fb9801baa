"""Start a UEFI test at the shell prompt instead of booting the firmware cold.

A cold OVMF boot to a chapter's `bootcamp>` prompt takes 5-10 s; most UEFI
tests then type commands at that prompt and never look at the boot itself.
They start from a snapshot instead:

    snap = Snapshot.prepare(app, cache_dir, files={...}, network=True)  # once per build
    with Restored(snap, logdir, hostfwd=((port, 8080),)) as m:         # per test, ~1-2 s
        m.serial_write("ip\\r")

How the snapshot is made (once, by whichever test or pytest-xdist worker
gets there first, under a file lock; the others wait for it):
  1. an ESP is built from the application and files into the cache folder
     (raw, as `make` builds it), next to a copy of the OVMF variable store;
  2. QEMU boots them cold, exactly as a test would, until the ready pattern
     (the prompt) shows on the serial console;
  3. the machine is paused and its state (RAM and devices) is written to a
     file with QEMU's migration (`migrate exec:cat > FILE`), which also
     flushes both disks: the raw files now hold what the guest had written.

How a test starts from it: two qcow2 overlays in the test's own log folder,
backed by the snapshot's ESP and variable store (the backing files are only
read: nothing one test writes is seen by another), and QEMU started paused
with `-incoming exec:cat FILE`; when the state is loaded the harness lets it
run. The serial log starts empty: a restored machine shows only what happens
after the prompt.

What survives a restore is what was in the guest's RAM and the devices:
the firmware, the shell, the NIC's rings. Host-side things are new: the
serial and debug logs, the QMP socket, and the user network's host side
(slirp: its TCP connections and port forwards; hostfwd ports come from the
restoring test's own command line). QEMU saves slirp's DHCP lease table and
IP id counter with the machine; see the ch07 lesson for what the network
does after a restore.

The snapshot's key covers everything that shapes it: the application's and
files' bytes, the firmware files, the QEMU binary, the memory size, the NIC
and the ready pattern. A rebuilt application gets a new snapshot; stale ones
are removed when a new one is made.

BOOTCAMP_SNAPSHOTS=0 makes Restored boot cold instead (same overlays, no
state file): the tests run the same way, the slow way (make bench compares
the two).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from .emulators import OVMF_CODE, OVMF_VARS, Spec, qemu_binary, qemu_command
from .esp import build_esp
from .machine import TIMEOUT_SCALE, BootError, Qemu
from .terminal import lines

# Bump when the way a snapshot is made changes: old ones are then rebuilt.
SNAPSHOT_FORMAT = 1
ENABLED = os.environ.get("BOOTCAMP_SNAPSHOTS", "1") != "0"
# The cold boot that makes a snapshot, and how long another worker waits for it.
BOOT_TIMEOUT_S = 90
LOCK_TIMEOUT_S = 240
MIGRATION_TIMEOUT_S = 60
LOCK_RETRY_S = 0.1
RESTORE_TIMEOUT_S = 30
ENTER = "\r"                      # what a terminal sends for Enter
# A terminal line with only the prompt on it: the shell is waiting for a key.
PROMPT_READY = r"^bootcamp>$"
STATE_FILE = "state.bin"
ESP_FILE = "esp.img"
VARS_FILE = "vars.fd"
DONE_FILE = "snapshot.json"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _stat_mark(path: str | Path) -> str:
    """Size and mtime: enough to notice a firmware or QEMU upgrade."""
    resolved = shutil.which(str(path)) or str(path)
    try:
        st = os.stat(resolved)
    except OSError:
        return f"{path}:missing"
    return f"{resolved}:{st.st_size}:{st.st_mtime_ns}"


class FileLock:
    """An flock() on a file, taken with a bounded wait: another test process may
    hold it for a while (booting the snapshot, or running what tests take turns
    at). `held_for` says what the holder does, for the message when the wait
    runs out."""

    def __init__(self, path: Path, timeout: float,
                 held_for: str = "another test process is still making the snapshot (or hung "
                                 "doing it); remove the file if no test is running"):
        self.path = Path(path)
        self.timeout = timeout * TIMEOUT_SCALE
        self.held_for = held_for
        self.handle = None

    def __enter__(self) -> "FileLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    raise BootError(f"waited {self.timeout:.0f} s for {self.path}: "
                                    f"{self.held_for}") from None
                time.sleep(LOCK_RETRY_S)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


class _SnapshotQemu(Qemu):
    """Qemu with the variable store and ESP given, not a fresh copy: the snapshot's
    own files while it is made, a test's overlays when restored."""

    def __init__(self, spec: Spec, logdir: Path, vars_file: Path, **options):
        super().__init__(spec, logdir, **options)
        self.vars_file = vars_file

    def command(self) -> list[str]:
        return qemu_command(self.spec, display="none", vars_copy=self.vars_file,
                            debugcon=f"file:{self.debug_file}", serial=self.serial.serial,
                            qmp=f"unix:{self.sockdir / 'qmp.sock'},server=on,wait=off",
                            gdb_port=self.gdb_port, paused=self.paused,
                            log=self.qemu_log, log_items="cpu_reset") + self.serial.arguments()


def shown(machine: Qemu) -> str:
    """The serial console as a terminal shows it."""
    return "\n".join(lines(machine.serial_output()))


def finished(text: str, start: int, command: str, ready: re.Pattern) -> bool:
    """Whether `command`, typed at the prompt that begins at text[start], has run:
    its echo (the prompt line with the command on it), then a ready line."""
    echo = re.compile(rf"^.*{re.escape(command)}$", re.M).search(text, start)
    return bool(echo and echo.end() < len(text) and ready.search(text, echo.end() + 1))


def wait_migration(machine: Qemu, what: str) -> None:
    """Wait until QEMU's migration (out or in) has completed."""
    def done() -> bool:
        status = machine.qmp("query-migrate").get("status")
        if status in ("failed", "cancelled"):
            machine.fail(f"{what}: QEMU's migration {status}", None)
        return status == "completed"
    machine.wait_until(done, what, MIGRATION_TIMEOUT_S)


@dataclasses.dataclass
class Snapshot:
    """A machine saved at its prompt: a folder with the ESP, the variable store and
    the state file, and the Spec it was booted with."""

    folder: Path
    spec: Spec
    ready: str
    commands: tuple[str, ...] = ()
    made_seconds: float | None = None      # None: it was already there

    @property
    def state(self) -> Path:
        return self.folder / STATE_FILE

    @classmethod
    def prepare(cls, app: Path, cache: Path, *, files: dict[str, bytes] | None = None,
                memory_mb: int | None = None, cpus: int = 1, network: bool = False,
                ready: str = PROMPT_READY, commands: tuple[str, ...] = ()) -> "Snapshot":
        """The snapshot of booting `app` (with `files` on its ESP) to `ready`, then
        typing `commands` (each waits for `ready` again); made now if this build has
        none yet. ch07's "ip" is such a command: the snapshot then has an address."""
        files = files or {}
        key_parts = {
            "format": SNAPSHOT_FORMAT, "app": _file_digest(app),
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
            "firmware": [_stat_mark(OVMF_CODE), _stat_mark(OVMF_VARS)],
            "qemu": _stat_mark(qemu_binary()), "memory_mb": memory_mb, "cpus": cpus,
            "network": network,
            "ready": ready, "commands": list(commands),
        }
        key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()[:16]
        cache = Path(cache).resolve()
        folder = cache / key
        spec = Spec(folder / ESP_FILE, media="efi", memory_mb=memory_mb, cpus=cpus,
                    network=network)
        snap = cls(folder, spec, ready, commands=tuple(commands))
        if (folder / DONE_FILE).exists():
            return snap
        with FileLock(cache / "snapshot.lock", LOCK_TIMEOUT_S):
            if (folder / DONE_FILE).exists():     # another worker made it while we waited
                return snap
            for stale in cache.iterdir():
                if stale.is_dir() and stale != folder:
                    shutil.rmtree(stale, ignore_errors=True)
            shutil.rmtree(folder, ignore_errors=True)
            started = time.monotonic()
            snap._make(app, files, key_parts)
            snap.made_seconds = time.monotonic() - started
        return snap

    def _make(self, app: Path, files: dict[str, bytes], key_parts: dict) -> None:
        self.folder.mkdir(parents=True)
        build_esp(self.folder / ESP_FILE, app, files)
        shutil.copyfile(OVMF_VARS, self.folder / VARS_FILE)
        machine = _SnapshotQemu(self.spec, self.folder / "boot", self.folder / VARS_FILE,
                                limit=BOOT_TIMEOUT_S + MIGRATION_TIMEOUT_S)
        with machine:
            regex = re.compile(self.ready, re.M)
            machine.wait_until(lambda: regex.search(shown(machine)),
                               f"{self.ready!r} on the serial console, to take the snapshot",
                               BOOT_TIMEOUT_S, seen=lambda: shown(machine))
            for command in self.commands:
                last_line = shown(machine).rfind("\n") + 1
                machine.serial_write(command + ENTER)
                machine.wait_until(lambda: finished(shown(machine), last_line, command, regex),
                                   f"{command!r} to finish before the snapshot", BOOT_TIMEOUT_S,
                                   seen=lambda: shown(machine))
            partial = self.folder / (STATE_FILE + ".part")
            machine.qmp("stop")
            machine.qmp("migrate", uri=f"exec:cat > {shlex.quote(str(partial))}")
            wait_migration(machine, "the machine state to be saved")
        partial.replace(self.state)
        (self.folder / DONE_FILE).write_text(json.dumps(key_parts, indent=2) + "\n")


class Restored(_SnapshotQemu):
    """A QEMU that starts where `snapshot` stopped, on overlays of its own.

    hostfwd: this test's port forwards (host port on 127.0.0.1, guest port)."""

    def __init__(self, snapshot: Snapshot, logdir: Path, *,
                 hostfwd: tuple[tuple[int, int], ...] = (), limit: float = 60.0, **options):
        logdir = Path(logdir)
        logdir.mkdir(parents=True, exist_ok=True)
        esp = self._overlay(snapshot.folder / ESP_FILE, logdir / "esp.qcow2")
        vars_file = self._overlay(snapshot.folder / VARS_FILE, logdir / "vars.qcow2")
        extra = tuple(snapshot.spec.qemu_extra)
        if ENABLED:
            extra += ("-incoming", f"exec:cat {shlex.quote(str(snapshot.state))}")
        spec = dataclasses.replace(snapshot.spec, image=esp, hostfwd=tuple(hostfwd),
                                   qemu_extra=extra)
        super().__init__(spec, logdir, vars_file, limit=limit, paused=ENABLED, **options)
        self.snapshot = snapshot

    @staticmethod
    def _overlay(backing: Path, out: Path) -> Path:
        out.unlink(missing_ok=True)
        done = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                               "-b", str(Path(backing).resolve()), str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise BootError(f"qemu-img could not make an overlay of {backing}: {done.stdout}")
        return out

    def start(self) -> None:
        super().start()
        if ENABLED:
            wait_migration(self, "the snapshot to be loaded")
            self.qmp("cont")
            # The prompt was printed before the snapshot, into another log. An
            # empty line makes the shell print a new one here: the console then
            # reads as after a boot, and the machine is known to be running.
            self.serial_write(ENTER)
            regex = re.compile(self.snapshot.ready, re.M)
            self.wait_until(lambda: regex.search(shown(self)),
                            f"{self.snapshot.ready!r} on the serial console after the restore",
                            RESTORE_TIMEOUT_S, seen=lambda: shown(self))
        else:
            regex = re.compile(self.snapshot.ready, re.M)
            self.wait_until(lambda: regex.search(shown(self)),
                            f"{self.snapshot.ready!r} on the serial console (cold boot)",
                            BOOT_TIMEOUT_S, seen=lambda: shown(self))
