/* libcacheuser: needs libhello.so and has no path list: found only through
 * ldconfig's cache (tests/test_ldcache.c gives it one). */
int hello_add(int a, int b);

int cacheuser_add(int a, int b)
{
	return hello_add(a, b) * 2;
}
