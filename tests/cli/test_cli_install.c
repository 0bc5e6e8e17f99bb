/* make install into a temporary root, then a program built with only the
 * installed pkg-config file links and runs (tests/install_check.sh). */
#include "support/testutil.h"

#include <criterion/criterion.h>

Test(cli_install, program_builds_against_the_installed_copy, .timeout = 60)
{
	char out[8192];
	int status;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	cr_skip_test("a sanitizer build's library links only into sanitizer builds");
#endif
	status = tu_run("sh tests/install_check.sh " BUILD_DIR " 2>&1", out, sizeof(out));

	cr_assert_eq(status, 0, "install check failed:\n%s", out);
	cr_assert_str_eq(out, "install ok\n");
}
