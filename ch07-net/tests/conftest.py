"""What the chapter 7 tests share: a host-side HTTP server, ESP variants with
their own autorun script, and reading one command's output from the serial log.

Host side, only 127.0.0.1: the guest reaches the host's servers through QEMU's
user-network gateway 10.0.2.2, and the host reaches the guest's servers
through hostfwd ports on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import random
import re
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bootcamp import Spec, paths
from bootcamp.esp import build_esp
from bootcamp.snapshot import finished, shown

GATEWAY = "10.0.2.2"               # user networking: the host, as the guest sees it
DRIVER = "e1000.efi"               # iPXE's e1000 driver, which the build puts on the ESP
LOADING = "no NIC has a network stack: loading NIC drivers from the boot volume"
CONFIGURED = re.compile(r"IP configuration complete: (\d+\.\d+\.\d+\.\d+)/(\d+\.\d+\.\d+\.\d+)")
GUEST_MEMORY_MB = 256
# Processors, as make run gives: a long download is hashed on the second (hash_worker.c).
GUEST_CPUS = 2
# The harness kills a boot after this long. Bochs reaches the program in ~60 s
# on a quiet machine, and took 230 s for its whole test at a load of 30.
BOOT_LIMIT_S = {"qemu": 240, "bochs": 600}
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
PROMPT_LINE = re.compile(r"^bootcamp>", re.M)
READY_LINE = re.compile(r"^bootcamp>$", re.M)      # the prompt, waiting for a key
ENTER = "\r"                                        # what a terminal sends for Enter
# A file on the snapshot's ESP for `post @upload.bin`. Every snapshot of a
# build must hold the same bytes, so they come from a fixed seed.
UPLOAD_NAME = "upload.bin"
UPLOAD_BYTES = 1024 * 1024
UPLOAD_SEED = 7
UPLOAD = random.Random(UPLOAD_SEED).randbytes(UPLOAD_BYTES)


# Host builds of the chapter's freestanding code run with the sanitizers on:
# a read past a buffer fails the test that made it, not a later one.
HOST_CFLAGS = ["-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
               "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]


def build_host_program(chapter, out_dir: Path, name: str, sources: list[str],
                       library: tuple[str, ...] = ()) -> Path:
    """gcc the chapter's `sources` (paths relative to the chapter) and the C
    library's `library` files (format.c: the snprintf the chapter prints with)
    into out_dir/name. out_dir is the test's own (tmp_path_factory), so parallel
    workers never write the same file. The library's headers come last
    (-idirafter, as in the UEFI build), after the host's <string.h>."""
    out = out_dir / name
    result = subprocess.run(["gcc", *HOST_CFLAGS, f"-I{chapter.root}",
                             "-idirafter", str(paths.INCLUDE), "-o", str(out),
                             *(str(chapter.root / s) for s in sources),
                             *(str(paths.c_library(s)) for s in library)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, f"building {name} failed:\n{result.stdout}"
    return out


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean(serial: str) -> str:
    """The serial log without the firmware's terminal escapes and CRs."""
    return ANSI.sub("", serial).replace("\r", "")


def section(serial: str, command: str) -> str:
    """What the shell printed for the autorun line `command` (up to the next line)."""
    text = clean(serial)
    start = text.find(f"> {command}\n")
    assert start >= 0, f"the shell never ran {command!r}; serial output:\n{text[-3000:]}"
    start += len(command) + 3
    end = text.find("\n> ", start - 1)
    return text[start:end if end >= 0 else len(text)]


def loaded_the_driver(text: str) -> None:
    """What net_start says when it brings the driver in: it loaded, started with a
    name and a driver binding, and a recursive connect bound it."""
    assert LOADING in text, text
    assert re.search(rf"\\{re.escape(DRIVER)}: loaded at 0x[0-9A-Fa-f]+ \(\d+ bytes\), "
                     r'started: "[^"]+", binding version 0x[0-9A-Fa-f]+', text), text
    snp = re.search(r"connected every controller; handles with SNP: (\d+) before, (\d+) now",
                    text)
    assert snp and int(snp.group(2)) > int(snp.group(1)), text


def run(machine, command: str, timeout: float = 60) -> str:
    """Type `command` at the shell's prompt, wait until the prompt is back, and
    return what the command printed (the lines after its echo)."""
    start = shown(machine).rfind("\n") + 1
    machine.serial_write(command + ENTER)
    machine.wait_until(lambda: finished(shown(machine), start, command, READY_LINE),
                       f"{command!r} to finish and the prompt to come back", timeout,
                       seen=lambda: shown(machine)[-3000:])
    text = shown(machine)
    echo = re.compile(rf"^.*{re.escape(command)}$", re.M).search(text, start)
    end = PROMPT_LINE.search(text, echo.end() + 1)
    return text[echo.end() + 1:end.start()]


class HostServer:
    """An HTTP server on 127.0.0.1 in a thread, with paths the tests need.

    files:       path -> bytes, served with Content-Length
    /chunked/X:  files[X] sent with Transfer-Encoding: chunked
    /redirect/X: 302 to /X
    /truncated:  promises TRUNCATED_PROMISE bytes, sends TRUNCATED_SENT, closes
    /reset...:   promises TRUNCATED_PROMISE bytes, sends TRUNCATED_SENT, resets (RST)
    /continue/X: 100 (Continue), then files[X] (an interim response first)
    /drip:       promises DRIP_PROMISE bytes, sends DRIP_FIRST at once, then DRIP_BYTES
                 every DRIP_S, for at most DRIP_LIMIT_S or until the client goes
    /held/X:     files[X], its first HELD_PART at once, the rest once the file
                 .release_file exists (looked for every HELD_POLL_S, at most HELD_LIMIT_S)
    raw:         path -> bytes sent as they are (any head a test needs), then close
    POST any:    the body is kept in .uploads; the answer is its SHA-256
    """

    TRUNCATED_PROMISE = 1 << 20
    TRUNCATED_SENT = 64 * 1024
    CHUNK = 1000
    DRIP_PROMISE = 4 << 20
    DRIP_FIRST = 1 << 20                 # past the hash's hand-off to a second processor
    DRIP_BYTES = 100
    DRIP_S = 0.5
    DRIP_LIMIT_S = 120
    HELD_PART = 0.75
    HELD_POLL_S = 0.05
    HELD_LIMIT_S = 120

    def __init__(self, files: dict[str, bytes], raw: dict[str, bytes] | None = None):
        self.files = files
        self.raw = raw or {}
        self.uploads: list[tuple[str, bytes]] = []
        self.release_file: Path | None = None          # for /held/X
        self.requests: list[str] = []
        # (monotonic time, "GET /x", "GET /x sent" (all in the kernel's hands) or "POST /x done")
        self.times: list[tuple[float, str]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest's output readable
                pass

            def _send(self, status: int, body: bytes, headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                owner.requests.append(self.path)
                owner.times.append((time.monotonic(), f"GET {self.path}"))
                path = self.path
                if path.startswith("/chunked/") and path[8:] in owner.files:
                    data = owner.files[path[8:]]
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for i in range(0, len(data), owner.CHUNK):
                        piece = data[i:i + owner.CHUNK]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                elif path in owner.raw:
                    self.wfile.write(owner.raw[path])
                    self.wfile.flush()
                    self.close_connection = True
                elif path.startswith("/continue/") and path[9:] in owner.files:
                    self.send_response_only(100)
                    self.end_headers()
                    self._send(200, owner.files[path[9:]])
                elif path.startswith("/reset"):
                    self.send_response(200)
                    self.send_header("Content-Length", str(owner.TRUNCATED_PROMISE))
                    self.end_headers()
                    self.wfile.write(b"x" * owner.TRUNCATED_SENT)
                    self.wfile.flush()
                    # SO_LINGER on, 0 s: closing sends RST instead of FIN. The
                    # descriptor is closed here and now (socket.close() would
                    # wait for the handler's files, and the server's shutdown
                    # of the socket would send a FIN first).
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    os.close(self.connection.detach())
                    self.close_connection = True
                elif path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Length", str(owner.DRIP_PROMISE))
                    self.end_headers()
                    self.close_connection = True
                    self.wfile.write(b"x" * owner.DRIP_FIRST)
                    self.wfile.flush()
                    owner.times.append((time.monotonic(), f"GET {path} first part sent"))
                    for _ in range(int(owner.DRIP_LIMIT_S / owner.DRIP_S)):
                        try:
                            self.wfile.write(b"x" * owner.DRIP_BYTES)
                            self.wfile.flush()
                        except OSError:         # the client went
                            break
                        # Not a wait for something: the body's pace.
                        time.sleep(owner.DRIP_S)
                elif path.startswith("/held/") and path[5:] in owner.files:
                    data = owner.files[path[5:]]
                    first = int(len(data) * owner.HELD_PART)
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.close_connection = True
                    self.wfile.write(data[:first])
                    self.wfile.flush()
                    owner.times.append((time.monotonic(), f"GET {path} first part sent"))
                    for _ in range(int(owner.HELD_LIMIT_S / owner.HELD_POLL_S)):
                        if owner.release_file and owner.release_file.exists():
                            break
                        time.sleep(owner.HELD_POLL_S)
                    owner.times.append((time.monotonic(), f"GET {path} released"))
                    self.wfile.write(data[first:])
                    self.wfile.flush()
                elif path.startswith("/redirect/"):
                    self._send(302, b"moved\n", [("Location", path[9:])])
                elif path == "/truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", str(owner.TRUNCATED_PROMISE))
                    self.end_headers()
                    self.wfile.write(b"x" * owner.TRUNCATED_SENT)
                    self.wfile.flush()
                    self.close_connection = True
                elif path in owner.files:
                    self._send(200, owner.files[path])
                    self.wfile.flush()
                    owner.times.append((time.monotonic(), f"GET {path} sent"))
                else:
                    self._send(404, b"no such file\n")

            def do_POST(self):
                owner.requests.append(self.path)
                owner.times.append((time.monotonic(), f"POST {self.path}"))
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                owner.times.append((time.monotonic(), f"POST {self.path} done"))
                owner.uploads.append((self.path, body))
                self._send(200, sha256(body).encode() + b"\n")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def timeline(self) -> str:
        """What the server did and when, for a failure's message."""
        start = self.times[0][0] if self.times else 0
        return "; ".join(f"{when - start:.1f} s {what}" for when, what in self.times)

    def url(self, path: str) -> str:
        """The URL the guest uses for `path`."""
        return f"http://{GATEWAY}:{self.port}{path}"

    def __enter__(self) -> "HostServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_server():
    """host_server(files, raw={}) -> a running HostServer, stopped after the test."""
    servers: list[HostServer] = []

    def start(files: dict[str, bytes], raw: dict[str, bytes] | None = None) -> HostServer:
        server = HostServer(files, raw).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def net_shell(chapter, restore):
    """net_shell(hostfwd=()) -> a QEMU at the shell's prompt with an address: restored
    from a snapshot of a boot (with a NIC, and upload.bin on the ESP) on which `ip`
    had already run DHCP. See the lesson's "Testing" for what the network keeps."""
    def start(hostfwd: tuple[tuple[int, int], ...] = ()):
        return restore(chapter.image("net.efi"), files={UPLOAD_NAME: UPLOAD},
                       memory_mb=GUEST_MEMORY_MB, cpus=GUEST_CPUS, network=True,
                       commands=("ip",),
                       hostfwd=hostfwd, limit=BOOT_LIMIT_S["qemu"])
    return start


@pytest.fixture
def net_boot(chapter, boot, logdir):
    """net_boot(script_lines, files={}, network=True, hostfwd=(), emulator="qemu",
    nic="virtio", driver=True, bochs_extra=(), qemu_extra=(), cpus=GUEST_CPUS,
    **options) -> a booted
    machine whose shell runs `script_lines` as its \\autorun.txt. driver: the ESP
    holds the chapter's NIC driver (build/DRIVER), as build/esp.img does. nic:
    QEMU's card (Bochs always has an e1000). bochs_extra: bochsrc lines after the
    harness's (a later line wins). options: the Machine's own (gdb_port=...)."""
    count = [0]

    def start(lines: list[str], files: dict[str, bytes | Path] | None = None,
              network: bool = True, hostfwd: tuple[tuple[int, int], ...] = (),
              emulator: str = "qemu", nic: str = "virtio", driver: bool = True,
              bochs_extra: tuple[str, ...] = (), qemu_extra: tuple[str, ...] = (),
              cpus: int = GUEST_CPUS, **options):
        count[0] += 1
        script = "\n".join(lines) + "\n"
        drivers = {DRIVER: chapter.image(DRIVER)} if driver else {}
        esp = build_esp(logdir / f"esp-{count[0]}.img", chapter.image("net.efi"),
                        {"autorun.txt": script, **drivers, **(files or {})})
        spec = Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, cpus=cpus, network=network,
                    hostfwd=hostfwd, nic=nic, bochs_extra=bochs_extra, qemu_extra=qemu_extra)
        return boot(spec, emulator, limit=BOOT_LIMIT_S[emulator], **options)

    return start
