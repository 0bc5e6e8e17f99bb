/* emit_call: the "call" document of soload call, as JSON or a text line. */
#ifndef EMIT_CALL_H
#define EMIT_CALL_H

#include "call.h"
#include "core/emit.h"

struct call_report {
	const char *library;
	const char *symbol;
	const struct call_arg *args;
	int nargs;
	struct call_result result;
};

json_t *emit_call_doc(const struct call_report *r);
void emit_call_text(FILE *out, const struct call_report *r);

#endif
