/* libcbcall: a C library that calls back into its caller, as zlib calls a
 * program's allocator or glib a program's handler: a C++ caller's exception
 * unwinds through this frame (libthrowcb). */
int cb_call(int (*f)(int), int x)
{
	return f(x) + 1;
}
