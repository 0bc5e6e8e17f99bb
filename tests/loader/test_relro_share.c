#include "relro_share.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGES    8
#define SOME_LIB "/usr/lib/x86_64-linux-gnu/libz.so.1"

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/share-test-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
	setenv("SOLOAD_SHARE_DIR", dir, 1);
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(share, .init = make_dir, .fini = remove_dir);

/* Path of the one cache file in dir, or "" if there is none. */
static void find_cache(char *path, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	path[0] = '\0';
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".relro") && !strstr(e->d_name, ".tmp"))
			snprintf(path, cap, "%s/%s", dir, e->d_name);
	closedir(d);
}

static void prepare(struct share_ctx *ctx)
{
	int fd = open(SOME_LIB, O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0);
	share_prepare(ctx, fd, PAGES * 4096, 4096);
	close(fd);
	cr_assert(ctx->usable, "%s", ctx->status);
}

/* A stand-in for a relocated RELRO: PAGES writable pages at the shared base,
 * page i filled with i + seed, except page odd (if < PAGES) with 0xee. */
static unsigned char *fake_relro(struct share_ctx *ctx, int seed, int odd)
{
	unsigned char *p = share_reserve(ctx, PAGES * 4096);

	cr_assert_not_null(p, "%s", ctx->status);
	cr_assert_eq(mprotect(p, PAGES * 4096, PROT_READ | PROT_WRITE), 0);
	for (int i = 0; i < PAGES; i++)
		memset(p + i * 4096, i == odd ? 0xee : i + seed, 4096);
	return p;
}

static void assert_content(const unsigned char *p, int seed, int odd)
{
	for (int i = 0; i < PAGES; i++)
		cr_assert_eq(p[i * 4096 + 100], i == odd ? 0xee : i + seed, "page %d", i);
}

/* Runs one "process" worth of sharing and returns its stats. */
static struct sl_share_stats load_once(struct share_ctx *ctx, int odd)
{
	struct sl_share_stats st;
	unsigned char *p;

	prepare(ctx);
	p = fake_relro(ctx, 1, odd);
	share_relro(ctx, p, PAGES * 4096, &st);
	assert_content(p, 1, odd);
	munmap(p, PAGES * 4096);
	return st;
}

static void flip_cache_byte(off_t at)
{
	char path[PATH_MAX];
	unsigned char c;
	int fd;

	find_cache(path, sizeof(path));
	cr_assert_neq(path[0], '\0');
	chmod(path, 0644);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	cr_assert_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);
	chmod(path, 0444);
}

