"""Command lines and configuration files for QEMU and Bochs.

This module is the one place that knows how bootcamp starts an emulator.
`make run`, `make debug`, `make help` and the test harness all ask it, so the
command a learner sees is the command the tests use.

A boot is described by a `Spec`: which medium (floppy, hard disk, CD-ROM or
an EFI system partition), which image, how much memory, which CPU model and
any extra options. `qemu_command()` and `bochs_config()` turn it into what
each emulator wants.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

# The one floppy format the course boots.
FLOPPY_144_BYTES = 1_474_560          # 80 cylinders x 2 heads x 18 sectors x 512 bytes

# Bochs infers a hard disk's geometry only for images of whole 16 x 63 cylinders.
DISK_SECTOR_BYTES = 512
BOCHS_AUTO_HEADS = 16
BOCHS_AUTO_SECTORS_PER_TRACK = 63
BOCHS_AUTO_CYLINDER_SECTORS = BOCHS_AUTO_HEADS * BOCHS_AUTO_SECTORS_PER_TRACK

# Firmware files from Debian's packages.
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")      # package ovmf, QEMU pflash
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")      # template; each boot gets a copy
OVMF_COMBINED = Path("/usr/share/ovmf/OVMF.fd")          # code+vars in one 2 MiB image, for Bochs
OVMF_BOCHS_ADDRESS = 0xFFE00000                          # 4 GiB - 2 MiB: where a 2 MiB ROM ends at the reset vector
BOCHS_BIOS = Path("/usr/share/bochs/BIOS-bochs-latest")  # package bochsbios
BOCHS_VGABIOS = Path("/usr/share/vgabios/vgabios.bin")   # package vgabios

# The isa-debug-exit device: a write of V to this port ends QEMU with status V*2+1.
DEBUG_EXIT_PORT = 0xF4
# Bochs's own debug port: writing the bytes "Shutdown" here ends the simulation.
BOCHS_SHUTDOWN_PORT = 0x8900

MEDIA = ("floppy", "hd", "cdrom", "efi")

# The NIC each emulator gets for Spec.network, on its user-mode network (slirp:
# the guest is 10.0.2.15, the host 10.0.2.2, with a DHCP server). QEMU's is a
# virtio-net, which OVMF has a driver for; Bochs has no virtio, so it gets an
# Intel 82540EM (e1000, PCI 8086:100E), for which a UEFI program must bring
# its own driver (ch07: iPXE's, from the ESP).
# Spec.nic = "e1000" gives QEMU the same card as Bochs, without its iPXE option
# ROM (romfile=), so that OVMF has no driver for it there either.
QEMU_NICS = {"virtio": "virtio-net-pci", "e1000": "e1000"}
BOCHS_NIC_SLOT = 1                      # PCI slot on the i440FX
BOCHS_NIC_MAC = "52:54:00:12:34:56"     # what QEMU gives its first NIC

# RAM for the guest. OVMF takes a CPU exception during start-up with 32 MiB.
BIOS_MEMORY_MB = 32
UEFI_MEMORY_MB = 256


@dataclasses.dataclass
class Spec:
    """What to boot, independent of the emulator."""

    image: Path
    media: str = "floppy"
    memory_mb: int | None = None        # default: BIOS_MEMORY_MB, or UEFI_MEMORY_MB for OVMF
    cpus: int = 1                       # QEMU's processors (-smp); Bochs always has one
    cpu: str | None = None              # QEMU -cpu model, e.g. "qemu32" (no long mode)
    bochs_cpu: str | None = None        # Bochs cpu model, e.g. "pentium" (no long mode)
    network: bool = False               # UEFI chapters: a NIC on user networking (above)
    hostfwd: tuple[tuple[int, int], ...] = ()   # (host port on 127.0.0.1, guest port)
    net_options: str = ""               # appended to the -netdev user,... option
    nic: str = "virtio"                 # QEMU's NIC: a key of QEMU_NICS (Bochs: always e1000)
    qemu_extra: tuple[str, ...] = ()
    bochs_extra: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.image = Path(self.image)
        if self.media not in MEDIA:
            raise ValueError(f"media must be one of {MEDIA}, not {self.media!r}")
        if self.nic not in QEMU_NICS:
            raise ValueError(f"nic must be one of {sorted(QEMU_NICS)}, not {self.nic!r}")
        if self.memory_mb is None:
            self.memory_mb = UEFI_MEMORY_MB if self.media == "efi" else BIOS_MEMORY_MB

    @property
    def firmware(self) -> str:
        return "uefi" if self.media == "efi" else "bios"


def qemu_binary() -> str:
    return os.environ.get("QEMU", "qemu-system-x86_64")


def qemu_command(spec: Spec, *, display: str = "none", vars_copy: Path | None = None,
                 debugcon: str | None = None, serial: str | None = None,
                 qmp: str | None = None, gdb_port: int | None = None,
                 paused: bool = False, log: Path | None = None,
                 log_items: str = "cpu_reset,guest_errors") -> list[str]:
    """The QEMU command line for `spec`.

    display: "none" (tests), "curses" (a terminal) or "gtk"/"sdl" (a window).
    debugcon/serial: QEMU character device specs ("file:x", "stdio", "chardev:id").
    """
    cmd = [qemu_binary(), "-no-reboot", "-m", str(spec.memory_mb)]
    if spec.cpus > 1:
        cmd += ["-smp", str(spec.cpus)]
    if spec.cpu:
        cmd += ["-cpu", spec.cpu]
    image = str(spec.image)
    if spec.media == "floppy":
        cmd += ["-drive", f"file={image},format=raw,if=floppy", "-boot", "a"]
    elif spec.media == "hd":
        cmd += ["-drive", f"file={image},format=raw,if=ide,index=0,media=disk", "-boot", "c"]
    elif spec.media == "cdrom":
        cmd += ["-drive", f"file={image},format=raw,if=ide,index=2,media=cdrom,readonly=on", "-boot", "d"]
    elif spec.media == "efi":
        if vars_copy is None:
            raise ValueError("a UEFI boot needs a writable copy of the OVMF variable store")
        cmd += ["-machine", "q35",
                "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format={disk_format(vars_copy)},unit=1,file={vars_copy}",
                "-drive", f"file={image},format={disk_format(image)},if=ide,index=0,media=disk"]
    if spec.network:
        netdev = "user,id=net0"
        for host_port, guest_port in spec.hostfwd:
            netdev += f",hostfwd=tcp:127.0.0.1:{host_port}-:{guest_port}"
        if spec.net_options:
            netdev += "," + spec.net_options
        cmd += ["-netdev", netdev, "-device", f"{QEMU_NICS[spec.nic]},netdev=net0,romfile="]
    else:
        # No NIC: the firmware does not spend time probing a network boot.
        cmd += ["-nic", "none"]
    cmd += ["-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=4"]
    cmd += ["-display", display]
    if display == "none":
        cmd += ["-vga", "std"]
    if debugcon:
        cmd += ["-debugcon", debugcon]
    if serial:
        cmd += ["-serial", serial]
    if qmp:
        cmd += ["-qmp", qmp]
    if gdb_port is not None:
        # One TCG thread for all processors under gdb. With a thread each (the
        # default), QEMU 7.2 now and then answers a single step as done when
        # the processor left the instruction's block on an exit request before
        # running it: gdb, stepping over a breakpoint, then stops at the same
        # breakpoint again (about 1 step-over in 300; none in 2100 this way).
        cmd += ["-gdb", f"tcp:127.0.0.1:{gdb_port}", "-accel", "tcg,thread=single"]
    if paused:
        cmd += ["-S"]
    if log is not None:
        cmd += ["-d", log_items, "-D", str(log)]
    cmd += list(spec.qemu_extra)
    return cmd


def disk_format(path: Path | str) -> str:
    """QEMU's name for an image's format: a .qcow2 file is an overlay (bootcamp.snapshot),
    anything else is the raw bytes the build made."""
    return "qcow2" if str(path).endswith(".qcow2") else "raw"


def bochs_binary() -> str:
    return os.environ.get("BOCHS", "bochs")


def bochs_config(spec: Spec, *, display: str = "rfb", serial_file: Path | None = None,
                 log_file: Path | None = None, slirp_file: Path | None = None) -> str:
    """A bochsrc for `spec`. display: "rfb" (headless, tests) or "x"/"sdl2"/"wx" (a window).
    slirp_file: where the caller writes bochs_slirp_config(spec), for a spec with network."""
    lines = []
    if spec.network and slirp_file is None:
        raise ValueError("a Bochs boot with network needs a slirp_file for bochs_slirp_config()")
    if spec.media == "efi":
        nic = f", slot{BOCHS_NIC_SLOT}=e1000" if spec.network else ""
        lines += [f"romimage: file={quoted(OVMF_COMBINED)}, address={OVMF_BOCHS_ADDRESS:#x}",
                  f"vgaromimage: file={quoted(BOCHS_VGABIOS)}",
                  f"pci: enabled=1, chipset=i440fx{nic}"]
        if spec.network:
            lines += [f"e1000: enabled=1, mac={BOCHS_NIC_MAC}, ethmod=slirp, script={slirp_file}"]
    else:
        # fastboot: no pause for the boot menu (F12), which the BIOS spends in HLT.
        lines += [f"romimage: file={quoted(BOCHS_BIOS)}, options=fastboot",
                  f"vgaromimage: file={quoted(BOCHS_VGABIOS)}"]
    lines += [f"memory: guest={spec.memory_mb}, host={spec.memory_mb}"]
    if spec.bochs_cpu:
        lines += [f"cpu: model={spec.bochs_cpu}"]
    image = spec.image
    if spec.media == "floppy":
        size = image.stat().st_size if image.exists() else FLOPPY_144_BYTES   # not built yet: `make help`
        if size != FLOPPY_144_BYTES:
            # Bochs itself would boot it, reading the missing sectors as zeros
            # without an error (its log says "read() on floppy image returns 0"):
            # the launcher refuses it first, since nothing good comes of that.
            raise ValueError(f"{image} is {size} bytes; the course boots in Bochs only a 1.44 MB "
                             f"floppy image of exactly {FLOPPY_144_BYTES} bytes")
        lines += [f"floppya: 1_44={quoted(image)}, status=inserted", "boot: floppy"]
    elif spec.media in ("hd", "efi"):
        lines += ["ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
                  f"ata0-master: type=disk, path={quoted(image)}, mode=flat{bochs_disk_geometry(image)}"]
        lines += ["boot: disk"]
    elif spec.media == "cdrom":
        lines += ["ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14",
                  f"ata0-master: type=cdrom, path={quoted(image)}, status=inserted",
                  "boot: cdrom"]
    if display == "rfb":
        lines += ['display_library: rfb, options="timeout=0"']
    else:
        lines += [f"display_library: {display}"]
    lines += ["speaker: enabled=0",
              "sound: driver=dummy",   # without it, a machine with no sound card aborts Bochs
              "mouse: enabled=0",
              "port_e9_hack: enabled=1",
              "clock: sync=none, time0=local"]
    if serial_file is not None:
        lines += [f"com1: enabled=1, mode=file, dev={quoted(serial_file)}"]
    lines += [f"log: {quoted(log_file) if log_file else '/dev/null'}",
              # A panic is reported, not fatal: Bochs's BIOS "panics" when
              # no disk boots, and the screen must stay readable after that.
              "panic: action=report", "error: action=report", "info: action=ignore"]
    lines += list(spec.bochs_extra)
    return "\n".join(lines) + "\n"


def bochs_slirp_config(spec: Spec) -> str:
    """The file Bochs's slirp module reads (its `script=`): the default
    10.0.2.0/24 network, and each hostfwd as QEMU's -netdev user would do it."""
    lines = ["# slirp config",          # Bochs requires this first line
             "restricted = 0", "net = 10.0.2.0", "mask = 255.255.255.0", "host = 10.0.2.2",
             "dhcpstart = 10.0.2.15", "dns = 10.0.2.3"]
    lines += [f"hostfwd = tcp:127.0.0.1:{host}-:{guest}" for host, guest in spec.hostfwd]
    return "\n".join(lines) + "\n"


