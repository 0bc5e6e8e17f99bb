/* Calls a function it defines itself; the test program exports one of the
 * same name, which glibc binds first (the global scope before the
 * library's own). */
__attribute__((noinline)) int scope_probe_value(void)
{
	return 1;
}

int scope_call_own(void)
{
	return scope_probe_value();
}
