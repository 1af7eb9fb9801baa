"""Start an emulator for a person: `make run`, `make run-bochs`, `make debug`, `make help`.

    python3 -m bootcamp.run qemu  --media floppy build/floppy.img
    python3 -m bootcamp.run bochs --media floppy build/floppy.img
    python3 -m bootcamp.run debug --media floppy build/floppy.img --gdb-script x.gdb --symbols b.elf
    python3 -m bootcamp.run qemu  --media floppy build/floppy.img --print   # the command only
    python3 -m bootcamp.run screenshot build/floppy.img     # the running QEMU's screen as a PNG
    python3 -m bootcamp.run console --media efi build/esp-debug.img   # make debug's UEFI console

With a graphical display QEMU opens a window and the serial port is this
terminal; without one QEMU draws the VGA text screen in the terminal (curses)
and the serial port goes to build/serial.txt.

Ctrl-C belongs to the emulator or the debugger, never to this launcher: it
ignores SIGINT while they run, so Ctrl-C stops the guest in gdb (make debug)
or returns to Bochs's debugger prompt (make run-bochs). When QEMU ends, the
launcher says why in one line (qemu_watch.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from . import console, interrupt
from .qemu_watch import QemuWatch, screenshot
from .emulators import (Spec, bochs_binary, bochs_config, bochs_slirp_config, fresh_ovmf_vars,
                        has_display, qemu_command)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gtk_available() -> bool:
    """QEMU opens a window only with Debian's qemu-system-gui package installed."""
    return any(Path(d).glob("ui-gtk.so") for d in ("/usr/lib/x86_64-linux-gnu/qemu",))


def interactive_qemu(spec: Spec, build: Path, *, gdb_port: int | None = None,
                     paused: bool = False,
                     console_relay: console.ConsoleRelay | None = None) -> list[str]:
    vars_copy = fresh_ovmf_vars(build / "run") if spec.media == "efi" else None
    if spec.media == "efi" and not (has_display() and gtk_available()):
        # UEFI draws its console on a graphics framebuffer, which a terminal
        # (curses) cannot show; OVMF mirrors that console on the serial port,
        # so the serial port is the terminal (Ctrl-A X quits). Under `make
        # debug` gdb has the terminal, so the serial port is a pipe that the
        # launcher relays to `make console` in a second terminal (console.py),
        # and a file when there is no relay to give it.
        if gdb_port is None:
            serial = "mon:stdio"
        elif console_relay is None:
            serial = f"file:{build / 'serial.txt'}"
        else:
            serial = None
        cmd = qemu_command(spec, display="none", vars_copy=vars_copy,
                           debugcon=f"file:{build / 'debugcon.txt'}", serial=serial,
                           gdb_port=gdb_port, paused=paused)
        if serial is None:
            cmd += console_relay.qemu_arguments()
        return cmd
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
    parser.add_argument("--cpus", type=int, default=1,
                        help="processors (QEMU; Bochs has one)")
    parser.add_argument("--network", action="store_true",
                        help="a NIC on user networking (QEMU: virtio, Bochs: e1000)")
    parser.add_argument("--hostfwd", action="append", default=[], metavar="HOST:GUEST",
                        help="forward 127.0.0.1:HOST to the guest's port GUEST")


def spec_from(args: argparse.Namespace) -> Spec:
    hostfwd = tuple(tuple(int(p) for p in pair.split(":")) for pair in args.hostfwd)
    return Spec(args.image.resolve(), media=args.media, memory_mb=args.memory, cpus=args.cpus,
                network=args.network or bool(hostfwd), hostfwd=hostfwd)


