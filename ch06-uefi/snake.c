/* ch06-uefi/snake.c: `snake`, a game on the text console, driven by
 * ReadKeyStrokeEx (keyboard.c) and a timer event.
 *
 * The board is the console's current text mode, at most 80 x 24: row 0 holds
 * the score, the rest is a field walled by '#'. Why at most 80 x 24: OVMF
 * mirrors the console on the serial port, and a terminal there is 80 x 24
 * unless someone made it bigger; a wider board wraps and scrolls on it. (OVMF
 * also writes each cursor move's row and column as two digits, so a column
 * past 99 could not even be reached.) The snake moves one cell every TICK_MS;
 * the arrow keys turn it, Esc ends the game. Eating a '*' scores a point and
 * makes the snake one cell longer. Hitting a wall or itself ends the game.
 *
 * Waiting: WaitForEvent on two events at once, the keyboard's WaitForKeyEx
 * and a periodic timer (CreateEvent + SetTimer, in 100 ns units), so keys are
 * read as soon as they come and the snake still moves when none do.
 * Drawing: SetCursorPosition + OutputString of only the cells that change,
 * which the serial terminal mirrors as ANSI cursor moves. */
#include <efi.h>
#include <efilib.h>
#include "chapter_commands.h"
#include "keyboard.h"
#include "shell.h"

#define TICK_MS              150
#define TIMER_UNITS_PER_MS   10000          /* SetTimer counts 100 ns units */
#define START_LENGTH         4
#define MAX_LENGTH           512
#define SCORE_ROW            0
#define FIELD_TOP            1              /* the top wall's row */
#define MIN_COLUMNS          20
#define MIN_ROWS             10
#define MAX_COLUMNS          80             /* a terminal's size, for the serial mirror */
#define MAX_ROWS             24
#define WALL                 L"#"
#define HEAD                 L"O"
#define BODY                 L"o"
#define FOOD                 L"*"
#define EMPTY                L" "
#define EVENT_KEY            0
#define EVENT_TICK           1

struct cell { INT32 x, y; };

static struct cell body[MAX_LENGTH];        /* body[0] is the head */
static UINTN length;
static struct cell food;
static UINT64 random_state;
static UINTN columns, rows;

static UINT64 random_next(void)
{
    /* xorshift64 (Marsaglia, 2003): good enough to place food. */
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

static void put(struct cell c, const CHAR16 *what, UINTN attribute)
{
    ST->ConOut->SetAttribute(ST->ConOut, attribute);
    ST->ConOut->SetCursorPosition(ST->ConOut, c.x, c.y);
    ST->ConOut->OutputString(ST->ConOut, (CHAR16 *)what);
}

static BOOLEAN on_snake(struct cell c, UINTN from)
{
    for (UINTN i = from; i < length; i++)
        if (body[i].x == c.x && body[i].y == c.y)
            return TRUE;
    return FALSE;
}

static BOOLEAN is_wall(struct cell c)
{
    return c.x <= 0 || c.x >= (INT32)columns - 1 || c.y <= FIELD_TOP || c.y >= (INT32)rows - 1;
}

static void place_food(void)
{
    do {
        food.x = 1 + random_next() % (columns - 2);
        food.y = FIELD_TOP + 1 + random_next() % (rows - FIELD_TOP - 2);
    } while (on_snake(food, 0));
    put(food, FOOD, EFI_TEXT_ATTR(EFI_LIGHTRED, EFI_BLACK));
}

static void show_score(UINTN score)
{
    ST->ConOut->SetAttribute(ST->ConOut, EFI_TEXT_ATTR(EFI_WHITE, EFI_BLACK));
    ST->ConOut->SetCursorPosition(ST->ConOut, 0, SCORE_ROW);
    Print(L"snake  score %d   arrows steer, Esc quits", score);
}

static void draw_board(void)
{
    ST->ConOut->ClearScreen(ST->ConOut);
    UINTN wall = EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK);
    for (INT32 x = 0; x < (INT32)columns; x++) {
        put((struct cell){ x, FIELD_TOP }, WALL, wall);
        put((struct cell){ x, (INT32)rows - 1 }, WALL, wall);
    }
    for (INT32 y = FIELD_TOP + 1; y < (INT32)rows - 1; y++) {
        put((struct cell){ 0, y }, WALL, wall);
        put((struct cell){ (INT32)columns - 1, y }, WALL, wall);
    }
}

