"""ch03: stage 1 loads a 70-sector payload from floppy and hard disk, in QEMU and Bochs,
and says what went wrong when the disk or the payload is not what the build made."""

import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bootcamp import Spec, paths
from bootcamp.plugin import chapter_of
from bootcamp.gdbstub import count_hits, elf_symbols, gdb_batch
from bootcamp.run import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from checksum import fletcher16  # noqa: E402  (the chapter's build tool)

SECTOR_BYTES = 512
BUILD = chapter_of(__file__)            # what the build knows (make config)
LOAD_ADDRESS = BUILD.number("LOAD_ADDRESS")
BIOS_LOAD_ADDRESS = 0x7C00
PAYLOAD_LBA = 1
MIN_SECTORS = 40                        # the issue: loading must cross track and head boundaries
FLOPPY_SECTORS_PER_TRACK = 18
HD_PARTITION_START = BUILD.number("HD_PARTITION_START")
HD_PARTITION_TYPE = BUILD.config()["HD_PARTITION_TYPE"]
BOOT_CODE_BYTES = BUILD.number("BOOT_BUDGET")
DISK_SIGNATURE = slice(440, 446)        # the disk identifier and two bytes: never written
CUT_AFTER = 30                          # the truncated disk keeps this many payload sectors
SUCCESS = re.compile(r"(\d+) sectors, checksum OK\r\n")
DISK_ERROR = re.compile(r"Disk error 0x00([0-9A-F]{2}) at LBA 0x([0-9A-F]{4})\r\n")
SFDISK = shutil.which("sfdisk") or "/usr/sbin/sfdisk"

# (image, medium, how stage 1 reads it, the drive number the BIOS passes in DL)
BOOTS = {
    "floppy": ("payload.floppy.img", "floppy", "CHS", 0x00),
    "hd-lba": ("payload.hd.img", "hd", "LBA", 0x80),
    "hd-chs": ("payload-chs.hd.img", "hd", "CHS", 0x80),
}


def payload_sectors(chapter) -> int:
    return len(chapter.image("payload.bin").read_bytes()) // SECTOR_BYTES


def in_stage1(address: int) -> bool:
    return BIOS_LOAD_ADDRESS <= address < BIOS_LOAD_ADDRESS + SECTOR_BYTES


# -- the build ---------------------------------------------------------------------

def test_sector_count_comes_from_the_payload_size(chapter):
    payload = chapter.image("payload.bin").read_bytes()
    assert len(payload) % SECTOR_BYTES == 0, "the payload is not whole sectors"
    sectors = len(payload) // SECTOR_BYTES
    assert sectors >= MIN_SECTORS
    assert sectors > 2 * FLOPPY_SECTORS_PER_TRACK, "loading a floppy would not cross a cylinder"
    assert chapter.image("payload.sectors").read_text().strip() == str(sectors)
    # Stage 1 was assembled with that number: its listing shows the -D value in use.
    listing = chapter.image("stage1.lst").read_text()
    assert re.search(rf"mov cx, PAYLOAD_SECTORS", listing), listing
    assert f"B9{sectors:02X}00" in listing.replace(" ", "").upper(), \
        f"stage 1 does not load {sectors} sectors (mov cx, {sectors:#x} not in its listing)"


def test_payload_carries_its_checksum(chapter):
    payload = chapter.image("payload.bin").read_bytes()
    stored = int.from_bytes(payload[-2:], "little")
    assert stored == fletcher16(payload[:-2]) != 0


def test_images_hold_stage1_then_the_payload(chapter):
    stage1 = chapter.image("stage1.bin").read_bytes()
    payload = chapter.image("payload.bin").read_bytes()
    floppy = chapter.image("payload.floppy.img").read_bytes()
    assert len(floppy) == 1_474_560
    assert floppy[:SECTOR_BYTES] == stage1
    assert floppy[SECTOR_BYTES:SECTOR_BYTES + len(payload)] == payload
    disk = chapter.image("payload.hd.img").read_bytes()
    assert disk[:BOOT_CODE_BYTES] == stage1[:BOOT_CODE_BYTES]
    assert disk[510:512] == b"\x55\xaa"
    assert disk[SECTOR_BYTES:SECTOR_BYTES + len(payload)] == payload


