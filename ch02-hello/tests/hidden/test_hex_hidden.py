"""ch02, the grader's own: print_hex on values the handout's tests do not show.

hex.asm is the course's, not the learner's: the test copies it with another
table of values and builds that copy against the learner's print16.inc.
"""

import re
import sys
from pathlib import Path

from bootcamp import Spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # the chapter's tests/
from test_hello import build_a_copy, registers_kept  # noqa: E402

# A carry out of every digit, a lone top bit, alternating letters and digits.
HIDDEN_VALUES = (0x0001, 0x00FF, 0x0100, 0x8000, 0xA5C3, 0x0FF0, 0xFFFE)
VALUES_LINE = re.compile(r"^values:\s+dw .*$", re.M)


def test_print_hex_on_other_values(chapter, boot, emulator, logdir):
    source = (chapter.root / "hex.asm").read_text()
    assert VALUES_LINE.search(source), "hex.asm has no `values: dw ...` line to replace"
    table = ", ".join(f"0x{value:04X}" for value in HIDDEN_VALUES)
    image = build_a_copy(chapter, "hex_hidden", VALUES_LINE.sub(f"values:     dw {table}", source),
                         logdir)
    expected = " ".join(f"0x{value:04X}" for value in HIDDEN_VALUES)
    machine = boot(Spec(image), emulator)
    regs = machine.wait_halted(timeout=20)
    assert machine.debug_output().strip() == expected
    changed = registers_kept(chapter, regs)
    assert not changed, "print_hex clobbers nothing, yet " + ", ".join(changed)
