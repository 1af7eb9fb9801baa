/* ch06-uefi/cpuid.c: `cpuid`, what the processor says about itself.
 *
 * CPUID (Intel SDM vol. 2A, "CPUID"; AMD APM vol. 3) takes a leaf in EAX
 * (and a subleaf in ECX) and answers in EAX, EBX, ECX, EDX. */
#include <efi.h>
#include <efilib.h>
#include "efi_console.h"
#include "shell.h"
#include "shell_commands.h"

#define LEAF_VENDOR          0x00000000   /* EAX: highest leaf; EBX EDX ECX: vendor */
#define LEAF_FEATURES        0x00000001   /* EAX: family/model/stepping; ECX, EDX: features */
#define LEAF_HYPERVISOR      0x40000000   /* EBX ECX EDX: hypervisor vendor */
#define LEAF_EXTENDED        0x80000000   /* EAX: highest extended leaf */
#define LEAF_EXT_FEATURES    0x80000001   /* ECX, EDX: AMD64 features */
#define LEAF_BRAND_FIRST     0x80000002   /* three leaves of 16 brand characters */
#define LEAF_BRAND_LAST      0x80000004
#define LEAF_ADDRESS_SIZES   0x80000008   /* EAX: physical bits 7:0, linear bits 15:8 */
#define BRAND_CHARS          48

struct regs { UINT32 eax, ebx, ecx, edx; };

static struct regs cpuid(UINT32 leaf)
{
    struct regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                             : "a"(leaf), "c"(0));
    return r;
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
    { LEAF_FEATURES,     EDX, 0,  L"fpu" },   { LEAF_FEATURES,     EDX, 4,  L"tsc" },
    { LEAF_FEATURES,     EDX, 5,  L"msr" },   { LEAF_FEATURES,     EDX, 6,  L"pae" },
    { LEAF_FEATURES,     EDX, 9,  L"apic" },  { LEAF_FEATURES,     EDX, 13, L"pge" },
    { LEAF_FEATURES,     EDX, 15, L"cmov" },  { LEAF_FEATURES,     EDX, 23, L"mmx" },
    { LEAF_FEATURES,     EDX, 25, L"sse" },   { LEAF_FEATURES,     EDX, 26, L"sse2" },
    { LEAF_FEATURES,     ECX, 0,  L"sse3" },  { LEAF_FEATURES,     ECX, 19, L"sse4.1" },
    { LEAF_FEATURES,     ECX, 20, L"sse4.2" },{ LEAF_FEATURES,     ECX, 21, L"x2apic" },
    { LEAF_FEATURES,     ECX, 28, L"avx" },   { LEAF_FEATURES,     ECX, 31, L"hypervisor" },
    { LEAF_EXT_FEATURES, EDX, 11, L"syscall" },
    { LEAF_EXT_FEATURES, EDX, 20, L"nx" },    { LEAF_EXT_FEATURES, EDX, 26, L"1g-pages" },
    { LEAF_EXT_FEATURES, EDX, 29, L"long-mode" },
};

EFI_STATUS command_cpuid(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);

    struct regs r = cpuid(LEAF_VENDOR);
    UINT32 vendor_words[3] = { r.ebx, r.edx, r.ecx };
    CHAR16 vendor[13];
    ascii_regs(vendor, vendor_words, 3);
    UINT32 max_leaf = r.eax;
    UINT32 max_extended = cpuid(LEAF_EXTENDED).eax;
    Print(L"Vendor:    %s (leaves up to 0x%x, extended up to 0x%x)\n",
          vendor, (UINTN)max_leaf, (UINTN)max_extended);

    if (max_extended >= LEAF_BRAND_LAST) {
        UINT32 words[BRAND_CHARS / 4];
        CHAR16 brand[BRAND_CHARS + 1];
        for (UINT32 leaf = LEAF_BRAND_FIRST; leaf <= LEAF_BRAND_LAST; leaf++) {
            struct regs b = cpuid(leaf);
            UINT32 *w = &words[(leaf - LEAF_BRAND_FIRST) * 4];
            w[0] = b.eax; w[1] = b.ebx; w[2] = b.ecx; w[3] = b.edx;
        }
        ascii_regs(brand, words, BRAND_CHARS / 4);
        CHAR16 *start = brand;
        while (*start == L' ')
            start++;
        Print(L"Brand:     %s\n", start);
    }

    struct regs f = cpuid(LEAF_FEATURES);
    UINT32 family = (f.eax >> 8) & 0xF, model = (f.eax >> 4) & 0xF, stepping = f.eax & 0xF;
    if (family == 0xF)
        family += (f.eax >> 20) & 0xFF;             /* extended family */
    if (family == 0x6 || family >= 0xF)
        model |= ((f.eax >> 16) & 0xF) << 4;        /* extended model */
    Print(L"Signature: family %d, model %d, stepping %d (leaf 1 EAX 0x%08x)\n",
          (UINTN)family, (UINTN)model, (UINTN)stepping, (UINTN)f.eax);

    struct regs ext = max_extended >= LEAF_EXT_FEATURES ? cpuid(LEAF_EXT_FEATURES)
                                                        : (struct regs){ 0, 0, 0, 0 };
    console_write(L"Features: ");
    for (UINTN i = 0; i < sizeof features / sizeof features[0]; i++) {
        const struct regs *from = features[i].leaf == LEAF_FEATURES ? &f : &ext;
        UINT32 value = features[i].reg == EDX ? from->edx : from->ecx;
        if (value & (1U << features[i].bit))
            Print(L" %s", features[i].name);
    }
    console_write(L"\r\n");

    if (max_extended >= LEAF_ADDRESS_SIZES) {
        UINT32 sizes = cpuid(LEAF_ADDRESS_SIZES).eax;
        Print(L"Addresses: %d bits physical, %d bits linear\n",
              (UINTN)(sizes & 0xFF), (UINTN)((sizes >> 8) & 0xFF));
    }
    if (f.ecx & (1U << 31)) {
        struct regs h = cpuid(LEAF_HYPERVISOR);
        UINT32 words[3] = { h.ebx, h.ecx, h.edx };
        CHAR16 name[13];
        ascii_regs(name, words, 3);
        Print(L"Hypervisor: %s\n", name);
    }
    return EFI_SUCCESS;
}