Test(share, directory_is_created_private)
{
	char path[PATH_MAX], why[200], sub[128];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	setenv("SOLOAD_SHARE_DIR", sub, 1);
	cr_assert_eq(share_dir(path, sizeof(path), why, sizeof(why)), 0, "%s", why);
	cr_assert_str_eq(path, sub);
	cr_assert_eq(stat(sub, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	rmdir(sub);
}

Test(share, directory_writable_by_others_is_refused)
{
	char path[PATH_MAX], why[200];

	chmod(dir, 0777);
	cr_assert_eq(share_dir(path, sizeof(path), why, sizeof(why)), -1);
	cr_assert(strstr(why, "writable by group or others"), "%s", why);
	cr_assert(strstr(why, dir), "%s", why);
}

Test(share, directory_owned_by_someone_else_is_refused)
{
	char path[PATH_MAX], why[200];

	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	cr_assert_eq(chown(dir, 65534, 65534), 0);
	cr_assert_eq(share_dir(path, sizeof(path), why, sizeof(why)), -1);
	cr_assert(strstr(why, "owned by uid 65534"), "%s", why);
}

Test(share, directory_that_is_a_file_is_refused)
{
	char path[PATH_MAX], why[200], file[128];

	snprintf(file, sizeof(file), "%s/file", dir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	setenv("SOLOAD_SHARE_DIR", file, 1);
	cr_assert_eq(share_dir(path, sizeof(path), why, sizeof(why)), -1);
	cr_assert(strstr(why, "not a directory"), "%s", why);
}

Test(share, salt_is_kept_for_the_boot)
{
	uint64_t a, b;
	char why[200];

	cr_assert_eq(share_salt(dir, &a, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(share_salt(dir, &b, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(a, b);
}

/* Creates path with its modification time age seconds in the past. */
static void make_file_aged(const char *path, time_t age)
{
	struct timespec when[2];
	int fd = open(path, O_CREAT | O_WRONLY, 0400);

	cr_assert_geq(fd, 0, "%s", path);
	clock_gettime(CLOCK_REALTIME, &when[0]);
	when[0].tv_sec -= age;
	when[1] = when[0];
	cr_assert_eq(futimens(fd, when), 0);
	close(fd);
}

Test(share, first_process_of_a_boot_removes_earlier_boots_files)
{
	const char *const old[] = {"salt-00000000-old-boot", "bdeadbeef-10000000000-0.relro"};
	const char *const kept[] = {"notes.txt", "bdeadbeef-1-0.relro.tmp-12-0"};
	char path[PATH_MAX], why[200];
	uint64_t salt;

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, old[i]);
		make_file_aged(path, 86400);
		snprintf(path, sizeof(path), "%s/%s", dir, kept[i]);
		make_file_aged(path, 86400);
	}
	cr_assert_eq(share_salt(dir, &salt, why, sizeof(why)), 0, "%s", why);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, old[i]);
		cr_assert_neq(access(path, F_OK), 0, "%s survived", old[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, kept[i]);
		cr_assert_eq(access(path, F_OK), 0, "%s removed", kept[i]);
	}
}

/* Racing first processes: one links the salt, another reads it and writes
 * a cache before the first has swept the directory. That cache is of this
 * boot and must survive the sweep (it once did not: two holders then both
 * wrote the cache). Its time is set ahead to stand for "written after the
 * salt" without depending on the clock's granularity. */
Test(share, sweep_keeps_caches_written_after_this_boots_salt)
{
	char path[PATH_MAX], why[200];
	uint64_t salt;

	snprintf(path, sizeof(path), "%s/bfeedface-10000000000-0.relro", dir);
	make_file_aged(path, -60);
	cr_assert_eq(share_salt(dir, &salt, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(access(path, F_OK), 0, "this boot's cache was swept away");
}

Test(share, salt_writable_by_others_is_refused)
{
	char why[200], boot[64] = "", name[PATH_MAX];
	uint64_t salt;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	cr_assert_not_null(fgets(boot, sizeof(boot), f));
	fclose(f);
	boot[strcspn(boot, "\n")] = '\0';
	cr_assert_eq(share_salt(dir, &salt, why, sizeof(why)), 0, "%s", why);
	snprintf(name, sizeof(name), "%s/salt-%s", dir, boot);
	cr_assert_eq(chmod(name, 0666), 0);
	cr_assert_eq(share_salt(dir, &salt, why, sizeof(why)), -1);
	cr_assert(strstr(why, "writable by group or others"), "%s", why);
}

Test(share, identity_is_the_build_id_else_the_file)
{
	struct share_id id;
	char file[128];
	int fd = open(SOME_LIB, O_RDONLY);

	cr_assert_eq(share_identify(fd, &id), 0);
	close(fd);
	cr_assert_eq(id.text[0], 'b', "%s", id.text);
	cr_assert_eq(strlen(id.text), 41, "%s", id.text);

	snprintf(file, sizeof(file), "%s/plain", dir);
	fd = open(file, O_CREAT | O_RDWR, 0600);
	cr_assert_eq(write(fd, "not an ELF file", 15), 15);
	cr_assert_eq(share_identify(fd, &id), 0);
	close(fd);
	cr_assert_eq(id.text[0], 'f', "%s", id.text);
}

Test(share, base_is_aligned_in_range_and_depends_on_salt)
{
	struct share_id id = {"bdeadbeef", 12345};
	uintptr_t a = share_base(&id, 1, 1 << 20, 1 << 21);

	cr_assert_eq(a, share_base(&id, 1, 1 << 20, 1 << 21));
	cr_assert_eq(a % (1 << 21), 0);
	cr_assert_geq(a, 0x100000000000ULL);
	cr_assert_lt(a + (1 << 20), 0x500000000000ULL);
	cr_assert_neq(a, share_base(&id, 2, 1 << 20, 1 << 21));
	cr_assert_eq(share_base(&id, 1, 100, 1) % 4096, 0);
	cr_assert_eq(share_base(&id, 1, 4 << 20, 4096) % (2 << 20), 0);
}

/* One salt puts every library in the same 512 GiB, so the libraries of a
 * process share their upper page tables; another salt, another window. */
Test(share, bases_of_one_salt_share_one_window)
{
	struct share_id a = {"ba", 1}, b = {"bb", 0x9e3779b97f4a7c15ULL};
	uintptr_t window = 512ULL << 30, x = share_base(&a, 7, 1 << 20, 4096);
	int moved = 0;

	for (uint64_t h = 2; h < 66; h++) {
		b.hash = h * 0x9e3779b97f4a7c15ULL;
		cr_assert_eq(share_base(&b, 7, 3 << 20, 4096) / window, x / window);
	}
	for (uint64_t salt = 8; salt < 16; salt++)
		moved += share_base(&a, salt, 1 << 20, 4096) / window != x / window;
	cr_assert_gt(moved, 0);
}

Test(share, first_load_creates_the_cache_and_maps_it)
{
	struct share_ctx ctx;
	int fds = tu_count_fds();
	struct sl_share_stats st = load_once(&ctx, -1);
	char path[PATH_MAX];
	struct stat sb;

	cr_assert_str_eq(st.status, "created");
	cr_assert_eq(st.relro_pages, PAGES, "%zu RELRO pages", st.relro_pages);
	cr_assert_eq(st.shared_pages, PAGES, "%zu shared", st.shared_pages);
	cr_assert_eq(st.private_pages, 0, "%zu private", st.private_pages);
	cr_assert_eq(tu_count_fds(), fds, "%d fds open, %d before", tu_count_fds(), fds);
	find_cache(path, sizeof(path));
	cr_assert_eq(stat(path, &sb), 0, "cache \"%s\" in %s: %s", path, dir, strerror(errno));
	cr_assert_eq(sb.st_mode & 0777, 0444, "mode %o", sb.st_mode & 0777);
	cr_assert_eq(sb.st_size, 4096 * (PAGES + 1), "%lld bytes", (long long)sb.st_size);
}

Test(share, later_load_shares_identical_pages_only)
{
	struct share_ctx ctx;
	struct sl_share_stats st;

	load_once(&ctx, -1);
	st = load_once(&ctx, 3);
	cr_assert_str_eq(st.status, "shared");
	cr_assert_eq(st.shared_pages, PAGES - 1);
	cr_assert_eq(st.private_pages, 1);
}

Test(share, shared_pages_are_file_backed_read_only)
{
	struct share_ctx ctx;
	struct sl_share_stats st;
	unsigned char *p;
	char line[512], want[64];
	FILE *maps;
	int found = 0;

	prepare(&ctx);
	p = fake_relro(&ctx, 1, -1);
	share_relro(&ctx, p, PAGES * 4096, &st);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	maps = fopen("/proc/self/maps", "r");
	while (fgets(line, sizeof(line), maps))
		if (strncmp(line, want, strlen(want)) == 0)
			found = strstr(line, " r--p ") && strstr(line, ".relro");
	fclose(maps);
	cr_assert(found, "no read-only mapping of the cache at %p", (void *)p);
	munmap(p, PAGES * 4096);
}

Test(share, corrupt_cache_is_ignored_with_a_reason)
{
	struct share_ctx ctx;
	struct sl_share_stats st;

	load_once(&ctx, -1);
	flip_cache_byte(4096 + 5000);
	st = load_once(&ctx, -1);
	cr_assert(strstr(st.status, "private: ") && strstr(st.status, "checksum"), "%s",
	          st.status);
	cr_assert_eq(st.shared_pages, 0);
	cr_assert_eq(st.private_pages, PAGES);
}

Test(share, cache_with_a_foreign_header_is_ignored)
{
	struct share_ctx ctx;
	struct sl_share_stats st;

	load_once(&ctx, -1);
	flip_cache_byte(20);
	st = load_once(&ctx, -1);
	cr_assert(strstr(st.status, "header does not match"), "%s", st.status);
	cr_assert_eq(st.shared_pages, 0);
}

Test(share, truncated_cache_is_ignored)
{
	struct share_ctx ctx;
	struct sl_share_stats st;
	char path[PATH_MAX];

	load_once(&ctx, -1);
	find_cache(path, sizeof(path));
	cr_assert_eq(truncate(path, 4096 * 3), 0);
	st = load_once(&ctx, -1);
	cr_assert(strstr(st.status, "cache has 12288 bytes"), "%s", st.status);
	cr_assert_eq(st.private_pages, PAGES);
}

Test(share, cache_writable_by_others_is_refused)
{
	struct share_ctx ctx;
	struct sl_share_stats st;
	char path[PATH_MAX];

	load_once(&ctx, -1);
	find_cache(path, sizeof(path));
	cr_assert_eq(chmod(path, 0666), 0);
	st = load_once(&ctx, -1);
	cr_assert(strstr(st.status, "writable by group or others"), "%s", st.status);
	cr_assert_eq(st.shared_pages, 0);
}

Test(share, taken_base_keeps_the_library_private)
{
	struct share_ctx ctx;
	struct sl_share_stats st;
	void *squat;

	prepare(&ctx);
	squat = mmap((void *)ctx.base, 4096, PROT_NONE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_eq(squat, (void *)ctx.base);
	cr_assert_null(share_reserve(&ctx, PAGES * 4096));
	cr_assert_str_eq(ctx.status, "private: base address taken");
	share_relro(&ctx, squat, 4096, &st);
	cr_assert_str_eq(st.status, "private: base address taken");
	cr_assert_eq(st.private_pages, 1);
	munmap(squat, 4096);
}

Test(share, unusable_directory_keeps_the_library_private)
{
	struct share_ctx ctx;
	int fd = open(SOME_LIB, O_RDONLY);

	chmod(dir, 0777);
	share_prepare(&ctx, fd, 4096, 4096);
	close(fd);
	cr_assert_eq(ctx.usable, 0);
	cr_assert(strstr(ctx.status, "private: share directory"), "%s", ctx.status);
	cr_assert_null(share_reserve(&ctx, 4096));
}

/* Two processes on an empty directory: one writes the cache, the other
 * uses it (or, if it lost the race to link, the winner's); both share. */
Test(share, racing_first_loads_both_share)
{
	pid_t kids[2];
	int created = 0, shared = 0;

	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			struct share_ctx ctx;
			struct sl_share_stats st = load_once(&ctx, -1);
			if (st.shared_pages != PAGES)
				_exit(1);
			_exit(strcmp(st.status, "created") == 0 ? 10 : 11);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;
		cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
		cr_assert(WIFEXITED(status));
		created += WEXITSTATUS(status) == 10;
		shared += WEXITSTATUS(status) == 11;
	}
	cr_assert_eq(created, 1);
	cr_assert_eq(shared, 1);
}

/* ---- Through the loader: sl_open(SL_SHARE) ---- */

#define LIBSSL "/usr/lib/x86_64-linux-gnu/libssl.so.3"

struct lib_report {
	int ok;
	struct sl_share_stats ssl, crypto; /* the library, and its first dependency */
	char ssl_status[128], crypto_status[128];
	uintptr_t crypto_base;
};

static void copy_stats(const struct sl_info *in, struct sl_share_stats *st, char *status)
{
	*st = in->share;
	snprintf(status, 128, "%s", in->share.status ? in->share.status : "(null)");
	st->status = NULL;
}

/* Whether libssl works: an SSL_CTX can be made. */
static int ssl_works(sl_lib *lib)
{
	const void *(*method)(void) = (const void *(*)(void))sl_sym(lib, "TLS_method");
	void *(*ctx_new)(const void *) = (void *(*)(const void *))sl_sym(lib, "SSL_CTX_new");

	return method && ctx_new && ctx_new(method()) != NULL;
}

/* Whether libtables' 20,000 relocated pointers and its libc pointer work. */
static int tables_work(sl_lib *lib)
{
	int (*check)(void) = (int (*)(void))sl_sym(lib, "tables_check");
	size_t (*len)(const char *) = (size_t(*)(const char *))sl_sym(lib, "tables_strlen");

	return check && len && check() == 20000 && len("four") == 4;
}

/* In a child: loads path with flags, checks it works, reports. */
static void load_in_child(const char *path, int flags, int (*works)(sl_lib *),
                          struct lib_report *r)
{
	struct sl_info info, dep;
	sl_lib *lib = sl_open(path, flags);

	memset(r, 0, sizeof(*r));
	if (!lib || sl_info(lib, &info) != 0)
		return;
	copy_stats(&info, &r->ssl, r->ssl_status);
	if (info.nneeded > 0 && sl_info(info.needed[0], &dep) == 0) {
		copy_stats(&dep, &r->crypto, r->crypto_status);
		r->crypto_base = dep.base;
	}
	r->ok = works(lib);
}

static struct lib_report run_child(const char *path, int flags, int (*works)(sl_lib *))
{
	struct lib_report r = {0};
	int fds[2], status;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		load_in_child(path, flags, works, &r);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(fds[0]);
	waitpid(pid, &status, 0);
	return r;
}

Test(share, sl_open_shares_libtables_relro)
{
	struct lib_report first = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	struct lib_report second = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);

	cr_assert(first.ok && second.ok, "libtables gives wrong answers once shared");
	cr_assert_str_eq(first.ssl_status, "created");
	cr_assert_geq(first.ssl.relro_pages, 39);
	cr_assert_str_eq(second.ssl_status, "shared");
	cr_assert_geq(second.ssl.shared_pages, 38);
}

/* A warm cache maps the pages it proves without relocating them, and the
 * page holding a pointer into libc is relocated privately even where its
 * bytes would match (the two children are forks of one parent, glibc at
 * the same place): the cache proves it depends on more than the placement. */
Test(share, a_warm_cache_maps_proven_pages_and_relocates_the_rest)
{
	struct lib_report first = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	struct lib_report second = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);

	cr_assert(first.ok && second.ok, "libtables gives wrong answers from a warm cache");
	cr_assert_str_eq(first.ssl_status, "created");
	cr_assert_eq(first.ssl.shared_pages, first.ssl.relro_pages);
	cr_assert_str_eq(second.ssl_status, "shared");
	cr_assert_geq(second.ssl.private_pages, 1, "the page pointing into libc");
	cr_assert_eq(second.ssl.shared_pages + second.ssl.private_pages, second.ssl.relro_pages);
}

Test(share, sl_open_shares_libssl_and_libcrypto_relro)
{
	struct lib_report first = run_child(LIBSSL, SL_SHARE, ssl_works);
	struct lib_report second = run_child(LIBSSL, SL_SHARE, ssl_works);

	cr_assert(first.ok && second.ok, "SSL_CTX_new failed");
	cr_assert_str_eq(first.ssl_status, "created");
	cr_assert_str_eq(first.crypto_status, "created", "SL_SHARE reaches the dependency");
	cr_assert_eq(first.crypto.shared_pages, first.crypto.relro_pages);
	cr_assert_str_eq(second.ssl_status, "shared");
	cr_assert_str_eq(second.crypto_status, "shared");
	cr_assert(second.crypto.requested);
	cr_assert_gt(second.crypto.relro_pages, 50);
	cr_assert_gt(second.crypto.shared_pages, second.crypto.relro_pages / 2);
	/* Forked from one parent, both children have glibc at the same place,
	 * so even the pages pointing into it may match: no claim on private. */
	cr_assert_eq(second.crypto.shared_pages + second.crypto.private_pages,
	             second.crypto.relro_pages);
}

Test(share, sl_open_without_share_reports_nothing_requested)
{
	struct lib_report r = run_child(LIBSSL, 0, ssl_works);

	cr_assert(r.ok);
	cr_assert_not(r.ssl.requested);
	cr_assert_eq(r.ssl.shared_pages, 0);
	cr_assert_str_eq(r.ssl_status, "(null)");
}

/* libcrypto already loaded without sharing, somewhere random: libssl's
 * pages pointing into it would differ in every process. */
Test(share, dependency_not_at_its_shared_address_keeps_the_library_private)
{
	char status[128] = "";
	int fds[2];
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		struct sl_info info;
		sl_lib *crypto = sl_open("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0);
		sl_lib *ssl = sl_open(LIBSSL, SL_SHARE);
		if (crypto && ssl && sl_info(ssl, &info) == 0 && info.share.status)
			snprintf(status, sizeof(status), "%s", info.share.status);
		_exit(write(fds[1], status, sizeof(status)) == sizeof(status) ? 0 : 1);
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], status, sizeof(status)), (ssize_t)sizeof(status));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	cr_assert_str_eq(status, "private: dependency /usr/lib/x86_64-linux-gnu/libcrypto.so.3 "
	                         "not at its shared address");
}

/* Where libtables goes with SL_SHARE, from a child that loaded it. */
static uintptr_t shared_base_of_libtables(void)
{
	uintptr_t base = 0;
	int fds[2];
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		struct sl_info info;
		sl_lib *lib = sl_open(TESTLIB("libtables.so"), SL_SHARE);
		if (lib && sl_info(lib, &info) == 0)
			base = info.base;
		_exit(write(fds[1], &base, sizeof(base)) == sizeof(base) ? 0 : 1);
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &base, sizeof(base)), (ssize_t)sizeof(base));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return base;
}

