/* libtlsanchor: a TLS image that relocation changes (a pointer in .tdata,
 * R_X86_64_RELATIVE), and a dependency, libtlsstatic, whose constructor
 * touches its own static TLS while this library is loaded but not yet
 * relocated: no thread may take the image before relocation. */
static int anchor;
__thread void *anchor_ptr = &anchor;

int anchor_ok(void)
{
	return anchor_ptr == &anchor;
}

void *anchor_addr(void)
{
	return &anchor_ptr;
}

long anchor_bump(void)
{
	anchor_ptr = (char *)anchor_ptr + 1;
	return (char *)anchor_ptr - (char *)&anchor;
}
