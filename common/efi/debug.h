/* common/efi/debug.h: let gdb find a UEFI program.
 *
 * The firmware loads a PE32+ image wherever it finds room, so gdb cannot know
 * where the symbols of build/NAME.so belong until the program says. The
 * program prints its image base (from the LOADED_IMAGE protocol) on the
 * console. If the boot volume also holds \gdb-wait.txt (the ESP `make debug`
 * boots), it writes the base to the debug port 0xE9 too and spins until gdb
 * sets debug_gdb_attached; common/gdb/uefi.gdb does that and loads the
 * symbols with `add-symbol-file build/NAME.so -o BASE`. */
#ifndef BOOTCAMP_DEBUG_H
#define BOOTCAMP_DEBUG_H

#include <efi.h>

#define DEBUG_WAIT_FILE L"\\gdb-wait.txt"

extern volatile UINTN debug_gdb_attached;

/* Print the image base; wait for gdb if DEBUG_WAIT_FILE is on the boot volume. */
void debug_announce(EFI_HANDLE image);

#endif
