/* holdline: the ready line both holders print and `mapscope share` reads.
 * What one end writes the other reads back; anything else is refused with
 * the reason. */
#include "core/holdline.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The line as a holder prints it. */
static char *printed(json_t *line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(holdline_print(line, f), 0);
	fclose(f);
	cr_assert_eq(strchr(buf, '\n'), buf + len - 1, "not one line: %s", buf);
	return buf;
}

struct seen {
	char paths[8][64];
	int n;
};

static int remember(void *ctx, const char *path, json_t *entry)
{
	struct seen *s = ctx;

	(void)entry;
	snprintf(s->paths[s->n++], sizeof(s->paths[0]), "%s", path);
	return 0;
}

Test(holdline, what_a_holder_writes_is_read_back)
{
	json_t *line = holdline_new(1234, "soload"), *lib, *read;
	struct seen seen = {0};
	char why[256], *text;

	lib = holdline_add(line, "/lib/liba.so", false);
	holdline_add_needed(lib, "/lib/libb.so");
	holdline_add(line, "/lib/libb.so", true);
	text = printed(line);
	cr_assert_eq(holdline_read(text, &read, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(json_integer_value(json_object_get(read, "pid")), 1234);
	cr_assert_str_eq(json_string_value(json_object_get(read, "loader")), "soload");
	cr_assert_eq(holdline_each(read, remember, &seen), 0);
	cr_assert_eq(seen.n, 2);
	cr_assert_str_eq(seen.paths[0], "/lib/liba.so");
	cr_assert_str_eq(seen.paths[1], "/lib/libb.so");
	json_decref(read);
	free(text);
}

Test(holdline, a_holders_error_document_gives_its_message)
{
	json_t *line;
	char why[256];

	cr_assert_eq(holdline_read("{\"schema\":\"mapscope/1\",\"kind\":\"hold\","
	                           "\"error\":\"libx.so: not found\"}",
	                           &line, why, sizeof(why)),
	             -1);
	cr_assert_null(line);
	cr_assert_str_eq(why, "libx.so: not found");
}

Test(holdline, a_line_missing_what_share_needs_is_refused)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
	        {"not json", "not JSON"},
	        {"{\"kind\":\"hold\",\"pid\":1}", "not a mapscope/1 hold line"},
	        {"{\"schema\":\"mapscope/1\",\"kind\":\"hold\",\"libraries\":[],"
	         "\"dependencies\":[]}",
	         "no pid"},
	        {"{\"schema\":\"mapscope/1\",\"kind\":\"hold\",\"pid\":5,\"libraries\":[],"
	         "\"dependencies\":[]}",
	         "no library loaded"},
	        {"{\"schema\":\"mapscope/1\",\"kind\":\"hold\",\"pid\":5,"
	         "\"libraries\":[\"/lib/liba.so\"],\"dependencies\":[]}",
	         "libraries[0] has no path or needed list"},
	        {"{\"schema\":\"mapscope/1\",\"kind\":\"hold\",\"pid\":5,"
	         "\"libraries\":[{\"path\":\"/a\",\"needed\":[3]}],\"dependencies\":[]}",
	         "libraries[0].needed[0] is not a path"},
	        {"{\"schema\":\"mapscope/1\",\"kind\":\"hold\",\"pid\":5,"
	         "\"libraries\":[{\"path\":\"/a\",\"needed\":[]}]}",
	         "no \"dependencies\" list"},
	};
	json_t *line;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(holdline_read(bad[i].text, &line, why, sizeof(why)), -1, "%s",
		             bad[i].text);
		cr_assert_null(line);
		cr_assert(strncmp(why, bad[i].why, strlen(bad[i].why)) == 0, "%s: got '%s'",
		          bad[i].text, why);
	}
}
