/* ch06-uefi/graphics.h: the Graphics Output Protocol (UEFI spec 2.10, 12.9).
 *
 * GOP replaces the BIOS's VGA/VBE calls: it lists modes (QueryMode), sets one
 * (SetMode) and describes the current one in Mode->Info: width, height, pixel
 * format, and PixelsPerScanLine (a line may be longer than the width). In the
 * 32-bit formats a pixel is 4 bytes at FrameBufferBase + 4 * (y *
 * PixelsPerScanLine + x), which we may write directly until ExitBootServices.
 * Blt() copies rectangles for every format, including PixelBltOnly. */
#ifndef CH06_GRAPHICS_H
#define CH06_GRAPHICS_H

#include <efi.h>

struct rgb { UINT8 red, green, blue; };

/* The GOP, or NULL after printing why there is none ("WHO: ..."). */
EFI_GRAPHICS_OUTPUT_PROTOCOL *graphics_find(const CHAR16 *who);

/* Write one row of `width` pixels at (0, y) of the current mode. */
void graphics_put_row(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 y, const struct rgb *row, UINT32 width);

#endif