@contextlib.contextmanager
def ctrl_c_goes_to_the_child():
    """While an emulator or gdb has the terminal, Ctrl-C is theirs.

    The terminal sends SIGINT to its whole foreground process group, this
    launcher included. Python would raise KeyboardInterrupt, and
    subprocess.call kills its child on the way out: Bochs ended instead of
    showing its debugger prompt. A handler that does nothing (not SIG_IGN,
    which children would inherit) lets the wait go on."""
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_qemu(cmd: list[str], build: Path) -> int:
    watch = QemuWatch(cmd, build)
    try:
        with ctrl_c_goes_to_the_child():
            watch.start().wait()
        print(watch.why_stopped(), file=sys.stderr)
        return watch.proc.returncode
    finally:
        watch.forget()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bootcamp.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("qemu", "bochs", "debug", "screenshot",
                                         "bochs-screen", "console"))
    add_spec_arguments(parser)
    parser.add_argument("--gdb-script", type=Path, help="for debug: the chapter's gdb script")
    parser.add_argument("--symbols", type=Path, help="for debug: the ELF file with symbols")
    parser.add_argument("--print", action="store_true", help="print the command, run nothing")
    args = parser.parse_args(argv)

    build = args.image.resolve().parent
    spec = spec_from(args)

    if args.what == "bochs-screen":
        from .bochs_screen import main as bochs_screen
        # OVMF draws nothing on Bochs's screen: its console is the serial port.
        serial_console = build / "serial.txt" if spec.media == "efi" else None
        return bochs_screen(build / "bochsrc.txt", serial_console)

    if args.what == "console":
        return console.main(build)

    if args.what == "screenshot":
        try:
            path = screenshot(build)
        except RuntimeError as error:
            print(f"make screenshot: {error}", file=sys.stderr)
            return 1
        print(f"The screen is in {path}")
        return 0

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
        return run_qemu(cmd, build)

    if args.what == "bochs":
        config = build / "bochsrc.txt"
        display = "x" if has_display() else "term"
        cmd = [bochs_binary(), "-q", "-f", str(config)]
        if args.print:
            print(shlex.join(cmd) + f"    # {config} (and slirp.conf) written by make run-bochs")
            return 0
        # Bochs locks a disk image with IMAGE.lock and removes it when it ends;
        # a Bochs that was killed (its terminal closed) leaves it behind, and
        # every later Bochs then refuses the image. Only this chapter's Bochs
        # uses the image, so with none running the lock is stale.
        from .bochs_screen import bochs_running
        lock = Path(f"{spec.image}.lock")
        if lock.exists() and not bochs_running(config.resolve()):
            lock.unlink()
            print(f"Removed {lock}: a Bochs that was stopped without ending left it.",
                  file=sys.stderr)
        # Bochs starts its serial log afresh only once it writes to it: until
        # then make bochs-screen would show the last session's console.
        (build / "serial.txt").write_bytes(b"")
        slirp = build / "slirp.conf"
        if spec.network:
            slirp.write_text(bochs_slirp_config(spec))
        try:
            config.write_text(bochs_config(spec, display=display, serial_file=build / "serial.txt",
                                           log_file=build / "bochs.log", slirp_file=slirp))
        except ValueError as refused:
            print(f"error: {refused}", file=sys.stderr)
            return 1
        if display == "term":
            print("No graphical display: Bochs draws the screen on a terminal of its own. To see "
                  "it (and type into it), run `make bochs-screen` in a second terminal (in tmux: "
                  "Ctrl-B \" opens one).", file=sys.stderr)
            if spec.media == "efi":
                print("OVMF's console is Bochs's serial port: make bochs-screen shows it and "
                      "types into it.", file=sys.stderr)
        print("Bochs starts in its debugger: type c and Enter to run, Ctrl-C to stop again, "
              "q to quit.", file=sys.stderr)
        with ctrl_c_goes_to_the_child():
            return subprocess.call(cmd)

    # debug: QEMU paused at the first instruction with its gdb stub, and gdb attached.
    port = free_port()
    # A UEFI console without a window: the serial port relayed to `make
    # console`, its FIFOs and socket in a folder of their own (a socket's path
    # must be short; build/ may not be).
    console_dir = (Path(tempfile.mkdtemp(prefix="bootcamp-console-"))
                   if spec.media == "efi" and not (has_display() and gtk_available())
                   and not args.print else None)
    relay = console.ConsoleRelay(console_dir, build / "serial.txt") if console_dir else None
    qemu = interactive_qemu(spec, build, gdb_port=port, paused=True, console_relay=relay)
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
    watch = QemuWatch(qemu, build)
    if relay:
        relay.start()
        print("The UEFI console (the serial port) is not this terminal, gdb has it: to see it and "
              "type into it, run `make console` in a second terminal (in tmux: Ctrl-B \" opens "
              "one). Its output is also saved in build/serial.txt.", file=sys.stderr)
    with tempfile.TemporaryFile() as log, ctrl_c_goes_to_the_child():
        # QEMU gets a process group of its own: Ctrl-C at gdb's prompt must
        # reach gdb (which stops the guest through the stub), not end QEMU.
        emulator = watch.start(stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                               process_group=0)
        if relay:
            relay.emulator = emulator
            console.socket_note(build).write_text(f"{relay.socket_path}\n")
        try:
            code = subprocess.call(gdb)
            if emulator.poll() is not None:
                print(watch.why_stopped(), file=sys.stderr)
            return code
        finally:
            emulator.kill()
            emulator.wait()
            watch.forget()
            if relay:
                console.socket_note(build).unlink(missing_ok=True)
                relay.close()
                shutil.rmtree(console_dir)


if __name__ == "__main__":
    sys.exit(interrupt.quietly(main))
