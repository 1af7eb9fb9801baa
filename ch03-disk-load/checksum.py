"""checksum.py PAYLOAD.bin -- store the payload's Fletcher-16 in its last two bytes.

The payload (payload.asm) computes the same checksum over itself once stage 1
has loaded it, and compares: equal means every byte arrived as built.

Fletcher-16 as the payload computes it: two 8-bit sums in ones' complement
arithmetic (an 8-bit add whose carry is added back in, i.e. modulo 255, with
0xFF standing for zero as well as 0x00; RFC 1146). sum1 adds the bytes, sum2
adds each new sum1, so a byte's position matters: swapped sectors are caught.
The checksum word is sum2 << 8 | sum1, little-endian in the file.
"""

import sys
from pathlib import Path

CHECKSUM_BYTES = 2


def add_ones_complement(a: int, b: int) -> int:
    """An 8-bit add with end-around carry, as `add r8, x` then `adc r8, 0`."""
    total = a + b
    return total - 0xFF if total > 0xFF else total


def fletcher16(data: bytes) -> int:
    sum1 = sum2 = 0
    for byte in data:
        sum1 = add_ones_complement(sum1, byte)
        sum2 = add_ones_complement(sum2, sum1)
    return sum2 << 8 | sum1


def main(path: str) -> int:
    payload = Path(path)
    name = payload.name.removesuffix(".tmp")
    data = bytearray(payload.read_bytes())
    if data[-CHECKSUM_BYTES:] != bytes(CHECKSUM_BYTES):
        print(f"error: {name}: its last {CHECKSUM_BYTES} bytes are not the zeros "
              "payload.asm leaves for the checksum", file=sys.stderr)
        return 1
    value = fletcher16(data[:-CHECKSUM_BYTES])
    data[-CHECKSUM_BYTES:] = value.to_bytes(CHECKSUM_BYTES, "little")
    payload.write_bytes(data)
    print(f"{name}: Fletcher-16 0x{value:04X} over {len(data) - CHECKSUM_BYTES} bytes, "
          "in its last two bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
