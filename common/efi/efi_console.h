/* common/efi/efi_console.h: writing to ConOut and reading numbers a person typed.
 *
 * Formatted output is gnu-efi's Print() (libefi): %d %u %x with `l` for 64-bit
 * values (%lx), %s for CHAR16 strings, %a for ASCII, %g for an EFI_GUID *,
 * %r for an EFI_STATUS as words ("Not Found"). Print() writes through
 * ST->ConOut, which OVMF draws on the screen and mirrors on the serial port.
 * These helpers add what Print() lacks. Print() turns "\n" into "\r\n";
 * OutputString (console_write) does not: it needs both, as a terminal does.
 * Built with -fshort-wchar: L"..." is UTF-16, the firmware's CHAR16. */
#ifndef BOOTCAMP_EFI_CONSOLE_H
#define BOOTCAMP_EFI_CONSOLE_H

#include <efi.h>
#include <efilib.h>

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

/* Text exactly as given (no % formatting), through ConOut->OutputString. */
void console_write(const CHAR16 *text);

/* `text`, then spaces up to `width` columns (Print's %-20s does not pad on the right). */
void console_write_padded(const CHAR16 *text, UINTN width);

/* A byte count in the largest unit that keeps it whole or one decimal: "127.5 MiB". */
void console_print_size(UINT64 bytes);

/* A hex dump, 16 bytes a line: "00000000FFFFFFF0: 90 90 ... |................|".
 * `address` is what the first byte is labelled with. */
void console_hexdump(UINT64 address, const UINT8 *bytes, UINTN length);

/* Parse a whole string as a number. Hexadecimal with or without 0x
 * (parse_hex) or decimal unless it starts with 0x (parse_number).
 * FALSE if anything but digits is there, or the value overflows 64 bits. */
BOOLEAN parse_hex(const CHAR16 *text, UINT64 *value);
BOOLEAN parse_number(const CHAR16 *text, UINT64 *value);

/* Write ASCII text to the debug port 0xE9 (QEMU -debugcon, Bochs port_e9_hack). */
void debug_port_write(const CHAR8 *text);

#endif
