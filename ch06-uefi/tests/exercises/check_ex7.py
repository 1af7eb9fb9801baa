"""Exercise 7: `exitbs` calls ExitBootServices, then paints the whole
framebuffer green (no ConOut any more) and halts."""
from bootcamp.exercise import expect, shown, uefi_script
from bootcamp.machine import BootError

GREEN_MIN, OTHER_MAX = 0xC0, 0x40   # "green" whatever the exact shade


def green(picture) -> bool:
    r, g, b = picture.pixel(picture.width // 2, picture.height // 2)
    return g >= GREEN_MIN and r < OTHER_MAX and b < OTHER_MAX


def test_green_after_exit_boot_services(chapter, boot, logdir):
    machine, _ = uefi_script(chapter, boot, logdir, "bootcamp", ["exitbs"], until=r"^> exitbs")

    def green_or_ended() -> str | None:
        # Without exitbs the script goes on to `shutdown` and QEMU ends.
        if not machine.running:
            return "ended"
        try:
            return "green" if green(machine.screendump("exitbs.ppm")) else None
        except (BootError, OSError):        # QEMU ended while taking the picture
            return "ended"

    seen = machine.wait_until(green_or_ended, "the screen to turn green or QEMU to end", 60,
                              seen=lambda: shown(machine))
    expect(seen == "green", 7, "the middle of the screen to turn green after `exitbs`",
           shown(machine))
