/* Initial-exec TLS (-ftls-model=initial-exec): a static offset from the
 * thread pointer that only start-up libraries can have. Must be refused by
 * libsoload alone. ie_anchor's initial value is a pointer, which
 * relocation sets in the TLS image (R_X86_64_RELATIVE), as libGLdispatch's. */
__thread int ie_value = 5;
static int anchor;
__thread void *ie_anchor = &anchor;

int ie_anchor_ok(void)
{
	return ie_anchor == &anchor;
}

int ie_get(void)
{
	return ie_value;
}

/* Both as this thread sees them, 51 when right: for a thread that existed
 * before the load. */
int ie_check(void)
{
	return ie_value * 10 + ie_anchor_ok();
}
