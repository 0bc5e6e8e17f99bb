/* testutil: helpers the suites share: running the built CLIs and parsing
 * their JSON, and files with known page-cache residency. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <jansson.h>
#include <stddef.h>

/* Path of a built artefact under the build dir the tests were compiled for
 * (the Makefile defines BUILD_DIR; the tests run from the repo root). */
#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif
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

/* obj[key] as an integer; fails the test if it is missing or not an integer. */
long long tu_json_int(const json_t *obj, const char *key);

#endif
