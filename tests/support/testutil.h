/* testutil: helpers the suites share: running the built CLIs and parsing
 * their JSON, and files with known page-cache residency. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* Path of a built artefact under the build dir the tests were compiled for
 * (the Makefile defines BUILD_DIR; the tests run from the repo root). */
#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif
#define TESTLIB(name) BUILD_DIR "/testlibs/" name

/* Sanitized builds run two to four times slower, a busy machine slower
 * still. A test that reaches Criterion's .timeout fails and leaves its
 * children running: long tests bound their children themselves with
 * TU_LIMIT seconds (timeout(1)), scaled here, and stay clear of .timeout. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_SLOWDOWN 4
#else
#define TU_SLOWDOWN 1
#endif
#define TU_LIMIT(seconds) ((seconds)*TU_SLOWDOWN)

/* Runs cmd with /bin/sh, capturing stdout (up to cap bytes, NUL-terminated)
 * into out. Returns the exit status, or -1 if it did not exit normally. */
int tu_run(const char *cmd, char *out, size_t cap);

/* Runs cmd and parses its stdout as one JSON document; *status gets the
 * exit status. NULL if stdout was not JSON. */
json_t *tu_run_json(const char *cmd, int *status);

/* Number of open fds and of mappings of this process, to check for leaks
 * (the test harness's sockets and eventfds, and the mapping of ldconfig's
 * cache, which the loader keeps, not counted). */
int tu_count_fds(void);
int tu_count_maps(void);
/* Mappings of this process whose line contains needle (e.g. a library name). */
int tu_count_maps_of(const char *needle);
/* This process's virtual size (VmSize) in KiB, or -1. */
long tu_vm_size_kib(void);

/* Forks a child that runs setup(arg), tells the parent it is done and then
 * sleeps until killed: a process whose memory is known and stays still.
 * Returns its pid once setup has run and it sleeps, or -1. setup returning non-zero makes
 * the child exit (and tu_spawn return -1). */
int tu_spawn(int (*setup)(void *arg), void *arg);
/* The length of the longest line of text (text tables must fit 100 columns). */
size_t tu_widest_line(const char *text);
/* Kills and reaps a child from tu_spawn. */
void tu_reap(int pid);
/* obj[key] as an integer; fails the test if it is missing or not an integer. */
long long tu_json_int(const json_t *obj, const char *key);

/* Runs cmd and parses every JSON document on its stdout (JSON lines, or a
 * report followed by an error document) into an array; NULL if any part of
 * stdout was not JSON. */
json_t *tu_run_docs(const char *cmd, int *status);

/* Whether this process has a mapping both writable and executable. */
int tu_any_wx_mapping(void);

/* kernel.perf_event_paranoid, or -1 if it cannot be read. */
int tu_perf_paranoid(void);

/* A private directory under /tmp (template "/tmp/mapscope-XXXXXX"), and its
 * removal with everything in it. A directory tu_make_tmpdir made that is
 * still there when the process exits (a skipped test's: Criterion runs no
 * .fini after a skip) is removed then. */
char *tu_make_tmpdir(char *tmpl);
void tu_remove_tree(const char *dir);

/* Creates path with strlen(map) pages of data, written to disk and dropped
 * from the page cache, then reads back exactly the pages whose map
 * character is '#'. 0, or -1 with errno. */
int tu_file_with_residency(const char *path, const char *map);

/* The whole of the file at path, NUL-terminated, for the caller to free;
 * NULL if it cannot be read. */
char *tu_read_file(const char *path);

/* For a scan killed midway: TU_MANY_MAPPINGS private mappings of the first
 * page of the file at path (a char *), a free page after each so that none
 * merge, each touched: smaps of a few MiB, many reads to cut short. A
 * tu_spawn body: 0, or -1. */
#define TU_MANY_MAPPINGS 2000
int tu_map_many(void *path);

/* SIGKILL to pid after delay microseconds, from a thread the caller joins
 * with pthread_join(*t, NULL). */
void tu_kill_later(pid_t pid, useconds_t delay, pthread_t *t);

/* Whether some line of text matches the extended regular expression re
 * (^ and $ match at each line): text tables whose column widths follow
 * their contents are checked this way, not by exact spacing. */
bool tu_has_line(const char *text, const char *re);

/* text with every line break and the blanks after it removed, for the
 * caller to free: a cell wrapped onto more lines reads whole again. */
char *tu_unwrap(const char *text);

#endif
