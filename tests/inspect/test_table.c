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
	cr_assert_not_null(strstr(out, " 3M "), "%s", out);
	cr_assert_not_null(strstr(out, " 4K "), "%s", out);
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

Test(table, human_units_are_one_family_of_short_numbers)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {{0, "0B"},      {1023, "1023B"}, {1024, "1K"},
	             {1536, "1.5K"}, {3 << 20, "3M"}, {(5ULL << 30) + (1ULL << 29), "5.5G"}};
	static const struct table_column one[] = {{"SIZE", "bytes", 5, TABLE_RIGHT}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[64], *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		struct table *t = table_new(
		        one, 1, &(struct table_options){.no_headings = true, .raw = true}, why,
		        sizeof(why));

		table_row(t);
		table_bytes(t, 0, cases[i].bytes);
		cr_assert_eq(table_print(t, f), 0);
		fclose(f);
		cr_assert(strncmp(buf, cases[i].text, strlen(cases[i].text)) == 0 &&
		                  buf[strlen(cases[i].text)] == '\n',
		          "%llu: %s", (unsigned long long)cases[i].bytes, buf);
		free(buf);
	}
}

Test(table, rows_flushed_in_pieces_stay_aligned_under_one_header)
{
	static const struct table_column two[] = {{"SIZE", "bytes", 6, TABLE_RIGHT},
	                                          {"NAME", "name", 0.5, TABLE_WRAP}};
	char why[64], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct table *t = table_new(two, 2, &(struct table_options){0}, why, sizeof(why));

	table_row(t);
	table_bytes(t, 0, 4096);
	table_text(t, 1, "a");
	cr_assert_eq(table_flush(t, f), 0);
	table_row(t);
	table_bytes(t, 0, 1 << 30);
	table_text(t, 1, "b");
	cr_assert_eq(table_flush(t, f), 0);
	cr_assert_eq(table_print(t, f), 0);
	fclose(f);
	cr_assert_str_eq(buf, "  SIZE NAME\n    4K a\n    1G b\n");
	free(buf);
}

Test(table, sizes_outside_a_table_speak_its_units)
{
	char buf[32];

	cr_assert_str_eq(table_size_text(&(struct table_options){0}, 1536, buf, sizeof(buf)),
	                 "1.5K");
	cr_assert_str_eq(table_size_text(NULL, 3 << 20, buf, sizeof(buf)), "3M");
	cr_assert_str_eq(
	        table_size_text(&(struct table_options){.bytes = true}, 1536, buf, sizeof(buf)),
	        "1536 bytes");
}
