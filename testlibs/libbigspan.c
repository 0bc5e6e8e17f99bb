/* libbigspan: ordinary 4 KiB alignment, but a 3 MiB bss makes its span
 * larger than a huge page, so it is loaded on a 2 MiB boundary. */
char bigspan_data[3 << 20];

long bigspan_touch(long i)
{
	bigspan_data[i] = 1;
	return bigspan_data[i] + (long)sizeof(bigspan_data);
}