Test(share, taken_base_loads_privately_and_works)
{
	uintptr_t base = shared_base_of_libtables();
	struct lib_report r;
	void *squat;

	cr_assert_neq(base, 0);
	/* The child inherits this squatter at the library's shared base. */
	squat = mmap((void *)base, 4096, PROT_NONE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_eq(squat, (void *)base);
	r = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	munmap(squat, 4096);
	cr_assert(r.ok, "libtables gives wrong answers when placed elsewhere");
	cr_assert_str_eq(r.ssl_status, "private: base address taken");
	cr_assert_eq(r.ssl.shared_pages, 0);
	cr_assert_eq(r.ssl.private_pages, r.ssl.relro_pages);
}

/* A warm load does not even read the relocations of the pages the cache
 * proves: libtables' 20,000 table pointers are mapped, not relocated. */
Test(share, a_warm_load_skips_the_relocations_of_proven_pages)
{
	struct lib_report first = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	struct lib_report second = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);

	cr_assert(first.ok && second.ok, "libtables gives wrong answers from a warm cache");
	cr_assert_eq(first.ssl.relocs_skipped, 0, "the first load relocates everything");
	cr_assert_geq(second.ssl.relocs_skipped, 19000, "%zu", second.ssl.relocs_skipped);
	cr_assert_geq(second.ssl.shared_pages, 38);
}

