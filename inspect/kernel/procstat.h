/*
 * procstat: a process's memory and fault counters from /proc/PID/stat and
 * /proc/PID/status, read in one go each (no allocation, no fd kept).
 */
#ifndef PROCSTAT_H
#define PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

struct procstat {
	uint64_t minflt, majflt; /* faults since the process started (exec included) */
	uint64_t rss_pages;      /* resident set, pages (VmRSS, else stat's rss) */
	/* RssAnon / RssFile / RssShmem of /proc/PID/status, pages; -1 if absent */
	int64_t rss_anon_pages, rss_file_pages, rss_shmem_pages;
	char state; /* R, S, Z, ... */
};

/* 0, or -errno (-ENOENT once the process is gone). */
int procstat_read(pid_t pid, struct procstat *out);

/* The parsing half of procstat_read: the text of /proc/PID/stat and of
 * /proc/PID/status ("" when unreadable), each NUL-terminated. 0, or -EINVAL
 * if stat is not stat text. */
int procstat_parse(const char *stat, const char *status, struct procstat *out);

/* The size of the process's address space in pages (statm's first field),
 * relative to its /proc directory fd: one small read, no walk of its
 * mappings. 0 from the moment the process has let go of its memory
 * (exiting, a zombie) and for kernel threads. 0, or -errno (-ESRCH once it
 * is gone). */
int procstat_vm_pages(int procdir, uint64_t *pages);

#endif
