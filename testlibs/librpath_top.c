/* librpath_top: DT_RPATH "$ORIGIN:$ORIGIN/sub" (old-style tags), needing
 * librpath_mid, whose own need for librpath_leaf that DT_RPATH serves. */
int rpath_mid(void);

int rpath_top(void)
{
	return rpath_mid() + 1;
}
