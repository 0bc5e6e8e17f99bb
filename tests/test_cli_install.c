/* make install into a temporary root, then a program built with only the
 * installed pkg-config file links and runs (tests/install_check.sh). */
#include "testutil.h"

#include <criterion/criterion.h>

Test(cli_install, program_builds_against_the_installed_copy, .timeout = 60)
{
	char out[8192];
	int status = tu_run("sh tests/install_check.sh " BUILD_DIR " 2>&1", out, sizeof(out));

	cr_assert_eq(status, 0, "install check failed:\n%s", out);
	cr_assert_str_eq(out, "install ok\n");
}
