"""The freestanding C library (common/lib), compiled for this machine and checked against Python.

The kernels cannot be unit-tested from inside an emulator cheaply; the library
is plain C with no dependencies, so it is built here as a host program that
prints what snprintf and the string functions produce.
"""

import subprocess
from pathlib import Path

COMMON = Path(__file__).resolve().parents[1]

DRIVER = r"""
#include <stdint.h>
#include <stddef.h>
#include "format.h"
#include "string.h"

int puts(const char *);   /* the host's, for output only */

static char line[256];
#define SHOW(...) do { int length = snprintf(line, sizeof line, __VA_ARGS__); \
                       char out[300]; snprintf(out, sizeof out, "%d|%s|", length, line); puts(out); } while (0)

int main(void)
{
    SHOW("%d %i %d", 0, -42, 2147483647);
    SHOW("%u %x %X", 4294967295u, 0xbeefu, 0xbeefu);
    SHOW("%lld", (long long)INT64_MIN);
    SHOW("%llu", (unsigned long long)UINT64_MAX);
    SHOW("%llx", 0x123456789abcdef0ull);
    SHOW("%#x %#010x %08x", 255u, 255u, 255u);
    SHOW("[%5d] [%-5d] [%05d] [%5s] [%-5s]", 42, 42, -42, "ab", "ab");
    SHOW("[%.3s] [%*d] [%.*s]", "abcdef", 4, 7, 2, "xyz");
    SHOW("%zu %hhu %hu %c %%", (size_t)12345, 257, 65537, 'Q');
    SHOW("%s", (char *)0);
    SHOW("%p", (void *)0x1234);
    SHOW("%q");
    char small[5];
    int n = snprintf(small, sizeof small, "%s", "truncated");
    SHOW("%d %s", n, small);
    SHOW("%d %d %d %d", strcmp("abc", "abd") < 0, strncmp("abcx", "abcy", 3), memcmp("ab", "ab", 2),
         (int)strlen("hello"));
    char overlap[16] = "0123456789";
    memmove(overlap + 2, overlap, 5);
    SHOW("%s", overlap);
    memmove(overlap, overlap + 3, 4);
    SHOW("%s", overlap);
    return 0;
}
"""

EXPECTED = [
    "0 -42 2147483647",
    "4294967295 beef BEEF",
    str(-2**63),
    str(2**64 - 1),
    "123456789abcdef0",
    "0xff 0x000000ff 000000ff",
    "[   42] [42   ] [-0042] [   ab] [ab   ]",
    "[abc] [   7] [xy]",
    "12345 1 1 Q %",
    "(null)",
    "0x0000000000001234",
    "%q",
    "9 trun",
    "1 0 0 5",
    "0101234789",
    "1234234789",
]


def test_snprintf_and_string_functions(tmp_path):
    (tmp_path / "driver.c").write_text(DRIVER)
    program = tmp_path / "driver"
    build = subprocess.run(
        ["gcc", "-std=gnu11", "-O2", "-fno-builtin", "-Wall", "-Wextra", "-Werror",
         "-Wno-format", "-I", str(COMMON / "include"), str(tmp_path / "driver.c"),
         str(COMMON / "lib" / "format.c"), str(COMMON / "lib" / "string.c"), "-o", str(program)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert build.returncode == 0, build.stdout
    out = subprocess.run([str(program)], stdout=subprocess.PIPE, text=True, check=True).stdout
    got = [line.split("|")[1] for line in out.splitlines()]
    lengths = [int(line.split("|")[0]) for line in out.splitlines()]
    assert got == EXPECTED
    # snprintf returns the length of the whole result, even when it was cut.
    assert lengths == [len(text) for text in EXPECTED]