def test_payload_too_big_fails_the_build_saying_by_how_much(chapter):
    result = chapter.make("PAYLOAD=too_big", "build/too_big.floppy.img")
    assert result.returncode != 0, "a 961-sector payload built without complaint"
    assert ("error: too_big.bin is 492032 bytes = 961 sectors, 1 over the 960 sectors "
            "stage 1 can load to 0x8000-0x7FFFF") in result.stdout, result.stdout
    assert not (chapter.build / "too_big.floppy.img").exists()


def sfdisk_partitions(image: Path) -> list[dict]:
    out = subprocess.run([SFDISK, "--json", str(image)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=30)
    assert out.returncode == 0, out.stdout
    return json.loads(out.stdout)["partitiontable"]["partitions"]


def test_partition_table_survives_installation(chapter, tmp_path):
    image = chapter.image("payload.hd.img")
    size_sectors = image.stat().st_size // SECTOR_BYTES
    (partition,) = sfdisk_partitions(image)
    assert partition["start"] == HD_PARTITION_START
    assert partition["size"] == size_sectors - HD_PARTITION_START
    assert partition["type"] == HD_PARTITION_TYPE and partition.get("bootable"), partition
    # Install another stage 1 over it, as a learner would: the table stays.
    copy = tmp_path / "disk.img"
    shutil.copyfile(image, copy)
    before = copy.read_bytes()[BOOT_CODE_BYTES:SECTOR_BYTES]
    install = paths.make_tool("install_mbr.sh")
    other = chapter.image("stage1-chs.bin")
    out = subprocess.run([str(install), str(copy), str(other), str(chapter.image("payload.bin"))],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert out.returncode == 0, out.stdout
    after = copy.read_bytes()
    assert after[:BOOT_CODE_BYTES] == other.read_bytes()[:BOOT_CODE_BYTES]
    assert after[BOOT_CODE_BYTES:SECTOR_BYTES] == before
    assert sfdisk_partitions(copy) == [dict(partition, node=str(copy) + "1")]


def test_disk_identifier_survives_installation(chapter, tmp_path):
    # A disk as a learner's real one would be: partitioned by a tool that gave
    # it an identifier (the base of every PARTUUID Linux boots from).
    disk = tmp_path / "disk.img"
    with open(disk, "wb") as f:
        f.truncate(chapter.image("payload.hd.img").stat().st_size)
    table = f"label: dos\nlabel-id: 0x12345678\nstart={HD_PARTITION_START}, type=83\n"
    made = subprocess.run([SFDISK, "--quiet", "--no-reread", "--no-tell-kernel", str(disk)],
                          input=table, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=30)
    assert made.returncode == 0, made.stdout
    before = disk.read_bytes()[:SECTOR_BYTES]
    assert before[DISK_SIGNATURE] == bytes.fromhex("78563412 0000")
    install = paths.make_tool("install_mbr.sh")
    stage1 = chapter.image("stage1.bin").read_bytes()
    out = subprocess.run([str(install), str(disk), str(chapter.image("stage1.bin")),
                          str(chapter.image("payload.bin"))],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert out.returncode == 0, out.stdout
    after = disk.read_bytes()[:SECTOR_BYTES]
    assert after[:BOOT_CODE_BYTES] == stage1[:BOOT_CODE_BYTES], "stage 1 was not installed"
    assert after[DISK_SIGNATURE] == before[DISK_SIGNATURE], \
        f"bytes 440-445 changed: {before[DISK_SIGNATURE].hex()} -> {after[DISK_SIGNATURE].hex()}"
    listed = subprocess.run([SFDISK, "--json", str(disk)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=30)
    assert json.loads(listed.stdout)["partitiontable"]["id"] == "0x12345678", listed.stdout
    # Stage 1 never needs those bytes: its code ends before them.
    assert not any(stage1[BOOT_CODE_BYTES:510]), "stage 1 has code or data past byte 439"


def test_installer_refuses_to_overwrite_a_partition(chapter, tmp_path):
    copy = tmp_path / "disk.img"
    shutil.copyfile(chapter.image("payload.hd.img"), copy)
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(HD_PARTITION_START * SECTOR_BYTES))
    install = paths.make_tool("install_mbr.sh")
    out = subprocess.run([str(install), str(copy), str(chapter.image("stage1.bin")), str(big)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert out.returncode != 0
    assert "would overwrite the first partition at LBA 2048" in out.stdout, out.stdout
    assert copy.read_bytes() == chapter.image("payload.hd.img").read_bytes()


# -- booting -----------------------------------------------------------------------

@pytest.mark.parametrize("boot_kind", sorted(BOOTS))
def test_payload_loads_and_checks_itself(chapter, boot, emulator, boot_kind):
    image, media, method, drive = BOOTS[boot_kind]
    sectors = payload_sectors(chapter)
    machine = boot(Spec(chapter.image(image), media=media), emulator)
    found = machine.wait_for(SUCCESS, timeout=30)
    assert int(found.group(1)) == sectors
    output = machine.debug_output()
    assert f"Loading 0x{sectors:04X} sectors by {method}\r\n" in output, output
    assert f"Payload running at CS=0x0000 IP=0x{LOAD_ADDRESS:04X}, boot drive DL=0x{drive:04X}" \
        in output, output
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    assert LOAD_ADDRESS <= regs.linear_ip < LOAD_ADDRESS + SECTOR_BYTES, regs.raw
    screen = machine.screen()
    assert f"{sectors} sectors, checksum OK" in screen, screen.framed()


def test_truncated_disk_prints_disk_error_and_halts(chapter, boot, emulator, logdir):
    cut = logdir / "cut.hd.img"
    cut.write_bytes(chapter.image("payload.hd.img").read_bytes()[:(PAYLOAD_LBA + CUT_AFTER)
                                                                   * SECTOR_BYTES])
    machine = boot(Spec(cut, media="hd"), emulator)
    found = machine.wait_for(DISK_ERROR, timeout=30)
    status, lba = int(found.group(1), 16), int(found.group(2), 16)
    assert status != 0, "a failed read reported status 0"
    # The LBA of the read that failed: the missing sector itself for a loader that
    # reads one sector a call, the first of its read for one that reads more.
    assert PAYLOAD_LBA <= lba <= PAYLOAD_LBA + CUT_AFTER, \
        f"failed at LBA {lba}, the disk ends before {PAYLOAD_LBA + CUT_AFTER}"
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled and in_stage1(regs.linear_ip), regs.raw
    output = machine.debug_output()
    assert "Payload" not in output and "checksum" not in output, output
    assert found.group(0).strip() in machine.screen(), machine.screen().framed()


def test_short_floppy_image_is_caught_by_the_checksum(chapter, boot, logdir):
    # QEMU only: the course's launcher refuses to start Bochs with a floppy image
    # of any size but 1,474,560 bytes (Bochs itself would read the missing
    # sectors as zeros, without an error, and the checksum would say BAD too). QEMU takes a short image, picks another floppy
    # format for its size, and reads without an error: what stage 1 loads with
    # the 1.44 MB geometry is not the payload, and only the checksum can tell.
    cut = logdir / "cut.floppy.img"
    cut.write_bytes(chapter.image("payload.floppy.img").read_bytes()[:(PAYLOAD_LBA + CUT_AFTER)
                                                                       * SECTOR_BYTES])
    machine = boot(Spec(cut), "qemu")
    machine.wait_for(re.compile(r"\d+ sectors, checksum BAD: computed 0x[0-9A-F]{4}, "
                                r"stored 0x[0-9A-F]{4}\r\n"), timeout=30)
    assert not machine.wait_halted(timeout=10).interrupts_enabled


def test_corrupted_payload_prints_checksum_bad(chapter, boot, emulator, logdir):
    image = bytearray(chapter.image("payload.floppy.img").read_bytes())
    sectors = payload_sectors(chapter)
    stored = int.from_bytes(chapter.image("payload.bin").read_bytes()[-2:], "little")
    # One byte in the label of the last payload sector: code that never runs.
    last_sector = (PAYLOAD_LBA + sectors - 1) * SECTOR_BYTES
    assert image[last_sector:last_sector + 4] == b"ch03"
    image[last_sector] ^= 0x01
    bad = logdir / "corrupt.floppy.img"
    bad.write_bytes(image)
    machine = boot(Spec(bad), emulator)
    found = machine.wait_for(re.compile(
        r"(\d+) sectors, checksum BAD: computed 0x([0-9A-F]{4}), stored 0x([0-9A-F]{4})"),
        timeout=30)
    assert int(found.group(1)) == sectors
    assert int(found.group(3), 16) == stored and int(found.group(2), 16) != stored
    regs = machine.wait_halted(timeout=10)
    assert not regs.interrupts_enabled, regs.raw
    assert "checksum BAD" in machine.screen(), machine.screen().framed()


# -- debugging ---------------------------------------------------------------------

def test_gdb_stops_at_7c00_then_at_the_payload(chapter, boot, tmp_path):
    payload = chapter.image("payload.bin").read_bytes()
    dump = tmp_path / "memory.bin"
    port = free_port()
    boot(Spec(chapter.image("payload.hd.img"), media="hd"), "qemu", gdb_port=port, paused=True)
    # The script `make debug` uses: it stops at 0x7C00 and shows 16-bit state at every stop.
    out = gdb_batch(port, f"break *{LOAD_ADDRESS:#x}", "continue",
                    f"dump binary memory {dump} {LOAD_ADDRESS:#x} {LOAD_ADDRESS + len(payload):#x}",
                    script=paths.gdb_script("real_mode.gdb"))
    stops = re.findall(r"CS:IP (\w{4}):(\w{4})  \(linear 0x(\w+)\)   SS:SP (\w{4}):(\w{4})"
                       r"   DS (\w{4})  ES (\w{4})\nAX \w{4}  BX \w{4}  CX \w{4}  DX (\w{4})", out)
    assert len(stops) == 2, out
    first, second = stops
    assert int(first[2], 16) == BIOS_LOAD_ADDRESS, out
    # At the payload's entry: stage 1's contract.
    assert second[:3] == ("0000", f"{LOAD_ADDRESS:04x}", f"{LOAD_ADDRESS:05x}"), out
    assert second[3:7] == ("0000", "7c00", "0000", "0000"), out      # SS:SP, DS, ES
    assert second[7].endswith("80"), f"DL is not the hard disk 0x80\n{out}"
    assert re.search(r"cli|jmp|mov|call", out.split("linear 0x08000")[1]), \
        f"no 16-bit disassembly at the payload\n{out}"
    assert dump.read_bytes() == payload, "memory at the load address differs from payload.bin"


def test_a_failing_read_is_retried_three_times(chapter, boot, logdir):
    # Count, with gdb, how often stage 1 resets the drive before it gives up.
    address = elf_symbols(chapter.image("stage1.elf"))
    cut = logdir / "cut.hd.img"
    cut.write_bytes(chapter.image("payload.hd.img").read_bytes()[:(PAYLOAD_LBA + CUT_AFTER)
                                                                   * SECTOR_BYTES])
    port = free_port()
    machine = boot(Spec(cut, media="hd"), "qemu", gdb_port=port, paused=True)
    counted: list = []
    gdb = threading.Thread(target=lambda: counted.append(count_hits(
        port, logdir / "count_resets.gdb", at=address["disk_read_sector.reset"],
        stops=[address["disk_error"]])), daemon=True)
    gdb.start()
    # gdb stops the machine at disk_error, counts, and detaches: then it runs on
    # to the message. Waiting here (not in gdb) is what sees a lab stub at once.
    machine.wait_for(DISK_ERROR, timeout=60)
    gdb.join(timeout=60)
    assert counted, "gdb did not finish counting"
    resets, _, out = counted[0]
    assert resets == 3, out


# (LBA, sectors per track, heads): past cylinder 255 too, where the cylinder's
# bits 8-9 go to CL's top bits, which a 70-sector payload never needs.
CHS_CASES = [(1, 63, 16), (62, 63, 16), (65535, 63, 16), (64449, 63, 1), (20000, 18, 2),
             (30000, 32, 3)]
CHS_LINE = re.compile(r"^chs (\d+) (\d+) (\d+): cx=([0-9a-fx]+) dh=([0-9a-fx]+)$", re.M)


def chs_registers(lba: int, sectors: int, heads: int) -> tuple[int, int]:
    """CX and DH for int 0x13 AH=02h, as the BIOS interface defines them: CH the
    cylinder's low 8 bits, CL bits 6-7 its bits 8-9 and bits 0-5 the sector
    (from 1), DH the head."""
    track, sector = divmod(lba, sectors)
    cylinder, head = divmod(track, heads)
    return (cylinder & 0xFF) << 8 | (cylinder >> 8 & 3) << 6 | (sector + 1), head


def test_lba_to_chs_by_the_formula_past_cylinder_255(chapter, boot, logdir):
    """gdb stops the CHS variant where it turns an LBA into CHS, gives it other
    LBAs and geometries, and reads CX and DH where it calls the BIOS: each as
    the formula says. The reads never happen: gdb sends it back each time."""
    address = elf_symbols(chapter.image("stage1-chs.elf"))
    chs, call = address["disk_read_sector.chs"], address["disk_read_sector.call"]
    commands = [f"break *{chs:#x}", "continue", "delete", f"break *{call:#x}"]
    for lba, sectors, heads in CHS_CASES:
        commands += [f"set $eax = {lba}",
                     f"set {{unsigned short}}{address['disk_sectors_per_track']:#x} = {sectors}",
                     f"set {{unsigned short}}{address['disk_heads']:#x} = {heads}",
                     f"jump *{chs:#x}",
                     f'printf "chs {lba} {sectors} {heads}: cx=%#x dh=%#x\\n", '
                     "$ecx & 0xffff, ($edx >> 8) & 0xff"]
    port = free_port()
    machine = boot(Spec(chapter.image("payload-chs.hd.img"), media="hd"), "qemu",
                   gdb_port=port, paused=True)
    try:
        out = gdb_batch(port, *commands)
    except subprocess.TimeoutExpired as timeout:
        out = (timeout.output or b"").decode(errors="replace")
        raise AssertionError(f"gdb gave up after {timeout.timeout:.0f} s: a case never reached "
                             f"the BIOS call (disk_read_sector.call):\n{out}") from None
    machine.check_lab_todo(final=True)
    got = {tuple(map(int, m[:3])): (int(m[3], 16), int(m[4], 16))
           for m in CHS_LINE.findall(out)}
    missing = [case for case in CHS_CASES if case not in got]
    assert not missing, (f"LBA {missing[0][0]} ({missing[0][1]} sectors a track, {missing[0][2]} "
                         f"heads) never reached the BIOS call (disk_read_sector.call); gdb:\n{out}")
    wrong = [f"LBA {lba}, {sectors} sectors a track, {heads} heads: CX {got[case][0]:#06x} "
             f"DH {got[case][1]:#04x}, wanted CX {chs_registers(*case)[0]:#06x} "
             f"DH {chs_registers(*case)[1]:#04x}"
             for case in CHS_CASES for lba, sectors, heads in [case]
             if got[case] != chs_registers(*case)]
    assert not wrong, "\n".join(wrong)


def test_geometry_failure_prints_disk_error(chapter, boot):
    # No BIOS here fails AH=08h on a disk it booted from, so gdb makes it fail:
    # it stops the CHS variant right after the call and sets CF with status 0x07.
    address = elf_symbols(chapter.image("stage1-chs.elf"))["disk_init.parameters"]
    port = free_port()
    machine = boot(Spec(chapter.image("payload-chs.hd.img"), media="hd"), "qemu",
                   gdb_port=port, paused=True)
    out = gdb_batch(port, f"break *{address:#x}", "continue",
                    "set $eflags = $eflags | 1", "set $eax = ($eax & ~0xff00) | 0x0700")
    assert "Breakpoint 1," in out, out
    found = machine.wait_for(DISK_ERROR, timeout=20)
    assert found.groups() == ("07", f"{PAYLOAD_LBA:04X}"), found.group(0)
    assert "Loading" not in machine.debug_output(), "stage 1 went on without a geometry"
    assert not machine.wait_halted(timeout=10).interrupts_enabled
