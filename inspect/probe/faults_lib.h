/*
 * faults_lib: the page faults of loading a library and of the first call
 * into it. A child process loads LIB (glibc's dlopen with RTLD_NOW, or
 * libsoload's sl_open), looks SYMBOL up, then calls it once with no
 * arguments; perf counters on the child itself (or getrusage deltas where
 * perf events are refused) count each phase. The child reports through a
 * pipe, so a crash in the library cannot take mapscope down.
 */
#ifndef FAULTS_LIB_H
#define FAULTS_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum faults_lib_loader { LIBFAULTS_DLOPEN, LIBFAULTS_SOLOAD };
enum { LIBFAULTS_LOAD, LIBFAULTS_CALL, LIBFAULTS_NPHASES };

struct faults_lib_phase {
	uint64_t minor, major, ns;
};

struct faults_lib_report {
	bool perf;           /* counted by perf events, else by getrusage */
	bool already_loaded; /* the child (a fork of mapscope) had LIB loaded already */
	char perf_why[160];  /* why perf events were refused */
	struct faults_lib_phase phase[LIBFAULTS_NPHASES];
};

/* 0, or -1 with a message in err naming the library or symbol and why. */
int faults_lib_run(const char *lib, const char *symbol, enum faults_lib_loader loader,
                   struct faults_lib_report *rep, char *err, size_t errlen);

#endif
