/* ch06-uefi/graphics.c: finding the GOP, listing its modes, writing pixels. */
#include <efi.h>
#include <efilib.h>
#include "chapter_commands.h"
#include "graphics.h"
#include "shell.h"

_Static_assert(sizeof(EFI_GRAPHICS_OUTPUT_BLT_PIXEL) == 4, "UEFI 12.9: Blt pixels are B, G, R, reserved");

static const CHAR16 *format_names[] = {
    [PixelRedGreenBlueReserved8BitPerColor] = L"RGB, 32 bits",
    [PixelBlueGreenRedReserved8BitPerColor] = L"BGR, 32 bits",
    [PixelBitMask]                          = L"bit masks",
    [PixelBltOnly]                          = L"no framebuffer (Blt only)",
};

EFI_GRAPHICS_OUTPUT_PROTOCOL *graphics_find(const CHAR16 *who)
{
    EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
    EFI_STATUS status = BS->LocateProtocol(&guid, NULL, (void **)&gop);
    if (EFI_ERROR(status)) {
        Print(L"%s: this machine has no graphics output (GOP): %r.\n", who, status);
        return NULL;
    }
    return gop;
}

EFI_STATUS command_modes(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = graphics_find(argv[0]);
    if (!gop)
        return EFI_UNSUPPORTED;
    Print(L"%d video modes; the current one is %d. Framebuffer at 0x%lx, %ld bytes.\n",
          (UINTN)gop->Mode->MaxMode, (UINTN)gop->Mode->Mode,
          (UINT64)gop->Mode->FrameBufferBase, (UINT64)gop->Mode->FrameBufferSize);
    for (UINT32 mode = 0; mode < gop->Mode->MaxMode; mode++) {
        EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
        UINTN size;
        EFI_STATUS status = gop->QueryMode(gop, mode, &size, &info);
        if (EFI_ERROR(status)) {
            Print(L"  mode %2d: QueryMode failed: %r\n", (UINTN)mode, status);
            continue;
        }
        Print(L"  mode %2d: %4d x %4d  %s%s\n", (UINTN)mode,
              (UINTN)info->HorizontalResolution, (UINTN)info->VerticalResolution,
              info->PixelFormat < PixelFormatMax ? format_names[info->PixelFormat] : L"?",
              mode == gop->Mode->Mode ? L"  (current)" : L"");
        FreePool(info);
    }
    return EFI_SUCCESS;
}

void graphics_put_row(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 y, const struct rgb *row, UINT32 width)
{
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
    UINT32 *pixels = (UINT32 *)(UINTN)gop->Mode->FrameBufferBase + (UINTN)y * info->PixelsPerScanLine;

    switch (info->PixelFormat) {
    case PixelBlueGreenRedReserved8BitPerColor:      /* bytes B, G, R, reserved */
        for (UINT32 x = 0; x < width; x++)
            pixels[x] = row[x].blue | (UINT32)row[x].green << 8 | (UINT32)row[x].red << 16;
        return;
    case PixelRedGreenBlueReserved8BitPerColor:      /* bytes R, G, B, reserved */
        for (UINT32 x = 0; x < width; x++)
            pixels[x] = row[x].red | (UINT32)row[x].green << 8 | (UINT32)row[x].blue << 16;
        return;
    default: {
        /* Bit masks or no framebuffer at all: let the firmware convert, one
           pixel at a time through Blt (slow, but every GOP can do it). */
        for (UINT32 x = 0; x < width; x++) {
            EFI_GRAPHICS_OUTPUT_BLT_PIXEL p = { row[x].blue, row[x].green, row[x].red, 0 };
            gop->Blt(gop, &p, EfiBltVideoFill, 0, 0, x, y, 1, 1, 0);
        }
        return;
    }
    }
}
