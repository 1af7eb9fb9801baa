"""Exercise 2: `time` prints RT->GetTime as YYYY-MM-DD HH:MM:SS; QEMU's clock
is the host's, so the year is this year."""
import datetime
import re

from bootcamp.exercise import expect, uefi_script


def test_time(chapter, boot, logdir):
    _, text = uefi_script(chapter, boot, logdir, "bootcamp", ["time"])
    found = re.search(r"(\d{4})-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text)
    expect(found and abs(int(found.group(1)) - datetime.date.today().year) <= 1, 2,
           "`time` to print the date and time as YYYY-MM-DD HH:MM:SS", text)