/* chain_a(x) = (x + 1) * 10 + 3, through libchain_b and libchain_c. */
static int chain_works(sl_lib *lib)
{
	int (*a)(int) = (int (*)(int))sl_sym(lib, "chain_a");

	return a && a(4) == 53;
}

/* Whether libthrowcb throws through libcbcall's frame and catches. */
static int throws_work(sl_lib *lib)
{
	int (*throw_through_c)(void) = (int (*)(void))sl_sym(lib, "throw_through_c");

	return throw_through_c && throw_through_c() == 42 && throw_through_c() == 42;
}

/* A C++ tree loaded with SL_SHARE, the caches written then found: its
 * unwinder finds the tree's frames either way. */
Test(share, a_cxx_tree_shared_throws_and_catches)
{
	struct lib_report first = run_child(TESTLIB("libthrowcb.so"), SL_SHARE, throws_work);
	struct lib_report second = run_child(TESTLIB("libthrowcb.so"), SL_SHARE, throws_work);

	cr_assert(first.ok, "no catch when the caches were written");
	cr_assert(second.ok, "no catch with the caches there");
}

/* libchain_a is linked lazily: its .got.plt lies outside RELRO, and its
 * one RELRO page holds pointers into glibc, so no page is proven. On a warm
 * load its slot for chain_b, a library the placement decides, is written
 * from the cache instead of looked up, and so are its six slots into glibc
 * (__cxa_finalize, getenv, write, strlen, close, open), as libc's bias
 * plus an offset; only its three weak references that nothing defines
 * (value 0, in no object) and its RELATIVE ones are applied. */
