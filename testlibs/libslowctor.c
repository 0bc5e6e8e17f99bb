/* libslowctor: a constructor that holds its sl_open until told to go on,
 * so that a test can act while the loader is inside a load: it writes a
 * byte to the fd in SLOW_CTOR_READY_FD, then waits for one on the fd in
 * SLOW_CTOR_FD. Without them it returns at once. */
#include <stdlib.h>
#include <unistd.h>

static int fd_from(const char *name)
{
	const char *v = getenv(name);

	return v ? atoi(v) : -1;
}

__attribute__((constructor)) static void wait_for_go(void)
{
	int ready = fd_from("SLOW_CTOR_READY_FD"), go = fd_from("SLOW_CTOR_FD");
	char c = 'r';

	if (ready < 0 || go < 0)
		return;
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		abort();
}

int slowctor_done(void)
{
	return 1;
}
