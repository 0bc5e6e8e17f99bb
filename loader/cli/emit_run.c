#include "emit_run.h"

static json_t *share_json(const struct run_lib *l)
{
	json_t *o = json_object();

	json_object_set_new(o, "requested", json_boolean(l->share_requested));
	emit_str(o, "status", l->share_requested ? l->share_status : NULL);
	if (l->share_requested) {
		emit_int(o, "relro_pages", l->relro_pages);
		emit_int(o, "shared_pages", l->shared_pages);
		emit_int(o, "private_pages", l->private_pages);
		emit_int(o, "relocs_skipped", l->relocs_skipped);
	}
	return o;
}

static json_t *lib_json(const struct run_lib *l)
{
	json_t *o = json_object();

	emit_int(o, "pid", l->pid);
	emit_str(o, "path", l->path);
	emit_str(o, "soname", l->soname);
	emit_str(o, "loaded_by", l->by_soload ? "soload" : "host");
	emit_int(o, "opened", l->opened);
	if (l->by_soload)
		json_object_set_new(o, "share", share_json(l));
	else
		emit_unmeasured(o, "share", "loaded by the host's dynamic linker");
	return o;
}

json_t *emit_run_doc(const struct run_report *rep)
{
	json_t *doc = emit_doc("run", false), *cmd = json_array(), *libs = json_array(),
	       *refused = json_array();

	for (char **a = rep->argv; *a; a++)
		json_array_append_new(cmd, emit_string(*a));
	json_object_set_new(doc, "command", cmd);
	emit_str(doc, "preload", rep->preload);
	json_object_set_new(doc, "share_requested", json_boolean(rep->share));
	if (rep->signal) {
		emit_unmeasured(doc, "exit_code", "killed by a signal");
		emit_int(doc, "signal", rep->signal);
	} else {
		emit_int(doc, "exit_code", rep->exit_code);
		json_object_set_new(doc, "signal", json_null());
	}
	emit_int(doc, "processes", rep->nprocesses);
	for (size_t i = 0; i < rep->nlibs; i++)
		json_array_append_new(libs, lib_json(&rep->libs[i]));
	json_object_set_new(doc, "libraries", libs);
	for (size_t i = 0; i < rep->nrefused; i++) {
		json_t *o = json_object();
		emit_int(o, "pid", rep->refused[i].pid);
		emit_str(o, "path", rep->refused[i].path);
		emit_str(o, "reason", rep->refused[i].reason);
		json_array_append_new(refused, o);
	}
	json_object_set_new(doc, "refused", refused);
	return doc;
}
