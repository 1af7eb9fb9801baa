/*
 * fuzz_replay.c: run a fuzz target's LLVMFuzzerTestOneInput over files, once
 * each, without libFuzzer (common/mk/fuzz.mk builds it with gcc and the
 * sanitizers, for 64- and 32-bit; bootcamp.plugin runs it on the kept corpus).
 *
 *   NAME-replay-64 FILE|FOLDER...
 *
 * Each input gets a heap buffer of exactly its size, so AddressSanitizer sees
 * a read one byte past the end. An input that runs longer than
 * FUZZ_INPUT_SECONDS is a hang: the program says which, and fails.
 * Exit status: 0 when every input ran to the end.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_INPUT_SECONDS
#define FUZZ_INPUT_SECONDS 10
#endif
#define PATH_MAX_BYTES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* The sanitizers call this just before they end the program on an error. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static const char *current;     /* the input being run, for the hang message */
static unsigned replayed;

/* Which input it was: the sanitizer's report names only the code. */
static void on_death(void)
{
    if (current)
        fprintf(stderr, "replay: FAILED on %s\n", current);
}

static void on_alarm(int signal_number)
{
    (void)signal_number;
    /* Only async-signal-safe calls here: write, not printf. */
    static const char head[] = "replay: HANG: an input ran longer than the limit\nreplay: FAILED on ";
    ssize_t ignored = write(2, head, sizeof head - 1);
    ignored = write(2, current, strlen(current));
    ignored = write(2, "\n", 1);
    (void)ignored;
    _exit(1);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || (size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        fclose(f);
        free(data);
        return 1;
    }
    fclose(f);
    current = path;
    alarm(FUZZ_INPUT_SECONDS);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    alarm(0);
    free(data);
    replayed++;
    return 0;
}

static int replay(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    int failed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char child[PATH_MAX_BYTES];
        size_t length = strlen(path), name_length = strlen(e->d_name);
        if (length + 1 + name_length >= sizeof child) {
            fprintf(stderr, "replay: path too long: %s/%s\n", path, e->d_name);
            failed = 1;
            continue;
        }
        memcpy(child, path, length);
        child[length] = '/';
        memcpy(child + length + 1, e->d_name, name_length + 1);
        failed |= replay(child);
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    signal(SIGALRM, on_alarm);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(on_death);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int failed = 0;
    for (int i = 1; i < argc; i++)
        failed |= replay(argv[i]);
    printf("replay: %u inputs ran to the end\n", replayed);
    return failed;
}
