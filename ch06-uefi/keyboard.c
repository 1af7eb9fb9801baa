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

/* Keys that keyboard_ctrl_c read, waiting for the shell; more are dropped. */
#define KEYS_AHEAD 128
static EFI_INPUT_KEY ahead[KEYS_AHEAD];
static UINTN ahead_count;

/* A key from the firmware, if one is waiting. */
static BOOLEAN read_key(EFI_INPUT_KEY *key)
{
    keyboard_init();
    if (input_ex) {
        EFI_KEY_DATA data;
        if (EFI_ERROR(input_ex->ReadKeyStrokeEx(input_ex, &data)))
            return FALSE;
        *key = data.Key;
        /* ReadKeyStroke gives Ctrl with a letter as its control character
           (Ctrl-C: 0x03); ReadKeyStrokeEx gives the letter and the shift
           state, so the same is done here. The serial terminal sends the
           control character itself. */
        UINT32 shift = data.KeyState.KeyShiftState;
        CHAR16 c = key->UnicodeChar;
        if ((shift & EFI_SHIFT_STATE_VALID) &&
            (shift & (EFI_LEFT_CONTROL_PRESSED | EFI_RIGHT_CONTROL_PRESSED))) {
            if (c >= L'a' && c <= L'z')
                key->UnicodeChar = (CHAR16)(c - L'a' + 1);
            else if (c >= L'A' && c <= L'Z')
                key->UnicodeChar = (CHAR16)(c - L'A' + 1);
        }
    } else if (EFI_ERROR(ST->ConIn->ReadKeyStroke(ST->ConIn, key))) {
        return FALSE;
    }
    /* A change of a toggle (Caps Lock) alone arrives as a key with neither
       a character nor a scan code: not a key press. */
    return key->ScanCode != SCAN_NULL || key->UnicodeChar != CHAR_NULL;
}

BOOLEAN keyboard_poll(EFI_INPUT_KEY *key)
{
    if (!ahead_count)
        return read_key(key);
    *key = ahead[0];
    ahead_count--;
    for (UINTN i = 0; i < ahead_count; i++)
        ahead[i] = ahead[i + 1];
    return TRUE;
}

BOOLEAN keyboard_ctrl_c(void)
{
    EFI_INPUT_KEY key;
    while (read_key(&key)) {
        if (key.UnicodeChar == KEY_CTRL_C) {
            ahead_count = 0;
            return TRUE;
        }
        if (ahead_count < KEYS_AHEAD)
            ahead[ahead_count++] = key;
    }
    return FALSE;
}

EFI_INPUT_KEY keyboard_wait(void)
{
    EFI_INPUT_KEY key;
    EFI_EVENT event = keyboard_event();
    if (keyboard_poll(&key))
        return key;
    for (;;) {
        UINTN index;
        BS->WaitForEvent(1, &event, &index);
        if (keyboard_poll(&key))
            return key;
    }
}
