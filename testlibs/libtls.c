/* Thread-local storage through the dynamic models: an exported counter
 * (general dynamic: DTPMOD64 + DTPOFF64), a static one (local dynamic:
 * DTPMOD64 of the module itself), an over-aligned buffer in .tbss. */
#include <stdint.h>

__thread int tls_counter = 42;
__attribute__((tls_model("local-dynamic"))) static __thread long tls_local = 7;
__thread _Alignas(64) char tls_buffer[128];

int tls_bump(void)
{
	return ++tls_counter;
}

long tls_local_bump(long by)
{
	tls_local += by;
	return tls_local;
}

void *tls_counter_addr(void)
{
	return &tls_counter;
}

/* 1 if the buffer is aligned as declared and still all zero. */
int tls_buffer_ok(void)
{
	int i;

	if ((uintptr_t)tls_buffer % 64)
		return 0;
	for (i = 0; i < 128; i++)
		if (tls_buffer[i])
			return 0;
	tls_buffer[0] = 1;
	return 1;
}
