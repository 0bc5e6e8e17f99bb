/* liblazy_now: liblazy_user's shape, linked with -z now (DF_BIND_NOW,
 * DF_1_NOW): bound at load even when opened with SL_LAZY. */
extern int lazy_late(int x);

int lazy_now_call_late(int x)
{
	return lazy_late(x) + 1;
}
