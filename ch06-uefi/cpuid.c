/* ch06-uefi/cpuid.c: `cpuid`, what the processor says about itself.
 *
 * The instruction itself, and the names of its leaves, are in cpuid.h. */
#include <efi.h>
#include <efilib.h>
#include "cpuid.h"
#include "efi_console.h"
#include "shell.h"
#include "shell_commands.h"

#define BRAND_CHARS          48

struct cpuid_regs cpuid_query(UINT32 leaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                             : "a"(leaf), "c"(0));
    return r;
}

void cpuid_vendor(char vendor[CPUID_VENDOR_CHARS + 1])
{
    struct cpuid_regs r = cpuid_query(CPUID_LEAF_VENDOR);
    const UINT32 words[] = { r.ebx, r.edx, r.ecx };
    for (UINTN w = 0; w < 3; w++)
        for (UINTN b = 0; b < 4; b++)
            vendor[w * 4 + b] = (char)(words[w] >> (8 * b));
    vendor[CPUID_VENDOR_CHARS] = 0;
}

static void ascii_regs(CHAR16 *out, const UINT32 *words, UINTN count)
{
    for (UINTN w = 0; w < count; w++)
        for (UINTN b = 0; b < 4; b++)
            out[w * 4 + b] = (words[w] >> (8 * b)) & 0xFF;
    out[count * 4] = 0;
}

enum reg { EDX, ECX };
static const struct { UINT32 leaf; enum reg reg; UINT8 bit; const CHAR16 *name; } features[] = {
    { CPUID_LEAF_FEATURES,      EDX, 0,  L"fpu" },
    { CPUID_LEAF_FEATURES,      EDX, 4,  L"tsc" },
    { CPUID_LEAF_FEATURES,      EDX, 5,  L"msr" },
    { CPUID_LEAF_FEATURES,      EDX, 6,  L"pae" },
    { CPUID_LEAF_FEATURES,      EDX, 9,  L"apic" },
    { CPUID_LEAF_FEATURES,      EDX, 13, L"pge" },
    { CPUID_LEAF_FEATURES,      EDX, 15, L"cmov" },
    { CPUID_LEAF_FEATURES,      EDX, 23, L"mmx" },
    { CPUID_LEAF_FEATURES,      EDX, 25, L"sse" },
    { CPUID_LEAF_FEATURES,      EDX, 26, L"sse2" },
    { CPUID_LEAF_FEATURES,      ECX, 0,  L"sse3" },
    { CPUID_LEAF_FEATURES,      ECX, 19, L"sse4.1" },
    { CPUID_LEAF_FEATURES,      ECX, 20, L"sse4.2" },
    { CPUID_LEAF_FEATURES,      ECX, 21, L"x2apic" },
    { CPUID_LEAF_FEATURES,      ECX, 28, L"avx" },
    { CPUID_LEAF_FEATURES,      ECX, 31, L"hypervisor" },
    { CPUID_LEAF_EXT_FEATURES,  EDX, 11, L"syscall" },
    { CPUID_LEAF_EXT_FEATURES,  EDX, 20, L"nx" },
    { CPUID_LEAF_EXT_FEATURES,  EDX, 26, L"1g-pages" },
    { CPUID_LEAF_EXT_FEATURES,  EDX, 29, L"long-mode" },
};

EFI_STATUS command_cpuid(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);

    struct cpuid_regs r = cpuid_query(CPUID_LEAF_VENDOR);
    UINT32 vendor_words[3] = { r.ebx, r.edx, r.ecx };
    CHAR16 vendor[13];
    ascii_regs(vendor, vendor_words, 3);
    UINT32 max_leaf = r.eax;
    UINT32 max_extended = cpuid_query(CPUID_LEAF_EXTENDED).eax;
    Print(L"Vendor:    %s (leaves up to 0x%x, extended up to 0x%x)\n",
          vendor, (UINTN)max_leaf, (UINTN)max_extended);

    if (max_extended >= CPUID_LEAF_BRAND_LAST) {
        UINT32 words[BRAND_CHARS / 4];
        CHAR16 brand[BRAND_CHARS + 1];
        for (UINT32 leaf = CPUID_LEAF_BRAND_FIRST; leaf <= CPUID_LEAF_BRAND_LAST; leaf++) {
            struct cpuid_regs b = cpuid_query(leaf);
            UINT32 *w = &words[(leaf - CPUID_LEAF_BRAND_FIRST) * 4];
            w[0] = b.eax; w[1] = b.ebx; w[2] = b.ecx; w[3] = b.edx;
        }
        ascii_regs(brand, words, BRAND_CHARS / 4);
        CHAR16 *start = brand;
        while (*start == L' ')
            start++;
        Print(L"Brand:     %s\n", start);
    }

    struct cpuid_regs f = cpuid_query(CPUID_LEAF_FEATURES);
    UINT32 family = (f.eax >> 8) & 0xF, model = (f.eax >> 4) & 0xF, stepping = f.eax & 0xF;
    if (family == 0xF)
        family += (f.eax >> 20) & 0xFF;             /* extended family */
    if (family == 0x6 || family >= 0xF)
        model |= ((f.eax >> 16) & 0xF) << 4;        /* extended model */
    Print(L"Signature: family %d, model %d, stepping %d (leaf 1 EAX 0x%08x)\n",
          (UINTN)family, (UINTN)model, (UINTN)stepping, (UINTN)f.eax);

    struct cpuid_regs ext = { 0, 0, 0, 0 };
    if (max_extended >= CPUID_LEAF_EXT_FEATURES)
        ext = cpuid_query(CPUID_LEAF_EXT_FEATURES);
    console_write(L"Features: ");
    for (UINTN i = 0; i < sizeof features / sizeof features[0]; i++) {
        const struct cpuid_regs *from = features[i].leaf == CPUID_LEAF_FEATURES ? &f : &ext;
        UINT32 value = features[i].reg == EDX ? from->edx : from->ecx;
        if (value & (1U << features[i].bit))
            Print(L" %s", features[i].name);
    }
    console_write(L"\r\n");

    if (max_extended >= CPUID_LEAF_ADDRESS_SIZES) {
        UINT32 sizes = cpuid_query(CPUID_LEAF_ADDRESS_SIZES).eax;
        Print(L"Addresses: %d bits physical, %d bits linear\n",
              (UINTN)(sizes & 0xFF), (UINTN)((sizes >> 8) & 0xFF));
    }
    if (f.ecx & (1U << 31)) {
        struct cpuid_regs h = cpuid_query(CPUID_LEAF_HYPERVISOR);
        UINT32 words[3] = { h.ebx, h.ecx, h.edx };
        CHAR16 name[13];
        ascii_regs(name, words, 3);
        Print(L"Hypervisor: %s\n", name);
    }
    return EFI_SUCCESS;
}
