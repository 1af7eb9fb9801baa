/* ch06-uefi/cpuid.h: the CPUID instruction, for the shell's `cpuid` command
 * (cpuid.c) and for the programs that build on this chapter.
 *
 * CPUID (Intel SDM vol. 2A, "CPUID"; AMD APM vol. 3) takes a leaf in EAX and a
 * subleaf in ECX, and answers in EAX, EBX, ECX and EDX. */
#ifndef BOOTCAMP_CPUID_H
#define BOOTCAMP_CPUID_H

#include <efi.h>

#define CPUID_LEAF_VENDOR          0x00000000   /* EAX: highest leaf; EBX EDX ECX: vendor */
#define CPUID_LEAF_FEATURES        0x00000001   /* EAX: family/model/stepping; ECX, EDX: features */
#define CPUID_LEAF_HYPERVISOR      0x40000000   /* EBX ECX EDX: hypervisor vendor */
#define CPUID_LEAF_EXTENDED        0x80000000   /* EAX: highest extended leaf */
#define CPUID_LEAF_EXT_FEATURES    0x80000001   /* ECX, EDX: AMD64 features */
#define CPUID_LEAF_BRAND_FIRST     0x80000002   /* three leaves of 16 brand characters */
#define CPUID_LEAF_BRAND_LAST      0x80000004
#define CPUID_LEAF_ADDRESS_SIZES   0x80000008   /* EAX: physical bits 7:0, linear bits 15:8 */

struct cpuid_regs { UINT32 eax, ebx, ecx, edx; };

/* What CPUID answers for `leaf` (subleaf 0). */
struct cpuid_regs cpuid_query(UINT32 leaf);

/* The vendor string of leaf 0 (EBX, EDX, ECX: "GenuineIntel"), NUL-terminated. */
#define CPUID_VENDOR_CHARS 12
void cpuid_vendor(char vendor[CPUID_VENDOR_CHARS + 1]);

#endif
