"""Exercise 3: `mandel MODE` sets the GOP mode first: after `mandel N` the
screen has mode N's size, as `modes` lists it. N is a mode whose size differs
from the current one's, so a `mandel` that ignores N does not pass."""
import re

from bootcamp.exercise import PROMPT, expect, shown, uefi_prompt

MODE_LINE = re.compile(r"^\s*mode\s+(\d+):\s*(\d+)\s*x\s*(\d+)(.*)$", re.M)


def test_mandel_in_another_mode(chapter, boot, logdir):
    machine, text = uefi_prompt(chapter, boot, logdir, "bootcamp", ["modes"])
    modes = {int(n): ((int(w), int(h)), "current" in rest)
             for n, w, h, rest in MODE_LINE.findall(text)}
    current = [size for size, is_current in modes.values() if is_current]
    others = [n for n, (size, _) in sorted(modes.items()) if current and size != current[0]]
    assert others, f"`modes` should list the current mode and another size:\n{text}"
    mode = others[0]
    size = modes[mode][0]

    command = f"mandel {mode}"
    machine.serial_write(command + "\r")
    # The prompt again after the command (a terminal line drops its trailing space).
    after = re.compile(rf"{re.escape(PROMPT)}{re.escape(command)}$(?:.*\n)*"
                       rf"{re.escape(PROMPT.rstrip())}", re.M)

    def resized_or_back() -> str | None:
        picture = machine.screendump("mandel.ppm")
        if (picture.width, picture.height) == size:
            return "resized"
        return "back at the prompt" if after.search(shown(machine)) else None

    seen = machine.wait_until(resized_or_back, f"a {size[0]}x{size[1]} screen or the prompt", 60,
                              seen=lambda: shown(machine))
    picture = machine.screendump("mandel.ppm")
    expect(seen == "resized", 3,
           f"a {size[0]}x{size[1]} screen (mode {mode}) after `{command}`, "
           f"not {picture.width}x{picture.height}", shown(machine))
