/* libnodeflib: linked with -z nodefaultlib and needing libbz2.so.1.0, which
 * lives only in the system's directories: neither the system linker nor
 * libsoload may find it there. */
int nodeflib_answer(void)
{
	return 42;
}
