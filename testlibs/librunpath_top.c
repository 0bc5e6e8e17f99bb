/* librunpath_top: like librpath_top but with DT_RUNPATH "$ORIGIN", which
 * finds librpath_mid and, not being inherited, not librpath_leaf. */
int rpath_mid(void);

int runpath_top(void)
{
	return rpath_mid() + 2;
}
