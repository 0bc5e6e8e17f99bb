#include "emit/emit_maps_all.h"

#include "emit/emit_maps.h"

#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>

static json_t *process_entry(const struct maps_all_process *p)
{
	json_t *o = json_object();

	emit_int(o, "pid", p->pid);
	emit_str(o, "comm", p->comm);
	emit_int(o, "uid", (int64_t)p->uid);
	emit_maps_counters(o, &p->mem);
	return o;
}

/* The user's name, or NULL when the password database has none. */
static const char *user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? pw->pw_name : NULL;
}

static json_t *users_list(const struct maps_all_user *users, long n)
{
	json_t *list = json_array();

	for (long i = 0; i < n; i++) {
		json_t *o = json_object();

		emit_int(o, "uid", (int64_t)users[i].uid);
		emit_str(o, "user", user_name(users[i].uid));
		emit_int(o, "processes", (int64_t)users[i].processes);
		emit_maps_counters(o, &users[i].mem);
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *file_entry(const struct maps_all_file *f)
{
	json_t *o = json_object();
	char dev[24];

	snprintf(dev, sizeof(dev), "%02x:%02x", f->dev_major, f->dev_minor);
	emit_str(o, "path", f->path);
	emit_str(o, "dev", dev);
	emit_int(o, "inode", (int64_t)f->inode);
	json_object_set_new(o, "deleted", json_boolean(f->deleted));
	emit_int(o, "processes", (int64_t)f->processes);
	emit_int(o, "mappings", (int64_t)f->mappings);
	emit_int(o, "rss", (int64_t)f->rss);
	emit_int(o, "pss", (int64_t)f->pss);
	emit_int(o, "swap", (int64_t)f->swap);
	return o;
}

static json_t *totals_entry(const struct maps_all_report *r)
{
	json_t *t = json_object();

	emit_int(t, "processes", (int64_t)r->count);
	emit_int(t, "files", (int64_t)r->nfiles);
	emit_int(t, "no_memory", (int64_t)r->no_memory);
	emit_int(t, "kernel_threads", (int64_t)r->kernel_threads);
	emit_int(t, "errors", (int64_t)r->errors.count);
	emit_maps_counters(t, &r->totals);
	return t;
}

json_t *emit_maps_all_doc(const struct maps_all_report *r)
{
	const struct maps_all_file **files = maps_all_sorted_files(r);
	struct maps_all_user *users;
	long nusers = maps_all_users(r, &users);
	json_t *doc, *procs, *list;

	if (!files || nusers < 0) {
		free(files);
		free(users);
		return NULL;
	}
	doc = emit_doc("maps_all", false);
	procs = json_array();
	list = json_array();
	for (size_t i = 0; i < r->count; i++)
		json_array_append_new(procs, process_entry(&r->procs[i]));
	for (size_t i = 0; i < r->nfiles; i++)
		json_array_append_new(list, file_entry(files[i]));
	free(files);
	json_object_set_new(doc, "processes", procs);
	json_object_set_new(doc, "users", users_list(users, nusers));
	free(users);
	json_object_set_new(doc, "files", list);
	json_object_set_new(doc, "totals", totals_entry(r));
	json_object_set_new(doc, "errors", emit_proc_errors(&r->errors));
	return doc;
}

enum { P_PID, P_USER, P_COMM, P_RSS, P_PSS, P_USS, P_DIRTY, P_ANON, P_SWAP, P_NCOLS };

const struct table_column emit_maps_all_columns[] = {
        [P_PID] = {"PID", "the process", 7, TABLE_RIGHT},
        [P_USER] = {"USER", "the owner of /proc/PID", 8, TABLE_TRUNC},
        [P_COMM] = {"COMM", "its command name", 15, TABLE_TRUNC},
        [P_RSS] = {"RSS", "resident", 6, TABLE_RIGHT},
        [P_PSS] = {"PSS", "proportional share: resident / processes mapping it", 6, TABLE_RIGHT},
        [P_USS] = {"USS", "unique: resident in this process only (private)", 6, TABLE_RIGHT},
        [P_DIRTY] = {"DIRTY", "resident and modified", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [P_ANON] = {"ANON", "anonymous memory", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [P_SWAP] = {"SWAP", "swapped out", 6, TABLE_RIGHT},
};
const size_t emit_maps_all_ncolumns = P_NCOLS;

enum { U_USER, U_PROCS, U_RSS, U_PSS, U_USS, U_SWAP, U_NCOLS };

const struct table_column emit_maps_all_user_columns[] = {
        [U_USER] = {"USER", "a user (owner of /proc/PID)", 8, 0},
        [U_PROCS] = {"PROCS", "their processes", 5, TABLE_RIGHT},
        [U_RSS] = {"RSS", "summed over their processes", 6, TABLE_RIGHT},
        [U_PSS] = {"PSS", "summed: what the user's processes cost", 6, TABLE_RIGHT},
        [U_USS] = {"USS", "summed", 6, TABLE_RIGHT},
        [U_SWAP] = {"SWAP", "summed", 6, TABLE_RIGHT},
};
const size_t emit_maps_all_user_ncolumns = U_NCOLS;

enum { F_PROCS, F_MAPPINGS, F_RSS, F_PSS, F_SWAP, F_FILE, F_NCOLS };

const struct table_column emit_maps_all_file_columns[] = {
        [F_PROCS] = {"PROCS", "processes that map the file", 5, TABLE_RIGHT},
        [F_MAPPINGS] = {"MAPPINGS", "their mappings of it", 8, TABLE_RIGHT},
        [F_RSS] = {"RSS", "resident, summed over the mappings", 6, TABLE_RIGHT},
        [F_PSS] = {"PSS", "proportional share, summed", 6, TABLE_RIGHT},
        [F_SWAP] = {"SWAP", "swapped out, summed", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [F_FILE] = {"FILE", "the file", 0.5, TABLE_WRAP},
};
const size_t emit_maps_all_file_ncolumns = F_NCOLS;

static void user_cell(struct table *t, size_t col, uid_t uid)
{
	const char *name = user_name(uid);

	if (name)
		table_text(t, col, name);
	else
		table_count(t, col, (uint64_t)uid);
}

static int print_processes(FILE *out, const struct maps_all_report *r,
                           const struct table_options *opt)
{
	char why[128];
	struct table *t = table_new(emit_maps_all_columns, P_NCOLS, opt, why, sizeof(why));

	if (!t)
		return -1;
	for (size_t i = 0; i <= r->count; i++) {
		const struct maps_all_process *p = i < r->count ? &r->procs[i] : NULL;
		const struct smaps_counters *c = p ? &p->mem : &r->totals;

		table_row(t);
		if (p) {
			table_count(t, P_PID, (uint64_t)p->pid);
			user_cell(t, P_USER, p->uid);
			table_text(t, P_COMM, p->comm);
		} else {
			table_text(t, P_PID, "total");
			table_text(t, P_USER, "");
			table_text(t, P_COMM, "");
		}
		table_bytes(t, P_RSS, c->rss);
		table_bytes(t, P_PSS, c->pss);
		table_bytes(t, P_USS, c->private_clean + c->private_dirty);
		table_bytes(t, P_DIRTY, c->shared_dirty + c->private_dirty);
		table_bytes(t, P_ANON, c->anonymous);
		table_bytes(t, P_SWAP, c->swap);
	}
	return table_print(t, out);
}

/* The other two tables show their own columns: --output chooses the
 * processes table's. */
static struct table_options other_table(const struct table_options *opt)
{
	struct table_options o = *opt;

	o.output = NULL;
	return o;
}

static int print_users(FILE *out, const struct maps_all_report *r, const struct table_options *opt)
{
	struct table_options o = other_table(opt);
	struct maps_all_user *users;
	long n = maps_all_users(r, &users);
	char why[128];
	struct table *t =
	        n < 0 ? NULL
	              : table_new(emit_maps_all_user_columns, U_NCOLS, &o, why, sizeof(why));

	if (!t) {
		free(users);
		return -1;
	}
	for (long i = 0; i < n; i++) {
		const struct smaps_counters *c = &users[i].mem;

		table_row(t);
		user_cell(t, U_USER, users[i].uid);
		table_count(t, U_PROCS, users[i].processes);
		table_bytes(t, U_RSS, c->rss);
		table_bytes(t, U_PSS, c->pss);
		table_bytes(t, U_USS, c->private_clean + c->private_dirty);
		table_bytes(t, U_SWAP, c->swap);
	}
	free(users);
	return table_print(t, out);
}

static int print_files(FILE *out, const struct maps_all_report *r,
                       const struct maps_all_file **files, const struct table_options *opt)
{
	struct table_options o = other_table(opt);
	char why[128], name[PATH_MAX + 16];
	struct table *t = table_new(emit_maps_all_file_columns, F_NCOLS, &o, why, sizeof(why));

	if (!t)
		return -1;
	for (size_t i = 0; i < r->nfiles; i++) {
		table_row(t);
		table_count(t, F_PROCS, files[i]->processes);
		table_count(t, F_MAPPINGS, files[i]->mappings);
		table_bytes(t, F_RSS, files[i]->rss);
		table_bytes(t, F_PSS, files[i]->pss);
		table_bytes(t, F_SWAP, files[i]->swap);
		snprintf(name, sizeof(name), "%s%s", files[i]->path,
		         files[i]->deleted ? " (deleted)" : "");
		table_text(t, F_FILE, name);
	}
	return table_print(t, out);
}

int emit_maps_all_text(FILE *out, const struct maps_all_report *r, const struct table_options *opt)
{
	const struct maps_all_file **files = maps_all_sorted_files(r);
	int rc;

	if (!files)
		return -1;
	rc = print_processes(out, r, opt);
	/* Rows only: the processes' (the table --output chooses for). */
	if (opt->no_headings) {
		free(files);
		return rc;
	}
	if (rc == 0 && fputc('\n', out) != EOF)
		rc = print_users(out, r, opt);
	if (rc == 0 && fputc('\n', out) != EOF)
		rc = print_files(out, r, files, opt);
	free(files);
	if (rc)
		return rc;
	fprintf(out,
	        "\n%zu %s, %zu %s; %zu without memory (%zu kernel threads), %zu could not be "
	        "read\n",
	        r->count, emit_plural(r->count, "process", "processes"), r->nfiles,
	        emit_plural(r->nfiles, "file", "files"), r->no_memory, r->kernel_threads,
	        r->errors.count);
	for (size_t i = 0; i < r->errors.count; i++)
		fprintf(out, "  pid %d: %s\n", (int)r->errors.items[i].pid,
		        r->errors.items[i].error);
	return ferror(out) ? -1 : 0;
}
