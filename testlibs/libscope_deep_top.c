/* Opened with and without SL_DEEPBIND: defines scope_probe_value, as the
 * test program does; its dependency calls it. */
int scope_deep_call(void);

int scope_probe_value(void)
{
	return 7;
}

int scope_deep_top_call(void)
{
	return scope_deep_call();
}
