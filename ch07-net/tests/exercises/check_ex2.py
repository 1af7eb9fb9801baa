"""Exercise 2: net_select counts itself: when `serve` stops (a key), it prints
`select: N calls, M loops`. (Then make it wait with WaitForEvent and watch M fall.)"""
import re

from bootcamp.exercise import expect, shown, uefi_script

GUEST_PORT = 8080


def test_select_statistics(chapter, boot, logdir):
    machine, _ = uefi_script(chapter, boot, logdir, "net", [f"serve {GUEST_PORT}"],
                             until="listening on", network=True)
    machine.sendkey("spc")
    machine.wait_until(lambda: re.search(r"select: \d+ calls, \d+ loops", shown(machine))
                       or "shutdown" in shown(machine), "serve to stop", 60,
                       seen=lambda: shown(machine))
    text = shown(machine)
    expect(re.search(r"select: \d+ calls, \d+ loops", text), 2,
           "`select: N calls, M loops` when serve stops", text)
