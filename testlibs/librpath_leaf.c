/* librpath_leaf: the end of the chain rpath_top -> rpath_mid -> rpath_leaf,
 * found only through the DT_RPATH that rpath_mid inherits from its loader. */
int rpath_leaf(void)
{
	return 7;
}
