/* libsoload.so exports exactly its public API: every function soload.h
 * declares with SL_API, and no other symbol a program could interpose. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 64

/* Sorted, newline-separated names, so two lists compare as strings. */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void join_sorted(char **names, int n, char *out, size_t cap)
{
	qsort(names, n, sizeof(*names), by_name);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(out, names[i], cap - strlen(out) - 2);
		strcat(out, "\n");
	}
}

/* The functions the header declares with SL_API. */
static int api_of_header(char **names)
{
	char *text = tu_read_file("loader/soload.h");
	regex_t rx;
	regmatch_t m[2];
	int n = 0;

	cr_assert_not_null(text);
	cr_assert_eq(regcomp(&rx, "\nSL_API [^(]*[ *](sl_[a-z_]+)\\(", REG_EXTENDED), 0);
	for (const char *p = text; n < MAX_NAMES && regexec(&rx, p, 2, m, 0) == 0; p += m[0].rm_eo)
		names[n++] = strndup(p + m[1].rm_so, m[1].rm_eo - m[1].rm_so);
	regfree(&rx);
	free(text);
	return n;
}

/* What the dynamic linker can see: defined dynamic symbols of the library. */
static int exports_of_library(char **names)
{
	char out[1 << 14], *save = NULL;
	int n = 0;

	cr_assert_eq(tu_run("nm -D --defined-only --format=posix " BUILD_DIR "/libsoload.so", out,
	                    sizeof(out)),
	             0, "nm failed: %s", out);
	for (char *line = strtok_r(out, "\n", &save); line && n < MAX_NAMES;
	     line = strtok_r(NULL, "\n", &save))
		names[n++] = strndup(line, strcspn(line, " "));
	return n;
}

Test(exports, the_library_exports_exactly_the_api_in_soload_h)
{
	char *api[MAX_NAMES], *exported[MAX_NAMES], want[4096], got[4096];
	int napi = api_of_header(api), nexp = exports_of_library(exported);

	cr_assert_geq(napi, 4, "soload.h declares too few SL_API functions (%d)", napi);
	join_sorted(api, napi, want, sizeof(want));
	join_sorted(exported, nexp, got, sizeof(got));
	cr_assert_str_eq(got, want, "libsoload.so exports:\n%s\nsoload.h's API:\n%s", got, want);
	for (int i = 0; i < napi; i++)
		free(api[i]);
	for (int i = 0; i < nexp; i++)
		free(exported[i]);
}

/* Both libraries a program may load are linked -z now with RELRO: nothing
 * is bound lazily, and their GOT is read-only once ld.so has bound it. */
static void assert_full_relro(const char *lib)
{
	char cmd[512], out[1 << 14];

	snprintf(cmd, sizeof(cmd), "readelf -dlW %s", lib);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "readelf failed: %s", out);
	cr_assert(strstr(out, "GNU_RELRO"), "%s has no RELRO segment", lib);
	cr_assert(strstr(out, "BIND_NOW"), "%s is not linked -z now:\n%s", lib, out);
}

Test(exports, the_libraries_are_linked_with_full_relro)
{
	assert_full_relro(BUILD_DIR "/libsoload.so");
	assert_full_relro(BUILD_DIR "/libsoload-preload.so");
}
