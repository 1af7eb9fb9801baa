"""QEMU's serial port reaches the harness byte for byte, even when the harness
falls behind and QEMU must wait for it (bootcamp/serial_pipe.py)."""

import re

import pytest

from bootcamp import Spec
from bootcamp.machine import Qemu

from test_resets import build_sector

# serial_count.asm's sequence.
SERIAL_BYTES = 262144
SEQUENCE_MODULUS = 251
DONE_MARK = "!"


def handed_over(machine) -> int:
    """How many bytes the guest has given its UART so far (it counts in ECX)."""
    return int(re.search(r"ECX=([0-9a-f]{8})", machine.registers().raw).group(1), 16)


def test_serial_output_is_exact_when_the_harness_falls_behind(tmp_path):
    image = build_sector(tmp_path, "serial_count")
    with Qemu(Spec(image), tmp_path / "log") as machine:
        full = machine.serial.capacity()
        with machine.serial.held():
            # Past what the pipe holds: QEMU found it full and had to wait.
            machine.wait_until(lambda: handed_over(machine) > full,
                               f"the guest handing its UART more than the pipe's {full} bytes",
                               30)
        machine.wait_for(DONE_MARK, source="debug", timeout=60)
        output = machine.serial_output().encode("latin-1")
    expected = bytes(i % SEQUENCE_MODULUS for i in range(SERIAL_BYTES))
    # SeaBIOS prints nothing on COM1: all of the guest's bytes, each once, in order.
    first_wrong = next((i for i, (a, b) in enumerate(zip(output, expected)) if a != b),
                       min(len(output), len(expected)))
    assert output == expected, (f"{len(output)} bytes where the guest wrote {len(expected)}; "
                                f"the first difference at byte {first_wrong}")


def test_typing_into_a_port_nobody_reads_names_the_cause(tmp_path):
    """serial_count.asm never reads COM1: QEMU takes a byte, then the input
    pipe fills, and typing more says why instead of blocking for ever."""
    image = build_sector(tmp_path, "serial_count")
    with Qemu(Spec(image), tmp_path / "log") as machine:
        more_than_it_holds = b"x" * (2 * machine.serial.capacity())
        with pytest.raises(TimeoutError, match="the guest is not reading its serial port"):
            machine.serial.write(more_than_it_holds, wait_s=1)
