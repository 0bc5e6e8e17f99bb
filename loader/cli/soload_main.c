/* soload: load shared libraries with libsoload and show what happened.
 * Each command parses its arguments and wires the loader to an emitter,
 * under the conventions of core/command.h. */
#include "call.h"
#include "core/command.h"
#include "core/emit.h"
#include "core/holdline.h"
#include "emit_call.h"
#include "emit_hold.h"
#include "emit_info.h"
#include "emit_run.h"
#include "error.h"
#include "soload.h"
#include "symbol.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define PROG "soload"

static const char CALL_USAGE[] =
        "call [--ret int|long|str|double|void] [--format json|text] LIB SYMBOL [ARG...]";
static const char INFO_USAGE[] = "info [--format json|text] LIB";
static const char HOLD_USAGE[] =
        "hold [--share] [--gdb] [--until-signal] [--format json|text] LIB...";
static const char RUN_USAGE[] = "run [--share] [--report FILE] -- CMD [ARG...]";

static int usage(const char *command_usage, FILE *out, int status)
{
	fprintf(out, "usage: %s %s\n", PROG, command_usage);
	return status;
}

/* command: "soload info", the way refused values are named. */
static int parse_format(const char *command, const char *arg, enum emit_format *out)
{
	return command_format(command, arg, COMMAND_JSON_TEXT, out) == 0 ? 0 : -1;
}

static int finish(json_t *doc, enum emit_format format)
{
	if (emit_json(doc, stdout, format) != 0) {
		fprintf(stderr, "%s: cannot write output\n", PROG);
		return 1;
	}
	return 0;
}

/* The ready line is written by core/holdline, which also reads it back. */
static int finish_hold(json_t *line)
{
	if (holdline_print(line, stdout) != 0) {
		fprintf(stderr, "%s: cannot write output\n", PROG);
		return 1;
	}
	return 0;
}

/* An option of soload call and its value: "--ret X", "--ret=X", "-rX". */
static const char *option_value(char **argv, int *i, const char *lng, char shrt)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);

	if (strncmp(a, lng, n) == 0 && a[n] == '=')
		return a + n + 1;
	if ((strcmp(a, lng) == 0 || (a[1] == shrt && !a[2])) && argv[*i + 1])
		return argv[++*i];
	if (a[0] == '-' && a[1] == shrt && a[2])
		return a + 2;
	return NULL;
}

/* soload call's arguments by hand rather than with getopt: an argument
 * such as -5 is a number to pass, not an option. Options may come anywhere;
 * after "--" everything is an argument. 0 to go on, -1 after --help, or
 * the usage exit code. */
static int parse_call(int argc, char **argv, struct call_report *rep, struct call_arg *args,
                      enum call_ret *ret, enum emit_format *format)
{
	const char *me = CALL_USAGE;
	const char *pos[CALL_MAX_ARGS + 2], *v;
	int npos = 0, rest = 0;
	struct call_arg probe;

	for (int i = 1; i < argc; i++) {
		call_parse_arg(argv[i], &probe);
		if (!rest && strcmp(argv[i], "--") == 0) {
			rest = 1;
		} else if (rest || argv[i][0] != '-' || !argv[i][1] || probe.is_int) {
			if (npos < CALL_MAX_ARGS + 2)
				pos[npos] = argv[i];
			npos++;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(me, stdout, 0);
			return -1; /* done, exit 0 */
		} else if ((v = option_value(argv, &i, "--ret", 'r'))) {
			if (call_parse_ret(v, ret) != 0)
				return command_invalid(PROG, "call", "--ret", v,
				                       "int, long, str, double, void");
		} else if ((v = option_value(argv, &i, "--format", 'f'))) {
			if (parse_format(PROG " call", v, format) != 0)
				return 2;
		} else {
			fprintf(stderr,
			        "%s call: invalid option '%s' (accepted: --ret, --format, "
			        "--help)\n",
			        PROG, argv[i]);
			return 2;
		}
	}
	if (npos < 2)
		return command_misuse(PROG, "call",
		                      npos ? "no SYMBOL given" : "no LIB and SYMBOL given");
	if (npos > CALL_MAX_ARGS + 2)
		return command_misuse(PROG, "call",
		                      "at most %d arguments can be passed (in registers), not %d",
		                      CALL_MAX_ARGS, npos - 2);
	rep->library = pos[0];
	rep->symbol = pos[1];
	rep->nargs = npos - 2;
	rep->args = args;
	for (int i = 0; i < rep->nargs; i++)
		call_parse_arg(pos[2 + i], &args[i]);
	return 0;
}

/* Calling data would jump into it: refuse a symbol the library itself
 * defines as anything but code (one from the host is taken on trust). */
static int is_function(sl_lib *lib, const char *name)
{
	struct symdef def;
	int type;

	if (symbol_lookup(lib, name, NULL, &def) != 0 || !def.sym)
		return 1;
	type = ELF64_ST_TYPE(def.sym->st_info);
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return 1;
	error_set(def.lib->name, "%s is data, not a function: nothing to call", name);
	return 0;
}

