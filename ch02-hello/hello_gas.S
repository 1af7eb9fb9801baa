/*
 * hello_gas.S -- the same "Hello, world!" in GNU as (AT&T syntax, .code16).
 *
 * Who jumps here: the BIOS, in 16-bit real mode, at linear address 0x7C00,
 *   with DL = the boot drive; nothing else is promised.
 * Where it goes: nowhere (cli; hlt).
 *
 * This file keeps its own copy of the printing loop: GNU as cannot include
 * NASM's print16.inc. It differs from print16.inc only in syntax
 * (operands are source, destination; registers take %; immediates take $).
 * The linker script (common/mk/boot_sector.ld) places the code at 0x7C00 and
 * the signature at byte 510, exactly as for the NASM version.
 */

        .code16                         /* real mode: 16-bit instructions */
        .global start

        .set BIOS_VIDEO_SERVICE, 0x10   /* int 0x10: video services */
        .set BIOS_TELETYPE, 0x0E        /* AH=0Eh: write AL at the cursor */
        /* DEBUG_PORT, the emulator debug console (0xE9), comes from the
           build: as --defsym DEBUG_PORT=0xE9 (common/mk/tools.mk). */
        .set STACK_TOP, 0x7C00

        .text
start:
        ljmp    $0x0000, $normalized    /* CS = 0000, whatever the BIOS chose */
normalized:
        cli                             /* no interrupts while SS:SP is half set */
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        sti
        cld

        movw    $greeting, %si
        call    print_string
        movw    $newline, %si
        call    print_string

        cli
halt:
        hlt
        jmp     halt

/*
 * print_string
 *   IN:       DS:SI = zero-terminated string
 *   OUT:      the string on screen and on the debug port
 *   CLOBBERS: nothing
 */
print_string:
        pushw   %ax
        pushw   %bx
        pushw   %si
/* LAB SOLUTION gas_print_string */
1:      lodsb                           /* AL = [DS:SI], SI += 1 */
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUG_PORT        /* the host's copy */
        movb    $BIOS_TELETYPE, %ah
        xorw    %bx, %bx                /* page 0 */
        int     $BIOS_VIDEO_SERVICE
        jmp     1b
/* LAB STUB
        pushw   %cx
        pushw   %dx
        movw    $lab_todo, %si
        movw    $(lab_todo_end - lab_todo), %cx
        movw    $DEBUG_PORT, %dx
        rep outsb
        popw    %dx
        popw    %cx
        jmp     2f
lab_todo:
        .ascii  "LAB TODO: gas_print_string\n"
lab_todo_end:
LAB END */
2:      popw    %si
        popw    %bx
        popw    %ax
        ret

greeting:
        .asciz  "Hello, world!"
newline:
        .asciz  "\r\n"
