"""ch07 in Bochs, as a learner uses it: `make run-bochs` (Bochs's debugger) in
one terminal, `make bochs-screen` in a second, and in it the UEFI console
(OVMF's serial port). One Bochs boot checks that the chapter works there:
`ip` brings in iPXE's e1000 driver from the ESP and gets an address from
Bochs's slirp, `get` downloads a small file and a random one, each checked by
SHA-256, and `serve` answers the host through a port slirp forwards.

Each `get` line goes to `make bochs-screen` whole, as a paste would: Bochs's
keyboard holds only a few keys, and the relay must hand them over one at a
time for the line to arrive intact.
"""

import http.client
import os

import pytest

from bootcamp.pty_session import BOCHS_PROMPT, Terminal, end_make_run_bochs, leave_bochs_screen
from conftest import CONFIGURED, GATEWAY, clean, free_port, loaded_the_driver, sha256

SMALL = b"Hello from the host.\nA small text file for GET.\n"
# Bochs moves a few hundred KiB/s at best through the firmware's stack while
# it emulates every instruction: a file that takes seconds, not minutes.
FILE_BYTES = 256 * 1024
HTTP_PORT = 8080                         # the chapter's server port (its Makefile forwards it)
READY = r"\nbootcamp> $"                  # the prompt, waiting for a key
START_S = 600                            # Bochs+OVMF to the prompt, on a loaded machine
COMMAND_S = 300                          # DHCP and the driver, or a download
CLIENT_S = 60                            # one request to the guest's server under Bochs


@pytest.mark.long
def test_make_run_bochs_gives_a_shell_where_ip_get_and_serve_work(chapter, host_server,
                                                                    tmp_path):
    data = os.urandom(FILE_BYTES)
    server = host_server({"/small.txt": SMALL, "/file.bin": data})
    # The chapter's ports (8080, 7007) may be taken on a shared machine.
    web = free_port()
    options = f"RUN_OPTIONS=--memory 256 --network --hostfwd {web}:{HTTP_PORT} " \
              f"--hostfwd {free_port()}:7007"
    # build/serial.txt is this session's console: no `make debug` may start
    # another in it meanwhile (bochs-screen would show the two interleaved).
    with chapter.taking_turns("console"), \
            Terminal(["make", "--no-print-directory", "run-bochs", options], cwd=chapter.root,
                     logfile=tmp_path / "terminal.txt") as term:
        term.expect("OVMF's console is Bochs's serial port", timeout=120)
        term.expect(BOCHS_PROMPT.format(n=1), timeout=60)
        term.send("c\r")
        with Terminal(["make", "--no-print-directory", "bochs-screen"], cwd=chapter.root,
                      logfile=tmp_path / "console.txt") as console:
            console.expect(r"The UEFI console: .*serial\.txt", timeout=60)
            # Keys typed before the program reads them are lost: wait for its prompt.
            console.expect(r"bootcamp ch07[\s\S]*" + READY, timeout=START_S)

            def command(line: str, done: str) -> str:
                """Type `line`, wait for `done` (or an error) and the prompt: the output,
                without the firmware's terminal escapes."""
                mark = console.mark()
                console.send(line + "\r")
                console.expect(rf"{done}|error: .*", since=mark, timeout=COMMAND_S)
                console.expect(READY, since=mark, timeout=60)
                return clean(console.text(mark))

            ip = command("ip", "IP configuration complete")
            loaded_the_driver(ip)
            configured = CONFIGURED.search(ip)
            assert configured and configured.groups() == ("10.0.2.15", "255.255.255.0"), ip
            assert f"gateway {GATEWAY}" in ip, ip

            small = command(f"get {server.url('/small.txt')}", r"sha256: [0-9a-f]{64}")
            assert f"sha256: {sha256(SMALL)}" in small, small
            big = command(f"get {server.url('/file.bin')}", r"sha256: [0-9a-f]{64}")
            assert f"received {FILE_BYTES} bytes" in big, big
            assert f"sha256: {sha256(data)}" in big, big
            assert "hashed on: this processor: this machine has one processor" in big, big

            mark = console.mark()
            console.send(f"serve {HTTP_PORT}\r")
            console.expect(rf"HTTP server listening on 10\.0\.2\.15:{HTTP_PORT}|error: .*",
                           since=mark, timeout=COMMAND_S)
            assert "HTTP server listening" in console.text(mark), console.text(mark)
            connection = http.client.HTTPConnection("127.0.0.1", web, timeout=CLIENT_S)
            try:
                connection.request("GET", "/")
                response = connection.getresponse()
                page = response.read().decode()
            finally:
                connection.close()
            assert response.status == 200, page
            assert "address: 10.0.2.15/255.255.255.0" in page, page
            leave_bochs_screen(console)
        end_make_run_bochs(term)
