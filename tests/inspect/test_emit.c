#include "core/command.h"
#include "core/emit.h"

#include <criterion/criterion.h>
#include <string.h>

Test(emit, parses_known_formats_and_refuses_others)
{
	enum emit_format f;

	cr_assert_eq(command_format("t", "text", COMMAND_ALL_FORMATS, &f), 0);
	cr_assert_eq(f, EMIT_TEXT);
	cr_assert_eq(command_format("t", "jsonl", COMMAND_ALL_FORMATS, &f), 0);
	cr_assert_eq(f, EMIT_JSONL);
	cr_assert_eq(command_format("t", "xml", COMMAND_ALL_FORMATS, &f), 2);
	cr_assert_eq(command_format("t", "prometheus", COMMAND_JSON_TEXT, &f), 2);
}

Test(emit, document_names_schema_and_kind)
{
	json_t *doc = emit_doc("file", true);

	cr_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "mapscope/1");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "file");
	cr_assert_eq(json_integer_value(json_object_get(doc, "page_size")), 4096);
	json_decref(doc);
}

Test(emit, unmeasured_value_is_null_with_reason)
{
	json_t *o = json_object();

	emit_measured(o, "mapcount", 7, "needs CAP_SYS_ADMIN");
	cr_assert(json_is_null(json_object_get(o, "mapcount")));
	cr_assert_str_eq(json_string_value(json_object_get(o, "mapcount_unavailable")),
	                 "needs CAP_SYS_ADMIN");
	emit_measured(o, "rss", 0, NULL);
	cr_assert(json_is_integer(json_object_get(o, "rss")));
	cr_assert_null(json_object_get(o, "rss_unavailable"));
	json_decref(o);
}

Test(emit, human_bytes_uses_binary_units)
{
	char buf[32];

	cr_assert_str_eq(emit_human_bytes(512, buf, sizeof(buf)), "512 B");
	cr_assert_str_eq(emit_human_bytes(3 << 20, buf, sizeof(buf)), "3.0 MiB");
}

/* Issue 14.11: a name that is not UTF-8 is not turned into another file's
 * name: U+FFFD marks each stray byte and "<key>_hex" keeps the bytes. */
Test(emit, bytes_that_are_not_utf8_are_kept_in_hex_beside_the_string)
{
	json_t *o = json_object();

	emit_str(o, "path", "/tmp/caf\xe9-\xc3\xa9");
	emit_str(o, "plain", "/tmp/caf\xc3\xa9");
	cr_assert_str_eq(json_string_value(json_object_get(o, "path")),
	                 "/tmp/caf\xef\xbf\xbd-\xc3\xa9");
	cr_assert_str_eq(json_string_value(json_object_get(o, "path_hex")),
	                 "2f746d702f636166e92dc3a9");
	cr_assert_null(json_object_get(o, "plain_hex"), "valid UTF-8 has no hex beside it");
	json_decref(o);
}

Test(emit, streamed_member_has_the_same_rule)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	emit_write_member(f, "path",
	                  "a\xff"
	                  "b");
	fputc(',', f);
	emit_write_member(f, "ok", "a\nb");
	fclose(f);
	cr_assert_str_eq(buf, "\"path\":\"a\xef\xbf\xbd"
	                      "b\",\"path_hex\":\"61ff62\",\"ok\":\"a\\nb\"");
	free(buf);
}

Test(emit, text_escapes_control_characters_and_stray_bytes_as_fincore_does)
{
	char *s = emit_text_safe("a\nb\xff\xc3\xa9\\x\\y\x7f");

	cr_assert_str_eq(s, "a\\x0ab\\xff\xc3\xa9\\x5cx\\y\\x7f");
	free(s);
}

Test(emit, utf8_length_refuses_overlong_and_truncated_sequences)
{
	cr_assert_eq(emit_utf8_length("a"), 1);
	cr_assert_eq(emit_utf8_length("\xc3\xa9"), 2);
	cr_assert_eq(emit_utf8_length("\xc0\xaf"), 0); /* overlong '/' */
	cr_assert_eq(emit_utf8_length("\xe2\x82"), 0); /* cut short */
}
