/*
 * error: the loader's per-thread error message behind sl_error().
 * Internal functions return 0 / -errno (or NULL) and the step that knows
 * the file and the reason formats the message once, here.
 */
#ifndef SL_ERROR_H
#define SL_ERROR_H

#include <stddef.h>

/* Sets this thread's error: "<file>: <reason>". Returns -1 for convenience. */
int error_set(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A reason formatted into why (cap bytes), for a caller that reports it
 * its own way (the share cache's status); returns -1, as error_set. */
int error_why(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, for a library that was searched for and not found (name as
 * asked for): error_missing() then gives name, so that a caller speaking
 * for dlopen can say it in dlerror's words. */
int error_set_missing(const char *file, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The library this thread's last error could not find, or NULL when the
 * last error was something else. */
const char *error_missing(void);
/* Clears this thread's error. */
void error_clear(void);
/* This thread's error state, kept aside and put back by code that must not
 * change what the program's next sl_error() says (a lazy binding, which
 * runs in the middle of the program's own work). */
struct error_saved {
	char message[1024];
	char missing[256];
	int have_message;
};
void error_save(struct error_saved *s);
void error_restore(const struct error_saved *s);
/* Base name of path, for messages. */
const char *error_basename(const char *path);

#endif
