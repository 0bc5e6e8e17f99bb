/* The man pages and the bash completion, held to the real command lines:
 * each page renders without a warning, documents every subcommand and long
 * option the CLIs' --help lists and every function soload.h declares, and
 * completion offers what the CLIs accept. */
#include "cli/cli.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP   (1 << 16)
#define MAX_WORDS 64

static const char *const pages[] = {"docs/mapscope.1", "docs/soload.1", "docs/libsoload.3"};

/* The whole of a file, with roff's "\-" turned into "-". */
static char *read_page(const char *path)
{
	char *text = tu_read_file(path), *out;

	cr_assert_not_null(text, "cannot read %s", path);
	out = text;
	for (const char *in = text; *in; in++) {
		if (in[0] == '\\' && in[1] == '-')
			in++;
		*out++ = *in;
	}
	*out = '\0';
	return text;
}

/* Whether text holds word with no name character right after it. */
static int mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		if (!isalnum((unsigned char)p[n]) && p[n] != '-' && p[n] != '_')
			return 1;
	}
	return 0;
}

/* Every match of the extended regex re in text (group 1 if it has one) into
 * words; returns how many. */
static int find_words(const char *text, const char *re, char words[][64])
{
	regex_t rx;
	regmatch_t m[2];
	int n = 0;

	cr_assert_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	for (const char *p = text; n < MAX_WORDS && regexec(&rx, p, 2, m, 0) == 0;
	     p += m[0].rm_eo) {
		regmatch_t w = m[1].rm_so >= 0 ? m[1] : m[0];
		int len = w.rm_eo - w.rm_so < 63 ? (int)(w.rm_eo - w.rm_so) : 63;

		memcpy(words[n], p + w.rm_so, len);
		words[n++][len] = '\0';
	}
	regfree(&rx);
	return n;
}

/* The subcommands "prog --help" lists: under "commands:", or as usage
 * lines "  prog NAME ...". */
static int list_commands(const char *prog, char words[][64])
{
	char cmd[256], out[OUT_CAP], *list;

	snprintf(cmd, sizeof(cmd), "%.200s --help 2>&1", prog);
	tu_run(cmd, out, sizeof(out));
	list = strstr(out, "commands:");
	if (list)
		return find_words(list, "\n  ([a-z]+) ", words);
	return find_words(out, "\n  [a-z]+ ([a-z]+)[ \n]", words);
}

/* Asserts page documents every subcommand of prog and each one's long
 * options. */
static void check_page_covers(const char *page, const char *prog)
{
	char *text = read_page(page);
	char commands[MAX_WORDS][64], options[MAX_WORDS][64];
	int ncommands = list_commands(prog, commands);

	cr_assert_gt(ncommands, 0, "%s --help lists no commands", prog);
	for (int i = 0; i < ncommands; i++) {
		char cmd[256], out[OUT_CAP];
		int nopts;

		cr_assert(mentions(text, commands[i]), "%s does not document '%s'", page,
		          commands[i]);
		snprintf(cmd, sizeof(cmd), "%.150s %.60s --help 2>&1", prog, commands[i]);
		tu_run(cmd, out, sizeof(out));
		nopts = find_words(out, "--[a-z][a-z0-9-]*", options);
		for (int j = 0; j < nopts; j++)
			cr_assert(mentions(text, options[j]), "%s does not document %s %s", page,
			          commands[i], options[j]);
	}
	free(text);
}

Test(cli_docs, man_pages_render_without_warnings)
{
	char out[OUT_CAP], cmd[256];

	if (tu_run("command -v groff && command -v man", out, sizeof(out)) != 0)
		cr_skip_test("groff or man is not installed");
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		snprintf(cmd, sizeof(cmd), "groff -man -Tutf8 -ww -z %s 2>&1", pages[i]);
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s: %s", pages[i], out);
		cr_assert_str_empty(out, "%s: %s", pages[i], out);
		snprintf(cmd, sizeof(cmd), "MANWIDTH=80 man -l %s 2>&1 >/dev/null", pages[i]);
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s: %s", pages[i], out);
		cr_assert_str_empty(out, "man -l %s: %s", pages[i], out);
	}
}

Test(cli_docs, mapscope_page_documents_every_command_and_option)
{
	check_page_covers("docs/mapscope.1", BUILD_DIR "/mapscope");
}

Test(cli_docs, soload_page_documents_every_command_and_option)
{
	check_page_covers("docs/soload.1", BUILD_DIR "/soload");
}

Test(cli_docs, library_page_documents_every_function)
{
	char *header = read_page("loader/soload.h");
	char *text = read_page("docs/libsoload.3");
	char names[MAX_WORDS][64];
	int n = find_words(header, "[ *](sl_[a-z_]+)\\(", names);

	cr_assert_geq(n, 4, "soload.h declares only %d functions?", n);
	for (int i = 0; i < n; i++)
		cr_assert(mentions(text, names[i]), "libsoload.3 does not document %s", names[i]);
	free(header);
	free(text);
}

/* What bash completion offers for the words given, one per line. */
static void complete(const char *words, char *out, size_t cap)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
	         "bash -c '. docs/completion/mapscope.bash; COMP_WORDS=(%s);"
	         " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _mapscope;"
	         " printf \"%%s\\n\" \"${COMPREPLY[@]}\"' 2>&1",
	         words);
	cr_assert_eq(tu_run(cmd, out, cap), 0, "%s: %s", words, out);
}

Test(cli_docs, completion_offers_every_command)
{
	char out[OUT_CAP], words[256];

	for (const struct command *c = cli_commands; c->name; c++) {
		snprintf(words, sizeof(words), BUILD_DIR "/mapscope %.2s", c->name);
		complete(words, out, sizeof(out));
		cr_assert(mentions(out, c->name), "'%s' not offered for '%.2s': %s", c->name,
		          c->name, out);
	}
}

Test(cli_docs, completion_offers_soload_commands)
{
	char words[MAX_WORDS][64], out[OUT_CAP], line[256];
	int n = list_commands(BUILD_DIR "/soload", words);

	cr_assert_gt(n, 0);
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), BUILD_DIR "/soload %.1s", words[i]);
		complete(line, out, sizeof(out));
		cr_assert(mentions(out, words[i]), "'%s' not offered: %s", words[i], out);
	}
}

Test(cli_docs, completion_offers_options_and_their_values)
{
	char out[OUT_CAP];

	complete(BUILD_DIR "/mapscope file --for", out, sizeof(out));
	cr_assert_str_eq(out, "--format\n");
	complete(BUILD_DIR "/mapscope file --format \"\"", out, sizeof(out));
	cr_assert(mentions(out, "json") && mentions(out, "text"), "%s", out);
	complete(BUILD_DIR "/mapscope maps sel", out, sizeof(out));
	cr_assert_str_eq(out, "self\n");
	complete(BUILD_DIR "/mapscope maps --all --format p", out, sizeof(out));
	cr_assert_str_eq(out, "prometheus\n");
	complete(BUILD_DIR "/mapscope libs --sort pr", out, sizeof(out));
	cr_assert_str_eq(out, "private_dirty\nprocesses\n");
	complete(BUILD_DIR "/mapscope file --sort e", out, sizeof(out));
	cr_assert_str_eq(out, "evicted\n");
	complete(BUILD_DIR "/soload call --ret d", out, sizeof(out));
	cr_assert_str_eq(out, "double\n");
}
