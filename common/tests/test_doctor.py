"""make doctor names what is missing and how to fix it."""

import grp
import os
import shutil
import subprocess
import tempfile
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


def test_a_gcc_without_32_bit_libraries_is_named(tmp_path):
    # Without gcc-multilib, `gcc -m32 -print-file-name=libasan.so` answers the
    # 64-bit library's path. A gcc that does just that, whatever is installed:
    env = dict(os.environ, PATH=path_without(tmp_path, {"gcc"}))
    real_gcc = shutil.which("gcc")
    wrapper = tmp_path / "bin" / "gcc"
    wrapper.write_text("#!/bin/sh\n"
                       "if [ \"$1\" = -m32 ]; then shift; fi\n"
                       f'exec "{real_gcc}" "$@"\n')
    wrapper.chmod(0o755)
    result = subprocess.run(["bash", str(DOCTOR), "--check"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "MISSING  libasan.so" in result.stdout, result.stdout
    assert "gcc-multilib" in result.stdout.split("Fix:")[-1], result.stdout


def test_a_python_without_xdist_is_named(tmp_path):
    # Python runs sitecustomize at start-up from the first folder on its path
    # that has one: this one marks xdist as absent, as a python3 without
    # python3-pytest-xdist would have it.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import sys\nsys.modules['xdist'] = None\n")
    env = dict(os.environ, PATH=path_without(tmp_path, set()), PYTHONPATH=str(site))
    result = subprocess.run(["bash", str(DOCTOR), "--check"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "MISSING  xdist" in result.stdout, result.stdout
    assert "MISSING  pytest" not in result.stdout, result.stdout
    assert "Fix: sudo apt-get install python3-pytest-xdist" in result.stdout, result.stdout


def test_quiet_says_only_what_is_wrong(tmp_path):
    result = doctor(tmp_path, {"nasm", "xorriso"}, "--check", "--quiet")
    assert result.returncode == 1
    assert "ok " not in result.stdout
    assert "Fix: sudo apt-get install nasm xorriso" in result.stdout


# A normal user's PATH on Debian (/etc/profile): no /usr/sbin, no /sbin.
USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
UNPRIVILEGED = "nobody"
UNPRIVILEGED_GROUP = grp.getgrgid(65534).gr_name     # nogroup on Debian


def test_a_normal_user_without_sbin_on_path_is_all_set():
    # Debian keeps sfdisk in /usr/sbin. Run the doctor as a user who is not
    # root, with a user's PATH: it must find everything, sfdisk included.
    # As root the test becomes `nobody` for the run (setpriv), from a copy of
    # the script in a folder that user can read (pytest's own are root's
    # only); as a normal user it runs as itself.
    with tempfile.TemporaryDirectory(prefix="bootcamp-doctor-") as folder:
        os.chmod(folder, 0o755)
        script = Path(folder) / "doctor.sh"
        shutil.copyfile(DOCTOR, script)
        script.chmod(0o755)
        command = ["bash", str(script), "--check"]
        if os.geteuid() == 0:
            command = ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED_GROUP}",
                       "--clear-groups", "--", *command]
        env = {"PATH": USER_PATH, "HOME": folder, "LANG": "C.UTF-8"}
        result = subprocess.run(command, env=env, cwd=folder, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert result.returncode == 0, result.stdout
    assert "  ok       sfdisk" in result.stdout, result.stdout
    assert "All set." in result.stdout
