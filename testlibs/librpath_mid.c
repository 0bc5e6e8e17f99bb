/* librpath_mid: needs librpath_leaf but has no DT_RPATH or DT_RUNPATH of its
 * own: found through librpath_top's DT_RPATH, it inherits that; found
 * through librunpath_top's DT_RUNPATH, it inherits nothing. */
int rpath_leaf(void);

int rpath_mid(void)
{
	return rpath_leaf() * 10;
}
