/* file_top: the N largest of many offers, in order, and every other file
 * handed to the drop callback exactly once. */
#include "probe/file_top.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

struct dropped {
	int count;
	uint64_t pages;
};

static void on_drop(const char *path, const struct residency *r, void *ctx)
{
	struct dropped *d = ctx;

	(void)path;
	d->count++;
	d->pages += r->resident_pages;
}

Test(file_top, keeps_the_largest_and_drops_the_rest_once)
{
	struct dropped d = {0};
	struct file_top t;
	uint64_t all = 0, kept = 0;
	char path[32];

	cr_assert_eq(file_top_init(&t, 10, FILE_TOP_RESIDENT, on_drop, &d), 0);
	for (int i = 0; i < 1000; i++) {
		struct residency r = {.resident_pages = (uint64_t)(i * 7919 % 1000)};
		snprintf(path, sizeof(path), "f%04d", i);
		all += r.resident_pages;
		cr_assert_eq(file_top_offer(&t, path, &r), 0);
	}
	file_top_finish(&t);
	cr_assert_eq(t.n, 10);
	for (size_t i = 0; i < t.n; i++) {
		cr_assert_eq(t.items[i].r.resident_pages, 999 - i);
		kept += t.items[i].r.resident_pages;
	}
	cr_assert_eq(d.count, 990);
	cr_assert_eq(d.pages + kept, all);
	file_top_free(&t);
}

Test(file_top, unmeasured_files_are_never_kept_and_ties_go_by_path)
{
	struct dropped d = {0};
	struct file_top t;
	struct residency none = {.unavailable = "not permitted"}, two = {.resident_pages = 2};
	enum file_top_key key;

	cr_assert_eq(file_top_init(&t, 2, FILE_TOP_EVICTED, on_drop, &d), 0);
	cr_assert_eq(file_top_offer(&t, "x", &none), 0);
	cr_assert_eq(d.count, 1);
	two.evicted_pages = 5;
	cr_assert_eq(file_top_offer(&t, "c", &two), 0);
	cr_assert_eq(file_top_offer(&t, "a", &two), 0);
	cr_assert_eq(file_top_offer(&t, "b", &two), 0);
	file_top_finish(&t);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.items[0].path, "a");
	cr_assert_str_eq(t.items[1].path, "b");
	cr_assert_eq(d.count, 2);
	file_top_free(&t);
	cr_assert_eq(file_top_parse_key("evicted", &key), 0);
	cr_assert_eq(key, FILE_TOP_EVICTED);
	cr_assert_eq(file_top_parse_key("size", &key), -1);
}
