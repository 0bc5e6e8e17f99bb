#include "hostsym.h"
#include "symbol.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

Test(hostsym, answers_as_dlsym_and_dlvsym_do)
{
	cr_assert_eq(hostsym_lookup(RTLD_DEFAULT, "malloc", NULL), dlsym(RTLD_DEFAULT, "malloc"));
	cr_assert_eq(hostsym_lookup(RTLD_DEFAULT, "memcpy", "GLIBC_2.14"),
	             dlvsym(RTLD_DEFAULT, "memcpy", "GLIBC_2.14"));
	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, "memcpy", "NO_SUCH_VERSION"));
}

/* glibc's dlsym formats an error for every miss (the first in a process
 * costs tens of microseconds): a name no loaded object's hash table holds
 * is answered without asking it, so no error is left behind. A name only
 * one object defines is still found, and one defined in some object but
 * under another version still asks (and fails). */
Test(hostsym, a_name_nothing_defines_does_not_ask_dlsym)
{
	dlerror();
	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, "no_object_defines_this_name_7f3a", NULL));
	cr_assert_null(
	        hostsym_lookup(RTLD_DEFAULT, "no_object_defines_this_name_7f3b", "GLIBC_2.2.5"));
	cr_assert_null(dlerror(), "dlsym or dlvsym was asked");
	cr_assert_not_null(hostsym_lookup(RTLD_DEFAULT, "zlibVersion", NULL));
	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, "malloc", "NO_SUCH_VERSION"));
	cr_assert_not_null(dlerror(), "a defined name with a missing version asks dlvsym");
}

Test(hostsym, a_miss_is_remembered_per_handle)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	cr_assert_not_null(libc);
	cr_assert_null(hostsym_lookup(libc, "zlibVersion", NULL));
	cr_assert_null(hostsym_lookup(libc, "zlibVersion", NULL), "the remembered miss");
	/* libz is in the process (libelf needs it): the global scope has it. */
	cr_assert_not_null(hostsym_lookup(RTLD_DEFAULT, "zlibVersion", NULL));
	dlclose(libc);
}

Test(hostsym, a_newly_loaded_library_clears_the_misses)
{
	void *h;

	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, "hello_add", NULL));
	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, "hello_add", NULL));
	h = dlopen(TESTLIB("libhello.so"), RTLD_NOW | RTLD_GLOBAL);
	cr_assert_not_null(h, "%s", dlerror());
	cr_assert_eq(hostsym_lookup(RTLD_DEFAULT, "hello_add", NULL), dlsym(h, "hello_add"));
	cr_assert_not_null(dlsym(h, "hello_add"));
	dlclose(h);
}

Test(hostsym, long_names_are_looked_up_every_time)
{
	static const char name[] = "a_name_longer_than_the_miss_cache_keeps_for_itself_x";

	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, name, NULL));
	cr_assert_null(hostsym_lookup(RTLD_DEFAULT, name, NULL));
}

/* dlsym gives a thread-local variable as the calling thread's copy: such an
 * answer must not be handed to another thread. */
static void *errno_seen_by_thread(void *arg)
{
	(void)arg;
	return hostsym_lookup(RTLD_DEFAULT, "errno", "GLIBC_PRIVATE");
}

Test(hostsym, thread_local_answers_are_per_thread)
{
	pthread_t t;
	void *other;

	cr_assert_eq(hostsym_lookup(RTLD_DEFAULT, "errno", "GLIBC_PRIVATE"), (void *)&errno);
	pthread_create(&t, NULL, errno_seen_by_thread, NULL);
	pthread_join(t, &other);
	cr_assert_not_null(other);
	cr_assert_neq(other, (void *)&errno);
	cr_assert_eq(hostsym_lookup(RTLD_DEFAULT, "errno", "GLIBC_PRIVATE"), (void *)&errno);
}

/* A name found in an object glibc then unloads is found no more. */
Test(hostsym, a_found_binding_goes_with_the_object_that_defines_it)
{
	void *h = dlopen(TESTLIB("libhello.so"), RTLD_NOW | RTLD_GLOBAL);
	struct symbol_key key;
	void *at = NULL;

	cr_assert_not_null(h, "%s", dlerror());
	symbol_key(&key, "hello_add", NULL);
	cr_assert_eq(hostsym_global(&key, &at), HOSTSYM_FOUND);
	cr_assert_eq(at, dlsym(h, "hello_add"));
	dlclose(h);
	cr_assert_eq(hostsym_global(&key, &at), HOSTSYM_MISS, "gone with libhello");
}
