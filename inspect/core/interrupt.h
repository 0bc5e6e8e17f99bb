/*
 * interrupt: SIGINT and SIGTERM for every mapscope command, in one place.
 * The handler only notes the signal; long loops ask interrupt_signal() and
 * stop, the document is finished with "interrupted" (emit.c adds it), and
 * the exit code becomes 128 + the signal. A second signal of either kind
 * ends the process at once, as if nothing had been installed.
 */
#ifndef INTERRUPT_H
#define INTERRUPT_H

/* Installs the handlers (system calls are restarted, not failed). */
void interrupt_install(void);

/* The signal that arrived (SIGINT or SIGTERM), or 0. */
int interrupt_signal(void);

/* "SIGINT" or "SIGTERM" for the signal that arrived, or NULL. */
const char *interrupt_name(void);

/* rc, or 128 + the signal once one arrived (130, 143). */
int interrupt_exit_code(int rc);

#endif
