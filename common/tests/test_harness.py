"""The harness's own parsing and configuration: the text screen, pytest summaries, Bochs disks,
the NICs."""

import re

import pytest

from bootcamp import course
from bootcamp.course import counts
from bootcamp.emulators import (BOCHS_NIC_SLOT, Spec, bochs_config, bochs_disk_geometry,
                                bochs_slirp_config, qemu_command)
from bootcamp.screen import VGA_TEXT_BYTES, Screen


def screen_with(text: str, row: int, column: int, attribute: int) -> Screen:
    raw = bytearray(b"\x20\x07" * (VGA_TEXT_BYTES // 2))
    for i, ch in enumerate(text.encode("cp437")):
        offset = (row * 80 + column + i) * 2
        raw[offset], raw[offset + 1] = ch, attribute
    return Screen(bytes(raw))


def test_screen_finds_text_and_its_colours():
    screen = screen_with("Disk error", 3, 5, 0x4F)      # white on red
    assert screen.find("Disk error") == (3, 5)
    assert screen.colour_of("Disk error") == ("white", "red")
    assert "Disk error" in screen and "Hello" not in screen
    assert screen.lines[3] == "     Disk error"


def test_make_test_runs_common_only_when_no_chapter_is_named():
    every = [f.name for f in course.test_folders([])]
    assert every[-1] == "common" and every[:-1] == [c.name for c in course.chapters()], every
    assert [f.name for f in course.test_folders(["ch01-bootsector"])] == ["ch01-bootsector"]


def test_summary_counts():
    assert counts("=== 7 passed, 1 failed, 2 skipped in 3.21s ===") == \
        {"passed": 7, "failed": 1, "skipped": 2, "error": 0}
    assert counts("1 error in 0.1s")["error"] == 1
    assert counts("no summary here")["passed"] == 0


def test_bochs_disk_geometry_fits_any_image(tmp_path):
    whole = tmp_path / "whole.img"
    whole.write_bytes(bytes(2 * 16 * 63 * 512))          # Bochs infers 2/16/63 itself
    assert bochs_disk_geometry(whole) == ""
    cut = tmp_path / "cut.img"
    cut.write_bytes(bytes(31 * 512))                     # smaller than one 16 x 63 cylinder
    assert bochs_disk_geometry(cut) == ", cylinders=1, heads=1, spt=31"
    odd = tmp_path / "odd.img"
    odd.write_bytes(bytes((16 * 63 + 5) * 512))          # never larger than the image
    assert bochs_disk_geometry(odd) == ", cylinders=1, heads=16, spt=63"


def test_bochs_network_is_an_e1000_on_slirp_with_the_forwarded_ports(tmp_path):
    image = tmp_path / "esp.img"
    image.write_bytes(bytes(2 * 16 * 63 * 512))
    slirp = tmp_path / "slirp.conf"
    spec = Spec(image, media="efi", network=True, hostfwd=((18080, 8080),))
    config = bochs_config(spec, slirp_file=slirp)
    assert f"slot{BOCHS_NIC_SLOT}=e1000" in config
    assert re.search(rf"^e1000: enabled=1, .*ethmod=slirp, script={re.escape(str(slirp))}$",
                     config, re.M), config
    conf = bochs_slirp_config(spec)
    assert conf.startswith("# slirp config\n")           # Bochs refuses the file without it
    assert "hostfwd = tcp:127.0.0.1:18080-:8080" in conf.splitlines()
    assert "e1000:" not in bochs_config(Spec(image, media="efi"))
    with pytest.raises(ValueError, match="slirp_file"):
        bochs_config(spec)


def test_qemu_nic_choice(tmp_path):
    vars_copy = tmp_path / "vars.fd"
    spec = Spec(tmp_path / "esp.img", media="efi", network=True, nic="e1000")
    assert "e1000,netdev=net0,romfile=" in qemu_command(spec, vars_copy=vars_copy)
    with pytest.raises(ValueError, match="nic must be one of"):
        Spec(tmp_path / "esp.img", nic="ne2000")
