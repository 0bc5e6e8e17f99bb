// libthrowcb: throws through a C library's frame (libcbcall's cb_call) and
// catches in its own. libcbcall's scope holds no libgcc_s of its own: its
// frames must be registered with the one its tree loaded for libstdc++.
extern "C" int cb_call(int (*f)(int), int x);

static int thrower(int x)
{
	throw x * 2;
}

extern "C" int throw_through_c(void)
{
	try {
		return cb_call(thrower, 21);
	} catch (int v) {
		return v;
	}
}
