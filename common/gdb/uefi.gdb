# gdb for UEFI programs: `make debug` in the UEFI chapters.
#
# The firmware loads a PE32+ image wherever it finds room, so the symbols in
# build/NAME.so (linked at address 0) belong at the image base, known only
# once the program runs. `make debug` boots an ESP that holds \gdb-wait.txt;
# the program (debug_announce in common/efi/debug.c) then writes
#     bootcamp: image base 0x5E69000, symbols in build/NAME.so
# to the debug port 0xE9 and spins until debug_gdb_attached is set. This
# script lets the firmware run, watches the debug port's file for that line,
# stops the machine (as Ctrl-C would), loads the symbols with
#     add-symbol-file build/NAME.so -o BASE
# sets debug_gdb_attached = 1 and runs on to a breakpoint in shell_run.
#
# Where it looks: $BOOTCAMP_DEBUGCON (default build/debugcon.txt, where make
# debug sends port 0xE9). The symbols: $BOOTCAMP_EFI_SYMBOLS if set, else the
# file the program named, else the one build/*.so (efi-symbols by hand).
#
# By hand, with any running UEFI program that printed its image base:
#     (gdb) efi-symbols 0x5E69000

set confirm off
set pagination off
set disassembly-flavor intel

python
import glob
import os
import re
import signal
import threading
import time

BOOTCAMP_WAIT_SECONDS = 180
BOOTCAMP_POLL_SECONDS = 0.2
bootcamp_found = {}


def bootcamp_symbols():
    path = os.environ.get("BOOTCAMP_EFI_SYMBOLS") or bootcamp_found.get("symbols")
    if path:
        return path
    found = sorted(glob.glob("build/*.so"))
    if len(found) != 1:
        raise gdb.GdbError(f"which ELF image? found {found or 'none'} in build/; "
                           "set BOOTCAMP_EFI_SYMBOLS")
    return found[0]


def bootcamp_watch(path):
    deadline = time.monotonic() + BOOTCAMP_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                match = re.search(r"bootcamp: image base (0x[0-9A-Fa-f]+)"
                                  r"(?:, symbols in (\S+))?", f.read())
        except OSError:
            match = None
        if match:
            bootcamp_found["base"] = int(match.group(1), 16)
            if match.group(2):
                bootcamp_found["symbols"] = match.group(2)
            os.kill(os.getpid(), signal.SIGINT)      # what Ctrl-C does: stop the target
            return
        time.sleep(BOOTCAMP_POLL_SECONDS)


class EfiSymbols(gdb.Command):
    """efi-symbols BASE: load the program's symbols at image base BASE."""

    def __init__(self):
        super().__init__("efi-symbols", gdb.COMMAND_FILES)

    def invoke(self, argument, from_tty):
        base = int(gdb.parse_and_eval(argument)) if argument else bootcamp_found.get("base")
        if base is None:
            raise gdb.GdbError("no image base yet: give one, e.g. efi-symbols 0x5E69000")
        # In quotes: the checkout's path may have a space in it.
        gdb.execute(f'add-symbol-file "{bootcamp_symbols()}" -o {base:#x}')


EfiSymbols()
debugcon = os.environ.get("BOOTCAMP_DEBUGCON", "build/debugcon.txt")
print(f"Booting; waiting for the program's image base on {debugcon} ...")
threading.Thread(target=bootcamp_watch, args=(debugcon,), daemon=True).start()
end

continue

python
if "base" not in bootcamp_found:
    raise gdb.GdbError("stopped before the program said where it was loaded")
print(f"The program is loaded at {bootcamp_found['base']:#x}.")
end
efi-symbols
set var debug_gdb_attached = 1
break shell_run
continue
