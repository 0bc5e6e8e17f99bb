#include "error.h"
#include "loadpath.h"
#include "soload.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One message per thread, as dlerror() does, so threads do not see each
 * other's failures. */
static __thread char message[1024];
static __thread int have_message;
/* The library the last failure could not find, if that was the failure. */
static __thread char missing[256];

static void set_message(const char *file, const char *fmt, va_list ap)
{
	size_t n = 0;

	if (file)
		n = (size_t)snprintf(message, sizeof(message), "%s: ", file);
	if (n >= sizeof(message))
		n = sizeof(message) - 1;
	vsnprintf(message + n, sizeof(message) - n, fmt, ap);
	have_message = 1;
}

int error_set(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(file, fmt, ap);
	va_end(ap);
	missing[0] = '\0';
	return -1;
}

int error_set_missing(const char *file, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(file, fmt, ap);
	va_end(ap);
	snprintf(missing, sizeof(missing), "%s", name);
	return -1;
}

const char *error_missing(void)
{
	return have_message && missing[0] ? missing : NULL;
}

LOAD_PATH void error_clear(void)
{
	have_message = 0;
	missing[0] = '\0';
}

void error_save(struct error_saved *s)
{
	s->have_message = have_message;
	if (have_message) {
		memcpy(s->message, message, sizeof(message));
		memcpy(s->missing, missing, sizeof(missing));
	}
}

void error_restore(const struct error_saved *s)
{
	have_message = s->have_message;
	if (have_message) {
		memcpy(message, s->message, sizeof(message));
		memcpy(missing, s->missing, sizeof(missing));
	} else {
		missing[0] = '\0';
	}
}

const char *sl_error(void)
{
	return have_message ? message : NULL;
}

LOAD_PATH const char *error_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int error_why(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return -1;
}
