"""Exercise 4: a framebuffer request tag (1024x768, 32 bits): GRUB sets a
graphics mode and the framebuffer line says RGB, 1024x768."""
from bootcamp import Spec
from bootcamp.exercise import expect


def test_a_1024x768_rgb_framebuffer(chapter, boot):
    machine = boot(Spec(chapter.image("kernel.iso"), media="cdrom"))
    machine.wait_for("kmain: done", source="debug", timeout=60)
    lines = [l for l in machine.debug_output().splitlines() if l.startswith("framebuffer:")]
    expect(lines and "RGB" in lines[0] and "1024x768" in lines[0], 4,
           "`framebuffer:  RGB 1024x768 ...`", "\n".join(lines) or machine.debug_output())
