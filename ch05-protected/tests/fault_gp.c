/*
 * fault_gp.c (test build): read through a non-canonical address. In 64-bit
 * mode bits 63-47 of an address must all equal bit 47 (SDM vol. 1, 3.3.7.1);
 * 0x8000000000000000 breaks that rule, and a memory access through it is a
 * general-protection fault with error code 0 (not a page fault: the address
 * never reaches the page tables). Expected: "exception: general protection
 * (#GP), vector 13, error code 0x0", RIP at fault_gp_at.
 */
#include <stdint.h>

#include "boot.h"
#include "console.h"

#define NON_CANONICAL_ADDRESS 0x8000000000000000ull

void kmain_test_hook(void)
{
    kprintf("test:         reading from %#llx\n", NON_CANONICAL_ADDRESS);
    uint8_t value;
    __asm__ volatile(".global fault_gp_at\n"
                     "fault_gp_at: movb (%1), %0"
                     : "=r"(value) : "r"(NON_CANONICAL_ADDRESS) : "memory");
    kprintf("test:         read %#x: no fault\n", value);
}
