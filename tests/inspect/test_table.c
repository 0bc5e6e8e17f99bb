/* table: text tables through libsmartcols, with the options every command
 * shares (--output, --bytes, --no-headings, --raw). */
#include "core/table.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

enum { COL_NAME, COL_SIZE, COL_PAGES, COL_SECRET };

static const struct table_column cols[] = {
        [COL_NAME] = {"NAME", "the name", 0.5, TABLE_TRUNC},
        [COL_SIZE] = {"SIZE", "bytes", 6, TABLE_RIGHT},
        [COL_PAGES] = {"PAGES", "pages", 6, TABLE_RIGHT},
        [COL_SECRET] = {"INODE", "inode", 6, TABLE_RIGHT | TABLE_HIDDEN},
};

/* The table of two rows printed with opt, as a string. */
static char *printed(const struct table_options *opt)
{
	char why[128], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct table *t = table_new(cols, 4, opt, why, sizeof(why));

	cr_assert_not_null(t, "%s", why);
	table_row(t);
	table_text(t, COL_NAME, "a\nfile");
	table_bytes(t, COL_SIZE, 3 << 20);
	table_count(t, COL_PAGES, 768);
	table_count(t, COL_SECRET, 42);
	table_row(t);
	table_text(t, COL_NAME, "b");
	table_bytes(t, COL_SIZE, 4096);
	table_count(t, COL_PAGES, 1);
	cr_assert_eq(table_print(t, f), 0);
	fclose(f);
	return buf;
}

Test(table, header_human_units_and_hidden_columns_left_out)
{
	char *out = printed(&(struct table_options){0});

	cr_assert(strncmp(out, "NAME", 4) == 0, "%s", out);
	cr_assert_not_null(strstr(out, "3.0 MiB"), "%s", out);
	cr_assert_null(strstr(out, "INODE"), "%s", out);
	/* A newline in a name is shown escaped, never breaking the row. */
	cr_assert_not_null(strstr(out, "a\\x0afile"), "%s", out);
	for (char *line = out; *line; line = strchr(line, '\n') + 1)
		cr_assert_leq(strcspn(line, "\n"), TABLE_WIDTH_NOT_A_TERMINAL, "%s", out);
	free(out);
}

Test(table, output_bytes_raw_and_no_headings)
{
	char *out = printed(&(struct table_options){
	        .output = "inode,SIZE", .bytes = true, .no_headings = true, .raw = true});

	cr_assert_str_eq(out, "42 3145728\n 4096\n"); /* a cell never set is empty */
	free(out);
}

Test(table, an_unknown_column_is_named)
{
	char why[128] = "";

	cr_assert_null(table_new(cols, 4, &(struct table_options){.output = "NAME,COLOUR"}, why,
	                         sizeof(why)));
	cr_assert_str_eq(why, "unknown column 'COLOUR'");
}

Test(table, text_outside_a_table_escapes_control_characters_the_same_way)
{
	char buf[64];

	cr_assert_str_eq(table_safe_text("a\nb\tc", buf, sizeof(buf)), "a\\x0ab\\x09c");
}
