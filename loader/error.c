#include "error.h"
#include "soload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One message per thread, as dlerror() does, so threads do not see each
 * other's failures. */
static __thread char message[1024];
static __thread int have_message;

int error_set(const char *file, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (file)
		n = (size_t)snprintf(message, sizeof(message), "%s: ", file);
	if (n >= sizeof(message))
		n = sizeof(message) - 1;
	va_start(ap, fmt);
	vsnprintf(message + n, sizeof(message) - n, fmt, ap);
	va_end(ap);
	have_message = 1;
	return -1;
}

void error_clear(void)
{
	have_message = 0;
}

const char *sl_error(void)
{
	return have_message ? message : NULL;
}

const char *error_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}
