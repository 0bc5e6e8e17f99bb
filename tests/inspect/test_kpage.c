#include "kernel/kpage.h"

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

Test(kpage, a_cached_window_gives_what_a_fresh_read_gives)
{
	struct kpage a, b;
	uint64_t ca, fa, cb, fb;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(kpage_open(&a), 0);
	cr_assert_eq(kpage_open(&b), 0);
	cr_assert_eq(kpage_read(&a, 4096, &ca, &fa), 0); /* loads 4096..4096+63 */
	for (uint64_t pfn = 4096 + KPAGE_WINDOW - 1; pfn >= 4096 + KPAGE_WINDOW - 3; pfn--) {
		struct kpage fresh;

		cr_assert_eq(kpage_open(&fresh), 0);
		cr_assert_eq(kpage_read(&a, pfn, &ca, &fa), 0);
		cr_assert_eq(kpage_read(&fresh, pfn, &cb, &fb), 0);
		/* Kernel pages this low do not change under us. */
		cr_assert_eq(ca, cb);
		cr_assert_eq(fa, fb);
		kpage_close(&fresh);
	}
	cr_assert_eq(kpage_read(&b, 4095, &cb, &fb), 0);
	kpage_close(&a);
	kpage_close(&b);
}
