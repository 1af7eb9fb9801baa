"""ch07: the TCP4 probe behind make bench's ceiling (tests/tcp4_probe.c) does
what the bench relies on, and says what went wrong when it cannot. Nothing
here is timed: the bench measures, these check behaviour."""

import pytest

from conftest import BOOT_LIMIT_S, GATEWAY, GUEST_MEMORY_MB, clean, free_port

from bootcamp import Spec
from bootcamp.esp import build_esp

BODY = bytes(range(256)) * 1024          # 256 KiB: several windows' worth
PROBE_FILE = "probe.txt"


@pytest.fixture
def probe(chapter, boot, logdir):
    """probe(files) -> the serial output of the probe booted from an ESP with
    `files`, once it has powered the machine off."""
    def start(files: dict[str, str]) -> str:
        esp = build_esp(logdir / "esp-probe.img", chapter.image("tcp4_probe.efi"), files)
        machine = boot(Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, network=True),
                       limit=BOOT_LIMIT_S["qemu"])
        exit = machine.wait_exit(timeout=120)
        serial = clean(machine.serial_output())
        assert exit.kind == "shutdown", (exit, serial[-2000:])
        return serial
    return start


def test_the_probe_fetches_the_whole_file_then_says_done(probe, host_server):
    server = host_server({"/data": BODY, "/done": b"done\n"})
    serial = probe({PROBE_FILE: f"{GATEWAY} {server.port} /data /done\n"})
    assert server.requests == ["/data", "/done"], (server.requests, serial[-2000:])
    said = [line for line in serial.splitlines() if line.startswith("tcp4-probe: ")]
    assert said, serial[-2000:]
    words = said[-1].split()
    # Its count is the whole response: the head, then every byte of the body.
    assert words[2] == "bytes" and int(words[1]) > len(BODY), said


@pytest.mark.parametrize("case", ["no file", "not a target", "refused"])
def test_the_probe_says_why_it_fetched_nothing(probe, case):
    files = {"no file": {},
             "not a target": {PROBE_FILE: "http://10.0.2.2/data\n"},
             "refused": {PROBE_FILE: f"{GATEWAY} {free_port()} /data /done\n"}}[case]
    serial = probe(files)
    expected = {"no file": "tcp4-probe: error: cannot read \\probe.txt: Not Found",
                "not a target": 'tcp4-probe: error: \\probe.txt is not "A.B.C.D PORT '
                                'DATA_PATH DONE_PATH"',
                "refused": "tcp4-probe: error: Connect: "}[case]
    assert expected in serial, serial[-2000:]
    assert "bytes in" not in serial, serial[-2000:]
