"""make pictures: the screen a lesson ends with, as a PNG made from the real build.

    python3 -m bootcamp.pictures CHAPTER_DIR [--out pictures/NAME.png]
        [--autorun FILE] [--marker TEXT] [--wait SECONDS]

Boots what `make run` boots (the chapter's `make bench-config` says what, and
which marker means "ready"), waits for that marker (or for the CPU to halt when
the chapter has none), lets the screen settle, and writes QEMU's screendump as
a PNG. With --autorun, a UEFI chapter's ESP gets that \\autorun.txt first, so
the picture can show a command's output (chapter 6's `mandel`).

The PNG is written with zlib alone: 8-bit RGB, one filter byte per row.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import sys
import zlib
from pathlib import Path

from .bench import config, spec_for
from .machine import BootError, Qemu
from .screen import Picture

READY_SECONDS = 180           # the slowest chapter reaches its prompt in well under this
SETTLE_TRIES = 20             # screendumps taken until two in a row are the same
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COLOUR_RGB = 2
PNG_BIT_DEPTH = 8
PNG_FILTER_NONE = 0


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bytes(width: int, height: int, rgb: bytes) -> bytes:
    """An RGB picture (3 bytes a pixel, rows top to bottom) as a PNG file."""
    if len(rgb) < width * height * 3:
        raise ValueError(f"{width}x{height} RGB needs {width * height * 3} bytes, got {len(rgb)}")
    stride = width * 3
    raw = b"".join(bytes([PNG_FILTER_NONE]) + rgb[y * stride:(y + 1) * stride]
                   for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, PNG_BIT_DEPTH, PNG_COLOUR_RGB, 0, 0, 0)
    return (PNG_SIGNATURE + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def ppm_to_png(ppm: Path, png: Path) -> tuple[int, int]:
    picture = Picture(ppm)
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(png_bytes(picture.width, picture.height, picture.pixels))
    return picture.width, picture.height


def settled_screendump(machine: Qemu) -> Path:
    """A screendump equal to the one before it: the screen has stopped changing."""
    previous = None
    for attempt in range(SETTLE_TRIES):
        picture = machine.screendump(f"picture-{attempt}.ppm")
        if previous is not None and picture.pixels == previous.pixels:
            return picture.path
        previous = picture
    # A blinking cursor never settles; the last picture is as good as any.
    return previous.path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.pictures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapter", type=Path)
    parser.add_argument("--out", type=Path, help="default: CHAPTER/pictures/CHAPTER.png")
    parser.add_argument("--marker", help="default: the chapter's BENCH_MARKER")
    parser.add_argument("--autorun", type=Path, help="UEFI: run this \\autorun.txt first")
    parser.add_argument("--wait", type=float, default=READY_SECONDS,
                        help=f"seconds to wait for the marker (default {READY_SECONDS})")
    args = parser.parse_args(argv)

    chapter = args.chapter.resolve()
    cfg = config(chapter)
    spec = spec_for(chapter, cfg["launch"])
    marker = cfg["marker"] if args.marker is None else args.marker
    out = args.out or chapter / "pictures" / f"{chapter.name}.png"
    if not out.is_absolute():
        out = chapter / out

    # The boot's logs stay in build/pictures/ (the last run's), where a
    # failure's message points.
    logdir = chapter / "build" / "pictures"
    shutil.rmtree(logdir, ignore_errors=True)
    logdir.mkdir(parents=True)
    try:
        if args.autorun:
            if spec.media != "efi":
                raise SystemExit("pictures: --autorun is for UEFI chapters (an ESP to put it on)")
            from .esp import with_files
            # The ESP make run boots (the program, and whatever the chapter
            # puts beside it, such as ch07's NIC driver), with the script added.
            spec.image = with_files(spec.image, logdir / "esp.img",
                                    {"autorun.txt": args.autorun.read_bytes()})
        with Qemu(spec, logdir / "qemu", limit=args.wait + 60) as machine:
            if marker:
                machine.wait_for(marker, source=cfg["source"], timeout=args.wait)
            else:
                machine.wait_halted(timeout=args.wait)
            width, height = ppm_to_png(settled_screendump(machine), out)
    except BootError as error:
        print(f"pictures: no picture: {error}", file=sys.stderr)
        return 1
    print(f"pictures: {out} ({width}x{height}), the screen at {marker or 'the halt'!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
