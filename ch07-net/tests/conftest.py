"""What the chapter 7 tests share: a host-side HTTP server, ESP variants with
their own autorun script, and reading one command's output from the serial log.

Host side, only 127.0.0.1: the guest reaches the host's servers through QEMU's
user-network gateway 10.0.2.2, and the host reaches the guest's servers
through hostfwd ports on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from bootcamp import Spec
from bootcamp.esp import build_esp

GATEWAY = "10.0.2.2"               # user networking: the host, as the guest sees it
DRIVER = "e1000.efi"               # iPXE's e1000 driver, which the build puts on the ESP
GUEST_MEMORY_MB = 256
# The harness kills a boot after this long. Bochs reaches the program in ~60 s
# on a quiet machine, and took 230 s for its whole test at a load of 30.
BOOT_LIMIT_S = {"qemu": 240, "bochs": 600}
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


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


class HostServer:
    """An HTTP server on 127.0.0.1 in a thread, with paths the tests need.

    files:       path -> bytes, served with Content-Length
    /chunked/X:  files[X] sent with Transfer-Encoding: chunked
    /redirect/X: 302 to /X
    /truncated:  promises TRUNCATED_PROMISE bytes, sends TRUNCATED_SENT, closes
    POST any:    the body is kept in .uploads; the answer is its SHA-256
    """

    TRUNCATED_PROMISE = 1 << 20
    TRUNCATED_SENT = 64 * 1024
    CHUNK = 1000

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.uploads: list[tuple[str, bytes]] = []
        self.requests: list[str] = []
        self.times: list[tuple[float, str]] = []     # (monotonic time, "GET /x" or "POST /x done")
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
    """host_server(files) -> a running HostServer, stopped after the test."""
    servers: list[HostServer] = []

    def start(files: dict[str, bytes]) -> HostServer:
        server = HostServer(files).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def net_boot(chapter, boot, logdir):
    """net_boot(script_lines, files={}, network=True, hostfwd=(), emulator="qemu",
    nic="virtio", driver=True) -> a booted machine whose shell runs `script_lines` as
    its \\autorun.txt. driver: the ESP holds the chapter's NIC driver (build/DRIVER),
    as build/esp.img does. nic: QEMU's card (Bochs always has an e1000)."""
    count = [0]

    def start(lines: list[str], files: dict[str, bytes | Path] | None = None,
              network: bool = True, hostfwd: tuple[tuple[int, int], ...] = (),
              emulator: str = "qemu", nic: str = "virtio", driver: bool = True):
        count[0] += 1
        script = "\n".join(lines) + "\n"
        drivers = {DRIVER: chapter.image(DRIVER)} if driver else {}
        esp = build_esp(logdir / f"esp-{count[0]}.img", chapter.image("net.efi"),
                        {"autorun.txt": script, **drivers, **(files or {})})
        spec = Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, network=network,
                    hostfwd=hostfwd, nic=nic)
        return boot(spec, emulator, limit=BOOT_LIMIT_S[emulator])

    return start
