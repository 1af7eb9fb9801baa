/* ch06-uefi/keyboard.c: see keyboard.h. */
#include <efi.h>
#include <efilib.h>
#include "keyboard.h"

static EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL *input_ex;

void keyboard_init(void)
{
    EFI_GUID guid = EFI_SIMPLE_TEXT_INPUT_EX_PROTOCOL_GUID;
    if (input_ex)
        return;
    if (EFI_ERROR(BS->HandleProtocol(ST->ConsoleInHandle, &guid, (void **)&input_ex)))
        input_ex = NULL;
}

EFI_EVENT keyboard_event(void)
{
    keyboard_init();
    return input_ex ? input_ex->WaitForKeyEx : ST->ConIn->WaitForKey;
}

BOOLEAN keyboard_poll(EFI_INPUT_KEY *key)
{
    keyboard_init();
    if (input_ex) {
        EFI_KEY_DATA data;
        if (EFI_ERROR(input_ex->ReadKeyStrokeEx(input_ex, &data)))
            return FALSE;
        *key = data.Key;
    } else if (EFI_ERROR(ST->ConIn->ReadKeyStroke(ST->ConIn, key))) {
        return FALSE;
    }
    /* A change of a toggle (Caps Lock) alone arrives as a key with neither
       a character nor a scan code: not a key press. */
    return key->ScanCode != SCAN_NULL || key->UnicodeChar != CHAR_NULL;
}

EFI_INPUT_KEY keyboard_wait(void)
{
    EFI_INPUT_KEY key;
    EFI_EVENT event = keyboard_event();
    for (;;) {
        UINTN index;
        BS->WaitForEvent(1, &event, &index);
        if (keyboard_poll(&key))
            return key;
    }
}
