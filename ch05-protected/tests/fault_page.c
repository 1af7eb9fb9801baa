/*
 * fault_page.c (test build): write to the first byte the page tables do not
 * map, 1 GiB. Expected: "exception: page fault (#PF), vector 14, error code
 * 0x2" (a write, page not present), CR2 0x40000000, RIP at fault_page_at.
 */
#include <stdint.h>

#include "boot.h"
#include "console.h"

#define FIRST_UNMAPPED_ADDRESS 0x40000000u   /* 1 GiB: long_mode.asm maps 0 to 1 GiB - 1 */

void kmain_test_hook(void)
{
    kprintf("test:         writing to %#x\n", FIRST_UNMAPPED_ADDRESS);
    /* The label marks the faulting instruction for the test (nm build/...elf). */
    __asm__ volatile(".global fault_page_at\n"
                     "fault_page_at: movb $1, (%0)"
                     : : "r"((uintptr_t)FIRST_UNMAPPED_ADDRESS) : "memory");
}
