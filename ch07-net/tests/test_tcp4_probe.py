"""ch07: the TCP4 probe behind make bench's ceiling (tests/tcp4_probe.c) does
what the bench relies on, and says what went wrong when it cannot; so does
the bench's boot program, which runs it (tests/bench_runner.c). Nothing here
is timed: the bench measures, these check behaviour. Each boot is cold (the
probe is its own program, not the shell), so one boot runs several targets,
a line of \\probe.txt each."""

import pytest

from bootcamp import Spec
from bootcamp.esp import build_esp
from conftest import BOOT_LIMIT_S, GATEWAY, GUEST_CPUS, GUEST_MEMORY_MB, clean, free_port

BODY = bytes(range(256)) * 1024          # 256 KiB: several windows' worth
PROBE_FILE = "probe.txt"
NOT_A_TARGET = "http://10.0.2.2/data"
RUNS = "bench.txt"                       # what the bench's boot program runs, in turn
PROBE = "tcp4_probe.efi"


@pytest.fixture
def runner(chapter, boot, logdir):
    """runner(files) -> what the programs said (lines starting with `bench-runner: `
    or `tcp4-probe: `), once the runner has powered the machine off, from an ESP
    whose boot program is the bench's runner, with the probe and `files`."""
    def start(files: dict[str, str]) -> list[str]:
        esp = build_esp(logdir / "esp-probe.img", chapter.image("bench_runner.efi"),
                        {PROBE: chapter.image(PROBE), **files})
        machine = boot(Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, cpus=GUEST_CPUS,
                            network=True), limit=BOOT_LIMIT_S["qemu"])
        exit = machine.wait_exit(timeout=120)
        serial = clean(machine.serial_output())
        assert exit.kind == "shutdown", (exit, serial[-2000:])
        said = [line for line in serial.splitlines()
                if line.startswith(("tcp4-probe: ", "bench-runner: "))]
        assert said, serial[-2000:]
        return said
    return start


@pytest.fixture
def probe(runner):
    """probe(files) -> the probe's result lines, the probe run once by the runner."""
    def start(files: dict[str, str]) -> list[str]:
        said = runner({RUNS: f"{PROBE}\n", **files})
        assert said[-1] == f"bench-runner: \\{PROBE} returned Success", said
        return said[:-1]
    return start


def test_each_target_is_fetched_or_refused_with_a_reason(probe, host_server):
    """A line that is not a target, a closed port, then a real target: the
    first two are named and skipped, the third fetches the whole file, then
    /done, in that order."""
    server = host_server({"/data": BODY, "/done": b"done\n"})
    said = probe({PROBE_FILE: "\n".join([
        NOT_A_TARGET,
        f"{GATEWAY} {free_port()} /data /done",
        f"{GATEWAY} {server.port} /data /done"]) + "\n"})
    assert len(said) == 3, said
    assert said[0] == f'tcp4-probe: error: "{NOT_A_TARGET}" is not ' \
                      '"A.B.C.D PORT DATA_PATH DONE_PATH"', said
    assert said[1].startswith("tcp4-probe: error: Connect: "), said
    assert server.requests == ["/data", "/done"], (server.requests, said)
    words = said[2].split()
    # Its count is the whole response: the head, then every byte of the body.
    assert words[2] == "bytes" and int(words[1]) > len(BODY), said


def test_without_its_file_the_probe_says_so(probe):
    said = probe({})
    assert said == ["tcp4-probe: error: cannot read \\probe.txt: Not Found"], said


def test_the_runner_names_what_it_cannot_run_and_goes_on(runner):
    said = runner({RUNS: f"no-such.efi\n{PROBE}\n"})
    assert said == ["bench-runner: error: \\no-such.efi: LoadImage failed: Not Found",
                    "tcp4-probe: error: cannot read \\probe.txt: Not Found",
                    f"bench-runner: \\{PROBE} returned Success"], said


def test_without_its_list_the_runner_says_so(runner):
    said = runner({})
    assert said == ["bench-runner: error: cannot read \\bench.txt: Not Found"], said
