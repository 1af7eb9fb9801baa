"""Ctrl-C in a make target the harness runs: one line, no traceback, nothing left running.

A Ctrl-C in a terminal sends SIGINT to every process of the foreground job:
make, the harness, pytest and its workers, and the emulators they started.
make then prints the one line a learner should see,

    make: *** [../common/mk/chapter.mk:48: test] Interrupt

once its child has ended. The harness's part is to end without a Python
traceback, and without leaving an emulator behind: QEMU ends on SIGINT by
itself, Bochs does not (SIGINT is its debugger's break key), so every
emulator the harness started is stopped at exit (machine.py), and a run that
waits on a child (course.py) waits for it to end first.

    sys.exit(interrupt.quietly(main, sys.argv[1:]))
"""

from __future__ import annotations

import os
import signal
from typing import Callable


def end_as_interrupted() -> None:
    """Die of SIGINT, as if the harness had not caught it: make and the shell
    then know it was a Ctrl-C (status 130), and Python prints no traceback."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def quietly(main: Callable[..., int], *arguments) -> int:
    """main(*arguments), ended by a Ctrl-C without a traceback."""
    try:
        return main(*arguments)
    except KeyboardInterrupt:
        end_as_interrupted()
        raise        # SIGINT is pending and fatal: not reached
