/* ch06-uefi/mandel.c: `mandel`, the Mandelbrot set drawn into the GOP framebuffer.
 *
 * A point c of the complex plane is in the set if z(n+1) = z(n)^2 + c, from
 * z(0) = 0, stays bounded; once |z| > 2 it never comes back. Each pixel is a c:
 *
 *   x pixel -> real part       c = (x - origin_x) / scale  +  i (origin_y - y) / scale
 *   y pixel -> imaginary part  (origin: the pixel of c = 0; scale: pixels per unit)
 *
 * The view is VIEW_HEIGHT_TENTHS/10 units high, centred at real part
 * VIEW_CENTRE_HUNDREDTHS/100, whatever the mode's size. The command prints the
 * origin and scale it used, so a test (or you) can find any c on the screen.
 * The x86-64 UEFI calling convention leaves SSE on for us: doubles just work.
 *
 * Colours: SET_COLOUR for points still bounded after MAX_ITERATIONS; the
 * background for points that escape at once (|c| > 2); a ramp in between. */
#include <efi.h>
#include <efilib.h>
#include "chapter_commands.h"
#include "graphics.h"
#include "keyboard.h"
#include "shell.h"

#define MAX_ITERATIONS          64
#define ESCAPE_RADIUS_SQUARED   4.0      /* |z| > 2 */
#define VIEW_HEIGHT_TENTHS      25       /* the picture is 2.5 units high */
#define VIEW_CENTRE_HUNDREDTHS  (-75)    /* and centred on c = -0.75 */

static const struct rgb SET_COLOUR = { 0x00, 0x00, 0x00 };         /* black */
static const struct rgb BACKGROUND = { 0x10, 0x18, 0x60 };         /* dark blue */

/* How many steps until |z| > 2, or MAX_ITERATIONS if it never gets there. */
static UINT32 escape_time(double cr, double ci)
{
    /* LAB SOLUTION mandel */
    double zr = 0, zi = 0;
    for (UINT32 n = 0; n < MAX_ITERATIONS; n++) {
        double r2 = zr * zr, i2 = zi * zi;
        zi = 2 * zr * zi + ci;
        zr = r2 - i2 + cr;
        if (zr * zr + zi * zi > ESCAPE_RADIUS_SQUARED)
            return n;
    }
    return MAX_ITERATIONS;
    /* LAB STUB
    // Iterate z = z^2 + c from z = 0 (c = cr + i ci, z = zr + i zi): return the
    // step n at which |z|^2 first exceeds ESCAPE_RADIUS_SQUARED, or
    // MAX_ITERATIONS if it never does. Until then every pixel is background.
    static BOOLEAN told;
    if (!told) {
        told = TRUE;
        Print(L"LAB TODO: mandel\n");
    }
    (void)cr;
    (void)ci;
    return 0;
    LAB END */
}

/* 0 steps: the background; then from blue through orange to pale yellow. */
static struct rgb colour_of(UINT32 n)
{
    if (n >= MAX_ITERATIONS)
        return SET_COLOUR;
    if (n == 0)
        return BACKGROUND;
    UINT32 t = n * 255 / MAX_ITERATIONS;            /* 3 .. 251 */
    struct rgb c = {
        .red   = (UINT8)(t * 4 > 255 ? 255 : t * 4),
        .green = (UINT8)(t * 2 > 255 ? 255 : t * 2),
        .blue  = (UINT8)(0x60 + t * 0x9F / 255),
    };
    return c;
}

EFI_STATUS command_mandel(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = graphics_find(argv[0]);
    if (!gop)
        return EFI_UNSUPPORTED;

    UINT32 width = gop->Mode->Info->HorizontalResolution;
    UINT32 height = gop->Mode->Info->VerticalResolution;
    INT32 scale = (INT32)(height * 10 / VIEW_HEIGHT_TENTHS);
    INT32 origin_x = (INT32)(width / 2) - VIEW_CENTRE_HUNDREDTHS * scale / 100;
    INT32 origin_y = (INT32)(height / 2);
    struct rgb *row = AllocatePool(width * sizeof *row);
    if (!row || scale == 0) {
        Print(L"mandel: no memory for a row of %d pixels.\n", (UINTN)width);
        return EFI_OUT_OF_RESOURCES;
    }
    Print(L"mandel: %d x %d pixels; c = 0 is pixel (%d, %d); %d pixels per unit. "
          L"Press a key to go back.\n", (UINTN)width, (UINTN)height,
          (INTN)origin_x, (INTN)origin_y, (INTN)scale);

    /* The text console draws on the same framebuffer: hide its cursor, and
       clear the screen afterwards so the shell starts on a clean page. */
    ST->ConOut->EnableCursor(ST->ConOut, FALSE);
    for (UINT32 y = 0; y < height; y++) {
        double ci = (double)(origin_y - (INT32)y) / scale;
        for (UINT32 x = 0; x < width; x++)
            row[x] = colour_of(escape_time((double)((INT32)x - origin_x) / scale, ci));
        graphics_put_row(gop, y, row, width);
    }
    FreePool(row);

    keyboard_wait();
    ST->ConOut->ClearScreen(ST->ConOut);
    ST->ConOut->EnableCursor(ST->ConOut, TRUE);
    return EFI_SUCCESS;
}
