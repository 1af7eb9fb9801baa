"""ch07's `make run-bochs` as a learner uses it: Bochs's debugger in one terminal,
`make bochs-screen` in a second, and in it the UEFI console (OVMF's serial
port) where `ip` gets an address and `get` downloads a file from the host.

The whole line of `get` goes to `make bochs-screen` at once, as a paste
would: Bochs's keyboard holds only a few keys, and the relay must hand them
over one at a time for the line to arrive whole.
"""

import pytest

from bootcamp.pty_session import BOCHS_PROMPT, Terminal, end_make_run_bochs, leave_bochs_screen
from conftest import free_port, sha256

FILE = bytes(range(256)) * 256           # 64 KiB: seconds through Bochs
READY = r"\nbootcamp> $"                  # the prompt, waiting for a key
START_S = 600                            # Bochs+OVMF to the prompt, on a loaded machine
COMMAND_S = 300                          # DHCP and the driver, or the download


@pytest.mark.long
def test_make_run_bochs_gives_a_shell_where_ip_and_get_work(chapter, host_server, tmp_path):
    server = host_server({"/file.bin": FILE})
    # The chapter's ports (8080, 7007) may be taken on a shared machine.
    options = f"RUN_OPTIONS=--memory 256 --network --hostfwd {free_port()}:8080 " \
              f"--hostfwd {free_port()}:7007"
    with Terminal(["make", "--no-print-directory", "run-bochs", options], cwd=chapter.root,
                  logfile=tmp_path / "terminal.txt") as term:
        term.expect("OVMF's console is Bochs's serial port", timeout=120)
        term.expect(BOCHS_PROMPT.format(n=1), timeout=60)
        term.send("c\r")
        with Terminal(["make", "--no-print-directory", "bochs-screen"], cwd=chapter.root,
                      logfile=tmp_path / "console.txt") as console:
            console.expect(r"The UEFI console: .*serial\.txt", timeout=60)
            # Keys typed before the program reads them are lost: wait for its prompt.
            console.expect(r"bootcamp ch07[\s\S]*" + READY, timeout=START_S)
            mark = console.mark()
            console.send("ip\r")
            console.expect(r"IP configuration complete: 10\.0\.2\.15/255\.255\.255\.0|error: .*",
                           since=mark, timeout=COMMAND_S)
            assert "IP configuration complete" in console.text(mark), console.text(mark)
            console.expect(READY, since=mark, timeout=60)
            mark = console.mark()
            console.send(f"get {server.url('/file.bin')}\r")
            console.expect(r"sha256: [0-9a-f]{64}|error: .*", since=mark, timeout=COMMAND_S)
            assert f"sha256: {sha256(FILE)}" in console.text(mark), console.text(mark)
            leave_bochs_screen(console)
        end_make_run_bochs(term)
