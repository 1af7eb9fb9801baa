/*
 * fault_stack.c (test build): a kernel stack overflow, by recursion without
 * end. Each call takes a frame of the kernel's 16 KiB stack until a push
 * reaches the guard page below it (long_mode.asm): a page fault, whose frame
 * the CPU cannot push on that stack either, so a double fault, which the CPU
 * delivers on the IST1 stack (tss.c). Expected: "exception: double fault
 * (#DF), vector 8, error code 0x0" and CR2 in the guard page. Without IST1 the
 * machine would reset instead (a triple fault).
 */
#include <stdint.h>

#include "boot.h"
#include "console.h"

#define FRAME_BYTES 256

/* Read at each level, so the compiler can prove neither that the recursion
 * never ends (gcc warns, -Winfinite-recursion) nor that it can be a loop. */
static volatile int keep_going = 1;

__attribute__((noinline)) static unsigned recurse(unsigned depth)
{
    volatile uint8_t frame[FRAME_BYTES];
    frame[0] = (uint8_t)depth;
    if (!keep_going)
        return depth;
    /* Using frame after the call keeps it from being a tail call. */
    return recurse(depth + 1) + frame[0];
}

void kmain_test_hook(void)
{
    kprintf("test:         recursing without end\n");
    kprintf("test:         returned %u: no overflow\n", recurse(0));
}
