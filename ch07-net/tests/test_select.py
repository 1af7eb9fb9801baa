"""ch07: net_select keeps what net.h says of it, rule by rule
(tests/select_check.c, run by the bench's runner in a cold boot).

The echo server asks select every 100 ms, so it works with a select that
polls once per call, ignores a time limit or never narrows its sets. Here
each of those is asked for once: a wait with no limit must poll until a
socket is ready, 0 must only look, a limit must be kept, and the sets must
come back holding the ready sockets alone. The host plays the peer: it
listens, sends a byte and closes a connection when the program asks.
"""

import re
import socket

import pytest

from bootcamp import Spec
from bootcamp.esp import build_esp
from conftest import BOOT_LIMIT_S, GUEST_CPUS, GUEST_MEMORY_MB, clean, free_port

PROGRAM = "select_check.efi"
# What a select that never returns means, by the limit each rule gives it.
JUST_LOOK = "a select with a time limit of 0 only looks, and returns at once"
NO_LIMIT = ("a select with no time limit returns once a socket is ready: it must poll the "
            "network (net_poll) while it waits")
NEVER_RETURNED = {"a-socket-never-opened": JUST_LOOK, "zero-only-looks": JUST_LOOK,
                  "a-limit-is-kept": "a select with a limit returns when it has passed",
                  "connected-are-writable": NO_LIMIT, "data-ends-the-wait": NO_LIMIT,
                  "both-sets-count": JUST_LOOK, "the-peer-closing-is-readable": NO_LIMIT,
                  "a-failed-socket-is-ready": NO_LIMIT, "a-socket-closed-here": JUST_LOOK}
START_TIMEOUT_S = 120            # a cold boot and DHCP, to the first rule
HOST_TIMEOUT_S = 30              # the host's own socket calls
RULE_TIMEOUT_S = 30              # one rule, a net_select with no limit included
ERROR = "select-check: error"     # it could not go on (no network, no file)
RULES = list(NEVER_RETURNED)       # in the order select_check.c asks them
VERDICT = re.compile(r"^select-check: ([a-z-]+): (ok|FAILED: .*)$", re.M)


def boot_the_check(chapter, boot, logdir, ports: str | None, network: bool = True):
    """A machine whose boot program (the bench's runner) runs select_check.efi,
    with `ports` as \\select.txt (None: no such file); network: a NIC on QEMU's
    user network, or no NIC at all."""
    files = {"bench.txt": f"{PROGRAM}\n", PROGRAM: chapter.image(PROGRAM)}
    if ports is not None:
        files["select.txt"] = ports
    esp = build_esp(logdir / "esp-select.img", chapter.image("bench_runner.efi"), files)
    return boot(Spec(esp, media="efi", memory_mb=GUEST_MEMORY_MB, cpus=GUEST_CPUS,
                     network=network), limit=BOOT_LIMIT_S["qemu"])


def test_select_keeps_its_word(chapter, boot, logdir):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(HOST_TIMEOUT_S)
        machine = boot_the_check(chapter, boot, logdir,
                                 f"{listener.getsockname()[1]} {free_port()}\n")

        def verdicts() -> dict[str, str]:
            return dict(VERDICT.findall(clean(machine.serial_output())))

        def wait_for_rule(rule: str) -> None:
            machine.wait_until(lambda: rule in verdicts() or ERROR in machine.serial_output(),
                               f"select_check's rule {rule} to end: {NEVER_RETURNED[rule]}",
                               timeout=START_TIMEOUT_S if rule == RULES[0] else RULE_TIMEOUT_S,
                               seen=lambda: clean(machine.serial_output())[-2000:])
            serial = clean(machine.serial_output())
            assert ERROR not in serial, serial[-2000:]

        for rule in RULES[:4]:
            wait_for_rule(rule)
        machine.wait_for("select-check: now send a byte on A", source="serial",
                         timeout=RULE_TIMEOUT_S)
        # Each connection names itself (the program connects A, then B).
        peers = {}
        for _ in range(2):
            connection, _ = listener.accept()
            connection.settimeout(HOST_TIMEOUT_S)
            name = b""
            while not name.endswith(b"\n") and len(name) < len("A\n"):   # a segment may split
                name += connection.recv(1) or b"?"
            # All of it read: closing with bytes unread would send a reset, not a FIN.
            peers[name] = connection
        assert sorted(peers) == [b"A\n", b"B\n"], peers
        try:
            peers[b"A\n"].sendall(b"x")
            for rule in RULES[4:6]:
                wait_for_rule(rule)
            machine.wait_for("select-check: now close B", source="serial", timeout=RULE_TIMEOUT_S)
            peers.pop(b"B\n").close()
            for rule in RULES[6:]:
                wait_for_rule(rule)
        finally:
            for connection in peers.values():
                connection.close()
        assert machine.wait_exit(timeout=RULE_TIMEOUT_S).kind == "shutdown"

    serial = clean(machine.serial_output())
    said = verdicts()
    assert list(said) == RULES, serial[-2000:]
    failed = [f"{rule}: {said[rule]}" for rule in RULES if said[rule] != "ok"]
    assert not failed, "net_select broke these rules:\n" + "\n".join(failed)
    assert "select-check: done, 0 failed" in serial


CLOSED = "closed"                  # in a case below: a free port, where nobody listens


@pytest.mark.parametrize("ports,network,said", [
    (None, True, "cannot read \\select.txt: Not Found"),
    ("7100\n", True, '\\select.txt is not "PORT CLOSED"'),
    (f"{CLOSED} {CLOSED}\n", True, "cannot connect to the host's port {port}: connection refused"),
    ("7100 7101\n", False, "no network interface"),
], ids=["no-file", "one-port", "nobody-listens", "no-nic"])
def test_when_the_check_cannot_start_it_says_why(chapter, boot, logdir, ports, network, said):
    port = free_port()
    if ports is not None:
        ports = ports.replace(CLOSED, str(port))
    said = said.format(port=port)
    machine = boot_the_check(chapter, boot, logdir, ports, network)
    assert machine.wait_exit(timeout=START_TIMEOUT_S).kind == "shutdown"
    serial = clean(machine.serial_output())
    assert f"{ERROR}: {said}\n" in serial, serial[-2000:]
    assert f"bench-runner: \\{PROGRAM} returned" in serial, serial[-2000:]
    # It stopped there: no rule that needs the host's connections ran.
    assert "connected-are-writable" not in dict(VERDICT.findall(serial)), serial[-2000:]
