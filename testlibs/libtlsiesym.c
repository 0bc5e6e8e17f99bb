/* Initial-exec TLS whose initial value is another library's address
 * (glibc's environ): relocation against a symbol writes it into the TLS
 * image, which cannot be worked out before relocation, so soload run
 * cannot set it up in threads that exist at the load (libtlsie's, the
 * load address plus an offset, it can). */
extern char **environ;

__thread char ***iesym_env = &environ;

int iesym_check(void)
{
	return iesym_env == &environ;
}
