#include "kernel/filewalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The (dev, inode) of every file with more than one link handed over so
 * far: open addressing, grown by doubling. Files with one link enter it only
 * under -L, so it grows with the number of hard-linked files, not of files. */
struct inode_set {
	struct inode_key {
		dev_t dev;
		ino_t ino;
	} * slots;
	size_t cap, used;
};

/* The directories above the one being read, to notice loops under -L. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

struct walk {
	const struct filewalk_opts *opts;
	filewalk_fn fn;
	void *ctx;
	struct filewalk_stats *stats;
	struct inode_set links;
	char *path; /* the path being visited, grown with the depth */
	size_t path_cap;
	dev_t root_dev;
	int failed; /* -ENOMEM once the walk cannot go on */
};

static void visit(struct walk *w, int dirfd, const char *name, bool operand,
                  const struct ancestor *up);

static size_t hash_key(const struct inode_key *k, size_t cap)
{
	uint64_t h = ((uint64_t)k->dev * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)k->ino;

	h *= 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static bool insert_key(struct inode_set *s, const struct inode_key *k)
{
	size_t i = hash_key(k, s->cap);

	while (s->slots[i].ino || s->slots[i].dev) {
		if (s->slots[i].dev == k->dev && s->slots[i].ino == k->ino)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->slots[i] = *k;
	s->used++;
	return true;
}

static int grow_set(struct inode_set *s)
{
	struct inode_set bigger = {NULL, s->cap ? s->cap * 2 : 64, 0};

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].ino || s->slots[i].dev)
			insert_key(&bigger, &s->slots[i]);
	free(s->slots);
	*s = bigger;
	return 0;
}

/* True if st's file was handed over before; remembers it otherwise. Under
 * -L a file can be reached through symlinks too, so every file counts. */
static bool seen_before(struct walk *w, const struct stat *st)
{
	struct inode_key k = {st->st_dev, st->st_ino};

	if (st->st_nlink < 2 && !w->opts->follow)
		return false;
	if (w->links.used * 2 >= w->links.cap && grow_set(&w->links) != 0) {
		w->failed = -ENOMEM;
		return false;
	}
	return !insert_key(&w->links, &k);
}

static void hand_error(struct walk *w, bool operand, int err, const char *reason)
{
	struct filewalk_entry e = {.kind = FILEWALK_ERROR,
	                           .path = w->path,
	                           .operand = operand,
	                           .fd = -1,
	                           .err = err,
	                           .reason = reason ? reason : strerror(err)};
	w->fn(&e, w->ctx);
}

static void hand_skip(struct walk *w, bool operand, const struct stat *st, const char *reason)
{
	struct filewalk_entry e = {.kind = FILEWALK_SKIP,
	                           .path = w->path,
	                           .operand = operand,
	                           .fd = -1,
	                           .st = st,
	                           .reason = reason};
	w->fn(&e, w->ctx);
}

static const char *describe_special(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "not a regular file (fifo)";
	if (S_ISSOCK(mode))
		return "not a regular file (socket)";
	if (S_ISCHR(mode))
		return "not a regular file (character device)";
	if (S_ISBLK(mode))
		return "not a regular file (block device)";
	return "not a regular file";
}

/* Paths grow by one name per level; the buffer grows with them. */
static int push_name(struct walk *w, const char *name)
{
	size_t len = w->path ? strlen(w->path) : 0, add = strlen(name) + 2;

	if (len + add > w->path_cap) {
		size_t cap = (len + add) * 2;
		char *p = realloc(w->path, cap);
		if (!p)
			return -ENOMEM;
		w->path = p;
		w->path_cap = cap;
	}
	if (len && w->path[len - 1] != '/')
		w->path[len++] = '/';
	strcpy(w->path + len, name);
	return 0;
}

static int set_path(struct walk *w, const char *path)
{
	if (w->path)
		w->path[0] = '\0';
	return push_name(w, path);
}

/* O_NONBLOCK: a file swapped for a FIFO after fstatat must not hang us. */
static int open_file(struct walk *w, int dirfd, const char *name, bool operand)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;

	if (!operand && !w->opts->follow)
		flags |= O_NOFOLLOW;
	fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd < 0 ? -errno : fd;
}

