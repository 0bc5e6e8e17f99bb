/* Brought in by libscope_inittop: its constructor calls what only
 * libscope_inittop defines, which must be relocated by then (glibc
 * relocates a whole group before any constructor runs). */
int scope_init_top_value(void);

static int seen = -1;

__attribute__((constructor)) static void at_init(void)
{
	seen = scope_init_top_value();
}

int scope_init_seen(void)
{
	return seen;
}
