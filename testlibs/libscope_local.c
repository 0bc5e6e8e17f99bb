/* Opened RTLD_LOCAL through glibc by the test: what it defines is in no
 * one's global scope. */
int scope_local_value(void)
{
	return 5;
}

int scope_local_only(void)
{
	return 5;
}
