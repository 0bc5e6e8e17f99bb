#include "kernel/kpage.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kernel-page-flags.h>
#include <unistd.h>

const struct kpage_flag kpage_flags[KPAGE_FLAG_COUNT + 1] = {
        {"dirty", KPF_DIRTY},
        {"active", KPF_ACTIVE},
        {"referenced", KPF_REFERENCED},
        {"lru", KPF_LRU},
        {"anon", KPF_ANON},
        {"swapcache", KPF_SWAPCACHE},
        {"swapbacked", KPF_SWAPBACKED},
        {"thp", KPF_THP},
        {"ksm", KPF_KSM},
        {"huge", KPF_HUGE},
        {"mmap", KPF_MMAP},
        {"locked", KPF_LOCKED},
        {"writeback", KPF_WRITEBACK},
        {"unevictable", KPF_UNEVICTABLE},
        {"zero_page", KPF_ZERO_PAGE},
        {"idle", KPF_IDLE},
        {0},
};

int kpage_open(struct kpage *k)
{
	int err;

	k->unavailable = NULL;
	k->cached = 0;
	k->last = UINT64_MAX - 1;
	k->count_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	k->flags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (k->count_fd >= 0 && k->flags_fd >= 0)
		return 0;
	err = -errno;
	k->unavailable = err == -EACCES || err == -EPERM
	                         ? "needs CAP_SYS_ADMIN (/proc/kpagecount is root only)"
	                         : "/proc/kpagecount or /proc/kpageflags cannot be opened";
	kpage_close(k);
	return err;
}

/* Reads up to n u64s from index; how many, or -errno. */
static ssize_t read_window(int fd, uint64_t index, size_t n, uint64_t *out)
{
	ssize_t got = pread(fd, out, n * sizeof(*out), (off_t)(index * sizeof(*out)));

	return got < 0 ? -errno : got / (ssize_t)sizeof(*out);
}

/* Reads the window that starts at pfn into the cache. */
static int load_window(struct kpage *k, uint64_t pfn)
{
	size_t n = pfn == k->last + 1 ? KPAGE_WINDOW : 1;
	ssize_t counts = read_window(k->count_fd, pfn, n, k->counts);
	ssize_t flags = counts > 0 ? read_window(k->flags_fd, pfn, n, k->flags) : counts;

	k->cached = 0;
	if (counts < 0 || flags < 0)
		return (int)(counts < 0 ? counts : flags);
	k->base = pfn;
	k->cached = (size_t)(counts < flags ? counts : flags);
	return k->cached ? 0 : -ERANGE;
}

int kpage_read(struct kpage *k, uint64_t pfn, uint64_t *count, uint64_t *flags)
{
	if (!k->cached || pfn < k->base || pfn >= k->base + k->cached) {
		int rc = load_window(k, pfn);
		if (rc)
			return rc;
	}
	k->last = pfn;
	*count = k->counts[pfn - k->base];
	*flags = k->flags[pfn - k->base];
	return 0;
}

void kpage_close(struct kpage *k)
{
	if (k->count_fd >= 0)
		close(k->count_fd);
	if (k->flags_fd >= 0)
		close(k->flags_fd);
	k->count_fd = k->flags_fd = -1;
}
