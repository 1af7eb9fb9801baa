"""`make debug` on a shared machine: two sessions at once, of one user or of two,
each get their own disassembly and leave nothing behind in the temporary folder."""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from bootcamp.machine import TIMEOUT_SCALE

COMMON = Path(__file__).resolve().parents[2] / "common"
# Debian keeps runuser in /usr/sbin, off a normal PATH.
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
SESSION_SECONDS = 120
# Each session waits at most this long for the other to reach its first stop.
MEET_SECONDS = 60
# What real_mode.gdb shows at 0x7C00: ndisasm's line for stage 1's first instruction.
FIRST_INSTRUCTION = re.compile(r"^00007C00  [0-9A-F]+ +jmp ", re.M)


def world_readable_copy(chapter, folder: Path) -> tuple[Path, Path]:
    """The launcher and real_mode.gdb where any user can read them (a checkout
    under /root is root's only): (PYTHONPATH, the gdb script)."""
    code = folder / "code"
    shutil.copytree(COMMON / "test" / "bootcamp", code / "bootcamp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(COMMON / "gdb" / "real_mode.gdb", code / "real_mode.gdb")
    for path in [folder, code, *code.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return code, code / "real_mode.gdb"


def start_session(chapter, folder: Path, name: str, other: str, code: Path, script: Path,
                  shared_tmp: Path, user: str | None) -> subprocess.Popen:
    """`make debug`'s launcher for the hard disk, gdb reading commands from a pipe:
    stop at 0x7C00, say so, wait there for the other session, show the state again."""
    mine = folder / name
    mine.mkdir()
    image = mine / "payload.hd.img"
    shutil.copyfile(chapter.image("payload.hd.img"), image)
    if user:
        shutil.chown(mine, user)
        shutil.chown(image, user)
    commands = (f"shell touch {shared_tmp}/{name}.ready\n"
                f"shell timeout {MEET_SECONDS * TIMEOUT_SCALE:.0f} sh -c "
                f"'until [ -e {shared_tmp}/{other}.ready ]; do sleep 0.05; done'\n"
                "where16\nquit\n")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(mine), "LANG": "C.UTF-8",
           "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(shared_tmp)}
    command = ["/usr/bin/python3", "-m", "bootcamp.run", "debug", str(image), "--media", "hd",
               "--gdb-script", str(script)]
    if user:
        command = [RUNUSER, "-u", user, "--", *command]
    typed = mine / "gdb-input.txt"
    typed.write_text(commands)
    with open(typed) as stdin:
        return subprocess.Popen(command, cwd=mine, env=env, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def second_user():
    """A throwaway account, removed after the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("two users need root to create the second one (useradd); as a normal "
                    "user only the one-user case runs")
    name = f"bootcamp-t{uuid.uuid4().hex[:8]}"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, timeout=60)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], timeout=60)


def run_two_sessions(chapter, users: list[str | None]) -> None:
    with tempfile.TemporaryDirectory(prefix="bootcamp-sessions-") as base:
        folder = Path(base)
        code, script = world_readable_copy(chapter, folder)
        # One temporary folder for both, as /tmp is on a shared machine.
        shared_tmp = folder / "tmp"
        shared_tmp.mkdir()
        shared_tmp.chmod(0o1777)
        names = ["first", "second"]
        sessions = [start_session(chapter, folder, name, other, code, script, shared_tmp, user)
                    for name, other, user in zip(names, reversed(names), users)]
        outputs = []
        try:
            for session in sessions:
                outputs.append(session.communicate(timeout=SESSION_SECONDS * TIMEOUT_SCALE)[0])
        finally:
            for session in sessions:
                if session.poll() is None:
                    session.kill()
                    session.wait()
        for name, user, output in zip(names, users, outputs):
            who = f"{name} session ({user or pwd.getpwuid(os.geteuid()).pw_name})"
            # Two stops at 0x7C00 (the breakpoint, then where16 after meeting the
            # other session), each with its disassembly.
            assert len(FIRST_INSTRUCTION.findall(output)) == 2, f"{who}:\n{output}"
            assert "Permission denied" not in output, f"{who}:\n{output}"
        # Each gdb removed its scratch folder: only the meeting marks are left.
        left = sorted(p.name for p in shared_tmp.iterdir())
        assert left == ["first.ready", "second.ready"], f"left behind in the temporary folder: {left}"


def test_two_debug_sessions_of_one_user_at_once(chapter):
    run_two_sessions(chapter, [None, None])


def test_two_users_debug_at_once(chapter, second_user):
    run_two_sessions(chapter, [None, second_user])
