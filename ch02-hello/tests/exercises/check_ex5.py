"""Exercise 5: print_hex in GNU as: hello_gas prints the values hex.asm prints."""
from bootcamp.exercise import expect, halted


def test_gas_prints_the_hex_table(chapter, boot):
    _, table = halted(boot, chapter.image("hex.floppy.img"))
    _, gas = halted(boot, chapter.image("hello_gas.floppy.img"))
    expected = table.strip().split("\r\n")[0]
    expect(expected in gas, 5, f"hello_gas to print `{expected}`", gas)
