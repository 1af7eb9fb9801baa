/*
 * tss.c: the 64-bit task state segment, and a stack for the double fault.
 *
 * In long mode the TSS holds no task state any more (no hardware task
 * switching); it is a table of stack pointers the CPU loads by itself
 * (Intel SDM vol. 3A, 8.7, figure 8-11):
 *   RSP0-RSP2  the stack for an interrupt that raises the privilege level to
 *              ring 0-2 (unused here: everything runs in ring 0)
 *   IST1-IST7  the interrupt stack table: an IDT gate whose IST field is N
 *              makes the CPU switch to ISTN before it pushes anything,
 *              whatever RSP was.
 *
 * Why the double fault needs it: when the kernel's stack overflows into its
 * guard page (long_mode.asm), the faulting push raises a page fault, and the
 * CPU must push the page fault's frame on the same stack, which faults
 * again: a double fault. With IST 0 the CPU would push the double fault's
 * frame on that same broken stack too, fault a third time and reset the
 * machine (a triple fault), with nothing on the screen. With IST1 it gets a
 * fresh stack and the report appears.
 *
 * The TSS's descriptor is a 16-byte system descriptor in the GDT (SDM 8.2.3,
 * figure 8-4); long_mode.asm reserves its slot (gdt64.tss), this file fills
 * it in, and `ltr` loads its selector into the task register.
 */
#include <stdint.h>

#include "tss.h"

#define DOUBLE_FAULT_STACK_BYTES 4096
#define STACK_ALIGNMENT          16        /* the System V ABI's, at a call */
#define TSS_TYPE_AVAILABLE_64    0x9       /* a 64-bit TSS, not busy (SDM table 3-2) */
#define DESCRIPTOR_PRESENT       0x80
#define DESCRIPTOR_DPL0          0x00
#define TSS_IST_ENTRIES          7

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];                     /* RSP0-RSP2 */
    uint64_t reserved1;
    uint64_t ist[TSS_IST_ENTRIES];       /* ist[0] is IST1 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_map_base;                /* offset of the I/O permission bitmap */
};
_Static_assert(sizeof(struct tss64) == 104, "a 64-bit TSS is 104 bytes (SDM figure 8-11)");

struct tss64_descriptor {
    uint16_t limit_low;                  /* the last valid byte, bits 0-15 */
    uint16_t base_low;
    uint8_t base_middle;                 /* base bits 16-23 */
    uint8_t access;                      /* P | DPL | 0 | type */
    uint8_t flags_limit_high;            /* G, AVL (0 here) | limit bits 16-19 */
    uint8_t base_high;                   /* base bits 24-31 */
    uint32_t base_upper;                 /* base bits 32-63 */
    uint32_t reserved;
};
_Static_assert(sizeof(struct tss64_descriptor) == 16, "a long-mode TSS descriptor is 16 bytes");

/* long_mode.asm: the GDT and the TSS slot in it. */
extern uint8_t gdt64[];
extern struct tss64_descriptor gdt64_tss;

static struct tss64 tss;
static uint8_t double_fault_stack[DOUBLE_FAULT_STACK_BYTES]
    __attribute__((aligned(STACK_ALIGNMENT)));

void tss_init(void)
{
    /* The stack grows down: IST1 is its top. No I/O bitmap: its offset is
     * the TSS's size, past the limit, so every port is ring 0's only. */
    tss.ist[DOUBLE_FAULT_IST - 1] = (uint64_t)(uintptr_t)(double_fault_stack + sizeof double_fault_stack);
    tss.io_map_base = sizeof tss;

    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint32_t limit = sizeof tss - 1;
    gdt64_tss = (struct tss64_descriptor){
        .limit_low = (uint16_t)limit,
        .base_low = (uint16_t)base,
        .base_middle = (uint8_t)(base >> 16),
        .access = DESCRIPTOR_PRESENT | DESCRIPTOR_DPL0 | TSS_TYPE_AVAILABLE_64,
        .flags_limit_high = (uint8_t)((limit >> 16) & 0x0F),
        .base_high = (uint8_t)(base >> 24),
        .base_upper = (uint32_t)(base >> 32),
    };
    /* The selector is the descriptor's offset in the GDT. ltr marks the
     * descriptor busy (type 0xB): loading it twice would be a #GP. */
    uint16_t selector = (uint16_t)((uintptr_t)&gdt64_tss - (uintptr_t)gdt64);
    __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}
