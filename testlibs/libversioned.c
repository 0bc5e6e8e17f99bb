/* libversioned: two versions of one symbol (libversioned.map): the old
 * VERS_1 returns 1, the default VERS_2 returns 2. */
__asm__(".symver ver_value_1, ver_value@VERS_1");
__asm__(".symver ver_value_2, ver_value@@VERS_2");

int ver_value_1(void)
{
	return 1;
}

int ver_value_2(void)
{
	return 2;
}

int ver_only_v1(void)
{
	return 10;
}
