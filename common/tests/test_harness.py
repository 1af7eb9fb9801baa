"""The harness's own parsing: the text screen and pytest summaries."""

from bootcamp.course import counts
from bootcamp.screen import VGA_TEXT_BYTES, Screen


def screen_with(text: str, row: int, column: int, attribute: int) -> Screen:
    raw = bytearray(b"\x20\x07" * (VGA_TEXT_BYTES // 2))
    for i, ch in enumerate(text.encode("cp437")):
        offset = (row * 80 + column + i) * 2
        raw[offset], raw[offset + 1] = ch, attribute
    return Screen(bytes(raw))


def test_screen_finds_text_and_its_colours():
    screen = screen_with("Disk error", 3, 5, 0x4F)      # white on red
    assert screen.find("Disk error") == (3, 5)
    assert screen.colour_of("Disk error") == ("white", "red")
    assert "Disk error" in screen and "Hello" not in screen
    assert screen.lines[3] == "     Disk error"


def test_summary_counts():
    assert counts("=== 7 passed, 1 failed, 2 skipped in 3.21s ===") == \
        {"passed": 7, "failed": 1, "skipped": 2, "error": 0}
    assert counts("1 error in 0.1s")["error"] == 1
    assert counts("no summary here")["passed"] == 0
