/* Defines scope_local_value itself and uses scope_local_only, which only
 * an RTLD_LOCAL library of glibc's defines: neither may come from there. */
extern int scope_local_only(void) __attribute__((weak));

__attribute__((noinline)) int scope_local_value(void)
{
	return 6;
}

int scope_call_local(void)
{
	return scope_local_value();
}

int scope_sees_local_only(void)
{
	return scope_local_only != 0;
}
