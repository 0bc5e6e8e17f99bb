/*
 * error: the loader's per-thread error message behind sl_error().
 * Internal functions return 0 / -errno (or NULL) and the step that knows
 * the file and the reason formats the message once, here.
 */
#ifndef SL_ERROR_H
#define SL_ERROR_H

/* Sets this thread's error: "<file>: <reason>". Returns -1 for convenience. */
int error_set(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clears this thread's error. */
void error_clear(void);
/* Base name of path, for messages. */
const char *error_basename(const char *path);

#endif