static void visit_file(struct walk *w, int dirfd, const char *name, bool operand,
                       const struct stat *st)
{
	struct filewalk_entry e = {.kind = FILEWALK_FILE, .path = w->path, .operand = operand};
	struct stat now;
	int fd;

	if (seen_before(w, st)) {
		w->stats->duplicate_links++;
		return;
	}
	fd = open_file(w, dirfd, name, operand);
	if (fd < 0) {
		hand_error(w, operand, -fd, NULL);
		return;
	}
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino ||
	    now.st_dev != st->st_dev) {
		hand_error(w, operand, ESTALE, "replaced while being opened");
	} else {
		e.fd = fd;
		e.st = &now;
		w->fn(&e, w->ctx);
	}
	close(fd);
}

static bool in_loop(const struct stat *st, const struct ancestor *up)
{
	for (; up; up = up->up)
		if (up->dev == st->st_dev && up->ino == st->st_ino)
			return true;
	return false;
}

static bool stopped(const struct walk *w)
{
	return w->opts->stop && w->opts->stop();
}

static void read_dir(struct walk *w, DIR *d, const struct ancestor *me)
{
	size_t len = strlen(w->path);
	struct dirent *de;

	for (errno = 0; !stopped(w) && (de = readdir(d)) != NULL && !w->failed; errno = 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (push_name(w, de->d_name) != 0) {
			w->failed = -ENOMEM;
			break;
		}
		visit(w, dirfd(d), de->d_name, false, me);
		w->path[len] = '\0';
	}
	if (errno && !w->failed)
		hand_error(w, false, errno, NULL);
}

static void visit_dir(struct walk *w, int dirfd, const char *name, bool operand,
                      const struct stat *st, const struct ancestor *up)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	struct ancestor me = {st->st_dev, st->st_ino, up};
	DIR *d;
	int fd;

	if (!w->opts->recursive) {
		hand_error(w, operand, EISDIR, "is a directory (use -r to scan it)");
		return;
	}
	if (!operand && w->opts->one_fs && st->st_dev != w->root_dev) {
		hand_skip(w, operand, st, "on another filesystem (-x)");
		return;
	}
	if (in_loop(st, up)) {
		hand_skip(w, operand, st, "directory loop (already being scanned)");
		return;
	}
	if (!operand && !w->opts->follow)
		flags |= O_NOFOLLOW;
	fd = openat(dirfd, name, flags);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		hand_error(w, operand, errno, NULL);
		if (fd >= 0)
			close(fd);
		return;
	}
	read_dir(w, d, &me);
	closedir(d);
}

static void visit(struct walk *w, int dirfd, const char *name, bool operand,
                  const struct ancestor *up)
{
	bool follow = operand || w->opts->follow;
	struct stat st;

	if (fstatat(dirfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
		hand_error(w, operand, errno, NULL);
		return;
	}
	if (operand)
		w->root_dev = st.st_dev;
	if (S_ISLNK(st.st_mode))
		w->stats->symlinks++;
	else if (S_ISDIR(st.st_mode))
		visit_dir(w, dirfd, name, operand, &st, up);
	else if (S_ISREG(st.st_mode))
		visit_file(w, dirfd, name, operand, &st);
	else
		hand_skip(w, operand, &st, describe_special(st.st_mode));
}

int filewalk_run(char *const *paths, int n, const struct filewalk_opts *opts, filewalk_fn fn,
                 void *ctx, struct filewalk_stats *stats)
{
	struct walk w = {.opts = opts, .fn = fn, .ctx = ctx, .stats = stats};

	memset(stats, 0, sizeof(*stats));
	for (int i = 0; i < n && !w.failed && !stopped(&w); i++) {
		if (set_path(&w, paths[i]) != 0) {
			w.failed = -ENOMEM;
			break;
		}
		visit(&w, AT_FDCWD, paths[i], true, NULL);
	}
	free(w.links.slots);
	free(w.path);
	return w.failed;
}
