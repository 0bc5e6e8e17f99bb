/* sweep: libsweep (make sweep) on the system libraries every machine that
 * runs these tests has, each loaded through libsoload and through dlopen in
 * children of its own: both must load it, agree on the offset of every
 * exported symbol, and leave no writable and executable mapping. A sample
 * libsoload refuses must be reported with its reason, not as a failure. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <string.h>

#define LIBDIR "/usr/lib/x86_64-linux-gnu/"
#define SWEEP  BUILD_DIR "/tests/sweep/libsweep"

static const char *const everywhere[] = {
        "libz.so.1",     "libssl.so.3",  "libcrypto.so.3", "libstdc++.so.6",
        "libgcc_s.so.1", "liblzma.so.5", "libelf.so.1",    "libjansson.so.4",
};

static const char *field(const json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));
	return s ? s : "(missing)";
}

Test(sweep, system_libraries_load_alike_under_both_loaders)
{
	char cmd[2048] = SWEEP;
	size_t n = sizeof(everywhere) / sizeof(everywhere[0]);
	json_t *docs;
	int status;

	for (size_t i = 0; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " " LIBDIR "%s",
		         everywhere[i]);
	docs = tu_run_docs(cmd, &status);
	cr_assert(docs, "%s: output is not JSON lines", cmd);
	cr_assert_eq(json_array_size(docs), n + 1, "one line per library, then the summary");
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(docs, i);
		cr_expect_str_eq(field(d, "soload"), "ok", "%s", everywhere[i]);
		cr_expect_str_eq(field(d, "dlopen"), "ok", "%s", everywhere[i]);
		cr_expect_gt(tu_json_int(d, "symbols"), 50, "%s", everywhere[i]);
		cr_expect_eq(tu_json_int(d, "differing_symbols"), 0, "%s: %s", everywhere[i],
		             field(d, "first_difference"));
		cr_expect(json_is_false(json_object_get(d, "writable_and_executable")), "%s",
		          everywhere[i]);
	}
	cr_expect_eq(status, 0);
	json_decref(docs);
}

Test(sweep, a_refusal_is_reported_with_its_reason)
{
	int status;
	json_t *docs = tu_run_docs(SWEEP " " TESTLIB("libtlsie.so") " /nonexistent.so", &status);
	const json_t *summary;

	cr_assert(docs);
	cr_assert_eq(json_array_size(docs), 3);
	cr_expect(strstr(field(json_array_get(docs, 0), "soload"), "initial-exec TLS"));
	cr_expect_str_eq(field(json_array_get(docs, 0), "dlopen"), "ok");
	cr_expect(strstr(field(json_array_get(docs, 1), "soload"), "No such file"));
	summary = json_object_get(json_array_get(docs, 2), "summary");
	cr_expect_eq(tu_json_int(summary, "only_dlopen"), 1);
	cr_expect_eq(tu_json_int(summary, "neither"), 1);
	cr_expect_eq(status, 0, "a refusal with a message is not a failure");
	json_decref(docs);
}
