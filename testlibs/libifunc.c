/* libifunc: GNU indirect functions. An exported IFUNC (resolved when
 * looked up) and a local one called through an IRELATIVE relocation. */
static int impl_fast(void)
{
	return 100;
}

static int impl_slow(void)
{
	return 100;
}

int ifunc_resolver_calls;

typedef int (*answer_fn)(void);

static answer_fn pick_answer(void)
{
	ifunc_resolver_calls++;
	return __builtin_cpu_supports("sse2") ? impl_fast : impl_slow;
}

int ifunc_answer(void) __attribute__((ifunc("pick_answer")));

static int local_impl(void)
{
	return 7;
}

static answer_fn pick_local(void)
{
	return local_impl;
}

static int ifunc_local(void) __attribute__((ifunc("pick_local")));

/* Taking the address through a pointer in data forces an IRELATIVE. */
int (*const ifunc_local_ptr)(void) = ifunc_local;

int ifunc_call_local(void)
{
	return ifunc_local_ptr() + ifunc_local();
}
