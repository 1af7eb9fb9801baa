"""The ESP builder (bootcamp.esp), as make debug and a test, or two terminals, use it at once."""

import subprocess
import threading

from bootcamp.esp import build_esp

BUILDS_AT_ONCE = 4
APP_BYTES = 256 * 1024          # big enough that copying it takes a while


def test_builds_of_one_image_at_once_each_leave_a_whole_image(tmp_path):
    app = tmp_path / "app.efi"
    app.write_bytes(bytes(range(256)) * (APP_BYTES // 256))
    out = tmp_path / "esp.img"
    errors: list[BaseException] = []

    def build() -> None:
        try:
            build_esp(out, app, {"note.txt": "hello"})
        except BaseException as error:      # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(BUILDS_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    copied = subprocess.run(["mtype", "-i", str(out), "::/EFI/BOOT/BOOTX64.EFI"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"})
    assert copied.returncode == 0 and copied.stdout == app.read_bytes(), copied.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.efi", "esp.img"], \
        "a build left its temporary files behind"
