"""bootcamp.snapshot without booting: the lock that makes pytest-xdist workers wait
for one snapshot, its failure message, and what a command's end looks like."""

import fcntl
import re

import pytest

from bootcamp import snapshot
from bootcamp.machine import BootError


def test_a_held_lock_times_out_with_a_message_that_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "TIMEOUT_SCALE", 1)
    lock = tmp_path / "snapshot.lock"
    with open(lock, "a") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)          # another worker making the snapshot
        with pytest.raises(BootError) as failure:
            with snapshot.FileLock(lock, timeout=0.3):
                pass
    message = str(failure.value)
    assert str(lock) in message and "making the snapshot" in message, message
    assert "remove the file" in message, message
    with snapshot.FileLock(lock, timeout=0.3):          # free again: taken at once
        pass


def test_a_command_has_finished_when_its_echo_is_followed_by_a_prompt():
    ready = re.compile(snapshot.PROMPT_READY, re.M)
    before = "boot noise\nbootcamp>"
    start = before.rfind("\n") + 1
    assert not snapshot.finished(before, start, "ip", ready)        # not typed yet
    typed = "boot noise\nbootcamp> ip"
    assert not snapshot.finished(typed, start, "ip", ready)         # echoed, still running
    done = "boot noise\nbootcamp> ip\naddress 10.0.2.15\nbootcamp>"
    assert snapshot.finished(done, start, "ip", ready)
