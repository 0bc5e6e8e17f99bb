/* liblazy_user: calls through its PLT what it does not define, for lazy
 * binding (SL_LAZY). lazy_late comes from liblazy_late, which needs this
 * library and so is loaded after it; lazy_never comes from nobody. Built
 * without -z defs: the references stay open at link time. */
extern int lazy_late(int x);
extern void lazy_never(void);

int lazy_call_late(int x)
{
	return lazy_late(x) + 1;
}

void lazy_call_never(void)
{
	lazy_never();
}
