/* libgroup_top: needs libgroup_user, then libgroup_provider. */
int group_use(void);

int group_top(void)
{
	return group_use();
}
