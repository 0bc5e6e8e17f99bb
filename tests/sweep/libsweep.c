/*
 * libsweep: loads each library given through libsoload and through the
 * system's dlopen, each in a child process of its own (a library may crash
 * or hang in its constructors), and compares what both give: whether it
 * loads, and for every exported symbol whether it is found and at what
 * offset from the library's base, each after a load, an unload and a
 * reload. One JSON line per library, then a summary line.
 *
 *   libsweep LIB...
 *
 * With SWEEP_LAZY=1 in the environment both sides bind lazily:
 * sl_open(SL_LAZY) against dlopen(RTLD_LAZY).
 *
 * Exit status 1 when libsoload crashed on a library, gave a symbol another
 * address than dlopen, or left a writable and executable mapping; a library
 * libsoload refuses with a message is reported, not counted as a failure.
 */
#include "soload.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <jansson.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_SECONDS 20

static int lazy; /* SWEEP_LAZY=1 */

enum loader { SOLOAD, DLOPEN };

/* What a child reports: its first line "ok" or "error <reason>", then "wx"
 * if a mapping was writable and executable, then one "name offset" line per
 * exported symbol ("-" when not found). */
struct report {
	char *text;
	size_t len;
	int status; /* from waitpid */
};

/* The exported symbols: defined, global, weak or unique, not thread-local
 * (those have no single address), with default visibility. */
static int exported(const GElf_Sym *s)
{
	int bind = GELF_ST_BIND(s->st_info), type = GELF_ST_TYPE(s->st_info);

	return s->st_shndx != SHN_UNDEF && s->st_name &&
	       (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
	       type != STT_TLS && type != STT_SECTION && type != STT_FILE &&
	       GELF_ST_VISIBILITY(s->st_other) == STV_DEFAULT;
}

/* Calls fn on the name of every exported symbol of the file's .dynsym. */
static void each_exported(const char *path, void (*fn)(const char *name, void *arg), void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	elf_version(EV_CURRENT);
	if (fd < 0 || !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM) {
			Elf_Data *d = elf_getdata(scn, NULL);
			GElf_Sym s;
			for (int i = 0; d && gelf_getsym(d, i, &s); i++)
				if (exported(&s))
					fn(elf_strptr(elf, sh.sh_link, s.st_name), arg);
		}
	elf_end(elf);
	close(fd);
}

static int any_wx_mapping(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512], perms[5];
	int wx = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*x-%*x %4s", perms) == 1 && perms[1] == 'w' && perms[2] == 'x')
			wx = 1;
	if (f)
		fclose(f);
	return wx;
}

struct opened {
	enum loader loader;
	void *handle;
	uintptr_t base;
	FILE *out;
};

static void *find(const struct opened *o, const char *name)
{
	return o->loader == SOLOAD ? sl_sym(o->handle, name) : dlsym(o->handle, name);
}

static void report_symbol(const char *name, void *arg)
{
	const struct opened *o = arg;
	void *p = name ? find(o, name) : NULL;

	if (!name)
		return;
	if (p)
		fprintf(o->out, "%s %lx\n", name, (unsigned long)((uintptr_t)p - o->base));
	else
		fprintf(o->out, "%s -\n", name);
}

static int open_once(struct opened *o, const char *path)
{
	struct sl_info info;
	struct link_map *map;

	if (o->loader == SOLOAD) {
		if (!(o->handle = sl_open(path, lazy ? SL_LAZY : 0)) ||
		    sl_info(o->handle, &info) != 0) {
			fprintf(o->out, "error %s\n", sl_error());
			return -1;
		}
		o->base = info.base;
		return 0;
	}
	if (!(o->handle = dlopen(path, (lazy ? RTLD_LAZY : RTLD_NOW) | RTLD_LOCAL)) ||
	    dlinfo(o->handle, RTLD_DI_LINKMAP, &map) != 0) {
		fprintf(o->out, "error %s\n", dlerror());
		return -1;
	}
	o->base = map->l_addr;
	return 0;
}

/* Loads path, unloads it and loads it again, as a program that reopens a
 * plugin does: the report is about the reload, which must land where the
 * first load was for a library that stays to find its pointers valid
 * (loader/reload.h). */
static int open_with(struct opened *o, const char *path)
{
	if (open_once(o, path) != 0)
		return -1;
	if (o->loader == SOLOAD)
		sl_close(o->handle);
	else
		dlclose(o->handle);
	return open_once(o, path);
}

/* In the child: load, report, exit without running anything else. */
static void child(enum loader loader, const char *path, int fd)
{
	struct opened o = {.loader = loader, .out = fdopen(fd, "w")};
	int devnull = open("/dev/null", O_WRONLY);

	/* A library's constructors may talk: keep the report clean. */
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	alarm(CHILD_SECONDS);
	if (!o.out)
		_exit(2);
	if (open_with(&o, path) == 0) {
		fprintf(o.out, "ok\n");
		if (any_wx_mapping())
			fprintf(o.out, "wx\n");
		each_exported(path, report_symbol, &o);
	}
	fflush(o.out);
	_exit(0);
}