def quoted(path: Path) -> str:
    """A path for a bochsrc: in double quotes, which Bochs's parser takes as one
    word, so a folder with a space in its name stays one path."""
    return f'"{path}"'


def bochs_disk_geometry(image: Path) -> str:
    """The CHS options Bochs needs for a flat hard-disk image, or "" when it infers them.

    Bochs infers a geometry of 16 heads x 63 sectors only for an image that is
    a whole number of such cylinders, and stops ("specified geometry doesn't
    fit") when a given geometry is larger than the image. Any other image gets
    the largest geometry that fits: 16 x 63 cylinders when there is room for
    one, else one head of up to 63 sectors. Sectors past the last whole
    cylinder are then out of the guest's reach (a truncated image stays
    truncated)."""
    sectors = image.stat().st_size // DISK_SECTOR_BYTES
    if sectors % BOCHS_AUTO_CYLINDER_SECTORS == 0 and sectors:
        return ""
    heads = BOCHS_AUTO_HEADS if sectors >= BOCHS_AUTO_CYLINDER_SECTORS else 1
    spt = min(BOCHS_AUTO_SECTORS_PER_TRACK, max(sectors, 1))
    cylinders = max(sectors // (heads * spt), 1)
    return f", cylinders={cylinders}, heads={heads}, spt={spt}"


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def fresh_ovmf_vars(directory: Path) -> Path:
    """A new copy of the OVMF variable store: the firmware remembers settings between boots."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / "OVMF_VARS.fd"
    shutil.copyfile(OVMF_VARS, copy)
    return copy
