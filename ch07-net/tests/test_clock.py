"""ch07's clock (net_clock_ms) follows real time, measured against the host's own clock.

Every limit and rate the chapter prints rests on this clock. Counting the
firmware's 10 ms timer interrupts fell behind whenever QEMU's CPU thread did
not run, which is what a busy host does to it. The test does the same on
purpose and to excess: it holds QEMU stopped (SIGSTOP) for HOLD_S seconds in
the middle of `clock WAIT_MS`, a command that waits WAIT_MS by the guest's
clock, and compares that interval with the host's measure of it. A clock that
follows real time counts the hold; one that counts ticks loses it.

The host sees each line when it polls the serial log; under load those polls
are late by a fraction of a second, which the 10% tolerance covers.
"""

import os
import re
import signal
import time

WAIT_MS = 8000
HOLD_S = 3.0
TOLERANCE = 0.10               # the guest's clock within 10% of the host's
BOCHS_WAIT_MS = 500
BOCHS_SLACK = 5                # a wait in Bochs ends within 5 times its length
PASSED = re.compile(r"clock: (\d+) ms passed")
TSC_RATE = re.compile(r"clock: the TSC ticks (\d+) times a millisecond")


def test_clock_counts_time_qemu_was_held_back(net_boot):
    machine = net_boot([f"clock {WAIT_MS}", "shutdown"], network=False)
    machine.wait_for(f"clock: waiting {WAIT_MS} ms", source="serial", timeout=120)
    started = time.monotonic()
    os.kill(machine.proc.pid, signal.SIGSTOP)
    try:
        # Not a wait for something to happen: the hold is the experiment, and
        # its real length is what the host's clock measures below.
        time.sleep(HOLD_S)
    finally:
        os.kill(machine.proc.pid, signal.SIGCONT)
    machine.wait_for(PASSED, source="serial", timeout=WAIT_MS / 1000 + 60)
    host_s = time.monotonic() - started
    serial = machine.serial_output()
    guest_s = int(PASSED.search(serial).group(1)) / 1000
    rate = TSC_RATE.search(serial)
    assert rate and int(rate.group(1)) > 0, serial[-2000:]
    assert abs(guest_s - host_s) <= TOLERANCE * host_s, (
        f"the guest's clock counted {guest_s:.2f} s where the host's counted {host_s:.2f} s "
        f"(QEMU held stopped for {HOLD_S} s of it): more than {TOLERANCE:.0%} apart")


def test_clock_runs_in_bochs(net_boot):
    """Bochs+OVMF: the calibration finds a TSC rate, and a wait ends.

    net.c finds no ACPI PM timer in the tables OVMF gives Bochs (the reason is
    not yet known), and calibrates against Stall() there, with a warning.

    Bochs runs with clock sync=none: its time is emulated, not the host's, so
    there is no host measure to compare with. A 500 ms wait there ends after
    some 1.6 s by the same clock, for a reason not yet pinned down (the timer
    events OVMF delivers in Bochs are the suspect); the upper bound leaves room."""
    machine = net_boot([f"clock {BOCHS_WAIT_MS}", "shutdown"], network=False,
                       emulator="bochs")
    machine.wait_for(PASSED, source="serial", timeout=200)
    serial = machine.serial_output()
    rate = TSC_RATE.search(serial)
    assert rate and int(rate.group(1)) > 0, serial[-2000:]
    passed = int(PASSED.search(serial).group(1))
    assert BOCHS_WAIT_MS <= passed < BOCHS_WAIT_MS * BOCHS_SLACK, serial[-2000:]


def test_clock_refuses_what_is_not_a_number(net_boot):
    machine = net_boot(["clock soon", "clock 600001", "shutdown"], network=False)
    exit = machine.wait_exit(timeout=120)
    serial = machine.serial_output()
    assert exit.kind == "shutdown", serial[-2000:]
    assert "error: 'soon' is not a number of milliseconds (0-600000)" in serial, serial[-2000:]
    assert "error: '600001' is not a number of milliseconds" in serial, serial[-2000:]
