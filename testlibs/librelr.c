/* librelr: pointers relocated through DT_RELR packed relocations
 * (-z pack-relative-relocs): a dense run (bitmap words) and lone ones. */
static int values[100];
int *relr_dense[80];
int *relr_lone_a = &values[7];
static const char *greeting = "relr";

__attribute__((constructor)) static void fill(void)
{
	for (int i = 0; i < 100; i++)
		values[i] = i * 3;
}

int *const relr_table[70] = {
#define P4(n) &values[n], &values[n + 1], &values[n + 2], &values[n + 3]
	P4(0),	P4(4),	P4(8),	P4(12), P4(16), P4(20), P4(24), P4(28), P4(32),
	P4(36), P4(40), P4(44), P4(48), P4(52), P4(56), P4(60), P4(64), &values[68],
	&values[69],
#undef P4
};

/* Sum of the values the table points at: 3 * (0 + ... + 69) = 7245. */
int relr_sum(void)
{
	int sum = 0;

	for (int i = 0; i < 70; i++)
		sum += *relr_table[i];
	return sum + (*relr_lone_a == 21 ? 0 : 1000000);
}

const char *relr_greeting(void)
{
	return greeting;
}