static int cmd_call(int argc, char **argv)
{
	struct call_arg args[CALL_MAX_ARGS];
	struct call_report rep = {0};
	enum call_ret ret = CALL_RET_INT;
	enum emit_format format = EMIT_JSON;
	char why[160], *copy = NULL;
	sl_lib *lib;
	void *fn;
	int rc = parse_call(argc, argv, &rep, args, &ret, &format);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!(lib = sl_open(rep.library, 0))) {
		emit_error(PROG, "call", format, "%s", sl_error());
		return 1;
	}
	if (!(fn = sl_sym(lib, rep.symbol)) || !is_function(lib, rep.symbol)) {
		emit_error(PROG, "call", format, "%s", sl_error());
		sl_close(lib);
		return 1;
	}
	call_invoke(fn, args, rep.nargs, ret, &rep.result);
	/* Copied before closing: a returned string may live in the library. */
	if (ret == CALL_RET_STR && rep.result.s &&
	    !(rep.result.s = copy = call_copy_string(rep.result.s, why, sizeof(why)))) {
		emit_error(PROG, "call", format,
		           "%s: %s returned %s; if it returns a number, "
		           "use --ret int or --ret long",
		           rep.library, rep.symbol, why);
		sl_close(lib);
		return 1;
	}
	sl_close(lib);
	if (format == EMIT_TEXT)
		emit_call_text(stdout, &rep);
	else
		rc = finish(emit_call_doc(&rep), format);
	free(copy);
	return rc;
}

static const struct option info_opts[] = {
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0},
};

static int cmd_info(int argc, char **argv)
{
	const char *me = INFO_USAGE;
	enum emit_format format = EMIT_JSON;
	struct description d;
	char path[PATH_MAX];
	int opt, rc = 0;

	while ((opt = command_getopt(PROG, argc, argv, "f:h", info_opts)) != -1) {
		if (opt == 'h')
			return usage(me, stdout, 0);
		if (opt == '?' || (opt == 'f' && parse_format(PROG " info", optarg, &format) != 0))
			return 2;
	}
	if (argc == optind)
		return command_misuse(PROG, "info", "no LIB given");
	if (argc - optind > 1)
		return command_misuse(PROG, "info", "one LIB, not %d", argc - optind);
	/* A soname is looked up as sl_open would: the file it would load. */
	if (sl_find(argv[optind], path, sizeof(path)) != 0 || describe_library(path, &d) != 0) {
		emit_error(PROG, "info", format, "%s", sl_error());
		return 1;
	}
	if (format == EMIT_TEXT)
		emit_info_text(stdout, &d);
	else
		rc = finish(emit_info_doc(&d), format);
	describe_release(&d);
	return rc;
}

static const struct option hold_opts[] = {
        {"share", no_argument, 0, 's'},        {"gdb", no_argument, 0, 'g'},
        {"until-signal", no_argument, 0, 'u'}, {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},         {0},
};

/* SIGTERM and SIGINT are held from the start, not only once waiting: a
 * caller may signal as soon as it has read the ready line, and that must
 * mean "unload and exit 0", never death by the default action. */
static void hold_release_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/* Until a signal of set (held) arrives or, with use_stdin, stdin reaches
 * end of file. Without it stdin is never read: a holder started with & in
 * a script (stdin /dev/null) or an interactive shell (stopped by SIGTTIN on
 * a read) stays until it is signalled. */