Test(share, a_warm_load_writes_placement_and_glibc_bindings_from_the_cache)
{
	struct lib_report first = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);
	struct lib_report second = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);

	cr_assert(first.ok && second.ok, "libchain_a gives wrong answers from a warm cache");
	cr_assert_eq(first.ssl.relocs_skipped, 0);
	cr_assert_eq(second.ssl.shared_pages, 0);
	cr_assert_eq(second.ssl.relocs_skipped, 7, "%zu", second.ssl.relocs_skipped);
	cr_assert_eq(second.crypto.relocs_skipped, 7,
	             "libchain_b's slot for chain_c and its six into glibc: %zu",
	             second.crypto.relocs_skipped);
}

/* A host with other objects (here: one more, opened by glibc) may bind a
 * name the cache's host bound into the scope to an interposer of its own,
 * so it does not use that cache: it writes its own. */
Test(share, a_cache_is_used_only_by_the_same_host)
{
	struct lib_report first = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);
	struct lib_report other = {0}, again;
	int fds[2], status;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		if (!dlopen("libbz2.so.1.0", RTLD_NOW | RTLD_GLOBAL))
			_exit(2);
		load_in_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works, &other);
		_exit(write(fds[1], &other, sizeof(other)) == sizeof(other) ? 0 : 1);
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &other, sizeof(other)), (ssize_t)sizeof(other));
	close(fds[0]);
	waitpid(pid, &status, 0);
	again = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);
	cr_assert(first.ok && other.ok && again.ok);
	cr_assert_str_eq(first.ssl_status, "created");
	cr_assert_str_eq(other.ssl_status, "created", "another host used the cache");
	cr_assert_eq(other.ssl.relocs_skipped, 0);
	cr_assert_eq(again.ssl.relocs_skipped, 7, "the same host did not: %zu",
	             again.ssl.relocs_skipped);
}

