/* One of two libraries opened SL_GLOBAL that define the same name. */
int scope_global_value(void)
{
	return 'B';
}

int scope_own_or_global(void)
{
	return 'B';
}
