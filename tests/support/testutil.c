#include "support/testutil.h"
#include "ldcache.h"

#include <criterion/criterion.h>
#include <regex.h>

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/mman.h>
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

/* Criterion's messaging (nng) opens sockets and eventfds from a thread of
 * its own, when it likes: under load, during a test. The code under test
 * opens neither, so they are not counted. */
static int is_harness_fd(int dir, const char *name)
{
	char target[64];
	ssize_t n = readlinkat(dir, name, target, sizeof(target) - 1);

	if (n < 0)
		return 0;
	target[n] = '\0';
	return strncmp(target, "socket:", 7) == 0 || strcmp(target, "anon_inode:[eventfd]") == 0;
}

int tu_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) &&
		     !is_harness_fd(dirfd(d), e->d_name);
	closedir(d);
	return n;
}

/* ASan's allocator maps and splits its own heap inside a fixed range
 * (0x600000000000 + 4 TiB on x86-64) as it grows: those lines are the
 * allocator's, not anything a test could leak, so ASan builds skip them. */
static int is_allocator_line(const char *line)
{
#if defined(__SANITIZE_ADDRESS__)
	unsigned long start = strtoul(line, NULL, 16);
	return start >= 0x600000000000UL && start < 0x640000000000UL;
#else
	(void)line;
	return 0;
#endif
}

/* The loader keeps ldconfig's cache mapped from the first search on, one
 * mapping for the process's life (ldcache.h; test_ldcache.c checks that it
 * stays one): not something a load leaves behind. */
static int is_kept_cache_line(const char *line)
{
	const char *path = strchr(line, '/');
	size_t n = strlen(ldcache_path());

	return path && strncmp(path, ldcache_path(), n) == 0 && strcmp(path + n, "\n") == 0;
}

int tu_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !is_allocator_line(line) && !is_kept_cache_line(line) && strchr(line, '\n');
	fclose(f);
	return n;
}

int tu_count_maps_of(const char *needle)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

long tu_vm_size_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Until pid sleeps (state S in /proc/PID/stat), for at most a second. */
static void wait_asleep(pid_t pid)
{
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		char *close_paren = NULL;
		if (f && fgets(line, sizeof(line), f))
			close_paren = strrchr(line, ')');
		if (f)
			fclose(f);
		if (!close_paren || (close_paren[1] == ' ' && close_paren[2] == 'S'))
			return;
		usleep(1000);
	}
}

int tu_spawn(int (*setup)(void *arg), void *arg)
{
	int ready[2];
	char ok = 0;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* A failed assertion in the parent must not leave us behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		ok = setup(arg) == 0;
		if (write(ready[1], &ok, 1) != 1 || !ok)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0 && (read(ready[0], &ok, 1) != 1 || !ok)) {
		tu_reap(pid);
		pid = -1;
	}
	close(ready[0]);
	/* Past its write the child still runs into pause(), faulting in the
	 * pages that takes (fork left it none of the file's): a test that
	 * read its figures twice saw them differ (maps_all's rollup, one run
	 * in ten as nobody). Asleep in pause(), it stands still. */
	if (pid > 0)
		wait_asleep(pid);
	return pid;
}

size_t tu_widest_line(const char *text)
{
	size_t widest = 0;

	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");

		widest = n > widest ? n : widest;
		line += n + (line[n] == '\n');
	}
	return widest;
}

void tu_reap(int pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

long long tu_json_int(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

json_t *tu_run_docs(const char *cmd, int *status)
{
	size_t cap = 1 << 22, pos = 0, len;
	char *buf = malloc(cap);
	json_t *docs = json_array();

	*status = tu_run(cmd, buf, cap);
	len = strlen(buf);
	for (;;) {
		json_error_t err;
		json_t *doc;

		while (pos < len && strchr(" \t\r\n", buf[pos]))
			pos++;
		if (pos == len)
			break;
		doc = json_loadb(buf + pos, len - pos, JSON_DISABLE_EOF_CHECK, &err);
		if (!doc) {
			json_decref(docs);
			docs = NULL;
			break;
		}
		json_array_append_new(docs, doc);
		pos += err.position;
	}
	free(buf);
	return docs;
}

/* The directories this process made, removed as it exits if nothing did
 * before: Criterion runs no suite .fini after a skip. Only by the process
 * that made them, not by a child a test forks, which exits first. */
#define MAX_MADE 16
static char *made[MAX_MADE];
static int nmade;
static pid_t made_by;

static void remove_made_at_exit(void)
{
	if (getpid() != made_by)
		return;
	for (int i = 0; i < nmade; i++)
		if (access(made[i], F_OK) == 0)
			tu_remove_tree(made[i]);
}

char *tu_make_tmpdir(char *tmpl)
{
	if (!mkdtemp(tmpl))
		return NULL;
	if (getpid() != made_by) { /* a forked child's own list */
		nmade = 0;
		made_by = getpid();
		atexit(remove_made_at_exit);
	}
	if (nmade < MAX_MADE)
		made[nmade++] = strdup(tmpl);
	return tmpl;
}

void tu_remove_tree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int write_pages(int fd, size_t pages)
{
	static char page[4096];

	memset(page, 'x', sizeof(page));
	for (size_t i = 0; i < pages; i++)
		if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
			return -1;
	return fdatasync(fd);
}

/* POSIX_FADV_RANDOM turns readahead off, so each pread brings in its page
 * and no other. */
static int read_marked(int fd, const char *map)
{
	char page[4096];

	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0 ||
	    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) != 0)
		return -1;
	for (size_t i = 0; map[i]; i++)
		if (map[i] == '#' && pread(fd, page, sizeof(page), (off_t)(i * sizeof(page))) < 0)
			return -1;
	return 0;
}

