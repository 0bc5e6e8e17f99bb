/* Found by libdlctor's constructor through $ORIGIN. */
int leaf_value(void)
{
	return 7;
}
