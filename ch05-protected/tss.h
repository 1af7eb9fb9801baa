/*
 * tss.h: the task state segment of long mode (tss.c), for its one use here:
 * a stack of its own for the double fault.
 */
#ifndef CH05_TSS_H
#define CH05_TSS_H

/* The interrupt stack table entry the double fault's gate names (idt.c):
 * 1-7 pick the TSS's IST1-IST7, 0 means "stay on the current stack". */
#define DOUBLE_FAULT_IST 1

/* Fill the TSS (IST1 = the top of the double fault's stack), write its
 * descriptor into the GDT slot long_mode.asm keeps for it, and load it (ltr). */
void tss_init(void);

#endif