/* glibc's IFUNC resolvers choose by the CPU's features as GLIBC_TUNABLES
 * masks them, so a process with other tunables binds memcpy elsewhere in
 * libc: it does not use a cache whose offsets another made. */
Test(share, a_cache_is_not_used_under_other_glibc_tunables)
{
	struct lib_report first = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);
	struct lib_report other;
	char *before = getenv("GLIBC_TUNABLES");

	before = before ? strdup(before) : NULL;
	setenv("GLIBC_TUNABLES", "glibc.cpu.x86_rep_movsb_threshold=4096", 1);
	other = run_child(TESTLIB("libchain_a.so"), SL_SHARE, chain_works);
	if (before)
		setenv("GLIBC_TUNABLES", before, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	free(before);
	cr_assert(first.ok && other.ok);
	cr_assert_str_eq(other.ssl_status, "created", "a cache of other tunables was used");
	cr_assert_eq(other.ssl.relocs_skipped, 0);
}

/* The path of the one cache file whose name starts with the identity of
 * the library at lib ("" if none). */
static void find_cache_of(const char *lib, char *path, size_t cap)
{
	struct share_id id;
	char prefix[128];
	struct dirent *e;
	int fd = open(lib, O_RDONLY | O_CLOEXEC);
	DIR *d = opendir(dir);

	cr_assert_geq(fd, 0);
	cr_assert_eq(share_identify(fd, &id), 0);
	close(fd);
	snprintf(prefix, sizeof(prefix), "%s-", id.text);
	path[0] = '\0';
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)) && !strstr(e->d_name, ".tmp"))
			snprintf(path, cap, "%s/%s", dir, e->d_name);
	closedir(d);
}

