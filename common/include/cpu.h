/*
 * cpu.h: stopping the CPU for good.
 *
 * HLT alone is not a stop: the next interrupt wakes the CPU and it runs on.
 * With interrupts disabled (CLI) only an NMI or SMI can wake it, so the loop
 * halts again if one does.
 */
#ifndef BOOTCAMP_CPU_H
#define BOOTCAMP_CPU_H

__attribute__((noreturn)) static inline void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
