/*
 * run: soload run's work. Starts a command with libsoload-preload.so in
 * LD_PRELOAD (so it and its children load libraries through libsoload),
 * waits for it, and reads back what the preload recorded
 * (loader/preload/runrecord.h) into a report: each library a process
 * dlopened or libsoload mapped, who loaded it, how often it was opened,
 * how its RELRO was shared, and what libsoload refused.
 */
#ifndef SL_RUN_H
#define SL_RUN_H

#include <stddef.h>

struct run_lib {
	int pid;
	char *path;
	char *soname;        /* NULL: none, or loaded by the host */
	int by_soload;       /* 0: the host's dynamic linker (glibc) */
	unsigned opened;     /* dlopen calls it served; 0 for a dependency */
	int share_requested; /* libsoload's libraries only */
	char *share_status;  /* NULL when not requested */
	size_t relro_pages, shared_pages, private_pages, relocs_skipped;
};

struct run_refusal {
	int pid;
	char *path;
	char *reason;
};

struct run_report {
	char **argv;
	const char *preload;
	int share;
	int exit_code; /* -1 when killed by a signal */
	int signal;    /* 0 unless killed */
	size_t nprocesses;
	struct run_lib *libs;
	size_t nlibs;
	struct run_refusal *refused;
	size_t nrefused;
};

/* The preload to use: SOLOAD_PRELOAD, else libsoload-preload.so beside the
 * running soload, else in ../lib from it. NULL when none is found. */
const char *run_find_preload(char *buf, size_t cap);

/* Runs argv (argv[0] searched in PATH) with the preload, the record going
 * to record_path when it is not NULL; fills exit_code and signal. 0, or -1
 * with a message on stderr when the command could not be started. */
int run_command(struct run_report *rep, const char *record_path);

/* Reads the record file into rep. 0, or -1 (errno set). */
int run_read_record(struct run_report *rep, const char *record_path);

void run_release(struct run_report *rep);

#endif
