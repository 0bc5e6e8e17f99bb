/* libundef: calls a function no library defines; loading must fail with
 * "undefined symbol undef_nowhere_at_all". */
int undef_nowhere_at_all(void);

int undef_call(void)
{
	return undef_nowhere_at_all();
}
