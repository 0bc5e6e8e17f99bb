/* libgnuhash: symbols reachable only through DT_GNU_HASH. */
int gnuhash_value(void)
{
	return 11;
}

int gnuhash_other(void)
{
	return 12;
}

int gnuhash_data = 13;
