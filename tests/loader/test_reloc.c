/* reloc: each relocation kind the sample libraries carry, RELR, weak and
 * undefined symbols, and the refusals. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <string.h>

Test(reloc, symbolic_got_plt_and_relative_all_bound)
{
	sl_lib *hello, *lib = sl_open(TESTLIB("libreloc.so"), 0);
	int *calls;

	cr_assert_not_null(lib, "%s", sl_error());
	hello = sl_open(TESTLIB("libhello.so"), SL_NOLOAD);
	cr_assert_not_null(hello, "libhello loaded as a dependency");
	calls = sl_sym(hello, "hello_calls");
	/* R_X86_64_64 to another library's variable, and with an addend. */
	cr_assert_eq(*(int **)sl_sym(lib, "reloc_abs_ptr"), calls);
	cr_assert_str_eq(*(char **)sl_sym(lib, "reloc_abs_addend"), "buffer");
	/* JUMP_SLOT then GLOB_DAT see the same variable. */
	cr_assert_eq(((int (*)(int, int))sl_sym(lib, "reloc_call_add"))(20, 22), 42);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "reloc_read_calls"))(), *calls);
	cr_assert_geq(*calls, 1);
	/* RELATIVE. */
	cr_assert_eq(((int (*)(void))sl_sym(lib, "reloc_local"))(), 77);
	/* Weak undefined references stay NULL. */
	cr_assert_eq(((int (*)(void))sl_sym(lib, "reloc_weak_is_null"))(), 1);
	sl_close(hello);
	sl_close(lib);
}

Test(reloc, relr_packed_relocations_applied)
{
	sl_lib *lib = sl_open(TESTLIB("librelr.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(lib, "relr_sum"))(), 7245);
	cr_assert_str_eq(((const char *(*)(void))sl_sym(lib, "relr_greeting"))(), "relr");
	sl_close(lib);
}

Test(reloc, undefined_symbol_fails_the_load_naming_it)
{
	int maps = tu_count_maps(), fds = tu_count_fds();

	cr_assert_null(sl_open(TESTLIB("libundef.so"), 0));
	cr_assert_str_eq(sl_error(),
	                 TESTLIB("libundef.so") ": undefined symbol undef_nowhere_at_all");
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
}

Test(reloc, host_symbols_bind_to_the_host_definition)
{
	sl_lib *lib = sl_open(TESTLIB("libhello.so"), 0);
	const char *(*greet)(const char *) =
	        (const char *(*)(const char *))sl_sym(lib, "hello_greet");

	/* hello_greet calls snprintf through its PLT: the host's libc. */
	cr_assert_str_eq(greet("plt"), "hello, plt");
	sl_close(lib);
}

Test(reloc, large_pointer_table_relocated_into_read_only_relro)
{
	sl_lib *lib = sl_open(TESTLIB("libtables.so"), 0);
	struct sl_info info;
	uintptr_t table;

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(lib, "tables_count"))(), 20000);
	cr_assert_eq(((long (*)(void))sl_sym(lib, "tables_checksum"))(), 2100000);
	cr_assert_str_eq(((const char *(*)(int))sl_sym(lib, "tables_get"))(19999), "kappa");
	sl_info(lib, &info);
	table = (uintptr_t)sl_sym(lib, "tables_strings");
	cr_assert_geq(table, info.relro_start);
	cr_assert_leq(table + 20000 * sizeof(void *), info.relro_start + info.relro_size + 4096);
	cr_assert_geq(info.relro_size, 39 * 4096);
	sl_close(lib);
}
