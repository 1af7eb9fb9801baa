/*
 * boot.h: what the assembly hands to kmain (long_mode.asm, stage2.asm,
 * multiboot_entry.asm).
 *
 * BOOT_PATH_LOADER and BOOT_PATH_MULTIBOOT2 come from the Makefile (-D), which
 * passes the same values to NASM: one definition for both languages.
 */
#ifndef CH05_BOOT_H
#define CH05_BOOT_H

#include <stdint.h>

#if !defined(BOOT_PATH_LOADER) || !defined(BOOT_PATH_MULTIBOOT2)
#error "BOOT_PATH_LOADER and BOOT_PATH_MULTIBOOT2 come from the Makefile"
#endif

/* The screen row under the last 32-bit message (long_mode.asm, a dword). */
extern uint32_t boot_text_row;

/* kmain(boot_path, magic, info), called from long_mode.asm in 64-bit mode,
 * System V AMD64 ABI: EDI, ESI, EDX. */
__attribute__((noreturn)) void kmain(uint32_t boot_path, uint32_t magic, uint32_t info);

/* Test builds (the files in tests/) define this to do something wrong on purpose;
 * the normal kernel has none and the weak reference is null. */
__attribute__((weak)) void kmain_test_hook(void);

#endif
