/* liblazy_late: defines what liblazy_user calls, and needs liblazy_user,
 * so that it can only be loaded after it. */
extern int lazy_call_late(int x);

int lazy_late(int x)
{
	return 2 * x;
}

int lazy_late_round_trip(int x)
{
	return lazy_call_late(x);
}
