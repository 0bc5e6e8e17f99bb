/* Brought in by libscope_deep_top: its reference to scope_probe_value is
 * looked up in the global scope first (the test program's), or with
 * SL_DEEPBIND in libscope_deep_top's scope first. */
int scope_probe_value(void);

int scope_deep_call(void)
{
	return scope_probe_value();
}
