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
import sys
from pathlib import Path

from . import interrupt

ESP_BYTES = 16 * 1024 * 1024      # room for the application and test files; FAT16 at this size
BOOT_PATH = "::/EFI/BOOT/BOOTX64.EFI"


def build_esp(out: Path, app: Path, files: dict[str, bytes | Path] | None = None,
              size_bytes: int = ESP_BYTES) -> Path:
    """Write a FAT image at `out` with `app` as BOOTX64.EFI and `files` (name -> content
    or path) in its root folder. Returns `out`. `size_bytes`: a bigger image for big files."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "wb") as image:
        image.truncate(size_bytes)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")

    def mtool(*args: str) -> None:
        subprocess.run(args, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    mtool("mformat", "-i", str(tmp), "-v", "BOOTCAMP", "::")
    mtool("mmd", "-i", str(tmp), "::/EFI", "::/EFI/BOOT")
    mtool("mcopy", "-i", str(tmp), str(app), BOOT_PATH)
    for name, content in (files or {}).items():
        source = content if isinstance(content, Path) else None
        if source is None:
            source = tmp.with_name(f".{Path(name).name}.esp-content")
            source.write_bytes(content if isinstance(content, bytes) else content.encode())
        mtool("mcopy", "-i", str(tmp), str(source), f"::/{name}")
        if not isinstance(content, Path):
            source.unlink()
    tmp.replace(out)
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
