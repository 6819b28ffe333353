#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/* Crash capture for the project's fuzz tests: when the process dies of a signal (a Swift trap is SIGILL or SIGTRAP,
 * a bad access SIGSEGV or SIGBUS), the input being tried is written to `path` first, so that it can be kept as a
 * regression fixture. Only async-signal-safe calls run in the handler. */
void fuzz_install_crash_capture(const char *path);
/* The input about to be tried: the bytes must stay valid until the next call. */
void fuzz_set_current_input(const uint8_t *bytes, size_t count);

#endif
