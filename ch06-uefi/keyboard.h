/* ch06-uefi/keyboard.h: keys from the console, through ReadKeyStrokeEx.
 *
 * The firmware's console splitter merges every keyboard it has a driver for
 * (PS/2, USB, and the serial terminal, which turns ESC [ A into SCAN_UP) into
 * one EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL on ST->ConsoleInHandle. A key is a
 * UnicodeChar (letters, CHAR_CARRIAGE_RETURN, CHAR_BACKSPACE, CHAR_TAB) or a
 * ScanCode for keys without a character (SCAN_UP, SCAN_LEFT, SCAN_ESC...).
 * Firmware without the Ex protocol falls back to ConIn->ReadKeyStroke. */
#ifndef BOOTCAMP_KEYBOARD_H
#define BOOTCAMP_KEYBOARD_H

#include <efi.h>

/* Find the input protocol. Call once (shell_run does); cheap to call again. */
void keyboard_init(void);

/* The event that is signalled while a key is waiting (for WaitForEvent). */
EFI_EVENT keyboard_event(void);

/* Wait for a key and return it. */
EFI_INPUT_KEY keyboard_wait(void);

/* A key if one is waiting: TRUE and *key, else FALSE at once. */
BOOLEAN keyboard_poll(EFI_INPUT_KEY *key);

/* Ctrl-C, as a key's UnicodeChar: the serial terminal sends this control
 * character as typed; from PS/2 and USB keyboards keyboard_poll makes it of
 * Ctrl and C, as ReadKeyStroke does and ReadKeyStrokeEx does not. */
#define KEY_CTRL_C 0x03

/* For a command that runs a while: TRUE if Ctrl-C was typed. The keys typed
 * before it are dropped, as a terminal drops them; other keys wait for the
 * next keyboard_poll or keyboard_wait, so a line typed ahead is not lost. */
BOOLEAN keyboard_ctrl_c(void);

#endif
