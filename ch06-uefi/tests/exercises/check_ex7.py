"""Exercise 7: `exitbs` calls ExitBootServices, then paints the whole
framebuffer green (no ConOut any more) and halts."""
from bootcamp.exercise import expect, uefi_script


def green(picture) -> bool:
    r, g, b = picture.pixel(picture.width // 2, picture.height // 2)
    return g >= 0xC0 and r < 0x40 and b < 0x40


def test_green_after_exit_boot_services(chapter, boot, logdir):
    machine, text = uefi_script(chapter, boot, logdir, "bootcamp", ["exitbs"], until=r"^> exitbs")
    machine.wait_until(lambda: green(machine.screendump("exitbs.ppm")),
                       "the middle of the screen to turn green", 60, seen=lambda: text)