static void wait_for_release(const sigset_t *set, int use_stdin)
{
	struct pollfd p[2];
	char buf[512];
	int sfd, sig;

	if (!use_stdin) {
		sigwait(set, &sig);
		return;
	}
	sfd = signalfd(-1, set, SFD_CLOEXEC);

	p[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	p[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
	for (;;) {
		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				break;
		}
		if (p[0].revents & POLLNVAL)
			p[0].fd = -1; /* no stdin at all: wait for a signal only */
	}
	if (sfd >= 0)
		close(sfd);
}

static const char *loaded_path(sl_lib *lib)
{
	struct sl_info info;

	return sl_info(lib, &info) == 0 ? info.path : "";
}

static int load_all(char **paths, int n, int flags, int gdb, struct hold_entry *e,
                    enum emit_format format)
{
	for (int i = 0; i < n; i++) {
		e[i].lib = sl_open(paths[i], flags);
		if (!e[i].lib) {
			emit_error(PROG, "hold", format, "%s", sl_error());
			return i;
		}
		if (gdb && describe_sections(loaded_path(e[i].lib), &e[i].sections,
		                             &e[i].nsections) != 0) {
			emit_error(PROG, "hold", format, "%s", sl_error());
			sl_close(e[i].lib);
			return i;
		}
	}
	return n;
}

static void close_all(struct hold_entry *e, int n)
{
	for (int i = n; i-- > 0;) {
		free(e[i].sections);
		sl_close(e[i].lib);
	}
	free(e);
}

static int cmd_hold(int argc, char **argv)
{
	const char *me = HOLD_USAGE;
	enum emit_format format = EMIT_JSONL;
	struct hold_entry *e;
	int opt, flags = 0, gdb = 0, use_stdin = 1, n, loaded, rc = 0;
	sigset_t release;

	while ((opt = command_getopt(PROG, argc, argv, "sgf:h", hold_opts)) != -1) {
		if (opt == 'h')
			return usage(me, stdout, 0);
		if (opt == 's')
			flags |= SL_SHARE;
		if (opt == 'g')
			gdb = 1;
		if (opt == 'u')
			use_stdin = 0;
		if (opt == '?' || (opt == 'f' && parse_format(PROG " hold", optarg, &format) != 0))
			return 2;
	}
	if ((n = argc - optind) < 1)
		return command_misuse(PROG, "hold", "no LIB given");
	if (format == EMIT_JSON)
		format = EMIT_JSONL; /* one line, always: scripts read it as it comes */
	hold_release_signals(&release);
	if (!(e = calloc(n, sizeof(*e)))) {
		emit_error(PROG, "hold", format, "out of memory");
		return 1;
	}
	loaded = load_all(argv + optind, n, flags, gdb, e, format);
	if (loaded < n) {
		close_all(e, loaded);
		return 1;
	}
	if (format == EMIT_TEXT)
		emit_hold_text(stdout, getpid(), e, n);
	else
		rc = finish_hold(emit_hold_doc(getpid(), e, n));
	if (rc == 0)
		wait_for_release(&release, use_stdin);
	close_all(e, n);
	return rc;
}

static const struct option run_opts[] = {
        {"share", no_argument, 0, 's'},
        {"report", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},
        {0},
};

/* The record file the preload appends to, in TMPDIR (else /tmp), which
 * only this user can read (mkstemp); 0, or -1 having said why, naming the
 * directory. */
static int make_record(char *path, size_t cap)
{
	const char *env = getenv("TMPDIR"), *dir = env && *env ? env : "/tmp";
	char abs[PATH_MAX];
	int fd = -1;

	/* Absolute: each process of CMD opens it by name, from wherever it
	 * has moved to. */
	if (realpath(dir, abs)) {
		if ((size_t)snprintf(path, cap, "%s/soload-run-XXXXXX", abs) < cap)
			fd = mkstemp(path);
		else
			errno = ENAMETOOLONG;
	}
	if (fd < 0) {
		fprintf(stderr, "%s: run: cannot create a record file in %s: %m\n", PROG, dir);
		return -1;
	}
	close(fd);
	return 0;
}

static int write_report(const char *file, struct run_report *rep, const char *record)
{
	FILE *out;
	int rc = -1;

	if (run_read_record(rep, record) != 0) {
		fprintf(stderr, "%s: run: cannot read the record %s: %m\n", PROG, record);
		return -1;
	}
	if (!(out = fopen(file, "we"))) {
		fprintf(stderr, "%s: run: %s: %m\n", PROG, file);
		return -1;
	}
	if (emit_json(emit_run_doc(rep), out, EMIT_JSON) == 0)
		rc = 0;
	if (fclose(out) != 0 || rc != 0) {
		fprintf(stderr, "%s: run: cannot write %s\n", PROG, file);
		return -1;
	}
	return 0;
}

/* Runs CMD with libsoload under its dlopen; exits as CMD did (128 + the
 * signal that killed it), or 1 when soload itself failed. */
static int cmd_run(int argc, char **argv)
{
	const char *me = RUN_USAGE, *report = NULL;
	char preload[PATH_MAX], record[PATH_MAX];
	struct run_report rep = {0};
	int opt, rc;

	while ((opt = command_getopt(PROG, argc, argv, "+sr:h", run_opts)) != -1) {
		if (opt == 'h')
			return usage(me, stdout, 0);
		if (opt == 's')
			rep.share = 1;
		else if (opt == 'r')
			report = optarg;
		else
			return 2;
	}
	if (optind >= argc)
		return command_misuse(PROG, "run", "no CMD given");
	rep.argv = argv + optind;
	if (!(rep.preload = run_find_preload(preload, sizeof(preload)))) {
		fprintf(stderr, "%s: run: libsoload-preload.so not found (set SOLOAD_PRELOAD)\n",
		        PROG);
		return 1;
	}
	if (report && make_record(record, sizeof(record)) != 0)
		return 1;
	if (run_command(&rep, report ? record : NULL) != 0) {
		if (report)
			unlink(record);
		return 1;
	}
	rc = rep.signal ? 128 + rep.signal : rep.exit_code;
	if (report) {
		if (write_report(report, &rep, record) != 0)
			rc = 1;
		unlink(record);
	}
	run_release(&rep);
	return rc;
}

static const struct command commands[] = {
        {"call", "call a function of a library and print what it returned", cmd_call},
        {"info", "what a library would load, read without running it", cmd_info},
        {"hold", "load libraries and hold them until told to stop", cmd_hold},
        {"run", "run a command with libsoload under its dlopen", cmd_run},
        {0},
};

int main(int argc, char **argv)
{
	return command_dispatch(PROG, commands, argc, argv);
}
