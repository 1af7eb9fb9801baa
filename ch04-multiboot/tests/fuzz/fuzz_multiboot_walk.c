/*
 * fuzz_multiboot_walk.c: the fuzzer's input is the boot information itself.
 *
 * The walk gets a copy in a heap buffer of exactly the input's size (8-byte
 * aligned, as the spec promises), and may read all of it and nothing more:
 * AddressSanitizer stops the run at the first byte past the end. Its output
 * goes through the course's format() into a sink that only counts, so the
 * printf is exercised with the walk's real formats and values.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "format.h"
#include "multiboot_walk.h"

static void count_sink(char c, void *context)
{
    (void)c;
    ++*(size_t *)context;
}

int kprintf(const char *fmt, ...)
{
    static size_t printed;
    va_list args;
    va_start(args, fmt);
    int n = format(count_sink, &printed, fmt, args);
    va_end(args);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *info = malloc(size ? size : 1);
    if (!info)
        return 0;
    memcpy(info, data, size);
    mb2_print_boot_information(info, size);
    free(info);
    return 0;
}