/* How many pages differ from map, fixing each one found: under concurrent
 * I/O a page read once is now and then not left in the cache (seen on
 * 6.18 with four writers), so the state is checked with mincore. */
static long fix_differences(int fd, const char *map, size_t pages)
{
	unsigned char *vec = malloc(pages ? pages : 1);
	void *addr = pages ? mmap(NULL, pages * 4096, PROT_READ, MAP_SHARED, fd, 0) : NULL;
	long wrong = 0;
	char page[4096];

	if (!vec || addr == MAP_FAILED || (pages && mincore(addr, pages * 4096, vec) != 0))
		wrong = -1;
	for (size_t i = 0; wrong >= 0 && i < pages; i++) {
		if ((vec[i] & 1) == (map[i] == '#'))
			continue;
		wrong++;
		if (map[i] == '#')
			pread(fd, page, sizeof(page), (off_t)(i * sizeof(page)));
		else
			posix_fadvise(fd, (off_t)(i * 4096), 4096, POSIX_FADV_DONTNEED);
	}
	if (addr && addr != MAP_FAILED)
		munmap(addr, pages * 4096);
	free(vec);
	return wrong;
}

int tu_file_with_residency(const char *path, const char *map)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t pages = strlen(map);
	long wrong = 1;
	int rc;

	if (fd < 0)
		return -1;
	rc = write_pages(fd, pages);
	if (rc == 0)
		rc = read_marked(fd, map);
	for (int tries = 0; rc == 0 && wrong > 0 && tries < 10; tries++)
		wrong = fix_differences(fd, map, pages);
	close(fd);
	return rc == 0 && wrong == 0 ? 0 : -1;
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		text = calloc(1, (size_t)len + 1);
	if (text && fread(text, 1, (size_t)len, f) != (size_t)len) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

int tu_perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int paranoid = -1;

	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = -1;
		fclose(f);
	}
	return paranoid;
}

int tu_any_wx_mapping(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512], perms[5];
	int wx = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*x-%*x %4s", perms) == 1 && perms[1] == 'w' && perms[2] == 'x')
			wx = 1;
	if (f)
		fclose(f);
	return wx;
}

/* LeakSanitizer, in a sanitized tests/run only: Criterion's runner itself
 * loses one 48-byte timeout request (BoxFort's bxfi_push_timeout calloc)
 * when tests with .timeout run side by side (two jobs; the order, and so
 * the report, changes with the machine's load). It is Criterion's
 * allocation, not ours: the commands the tests run are checked in full. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcriterion.so\n";
}

bool tu_has_line(const char *text, const char *re)
{
	regex_t r;
	bool found;

	cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0, "%s", re);
	found = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return found;
}

char *tu_unwrap(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	cr_assert_not_null(out);
	for (const char *p = text; *p; p++) {
		if (*p != '\n') {
			*o++ = *p;
			continue;
		}
		while (p[1] == ' ')
			p++;
	}
	*o = '\0';
	return out;
}

int tu_map_many(void *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	for (int i = 0; i < TU_MANY_MAPPINGS; i++) {
		char *p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED || munmap(p + 4096, 4096) != 0)
			return -1;
		(void)*(volatile char *)p;
	}
	close(fd);
	return 0;
}

struct killer {
	pid_t pid;
	useconds_t delay;
};

static void *kill_after(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay);
	kill(k->pid, SIGKILL);
	free(k);
	return NULL;
}

void tu_kill_later(pid_t pid, useconds_t delay, pthread_t *t)
{
	struct killer *k = malloc(sizeof(*k));

	cr_assert_not_null(k);
	*k = (struct killer){pid, delay};
	cr_assert_eq(pthread_create(t, NULL, kill_after, k), 0);
}
