/* libquark_top: a small library that needs libquark_user, opened and
 * closed as a plugin would be (tests/loader/test_reload.c). */
int quark_user_id(void);

int quark_top_id(void)
{
	return quark_user_id();
}
