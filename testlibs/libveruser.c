/* libveruser: references both versions of ver_value in libversioned, so
 * each reference must bind to the version it names. */
int ver_value_old(void);
int ver_value(void);
__asm__(".symver ver_value_old, ver_value@VERS_1");

int veruser_old(void)
{
	return ver_value_old();
}

int veruser_default(void)
{
	return ver_value();
}
