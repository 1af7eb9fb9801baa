/*
 * idt.h: the interrupt descriptor table and the exception report (idt.c).
 */
#ifndef CH05_IDT_H
#define CH05_IDT_H

#include <stdint.h>

#define EXCEPTION_VECTORS 32

/* What isr.asm leaves on the stack, lowest address first: the registers it
 * pushed (r15 last), the vector and error code, then the CPU's own frame. */
struct exception_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;                 /* 0 when the CPU pushes none */
    uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};
_Static_assert(sizeof(struct exception_frame) == 22 * 8, "isr.asm pushes 22 quadwords");

/* Fill the IDT's first 32 gates with isr.asm's handlers and load it (lidt). */
void idt_init(void);

/* Called by isr.asm (System V AMD64: RDI = frame). Prints and halts. */
__attribute__((noreturn)) void exception_handler(const struct exception_frame *frame);

#endif
