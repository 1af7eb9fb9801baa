/*
 * walk_file.c: the kernel's Multiboot2 walk (multiboot_walk.c) as a host
 * program, for tests/test_multiboot_walk.py.
 *
 *   walk_file INFO_FILE     print the boot information stored in the file
 *
 * The file's bytes are all the walk may read, in a heap buffer of exactly that
 * size; the tests build this with AddressSanitizer, which stops at the first
 * byte read past it. kprintf is the host's vprintf.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "console.h"
#include "multiboot_walk.h"

int kprintf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vprintf(fmt, args);
    va_end(args);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: walk_file INFO_FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *info = malloc(size > 0 ? (size_t)size : 1);
    if (!info || (size > 0 && fread(info, 1, (size_t)size, f) != (size_t)size)) {
        fprintf(stderr, "walk_file: cannot read %s\n", argv[1]);
        return 2;
    }
    fclose(f);
    mb2_print_boot_information(info, (size_t)size);
    printf("walk: returned\n");
    free(info);
    return 0;
}
