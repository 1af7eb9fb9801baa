"""make doctor names what is missing and how to fix it."""

import os
import subprocess
from pathlib import Path

DOCTOR = Path(__file__).resolve().parents[1] / "mk" / "doctor.sh"


def path_without(tmp_path: Path, hidden: set[str]) -> str:
    """A PATH with every program of the system's except `hidden`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        for program in Path(folder).glob("*"):
            link = bin_dir / program.name
            if program.name not in hidden and not link.exists():
                link.symlink_to(program)
    return str(bin_dir)


def doctor(tmp_path, hidden, *arguments):
    env = dict(os.environ, PATH=path_without(tmp_path, hidden))
    return subprocess.run(["bash", str(DOCTOR), *arguments], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)


def test_all_present_says_all_set(tmp_path):
    result = doctor(tmp_path, set(), "--check")
    assert result.returncode == 0, result.stdout
    assert "All set." in result.stdout


def test_missing_bochs_is_named_with_its_fix(tmp_path):
    result = doctor(tmp_path, {"bochs"}, "--check")
    assert result.returncode == 1, result.stdout
    assert "MISSING  bochs" in result.stdout
    assert "running chapters in Bochs" in result.stdout
    assert "Fix: sudo apt-get install bochs" in result.stdout


def test_quiet_says_only_what_is_wrong(tmp_path):
    result = doctor(tmp_path, {"nasm", "xorriso"}, "--check", "--quiet")
    assert result.returncode == 1
    assert "ok " not in result.stdout
    assert "Fix: sudo apt-get install nasm xorriso" in result.stdout
