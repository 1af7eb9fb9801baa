/* common/efi/efi_console.c: see efi_console.h. */
#include "efi_console.h"

/* DEBUG_PORT (0xE9, QEMU -debugcon, Bochs port_e9_hack) comes from the build:
   common/mk/tools.mk defines it once for C and assembly. */
#ifndef DEBUG_PORT
#error "DEBUG_PORT is not defined: the build passes it (common/mk/tools.mk)"
#endif
#define HEXDUMP_BYTES_PER_LINE 16
#define PRINTABLE_FIRST 0x20          /* ASCII space */
#define PRINTABLE_LAST 0x7E           /* ASCII ~ */

void console_write(const CHAR16 *text)
{
    ST->ConOut->OutputString(ST->ConOut, (CHAR16 *)text);
}

void console_write_padded(const CHAR16 *text, UINTN width)
{
    console_write(text);
    for (UINTN n = StrLen(text); n < width; n++)
        console_write(L" ");
}

void console_print_size(UINT64 bytes)
{
    static const struct { UINT64 unit; const CHAR16 *name; } units[] = {
        { GIB, L"GiB" }, { MIB, L"MiB" }, { KIB, L"KiB" },
    };
    for (UINTN i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (bytes >= units[i].unit) {
            UINT64 whole = bytes / units[i].unit;
            UINT64 tenths = (bytes % units[i].unit) * 10 / units[i].unit;
            if (tenths)
                Print(L"%ld.%ld %s", whole, tenths, units[i].name);
            else
                Print(L"%ld %s", whole, units[i].name);
            return;
        }
    }
    Print(L"%ld bytes", bytes);
}

void console_hexdump(UINT64 address, const UINT8 *bytes, UINTN length)
{
    for (UINTN line = 0; line < length; line += HEXDUMP_BYTES_PER_LINE) {
        CHAR16 ascii[HEXDUMP_BYTES_PER_LINE + 1];
        UINTN n = length - line < HEXDUMP_BYTES_PER_LINE ? length - line : HEXDUMP_BYTES_PER_LINE;
        Print(L"%016lx:", address + line);
        for (UINTN i = 0; i < HEXDUMP_BYTES_PER_LINE; i++) {
            if (i < n) {
                UINT8 b = bytes[line + i];
                Print(L" %02x", (UINTN)b);
                ascii[i] = (b >= PRINTABLE_FIRST && b <= PRINTABLE_LAST) ? b : L'.';
            } else {
                console_write(L"   ");
                ascii[i] = L' ';
            }
        }
        ascii[HEXDUMP_BYTES_PER_LINE] = 0;
        console_write(L"  |");
        console_write(ascii);
        console_write(L"|\r\n");
    }
}

static int digit_value(CHAR16 c)
{
    if (c >= L'0' && c <= L'9')
        return c - L'0';
    if (c >= L'a' && c <= L'f')
        return c - L'a' + 10;
    if (c >= L'A' && c <= L'F')
        return c - L'A' + 10;
    return -1;
}

static BOOLEAN parse_base(const CHAR16 *text, unsigned base, UINT64 *value)
{
    UINT64 result = 0;
    if (!*text)
        return FALSE;
    for (; *text; text++) {
        int digit = digit_value(*text);
        if (digit < 0 || (unsigned)digit >= base)
            return FALSE;
        if (result > (~0ULL - digit) / base)
            return FALSE;                       /* more than 64 bits */
        result = result * base + digit;
    }
    *value = result;
    return TRUE;
}

static BOOLEAN has_hex_prefix(const CHAR16 *text)
{
    return text[0] == L'0' && (text[1] == L'x' || text[1] == L'X');
}

BOOLEAN parse_hex(const CHAR16 *text, UINT64 *value)
{
    return parse_base(has_hex_prefix(text) ? text + 2 : text, 16, value);
}

BOOLEAN parse_number(const CHAR16 *text, UINT64 *value)
{
    if (has_hex_prefix(text))
        return parse_base(text + 2, 16, value);
    return parse_base(text, 10, value);
}

void debug_port_write(const CHAR8 *text)
{
    for (; *text; text++)
        __asm__ volatile("outb %0, %1" : : "a"(*text), "Nd"((UINT16)DEBUG_PORT));
}
