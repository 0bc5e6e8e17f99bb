/* libaligned: segments aligned to 2 MiB (p_align 0x200000), which the
 * loader must honour when it picks the base address. */
int aligned_value = 5;

int aligned_get(void)
{
	return aligned_value;
}
