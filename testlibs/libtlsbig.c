/* libtlsbig: a general-dynamic TLS block too big for libsoload's static
 * TLS reserve (16 KiB), which must take the dynamic path: an initialised
 * variable after the big zeroed array. */
__thread char big_zeros[16384];
__thread long big_counter = 21;

long big_bump(void)
{
	big_zeros[sizeof(big_zeros) - 1]++;
	return ++big_counter;
}

void big_set(long v)
{
	big_counter = v;
}

void *big_addr(void)
{
	return &big_counter;
}

int big_last_zero(void)
{
	return big_zeros[sizeof(big_zeros) - 1];
}
