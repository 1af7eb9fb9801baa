"""Start an emulator for a person: `make run`, `make run-bochs`, `make debug`, `make help`.

    python3 -m bootcamp.run qemu  --media floppy build/floppy.img
    python3 -m bootcamp.run bochs --media floppy build/floppy.img
    python3 -m bootcamp.run debug --media floppy build/floppy.img --gdb-script x.gdb --symbols b.elf
    python3 -m bootcamp.run qemu  --media floppy build/floppy.img --print   # the command only

With a graphical display QEMU opens a window and the serial port is this
terminal; without one QEMU draws the VGA text screen in the terminal (curses)
and the serial port goes to build/serial.txt.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from . import interrupt
from .emulators import Spec, bochs_binary, bochs_config, fresh_ovmf_vars, has_display, qemu_command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gtk_available() -> bool:
    """QEMU opens a window only with Debian's qemu-system-gui package installed."""
    return any(Path(d).glob("ui-gtk.so") for d in ("/usr/lib/x86_64-linux-gnu/qemu",))


def interactive_qemu(spec: Spec, build: Path, *, gdb_port: int | None = None,
                     paused: bool = False) -> list[str]:
    vars_copy = fresh_ovmf_vars(build / "run") if spec.media == "efi" else None
    if spec.media == "efi" and not (has_display() and gtk_available()):
        # UEFI draws its console on a graphics framebuffer, which a terminal
        # (curses) cannot show; OVMF mirrors that console on the serial port,
        # so the serial port is the terminal (Ctrl-A X quits). Under `make
        # debug` gdb has the terminal, and the serial port goes to a file.
        serial = f"file:{build / 'serial.txt'}" if gdb_port is not None else "mon:stdio"
        return qemu_command(spec, display="none", vars_copy=vars_copy,
                            debugcon=f"file:{build / 'debugcon.txt'}", serial=serial,
                            gdb_port=gdb_port, paused=paused)
    if has_display() and gtk_available():
        return qemu_command(spec, display="gtk", vars_copy=vars_copy,
                            debugcon=f"file:{build / 'debugcon.txt'}", serial="mon:stdio",
                            gdb_port=gdb_port, paused=paused)
    return qemu_command(spec, display="curses", vars_copy=vars_copy,
                        debugcon=f"file:{build / 'debugcon.txt'}",
                        serial=f"file:{build / 'serial.txt'}", gdb_port=gdb_port, paused=paused)


def add_spec_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that describe a boot: `make run` and `make bench` share them."""
    parser.add_argument("image", type=Path)
    parser.add_argument("--media", default="floppy", choices=("floppy", "hd", "cdrom", "efi"))
    parser.add_argument("--memory", type=int, default=None,
                        help="MiB of RAM (default: 32 for BIOS chapters, 256 for UEFI)")
    parser.add_argument("--network", action="store_true", help="a virtio NIC on user networking")
    parser.add_argument("--hostfwd", action="append", default=[], metavar="HOST:GUEST",
                        help="forward 127.0.0.1:HOST to the guest's port GUEST")


def spec_from(args: argparse.Namespace) -> Spec:
    hostfwd = tuple(tuple(int(p) for p in pair.split(":")) for pair in args.hostfwd)
    return Spec(args.image.resolve(), media=args.media, memory_mb=args.memory,
                network=args.network or bool(hostfwd), hostfwd=hostfwd)


def foreground(cmd: list[str]) -> int:
    """Run cmd in the foreground, as a shell does. A Ctrl-C is the child's to
    handle: QEMU ends on it, Bochs stops in its debugger, gdb stops the guest.
    The launcher ignores it meanwhile, so it neither dies with a traceback
    nor leaves the child behind; it returns the child's exit status."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # An ignored signal stays ignored across exec: the child gets the default back.
        code = subprocess.call(cmd, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    finally:
        signal.signal(signal.SIGINT, previous)
    if code == -signal.SIGINT:
        interrupt.end_as_interrupted()      # the child ended on a Ctrl-C: so does make run
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("qemu", "bochs", "debug"))
    add_spec_arguments(parser)
    parser.add_argument("--gdb-script", type=Path, help="for debug: the chapter's gdb script")
    parser.add_argument("--symbols", type=Path, help="for debug: the ELF file with symbols")
    parser.add_argument("--print", action="store_true", help="print the command, run nothing")
    args = parser.parse_args(argv)

    build = args.image.resolve().parent
    spec = spec_from(args)

    if args.what == "qemu":
        cmd = interactive_qemu(spec, build)
        if args.print:
            print(shlex.join(cmd))
            return 0
        if spec.media == "efi" and not (has_display() and gtk_available()):
            print("No graphical display: this terminal is the UEFI console (OVMF mirrors it on "
                  "the serial port). To quit: press Ctrl-A, then X.", file=sys.stderr)
        elif not has_display():
            print(f"No graphical display: QEMU draws the screen here. Serial output goes to "
                  f"{build / 'serial.txt'}, the debug port to {build / 'debugcon.txt'}.\n"
                  "To quit: press Esc then 2 for QEMU's monitor, type quit, press Enter.",
                  file=sys.stderr)
        return foreground(cmd)

    if args.what == "bochs":
        config = build / "bochsrc.txt"
        display = "x" if has_display() else "term"
        cmd = [bochs_binary(), "-q", "-f", str(config)]
        if args.print:
            print(shlex.join(cmd) + f"    # {config} is written by make run-bochs")
            return 0
        try:
            config.write_text(bochs_config(spec, display=display, serial_file=build / "serial.txt",
                                           log_file=build / "bochs.log"))
        except ValueError as refused:
            print(f"error: {refused}", file=sys.stderr)
            return 1
        print("Bochs starts in its debugger: type c and Enter to run, Ctrl-C to stop again, "
              "q to quit.", file=sys.stderr)
        return foreground(cmd)

    # debug: QEMU paused at the first instruction with its gdb stub, and gdb attached.
    port = free_port()
    qemu = interactive_qemu(spec, build, gdb_port=port, paused=True)
    # Connect first, then load symbols: gdb takes the CPU's architecture from
    # QEMU (x86-64) and would refuse a 32-bit ELF file given before connecting.
    gdb = ["gdb", "-q", "-ex", f"target remote 127.0.0.1:{port}"]
    if args.symbols:
        # add-symbol-file asks "(y or n)" on a terminal; the BIOS scripts turn
        # confirmation off anyway (real_mode.gdb), so turn it off first.
        gdb += ["-ex", "set confirm off", "-ex", f'add-symbol-file "{args.symbols}"']
    if args.gdb_script:
        gdb += ["-x", str(args.gdb_script)]
    if args.print:
        print(shlex.join(qemu))
        print(shlex.join(gdb))
        return 0
    if not has_display():
        # QEMU cannot share the terminal with gdb: it runs with no display and
        # the screen can be read in gdb (x/80cb 0xb8000) or with `make run`.
        qemu = [a if a != "curses" else "none" for a in qemu]
    with tempfile.TemporaryFile() as log:
        # QEMU in a session of its own: a Ctrl-C typed to gdb (which stops the
        # guest through the gdb stub) must not reach QEMU, which would end.
        emulator = subprocess.Popen(qemu, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    start_new_session=True)
        try:
            return foreground(gdb)
        finally:
            emulator.kill()
            emulator.wait()


if __name__ == "__main__":
    sys.exit(interrupt.quietly(main))
