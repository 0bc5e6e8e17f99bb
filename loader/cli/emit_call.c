#include "emit_call.h"

static json_t *arg_json(const struct call_arg *a)
{
	return a->is_int ? json_integer(a->value) : json_string(a->text);
}

static void set_return(json_t *doc, const struct call_result *res)
{
	switch (res->type) {
	case CALL_RET_INT:
	case CALL_RET_LONG:
		emit_int(doc, "return", res->i);
		break;
	case CALL_RET_STR:
		emit_str(doc, "return", res->s);
		break;
	case CALL_RET_DOUBLE:
		json_object_set_new(doc, "return", json_real(res->d));
		break;
	case CALL_RET_VOID:
		json_object_set_new(doc, "return", json_null());
		break;
	}
}

json_t *emit_call_doc(const struct call_report *r)
{
	json_t *doc = emit_doc("call", false);
	json_t *args = json_array();

	emit_str(doc, "library", r->library);
	emit_str(doc, "symbol", r->symbol);
	for (int i = 0; i < r->nargs; i++)
		json_array_append_new(args, arg_json(&r->args[i]));
	json_object_set_new(doc, "args", args);
	emit_str(doc, "return_type", call_ret_name(r->result.type));
	set_return(doc, &r->result);
	return doc;
}

void emit_call_text(FILE *out, const struct call_report *r)
{
	const struct call_result *res = &r->result;

	fprintf(out, "%s(", r->symbol);
	for (int i = 0; i < r->nargs; i++) {
		const struct call_arg *a = &r->args[i];
		if (a->is_int)
			fprintf(out, "%s%ld", i ? ", " : "", a->value);
		else
			fprintf(out, "%s\"%s\"", i ? ", " : "", a->text);
	}
	fprintf(out, ")");
	switch (res->type) {
	case CALL_RET_INT:
	case CALL_RET_LONG:
		fprintf(out, " = %ld\n", res->i);
		break;
	case CALL_RET_STR:
		fprintf(out, res->s ? " = \"%s\"\n" : " = %s\n", res->s ? res->s : "NULL");
		break;
	case CALL_RET_DOUBLE:
		fprintf(out, " = %g\n", res->d);
		break;
	case CALL_RET_VOID:
		fprintf(out, "\n");
		break;
	}
}
