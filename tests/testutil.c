#include "testutil.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int tu_run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (!p)
		return -1;
	while (n + 1 < cap) {
		size_t got = fread(out + n, 1, cap - 1 - n, p);
		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_t *tu_run_json(const char *cmd, int *status)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);
	json_t *doc;

	*status = tu_run(cmd, buf, cap);
	doc = json_loads(buf, 0, NULL);
	free(buf);
	return doc;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the fd opendir itself holds */
}

int tu_count_fds(void)
{
	return count_entries("/proc/self/fd");
}

int tu_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

long long tu_json_int(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}
