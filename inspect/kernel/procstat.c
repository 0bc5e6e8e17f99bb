#include "kernel/procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a whole /proc file into buf (NUL-terminated). Length, or -errno. */
static ssize_t read_proc_file(pid_t pid, const char *name, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

/* /proc/PID/stat: the command name may hold spaces and parentheses, so the
 * fields are counted from the last ')'. Field 3 is the state, 10 minflt,
 * 12 majflt, 24 rss. */
static int parse_stat(const char *buf, struct procstat *out)
{
	const char *p = strrchr(buf, ')');
	unsigned long long v[22];
	int field = 3;

	if (!p || sscanf(p + 1, " %c", &out->state) != 1)
		return -EINVAL;
	p += 3;
	for (int i = 0; field < 24 && i < 22; i++) {
		char *end;
		while (*p == ' ')
			p++;
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			return -EINVAL;
		p = end;
		field++;
	}
	if (field != 24)
		return -EINVAL;
	out->minflt = v[10 - 4];
	out->majflt = v[12 - 4];
	out->rss_pages = v[24 - 4];
	return 0;
}

static int64_t status_pages(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	long long kb;

	if (!p || sscanf(p + strlen(key), " %lld", &kb) != 1)
		return -1;
	return kb * 1024 / sysconf(_SC_PAGESIZE);
}

int procstat_parse(const char *stat, const char *status, struct procstat *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = parse_stat(stat, out);
	if (err)
		return err;
	out->rss_anon_pages = status_pages(status, "\nRssAnon:");
	out->rss_file_pages = status_pages(status, "\nRssFile:");
	out->rss_shmem_pages = status_pages(status, "\nRssShmem:");
	/* VmRSS is the sum of the three above; stat's rss can lag behind it. */
	if (status_pages(status, "\nVmRSS:") >= 0)
		out->rss_pages = (uint64_t)status_pages(status, "\nVmRSS:");
	return 0;
}

int procstat_read(pid_t pid, struct procstat *out)
{
	char stat[4096], status[4096];
	ssize_t n;

	memset(out, 0, sizeof(*out));
	n = read_proc_file(pid, "stat", stat, sizeof(stat));
	if (n < 0)
		return (int)n;
	if (read_proc_file(pid, "status", status, sizeof(status)) < 0)
		status[0] = '\0';
	return procstat_parse(stat, status, out);
}
