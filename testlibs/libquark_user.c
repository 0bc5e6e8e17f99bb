/* libquark_user: its constructor gives libquark_keeper a name in its own
 * read-only data, which the keeper keeps after this library is unloaded;
 * on a reload the keeper compares the new name with that pointer
 * (tests/loader/test_reload.c). */
int keeper_intern(const char *name);

static int quark;

__attribute__((constructor)) static void quark_user_init(void)
{
	quark = keeper_intern("libquark_user's name");
}

int quark_user_id(void)
{
	return quark;
}