EFI_STATUS command_snake(UINTN argc, CHAR16 **argv)
{
    if (argc > 1)
        return shell_usage(argv);
    if (EFI_ERROR(ST->ConOut->QueryMode(ST->ConOut, ST->ConOut->Mode->Mode, &columns, &rows))
        || columns < MIN_COLUMNS || rows < MIN_ROWS) {
        Print(L"snake: the console must be at least %d x %d characters.\n", MIN_COLUMNS, MIN_ROWS);
        return EFI_UNSUPPORTED;
    }
    if (columns > MAX_COLUMNS)
        columns = MAX_COLUMNS;
    if (rows > MAX_ROWS)
        rows = MAX_ROWS;
    EFI_EVENT events[2] = { keyboard_event(), NULL };
    EFI_STATUS status = BS->CreateEvent(EVT_TIMER, 0, NULL, NULL, &events[EVENT_TICK]);
    if (EFI_ERROR(status)) {
        Print(L"snake: could not create a timer event: %r.\n", status);
        return status;
    }
    BS->SetTimer(events[EVENT_TICK], TimerPeriodic, TICK_MS * TIMER_UNITS_PER_MS);

    UINT32 low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    random_state = ((UINT64)high << 32 | low) | 1;          /* never 0: xorshift stays at 0 */

    ST->ConOut->EnableCursor(ST->ConOut, FALSE);
    draw_board();
    length = START_LENGTH;
    for (UINTN i = 0; i < length; i++) {
        body[i] = (struct cell){ (INT32)(columns / 2 - i), (INT32)(rows / 2) };
        put(body[i], i ? BODY : HEAD, EFI_TEXT_ATTR(EFI_LIGHTGREEN, EFI_BLACK));
    }
    place_food();
    UINTN score = 0;
    show_score(score);

    INT32 dx = 1, dy = 0;
    const CHAR16 *ending = NULL;
    while (!ending) {
        UINTN index;
        BS->WaitForEvent(2, events, &index);
        EFI_INPUT_KEY key;
        while (keyboard_poll(&key)) {
            /* A turn back onto the body is ignored. */
            if (key.ScanCode == SCAN_UP && dy == 0)         { dx = 0; dy = -1; }
            else if (key.ScanCode == SCAN_DOWN && dy == 0)  { dx = 0; dy = 1; }
            else if (key.ScanCode == SCAN_LEFT && dx == 0)  { dx = -1; dy = 0; }
            else if (key.ScanCode == SCAN_RIGHT && dx == 0) { dx = 1; dy = 0; }
            else if (key.ScanCode == SCAN_ESC)              ending = L"you pressed Esc";
        }
        if (ending || index != EVENT_TICK)
            continue;

        struct cell head = { body[0].x + dx, body[0].y + dy };
        BOOLEAN eats = head.x == food.x && head.y == food.y;
        if (is_wall(head)) {
            ending = L"the snake hit the wall";
            break;
        }
        /* The tail moves away this tick unless the snake grows. */
        if (on_snake(head, 0) && !(head.x == body[length - 1].x && head.y == body[length - 1].y && !eats)) {
            ending = L"the snake bit itself";
            break;
        }
        if (eats && length < MAX_LENGTH)
            length++;
        else
            put(body[length - 1], EMPTY, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
        for (UINTN i = length - 1; i > 0; i--)
            body[i] = body[i - 1];
        body[0] = head;
        put(body[1], BODY, EFI_TEXT_ATTR(EFI_LIGHTGREEN, EFI_BLACK));
        put(head, HEAD, EFI_TEXT_ATTR(EFI_LIGHTGREEN, EFI_BLACK));
        if (eats) {
            show_score(++score);
            place_food();
        }
    }
    BS->CloseEvent(events[EVENT_TICK]);

    /* The last frame stays up until a key, then the shell gets a clean screen. */
    ST->ConOut->SetAttribute(ST->ConOut, EFI_TEXT_ATTR(EFI_YELLOW, EFI_BLACK));
    ST->ConOut->SetCursorPosition(ST->ConOut, 2, rows / 2 - 2);
    Print(L" Game over: %s. Score: %d. Press a key. ", ending, score);
    keyboard_wait();
    ST->ConOut->SetAttribute(ST->ConOut, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
    ST->ConOut->ClearScreen(ST->ConOut);
    ST->ConOut->EnableCursor(ST->ConOut, TRUE);
    Print(L"snake: game over, %s; score %d.\n", ending, score);
    return EFI_SUCCESS;
}
