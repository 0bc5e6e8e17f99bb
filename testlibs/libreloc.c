/* libreloc: one of each ordinary relocation kind against libhello.
 * R_X86_64_64 (pointer to another library's data, with an addend),
 * GLOB_DAT (reading its variable), JUMP_SLOT (calling its function),
 * RELATIVE (a pointer to our own data), plus weak references, one to a
 * symbol that exists nowhere. */
#include <stddef.h>

extern int hello_calls;
extern char hello_buf[64];
int hello_add(int a, int b);
extern int reloc_nowhere(void) __attribute__((weak));

static int local_value = 77;
int *reloc_abs_ptr = &hello_calls;           /* R_X86_64_64 */
char *reloc_abs_addend = hello_buf + 6;     /* R_X86_64_64 + addend */
int *reloc_relative_ptr = &local_value;     /* R_X86_64_RELATIVE */
int (*reloc_weak_ptr)(void) = reloc_nowhere; /* weak, undefined: NULL */

int reloc_read_calls(void)
{
	return hello_calls; /* GLOB_DAT */
}

int reloc_call_add(int a, int b)
{
	return hello_add(a, b); /* JUMP_SLOT */
}

int reloc_local(void)
{
	return *reloc_relative_ptr;
}

int reloc_weak_is_null(void)
{
	return reloc_weak_ptr == NULL && reloc_nowhere == NULL;
}
