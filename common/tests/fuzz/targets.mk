# The course's printf (lib/format.c), against the host C library's vsnprintf.
# Built for i386 as well: ch04's kernel is 32-bit, where long and size_t are.
FUZZ_TARGETS   += format
format_SOURCES := lib/format.c
# format.c defines snprintf; the fuzzer and the host C library need theirs.
format_CFLAGS  := -Dsnprintf=bootcamp_snprintf
format_ARCHES  := 64 32
