/* testutil: helpers the suites share: running the built CLIs and parsing
 * their JSON, and files with known page-cache residency. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <jansson.h>
#include <stddef.h>

/* Path of a built artefact under build/ (the tests run from the repo root). */
#define BUILD_DIR "build"
#define TESTLIB(name) BUILD_DIR "/testlibs/" name

/* Runs cmd with /bin/sh, capturing stdout (up to cap bytes, NUL-terminated)
 * into out. Returns the exit status, or -1 if it did not exit normally. */
int tu_run(const char *cmd, char *out, size_t cap);

/* Runs cmd and parses its stdout as one JSON document; *status gets the
 * exit status. NULL if stdout was not JSON. */
json_t *tu_run_json(const char *cmd, int *status);

/* Number of open fds and of mappings of this process, to check for leaks. */
int tu_count_fds(void);
int tu_count_maps(void);

/* Forks a child that runs setup(arg), tells the parent it is done and then
 * sleeps until killed: a process whose memory is known and stays still.
 * Returns its pid once setup has run, or -1. setup returning non-zero makes
 * the child exit (and tu_spawn return -1). */
int tu_spawn(int (*setup)(void *arg), void *arg);
/* Kills and reaps a child from tu_spawn. */
void tu_reap(int pid);

#endif
