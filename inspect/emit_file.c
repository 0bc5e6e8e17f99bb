#include "emit_file.h"

json_t *emit_file_entry(const char *path, const struct residency *r)
{
	json_t *f = json_object();

	emit_str(f, "path", path);
	emit_int(f, "size", (int64_t)r->size);
	emit_int(f, "pages", (int64_t)r->pages);
	emit_measured(f, "resident_pages", (int64_t)r->resident_pages, r->unavailable);
	return f;
}

void emit_file_text(FILE *out, const char *path, const struct residency *r)
{
	char size[32];

	fprintf(out, "%-40s %10s ", path, emit_human_bytes(r->size, size, sizeof(size)));
	if (r->unavailable) {
		fprintf(out, "resident: unknown (%s)\n", r->unavailable);
		return;
	}
	fprintf(out, "%9llu/%-9llu ", (unsigned long long)r->resident_pages,
		(unsigned long long)r->pages);
	emit_bar(out, r->resident_pages, r->pages, 20);
	fputc('\n', out);
}
