"""ch07 under `make debug`, typed into a pseudo-terminal as a learner would.

build/ holds the ELF files of the tests' own UEFI programs beside net.so
(bench_runner.so, tcp4_probe.so ...): gdb must load the symbols of the
program that is running, which names its file on the debug port."""

import pytest

from bootcamp.pty_session import Terminal, quit_gdb
from bootcamp.run import free_port

GDB_PROMPT = r"\(gdb\) $"
BOOT_TIMEOUT_S = 180               # make (the debug ESP), OVMF, and uefi.gdb's own wait


@pytest.mark.long
def test_make_debug_loads_net_so_among_the_tests_programs(chapter, tmp_path):
    others = sorted(p.name for p in chapter.build.glob("*.so") if p.name != "net.so")
    assert others, "build/ holds no other ELF file than net.so: the test has nothing to avoid"
    # The chapter's ports (8080, 7007) may be taken on a shared machine.
    options = (f"RUN_OPTIONS=--memory 256 --cpus 2 --network --hostfwd {free_port()}:8080 "
               f"--hostfwd {free_port()}:7007")
    with chapter.taking_turns("console"), \
            Terminal(["make", "--no-print-directory", "debug", options], cwd=chapter.root,
                     logfile=tmp_path / "debug.txt") as debug:
        loaded = debug.expect(r'add symbol table from file "(.*?)"|Error in sourced command file',
                              timeout=BOOT_TIMEOUT_S)
        assert loaded.group(1) == "build/net.so", \
            f"gdb loaded no symbols, or the wrong ones: {debug.text()[-1500:]}"
        debug.expect(r"Breakpoint \d+, shell_run", timeout=BOOT_TIMEOUT_S)
        debug.expect(GDB_PROMPT)
        mark = debug.mark()
        debug.send("info symbol net_poll\r")
        debug.expect(r"net_poll in section \.text", since=mark)
        debug.expect(GDB_PROMPT, since=mark)
        quit_gdb(debug)
