/* A library the system's dynamic linker loads (the tests dlopen it
 * RTLD_GLOBAL): its TLS lives in glibc's blocks, under glibc's module id. */
__thread int tlshost_value = 7;

int *tlshost_addr(void)
{
	return &tlshost_value;
}
