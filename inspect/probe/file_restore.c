#include "probe/file_restore.h"

#include "core/emit.h"
#include "kernel/residency.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

/* The list's files, or NULL with why: it must be a "file" report of this
 * page size. */
static const json_t *list_files(const json_t *doc, char *why, unsigned len)
{
	const json_t *files = json_object_get(doc, "files");
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	json_int_t page = json_integer_value(json_object_get(doc, "page_size"));

	if (!schema || strcmp(schema, EMIT_SCHEMA) != 0 || !kind || strcmp(kind, "file") != 0 ||
	    !json_is_array(files)) {
		snprintf(why, len, "not a list written by mapscope file --save");
		return NULL;
	}
	if (page != (json_int_t)page_size()) {
		snprintf(why, len, "saved with pages of %lld bytes, this machine's are %llu",
		         (long long)page, (unsigned long long)page_size());
		return NULL;
	}
	return files;
}

/* Checks every range of an entry before any is used. */
static const char *check_ranges(const json_t *ranges, uint64_t pages,
                                struct file_restore_result *f)
{
	const json_t *range;
	size_t i;

	json_array_foreach(ranges, i, range)
	{
		json_t *a = json_array_get(range, 0), *b = json_array_get(range, 1);
		json_int_t first = json_integer_value(a), last = json_integer_value(b);

		if (json_array_size(range) != 2 || !json_is_integer(a) || !json_is_integer(b) ||
		    first < 0 || last < first || (uint64_t)last >= pages)
			return "a corrupt entry in the list: a range outside the file";
		f->ranges++;
		f->pages += (uint64_t)(last - first + 1);
	}
	return NULL;
}

/* Asks for the range, then reads it to wait until it is in. */
static int restore_range(int fd, uint64_t first, uint64_t last, char *buf)
{
	uint64_t off = first * page_size(), end = (last + 1) * page_size();
	int err = posix_fadvise(fd, (off_t)off, (off_t)(end - off), POSIX_FADV_WILLNEED);

	if (err)
		return -err;
	while (off < end) {
		size_t want = end - off < FILE_RESTORE_CHUNK ? end - off : FILE_RESTORE_CHUNK;
		ssize_t got = pread(fd, buf, want, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			break; /* the file shrank under us: checked after */
		off += (uint64_t)got;
	}
	return 0;
}

static void measure(int fd, uint64_t *pages, struct file_restore_result *f)
{
	struct residency r;

	if (residency_measure(fd, &r) != 0)
		f->resident_unavailable = "the page cache could not be measured";
	else if (r.unavailable)
		f->resident_unavailable = r.unavailable;
	else
		*pages = r.resident_pages;
}

/* One entry of the list. The result's strings live in errbuf or the list. */
static void restore_entry(const json_t *entry, char *buf, char *errbuf, unsigned len,
                          struct file_restore_result *f)
{
	const json_t *ranges = json_object_get(entry, "resident_ranges"), *range;
	const json_t *size = json_object_get(entry, "size");
	const char *reason;
	struct stat st;
	size_t i;
	int fd, err = 0;

	memset(f, 0, sizeof(*f));
	f->path = json_string_value(json_object_get(entry, "path"));
	if (!f->path) {
		f->path = "";
		f->error = "a corrupt entry in the list: no path";
		return;
	}
	if (!json_is_array(ranges) || json_object_get(entry, "error")) {
		reason = json_string_value(json_object_get(entry, "resident_ranges_unavailable"));
		if (!reason)
			reason = json_string_value(json_object_get(entry, "error"));
		if (!reason)
			reason = json_string_value(json_object_get(entry, "skipped"));
		snprintf(errbuf, len, "no ranges were saved: %s", reason ? reason : "none listed");
		f->skipped = errbuf;
		return;
	}
	if (!json_is_integer(size) || json_integer_value(size) < 0) {
		f->error = "a corrupt entry in the list: no size";
		return;
	}
	f->size = (uint64_t)json_integer_value(size);
	f->error = check_ranges(ranges, (f->size + page_size() - 1) / page_size(), f);
	if (f->error)
		return;
	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		f->error = fd < 0 ? strerror(errno) : "not a regular file";
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((uint64_t)st.st_size != f->size) {
		snprintf(errbuf, len, "size changed since the save from %llu to %llu bytes",
		         (unsigned long long)f->size, (unsigned long long)st.st_size);
		f->error = errbuf;
		close(fd);
		return;
	}
	f->attempted = true;
	measure(fd, &f->resident_before, f);
	json_array_foreach(ranges, i, range)
	{
		if (!err)
			err = restore_range(
			        fd, (uint64_t)json_integer_value(json_array_get(range, 0)),
			        (uint64_t)json_integer_value(json_array_get(range, 1)), buf);
	}
	if (err)
		f->error = strerror(-err);
	else
		f->error = residency_check_size(fd, f->size, errbuf, len);
	measure(fd, &f->resident_after, f);
	close(fd);
}

int file_restore_run(const char *path, file_restore_fn fn, void *ctx, char *why, unsigned len)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const json_t *files, *entry;
	char *buf, errbuf[256];
	size_t i;

	if (!doc) {
		snprintf(why, len, "%s (line %d)", jerr.text, jerr.line);
		return -1;
	}
	files = list_files(doc, why, len);
	buf = files ? malloc(FILE_RESTORE_CHUNK) : NULL;
	if (files && !buf)
		snprintf(why, len, "%s", strerror(ENOMEM));
	if (!buf) {
		json_decref(doc);
		return -1;
	}
	json_array_foreach(files, i, entry)
	{
		struct file_restore_result f;
		restore_entry(entry, buf, errbuf, sizeof(errbuf), &f);
		fn(&f, ctx);
	}
	free(buf);
	json_decref(doc);
	return 0;
}
