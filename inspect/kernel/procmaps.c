#include "kernel/procmaps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DELETED_SUFFIX " (deleted)"

/* Reads a hex number ending in sep; advances *p past sep. */
static int parse_hex(char **p, char sep, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(*p, &end, 16);
	if (errno || end == *p || *end != sep)
		return -EINVAL;
	*p = end + 1;
	return 0;
}

static int parse_perms(char **p, char *perms)
{
	if (strlen(*p) < 5 || (*p)[4] != ' ')
		return -EINVAL;
	memcpy(perms, *p, 4);
	perms[4] = '\0';
	*p += 5;
	return 0;
}

static int parse_inode(char **p, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(*p, &end, 10);
	if (errno || end == *p || (*end != ' ' && *end != '\0'))
		return -EINVAL;
	*p = end;
	return 0;
}

/* The path column: after the inode, padded with spaces; may be empty. */
static void parse_path(char *p, struct procmaps_region *r)
{
	size_t len, suffix = strlen(DELETED_SUFFIX);

	while (*p == ' ')
		p++;
	len = strlen(p);
	r->deleted = len > suffix && strcmp(p + len - suffix, DELETED_SUFFIX) == 0;
	if (r->deleted)
		p[len - suffix] = '\0';
	r->path = p;
}

int procmaps_parse(char *line, struct procmaps_region *r)
{
	char *p = line;
	uint64_t major, minor;

	if (parse_hex(&p, '-', &r->start) || parse_hex(&p, ' ', &r->end) ||
	    parse_perms(&p, r->perms) || parse_hex(&p, ' ', &r->offset) ||
	    parse_hex(&p, ':', &major) || parse_hex(&p, ' ', &minor) || parse_inode(&p, &r->inode))
		return -EINVAL;
	if (r->end < r->start)
		return -EINVAL;
	r->dev_major = (unsigned)major;
	r->dev_minor = (unsigned)minor;
	parse_path(p, r);
	return 0;
}

bool procmaps_is_file(const struct procmaps_region *r)
{
	return r->inode != 0 && r->path[0] == '/';
}
