#include "probe/who.h"

#include "core/grow.h"
#include "core/lines.h"
#include "probe/maps.h"
#include "kernel/procmaps.h"
#include "kernel/smaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static bool is_target(const struct who_report *r, const struct procmaps_region *reg)
{
	return reg->inode == r->inode && reg->dev_major == major(r->dev) &&
	       reg->dev_minor == minor(r->dev);
}

/* Counts the process's mappings of the file from maps (cheap). -errno if
 * maps cannot be read. */
static int count_mappings(const struct who_report *r, int procdir, uint64_t *n)
{
	struct procmaps_region reg;
	struct lines l;
	char *line;
	int rc = lines_open(&l, procdir, "maps");

	if (rc)
		return rc;
	*n = 0;
	while ((line = lines_next(&l)))
		if (procmaps_parse(line, &reg) == 0 && is_target(r, &reg))
			(*n)++;
	rc = l.err;
	lines_close(&l);
	return rc;
}

/* One process's mappings of the file being summed. */
struct target_sum {
	const struct who_report *report;
	struct who_process *process;
};

static int add_if_target(void *ctx, const struct procmaps_region *reg,
                         const struct smaps_counters *c)
{
	struct target_sum *t = ctx;

	if (is_target(t->report, reg)) {
		t->process->rss += c->rss;
		t->process->pss += c->pss;
	}
	return 0;
}

/* Sums rss and pss over the process's mappings of the file, from smaps. */
static int sum_smaps(const struct who_report *r, int procdir, struct who_process *p)
{
	struct target_sum t = {r, p};

	return smaps_each(procdir, add_if_target, &t);
}

/* Counts the process's fds open on the file. -errno if fd/ cannot be read. */
static int count_fds(const struct who_report *r, int procdir, uint64_t *n)
{
	int fd = openat(procdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	*n = 0;
	while ((d = readdir(dir))) {
		/* stat follows the fd's magic link: the open file, even if deleted. */
		if (d->d_name[0] != '.' && fstatat(fd, d->d_name, &st, 0) == 0 &&
		    st.st_dev == r->dev && st.st_ino == r->inode)
			(*n)++;
	}
	closedir(dir);
	return 0;
}

static struct who_process *add_process(struct who_report *r)
{
	if (grow_for_one(&r->procs, &r->cap, r->count, sizeof(*r->procs), 16) != 0)
		return NULL;
	memset(&r->procs[r->count], 0, sizeof(r->procs[0]));
	return &r->procs[r->count++];
}

/* Reads one process; a user of the file is added to the report. */
static int scan_process(void *ctx, pid_t pid, int procdir)
{
	struct who_report *r = ctx;
	uint64_t mappings = 0, fds = 0;
	struct who_process *p;
	int rc = count_mappings(r, procdir, &mappings);

	if (rc) {
		proc_errors_add(&r->errors, pid, "maps", rc);
		return 0;
	}
	rc = count_fds(r, procdir, &fds);
	if (rc) {
		proc_errors_add(&r->errors, pid, "fd", rc);
		return 0;
	}
	r->scanned++;
	if (!mappings && !fds)
		return 0;
	p = add_process(r);
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->mappings = mappings;
	p->fds = fds;
	maps_read_comm(procdir, p->comm, sizeof(p->comm));
	if (mappings && sum_smaps(r, procdir, p) < 0)
		p->rss_why = "smaps could not be read";
	return 0;
}

int who_scan(const char *path, struct who_report *r)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (stat(path, &st) != 0)
		return -errno;
	r->dev = st.st_dev;
	r->inode = st.st_ino;
	return procwalk_each(&r->errors, scan_process, r);
}

void who_free(struct who_report *r)
{
	free(r->procs);
	r->procs = NULL;
	r->count = r->cap = 0;
	proc_errors_free(&r->errors);
}