/* A cache written by another user (here: handed to nobody) is never
 * mapped, warm or cold; the library loads privately and works. */
Test(share, cache_owned_by_another_user_is_not_used)
{
	struct lib_report first, second;
	char path[PATH_MAX];

	if (geteuid() != 0)
		cr_skip_test("needs root to chown");
	first = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	cr_assert(first.ok);
	find_cache_of(TESTLIB("libtables.so"), path, sizeof(path));
	cr_assert_neq(path[0], '\0');
	cr_assert_eq(chown(path, 65534, 65534), 0);
	second = run_child(TESTLIB("libtables.so"), SL_SHARE, tables_work);
	cr_assert(second.ok, "libtables gives wrong answers");
	cr_assert(strstr(second.ssl_status, "private: ") && strstr(second.ssl_status, "uid 65534"),
	          "%s", second.ssl_status);
	cr_assert_eq(second.ssl.shared_pages, 0);
	cr_assert_eq(second.ssl.relocs_skipped, 0);
}

/* Copies from to to, with one byte of its build-id changed: the same
 * library to the loader, another identity to the cache. */
static void copy_with_new_build_id(const char *from, const char *to, int change)
{
	static unsigned char buf[1 << 20];
	int in = open(from, O_RDONLY), out;
	ssize_t n = read(in, buf, sizeof(buf));
	unsigned char *note = memmem(buf, (size_t)n, "GNU\0", 4);

	close(in);
	cr_assert(n > 0 && n < (ssize_t)sizeof(buf) && note);
	/* The first "GNU" may be a property note: the build-id's follows a
	 * header whose type is 3. */
	while (note && !(note[-4] == 3 && note[-8] == 20))
		note = memmem(note + 4, (size_t)(buf + n - note - 4), "GNU\0", 4);
	cr_assert_not_null(note, "no build-id note in %s", from);
	note[4] ^= (unsigned char)change;
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	cr_assert_eq(write(out, buf, (size_t)n), n);
	close(out);
}

