/*
 * fault_opcode.c (test build): UD2, the instruction that is defined to be
 * invalid. Expected: "exception: invalid opcode (#UD), vector 6, no error
 * code", RIP at fault_opcode_at.
 */
#include "boot.h"
#include "console.h"

void kmain_test_hook(void)
{
    kprintf("test:         executing UD2\n");
    __asm__ volatile(".global fault_opcode_at\n"
                     "fault_opcode_at: ud2");
}
