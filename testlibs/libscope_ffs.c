/* Calls libc's ffs, a versioned reference (ffs@GLIBC_2.2.5), which the
 * test program interposes with an unversioned ffs of its own. */
#include <strings.h>

int scope_ffs(int x)
{
	return ffs(x);
}
