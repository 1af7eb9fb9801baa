"""ch07: the freestanding SHA-256 and text helpers, compiled for the host with gcc.

SHA-256 is checked against the standard test vectors (FIPS 180-2, appendix
B; NIST's "SHA Examples") and against Python's hashlib on lengths around the
64-byte block and its 56-byte padding boundary, fed in uneven pieces.
"""

import hashlib
import os
import subprocess

import pytest

from bootcamp.machine import lab_todo_in_output

# (message, SHA-256) from FIPS 180-2 appendix B and the NIST examples.
VECTORS = [
    (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    (b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
     b"klmnopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    (b"a" * 1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
]


@pytest.fixture(scope="module")
def host_check(chapter, tmp_path_factory):
    # Each pytest-xdist worker builds its own copy: two compilers writing one
    # build/host_check at once left a half-written file for the other.
    out = tmp_path_factory.mktemp("host_check") / "host_check"
    sources = [chapter.root / "tests" / "host_check.c", chapter.root / "sha256.c",
               chapter.root / "text.c"]
    subprocess.run(["gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror",
                    f"-I{chapter.root}", "-o", str(out), *map(str, sources)], check=True)
    return out


def digest(host_check, data: bytes, step: int) -> str:
    result = subprocess.run([str(host_check), "sha256", str(step)], input=data,
                            stdout=subprocess.PIPE, check=True, timeout=60)
    lab_todo_in_output(result.stdout.decode(errors="replace"), "host_check sha256")
    return result.stdout.decode().strip()


@pytest.mark.parametrize("message,expected", VECTORS, ids=["empty", "abc", "448-bit",
                                                           "896-bit", "million-a"])
def test_sha256_standard_vectors(host_check, message, expected):
    assert digest(host_check, message, 1 << 20) == expected
    assert digest(host_check, message, 7) == expected


@pytest.mark.parametrize("length", [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65537])
def test_sha256_block_boundaries(host_check, length):
    data = os.urandom(length)
    for step in (1, 3, 64, 100):
        assert digest(host_check, data, step) == hashlib.sha256(data).hexdigest(), (length, step)


def test_text_helpers(host_check):
    """text.c keeps what the C library lacks; formatting is common/lib's snprintf,
    checked against the host's C library in common/tests/test_clib.py."""
    out = subprocess.run([str(host_check), "text"], stdout=subprocess.PIPE, check=True,
                         text=True, timeout=60).stdout.splitlines()
    request = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"
    blank_line = request.index("\r\n\r\n")
    assert out == [
        # text_find: the blank line's offset; nothing past the length; "" at the start
        f"{blank_line}|1|1",
        "1|0|1|1",          # text_equal_nocase stops at n bytes or at the end of both
        "1|0|1",            # text_starts_with
        "AZ{",              # text_upper: letters only
        # text_parse_number: digits read and value; 2^64 overflows (0); no digits (0);
        # hex letters in base 10 are not digits
        f"3|{0x1AF}|20|{2**64 - 1}|0|0|0",
    ]
