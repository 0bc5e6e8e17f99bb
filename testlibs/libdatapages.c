/* libdatapages: 17 pages of writable data past RELRO whose relocations
 * (32 pointers) all lie in the first and the last: a first load copies
 * those two pages, as glibc's write faults do, and leaves the 15 between
 * the file's (tests/loader/test_map.c). */

static int anchor = 7;

struct page {
	int *p[512];
};

__attribute__((aligned(4096))) struct page datapages[17] = {
        [0] = {{&anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor,
                &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor}},
        [1 ... 15] = {{0}},
        [16] = {{&anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor,
                 &anchor, &anchor, &anchor, &anchor, &anchor, &anchor, &anchor}},
};

int datapages_sum(void)
{
	return *datapages[0].p[15] + *datapages[16].p[0];
}
