"""QEMU's first serial port as a pair of FIFOs, its output copied to a file.

Why not a socket with QEMU's `logfile=`: QEMU's 16550 hands the socket one
byte at a time, and a Unix socket holds only a few hundred one-byte writes
before it is full. A reader that falls behind for a few milliseconds makes
QEMU's write fail with EAGAIN; QEMU then writes that byte to the log at once,
as if it were never coming back, and again when its retry succeeds. The log
gains a byte (ESC[24;115H where the guest wrote ESC[24;15H), which is not what
the guest said. Through a FIFO, what reaches the file is exactly what QEMU
wrote, and the pipe's 64 KiB is room for a reader that falls behind.

    pipe = SerialPipe(folder / "serial", logdir / "serial.txt")
    pipe.open()                      # before QEMU starts: the FIFOs must exist
    command += ["-serial", pipe.serial] + pipe.arguments()
    ... pipe.write(b"help\\r"); pipe.drain(); text = file.read_bytes() ...
    pipe.close()

`make debug` uses the same pipe for the UEFI console that `make console` shows
(console.py): there `tee` hands each piece of output on, once it is in the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import threading
from pathlib import Path
from typing import Callable

CHARDEV_ID = "serial0"
READ_CHUNK = 65536
# How long the copying thread waits for output before it looks whether it
# should stop: only the stopping waits for it, never a test.
POLL_MS = 50
# How long typing waits for QEMU to take what fills the input pipe.
WRITE_WAIT_S = 30.0


class SerialPipe:
    """QEMU's `-chardev pipe`: it reads `base`.in and writes `base`.out. Both
    FIFOs are held open here for reading and writing, so neither side's open
    blocks, and QEMU's end (or its exit) never makes them fail. A thread copies
    `base`.out to `file` as it comes, so the guest never waits on the port.
    `tee`, if given, gets each piece of output after the file has it, in order."""

    # QEMU's -serial for this port as COM1, with arguments() to define it.
    serial = f"chardev:{CHARDEV_ID}"

    def __init__(self, base: Path, file: Path, tee: Callable[[bytes], None] | None = None):
        self.base = Path(base)
        self.file = Path(file)
        self.tee = tee
        self._in = self._out = None            # file descriptors, once open
        self._lock = threading.Lock()          # one copier at a time: bytes stay in order
        self._stopping = threading.Event()
        self._flowing = threading.Event()      # cleared while held()
        self._flowing.set()
        self._thread: threading.Thread | None = None

    def arguments(self) -> list[str]:
        """QEMU's option that defines the port's character device."""
        return ["-chardev", f"pipe,id={CHARDEV_ID},path={self.base}"]

    def open(self) -> None:
        self.close()                            # a machine started again starts afresh
        for end in (".in", ".out"):
            self._fifo(end).unlink(missing_ok=True)
            os.mkfifo(self._fifo(end), 0o600)
        self._in = os.open(self._fifo(".in"), os.O_RDWR | os.O_NONBLOCK)
        self._out = os.open(self._fifo(".out"), os.O_RDWR | os.O_NONBLOCK)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._copy_until_stopped, daemon=True)
        self._thread.start()

    def capacity(self) -> int:
        """How many bytes of output the pipe holds before QEMU must wait."""
        return fcntl.fcntl(self._out, fcntl.F_GETPIPE_SZ)

    @contextlib.contextmanager
    def held(self):
        """Nothing is copied inside this: the output backs up in the pipe, and
        then in QEMU, as when the harness falls behind."""
        self._flowing.clear()
        try:
            yield
        finally:
            self._flowing.set()

    def drain(self) -> None:
        """Copy to the file everything QEMU has written so far (unless held)."""
        with self._lock:
            if self._out is None or not self._flowing.is_set():
                return
            chunks = []
            while True:
                try:
                    data = os.read(self._out, READ_CHUNK)
                except BlockingIOError:
                    break
                if not data:
                    break
                chunks.append(data)
            if chunks:
                data = b"".join(chunks)
                with open(self.file, "ab") as sink:
                    sink.write(data)
                if self.tee:
                    self.tee(data)

    def write(self, data: bytes, wait_s: float = WRITE_WAIT_S) -> None:
        """Type into the port: into the input pipe, which holds 64 KiB, for QEMU
        to take as the guest reads. A pipe that stays full for `wait_s` names
        the cause."""
        view = memoryview(data)
        poller = select.poll()
        poller.register(self._in, select.POLLOUT)
        while view:
            if not poller.poll(wait_s * 1000):
                raise TimeoutError(f"QEMU took nothing from {self._fifo('.in')} for "
                                   f"{wait_s:.0f} s: the guest is not reading its serial "
                                   "port, or QEMU has ended")
            view = view[os.write(self._in, view):]

    def _fifo(self, end: str) -> Path:
        return self.base.with_name(self.base.name + end)

    def close(self) -> None:
        """Copy what is left, stop the thread, close the FIFOs."""
        self._flowing.set()
        if self._thread:
            self._stopping.set()
            self._thread.join()
            self._thread = None
        self.drain()
        with self._lock:
            for fd in (self._in, self._out):
                if fd is not None:
                    os.close(fd)
            self._in = self._out = None

    def _copy_until_stopped(self) -> None:
        poller = select.poll()
        poller.register(self._out, select.POLLIN)
        while not self._stopping.is_set():
            if self._flowing.wait(POLL_MS / 1000) and poller.poll(POLL_MS):
                self.drain()
