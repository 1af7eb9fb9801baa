/*
 * lab_todo.h -- how a lab stub (TEACHING.md) in this chapter's freestanding
 * code says that it ran. sha256.c and http_parse.c cannot print: they build
 * for the firmware and for the host programs of tests/. A stub there calls
 * lab_todo("LAB TODO: <part>"), and each program that links it says so where
 * its output goes: efi_main.c on the console (and so the serial port), the
 * host programs on their standard output. The declaration is weak: a program
 * that defines no lab_todo (the fuzz targets) links and runs without it.
 */
#ifndef LAB_TODO_H
#define LAB_TODO_H

void lab_todo(const char *message) __attribute__((weak));

/* Say `message` once per program run, if the program can say anything. */
#define LAB_TODO_ONCE(message)                  \
    do {                                        \
        static int lab_todo_said;               \
        if (!lab_todo_said && lab_todo) {       \
            lab_todo_said = 1;                  \
            lab_todo(message);                  \
        }                                       \
    } while (0)

#endif
