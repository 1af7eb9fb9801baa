/*
 * idt.c: the IDT, and what the kernel says when the CPU raises an exception.
 *
 * A 64-bit IDT gate is 16 bytes (Intel SDM vol. 3A, 6.14.1, figure 6-8):
 *
 *   bytes 0-1   handler address bits 0-15
 *   bytes 2-3   code segment selector (ours: the 64-bit code segment)
 *   byte  4     IST: 0, use the current stack; 1-7, switch to the TSS's ISTn first
 *               (the double fault's gate uses IST1: see tss.c for why)
 *   byte  5     P | DPL (2 bits) | 0 | type (4 bits): 0xE = 64-bit interrupt gate
 *   bytes 6-7   handler address bits 16-31
 *   bytes 8-11  handler address bits 32-63
 *   bytes 12-15 reserved, 0
 *
 * An interrupt gate clears IF on entry, so nothing interrupts the report.
 */
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "idt.h"
#include "tss.h"

#define GATE_PRESENT            0x80
#define GATE_DPL0               0x00
#define GATE_INTERRUPT_64       0x0E
#define VECTOR_DOUBLE_FAULT     8
#define VECTOR_PAGE_FAULT       14
#define IST_CURRENT_STACK       0
/* Page fault error code bits (Intel SDM vol. 3A, 4.7, figure 4-12) */
#define PF_PRESENT              (1u << 0)  /* 0: the page was not present; 1: a protection violation */
#define PF_WRITE                (1u << 1)
#define PF_USER                 (1u << 2)
#define PF_INSTRUCTION_FETCH    (1u << 4)

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "a 64-bit IDT gate is 16 bytes");

struct __attribute__((packed)) idt_pointer {
    uint16_t limit;          /* the last valid byte */
    uint64_t base;
};
_Static_assert(sizeof(struct idt_pointer) == 10, "lidt reads 2 + 8 bytes in 64-bit mode");

extern const uint64_t exception_stubs[EXCEPTION_VECTORS];   /* isr.asm */
extern uint8_t stack_guard[], stack_bottom[];                  /* long_mode.asm */

static struct idt_gate idt[EXCEPTION_VECTORS];

static const struct {
    const char *name;
    const char *mnemonic;
} exceptions[EXCEPTION_VECTORS] = {
    [0] = { "divide error", "#DE" },          [1] = { "debug", "#DB" },
    [2] = { "non-maskable interrupt", "NMI" }, [3] = { "breakpoint", "#BP" },
    [4] = { "overflow", "#OF" },              [5] = { "BOUND range exceeded", "#BR" },
    [6] = { "invalid opcode", "#UD" },        [7] = { "device not available", "#NM" },
    [8] = { "double fault", "#DF" },          [9] = { "coprocessor segment overrun", "" },
    [10] = { "invalid TSS", "#TS" },          [11] = { "segment not present", "#NP" },
    [12] = { "stack-segment fault", "#SS" },  [13] = { "general protection", "#GP" },
    [14] = { "page fault", "#PF" },           [15] = { "reserved", "" },
    [16] = { "x87 floating-point error", "#MF" }, [17] = { "alignment check", "#AC" },
    [18] = { "machine check", "#MC" },        [19] = { "SIMD floating-point", "#XM" },
    [20] = { "virtualization", "#VE" },       [21] = { "control protection", "#CP" },
    [22] = { "reserved", "" }, [23] = { "reserved", "" }, [24] = { "reserved", "" },
    [25] = { "reserved", "" }, [26] = { "reserved", "" }, [27] = { "reserved", "" },
    [28] = { "hypervisor injection", "#HV" }, [29] = { "VMM communication", "#VC" },
    [30] = { "security", "#SX" },             [31] = { "reserved", "" },
};

/* Vectors whose handlers receive an error code from the CPU (SDM table 6-1). */
static int has_error_code(uint64_t vector)
{
    switch (vector) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21: case 29: case 30:
        return 1;
    default:
        return 0;
    }
}

static uint16_t current_code_selector(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

void idt_init(void)
{
    uint16_t selector = current_code_selector();
    /* LAB SOLUTION idt_gates */
    for (unsigned v = 0; v < EXCEPTION_VECTORS; v++) {
        uint64_t handler = exception_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)handler,
            .selector = selector,
            .ist = v == VECTOR_DOUBLE_FAULT ? DOUBLE_FAULT_IST : IST_CURRENT_STACK,
            .type_attributes = GATE_PRESENT | GATE_DPL0 | GATE_INTERRUPT_64,
            .offset_middle = (uint16_t)(handler >> 16),
            .offset_high = (uint32_t)(handler >> 32),
        };
    }
    /* LAB STUB
    // One gate per vector v: exception_stubs[v] (isr.asm) split over the three
    // offset fields, the code selector, a present, DPL 0, 64-bit interrupt gate,
    // on the current stack, but the double fault's on DOUBLE_FAULT_IST.
    // Until then every gate is empty: the first exception becomes a triple fault.
    (void)selector;
    kprintf("LAB TODO: idt_gates\n");
    LAB END */
    struct idt_pointer pointer = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(pointer));
}

static uint64_t read_cr2(void)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

void exception_handler(const struct exception_frame *frame)
{
    uint64_t vector = frame->vector;
    /* Read CR2 first: a fault while reporting would overwrite it. */
    uint64_t cr2 = read_cr2();

    console_set_colour(VGA_WHITE, VGA_RED);
    kprintf("exception: %s", exceptions[vector].name);
    if (exceptions[vector].mnemonic[0])
        kprintf(" (%s)", exceptions[vector].mnemonic);
    kprintf(", vector %llu, ", (unsigned long long)vector);
    if (has_error_code(vector))
        kprintf("error code 0x%llx\n", (unsigned long long)frame->error_code);
    else
        kprintf("no error code\n");
    /* 0x written out: C's %#x prints a zero as plain 0, and any of these may be 0. */
    kprintf("RIP 0x%016llx  CS 0x%04llx  RFLAGS 0x%08llx  RSP 0x%016llx\n",
            (unsigned long long)frame->rip, (unsigned long long)frame->cs,
            (unsigned long long)frame->rflags, (unsigned long long)frame->rsp);
    if (vector == VECTOR_PAGE_FAULT) {
        uint64_t code = frame->error_code;
        kprintf("CR2 0x%016llx: %s %s, %s\n", (unsigned long long)cr2,
                code & PF_INSTRUCTION_FETCH ? "fetch from" : code & PF_WRITE ? "write to" : "read from",
                code & PF_PRESENT ? "a protected page" : "a page that is not mapped",
                code & PF_USER ? "user mode" : "kernel mode");
    }
    if (vector == VECTOR_DOUBLE_FAULT) {
        /* RIP is undefined for #DF (SDM vol. 3A, 6.15, "Interrupt 8"): the
         * fault it reports happened while delivering another exception. CR2
         * still says where the last page fault was. */
        uintptr_t fault = (uintptr_t)cr2;
        int in_guard = fault >= (uintptr_t)stack_guard && fault < (uintptr_t)stack_bottom;
        kprintf("CR2 %#018llx: %s\n", (unsigned long long)cr2,
                in_guard ? "in the guard page below the kernel stack: a stack overflow"
                         : "the address of the last page fault");
    }
    kprintf("halted.\n");
    cpu_halt_forever();
}
