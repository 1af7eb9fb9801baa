"""Exercise 5: snake's speed: `snake MS` starts with a tick of MS milliseconds,
prints `tick: MS ms` when it changes, and speeds up as the score grows."""
from bootcamp.exercise import expect, uefi_script


def test_snake_takes_a_tick(chapter, boot, logdir):
    machine, text = uefi_script(chapter, boot, logdir, "bootcamp", ["snake 75"],
                                until=r"tick: 75 ms|^> snake 75\n(?:.*\n)*.*(?:usage|unknown)")
    expect("tick: 75 ms" in text, 5, "`tick: 75 ms` after `snake 75`", text)
    machine.sendkey("esc")
