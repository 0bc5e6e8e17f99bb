/* libsysvhash: symbols reachable only through DT_HASH (SysV). */
int sysvhash_value(void)
{
	return 21;
}

int sysvhash_other(void)
{
	return 22;
}

int sysvhash_data = 23;
