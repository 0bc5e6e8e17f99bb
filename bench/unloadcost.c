/*
 * unloadcost: a load and an unload of one library timed apart, libsoload's
 * against glibc's, and the library's pages each leaves mapped for the
 * unload to take down (bench/README.md, "Fifteenth session").
 *
 *   unloadcost LIB SYMBOL [ROUNDS]
 *
 * Loads LIB and looks SYMBOL up, then unloads it, ROUNDS times (201) in
 * this process, alternating sl_open + sl_sym / sl_close with
 * dlopen(RTLD_NOW) + dlsym / dlclose: the median of each half in
 * microseconds. Give a copy of a library this process does not already
 * hold, or glibc's side only counts a reference. Then, for one more load
 * of each side, each mapping of LIB just before the unload: its
 * permissions, its pages and how many of them are mapped
 * (/proc/self/pagemap): the pages the unload's munmap invalidates one by
 * one (build/bench/touchcost prices them).
 */
#include "clock.h"
#include "median.h"
#include "soload.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

/* One side: open returns a handle with SYMBOL looked up, or NULL. */
struct side {
	const char *name;
	void *(*open)(const char *lib, const char *symbol);
	int (*close)(void *handle);
	const char *(*why)(void); /* the last failure's message */
};

static void *soload_open(const char *lib, const char *symbol)
{
	sl_lib *h = sl_open(lib, 0);

	if (h && !sl_sym(h, symbol)) {
		sl_close(h);
		h = NULL;
	}
	return h;
}

static int soload_close(void *h)
{
	return sl_close(h);
}

static void *glibc_open(const char *lib, const char *symbol)
{
	void *h = dlopen(lib, RTLD_NOW);

	if (h && !dlsym(h, symbol)) {
		dlclose(h);
		h = NULL;
	}
	return h;
}

static const char *glibc_why(void)
{
	const char *e = dlerror();

	return e ? e : "no message";
}

static const struct side sides[] = {
        {"libsoload", soload_open, soload_close, sl_error},
        {"glibc", glibc_open, dlclose, glibc_why},
};

/* Prints each mapping of the file at path: permissions, pages, mapped. */
static void print_mappings(const char *side, const char *path)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	char line[1024], real[4096];

	if (!realpath(path, real) || !maps || pagemap < 0) {
		perror("unloadcost: /proc/self/maps or pagemap");
		exit(1);
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, mapped = 0;
		char perms[5], file[4096] = "";
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095s", &lo, &hi, perms, file) < 3 ||
		    strcmp(file, real) != 0)
			continue;
		for (unsigned long a = lo; a < hi; a += PAGE) {
			uint64_t entry = 0;
			if (pread(pagemap, &entry, sizeof(entry), (off_t)(a / PAGE * 8)) ==
			            sizeof(entry) &&
			    entry >> 63)
				mapped++;
		}
		printf("  %-9s %s %3lu pages, %3lu mapped\n", side, perms, (hi - lo) / PAGE,
		       mapped);
	}
	fclose(maps);
	close(pagemap);
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 201;
	double *t[2][2];

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: unloadcost LIB SYMBOL [ROUNDS]\n");
		return 2;
	}
	for (int s = 0; s < 2; s++)
		for (int half = 0; half < 2; half++)
			if (!(t[s][half] = calloc((size_t)rounds, sizeof(double))))
				return 1;
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 2; i++) {
			const struct side *s = &sides[(r + i) % 2];
			double t0 = bench_us(), t1;
			void *h = s->open(argv[1], argv[2]);
			t1 = bench_us();
			if (!h || s->close(h) != 0) {
				fprintf(stderr, "unloadcost: %s: %s failed: %s\n", argv[1],
				        s->name, s->why());
				return 1;
			}
			t[(r + i) % 2][0][r] = t1 - t0;
			t[(r + i) % 2][1][r] = bench_us() - t1;
		}
	printf("%s, median of %d rounds (us):\n", argv[1], rounds);
	for (int s = 0; s < 2; s++)
		printf("  %-9s load + lookup %8.1f  unload %8.1f\n", sides[s].name,
		       median(t[s][0], rounds), median(t[s][1], rounds));
	printf("mapped just before the unload:\n");
	for (int s = 0; s < 2; s++) {
		void *h = sides[s].open(argv[1], argv[2]);
		if (!h) {
			fprintf(stderr, "unloadcost: %s: %s failed: %s\n", argv[1], sides[s].name,
			        sides[s].why());
			return 1;
		}
		print_mappings(sides[s].name, argv[1]);
		sides[s].close(h);
	}
	return 0;
}
