/*
 * fault_divide.c (test build): divide by zero with DIV (in assembly: a C
 * division by zero is undefined behaviour the compiler may remove).
 * Expected: "exception: divide error (#DE), vector 0, no error code",
 * RIP at fault_divide_at.
 */
#include "boot.h"
#include "console.h"

void kmain_test_hook(void)
{
    kprintf("test:         dividing by zero\n");
    __asm__ volatile(".global fault_divide_at\n"
                     "fault_divide_at: divl %%ecx"
                     : : "a"(1), "d"(0), "c"(0));
}