/* The library replaced by another build at the same path: its cache,
 * made for the old one, is not used; a new one is written, and the
 * answers are right. */
Test(share, a_replaced_library_does_not_use_the_old_cache)
{
	char lib[PATH_MAX], old_cache[PATH_MAX], new_cache[PATH_MAX];
	struct lib_report first, second, third;

	snprintf(lib, sizeof(lib), "%s/libtables-copy.so", dir);
	copy_with_new_build_id(TESTLIB("libtables.so"), lib, 0);
	first = run_child(lib, SL_SHARE, tables_work);
	cr_assert(first.ok);
	cr_assert_str_eq(first.ssl_status, "created");
	find_cache_of(lib, old_cache, sizeof(old_cache));
	cr_assert_neq(old_cache[0], '\0');

	copy_with_new_build_id(TESTLIB("libtables.so"), lib, 0x5a);
	second = run_child(lib, SL_SHARE, tables_work);
	third = run_child(lib, SL_SHARE, tables_work);
	cr_assert(second.ok && third.ok, "libtables gives wrong answers once replaced");
	cr_assert_str_eq(second.ssl_status, "created", "the old cache was used");
	cr_assert_eq(second.ssl.relocs_skipped, 0);
	find_cache_of(lib, new_cache, sizeof(new_cache));
	cr_assert_str_neq(new_cache, old_cache);
	cr_assert_str_eq(third.ssl_status, "shared");
	cr_assert_gt(third.ssl.relocs_skipped, 0);
}

/* A warm cache of libssl, then libcrypto (which libssl's RELRO points
 * into) kept off its shared base: libssl's cache no longer proves
 * anything and is not used; libssl stays private and works. */
Test(share, a_moved_dependency_makes_the_warm_cache_unused)
{
	struct lib_report first = run_child(LIBSSL, SL_SHARE, ssl_works), second;
	void *squat;

	cr_assert(first.ok);
	cr_assert_neq(first.crypto_base, 0);
	squat = mmap((void *)first.crypto_base, 4096, PROT_NONE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_eq(squat, (void *)first.crypto_base);
	second = run_child(LIBSSL, SL_SHARE, ssl_works);
	munmap(squat, 4096);
	cr_assert(second.ok, "SSL_CTX_new failed");
	cr_assert_str_eq(second.crypto_status, "private: base address taken");
	cr_assert(strstr(second.ssl_status, "not at its shared address"), "%s", second.ssl_status);
	cr_assert_eq(second.ssl.relocs_skipped, 0);
	cr_assert_eq(second.ssl.shared_pages, 0);
}

/* A cache whose record of the dependencies was damaged is not trusted
 * for a warm load, nor used at all; the answers stay right. */
Test(share, damaged_dependency_record_makes_the_cache_unused)
{
	struct lib_report first = run_child(LIBSSL, SL_SHARE, ssl_works), second;
	char path[PATH_MAX];
	unsigned char c;
	int fd;

	cr_assert(first.ok);
	find_cache_of(LIBSSL, path, sizeof(path));
	cr_assert_neq(path[0], '\0');
	chmod(path, 0644);
	fd = open(path, O_RDWR);
	/* The first dependency's identity, just after the 192-byte header. */
	cr_assert_eq(pread(fd, &c, 1, 198), 1);
	c ^= 0x5a;
	cr_assert_eq(pwrite(fd, &c, 1, 198), 1);
	close(fd);
	chmod(path, 0444);
	second = run_child(LIBSSL, SL_SHARE, ssl_works);
	cr_assert(second.ok, "SSL_CTX_new failed");
	cr_assert(strstr(second.ssl_status, "private: cache checksum mismatch"), "%s",
	          second.ssl_status);
	cr_assert_eq(second.ssl.relocs_skipped, 0);
	cr_assert_eq(second.ssl.shared_pages, 0);
}
