"""`make pictures`, as a learner runs it: the screen a lesson ends with, made
from the learner's own build, into a PNG file of their choosing (--out: the
lesson's own picture stays as it is). One chapter a test: each run clears its
chapter's build/pictures/, and may build the chapter."""

import re
import subprocess
import zlib

import pytest

from conftest import ROOT

MAKE_S = 300                   # the chapter's build (none, after make test) and one boot
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_pictures(chapter: str, options: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT / chapter), "pictures",
                           f"PICTURE_OPTIONS={options}"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=MAKE_S)


def made_pictures(chapter: str, options: str) -> str:
    made = make_pictures(chapter, options)
    assert made.returncode == 0, made.stdout[-3000:]
    return made.stdout


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB rows of an 8-bit RGB PNG with one IDAT, as
    pictures.py writes it (and any reader would read it)."""
    assert data[:8] == PNG_SIGNATURE, data[:8]
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    idat = data.index(b"IDAT")
    raw = zlib.decompress(data[idat + 4:idat + 4 + int.from_bytes(data[idat - 4:idat], "big")])
    stride = 1 + 3 * width
    assert len(raw) == stride * height, (len(raw), width, height)
    return width, height, b"".join(raw[y * stride + 1:(y + 1) * stride] for y in range(height))


@pytest.mark.long
def test_make_pictures_draws_the_text_screen(tmp_path):
    out = tmp_path / "hello.png"
    said = made_pictures("ch02-hello", f"--out {out}")
    assert f"pictures: {out} (720x400)" in said, said
    width, height, rgb = png_pixels(out.read_bytes())
    assert (width, height) == (720, 400)
    colours = {rgb[i:i + 3] for i in range(0, len(rgb), 3)}
    assert len(colours) >= 2, f"one colour only: the screen is blank ({colours})"


@pytest.mark.long
def test_autorun_runs_in_the_esp_that_make_run_boots(tmp_path):
    """ch07's build/ holds more programs than net.efi (the tests' own), and its
    ESP a NIC driver beside it: the script runs in what make run boots."""
    script = tmp_path / "autorun.txt"
    script.write_text("ip\n")
    out = tmp_path / "ip.png"
    said = made_pictures("ch07-net", f"--autorun {script} --out {out} --marker netmask")
    assert re.search(rf"pictures: {re.escape(str(out))} \(\d+x\d+\)", said), said
    width, height, _ = png_pixels(out.read_bytes())
    assert width >= 640 and height >= 480, (width, height)


def test_a_screen_that_never_comes_is_named_with_its_log(tmp_path):
    out = tmp_path / "never.png"
    made = make_pictures("ch03-disk-load", f"--out {out} --marker nosuchtext --wait 2")
    assert made.returncode != 0, made.stdout
    assert "pictures: no picture: QEMU: waited 2.0 s for 'nosuchtext'" in made.stdout, \
        made.stdout[-3000:]
    assert "Traceback" not in made.stdout, made.stdout[-3000:]
    log = re.search(r"Full output of this boot: (\S+)", made.stdout)
    kept = ROOT / "ch03-disk-load" / "build" / "pictures" / "qemu"
    assert log and kept.samefile(log.group(1)), made.stdout[-3000:]
    assert not out.exists()
