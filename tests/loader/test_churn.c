/*
 * churn: `mapscope maps --all` and `mapscope who` while processes start and
 * exit as fast as a spawner can fork them. Each run exits 0 with a valid
 * document; a process that vanished mid-scan is in errors[] with a reason;
 * no process that lived through the whole scan is missing.
 */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS   3
#define MAX_PIDS 32768
#define LIVE     8 /* children alive at once */

struct churn {
	char path[64]; /* a file every child maps and holds open */
	pid_t spawner;
};

/* A child maps the file, lives a moment (so some die mid-scan), exits. */
static void run_child(int fd, unsigned seed)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

	(void)p;
	usleep(seed % 3000);
	_exit(0);
}

/* The spawner keeps LIVE children going until it is killed. */
static void run_spawner(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned n = 0;

	/* A test that fails or times out before stop_churn must not leave us
	 * forking for ever. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fd < 0 || mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		_exit(1);
	for (int alive = 0;; n++) {
		pid_t pid;
		while (alive >= LIVE && waitpid(-1, NULL, 0) > 0)
			alive--;
		pid = fork();
		if (pid == 0)
			run_child(fd, n * 2654435761u);
		alive += pid > 0;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			alive--;
	}
}

static void start_churn(struct churn *c)
{
	int fd;

	strcpy(c->path, "/tmp/mapscope-churn-XXXXXX");
	fd = mkstemp(c->path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 4096), 0);
	close(fd);
	c->spawner = fork();
	cr_assert_geq(c->spawner, 0);
	if (c->spawner == 0)
		run_spawner(c->path);
	usleep(20000); /* let it get going */
}

static void stop_churn(struct churn *c)
{
	kill(c->spawner, SIGKILL);
	waitpid(c->spawner, NULL, 0);
	unlink(c->path);
}

/* pids in /proc now with an address space (non-empty maps): set[pid] = 1. */
static void mark_live_pids(unsigned char *set)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	memset(set, 0, MAX_PIDS);
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		char path[64], c;
		int pid = atoi(e->d_name), fd;
		if (pid <= 0 || pid >= MAX_PIDS)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read(fd, &c, 1) == 1)
			set[pid] = 1;
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
}

/* Marks the pids of doc's processes[] or errors[] in seen; each error must
 * have a pid and a reason. Returns how many entries there were. */
static size_t mark_pids(json_t *doc, const char *key, unsigned char *seen)
{
	json_t *list = json_object_get(doc, key), *e;
	int errors = strcmp(key, "errors") == 0;
	size_t i;

	cr_assert(json_is_array(list), "no %s[] array", key);
	json_array_foreach(list, i, e)
	{
		json_int_t pid = json_integer_value(json_object_get(e, "pid"));
		const char *why = json_string_value(json_object_get(e, "error"));
		cr_expect(!errors || (pid > 0 && why && *why), "an error without pid or reason");
		if (pid > 0 && pid < MAX_PIDS)
			seen[pid] = 1;
	}
	return json_array_size(list);
}

static json_t *run_json(const char *cmd)
{
	int status;
	json_t *doc = tu_run_json(cmd, &status);

	cr_assert_eq(status, 0, "%s: exit %d under churn", cmd, status);
	cr_assert_not_null(doc, "%s: no JSON", cmd);
	return doc;
}

Test(churn, maps_all_reports_every_process_or_why_not, .timeout = 120)
{
	static unsigned char before[MAX_PIDS], after[MAX_PIDS], seen[MAX_PIDS];
	struct churn c;
	size_t procs = 0, errors = 0;

	start_churn(&c);
	for (int round = 0; round < ROUNDS; round++) {
		json_t *doc;
		mark_live_pids(before);
		doc = run_json(BUILD_DIR "/mapscope maps --all 2>/dev/null");
		mark_live_pids(after);
		memset(seen, 0, sizeof(seen));
		procs += mark_pids(doc, "processes", seen);
		errors += mark_pids(doc, "errors", seen);
		cr_expect_eq(json_integer_value(
		                     json_object_get(json_object_get(doc, "totals"), "errors")),
		             (json_int_t)json_array_size(json_object_get(doc, "errors")));
		/* Alive before and after (pid reuse aside, the same process). */
		for (int pid = 1; pid < MAX_PIDS; pid++)
			cr_expect(!(before[pid] && after[pid]) || seen[pid],
			          "pid %d lived through the scan but is not reported", pid);
		json_decref(doc);
	}
	stop_churn(&c);
	fprintf(stderr, "churn: maps --all x%d: %zu processes read, %zu reported vanished\n",
	        ROUNDS, procs, errors);
}

Test(churn, who_finds_the_survivors_and_reports_the_vanished, .timeout = 120)
{
	static unsigned char seen[MAX_PIDS];
	struct churn c;
	char cmd[256];
	size_t procs = 0, errors = 0;

	start_churn(&c);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope who %s 2>/dev/null", c.path);
	for (int round = 0; round < ROUNDS; round++) {
		json_t *doc = run_json(cmd);
		memset(seen, 0, sizeof(seen));
		procs += mark_pids(doc, "processes", seen);
		errors += mark_pids(doc, "errors", seen);
		cr_expect(seen[c.spawner], "the spawner maps the file all along but is missing");
		json_decref(doc);
	}
	stop_churn(&c);
	fprintf(stderr, "churn: who x%d: %zu processes with the file, %zu reported vanished\n",
	        ROUNDS, procs, errors);
}
