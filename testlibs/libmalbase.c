/* libmalbase: the base of the malformed-ELF corpus (testlibs/gen_malformed.c).
 * It is small but has every table the loader reads: both hash styles, RELA
 * with symbol relocations, PLT relocations, RELR, init and fini arrays. */
#include <stdio.h>
#include <string.h>

int malbase_counter = 1;
int *malbase_counter_ptr = &malbase_counter;
size_t (*malbase_strlen)(const char *) = strlen;
static int initialised;

__attribute__((constructor)) static void malbase_init(void)
{
	initialised = 1;
}

int malbase_len(const char *s)
{
	return (int)malbase_strlen(s) + *malbase_counter_ptr + initialised;
}

int malbase_say(const char *s)
{
	return puts(s);
}
