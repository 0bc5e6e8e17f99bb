/*
 * procio: the calling thread's I/O accounting, /proc/thread-self/io (the
 * kernel's task_io_accounting): bytes that read-type and write-type system
 * calls moved (rchar, wchar), how many such calls (syscr, syscw), and bytes
 * fetched from or sent to storage (read_bytes, write_bytes). Reading the
 * file is itself a read(2), which the kernel adds to rchar and syscr after
 * it has formatted them; procio_delta takes that out again.
 */
#ifndef PROCIO_H
#define PROCIO_H

#include <stddef.h>
#include <stdint.h>

struct procio {
	uint64_t rchar, wchar, syscr, syscw, read_bytes, write_bytes;
	uint64_t self_bytes; /* bytes the read of this sample returned */
};

/* The counters by their names in the io file, which are also their JSON
 * keys: value = *(uint64_t *)((char *)&procio + procio_fields[i].offset). */
struct procio_field {
	const char *key;
	size_t offset;
};
extern const struct procio_field procio_fields[];
extern const size_t procio_nfields;

/* Reads the calling thread's counters. 0, or -errno (-ENOENT: a kernel
 * without CONFIG_TASK_IO_ACCOUNTING; -EINVAL: text it does not know). */
int procio_read(struct procio *out);

/* Parses the text of an io file into out. 0, or -EINVAL if a counter is
 * missing. */
int procio_parse(const char *text, struct procio *out);

/* What happened between two samples of the same thread, less the read of
 * the first sample itself. */
void procio_delta(const struct procio *before, const struct procio *after, struct procio *out);

#endif
