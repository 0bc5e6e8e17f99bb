#include "call.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *const ret_names[] = {
        [CALL_RET_INT] = "int",       [CALL_RET_LONG] = "long", [CALL_RET_STR] = "str",
        [CALL_RET_DOUBLE] = "double", [CALL_RET_VOID] = "void",
};

int call_parse_ret(const char *name, enum call_ret *out)
{
	for (unsigned i = 0; i < sizeof(ret_names) / sizeof(ret_names[0]); i++) {
		if (strcmp(name, ret_names[i]) == 0) {
			*out = (enum call_ret)i;
			return 0;
		}
	}
	return -1;
}

const char *call_ret_name(enum call_ret ret)
{
	return ret_names[ret];
}

void call_parse_arg(const char *text, struct call_arg *out)
{
	char *end;

	out->text = text;
	errno = 0;
	out->value = strtol(text, &end, 0);
	out->is_int = *text && !*end && errno == 0;
	if (!out->is_int)
		out->value = (long)text;
}

/* Every argument goes in an integer register on x86-64, so one signature
 * with six longs calls any function taking up to six integers or pointers;
 * unused registers are ignored by the callee. */
void call_invoke(void *fn, const struct call_arg *args, int nargs, enum call_ret ret,
                 struct call_result *out)
{
	long a[CALL_MAX_ARGS] = {0};

	for (int i = 0; i < nargs && i < CALL_MAX_ARGS; i++)
		a[i] = args[i].value;
	memset(out, 0, sizeof(*out));
	out->type = ret;
	switch (ret) {
	case CALL_RET_INT:
		out->i = ((int (*)(long, long, long, long, long, long))fn)(a[0], a[1], a[2], a[3],
		                                                           a[4], a[5]);
		break;
	case CALL_RET_LONG:
		out->i = ((long (*)(long, long, long, long, long, long))fn)(a[0], a[1], a[2], a[3],
		                                                            a[4], a[5]);
		break;
	case CALL_RET_STR:
		out->s = ((const char *(*)(long, long, long, long, long, long))fn)(
		        a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case CALL_RET_DOUBLE:
		out->d = ((double (*)(long, long, long, long, long, long))fn)(a[0], a[1], a[2],
		                                                              a[3], a[4], a[5]);
		break;
	case CALL_RET_VOID:
		((void (*)(long, long, long, long, long, long))fn)(a[0], a[1], a[2], a[3], a[4],
		                                                   a[5]);
		break;
	}
}

/* Reads [p, p + n) of our own memory without touching it: the kernel
 * returns EFAULT for an address that is not readable instead of faulting. */
static int read_own(const char *p, char *buf, size_t n)
{
	struct iovec local = {buf, n}, remote = {(void *)p, n};
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (got == (ssize_t)n)
		return 0;
	return got < 0 ? -errno : -EFAULT;
}

char *call_copy_string(const char *p, char *why, size_t cap)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = 0;
	char *copy = NULL;

	/* A page at a time: a string may end just before an unmapped page. */
	while (len < CALL_MAX_STR) {
		size_t n = page - ((uintptr_t)(p + len) % page);
		char *grown = realloc(copy, len + n);
		int err;
		if (!grown) {
			snprintf(why, cap, "out of memory");
			break;
		}
		copy = grown;
		if ((err = read_own(p + len, copy + len, n)) != 0) {
			snprintf(why, cap,
			         "%p, which is not the address of a readable string (%s)",
			         (const void *)p, strerror(-err));
			break;
		}
		if (memchr(copy + len, '\0', n))
			return copy;
		len += n;
	}
	if (len >= CALL_MAX_STR)
		snprintf(why, cap, "%p, with no end of string in its first %d bytes",
		         (const void *)p, CALL_MAX_STR);
	free(copy);
	return NULL;
}
