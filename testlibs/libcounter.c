/* libcounter: initialised data, bss, a constructor and a destructor that
 * leave a trace (appended to the file named by $SOLOAD_TRACE) and an
 * explicit init_array entry. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int counter_value = 42;     /* .data */
int counter_zeroes[4096];   /* .bss, larger than a page */
int counter_inits;          /* how many initialisers ran */
static int array_init_ran;

static void trace(const char *what)
{
	const char *path = getenv("SOLOAD_TRACE");
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, what, strlen(what)) < 0)
		(void)0;
	close(fd);
}

__attribute__((constructor)) static void counter_init(void)
{
	counter_inits++;
	trace("counter:init\n");
}

__attribute__((destructor)) static void counter_fini(void)
{
	trace("counter:fini\n");
}

static void from_init_array(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	array_init_ran = 1;
	counter_inits++;
}

__attribute__((section(".init_array"), used)) static void (*init_entry)(int, char **,
								       char **) = from_init_array;

int counter_next(void)
{
	return ++counter_value;
}

int counter_array_init_ran(void)
{
	return array_init_ran;
}

/* Sum of the bss array: 0 unless something wrote to it. */
long counter_bss_sum(void)
{
	long sum = 0;

	for (unsigned i = 0; i < sizeof(counter_zeroes) / sizeof(counter_zeroes[0]); i++)
		sum += counter_zeroes[i];
	return sum;
}
