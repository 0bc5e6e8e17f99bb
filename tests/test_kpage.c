#include "kpage.h"

#include <criterion/criterion.h>
#include <linux/kernel-page-flags.h>
#include <string.h>
#include <unistd.h>

Test(kpage, root_can_read_a_page_count)
{
	struct kpage k;
	uint64_t count = 0, flags = 0;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(kpage_open(&k), 0);
	cr_assert_null(k.unavailable);
	/* PFN 0 is never handed to user space but is a valid index. */
	cr_assert_eq(kpage_read(&k, 0, &count, &flags), 0);
	cr_assert_lt(kpage_read(&k, 1ULL << 50, &count, &flags), 0, "beyond memory");
	kpage_close(&k);
}

Test(kpage, flag_table_names_the_kernel_bits)
{
	int n = 0, thp = -1;

	for (int i = 0; kpage_flags[i].name; i++, n++)
		if (strcmp(kpage_flags[i].name, "thp") == 0)
			thp = kpage_flags[i].bit;
	cr_assert_eq(n, KPAGE_FLAG_COUNT);
	cr_assert_eq(thp, KPF_THP);
}
