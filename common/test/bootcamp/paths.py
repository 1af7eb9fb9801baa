"""Where the course's shared tools are, for tests and the launcher.

Tests ask here instead of walking up from their own file to `common/`: the
layout is known in one place."""

from pathlib import Path

COMMON = Path(__file__).resolve().parents[2]
ROOT = COMMON.parent
MK = COMMON / "mk"
GDB = COMMON / "gdb"
TEST = COMMON / "test"
# The freestanding C library (format.c, string.c) and its headers, which host
# builds of a chapter's code link as the chapter's own build does.
LIB = COMMON / "lib"
INCLUDE = COMMON / "include"


def gdb_script(name: str) -> Path:
    """A gdb script of common/gdb (real_mode.gdb, long_mode.gdb, uefi.gdb ...)."""
    path = GDB / name
    if not path.exists():
        raise FileNotFoundError(f"no gdb script {name} in {GDB}")
    return path


def make_tool(name: str) -> Path:
    """A script of the make rules in common/mk (install_mbr.sh, payload_sectors.sh ...)."""
    path = MK / name
    if not path.exists():
        raise FileNotFoundError(f"no build tool {name} in {MK}")
    return path


def c_library(name: str) -> Path:
    """A source of the course's C library in common/lib (format.c, string.c)."""
    path = LIB / name
    if not path.exists():
        raise FileNotFoundError(f"no C library source {name} in {LIB}")
    return path
