/* dlopened with RTLD_GLOBAL: its symbol serves libdlneedsglobal and
 * dlsym(RTLD_DEFAULT, ...). */
int dlglobal_value(void)
{
	return 41;
}
