"""ch07, the grader's own: SHA-256 and chunked decoding on payload lengths the
handout's tests do not use. The oracles are Python's hashlib and the bytes the
test itself chunked; the programs are the handout's own host builds.
"""

import hashlib
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # the chapter's tests/
from test_host_code import digest, host_check  # noqa: E402,F401  (host_check: a fixture)
from test_http_parse import http_check, run  # noqa: E402,F401  (http_check: a fixture)

# Around the padding boundary (55/56 bytes) of the second and third blocks, and odd sizes.
HIDDEN_SHA_LENGTHS = (0, 111, 112, 183, 184, 191, 192, 4095, 100_003)
# Chunk sizes: one byte, a hex letter, several hex digits, a typical TCP segment.
HIDDEN_CHUNKS = ((1,), (10, 11, 15), (255, 256, 4096), (1460,) * 5 + (17,))
SEED = 1207          # the same bytes on every run: a failure can be replayed


@pytest.mark.parametrize("length", HIDDEN_SHA_LENGTHS)
def test_sha256_other_lengths(host_check, length):  # noqa: F811
    data = random.Random(SEED + length).randbytes(length)
    for step in (1, 5, 64, 65, 1 << 20):
        assert digest(host_check, data, step) == hashlib.sha256(data).hexdigest(), (length, step)


@pytest.mark.parametrize("sizes", HIDDEN_CHUNKS, ids=lambda sizes: f"{sum(sizes)}-bytes")
def test_chunked_other_lengths(http_check, sizes):  # noqa: F811
    rng = random.Random(SEED + sum(sizes))
    chunks = [rng.randbytes(size) for size in sizes]
    # Upper- and lower-case hex digits, one size with an extension.
    wire = b"".join((b"%X" if n % 2 else b"%x") % len(chunk) + (b";n=1" if n == 1 else b"") +
                    b"\r\n" + chunk + b"\r\n" for n, chunk in enumerate(chunks))
    wire += b"0\r\n\r\n"
    for step in (1, 7, 1460, len(wire)):
        got = run(http_check, wire, "chunked", str(step))
        assert got["ok"] and got["used"] == len(wire), (step, got)
        assert bytes.fromhex(got["data"]) == b"".join(chunks), step
