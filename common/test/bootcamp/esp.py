"""Make an EFI system partition image: a FAT file system holding
\\EFI\\BOOT\\BOOTX64.EFI, the path UEFI firmware boots from removable and
otherwise unconfigured disks (UEFI spec, "Removable Media Boot Behavior").

    python3 -m bootcamp.esp OUT.img APP.efi [FILE...]   FILEs go to the root folder

mtools writes FAT without mounting anything, so no root is needed. The image
is a "superfloppy": a FAT file system with no partition table, which OVMF
accepts as a disk. Tests call build_esp() to make variants (another
autorun.txt, a missing file) next to their logs.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import sys
from pathlib import Path

from . import interrupt

ESP_BYTES = 16 * 1024 * 1024      # room for the application and test files; FAT16 at this size
BOOT_PATH = "::/EFI/BOOT/BOOTX64.EFI"


def _mtool(*args: str) -> None:
    subprocess.run(args, check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _copy_in(image: Path, files: dict[str, bytes | str | Path]) -> None:
    """`files` (name -> content or path) into the root folder of the FAT
    `image`, over any of the same name."""
    for name, content in files.items():
        source = content if isinstance(content, Path) else None
        if source is None:
            source = image.with_name(f"{image.name}.{Path(name).name}")
            source.write_bytes(content if isinstance(content, bytes) else content.encode())
        try:
            _mtool("mcopy", "-o", "-i", str(image), str(source), f"::/{name}")
        finally:
            if not isinstance(content, Path):
                source.unlink()


def build_esp(out: Path, app: Path, files: dict[str, bytes | Path] | None = None,
              size_bytes: int = ESP_BYTES) -> Path:
    """Write a FAT image at `out` with `app` as BOOTX64.EFI and `files` (name -> content
    or path) in its root folder. Returns `out`. `size_bytes`: a bigger image for big files."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built under a name of this build's own, then renamed: two builds of one
    # image at once (make debug in one terminal, a make in another, or two
    # tests) once shared a fixed .tmp name, so one truncated and formatted
    # the file while the other was copying into it, and a QEMU booted the
    # mixture. A QEMU that has the old image open keeps reading it whole.
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    tmp = Path(name)
    with os.fdopen(fd, "wb") as image:
        image.truncate(size_bytes)
    try:
        _mtool("mformat", "-i", str(tmp), "-v", "BOOTCAMP", "::")
        _mtool("mmd", "-i", str(tmp), "::/EFI", "::/EFI/BOOT")
        _mtool("mcopy", "-i", str(tmp), str(app), BOOT_PATH)
        _copy_in(tmp, files or {})
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.chmod(0o644)                    # mkstemp's 0600 would hide it from the group
    tmp.replace(out)
    return out


def with_files(image: Path, out: Path, files: dict[str, bytes]) -> Path:
    """A copy of the ESP `image` at `out`, with `files` (name -> content) added
    to its root folder, or written over the ones there. Returns `out`."""
    out = Path(out)
    out.write_bytes(Path(image).read_bytes())
    _copy_in(out, files)
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, app, *extra = (Path(a) for a in argv)
    build_esp(out, app, {p.name: p for p in extra})
    print(f"{out}: {ESP_BYTES // (1024 * 1024)} MiB FAT image, {app.name} as \\EFI\\BOOT\\BOOTX64.EFI"
          + (f", plus {', '.join(p.name for p in extra)}" if extra else ""))
    return 0


if __name__ == "__main__":
    sys.exit(interrupt.quietly(main, sys.argv[1:]))
