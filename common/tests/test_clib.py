"""The freestanding C library (common/lib), compiled for this machine and checked.

The kernels cannot be unit-tested from inside an emulator cheaply; the library
is plain C with no dependencies, so it is built here as a host program that
prints what snprintf and the string functions produce. Each test runs twice:
as a 64-bit program and as a 32-bit one (the ch04 kernel is i386, where long
and size_t are 32 bits wide).

The independent oracle for format() is the host's C library: the same format
and arguments go to both, and both results must be equal, byte for byte.
"""

import subprocess
from pathlib import Path

import pytest

from bootcamp import host

COMMON = Path(__file__).resolve().parents[1]
BITS = (64, 32)

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
    "0x0000000000001234",               # %p: every digit of a 64-bit pointer
    "%q",
    "9 trun",
    "1 0 0 5",
    "0101234789",
    "1234234789",
]


def build(tmp_path: Path, source: str, bits: int, *flags: str) -> Path:
    """A host program from `source` and the library, for 64- or 32-bit x86."""
    (tmp_path / "driver.c").write_text(source)
    program = tmp_path / f"driver{bits}"
    result = subprocess.run(
        ["gcc", f"-m{bits}", "-std=gnu11", "-O2", "-fno-builtin", "-Wall", "-Wextra", "-Werror",
         "-Wno-format", *flags, "-I", str(COMMON / "include"), str(tmp_path / "driver.c"),
         str(COMMON / "lib" / "format.c"), str(COMMON / "lib" / "memory.c"),
         str(COMMON / "lib" / "string.c"), "-o", str(program)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout + (
        "\n(32-bit builds need gcc-multilib: run `make doctor`)" if bits == 32 else "")
    return program


@pytest.mark.parametrize("bits", BITS)
def test_snprintf_and_string_functions(tmp_path, bits):
    program = build(tmp_path, DRIVER, bits)
    run = host.run(program, [], bits)
    assert run.returncode == 0, run.stdout
    out = run.stdout
    got = [line.split("|")[1] for line in out.splitlines()]
    lengths = [int(line.split("|")[0]) for line in out.splitlines()]
    expected = [text.replace("0x0000000000001234", "0x00001234") if bits == 32 else text
                for text in EXPECTED]
    assert got == expected
    # snprintf returns the length of the whole result, even when it was cut.
    assert lengths == [len(text) for text in expected]


# --- format() against the host's C library ----------------------------------
# Each CASE goes to our snprintf and to the host's vsnprintf; the program prints
# one line per case: its number, then both results between bars.
ORACLE = r"""
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>

static int host_snprintf(char *buffer, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buffer, size, fmt, args);
    va_end(args);
    return n;
}

#define snprintf bootcamp_snprintf     /* format.c is built with the same name */
#include "format.h"

static int number;
#define CASE(...) do { \
        char ours[512], theirs[512]; \
        int a = snprintf(ours, sizeof ours, __VA_ARGS__); \
        int b = host_snprintf(theirs, sizeof theirs, __VA_ARGS__); \
        printf("%d|%d|%s|%d|%s|\n", number++, a, ours, b, theirs); \
    } while (0)

int main(void)
{
    CASE("[%20c]", 'x');                       /* width on %c */
    CASE("[%-4c]", 'y');
    CASE("[%*d]", -6, 42);                     /* negative * width: left-justify */
    CASE("[%*s]", -5, "ab");
    CASE("[%*c]", -3, 'z');
    CASE("[%zd]", (ptrdiff_t)-5);              /* %zd of a negative value */
    CASE("[%zd]", (ptrdiff_t)PTRDIFF_MIN);
    CASE("[%zu]", (size_t)-1);
    CASE("[%td] [%tu]", (ptrdiff_t)-7, (ptrdiff_t)-1);
    CASE("[%ld] [%lu]", LONG_MIN, ULONG_MAX);
    CASE("[%lld] [%jd]", LLONG_MIN, (intmax_t)INTMAX_MIN);
    CASE("[%hhd] [%hd] [%hhu] [%hu]", 200, 40000, 300, 70000);
    CASE("[%#x] [%#X] [%#5x]", 0u, 0u, 0u);    /* '#' adds nothing to a zero */
    CASE("[%#x] [%#X] [%#010x] [%#-10x]", 255u, 255u, 255u, 255u);
    CASE("[%.0d] [%.0u] [%.0x] [%5.0d]", 0, 0u, 0u, 0);
    CASE("[%.3d] [%.3d] [%05.3d] [%-6.3d] [%.5x]", 7, -7, 7, -7, 0xabu);
    CASE("[%+d] [%+d] [% d] [% d] [%+ d] [%+5d] [%-+5d]", 5, -5, 5, -5, 5, 5, 5);
    CASE("[%+u] [% x]", 5u, 5u);               /* + and space only sign signed conversions */
    CASE("[%-05d] [%0-5d] [%05s]", 42, 42, "ab");
    CASE("[%010d] [%010d] [%+010d] [% 010d]", INT_MIN, INT_MAX, 42, 42);
    CASE("[%.*d] [%.*s]", -1, 42, -1, "whole");   /* negative * precision: none */
    CASE("[%*.*d] [%-*.*s]", 8, 4, -3, 6, 2, "abc");
    CASE("[%.0s] [%10.2s] [%-10s] [%.10s]", "abc", "abc", "abc", "abc");
    CASE("[%s]", "");
    CASE("%d%%%i", 1, 2);
    CASE("[%5%]");
    CASE("[%x] [%X] [%llx]", 0xdeadbeefu, 0xdeadbeefu, 0xfedcba9876543210ull);
    CASE("[%u]", 0u);
    CASE("[%05lld] [%05ld] [%05d] [%5lld]", -88LL, -88L, -88, -88LL);   /* sign before the zeros */
    /* What ch07 formats (one line each: the results are read line by line):
       addresses, HTTP heads, CPUID rows. */
    CASE("%u.%u.%u.%u:%u", (unsigned char)10, (unsigned char)0, (unsigned char)2, (unsigned char)15, 8080u);
    CASE("Content-Length: %llu", (unsigned long long)UINT32_MAX + 1);
    CASE("%08x: eax=%08x ebx=%08x", 0x80000008u, 0u, 0x756e6547u);
    CASE("HTTP/1.1 %d %s %s[%s]", 404, "Not Found", "", "x");
    return 0;
}
"""


def oracle_lines(tmp_path, bits):
    program = build(tmp_path, ORACLE, bits, "-Dsnprintf=bootcamp_snprintf")
    run = host.run(program, [], bits)
    assert run.returncode == 0, run.stdout
    return [line.split("|") for line in run.stdout.splitlines()]


@pytest.mark.parametrize("bits", BITS)
def test_format_agrees_with_the_host_c_library(tmp_path, bits):
    source = ORACLE.splitlines()
    cases = [line.strip() for line in source if line.strip().startswith("CASE(")]
    lines = oracle_lines(tmp_path, bits)
    assert len(lines) == len(cases), "the oracle program stopped early"
    wrong = [f"{case}\n    ours: {ours!r} (returns {a})\n    C:    {theirs!r} (returns {b})"
             for case, (_, a, ours, b, theirs, _) in zip(cases, lines)
             if (a, ours) != (b, theirs)]
    assert not wrong, f"{bits}-bit format() differs from the C library:\n" + "\n".join(wrong)


# Where the course's printf chooses, and the host C library cannot be the oracle.
LIMITS = r"""
#include <limits.h>
#include <stdio.h>
#undef snprintf
#define snprintf bootcamp_snprintf
#include "format.h"

int main(void)
{
    static char big[3 * FORMAT_FIELD_MAX];
    /* C would pad to 9999999999 (an int overflow) or fail; we stop at FORMAT_FIELD_MAX. */
    printf("%d\n", snprintf(big, sizeof big, "%9999999999d", 7));
    printf("%d\n", snprintf(big, sizeof big, "%.9999999999d", 7));
    int n = snprintf(big, sizeof big, "%*d", INT_MIN, 42);
    printf("%d %c%c\n", n, big[0], big[1]);
    n = snprintf(big, sizeof big, "%*d", INT_MAX, 42);
    printf("%d %c\n", n, big[FORMAT_FIELD_MAX - 1]);
    printf("%d\n", snprintf(big, sizeof big, "%.*d", INT_MAX, 1));
    printf("%d\n", snprintf(big, sizeof big, "%.*s", INT_MIN, "whole"));
    printf("%d %s\n", FORMAT_FIELD_MAX, big);
    snprintf(big, sizeof big, "%p", (void *)0);
    printf("[%s]\n", big);
    return 0;
}
"""


@pytest.mark.parametrize("bits", BITS)
def test_width_and_precision_stop_at_the_documented_limit(tmp_path, bits):
    program = build(tmp_path, LIMITS, bits, "-Dsnprintf=bootcamp_snprintf")
    run = host.run(program, [], bits)
    assert run.returncode == 0, run.stdout
    lines = run.stdout.splitlines()
    limit = int(lines[6].split()[0])
    assert int(lines[0]) == limit, "a ten-digit width"
    assert int(lines[1]) == limit, "a ten-digit precision"
    assert lines[2] == f"{limit} 42", "a * width of INT_MIN: left-justified, clamped"
    assert lines[3] == f"{limit} 2", "a * width of INT_MAX: right-justified, clamped"
    assert int(lines[4]) == limit, "a * precision of INT_MAX"
    assert lines[5] == "5", "a * precision of INT_MIN is negative: none"
    assert lines[7] == "[0x" + "0" * (bits // 4) + "]", "%p prints every digit"
