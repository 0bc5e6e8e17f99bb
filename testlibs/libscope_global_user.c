/* Uses scope_global_value, which only a global library defines, and
 * defines scope_own_or_global, which a global library defines too. */
int scope_global_value(void);

__attribute__((noinline)) int scope_own_or_global(void)
{
	return 'U';
}

int scope_global_call(void)
{
	return scope_global_value();
}

int scope_own_call(void)
{
	return scope_own_or_global();
}
