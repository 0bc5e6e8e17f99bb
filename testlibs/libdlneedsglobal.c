/* Uses a symbol no library it needs defines: it loads only once
 * libdlglobal is in the global scope (RTLD_GLOBAL). */
int dlglobal_value(void);

int needsglobal_value(void)
{
	return dlglobal_value() + 1;
}
