"""Exercise 5: print_hex in GNU as: hello_gas prints the values hex.asm prints
(the same 0x.... values in the same order; case and spacing are free)."""
import re

from bootcamp.exercise import expect, halted

HEX = re.compile(r"0x[0-9A-Fa-f]{4}")


def test_gas_prints_the_hex_table(chapter, boot):
    _, table = halted(boot, chapter.image("hex.floppy.img"))
    _, gas = halted(boot, chapter.image("hello_gas.floppy.img"))
    first_line = table.strip().splitlines()[0]
    expected = [v.upper() for v in HEX.findall(first_line)]
    assert expected, f"hex.floppy.img should print its table first:\n{table}"
    printed = [v.upper() for v in HEX.findall(gas)]
    found = any(printed[i:i + len(expected)] == expected for i in range(len(printed)))
    expect(found, 5, f"hello_gas to print `{first_line.strip()}`", gas)
