"""The harness tells a triple fault from other endings, and names the last exception."""

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from bootcamp import Bochs, BootError, Qemu, Spec
from bootcamp.rfb import listening_ports

COMMON = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def build_sector(tmp_path: Path, name: str) -> Path:
    # The source and the rules through paths without spaces (the checkout's
    # own path may have one, and make splits words at spaces).
    shutil.copyfile(HERE / f"{name}.asm", tmp_path / f"{name}.asm")
    (tmp_path / "common").symlink_to(COMMON)
    (tmp_path / "Makefile").write_text(f"IMAGES := build/{name}.floppy.img\n"
                                       "include common/mk/bios.mk\n")
    result = subprocess.run(["make", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60)
    assert result.returncode == 0, result.stdout
    return tmp_path / "build" / f"{name}.floppy.img"


def test_triple_fault_is_reported_with_the_last_exception(tmp_path):
    image = build_sector(tmp_path, "triple_fault")
    with Qemu(Spec(image), tmp_path / "log", trace_interrupts=True) as machine:
        ended = machine.wait_exit(timeout=20)
    assert ended.kind == "triple-fault", ended
    # int3 with an empty IDT: #GP (13), then #GP while delivering it becomes a
    # double fault (8), and a #GP while delivering that is the third strike.
    assert ended.last_exception == "vector 13 while delivering vector 8", ended


def test_a_wait_that_runs_out_saves_each_processors_registers(tmp_path):
    """What the guest was doing when a test gave up on it: the failure names a
    file with every processor's registers, the second's too."""
    image = build_sector(tmp_path, "halt")
    with Qemu(Spec(image, cpus=2), tmp_path / "log") as machine:
        machine.wait_halted(timeout=20)
        with pytest.raises(BootError, match=r"Each processor's registers then: \S+") as failure:
            machine.wait_for("a marker that never comes", source="debug", timeout=1)
    saved = Path(re.search(r"registers then: (\S+)", str(failure.value)).group(1))
    text = saved.read_text()
    assert re.search(r"CPU #0: thread_id=\d+", text) and "CPU #1" in text, text
    assert len(re.findall(r"^[ER]IP=", text, re.M)) == 2, text       # one register dump each


@pytest.mark.parametrize("machine_class", [Qemu, Bochs], ids=["qemu", "bochs"])
def test_a_loop_on_one_instruction_is_not_a_halt(tmp_path, machine_class):
    """The sector spins on a jump with F4 (HLT) just before it: IP never
    moves, as in HLT, but the processor runs. Each emulator is asked for its
    processor's own state, so the harness does not take the loop for a halt."""
    spin = 0x7C00 + 1 + 2 + 1             # after cli, jmp short and the F4 byte
    image = build_sector(tmp_path, "busy_after_f4")
    with machine_class(Spec(image), tmp_path / "log") as machine:
        def spinning():
            regs = machine.registers()
            return regs if regs.linear_ip == spin else None
        regs = machine.wait_until(spinning, f"the sector to spin at {spin:#x}", timeout=20,
                                  seen=lambda: machine.registers().raw)
        assert machine.read_memory(spin - 1, 1) == b"\xF4", "the sector is not laid out as built"
        assert not regs.halted, regs.raw
        assert not machine.registers().halted


def test_exception_log_lines_are_read_in_both_forms():
    from bootcamp.machine import last_exception
    assert last_exception("   3: v=0e e=0002 i=0 cpl=0 IP=0008:0000000000100123\n") == \
        "vector 14 error code 0x2"
    assert last_exception("check_exception old: 0xffffffff new 0x6\n") == "vector 6"
    assert last_exception("nothing here") is None


def test_a_qemu_that_cannot_start_says_why(tmp_path):
    """QEMU refuses to start (here: an option it does not know); the harness
    says so in QEMU's words instead of letting the test go on without a machine."""
    image = build_sector(tmp_path, "halt")
    with pytest.raises(BootError, match=r"QEMU did not start .*-no-such-option"):
        with Qemu(Spec(image, qemu_extra=("-no-such-option",)), tmp_path / "log", paused=True):
            pass


def test_a_bochs_that_cannot_start_says_why(tmp_path):
    """Bochs ends before its debugger's first prompt (here: a configuration
    line it does not understand); the harness says so in Bochs's own words."""
    image = build_sector(tmp_path, "halt")
    spec = Spec(image, bochs_extra=("no_such_directive: 1",))
    with pytest.raises(BootError, match=r"Bochs is exiting[^\n]*\n.*'no_such_directive' "
                                        r"not understood"):
        with Bochs(spec, tmp_path / "log"):
            pass


def test_two_boots_of_one_image_at_once(tmp_path):
    """QEMU locks an image it may write: each machine boots its own copy, so two
    tests (or a test and `make debug`) can boot one build image at the same time."""
    image = build_sector(tmp_path, "halt")
    with Qemu(Spec(image), tmp_path / "first") as first, \
            Qemu(Spec(image), tmp_path / "second") as second:
        for machine in (first, second):
            machine.wait_halted(timeout=20)


BOCHS_TOGETHER = 4      # as many as two suites side by side start at once


def test_bochs_machines_started_together_all_get_a_display(tmp_path):
    """Bochs's VNC server may give two Bochs started at the same moment one
    port, and the loser ends ("RFB could not bind any port"; seen once in
    about 500 starts, two suites side by side). The harness starts one Bochs
    at a time, until its display listens. The race is too narrow to provoke
    here; this checks the lock's other side: Bochs started together all come
    up, each on a port of its own, none waiting for a lock never given back."""
    image = build_sector(tmp_path, "halt")
    errors: list[BaseException] = []
    machines = [Bochs(Spec(image), tmp_path / f"bochs{n}") for n in range(BOCHS_TOGETHER)]

    def start(machine: Bochs) -> None:
        try:
            machine.start()
        except BaseException as error:      # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=start, args=(m,)) for m in machines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        ports = {port for m in machines for port in listening_ports(m.proc.pid)}
        assert len(ports) == BOCHS_TOGETHER, ports
    finally:
        for machine in machines:
            machine.stop()
