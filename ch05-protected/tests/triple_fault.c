/*
 * triple_fault.c (test build): an exception with no IDT to handle it.
 * An empty IDT (limit 0) makes INT3 raise #GP (its gate is outside the
 * table); delivering #GP fails the same way, which is a double fault; and
 * delivering #DF fails too: a triple fault, and the CPU resets. With
 * -no-reboot QEMU stops instead; the harness reports "triple-fault".
 */
#include <stdint.h>

#include "boot.h"
#include "console.h"

struct __attribute__((packed)) empty_idt_pointer {
    uint16_t limit;
    uint64_t base;
};

void kmain_test_hook(void)
{
    static const struct empty_idt_pointer empty = { 0, 0 };
    kprintf("test:         loading an empty IDT, then INT3\n");
    __asm__ volatile("lidt %0\n"
                     ".global triple_fault_at\n"
                     "triple_fault_at: int3" : : "m"(empty));
}
