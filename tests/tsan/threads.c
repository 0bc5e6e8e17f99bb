/*
 * threads: the loader used from many threads at once, for ThreadSanitizer
 * (`make tsan`). Criterion cannot run under TSan (its process arena clashes
 * with TSan's shadow memory), so this is a plain program: each thread opens,
 * looks up, calls and closes the libraries named on the command line, on its
 * own and on handles other threads hold, and checks every answer. It exits 1
 * on a wrong answer; TSan makes it exit non-zero on a data race. A target
 * marked :bump names a function taking nothing that returns its thread's
 * copy of a thread-local counter, incremented (read as an int): on held handles each thread
 * calls it twice and expects consecutive values, while other libraries'
 * TLS blocks come and go. A target marked :lazy is opened with SL_LAZY and
 * its symbol, a function taking nothing that returns an int, is called
 * twice and must answer the same: its PLT slots are bound at the first call,
 * which threads race on fresh and on held handles. A target marked :throw
 * names a function taking a long that throws a C++ exception and catches
 * it for a negative one, returning minus the length of its message
 * ("negative: -7"): the unwinder asks our _dl_find_object while other
 * threads load and unload libraries, changing the table it reads (when
 * the process has no libgcc_s of its own: under TSan it has libtsan's,
 * and frames are registered with that one instead). A target marked :find
 * names libfindobj's findobj_own, which asks our _dl_find_object about
 * itself, the table read while other threads change it either way.
 *
 *   threads ITERATIONS LIB:SYMBOL[:bump|:lazy|:throw|:find]...
 */
#include "soload.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8

struct target {
	char path[512];
	char symbol[128];
	int bump;
	int lazy;
	int throws;
	int find;
};

static struct target targets[16];
static int ntargets, iterations;
static sl_lib *shared[16]; /* held by main for the whole run */

static int flags_of(const struct target *t)
{
	return t->lazy ? SL_LAZY : 0;
}

/* libfindobj's findobj_own (at sym) found in its own mapping, with a
 * frame table. */
static int finds_itself(void *sym)
{
	struct dl_find_object out;

	return ((int (*)(struct dl_find_object *))sym)(&out) == 0 &&
	       (char *)out.dlfo_map_start <= (char *)sym &&
	       (char *)sym < (char *)out.dlfo_map_end && out.dlfo_eh_frame != NULL;
}

static int answers(const struct target *t, void *sym)
{
	if (t->bump)
		return ((int (*)(void))sym)() + 1 == ((int (*)(void))sym)();
	if (t->lazy)
		return ((int (*)(void))sym)() == ((int (*)(void))sym)();
	if (t->throws)
		return ((long (*)(long))sym)(-7) == -(long)strlen("negative: -7") &&
		       ((long (*)(long))sym)(5) == 5;
	if (t->find)
		return finds_itself(sym);
	return 1;
}

static int cycle(const struct target *t, sl_lib *held)
{
	sl_lib *lib = sl_open(t->path, flags_of(t));
	void *sym;

	if (!lib) {
		fprintf(stderr, "threads: %s\n", sl_error());
		return -1;
	}
	sym = sl_sym(lib, t->symbol);
	if (!sym || lib != held || sl_sym(held, t->symbol) != sym || !answers(t, sym)) {
		fprintf(stderr, "threads: %s: %s: wrong answer\n", t->path, t->symbol);
		sl_close(lib);
		return -1;
	}
	return sl_close(lib);
}

/* Opens a library nobody else holds, so load and unload race too. */
static int cycle_fresh(const struct target *t)
{
	sl_lib *lib = sl_open(t->path, flags_of(t));
	void *sym;
	int rc;

	if (!lib) {
		fprintf(stderr, "threads: %s\n", sl_error());
		return -1;
	}
	sym = sl_sym(lib, t->symbol);
	rc = sym && (!(t->lazy || t->throws || t->find) || answers(t, sym)) ? 0 : -1;
	return sl_close(lib) | rc;
}

/* Each thread walks the targets from its own start; with no handle held
 * (shared[k] NULL) loads and unloads race, else lookups on held handles. */
static void *run(void *arg)
{
	long id = (long)arg, failed = 0;

	for (int i = 0; i < iterations && !failed; i++) {
		int k = (int)((id + i) % ntargets);
		failed |= (shared[k] ? cycle(&targets[k], shared[k]) : cycle_fresh(&targets[k])) !=
		          0;
	}
	return (void *)failed;
}

static long run_threads(void)
{
	pthread_t tid[NTHREADS];
	long failed = 0;

	for (long t = 0; t < NTHREADS; t++)
		pthread_create(&tid[t], NULL, run, (void *)t);
	for (int t = 0; t < NTHREADS; t++) {
		void *rc;
		pthread_join(tid[t], &rc);
		failed |= (long)rc;
	}
	return failed;
}

static int parse_targets(int argc, char **argv)
{
	for (int i = 2; i < argc && ntargets < 16; i++) {
		struct target *t = &targets[ntargets++];
		char *colon = strchr(argv[i], ':'), *mark;
		if (!colon || colon - argv[i] >= (long)sizeof(t->path) ||
		    strlen(colon + 1) >= sizeof(t->symbol))
			return -1;
		memcpy(t->path, argv[i], (size_t)(colon - argv[i]));
		strcpy(t->symbol, colon + 1);
		if ((mark = strchr(t->symbol, ':'))) {
			t->bump = strcmp(mark, ":bump") == 0;
			t->lazy = strcmp(mark, ":lazy") == 0;
			t->throws = strcmp(mark, ":throw") == 0;
			t->find = strcmp(mark, ":find") == 0;
			if (!t->bump && !t->lazy && !t->throws && !t->find)
				return -1;
			*mark = '\0';
		}
	}
	return ntargets ? 0 : -1;
}

int main(int argc, char **argv)
{
	long failed;

	if (argc < 3 || (iterations = atoi(argv[1])) <= 0 || parse_targets(argc, argv) != 0) {
		fprintf(stderr, "usage: threads ITERATIONS LIB:SYMBOL[:bump|:lazy]...\n");
		return 2;
	}
	failed = run_threads();
	for (int i = 0; i < ntargets; i++)
		if (!(shared[i] = sl_open(targets[i].path, flags_of(&targets[i]))))
			return fprintf(stderr, "threads: %s\n", sl_error()), 1;
	failed |= run_threads();
	for (int i = 0; i < ntargets; i++)
		failed |= sl_close(shared[i]) != 0;
	printf("threads: %d threads x %d cycles over %d libraries: %s\n", NTHREADS, iterations,
	       ntargets, failed ? "FAILED" : "ok");
	return failed ? 1 : 0;
}
