"""Exercise 3: `mandel MODE` sets the GOP mode first: after `mandel 0` the
screen has mode 0's size, as `modes` lists it."""
import re

from bootcamp.exercise import expect, uefi_script


def test_mandel_in_mode_0(chapter, boot, logdir):
    machine, text = uefi_script(chapter, boot, logdir, "bootcamp", ["modes", "mandel 0"],
                                until=r"^> mandel 0")
    mode0 = re.search(r"^\s*\*?\s*0\D+?(\d+)\s*x\s*(\d+)", text, re.M)
    expect(mode0, 3, "`modes` to list mode 0 with its width x height", text)
    size = tuple(map(int, mode0.groups()))
    picture = machine.wait_until(
        lambda: (p := machine.screendump("mandel.ppm")) and (p.width, p.height) == size and p,
        f"a {size[0]}x{size[1]} screen after `mandel 0`", 60,
        seen=lambda: f"{machine.screendump('seen.ppm').width}x{machine.screendump('seen.ppm').height}")
    expect(picture, 3, f"a {size[0]}x{size[1]} screen", text)
