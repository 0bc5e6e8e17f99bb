/* proc_errors: the processes a scan could not read, with the reason. */
#include "core/proc_errors.h"

#include <criterion/criterion.h>
#include <errno.h>

Test(proc_errors, a_gone_process_exited_and_a_refusal_names_the_file)
{
	struct proc_errors e = {0};

	proc_errors_add(&e, 42, "smaps", -ENOENT);
	proc_errors_add(&e, 43, "smaps", -ESRCH);
	proc_errors_add(&e, 1, "pagemap", -EACCES);
	cr_assert_eq(e.count, 3);
	cr_assert_str_eq(e.items[0].error, "exited during the scan");
	cr_assert_str_eq(e.items[1].error, "exited during the scan");
	cr_assert_eq(e.items[2].pid, 1);
	cr_assert_str_eq(e.items[2].error, "/proc/1/pagemap: Permission denied");
	proc_errors_free(&e);
	cr_assert_eq(e.count, 0);
	cr_assert_null(e.items);
}
