/* Loaded by libsoload, it uses a thread-local variable of a host library
 * (general dynamic, not linked against it: found in the global scope).
 * DTPMOD64 must store glibc's module id, and our __tls_get_addr must hand
 * that id on to glibc's. */
extern __thread int tlshost_value;

int *tlsuser_addr(void)
{
	return &tlshost_value;
}

int tlsuser_bump(void)
{
	return ++tlshost_value;
}