static int read_all(int fd, struct report *r)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *grown = realloc(r->text, r->len + n + 1);
		if (!grown)
			return -1;
		r->text = grown;
		memcpy(r->text + r->len, buf, n);
		r->len += n;
		r->text[r->len] = '\0';
	}
	return 0;
}

static int run_child(enum loader loader, const char *path, struct report *r)
{
	int fds[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(loader, path, fds[1]);
	}
	close(fds[1]);
	read_all(fds[0], r);
	close(fds[0]);
	waitpid(pid, &r->status, 0);
	return 0;
}

/* "ok", the error's reason, or how the child died. */
static char *outcome(const struct report *r)
{
	char *s = NULL;

	if (WIFSIGNALED(r->status))
		return asprintf(&s, "crashed (%s)", strsignal(WTERMSIG(r->status))) < 0 ? NULL : s;
	if (!r->text || !r->len)
		return strdup("no report");
	if (!strncmp(r->text, "ok\n", 3))
		return strdup("ok");
	s = r->text + (strncmp(r->text, "error ", 6) ? 0 : 6);
	return strndup(s, strcspn(s, "\n"));
}

/* The symbol lines after the first line (and the "wx" line). */
static const char *symbols_of(const struct report *r, int *wx)
{
	const char *p = strchr(r->text, '\n');

	p = p ? p + 1 : "";
	*wx = !strncmp(p, "wx\n", 3);
	return *wx ? p + 3 : p;
}

/* Compares the two symbol lists line by line (same order: both walk the
 * same .dynsym); the first difference goes into first_diff. */
static size_t count_differences(const char *a, const char *b, size_t *nsyms, char **first_diff)
{
	size_t diffs = 0;

	*nsyms = 0;
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		(*nsyms)++;
		if (la != lb || memcmp(a, b, la)) {
			if (!diffs++ && asprintf(first_diff, "soload: %.*s; dlopen: %.*s", (int)la,
			                         a, (int)lb, b) < 0)
				*first_diff = NULL;
		}
		a += la + (a[la] != 0);
		b += lb + (b[lb] != 0);
	}
	return diffs;
}

struct totals {
	int libraries, both, soload_only, dlopen_only, neither, differing, wx;
};

static int sweep_one(const char *path, struct totals *t)
{
	struct report ours, theirs;
	json_t *line = json_object();
	char *a, *b, *first_diff = NULL;
	size_t nsyms = 0, diffs = 0;
	int wx = 0, bad = 0;

	if (run_child(SOLOAD, path, &ours) != 0 || run_child(DLOPEN, path, &theirs) != 0) {
		perror("libsweep: fork");
		exit(1);
	}
	a = outcome(&ours);
	b = outcome(&theirs);
	t->libraries++;
	json_object_set_new(line, "library", json_string(path));
	json_object_set_new(line, "soload", json_string(a ? a : "?"));
	json_object_set_new(line, "dlopen", json_string(b ? b : "?"));
	if (a && b && !strcmp(a, "ok") && !strcmp(b, "ok")) {
		int theirs_wx;
		t->both++;
		diffs = count_differences(symbols_of(&ours, &wx), symbols_of(&theirs, &theirs_wx),
		                          &nsyms, &first_diff);
		json_object_set_new(line, "symbols", json_integer((json_int_t)nsyms));
		json_object_set_new(line, "differing_symbols", json_integer((json_int_t)diffs));
		if (first_diff)
			json_object_set_new(line, "first_difference", json_string(first_diff));
		json_object_set_new(line, "writable_and_executable", json_boolean(wx));
		t->differing += diffs != 0;
		t->wx += wx;
		bad = diffs != 0 || wx;
	} else if (a && !strcmp(a, "ok")) {
		t->soload_only++;
	} else if (b && !strcmp(b, "ok")) {
		t->dlopen_only++;
		bad = !strncmp(a ? a : "", "crashed", 7) || !strcmp(a ? a : "", "no report");
	} else {
		t->neither++;
	}
	json_dumpf(line, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(line);
	free(a);
	free(b);
	free(first_diff);
	free(ours.text);
	free(theirs.text);
	return bad;
}

int main(int argc, char **argv)
{
	struct totals t = {0};
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: libsweep LIB...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lazy = getenv("SWEEP_LAZY") && !strcmp(getenv("SWEEP_LAZY"), "1");
	for (int i = 1; i < argc; i++)
		bad |= sweep_one(argv[i], &t);
	printf("{\"summary\":{\"libraries\":%d,\"both_load\":%d,\"only_soload\":%d,"
	       "\"only_dlopen\":%d,\"neither\":%d,\"differing\":%d,\"writable_and_executable\":%d}"
	       "}\n",
	       t.libraries, t.both, t.soload_only, t.dlopen_only, t.neither, t.differing, t.wx);
	return bad;
}
