#include "FuzzSupport.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Per thread: tests fuzz in parallel, and a synchronous signal is delivered to the thread that caused it. */
static __thread const uint8_t *volatile current_bytes;
static __thread volatile size_t current_count;
static __thread char crash_path[512];
/* The last path installed by any thread: used when a thread that never installed one crashes. */
static char shared_crash_path[512];

static void write_all(int fd, const void *data, size_t count) {
    const uint8_t *bytes = data;
    while (count > 0) {
        ssize_t written = write(fd, bytes, count);
        if (written <= 0) return;
        bytes += written;
        count -= (size_t)written;
    }
}

static void on_crash(int signal_number) {
    const char *path = crash_path[0] != 0 ? crash_path : shared_crash_path;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (current_bytes != NULL) write_all(fd, current_bytes, current_count);
        close(fd);
    }
    static const char message[] = "\nfuzz: crash; the input is saved in ";
    write_all(2, message, sizeof message - 1);
    write_all(2, path, strlen(path));
    write_all(2, "\n", 1);
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void fuzz_install_crash_capture(const char *path) {
    strncpy(crash_path, path, sizeof crash_path - 1);
    strncpy(shared_crash_path, path, sizeof shared_crash_path - 1);
    /* A stack overflow (deep nesting) leaves no stack to run the handler on: give this thread an alternate one. */
    static __thread void *alternate_stack;
    if (alternate_stack == NULL) {
        size_t size = 256 * 1024;
        alternate_stack = malloc(size);
        if (alternate_stack != NULL) {
            stack_t stack = {.ss_sp = alternate_stack, .ss_size = size, .ss_flags = 0};
            sigaltstack(&stack, NULL);
        }
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_ONSTACK;
    int signals[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
    for (size_t index = 0; index < sizeof signals / sizeof signals[0]; index++) {
        sigaction(signals[index], &action, NULL);
    }
}

void fuzz_set_current_input(const uint8_t *bytes, size_t count) {
    current_bytes = bytes;
    current_count = count;
}
