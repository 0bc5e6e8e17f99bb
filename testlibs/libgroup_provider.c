/* libgroup_provider: defines what libgroup_user uses but does not need. */
int group_provided(void)
{
	return 21;
}
