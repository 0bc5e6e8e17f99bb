/*
 * libfaults: the page faults of loading a library and of the first call
 * into it. A child process loads LIB (glibc's dlopen with RTLD_NOW, or
 * libsoload's sl_open), looks SYMBOL up, then calls it once with no
 * arguments; perf counters on the child itself (or getrusage deltas where
 * perf events are refused) count each phase. The child reports through a
 * pipe, so a crash in the library cannot take mapscope down.
 */
#ifndef LIBFAULTS_H
#define LIBFAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum libfaults_loader { LIBFAULTS_DLOPEN, LIBFAULTS_SOLOAD };
enum { LIBFAULTS_LOAD, LIBFAULTS_CALL, LIBFAULTS_NPHASES };

struct libfaults_phase {
	uint64_t minor, major, ns;
};

struct libfaults_report {
	bool perf;           /* counted by perf events, else by getrusage */
	bool already_loaded; /* the child (a fork of mapscope) had LIB loaded already */
	char perf_why[160];  /* why perf events were refused */
	struct libfaults_phase phase[LIBFAULTS_NPHASES];
};

/* 0, or -1 with a message in err naming the library or symbol and why. */
int libfaults_run(const char *lib, const char *symbol, enum libfaults_loader loader,
                  struct libfaults_report *rep, char *err, size_t errlen);

#endif
