/*
 * touched: the pages a first load in a fresh process maps or touches, per
 * mapped file, libsoload's against glibc's (bench/README.md, "Fourteenth
 * session").
 *
 *   touched LIB SYMBOL
 *
 * Runs one load of each side in a process of its own, as firstload does
 * (one sl_open + sl_sym, one dlopen(RTLD_NOW) + dlsym). Just before it,
 * the process writes 1 to /proc/self/clear_refs, which clears the
 * accessed bit of every page it has mapped; just after, it reads the
 * Referenced field of each mapping in /proc/self/smaps: the pages touched
 * since, and on x86 also those the kernel mapped since (a new page table
 * entry is made with the bit set: populated, faulted around). Prints a
 * row for each file (anonymous memory and the heap as one row each) whose
 * count differs between the sides, then the totals. A mapping gone by the
 * end is not counted: glibc unmaps ld.so.cache after each dlopen, so its
 * pages of it never show (libsoload keeps it mapped: 12 pages).
 *
 * Some hypervisors do not set the accessed bit again on a page the process
 * had touched before the clearing (a paravirtualised guest under PVM: such
 * a page read after it keeps Referenced at 0). Each child touches a page
 * of its own before clearing and reads it after; where that read did not
 * count, the counts are only the pages each side mapped or touched for the
 * first time in its process, and the output says so.
 */
#include "soload.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ROWS 512
/* The child's own page, read after the clearing, and what it prints when
 * that read did not count. */
#define PROBE_PAGES 1
#define PROBE_NAME  "[probe]"
#define UNREPORTED  "accessed-bits-unreported"

static int accessed_bits_unreported;

struct row {
	char name[128];
	long pages[2];
};

static struct row rows[MAX_ROWS];
static size_t nrows;

static const char *const sides[] = {"soload", "dlopen"};

/* The load, between clearing the bits and reading them back: the counts,
 * "pages name" a line, on stdout. */
static int child(const char *side, const char *lib, const char *symbol)
{
	void *volatile first = malloc(1); /* malloc's set-up, as in firstload */
	char line[1024], name[128] = "[anon]";
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	volatile char *probe = mmap(NULL, PROBE_PAGES * 4096, PROT_READ | PROT_WRITE,
	                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	unsigned long probe_referenced = 0;
	FILE *smaps;
	void *p;

	free(first);
	if (probe != MAP_FAILED)
		probe[0] = 1; /* touched before the clearing, as the program's pages are */
	if (probe == MAP_FAILED || fd < 0 || write(fd, "1", 1) != 1) {
		perror("touched: /proc/self/clear_refs");
		return 1;
	}
	close(fd);
	(void)probe[0];
	if (!strcmp(side, "dlopen")) {
		void *h = dlopen(lib, RTLD_NOW);
		p = h ? dlsym(h, symbol) : NULL;
	} else {
		sl_lib *h = sl_open(lib, 0);
		p = h ? sl_sym(h, symbol) : NULL;
	}
	if (!p || !(smaps = fopen("/proc/self/smaps", "re"))) {
		fprintf(stderr, "touched: %s: load failed\n", lib);
		return 1;
	}
	while (fgets(line, sizeof(line), smaps)) {
		char path[512] = "";
		unsigned long lo, hi, kb;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %511s", &lo, &hi, path) >= 2) {
			const char *slash = strrchr(path, '/');
			snprintf(name, sizeof(name), "%s",
			         lo == (unsigned long)probe ? PROBE_NAME
			         : !path[0]                 ? "[anon]"
			         : slash                    ? slash + 1
			                                    : path);
		} else if (sscanf(line, "Referenced: %lu kB", &kb) == 1 &&
		           !strcmp(name, PROBE_NAME)) {
			probe_referenced = kb / 4;
		} else if (sscanf(line, "Referenced: %lu kB", &kb) == 1 && kb) {
			printf("%lu %s\n", kb / 4, name);
		}
	}
	fclose(smaps);
	if (!probe_referenced)
		printf("%s\n", UNREPORTED);
	return 0;
}

static struct row *row_of(const char *name)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	if (nrows == MAX_ROWS)
		return NULL;
	snprintf(rows[nrows].name, sizeof(rows[nrows].name), "%s", name);
	return &rows[nrows++];
}

/* One side's load in a fresh process, its counts added to rows. */
static int run_side(int side, const char *lib, const char *symbol)
{
	char cmd[4096], line[256], name[128];
	long pages;
	FILE *out;

	snprintf(cmd, sizeof(cmd), "'/proc/%d/exe' child %s '%s' '%s'", getpid(), sides[side], lib,
	         symbol);
	if (!(out = popen(cmd, "r")))
		return -1;
	while (fgets(line, sizeof(line), out)) {
		struct row *r;
		if (!strncmp(line, UNREPORTED, strlen(UNREPORTED)))
			accessed_bits_unreported = 1;
		else if (sscanf(line, "%ld %127s", &pages, name) == 2 && (r = row_of(name)))
			r->pages[side] += pages;
	}
	return pclose(out) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long total[2] = {0, 0};

	if (argc == 5 && !strcmp(argv[1], "child"))
		return child(argv[2], argv[3], argv[4]);
	if (argc != 3 || strchr(argv[1], '\'') || strchr(argv[2], '\'')) {
		fprintf(stderr, "usage: touched LIB SYMBOL\n");
		return 2;
	}
	for (int side = 0; side < 2; side++)
		if (run_side(side, argv[1], argv[2]) != 0) {
			fprintf(stderr, "touched: the %s side failed\n", sides[side]);
			return 1;
		}
	printf("| mapping | libsoload | glibc |\n|---|---|---|\n");
	for (size_t i = 0; i < nrows; i++) {
		total[0] += rows[i].pages[0];
		total[1] += rows[i].pages[1];
		if (rows[i].pages[0] != rows[i].pages[1])
			printf("| %s | %ld | %ld |\n", rows[i].name, rows[i].pages[0],
			       rows[i].pages[1]);
	}
	printf("| all mappings | %ld | %ld |\n", total[0], total[1]);
	if (accessed_bits_unreported)
		printf("\nThis machine does not report a page read again after clear_refs (the "
		       "child's page,\nread before and after the clearing, kept Referenced at 0, "
		       "as "
		       "under some\nhypervisors): the counts are the pages each side mapped or "
		       "read "
		       "for the first\ntime in its process, not those it read again.\n");
	return 0;
}
