/* libgroup_user: calls group_provided() without needing the library that
 * defines it (libgroup_provider). Loaded alone it fails; loaded as part of
 * libgroup_top's group it binds, as with the system linker. */
int group_provided(void);

int group_use(void)
{
	return group_provided() * 2;
}
