; isr.asm: the first instructions of the 32 CPU exception handlers.
;
; Who jumps here: the CPU, through the IDT (idt.c), when an exception happens
;   in 64-bit mode. It has pushed, on a 16-byte aligned stack:
;       SS, RSP, RFLAGS, CS, RIP, and for some vectors an error code.
; What it does: makes every frame look the same (a 0 where the CPU pushed no
;   error code), pushes the vector and the general registers, and calls
;   exception_handler(frame) in idt.c. The layout pushed here is
;   struct exception_frame in idt.h; keep the two in step.
; Where it goes: nowhere: exception_handler reports and halts.
; Calling convention: System V AMD64 for the call: RDI = the frame, RSP
;   16-byte aligned at the call (6 + 15 eight-byte slots = 168 bytes, plus the
;   8 of the error-code slot = 176, a multiple of 16), direction flag clear.

bits 64

; The vectors for which the CPU pushes an error code (Intel SDM vol. 3A, table 6-1).
%define HAS_ERROR_CODE(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
                           (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
EXCEPTION_VECTORS equ 32

section .text
extern exception_handler

%assign vector 0
%rep EXCEPTION_VECTORS
exception_%+vector:
  %if !HAS_ERROR_CODE(vector)
    push 0                          ; no error code from the CPU: a 0 in its place
  %endif
    push vector
    jmp exception_common
%assign vector vector + 1
%endrep

exception_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp                    ; struct exception_frame *
    cld
    call exception_handler          ; declared noreturn: it halts
    ud2                             ; never reached; a fault here would be reported

; The handlers' addresses, by vector, for idt.c.
section .rodata
global exception_stubs
exception_stubs:
%assign vector 0
%rep EXCEPTION_VECTORS
    dq exception_%+vector
%assign vector vector + 1
%endrep
