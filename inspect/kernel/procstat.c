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

/* One field of /proc/PID/stat after its separating space: a decimal
 * number, negative for a few signed fields we do not use. */
static int stat_field(const char **p, unsigned long long *out)
{
	const char *digits;
	char *end;

	if (**p != ' ')
		return -EINVAL;
	digits = *p + 1 + ((*p)[1] == '-');
	if (*digits < '0' || *digits > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(*p + 1, &end, 10);
	if (errno)
		return -EINVAL;
	*p = end;
	return 0;
}

/* /proc/PID/stat: "pid (comm) S f4 f5 ...". The command name may hold spaces
 * and parentheses, so the fields are counted from the last ')'. Field 3 is
 * the state, 10 minflt, 12 majflt, 24 rss. The text may end anywhere. */
static int parse_stat(const char *buf, struct procstat *out)
{
	const char *p = strrchr(buf, ')');
	unsigned long long v[25];

	if (!p || p[1] != ' ' || p[2] == '\0' || p[2] == ' ')
		return -EINVAL;
	out->state = p[2];
	p += 3;
	for (int field = 4; field <= 24; field++)
		if (stat_field(&p, &v[field]) != 0)
			return -EINVAL;
	out->minflt = v[10];
	out->majflt = v[12];
	out->rss_pages = v[24];
	return 0;
}

/* "\nKey:\t   1234 kB" of /proc/PID/status, in pages; -1 if the key is
 * absent or its value is not a size (negative, or too big for bytes). */
static int64_t status_pages(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	unsigned long long kb;
	char *end;

	if (!p)
		return -1;
	p += strlen(key);
	p += strspn(p, " \t");
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	kb = strtoull(p, &end, 10);
	if (errno || kb > INT64_MAX / 1024)
		return -1;
	return (int64_t)(kb * 1024 / (unsigned long long)sysconf(_SC_PAGESIZE));
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

int procstat_vm_pages(int procdir, uint64_t *pages)
{
	char buf[256];
	int fd = openat(procdir, "statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -errno : read(fd, buf, sizeof(buf) - 1);
	unsigned long long size;

	if (n < 0 && fd >= 0)
		n = -errno;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &size) != 1)
		return -EINVAL;
	*pages = size;
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
