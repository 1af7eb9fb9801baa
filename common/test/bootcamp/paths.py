"""Where the course's shared tools are, for tests and the launcher.

Tests ask here instead of walking up from their own file to `common/`: the
layout is known in one place."""

from pathlib import Path

COMMON = Path(__file__).resolve().parents[2]
ROOT = COMMON.parent
MK = COMMON / "mk"
GDB = COMMON / "gdb"
TEST = COMMON / "test"


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
