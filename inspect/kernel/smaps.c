#include "kernel/smaps.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(name, member)                                                                       \
	{                                                                                         \
		name, sizeof(name) - 1, offsetof(struct smaps_counters, member)                   \
	}

/* The counter lines we keep; every other "Key:" line is skipped. */
static const struct {
	const char *key;
	size_t len;
	size_t offset;
} fields[] = {
        FIELD("Size:", size),
        FIELD("Rss:", rss),
        FIELD("Pss:", pss),
        FIELD("Shared_Clean:", shared_clean),
        FIELD("Shared_Dirty:", shared_dirty),
        FIELD("Private_Clean:", private_clean),
        FIELD("Private_Dirty:", private_dirty),
        FIELD("Referenced:", referenced),
        FIELD("Anonymous:", anonymous),
        FIELD("Swap:", swap),
        FIELD("SwapPss:", swap_pss),
        FIELD("Locked:", locked),
};

/* Header lines start with a hex address; counter lines with a capital. */
static bool is_header(const char *line)
{
	return (*line >= '0' && *line <= '9') || (*line >= 'a' && *line <= 'f');
}

/* "Rss:                 12 kB" into the matching counter, in bytes. */
static void parse_counter(const char *line, struct smaps_counters *c)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strncmp(line, fields[i].key, fields[i].len) != 0)
			continue;
		uint64_t kb = strtoull(line + fields[i].len, NULL, 10);
		*(uint64_t *)((char *)c + fields[i].offset) = kb * 1024;
		return;
	}
}

int smaps_open(struct smaps *s, int procdir, const char *file)
{
	s->pending = NULL;
	return lines_open(&s->lines, procdir, file);
}

/* Reads up to the first header line, the first time round. */
static char *next_header(struct smaps *s)
{
	char *line = s->pending;

	s->pending = NULL;
	while (!line) {
		line = lines_next(&s->lines);
		if (!line)
			return NULL;
		if (!is_header(line))
			line = NULL;
	}
	return line;
}

int smaps_next(struct smaps *s, struct procmaps_region *r, struct smaps_counters *c)
{
	char *line = next_header(s);

	if (!line)
		return s->lines.err;
	/* The line buffer moves on; keep the header (and its path) whole. */
	strcpy(s->header, line);
	if (procmaps_parse(s->header, r) != 0)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	while ((line = lines_next(&s->lines))) {
		if (is_header(line)) {
			s->pending = line;
			break;
		}
		parse_counter(line, c);
	}
	return s->lines.err ? s->lines.err : 1;
}

void smaps_close(struct smaps *s)
{
	lines_close(&s->lines);
}

int smaps_each(int procdir,
               int (*fn)(void *ctx, const struct procmaps_region *r,
                         const struct smaps_counters *c),
               void *ctx)
{
	struct procmaps_region r;
	struct smaps_counters c;
	struct smaps s;
	int rc = smaps_open(&s, procdir, "smaps");

	if (rc)
		return rc;
	while ((rc = smaps_next(&s, &r, &c)) == 1)
		if ((rc = fn(ctx, &r, &c)) != 0)
			break;
	smaps_close(&s);
	return rc;
}

int smaps_read_rollup(int procdir, struct smaps_counters *c)
{
	struct smaps s;
	struct procmaps_region r;
	int rc = smaps_open(&s, procdir, "smaps_rollup");

	if (rc)
		return rc;
	rc = smaps_next(&s, &r, c);
	smaps_close(&s);
	/* A process that exited leaves an empty file behind its open fd. */
	if (rc == 0)
		return -ESRCH;
	return rc < 0 ? rc : 0;
}

void smaps_add(struct smaps_counters *dst, const struct smaps_counters *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}
